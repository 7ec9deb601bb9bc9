// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: module-owned route-maps.
 *
 * A neighbor with a path role gets, per address family,
 *
 *   inbound  erpolicy-ROLE[@VRF][+USERMAP]
 *     deny 10    match erpolicy-verdict "ROLE VRF"      received-route verdict
 *     deny 20    match erpolicy-user-map "in USERMAP"   the operator's own map:
 *                                                       its sets apply, its deny denies
 *     permit 30  set erpolicy-local-preference "ROLE VRF"
 *
 *   outbound erpolicy-out-ROLE[@VRF][+USERMAP]
 *     deny 10    match erpolicy-out-verdict "ROLE VRF"  what Azure may get
 *     deny 20    match erpolicy-user-map "out USERMAP"
 *     permit 30  set erpolicy-out "ROLE VRF"            VPN AS-path prepend
 *
 * so the operator's maps keep working and the module's decisions come
 * first (inbound: its local-preference last).  The name carries everything
 * needed to restore the neighbor: the operator's map is the part after '+'.
 */
#ifndef _ERPOLICY_RMAP_H
#define _ERPOLICY_RMAP_H

#include "erpolicy.h"

#define ERP_RMAP_PREFIX "erpolicy-"
#define ERP_RMAP_OUT_PREFIX "erpolicy-out-"
#define ERP_RMAP_NAMSIZ 256

extern void erp_rmap_init(void);
extern void erp_rmap_fini(void);

/* Compose the module map name; returns buf. */
extern const char *erp_rmap_name(char *buf, size_t len, enum erp_dir dir,
				 enum erp_role role, const char *vrf,
				 const char *user_map);
/* Is name a module map?  If so, fill in what it encodes (user_map "" if
 * none). */
extern bool erp_rmap_parse(const char *name, enum erp_dir *dir,
			   enum erp_role *role, char *vrf, size_t vrflen,
			   char *user_map, size_t userlen);
/* Create the module map of that name (parsed from the name) if missing. */
extern struct route_map *erp_rmap_ensure(const char *name);
/* Delete module maps for which in_use(name, arg) is false. */
extern void erp_rmap_gc(bool (*in_use)(const char *name, void *arg), void *arg);

#endif
