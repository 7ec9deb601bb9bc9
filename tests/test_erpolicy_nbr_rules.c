// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the rules about declared neighbors (erpolicy_nbr_rules.c):
 * which ASes Azure uses for each path, the preference of stale routes.  No
 * bgpd is involved.
 */
#include <zebra.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "prefix.h"

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

/* Stale routes rank below every fresh route the policy gives a preference,
 * of either path, in every mode, demoted or not, prefer-vpn or not, and
 * for every preference the configuration allows. */
static void test_stale_below_fresh(void **state)
{
	static const uint32_t lps[][2] = {
		{200, 100}, {150, 100}, {100, 100}, {100, 200},
		{1, 0},	    {0, 0},	{UINT32_MAX, UINT32_MAX - 1},
		{2, 1},
	};
	struct erp_policy pol;
	struct prefix p;
	unsigned int checked = 0;

	assert_int_equal(str2prefix("10.100.1.0/24", &p), 1);
	erp_policy_init(&pol);
	for (size_t i = 0; i < array_size(lps); i++)
		for (int mode = ERP_MODE_BACKUP; mode <= ERP_MODE_ACTIVE_ACTIVE;
		     mode++)
			for (int exc = 0; exc <= 1; exc++) {
				pol.local_pref[ERP_ROLE_EXPRESSROUTE] = lps[i][0];
				pol.local_pref[ERP_ROLE_VPN] = lps[i][1];
				pol.mode = mode;
				if (exc)
					erp_prefix_set_add(&pol.prefer_vpn, &p,
							   0, 0);
				else
					erp_prefix_set_del(&pol.prefer_vpn, &p);
				for (int role = ERP_ROLE_EXPRESSROUTE;
				     role < ERP_ROLE_MAX; role++)
					for (int fr = ERP_ROLE_EXPRESSROUTE;
					     fr < ERP_ROLE_MAX; fr++)
						for (int dem = 0; dem <= 1;
						     dem++) {
							uint32_t fresh = erp_local_pref(
								&pol, fr, dem,
								&p);
							uint32_t stale =
								erp_local_pref_stale(
									&pol,
									role);

							assert_true(stale <=
								    fresh);
							if (fresh > 0)
								assert_true(
									stale <
									fresh);
							checked++;
						}
			}
	erp_policy_fini(&pol);
	assert_int_equal(checked, array_size(lps) * 2 * 2 * 2 * 2 * 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expressroute_asn),
		cmocka_unit_test(test_vpn_asn),
		cmocka_unit_test(test_asn_issue_names),
		cmocka_unit_test(test_stale_below_fresh),
	};

	return cmocka_run_group_tests_name("erpolicy_nbr_rules", tests, NULL,
					   NULL);
}
