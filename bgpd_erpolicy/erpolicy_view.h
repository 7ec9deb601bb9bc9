// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: what a neighbor and an address family look like to the
 * show commands and the operational state (FRR glue; reads only).
 */
#ifndef _ERPOLICY_VIEW_H
#define _ERPOLICY_VIEW_H

#include "erpolicy.h"
#include "erpolicy_peer.h"

struct erp_peer_view {
	const char *name;
	enum erp_role role;
	const char *declared_as;
	const char *session_state;
	bool established;
	uint32_t local_pref;		   /* configured for the role */
	bool bfd;			   /* BFD configured on the neighbor */
	const char *user_map[ERP_DIR_MAX]; /* operator's maps (declaration) */
	struct {
		uint32_t local_pref; /* applied now (demotion included) */
		bool active;	     /* address family activated */
		bool negotiated;     /* ... and negotiated in the session */
		const char *rmap[ERP_DIR_MAX]; /* attached maps, by direction */
		/* the module's map of the declared path is attached */
		bool attached[ERP_DIR_MAX];
		uint32_t prefixes; /* accepted now (bgpd's count) */
		uint32_t denied[ERP_REASON_MAX]; /* distinct prefixes now */
		bool denied_truncated;
		uint64_t updates[ERP_REASON_MAX]; /* cumulative evaluations */
		/* outbound */
		uint32_t advertised; /* prefixes advertised now */
		uint32_t adv_limit;
		uint32_t out_denied[ERP_REASON_MAX];
		bool out_truncated;
		uint64_t out_updates[ERP_REASON_MAX];
		uint64_t guard_warnings;
	} af[ERP_AFI_MAX];
};

/* A read of inst's state begins: brings what the views take from walks of
 * the BGP table up to date (at most one walk per address family), so that
 * each view after it costs no walk. */
extern void erp_view_read_begin(struct erp_instance *inst);

/* After erp_view_read_begin(): no walk, no allocation. */
extern void erp_peer_view(struct erp_instance *inst, struct peer *peer,
			  struct erp_peer_view *view);

/* An address family of an instance: the paths and their sessions. */
struct erp_af_view {
	enum erp_path preferred; /* erp_paths_preferred() */
	enum erp_fo_state state;
	bool er_demoted;
	bool er_withdrawn; /* erp_paths_er_withdrawn() */
	uint32_t holddown_left; /* seconds, 0: no hold-down running */
	struct erp_path_sessions sessions;
};

extern void erp_af_view(struct erp_instance *inst, enum erp_afi afi,
			struct erp_af_view *view);

#endif
