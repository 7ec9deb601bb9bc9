// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: rules about the declared neighbors themselves (pure: no
 * bgpd header), unit-tested in tests/test_erpolicy_nbr_rules.c.
 *
 * - Is a neighbor's AS one Azure uses for the path it is declared with?
 *   (health warnings erRemoteAs / vpnRemoteAs)
 * - What preference do the routes of a neighbor get that bgpd keeps stale
 *   after its session went down (graceful restart)?
 *
 * Azure's numbers (../shared/reference/azure-er-vpn.md): ExpressRoute's
 * MSEEs are AS 12076; a VPN gateway is AS 65515 by default and must keep it
 * when it coexists with ExpressRoute; Azure refuses 8074, 8075, 12076,
 * 65517-65520 and IANA's reserved 23456, 64496-64511 and 65535-65551 for a
 * VPN gateway.  A lab that emulates Azure with other (private) numbers gets
 * the warning too: it is advice, the policy does not change.
 */
#ifndef _ERPOLICY_NBR_RULES_H
#define _ERPOLICY_NBR_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "erpolicy_decide.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ERP_AZURE_MSEE_AS 12076
#define ERP_AZURE_VPN_GATEWAY_AS 65515

enum erp_asn_issue {
	ERP_ASN_OK = 0,
	/* an ExpressRoute neighbor whose AS is not 12076 */
	ERP_ASN_ER_NOT_MSEE,
	/* a VPN neighbor with ExpressRoute's 12076: most likely an MSEE
	 * declared as the VPN */
	ERP_ASN_VPN_IS_MSEE,
	/* a VPN neighbor with an AS Azure never gives a VPN gateway */
	ERP_ASN_VPN_RESERVED,
	/* a VPN neighbor with another AS than 65515 next to ExpressRoute
	 * neighbors: a gateway coexisting with ExpressRoute keeps 65515 */
	ERP_ASN_VPN_NOT_DEFAULT,
};

/*
 * Is asn plausible for a neighbor declared with role?  asn 0: not known
 * (remote-as external/internal before the session came up): no issue.
 * er_declared: the instance also has ExpressRoute neighbors.
 */
extern enum erp_asn_issue erp_asn_check(enum erp_role role, uint32_t asn,
					bool er_declared);
/* What to say after "<path> neighbor X has remote-as N: " */
extern const char *erp_asn_issue_text(enum erp_asn_issue issue);
/* The health check key (erRemoteAs / vpnRemoteAs); NULL for ERP_ASN_OK */
extern const char *erp_asn_issue_check(enum erp_asn_issue issue);

/*
 * The local-preference of a route from an ExpressRoute or VPN neighbor whose
 * session went down while bgpd keeps its routes as stale (graceful restart
 * helper, RFC 4724; then long-lived, RFC 9494): below every preference the
 * policy gives a route of a session that is up (erp_local_pref()), of either
 * path, in every mode (equal only to a configured preference of 0).  A neighbor that is down is no usable path (the
 * failover state says so); its stale routes must not keep the traffic from
 * the other path's fresh routes (an ExpressRoute at 200 would hold it for
 * the restart time, 120 s by default, although the VPN is up), and stay
 * usable when nothing else is left, which is what graceful restart is for.
 */
#define ERP_LP_STALE 0
extern uint32_t erp_local_pref_stale(const struct erp_policy *pol,
				     enum erp_role role);

#ifdef __cplusplus
}
#endif

#endif /* _ERPOLICY_NBR_RULES_H */
