// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: the advertisement limit in bgpd's update groups (FRR glue).
 *
 * bgpd runs an outbound route-map once per update (sub)group, on the
 * group's configuration copy of a peer, and every neighbor of the group
 * gets what it permits: two MSEEs (or two VPN gateways) with the module's
 * outbound map share a group.  So the limit is kept per update group
 * (struct erp_limit_group, keyed by bgpd's group id): each neighbor gets
 * exactly its group's admitted prefixes, whichever neighbor created the
 * group, whichever goes down, however often the table is walked again.
 *
 * Prefixes leave the admitted set only when no subgroup of the group has
 * them any more (pending withdrawals count), checked once a second while
 * the group holds prefixes back; room freed so is given to the held-back
 * prefixes in prefix order, by running bgpd's announcement of just those
 * prefixes.
 */
#ifndef _ERPOLICY_UPDGRP_H
#define _ERPOLICY_UPDGRP_H

#include "erpolicy.h"

struct peer;

/*
 * The limit set of the update group an outbound route-map runs for: peer
 * is the group's configuration copy (a route-map run by bgpd) or a real
 * peer (its own subgroup's group).  create: make it if new (seeded with
 * what the group advertises already).  NULL if peer is in no update group
 * of afi (or, without create, the group has no set yet).
 */
extern struct erp_limit_group *
erp_updgrp_limits(struct erp_instance *inst, struct peer *peer,
		  enum erp_afi afi, enum erp_role role, bool create);

/* Once a second: drop the sets of groups bgpd deleted; for groups holding
 * prefixes back, drop admitted prefixes no longer advertised and offer
 * the freed room to the held-back prefixes. */
extern void erp_updgrp_tick(struct erp_instance *inst);

#endif
