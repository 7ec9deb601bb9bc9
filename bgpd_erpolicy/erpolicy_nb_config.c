// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: northbound configuration callbacks.
 *
 * Configuration flows one way: CLI (erpolicy_vty.c) -> northbound -> these
 * callbacks -> module state (erpolicy.h).  Validation happens here too, so
 * every northbound client gets the same checks as the CLI.
 */
#include <zebra.h>

#include "northbound.h"
#include "vty.h"
#include "yang.h"

#include "erpolicy.h"
#include "erpolicy_debug.h"
#include "erpolicy_hooks.h"
#include "erpolicy_map_names.h"
#include "erpolicy_nb.h"
#include "erpolicy_paths.h"
#include "erpolicy_reevaluate.h"
#include "erpolicy_rmap.h"

/* The instance of vrf, made if missing; the 1 s tick runs while one
 * exists. */
static struct erp_instance *instance_get(const char *vrf)
{
	struct erp_instance *inst = erp_instance_get(vrf);

	erp_tick_start();
	return inst;
}

/* The VRF key of the instance a node belongs to.  The key is a list
 * entry's first child (libyang keeps keys first); yang_dnode_get_string(idn,
 * "./vrf") evaluates an XPath over every child of the instance, for every
 * declaration applied: O(n^2) reading n declarations. */
static const char *instance_key(const struct lyd_node *dnode)
{
	const struct lyd_node *idn = yang_dnode_get_parent(dnode, "instance");
	const struct lyd_node *key = lyd_child(idn);

	if (key && strcmp(key->schema->name, "vrf") == 0)
		return lyd_get_value(key);
	return yang_dnode_get_string(idn, "./vrf");
}

/* The instance a node configures, made if missing (create and modify:
 * the instance's own create runs first, so this only finds it). */
static struct erp_instance *instance_of(const struct lyd_node *dnode)
{
	return instance_get(instance_key(dnode));
}

/* The same for destroy callbacks: never makes state (NULL if none). */
static struct erp_instance *instance_find_of(const struct lyd_node *dnode)
{
	return erp_instance_find(instance_key(dnode));
}

/* A child of parent named by a simple data path (keys only), found by hash
 * rather than by evaluating an XPath over every sibling. */
static const struct lyd_node *child_find(const struct lyd_node *parent,
					 const char *fmt, ...) PRINTFRR(2, 3);
static const struct lyd_node *child_find(const struct lyd_node *parent,
					 const char *fmt, ...)
{
	char path[XPATH_MAXLEN];
	struct lyd_node *match = NULL;
	va_list ap;

	va_start(ap, fmt);
	vsnprintfrr(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (lyd_find_path(parent, path, 0, &match) != LY_SUCCESS)
		return NULL;
	return match;
}

/* The node at dnode's path in the running configuration, or NULL. */
static const struct lyd_node *running_twin(const struct lyd_node *dnode)
{
	char xpath[XPATH_MAXLEN];

	if (!running_config || !running_config->dnode)
		return NULL;
	yang_dnode_get_path(dnode, xpath, sizeof(xpath));
	return yang_dnode_get(running_config->dnode, xpath);
}

/* --- instance -------------------------------------------------------------- */

int erp_nb_instance_create(struct nb_cb_create_args *args)
{
	if (args->event == NB_EV_APPLY)
		instance_get(yang_dnode_get_string(args->dnode, "./vrf"));
	return NB_OK;
}

static void set_user_map(struct erp_neighbor *nbr, enum erp_dir dir,
			 const char *name);

int erp_nb_instance_destroy(struct nb_cb_destroy_args *args)
{
	struct erp_instance *inst;
	struct erp_neighbor *nbr;

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	inst = erp_instance_find(yang_dnode_get_string(args->dnode, "./vrf"));
	if (inst) {
		for (nbr = erp_neighbor_first(inst); nbr;
		     nbr = erp_neighbor_next(inst, nbr))
			for (int d = 0; d < ERP_DIR_MAX; d++)
				set_user_map(nbr, d, NULL);
		erp_instance_removing(inst);
		erp_instance_delete(inst);
	}
	return NB_OK;
}

/* --- neighbors ------------------------------------------------------------ */

static enum erp_dir user_map_dir(const struct lyd_node *dnode)
{
	return strcmp(dnode->schema->name, "route-map-out") == 0 ? ERP_DIR_OUT
								 : ERP_DIR_IN;
}

/* Give nbr the operator's map name (NULL: none) in direction dir. */
static void set_user_map(struct erp_neighbor *nbr, enum erp_dir dir,
			 const char *name)
{
	if (nbr->user_map[dir])
		erp_rmap_user_dependency(dir, nbr->role, nbr->user_map[dir],
					 false);
	erp_neighbor_set_user_map(nbr, dir, name);
	if (name)
		erp_rmap_user_dependency(dir, nbr->role, name, true);
}

/* A declaration came, went or changed its path: the routes of its peers
 * are re-evaluated, and the sessions each path has are counted again. */
static void roles_changed(struct erp_instance *inst)
{
	erp_policy_changed(inst);
	erp_paths_update(inst, "configuration");
}

static struct erp_neighbor *neighbor_of(struct erp_instance *inst,
					const struct lyd_node *dnode)
{
	const struct lyd_node *ndn = yang_dnode_get_parent(dnode, "neighbor");

	return inst ? erp_neighbor_find(inst,
					yang_dnode_get_string(ndn, "./name"))
		    : NULL;
}

bool erp_nb_path_conflict(const char *name, const char *declared,
			  const char *wanted, char *errmsg, size_t errlen)
{
	if (strcmp(declared, wanted) == 0)
		return false;
	snprintf(errmsg, errlen,
		 "neighbor %s is already declared path %s; a neighbor has one path. Remove it first with \"no erpolicy neighbor %s\"",
		 name, declared, name);
	return true;
}

int erp_nb_neighbor_create(struct nb_cb_create_args *args)
{
	struct erp_instance *inst;

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	inst = instance_of(args->dnode);
	erp_neighbor_add(inst, yang_dnode_get_string(args->dnode, "./name"),
			 yang_dnode_get_enum(args->dnode, "./path"));
	roles_changed(inst);
	return NB_OK;
}

int erp_nb_neighbor_destroy(struct nb_cb_destroy_args *args)
{
	struct erp_instance *inst;
	struct erp_neighbor *nbr;

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	inst = instance_find_of(args->dnode);
	nbr = inst ? erp_neighbor_find(inst, yang_dnode_get_string(
						     args->dnode, "./name"))
		   : NULL;
	if (!nbr)
		return NB_OK;
	for (int d = 0; d < ERP_DIR_MAX; d++)
		set_user_map(nbr, d, NULL);
	erp_neighbor_del(inst, nbr);
	/* its maps, if still attached, now deny: re-evaluate */
	roles_changed(inst);
	return NB_OK;
}

int erp_nb_neighbor_path_modify(struct nb_cb_modify_args *args)
{
	struct erp_instance *inst;
	struct erp_neighbor *nbr;
	const struct lyd_node *old;
	enum erp_role role = yang_dnode_get_enum(args->dnode, NULL);
	char *maps[ERP_DIR_MAX];

	if (args->event == NB_EV_VALIDATE) {
		/* one path per neighbor: changing it would silently move the
		 * neighbor's routes between the two paths' policies */
		const struct lyd_node *ndn =
			yang_dnode_get_parent(args->dnode, "neighbor");

		old = running_twin(args->dnode);
		if (old && erp_nb_path_conflict(
				   yang_dnode_get_string(ndn, "./name"),
				   yang_dnode_get_string(old, NULL),
				   yang_dnode_get_string(args->dnode, NULL),
				   args->errmsg, args->errmsg_len))
			return NB_ERR_VALIDATION;
		return NB_OK;
	}
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	inst = instance_of(args->dnode);
	nbr = neighbor_of(inst, args->dnode);
	if (!nbr || nbr->role == role)
		return NB_OK;
	/* the operator's maps are dependencies of the path's maps */
	for (int d = 0; d < ERP_DIR_MAX; d++) {
		maps[d] = nbr->user_map[d] ? XSTRDUP(MTYPE_TMP, nbr->user_map[d])
					   : NULL;
		set_user_map(nbr, d, NULL);
	}
	nbr->role = role;
	for (int d = 0; d < ERP_DIR_MAX; d++) {
		set_user_map(nbr, d, maps[d]);
		XFREE(MTYPE_TMP, maps[d]);
	}
	roles_changed(inst);
	return NB_OK;
}

int erp_nb_neighbor_user_map_modify(struct nb_cb_modify_args *args)
{
	const char *name = yang_dnode_get_string(args->dnode, NULL);
	enum erp_dir dir = user_map_dir(args->dnode);
	struct erp_instance *inst;
	struct erp_neighbor *nbr;

	if (args->event == NB_EV_VALIDATE) {
		if (erp_rmap_reserved(name)) {
			snprintf(args->errmsg, args->errmsg_len,
				 "route-map %s: names starting with \"%s\" are bgpd_erpolicy's own maps, not an operator's",
				 name, ERP_RMAP_RESERVED_PREFIX);
			return NB_ERR_VALIDATION;
		}
		return NB_OK;
	}
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	inst = instance_of(args->dnode);
	nbr = neighbor_of(inst, args->dnode);
	if (!nbr)
		return NB_OK;
	set_user_map(nbr, dir, name);
	erp_reevaluate(inst, dir, 1 << nbr->role);
	return NB_OK;
}

int erp_nb_neighbor_user_map_destroy(struct nb_cb_destroy_args *args)
{
	enum erp_dir dir = user_map_dir(args->dnode);
	struct erp_instance *inst;
	struct erp_neighbor *nbr;

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	inst = instance_find_of(args->dnode);
	nbr = neighbor_of(inst, args->dnode);
	if (!nbr)
		return NB_OK;
	set_user_map(nbr, dir, NULL);
	erp_reevaluate(inst, dir, 1 << nbr->role);
	return NB_OK;
}

/* --- azure-prefix / onprem-prefix ------------------------------------------- */

static struct erp_prefix_set *prefix_set_of(struct erp_instance *inst,
					    const struct lyd_node *entry)
{
	if (strcmp(entry->schema->name, "azure-prefix") == 0)
		return &inst->policy.azure;
	if (strcmp(entry->schema->name, "prefer-vpn-prefix") == 0)
		return &inst->policy.prefer_vpn;
	return &inst->policy.onprem;
}

static const struct lyd_node *prefix_entry_of(const struct lyd_node *dnode)
{
	if (strcmp(dnode->schema->name, "ge") == 0 ||
	    strcmp(dnode->schema->name, "le") == 0)
		return lyd_parent(dnode);
	return dnode;
}

static bool prefix_entry_check(const struct lyd_node *entry, char *errmsg,
			       size_t errlen)
{
	struct prefix p;
	unsigned int ge = 0, le = 0;

	yang_dnode_get_prefix(&p, entry, "./prefix");
	if (yang_dnode_exists(entry, "./ge"))
		ge = yang_dnode_get_uint8(entry, "./ge");
	if (yang_dnode_exists(entry, "./le"))
		le = yang_dnode_get_uint8(entry, "./le");
	return erp_prefix_rule_check(&p, ge, le, errmsg, errlen);
}

/* A prefix cannot be Azure's and on-prem, and an on-prem prefix cannot
 * prefer a path to Azure.  idn: the instance in the configuration being
 * checked (NULL: none yet). */
bool erp_nb_prefix_conflict(const struct lyd_node *idn, const char *kind,
			    const char *prefix, char *errmsg, size_t errlen)
{
	static const char *const onprem_only[] = {"onprem-prefix", NULL};
	static const char *const not_onprem[] = {"azure-prefix",
						 "prefer-vpn-prefix", NULL};
	const char *const *others = strcmp(kind, "onprem-prefix") == 0
					    ? not_onprem
					    : onprem_only;

	if (!idn)
		return false;
	for (; *others; others++)
		if (child_find(idn, "%s[prefix='%s']", *others, prefix)) {
			snprintf(errmsg, errlen,
				 "%s is already an %s; a prefix cannot be both",
				 prefix, *others);
			return true;
		}
	return false;
}

static bool prefix_conflict_check(const struct lyd_node *entry, char *errmsg,
				  size_t errlen)
{
	return !erp_nb_prefix_conflict(
		yang_dnode_get_parent(entry, "instance"), entry->schema->name,
		yang_dnode_get_string(entry, "./prefix"), errmsg, errlen);
}

int erp_nb_prefix_create(struct nb_cb_create_args *args)
{
	if (args->event == NB_EV_VALIDATE &&
	    (!prefix_entry_check(args->dnode, args->errmsg, args->errmsg_len) ||
	     !prefix_conflict_check(args->dnode, args->errmsg,
				    args->errmsg_len)))
		return NB_ERR_VALIDATION;
	/* installed by apply_finish, once ge/le are known */
	return NB_OK;
}

int erp_nb_prefix_destroy(struct nb_cb_destroy_args *args)
{
	struct erp_instance *inst;
	struct prefix p;

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	inst = instance_find_of(args->dnode);
	if (!inst)
		return NB_OK;
	yang_dnode_get_prefix(&p, args->dnode, "./prefix");
	erp_prefix_set_del(prefix_set_of(inst, args->dnode), &p);
	erp_policy_changed_afi(inst, erp_prefix_afi(&p));
	return NB_OK;
}

int erp_nb_prefix_bound_modify(struct nb_cb_modify_args *args)
{
	if (args->event == NB_EV_VALIDATE &&
	    !prefix_entry_check(prefix_entry_of(args->dnode), args->errmsg,
				args->errmsg_len))
		return NB_ERR_VALIDATION;
	return NB_OK;
}

int erp_nb_prefix_bound_destroy(struct nb_cb_destroy_args *args)
{
	return NB_OK; /* apply_finish of the entry installs the new bounds */
}

void erp_nb_prefix_apply_finish(struct nb_cb_apply_finish_args *args)
{
	struct erp_instance *inst = instance_of(args->dnode);
	struct prefix p;
	unsigned int ge = 0, le = 0;

	yang_dnode_get_prefix(&p, args->dnode, "./prefix");
	if (yang_dnode_exists(args->dnode, "./ge"))
		ge = yang_dnode_get_uint8(args->dnode, "./ge");
	if (yang_dnode_exists(args->dnode, "./le"))
		le = yang_dnode_get_uint8(args->dnode, "./le");
	erp_prefix_set_add(prefix_set_of(inst, args->dnode), &p, ge, le);
	erp_policy_changed_afi(inst, erp_prefix_afi(&p));
}

/* --- failback / drain ---------------------------------------------------------- */

bool erp_nb_holddown_invalid(uint32_t hd, uint32_t max, char *errmsg,
			     size_t errlen)
{
	if (!max || max >= hd)
		return false;
	snprintf(errmsg, errlen, "maximum %u must not be below hold-down %u",
		 max, hd);
	return true;
}

/* maximum, when set, must not be below hold-down */
static int holddown_check(const struct lyd_node *leaf, char *errmsg,
			  size_t errlen)
{
	const struct lyd_node *fb = lyd_parent(leaf);
	uint32_t hd = 0, max = 0;

	if (yang_dnode_exists(fb, "./hold-down"))
		hd = yang_dnode_get_uint32(fb, "./hold-down");
	if (yang_dnode_exists(fb, "./hold-down-maximum"))
		max = yang_dnode_get_uint32(fb, "./hold-down-maximum");
	return erp_nb_holddown_invalid(hd, max, errmsg, errlen)
		       ? NB_ERR_VALIDATION
		       : NB_OK;
}




/* --- scalar leaves -------------------------------------------------------- */

/*
 * Every scalar leaf of an instance: what it sets, and what it sets back
 * when it goes.  The model gives these leaves no YANG default (a leaf is in
 * the configuration only when written, so the running configuration is
 * what was written and frr-reload.py finds nothing to change in a file
 * that spells out a default); the defaults live here and in
 * erp_policy_init() / the failover configuration's zero value.
 * apply(inst, leaf): leaf NULL when it was removed.
 */
struct scalar_leaf {
	const char *parent; /* NULL: directly under the instance */
	const char *name;
	void (*apply)(struct erp_instance *inst, const struct lyd_node *leaf);
	/* NB_EV_VALIDATE, if the leaf has a check of its own */
	int (*validate)(const struct lyd_node *leaf, char *errmsg,
			size_t errlen);
};

static uint32_t leaf_u32(const struct lyd_node *leaf, uint32_t dflt)
{
	return leaf ? yang_dnode_get_uint32(leaf, NULL) : dflt;
}

static uint8_t leaf_u8(const struct lyd_node *leaf, uint8_t dflt)
{
	return leaf ? yang_dnode_get_uint8(leaf, NULL) : dflt;
}

static bool leaf_bool(const struct lyd_node *leaf)
{
	return leaf && yang_dnode_get_bool(leaf, NULL);
}

static int leaf_enum(const struct lyd_node *leaf, int dflt)
{
	return leaf ? yang_dnode_get_enum(leaf, NULL) : dflt;
}

static void lp_er(struct erp_instance *inst, const struct lyd_node *leaf)
{
	inst->policy.local_pref[ERP_ROLE_EXPRESSROUTE] =
		leaf_u32(leaf, ERP_DEFAULT_LP_EXPRESSROUTE);
	erp_policy_changed(inst);
}

static void lp_vpn(struct erp_instance *inst, const struct lyd_node *leaf)
{
	inst->policy.local_pref[ERP_ROLE_VPN] =
		leaf_u32(leaf, ERP_DEFAULT_LP_VPN);
	erp_policy_changed(inst);
}

static void mode(struct erp_instance *inst, const struct lyd_node *leaf)
{
	inst->policy.mode = leaf_enum(leaf, ERP_MODE_BACKUP);
	erp_policy_changed(inst);
}

static void allow_default(struct erp_instance *inst,
			  const struct lyd_node *leaf)
{
	inst->policy.allow_default_route = leaf_bool(leaf);
	erp_policy_changed(inst);
}

static void maxlen_v4(struct erp_instance *inst, const struct lyd_node *leaf)
{
	inst->policy.max_length_v4 = leaf_u8(leaf, IPV4_MAX_BITLEN);
	erp_policy_changed_afi(inst, ERP_AFI_IPV4);
}

static void maxlen_v6(struct erp_instance *inst, const struct lyd_node *leaf)
{
	inst->policy.max_length_v6 = leaf_u8(leaf, IPV6_MAX_BITLEN);
	erp_policy_changed_afi(inst, ERP_AFI_IPV6);
}

/* what is advertised changed: re-send to both paths */
static void advertised(struct erp_instance *inst)
{
	erp_reevaluate(inst, ERP_DIR_OUT,
		       (1 << ERP_ROLE_EXPRESSROUTE) | (1 << ERP_ROLE_VPN));
}

static void adv_default(struct erp_instance *inst, const struct lyd_node *leaf)
{
	inst->policy.advertise_default_route = leaf_bool(leaf);
	advertised(inst);
}

static void adv_transit(struct erp_instance *inst, const struct lyd_node *leaf)
{
	inst->policy.allow_transit = leaf_bool(leaf);
	advertised(inst);
}

static void adv_guard(struct erp_instance *inst, const struct lyd_node *leaf)
{
	inst->policy.guard = leaf_enum(leaf, ERP_GUARD_FILTER);
	advertised(inst);
}

static void adv_prepend(struct erp_instance *inst, const struct lyd_node *leaf)
{
	inst->policy.vpn_prepend = leaf_u8(leaf, 0);
	advertised(inst);
}

static void limit_er(struct erp_instance *inst, const struct lyd_node *leaf)
{
	inst->policy.adv_limit[ERP_ROLE_EXPRESSROUTE] =
		leaf_u32(leaf, ERP_DEFAULT_ADV_LIMIT_EXPRESSROUTE);
	advertised(inst);
}

static void limit_vpn(struct erp_instance *inst, const struct lyd_node *leaf)
{
	inst->policy.adv_limit[ERP_ROLE_VPN] =
		leaf_u32(leaf, ERP_DEFAULT_ADV_LIMIT_VPN);
	advertised(inst);
}

static void limit_action(struct erp_instance *inst,
			 const struct lyd_node *leaf)
{
	inst->policy.limit_action = leaf_enum(leaf, ERP_LIMIT_STOP);
	advertised(inst);
}

static void limit_warn(struct erp_instance *inst, const struct lyd_node *leaf)
{
	inst->policy.limit_warn_pct = leaf_u8(leaf, ERP_DEFAULT_LIMIT_WARN_PCT);
	advertised(inst);
}

static void holddown(struct erp_instance *inst, const struct lyd_node *leaf)
{
	inst->fo_config.holddown_ms = leaf_u32(leaf, 0) * 1000;
	erp_paths_config_changed(inst);
}

static void holddown_max(struct erp_instance *inst,
			 const struct lyd_node *leaf)
{
	inst->fo_config.holddown_max_ms = leaf_u32(leaf, 0) * 1000;
	erp_paths_config_changed(inst);
}

static void drain(struct erp_instance *inst, const struct lyd_node *leaf)
{
	inst->fo_config.drained = leaf_bool(leaf);
	erp_paths_config_changed(inst);
}

/* absent: on (the zero value of the failover configuration) */
static void symmetric(struct erp_instance *inst, const struct lyd_node *leaf)
{
	inst->fo_config.asymmetric = leaf && !yang_dnode_get_bool(leaf, NULL);
	erp_paths_config_changed(inst);
}

static const struct scalar_leaf scalar_leaves[] = {
	{"local-preference", "expressroute", lp_er},
	{"local-preference", "vpn", lp_vpn},
	{NULL, "mode", mode},
	{NULL, "allow-default-route", allow_default},
	{"maximum-prefix-length", "ipv4", maxlen_v4},
	{"maximum-prefix-length", "ipv6", maxlen_v6},
	{"advertise", "default-route", adv_default},
	{"advertise", "allow-transit", adv_transit},
	{"advertise", "symmetric-guard", adv_guard},
	{"advertise", "vpn-prepend", adv_prepend},
	{"limit", "expressroute", limit_er},
	{"limit", "vpn", limit_vpn},
	{"limit", "action", limit_action},
	{"limit", "warning-threshold", limit_warn},
	{"failback", "hold-down", holddown, holddown_check},
	{"failback", "hold-down-maximum", holddown_max, holddown_check},
	{NULL, "drain-expressroute", drain},
	{NULL, "symmetric-failover", symmetric},
};

static const struct scalar_leaf *scalar_of(const struct lyd_node *leaf)
{
	const char *parent = lyd_parent(leaf)->schema->name;

	for (size_t i = 0; i < array_size(scalar_leaves); i++) {
		const struct scalar_leaf *s = &scalar_leaves[i];

		if (strcmp(s->name, leaf->schema->name) == 0 &&
		    strcmp(s->parent ? s->parent : "instance", parent) == 0)
			return s;
	}
	return NULL;
}

int erp_nb_scalar_modify(struct nb_cb_modify_args *args)
{
	const struct scalar_leaf *s = scalar_of(args->dnode);

	if (!s)
		return NB_ERR;
	if (args->event == NB_EV_VALIDATE && s->validate)
		return s->validate(args->dnode, args->errmsg, args->errmsg_len);
	if (args->event == NB_EV_APPLY)
		s->apply(instance_of(args->dnode), args->dnode);
	return NB_OK;
}

int erp_nb_scalar_destroy(struct nb_cb_destroy_args *args)
{
	const struct scalar_leaf *s = scalar_of(args->dnode);
	struct erp_instance *inst;

	if (!s || args->event != NB_EV_APPLY)
		return NB_OK;
	inst = instance_find_of(args->dnode);
	if (inst) /* gone with its instance: nothing to set back */
		s->apply(inst, NULL);
	return NB_OK;
}

/* --- running-config --------------------------------------------------------- */

/*
 * The running configuration shows what was written, default values
 * included, and nothing that was not: erp_config_write() asks for every
 * node (with defaults) and these callbacks skip libyang's implicit
 * defaults.  So an operator's frr.conf that spells out a default
 * ("erpolicy local-preference expressroute 200 vpn 100", as the user guide
 * does) reloads with frr-reload.py without a perpetual diff.
 */
static bool written(const struct lyd_node *dnode, const char *xpath)
{
	const struct lyd_node *node = xpath ? yang_dnode_get(dnode, xpath)
					    : dnode;

	return node && !(node->flags & LYD_DEFAULT);
}

void erp_cli_show_neighbor(struct vty *vty, const struct lyd_node *dnode,
			   bool show_defaults)
{
	const char *name = yang_dnode_get_string(dnode, "./name");

	vty_out(vty, " erpolicy neighbor %s path %s\n", name,
		yang_dnode_get_string(dnode, "./path"));
	if (yang_dnode_exists(dnode, "./route-map-in"))
		vty_out(vty, " erpolicy neighbor %s route-map %s in\n", name,
			yang_dnode_get_string(dnode, "./route-map-in"));
	if (yang_dnode_exists(dnode, "./route-map-out"))
		vty_out(vty, " erpolicy neighbor %s route-map %s out\n", name,
			yang_dnode_get_string(dnode, "./route-map-out"));
}

void erp_cli_show_local_pref(struct vty *vty, const struct lyd_node *dnode,
			     bool show_defaults)
{
	const struct lyd_node *er = yang_dnode_get(dnode, "./expressroute");
	const struct lyd_node *vpn = yang_dnode_get(dnode, "./vpn");

	if (!er && !vpn)
		return;
	/* the CLI writes both; another client may have written one */
	vty_out(vty, " erpolicy local-preference expressroute %u vpn %u\n",
		leaf_u32(er, ERP_DEFAULT_LP_EXPRESSROUTE),
		leaf_u32(vpn, ERP_DEFAULT_LP_VPN));
}

void erp_cli_show_prefix(struct vty *vty, const struct lyd_node *dnode,
			 bool show_defaults)
{
	vty_out(vty, " erpolicy %s %s", dnode->schema->name,
		yang_dnode_get_string(dnode, "./prefix"));
	if (yang_dnode_exists(dnode, "./ge"))
		vty_out(vty, " ge %u", yang_dnode_get_uint8(dnode, "./ge"));
	if (yang_dnode_exists(dnode, "./le"))
		vty_out(vty, " le %u", yang_dnode_get_uint8(dnode, "./le"));
	vty_out(vty, "\n");
}

void erp_cli_show_allow_default(struct vty *vty, const struct lyd_node *dnode,
				bool show_defaults)
{
	if (yang_dnode_get_bool(dnode, NULL))
		vty_out(vty, " erpolicy allow-default-route\n");
}

void erp_cli_show_maxlen(struct vty *vty, const struct lyd_node *dnode,
			 bool show_defaults)
{
	if (written(dnode, "./ipv4"))
		vty_out(vty, " erpolicy maximum-prefix-length ipv4 %u\n",
			yang_dnode_get_uint8(dnode, "./ipv4"));
	if (written(dnode, "./ipv6"))
		vty_out(vty, " erpolicy maximum-prefix-length ipv6 %u\n",
			yang_dnode_get_uint8(dnode, "./ipv6"));
}

void erp_cli_show_failback(struct vty *vty, const struct lyd_node *dnode,
			   bool show_defaults)
{
	uint32_t hd = leaf_u32(yang_dnode_get(dnode, "./hold-down"), 0);
	uint32_t max =
		leaf_u32(yang_dnode_get(dnode, "./hold-down-maximum"), 0);

	if (!written(dnode, "./hold-down"))
		return;
	vty_out(vty, " erpolicy failback hold-down %u", hd);
	if (max)
		vty_out(vty, " maximum %u", max);
	vty_out(vty, "\n");
}

void erp_cli_show_drain(struct vty *vty, const struct lyd_node *dnode,
			bool show_defaults)
{
	if (yang_dnode_get_bool(dnode, NULL))
		vty_out(vty, " erpolicy drain expressroute\n");
}

void erp_cli_show_symmetric(struct vty *vty, const struct lyd_node *dnode,
			    bool show_defaults)
{
	if (written(dnode, NULL))
		vty_out(vty, " erpolicy symmetric-failover %s\n",
			yang_dnode_get_bool(dnode, NULL) ? "on" : "off");
}

void erp_cli_show_mode(struct vty *vty, const struct lyd_node *dnode,
		       bool show_defaults)
{
	if (written(dnode, NULL))
		vty_out(vty, " erpolicy mode %s\n",
			yang_dnode_get_string(dnode, NULL));
}

void erp_cli_show_advertise(struct vty *vty, const struct lyd_node *dnode,
			    bool show_defaults)
{
	if (leaf_bool(yang_dnode_get(dnode, "./default-route")))
		vty_out(vty, " erpolicy advertise default-route\n");
	if (leaf_bool(yang_dnode_get(dnode, "./allow-transit")))
		vty_out(vty, " erpolicy advertise allow-transit\n");
	if (written(dnode, "./symmetric-guard"))
		vty_out(vty, " erpolicy advertise symmetric-guard %s\n",
			yang_dnode_get_string(dnode, "./symmetric-guard"));
	if (written(dnode, "./vpn-prepend"))
		vty_out(vty, " erpolicy advertise vpn-prepend %u\n",
			yang_dnode_get_uint8(dnode, "./vpn-prepend"));
	if (written(dnode, "./limit/expressroute"))
		vty_out(vty, " erpolicy advertise limit expressroute %u\n",
			yang_dnode_get_uint32(dnode, "./limit/expressroute"));
	if (written(dnode, "./limit/vpn"))
		vty_out(vty, " erpolicy advertise limit vpn %u\n",
			yang_dnode_get_uint32(dnode, "./limit/vpn"));
	if (written(dnode, "./limit/action"))
		vty_out(vty, " erpolicy advertise limit action %s\n",
			yang_dnode_get_string(dnode, "./limit/action"));
	if (written(dnode, "./limit/warning-threshold"))
		vty_out(vty, " erpolicy advertise limit warning-threshold %u\n",
			yang_dnode_get_uint8(dnode, "./limit/warning-threshold"));
}
