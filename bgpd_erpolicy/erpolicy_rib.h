// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: per-prefix view of the BGP table (FRR glue): for each
 * prefix learned from an ExpressRoute or VPN neighbor, which paths exist,
 * which is best, which is intended, and what disagrees.
 */
#ifndef _ERPOLICY_RIB_H
#define _ERPOLICY_RIB_H

#include "erpolicy.h"

struct erp_prefix_row {
	const struct prefix *prefix;
	struct erp_prefix_facts facts;
	enum erp_path intended;
	enum erp_prefix_issue issue;
	const char *best_neighbor; /* NULL: no best path */
	uint32_t best_local_pref;
};

/* Walk the unicast table of afi where ExpressRoute and VPN routes can be
 * (the default route and what is inside the declared Azure prefixes, or the
 * whole table if the family has none); only (if not NULL) the exact
 * prefix. */
extern void erp_rib_walk(struct erp_instance *inst, enum erp_afi afi,
			 const struct prefix *only,
			 void (*fn)(const struct erp_prefix_row *row, void *arg),
			 void *arg);

/* Overlaps with on-prem and ER/VPN differences over both families.
 * Returns the number of table nodes visited. */
extern unsigned int erp_rib_overlap_counts(struct erp_instance *inst,
					   struct erp_overlap_counts *out);

/* Azure routes the no-transit rule keeps from peer: best paths in the
 * table learned from an ExpressRoute or VPN neighbor (the default route only
 * if it may be advertised at all), as last counted by
 * erp_rib_transit_refresh().  0 when transit is allowed or the session does
 * not carry afi.  Costs nothing: a read calls the refresh once, then this
 * for each neighbor. */
extern uint32_t erp_rib_transit_count(const struct erp_instance *inst,
				      enum erp_afi afi, struct peer *peer);
/* Count the Azure best paths again (a walk of the table per address
 * family) unless the last count is recent: less than a second old and
 * nothing received from Azure since (withdrawals are seen up to 1 s late).
 * Called when a read of the state begins. */
extern void erp_rib_transit_refresh(struct erp_instance *inst);

#endif
