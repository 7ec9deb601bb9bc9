// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the decision logic (erpolicy_decide.c): prefix sets with
 * prefix-list semantics, rule checks, verdicts and preferred path.  No bgpd
 * is involved; libfrr provides the prefix and table types.
 */
#include <zebra.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "prefix.h"

#include "erpolicy_decide.h"
#include "erpolicy_limit.h"
#include "test_random_prefix.h"

static struct prefix P(const char *s)
{
	struct prefix p;

	assert_int_equal(str2prefix(s, &p), 1);
	return p;
}

static void add(struct erp_prefix_set *set, const char *s, unsigned int ge,
		unsigned int le)
{
	struct prefix p = P(s);
	char err[128];

	assert_true(erp_prefix_rule_check(&p, ge, le, err, sizeof(err)));
	erp_prefix_set_add(set, &p, ge, le);
}

static bool match(struct erp_prefix_set *set, const char *s)
{
	struct prefix p = P(s);

	return erp_prefix_set_match(set, &p);
}

static void test_exact_rule(void **state)
{
	struct erp_prefix_set set;

	erp_prefix_set_init(&set);
	add(&set, "10.100.0.0/16", 0, 0);
	assert_true(match(&set, "10.100.0.0/16"));
	assert_false(match(&set, "10.100.1.0/24"));
	assert_false(match(&set, "10.0.0.0/8"));
	assert_false(match(&set, "10.101.0.0/16"));
	erp_prefix_set_fini(&set);
}

static void test_le_ge_rules(void **state)
{
	struct erp_prefix_set set;

	erp_prefix_set_init(&set);
	add(&set, "10.100.0.0/16", 0, 24); /* /16../24 */
	add(&set, "10.200.0.0/16", 20, 0); /* /20../32 */
	add(&set, "10.30.0.0/16", 18, 22); /* /18../22 */
	assert_true(match(&set, "10.100.0.0/16"));
	assert_true(match(&set, "10.100.7.0/24"));
	assert_false(match(&set, "10.100.7.128/25"));
	assert_false(match(&set, "10.200.0.0/16"));
	assert_true(match(&set, "10.200.16.0/20"));
	assert_true(match(&set, "10.200.1.1/32"));
	assert_false(match(&set, "10.30.0.0/17"));
	assert_true(match(&set, "10.30.64.0/18"));
	assert_true(match(&set, "10.30.4.0/22"));
	assert_false(match(&set, "10.30.4.0/23"));
	assert_int_equal(erp_prefix_set_count(&set), 3);
	erp_prefix_set_fini(&set);
}

/* A short rule with "le" must match even below a longer rule that does not. */
static void test_nested_rules(void **state)
{
	struct erp_prefix_set set;

	erp_prefix_set_init(&set);
	add(&set, "10.0.0.0/8", 0, 32);
	add(&set, "10.1.0.0/16", 0, 0);
	assert_true(match(&set, "10.1.2.0/24")); /* via 10.0.0.0/8 le 32 */
	assert_true(match(&set, "10.1.0.0/16"));
	assert_true(match(&set, "10.0.0.0/8"));
	assert_false(match(&set, "11.0.0.0/8"));
	erp_prefix_set_fini(&set);
}

static void test_outer_rules(void **state)
{
	struct erp_prefix_set set;
	const struct route_node *cursor = NULL;
	const struct erp_prefix_rule *r;
	char buf[PREFIX_STRLEN];

	erp_prefix_set_init(&set);
	add(&set, "10.1.0.0/16", 0, 24);
	add(&set, "10.0.0.0/8", 0, 32);
	add(&set, "10.2.3.0/24", 0, 0);
	add(&set, "192.168.0.0/16", 0, 0);
	add(&set, "172.16.0.0/12", 0, 0);
	add(&set, "2001:db8::/32", 0, 48);
	const char *v4[] = {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"};

	for (unsigned int i = 0; i < array_size(v4); i++) {
		r = erp_prefix_set_next_outer(&set, AF_INET, &cursor);
		assert_non_null(r);
		assert_string_equal(prefix2str(&r->prefix, buf, sizeof(buf)),
				    v4[i]);
	}
	assert_null(erp_prefix_set_next_outer(&set, AF_INET, &cursor));

	cursor = NULL;
	r = erp_prefix_set_next_outer(&set, AF_INET6, &cursor);
	assert_non_null(r);
	assert_string_equal(prefix2str(&r->prefix, buf, sizeof(buf)),
			    "2001:db8::/32");
	assert_null(erp_prefix_set_next_outer(&set, AF_INET6, &cursor));

	/* a /0 rule contains everything; no rules, nothing */
	add(&set, "0.0.0.0/0", 0, 32);
	cursor = NULL;
	r = erp_prefix_set_next_outer(&set, AF_INET, &cursor);
	assert_non_null(r);
	assert_int_equal(r->prefix.prefixlen, 0);
	assert_null(erp_prefix_set_next_outer(&set, AF_INET, &cursor));
	erp_prefix_set_fini(&set);

	erp_prefix_set_init(&set);
	cursor = NULL;
	assert_null(erp_prefix_set_next_outer(&set, AF_INET, &cursor));
	assert_null(erp_prefix_set_next_outer(&set, AF_UNSPEC, &cursor));
	erp_prefix_set_fini(&set);
}

static void test_overlaps(void **state)
{
	struct erp_prefix_set set;
	struct prefix a = P("172.16.5.0/24"), b = P("172.0.0.0/8"),
		      c = P("10.0.0.0/8"), d = P("172.16.0.0/12");

	erp_prefix_set_init(&set);
	assert_false(erp_prefix_set_overlaps(&set, &a));
	add(&set, "172.16.0.0/12", 0, 0); /* exact rule: le ignored here */
	assert_true(erp_prefix_set_overlaps(&set, &a)); /* inside the rule */
	assert_true(erp_prefix_set_overlaps(&set, &b)); /* contains it */
	assert_true(erp_prefix_set_overlaps(&set, &d));
	assert_false(erp_prefix_set_overlaps(&set, &c));
	erp_prefix_set_fini(&set);

	/* rules deep in the trie, reached through branch-only nodes */
	erp_prefix_set_init(&set);
	add(&set, "10.1.2.0/24", 0, 0);
	add(&set, "10.200.0.0/16", 0, 0);
	add(&set, "192.168.0.0/30", 0, 0);
	for (const char **t = (const char *[]){"10.0.0.0/8", "10.128.0.0/9",
					       "10.1.0.0/16", "10.1.2.128/25",
					       "192.168.0.0/16", "0.0.0.0/0",
					       NULL};
	     *t; t++) {
		struct prefix q = P(*t);

		assert_true(erp_prefix_set_overlaps(&set, &q));
	}
	for (const char **t = (const char *[]){"10.2.0.0/16", "11.0.0.0/8",
					       "10.1.3.0/24", "192.168.0.4/30",
					       "10.64.0.0/10", NULL};
	     *t; t++) {
		struct prefix q = P(*t);

		assert_false(erp_prefix_set_overlaps(&set, &q));
	}
	erp_prefix_set_fini(&set);
}

static void test_replace_and_delete(void **state)
{
	struct erp_prefix_set set;
	struct prefix p = P("10.100.0.0/16");

	erp_prefix_set_init(&set);
	add(&set, "10.100.0.0/16", 0, 0);
	assert_false(match(&set, "10.100.1.0/24"));
	add(&set, "10.100.0.0/16", 0, 24); /* replace bounds */
	assert_true(match(&set, "10.100.1.0/24"));
	assert_int_equal(erp_prefix_set_count(&set), 1);
	assert_true(erp_prefix_set_del(&set, &p));
	assert_false(erp_prefix_set_del(&set, &p));
	assert_false(match(&set, "10.100.0.0/16"));
	assert_int_equal(erp_prefix_set_count(&set), 0);
	erp_prefix_set_fini(&set);
}

static void test_ipv6_and_families(void **state)
{
	struct erp_prefix_set set;

	erp_prefix_set_init(&set);
	add(&set, "2001:db8:100::/48", 0, 64);
	assert_true(match(&set, "2001:db8:100:5::/64"));
	assert_false(match(&set, "2001:db8:100:5::/80"));
	assert_false(match(&set, "2001:db8:200::/48"));
	/* an IPv4 route never matches an IPv6 rule */
	assert_false(match(&set, "32.1.13.184/32"));
	erp_prefix_set_fini(&set);
}

static void test_rule_check(void **state)
{
	struct prefix p = P("10.100.0.0/16"), host = P("10.100.1.0/16"),
		      v6 = P("2001:db8::/32");
	char err[128];

	assert_true(erp_prefix_rule_check(&p, 0, 0, err, sizeof(err)));
	assert_true(erp_prefix_rule_check(&p, 16, 32, err, sizeof(err)));
	assert_false(erp_prefix_rule_check(&host, 0, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "did you mean 10.100.0.0/16"));
	assert_false(erp_prefix_rule_check(&p, 8, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "ge 8"));
	assert_false(erp_prefix_rule_check(&p, 0, 33, err, sizeof(err)));
	assert_false(erp_prefix_rule_check(&p, 25, 24, err, sizeof(err)));
	assert_non_null(strstr(err, "greater than"));
	assert_true(erp_prefix_rule_check(&v6, 0, 128, err, sizeof(err)));
	assert_false(erp_prefix_rule_check(&v6, 0, 129, err, sizeof(err)));
}

struct fixture {
	struct erp_policy pol;
};

static int policy_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	erp_policy_init(&f->pol);
	add(&f->pol.azure, "10.100.0.0/16", 0, 24);
	add(&f->pol.azure, "2001:db8:100::/48", 0, 64);
	add(&f->pol.onprem, "172.16.0.0/12", 0, 32);
	*state = f;
	return 0;
}

static int policy_teardown(void **state)
{
	struct fixture *f = *state;

	erp_policy_fini(&f->pol);
	free(f);
	return 0;
}

static enum erp_reason verdict(struct erp_policy *pol, enum erp_role role,
			       const char *s, uint32_t *lp)
{
	struct prefix p = P(s);

	return erp_decide(pol, role, &p, lp);
}

static void test_verdicts(void **state)
{
	struct fixture *f = *state;
	uint32_t lp = 0;

	assert_int_equal(verdict(&f->pol, ERP_ROLE_EXPRESSROUTE,
				 "10.100.1.0/24", &lp),
			 ERP_ACCEPT);
	assert_int_equal(lp, 200);
	assert_int_equal(verdict(&f->pol, ERP_ROLE_VPN, "10.100.1.0/24", &lp),
			 ERP_ACCEPT);
	assert_int_equal(lp, 100);
	assert_int_equal(verdict(&f->pol, ERP_ROLE_VPN, "0.0.0.0/0", &lp),
			 ERP_DENY_DEFAULT_ROUTE);
	assert_int_equal(verdict(&f->pol, ERP_ROLE_VPN, "::/0", &lp),
			 ERP_DENY_DEFAULT_ROUTE);
	assert_int_equal(verdict(&f->pol, ERP_ROLE_EXPRESSROUTE,
				 "172.16.5.0/24", &lp),
			 ERP_DENY_ONPREM);
	assert_int_equal(verdict(&f->pol, ERP_ROLE_EXPRESSROUTE,
				 "192.168.77.0/24", &lp),
			 ERP_DENY_NOT_AZURE);
	assert_int_equal(verdict(&f->pol, ERP_ROLE_EXPRESSROUTE,
				 "10.100.1.128/25", &lp),
			 ERP_DENY_NOT_AZURE);
	assert_int_equal(verdict(&f->pol, ERP_ROLE_EXPRESSROUTE,
				 "2001:db8:100:1::/64", &lp),
			 ERP_ACCEPT);
	assert_int_equal(verdict(&f->pol, ERP_ROLE_EXPRESSROUTE,
				 "2001:db8:999::/48", &lp),
			 ERP_DENY_NOT_AZURE);
	/* no role: never accepted (the module's maps always carry one) */
	assert_int_equal(verdict(&f->pol, ERP_ROLE_NONE, "10.100.1.0/24", &lp),
			 ERP_DENY_UNSUPPORTED);
}

static void test_verdict_order_and_options(void **state)
{
	struct fixture *f = *state;
	uint32_t lp = 0;

	/* on-prem wins over Azure when both would match */
	add(&f->pol.onprem, "10.100.9.0/24", 0, 32);
	assert_int_equal(verdict(&f->pol, ERP_ROLE_EXPRESSROUTE,
				 "10.100.9.0/24", &lp),
			 ERP_DENY_ONPREM);
	/* maximum length is checked before the sets */
	f->pol.max_length_v4 = 20;
	assert_int_equal(verdict(&f->pol, ERP_ROLE_EXPRESSROUTE,
				 "10.100.1.0/24", &lp),
			 ERP_DENY_TOO_LONG);
	assert_int_equal(verdict(&f->pol, ERP_ROLE_EXPRESSROUTE,
				 "10.100.0.0/20", &lp),
			 ERP_ACCEPT);
	f->pol.max_length_v6 = 48;
	assert_int_equal(verdict(&f->pol, ERP_ROLE_VPN, "2001:db8:100:1::/64",
				 &lp),
			 ERP_DENY_TOO_LONG);
	/* the default route, when allowed, needs no Azure prefix */
	f->pol.allow_default_route = true;
	assert_int_equal(verdict(&f->pol, ERP_ROLE_VPN, "0.0.0.0/0", &lp),
			 ERP_ACCEPT);
	assert_int_equal(lp, 100);
	/* local-preference follows the configuration */
	f->pol.local_pref[ERP_ROLE_EXPRESSROUTE] = 300;
	assert_int_equal(verdict(&f->pol, ERP_ROLE_EXPRESSROUTE,
				 "10.100.0.0/16", &lp),
			 ERP_ACCEPT);
	assert_int_equal(lp, 300);
}

/* Azure prefixes filter per address family: none declared for IPv6 means
 * every IPv6 route passes that check. */
static void test_azure_set_per_family(void **state)
{
	struct erp_policy pol;
	uint32_t lp;

	/* issue 12 item 1: a family without Azure prefixes accepts nothing
	 * (RFC 8212 spirit); before, any IPv6 route from an MSEE was taken at
	 * the ExpressRoute local-preference when only IPv4 was declared */
	erp_policy_init(&pol);
	add(&pol.azure, "10.100.0.0/16", 0, 24);
	assert_int_equal(verdict(&pol, ERP_ROLE_VPN, "2001:db8:5::/48", &lp),
			 ERP_DENY_NO_AZURE_PREFIXES);
	assert_int_equal(verdict(&pol, ERP_ROLE_EXPRESSROUTE, "::ffff:10.100.1.0/120",
				 &lp),
			 ERP_DENY_NO_AZURE_PREFIXES);
	assert_int_equal(verdict(&pol, ERP_ROLE_VPN, "10.5.0.0/16", &lp),
			 ERP_DENY_NOT_AZURE);
	assert_int_equal(verdict(&pol, ERP_ROLE_VPN, "10.100.1.0/24", &lp),
			 ERP_ACCEPT);
	erp_policy_fini(&pol);
	/* nothing declared at all: nothing passes in either family ... */
	erp_policy_init(&pol);
	assert_int_equal(verdict(&pol, ERP_ROLE_VPN, "10.5.0.0/16", &lp),
			 ERP_DENY_NO_AZURE_PREFIXES);
	assert_int_equal(verdict(&pol, ERP_ROLE_EXPRESSROUTE, "2001:db8::/32",
				 &lp),
			 ERP_DENY_NO_AZURE_PREFIXES);
	/* ... but the default route when explicitly allowed (it is never in
	 * an Azure set), and the earlier reasons keep their precedence */
	pol.allow_default_route = true;
	assert_int_equal(verdict(&pol, ERP_ROLE_VPN, "0.0.0.0/0", &lp),
			 ERP_ACCEPT);
	pol.allow_default_route = false;
	assert_int_equal(verdict(&pol, ERP_ROLE_VPN, "::/0", &lp),
			 ERP_DENY_DEFAULT_ROUTE);
	add(&pol.onprem, "172.16.0.0/12", 0, 32);
	assert_int_equal(verdict(&pol, ERP_ROLE_VPN, "172.16.1.0/24", &lp),
			 ERP_DENY_ONPREM);
	erp_policy_fini(&pol);
}

static void test_preferred_path(void **state)
{
	struct erp_policy pol;

	erp_policy_init(&pol);
	assert_int_equal(erp_preferred_path(&pol, 0, 0), ERP_PATH_NONE);
	assert_int_equal(erp_preferred_path(&pol, 2, 1), ERP_PATH_EXPRESSROUTE);
	assert_int_equal(erp_preferred_path(&pol, 1, 1), ERP_PATH_EXPRESSROUTE);
	assert_int_equal(erp_preferred_path(&pol, 0, 1), ERP_PATH_VPN);
	assert_int_equal(erp_preferred_path(&pol, 1, 0), ERP_PATH_EXPRESSROUTE);
	pol.local_pref[ERP_ROLE_VPN] = 200;
	assert_int_equal(erp_preferred_path(&pol, 1, 1), ERP_PATH_BOTH);
	pol.local_pref[ERP_ROLE_VPN] = 300;
	assert_int_equal(erp_preferred_path(&pol, 1, 1), ERP_PATH_VPN);
	erp_policy_fini(&pol);
}

static void test_names(void **state)
{
	assert_int_equal(erp_role_from_name("expressroute"),
			 ERP_ROLE_EXPRESSROUTE);
	assert_int_equal(erp_role_from_name("vpn"), ERP_ROLE_VPN);
	assert_int_equal(erp_role_from_name("ER"), ERP_ROLE_NONE);
	assert_int_equal(erp_role_from_name(NULL), ERP_ROLE_NONE);
	assert_string_equal(erp_role_name(ERP_ROLE_VPN), "vpn");
	assert_string_equal(erp_role_name(99), "invalid");
	assert_string_equal(erp_reason_json_key(ERP_DENY_ONPREM),
			    "onpremPrefix");
	assert_string_equal(erp_path_name(ERP_PATH_BOTH), "both");
	for (int r = 0; r < ERP_REASON_MAX; r++)
		assert_string_not_equal(erp_reason_name(r), "invalid");
}

/* The reasons table: every verdict has every name, each applies to a
 * direction, and no two share a name within a direction. */
static void test_reason_table(void **state)
{
	assert_null(erp_reason_info(ERP_REASON_MAX));
	assert_null(erp_reason_info(-1));
	assert_false(erp_reason_applies(ERP_ACCEPT, ERP_REASON_IN));
	assert_true(erp_reason_applies(ERP_DENY_NOT_DECLARED, ERP_REASON_IN));
	assert_true(erp_reason_applies(ERP_DENY_NOT_DECLARED, ERP_REASON_OUT));
	assert_false(erp_reason_applies(ERP_DENY_TRANSIT, ERP_REASON_IN));
	assert_false(erp_reason_applies(ERP_DENY_ONPREM, ERP_REASON_OUT));
	for (int r = ERP_ACCEPT + 1; r < ERP_REASON_MAX; r++) {
		const struct erp_reason_info *a = erp_reason_info(r);

		assert_non_null(a->text);
		assert_non_null(a->json);
		assert_non_null(a->yang);
		assert_non_null(a->label);
		assert_true(a->dirs & (ERP_REASON_IN | ERP_REASON_OUT));
		assert_string_equal(erp_reason_json_key(r), a->json);
		for (int o = r + 1; o < ERP_REASON_MAX; o++) {
			const struct erp_reason_info *b = erp_reason_info(o);

			if (!(a->dirs & b->dirs))
				continue;
			assert_string_not_equal(a->json, b->json);
			assert_string_not_equal(a->yang, b->yang);
			assert_string_not_equal(a->label, b->label);
		}
	}
}

/* Many rules: every declared prefix matches, neighbours just outside don't. */
static void test_many_rules(void **state)
{
	struct erp_prefix_set set;
	char buf[64];

	erp_prefix_set_init(&set);
	for (int i = 0; i < 1000; i++) {
		snprintf(buf, sizeof(buf), "10.%d.%d.0/24", i / 256, i % 256);
		add(&set, buf, 0, 28);
	}
	assert_int_equal(erp_prefix_set_count(&set), 1000);
	for (int i = 0; i < 1000; i++) {
		snprintf(buf, sizeof(buf), "10.%d.%d.16/28", i / 256, i % 256);
		assert_true(match(&set, buf));
		snprintf(buf, sizeof(buf), "10.%d.%d.16/29", i / 256, i % 256);
		assert_false(match(&set, buf));
	}
	assert_false(match(&set, "10.4.0.0/24"));
	erp_prefix_set_fini(&set);
}

static void test_local_pref_demotion(void **state)
{
	struct erp_policy pol;

	erp_policy_init(&pol);
	assert_int_equal(erp_local_pref(&pol, ERP_ROLE_EXPRESSROUTE, false, NULL), 200);
	assert_int_equal(erp_local_pref(&pol, ERP_ROLE_EXPRESSROUTE, true, NULL), 99);
	assert_int_equal(erp_local_pref(&pol, ERP_ROLE_VPN, true, NULL), 100);
	assert_int_equal(erp_local_pref(&pol, ERP_ROLE_VPN, false, NULL), 100);
	pol.local_pref[ERP_ROLE_VPN] = 0;
	assert_int_equal(erp_local_pref(&pol, ERP_ROLE_EXPRESSROUTE, true, NULL), 0);
	assert_int_equal(erp_local_pref(&pol, 7, false, NULL), 0);
	erp_policy_fini(&pol);
}

static void test_prefix_intended_and_issues(void **state)
{
	struct erp_policy pol;
	struct erp_prefix_facts both = {.via_er = true, .via_vpn = true,
					.best = ERP_ROLE_EXPRESSROUTE};
	struct erp_prefix_facts vpn_specific = {.via_vpn = true,
						.best = ERP_ROLE_VPN,
						.er_covers = true};
	struct erp_prefix_facts vpn_only = {.via_vpn = true,
					    .best = ERP_ROLE_VPN};

	erp_policy_init(&pol);
	assert_int_equal(erp_prefix_intended(&pol, false, &both),
			 ERP_PATH_EXPRESSROUTE);
	assert_int_equal(erp_prefix_issue(&pol, false, &both), ERP_ISSUE_NONE);
	/* demoted: VPN intended, ER best is a disagreement */
	assert_int_equal(erp_prefix_intended(&pol, true, &both), ERP_PATH_VPN);
	assert_int_equal(erp_prefix_issue(&pol, true, &both),
			 ERP_ISSUE_BEST_NOT_INTENDED);
	both.best = ERP_ROLE_VPN;
	assert_int_equal(erp_prefix_issue(&pol, true, &both), ERP_ISSUE_NONE);
	assert_int_equal(erp_prefix_issue(&pol, false, &both),
			 ERP_ISSUE_BEST_NOT_INTENDED);
	/* a VPN route more specific than an ER one */
	assert_int_equal(erp_prefix_issue(&pol, false, &vpn_specific),
			 ERP_ISSUE_VPN_MORE_SPECIFIC);
	/* ... is fine while ER is demoted (traffic belongs on VPN anyway) */
	assert_int_equal(erp_prefix_issue(&pol, true, &vpn_specific),
			 ERP_ISSUE_NONE);
	assert_int_equal(erp_prefix_issue(&pol, false, &vpn_only),
			 ERP_ISSUE_NONE);
	/* equal preference: both are intended */
	pol.local_pref[ERP_ROLE_VPN] = 200;
	both.best = ERP_ROLE_VPN;
	assert_int_equal(erp_prefix_intended(&pol, false, &both), ERP_PATH_BOTH);
	assert_int_equal(erp_prefix_issue(&pol, false, &both), ERP_ISSUE_NONE);
	assert_string_equal(erp_prefix_issue_name(ERP_ISSUE_VPN_MORE_SPECIFIC),
			    "vpn-more-specific");
	erp_policy_fini(&pol);
}

/* ExpressRoute neighbor 0 gets 172.16.0.0/16 and exactly 172.16.9.0/24;
 * neighbor 1 (when counted) also gets exactly 172.16.5.0/24; neighbor 2
 * nothing covering 172.16.0.0/12. */
static unsigned int er_neighbors = 1;
static unsigned int er_first; /* which of them is numbered 0 */

static unsigned int er_count_fixture(void *arg)
{
	return er_neighbors;
}

static bool er_gets_fixture(const struct prefix *p, bool covering,
			    unsigned int er, void *arg)
{
	struct prefix er16 = P("172.16.0.0/16"), er24 = P("172.16.9.0/24");
	struct prefix more = P("172.16.5.0/24"), other = P("10.9.0.0/16");

	er = (er + er_first) % er_neighbors;
	if (er == 2)
		return covering ? p->prefixlen > 16 && prefix_match(&other, p)
				: prefix_same(p, &other);
	if (covering)
		return p->prefixlen > 16 && prefix_match(&er16, p);
	return prefix_same(p, &er16) || prefix_same(p, &er24) ||
	       (er == 1 && prefix_same(p, &more));
}

static enum erp_reason out(struct erp_policy *pol, enum erp_role to,
			   const char *s, struct erp_out_facts *f,
			   struct erp_out_verdict *v)
{
	struct prefix p = P(s);

	erp_decide_out(pol, to, &p, f, v);
	return v->reason;
}

static void test_outbound_verdicts(void **state)
{
	struct erp_policy pol;
	struct erp_out_facts f = {.er_count = er_count_fixture,
				  .er_gets = er_gets_fixture};
	struct erp_out_verdict v;

	erp_policy_init(&pol);
	/* nothing declared on-prem: nothing goes to Azure */
	assert_int_equal(out(&pol, ERP_ROLE_EXPRESSROUTE, "172.16.0.0/16", &f,
			     &v),
			 ERP_DENY_NOT_ONPREM);
	add(&pol.onprem, "172.16.0.0/12", 0, 32);
	assert_int_equal(out(&pol, ERP_ROLE_EXPRESSROUTE, "172.16.0.0/16", &f,
			     &v),
			 ERP_ACCEPT);
	assert_int_equal(out(&pol, ERP_ROLE_EXPRESSROUTE, "0.0.0.0/0", &f, &v),
			 ERP_DENY_DEFAULT_ROUTE);
	pol.advertise_default_route = true;
	assert_int_equal(out(&pol, ERP_ROLE_VPN, "0.0.0.0/0", &f, &v),
			 ERP_ACCEPT);
	assert_int_equal(out(&pol, ERP_ROLE_VPN, "10.9.0.0/16", &f, &v),
			 ERP_DENY_NOT_ONPREM);

	/* transit: routes learned from Azure never go back to Azure */
	f.learned_from = ERP_ROLE_EXPRESSROUTE;
	assert_int_equal(out(&pol, ERP_ROLE_VPN, "172.16.0.0/16", &f, &v),
			 ERP_DENY_TRANSIT);
	pol.allow_transit = true;
	assert_int_equal(out(&pol, ERP_ROLE_VPN, "172.16.0.0/16", &f, &v),
			 ERP_ACCEPT);
	f.learned_from = ERP_ROLE_NONE;

	/* symmetric guard: to VPN, more specific than ER is refused ... */
	assert_int_equal(out(&pol, ERP_ROLE_VPN, "172.16.5.0/24", &f, &v),
			 ERP_DENY_MORE_SPECIFIC);
	/* ... but what ER gets exactly is fine, and so is ER's own */
	assert_int_equal(out(&pol, ERP_ROLE_VPN, "172.16.9.0/24", &f, &v),
			 ERP_ACCEPT);
	assert_int_equal(out(&pol, ERP_ROLE_VPN, "172.16.0.0/16", &f, &v),
			 ERP_ACCEPT);
	assert_int_equal(out(&pol, ERP_ROLE_EXPRESSROUTE, "172.16.5.0/24", &f,
			     &v),
			 ERP_ACCEPT);
	/* not covered by anything ER gets: a VPN-only site */
	assert_int_equal(out(&pol, ERP_ROLE_VPN, "172.20.0.0/16", &f, &v),
			 ERP_ACCEPT);
	pol.guard = ERP_GUARD_WARN;
	assert_int_equal(out(&pol, ERP_ROLE_VPN, "172.16.5.0/24", &f, &v),
			 ERP_ACCEPT);
	assert_true(v.warn_more_specific);
	pol.guard = ERP_GUARD_OFF;
	assert_int_equal(out(&pol, ERP_ROLE_VPN, "172.16.5.0/24", &f, &v),
			 ERP_ACCEPT);
	assert_false(v.warn_more_specific);
	/* active-active has no preferred path to protect */
	pol.guard = ERP_GUARD_FILTER;
	pol.mode = ERP_MODE_ACTIVE_ACTIVE;
	assert_int_equal(out(&pol, ERP_ROLE_VPN, "172.16.5.0/24", &f, &v),
			 ERP_ACCEPT);
	pol.mode = ERP_MODE_BACKUP;

	erp_policy_fini(&pol);
}

/* Issue 12 item 5: the guard holds for what EVERY established ExpressRoute
 * neighbor gets, whatever their order: 172.16.5.0/24 is refused to VPN as
 * long as one MSEE gets 172.16.0.0/16 without it. */
static void test_guard_every_er_neighbor(void **state)
{
	struct erp_policy pol;
	struct erp_out_facts f = {.er_count = er_count_fixture,
				  .er_gets = er_gets_fixture};
	struct erp_out_verdict v;

	erp_policy_init(&pol);
	add(&pol.onprem, "172.16.0.0/12", 0, 32);
	er_neighbors = 2;
	for (er_first = 0; er_first < 2; er_first++) {
		/* one of the two lacks the /24 */
		assert_int_equal(out(&pol, ERP_ROLE_VPN, "172.16.5.0/24", &f,
				     &v),
				 ERP_DENY_MORE_SPECIFIC);
		/* both get it */
		assert_int_equal(out(&pol, ERP_ROLE_VPN, "172.16.9.0/24", &f,
				     &v),
				 ERP_ACCEPT);
		/* no ER neighbor gets anything covering it */
		assert_int_equal(out(&pol, ERP_ROLE_VPN, "172.20.1.0/24", &f,
				     &v),
				 ERP_ACCEPT);
	}
	/* a third neighbor that gets nothing covering 172.16/16 changes
	 * nothing, in any position */
	er_neighbors = 3;
	for (er_first = 0; er_first < 3; er_first++) {
		assert_int_equal(out(&pol, ERP_ROLE_VPN, "172.16.5.0/24", &f,
				     &v),
				 ERP_DENY_MORE_SPECIFIC);
		assert_int_equal(out(&pol, ERP_ROLE_VPN, "172.16.9.0/24", &f,
				     &v),
				 ERP_ACCEPT);
	}
	/* no ExpressRoute neighbor established: nothing to protect */
	er_neighbors = 0;
	er_first = 0;
	assert_int_equal(out(&pol, ERP_ROLE_VPN, "172.16.5.0/24", &f, &v),
			 ERP_ACCEPT);
	er_neighbors = 1;
	erp_policy_fini(&pol);
}

static enum erp_reason admit(struct erp_limit_set *s, const char *pfx,
			     uint32_t limit, bool predict)
{
	struct prefix p = P(pfx);
	bool warn;

	return erp_limit_admit(s, &p, limit, ERP_LIMIT_STOP, predict, &warn);
}

static bool in_set(const char *pfx, void *arg)
{
	const char *const *list = arg;
	struct prefix p = P(pfx), q;

	for (; *list; list++) {
		q = P(*list);
		if (prefix_same(&p, &q))
			return true;
	}
	return false;
}

static const char *const *advertised_now;

static bool still_there(const struct prefix *p, void *arg)
{
	char buf[PREFIX_STRLEN];

	prefix2str(p, buf, sizeof(buf));
	return in_set(buf, (void *)advertised_now);
}

/*
 * Issue 12 item 4: the admitted set never exceeds the limit, whatever the
 * order the table is walked in again; a prefix admitted stays admitted;
 * held-back prefixes come back in prefix order once room frees, and only
 * once an admitted prefix is no longer advertised anywhere.
 */
static void test_limit_admission(void **state)
{
	struct erp_limit_set s;
	struct prefix p, q;
	bool warn;

	erp_limit_set_init(&s);
	/* a fresh set admits in arrival order up to the limit */
	assert_int_equal(admit(&s, "172.20.0.0/16", 2, false), ERP_ACCEPT);
	assert_int_equal(admit(&s, "172.21.0.0/16", 2, false), ERP_ACCEPT);
	/* the same prefix again (another subgroup, a re-walk) takes no room */
	assert_int_equal(admit(&s, "172.20.0.0/16", 2, false), ERP_ACCEPT);
	assert_int_equal(s.admitted_count, 2);
	/* a new prefix sorting first is held back, on every walk, in any
	 * order: what was admitted stays, the total never exceeds 2 */
	for (int walk = 0; walk < 3; walk++) {
		assert_int_equal(admit(&s, "172.16.0.0/16", 2, false),
				 ERP_DENY_LIMIT);
		assert_int_equal(admit(&s, "172.20.0.0/16", 2, false),
				 ERP_ACCEPT);
		assert_int_equal(admit(&s, "172.21.0.0/16", 2, false),
				 ERP_ACCEPT);
		assert_int_equal(admit(&s, "172.17.0.0/24", 2, false),
				 ERP_DENY_LIMIT);
		assert_int_equal(s.admitted_count, 2);
	}
	assert_int_equal(s.held_count, 2);
	p = P("172.17.0.0/24");
	assert_true(erp_limit_is_held(&s, &p));
	/* predicting changes nothing */
	assert_int_equal(admit(&s, "172.30.0.0/16", 2, true), ERP_DENY_LIMIT);
	assert_int_equal(s.held_count, 2);
	assert_int_equal(admit(&s, "172.30.0.0/16", 3, true), ERP_ACCEPT);
	assert_int_equal(s.admitted_count, 2);

	/* pruning keeps what is still advertised (pending withdrawals too) */
	{
		static const char *const both[] = {"172.20.0.0/16",
						   "172.21.0.0/16", NULL};
		static const char *const one[] = {"172.21.0.0/16", NULL};

		advertised_now = both;
		assert_int_equal(erp_limit_prune(&s, still_there, NULL), 0);
		assert_false(erp_limit_room(&s, 2));
		advertised_now = one;
		assert_int_equal(erp_limit_prune(&s, still_there, NULL), 1);
		assert_true(erp_limit_room(&s, 2));
	}
	/* room: the held-back prefixes in prefix order, shorter first */
	assert_true(erp_limit_held_next(&s, NULL, &q));
	p = P("172.16.0.0/16");
	assert_true(prefix_same(&p, &q));
	assert_true(erp_limit_held_next(&s, &q, &q));
	p = P("172.17.0.0/24");
	assert_true(prefix_same(&p, &q));
	assert_false(erp_limit_held_next(&s, &q, &q));
	/* the first is admitted, the second still waits */
	assert_int_equal(admit(&s, "172.16.0.0/16", 2, false), ERP_ACCEPT);
	assert_int_equal(admit(&s, "172.17.0.0/24", 2, false), ERP_DENY_LIMIT);
	assert_int_equal(s.held_count, 1);
	/* the walk goes on after a prefix no longer held */
	p = P("172.16.128.0/17");
	assert_true(erp_limit_held_next(&s, &p, &q));
	p = P("172.17.0.0/24");
	assert_true(prefix_same(&p, &q));
	erp_limit_unhold(&s, &p);
	assert_int_equal(s.held_count, 0);
	assert_false(erp_limit_held_next(&s, NULL, &q));

	/* warn: admitted beyond the limit, said so */
	p = P("172.18.0.0/16");
	assert_int_equal(erp_limit_admit(&s, &p, 2, ERP_LIMIT_WARN, false,
					 &warn),
			 ERP_ACCEPT);
	assert_true(warn);
	assert_int_equal(s.admitted_count, 3);
	/* no limit: everything */
	assert_int_equal(admit(&s, "172.19.0.0/16", 0, false), ERP_ACCEPT);
	erp_limit_set_fini(&s);
}

/* Past ERP_LIMIT_HELD_MAX held-back prefixes only a flag is kept. */
static void test_limit_held_bounded(void **state)
{
	struct erp_limit_set s;
	struct prefix p = P("10.0.0.0/32");
	bool warn;

	erp_limit_set_init(&s);
	assert_int_equal(admit(&s, "192.0.2.0/24", 1, false), ERP_ACCEPT);
	for (uint32_t i = 0; i < ERP_LIMIT_HELD_MAX + 5; i++) {
		p.u.prefix4.s_addr = htonl(0x0a000000 + i);
		assert_int_equal(erp_limit_admit(&s, &p, 1, ERP_LIMIT_STOP,
						 false, &warn),
				 ERP_DENY_LIMIT);
	}
	assert_int_equal(s.held_count, ERP_LIMIT_HELD_MAX);
	assert_true(s.held_truncated);
	erp_limit_set_fini(&s);
}

/* VPN neighbors get 172.16.0.0/16 and 172.16.9.0/24, not 172.16.5.0/24
 * (an operator's map, say); counts the questions */
static unsigned int vpn_asked;
static bool vpn_gets_fixture(const struct prefix *p, void *arg)
{
	struct prefix a = P("172.16.0.0/16"), b = P("172.16.9.0/24");

	vpn_asked++;
	return prefix_same(p, &a) || prefix_same(p, &b);
}

/*
 * Symmetric failover (issue 12 item 3): while ER is demoted and the VPN
 * carries a prefix, it is withdrawn from ER, under its own reason; never
 * one no VPN neighbor gets; VPN neighbors are not affected; the question
 * is asked only when withdrawal applies.
 */
static void test_outbound_symmetric_failover(void **state)
{
	struct erp_policy pol;
	struct erp_out_facts f = {.er_count = er_count_fixture,
				  .er_gets = er_gets_fixture,
				  .vpn_gets = vpn_gets_fixture};
	struct erp_out_verdict v;

	erp_policy_init(&pol);
	add(&pol.onprem, "172.16.0.0/12", 0, 32);

	/* not withdrawn: ER gets it, VPN is not asked */
	vpn_asked = 0;
	assert_int_equal(out(&pol, ERP_ROLE_EXPRESSROUTE, "172.16.0.0/16", &f,
			     &v),
			 ERP_ACCEPT);
	assert_int_equal(vpn_asked, 0);

	f.er_withdrawn = true;
	assert_int_equal(out(&pol, ERP_ROLE_EXPRESSROUTE, "172.16.0.0/16", &f,
			     &v),
			 ERP_DENY_ER_DEMOTED);
	assert_int_equal(out(&pol, ERP_ROLE_EXPRESSROUTE, "172.16.9.0/24", &f,
			     &v),
			 ERP_DENY_ER_DEMOTED);
	/* the VPN does not carry it: it stays on ER */
	assert_int_equal(out(&pol, ERP_ROLE_EXPRESSROUTE, "172.16.5.0/24", &f,
			     &v),
			 ERP_ACCEPT);
	/* no VPN neighbor at all: nothing is withdrawn */
	f.vpn_gets = NULL;
	assert_int_equal(out(&pol, ERP_ROLE_EXPRESSROUTE, "172.16.0.0/16", &f,
			     &v),
			 ERP_ACCEPT);
	f.vpn_gets = vpn_gets_fixture;
	/* to the VPN: nothing changes */
	assert_int_equal(out(&pol, ERP_ROLE_VPN, "172.16.0.0/16", &f, &v),
			 ERP_ACCEPT);
	/* the module's other verdicts come first */
	assert_int_equal(out(&pol, ERP_ROLE_EXPRESSROUTE, "10.9.0.0/16", &f,
			     &v),
			 ERP_DENY_NOT_ONPREM);
	f.learned_from = ERP_ROLE_VPN;
	assert_int_equal(out(&pol, ERP_ROLE_EXPRESSROUTE, "172.16.0.0/16", &f,
			     &v),
			 ERP_DENY_TRANSIT);
	f.learned_from = ERP_ROLE_NONE;
	/* restored (fail-back): advertised again */
	f.er_withdrawn = false;
	assert_int_equal(out(&pol, ERP_ROLE_EXPRESSROUTE, "172.16.9.0/24", &f,
			     &v),
			 ERP_ACCEPT);

	/* its own reason, outbound only */
	assert_true(erp_reason_applies(ERP_DENY_ER_DEMOTED, ERP_REASON_OUT));
	assert_false(erp_reason_applies(ERP_DENY_ER_DEMOTED, ERP_REASON_IN));
	assert_string_equal(erp_reason_json_key(ERP_DENY_ER_DEMOTED),
			    "expressrouteDemoted");
	assert_string_equal(erp_reason_info(ERP_DENY_ER_DEMOTED)->yang,
			    "expressroute-demoted");
	erp_policy_fini(&pol);
}

/* Path-state fixtures: every ExpressRoute neighbor gets what covers a
 * prefix but never the prefix itself / gets everything; the VPN gets
 * everything. */
static bool er_gets_covering_only(const struct prefix *p, bool covering,
				  unsigned int er, void *arg)
{
	return covering;
}

static bool er_gets_all(const struct prefix *p, bool covering, unsigned int er,
			void *arg)
{
	return true;
}

static bool vpn_gets_all(const struct prefix *p, void *arg)
{
	return true;
}

/*
 * What erpolicy_announce.c relies on: the state of the paths (which
 * ExpressRoute neighbors are established and what they get, symmetric
 * failover's withdrawal, what a VPN neighbor gets) changes outbound
 * verdicts only of prefixes inside the declared on-prem prefixes and of
 * the default route, so that only those are offered to the neighbors again
 * when it changes.  Every other prefix gets the same verdict under every
 * path state, whatever the options, direction and source of the route.
 */
static void test_path_state_changes_only_onprem_verdicts(void **state)
{
	static const char *const others[] = {"10.9.0.0/16", "192.168.1.0/24",
					     "172.32.0.0/16", "2001:db8::/32",
					     "172.15.255.0/24"};
	static const char *const onprem[] = {"172.16.5.0/24", "172.31.0.0/16"};
	struct erp_out_facts states[] = {
		/* no ExpressRoute session, no VPN neighbor */
		{},
		/* every ER neighbor gets only covering prefixes, ER withdrawn,
		 * the VPN gets everything */
		{.er_count = er_count_fixture,
		 .er_gets = er_gets_covering_only,
		 .er_withdrawn = true,
		 .vpn_gets = vpn_gets_all},
		/* ER gets everything, not withdrawn, the VPN gets everything */
		{.er_count = er_count_fixture,
		 .er_gets = er_gets_all,
		 .vpn_gets = vpn_gets_all},
		/* withdrawn, but no VPN neighbor gets anything */
		{.er_withdrawn = true},
	};
	enum erp_role roles[] = {ERP_ROLE_EXPRESSROUTE, ERP_ROLE_VPN};
	enum erp_role sources[] = {ERP_ROLE_NONE, ERP_ROLE_EXPRESSROUTE,
				   ERP_ROLE_VPN};
	unsigned int checked = 0, differ = 0;
	struct erp_policy pol;

	er_neighbors = 1;
	er_first = 0;
	erp_policy_init(&pol);
	add(&pol.onprem, "172.16.0.0/12", 0, 32);
	for (int opt = 0; opt < 2 * 2 * 3 * 2; opt++) {
		pol.allow_transit = opt & 1;
		pol.advertise_default_route = (opt >> 1) & 1;
		pol.guard = (enum erp_guard)((opt >> 2) % 3);
		pol.mode = opt / 12 ? ERP_MODE_ACTIVE_ACTIVE : ERP_MODE_BACKUP;
		for (unsigned int r = 0; r < array_size(roles); r++)
			for (unsigned int src = 0; src < array_size(sources);
			     src++) {
				for (unsigned int k = 0; k < array_size(others);
				     k++) {
					struct erp_out_verdict first, v;

					for (unsigned int st = 0;
					     st < array_size(states); st++) {
						states[st].learned_from =
							sources[src];
						out(&pol, roles[r], others[k],
						    &states[st],
						    st ? &v : &first);
						if (!st)
							continue;
						assert_int_equal(v.reason,
								 first.reason);
						assert_int_equal(
							v.warn_more_specific,
							first.warn_more_specific);
						checked++;
					}
				}
				/* the fixtures do move on-prem verdicts (the
				 * check above is not vacuous) */
				for (unsigned int k = 0; k < array_size(onprem);
				     k++) {
					struct erp_out_verdict a, b;

					states[0].learned_from = sources[src];
					states[1].learned_from = sources[src];
					out(&pol, roles[r], onprem[k],
					    &states[0], &a);
					out(&pol, roles[r], onprem[k],
					    &states[1], &b);
					differ += a.reason != b.reason ||
						  a.warn_more_specific !=
							  b.warn_more_specific;
				}
			}
	}
	for (unsigned int st = 0; st < array_size(states); st++)
		states[st].learned_from = ERP_ROLE_NONE;
	assert_int_equal(checked, 24 * 2 * 3 * 5 * 3);
	assert_true(differ > 0);
	/* to ER, symmetric failover; to VPN, the guard */
	assert_int_equal(out(&pol, ERP_ROLE_EXPRESSROUTE, "172.16.5.0/24",
			     &states[1], &(struct erp_out_verdict){}),
			 ERP_DENY_ER_DEMOTED);
	pol.mode = ERP_MODE_BACKUP;
	pol.guard = ERP_GUARD_FILTER;
	assert_int_equal(out(&pol, ERP_ROLE_VPN, "172.16.5.0/24", &states[1],
			     &(struct erp_out_verdict){}),
			 ERP_DENY_MORE_SPECIFIC);
	assert_int_equal(out(&pol, ERP_ROLE_VPN, "172.16.5.0/24", &states[0],
			     &(struct erp_out_verdict){}),
			 ERP_ACCEPT);
	erp_policy_fini(&pol);
}

static void test_modes_and_exceptions(void **state)
{
	struct erp_policy pol;
	struct prefix dev = P("10.100.50.0/24"), prod = P("10.100.1.0/24");

	erp_policy_init(&pol);
	add(&pol.prefer_vpn, "10.100.48.0/21", 0, 24);
	assert_int_equal(erp_local_pref(&pol, ERP_ROLE_EXPRESSROUTE, false,
					&dev),
			 99);
	assert_int_equal(erp_local_pref(&pol, ERP_ROLE_EXPRESSROUTE, false,
					&prod),
			 200);
	assert_int_equal(erp_local_pref(&pol, ERP_ROLE_VPN, false, &dev), 100);
	pol.mode = ERP_MODE_ACTIVE_ACTIVE;
	assert_int_equal(erp_local_pref(&pol, ERP_ROLE_VPN, false, &prod), 200);
	assert_int_equal(erp_local_pref(&pol, ERP_ROLE_EXPRESSROUTE, false,
					&prod),
			 200);
	assert_int_equal(erp_preferred_path(&pol, 1, 1), ERP_PATH_BOTH);
	assert_string_equal(erp_mode_name(pol.mode), "active-active");
	assert_string_equal(erp_guard_name(ERP_GUARD_WARN), "warn");
	assert_string_equal(erp_limit_action_name(ERP_LIMIT_STOP), "stop");
	erp_policy_fini(&pol);
}

/*
 * The set's lookups against the definition, on random rules and prefixes
 * clustered in a few /8s (so that rules nest and overlap): match = some
 * rule contains p and p's length is in the rule's range; overlaps = some
 * rule contains p or lies inside p.  Queries come shuffled and in address
 * order (where the last lookup ended is where the next starts), and again
 * after half the rules are deleted (the lookup aids are rebuilt).
 */
struct ref_rule {
	struct prefix p;
	unsigned int minlen, maxlen;
	bool deleted;
};

/* the next prefix of q's length after q (wrapping within the family) */
static void next_prefix(struct prefix *q)
{
	unsigned int bit = q->prefixlen;

	if (bit == 0)
		return;
	bit--;
	/* add 1 at bit (counted from the top), carrying towards bit 0 */
	for (int i = bit / 8; i >= 0; i--) {
		unsigned int add = i == (int)(bit / 8) ? 1U << (7 - bit % 8) : 1;
		unsigned int v = q->u.val[i] + add;

		q->u.val[i] = v & 0xff;
		if (v <= 0xff)
			break;
	}
}

static void check_query(struct erp_prefix_set *set, const struct ref_rule *rules,
			unsigned int nrules, const struct prefix *q)
{
	bool want_match = false, want_overlap = false;

	for (unsigned int i = 0; i < nrules; i++) {
		bool in;

		if (rules[i].deleted)
			continue;
		in = prefix_match(&rules[i].p, q);
		want_match |= in && q->prefixlen >= rules[i].minlen &&
			      q->prefixlen <= rules[i].maxlen;
		want_overlap |= in || prefix_match(q, &rules[i].p);
	}
	assert_int_equal(erp_prefix_set_match(set, q), want_match);
	assert_int_equal(erp_prefix_set_overlaps(set, q), want_overlap);
}

static void check_queries(struct erp_prefix_set *set,
			  const struct ref_rule *rules, unsigned int nrules,
			  uint8_t family, unsigned int maxbits)
{
	struct prefix q;

	for (int n = 0; n < 10000; n++) {
		random_prefix(&q, family, random() % (maxbits + 1));
		check_query(set, rules, nrules, &q);
	}
	for (int run = 0; run < 20; run++) {
		random_prefix(&q, family, maxbits / 2 + random() % (maxbits / 2));
		for (int n = 0; n < 500; n++, next_prefix(&q))
			check_query(set, rules, nrules, &q);
	}
}

/* erp_prefix_set_next_outer: exactly the rules no other rule contains,
 * each once, in address order (outermost rules are disjoint). */
static void check_outer(struct erp_prefix_set *set,
			const struct ref_rule *rules, unsigned int nrules,
			uint8_t family)
{
	const struct route_node *cursor = NULL;
	const struct erp_prefix_rule *rule, *prev = NULL;
	unsigned int want = 0, got = 0;

	for (unsigned int i = 0; i < nrules; i++) {
		bool inside = false;

		if (rules[i].deleted)
			continue;
		for (unsigned int j = 0; j < nrules && !inside; j++)
			inside = j != i && !rules[j].deleted &&
				 prefix_match(&rules[j].p, &rules[i].p);
		want += !inside;
	}
	while ((rule = erp_prefix_set_next_outer(set, family, &cursor))) {
		bool known = false;

		got++;
		for (unsigned int i = 0; i < nrules; i++) {
			if (rules[i].deleted ||
			    !prefix_same(&rules[i].p, &rule->prefix))
				continue;
			known = true;
			for (unsigned int j = 0; j < nrules; j++)
				assert_false(j != i && !rules[j].deleted &&
					     prefix_match(&rules[j].p,
							  &rule->prefix));
		}
		assert_true(known);
		if (prev)
			assert_true(memcmp(&prev->prefix.u, &rule->prefix.u,
					   family == AF_INET ? 4 : 16) < 0);
		prev = rule;
	}
	assert_int_equal(got, want);
}

static void check_against_reference(uint8_t family, unsigned int maxbits)
{
	struct erp_prefix_set set;
	struct ref_rule rules[300];
	unsigned int nrules = 0;

	erp_prefix_set_init(&set);
	while (nrules < 300) {
		struct ref_rule *r = &rules[nrules];
		/* up to 3/4 of the bits: enough distinct prefixes for 300
		 * rules inside the three clusters */
		unsigned int len = random() % (maxbits * 3 / 4 + 1);
		unsigned int ge = 0, le = 0;
		bool dup = false;

		random_prefix(&r->p, family, len);
		if (random() % 2)
			le = len + random() % (maxbits - len + 1);
		if (random() % 3 == 0)
			ge = len + random() % ((le ? le : maxbits) - len + 1);
		for (unsigned int i = 0; i < nrules; i++)
			dup |= prefix_same(&rules[i].p, &r->p);
		if (dup)
			continue;
		r->minlen = ge ? ge : len;
		r->maxlen = le ? le : ge ? maxbits : len;
		r->deleted = false;
		erp_prefix_set_add(&set, &r->p, ge, le);
		nrules++;
	}
	check_queries(&set, rules, nrules, family, maxbits);
	check_outer(&set, rules, nrules, family);
	for (unsigned int i = 0; i < nrules; i += 2) {
		assert_true(erp_prefix_set_del(&set, &rules[i].p));
		rules[i].deleted = true;
	}
	check_queries(&set, rules, nrules, family, maxbits);
	check_outer(&set, rules, nrules, family);
	/* below the index's threshold: lookups without it */
	for (unsigned int i = 1; i < nrules - 10; i += 2) {
		assert_true(erp_prefix_set_del(&set, &rules[i].p));
		rules[i].deleted = true;
	}
	assert_int_equal(erp_prefix_set_count(&set), 5);
	check_queries(&set, rules, nrules, family, maxbits);
	check_outer(&set, rules, nrules, family);
	erp_prefix_set_fini(&set);
}

static void test_against_reference(void **state)
{
	srandom(4242);
	check_against_reference(AF_INET, 32);
	check_against_reference(AF_INET6, 128);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_rule),
		cmocka_unit_test(test_le_ge_rules),
		cmocka_unit_test(test_nested_rules),
		cmocka_unit_test(test_replace_and_delete),
		cmocka_unit_test(test_overlaps),
		cmocka_unit_test(test_outer_rules),
		cmocka_unit_test(test_ipv6_and_families),
		cmocka_unit_test(test_rule_check),
		cmocka_unit_test_setup_teardown(test_verdicts, policy_setup,
						policy_teardown),
		cmocka_unit_test_setup_teardown(test_verdict_order_and_options,
						policy_setup, policy_teardown),
		cmocka_unit_test(test_azure_set_per_family),
		cmocka_unit_test(test_preferred_path),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_reason_table),
		cmocka_unit_test(test_many_rules),
		cmocka_unit_test(test_local_pref_demotion),
		cmocka_unit_test(test_prefix_intended_and_issues),
		cmocka_unit_test(test_outbound_verdicts),
		cmocka_unit_test(test_guard_every_er_neighbor),
		cmocka_unit_test(test_limit_admission),
		cmocka_unit_test(test_limit_held_bounded),
		cmocka_unit_test(test_outbound_symmetric_failover),
		cmocka_unit_test(test_path_state_changes_only_onprem_verdicts),
		cmocka_unit_test(test_modes_and_exceptions),
		cmocka_unit_test(test_against_reference),
	};

	return cmocka_run_group_tests_name("erpolicy_decide", tests, NULL,
					   NULL);
}
