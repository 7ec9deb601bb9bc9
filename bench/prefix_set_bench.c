// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The cost of the module's inbound verdict per route, outside bgpd: the
 * Azure and on-prem sets of the policy_cost.py labs (1,000 "/14 le 24"
 * Azure prefixes from 20.0.0.0, 1,000 "/24 le 32" on-prem prefixes from
 * 172.16.0.0, and the IPv6 equivalents) and the routes those labs send
 * (consecutive /24s and /48s from the first Azure prefix), in the order a
 * peer sends them and shuffled.  Run by hand: make bench/prefix_set_bench
 * in build/obj, then build/obj/bench/prefix_set_bench.  Prints ns per
 * erp_decide() call, median of the repeats.
 */
#include <zebra.h>

#include <time.h>

#include "prefix.h"

#include "erpolicy_decide.h"

#define N_ROUTES 100000
#define N_DECL 1000
#define REPEATS 9

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void v4(struct prefix *p, uint32_t addr, unsigned int len)
{
	memset(p, 0, sizeof(*p));
	p->family = AF_INET;
	p->prefixlen = len;
	p->u.prefix4.s_addr = htonl(addr);
}

/* base + (i << shift), as lib_bench.py computes addresses; shift >= 64 */
static void v6(struct prefix *p, const char *base, uint64_t i,
	       unsigned int shift, unsigned int len)
{
	uint64_t hi = 0;

	memset(p, 0, sizeof(*p));
	p->family = AF_INET6;
	p->prefixlen = len;
	inet_pton(AF_INET6, base, &p->u.prefix6);
	for (int k = 0; k < 8; k++)
		hi = (hi << 8) | p->u.prefix6.s6_addr[k];
	hi += i << (shift - 64);
	for (int k = 7; k >= 0; k--, hi >>= 8)
		p->u.prefix6.s6_addr[k] = hi & 0xff;
	apply_mask(p);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void shuffle(struct prefix *r, unsigned int n)
{
	for (unsigned int i = n - 1; i > 0; i--) {
		unsigned int j = random() % (i + 1);
		struct prefix t = r[i];

		r[i] = r[j];
		r[j] = t;
	}
}

static void run(const char *name, struct erp_policy *pol, struct prefix *r,
		unsigned int n)
{
	double t[REPEATS];
	unsigned int accepted = 0;

	for (int k = 0; k < REPEATS; k++) {
		double start = now_ns();
		uint32_t lp;

		accepted = 0;
		for (unsigned int i = 0; i < n; i++)
			accepted += erp_decide(pol, ERP_ROLE_EXPRESSROUTE,
					       &r[i], &lp) == ERP_ACCEPT;
		t[k] = (now_ns() - start) / n;
	}
	qsort(t, REPEATS, sizeof(t[0]), cmp_double);
	printf("%-28s %7.1f ns/route (min %.1f, max %.1f), %u of %u accepted\n",
	       name, t[REPEATS / 2], t[0], t[REPEATS - 1], accepted, n);
}

int main(void)
{
	struct erp_policy pol;
	struct prefix p, *r = calloc(N_ROUTES, sizeof(*r));

	erp_policy_init(&pol);
	for (uint32_t i = 0; i < N_DECL; i++) {
		v4(&p, 0x14000000 + (i << 18), 14);
		erp_prefix_set_add(&pol.azure, &p, 0, 24);
		v4(&p, 0xac100000 + (i << 8), 24);
		erp_prefix_set_add(&pol.onprem, &p, 0, 32);
		v6(&p, "2001:db8:8000::", i, 90, 38);
		erp_prefix_set_add(&pol.azure, &p, 0, 48);
		v6(&p, "fd00::", i, 80, 48);
		erp_prefix_set_add(&pol.onprem, &p, 0, 128);
	}

	for (uint32_t i = 0; i < N_ROUTES; i++)
		v4(&r[i], 0x14000000 + (i << 8), 24);
	run("IPv4 /24s in peer order", &pol, r, N_ROUTES);
	srandom(1);
	shuffle(r, N_ROUTES);
	run("IPv4 /24s shuffled", &pol, r, N_ROUTES);

	for (uint32_t i = 0; i < N_ROUTES; i++)
		v6(&r[i], "2001:db8:8000::", i, 80, 48);
	run("IPv6 /48s in peer order", &pol, r, N_ROUTES);
	shuffle(r, N_ROUTES);
	run("IPv6 /48s shuffled", &pol, r, N_ROUTES);

	for (uint32_t i = 0; i < N_ROUTES; i++)
		v4(&r[i], random(), 8 + random() % 25);
	run("IPv4 random (mostly denied)", &pol, r, N_ROUTES);

	erp_policy_fini(&pol);
	free(r);
	return 0;
}
