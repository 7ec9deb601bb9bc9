// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: the advertisement limit in bgpd's update groups.  See
 * erpolicy_updgrp.h.
 */
#include <zebra.h>

#include "hash.h"
#include "prefix.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_advertise.h"
#include "bgpd/bgp_route.h"
#include "bgpd/bgp_table.h"
#include "bgpd/bgp_updgrp.h"

#include "erpolicy.h"
#include "erpolicy_announce.h"
#include "erpolicy_debug.h"
#include "erpolicy_limit.h"
#include "erpolicy_peer.h"
#include "erpolicy_reevaluate.h"
#include "erpolicy_updgrp.h"

/* The update group a route-map's peer stands for. */
static struct update_group *group_of(struct peer *peer, afi_t afi)
{
	struct peer_af *paf = peer_af_find(peer, afi, SAFI_UNICAST);
	struct update_group tmp = {}, *updgrp;
	int afid = afindex(afi, SAFI_UNICAST);

	if (paf) /* a real peer */
		return PAF_SUBGRP(paf) ? PAF_SUBGRP(paf)->update_group : NULL;
	/* the configuration copy bgpd runs outbound maps on: its group is
	 * the one whose key it is */
	if (!peer->bgp || afid >= BGP_AF_MAX || !peer->bgp->update_groups[afid])
		return NULL;
	tmp.conf = peer;
	tmp.afi = afi;
	tmp.safi = SAFI_UNICAST;
	updgrp = hash_lookup(peer->bgp->update_groups[afid], &tmp);
	return updgrp && updgrp->conf == peer ? updgrp : NULL;
}

/* Does a subgroup of updgrp have dest (advertised, about to be, or with a
 * withdrawal not yet sent)? */
static bool group_has(struct update_group *updgrp, struct bgp_dest *dest)
{
	struct bgp_adj_out *adj;

	RB_FOREACH (adj, bgp_adj_out_rb, &dest->adj_out)
		if (adj->subgroup && adj->subgroup->update_group == updgrp)
			return true;
	return false;
}

struct prune_ctx {
	struct bgp_table *table;
	struct update_group *updgrp;
};

static bool still_advertised(const struct prefix *p, void *arg)
{
	struct prune_ctx *ctx = arg;
	struct bgp_dest *dest = bgp_node_lookup(ctx->table, p);
	bool has;

	if (!dest)
		return false;
	has = group_has(ctx->updgrp, dest);
	bgp_dest_unlock_node(dest);
	return has;
}

struct erp_limit_group *erp_updgrp_limits(struct erp_instance *inst,
					  struct peer *peer, enum erp_afi afi,
					  enum erp_role role, bool create)
{
	struct update_group *updgrp = group_of(peer, erp_bgp_afi(afi));
	struct erp_limit_group *g;
	struct update_subgroup *subgrp;
	struct bgp_adj_out *adj;
	bool created;

	if (!updgrp)
		return NULL;
	if (!create)
		return erp_limit_group_find(inst, updgrp->id);
	g = erp_limit_group_get(inst, updgrp->id, afi, role, &created);
	if (!created)
		return g;
	/* a peer that switched update groups brings what it was sent along
	 * (bgpd copies it into the new group): that stays admitted */
	UPDGRP_FOREACH_SUBGRP (updgrp, subgrp)
		SUBGRP_FOREACH_ADJ (subgrp, adj)
			if (adj->dest)
				erp_limit_add_admitted(
					&g->set,
					bgp_dest_get_prefix(adj->dest));
	ERP_DEBUG("update group %" PRIu64
		  " (%s %s): limit set made, %u admitted",
		  updgrp->id, erp_role_name(role), erp_afi_name(afi),
		  g->set.admitted_count);
	return g;
}

/* --- the tick ------------------------------------------------------------- */

struct tick_ctx {
	struct erp_instance *inst;
	struct bgp *bgp;
	uint64_t gen;
};

/* Offer the held-back prefixes, in prefix order, while there is room:
 * bgpd announces each again, and the limit rule admits it. */
static void retry_held(struct erp_instance *inst, struct bgp *bgp,
		       struct update_group *updgrp, struct erp_limit_group *g,
		       uint32_t limit)
{
	struct bgp_table *table = bgp->rib[updgrp->afi][SAFI_UNICAST];
	struct prefix p, *after = NULL;
	unsigned int offered = 0;

	while (erp_limit_room(&g->set, limit) &&
	       erp_limit_held_next(&g->set, after, &p)) {
		struct bgp_dest *dest = bgp_node_lookup(table, &p);

		if (dest) {
			offered += erp_announce_best(bgp, updgrp->afi, dest);
			bgp_dest_unlock_node(dest);
		}
		/* admitted now, or gone, or denied for another reason: it
		 * waits no longer (held again if the limit denies it again) */
		erp_limit_unhold(&g->set, &p);
		after = &p;
	}
	if (offered)
		ERP_DEBUG("update group %" PRIu64
			  ": offered %u held-back prefixes, %u admitted of %u",
			  updgrp->id, offered, g->set.admitted_count, limit);

	if (g->set.held_truncated && erp_limit_room(&g->set, limit)) {
		/* more were held back than kept: the neighbors of the path
		 * have their routes sent again (a walk of the table) */
		g->set.held_truncated = false;
		erp_reevaluate(inst, ERP_DIR_OUT, 1 << g->role);
	}
}

/* Changes whenever the group's subgroups change what they hold: their
 * adj-out counts (an entry is freed once its withdrawal is sent), versions
 * (bumped by every prefix processed) and identities (splits, merges). */
static uint64_t subgroups_mark(struct update_group *updgrp)
{
	struct update_subgroup *subgrp;
	uint64_t mark = 0;

	UPDGRP_FOREACH_SUBGRP (updgrp, subgrp)
		mark += subgrp->version * 1000003 + subgrp->adj_count * 31 +
			subgrp->id;
	return mark;
}

/* One of bgpd's update groups: mark its set alive; if it holds prefixes
 * back, drop what is no longer advertised and offer the room. */
static int tick_group(struct update_group *updgrp, void *arg)
{
	struct tick_ctx *ctx = arg;
	struct erp_limit_group *g = erp_limit_group_find(ctx->inst, updgrp->id);
	struct prune_ctx pc = {
		.table = ctx->bgp->rib[updgrp->afi][SAFI_UNICAST],
		.updgrp = updgrp,
	};
	uint32_t dropped;

	if (!g)
		return UPDWALK_CONTINUE;
	g->seen = ctx->gen;
	if (!g->set.held_count && !g->set.held_truncated)
		return UPDWALK_CONTINUE;
	/* nothing held back can get room while nothing left the group */
	if (subgroups_mark(updgrp) == g->pruned_mark)
		return UPDWALK_CONTINUE;
	dropped = erp_limit_prune(&g->set, still_advertised, &pc);
	if (dropped)
		ERP_DEBUG("update group %" PRIu64
			  ": %u admitted prefixes no longer advertised",
			  updgrp->id, dropped);
	/* group_announce_route walks the update groups too: read-only */
	retry_held(ctx->inst, ctx->bgp, updgrp, g,
		   ctx->inst->policy.adv_limit[g->role]);
	g->pruned_mark = subgroups_mark(updgrp);
	return UPDWALK_CONTINUE;
}

static bool seen_now(struct erp_limit_group *g, void *arg)
{
	return g->seen == *(uint64_t *)arg;
}

void erp_updgrp_tick(struct erp_instance *inst)
{
	static uint64_t gen;
	struct tick_ctx ctx = {.inst = inst, .bgp = erp_bgp_of(inst)};

	if (erp_limit_group_count(inst) == 0)
		return;
	ctx.gen = ++gen;
	if (ctx.bgp)
		for (int i = 0; i < ERP_AFI_MAX; i++)
			update_group_af_walk(ctx.bgp, erp_bgp_afi(i),
					     SAFI_UNICAST, tick_group, &ctx);
	/* the sets of groups bgpd deleted */
	erp_limit_groups_prune(inst, seen_now, &ctx.gen);
}
