// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: hooks and the 1 s tick.  See erpolicy_hooks.h.
 */
#include <zebra.h>

#include "hook.h"
#include "erpolicy_compat.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_debug.h"
#include "bgpd/bgp_fsm.h"
#include "bgpd/bgp_route.h"

#include "erpolicy.h"
#include "erpolicy_announce.h"
#include "erpolicy_debug.h"
#include "erpolicy_health.h"
#include "erpolicy_stale.h"
#include "erpolicy_hooks.h"
#include "erpolicy_paths.h"
#include "erpolicy_peer.h"
#include "erpolicy_rib.h"
#include "erpolicy_updgrp.h"

#define ERP_TICK_INTERVAL 1

static erp_task_t *t_tick;

/* --- overlaps, logged once per change ------------------------------------ */

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
	if (c.onprem_overlaps || c.er_only || c.vpn_only || c.vpn_more_specific)
		zlog_warn(
			"erpolicy: %s: %u Azure prefixes overlap declared on-prem prefixes, %u via ExpressRoute only, %u via VPN only, %u more specific via VPN (show bgp erpolicy overlaps)",
			inst->vrf, c.onprem_overlaps, c.er_only, c.vpn_only,
			c.vpn_more_specific);
	else
		zlog_info(
			"erpolicy: %s: ExpressRoute and VPN carry the same Azure prefixes, no overlap with on-prem",
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

/* --- the tick ---------------------------------------------------------- */

static void tick_cb(erp_task_t *t)
{
	struct erp_instance *inst;

	for (inst = erp_instance_first(); inst;
	     inst = erp_instance_next(inst)) {
		erp_stats_prune(inst, erp_peer_alive, erp_bgp_of(inst));
		erp_paths_update(inst, NULL);
		erp_health_log(inst);
		erp_updgrp_tick(inst);
		overlaps_tick(inst);
	}
	erp_tick_start();
}

void erp_tick_start(void)
{
	if (erp_instance_count() == 0) {
		erp_task_cancel(&t_tick);
		return;
	}
	if (!t_tick)
		erp_task_add_timer(bm->master, tick_cb, NULL, ERP_TICK_INTERVAL,
				 &t_tick);
}

/* --- sessions ------------------------------------------------------------- */

/* A role neighbor's session came up or went down: the path state may
 * change, with this as the cause. */
static void session_changed(struct erp_instance *inst, struct peer *peer)
{
	const char *name = erp_peer_name(peer);
	char cause[96];

	if (erp_peer_role(inst, peer, NULL) == ERP_ROLE_NONE)
		return;
	if (erp_peer_established(peer))
		snprintf(cause, sizeof(cause), "%s established", name);
	else if (peer->last_reset == PEER_DOWN_NOTIFY_SEND ||
		 peer->last_reset == PEER_DOWN_NOTIFY_RECEIVED)
		/* the notification says why, e.g. "Cease/BFD Down" */
		snprintf(cause, sizeof(cause), "%s down: %s %s/%s", name,
			 peer_down_str[peer->last_reset],
			 bgp_notify_code_str(peer->notify.code),
			 bgp_notify_subcode_str(peer->notify.code,
						peer->notify.subcode));
	else
		snprintf(cause, sizeof(cause), "%s down: %s", name,
			 peer->last_reset <= PEER_DOWN_SOCKET_ERROR
				 ? peer_down_str[peer->last_reset]
				 : "unknown reason");
	erp_paths_update(inst, cause);
	inst->overlaps_changes++;
	/* what a VPN neighbor may get depends on what ExpressRoute gets:
	 * the symmetric guard, for on-prem prefixes only */
	if (erp_peer_role(inst, peer, NULL) == ERP_ROLE_EXPRESSROUTE)
		for (int i = 0; i < ERP_AFI_MAX; i++)
			erp_announce_onprem_soon(inst, i);
}

static int peer_status_changed_hook(struct peer *peer)
{
	struct erp_instance *inst = erp_instance_of_peer(peer);
	struct erp_peer_stats *stats;

	erp_decl_gen++; /* a Deleted peer is freed next: forget it */
	if (!inst)
		return 0;

	if (erp_peer_established(peer) != (erp_peer_ostatus(peer) == Established))
		session_changed(inst, peer);

	if (erp_peer_established(peer)) {
		/* counters describe the current session */
		if (erp_peer_ostatus(peer) != Established) {
			stats = erp_stats_find(inst, peer);
			if (stats)
				erp_stats_reset(stats);
			if (erp_peer_role(inst, peer, NULL) != ERP_ROLE_NONE)
				ERP_DEBUG("%s: session established",
					  erp_peer_name(peer));
		}
		return 0;
	}

	/* the session's routes are gone, and so are its denied prefixes
	 * and what was warned about */
	if (erp_peer_ostatus(peer) == Established) {
		stats = erp_stats_find(inst, peer);
		if (stats)
			erp_stats_session_ended(stats);
		/* graceful restart: routes kept stale rank below fresh ones */
		erp_stale_session_down(inst, peer);
	}
	return 0;
}

/*
 * A route of a path's neighbor is withdrawn (or replaced, or filtered:
 * bgpd calls the hook with withdraw set for each).  When it may have been
 * the neighbor's last one, the path state is looked at again soon: a path
 * whose sessions stay up without Azure routes has failed (issue 12).
 * Cheap for every other route: one comparison.
 */
static int route_withdrawn_hook(struct bgp *bgp, afi_t afi, safi_t safi,
				struct bgp_dest *dest, struct peer *peer,
				bool withdraw)
{
	struct erp_instance *inst;

	if (!withdraw || safi != SAFI_UNICAST || !peer ||
	    peer->pcount[afi][safi] > 1)
		return 0;
	inst = erp_instance_find(erp_vrf_of(bgp));
	if (inst && erp_peer_role(inst, peer, NULL) != ERP_ROLE_NONE)
		erp_paths_routes_changed(inst);
	return 0;
}

void erp_hooks_init(void)
{
	hook_register(peer_status_changed, peer_status_changed_hook);
	hook_register(bgp_process, route_withdrawn_hook);
}

void erp_hooks_fini(void)
{
	erp_task_cancel(&t_tick);
	hook_unregister(peer_status_changed, peer_status_changed_hook);
	hook_unregister(bgp_process, route_withdrawn_hook);
}
