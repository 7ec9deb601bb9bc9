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
#include "erpolicy_paths.h"
#include "erpolicy_peer.h"
#include "erpolicy_rib.h"
#include "erpolicy_rmap.h"

/* Catch what no hook reports (a neighbor created or an address family
 * activated later, the operator replacing an inbound route-map). */
#define ERP_RECONCILE_INTERVAL 1

/* Delay that coalesces a burst of configuration changes into one
 * re-evaluation of received routes. */
#define ERP_REEVALUATE_DELAY_MS 50

static struct thread *t_reconcile;

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

enum erp_role erp_peer_role(struct erp_instance *inst, struct peer *peer,
			    const char **declared_as)
{
	struct erp_neighbor *nbr = erp_neighbor_find(inst, peer_name(peer));

	if (!nbr && !is_group_conf(peer) && peer->group)
		nbr = erp_neighbor_find(inst, peer->group->name);
	if (declared_as)
		*declared_as = nbr ? nbr->name : NULL;
	return nbr ? nbr->role : ERP_ROLE_NONE;
}

static const int rmap_dirs[ERP_DIR_MAX] = {RMAP_IN, RMAP_OUT};

static const char *rmap_name_of(struct peer *peer, afi_t afi, enum erp_dir dir)
{
	return peer->filter[afi][SAFI_UNICAST].map[rmap_dirs[dir]].name;
}

/* Give peer the map `name` (NULL: none) in direction dir.  A peer-group
 * member whose group has the same map inherits it instead of overriding. */
static void set_rmap(struct peer *peer, afi_t afi, enum erp_dir dir,
		     const char *name)
{
	struct route_map *map = name ? erp_rmap_ensure(name) : NULL;
	int direct = rmap_dirs[dir];

	if (name && !map) /* an operator's map being restored */
		map = route_map_lookup_by_name(name);

	if (!is_group_conf(peer) && peer_group_active(peer)) {
		const char *gname = rmap_name_of(peer->group->conf, afi, dir);

		if ((!gname && !name) ||
		    (gname && name && strcmp(gname, name) == 0)) {
			if (CHECK_FLAG(peer->filter_override[afi][SAFI_UNICAST]
							    [direct],
				       PEER_FT_ROUTE_MAP))
				peer_route_map_unset(peer, afi, SAFI_UNICAST,
						     direct);
			return;
		}
	}
	if (name)
		peer_route_map_set(peer, afi, SAFI_UNICAST, direct, name, map);
	else
		peer_route_map_unset(peer, afi, SAFI_UNICAST, direct);
}

/*
 * A module map named in a configuration read back before this module's
 * commands ran: bgpd looked it up when it did not exist yet.  Build it and
 * point the peer at it, as bgpd's own route-map update would do later.
 */
static void bind_existing(struct peer *peer, afi_t afi, enum erp_dir dir,
			  const char *name)
{
	struct bgp_filter *filter = &peer->filter[afi][SAFI_UNICAST];
	struct route_map *map = erp_rmap_ensure(name);
	int direct = rmap_dirs[dir];

	if (!map || filter->map[direct].map == map)
		return;
	route_map_counter_decrement(filter->map[direct].map);
	filter->map[direct].map = map;
	route_map_counter_increment(map);
	if (!is_group_conf(peer) && peer_established(peer))
		peer_clear_soft(peer, afi, SAFI_UNICAST,
				dir == ERP_DIR_IN ? BGP_CLEAR_SOFT_IN
						  : BGP_CLEAR_SOFT_OUT);
}

/* Bit of a (direction, address family) in reconcile_peer()'s result. */
static unsigned int map_bit(int dir, int afi_index)
{
	return 1u << (dir * ERP_AFI_MAX + afi_index);
}

/* Returns the (direction, address family) pairs whose map was changed:
 * bgpd re-evaluates those routes by itself, and only those (a new outbound
 * map re-announces; it does not re-run the inbound map). */
static unsigned int reconcile_peer(struct erp_instance *inst, struct peer *peer)
{
	enum erp_role role = erp_peer_role(inst, peer, NULL);
	unsigned int changed = 0;

	for (int d = 0; d < ERP_DIR_MAX; d++)
		for (int i = 0; i < ERP_AFI_MAX; i++) {
			afi_t afi = erp_afis[i];
			const char *cur = rmap_name_of(peer, afi, d);
			enum erp_role cur_role;
			enum erp_dir cur_dir;
			char vrf[64], user[ERP_RMAP_NAMSIZ];
			char want[ERP_RMAP_NAMSIZ];
			bool ours = false;

			if (cur && erp_rmap_parse(cur, &cur_dir, &cur_role, vrf,
						  sizeof(vrf), user,
						  sizeof(user)))
				ours = strcmp(vrf, inst->vrf) == 0;

			if (role == ERP_ROLE_NONE ||
			    !peer->afc[afi][SAFI_UNICAST]) {
				if (!ours)
					continue;
				ERP_DEBUG("%s %s %s: detach, restore %s",
					  peer_name(peer), afi2str(afi),
					  d == ERP_DIR_IN ? "in" : "out",
					  user[0] ? user : "no route-map");
				set_rmap(peer, afi, d, user[0] ? user : NULL);
				changed |= map_bit(d, i);
				continue;
			}

			erp_rmap_name(want, sizeof(want), d, role, inst->vrf,
				      ours ? user : cur);
			if (cur && strcmp(cur, want) == 0) {
				bind_existing(peer, afi, d, want);
				continue;
			}
			ERP_DEBUG("%s %s: attach %s", peer_name(peer),
				  afi2str(afi), want);
			set_rmap(peer, afi, d, want);
			changed |= map_bit(d, i);
		}
	return changed;
}

static bool map_in_use(const char *name, void *arg)
{
	struct bgp *bgp;
	struct listnode *node, *pnode;
	struct peer *peer;
	struct peer_group *group;

	for (ALL_LIST_ELEMENTS_RO(bm->bgp, node, bgp))
		for (int d = 0; d < ERP_DIR_MAX; d++)
			for (int i = 0; i < ERP_AFI_MAX; i++) {
				const char *cur;

				for (ALL_LIST_ELEMENTS_RO(bgp->peer, pnode,
							  peer)) {
					cur = rmap_name_of(peer, erp_afis[i], d);
					if (cur && strcmp(cur, name) == 0)
						return true;
				}
				for (ALL_LIST_ELEMENTS_RO(bgp->group, pnode,
							  group)) {
					cur = rmap_name_of(group->conf,
							   erp_afis[i], d);
					if (cur && strcmp(cur, name) == 0)
						return true;
				}
			}
	return false;
}

static bool peer_alive(const void *peer, void *arg)
{
	struct bgp *bgp = arg;

	return bgp && listnode_lookup(bgp->peer, (void *)peer) != NULL;
}

/* The groups first: their members inherit what the group gets. */
static void reconcile_bgp(struct erp_instance *inst, struct bgp *bgp,
			  bool reevaluate)
{
	struct listnode *node;
	struct peer_group *group;
	struct peer *peer;

	for (ALL_LIST_ELEMENTS_RO(bgp->group, node, group))
		reconcile_peer(inst, group->conf);

	for (ALL_LIST_ELEMENTS_RO(bgp->peer, node, peer)) {
		unsigned int changed = reconcile_peer(inst, peer);

		enum erp_role role = erp_peer_role(inst, peer, NULL);

		if (!reevaluate || !peer_established(peer) ||
		    role == ERP_ROLE_NONE)
			continue;
		for (int d = 0; d < ERP_DIR_MAX; d++) {
			if (!(inst->reevaluate_roles[d] & (1 << role)))
				continue;
			for (int i = 0; i < ERP_AFI_MAX; i++) {
				afi_t afi = erp_afis[i];
				struct erp_peer_stats *stats;

				if (!peer->afc_nego[afi][SAFI_UNICAST] ||
				    (changed & map_bit(d, i)))
					continue;
				stats = erp_stats_find(inst, peer);
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
}

void erp_reconcile(struct erp_instance *inst)
{
	struct bgp *bgp = erp_bgp_of(inst);

	if (bgp)
		reconcile_bgp(inst, bgp, false);
	erp_stats_prune(inst, peer_alive, bgp);
	erp_rmap_gc(map_in_use, NULL);
}

void erp_detach_all(struct erp_instance *inst)
{
	struct erp_neighbor *nbr;

	THREAD_OFF(inst->t_reevaluate);
	while ((nbr = erp_neighbor_first(inst)))
		erp_neighbor_del(inst, nbr);
	erp_reconcile(inst);
}

static void reevaluate_cb(struct thread *t)
{
	struct erp_instance *inst = THREAD_ARG(t);
	struct bgp *bgp = erp_bgp_of(inst);

	if (bgp)
		reconcile_bgp(inst, bgp, true);
	memset(inst->reevaluate_roles, 0, sizeof(inst->reevaluate_roles));
	erp_stats_prune(inst, peer_alive, bgp);
	erp_rmap_gc(map_in_use, NULL);
	/* roles may have been given or taken */
	erp_paths_update(inst, "configuration");
}

static void reconcile_cb(struct thread *t);

static void reconcile_schedule(void)
{
	if (erp_instance_count() == 0) {
		THREAD_OFF(t_reconcile);
		return;
	}
	if (!t_reconcile)
		thread_add_timer(bm->master, reconcile_cb, NULL,
				 ERP_RECONCILE_INTERVAL, &t_reconcile);
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

static void reconcile_cb(struct thread *t)
{
	struct erp_instance *inst;

	for (inst = erp_instance_first(); inst; inst = erp_instance_next(inst)) {
		erp_reconcile(inst);
		erp_paths_update(inst, "neighbor configuration");
		overlaps_tick(inst);
	}
	reconcile_schedule();
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
	reconcile_schedule();
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

	memset(view, 0, sizeof(*view));
	view->name = peer_name(peer);
	view->role = erp_peer_role(inst, peer, &view->declared_as);
	view->session_state = lookup_msg(bgp_status_msg, peer->status, NULL);
	view->established = peer_established(peer);
	view->local_pref = view->role != ERP_ROLE_NONE
				   ? inst->policy.local_pref[view->role]
				   : 0;
	view->bfd = peer->bfd_config != NULL;
	for (int i = 0; i < ERP_AFI_MAX; i++) {
		afi_t afi = erp_afis[i];
		enum erp_role role;
		enum erp_dir dir;
		struct peer_af *paf;
		struct peer *rep;
		struct erp_peer_stats *rstats;
		char vrf[64];

		view->af[i].active = peer->afc[afi][SAFI_UNICAST];
		view->af[i].local_pref =
			erp_local_pref(&inst->policy, view->role,
				       erp_paths_er_demoted(inst, i), NULL);
		view->af[i].negotiated = peer->afc_nego[afi][SAFI_UNICAST];
		view->af[i].rmap_in = rmap_name_of(peer, afi, ERP_DIR_IN);
		if (view->af[i].rmap_in &&
		    !erp_rmap_parse(view->af[i].rmap_in, &dir, &role, vrf,
				    sizeof(vrf), view->af[i].user_map,
				    sizeof(view->af[i].user_map)))
			view->af[i].user_map[0] = '\0';
		view->af[i].rmap_out = rmap_name_of(peer, afi, ERP_DIR_OUT);
		if (view->af[i].rmap_out &&
		    !erp_rmap_parse(view->af[i].rmap_out, &dir, &role, vrf,
				    sizeof(vrf), view->af[i].user_map_out,
				    sizeof(view->af[i].user_map_out)))
			view->af[i].user_map_out[0] = '\0';
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
	view->preferred = erp_preferred_path(&inst->policy,
					     view->er_with_routes,
					     view->vpn_with_routes);
	/* held down or drained: the VPN carries them while it can */
	if (erp_paths_er_demoted(inst, afi) && view->vpn_with_routes)
		view->preferred = ERP_PATH_VPN;
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

	/* a new neighbor starts connecting: attach before routes arrive
	 * (from the event loop, not from inside bgpd's state machine) */
	THREAD_OFF(t_reconcile);
	thread_add_event(bm->master, reconcile_cb, NULL, 0, &t_reconcile);
	return 0;
}

void erp_peer_init(void)
{
	hook_register(peer_status_changed, peer_status_changed_hook);
}

void erp_peer_fini(void)
{
	THREAD_OFF(t_reconcile);
	hook_unregister(peer_status_changed, peer_status_changed_hook);
}
