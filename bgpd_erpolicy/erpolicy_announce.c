// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: the on-prem prefixes offered to the neighbors again.  See
 * erpolicy_announce.h.
 */
#include <zebra.h>

#include "erpolicy_compat.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_route.h"
#include "bgpd/bgp_table.h"
#include "bgpd/bgp_advertise.h"
#include "bgpd/bgp_updgrp.h"

#include "erpolicy.h"
#include "erpolicy_announce.h"
#include "erpolicy_debug.h"
#include "erpolicy_peer.h"
#include "erpolicy_scope.h"

/* The same delay as a re-evaluation (erpolicy_reevaluate.c): a burst of
 * session or state changes costs one offer. */
#define ERP_ANNOUNCE_DELAY_MS 50

bool erp_announce_best(struct bgp *bgp, afi_t afi, struct bgp_dest *dest)
{
	struct bgp_path_info *pi;

	for (pi = bgp_dest_get_bgp_path_info(dest); pi; pi = pi->next)
		if (CHECK_FLAG(pi->flags, BGP_PATH_SELECTED))
			break;
	if (!pi)
		return false;
	group_announce_route(bgp, afi, SAFI_UNICAST, dest, pi);
	return true;
}

/* The default route (it skips the on-prem check) and the best paths inside
 * the declared on-prem prefixes of afi. */
static unsigned int announce_onprem(struct erp_instance *inst, enum erp_afi afi)
{
	struct bgp *bgp = erp_bgp_of(inst);
	afi_t bafi = erp_bgp_afi(afi);
	struct bgp_table *table;
	struct bgp_dest *dest;
	unsigned int offered = 0;
	struct erp_scope s;

	if (!bgp || !(table = bgp->rib[bafi][SAFI_UNICAST]))
		return 0;
	if (!inst->policy.onprem.count[afi]) {
		/* the walk below visits nothing, not even the default */
		struct prefix dflt = {.family = afi == ERP_AFI_IPV6 ? AF_INET6
								    : AF_INET};

		dest = bgp_node_lookup(table, &dflt);
		if (dest) {
			offered += erp_announce_best(bgp, bafi, dest);
			bgp_dest_unlock_node(dest);
		}
		return offered;
	}
	for (dest = erp_scope_first(&s, &inst->policy.onprem, false, afi,
				    table);
	     dest; dest = erp_scope_next(&s))
		offered += erp_announce_best(bgp, bafi, dest);
	return offered;
}

static void announce_cb(erp_task_t *t)
{
	struct erp_instance *inst = ERP_TASK_ARG(t);
	uint8_t both = (1 << ERP_ROLE_EXPRESSROUTE) | (1 << ERP_ROLE_VPN);

	for (int i = 0; i < ERP_AFI_MAX; i++) {
		unsigned int n;

		if (!(inst->announce_afis & (1 << i)))
			continue;
		/* a pending soft out of every neighbor covers it */
		if ((inst->reevaluate_roles[ERP_DIR_OUT][i] & both) == both)
			continue;
		n = announce_onprem(inst, i);
		ERP_DEBUG(
			"%s: %u %s best paths in on-prem prefixes offered again",
			inst->vrf, n, erp_afi_name(i));
	}
	inst->announce_afis = 0;
}

void erp_announce_onprem_soon(struct erp_instance *inst, enum erp_afi afi)
{
	inst->announce_afis |= 1 << afi;
	if (!inst->t_announce)
		erp_task_add_timer_msec(bm->master, announce_cb, inst,
					ERP_ANNOUNCE_DELAY_MS,
					&inst->t_announce);
}
