// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: northbound (YANG model frr-bgp-erpolicy).
 *
 * erpolicy_nb.c         the callback table and late loading of the model
 * erpolicy_nb_config.c  configuration callbacks: YANG data -> module state
 * erpolicy_nb_state.c   operational state callbacks
 */
#ifndef _ERPOLICY_NB_H
#define _ERPOLICY_NB_H

#include "northbound.h"

#define ERP_YANG_MODULE "frr-bgp-erpolicy"
#define ERP_XPATH_BASE "/frr-bgp-erpolicy:erpolicy"
/* with the quote character of erp_xpath_quote() around the VRF name */
#define ERP_XPATH_INSTANCE ERP_XPATH_BASE "/instance[vrf=%c%s%c]"

/* The quote to put a name in an XPath predicate with: names may hold a
 * quote (FRR accepts them in peer-group and VRF names).  0 if the name
 * holds both kinds: it cannot be written in an XPath at all. */
static inline char erp_xpath_quote(const char *name)
{
	if (!strchr(name, '\''))
		return '\'';
	if (!strchr(name, '"'))
		return '"';
	return 0;
}
#define ERP_XPATH_STATE "/frr-bgp-erpolicy:erpolicy-state"

/* Load the model and attach callbacks (from an event after late init). */
extern void erp_nb_load(void);
/* Detach the module's northbound nodes (before libfrr frees its own). */
extern void erp_nb_unload(void);
/* Make a configuration tree ready for this module's edits (see .c). */
extern void erp_nb_prepare_config(struct nb_config *config);
/* A configuration command is about to apply its changes from vty: when
 * vty reads a configuration file, group this and the following YANG lines
 * into one transaction (see .c). */
extern void erp_nb_group_file_lines(struct vty *vty);

/* Remove the configuration of a deleted BGP instance. */
extern void erp_nb_forget_instance(const char *vrf);
/* The running configuration of one BGP instance, or NULL. */
extern const struct lyd_node *erp_nb_running_instance(const char *vrf);

/*
 * Checks of a configuration change, shared by the northbound's validation
 * (every client) and the CLI, which runs them before it enqueues a line:
 * a configuration file's lines are committed in groups, and a line the
 * CLI refuses alone does not take its group down with it.  Each returns
 * true if the change is refused, with the reason in errmsg.
 */
/* idn: the instance node in the configuration checked, or NULL */
extern bool erp_nb_prefix_conflict(const struct lyd_node *idn, const char *kind,
				   const char *prefix, char *errmsg,
				   size_t errlen);
extern bool erp_nb_holddown_invalid(uint32_t hd, uint32_t max, char *errmsg,
				    size_t errlen);
extern bool erp_nb_path_conflict(const char *name, const char *declared,
				 const char *wanted, char *errmsg,
				 size_t errlen);

/* configuration */
int erp_nb_scalar_modify(struct nb_cb_modify_args *args);
int erp_nb_scalar_destroy(struct nb_cb_destroy_args *args);
int erp_nb_instance_create(struct nb_cb_create_args *args);
int erp_nb_instance_destroy(struct nb_cb_destroy_args *args);
int erp_nb_neighbor_create(struct nb_cb_create_args *args);
int erp_nb_neighbor_destroy(struct nb_cb_destroy_args *args);
int erp_nb_neighbor_path_modify(struct nb_cb_modify_args *args);
int erp_nb_neighbor_user_map_modify(struct nb_cb_modify_args *args);
int erp_nb_neighbor_user_map_destroy(struct nb_cb_destroy_args *args);
int erp_nb_prefix_create(struct nb_cb_create_args *args);
int erp_nb_prefix_destroy(struct nb_cb_destroy_args *args);
int erp_nb_prefix_bound_modify(struct nb_cb_modify_args *args);
int erp_nb_prefix_bound_destroy(struct nb_cb_destroy_args *args);
void erp_nb_prefix_apply_finish(struct nb_cb_apply_finish_args *args);
void erp_cli_show_mode(struct vty *vty, const struct lyd_node *dnode,
		       bool show_defaults);
void erp_cli_show_advertise(struct vty *vty, const struct lyd_node *dnode,
			    bool show_defaults);
void erp_cli_show_failback(struct vty *vty, const struct lyd_node *dnode,
			   bool show_defaults);
void erp_cli_show_symmetric(struct vty *vty, const struct lyd_node *dnode,
			    bool show_defaults);
void erp_cli_show_drain(struct vty *vty, const struct lyd_node *dnode,
			bool show_defaults);

void erp_cli_show_neighbor(struct vty *vty, const struct lyd_node *dnode,
			   bool show_defaults);
void erp_cli_show_local_pref(struct vty *vty, const struct lyd_node *dnode,
			     bool show_defaults);
void erp_cli_show_prefix(struct vty *vty, const struct lyd_node *dnode,
			 bool show_defaults);
void erp_cli_show_allow_default(struct vty *vty, const struct lyd_node *dnode,
				bool show_defaults);
void erp_cli_show_maxlen(struct vty *vty, const struct lyd_node *dnode,
			 bool show_defaults);

/* operational state */
const void *erp_nb_st_instance_get_next(struct nb_cb_get_next_args *args);
int erp_nb_st_instance_get_keys(struct nb_cb_get_keys_args *args);
const void *erp_nb_st_instance_lookup(struct nb_cb_lookup_entry_args *args);
struct yang_data *erp_nb_st_instance_vrf(struct nb_cb_get_elem_args *args);
struct yang_data *erp_nb_st_instance_present(struct nb_cb_get_elem_args *args);
const void *erp_nb_st_iaf_get_next(struct nb_cb_get_next_args *args);
int erp_nb_st_iaf_get_keys(struct nb_cb_get_keys_args *args);
const void *erp_nb_st_iaf_lookup(struct nb_cb_lookup_entry_args *args);
struct yang_data *erp_nb_st_iaf_afi(struct nb_cb_get_elem_args *args);
struct yang_data *erp_nb_st_iaf_preferred(struct nb_cb_get_elem_args *args);
struct yang_data *erp_nb_st_iaf_er_up(struct nb_cb_get_elem_args *args);
struct yang_data *erp_nb_st_iaf_vpn_up(struct nb_cb_get_elem_args *args);
struct yang_data *erp_nb_st_iaf_path_state(struct nb_cb_get_elem_args *args);
struct yang_data *erp_nb_st_iaf_demoted(struct nb_cb_get_elem_args *args);
struct yang_data *erp_nb_st_iaf_holddown_left(struct nb_cb_get_elem_args *args);
struct yang_data *erp_nb_st_iaf_withdrawn(struct nb_cb_get_elem_args *args);
struct yang_data *
erp_nb_st_instance_symmetric(struct nb_cb_get_elem_args *args);
const void *erp_nb_st_event_get_next(struct nb_cb_get_next_args *args);
int erp_nb_st_event_get_keys(struct nb_cb_get_keys_args *args);
const void *erp_nb_st_event_lookup(struct nb_cb_lookup_entry_args *args);
struct yang_data *erp_nb_st_event_elem(struct nb_cb_get_elem_args *args);
const void *erp_nb_st_health_get_next(struct nb_cb_get_next_args *args);
struct yang_data *erp_nb_st_health_elem(struct nb_cb_get_elem_args *args);
const void *erp_nb_st_nbr_get_next(struct nb_cb_get_next_args *args);
int erp_nb_st_nbr_get_keys(struct nb_cb_get_keys_args *args);
const void *erp_nb_st_nbr_lookup(struct nb_cb_lookup_entry_args *args);
struct yang_data *erp_nb_st_nbr_name(struct nb_cb_get_elem_args *args);
struct yang_data *erp_nb_st_nbr_path(struct nb_cb_get_elem_args *args);
struct yang_data *erp_nb_st_nbr_declared_as(struct nb_cb_get_elem_args *args);
struct yang_data *erp_nb_st_nbr_state(struct nb_cb_get_elem_args *args);
struct yang_data *erp_nb_st_nbr_lp(struct nb_cb_get_elem_args *args);
const void *erp_nb_st_naf_get_next(struct nb_cb_get_next_args *args);
int erp_nb_st_naf_get_keys(struct nb_cb_get_keys_args *args);
const void *erp_nb_st_naf_lookup(struct nb_cb_lookup_entry_args *args);
struct yang_data *erp_nb_st_naf_afi(struct nb_cb_get_elem_args *args);
struct yang_data *erp_nb_st_naf_rmap(struct nb_cb_get_elem_args *args);
struct yang_data *erp_nb_st_naf_user_rmap(struct nb_cb_get_elem_args *args);
struct yang_data *erp_nb_st_naf_prefixes(struct nb_cb_get_elem_args *args);
struct yang_data *erp_nb_st_naf_accepted(struct nb_cb_get_elem_args *args);
struct yang_data *erp_nb_st_naf_denied(struct nb_cb_get_elem_args *args);
struct yang_data *erp_nb_st_naf_updates_denied(struct nb_cb_get_elem_args *args);
struct yang_data *erp_nb_st_naf_truncated(struct nb_cb_get_elem_args *args);
struct yang_data *erp_nb_st_naf_out(struct nb_cb_get_elem_args *args);
struct yang_data *erp_nb_st_overlaps(struct nb_cb_get_elem_args *args);

#endif
