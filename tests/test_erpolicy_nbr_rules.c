// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the rules about declared neighbors (erpolicy_nbr_rules.c):
 * which ASes Azure uses for each path.  No bgpd is involved.
 */
#include <zebra.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "erpolicy_nbr_rules.h"

static void test_expressroute_asn(void **state)
{
	/* the VPN gateway's AS, private lab ASes, a 4-byte AS, neighbors of
	 * 12076 */
	static const uint32_t other[] = {65515, 64512, 65001, 65010,
					 4200000000u, 12075, 12077, 8075};

	assert_int_equal(erp_asn_check(ERP_ROLE_EXPRESSROUTE, 12076, true),
			 ERP_ASN_OK);
	assert_int_equal(erp_asn_check(ERP_ROLE_EXPRESSROUTE, 12076, false),
			 ERP_ASN_OK);
	/* not known yet (remote-as external before the session): nothing */
	assert_int_equal(erp_asn_check(ERP_ROLE_EXPRESSROUTE, 0, true),
			 ERP_ASN_OK);
	for (size_t i = 0; i < array_size(other); i++) {
		assert_int_equal(
			erp_asn_check(ERP_ROLE_EXPRESSROUTE, other[i], true),
			ERP_ASN_ER_NOT_MSEE);
		assert_int_equal(
			erp_asn_check(ERP_ROLE_EXPRESSROUTE, other[i], false),
			ERP_ASN_ER_NOT_MSEE);
	}
}

static void test_vpn_asn(void **state)
{
	static const uint32_t reserved[] = {8074,  8075,  65517, 65518,
					    65519, 65520, 23456, 64496,
					    64500, 64511, 65535, 65540,
					    65551};
	static const uint32_t custom[] = {64512, 65001, 65010, 65516,
					  65521, 65534, 65552, 4200000000u,
					  64495};

	/* the default, with or without ExpressRoute */
	assert_int_equal(erp_asn_check(ERP_ROLE_VPN, 65515, true), ERP_ASN_OK);
	assert_int_equal(erp_asn_check(ERP_ROLE_VPN, 65515, false),
			 ERP_ASN_OK);
	assert_int_equal(erp_asn_check(ERP_ROLE_VPN, 0, true), ERP_ASN_OK);
	/* ExpressRoute's AS on a VPN neighbor, whatever else is declared */
	assert_int_equal(erp_asn_check(ERP_ROLE_VPN, 12076, true),
			 ERP_ASN_VPN_IS_MSEE);
	assert_int_equal(erp_asn_check(ERP_ROLE_VPN, 12076, false),
			 ERP_ASN_VPN_IS_MSEE);
	for (size_t i = 0; i < array_size(reserved); i++) {
		assert_int_equal(erp_asn_check(ERP_ROLE_VPN, reserved[i], true),
				 ERP_ASN_VPN_RESERVED);
		assert_int_equal(erp_asn_check(ERP_ROLE_VPN, reserved[i],
					       false),
				 ERP_ASN_VPN_RESERVED);
	}
	/* a custom AS is allowed for a gateway without ExpressRoute, not
	 * next to it */
	for (size_t i = 0; i < array_size(custom); i++) {
		assert_int_equal(erp_asn_check(ERP_ROLE_VPN, custom[i], false),
				 ERP_ASN_OK);
		assert_int_equal(erp_asn_check(ERP_ROLE_VPN, custom[i], true),
				 ERP_ASN_VPN_NOT_DEFAULT);
	}
	/* no path, no rule */
	assert_int_equal(erp_asn_check(ERP_ROLE_NONE, 1, true), ERP_ASN_OK);
}

static void test_asn_issue_names(void **state)
{
	assert_null(erp_asn_issue_check(ERP_ASN_OK));
	assert_string_equal(erp_asn_issue_check(ERP_ASN_ER_NOT_MSEE),
			    "erRemoteAs");
	assert_string_equal(erp_asn_issue_check(ERP_ASN_VPN_IS_MSEE),
			    "vpnRemoteAs");
	assert_string_equal(erp_asn_issue_check(ERP_ASN_VPN_RESERVED),
			    "vpnRemoteAs");
	assert_string_equal(erp_asn_issue_check(ERP_ASN_VPN_NOT_DEFAULT),
			    "vpnRemoteAs");
	for (int i = ERP_ASN_ER_NOT_MSEE; i <= ERP_ASN_VPN_NOT_DEFAULT; i++)
		assert_true(strlen(erp_asn_issue_text(i)) > 20);
	assert_non_null(strstr(erp_asn_issue_text(ERP_ASN_ER_NOT_MSEE),
			       "12076"));
	assert_non_null(strstr(erp_asn_issue_text(ERP_ASN_VPN_NOT_DEFAULT),
			       "65515"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expressroute_asn),
		cmocka_unit_test(test_vpn_asn),
		cmocka_unit_test(test_asn_issue_names),
	};

	return cmocka_run_group_tests_name("erpolicy_nbr_rules", tests, NULL,
					   NULL);
}
