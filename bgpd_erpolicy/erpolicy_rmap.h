// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: the module's route-maps and their rules (FRR glue).
 *
 * Four maps with fixed names (erpolicy_map_names.h) exist for the module's
 * whole life, one per path and direction.  The operator attaches them in
 * frr.conf, like any route-map (so frr-reload, "write memory" and boot see
 * ordinary config).  Each map is
 *
 *   deny 10    match erpolicy-verdict / erpolicy-out-verdict "ROLE"
 *   deny 20    match erpolicy-user-map "in|out ROLE"
 *   deny 25    match erpolicy-out-limit "ROLE"       (outbound maps only)
 *   permit 30  set erpolicy-local-preference / erpolicy-out "ROLE"
 *
 * Nothing is encoded in a neighbor's map name beyond the path: the VRF is
 * the peer's BGP instance, the operator's own map is a leaf of the
 * neighbor's declaration, both looked up when a route is evaluated.  A map
 * attached to a neighbor not declared with its path denies everything
 * (ERP_DENY_NOT_DECLARED).  Outbound maps differ by path so that bgpd
 * never puts an ExpressRoute and a VPN neighbor in one update group.
 */
#ifndef _ERPOLICY_RMAP_H
#define _ERPOLICY_RMAP_H

#include "erpolicy.h"

extern void erp_rmap_init(void); /* installs the rules */
/* Builds the four maps: in the daemon proper, before the configuration is
 * read (an event after late init, like the YANG model). */
extern void erp_rmap_build_maps(void);

/* The operator's map user runs inside the module's map of (dir, role):
 * an edit of it re-applies the module's map.  add false: no longer. */
extern void erp_rmap_user_dependency(enum erp_dir dir, enum erp_role role,
				     const char *user, bool add);

#endif
