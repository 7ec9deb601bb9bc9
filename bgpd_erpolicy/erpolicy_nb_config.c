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

/* The instance a node configures, made if missing (create and modify:
 * the instance's own create runs first, so this only finds it). */
static struct erp_instance *instance_of(const struct lyd_node *dnode)
{
	const struct lyd_node *idn = yang_dnode_get_parent(dnode, "instance");

	return instance_get(yang_dnode_get_string(idn, "./vrf"));
}

/* The same for destroy callbacks: never makes state (NULL if none). */
static struct erp_instance *instance_find_of(const struct lyd_node *dnode)
{
	const struct lyd_node *idn = yang_dnode_get_parent(dnode, "instance");

	return erp_instance_find(yang_dnode_get_string(idn, "./vrf"));
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
		old = running_twin(args->dnode);
		if (old && yang_dnode_get_enum(old, NULL) != (int)role) {
			const struct lyd_node *ndn = yang_dnode_get_parent(
				args->dnode, "neighbor");
			const char *name = yang_dnode_get_string(ndn, "./name");

			snprintf(args->errmsg, args->errmsg_len,
				 "neighbor %s is already declared path %s; a neighbor has one path. Remove it first with \"no erpolicy neighbor %s\"",
				 name, yang_dnode_get_string(old, NULL), name);
			return NB_ERR_VALIDATION;
		}
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

/* --- local-preference ---------------------------------------------------- */

static int lp_modify(struct nb_cb_modify_args *args, enum erp_role role)
{
	struct erp_instance *inst;

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	inst = instance_of(args->dnode);
	inst->policy.local_pref[role] = yang_dnode_get_uint32(args->dnode, NULL);
	ERP_DEBUG("%s: local-preference %s %u", inst->vrf, erp_role_name(role),
		  inst->policy.local_pref[role]);
	erp_policy_changed(inst);
	return NB_OK;
}

int erp_nb_lp_expressroute_modify(struct nb_cb_modify_args *args)
{
	return lp_modify(args, ERP_ROLE_EXPRESSROUTE);
}

int erp_nb_lp_vpn_modify(struct nb_cb_modify_args *args)
{
	return lp_modify(args, ERP_ROLE_VPN);
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
 * prefer a path to Azure: checked in the candidate, whatever the client. */
static bool prefix_conflict_check(const struct lyd_node *entry, char *errmsg,
				  size_t errlen)
{
	static const char *const onprem_only[] = {"onprem-prefix", NULL};
	static const char *const not_onprem[] = {"azure-prefix",
						 "prefer-vpn-prefix", NULL};
	const char *kind = entry->schema->name;
	const char *const *others = strcmp(kind, "onprem-prefix") == 0
					    ? not_onprem
					    : onprem_only;
	const struct lyd_node *idn = yang_dnode_get_parent(entry, "instance");
	const char *prefix = yang_dnode_get_string(entry, "./prefix");

	for (; *others; others++)
		if (yang_dnode_existsf(idn, "./%s[prefix='%s']", *others,
				       prefix)) {
			snprintf(errmsg, errlen,
				 "%s is already an %s; a prefix cannot be both",
				 prefix, *others);
			return false;
		}
	return true;
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
	erp_policy_changed(inst);
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
	erp_policy_changed(inst);
}

/* --- filters ----------------------------------------------------------------- */

int erp_nb_allow_default_modify(struct nb_cb_modify_args *args)
{
	struct erp_instance *inst;

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	inst = instance_of(args->dnode);
	inst->policy.allow_default_route = yang_dnode_get_bool(args->dnode, NULL);
	erp_policy_changed(inst);
	return NB_OK;
}

static int maxlen_modify(struct nb_cb_modify_args *args, bool ipv6)
{
	struct erp_instance *inst;
	uint8_t len;

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	inst = instance_of(args->dnode);
	len = yang_dnode_get_uint8(args->dnode, NULL);
	if (ipv6)
		inst->policy.max_length_v6 = len;
	else
		inst->policy.max_length_v4 = len;
	erp_policy_changed(inst);
	return NB_OK;
}

int erp_nb_maxlen_ipv4_modify(struct nb_cb_modify_args *args)
{
	return maxlen_modify(args, false);
}

int erp_nb_maxlen_ipv6_modify(struct nb_cb_modify_args *args)
{
	return maxlen_modify(args, true);
}

/* --- mode and advertisement ------------------------------------------------------ */

int erp_nb_mode_modify(struct nb_cb_modify_args *args)
{
	struct erp_instance *inst;

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	inst = instance_of(args->dnode);
	inst->policy.mode = yang_dnode_get_enum(args->dnode, NULL);
	erp_policy_changed(inst);
	return NB_OK;
}

/* Every leaf of the advertise container: the leaf's name says which. */
int erp_nb_advertise_modify(struct nb_cb_modify_args *args)
{
	struct erp_instance *inst;
	struct erp_policy *pol;
	const char *leaf = args->dnode->schema->name;
	bool in_limit;

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	inst = instance_of(args->dnode);
	pol = &inst->policy;
	in_limit = strcmp(lyd_parent(args->dnode)->schema->name, "limit") == 0;
	if (strcmp(leaf, "default-route") == 0)
		pol->advertise_default_route =
			yang_dnode_get_bool(args->dnode, NULL);
	else if (strcmp(leaf, "allow-transit") == 0)
		pol->allow_transit = yang_dnode_get_bool(args->dnode, NULL);
	else if (strcmp(leaf, "symmetric-guard") == 0)
		pol->guard = yang_dnode_get_enum(args->dnode, NULL);
	else if (strcmp(leaf, "vpn-prepend") == 0)
		pol->vpn_prepend = yang_dnode_get_uint8(args->dnode, NULL);
	else if (in_limit && strcmp(leaf, "expressroute") == 0)
		pol->adv_limit[ERP_ROLE_EXPRESSROUTE] =
			yang_dnode_get_uint32(args->dnode, NULL);
	else if (in_limit && strcmp(leaf, "vpn") == 0)
		pol->adv_limit[ERP_ROLE_VPN] =
			yang_dnode_get_uint32(args->dnode, NULL);
	else if (in_limit && strcmp(leaf, "action") == 0)
		pol->limit_action = yang_dnode_get_enum(args->dnode, NULL);
	else if (in_limit && strcmp(leaf, "warning-threshold") == 0)
		pol->limit_warn_pct = yang_dnode_get_uint8(args->dnode, NULL);
	erp_reevaluate(inst, ERP_DIR_OUT,
		       (1 << ERP_ROLE_EXPRESSROUTE) | (1 << ERP_ROLE_VPN));
	return NB_OK;
}

/* --- failback / drain ---------------------------------------------------------- */

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
	if (max && max < hd) {
		snprintf(errmsg, errlen,
			 "maximum %u must not be below hold-down %u", max, hd);
		return NB_ERR_VALIDATION;
	}
	return NB_OK;
}

int erp_nb_holddown_modify(struct nb_cb_modify_args *args)
{
	struct erp_instance *inst;

	if (args->event == NB_EV_VALIDATE)
		return holddown_check(args->dnode, args->errmsg,
				      args->errmsg_len);
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	inst = instance_of(args->dnode);
	inst->fo_config.holddown_ms =
		yang_dnode_get_uint32(args->dnode, NULL) * 1000;
	erp_paths_config_changed(inst);
	return NB_OK;
}

int erp_nb_holddown_max_modify(struct nb_cb_modify_args *args)
{
	struct erp_instance *inst;

	if (args->event == NB_EV_VALIDATE)
		return holddown_check(args->dnode, args->errmsg,
				      args->errmsg_len);
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	inst = instance_of(args->dnode);
	inst->fo_config.holddown_max_ms =
		yang_dnode_get_uint32(args->dnode, NULL) * 1000;
	erp_paths_config_changed(inst);
	return NB_OK;
}

int erp_nb_drain_modify(struct nb_cb_modify_args *args)
{
	struct erp_instance *inst;

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	inst = instance_of(args->dnode);
	inst->fo_config.drained = yang_dnode_get_bool(args->dnode, NULL);
	erp_paths_config_changed(inst);
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
	if (!written(dnode, "./expressroute") && !written(dnode, "./vpn"))
		return;
	vty_out(vty, " erpolicy local-preference expressroute %u vpn %u\n",
		yang_dnode_get_uint32(dnode, "./expressroute"),
		yang_dnode_get_uint32(dnode, "./vpn"));
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
	uint32_t hd = yang_dnode_get_uint32(dnode, "./hold-down");
	uint32_t max = yang_dnode_get_uint32(dnode, "./hold-down-maximum");

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
	if (yang_dnode_get_bool(dnode, "./default-route"))
		vty_out(vty, " erpolicy advertise default-route\n");
	if (yang_dnode_get_bool(dnode, "./allow-transit"))
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
