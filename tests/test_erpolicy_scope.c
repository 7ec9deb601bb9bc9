// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the walks inside a prefix set (erpolicy_scope.c) against a
 * brute-force reference: every node of a libfrr route table, in table
 * order, kept if it has a bgp_dest and lies inside a rule of the set (or
 * is the default route).  The locking walk and the read-only walk (no
 * locks, nodes asked for ahead) must visit exactly those, in that order,
 * and leave every node's lock count as it was.  No bgpd runs: the table is
 * libfrr's, with nodes as large as bgpd's and an object at rn->info of
 * each node a prefix was added at (FRR 10.x: the dest; 8.4: the dest is
 * the node itself, so glue nodes count too, on both sides).
 */
#include <zebra.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "prefix.h"
#include "table.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_table.h"

#include "erpolicy_decide.h"
#include "erpolicy_scope.h"
#include "test_random_prefix.h"

#define MAX_NODES 20000

static struct route_node *node_create(route_table_delegate_t *d,
				      struct route_table *t)
{
	return XCALLOC(MTYPE_TMP,
		       MAX(sizeof(struct route_node), sizeof(struct bgp_dest)));
}

static void node_destroy(route_table_delegate_t *d, struct route_table *t,
			 struct route_node *node)
{
	XFREE(MTYPE_TMP, node);
}

static route_table_delegate_t delegate = {
	.create_node = node_create,
	.destroy_node = node_destroy,
};

struct fixture {
	uint8_t family;
	unsigned int maxbits;
	struct route_table *rt;
	struct bgp_table table;
	struct erp_prefix_set set;
	struct prefix rules[64];
	unsigned int nrules;
};

/* a dest at p, its node locked once (as bgpd's dests are); rn->info is
 * an object of its own, so that on 10.x each dest compares apart */
static void add_dest(struct fixture *f, const struct prefix *p)
{
	struct route_node *rn = route_node_get(f->rt, p);

	if (rn->info)
		route_unlock_node(rn); /* drawn twice */
	else
		rn->info = XCALLOC(MTYPE_TMP, sizeof(struct bgp_dest));
}

static void fixture_init(struct fixture *f, uint8_t family, unsigned int n,
			 bool with_default)
{
	struct prefix p;

	memset(f, 0, sizeof(*f));
	f->family = family;
	f->maxbits = family == AF_INET ? 32 : 128;
	f->rt = route_table_init_with_delegate(&delegate);
	f->table.route_table = f->rt;
	erp_prefix_set_init(&f->set);
	for (unsigned int i = 0; i < n; i++) {
		/* mostly long prefixes, some short ones containing them */
		random_prefix(&p, family,
			      random() % 4 ? f->maxbits * 3 / 4
					   : 8 + random() % (f->maxbits / 2));
		add_dest(f, &p);
	}
	if (with_default) {
		memset(&p, 0, sizeof(p));
		p.family = family;
		add_dest(f, &p);
	}
}

static void fixture_rule(struct fixture *f, const struct prefix *p)
{
	f->rules[f->nrules++] = *p;
	erp_prefix_set_add(&f->set, p, 0, 0);
}

static void fixture_fini(struct fixture *f)
{
	struct route_node *rn;

	for (rn = route_top(f->rt); rn; rn = route_next(rn))
		if (rn->info) {
			XFREE(MTYPE_TMP, rn->info);
			route_unlock_node(rn);
		}
	route_table_finish(f->rt);
	erp_prefix_set_fini(&f->set);
}

static bool in_scope(const struct fixture *f, const struct route_node *rn,
		     bool whole_if_empty)
{
	if (f->nrules == 0)
		return whole_if_empty;
	if (rn->p.prefixlen == 0)
		return true;
	for (unsigned int i = 0; i < f->nrules; i++)
		if (prefix_match(&f->rules[i], &rn->p))
			return true;
	return false;
}

static unsigned int reference(struct fixture *f, bool whole_if_empty,
			      struct bgp_dest **out)
{
	struct route_node *rn;
	unsigned int n = 0;

	for (rn = route_top(f->rt); rn; rn = route_next(rn)) {
		struct bgp_dest *dest = bgp_dest_from_rnode(rn);

		if (dest && in_scope(f, rn, whole_if_empty)) {
			assert_true(n < MAX_NODES);
			out[n++] = dest;
		}
	}
	return n;
}

static unsigned int walk(struct fixture *f, bool whole_if_empty, bool readonly,
			 struct bgp_dest **out)
{
	enum erp_afi afi = f->family == AF_INET ? ERP_AFI_IPV4 : ERP_AFI_IPV6;
	struct bgp_dest *dest;
	struct erp_scope s;
	unsigned int n = 0;

	dest = readonly ? erp_scope_first_readonly(&s, &f->set, whole_if_empty,
						   afi, &f->table)
			: erp_scope_first(&s, &f->set, whole_if_empty, afi,
					  &f->table);
	for (; dest; dest = erp_scope_next(&s)) {
		assert_true(n < MAX_NODES);
		out[n++] = dest;
	}
	/* a dest is a node (8.4) or hangs off one (10.x): at least as many
	 * nodes visited as dests returned */
	assert_true(s.nodes >= n);
	return n;
}

static unsigned int *locks_of(struct route_table *rt, unsigned int *count)
{
	struct route_node *rn;
	unsigned int *locks, n = 0;

	locks = XCALLOC(MTYPE_TMP, sizeof(*locks) * 4 * MAX_NODES);
	for (rn = route_top(rt); rn; rn = route_next(rn)) {
		assert_true(n < 4 * MAX_NODES);
		/* route_next() holds rn: its own lock is one more */
		locks[n++] = route_node_get_lock_count(rn) - 1;
	}
	*count = n;
	return locks;
}

/* Both walks against the reference; lock counts unchanged. */
static void check(struct fixture *f, bool whole_if_empty)
{
	static struct bgp_dest *want[MAX_NODES], *got[MAX_NODES];
	unsigned int nwant, ngot, nbefore, nafter;
	unsigned int *before, *after;

	before = locks_of(f->rt, &nbefore);
	nwant = reference(f, whole_if_empty, want);
	for (int readonly = 0; readonly <= 1; readonly++) {
		ngot = walk(f, whole_if_empty, readonly, got);
		assert_int_equal(ngot, nwant);
		assert_memory_equal(got, want, sizeof(*want) * nwant);
	}
	after = locks_of(f->rt, &nafter);
	assert_int_equal(nafter, nbefore);
	assert_memory_equal(after, before, sizeof(*before) * nbefore);
	XFREE(MTYPE_TMP, before);
	XFREE(MTYPE_TMP, after);
}

static void check_family(uint8_t family)
{
	struct fixture f;
	struct prefix p;

	for (int round = 0; round < 40; round++) {
		bool with_default = round % 2;

		fixture_init(&f, family, 200 + random() % 2000, with_default);
		/* no rule: the whole table or nothing */
		check(&f, true);
		check(&f, false);
		/* rules of all lengths, some containing others, some
		 * outside everything in the table */
		for (int i = 0, k = 1 + random() % 12; i < k; i++) {
			random_prefix(&p, family, random() % (f.maxbits / 2));
			fixture_rule(&f, &p);
		}
		check(&f, true);
		/* a long rule: few nodes or none inside it */
		random_prefix(&p, family, f.maxbits * 3 / 4);
		fixture_rule(&f, &p);
		check(&f, false);
		if (round % 10 == 0) {
			/* the default route as a rule: everything */
			memset(&p, 0, sizeof(p));
			p.family = family;
			fixture_rule(&f, &p);
			check(&f, false);
		}
		fixture_fini(&f);
	}
}

static void test_walks_against_reference(void **state)
{
	srandom(1717);
	check_family(AF_INET);
	check_family(AF_INET6);
}

/* A table of one node, and an empty table. */
static void test_small_tables(void **state)
{
	struct fixture f;
	struct prefix p;

	fixture_init(&f, AF_INET, 0, false);
	check(&f, true);
	assert_int_equal(str2prefix("10.0.0.0/8", &p), 1);
	fixture_rule(&f, &p);
	check(&f, false);
	assert_int_equal(str2prefix("10.1.0.0/16", &p), 1);
	add_dest(&f, &p);
	check(&f, false);
	fixture_fini(&f);

	fixture_init(&f, AF_INET, 0, true); /* the default route alone */
	check(&f, true);
	assert_int_equal(str2prefix("192.0.2.0/24", &p), 1);
	fixture_rule(&f, &p);
	check(&f, false);
	fixture_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walks_against_reference),
		cmocka_unit_test(test_small_tables),
	};

	return cmocka_run_group_tests_name("erpolicy_scope", tests, NULL, NULL);
}
