// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: the names of the module's route-maps.  See
 * erpolicy_map_names.h.
 */
#include <zebra.h>

#include "erpolicy.h"
#include "erpolicy_map_names.h"

/* Names of the module's maps, by direction and path. */
static const char *const map_names[ERP_DIR_MAX][ERP_ROLE_MAX] = {
	[ERP_DIR_IN] = {[ERP_ROLE_EXPRESSROUTE] = "erpolicy-expressroute",
			[ERP_ROLE_VPN] = "erpolicy-vpn"},
	[ERP_DIR_OUT] = {[ERP_ROLE_EXPRESSROUTE] = "erpolicy-out-expressroute",
			 [ERP_ROLE_VPN] = "erpolicy-out-vpn"},
};

const char *erp_rmap_name(enum erp_dir dir, enum erp_role role)
{
	if ((unsigned int)dir >= ERP_DIR_MAX ||
	    (unsigned int)role >= ERP_ROLE_MAX || !map_names[dir][role])
		return "erpolicy-invalid";
	return map_names[dir][role];
}

bool erp_rmap_lookup_name(const char *name, enum erp_dir *dir,
			  enum erp_role *role)
{
	for (int d = 0; d < ERP_DIR_MAX; d++)
		for (int r = 0; r < ERP_ROLE_MAX; r++)
			if (map_names[d][r] &&
			    strcmp(map_names[d][r], name) == 0) {
				*dir = d;
				*role = r;
				return true;
			}
	return false;
}

bool erp_rmap_reserved(const char *name)
{
	return strncmp(name, ERP_RMAP_RESERVED_PREFIX,
		       strlen(ERP_RMAP_RESERVED_PREFIX)) == 0;
}
