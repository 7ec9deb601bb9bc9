// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: the names of the module's route-maps (no bgpd headers).
 *
 * Four maps with fixed names exist for the module's whole life, one per
 * path and direction; the operator attaches them in frr.conf
 * (erpolicy_rmap.h describes what they contain):
 *
 *   neighbor X route-map erpolicy-expressroute in
 *   neighbor X route-map erpolicy-out-expressroute out
 *   neighbor Y route-map erpolicy-vpn in
 *   neighbor Y route-map erpolicy-out-vpn out
 *
 * Route-map names starting with "erpolicy-" are reserved: the northbound
 * refuses an operator's route-map of such a name (erpolicy_nb.c).
 */
#ifndef _ERPOLICY_MAP_NAMES_H
#define _ERPOLICY_MAP_NAMES_H

#include "erpolicy.h"

#define ERP_RMAP_RESERVED_PREFIX "erpolicy-"

/* The module's map of a path and direction. */
extern const char *erp_rmap_name(enum erp_dir dir, enum erp_role role);
/* Is name one of the module's maps?  If so, which. */
extern bool erp_rmap_lookup_name(const char *name, enum erp_dir *dir,
				 enum erp_role *role);
/* Is name reserved for the module ("erpolicy-...")? */
extern bool erp_rmap_reserved(const char *name);

#endif
