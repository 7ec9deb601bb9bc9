// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: northbound callback table and late loading of the model.
 *
 * bgpd loads its YANG modules in nb_init(), before any module could add
 * one, so the model is loaded from an event scheduled by frr_late_init: it
 * then runs in the daemon (after the fork of -d), before the configuration
 * file is read.  The northbound nodes are made here with the module's own
 * memory type and unlinked again at shutdown, before libfrr frees its own.
 */
#include <zebra.h>

#include "northbound.h"
#include "northbound_cli.h"
#include "vty.h"
#include "yang.h"

#include "erpolicy.h"
#include "erpolicy_memory.h"
#include "erpolicy_nb.h"
#include "erpolicy_map_names.h"

DEFINE_MTYPE_STATIC(ERPOLICY, ERP_NB_NODE, "erpolicy northbound node");

#define STATE_INST ERP_XPATH_STATE "/instance"
#define STATE_IAF STATE_INST "/address-family"
#define STATE_NBR STATE_INST "/neighbor"
#define STATE_NAF STATE_NBR "/address-family"
#define DENIED STATE_NAF "/prefixes-denied"

static const struct frr_yang_module_info erp_nb_info = {
	.name = ERP_YANG_MODULE,
	.nodes = {
		{ .xpath = ERP_XPATH_BASE "/instance",
		  .cbs = { .create = erp_nb_instance_create,
			   .destroy = erp_nb_instance_destroy } },
		{ .xpath = ERP_XPATH_BASE "/instance/neighbor",
		  .cbs = { .create = erp_nb_neighbor_create,
			   .destroy = erp_nb_neighbor_destroy,
			   .cli_show = erp_cli_show_neighbor } },
		{ .xpath = ERP_XPATH_BASE "/instance/neighbor/path",
		  .cbs = { .modify = erp_nb_neighbor_path_modify } },
		{ .xpath = ERP_XPATH_BASE "/instance/neighbor/route-map-in",
		  .cbs = { .modify = erp_nb_neighbor_user_map_modify,
			   .destroy = erp_nb_neighbor_user_map_destroy } },
		{ .xpath = ERP_XPATH_BASE "/instance/neighbor/route-map-out",
		  .cbs = { .modify = erp_nb_neighbor_user_map_modify,
			   .destroy = erp_nb_neighbor_user_map_destroy } },
		{ .xpath = ERP_XPATH_BASE "/instance/local-preference",
		  .cbs = { .cli_show = erp_cli_show_local_pref } },
		{ .xpath = ERP_XPATH_BASE "/instance/local-preference/expressroute",
		  .cbs = { .modify = erp_nb_scalar_modify,
			   .destroy = erp_nb_scalar_destroy } },
		{ .xpath = ERP_XPATH_BASE "/instance/local-preference/vpn",
		  .cbs = { .modify = erp_nb_scalar_modify,
			   .destroy = erp_nb_scalar_destroy } },
		{ .xpath = ERP_XPATH_BASE "/instance/azure-prefix",
		  .cbs = { .create = erp_nb_prefix_create,
			   .destroy = erp_nb_prefix_destroy,
			   .apply_finish = erp_nb_prefix_apply_finish,
			   .cli_show = erp_cli_show_prefix } },
		{ .xpath = ERP_XPATH_BASE "/instance/azure-prefix/ge",
		  .cbs = { .modify = erp_nb_prefix_bound_modify,
			   .destroy = erp_nb_prefix_bound_destroy } },
		{ .xpath = ERP_XPATH_BASE "/instance/azure-prefix/le",
		  .cbs = { .modify = erp_nb_prefix_bound_modify,
			   .destroy = erp_nb_prefix_bound_destroy } },
		{ .xpath = ERP_XPATH_BASE "/instance/onprem-prefix",
		  .cbs = { .create = erp_nb_prefix_create,
			   .destroy = erp_nb_prefix_destroy,
			   .apply_finish = erp_nb_prefix_apply_finish,
			   .cli_show = erp_cli_show_prefix } },
		{ .xpath = ERP_XPATH_BASE "/instance/onprem-prefix/ge",
		  .cbs = { .modify = erp_nb_prefix_bound_modify,
			   .destroy = erp_nb_prefix_bound_destroy } },
		{ .xpath = ERP_XPATH_BASE "/instance/onprem-prefix/le",
		  .cbs = { .modify = erp_nb_prefix_bound_modify,
			   .destroy = erp_nb_prefix_bound_destroy } },
		{ .xpath = ERP_XPATH_BASE "/instance/prefer-vpn-prefix",
		  .cbs = { .create = erp_nb_prefix_create,
			   .destroy = erp_nb_prefix_destroy,
			   .apply_finish = erp_nb_prefix_apply_finish,
			   .cli_show = erp_cli_show_prefix } },
		{ .xpath = ERP_XPATH_BASE "/instance/prefer-vpn-prefix/ge",
		  .cbs = { .modify = erp_nb_prefix_bound_modify,
			   .destroy = erp_nb_prefix_bound_destroy } },
		{ .xpath = ERP_XPATH_BASE "/instance/prefer-vpn-prefix/le",
		  .cbs = { .modify = erp_nb_prefix_bound_modify,
			   .destroy = erp_nb_prefix_bound_destroy } },
		{ .xpath = ERP_XPATH_BASE "/instance/mode",
		  .cbs = { .modify = erp_nb_scalar_modify,
			   .destroy = erp_nb_scalar_destroy,
			   .cli_show = erp_cli_show_mode } },
		{ .xpath = ERP_XPATH_BASE "/instance/advertise",
		  .cbs = { .cli_show = erp_cli_show_advertise } },
		{ .xpath = ERP_XPATH_BASE "/instance/advertise/default-route",
		  .cbs = { .modify = erp_nb_scalar_modify,
			   .destroy = erp_nb_scalar_destroy } },
		{ .xpath = ERP_XPATH_BASE "/instance/advertise/allow-transit",
		  .cbs = { .modify = erp_nb_scalar_modify,
			   .destroy = erp_nb_scalar_destroy } },
		{ .xpath = ERP_XPATH_BASE "/instance/advertise/symmetric-guard",
		  .cbs = { .modify = erp_nb_scalar_modify,
			   .destroy = erp_nb_scalar_destroy } },
		{ .xpath = ERP_XPATH_BASE "/instance/advertise/vpn-prepend",
		  .cbs = { .modify = erp_nb_scalar_modify,
			   .destroy = erp_nb_scalar_destroy } },
		{ .xpath = ERP_XPATH_BASE "/instance/advertise/limit/expressroute",
		  .cbs = { .modify = erp_nb_scalar_modify,
			   .destroy = erp_nb_scalar_destroy } },
		{ .xpath = ERP_XPATH_BASE "/instance/advertise/limit/vpn",
		  .cbs = { .modify = erp_nb_scalar_modify,
			   .destroy = erp_nb_scalar_destroy } },
		{ .xpath = ERP_XPATH_BASE "/instance/advertise/limit/action",
		  .cbs = { .modify = erp_nb_scalar_modify,
			   .destroy = erp_nb_scalar_destroy } },
		{ .xpath = ERP_XPATH_BASE "/instance/advertise/limit/warning-threshold",
		  .cbs = { .modify = erp_nb_scalar_modify,
			   .destroy = erp_nb_scalar_destroy } },
		{ .xpath = ERP_XPATH_BASE "/instance/allow-default-route",
		  .cbs = { .modify = erp_nb_scalar_modify,
			   .destroy = erp_nb_scalar_destroy,
			   .cli_show = erp_cli_show_allow_default } },
		{ .xpath = ERP_XPATH_BASE "/instance/failback",
		  .cbs = { .cli_show = erp_cli_show_failback } },
		{ .xpath = ERP_XPATH_BASE "/instance/failback/hold-down",
		  .cbs = { .modify = erp_nb_scalar_modify,
			   .destroy = erp_nb_scalar_destroy } },
		{ .xpath = ERP_XPATH_BASE "/instance/failback/hold-down-maximum",
		  .cbs = { .modify = erp_nb_scalar_modify,
			   .destroy = erp_nb_scalar_destroy } },
		{ .xpath = ERP_XPATH_BASE "/instance/drain-expressroute",
		  .cbs = { .modify = erp_nb_scalar_modify,
			   .destroy = erp_nb_scalar_destroy,
			   .cli_show = erp_cli_show_drain } },
		{ .xpath = ERP_XPATH_BASE "/instance/symmetric-failover",
		  .cbs = { .modify = erp_nb_scalar_modify,
			   .destroy = erp_nb_scalar_destroy,
			   .cli_show = erp_cli_show_symmetric } },
		{ .xpath = ERP_XPATH_BASE "/instance/maximum-prefix-length",
		  .cbs = { .cli_show = erp_cli_show_maxlen } },
		{ .xpath = ERP_XPATH_BASE "/instance/maximum-prefix-length/ipv4",
		  .cbs = { .modify = erp_nb_scalar_modify,
			   .destroy = erp_nb_scalar_destroy } },
		{ .xpath = ERP_XPATH_BASE "/instance/maximum-prefix-length/ipv6",
		  .cbs = { .modify = erp_nb_scalar_modify,
			   .destroy = erp_nb_scalar_destroy } },

		{ .xpath = STATE_INST,
		  .cbs = { .get_next = erp_nb_st_instance_get_next,
			   .get_keys = erp_nb_st_instance_get_keys,
			   .lookup_entry = erp_nb_st_instance_lookup } },
		{ .xpath = STATE_INST "/vrf",
		  .cbs = { .get_elem = erp_nb_st_instance_vrf } },
		{ .xpath = STATE_INST "/bgp-instance-present",
		  .cbs = { .get_elem = erp_nb_st_instance_present } },
		{ .xpath = STATE_INST "/symmetric-failover",
		  .cbs = { .get_elem = erp_nb_st_instance_symmetric } },
		{ .xpath = STATE_IAF,
		  .cbs = { .get_next = erp_nb_st_iaf_get_next,
			   .get_keys = erp_nb_st_iaf_get_keys,
			   .lookup_entry = erp_nb_st_iaf_lookup } },
		{ .xpath = STATE_IAF "/afi",
		  .cbs = { .get_elem = erp_nb_st_iaf_afi } },
		{ .xpath = STATE_IAF "/preferred-path",
		  .cbs = { .get_elem = erp_nb_st_iaf_preferred } },
		{ .xpath = STATE_IAF "/expressroute-sessions-established",
		  .cbs = { .get_elem = erp_nb_st_iaf_er_up } },
		{ .xpath = STATE_IAF "/vpn-sessions-established",
		  .cbs = { .get_elem = erp_nb_st_iaf_vpn_up } },
		{ .xpath = STATE_IAF "/path-state",
		  .cbs = { .get_elem = erp_nb_st_iaf_path_state } },
		{ .xpath = STATE_IAF "/expressroute-demoted",
		  .cbs = { .get_elem = erp_nb_st_iaf_demoted } },
		{ .xpath = STATE_IAF "/hold-down-remaining",
		  .cbs = { .get_elem = erp_nb_st_iaf_holddown_left } },
		{ .xpath = STATE_IAF "/expressroute-withdrawn",
		  .cbs = { .get_elem = erp_nb_st_iaf_withdrawn } },
		{ .xpath = STATE_INST "/event",
		  .cbs = { .get_next = erp_nb_st_event_get_next,
			   .get_keys = erp_nb_st_event_get_keys,
			   .lookup_entry = erp_nb_st_event_lookup } },
		{ .xpath = STATE_INST "/event/seq",
		  .cbs = { .get_elem = erp_nb_st_event_elem } },
		{ .xpath = STATE_INST "/event/time",
		  .cbs = { .get_elem = erp_nb_st_event_elem } },
		{ .xpath = STATE_INST "/event/afi",
		  .cbs = { .get_elem = erp_nb_st_event_elem } },
		{ .xpath = STATE_INST "/event/type",
		  .cbs = { .get_elem = erp_nb_st_event_elem } },
		{ .xpath = STATE_INST "/event/from-state",
		  .cbs = { .get_elem = erp_nb_st_event_elem } },
		{ .xpath = STATE_INST "/event/to-state",
		  .cbs = { .get_elem = erp_nb_st_event_elem } },
		{ .xpath = STATE_INST "/event/cause",
		  .cbs = { .get_elem = erp_nb_st_event_elem } },
		{ .xpath = STATE_INST "/event/prefixes",
		  .cbs = { .get_elem = erp_nb_st_event_elem } },
		{ .xpath = STATE_INST "/event/hold-down",
		  .cbs = { .get_elem = erp_nb_st_event_elem } },
		{ .xpath = STATE_INST "/health-warning",
		  .cbs = { .get_next = erp_nb_st_health_get_next,
			   .get_elem = erp_nb_st_health_elem } },
		{ .xpath = STATE_NBR,
		  .cbs = { .get_next = erp_nb_st_nbr_get_next,
			   .get_keys = erp_nb_st_nbr_get_keys,
			   .lookup_entry = erp_nb_st_nbr_lookup } },
		{ .xpath = STATE_NBR "/name",
		  .cbs = { .get_elem = erp_nb_st_nbr_name } },
		{ .xpath = STATE_NBR "/path",
		  .cbs = { .get_elem = erp_nb_st_nbr_path } },
		{ .xpath = STATE_NBR "/declared-as",
		  .cbs = { .get_elem = erp_nb_st_nbr_declared_as } },
		{ .xpath = STATE_NBR "/session-state",
		  .cbs = { .get_elem = erp_nb_st_nbr_state } },
		{ .xpath = STATE_NBR "/local-preference",
		  .cbs = { .get_elem = erp_nb_st_nbr_lp } },
		{ .xpath = STATE_NAF,
		  .cbs = { .get_next = erp_nb_st_naf_get_next,
			   .get_keys = erp_nb_st_naf_get_keys,
			   .lookup_entry = erp_nb_st_naf_lookup } },
		{ .xpath = STATE_NAF "/afi",
		  .cbs = { .get_elem = erp_nb_st_naf_afi } },
		{ .xpath = STATE_NAF "/route-map-in",
		  .cbs = { .get_elem = erp_nb_st_naf_rmap } },
		{ .xpath = STATE_NAF "/user-route-map-in",
		  .cbs = { .get_elem = erp_nb_st_naf_user_rmap } },
		{ .xpath = STATE_NAF "/prefixes-accepted",
		  .cbs = { .get_elem = erp_nb_st_naf_prefixes } },
		{ .xpath = STATE_NAF "/updates-accepted",
		  .cbs = { .get_elem = erp_nb_st_naf_accepted } },
		{ .xpath = STATE_NAF "/updates-denied",
		  .cbs = { .get_elem = erp_nb_st_naf_updates_denied } },
		{ .xpath = STATE_NAF "/route-map-out",
		  .cbs = { .get_elem = erp_nb_st_naf_out } },
		{ .xpath = STATE_NAF "/user-route-map-out",
		  .cbs = { .get_elem = erp_nb_st_naf_out } },
		{ .xpath = STATE_NAF "/prefixes-advertised",
		  .cbs = { .get_elem = erp_nb_st_naf_out } },
		{ .xpath = STATE_NAF "/advertise-limit",
		  .cbs = { .get_elem = erp_nb_st_naf_out } },
		{ .xpath = STATE_NAF "/symmetric-guard-warnings",
		  .cbs = { .get_elem = erp_nb_st_naf_out } },
		{ .xpath = STATE_NAF "/prefixes-not-advertised/truncated",
		  .cbs = { .get_elem = erp_nb_st_naf_out } },
		{ .xpath = STATE_INST "/overlaps/onprem-overlaps",
		  .cbs = { .get_elem = erp_nb_st_overlaps } },
		{ .xpath = STATE_INST "/overlaps/expressroute-only",
		  .cbs = { .get_elem = erp_nb_st_overlaps } },
		{ .xpath = STATE_INST "/overlaps/vpn-only",
		  .cbs = { .get_elem = erp_nb_st_overlaps } },
		{ .xpath = STATE_INST "/overlaps/vpn-more-specific",
		  .cbs = { .get_elem = erp_nb_st_overlaps } },
		{ .xpath = DENIED "/truncated",
		  .cbs = { .get_elem = erp_nb_st_naf_truncated } },
		{ .xpath = NULL },
	}
};

static struct yang_module *erp_module;

static int nb_node_new(const struct lysc_node *snode, void *arg)
{
	struct nb_node *nb_node;
	struct lysc_node *sparent, *sparent_list;

	if (snode->priv)
		return YANG_ITER_CONTINUE;

	nb_node = XCALLOC(MTYPE_ERP_NB_NODE, sizeof(*nb_node));
	yang_snode_get_path(snode, YANG_PATH_DATA, nb_node->xpath,
			    sizeof(nb_node->xpath));
	nb_node->priority = NB_DFLT_PRIORITY;
	sparent = yang_snode_real_parent(snode);
	if (sparent)
		nb_node->parent = sparent->priv;
	sparent_list = yang_snode_parent_list(snode);
	if (sparent_list)
		nb_node->parent_list = sparent_list->priv;
	if (CHECK_FLAG(snode->nodetype, LYS_CONTAINER | LYS_LIST)) {
		/* config-only unless a config-false node is below */
		if (!CHECK_FLAG(snode->flags, LYS_CONFIG_R) &&
		    strncmp(nb_node->xpath, ERP_XPATH_STATE,
			    strlen(ERP_XPATH_STATE)) != 0)
			SET_FLAG(nb_node->flags, F_NB_NODE_CONFIG_ONLY);
	}
	if (CHECK_FLAG(snode->nodetype, LYS_LIST) &&
	    yang_snode_num_keys(snode) == 0)
		SET_FLAG(nb_node->flags, F_NB_NODE_KEYLESS_LIST);
	nb_node->snode = snode;
	((struct lysc_node *)snode)->priv = nb_node;
	return YANG_ITER_CONTINUE;
}

static int nb_node_del(const struct lysc_node *snode, void *arg)
{
	if (snode->priv) {
		XFREE(MTYPE_ERP_NB_NODE, ((struct lysc_node *)snode)->priv);
		((struct lysc_node *)snode)->priv = NULL;
	}
	return YANG_ITER_CONTINUE;
}

/*
 * Route-map names starting with "erpolicy-" are the module's.  libfrr's
 * route-map northbound would hand an operator's "route-map erpolicy-vpn
 * permit 5" the module's own map (route_map_get finds it), slipping an
 * entry in ahead of the module's verdict.  The module wraps the create
 * callback of /frr-route-map:lib/route-map to refuse such names while it
 * validates, for every northbound client alike.
 */
#define RMAP_XPATH "/frr-route-map:lib/route-map"
static int (*rmap_create_orig)(struct nb_cb_create_args *args);

static int rmap_create_guard(struct nb_cb_create_args *args)
{
	const char *name = yang_dnode_get_string(args->dnode, "./name");

	if (args->event == NB_EV_VALIDATE && erp_rmap_reserved(name)) {
		snprintf(args->errmsg, args->errmsg_len,
			 "route-map %s: names starting with \"%s\" are reserved for bgpd_erpolicy's own maps; name your map differently and give it to the module with \"erpolicy neighbor X route-map NAME in|out\"",
			 name, ERP_RMAP_RESERVED_PREFIX);
		return NB_ERR_VALIDATION;
	}
	return rmap_create_orig ? rmap_create_orig(args) : NB_OK;
}

/*
 * Nor may an operator's map "call" one of the module's: the declaration's
 * own map is a dependency of the module's map (erp_rmap_user_dependency),
 * so "erpolicy neighbor X route-map U in" with U calling erpolicy-vpn is a
 * cycle, and libfrr's route_map_notify_dependencies() recurses through a
 * cycle until the stack overflows (bgpd SIGSEGV; FRR 8.4.4 does the same
 * with two operator maps that call each other).
 */
#define RMAP_CALL_XPATH "/frr-route-map:lib/route-map/entry/call"
static int (*rmap_call_orig)(struct nb_cb_modify_args *args);

static int rmap_call_guard(struct nb_cb_modify_args *args)
{
	const char *target = yang_dnode_get_string(args->dnode, NULL);

	if (args->event == NB_EV_VALIDATE && erp_rmap_reserved(target)) {
		snprintf(args->errmsg, args->errmsg_len,
			 "route-map %s: \"call %s\": bgpd_erpolicy's maps are attached to neighbors, never called; give your map to the module with \"erpolicy neighbor X route-map NAME in|out\" instead",
			 yang_dnode_get_string(args->dnode, "../../name"),
			 target);
		return NB_ERR_VALIDATION;
	}
	return rmap_call_orig ? rmap_call_orig(args) : NB_OK;
}

static void rmap_guard(bool on)
{
	struct nb_node *node = nb_node_find(RMAP_XPATH);
	struct nb_node *call = nb_node_find(RMAP_CALL_XPATH);

	if (!node || !call) {
		if (on)
			zlog_err("erpolicy: %s not loaded: reserved route-map names are not guarded",
				 RMAP_XPATH);
		return;
	}
	if (on && node->cbs.create != rmap_create_guard) {
		rmap_create_orig = node->cbs.create;
		node->cbs.create = rmap_create_guard;
	} else if (!on && node->cbs.create == rmap_create_guard)
		node->cbs.create = rmap_create_orig;

	if (on && call->cbs.modify != rmap_call_guard) {
		rmap_call_orig = call->cbs.modify;
		call->cbs.modify = rmap_call_guard;
	} else if (!on && call->cbs.modify == rmap_call_guard)
		call->cbs.modify = rmap_call_orig;
}

/* One counter leaf per reason and direction, named by the reasons table
 * (erpolicy_decide.c). */
static void reason_callbacks(void)
{
	char xpath[XPATH_MAXLEN];
	struct nb_node *node;

	for (int r = ERP_ACCEPT + 1; r < ERP_REASON_MAX; r++) {
		const struct erp_reason_info *info = erp_reason_info(r);

		for (unsigned int dirbit = ERP_REASON_IN; dirbit <= ERP_REASON_OUT;
		     dirbit <<= 1) {
			if (!(info->dirs & dirbit))
				continue;
			snprintf(xpath, sizeof(xpath), "%s/%s",
				 dirbit == ERP_REASON_IN
					 ? DENIED
					 : STATE_NAF "/prefixes-not-advertised",
				 info->yang);
			node = nb_node_find(xpath);
			if (!node) {
				zlog_err("erpolicy: YANG model lacks %s", xpath);
				continue;
			}
			node->cbs.get_elem = dirbit == ERP_REASON_IN
						     ? erp_nb_st_naf_denied
						     : erp_nb_st_naf_out;
		}
	}
}

void erp_nb_load(void)
{
	if (erp_module)
		return;
	erp_module = erp_yang_module_load(ERP_YANG_MODULE);
	yang_snodes_iterate(erp_module->info, nb_node_new, 0, NULL);
	for (size_t i = 0; erp_nb_info.nodes[i].xpath; i++) {
		struct nb_node *nb_node = nb_node_find(erp_nb_info.nodes[i].xpath);

		if (!nb_node) {
			zlog_err("erpolicy: YANG model lacks %s",
				 erp_nb_info.nodes[i].xpath);
			continue;
		}
		nb_node->cbs = erp_nb_info.nodes[i].cbs;
	}
	reason_callbacks();
	nb_validate_callbacks();
	rmap_guard(true);
	erp_nb_prepare_config(running_config);
	erp_nb_prepare_config(vty_shared_candidate_config);
}

void erp_nb_unload(void)
{
	if (!erp_module)
		return;
	rmap_guard(false);
	yang_snodes_iterate(erp_module->info, nb_node_del, 0, NULL);
	erp_module = NULL;
}

/*
 * libyang keeps top-level nodes of different modules in its own order, and
 * this module's container sorts before frr-filter's: created by an edit, it
 * becomes the first sibling while FRR's config->dnode keeps pointing at the
 * old first one, and FRR's diff, which walks on from config->dnode, never
 * sees the change (the first erpolicy line of a configuration file was
 * silently lost).  So the container is created ahead of any edit and the
 * tree's head pointer moved to the true first sibling.
 */
void erp_nb_prepare_config(struct nb_config *config)
{
	struct lyd_node *top = NULL;

	if (!erp_module || !config)
		return;
	if (!config->dnode || !yang_dnode_get(config->dnode, ERP_XPATH_BASE)) {
		if (lyd_new_path(config->dnode, ly_native_ctx, ERP_XPATH_BASE,
				 NULL, 0, &top) != LY_SUCCESS) {
			zlog_err("erpolicy: cannot create %s in a configuration",
				 ERP_XPATH_BASE);
			return;
		}
		if (!config->dnode)
			config->dnode = top;
	}
	config->dnode = lyd_first_sibling(config->dnode);
}

/*
 * bgpd reads its configuration file (bgpd -f, and `configuration load`)
 * with FRR 8.4's classic CLI, which commits every YANG line as a
 * transaction of its own: validation, diff and copy of the whole candidate
 * tree, so reading n erpolicy lines cost O(n^2) (2,000 declarations: 9 s
 * of bgpd CPU, >99 % in libyang and malloc, <0.1 % in this module).  The
 * same lines sent by `vtysh -b` or `vtysh -f` (frr-reload) are grouped by
 * FRR itself: vtysh brackets them with XFRR_start_configuration, which sets
 * vty->pending_allowed, and consecutive YANG commands then form one
 * transaction, committed before the next non-YANG command and when the vty
 * closes (vty_config_node_exit()).  Reading a file, this module asks for
 * the same from its first line on, as later FRR does for every file
 * (mgmtd reads configuration files with pending_allowed set).  Effect: the
 * rest of the file is read the way `vtysh -b` would send it; a line that
 * fails validation at the grouped commit rejects its group, and FRR logs
 * the grouped lines.
 */
void erp_nb_group_file_lines(struct vty *vty)
{
	if (vty->type == VTY_FILE && vty->config && !vty->pending_allowed)
		vty->pending_allowed = true;
}

/*
 * The BGP instance is gone ("no router bgp"): its erpolicy configuration
 * goes with it, as the rest of the router bgp block does, so it neither
 * lingers invisibly (running-config renders it inside router bgp) nor
 * comes back unasked with a new instance of the same VRF.
 */
void erp_nb_forget_instance(const char *vrf)
{
	struct nb_context context = {.client = NB_CLIENT_NONE};
	struct nb_config *candidate;
	char xpath[XPATH_MAXLEN], errmsg[BUFSIZ] = {};
	int ret;

	char q = erp_xpath_quote(vrf);

	if (!q || !erp_nb_running_instance(vrf))
		return;
	snprintf(xpath, sizeof(xpath), ERP_XPATH_INSTANCE, q, vrf, q);
	candidate = nb_config_dup(running_config);
	erp_nb_prepare_config(candidate);
	ret = nb_candidate_edit(candidate, nb_node_find(ERP_XPATH_BASE "/instance"),
				NB_OP_DESTROY, xpath, NULL, NULL);
	if (ret == NB_OK)
		ret = nb_candidate_commit(ERP_NB_CONTEXT(context), candidate, false,
					  "erpolicy: BGP instance deleted",
					  NULL, errmsg, sizeof(errmsg));
	if (ret != NB_OK && ret != NB_ERR_NO_CHANGES)
		zlog_warn("erpolicy: could not remove the configuration of deleted BGP instance %s: %s %s",
			  vrf, nb_err_name(ret), errmsg);
	nb_config_free(candidate);
}


const struct lyd_node *erp_nb_running_instance(const char *vrf)
{
	char q = erp_xpath_quote(vrf);

	if (!erp_module || !running_config || !running_config->dnode || !q)
		return NULL;
	return yang_dnode_getf(running_config->dnode, ERP_XPATH_INSTANCE, q,
			       vrf, q);
}
