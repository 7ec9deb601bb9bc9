// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: "show bgp erpolicy [neighbor X] [json]" (FRR glue).
 *
 * One view of an instance holds what both outputs need; a text renderer and
 * a JSON renderer print it.  Building the view reads the module and bgpd
 * and changes neither; erp_show_view_free() releases what it took.
 */
#ifndef _ERPOLICY_SHOW_H
#define _ERPOLICY_SHOW_H

#include "json.h"
#include "vty.h"

#include "erpolicy.h"
#include "erpolicy_health.h"
#include "erpolicy_view.h"

struct erp_show_decl {
	const struct erp_neighbor *nbr;
	bool exists; /* a neighbor or peer-group of that name is configured */
};

struct erp_show_view {
	struct erp_instance *inst;
	bool bgp_present; /* the BGP instance is configured in bgpd */
	uint32_t local_as;
	bool detail; /* one neighbor, in detail */
	struct erp_af_view af[ERP_AFI_MAX];
	struct erp_health_item *health;
	unsigned int n_health, max_health;
	struct erp_show_decl *decls; /* every declaration, in order */
	unsigned int n_decls;
	struct erp_peer_view *peers; /* neighbors with a path (or the one) */
	unsigned int n_peers;
};

/* The view of inst; only: the neighbor of that name alone, in detail. */
extern void erp_show_view_build(struct erp_instance *inst, const char *only,
				struct erp_show_view *view);
extern void erp_show_view_free(struct erp_show_view *view);

extern void erp_show_text(struct vty *vty, const struct erp_show_view *view);
/* Adds the view's members to json. */
extern void erp_show_json(json_object *json, const struct erp_show_view *view);

#endif
