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
#include "erpolicy_scope.h"

/* Roles of the few peers a walk meets, so that each path costs a pointer
 * compare instead of a search of the declared neighbors by name.  Valid for
 * one walk (bgpd frees no peer while a walk runs). */
#define ROLE_CACHE_SIZE 8

struct role_cache {
	struct erp_instance *inst;
	unsigned int used, next;
	struct peer *peer[ROLE_CACHE_SIZE];
	enum erp_role role[ROLE_CACHE_SIZE];
};

static enum erp_role role_of(struct role_cache *c, struct peer *peer)
{
	unsigned int i;

	if (!peer)
		return ERP_ROLE_NONE;
	for (i = 0; i < c->used; i++)
		if (c->peer[i] == peer)
			return c->role[i];
	i = c->used < ROLE_CACHE_SIZE ? c->used++ : c->next++ % ROLE_CACHE_SIZE;
	c->peer[i] = peer;
	c->role[i] = erp_peer_role(c->inst, peer, NULL);
	return c->role[i];
}

static bool has_er_path(struct role_cache *c, struct bgp_dest *dest)
{
	struct bgp_path_info *pi;

	for (pi = bgp_dest_get_bgp_path_info(dest); pi; pi = pi->next)
		if (CHECK_FLAG(pi->flags, BGP_PATH_VALID) &&
		    !CHECK_FLAG(pi->flags, BGP_PATH_STALE) &&
		    role_of(c, pi->peer) == ERP_ROLE_EXPRESSROUTE)
			return true;
	return false;
}

/* Does a less specific prefix have an ExpressRoute path? */
static bool er_covers(struct role_cache *c, struct bgp_dest *dest)
{
	struct bgp_dest *up;

	for (up = bgp_dest_parent_nolock(dest); up;
	     up = bgp_dest_parent_nolock(up))
		if (has_er_path(c, up))
			return true;
	return false;
}

static bool row_of(struct role_cache *c, bool demoted, struct bgp_dest *dest,
		   struct erp_prefix_row *row)
{
	struct erp_instance *inst = c->inst;
	struct bgp_path_info *pi;
	bool any = false;

	memset(row, 0, sizeof(*row));
	row->prefix = bgp_dest_get_prefix(dest);
	row->facts.prefix = row->prefix;
	for (pi = bgp_dest_get_bgp_path_info(dest); pi; pi = pi->next) {
		enum erp_role role;

		if (!CHECK_FLAG(pi->flags, BGP_PATH_VALID))
			continue;
		role = role_of(c, pi->peer);
		any |= role != ERP_ROLE_NONE;
		/* kept stale by graceful restart: its session is down, no
		 * path the policy intends (erpolicy_stale.h) */
		if (!CHECK_FLAG(pi->flags, BGP_PATH_STALE)) {
			row->facts.via_er |= role == ERP_ROLE_EXPRESSROUTE;
			row->facts.via_vpn |= role == ERP_ROLE_VPN;
		}
		if (CHECK_FLAG(pi->flags, BGP_PATH_SELECTED)) {
			row->facts.best = role;
			row->best_neighbor = pi->peer ? pi->peer->host : NULL;
			row->best_local_pref = pi->attr->local_pref;
		}
	}
	if (!any)
		return false;
	if (!row->facts.via_er)
		row->facts.er_covers = er_covers(c, dest);
	row->intended = erp_prefix_intended(&inst->policy, demoted, &row->facts);
	row->issue = erp_prefix_issue(&inst->policy, demoted, &row->facts);
	return true;
}

/*
 * The walks visit only where ExpressRoute and VPN neighbors can have put
 * routes: the default route and the subtrees of the outermost declared
 * Azure prefixes (a route outside them is refused, erp_decide()); the whole
 * table for a family without Azure prefixes (nothing is refused for being
 * outside them then).  An edge router that also carries a full Internet
 * table walks its Azure prefixes, not the Internet.
 */
static struct bgp_dest *scope_first(struct erp_scope *s,
				    struct erp_instance *inst, enum erp_afi afi,
				    struct bgp_table *table)
{
	return erp_scope_first_readonly(s, &inst->policy.azure, true, afi,
					table);
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
	struct role_cache cache = {.inst = inst};
	bool demoted = erp_paths_er_demoted(inst, afi);
	struct erp_scope s;

	if (!bgp || !(table = bgp->rib[erp_bgp_afi(afi)][SAFI_UNICAST]))
		return;
	if (only) {
		dest = bgp_node_lookup(table, only);
		if (!dest)
			return;
		if (row_of(&cache, demoted, dest, &row))
			fn(&row, arg);
		bgp_dest_unlock_node(dest);
		return;
	}
	for (dest = scope_first(&s, inst, afi, table); dest;
	     dest = erp_scope_next(&s))
		if (row_of(&cache, demoted, dest, &row))
			fn(&row, arg);
}

/* The walk behind the logged summary: the same counts as
 * "show bgp erpolicy overlaps", with only what they need per prefix (no
 * row; intended path and issue only for prefixes only the VPN carries).
 * Returns the number of table nodes visited. */
static unsigned int overlap_counts_afi(struct erp_instance *inst,
				       enum erp_afi afi,
				       struct erp_overlap_counts *out)
{
	struct bgp *bgp = erp_bgp_of(inst);
	struct bgp_table *table;
	struct bgp_dest *dest;
	struct bgp_path_info *pi;
	struct role_cache cache = {.inst = inst};
	bool demoted = erp_paths_er_demoted(inst, afi);
	struct erp_prefix_facts facts;
	struct erp_scope s;

	if (!bgp || !(table = bgp->rib[erp_bgp_afi(afi)][SAFI_UNICAST]))
		return 0;
	for (dest = scope_first(&s, inst, afi, table); dest;
	     dest = erp_scope_next(&s)) {
		memset(&facts, 0, sizeof(facts));
		for (pi = bgp_dest_get_bgp_path_info(dest); pi; pi = pi->next) {
			enum erp_role role;

			if (!CHECK_FLAG(pi->flags, BGP_PATH_VALID) ||
			    CHECK_FLAG(pi->flags, BGP_PATH_STALE))
				continue;
			role = role_of(&cache, pi->peer);
			if (role == ERP_ROLE_EXPRESSROUTE)
				facts.via_er = true;
			else if (role == ERP_ROLE_VPN)
				facts.via_vpn = true;
			if (CHECK_FLAG(pi->flags, BGP_PATH_SELECTED))
				facts.best = role;
		}
		if (!facts.via_er && !facts.via_vpn)
			continue;
		facts.prefix = bgp_dest_get_prefix(dest);
		if (erp_prefix_set_overlaps(&inst->policy.onprem, facts.prefix))
			out->onprem_overlaps++;
		if (facts.via_er) {
			out->er_only += !facts.via_vpn;
			continue;
		}
		facts.er_covers = er_covers(&cache, dest);
		if (erp_prefix_issue(&inst->policy, demoted, &facts) ==
		    ERP_ISSUE_VPN_MORE_SPECIFIC)
			out->vpn_more_specific++;
		else
			out->vpn_only++;
	}
	return s.nodes;
}

unsigned int erp_rib_overlap_counts(struct erp_instance *inst,
				    struct erp_overlap_counts *out)
{
	unsigned int nodes = 0;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < ERP_AFI_MAX; i++)
		nodes += overlap_counts_afi(inst, i, out);
	return nodes;
}

/* The outbound verdict refuses every Azure route to every Azure neighbor
 * (bgpd runs the outbound map even towards the neighbor a route came
 * from): rather than keep those prefixes per neighbor, count the Azure best
 * paths in the table, in one walk at most once a second. */
#define ERP_TRANSIT_COUNT_MAX_AGE_MS 1000

static uint32_t count_azure_best(struct erp_instance *inst, enum erp_afi afi)
{
	struct bgp *bgp = erp_bgp_of(inst);
	struct bgp_table *table;
	struct bgp_dest *dest;
	struct bgp_path_info *pi;
	struct role_cache cache = {.inst = inst};
	bool dflt = inst->policy.advertise_default_route;
	uint32_t count = 0;
	struct erp_scope s;

	if (!bgp || !(table = bgp->rib[erp_bgp_afi(afi)][SAFI_UNICAST]))
		return 0;
	for (dest = scope_first(&s, inst, afi, table); dest;
	     dest = erp_scope_next(&s)) {
		if (bgp_dest_get_prefix(dest)->prefixlen == 0 && !dflt)
			continue; /* refused as the default route first */
		for (pi = bgp_dest_get_bgp_path_info(dest); pi; pi = pi->next)
			if (CHECK_FLAG(pi->flags, BGP_PATH_SELECTED))
				break;
		if (pi && role_of(&cache, pi->peer) != ERP_ROLE_NONE)
			count++;
	}
	return count;
}

void erp_rib_transit_refresh(struct erp_instance *inst)
{
	uint64_t now = erp_now_ms();

	if (inst->policy.allow_transit)
		return;
	for (int afi = 0; afi < ERP_AFI_MAX; afi++) {
		/* counted again after a second, or at once if a route from
		 * Azure was received since (withdrawals pass no route-map: up
		 * to 1 s late) */
		if (inst->azure_best_ms[afi] &&
		    now - inst->azure_best_ms[afi] < ERP_TRANSIT_COUNT_MAX_AGE_MS &&
		    inst->azure_best_changes[afi] == inst->overlaps_changes)
			continue;
		inst->azure_best[afi] = count_azure_best(inst, afi);
		inst->azure_best_ms[afi] = erp_now_ms() ?: 1;
		inst->azure_best_changes[afi] = inst->overlaps_changes;
	}
}

uint32_t erp_rib_transit_count(const struct erp_instance *inst,
			       enum erp_afi afi, struct peer *peer)
{
	if (inst->policy.allow_transit || !erp_peer_established(peer) ||
	    !peer->afc_nego[erp_bgp_afi(afi)][SAFI_UNICAST])
		return 0;
	return inst->azure_best[afi];
}
