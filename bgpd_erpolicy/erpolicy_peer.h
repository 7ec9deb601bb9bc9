// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: neighbors in bgpd (FRR glue).
 *
 * Resolves declared neighbors (addresses, interfaces, peer-groups) to bgpd
 * peers, re-evaluates their routes after policy changes, and describes
 * peers for the show commands and the operational state.
 *
 * The module never attaches or detaches route-maps: the operator's
 * configuration names the module's maps (erpolicy_rmap.h), and the maps
 * look up the peer's declaration when they run.
 */
#ifndef _ERPOLICY_PEER_H
#define _ERPOLICY_PEER_H

#include "erpolicy.h"

#include "zebra.h"

struct bgp;
struct peer;

extern const char *erp_vrf_of(const struct bgp *bgp);
extern struct bgp *erp_bgp_of(const struct erp_instance *inst);

/* The declaration of a bgpd peer: its own, else its peer-group's; NULL if
 * neither is declared. */
extern const struct erp_neighbor *
erp_peer_declaration(struct erp_instance *inst, struct peer *peer);
/* Role of a bgpd peer (its declaration's).  *declared_as (optional) gets
 * the name of the declaration. */
extern enum erp_role erp_peer_role(struct erp_instance *inst, struct peer *peer,
				   const char **declared_as);
/* The route-map attached to peer in (afi, dir), or NULL. */
extern const char *erp_peer_rmap(struct peer *peer, afi_t afi,
				 enum erp_dir dir);

/* The instance's configuration is being removed: forget its declarations
 * and re-evaluate at once the routes of peers that still run the module's
 * maps (they now deny everything). */
extern void erp_instance_removing(struct erp_instance *inst);
/* The policy changed: reconcile and re-evaluate received routes soon. */
extern void erp_policy_changed(struct erp_instance *inst);
/* Re-evaluate received (dir in) or advertised (dir out) routes of
 * neighbors of these roles (bit 1 << role) soon, without resetting
 * sessions. */
extern void erp_reevaluate(struct erp_instance *inst, enum erp_dir dir,
			   uint8_t roles);

/*
 * Outbound route-maps run on an update group's configuration copy of a
 * peer, not on the peer: the real peer with the same name stands for the
 * group (counters of advertisements are kept on it).  Returns peer itself
 * if it is a real peer.
 */
extern struct peer *erp_real_peer(struct peer *peer);
/* The peer whose outbound counters describe what peer is sent: the
 * representative of its update group in afi (or peer itself). */
extern struct peer *erp_out_representative(struct peer *peer, afi_t afi);

/* Peers with a role, in bgpd's order; NULL ends. */
extern struct peer *erp_peer_next(struct erp_instance *inst,
				  struct peer *prev);
extern struct peer *erp_peer_lookup(struct erp_instance *inst,
				    const char *name);

struct erp_peer_view {
	const char *name;
	enum erp_role role;
	const char *declared_as;
	const char *session_state;
	bool established;
	uint32_t local_pref;	/* configured for the role */
	bool bfd;		/* BFD configured on the neighbor */
	const char *user_map[ERP_DIR_MAX]; /* operator's maps (declaration) */
	struct {
		uint32_t local_pref; /* applied now (demotion included) */
		bool active;	      /* address family activated */
		bool negotiated;      /* ... and negotiated in the session */
		const char *rmap[ERP_DIR_MAX]; /* attached maps, by direction */
		/* the module's map of the declared path is attached */
		bool attached[ERP_DIR_MAX];
		uint32_t prefixes;    /* accepted now (bgpd's count) */
		uint32_t denied[ERP_REASON_MAX]; /* distinct prefixes now */
		bool denied_truncated;
		uint64_t updates[ERP_REASON_MAX]; /* cumulative evaluations */
		/* outbound */
		uint32_t advertised;	/* prefixes advertised now */
		uint32_t adv_limit;
		uint32_t out_denied[ERP_REASON_MAX];
		bool out_truncated;
		uint64_t out_updates[ERP_REASON_MAX];
		uint64_t guard_warnings;
	} af[ERP_AFI_MAX];
};

extern void erp_peer_view(struct erp_instance *inst, struct peer *peer,
			  struct erp_peer_view *view);

struct erp_af_view {
	unsigned int er_established, vpn_established;
	unsigned int er_with_routes, vpn_with_routes;
	uint32_t er_prefixes, vpn_prefixes; /* accepted, established sessions */
};

extern void erp_af_view(struct erp_instance *inst, enum erp_afi afi,
			struct erp_af_view *view);

extern void erp_peer_init(void);
extern void erp_peer_fini(void);

#endif
