// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: per-prefix view of the BGP table.  See erpolicy_rib.h.
 */
#include <zebra.h>

#include "bgpd/bgpd.h"
#include "bgpd/bgp_attr.h"
#include "bgpd/bgp_route.h"
#include "bgpd/bgp_table.h"

#include "erpolicy.h"
#include "erpolicy_paths.h"
#include "erpolicy_peer.h"
#include "erpolicy_rib.h"

static const afi_t erp_afis[ERP_AFI_MAX] = {AFI_IP, AFI_IP6};

static bool has_er_path(struct erp_instance *inst, struct bgp_dest *dest)
{
	struct bgp_path_info *pi;

	for (pi = bgp_dest_get_bgp_path_info(dest); pi; pi = pi->next)
		if (CHECK_FLAG(pi->flags, BGP_PATH_VALID) && pi->peer &&
		    erp_peer_role(inst, pi->peer, NULL) == ERP_ROLE_EXPRESSROUTE)
			return true;
	return false;
}

/* Does a less specific prefix have an ExpressRoute path? */
static bool er_covers(struct erp_instance *inst, struct bgp_dest *dest)
{
	struct bgp_dest *up;

	for (up = bgp_dest_parent_nolock(dest); up;
	     up = bgp_dest_parent_nolock(up))
		if (has_er_path(inst, up))
			return true;
	return false;
}

static bool row_of(struct erp_instance *inst, bool demoted,
		   struct bgp_dest *dest, struct erp_prefix_row *row)
{
	struct bgp_path_info *pi;
	bool any = false;

	memset(row, 0, sizeof(*row));
	row->prefix = bgp_dest_get_prefix(dest);
	row->facts.prefix = row->prefix;
	for (pi = bgp_dest_get_bgp_path_info(dest); pi; pi = pi->next) {
		enum erp_role role = pi->peer ? erp_peer_role(inst, pi->peer,
							      NULL)
					      : ERP_ROLE_NONE;

		if (!CHECK_FLAG(pi->flags, BGP_PATH_VALID))
			continue;
		if (role == ERP_ROLE_EXPRESSROUTE)
			row->facts.via_er = any = true;
		else if (role == ERP_ROLE_VPN)
			row->facts.via_vpn = any = true;
		if (CHECK_FLAG(pi->flags, BGP_PATH_SELECTED)) {
			row->facts.best = role;
			row->best_neighbor = pi->peer ? pi->peer->host : NULL;
			row->best_local_pref = pi->attr->local_pref;
		}
	}
	if (!any)
		return false;
	if (!row->facts.via_er)
		row->facts.er_covers = er_covers(inst, dest);
	row->intended = erp_prefix_intended(&inst->policy, demoted, &row->facts);
	row->issue = erp_prefix_issue(&inst->policy, demoted, &row->facts);
	return true;
}

void erp_rib_walk(struct erp_instance *inst, enum erp_afi afi,
		  const struct prefix *only,
		  void (*fn)(const struct erp_prefix_row *row, void *arg),
		  void *arg)
{
	struct bgp *bgp = erp_bgp_of(inst);
	struct bgp_table *table;
	struct bgp_dest *dest;
	struct erp_prefix_row row;
	bool demoted = erp_paths_er_demoted(inst, afi);

	if (!bgp || !(table = bgp->rib[erp_afis[afi]][SAFI_UNICAST]))
		return;
	if (only) {
		dest = bgp_node_lookup(table, only);
		if (!dest)
			return;
		if (row_of(inst, demoted, dest, &row))
			fn(&row, arg);
		bgp_dest_unlock_node(dest);
		return;
	}
	for (dest = bgp_table_top(table); dest; dest = bgp_route_next(dest))
		if (row_of(inst, demoted, dest, &row))
			fn(&row, arg);
}

struct overlap_ctx {
	struct erp_instance *inst;
	struct erp_overlap_counts *c;
};

static void count_row(const struct erp_prefix_row *row, void *arg)
{
	struct overlap_ctx *ctx = arg;

	if (erp_prefix_set_overlaps(&ctx->inst->policy.onprem, row->prefix))
		ctx->c->onprem_overlaps++;
	if (row->issue == ERP_ISSUE_VPN_MORE_SPECIFIC)
		ctx->c->vpn_more_specific++;
	else if (row->facts.via_er && !row->facts.via_vpn)
		ctx->c->er_only++;
	else if (row->facts.via_vpn && !row->facts.via_er)
		ctx->c->vpn_only++;
}

void erp_rib_overlap_counts(struct erp_instance *inst,
			    struct erp_overlap_counts *out)
{
	struct overlap_ctx ctx = {.inst = inst, .c = out};

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < ERP_AFI_MAX; i++)
		erp_rib_walk(inst, i, NULL, count_row, &ctx);
}
