// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: the on-prem prefixes offered to the neighbors again (FRR
 * glue).
 *
 * Some outbound verdicts change with the state of the paths, not with the
 * policy: the symmetric guard towards VPN neighbors (what the established
 * ExpressRoute neighbors get) and symmetric failover towards ExpressRoute
 * neighbors (withdrawn while ExpressRoute is demoted).  Both apply only to
 * prefixes that pass the on-prem check, i.e. the declared on-prem prefixes
 * (and the default route), erp_decide_out().  So rather than send every
 * route of the table through the neighbors' outbound maps again (a soft
 * out; at a failover, bgpd is busy moving the Azure routes), the best paths
 * inside the declared on-prem prefixes are offered to bgpd's update groups
 * again (group_announce_route): each group runs its outbound map on them,
 * what changed is advertised or withdrawn, and bgpd sends nothing for an
 * unchanged verdict (it suppresses an UPDATE with the attributes already
 * advertised).
 */
#ifndef _ERPOLICY_ANNOUNCE_H
#define _ERPOLICY_ANNOUNCE_H

#include "erpolicy.h"

struct bgp;
struct bgp_dest;

/* Offer dest's best path (if any; true then) to every update group of afi
 * unicast: each runs its outbound map on it again; an unchanged verdict
 * sends nothing new (bgpd suppresses an UPDATE with the attributes already
 * advertised). */
extern bool erp_announce_best(struct bgp *bgp, afi_t afi,
			      struct bgp_dest *dest);

/* Offer the on-prem prefixes of afi again, soon (50 ms: changes in a burst
 * cost one offer). */
extern void erp_announce_onprem_soon(struct erp_instance *inst,
				     enum erp_afi afi);

#endif
