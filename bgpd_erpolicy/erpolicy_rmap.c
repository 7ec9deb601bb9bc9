// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: route-map rules and the module's route-maps (FRR glue).
 * See erpolicy_rmap.h for the shape of the maps.
 */
#include <zebra.h>

#include "prefix.h"
#include "routemap.h"
#include "typesafe.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_advertise.h"
#include "bgpd/bgp_aspath.h"
#include "bgpd/bgp_attr.h"
#include "bgpd/bgp_route.h"
#include "bgpd/bgp_table.h"
#include "bgpd/bgp_updgrp.h"

#include "erpolicy.h"
#include "erpolicy_debug.h"
#include "erpolicy_memory.h"
#include "erpolicy_map_names.h"
#include "erpolicy_paths.h"
#include "erpolicy_peer.h"
#include "erpolicy_rmap.h"
#include "erpolicy_updgrp.h"

#define RULE_VERDICT "erpolicy-verdict"
#define RULE_OUT_VERDICT "erpolicy-out-verdict"
#define RULE_OUT_LIMIT "erpolicy-out-limit"
#define RULE_USER_MAP "erpolicy-user-map"
#define RULE_SET_LP "erpolicy-local-preference"
#define RULE_SET_OUT "erpolicy-out"

/* Compiled argument of every rule: the path of the map it is in, and for
 * the user-map rule the direction. */
struct erp_rule_arg {
	enum erp_dir dir;
	enum erp_role role;
};

/* Set while the outbound rules are run to predict what an ExpressRoute
 * neighbor would get: nothing is counted or logged then. */
static bool predicting;
/* ... and to know whether a VPN neighbor gets a prefix (symmetric
 * failover): the same, a flag of its own as the first prediction nests
 * inside this one. */
static bool predicting_vpn;

/*
 * What a rule evaluates against: the peer (for outbound maps the real peer
 * behind the update group's copy), its instance and the declaration that
 * applies to it.  Returns false (fail closed) unless the peer is declared
 * with the path of the map the rule is in.
 */
struct erp_eval {
	struct peer *peer;
	struct erp_instance *inst;
	const struct erp_neighbor *nbr;
};

/*
 * The last evaluation by direction: bgpd runs up to three rules per route
 * and sends the routes of one peer, or to one update group, one after the
 * other.  Valid while erp_decl_gen stays the same (a real peer is freed only
 * after a status change, which bumps it) and the peer is in the same
 * peer-group; for an update group's copy, also while the copy has the
 * same host (bgpd may free a copy and allocate another at that address).
 */
static struct eval_cache {
	const struct peer *path_peer;
	const struct peer_group *group;
	uint64_t gen;
	struct erp_eval e;
} eval_cache[ERP_DIR_MAX];

static void eval_lookup(struct peer *peer, enum erp_dir dir,
			struct erp_eval *e)
{
	struct eval_cache *c = &eval_cache[dir];

	if (c->path_peer == peer && c->gen == erp_decl_gen &&
	    c->group == c->e.peer->group &&
	    (c->e.peer == peer || (c->e.peer->host && peer->host &&
				   strcmp(c->e.peer->host, peer->host) == 0))) {
		*e = c->e;
		return;
	}
	e->peer = dir == ERP_DIR_OUT ? erp_real_peer(peer) : peer;
	e->inst = erp_instance_find(erp_vrf_of(e->peer->bgp));
	if (e->inst)
		e->nbr = erp_peer_declaration(e->inst, e->peer);
	c->path_peer = peer;
	c->group = e->peer->group;
	c->gen = erp_decl_gen;
	c->e = *e;
}

static bool eval_of(struct bgp_path_info *path, enum erp_dir dir,
		    enum erp_role role, struct erp_eval *e)
{
	memset(e, 0, sizeof(*e));
	if (!path->peer || !path->peer->bgp)
		return false;
	eval_lookup(path->peer, dir, e);
	return e->nbr && e->nbr->role == role;
}

/*
 * Counters are kept only for real updates: bgpd also runs inbound maps to
 * answer "show ... filtered-routes", and then passes no destination.
 */
static struct erp_peer_stats *update_stats(const struct erp_eval *e,
					   struct bgp_path_info *path,
					   enum erp_dir dir)
{
	if (!e->inst || !path->net || !e->peer || predicting || predicting_vpn)
		return NULL;
	if (dir == ERP_DIR_IN)
		/* something changed in what Azure sends: worth a new look at
		 * overlaps and ER/VPN differences */
		e->inst->overlaps_changes++;
	return erp_stats_get(e->inst, e->peer, e->peer->host);
}

/* A map of this module on a neighbor not declared with its path: said
 * once per session and address family (the first prefix denied so). */
static void warn_not_declared(const struct erp_eval *e,
			      struct erp_peer_stats *stats, enum erp_dir dir,
			      enum erp_role role, enum erp_afi afi)
{
	if (stats->dir[dir].denied_count[afi][ERP_DENY_NOT_DECLARED] != 1)
		return;
	zlog_warn(
		"erpolicy: %s has route-map %s %s but is not declared \"erpolicy neighbor ... path %s\": %s %s routes are %s",
		e->peer->host, erp_rmap_name(dir, role),
		dir == ERP_DIR_IN ? "in" : "out", erp_role_name(role),
		dir == ERP_DIR_IN ? "all received" : "no",
		erp_afi_name(afi),
		dir == ERP_DIR_IN ? "denied" : "advertised");
}

static void *rule_arg_compile(const char *text)
{
	struct erp_rule_arg *arg;
	char word[32], role[32];
	enum erp_dir dir = ERP_DIR_IN;

	/* "ROLE", or "in ROLE" / "out ROLE" for the user-map rule */
	if (sscanf(text, "%31s %31s", word, role) == 2) {
		if (strcmp(word, "out") == 0)
			dir = ERP_DIR_OUT;
		else if (strcmp(word, "in") != 0)
			return NULL;
	} else if (sscanf(text, "%31s", role) != 1)
		return NULL;
	if (erp_role_from_name(role) == ERP_ROLE_NONE)
		return NULL;
	arg = XCALLOC(MTYPE_ERP_RMAP_RULE, sizeof(*arg));
	arg->dir = dir;
	arg->role = erp_role_from_name(role);
	return arg;
}

static void rule_arg_free(void *rule)
{
	XFREE(MTYPE_ERP_RMAP_RULE, rule);
}

/* --- match erpolicy-verdict (inbound) --------------------------------------- */

static enum route_map_cmd_result_t
match_verdict(void *rule, const struct prefix *p, void *object)
{
	struct erp_rule_arg *arg = rule;
	struct bgp_path_info *path = object;
	struct erp_peer_stats *stats;
	enum erp_reason reason;
	struct erp_eval e;
	struct prefix canon;
	bool full = false;

	if (eval_of(path, ERP_DIR_IN, arg->role, &e))
		reason = erp_decide(&e.inst->policy, arg->role, p, NULL);
	else
		reason = ERP_DENY_NOT_DECLARED;
	if (reason == ERP_ACCEPT)
		return RMAP_NOMATCH;

	stats = update_stats(&e, path, ERP_DIR_IN);
	/* once per prefix and session, re-evaluations included; the prefix
	 * as bgpd's table has it (a peer may send host bits) */
	if (stats && reason == ERP_DENY_ONPREM &&
	    erp_stats_warn_once(stats, erp_prefix_afi(p), p, reason, &full)) {
		prefix_copy(&canon, p);
		apply_mask(&canon);
		zlog_warn(
			"erpolicy: %s (%s) sent %pFX, inside a declared on-prem prefix: denied",
			path->peer->host, erp_role_name(arg->role), &canon);
	} else if (full)
		zlog_warn(
			"erpolicy: %s (%s) sent more than %u %s prefixes inside the declared on-prem prefixes: all denied, no more are logged in this session",
			path->peer->host, erp_role_name(arg->role),
			ERP_DENIED_MAX, erp_afi_name(erp_prefix_afi(p)));
	if (stats &&
	    erp_stats_verdict(stats, ERP_DIR_IN, erp_prefix_afi(p), p, reason)) {
		if (reason == ERP_DENY_NOT_DECLARED)
			warn_not_declared(&e, stats, ERP_DIR_IN, arg->role,
					  erp_prefix_afi(p));
		ERP_DEBUG("%s (%s): denied %pFX: %s", path->peer->host,
			  erp_role_name(arg->role), p, erp_reason_name(reason));
	}
	return RMAP_MATCH; /* in a deny entry: the route is denied */
}

static const struct route_map_rule_cmd match_verdict_cmd = {
	RULE_VERDICT, match_verdict, rule_arg_compile, rule_arg_free};

/* --- match erpolicy-out-verdict (outbound) ----------------------------------- */

struct out_ctx {
	struct erp_instance *inst;
	struct bgp *bgp;
	struct bgp_dest *dest;
	afi_t afi;
	/* the established ExpressRoute neighbor last found, and its number:
	 * the guard asks for them in order */
	struct listnode *er_node;
	unsigned int er_idx;
};

/* The role of the neighbor the advertised route was learned from. */
static enum erp_role source_role(struct erp_instance *inst,
				 struct bgp_dest *dest)
{
	struct bgp_path_info *pi;

	if (!dest)
		return ERP_ROLE_NONE;
	for (pi = bgp_dest_get_bgp_path_info(dest); pi; pi = pi->next)
		if (CHECK_FLAG(pi->flags, BGP_PATH_SELECTED))
			return pi->peer ? erp_peer_role(inst, pi->peer, NULL)
					: ERP_ROLE_NONE;
	return ERP_ROLE_NONE;
}

static bool er_established(struct out_ctx *ctx, struct peer *peer)
{
	return erp_peer_role(ctx->inst, peer, NULL) == ERP_ROLE_EXPRESSROUTE &&
	       erp_peer_established(peer) && peer->afc_nego[ctx->afi][SAFI_UNICAST];
}

/* The er-th (from 0) established ExpressRoute neighbor of the address
 * family, in bgpd's order; NULL past the last.  Asked in order, each
 * answer goes on from the previous one. */
static struct peer *er_neighbor(struct out_ctx *ctx, unsigned int er)
{
	struct listnode *node = listhead(ctx->bgp->peer);
	unsigned int idx = 0;

	if (ctx->er_node && er == ctx->er_idx)
		return listgetdata(ctx->er_node);
	if (ctx->er_node && er > ctx->er_idx) {
		node = listnextnode(ctx->er_node);
		idx = ctx->er_idx + 1;
	}
	for (; node; node = listnextnode(node)) {
		if (!er_established(ctx, listgetdata(node)))
			continue;
		if (idx++ == er) {
			ctx->er_node = node;
			ctx->er_idx = er;
			return listgetdata(node);
		}
	}
	return NULL;
}

static unsigned int er_count(void *arg)
{
	struct out_ctx *ctx = arg;
	struct listnode *node;
	struct peer *peer;
	unsigned int n = 0;

	for (ALL_LIST_ELEMENTS_RO(ctx->bgp->peer, node, peer))
		n += er_established(ctx, peer);
	return n;
}

/* Would ExpressRoute neighbor er be sent dest's best route?  Runs its
 * outbound map (the module's checks, the operator's map, the limit) on a
 * scratch copy of the route. */
static bool er_would_get(struct out_ctx *ctx, struct peer *er,
			 struct bgp_dest *dest)
{
	struct bgp_path_info *best = NULL, *pi;
	struct route_map *map;
	struct bgp_path_info scratch = {};
	struct attr attr;
	route_map_result_t ret;

	for (pi = bgp_dest_get_bgp_path_info(dest); pi; pi = pi->next)
		if (CHECK_FLAG(pi->flags, BGP_PATH_SELECTED))
			best = pi;
	if (!best || !er)
		return false;
	map = ROUTE_MAP_OUT(&er->filter[ctx->afi][SAFI_UNICAST]);
	if (!map)
		return true; /* no outbound map: it gets everything */

	attr = *best->attr;
	scratch.peer = er;
	scratch.attr = &attr;
	scratch.net = dest;
	predicting = true;
	ret = route_map_apply(map, bgp_dest_get_prefix(dest), &scratch);
	predicting = false;
	bgp_attr_flush(&attr);
	return ret == RMAP_PERMITMATCH;
}

static bool er_gets(const struct prefix *p, bool covering, unsigned int n,
		    void *arg)
{
	struct out_ctx *ctx = arg;
	struct peer *er = er_neighbor(ctx, n);
	struct bgp_dest *up;

	if (!ctx->dest || !er)
		return false;
	if (!covering)
		return er_would_get(ctx, er, ctx->dest);
	for (up = bgp_dest_parent_nolock(ctx->dest); up;
	     up = bgp_dest_parent_nolock(up))
		if (bgp_dest_has_bgp_path_info_data(up) &&
		    er_would_get(ctx, er, up))
			return true;
	return false;
}

/*
 * Symmetric failover: does a VPN neighbor get dest's best route?  One that
 * is established with the address family negotiated and whose outbound
 * map (the module's verdict, the operator's map) permits a scratch copy of
 * the route: the definition of "the VPN carries this on-prem prefix".
 * Nothing is counted or logged meanwhile.  Other outbound filters of the
 * neighbor (prefix-list, filter-list, distribute-list) are not consulted.
 */
static bool vpn_would_get(struct out_ctx *ctx, struct bgp_dest *dest)
{
	struct bgp_path_info *best = NULL, *pi;
	struct peer *vpn = NULL;
	bool gets = false;

	for (pi = bgp_dest_get_bgp_path_info(dest); pi; pi = pi->next)
		if (CHECK_FLAG(pi->flags, BGP_PATH_SELECTED))
			best = pi;
	if (!best)
		return false;
	while (!gets && (vpn = erp_peer_next(ctx->inst, vpn))) {
		struct bgp_path_info scratch = {};
		struct route_map *map;
		struct attr attr;

		if (erp_peer_role(ctx->inst, vpn, NULL) != ERP_ROLE_VPN ||
		    !erp_peer_established(vpn) ||
		    !vpn->afc_nego[ctx->afi][SAFI_UNICAST])
			continue;
		map = ROUTE_MAP_OUT(&vpn->filter[ctx->afi][SAFI_UNICAST]);
		if (!map)
			/* not counted (fail safe): without the module's map
			 * bgpd's ebgp-requires-policy sends it nothing */
			continue;
		attr = *best->attr;
		scratch.peer = vpn;
		scratch.attr = &attr;
		scratch.net = dest;
		predicting_vpn = true;
		gets = route_map_apply(map, bgp_dest_get_prefix(dest),
				       &scratch) == RMAP_PERMITMATCH;
		predicting_vpn = false;
		bgp_attr_flush(&attr);
	}
	return gets;
}

static bool vpn_gets(const struct prefix *p, void *arg)
{
	struct out_ctx *ctx = arg;

	return ctx->dest && vpn_would_get(ctx, ctx->dest);
}

static void note_limit(struct erp_instance *inst, struct peer *peer,
		       struct erp_peer_stats *stats, enum erp_role role,
		       enum erp_afi afi, uint32_t count)
{
	uint32_t limit = inst->policy.adv_limit[role];
	uint8_t state;

	if (!limit)
		return;
	state = count >= limit ? 2
		: (uint64_t)count * 100 >= (uint64_t)limit *
						  inst->policy.limit_warn_pct
			? 1
			: 0;
	if (state > stats->limit_state[afi])
		zlog_warn(
			"erpolicy: %s advertisements to %s (%s): %u prefixes, %s the limit of %u%s",
			erp_afi_name(afi), peer->host, erp_role_name(role), count,
			state == 2 ? "reached" : "nearing", limit,
			state == 2 && inst->policy.limit_action == ERP_LIMIT_STOP
				? ": no more prefixes are advertised"
				: "");
	stats->limit_state[afi] = state;
}

static enum route_map_cmd_result_t
match_out_verdict(void *rule, const struct prefix *p, void *object)
{
	struct erp_rule_arg *arg = rule;
	struct bgp_path_info *path = object;
	enum erp_afi afi = erp_prefix_afi(p);
	struct out_ctx ctx;
	struct erp_out_facts facts = {};
	struct erp_out_verdict v = {};
	struct erp_peer_stats *stats;
	struct erp_eval e;

	if (eval_of(path, ERP_DIR_OUT, arg->role, &e)) {
		memset(&ctx, 0, sizeof(ctx));
		ctx.inst = e.inst;
		ctx.bgp = e.peer->bgp;
		ctx.dest = path->net;
		ctx.afi = erp_bgp_afi(afi);
		facts.learned_from = source_role(e.inst, path->net);
		facts.er_count = er_count;
		facts.er_gets = er_gets;
		facts.arg = &ctx;
		/* not while predicting what ER gets by policy (the symmetric
		 * guard's question) */
		facts.er_withdrawn = !predicting &&
				     erp_paths_er_withdrawn(e.inst, afi);
		facts.vpn_gets = vpn_gets;
		erp_decide_out(&e.inst->policy, arg->role, p, &facts, &v);
	} else
		v.reason = ERP_DENY_NOT_DECLARED;

	stats = update_stats(&e, path, ERP_DIR_OUT);
	if (!stats)
		return v.reason == ERP_ACCEPT ? RMAP_NOMATCH : RMAP_MATCH;

	if (erp_stats_verdict(stats, ERP_DIR_OUT, afi, p, v.reason)) {
		if (v.reason == ERP_DENY_NOT_DECLARED)
			warn_not_declared(&e, stats, ERP_DIR_OUT, arg->role,
					  afi);
		ERP_DEBUG("%s (%s): not advertising %pFX: %s", path->peer->host,
			  erp_role_name(arg->role), p,
			  erp_reason_name(v.reason));
	}
	if (v.reason == ERP_DENY_NOT_DECLARED)
		return RMAP_MATCH;
	if (v.reason == ERP_DENY_MORE_SPECIFIC &&
	    stats->dir[ERP_DIR_OUT].denied_count[afi][v.reason] <= 10)
		zlog_warn(
			"erpolicy: not advertising %pFX to VPN neighbor %s: more specific than what ExpressRoute gets (Azure would route it back over VPN)",
			p, path->peer->host);
	if (v.warn_more_specific) {
		stats->guard_warnings[afi]++;
		if (stats->guard_warnings[afi] <= 10)
			zlog_warn(
				"erpolicy: advertising %pFX to VPN neighbor %s although more specific than what ExpressRoute gets: Azure will route it back over VPN",
				p, path->peer->host);
	}
	return v.reason == ERP_ACCEPT ? RMAP_NOMATCH : RMAP_MATCH;
}

static const struct route_map_rule_cmd match_out_verdict_cmd = {
	RULE_OUT_VERDICT, match_out_verdict, rule_arg_compile, rule_arg_free};

/* --- match erpolicy-out-limit (outbound, after the operator's map) -------- */

/*
 * The advertisement limit, last: a prefix the operator's map denies takes
 * no room.  Kept per update group (erpolicy_updgrp.h): every neighbor of
 * the group is sent exactly the prefixes admitted there.
 */
static enum route_map_cmd_result_t
match_out_limit(void *rule, const struct prefix *p, void *object)
{
	struct erp_rule_arg *arg = rule;
	struct bgp_path_info *path = object;
	enum erp_afi afi = erp_prefix_afi(p);
	struct erp_limit_group *g;
	struct erp_peer_stats *stats;
	enum erp_reason reason;
	struct erp_eval e;
	uint32_t limit;
	bool warn, predict;

	if (!eval_of(path, ERP_DIR_OUT, arg->role, &e))
		return RMAP_MATCH; /* not reached: the verdict denied it */
	/* a prediction (of what an ER or a VPN neighbor gets) admits nothing */
	predict = predicting || predicting_vpn;
	limit = e.inst->policy.adv_limit[arg->role];
	if (!limit)
		return RMAP_NOMATCH;
	/* path->peer, not e.peer: the group is the copy's, not the peer's
	 * that happens to share its name */
	g = erp_updgrp_limits(e.inst, path->peer, afi, arg->role, !predict);
	if (!g) {
		if (predict) /* no set yet: an empty one has room */
			return RMAP_NOMATCH;
		ERP_DEBUG("%s: not advertising %pFX: no update group found for the limit",
			  e.peer->host, p);
		return RMAP_MATCH; /* fail closed */
	}
	reason = erp_limit_admit(&g->set, p, limit, e.inst->policy.limit_action,
				 predict, &warn);

	stats = update_stats(&e, path, ERP_DIR_OUT);
	if (!stats)
		return reason == ERP_ACCEPT ? RMAP_NOMATCH : RMAP_MATCH;
	if (reason != ERP_ACCEPT &&
	    erp_stats_verdict(stats, ERP_DIR_OUT, afi, p, reason))
		ERP_DEBUG("%s (%s): not advertising %pFX: %s", e.peer->host,
			  erp_role_name(arg->role), p, erp_reason_name(reason));
	note_limit(e.inst, e.peer, stats, arg->role, afi,
		   g->set.admitted_count);
	return reason == ERP_ACCEPT ? RMAP_NOMATCH : RMAP_MATCH;
}

static const struct route_map_rule_cmd match_out_limit_cmd = {
	RULE_OUT_LIMIT, match_out_limit, rule_arg_compile, rule_arg_free};

/* --- match erpolicy-user-map ----------------------------------------------- */

/*
 * Runs the operator's own map of the neighbor's declaration on the route,
 * exactly as bgpd would have: its sets modify the attributes, its deny (or
 * a name that resolves to no map, which bgpd treats as deny) makes this
 * rule match in a deny entry.
 */
static enum route_map_cmd_result_t
match_user_map(void *rule, const struct prefix *p, void *object)
{
	struct erp_rule_arg *arg = rule;
	struct bgp_path_info *path = object;
	struct route_map *map;
	static int depth;
	route_map_result_t ret = RMAP_DENYMATCH;
	struct erp_peer_stats *stats;
	struct erp_eval e;
	const char *name;

	if (!eval_of(path, arg->dir, arg->role, &e))
		return RMAP_MATCH; /* the verdict rule denied it already */
	name = e.nbr->user_map[arg->dir];
	if (!name)
		return RMAP_NOMATCH;
	map = route_map_lookup_by_name(name);
	if (map && depth == 0) { /* no loops through a map that calls ours */
		depth++;
		ret = route_map_apply_ext(map, p, object, object, NULL);
		depth--;
	}
	if (ret != RMAP_DENYMATCH)
		return RMAP_NOMATCH;

	stats = update_stats(&e, path, arg->dir);
	if (stats && erp_stats_verdict(stats, arg->dir, erp_prefix_afi(p), p,
				       ERP_DENY_USER_POLICY))
		ERP_DEBUG("%s: %s %pFX: route-map %s%s", path->peer->host,
			  arg->dir == ERP_DIR_IN ? "denied" : "not advertising",
			  p, name, map ? "" : " (does not exist)");
	return RMAP_MATCH;
}

static const struct route_map_rule_cmd match_user_map_cmd = {
	RULE_USER_MAP, match_user_map, rule_arg_compile, rule_arg_free};

/* --- set erpolicy-local-preference (inbound) ------------------------------- */

static enum route_map_cmd_result_t
set_local_pref(void *rule, const struct prefix *p, void *object)
{
	struct erp_rule_arg *arg = rule;
	struct bgp_path_info *path = object;
	struct erp_peer_stats *stats;
	struct erp_eval e;

	if (!eval_of(path, ERP_DIR_IN, arg->role, &e))
		return RMAP_OKAY; /* not reached: the verdict denied it */

	path->attr->local_pref = erp_local_pref(
		&e.inst->policy, arg->role,
		erp_paths_route_accepted(e.inst, erp_prefix_afi(p), arg->role),
		p);
	path->attr->flag |= ATTR_FLAG_BIT(BGP_ATTR_LOCAL_PREF);

	stats = update_stats(&e, path, ERP_DIR_IN);
	if (stats)
		erp_stats_verdict(stats, ERP_DIR_IN, erp_prefix_afi(p), p,
				  ERP_ACCEPT);
	return RMAP_OKAY;
}

static const struct route_map_rule_cmd set_local_pref_cmd = {
	RULE_SET_LP, set_local_pref, rule_arg_compile, rule_arg_free};

/* --- set erpolicy-out (outbound) ------------------------------------------- */

/* Prepending the own AS towards the VPN gateway makes Azure (Virtual WAN)
 * return to ExpressRoute once it is back. */
static enum route_map_cmd_result_t
set_out(void *rule, const struct prefix *p, void *object)
{
	struct erp_rule_arg *arg = rule;
	struct bgp_path_info *path = object;
	struct erp_peer_stats *stats;
	struct aspath *aspath;
	struct erp_eval e;

	if (!eval_of(path, ERP_DIR_OUT, arg->role, &e))
		return RMAP_OKAY; /* not reached: the verdict denied it */

	if (arg->role == ERP_ROLE_VPN && e.inst->policy.vpn_prepend) {
		aspath = path->attr->aspath->refcnt
				 ? aspath_dup(path->attr->aspath)
				 : path->attr->aspath;
		for (int i = 0; i < e.inst->policy.vpn_prepend; i++)
			aspath = aspath_add_seq(aspath, path->peer->local_as);
		path->attr->aspath = aspath;
	}

	stats = update_stats(&e, path, ERP_DIR_OUT);
	if (stats)
		erp_stats_verdict(stats, ERP_DIR_OUT, erp_prefix_afi(p), p,
				  ERP_ACCEPT);
	return RMAP_OKAY;
}

static const struct route_map_rule_cmd set_out_cmd = {
	RULE_SET_OUT, set_out, rule_arg_compile, rule_arg_free};

/* --- the module's maps ---------------------------------------------------------- */

void erp_rmap_user_dependency(enum erp_dir dir, enum erp_role role,
			      const char *user, bool add)
{
	/* bgpd re-applies a changed route-map only where it is attached by
	 * name: declaring the operator's map a dependency of ours makes an
	 * edit of it re-apply ours, as a "call" would (refcounted by
	 * libfrr: one reference per declaration) */
	route_map_upd8_dependency(add ? RMAP_EVENT_CALL_ADDED
				      : RMAP_EVENT_CALL_DELETED,
				  user, erp_rmap_name(dir, role));
}

static void build_map(enum erp_dir dir, enum erp_role role)
{
	const char *name = erp_rmap_name(dir, role);
	const char *role_name = erp_role_name(role);
	struct route_map *map = route_map_get(name);
	struct route_map_index *idx;
	char uarg[48];

	idx = route_map_index_get(map, RMAP_DENY, 10);
	route_map_add_match(idx,
			    dir == ERP_DIR_IN ? RULE_VERDICT : RULE_OUT_VERDICT,
			    role_name, RMAP_EVENT_MATCH_ADDED);
	snprintf(uarg, sizeof(uarg), "%s %s", dir == ERP_DIR_IN ? "in" : "out",
		 role_name);
	idx = route_map_index_get(map, RMAP_DENY, 20);
	route_map_add_match(idx, RULE_USER_MAP, uarg, RMAP_EVENT_MATCH_ADDED);
	if (dir == ERP_DIR_OUT) {
		idx = route_map_index_get(map, RMAP_DENY, 25);
		route_map_add_match(idx, RULE_OUT_LIMIT, role_name,
				    RMAP_EVENT_MATCH_ADDED);
	}
	idx = route_map_index_get(map, RMAP_PERMIT, 30);
	route_map_add_set(idx, dir == ERP_DIR_IN ? RULE_SET_LP : RULE_SET_OUT,
			  role_name);
	/* A new map is marked for bgpd's route-map update timer, which 5 s
	 * later re-binds the peers that name it and re-sends or replays all
	 * their routes.  The maps are built before the configuration is read:
	 * no peer names them yet, and that pass would only cost. */
	map->to_be_processed = false;
	ERP_DEBUG("route-map %s built", name);
}

void erp_rmap_init(void)
{
	route_map_install_match(&match_verdict_cmd);
	route_map_install_match(&match_out_verdict_cmd);
	route_map_install_match(&match_out_limit_cmd);
	route_map_install_match(&match_user_map_cmd);
	route_map_install_set(&set_local_pref_cmd);
	route_map_install_set(&set_out_cmd);
}

void erp_rmap_build_maps(void)
{
	for (int d = 0; d < ERP_DIR_MAX; d++)
		for (int r = ERP_ROLE_EXPRESSROUTE; r < ERP_ROLE_MAX; r++)
			build_map(d, r);
}
