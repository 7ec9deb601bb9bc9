// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: route-map rules and module-owned route-maps (FRR glue).
 * See erpolicy_rmap.h for the shape of the maps.
 */
#include <zebra.h>

#include "typesafe.h"
#include "prefix.h"
#include "routemap.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_attr.h"
#include "bgpd/bgp_route.h"

#include "erpolicy.h"
#include "erpolicy_debug.h"
#include "erpolicy_memory.h"
#include "erpolicy_paths.h"
#include "erpolicy_rmap.h"

#define RULE_VERDICT "erpolicy-verdict"
#define RULE_USER_MAP "erpolicy-user-map"
#define RULE_SET_LP "erpolicy-local-preference"

/* Compiled argument of the verdict and local-preference rules. */
struct erp_rule_arg {
	enum erp_role role;
	char vrf[64];
};

/* Names of the maps this module created, to delete them when unused. */
PREDECL_LIST(erp_maps);
struct erp_map_name {
	struct erp_maps_item item;
	char name[];
};
DECLARE_LIST(erp_maps, struct erp_map_name, item);
/* initialised by erp_rmap_init(): a static INIT_LIST lacks 8.4's sentinel */
static struct erp_maps_head module_maps;

static enum erp_afi erp_prefix_afi(const struct prefix *p)
{
	return p->family == AF_INET6 ? ERP_AFI_IPV6 : ERP_AFI_IPV4;
}

/*
 * Counters are kept only for real updates: bgpd also runs inbound maps to
 * answer "show ... filtered-routes", and then passes no destination.
 */
static struct erp_peer_stats *update_stats(struct erp_instance *inst,
					   struct bgp_path_info *path)
{
	if (!inst || !path->net || !path->peer)
		return NULL;
	return erp_stats_get(inst, path->peer, path->peer->host);
}

/* --- match erpolicy-verdict -------------------------------------------------- */

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

	stats = update_stats(inst, path);
	if (stats) {
		erp_stats_verdict(stats, erp_prefix_afi(p), p, reason);
		ERP_DEBUG("%s (%s): denied %pFX: %s", path->peer->host,
			  erp_role_name(arg->role), p, erp_reason_name(reason));
	}
	return RMAP_MATCH; /* in a deny entry: the route is denied */
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

static const struct route_map_rule_cmd match_verdict_cmd = {
	RULE_VERDICT, match_verdict, rule_arg_compile, rule_arg_free};

/* --- match erpolicy-user-map ----------------------------------------------- */

/*
 * Runs the operator's own inbound map on the route being received, exactly
 * as bgpd would have: its sets modify the attributes, its deny (or a name
 * that resolves to no map, which bgpd treats as deny) makes this rule match
 * in a deny entry.
 */
static enum route_map_cmd_result_t
match_user_map(void *rule, const struct prefix *p, void *object)
{
	const char *name = rule;
	struct bgp_path_info *path = object;
	struct route_map *map = route_map_lookup_by_name(name);
	static int depth;
	route_map_result_t ret = RMAP_DENYMATCH;
	struct erp_instance *inst;
	struct erp_peer_stats *stats;

	if (map && depth == 0) { /* no loops through a map that calls ours */
		depth++;
		ret = route_map_apply_ext(map, p, object, object, NULL);
		depth--;
	}
	if (ret != RMAP_DENYMATCH)
		return RMAP_NOMATCH;

	inst = path->peer ? erp_instance_find(path->peer->bgp->name
						      ? path->peer->bgp->name
						      : VRF_DEFAULT_NAME)
			  : NULL;
	stats = update_stats(inst, path);
	if (stats) {
		erp_stats_verdict(stats, erp_prefix_afi(p), p,
				  ERP_DENY_USER_POLICY);
		ERP_DEBUG("%s: denied %pFX: route-map %s%s", path->peer->host,
			  p, name, map ? "" : " (does not exist)");
	}
	return RMAP_MATCH;
}

static void *user_map_compile(const char *text)
{
	return XSTRDUP(MTYPE_ERP_RMAP_RULE, text);
}

static const struct route_map_rule_cmd match_user_map_cmd = {
	RULE_USER_MAP, match_user_map, user_map_compile, rule_arg_free};

/* --- set erpolicy-local-preference ---------------------------------------- */

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
			       erp_paths_er_demoted(inst, erp_prefix_afi(p)));
	path->attr->flag |= ATTR_FLAG_BIT(BGP_ATTR_LOCAL_PREF);

	stats = update_stats(inst, path);
	if (stats)
		erp_stats_verdict(stats, erp_prefix_afi(p), p, ERP_ACCEPT);
	return RMAP_OKAY;
}

static const struct route_map_rule_cmd set_local_pref_cmd = {
	RULE_SET_LP, set_local_pref, rule_arg_compile, rule_arg_free};

/* --- module maps --------------------------------------------------------------- */

const char *erp_rmap_name(char *buf, size_t len, enum erp_role role,
			  const char *vrf, const char *user_map)
{
	bool dflt = !vrf || strcmp(vrf, VRF_DEFAULT_NAME) == 0;
	bool user = user_map && user_map[0];

	snprintf(buf, len, "%s%s%s%s%s%s", ERP_RMAP_PREFIX, erp_role_name(role),
		 dflt ? "" : "@", dflt ? "" : vrf, user ? "+" : "",
		 user ? user_map : "");
	return buf;
}

bool erp_rmap_parse(const char *name, enum erp_role *role, char *vrf,
		    size_t vrflen, char *user_map, size_t userlen)
{
	char rolebuf[32];
	const char *s, *at, *plus;
	size_t n;

	if (strncmp(name, ERP_RMAP_PREFIX, strlen(ERP_RMAP_PREFIX)) != 0)
		return false;
	s = name + strlen(ERP_RMAP_PREFIX);
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
	enum erp_role role;
	char vrf[64], user[ERP_RMAP_NAMSIZ], arg[128];

	if (!erp_rmap_parse(name, &role, vrf, sizeof(vrf), user, sizeof(user)))
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
	route_map_add_match(idx, RULE_VERDICT, arg, RMAP_EVENT_MATCH_ADDED);
	if (user[0]) {
		idx = route_map_index_get(map, RMAP_DENY, 20);
		route_map_add_match(idx, RULE_USER_MAP, user,
				    RMAP_EVENT_MATCH_ADDED);
	}
	idx = route_map_index_get(map, RMAP_PERMIT, 30);
	route_map_add_set(idx, RULE_SET_LP, arg);

	if (!module_map_known(name))
		module_map_remember(name);
	ERP_DEBUG("route-map %s built", name);
	return map;
}

void erp_rmap_gc(bool (*in_use)(const char *name, void *arg), void *arg)
{
	struct erp_map_name *entry;

	frr_each_safe (erp_maps, &module_maps, entry) {
		struct route_map *map;

		if (in_use(entry->name, arg))
			continue;
		map = route_map_lookup_by_name(entry->name);
		if (map)
			route_map_delete(map);
		ERP_DEBUG("route-map %s deleted (unused)", entry->name);
		erp_maps_del(&module_maps, entry);
		XFREE(MTYPE_ERP_NAME, entry);
	}
}

unsigned int erp_rmap_count(void)
{
	return erp_maps_count(&module_maps);
}

void erp_rmap_init(void)
{
	erp_maps_init(&module_maps);
	route_map_install_match(&match_verdict_cmd);
	route_map_install_match(&match_user_map_cmd);
	route_map_install_set(&set_local_pref_cmd);
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
