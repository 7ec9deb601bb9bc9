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

#define RULE_VERDICT "erpolicy-verdict"
#define RULE_OUT_VERDICT "erpolicy-out-verdict"
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

static enum erp_afi erp_prefix_afi(const struct prefix *p)
{
	return p->family == AF_INET6 ? ERP_AFI_IPV6 : ERP_AFI_IPV4;
}

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

static bool eval_of(struct bgp_path_info *path, enum erp_dir dir,
		    enum erp_role role, struct erp_eval *e)
{
	memset(e, 0, sizeof(*e));
	e->peer = path->peer;
	if (!e->peer || !e->peer->bgp)
		return false;
	if (dir == ERP_DIR_OUT)
		e->peer = erp_real_peer(e->peer);
	e->inst = erp_instance_find(erp_vrf_of(e->peer->bgp));
	if (e->inst)
		e->nbr = erp_peer_declaration(e->inst, e->peer);
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
	if (!e->inst || !path->net || !e->peer || predicting)
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

	if (eval_of(path, ERP_DIR_IN, arg->role, &e))
		reason = erp_decide(&e.inst->policy, arg->role, p, NULL);
	else
		reason = ERP_DENY_NOT_DECLARED;
	if (reason == ERP_ACCEPT)
		return RMAP_NOMATCH;

	stats = update_stats(&e, path, ERP_DIR_IN);
	if (stats &&
	    erp_stats_verdict(stats, ERP_DIR_IN, erp_prefix_afi(p), p, reason)) {
		if (reason == ERP_DENY_ONPREM) /* once per prefix and session */
			zlog_warn(
				"erpolicy: %s (%s) sent %pFX, inside a declared on-prem prefix: denied",
				path->peer->host, erp_role_name(arg->role), p);
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
	struct bgp_dest *dest;
	afi_t afi;
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

/* Would an established ExpressRoute neighbor be sent dest's best route?
 * Runs that neighbor's outbound map (the module's verdict and the
 * operator's map) on a scratch copy of the route. */
static bool er_would_get(struct out_ctx *ctx, struct bgp_dest *dest)
{
	struct bgp_path_info *best = NULL, *pi;
	struct peer *er = NULL;
	struct route_map *map;
	struct bgp_path_info scratch = {};
	struct attr attr;
	route_map_result_t ret;

	for (pi = bgp_dest_get_bgp_path_info(dest); pi; pi = pi->next)
		if (CHECK_FLAG(pi->flags, BGP_PATH_SELECTED))
			best = pi;
	if (!best)
		return false;
	while ((er = erp_peer_next(ctx->inst, er)))
		if (erp_peer_role(ctx->inst, er, NULL) == ERP_ROLE_EXPRESSROUTE &&
		    erp_peer_established(er) && er->afc_nego[ctx->afi][SAFI_UNICAST])
			break;
	if (!er)
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

static bool er_gets(const struct prefix *p, bool covering, void *arg)
{
	struct out_ctx *ctx = arg;
	struct bgp_dest *up;

	if (!ctx->dest)
		return false;
	if (!covering)
		return er_would_get(ctx, ctx->dest);
	for (up = bgp_dest_parent_nolock(ctx->dest); up;
	     up = bgp_dest_parent_nolock(up))
		if (bgp_dest_has_bgp_path_info_data(up) && er_would_get(ctx, up))
			return true;
	return false;
}

/* Is dest advertised (or about to be) to peer's update subgroup, and how
 * many prefixes are?  The count is the one bgpd's own maximum-prefix-out
 * uses (pending advertisements included). */
static void advertised_state(struct peer *peer, afi_t afi,
			     struct bgp_dest *dest, bool *already,
			     uint32_t *count)
{
	struct peer_af *paf = peer_af_find(peer, afi, SAFI_UNICAST);
	struct update_subgroup *subgrp = paf ? PAF_SUBGRP(paf) : NULL;
	struct bgp_adj_out *adj;

	*already = false;
	*count = subgrp ? subgrp->pscount : 0;
	if (!subgrp || !dest)
		return;
	RB_FOREACH (adj, bgp_adj_out_rb, &dest->adj_out)
		if (adj->subgroup == subgrp && (adj->attr || adj->adv)) {
			*already = true;
			return;
		}
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
		ctx.inst = e.inst;
		ctx.dest = path->net;
		ctx.afi = erp_bgp_afi(afi);
		facts.learned_from = source_role(e.inst, path->net);
		facts.er_gets = er_gets;
		facts.arg = &ctx;
		advertised_state(e.peer, ctx.afi, path->net,
				 &facts.already_advertised, &facts.advertised);
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
	note_limit(e.inst, path->peer, stats, arg->role, afi,
		   facts.advertised + (v.reason == ERP_ACCEPT &&
				       !facts.already_advertised));
	return v.reason == ERP_ACCEPT ? RMAP_NOMATCH : RMAP_MATCH;
}

static const struct route_map_rule_cmd match_out_verdict_cmd = {
	RULE_OUT_VERDICT, match_out_verdict, rule_arg_compile, rule_arg_free};

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
