// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: route-map rules and module-owned route-maps (FRR glue).
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
#include "erpolicy_paths.h"
#include "erpolicy_peer.h"
#include "erpolicy_rmap.h"

#define RULE_VERDICT "erpolicy-verdict"
#define RULE_OUT_VERDICT "erpolicy-out-verdict"
#define RULE_USER_MAP "erpolicy-user-map"
#define RULE_SET_LP "erpolicy-local-preference"
#define RULE_SET_OUT "erpolicy-out"

/* Compiled argument of the verdict and set rules. */
struct erp_rule_arg {
	enum erp_role role;
	char vrf[64];
};

/* Compiled argument of the user-map rule. */
struct erp_user_arg {
	enum erp_dir dir;
	char name[];
};

/* Names of the maps this module created, to delete them when unused.
 * Initialised by erp_rmap_init(): a static INIT_LIST lacks 8.4's sentinel. */
PREDECL_LIST(erp_maps);
struct erp_map_name {
	struct erp_maps_item item;
	char name[];
};
DECLARE_LIST(erp_maps, struct erp_map_name, item);
static struct erp_maps_head module_maps;

/* Set while the outbound rules are run to predict what an ExpressRoute
 * neighbor would get: nothing is counted or logged then. */
static bool predicting;

static enum erp_afi erp_prefix_afi(const struct prefix *p)
{
	return p->family == AF_INET6 ? ERP_AFI_IPV6 : ERP_AFI_IPV4;
}

static afi_t bgp_afi_of(enum erp_afi afi)
{
	return afi == ERP_AFI_IPV6 ? AFI_IP6 : AFI_IP;
}

/*
 * Counters are kept only for real updates: bgpd also runs inbound maps to
 * answer "show ... filtered-routes", and then passes no destination.
 */
static struct erp_peer_stats *update_stats(struct erp_instance *inst,
					   struct bgp_path_info *path,
					   enum erp_dir dir)
{
	struct peer *peer = path->peer;

	if (!inst || !path->net || !peer || predicting)
		return NULL;
	/* outbound maps run on an update group's copy of a peer */
	if (dir == ERP_DIR_OUT)
		peer = erp_real_peer(peer);
	else
		/* something changed in what Azure sends: worth a new look at
		 * overlaps and ER/VPN differences */
		inst->overlaps_changes++;
	return erp_stats_get(inst, peer, peer->host);
}

static struct erp_instance *instance_of_path(struct bgp_path_info *path)
{
	if (!path->peer || !path->peer->bgp)
		return NULL;
	return erp_instance_find(erp_vrf_of(path->peer->bgp));
}

static void *rule_arg_compile(const char *text)
{
	struct erp_rule_arg *arg;
	char role[32], vrf[64];

	if (sscanf(text, "%31s %63s", role, vrf) != 2)
		return NULL;
	arg = XCALLOC(MTYPE_ERP_RMAP_RULE, sizeof(*arg));
	arg->role = erp_role_from_name(role);
	strlcpy(arg->vrf, vrf, sizeof(arg->vrf));
	if (arg->role == ERP_ROLE_NONE) {
		XFREE(MTYPE_ERP_RMAP_RULE, arg);
		return NULL;
	}
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
	struct erp_instance *inst = erp_instance_find(arg->vrf);
	struct erp_peer_stats *stats;
	enum erp_reason reason;

	if (!inst) /* policy being removed: fail closed until detached */
		return RMAP_MATCH;

	reason = erp_decide(&inst->policy, arg->role, p, NULL);
	if (reason == ERP_ACCEPT)
		return RMAP_NOMATCH;

	stats = update_stats(inst, path, ERP_DIR_IN);
	if (stats &&
	    erp_stats_verdict(stats, ERP_DIR_IN, erp_prefix_afi(p), p, reason)) {
		if (reason == ERP_DENY_ONPREM) /* once per prefix and session */
			zlog_warn(
				"erpolicy: %s (%s) sent %pFX, inside a declared on-prem prefix: denied",
				path->peer->host, erp_role_name(arg->role), p);
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
		    peer_established(er) && er->afc_nego[ctx->afi][SAFI_UNICAST])
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
	struct erp_instance *inst = erp_instance_find(arg->vrf);
	enum erp_afi afi = erp_prefix_afi(p);
	struct out_ctx ctx;
	struct erp_out_facts facts = {};
	struct erp_out_verdict v;
	struct erp_peer_stats *stats;

	if (!inst || !path->peer)
		return RMAP_MATCH;

	ctx.inst = inst;
	ctx.dest = path->net;
	ctx.afi = bgp_afi_of(afi);
	facts.learned_from = source_role(inst, path->net);
	facts.er_gets = er_gets;
	facts.arg = &ctx;
	advertised_state(erp_real_peer(path->peer), ctx.afi, path->net,
			 &facts.already_advertised, &facts.advertised);
	erp_decide_out(&inst->policy, arg->role, p, &facts, &v);

	stats = update_stats(inst, path, ERP_DIR_OUT);
	if (!stats)
		return v.reason == ERP_ACCEPT ? RMAP_NOMATCH : RMAP_MATCH;

	if (erp_stats_verdict(stats, ERP_DIR_OUT, afi, p, v.reason))
		ERP_DEBUG("%s (%s): not advertising %pFX: %s", path->peer->host,
			  erp_role_name(arg->role), p,
			  erp_reason_name(v.reason));
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
	note_limit(inst, path->peer, stats, arg->role, afi,
		   facts.advertised + (v.reason == ERP_ACCEPT &&
				       !facts.already_advertised));
	return v.reason == ERP_ACCEPT ? RMAP_NOMATCH : RMAP_MATCH;
}

static const struct route_map_rule_cmd match_out_verdict_cmd = {
	RULE_OUT_VERDICT, match_out_verdict, rule_arg_compile, rule_arg_free};

/* --- match erpolicy-user-map ----------------------------------------------- */

/*
 * Runs the operator's own map on the route, exactly as bgpd would have:
 * its sets modify the attributes, its deny (or a name that resolves to no
 * map, which bgpd treats as deny) makes this rule match in a deny entry.
 */
static enum route_map_cmd_result_t
match_user_map(void *rule, const struct prefix *p, void *object)
{
	struct erp_user_arg *arg = rule;
	struct bgp_path_info *path = object;
	struct route_map *map = route_map_lookup_by_name(arg->name);
	static int depth;
	route_map_result_t ret = RMAP_DENYMATCH;
	struct erp_peer_stats *stats;

	if (map && depth == 0) { /* no loops through a map that calls ours */
		depth++;
		ret = route_map_apply_ext(map, p, object, object, NULL);
		depth--;
	}
	if (ret != RMAP_DENYMATCH)
		return RMAP_NOMATCH;

	stats = update_stats(instance_of_path(path), path, arg->dir);
	if (stats && erp_stats_verdict(stats, arg->dir, erp_prefix_afi(p), p,
				       ERP_DENY_USER_POLICY))
		ERP_DEBUG("%s: %s %pFX: route-map %s%s", path->peer->host,
			  arg->dir == ERP_DIR_IN ? "denied" : "not advertising",
			  p, arg->name, map ? "" : " (does not exist)");
	return RMAP_MATCH;
}

static void *user_map_compile(const char *text)
{
	struct erp_user_arg *arg;
	const char *name;
	enum erp_dir dir;

	if (strncmp(text, "in ", 3) == 0)
		dir = ERP_DIR_IN, name = text + 3;
	else if (strncmp(text, "out ", 4) == 0)
		dir = ERP_DIR_OUT, name = text + 4;
	else
		return NULL;
	arg = XCALLOC(MTYPE_ERP_RMAP_RULE, sizeof(*arg) + strlen(name) + 1);
	arg->dir = dir;
	strcpy(arg->name, name);
	return arg;
}

static const struct route_map_rule_cmd match_user_map_cmd = {
	RULE_USER_MAP, match_user_map, user_map_compile, rule_arg_free};

/* --- set erpolicy-local-preference (inbound) ------------------------------- */

static enum route_map_cmd_result_t
set_local_pref(void *rule, const struct prefix *p, void *object)
{
	struct erp_rule_arg *arg = rule;
	struct bgp_path_info *path = object;
	struct erp_instance *inst = erp_instance_find(arg->vrf);
	struct erp_peer_stats *stats;

	if (!inst)
		return RMAP_OKAY;

	path->attr->local_pref =
		erp_local_pref(&inst->policy, arg->role,
			       erp_paths_er_demoted(inst, erp_prefix_afi(p)), p);
	path->attr->flag |= ATTR_FLAG_BIT(BGP_ATTR_LOCAL_PREF);

	stats = update_stats(inst, path, ERP_DIR_IN);
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
	struct erp_instance *inst = erp_instance_find(arg->vrf);
	struct erp_peer_stats *stats;
	struct aspath *aspath;

	if (!inst || !path->peer)
		return RMAP_OKAY;

	if (arg->role == ERP_ROLE_VPN && inst->policy.vpn_prepend) {
		aspath = path->attr->aspath->refcnt
				 ? aspath_dup(path->attr->aspath)
				 : path->attr->aspath;
		for (int i = 0; i < inst->policy.vpn_prepend; i++)
			aspath = aspath_add_seq(aspath, path->peer->local_as);
		path->attr->aspath = aspath;
	}

	stats = update_stats(inst, path, ERP_DIR_OUT);
	if (stats)
		erp_stats_verdict(stats, ERP_DIR_OUT, erp_prefix_afi(p), p,
				  ERP_ACCEPT);
	return RMAP_OKAY;
}

static const struct route_map_rule_cmd set_out_cmd = {
	RULE_SET_OUT, set_out, rule_arg_compile, rule_arg_free};

/* --- module maps --------------------------------------------------------------- */

const char *erp_rmap_name(char *buf, size_t len, enum erp_dir dir,
			  enum erp_role role, const char *vrf,
			  const char *user_map)
{
	bool dflt = !vrf || strcmp(vrf, VRF_DEFAULT_NAME) == 0;
	bool user = user_map && user_map[0];

	snprintf(buf, len, "%s%s%s%s%s%s",
		 dir == ERP_DIR_OUT ? ERP_RMAP_OUT_PREFIX : ERP_RMAP_PREFIX,
		 erp_role_name(role), dflt ? "" : "@", dflt ? "" : vrf,
		 user ? "+" : "", user ? user_map : "");
	return buf;
}

bool erp_rmap_parse(const char *name, enum erp_dir *dir, enum erp_role *role,
		    char *vrf, size_t vrflen, char *user_map, size_t userlen)
{
	char rolebuf[32];
	const char *s, *at, *plus;
	size_t n;

	if (strncmp(name, ERP_RMAP_OUT_PREFIX, strlen(ERP_RMAP_OUT_PREFIX)) ==
	    0) {
		*dir = ERP_DIR_OUT;
		s = name + strlen(ERP_RMAP_OUT_PREFIX);
	} else if (strncmp(name, ERP_RMAP_PREFIX, strlen(ERP_RMAP_PREFIX)) ==
		   0) {
		*dir = ERP_DIR_IN;
		s = name + strlen(ERP_RMAP_PREFIX);
	} else
		return false;
	plus = strchr(s, '+');
	at = strchr(s, '@');
	if (at && plus && at > plus)
		at = NULL; /* an '@' inside the user map's name */
	n = at ? (size_t)(at - s) : plus ? (size_t)(plus - s) : strlen(s);
	if (n == 0 || n >= sizeof(rolebuf))
		return false;
	memcpy(rolebuf, s, n);
	rolebuf[n] = '\0';
	*role = erp_role_from_name(rolebuf);
	if (*role == ERP_ROLE_NONE)
		return false;
	if (at) {
		n = plus ? (size_t)(plus - at - 1) : strlen(at + 1);
		if (n == 0 || n >= vrflen)
			return false;
		memcpy(vrf, at + 1, n);
		vrf[n] = '\0';
	} else
		strlcpy(vrf, VRF_DEFAULT_NAME, vrflen);
	if (plus) {
		if (!plus[1])
			return false;
		strlcpy(user_map, plus + 1, userlen);
	} else
		user_map[0] = '\0';
	return true;
}

static bool module_map_known(const char *name)
{
	struct erp_map_name *known;

	frr_each (erp_maps, &module_maps, known)
		if (strcmp(known->name, name) == 0)
			return true;
	return false;
}

static void module_map_remember(const char *name)
{
	size_t len = strlen(name) + 1;
	struct erp_map_name *entry;

	entry = XCALLOC(MTYPE_ERP_NAME, sizeof(*entry) + len);
	memcpy(entry->name, name, len);
	erp_maps_add_tail(&module_maps, entry);
}

struct route_map *erp_rmap_ensure(const char *name)
{
	struct route_map *map;
	struct route_map_index *idx;
	enum erp_dir dir;
	enum erp_role role;
	char vrf[64], user[ERP_RMAP_NAMSIZ], arg[128], uarg[ERP_RMAP_NAMSIZ + 8];

	if (!erp_rmap_parse(name, &dir, &role, vrf, sizeof(vrf), user,
			    sizeof(user)))
		return NULL;

	map = route_map_lookup_by_name(name);
	if (map && map->head && module_map_known(name))
		return map;

	/* Created here, or written by hand / left from a previous life of
	 * bgpd (e.g. "neighbor X route-map erpolicy-... in" in a saved
	 * configuration, before this module's commands ran): (re)build it. */
	map = route_map_get(name);
	while (map->head)
		route_map_index_delete(map->head, 0);

	snprintf(arg, sizeof(arg), "%s %s", erp_role_name(role), vrf);
	idx = route_map_index_get(map, RMAP_DENY, 10);
	route_map_add_match(idx,
			    dir == ERP_DIR_IN ? RULE_VERDICT : RULE_OUT_VERDICT,
			    arg, RMAP_EVENT_MATCH_ADDED);
	if (user[0]) {
		snprintf(uarg, sizeof(uarg), "%s %s",
			 dir == ERP_DIR_IN ? "in" : "out", user);
		idx = route_map_index_get(map, RMAP_DENY, 20);
		route_map_add_match(idx, RULE_USER_MAP, uarg,
				    RMAP_EVENT_MATCH_ADDED);
	}
	idx = route_map_index_get(map, RMAP_PERMIT, 30);
	route_map_add_set(idx, dir == ERP_DIR_IN ? RULE_SET_LP : RULE_SET_OUT,
			  arg);
	/* A new map is marked for bgpd's route-map update timer, which 5 s
	 * later binds peers to it and has every established peer that uses it
	 * re-send or replay all its routes.  The module binds its peers itself
	 * (peer_route_map_set, bind_existing) and re-evaluates when its policy
	 * changes: that second pass over every route is only cost. */
	map->to_be_processed = false;

	if (!module_map_known(name)) {
		module_map_remember(name);
		/* bgpd re-applies a changed route-map only where it is attached
		 * by name: declaring the operator's map a dependency of ours
		 * makes an edit of it re-apply ours, as a "call" would */
		if (user[0])
			route_map_upd8_dependency(RMAP_EVENT_CALL_ADDED, user,
						  name);
	}
	ERP_DEBUG("route-map %s built", name);
	return map;
}

void erp_rmap_gc(bool (*in_use)(const char *name, void *arg), void *arg)
{
	struct erp_map_name *entry;

	frr_each_safe (erp_maps, &module_maps, entry) {
		struct route_map *map;

		enum erp_dir dir;
		enum erp_role role;
		char vrf[64], user[ERP_RMAP_NAMSIZ];

		if (in_use(entry->name, arg))
			continue;
		if (erp_rmap_parse(entry->name, &dir, &role, vrf, sizeof(vrf),
				   user, sizeof(user)) &&
		    user[0])
			route_map_upd8_dependency(RMAP_EVENT_CALL_DELETED, user,
						  entry->name);
		map = route_map_lookup_by_name(entry->name);
		if (map)
			route_map_delete(map);
		ERP_DEBUG("route-map %s deleted (unused)", entry->name);
		erp_maps_del(&module_maps, entry);
		XFREE(MTYPE_ERP_NAME, entry);
	}
}


void erp_rmap_init(void)
{
	erp_maps_init(&module_maps);
	route_map_install_match(&match_verdict_cmd);
	route_map_install_match(&match_out_verdict_cmd);
	route_map_install_match(&match_user_map_cmd);
	route_map_install_set(&set_local_pref_cmd);
	route_map_install_set(&set_out_cmd);
}

/* At shutdown bgpd has already deleted every route-map (bgp_exit); only the
 * names are left to free. */
void erp_rmap_fini(void)
{
	struct erp_map_name *entry;

	while ((entry = erp_maps_pop(&module_maps)))
		XFREE(MTYPE_ERP_NAME, entry);
	erp_maps_fini(&module_maps);
}
