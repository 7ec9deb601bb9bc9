// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: what the show commands print (FRR glue; the commands
 * themselves are in erpolicy_vty.c).
 *
 * "show bgp erpolicy [neighbor X] [json]": one view of an instance holds
 * what both outputs need; a text renderer and a JSON renderer print it.
 * Building the view reads the module and bgpd and changes neither;
 * erp_show_view_free() releases what it took.
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

/* The other show commands print what they read as they read it (the event
 * history, walks of the BGP table): one renderer each for text and JSON. */
extern void erp_show_events_text(struct vty *vty,
				 const struct erp_instance *inst);
extern void erp_show_events_json(json_object *json,
				 const struct erp_instance *inst);
/* Both families, or only the prefix only; returns the rows printed. */
extern unsigned int erp_show_prefixes_text(struct vty *vty,
					   struct erp_instance *inst,
					   const struct prefix *only);
extern unsigned int erp_show_prefixes_json(json_object *json,
					   struct erp_instance *inst,
					   const struct prefix *only);
extern void erp_show_overlaps_text(struct vty *vty, struct erp_instance *inst);
extern void erp_show_overlaps_json(json_object *json,
				   struct erp_instance *inst);

#endif
