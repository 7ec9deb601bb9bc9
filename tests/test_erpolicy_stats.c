// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the per-peer counters (erpolicy_instance.c): prefixes are
 * counted in their canonical form, and what was warned about in a session
 * stays warned about across re-evaluations.  No bgpd is involved.
 */
#include <zebra.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "prefix.h"

#include "erpolicy.h"

/* a struct prefix as bgpd's NLRI parser makes it: the bytes as sent, host
 * bits included (str2prefix keeps them too) */
static struct prefix P(const char *s)
{
	struct prefix p;

	assert_int_equal(str2prefix(s, &p), 1);
	return p;
}

struct walk {
	unsigned int n;
	char seen[8][PREFIX_STRLEN];
};

static void collect(const struct erp_denied *d, void *arg)
{
	struct walk *w = arg;

	if (w->n < array_size(w->seen))
		prefix2str(&d->prefix, w->seen[w->n], sizeof(w->seen[0]));
	w->n++;
}

static int setup(void **state)
{
	erp_instances_init();
	*state = erp_instance_get("default");
	return 0;
}

static int teardown(void **state)
{
	erp_instance_delete_all();
	return 0;
}

static struct erp_peer_stats *peer_stats(void **state)
{
	static int peer;

	return erp_stats_get(*state, &peer, "192.0.2.1");
}

/* 10.100.1.0/20 and 10.100.2.0/20 are both 10.100.0.0/20: one route in
 * bgpd's table, so one denied prefix, shown without host bits */
static void test_host_bit_variants_count_once(void **state)
{
	struct erp_peer_stats *s = peer_stats(state);
	const char *variants[] = {"10.100.1.0/20", "10.100.2.0/20",
				  "10.100.15.0/20", "10.100.0.0/20",
				  "10.100.1.1/24", "10.100.1.2/24"};
	struct prefix p;
	struct walk w = {};
	bool fresh[array_size(variants)];

	for (size_t i = 0; i < array_size(variants); i++) {
		p = P(variants[i]);
		fresh[i] = erp_stats_verdict(s, ERP_DIR_IN, ERP_AFI_IPV4, &p,
					     ERP_DENY_ONPREM);
	}
	/* newly denied: the first variant of each canonical prefix only */
	assert_true(fresh[0]);
	assert_false(fresh[1]);
	assert_false(fresh[2]);
	assert_false(fresh[3]);
	assert_true(fresh[4]);
	assert_false(fresh[5]);
	assert_int_equal(
		s->dir[ERP_DIR_IN].denied_count[ERP_AFI_IPV4][ERP_DENY_ONPREM],
		2);
	/* every update is counted */
	assert_int_equal(
		s->dir[ERP_DIR_IN].updates[ERP_AFI_IPV4][ERP_DENY_ONPREM], 6);

	erp_stats_walk_denied(s, ERP_DIR_IN, ERP_AFI_IPV4, collect, &w);
	assert_int_equal(w.n, 2);
	for (unsigned int i = 0; i < w.n; i++)
		assert_true(strcmp(w.seen[i], "10.100.0.0/20") == 0 ||
			    strcmp(w.seen[i], "10.100.1.0/24") == 0);
	assert_string_not_equal(w.seen[0], w.seen[1]);

	/* a variant denied for another reason changes the one entry */
	p = P("10.100.7.0/20");
	assert_true(erp_stats_verdict(s, ERP_DIR_IN, ERP_AFI_IPV4, &p,
				      ERP_DENY_TOO_LONG));
	assert_int_equal(
		s->dir[ERP_DIR_IN].denied_count[ERP_AFI_IPV4][ERP_DENY_ONPREM],
		1);
	assert_int_equal(
		s->dir[ERP_DIR_IN].denied_count[ERP_AFI_IPV4][ERP_DENY_TOO_LONG],
		1);

	/* IPv6: 2001:db8:100:1::/60 and 2001:db8:100:3::/60 */
	p = P("2001:db8:100:1::/60");
	assert_true(erp_stats_verdict(s, ERP_DIR_IN, ERP_AFI_IPV6, &p,
				      ERP_DENY_NOT_AZURE));
	p = P("2001:db8:100:3::/60");
	assert_false(erp_stats_verdict(s, ERP_DIR_IN, ERP_AFI_IPV6, &p,
				       ERP_DENY_NOT_AZURE));
	assert_int_equal(
		s->dir[ERP_DIR_IN].denied_count[ERP_AFI_IPV6][ERP_DENY_NOT_AZURE],
		1);
}

/* accepted after the operator's map had denied it: the variant accepted
 * removes the canonical entry, whichever variant was denied */
static void test_host_bit_variant_accepted(void **state)
{
	struct erp_peer_stats *s = peer_stats(state);
	struct prefix p = P("10.100.1.0/20");

	assert_true(erp_stats_verdict(s, ERP_DIR_IN, ERP_AFI_IPV4, &p,
				      ERP_DENY_USER_POLICY));
	p = P("10.100.2.0/20");
	assert_false(erp_stats_verdict(s, ERP_DIR_IN, ERP_AFI_IPV4, &p,
				       ERP_ACCEPT));
	assert_int_equal(
		s->dir[ERP_DIR_IN].denied_count[ERP_AFI_IPV4][ERP_DENY_USER_POLICY],
		0);
}

/* warned about once per canonical prefix and session; re-evaluation keeps
 * it, the end of the session forgets it */
static void test_warn_once_per_session(void **state)
{
	struct erp_peer_stats *s = peer_stats(state);
	struct prefix a = P("172.16.5.0/24"), b = P("172.16.1.0/20"),
		      b2 = P("172.16.2.0/20"), v6 = P("fd00:aaaa:1::/48");

	assert_true(erp_stats_warn_once(s, ERP_AFI_IPV4, &a, ERP_DENY_ONPREM,
					NULL));
	assert_false(erp_stats_warn_once(s, ERP_AFI_IPV4, &a, ERP_DENY_ONPREM,
					 NULL));
	assert_true(erp_stats_warn_once(s, ERP_AFI_IPV4, &b, ERP_DENY_ONPREM,
					NULL));
	assert_false(erp_stats_warn_once(s, ERP_AFI_IPV4, &b2,
					 ERP_DENY_ONPREM, NULL));
	/* per family */
	assert_true(erp_stats_warn_once(s, ERP_AFI_IPV6, &v6, ERP_DENY_ONPREM,
					NULL));

	/* a re-evaluation (policy change) recounts, but does not re-warn */
	for (int d = 0; d < ERP_DIR_MAX; d++)
		for (int i = 0; i < ERP_AFI_MAX; i++)
			erp_stats_reset_af(s, d, i);
	assert_false(erp_stats_warn_once(s, ERP_AFI_IPV4, &a, ERP_DENY_ONPREM,
					 NULL));
	assert_false(erp_stats_warn_once(s, ERP_AFI_IPV6, &v6,
					 ERP_DENY_ONPREM, NULL));

	/* a new session warns again */
	erp_stats_session_ended(s);
	assert_true(erp_stats_warn_once(s, ERP_AFI_IPV4, &a, ERP_DENY_ONPREM,
					NULL));
	/* and so does a session established (counters reset) */
	erp_stats_reset(s);
	assert_true(erp_stats_warn_once(s, ERP_AFI_IPV4, &a, ERP_DENY_ONPREM,
					NULL));
}

/* a hostile peer cannot make the set grow without bound: past
 * ERP_DENIED_MAX prefixes nothing more is kept or warned about, and the
 * call that first finds the set full says so, once */
static void test_warn_once_bounded(void **state)
{
	struct erp_peer_stats *s = peer_stats(state);
	struct prefix p = P("172.16.0.0/32");
	unsigned int logged = 0, full = 0;

	for (uint32_t i = 0; i < ERP_DENIED_MAX + 100; i++) {
		bool now_full = false;

		p.u.prefix4.s_addr = htonl(0xac100000 + i);
		logged += erp_stats_warn_once(s, ERP_AFI_IPV4, &p,
					      ERP_DENY_ONPREM, &now_full);
		full += now_full;
	}
	assert_int_equal(logged, ERP_DENIED_MAX);
	assert_int_equal(full, 1);
	assert_true(s->warned_full[ERP_AFI_IPV4]);
	/* the first ones stay warned about */
	p.u.prefix4.s_addr = htonl(0xac100000);
	assert_false(erp_stats_warn_once(s, ERP_AFI_IPV4, &p, ERP_DENY_ONPREM,
					 NULL));
	erp_stats_session_ended(s);
	assert_false(s->warned_full[ERP_AFI_IPV4]);
	assert_true(erp_stats_warn_once(s, ERP_AFI_IPV4, &p, ERP_DENY_ONPREM,
					NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_host_bit_variants_count_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_bit_variant_accepted,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_warn_once_per_session,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_warn_once_bounded, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("erpolicy_stats", tests, NULL,
					   NULL);
}
