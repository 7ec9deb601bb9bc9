// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: neighbors in bgpd (FRR glue).  See erpolicy_peer.h.
 */
#include <zebra.h>

#include "hook.h"
#include "routemap.h"
#include "thread.h"
#include "vrf.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_debug.h"
#include "bgpd/bgp_fsm.h"
#include "bgpd/bgp_updgrp.h"

#include "erpolicy.h"
#include "erpolicy_debug.h"
#include "erpolicy_health.h"
#include "erpolicy_paths.h"
#include "erpolicy_peer.h"
#include "erpolicy_rib.h"
#include "erpolicy_rmap.h"

/* Once a second: the path state, the debounced look at overlaps and the
 * counters of deleted peers (reading only; nothing is repaired). */
#define ERP_TICK_INTERVAL 1

/* Delay that coalesces a burst of configuration changes into one
 * re-evaluation of received routes. */
#define ERP_REEVALUATE_DELAY_MS 50

static struct thread *t_tick;

static const afi_t erp_afis[ERP_AFI_MAX] = {AFI_IP, AFI_IP6};

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

static const char *peer_name(const struct peer *peer)
{
	if (CHECK_FLAG(peer->sflags, PEER_STATUS_GROUP) && peer->group)
		return peer->group->name;
	return peer->conf_if ? peer->conf_if : peer->host;
}

static bool is_group_conf(const struct peer *peer)
{
	return CHECK_FLAG(peer->sflags, PEER_STATUS_GROUP);
}

const struct erp_neighbor *erp_peer_declaration(struct erp_instance *inst,
					       struct peer *peer)
{
	struct erp_neighbor *nbr = erp_neighbor_find(inst, peer_name(peer));

	if (!nbr && !is_group_conf(peer) && peer->group)
		nbr = erp_neighbor_find(inst, peer->group->name);
	return nbr;
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

/* The role of the module's map attached to peer in (afi, dir), or
 * ERP_ROLE_NONE if the map there is not the module's. */
static enum erp_role attached_role(struct peer *peer, afi_t afi,
				   enum erp_dir dir)
{
	const char *name = erp_peer_rmap(peer, afi, dir);
	enum erp_dir mdir;
	enum erp_role role;

	if (!name || !erp_rmap_lookup_name(name, &mdir, &role) || mdir != dir)
		return ERP_ROLE_NONE;
	return role;
}

static bool peer_alive(const void *peer, void *arg)
{
	struct bgp *bgp = arg;

	return bgp && listnode_lookup(bgp->peer, (void *)peer) != NULL;
}

/*
 * Re-evaluate, without resetting sessions, the routes of every established
 * peer of bgp whose (direction, address family) runs one of the module's
 * maps of a role in roles[direction] (bit 1 << role).  The map decides from
 * the peer's declaration, so peers whose declaration went away are
 * re-evaluated too: their routes are then denied.
 */
static void reevaluate_peers(struct erp_instance *inst, struct bgp *bgp,
			     const uint8_t roles[ERP_DIR_MAX])
{
	struct listnode *node;
	struct peer *peer;

	for (ALL_LIST_ELEMENTS_RO(bgp->peer, node, peer)) {
		if (!peer_established(peer))
			continue;
		for (int d = 0; d < ERP_DIR_MAX; d++)
			for (int i = 0; i < ERP_AFI_MAX; i++) {
				afi_t afi = erp_afis[i];
				enum erp_role role = attached_role(peer, afi, d);
				struct erp_peer_stats *stats;

				if (role == ERP_ROLE_NONE ||
				    !(roles[d] & (1 << role)) ||
				    !peer->afc_nego[afi][SAFI_UNICAST])
					continue;
				stats = inst ? erp_stats_find(inst, peer) : NULL;
				if (stats)
					erp_stats_reset_af(stats, d, i);
				ERP_DEBUG("%s %s: re-evaluating %s routes",
					  peer_name(peer), afi2str(afi),
					  d == ERP_DIR_IN ? "received"
							  : "advertised");
				peer_clear_soft(peer, afi, SAFI_UNICAST,
						d == ERP_DIR_IN
							? BGP_CLEAR_SOFT_IN
							: BGP_CLEAR_SOFT_OUT);
			}
	}
}

void erp_instance_removing(struct erp_instance *inst)
{
	static const uint8_t all[ERP_DIR_MAX] = {0xff, 0xff};
	struct bgp *bgp = erp_bgp_of(inst);
	struct erp_neighbor *nbr;

	THREAD_OFF(inst->t_reevaluate);
	while ((nbr = erp_neighbor_first(inst))) {
		for (int d = 0; d < ERP_DIR_MAX; d++)
			if (nbr->user_map[d])
				erp_rmap_user_dependency(d, nbr->role,
							 nbr->user_map[d],
							 false);
		erp_neighbor_del(inst, nbr);
	}
	/* the maps stay attached and now deny: say so to the routes now,
	 * the instance is gone when a timer would run */
	if (bgp) {
		struct listnode *node;
		struct peer *peer;
		unsigned int attached = 0;

		for (ALL_LIST_ELEMENTS_RO(bgp->peer, node, peer))
			for (int i = 0; i < ERP_AFI_MAX; i++)
				attached += attached_role(peer, erp_afis[i],
							  ERP_DIR_IN) !=
					    ERP_ROLE_NONE;
		if (attached)
			zlog_warn(
				"erpolicy: %s: configuration removed; %u neighbor address families still run the module's maps and are denied every route",
				inst->vrf, attached);
		reevaluate_peers(NULL, bgp, all);
	}
}

static void reevaluate_cb(struct thread *t)
{
	struct erp_instance *inst = THREAD_ARG(t);
	struct bgp *bgp = erp_bgp_of(inst);

	if (bgp)
		reevaluate_peers(inst, bgp, inst->reevaluate_roles);
	memset(inst->reevaluate_roles, 0, sizeof(inst->reevaluate_roles));
	erp_stats_prune(inst, peer_alive, bgp);
	/* roles may have been given or taken */
	erp_paths_update(inst, "configuration");
}

static void tick_cb(struct thread *t);

static void tick_schedule(void)
{
	if (erp_instance_count() == 0) {
		THREAD_OFF(t_tick);
		return;
	}
	if (!t_tick)
		thread_add_timer(bm->master, tick_cb, NULL, ERP_TICK_INTERVAL,
				 &t_tick);
}

/* Overlaps and ER/VPN differences, logged once per change: looked at (a
 * walk of the BGP table) once routes from Azure stop changing for
 * ERP_OVERLAP_QUIET_TICKS seconds, or every ERP_OVERLAP_BUSY_TICKS seconds
 * while they keep changing: nothing is walked while nothing changes, and a
 * long load of routes costs one walk a minute (profiled: a walk every 10 s
 * was ~10% of bgpd's CPU while 2 x 100k routes arrived). */
#define ERP_OVERLAP_QUIET_TICKS 3
#define ERP_OVERLAP_BUSY_TICKS 60
/* ... and a walk that took t waits 100 t before the next one: at most 1%
 * of a core whatever the size of the table (a walk of 1,000,000 prefixes
 * took about 1 s). */
#define ERP_OVERLAP_DUTY_FACTOR 100

static void check_overlaps(struct erp_instance *inst)
{
	struct erp_overlap_counts c;
	uint64_t start = erp_now_ms(), end;
	unsigned int nodes;

	nodes = erp_rib_overlap_counts(inst, &c);
	end = erp_now_ms();
	inst->overlaps_next_ms = end + (end - start) * ERP_OVERLAP_DUTY_FACTOR;
	ERP_DEBUG("%s: overlap walk took %" PRIu64 " ms (%u table nodes)",
		  inst->vrf, end - start, nodes);
	if (memcmp(&c, &inst->overlaps_logged, sizeof(c)) == 0)
		return;
	if (c.onprem_overlaps || c.er_only || c.vpn_only ||
	    c.vpn_more_specific)
		zlog_warn(
			"erpolicy: %s: %u Azure prefixes overlap declared on-prem prefixes, %u via ExpressRoute only, %u via VPN only, %u more specific via VPN (show bgp erpolicy overlaps)",
			inst->vrf, c.onprem_overlaps, c.er_only, c.vpn_only,
			c.vpn_more_specific);
	else
		zlog_info("erpolicy: %s: ExpressRoute and VPN carry the same Azure prefixes, no overlap with on-prem",
			  inst->vrf);
	inst->overlaps_logged = c;
}

static void overlaps_tick(struct erp_instance *inst)
{
	if (inst->overlaps_changes != inst->overlaps_changes_seen) {
		inst->overlaps_changes_seen = inst->overlaps_changes;
		inst->overlaps_pending = true;
		inst->overlaps_quiet_ticks = 0;
		inst->overlaps_busy_ticks++;
	} else if (inst->overlaps_pending)
		inst->overlaps_quiet_ticks++;

	if (!inst->overlaps_pending ||
	    (inst->overlaps_quiet_ticks < ERP_OVERLAP_QUIET_TICKS &&
	     inst->overlaps_busy_ticks < ERP_OVERLAP_BUSY_TICKS) ||
	    erp_now_ms() < inst->overlaps_next_ms)
		return;
	inst->overlaps_pending = false;
	inst->overlaps_quiet_ticks = inst->overlaps_busy_ticks = 0;
	check_overlaps(inst);
}

static void tick_cb(struct thread *t)
{
	struct erp_instance *inst;

	for (inst = erp_instance_first(); inst; inst = erp_instance_next(inst)) {
		erp_stats_prune(inst, peer_alive, erp_bgp_of(inst));
		erp_paths_update(inst, NULL);
		erp_health_log_attachments(inst);
		overlaps_tick(inst);
	}
	tick_schedule();
}

void erp_reevaluate(struct erp_instance *inst, enum erp_dir dir, uint8_t roles)
{
	inst->reevaluate_roles[dir] |= roles;
	if (!inst->t_reevaluate)
		thread_add_timer_msec(bm->master, reevaluate_cb, inst,
				      ERP_REEVALUATE_DELAY_MS,
				      &inst->t_reevaluate);
}

void erp_policy_changed(struct erp_instance *inst)
{
	uint8_t all = (1 << ERP_ROLE_EXPRESSROUTE) | (1 << ERP_ROLE_VPN);

	erp_reevaluate(inst, ERP_DIR_IN, all);
	erp_reevaluate(inst, ERP_DIR_OUT, all);
	tick_schedule();
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

	if (!paf || !PAF_SUBGRP(paf) || !PAF_SUBGRP(paf)->update_group)
		return peer;
	return erp_real_peer(UPDGRP_PEER(PAF_SUBGRP(paf)->update_group));
}

/* --- iteration and views ------------------------------------------------- */

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
		if (strcmp(peer_name(peer), name) == 0)
			return peer;
	return NULL;
}

void erp_peer_view(struct erp_instance *inst, struct peer *peer,
		   struct erp_peer_view *view)
{
	struct erp_peer_stats *stats = erp_stats_find(inst, peer);
	const struct erp_neighbor *nbr;

	memset(view, 0, sizeof(*view));
	view->name = peer_name(peer);
	view->role = erp_peer_role(inst, peer, &view->declared_as);
	view->session_state = lookup_msg(bgp_status_msg, peer->status, NULL);
	view->established = peer_established(peer);
	view->local_pref = view->role != ERP_ROLE_NONE
				   ? inst->policy.local_pref[view->role]
				   : 0;
	view->bfd = peer->bfd_config != NULL;
	nbr = erp_peer_declaration(inst, peer);
	for (int d = 0; d < ERP_DIR_MAX; d++)
		view->user_map[d] = nbr ? nbr->user_map[d] : NULL;
	for (int i = 0; i < ERP_AFI_MAX; i++) {
		afi_t afi = erp_afis[i];
		struct peer_af *paf;
		struct peer *rep;
		struct erp_peer_stats *rstats;

		view->af[i].active = peer->afc[afi][SAFI_UNICAST];
		view->af[i].local_pref =
			erp_local_pref(&inst->policy, view->role,
				       erp_paths_er_demoted(inst, i), NULL);
		view->af[i].negotiated = peer->afc_nego[afi][SAFI_UNICAST];
		for (int d = 0; d < ERP_DIR_MAX; d++) {
			view->af[i].rmap[d] = erp_peer_rmap(peer, afi, d);
			view->af[i].attached[d] =
				view->role != ERP_ROLE_NONE &&
				attached_role(peer, afi, d) == view->role;
		}
		paf = peer_af_find(peer, afi, SAFI_UNICAST);
		view->af[i].advertised =
			paf && PAF_SUBGRP(paf) ? PAF_SUBGRP(paf)->scount : 0;
		view->af[i].adv_limit = view->role != ERP_ROLE_NONE
						? inst->policy.adv_limit[view->role]
						: 0;
		view->af[i].prefixes = peer->pcount[afi][SAFI_UNICAST];
		if (stats && strcmp(stats->host, peer->host) == 0) {
			struct erp_dir_stats *in = &stats->dir[ERP_DIR_IN];

			memcpy(view->af[i].updates, in->updates[i],
			       sizeof(view->af[i].updates));
			memcpy(view->af[i].denied, in->denied_count[i],
			       sizeof(view->af[i].denied));
			view->af[i].denied_truncated = in->denied_truncated[i];
		}
		/* what is sent is decided once per update group */
		rep = erp_out_representative(peer, afi);
		rstats = erp_stats_find(inst, rep);
		if (rstats && strcmp(rstats->host, rep->host) == 0) {
			struct erp_dir_stats *out = &rstats->dir[ERP_DIR_OUT];

			memcpy(view->af[i].out_updates, out->updates[i],
			       sizeof(view->af[i].out_updates));
			memcpy(view->af[i].out_denied, out->denied_count[i],
			       sizeof(view->af[i].out_denied));
			view->af[i].out_truncated = out->denied_truncated[i];
			view->af[i].guard_warnings = rstats->guard_warnings[i];
		}
		view->af[i].out_denied[ERP_DENY_TRANSIT] =
			erp_rib_transit_count(inst, i, rep);
	}
}

void erp_af_view(struct erp_instance *inst, enum erp_afi afi,
		 struct erp_af_view *view)
{
	struct peer *peer = NULL;
	afi_t bafi = erp_afis[afi];

	memset(view, 0, sizeof(*view));
	while ((peer = erp_peer_next(inst, peer))) {
		enum erp_role role = erp_peer_role(inst, peer, NULL);
		bool up = peer_established(peer) &&
			  peer->afc_nego[bafi][SAFI_UNICAST];
		bool routes = up && peer->pcount[bafi][SAFI_UNICAST] > 0;

		uint32_t pcount = up ? peer->pcount[bafi][SAFI_UNICAST] : 0;

		if (role == ERP_ROLE_EXPRESSROUTE) {
			view->er_established += up;
			view->er_with_routes += routes;
			view->er_prefixes += pcount;
		} else if (role == ERP_ROLE_VPN) {
			view->vpn_established += up;
			view->vpn_with_routes += routes;
			view->vpn_prefixes += pcount;
		}
	}
}

/* --- hooks ----------------------------------------------------------------- */

static struct erp_instance *instance_of_peer(struct peer *peer)
{
	return peer->bgp ? erp_instance_find(erp_vrf_of(peer->bgp)) : NULL;
}

/* A role neighbor's session came up or went down: the path state may
 * change, with this as the cause. */
static void session_changed(struct erp_instance *inst, struct peer *peer)
{
	char cause[96];

	if (erp_peer_role(inst, peer, NULL) == ERP_ROLE_NONE)
		return;
	if (peer_established(peer))
		snprintf(cause, sizeof(cause), "%s established",
			 peer_name(peer));
	else if (peer->last_reset == PEER_DOWN_NOTIFY_SEND ||
		 peer->last_reset == PEER_DOWN_NOTIFY_RECEIVED)
		/* the notification says why, e.g. "Cease/BFD Down" */
		snprintf(cause, sizeof(cause), "%s down: %s %s/%s",
			 peer_name(peer), peer_down_str[peer->last_reset],
			 bgp_notify_code_str(peer->notify.code),
			 bgp_notify_subcode_str(peer->notify.code,
						peer->notify.subcode));
	else
		snprintf(cause, sizeof(cause), "%s down: %s", peer_name(peer),
			 peer->last_reset <= PEER_DOWN_SOCKET_ERROR
				 ? peer_down_str[peer->last_reset]
				 : "unknown reason");
	erp_paths_update(inst, cause);
	inst->overlaps_changes++;
	/* what the VPN may get depends on what ExpressRoute gets */
	if (erp_peer_role(inst, peer, NULL) == ERP_ROLE_EXPRESSROUTE)
		erp_reevaluate(inst, ERP_DIR_OUT, 1 << ERP_ROLE_VPN);
}

static int peer_status_changed_hook(struct peer *peer)
{
	struct erp_instance *inst = instance_of_peer(peer);
	struct erp_peer_stats *stats;

	if (!inst)
		return 0;

	if (peer_established(peer) != (peer->ostatus == Established))
		session_changed(inst, peer);

	if (peer_established(peer)) {
		/* counters describe the current session */
		if (peer->ostatus != Established) {
			stats = erp_stats_find(inst, peer);
			if (stats)
				erp_stats_reset(stats);
			if (erp_peer_role(inst, peer, NULL) != ERP_ROLE_NONE)
				ERP_DEBUG("%s: session established",
					  peer_name(peer));
		}
		return 0;
	}

	/* the session's routes are gone, and so are its denied prefixes */
	if (peer->ostatus == Established) {
		stats = erp_stats_find(inst, peer);
		if (stats)
			for (int d = 0; d < ERP_DIR_MAX; d++)
				for (int i = 0; i < ERP_AFI_MAX; i++)
					erp_stats_clear_denied(stats, d, i);
	}
	return 0;
}

void erp_peer_init(void)
{
	hook_register(peer_status_changed, peer_status_changed_hook);
}

void erp_peer_fini(void)
{
	THREAD_OFF(t_tick);
	hook_unregister(peer_status_changed, peer_status_changed_hook);
}
