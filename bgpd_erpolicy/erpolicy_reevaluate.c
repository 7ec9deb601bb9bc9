// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: re-evaluation of routes.  See erpolicy_reevaluate.h.
 */
#include <zebra.h>

#include "erpolicy_compat.h"

#include "bgpd/bgpd.h"

#include "erpolicy.h"
#include "erpolicy_debug.h"
#include "erpolicy_peer.h"
#include "erpolicy_reevaluate.h"

/* Delay that coalesces a burst of configuration changes into one
 * re-evaluation of received routes. */
#define ERP_REEVALUATE_DELAY_MS 50

/*
 * Re-evaluate, without resetting sessions, the routes of every established
 * peer of bgp whose (direction, address family) runs one of the module's
 * maps of a role in roles[direction][address family] (bit 1 << role).  The
 * map decides from the peer's declaration, so peers whose declaration went
 * away are re-evaluated too: their routes are then denied.
 */
static void reevaluate_peers(struct erp_instance *inst, struct bgp *bgp,
			     const uint8_t roles[ERP_DIR_MAX][ERP_AFI_MAX])
{
	struct listnode *node;
	struct peer *peer;

	for (ALL_LIST_ELEMENTS_RO(bgp->peer, node, peer)) {
		if (!erp_peer_established(peer))
			continue;
		for (int d = 0; d < ERP_DIR_MAX; d++)
			for (int i = 0; i < ERP_AFI_MAX; i++) {
				afi_t afi = erp_bgp_afi(i);
				enum erp_role role =
					erp_peer_attached_role(peer, afi, d);
				struct erp_peer_stats *stats;

				if (role == ERP_ROLE_NONE ||
				    !(roles[d][i] & (1 << role)) ||
				    !peer->afc_nego[afi][SAFI_UNICAST])
					continue;
				stats = inst ? erp_stats_find(inst, peer)
					     : NULL;
				if (stats)
					erp_stats_reset_af(stats, d, i);
				ERP_DEBUG("%s %s: re-evaluating %s routes",
					  erp_peer_name(peer), afi2str(afi),
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
	static const uint8_t all[ERP_DIR_MAX][ERP_AFI_MAX] = {{0xff, 0xff},
							      {0xff, 0xff}};
	struct bgp *bgp = erp_bgp_of(inst);
	struct erp_neighbor *nbr;

	erp_task_cancel(&inst->t_reevaluate);
	while ((nbr = erp_neighbor_first(inst)))
		erp_neighbor_del(inst, nbr);
	/* the maps stay attached and now deny: say so to the routes now,
	 * the instance is gone when a timer would run */
	if (bgp) {
		struct listnode *node;
		struct peer *peer;
		unsigned int attached = 0;

		for (ALL_LIST_ELEMENTS_RO(bgp->peer, node, peer))
			for (int i = 0; i < ERP_AFI_MAX; i++)
				attached += erp_peer_attached_role(
						    peer, erp_bgp_afi(i),
						    ERP_DIR_IN) != ERP_ROLE_NONE;
		if (attached)
			zlog_warn(
				"erpolicy: %s: configuration removed; %u neighbor address families still run the module's maps and are denied every route",
				inst->vrf, attached);
		reevaluate_peers(NULL, bgp, all);
	}
}

static void reevaluate_cb(erp_task_t *t)
{
	struct erp_instance *inst = ERP_TASK_ARG(t);
	struct bgp *bgp = erp_bgp_of(inst);

	if (bgp)
		reevaluate_peers(inst, bgp, inst->reevaluate_roles);
	memset(inst->reevaluate_roles, 0, sizeof(inst->reevaluate_roles));
	erp_stats_prune(inst, erp_peer_alive, bgp);
}

void erp_reevaluate_afi(struct erp_instance *inst, enum erp_dir dir,
			enum erp_afi afi, uint8_t roles)
{
	inst->reevaluate_roles[dir][afi] |= roles;
	if (!inst->t_reevaluate)
		erp_task_add_timer_msec(bm->master, reevaluate_cb, inst,
				      ERP_REEVALUATE_DELAY_MS,
				      &inst->t_reevaluate);
}

void erp_reevaluate(struct erp_instance *inst, enum erp_dir dir, uint8_t roles)
{
	for (int i = 0; i < ERP_AFI_MAX; i++)
		erp_reevaluate_afi(inst, dir, i, roles);
}

void erp_policy_changed_afi(struct erp_instance *inst, enum erp_afi afi)
{
	uint8_t all = (1 << ERP_ROLE_EXPRESSROUTE) | (1 << ERP_ROLE_VPN);

	erp_reevaluate_afi(inst, ERP_DIR_IN, afi, all);
	erp_reevaluate_afi(inst, ERP_DIR_OUT, afi, all);
}

void erp_policy_changed(struct erp_instance *inst)
{
	for (int i = 0; i < ERP_AFI_MAX; i++)
		erp_policy_changed_afi(inst, i);
}
