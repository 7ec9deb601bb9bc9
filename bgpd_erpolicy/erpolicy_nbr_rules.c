// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: rules about the declared neighbors.  See
 * erpolicy_nbr_rules.h.
 */
#include <zebra.h>

#include "erpolicy_nbr_rules.h"

/* ASNs Azure refuses for a VPN gateway, 12076 apart (its own issue) */
static bool vpn_reserved(uint32_t asn)
{
	return asn == 8074 || asn == 8075 || (asn >= 65517 && asn <= 65520) ||
	       asn == 23456 || (asn >= 64496 && asn <= 64511) ||
	       (asn >= 65535 && asn <= 65551);
}

enum erp_asn_issue erp_asn_check(enum erp_role role, uint32_t asn,
				 bool er_declared)
{
	if (asn == 0)
		return ERP_ASN_OK;
	switch (role) {
	case ERP_ROLE_EXPRESSROUTE:
		return asn == ERP_AZURE_MSEE_AS ? ERP_ASN_OK
						: ERP_ASN_ER_NOT_MSEE;
	case ERP_ROLE_VPN:
		if (asn == ERP_AZURE_MSEE_AS)
			return ERP_ASN_VPN_IS_MSEE;
		if (vpn_reserved(asn))
			return ERP_ASN_VPN_RESERVED;
		if (asn != ERP_AZURE_VPN_GATEWAY_AS && er_declared)
			return ERP_ASN_VPN_NOT_DEFAULT;
		return ERP_ASN_OK;
	case ERP_ROLE_NONE:
		break;
	}
	return ERP_ASN_OK;
}

const char *erp_asn_issue_text(enum erp_asn_issue issue)
{
	switch (issue) {
	case ERP_ASN_ER_NOT_MSEE:
		return "Microsoft's ExpressRoute routers (MSEE) are AS 12076: not an ExpressRoute peering, or declared with the wrong path?";
	case ERP_ASN_VPN_IS_MSEE:
		return "12076 is ExpressRoute's AS (MSEE), which Azure never gives a VPN gateway: an ExpressRoute neighbor declared as the VPN?";
	case ERP_ASN_VPN_RESERVED:
		return "Azure reserves it and never gives it to a VPN gateway (8074, 8075, 65517-65520, 23456, 64496-64511, 65535-65551): declared with the wrong path?";
	case ERP_ASN_VPN_NOT_DEFAULT:
		return "an Azure VPN gateway next to ExpressRoute must keep AS 65515";
	case ERP_ASN_OK:
		break;
	}
	return "";
}

const char *erp_asn_issue_check(enum erp_asn_issue issue)
{
	switch (issue) {
	case ERP_ASN_ER_NOT_MSEE:
		return "erRemoteAs";
	case ERP_ASN_VPN_IS_MSEE:
	case ERP_ASN_VPN_RESERVED:
	case ERP_ASN_VPN_NOT_DEFAULT:
		return "vpnRemoteAs";
	case ERP_ASN_OK:
		break;
	}
	return NULL;
}

uint32_t erp_local_pref_stale(const struct erp_policy *pol, enum erp_role role)
{
	/* the lowest there is: only a fresh route at 0 (a vpn
	 * local-preference of 0, which the vpnPreferenceZero warning flags)
	 * ties with it, and bgpd's further tie-breakers decide */
	return ERP_LP_STALE;
}
