// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: re-evaluation of routes after the policy changed (FRR
 * glue).
 *
 * Asks bgpd to run the module's maps again (soft clear, no session reset)
 * on the routes of the peers that run them, coalescing a burst of changes
 * into one pass.
 */
#ifndef _ERPOLICY_REEVALUATE_H
#define _ERPOLICY_REEVALUATE_H

#include "erpolicy.h"

/* Re-evaluate received (dir in) or advertised (dir out) routes of
 * neighbors of these roles (bit 1 << role) soon, without resetting
 * sessions. */
extern void erp_reevaluate(struct erp_instance *inst, enum erp_dir dir,
			   uint8_t roles);
/* The same, in one address family. */
extern void erp_reevaluate_afi(struct erp_instance *inst, enum erp_dir dir,
			       enum erp_afi afi, uint8_t roles);
/* The policy changed: re-evaluate both directions of every role soon. */
extern void erp_policy_changed(struct erp_instance *inst);
/* The policy of one address family changed (a prefix of that family, its
 * maximum prefix length): only its routes are evaluated again, so that the
 * other family's routes are not re-sent for nothing. */
extern void erp_policy_changed_afi(struct erp_instance *inst, enum erp_afi afi);
/* The instance's configuration is being removed: forget its declarations
 * and re-evaluate at once the routes of peers that still run the module's
 * maps (they now deny everything).  The caller ends the operator's maps'
 * dependencies (erp_rmap_user_dependency()) first. */
extern void erp_instance_removing(struct erp_instance *inst);

#endif
