// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: stale routes of declared neighbors (FRR glue).  See
 * erpolicy_stale.h.
 */
#include <zebra.h>

#include "bgpd/bgpd.h"
#include "bgpd/bgp_attr.h"
#include "bgpd/bgp_route.h"
#include "bgpd/bgp_table.h"

#include "erpolicy.h"
#include "erpolicy_nbr_rules.h"
#include "erpolicy_peer.h"
#include "erpolicy_stale.h"

/* Give one path the local-preference lp, as bgpd changes attributes of a
 * path it keeps (a new interned attr, the old one released). */
static bool set_local_pref(struct bgp_dest *dest, struct bgp_path_info *pi,
			   uint32_t lp)
{
	struct attr attr, *attr_new;

	if (CHECK_FLAG(pi->attr->flag, ATTR_FLAG_BIT(BGP_ATTR_LOCAL_PREF)) &&
	    pi->attr->local_pref == lp)
		return false;
	attr = *pi->attr;
	attr.local_pref = lp;
	attr.flag |= ATTR_FLAG_BIT(BGP_ATTR_LOCAL_PREF);
	attr_new = bgp_attr_intern(&attr);
	bgp_attr_unintern(&pi->attr);
	pi->attr = attr_new;
	bgp_path_info_set_flag(dest, pi, BGP_PATH_ATTR_CHANGED);
	return true;
}

unsigned int erp_stale_session_down(struct erp_instance *inst,
				    struct peer *peer)
{
	enum erp_role role = erp_peer_role(inst, peer, NULL);
	struct erp_peer_stats *stats;
	unsigned int total = 0;

	/* bgp_stop() decided before the status changed: NSF_WAIT set, the
	 * routes of the families in peer->nsf are kept (bgpd marks them stale
	 * from its clear queue, after this) */
	if (role == ERP_ROLE_NONE ||
	    !CHECK_FLAG(peer->sflags, PEER_STATUS_NSF_WAIT))
		return 0;
	stats = erp_stats_get(inst, peer, peer->host);
	for (int i = 0; i < ERP_AFI_MAX; i++) {
		afi_t afi = erp_bgp_afi(i);
		uint32_t lp = erp_local_pref_stale(&inst->policy, role);
		struct bgp_dest *dest;
		struct bgp_path_info *pi;
		unsigned int n = 0;

		/* the session back before its End-of-RIB still has these in
		 * bgpd's count (stale_routes_pending(), erpolicy_peer.c) */
		stats->stale_until_ms[i] =
			peer->nsf[afi][SAFI_UNICAST]
				? erp_now_ms() +
					  1000ULL * peer->bgp->stalepath_time
				: 0;

		/* only routes that came through the module's map of the
		 * neighbor's path carry the module's preference */
		if (!peer->nsf[afi][SAFI_UNICAST] ||
		    erp_peer_attached_role(peer, afi, ERP_DIR_IN) != role)
			continue;
		for (dest = bgp_table_top(peer->bgp->rib[afi][SAFI_UNICAST]);
		     dest; dest = bgp_route_next(dest)) {
			struct bgp_path_info *next;

			for (pi = bgp_dest_get_bgp_path_info(dest); pi;
			     pi = next) {
				/* 10.x moves a processed path to the head */
				next = pi->next;
				if (pi->peer != peer ||
				    CHECK_FLAG(pi->flags, BGP_PATH_REMOVED) ||
				    !set_local_pref(dest, pi, lp))
					continue;
				erp_bgp_process(peer->bgp, dest, pi, afi,
						SAFI_UNICAST);
				n++;
			}
		}
		if (n)
			zlog_notice(
				"erpolicy: %s (%s) down, %u %s routes kept stale by graceful restart (up to %u s): local-preference %u until it is back",
				erp_peer_name(peer), erp_role_name(role), n,
				erp_afi_name(i), peer->v_gr_restart, lp);
		total += n;
	}
	return total;
}
