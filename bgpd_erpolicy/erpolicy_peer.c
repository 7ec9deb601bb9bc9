// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: neighbors in bgpd.  See erpolicy_peer.h.
 */
#include <zebra.h>

#include "routemap.h"
#include "vrf.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_updgrp.h"

#include "erpolicy.h"
#include "erpolicy_map_names.h"
#include "erpolicy_peer.h"

const char *erp_vrf_of(const struct bgp *bgp)
{
	return bgp->name ? bgp->name : VRF_DEFAULT_NAME;
}

struct bgp *erp_bgp_of(const struct erp_instance *inst)
{
	if (strcmp(inst->vrf, VRF_DEFAULT_NAME) == 0)
		return bgp_get_default();
	return bgp_lookup_by_name(inst->vrf);
}

struct erp_instance *erp_instance_of_peer(const struct peer *peer)
{
	return peer->bgp ? erp_instance_find(erp_vrf_of(peer->bgp)) : NULL;
}

static bool is_group_conf(const struct peer *peer)
{
	return CHECK_FLAG(peer->sflags, PEER_STATUS_GROUP);
}

const char *erp_peer_name(const struct peer *peer)
{
	if (is_group_conf(peer) && peer->group)
		return peer->group->name;
	return peer->conf_if ? peer->conf_if : peer->host;
}

static const struct erp_neighbor *declaration_lookup(struct erp_instance *inst,
						    struct peer *peer)
{
	struct erp_neighbor *nbr = erp_neighbor_find(inst, erp_peer_name(peer));

	if (!nbr && !is_group_conf(peer) && peer->group)
		nbr = erp_neighbor_find(inst, peer->group->name);
	return nbr;
}

/*
 * Route-maps ask for the declaration of the same few peers route after
 * route (several rules per route, and the source of each advertised
 * route): the last answers, valid while erp_decl_gen stays the same and
 * the peer is in the same peer-group.  Saves a search by name (hashing the
 * name) per rule and route.
 */
#define DECL_CACHE_SIZE 4

static struct decl_cache {
	const struct erp_instance *inst;
	const struct peer *peer;
	const struct peer_group *group;
	const struct erp_neighbor *nbr;
	uint64_t gen;
} decl_cache[DECL_CACHE_SIZE];
static unsigned int decl_cache_next;

const struct erp_neighbor *erp_peer_declaration(struct erp_instance *inst,
					       struct peer *peer)
{
	struct decl_cache *c;

	for (c = decl_cache; c < decl_cache + DECL_CACHE_SIZE; c++)
		if (c->peer == peer && c->inst == inst &&
		    c->gen == erp_decl_gen && c->group == peer->group)
			return c->nbr;
	c = &decl_cache[decl_cache_next++ % DECL_CACHE_SIZE];
	c->inst = inst;
	c->peer = peer;
	c->group = peer->group;
	c->gen = erp_decl_gen;
	c->nbr = declaration_lookup(inst, peer);
	return c->nbr;
}

enum erp_role erp_peer_role(struct erp_instance *inst, struct peer *peer,
			    const char **declared_as)
{
	const struct erp_neighbor *nbr = erp_peer_declaration(inst, peer);

	if (declared_as)
		*declared_as = nbr ? nbr->name : NULL;
	return nbr ? nbr->role : ERP_ROLE_NONE;
}

static const int rmap_dirs[ERP_DIR_MAX] = {RMAP_IN, RMAP_OUT};

const char *erp_peer_rmap(struct peer *peer, afi_t afi, enum erp_dir dir)
{
	return peer->filter[afi][SAFI_UNICAST].map[rmap_dirs[dir]].name;
}

enum erp_role erp_peer_attached_role(struct peer *peer, afi_t afi,
				     enum erp_dir dir)
{
	const char *name = erp_peer_rmap(peer, afi, dir);
	enum erp_dir mdir;
	enum erp_role role;

	if (!name || !erp_rmap_lookup_name(name, &mdir, &role) || mdir != dir)
		return ERP_ROLE_NONE;
	return role;
}

bool erp_peer_alive(const void *peer, void *arg)
{
	struct bgp *bgp = arg;

	return bgp && listnode_lookup(bgp->peer, (void *)peer) != NULL;
}

struct peer *erp_real_peer(struct peer *peer)
{
	struct listnode *node;
	struct peer *p;

	if (!peer->bgp || listnode_lookup(peer->bgp->peer, peer))
		return peer;
	for (ALL_LIST_ELEMENTS_RO(peer->bgp->peer, node, p))
		if (p->host && peer->host && strcmp(p->host, peer->host) == 0)
			return p;
	return peer;
}

struct peer *erp_out_representative(struct peer *peer, afi_t afi)
{
	struct peer_af *paf = peer_af_find(peer, afi, SAFI_UNICAST);
	struct peer *conf;

	if (!paf || !PAF_SUBGRP(paf) || !PAF_SUBGRP(paf)->update_group)
		return peer;
	conf = UPDGRP_PEER(PAF_SUBGRP(paf)->update_group);
	/* usually the group's copy was made from peer itself: no search */
	if (conf->host && peer->host && strcmp(conf->host, peer->host) == 0 &&
	    peer->bgp && conf->bgp == peer->bgp)
		return peer;
	return erp_real_peer(conf);
}

struct peer *erp_peer_next(struct erp_instance *inst, struct peer *prev)
{
	struct bgp *bgp = erp_bgp_of(inst);
	struct listnode *node;
	struct peer *peer;
	bool after = prev == NULL;

	if (!bgp)
		return NULL;
	for (ALL_LIST_ELEMENTS_RO(bgp->peer, node, peer)) {
		if (!after) {
			after = peer == prev;
			continue;
		}
		if (erp_peer_role(inst, peer, NULL) != ERP_ROLE_NONE)
			return peer;
	}
	return NULL;
}

struct peer *erp_peer_lookup(struct erp_instance *inst, const char *name)
{
	struct peer *peer = NULL;

	while ((peer = erp_peer_next(inst, peer)))
		if (strcmp(erp_peer_name(peer), name) == 0)
			return peer;
	return NULL;
}

/*
 * Back after a graceful restart, a neighbor's routes in bgpd's count are
 * its stale ones until its End-of-RIB (or the stale-path time) clears
 * them: no Azure routes of the new session yet (erpolicy_stale.h).  From
 * the session's end with routes kept stale (stats->stale_until_ms, set by
 * erp_stale_session_down) rather than from bgpd's stale-path timer: FRR
 * 10.x keeps that timer on the connection, and a neighbor back on an
 * incoming connection gets another connection (peer_xfer_conn) without it.
 */
static bool stale_routes_pending(struct erp_instance *inst,
				 const struct peer *peer, enum erp_afi afi)
{
	struct erp_peer_stats *stats = erp_stats_find(inst, peer);
	afi_t bafi = erp_bgp_afi(afi);

	return stats && stats->stale_until_ms[afi] > erp_now_ms() &&
	       peer->nsf[bafi][SAFI_UNICAST] &&
	       !CHECK_FLAG(peer->af_sflags[bafi][SAFI_UNICAST],
			   PEER_STATUS_EOR_RECEIVED);
}

void erp_path_sessions(struct erp_instance *inst, enum erp_afi afi,
		       struct erp_path_sessions *out)
{
	struct peer *peer = NULL;
	afi_t bafi = erp_bgp_afi(afi);

	memset(out, 0, sizeof(*out));
	while ((peer = erp_peer_next(inst, peer))) {
		enum erp_role role = erp_peer_role(inst, peer, NULL);
		bool up = erp_peer_established(peer) &&
			  peer->afc_nego[bafi][SAFI_UNICAST];
		bool routes = up && peer->pcount[bafi][SAFI_UNICAST] > 0 &&
			      !stale_routes_pending(inst, peer, afi);
		uint32_t pcount = up ? peer->pcount[bafi][SAFI_UNICAST] : 0;

		if (role == ERP_ROLE_EXPRESSROUTE) {
			out->er_established += up;
			out->er_with_routes += routes;
			out->er_prefixes += pcount;
		} else if (role == ERP_ROLE_VPN) {
			out->vpn_established += up;
			out->vpn_with_routes += routes;
			out->vpn_prefixes += pcount;
		}
	}
}
