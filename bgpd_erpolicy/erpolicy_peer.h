// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: neighbors in bgpd (the module's adapter to bgpd's peers).
 *
 * Resolves bgpd peers to their declarations (addresses, interfaces,
 * peer-groups) and so to their paths, says which of the module's maps a
 * peer runs, walks the peers that have a path, and counts their sessions.
 * Reads bgpd only: nothing here changes bgpd or the module's state.
 *
 * The module never attaches or detaches route-maps: the operator's
 * configuration names the module's maps (erpolicy_map_names.h), and the
 * maps look up the peer's declaration when they run.
 */
#ifndef _ERPOLICY_PEER_H
#define _ERPOLICY_PEER_H

#include "erpolicy.h"

#include "zebra.h"

struct bgp;
struct peer;

/* bgpd's address family of one of the module's. */
static inline afi_t erp_bgp_afi(enum erp_afi afi)
{
	return afi == ERP_AFI_IPV6 ? AFI_IP6 : AFI_IP;
}

extern const char *erp_vrf_of(const struct bgp *bgp);
extern struct bgp *erp_bgp_of(const struct erp_instance *inst);
/* The module's instance of peer's BGP instance, or NULL. */
extern struct erp_instance *erp_instance_of_peer(const struct peer *peer);

/* The name a peer is declared and shown by: its interface (unnumbered),
 * its address, or for a peer-group's configuration the group's name. */
extern const char *erp_peer_name(const struct peer *peer);
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
/* The path of the module's map attached to peer in (afi, dir), or
 * ERP_ROLE_NONE if the map there is not one of the module's. */
extern enum erp_role erp_peer_attached_role(struct peer *peer, afi_t afi,
					    enum erp_dir dir);
/* Is peer (still) one of bgp's peers?  (erp_stats_prune()'s keep) */
extern bool erp_peer_alive(const void *peer, void *bgp);

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

/* Sessions of each path in an address family. */
struct erp_path_sessions {
	unsigned int er_established, vpn_established;
	unsigned int er_with_routes, vpn_with_routes;
	uint32_t er_prefixes, vpn_prefixes; /* accepted, established sessions */
};

extern void erp_path_sessions(struct erp_instance *inst, enum erp_afi afi,
			      struct erp_path_sessions *out);

#endif
