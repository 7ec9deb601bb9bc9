// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: routes bgpd keeps stale after a declared neighbor's session
 * went down (graceful restart helper) get the stale local-preference
 * (erp_local_pref_stale(), FRR glue).
 *
 * bgpd keeps such routes with the attributes they had, and runs no
 * route-map on them: an ExpressRoute neighbor's stale routes would keep
 * their 200 and outrank the VPN's fresh 100 for the restart time.  When the
 * neighbor is back, its routes arrive again through the module's map and
 * get their normal preference; those it does not send again are removed by
 * bgpd at End-of-RIB or when the restart or stale timer expires.
 */
#ifndef _ERPOLICY_STALE_H
#define _ERPOLICY_STALE_H

#include "erpolicy.h"

struct peer;

/* peer's session just ended (peer_status_changed, from Established): if
 * bgpd keeps its routes as stale, demote them.  Returns the number of
 * routes demoted. */
extern unsigned int erp_stale_session_down(struct erp_instance *inst,
					   struct peer *peer);

#endif
