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

#include "erpolicy.h"
#include "erpolicy_debug.h"
#include "erpolicy_paths.h"
#include "erpolicy_peer.h"
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

static const char *rmap_in_name(struct peer *peer, afi_t afi)
{
	return peer->filter[afi][SAFI_UNICAST].map[RMAP_IN].name;
}

/* Give peer the inbound map `name` (NULL: none).  A peer-group member whose
 * group has the same map inherits it instead of overriding. */
static void set_rmap_in(struct peer *peer, afi_t afi, const char *name)
{
	struct route_map *map = name ? erp_rmap_ensure(name) : NULL;

	if (name && !map) /* an operator's map being restored */
		map = route_map_lookup_by_name(name);

	if (!is_group_conf(peer) && peer_group_active(peer)) {
		const char *gname = rmap_in_name(peer->group->conf, afi);

		if ((!gname && !name) ||
		    (gname && name && strcmp(gname, name) == 0)) {
			if (CHECK_FLAG(peer->filter_override[afi][SAFI_UNICAST]
							    [RMAP_IN],
				       PEER_FT_ROUTE_MAP))
				peer_route_map_unset(peer, afi, SAFI_UNICAST,
						     RMAP_IN);
			return;
		}
	}
	if (name)
		peer_route_map_set(peer, afi, SAFI_UNICAST, RMAP_IN, name, map);
	else
		peer_route_map_unset(peer, afi, SAFI_UNICAST, RMAP_IN);
}

/*
 * A module map named in a configuration read back before this module's
 * commands ran: bgpd looked it up when it did not exist yet.  Build it and
 * point the peer at it, as bgpd's own route-map update would do later.
 */
static void bind_existing(struct peer *peer, afi_t afi, const char *name)
{
	struct bgp_filter *filter = &peer->filter[afi][SAFI_UNICAST];
	struct route_map *map = erp_rmap_ensure(name);

	if (!map || filter->map[RMAP_IN].map == map)
		return;
	route_map_counter_decrement(filter->map[RMAP_IN].map);
	filter->map[RMAP_IN].map = map;
	route_map_counter_increment(map);
	if (!is_group_conf(peer) && peer_established(peer))
		peer_clear_soft(peer, afi, SAFI_UNICAST, BGP_CLEAR_SOFT_IN);
}

/* Returns true if the peer's inbound map was changed (bgpd then
 * re-evaluates its routes by itself). */
static bool reconcile_peer(struct erp_instance *inst, struct peer *peer)
{
	enum erp_role role = erp_peer_role(inst, peer, NULL);
	bool changed = false;

	for (int i = 0; i < ERP_AFI_MAX; i++) {
		afi_t afi = erp_afis[i];
		const char *cur = rmap_in_name(peer, afi);
		enum erp_role cur_role;
		char vrf[64], user[ERP_RMAP_NAMSIZ], want[ERP_RMAP_NAMSIZ];
		bool ours = false;

		if (cur && erp_rmap_parse(cur, &cur_role, vrf, sizeof(vrf),
					  user, sizeof(user)))
			ours = strcmp(vrf, inst->vrf) == 0;

		if (role == ERP_ROLE_NONE || !peer->afc[afi][SAFI_UNICAST]) {
			if (!ours)
				continue;
			ERP_DEBUG("%s %s: detach, restore %s", peer_name(peer),
				  afi2str(afi), user[0] ? user : "no route-map");
			set_rmap_in(peer, afi, user[0] ? user : NULL);
			changed = true;
			continue;
		}

		erp_rmap_name(want, sizeof(want), role, inst->vrf,
			      ours ? user : cur);
		if (cur && strcmp(cur, want) == 0) {
			bind_existing(peer, afi, want);
			continue;
		}
		ERP_DEBUG("%s %s: attach %s", peer_name(peer), afi2str(afi),
			  want);
		set_rmap_in(peer, afi, want);
		changed = true;
	}
	return changed;
}

static bool map_in_use(const char *name, void *arg)
{
	struct bgp *bgp;
	struct listnode *node, *pnode;
	struct peer *peer;
	struct peer_group *group;

	for (ALL_LIST_ELEMENTS_RO(bm->bgp, node, bgp)) {
		for (int i = 0; i < ERP_AFI_MAX; i++) {
			const char *cur;

			for (ALL_LIST_ELEMENTS_RO(bgp->peer, pnode, peer)) {
				cur = rmap_in_name(peer, erp_afis[i]);
				if (cur && strcmp(cur, name) == 0)
					return true;
			}
			for (ALL_LIST_ELEMENTS_RO(bgp->group, pnode, group)) {
				cur = rmap_in_name(group->conf, erp_afis[i]);
				if (cur && strcmp(cur, name) == 0)
					return true;
			}
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
		bool changed = reconcile_peer(inst, peer);

		enum erp_role role = erp_peer_role(inst, peer, NULL);

		if (!reevaluate || changed || !peer_established(peer) ||
		    role == ERP_ROLE_NONE ||
		    !(inst->reevaluate_roles & (1 << role)))
			continue;
		for (int i = 0; i < ERP_AFI_MAX; i++) {
			afi_t afi = erp_afis[i];
			struct erp_peer_stats *stats;

			if (!peer->afc_nego[afi][SAFI_UNICAST])
				continue;
			stats = erp_stats_find(inst, peer);
			if (stats) {
				memset(stats->updates[i], 0,
				       sizeof(stats->updates[i]));
				erp_stats_clear_denied(stats, i);
			}
			ERP_DEBUG("%s %s: re-evaluating received routes",
				  peer_name(peer), afi2str(afi));
			peer_clear_soft(peer, afi, SAFI_UNICAST,
					BGP_CLEAR_SOFT_IN);
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
	inst->reevaluate_roles = 0;
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

static void reconcile_cb(struct thread *t)
{
	struct erp_instance *inst;

	for (inst = erp_instance_first(); inst; inst = erp_instance_next(inst)) {
		erp_reconcile(inst);
		erp_paths_update(inst, "neighbor configuration");
	}
	reconcile_schedule();
}

void erp_reevaluate(struct erp_instance *inst, uint8_t roles)
{
	inst->reevaluate_roles |= roles;
	if (!inst->t_reevaluate)
		thread_add_timer_msec(bm->master, reevaluate_cb, inst,
				      ERP_REEVALUATE_DELAY_MS,
				      &inst->t_reevaluate);
}

void erp_policy_changed(struct erp_instance *inst)
{
	erp_reevaluate(inst, (1 << ERP_ROLE_EXPRESSROUTE) | (1 << ERP_ROLE_VPN));
	reconcile_schedule();
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
		char vrf[64];

		view->af[i].active = peer->afc[afi][SAFI_UNICAST];
		view->af[i].local_pref = erp_local_pref(
			&inst->policy, view->role, erp_paths_er_demoted(inst, i));
		view->af[i].negotiated = peer->afc_nego[afi][SAFI_UNICAST];
		view->af[i].rmap_in = rmap_in_name(peer, afi);
		if (view->af[i].rmap_in &&
		    !erp_rmap_parse(view->af[i].rmap_in, &role, vrf,
				    sizeof(vrf), view->af[i].user_map,
				    sizeof(view->af[i].user_map)))
			view->af[i].user_map[0] = '\0';
		view->af[i].prefixes = peer->pcount[afi][SAFI_UNICAST];
		if (stats && strcmp(stats->host, peer->host) == 0) {
			memcpy(view->af[i].updates, stats->updates[i],
			       sizeof(view->af[i].updates));
			memcpy(view->af[i].denied, stats->denied_count[i],
			       sizeof(view->af[i].denied));
			view->af[i].denied_truncated = stats->denied_truncated[i];
		}
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
			for (int i = 0; i < ERP_AFI_MAX; i++)
				erp_stats_clear_denied(stats, i);
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
