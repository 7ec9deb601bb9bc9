// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the failover state machine and the event history
 * (erpolicy_failover.c).  No bgpd is involved.
 *
 * Every input goes through erp_fo_input(), by way of a wrapper that checks,
 * besides what the test itself asserts, that demotion_changed and
 * carrier_changed are exactly the changes of erp_fo_er_demoted() and
 * erp_fo_carrier(), that since_ms moved exactly when the state changed, that
 * the state agrees with the inputs as erp_fo_path_usable() reads them, and
 * that the carrier (the displayed preferred path) agrees with the state for
 * every choice the local-preferences can make.
 */
#include <zebra.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "erpolicy_failover.h"

#define HD 1000	 /* base hold-down, ms */
#define CAP 5000 /* its cap */

struct fx {
	struct erp_failover fo;
	struct erp_fo_config cfg;
	struct erp_fo_result r;
	uint64_t now;
};

static void fx_init(struct fx *f, uint32_t holddown_ms, uint32_t max_ms)
{
	memset(f, 0, sizeof(*f));
	f->now = 100000;
	f->cfg.holddown_ms = holddown_ms;
	f->cfg.holddown_max_ms = max_ms;
	f->cfg.drained = false;
	erp_fo_init(&f->fo, f->now);
}

/* The carrier with ExpressRoute preferred by the local-preferences (backup
 * mode, the default): what carrier_changed reports. */
static enum erp_path backup_carrier(const struct erp_failover *fo)
{
	return erp_fo_carrier(fo, ERP_PATH_EXPRESSROUTE);
}

/*
 * The displayed preferred path (erp_fo_carrier()) and the path state never
 * disagree, whatever the local-preferences choose when both paths are
 * usable (both_usable): written out per state, from the state machine's
 * point of view.
 */
static void check_display_(const struct erp_failover *fo,
			   enum erp_path both_usable, const char *file,
			   int line)
{
	enum erp_path shown = erp_fo_carrier(fo, both_usable);
	bool er = erp_fo_er_usable(fo), vpn = erp_fo_vpn_usable(fo);

	/* it names only usable paths, and one whenever there is one */
	_assert_int_equal(shown == ERP_PATH_NONE, !er && !vpn, file, line);
	if (shown == ERP_PATH_EXPRESSROUTE || shown == ERP_PATH_BOTH)
		_assert_true(er, "shown ER usable", file, line);
	if (shown == ERP_PATH_VPN || shown == ERP_PATH_BOTH)
		_assert_true(vpn, "shown VPN usable", file, line);
	/* ER demoted: the VPN whenever it can */
	if (erp_fo_er_demoted(fo) && vpn)
		_assert_int_equal(shown, ERP_PATH_VPN, file, line);

	switch (fo->state) {
	case ERP_FO_NONE:
		_assert_int_equal(shown, ERP_PATH_NONE, file, line);
		break;
	case ERP_FO_EXPRESSROUTE:
		/* the local-preferences decide only here */
		_assert_int_equal(shown,
				  vpn ? both_usable : ERP_PATH_EXPRESSROUTE,
				  file, line);
		break;
	case ERP_FO_VPN:
	case ERP_FO_HOLDDOWN:
		_assert_int_equal(shown, ERP_PATH_VPN, file, line);
		break;
	case ERP_FO_DRAINED:
		_assert_int_equal(shown,
				  vpn  ? ERP_PATH_VPN
				  : er ? ERP_PATH_EXPRESSROUTE
				       : ERP_PATH_NONE,
				  file, line);
		break;
	}
}

/* Invariants that hold after any input, whatever the history. */
static void check_invariants(const struct fx *f, const char *file, int line)
{
	const struct erp_failover *fo = &f->fo;
	enum erp_path carrier = backup_carrier(fo);
	bool er = erp_fo_er_usable(fo), vpn = erp_fo_vpn_usable(fo);
	static const enum erp_path choices[] = {ERP_PATH_EXPRESSROUTE,
						ERP_PATH_VPN, ERP_PATH_BOTH};

	_assert_true(f->r.n_events <= ERP_FO_MAX_EVENTS, "n_events", file,
		     line);
	/* one definition of usable, read from the last inputs */
	_assert_int_equal(er, erp_fo_path_usable(&fo->in.er), file, line);
	_assert_int_equal(vpn, erp_fo_path_usable(&fo->in.vpn), file, line);
	/* routes arriving are demoted whenever ER is, and never while ER
	 * carries and is not demoted (it would flip for nothing) */
	if (erp_fo_er_demoted(fo))
		_assert_true(erp_fo_er_demoted_on_arrival(fo, &f->cfg),
			     "demoted on arrival", file, line);
	if (er && !erp_fo_er_demoted(fo))
		_assert_true(!erp_fo_er_demoted_on_arrival(fo, &f->cfg),
			     "not demoted on arrival", file, line);
	_assert_int_equal(f->cfg.drained, fo->state == ERP_FO_DRAINED, file,
			  line);
	/* symmetric failover: on-prem prefixes are withdrawn from ER exactly
	 * while ER is demoted, the VPN could carry them and it is on; the
	 * event of a change is the new value's */
	_assert_int_equal(erp_fo_er_withdrawn(fo),
			  !f->cfg.asymmetric &&
				  erp_fo_er_demoted_on_arrival(fo, &f->cfg) &&
				  vpn,
			  file, line);
	_assert_int_equal(erp_fo_withdrawal_event(fo),
			  erp_fo_er_withdrawn(fo) ? ERP_EV_ER_WITHDRAW
						  : ERP_EV_ER_RESTORE,
			  file, line);
	if (erp_fo_er_withdrawn(fo))
		_assert_int_equal(carrier, ERP_PATH_VPN, file, line);
	_assert_int_equal(carrier == ERP_PATH_NONE, !er && !vpn, file, line);
	_assert_true(carrier != ERP_PATH_BOTH, "carrier != both", file, line);
	_assert_int_equal(erp_fo_deadline(fo) != 0,
			  fo->state == ERP_FO_HOLDDOWN, file, line);
	_assert_int_equal(erp_fo_er_demoted(fo),
			  fo->state == ERP_FO_HOLDDOWN ||
				  fo->state == ERP_FO_DRAINED,
			  file, line);
	for (unsigned int i = 0; i < array_size(choices); i++)
		check_display_(fo, choices[i], file, line);
	switch (fo->state) {
	case ERP_FO_NONE:
		_assert_true(!er && !vpn, "none", file, line);
		break;
	case ERP_FO_EXPRESSROUTE:
		_assert_true(er, "er up", file, line);
		_assert_true(!fo->er_failed && fo->flaps == 0, "er clean", file,
			     line);
		_assert_int_equal(carrier, ERP_PATH_EXPRESSROUTE, file, line);
		break;
	case ERP_FO_VPN:
		_assert_true(!er && vpn, "vpn", file, line);
		_assert_int_equal(carrier, ERP_PATH_VPN, file, line);
		break;
	case ERP_FO_HOLDDOWN:
		_assert_true(er && vpn, "hold-down", file, line);
		_assert_true(f->cfg.holddown_ms > 0, "hold-down on", file,
			     line);
		_assert_true(fo->er_failed, "er failed", file, line);
		/* the length is that of the configuration when it started */
		_assert_true(fo->holddown_current_ms > 0, "hold-down length",
			     file, line);
		_assert_true(fo->holddown_until_ms ==
					     fo->since_ms +
						     fo->holddown_current_ms ||
				     fo->holddown_until_ms == UINT64_MAX,
			     "deadline", file, line);
		_assert_true(fo->holddown_until_ms > f->now, "deadline ahead",
			     file, line);
		_assert_int_equal(carrier, ERP_PATH_VPN, file, line);
		break;
	case ERP_FO_DRAINED:
		break;
	}
}

struct snap {
	bool withdrawn;
	bool demoted;
	enum erp_path carrier;
	enum erp_fo_state state;
	uint64_t since;
};

static struct snap take(const struct fx *f)
{
	struct snap s = {
		.withdrawn = erp_fo_er_withdrawn(&f->fo),
		.demoted = erp_fo_er_demoted(&f->fo),
		.carrier = backup_carrier(&f->fo),
		.state = f->fo.state,
		.since = f->fo.since_ms,
	};
	return s;
}

static void check_step(const struct fx *f, const struct snap *b,
		       const char *file, int line)
{
	const struct erp_fo_result *r = &f->r;

	_assert_int_equal(r->demotion_changed,
			  b->demoted != erp_fo_er_demoted(&f->fo), file, line);
	_assert_int_equal(r->carrier_changed,
			  b->carrier != backup_carrier(&f->fo), file, line);
	_assert_int_equal(r->withdrawal_changed,
			  b->withdrawn != erp_fo_er_withdrawn(&f->fo), file,
			  line);
	if (b->state != f->fo.state)
		_assert_int_equal(f->fo.since_ms, f->now, file, line);
	else
		_assert_int_equal(f->fo.since_ms, b->since, file, line);
	/* the only silent state change: ER flapped during hold-down */
	if (b->state != f->fo.state && r->n_events == 0)
		_assert_true(b->state == ERP_FO_HOLDDOWN &&
				     f->fo.state == ERP_FO_VPN,
			     "silent change", file, line);
	check_invariants(f, file, line);
}

/* The one input, checked: in == NULL keeps the last inputs. */
static void input_(struct fx *f, const struct erp_fo_inputs *in,
		   const char *file, int line)
{
	struct snap b = take(f);
	struct erp_fo_inputs before = f->fo.in;

	memset(&f->r, 0xa5, sizeof(f->r)); /* must be overwritten */
	erp_fo_input(&f->fo, &f->cfg, in, f->now, &f->r);
	if (!in)
		in = &before;
	_assert_int_equal(f->fo.in.er.established, in->er.established, file,
			  line);
	_assert_int_equal(f->fo.in.er.with_routes, in->er.with_routes, file,
			  line);
	_assert_int_equal(f->fo.in.vpn.established, in->vpn.established, file,
			  line);
	_assert_int_equal(f->fo.in.vpn.with_routes, in->vpn.with_routes, file,
			  line);
	check_step(f, &b, file, line);
}

/* Sessions established, and of those with routes, per path. */
static void sessr_(struct fx *f, unsigned int er, unsigned int er_routes,
		   unsigned int vpn, unsigned int vpn_routes, const char *file,
		   int line)
{
	struct erp_fo_inputs in = {
		.er = {.established = er, .with_routes = er_routes},
		.vpn = {.established = vpn, .with_routes = vpn_routes},
	};

	input_(f, &in, file, line);
}

static void drain_(struct fx *f, bool drained, const char *file, int line)
{
	f->cfg.drained = drained;
	input_(f, NULL, file, line);
}

static void config_(struct fx *f, uint32_t holddown_ms, uint32_t max_ms,
		    const char *file, int line)
{
	f->cfg.holddown_ms = holddown_ms;
	f->cfg.holddown_max_ms = max_ms;
	input_(f, NULL, file, line);
}

/* Every established session has routes, as in most of the tests. */
#define SESS(f, er, vpn) sessr_(f, er, er, vpn, vpn, __FILE__, __LINE__)
#define SESSR(f, er, er_r, vpn, vpn_r)                                         \
	sessr_(f, er, er_r, vpn, vpn_r, __FILE__, __LINE__)
#define TICK(f) input_(f, NULL, __FILE__, __LINE__)
#define DRAIN(f, d) drain_(f, d, __FILE__, __LINE__)
#define CONFIG(f, hd, max) config_(f, hd, max, __FILE__, __LINE__)

static void symmetric_(struct fx *f, bool on, const char *file, int line)
{
	f->cfg.asymmetric = !on;
	input_(f, NULL, file, line);
}
#define SYMMETRIC(f, on) symmetric_(f, on, __FILE__, __LINE__)

/* withdrawal_changed of the last input, and the state it left */
static void expect_withdrawal_(const struct fx *f, bool changed,
			       bool withdrawn, const char *file, int line)
{
	_assert_int_equal(f->r.withdrawal_changed, changed, file, line);
	_assert_int_equal(erp_fo_er_withdrawn(&f->fo), withdrawn, file, line);
}
#define EXPECT_WITHDRAWAL(f, changed, withdrawn)                               \
	expect_withdrawal_(f, changed, withdrawn, __FILE__, __LINE__)

/* The events of the last input, as "a,b,c", against the expected list. */
static void expect_events_(const struct erp_fo_result *r, const int *exp,
			   size_t n, const char *file, int line)
{
	char got[256] = "", want[256] = "";

	for (unsigned int i = 0; i < r->n_events && i < ERP_FO_MAX_EVENTS;
	     i++) {
		strlcat(got, i ? "," : "", sizeof(got));
		strlcat(got, erp_event_type_name(r->events[i]), sizeof(got));
	}
	for (size_t i = 0; i < n; i++) {
		strlcat(want, i ? "," : "", sizeof(want));
		strlcat(want, erp_event_type_name(exp[i]), sizeof(want));
	}
	_assert_string_equal(got, want, file, line);
	_assert_int_equal(r->n_events, n, file, line);
}

#define EXPECT_EVENTS(f, ...)                                                  \
	expect_events_(&(f)->r, (const int[]){__VA_ARGS__},                    \
		       sizeof((int[]){__VA_ARGS__}) / sizeof(int), __FILE__,   \
		       __LINE__)
#define EXPECT_NO_EVENTS(f) expect_events_(&(f)->r, NULL, 0, __FILE__, __LINE__)

static void expect_flags_(const struct fx *f, bool demotion, bool carrier,
			  const char *file, int line)
{
	_assert_int_equal(f->r.demotion_changed, demotion, file, line);
	_assert_int_equal(f->r.carrier_changed, carrier, file, line);
}
#define EXPECT_FLAGS(f, d, c) expect_flags_(f, d, c, __FILE__, __LINE__)

/* Up on ExpressRoute (two sessions) with the VPN as backup. */
static void up_on_er(struct fx *f)
{
	SESS(f, 2, 1);
	assert_int_equal(f->fo.state, ERP_FO_EXPRESSROUTE);
}

/* ... then ExpressRoute fails and comes back: in hold-down. */
static void in_holddown(struct fx *f)
{
	up_on_er(f);
	f->now += 10;
	SESS(f, 0, 1);
	assert_int_equal(f->fo.state, ERP_FO_VPN);
	f->now += 10;
	SESS(f, 1, 1);
	assert_int_equal(f->fo.state, ERP_FO_HOLDDOWN);
}

/* --- startup -------------------------------------------------------------- */

static void test_init(void **state)
{
	struct fx f;

	fx_init(&f, HD, CAP);
	assert_int_equal(f.fo.state, ERP_FO_NONE);
	assert_int_equal(f.fo.since_ms, 100000);
	assert_int_equal(f.fo.in.er.established, 0);
	assert_int_equal(f.fo.in.vpn.established, 0);
	assert_int_equal(f.fo.flaps, 0);
	assert_false(f.fo.er_failed);
	assert_false(erp_fo_er_demoted(&f.fo));
	assert_int_equal(erp_fo_deadline(&f.fo), 0);
	assert_int_equal(backup_carrier(&f.fo), ERP_PATH_NONE);

	/* nothing up, nothing happens */
	f.now += 5000;
	SESS(&f, 0, 0);
	EXPECT_NO_EVENTS(&f);
	EXPECT_FLAGS(&f, false, false);
	TICK(&f);
	EXPECT_NO_EVENTS(&f);
	CONFIG(&f, 0, 0);
	EXPECT_NO_EVENTS(&f);
	assert_int_equal(f.fo.state, ERP_FO_NONE);
	assert_int_equal(f.fo.since_ms, 100000);
}

static void test_startup_er_first(void **state)
{
	struct fx f;

	fx_init(&f, HD, CAP);
	f.now += 1;
	SESS(&f, 1, 0);
	EXPECT_EVENTS(&f, ERP_EV_PATH_UP);
	EXPECT_FLAGS(&f, false, true);
	assert_int_equal(f.fo.state, ERP_FO_EXPRESSROUTE);
	assert_int_equal(backup_carrier(&f.fo), ERP_PATH_EXPRESSROUTE);
	assert_int_equal(f.fo.since_ms, f.now);

	/* the second ER session and the VPN change nothing */
	f.now += 1;
	SESS(&f, 2, 0);
	EXPECT_NO_EVENTS(&f);
	EXPECT_FLAGS(&f, false, false);
	SESS(&f, 2, 1);
	EXPECT_NO_EVENTS(&f);
	EXPECT_FLAGS(&f, false, false);
	assert_int_equal(f.fo.state, ERP_FO_EXPRESSROUTE);
	assert_int_equal(f.fo.since_ms, f.now - 1);
}

/* VPN first, then ER: ER preferred at once, no hold-down at startup; ER
 * joins (path-up), it does not fail back: it was never lost. */
static void test_startup_vpn_first(void **state)
{
	struct fx f;

	fx_init(&f, HD, CAP);
	SESS(&f, 0, 1);
	EXPECT_EVENTS(&f, ERP_EV_PATH_UP);
	EXPECT_FLAGS(&f, false, true);
	assert_int_equal(f.fo.state, ERP_FO_VPN);
	assert_int_equal(backup_carrier(&f.fo), ERP_PATH_VPN);
	assert_false(f.fo.er_failed);

	SESS(&f, 1, 1);
	EXPECT_EVENTS(&f, ERP_EV_PATH_UP);
	EXPECT_FLAGS(&f, false, true);
	assert_int_equal(f.fo.state, ERP_FO_EXPRESSROUTE);
	assert_int_equal(erp_fo_deadline(&f.fo), 0);
	assert_false(erp_fo_er_demoted(&f.fo));
}

static void test_startup_both_at_once(void **state)
{
	struct fx f;

	fx_init(&f, HD, CAP);
	SESS(&f, 2, 1);
	EXPECT_EVENTS(&f, ERP_EV_PATH_UP);
	EXPECT_FLAGS(&f, false, true);
	assert_int_equal(f.fo.state, ERP_FO_EXPRESSROUTE);
}

/* The VPN alone comes and goes. */
static void test_vpn_only(void **state)
{
	struct fx f;

	fx_init(&f, HD, CAP);
	SESS(&f, 0, 2);
	EXPECT_EVENTS(&f, ERP_EV_PATH_UP);
	SESS(&f, 0, 1);
	EXPECT_NO_EVENTS(&f);
	EXPECT_FLAGS(&f, false, false);
	SESS(&f, 0, 0);
	EXPECT_EVENTS(&f, ERP_EV_PATHS_LOST);
	EXPECT_FLAGS(&f, false, true);
	assert_int_equal(f.fo.state, ERP_FO_NONE);
	assert_false(f.fo.er_failed); /* ER never failed */
}

/* --- failover ------------------------------------------------------------- */

static void test_one_er_of_two_lost(void **state)
{
	struct fx f;
	uint64_t since;

	fx_init(&f, HD, CAP);
	up_on_er(&f);
	since = f.fo.since_ms;
	f.now += 100;
	SESS(&f, 1, 1);
	EXPECT_NO_EVENTS(&f);
	EXPECT_FLAGS(&f, false, false);
	assert_int_equal(f.fo.state, ERP_FO_EXPRESSROUTE);
	assert_false(f.fo.er_failed);
	assert_int_equal(f.fo.since_ms, since);

	/* and back: still nothing, no hold-down */
	f.now += 100;
	SESS(&f, 2, 1);
	EXPECT_NO_EVENTS(&f);
	EXPECT_FLAGS(&f, false, false);
	assert_int_equal(f.fo.state, ERP_FO_EXPRESSROUTE);
	assert_int_equal(erp_fo_deadline(&f.fo), 0);
}

static void test_failover(void **state)
{
	struct fx f;

	fx_init(&f, HD, CAP);
	up_on_er(&f);
	f.now += 100;
	SESS(&f, 0, 1);
	EXPECT_EVENTS(&f, ERP_EV_FAILOVER);
	EXPECT_FLAGS(&f, false, true);
	assert_int_equal(f.fo.state, ERP_FO_VPN);
	assert_int_equal(backup_carrier(&f.fo), ERP_PATH_VPN);
	assert_true(f.fo.er_failed);
	assert_int_equal(f.fo.flaps, 0);
	assert_int_equal(f.fo.since_ms, f.now);

	/* a second VPN session changes nothing */
	SESS(&f, 0, 2);
	EXPECT_NO_EVENTS(&f);
	EXPECT_FLAGS(&f, false, false);
}

static void test_all_paths_lost(void **state)
{
	struct fx f;

	/* ER without VPN */
	fx_init(&f, HD, CAP);
	SESS(&f, 2, 0);
	SESS(&f, 0, 0);
	EXPECT_EVENTS(&f, ERP_EV_PATHS_LOST);
	EXPECT_FLAGS(&f, false, true);
	assert_int_equal(f.fo.state, ERP_FO_NONE);
	assert_true(f.fo.er_failed);

	/* both at once */
	fx_init(&f, HD, CAP);
	up_on_er(&f);
	SESS(&f, 0, 0);
	EXPECT_EVENTS(&f, ERP_EV_PATHS_LOST);
	EXPECT_FLAGS(&f, false, true);
	assert_int_equal(f.fo.state, ERP_FO_NONE);

	/* after a failover, the VPN goes too */
	fx_init(&f, HD, CAP);
	up_on_er(&f);
	SESS(&f, 0, 1);
	SESS(&f, 0, 0);
	EXPECT_EVENTS(&f, ERP_EV_PATHS_LOST);
	EXPECT_FLAGS(&f, false, true);
	assert_int_equal(f.fo.state, ERP_FO_NONE);
	assert_true(f.fo.er_failed);
}

/* VPN lost while ER carries: nothing moves. */
static void test_vpn_lost_on_er(void **state)
{
	struct fx f;

	fx_init(&f, HD, CAP);
	up_on_er(&f);
	SESS(&f, 2, 0);
	EXPECT_NO_EVENTS(&f);
	EXPECT_FLAGS(&f, false, false);
	assert_int_equal(f.fo.state, ERP_FO_EXPRESSROUTE);
}

/* ER back after a total loss without VPN: fail back, no hold-down. */
static void test_er_back_without_vpn(void **state)
{
	struct fx f;

	fx_init(&f, HD, CAP);
	SESS(&f, 1, 0);
	SESS(&f, 0, 0);
	assert_true(f.fo.er_failed);
	SESS(&f, 1, 0);
	EXPECT_EVENTS(&f, ERP_EV_FAILBACK);
	EXPECT_FLAGS(&f, false, true);
	assert_int_equal(f.fo.state, ERP_FO_EXPRESSROUTE);
	assert_false(f.fo.er_failed);
}

/* --- hold-down ------------------------------------------------------------ */

static void test_return_with_holddown(void **state)
{
	struct fx f;
	uint64_t t;

	fx_init(&f, HD, CAP);
	up_on_er(&f);
	SESS(&f, 0, 1);
	f.now += 500;
	t = f.now;
	SESS(&f, 1, 1);
	EXPECT_EVENTS(&f, ERP_EV_HOLDDOWN_START);
	EXPECT_FLAGS(&f, true, false); /* demoted, VPN still carries */
	assert_int_equal(f.fo.state, ERP_FO_HOLDDOWN);
	assert_true(erp_fo_er_demoted(&f.fo));
	assert_int_equal(backup_carrier(&f.fo), ERP_PATH_VPN);
	assert_int_equal(f.fo.holddown_current_ms, HD);
	assert_int_equal(erp_fo_deadline(&f.fo), t + HD);
	assert_int_equal(f.fo.holddown_until_ms, t + HD);
	assert_int_equal(f.fo.since_ms, t);
	assert_true(f.fo.er_failed);

	/* the second ER session during hold-down: nothing */
	f.now += 100;
	SESS(&f, 2, 1);
	EXPECT_NO_EVENTS(&f);
	EXPECT_FLAGS(&f, false, false);
	assert_int_equal(erp_fo_deadline(&f.fo), t + HD);

	/* early ticks are harmless */
	f.now = t + HD - 1;
	TICK(&f);
	EXPECT_NO_EVENTS(&f);
	EXPECT_FLAGS(&f, false, false);
	assert_int_equal(f.fo.state, ERP_FO_HOLDDOWN);

	/* expiry */
	f.now = t + HD;
	TICK(&f);
	EXPECT_EVENTS(&f, ERP_EV_HOLDDOWN_EXPIRED, ERP_EV_FAILBACK);
	EXPECT_FLAGS(&f, true, true);
	assert_int_equal(f.fo.state, ERP_FO_EXPRESSROUTE);
	assert_false(erp_fo_er_demoted(&f.fo));
	assert_int_equal(backup_carrier(&f.fo), ERP_PATH_EXPRESSROUTE);
	assert_int_equal(erp_fo_deadline(&f.fo), 0);
	assert_int_equal(f.fo.holddown_until_ms, 0);
	assert_int_equal(f.fo.holddown_current_ms, 0);
	assert_int_equal(f.fo.flaps, 0);
	assert_false(f.fo.er_failed);
	assert_int_equal(f.fo.since_ms, t + HD);

	/* later ticks: nothing */
	f.now += 10000;
	TICK(&f);
	EXPECT_NO_EVENTS(&f);
	EXPECT_FLAGS(&f, false, false);
}

/* A late timer: the tick comes well after the deadline. */
static void test_late_tick(void **state)
{
	struct fx f;

	fx_init(&f, HD, CAP);
	in_holddown(&f);
	f.now = erp_fo_deadline(&f.fo) + 12345;
	TICK(&f);
	EXPECT_EVENTS(&f, ERP_EV_HOLDDOWN_EXPIRED, ERP_EV_FAILBACK);
	EXPECT_FLAGS(&f, true, true);
	assert_int_equal(f.fo.state, ERP_FO_EXPRESSROUTE);
}

/* Another input after the deadline, before the tick: the hold-down is
 * applied first (ER was stable all along). */
static void test_late_input_applies_expiry(void **state)
{
	struct fx f;

	fx_init(&f, HD, CAP);
	in_holddown(&f);
	/* issue 12 item 5: the input that says ER is lost comes at the
	 * deadline (the timer was late): ER was never preferred again, so no
	 * "hold-down-expired, failback" for a failback that never happened */
	f.now = erp_fo_deadline(&f.fo);
	SESS(&f, 0, 1);
	EXPECT_NO_EVENTS(&f);
	EXPECT_FLAGS(&f, true, false); /* VPN carried before and after */
	assert_int_equal(f.fo.state, ERP_FO_VPN);
	assert_true(f.fo.er_failed);
	assert_int_equal(f.fo.flaps, 0); /* served in full: not a flap */

	/* so the next return starts a fresh hold-down */
	SESS(&f, 1, 1);
	EXPECT_EVENTS(&f, ERP_EV_HOLDDOWN_START);
	assert_int_equal(f.fo.holddown_current_ms, HD);

	/* a late input while ER stays usable applies the expiry */
	f.now = erp_fo_deadline(&f.fo) + 1;
	SESS(&f, 1, 2);
	EXPECT_EVENTS(&f, ERP_EV_HOLDDOWN_EXPIRED, ERP_EV_FAILBACK);
	EXPECT_FLAGS(&f, true, true);
	assert_int_equal(f.fo.state, ERP_FO_EXPRESSROUTE);
}

static void test_flap_during_holddown(void **state)
{
	struct fx f;
	static const uint32_t lengths[] = {2 * HD, 4 * HD, CAP, CAP, CAP};
	uint64_t t = 0;

	fx_init(&f, HD, CAP);
	in_holddown(&f);
	assert_int_equal(f.fo.holddown_current_ms, HD);

	for (unsigned int i = 0; i < array_size(lengths); i++) {
		/* lost: back to VPN, silently */
		f.now += 100;
		SESS(&f, 0, 1);
		EXPECT_NO_EVENTS(&f);
		EXPECT_FLAGS(&f, true, false);
		assert_int_equal(f.fo.state, ERP_FO_VPN);
		assert_int_equal(f.fo.flaps, i + 1);
		assert_int_equal(erp_fo_deadline(&f.fo), 0);
		assert_int_equal(f.fo.holddown_until_ms, 0);
		assert_true(f.fo.er_failed);
		assert_false(erp_fo_er_demoted(&f.fo));

		/* back: the hold-down restarts, longer */
		f.now += 100;
		t = f.now;
		SESS(&f, 1, 1);
		EXPECT_EVENTS(&f, ERP_EV_HOLDDOWN_RESTART);
		EXPECT_FLAGS(&f, true, false);
		assert_int_equal(f.fo.state, ERP_FO_HOLDDOWN);
		assert_int_equal(f.fo.holddown_current_ms, lengths[i]);
		assert_int_equal(erp_fo_deadline(&f.fo), t + lengths[i]);
	}

	/* the old deadlines do not count */
	f.now = t + CAP - 1;
	TICK(&f);
	EXPECT_NO_EVENTS(&f);
	f.now = t + CAP;
	TICK(&f);
	EXPECT_EVENTS(&f, ERP_EV_HOLDDOWN_EXPIRED, ERP_EV_FAILBACK);
	assert_int_equal(f.fo.flaps, 0);
	assert_false(f.fo.er_failed);

	/* a new failure starts over at the base length */
	SESS(&f, 0, 1);
	EXPECT_EVENTS(&f, ERP_EV_FAILOVER);
	SESS(&f, 1, 1);
	EXPECT_EVENTS(&f, ERP_EV_HOLDDOWN_START);
	assert_int_equal(f.fo.holddown_current_ms, HD);
}

/* Both paths lost during hold-down, then back in one input. */
static void test_all_lost_during_holddown(void **state)
{
	struct fx f;

	fx_init(&f, HD, CAP);
	in_holddown(&f);
	SESS(&f, 0, 0);
	EXPECT_EVENTS(&f, ERP_EV_PATHS_LOST);
	EXPECT_FLAGS(&f, true, true);
	assert_int_equal(f.fo.state, ERP_FO_NONE);
	assert_int_equal(f.fo.flaps, 1);
	assert_true(f.fo.er_failed);

	SESS(&f, 1, 1);
	EXPECT_EVENTS(&f, ERP_EV_PATH_UP, ERP_EV_HOLDDOWN_RESTART);
	EXPECT_FLAGS(&f, true, true);
	assert_int_equal(f.fo.state, ERP_FO_HOLDDOWN);
	assert_int_equal(f.fo.holddown_current_ms, 2 * HD);

	/* once more, VPN first this time */
	SESS(&f, 0, 0);
	EXPECT_EVENTS(&f, ERP_EV_PATHS_LOST);
	SESS(&f, 0, 1);
	EXPECT_EVENTS(&f, ERP_EV_PATH_UP);
	EXPECT_FLAGS(&f, false, true);
	SESS(&f, 1, 1);
	EXPECT_EVENTS(&f, ERP_EV_HOLDDOWN_RESTART);
	EXPECT_FLAGS(&f, true, false);
	assert_int_equal(f.fo.holddown_current_ms, 4 * HD);
}

static void test_vpn_lost_during_holddown(void **state)
{
	struct fx f;

	fx_init(&f, HD, CAP);
	in_holddown(&f);
	f.now += 10;
	SESS(&f, 1, 0);
	EXPECT_EVENTS(&f, ERP_EV_FAILBACK);
	EXPECT_FLAGS(&f, true, true);
	assert_int_equal(f.fo.state, ERP_FO_EXPRESSROUTE);
	assert_int_equal(backup_carrier(&f.fo), ERP_PATH_EXPRESSROUTE);
	assert_int_equal(erp_fo_deadline(&f.fo), 0);
	assert_false(f.fo.er_failed);
	assert_int_equal(f.fo.flaps, 0);

	/* the VPN back: nothing */
	SESS(&f, 1, 1);
	EXPECT_NO_EVENTS(&f);
	EXPECT_FLAGS(&f, false, false);
}

/* ER back while the VPN goes, in one input: no hold-down. */
static void test_er_back_vpn_lost_at_once(void **state)
{
	struct fx f;

	fx_init(&f, HD, CAP);
	up_on_er(&f);
	SESS(&f, 0, 1);
	SESS(&f, 1, 0);
	EXPECT_EVENTS(&f, ERP_EV_FAILBACK);
	EXPECT_FLAGS(&f, false, true);
	assert_int_equal(f.fo.state, ERP_FO_EXPRESSROUTE);
}

static void test_holddown_disabled(void **state)
{
	struct fx f;

	fx_init(&f, 0, 0);
	up_on_er(&f);
	SESS(&f, 0, 1);
	EXPECT_EVENTS(&f, ERP_EV_FAILOVER);
	SESS(&f, 1, 1);
	EXPECT_EVENTS(&f, ERP_EV_FAILBACK);
	EXPECT_FLAGS(&f, false, true);
	assert_int_equal(f.fo.state, ERP_FO_EXPRESSROUTE);
	assert_int_equal(erp_fo_deadline(&f.fo), 0);
	assert_false(f.fo.er_failed);
}

static void test_holddown_turned_off(void **state)
{
	struct fx f;

	fx_init(&f, HD, CAP);
	in_holddown(&f);
	f.now += 10;
	CONFIG(&f, 0, CAP);
	EXPECT_EVENTS(&f, ERP_EV_FAILBACK);
	EXPECT_FLAGS(&f, true, true);
	assert_int_equal(f.fo.state, ERP_FO_EXPRESSROUTE);
	assert_int_equal(erp_fo_deadline(&f.fo), 0);
	assert_false(f.fo.er_failed);
	assert_int_equal(f.fo.since_ms, f.now);

	/* off outside a hold-down: nothing */
	CONFIG(&f, 0, 0);
	EXPECT_NO_EVENTS(&f);
	EXPECT_FLAGS(&f, false, false);
	SESS(&f, 0, 1);
	CONFIG(&f, 0, 0);
	EXPECT_NO_EVENTS(&f);
	assert_int_equal(f.fo.state, ERP_FO_VPN);

	/* back on: the next return is held down */
	CONFIG(&f, HD, CAP);
	EXPECT_NO_EVENTS(&f);
	SESS(&f, 1, 1);
	EXPECT_EVENTS(&f, ERP_EV_HOLDDOWN_START);
}

/* Length and cap changes apply to the next hold-down only. */
static void test_holddown_config_change(void **state)
{
	struct fx f;
	uint64_t start;

	/* issue 12 item 5: a change takes effect on the running hold-down */
	fx_init(&f, HD, CAP);
	in_holddown(&f);
	start = erp_fo_deadline(&f.fo) - HD;
	f.now += 100;
	CONFIG(&f, 3 * HD, 3 * HD);
	EXPECT_NO_EVENTS(&f);
	EXPECT_FLAGS(&f, false, false);
	assert_int_equal(f.fo.state, ERP_FO_HOLDDOWN);
	assert_int_equal(f.fo.holddown_current_ms, 3 * HD);
	assert_int_equal(erp_fo_deadline(&f.fo), start + 3 * HD);

	/* flap: the new length, capped by the new cap */
	SESS(&f, 0, 1);
	SESS(&f, 1, 1);
	EXPECT_EVENTS(&f, ERP_EV_HOLDDOWN_RESTART);
	assert_int_equal(f.fo.holddown_current_ms, 3 * HD);
	assert_int_equal(erp_fo_deadline(&f.fo), f.now + 3 * HD);

	/* shortened below what has already run: over at once */
	start = f.now;
	f.now += HD;
	CONFIG(&f, HD / 2, HD / 2);
	EXPECT_EVENTS(&f, ERP_EV_HOLDDOWN_EXPIRED, ERP_EV_FAILBACK);
	assert_int_equal(f.fo.state, ERP_FO_EXPRESSROUTE);

	/* shortened, not yet over: the deadline moves in */
	fx_init(&f, 4 * HD, 4 * HD);
	in_holddown(&f);
	start = erp_fo_deadline(&f.fo) - 4 * HD;
	f.now = start + HD;
	CONFIG(&f, 2 * HD, 2 * HD);
	EXPECT_NO_EVENTS(&f);
	assert_int_equal(erp_fo_deadline(&f.fo), start + 2 * HD);
	assert_int_equal(f.fo.holddown_current_ms, 2 * HD);
}

/* Growth without overflow; a cap below the base means no growth. */
static void test_holddown_growth_limits(void **state)
{
	struct fx f;

	/* a huge base: 2^31 << 1 would not fit in 32 bits */
	fx_init(&f, 0x80000000u, UINT32_MAX);
	in_holddown(&f);
	assert_int_equal(f.fo.holddown_current_ms, 0x80000000u);
	SESS(&f, 0, 1);
	SESS(&f, 1, 1);
	assert_int_equal(f.fo.holddown_current_ms, UINT32_MAX);

	/* many flaps: shifts past the width are capped */
	fx_init(&f, 3, 1000000);
	in_holddown(&f);
	for (unsigned int i = 1; i <= 70; i++) {
		SESS(&f, 0, 1);
		SESS(&f, 1, 1);
		assert_int_equal(f.fo.flaps, i);
		if (i <= 18) /* 3 << 18 = 786432 */
			assert_int_equal(f.fo.holddown_current_ms, 3u << i);
		else
			assert_int_equal(f.fo.holddown_current_ms, 1000000);
	}

	/* cap 0 / below the base: the base length, no growth */
	fx_init(&f, HD, 0);
	in_holddown(&f);
	assert_int_equal(f.fo.holddown_current_ms, HD);
	SESS(&f, 0, 1);
	SESS(&f, 1, 1);
	EXPECT_EVENTS(&f, ERP_EV_HOLDDOWN_RESTART);
	assert_int_equal(f.fo.holddown_current_ms, HD);

	/* a deadline past the end of the clock saturates */
	fx_init(&f, HD, CAP);
	f.now = UINT64_MAX - 2 * HD;
	erp_fo_init(&f.fo, f.now);
	up_on_er(&f);
	SESS(&f, 0, 1);
	f.now = UINT64_MAX - 10;
	SESS(&f, 1, 1);
	assert_int_equal(erp_fo_deadline(&f.fo), UINT64_MAX);
	f.now = UINT64_MAX;
	TICK(&f);
	EXPECT_EVENTS(&f, ERP_EV_HOLDDOWN_EXPIRED, ERP_EV_FAILBACK);
}

/* --- drain ---------------------------------------------------------------- */

static void test_drain_from_expressroute(void **state)
{
	struct fx f;

	fx_init(&f, HD, CAP);
	up_on_er(&f);
	f.now += 10;
	DRAIN(&f, true);
	EXPECT_EVENTS(&f, ERP_EV_DRAIN);
	EXPECT_FLAGS(&f, true, true);
	assert_int_equal(f.fo.state, ERP_FO_DRAINED);
	assert_true(erp_fo_er_demoted(&f.fo));
	assert_int_equal(backup_carrier(&f.fo), ERP_PATH_VPN);
	assert_int_equal(f.fo.since_ms, f.now);

	/* draining again: nothing */
	DRAIN(&f, true);
	EXPECT_NO_EVENTS(&f);
	EXPECT_FLAGS(&f, false, false);

	/* sessions move, the state stays */
	SESS(&f, 1, 1);
	EXPECT_NO_EVENTS(&f);
	EXPECT_FLAGS(&f, false, false);
	assert_int_equal(f.fo.state, ERP_FO_DRAINED);
	assert_int_equal(f.fo.in.er.established, 1);
	SESS(&f, 1, 0); /* the VPN goes: ER, demoted, is the only path */
	EXPECT_NO_EVENTS(&f);
	EXPECT_FLAGS(&f, false, true);
	assert_int_equal(backup_carrier(&f.fo), ERP_PATH_EXPRESSROUTE);
	SESS(&f, 1, 1);
	EXPECT_NO_EVENTS(&f);
	EXPECT_FLAGS(&f, false, true);
	assert_int_equal(backup_carrier(&f.fo), ERP_PATH_VPN);
	assert_int_equal(f.fo.state, ERP_FO_DRAINED);

	/* undrain: ER at once, no hold-down */
	f.now += 10;
	DRAIN(&f, false);
	EXPECT_EVENTS(&f, ERP_EV_UNDRAIN);
	EXPECT_FLAGS(&f, true, true);
	assert_int_equal(f.fo.state, ERP_FO_EXPRESSROUTE);
	assert_int_equal(erp_fo_deadline(&f.fo), 0);
	assert_int_equal(f.fo.since_ms, f.now);
}

/* Drained with no VPN: ER demoted but still carries. */
static void test_drain_without_vpn(void **state)
{
	struct fx f;

	fx_init(&f, HD, CAP);
	SESS(&f, 2, 0);
	DRAIN(&f, true);
	EXPECT_EVENTS(&f, ERP_EV_DRAIN);
	EXPECT_FLAGS(&f, true, false);
	assert_int_equal(backup_carrier(&f.fo), ERP_PATH_EXPRESSROUTE);

	/* everything goes, and comes back */
	SESS(&f, 0, 0);
	EXPECT_NO_EVENTS(&f);
	EXPECT_FLAGS(&f, false, true);
	assert_int_equal(f.fo.state, ERP_FO_DRAINED);
	assert_int_equal(backup_carrier(&f.fo), ERP_PATH_NONE);
	SESS(&f, 1, 0);
	EXPECT_NO_EVENTS(&f);
	EXPECT_FLAGS(&f, false, true);
	assert_int_equal(f.fo.state, ERP_FO_DRAINED);

	DRAIN(&f, false);
	EXPECT_EVENTS(&f, ERP_EV_UNDRAIN);
	EXPECT_FLAGS(&f, true, false);
	assert_int_equal(f.fo.state, ERP_FO_EXPRESSROUTE);
	assert_false(f.fo.er_failed);
}

static void test_drain_from_vpn(void **state)
{
	struct fx f;

	fx_init(&f, HD, CAP);
	up_on_er(&f);
	SESS(&f, 0, 1);
	DRAIN(&f, true);
	EXPECT_EVENTS(&f, ERP_EV_DRAIN);
	EXPECT_FLAGS(&f, true, false);
	assert_int_equal(f.fo.state, ERP_FO_DRAINED);

	/* undrain with ER still down: VPN */
	DRAIN(&f, false);
	EXPECT_EVENTS(&f, ERP_EV_UNDRAIN);
	EXPECT_FLAGS(&f, true, false);
	assert_int_equal(f.fo.state, ERP_FO_VPN);
	assert_true(f.fo.er_failed);

	/* ER failed before the drain: its return is held down */
	SESS(&f, 1, 1);
	EXPECT_EVENTS(&f, ERP_EV_HOLDDOWN_START);
}

/* ER back while drained: no failback; undrain fails back at once. */
static void test_drain_er_back_while_drained(void **state)
{
	struct fx f;

	fx_init(&f, HD, CAP);
	up_on_er(&f);
	SESS(&f, 0, 1);
	DRAIN(&f, true);
	SESS(&f, 2, 1);
	EXPECT_NO_EVENTS(&f);
	EXPECT_FLAGS(&f, false, false);
	assert_int_equal(f.fo.state, ERP_FO_DRAINED);
	assert_int_equal(erp_fo_deadline(&f.fo), 0);

	DRAIN(&f, false);
	EXPECT_EVENTS(&f, ERP_EV_UNDRAIN);
	EXPECT_FLAGS(&f, true, true);
	assert_int_equal(f.fo.state, ERP_FO_EXPRESSROUTE);
	assert_false(f.fo.er_failed);
	assert_int_equal(f.fo.flaps, 0);
}

/* ER lost while drained: a failure, held down after the undrain. */
static void test_drain_er_lost_while_drained(void **state)
{
	struct fx f;

	fx_init(&f, HD, CAP);
	up_on_er(&f);
	DRAIN(&f, true);
	SESS(&f, 0, 1);
	EXPECT_NO_EVENTS(&f);
	EXPECT_FLAGS(&f, false, false);
	assert_true(f.fo.er_failed);
	DRAIN(&f, false);
	EXPECT_EVENTS(&f, ERP_EV_UNDRAIN);
	EXPECT_FLAGS(&f, true, false);
	assert_int_equal(f.fo.state, ERP_FO_VPN);
	SESS(&f, 1, 1);
	EXPECT_EVENTS(&f, ERP_EV_HOLDDOWN_START);
	EXPECT_FLAGS(&f, true, false);
}

static void test_drain_from_holddown(void **state)
{
	struct fx f;
	uint64_t deadline;

	fx_init(&f, HD, CAP);
	in_holddown(&f);
	SESS(&f, 0, 1); /* one flap */
	SESS(&f, 1, 1);
	deadline = erp_fo_deadline(&f.fo);
	DRAIN(&f, true);
	EXPECT_EVENTS(&f, ERP_EV_DRAIN);
	EXPECT_FLAGS(&f, false, false); /* already demoted, VPN carries */
	assert_int_equal(f.fo.state, ERP_FO_DRAINED);
	assert_int_equal(erp_fo_deadline(&f.fo), 0);
	assert_int_equal(f.fo.holddown_until_ms, 0);

	/* the old deadline passes: nothing */
	f.now = deadline + 1;
	TICK(&f);
	EXPECT_NO_EVENTS(&f);
	EXPECT_FLAGS(&f, false, false);
	assert_int_equal(f.fo.state, ERP_FO_DRAINED);

	/* undrain: no hold-down */
	DRAIN(&f, false);
	EXPECT_EVENTS(&f, ERP_EV_UNDRAIN);
	EXPECT_FLAGS(&f, true, true);
	assert_int_equal(f.fo.state, ERP_FO_EXPRESSROUTE);
	assert_int_equal(f.fo.flaps, 0);
	assert_false(f.fo.er_failed);
}

static void test_drain_from_none(void **state)
{
	struct fx f;

	fx_init(&f, HD, CAP);
	DRAIN(&f, true);
	EXPECT_EVENTS(&f, ERP_EV_DRAIN);
	EXPECT_FLAGS(&f, true, false);
	assert_int_equal(f.fo.state, ERP_FO_DRAINED);

	/* paths come up while drained: counts only */
	SESS(&f, 1, 0);
	EXPECT_NO_EVENTS(&f);
	EXPECT_FLAGS(&f, false, true);
	assert_int_equal(backup_carrier(&f.fo), ERP_PATH_EXPRESSROUTE);
	SESS(&f, 1, 1);
	EXPECT_NO_EVENTS(&f);
	EXPECT_FLAGS(&f, false, true);
	assert_int_equal(backup_carrier(&f.fo), ERP_PATH_VPN);

	/* undrain: ER never failed, straight to ER */
	DRAIN(&f, false);
	EXPECT_EVENTS(&f, ERP_EV_UNDRAIN);
	assert_int_equal(f.fo.state, ERP_FO_EXPRESSROUTE);
}

static void test_undrain_to_none(void **state)
{
	struct fx f;

	fx_init(&f, HD, CAP);
	DRAIN(&f, true);
	DRAIN(&f, false);
	EXPECT_EVENTS(&f, ERP_EV_UNDRAIN);
	EXPECT_FLAGS(&f, true, false);
	assert_int_equal(f.fo.state, ERP_FO_NONE);

	/* undrain and ER lost in one input (drain flag seen by sessions) */
	fx_init(&f, HD, CAP);
	SESS(&f, 1, 0);
	DRAIN(&f, true);
	f.cfg.drained = false;
	SESS(&f, 0, 0);
	EXPECT_EVENTS(&f, ERP_EV_UNDRAIN);
	EXPECT_FLAGS(&f, true, true);
	assert_int_equal(f.fo.state, ERP_FO_NONE);
	assert_true(f.fo.er_failed);
}

/* Drained in the configuration before the first session (no input when
 * the drain was configured): the first input drains. */
static void test_drained_at_startup(void **state)
{
	struct fx f;

	fx_init(&f, HD, CAP);
	f.cfg.drained = true;
	SESS(&f, 1, 1);
	EXPECT_EVENTS(&f, ERP_EV_DRAIN);
	EXPECT_FLAGS(&f, true, true);
	assert_int_equal(f.fo.state, ERP_FO_DRAINED);
	assert_int_equal(backup_carrier(&f.fo), ERP_PATH_VPN);

	/* the same through a tick */
	fx_init(&f, HD, CAP);
	f.cfg.drained = true;
	TICK(&f);
	EXPECT_EVENTS(&f, ERP_EV_DRAIN);
	assert_int_equal(f.fo.state, ERP_FO_DRAINED);
}

/* --- events --------------------------------------------------------------- */

/* Record results the way the glue does: every event, in order. */
static void record(struct erp_event_ring *ring, const struct fx *f,
		   enum erp_fo_state from)
{
	for (unsigned int i = 0; i < f->r.n_events; i++) {
		struct erp_event ev = {
			.mono_ms = f->now,
			.type = f->r.events[i],
			.from = from,
			.to = f->fo.state,
			.holddown_ms = f->fo.holddown_current_ms,
		};

		erp_ring_push(ring, &ev);
	}
}

/* --- symmetric failover (issue 12 item 3) ------------------------------- */

/*
 * Hold-down: on-prem prefixes are withheld from ER from the failover on
 * (a returning ER session is sent them when established, before its routes
 * start the hold-down; Azure would return over ER for the hold-down's whole
 * length) and restored at the failback.  Without a hold-down, nothing is
 * withheld: ER is preferred as soon as it is back.
 */
static void test_symmetric_holddown(void **state)
{
	struct fx f;
	uint64_t t;

	fx_init(&f, HD, CAP);
	up_on_er(&f);
	EXPECT_WITHDRAWAL(&f, false, false);
	SESS(&f, 0, 1);
	EXPECT_EVENTS(&f, ERP_EV_FAILOVER);
	EXPECT_WITHDRAWAL(&f, true, true);
	assert_int_equal(erp_fo_withdrawal_event(&f.fo), ERP_EV_ER_WITHDRAW);
	/* an ER session back, no routes yet: still withheld */
	SESSR(&f, 1, 0, 1, 1);
	EXPECT_WITHDRAWAL(&f, false, true);
	f.now += 500;
	t = f.now;
	SESS(&f, 1, 1);
	EXPECT_EVENTS(&f, ERP_EV_HOLDDOWN_START);
	EXPECT_WITHDRAWAL(&f, false, true);
	/* more ER sessions, ticks: no change */
	SESS(&f, 2, 1);
	EXPECT_WITHDRAWAL(&f, false, true);
	f.now = t + HD - 1;
	TICK(&f);
	EXPECT_WITHDRAWAL(&f, false, true);
	/* failback: restored */
	f.now = t + HD;
	TICK(&f);
	EXPECT_EVENTS(&f, ERP_EV_HOLDDOWN_EXPIRED, ERP_EV_FAILBACK);
	EXPECT_WITHDRAWAL(&f, true, false);
	assert_int_equal(erp_fo_withdrawal_event(&f.fo), ERP_EV_ER_RESTORE);

	/* no hold-down: a failover withholds nothing */
	fx_init(&f, 0, 0);
	up_on_er(&f);
	SESS(&f, 0, 1);
	EXPECT_EVENTS(&f, ERP_EV_FAILOVER);
	EXPECT_WITHDRAWAL(&f, false, false);
	SESS(&f, 1, 1);
	EXPECT_EVENTS(&f, ERP_EV_FAILBACK);
	EXPECT_WITHDRAWAL(&f, false, false);
}

/* A flap during the hold-down: withheld throughout, no churn. */
static void test_symmetric_flap(void **state)
{
	struct fx f;

	fx_init(&f, HD, CAP);
	in_holddown(&f);
	EXPECT_WITHDRAWAL(&f, false, true);
	f.now += 10;
	SESS(&f, 0, 1);
	assert_int_equal(f.fo.state, ERP_FO_VPN);
	EXPECT_WITHDRAWAL(&f, false, true);
	f.now += 10;
	SESS(&f, 1, 1);
	EXPECT_EVENTS(&f, ERP_EV_HOLDDOWN_RESTART);
	EXPECT_WITHDRAWAL(&f, false, true);
}

/* Drain: withdrawn while drained, restored by the undrain. */
static void test_symmetric_drain(void **state)
{
	struct fx f;

	fx_init(&f, HD, CAP);
	up_on_er(&f);
	DRAIN(&f, true);
	EXPECT_EVENTS(&f, ERP_EV_DRAIN);
	EXPECT_WITHDRAWAL(&f, true, true);
	DRAIN(&f, true);
	EXPECT_WITHDRAWAL(&f, false, true);
	DRAIN(&f, false);
	EXPECT_EVENTS(&f, ERP_EV_UNDRAIN);
	EXPECT_WITHDRAWAL(&f, true, false);
}

/*
 * Never withdraw from ER when no VPN could carry the prefixes: no VPN
 * session, or VPN sessions without Azure routes (the gateway is not
 * usable: on-prem's own traffic stays on ER too).  The VPN lost while
 * withdrawn restores at once, and its return withdraws again.
 */
static void test_symmetric_needs_vpn(void **state)
{
	struct fx f;

	fx_init(&f, HD, CAP);
	SESS(&f, 2, 0);
	DRAIN(&f, true);
	assert_true(erp_fo_er_demoted(&f.fo));
	EXPECT_WITHDRAWAL(&f, false, false);
	/* VPN established, no Azure routes yet */
	SESSR(&f, 2, 2, 1, 0);
	EXPECT_WITHDRAWAL(&f, false, false);
	SESS(&f, 2, 1);
	EXPECT_WITHDRAWAL(&f, true, true);
	/* the VPN's routes go (session up), then the session */
	SESSR(&f, 2, 2, 1, 0);
	EXPECT_NO_EVENTS(&f);
	EXPECT_WITHDRAWAL(&f, true, false);
	SESS(&f, 2, 1);
	EXPECT_WITHDRAWAL(&f, true, true);
	SESS(&f, 2, 0);
	EXPECT_WITHDRAWAL(&f, true, false);

	/* hold-down: the VPN lost ends it (failback), restored with it */
	fx_init(&f, HD, CAP);
	in_holddown(&f);
	EXPECT_WITHDRAWAL(&f, false, true);
	SESS(&f, 1, 0);
	EXPECT_EVENTS(&f, ERP_EV_FAILBACK);
	EXPECT_WITHDRAWAL(&f, true, false);
}

/* Symmetric failover off: the behaviour before it (nothing withdrawn in
 * hold-down or drain); turning it on or off applies at once. */
static void test_symmetric_off(void **state)
{
	struct fx f;

	fx_init(&f, HD, CAP);
	f.cfg.asymmetric = true;
	in_holddown(&f);
	EXPECT_WITHDRAWAL(&f, false, false);
	DRAIN(&f, true);
	EXPECT_WITHDRAWAL(&f, false, false);
	DRAIN(&f, false);
	SESS(&f, 0, 1);
	f.now += 10;
	SESS(&f, 1, 1);
	assert_int_equal(f.fo.state, ERP_FO_HOLDDOWN);
	EXPECT_WITHDRAWAL(&f, false, false);
	/* on during the hold-down: withdrawn now; off again: restored */
	SYMMETRIC(&f, true);
	EXPECT_NO_EVENTS(&f);
	EXPECT_FLAGS(&f, false, false);
	EXPECT_WITHDRAWAL(&f, true, true);
	SYMMETRIC(&f, false);
	EXPECT_WITHDRAWAL(&f, true, false);
	/* off in EXPRESSROUTE, on: nothing to withdraw */
	SYMMETRIC(&f, true);
	CONFIG(&f, 0, 0); /* hold-down off: fail back at once */
	assert_int_equal(f.fo.state, ERP_FO_EXPRESSROUTE);
	EXPECT_WITHDRAWAL(&f, true, false);
	SYMMETRIC(&f, false);
	EXPECT_WITHDRAWAL(&f, false, false);
	SYMMETRIC(&f, true);
	EXPECT_WITHDRAWAL(&f, false, false);
}

static void test_event_history_scenario(void **state)
{
	struct fx f;
	struct erp_event_ring ring;
	enum erp_fo_state from;
	static const enum erp_event_type want[] = {
		ERP_EV_PATH_UP,
		ERP_EV_FAILOVER,
		ERP_EV_HOLDDOWN_START,
		ERP_EV_HOLDDOWN_RESTART,
		ERP_EV_HOLDDOWN_EXPIRED,
		ERP_EV_FAILBACK,
		ERP_EV_DRAIN,
		ERP_EV_UNDRAIN,
		ERP_EV_PATHS_LOST,
	};

	fx_init(&f, HD, CAP);
	erp_ring_init(&ring);

#define RUN(call)                                                              \
	do {                                                                   \
		from = f.fo.state;                                             \
		call;                                                          \
		record(&ring, &f, from);                                       \
	} while (0)

	RUN(SESS(&f, 2, 1));
	f.now += 1000;
	RUN(SESS(&f, 1, 1)); /* one of two: nothing */
	RUN(SESS(&f, 0, 1));
	f.now += 1000;
	RUN(SESS(&f, 1, 1));
	f.now += 200;
	RUN(SESS(&f, 0, 1)); /* flap: silent */
	f.now += 200;
	RUN(SESS(&f, 2, 1));
	f.now = erp_fo_deadline(&f.fo);
	RUN(TICK(&f));
	RUN(DRAIN(&f, true));
	RUN(DRAIN(&f, false));
	RUN(SESS(&f, 0, 0));
#undef RUN

	assert_int_equal(erp_ring_count(&ring), array_size(want));
	for (unsigned int i = 0; i < array_size(want); i++) {
		const struct erp_event *ev = erp_ring_get(&ring, i);

		assert_non_null(ev);
		assert_int_equal(ev->seq, i + 1);
		assert_string_equal(erp_event_type_name(ev->type),
				    erp_event_type_name(want[i]));
	}
	/* the restart recorded the doubled length, from VPN */
	assert_int_equal(erp_ring_get(&ring, 3)->holddown_ms, 2 * HD);
	assert_int_equal(erp_ring_get(&ring, 3)->from, ERP_FO_VPN);
	assert_int_equal(erp_ring_get(&ring, 3)->to, ERP_FO_HOLDDOWN);
	/* expiry and failback: one transition, two events, in order */
	assert_int_equal(erp_ring_get(&ring, 4)->from, ERP_FO_HOLDDOWN);
	assert_int_equal(erp_ring_get(&ring, 5)->to, ERP_FO_EXPRESSROUTE);
	assert_int_equal(erp_ring_get(&ring, 4)->mono_ms,
			 erp_ring_get(&ring, 5)->mono_ms);
	assert_null(erp_ring_get(&ring, array_size(want)));
}

/* A NULL result is allowed; the machine still moves. */
static void test_null_result(void **state)
{
	struct erp_failover fo;
	struct erp_fo_config cfg = {.holddown_ms = HD, .holddown_max_ms = CAP};

	struct erp_fo_inputs both = {.er = {1, 1}, .vpn = {1, 1}};
	struct erp_fo_inputs vpn_only = {.vpn = {1, 1}};

	erp_fo_init(&fo, 0);
	erp_fo_input(&fo, &cfg, &both, 10, NULL);
	assert_int_equal(fo.state, ERP_FO_EXPRESSROUTE);
	erp_fo_input(&fo, &cfg, &vpn_only, 20, NULL);
	erp_fo_input(&fo, &cfg, &both, 30, NULL);
	assert_int_equal(fo.state, ERP_FO_HOLDDOWN);
	erp_fo_input(&fo, &cfg, NULL, 30 + HD, NULL);
	assert_int_equal(fo.state, ERP_FO_EXPRESSROUTE);
	cfg.drained = true;
	erp_fo_input(&fo, &cfg, NULL, 40 + HD, NULL);
	assert_int_equal(fo.state, ERP_FO_DRAINED);
	cfg.drained = false;
	erp_fo_input(&fo, &cfg, NULL, 50 + HD, NULL);
	assert_int_equal(fo.state, ERP_FO_EXPRESSROUTE);
}

/* --- what makes a path usable --------------------------------------------- */

/*
 * Today a path is usable when one of its sessions is established (with the
 * address family negotiated); whether the sessions carry routes is passed
 * in but not read.  Issue 12 changes the rule in erp_fo_path_usable() and
 * this test with it.
 */
static void test_usable_definition(void **state)
{
	struct erp_fo_path p = {};
	struct fx f;

	/* issue 12 item 2: a path carries traffic when a session is
	 * established AND it carries Azure routes */
	assert_false(erp_fo_path_usable(&p));
	p.with_routes = 0, p.established = 1;
	assert_false(erp_fo_path_usable(&p));
	p.with_routes = 1;
	assert_true(erp_fo_path_usable(&p));
	p.with_routes = 1, p.established = 2;
	assert_true(erp_fo_path_usable(&p));

	/* established without routes: nothing carries yet */
	fx_init(&f, HD, CAP);
	SESSR(&f, 2, 0, 1, 0);
	EXPECT_NO_EVENTS(&f);
	assert_int_equal(f.fo.state, ERP_FO_NONE);
	assert_int_equal(erp_fo_carrier(&f.fo, ERP_PATH_BOTH), ERP_PATH_NONE);
	SESSR(&f, 2, 2, 1, 1);
	EXPECT_EVENTS(&f, ERP_EV_PATH_UP);
	assert_int_equal(f.fo.state, ERP_FO_EXPRESSROUTE);
	assert_false(erp_fo_er_demoted_on_arrival(&f.fo, &f.cfg));

	/* the MSEEs withdraw every Azure route, sessions stay up (the ER
	 * gateway connection removed in Azure): a failover like a session
	 * loss, and state and display agree */
	f.now += 10;
	SESSR(&f, 2, 0, 1, 1);
	EXPECT_EVENTS(&f, ERP_EV_FAILOVER);
	assert_int_equal(f.fo.state, ERP_FO_VPN);
	assert_int_equal(backup_carrier(&f.fo), ERP_PATH_VPN);
	/* ER routes that arrive now are held down from the first one */
	assert_true(erp_fo_er_demoted_on_arrival(&f.fo, &f.cfg));
	assert_false(erp_fo_er_demoted(&f.fo));

	/* the routes return: hold-down, as after a session loss */
	f.now += 10;
	SESSR(&f, 2, 2, 1, 1);
	EXPECT_EVENTS(&f, ERP_EV_HOLDDOWN_START);
	assert_int_equal(backup_carrier(&f.fo), ERP_PATH_VPN);
	assert_true(erp_fo_er_demoted_on_arrival(&f.fo, &f.cfg));

	/* without a hold-down, returning routes are preferred at once */
	fx_init(&f, 0, 0);
	SESSR(&f, 1, 1, 1, 1);
	f.now += 10;
	SESSR(&f, 1, 0, 1, 1);
	EXPECT_EVENTS(&f, ERP_EV_FAILOVER);
	assert_false(erp_fo_er_demoted_on_arrival(&f.fo, &f.cfg));
	/* ... and with a hold-down but no VPN to hold them down for */
	fx_init(&f, HD, CAP);
	SESSR(&f, 1, 1, 1, 1);
	SESSR(&f, 1, 0, 1, 0);
	assert_false(erp_fo_er_demoted_on_arrival(&f.fo, &f.cfg));
}

/*
 * The display (erp_fo_carrier() with the local-preferences' choice) and the
 * state machine agree after every input of every sequence of up to DEPTH
 * inputs over a small alphabet: each path with no session, a session
 * without routes or a session with routes; a tick at the deadline; drain
 * and undrain; hold-down off and on.  check_invariants() (run by every
 * input) holds the per-state agreement for each choice; here also: where
 * every established session has routes, the display is what the glue
 * showed before the carrier moved into the core (the local-preferences'
 * choice among paths with routes, the VPN while ER is demoted).
 */
#define DEPTH 6

struct exh {
	unsigned long steps, old_compared;
	unsigned int seen_state[ERP_FO_DRAINED + 1];
	unsigned int seen_shown[ERP_PATH_BOTH + 1];
};

/* The glue's formula before this change (erp_af_view()), with local
 * preferences that choose both_usable when both paths have routes. */
static enum erp_path old_display(const struct erp_failover *fo,
				 enum erp_path both_usable)
{
	bool er = fo->in.er.with_routes > 0, vpn = fo->in.vpn.with_routes > 0;
	enum erp_path p;

	if (!er && !vpn)
		p = ERP_PATH_NONE;
	else if (!vpn)
		p = ERP_PATH_EXPRESSROUTE;
	else if (!er)
		p = ERP_PATH_VPN;
	else
		p = both_usable;
	if (erp_fo_er_demoted(fo) && vpn)
		p = ERP_PATH_VPN;
	return p;
}

static void exh_walk(const struct fx *from, unsigned int depth, struct exh *x)
{
	static const enum erp_path choices[] = {ERP_PATH_EXPRESSROUTE,
						ERP_PATH_VPN, ERP_PATH_BOTH};

	if (depth == 0)
		return;
	for (unsigned int letter = 0; letter < 14; letter++) {
		struct fx f = *from;

		f.now += 10;
		if (letter < 9) {
			unsigned int er = letter / 3, vpn = letter % 3;

			/* 0: no session, 1: no routes, 2: routes */
			SESSR(&f, er > 0, er == 2, vpn > 0, vpn == 2);
		} else if (letter == 9) {
			if (erp_fo_deadline(&f.fo))
				f.now = erp_fo_deadline(&f.fo);
			TICK(&f);
		} else if (letter == 10 || letter == 11) {
			DRAIN(&f, letter == 10);
		} else {
			CONFIG(&f, letter == 12 ? 0 : HD, CAP);
		}
		x->steps++;
		x->seen_state[f.fo.state]++;
		for (unsigned int i = 0; i < array_size(choices); i++) {
			enum erp_path shown = erp_fo_carrier(&f.fo, choices[i]);

			x->seen_shown[shown]++;
			if ((f.fo.in.er.with_routes > 0) ==
				    erp_fo_er_usable(&f.fo) &&
			    (f.fo.in.vpn.with_routes > 0) ==
				    erp_fo_vpn_usable(&f.fo)) {
				assert_int_equal(
					shown, old_display(&f.fo, choices[i]));
				x->old_compared++;
			}
		}
		exh_walk(&f, depth - 1, x);
	}
}

static void test_display_agrees_exhaustive(void **state)
{
	struct exh x = {};
	unsigned long want = 0, n = 1;
	struct fx f;

	fx_init(&f, HD, CAP);
	exh_walk(&f, DEPTH, &x);
	for (unsigned int d = 0; d < DEPTH; d++)
		want += (n *= 14);
	assert_int_equal(x.steps, want);
	for (unsigned int s = 0; s <= ERP_FO_DRAINED; s++)
		assert_true(x.seen_state[s] > 0);
	for (unsigned int p = 0; p <= ERP_PATH_BOTH; p++)
		assert_true(x.seen_shown[p] > 0);
	assert_true(x.old_compared > 0);
	print_message(
		"exhaustive: %lu inputs, %lu compared with the old display\n",
		x.steps, x.old_compared);
}

/*
 * Random inputs, fixed seed: every step goes through the checking wrappers
 * (exact flags, since_ms, state consistent with the inputs, event bound).
 * Also check that each state and each event type was seen.
 */
static uint32_t rnd_state = 12345;

static uint32_t rnd(uint32_t n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 16) % n;
}

static void test_random_walk(void **state)
{
	static const uint32_t hds[] = {0, 300, 1000};
	static const uint32_t caps[] = {0, 800, 4000};
	unsigned int seen_state[ERP_FO_DRAINED + 1] = {};
	unsigned int seen_event[ERP_EV_TYPE_MAX] = {};
	unsigned int max_events = 0;
	struct fx f;

	fx_init(&f, HD, CAP);
	for (unsigned int i = 0; i < 200000; i++) {
		unsigned int what = rnd(100);

		f.now += rnd(3) ? rnd(700) : 0;
		if (what < 70) {
			unsigned int er = rnd(3);
			unsigned int vpn = rnd(100) < 80 ? rnd(3) : 0;

			/* with routes: any number of the established */
			SESSR(&f, er, rnd(er + 1), vpn, rnd(vpn + 1));
		} else if (what < 85)
			TICK(&f);
		else if (what < 92)
			DRAIN(&f, rnd(4) == 0);
		else if (what < 94)
			SYMMETRIC(&f, rnd(3) != 0);
		else
			CONFIG(&f, hds[rnd(3)], caps[rnd(3)]);
		seen_state[f.fo.state]++;
		for (unsigned int e = 0; e < f.r.n_events; e++)
			seen_event[f.r.events[e]]++;
		if (f.r.withdrawal_changed)
			seen_event[erp_fo_withdrawal_event(&f.fo)]++;
		if (f.r.n_events > max_events)
			max_events = f.r.n_events;
	}
	for (unsigned int s = 0; s <= ERP_FO_DRAINED; s++)
		assert_true(seen_state[s] > 0);
	for (unsigned int e = 0; e < ERP_EV_TYPE_MAX; e++)
		assert_true(seen_event[e] > 0);
	assert_true(max_events >= 2);
	assert_true(max_events <= ERP_FO_MAX_EVENTS);
}

/* --- ring ----------------------------------------------------------------- */

static void test_ring_basic(void **state)
{
	struct erp_event_ring ring;
	struct erp_event ev = {};
	const struct erp_event *stored;

	erp_ring_init(&ring);
	assert_int_equal(erp_ring_count(&ring), 0);
	assert_null(erp_ring_get(&ring, 0));

	ev.type = ERP_EV_FAILOVER;
	ev.seq = 999; /* ignored */
	ev.wall_time = 1700000000;
	ev.mono_ms = 42;
	ev.afi = 1;
	ev.from = ERP_FO_EXPRESSROUTE;
	ev.to = ERP_FO_VPN;
	ev.prefixes = 7;
	strlcpy(ev.cause, "192.0.2.1 down: BFD down received",
		sizeof(ev.cause));
	stored = erp_ring_push(&ring, &ev);
	assert_non_null(stored);
	assert_int_equal(stored->seq, 1);
	assert_int_equal(ev.seq, 999); /* the input is not modified */
	assert_ptr_equal(stored, erp_ring_get(&ring, 0));
	assert_int_equal(stored->wall_time, 1700000000);
	assert_int_equal(stored->mono_ms, 42);
	assert_int_equal(stored->type, ERP_EV_FAILOVER);
	assert_int_equal(stored->afi, 1);
	assert_int_equal(stored->from, ERP_FO_EXPRESSROUTE);
	assert_int_equal(stored->to, ERP_FO_VPN);
	assert_int_equal(stored->prefixes, 7);
	assert_string_equal(stored->cause, "192.0.2.1 down: BFD down received");

	/* an unterminated cause is terminated in the copy */
	memset(ev.cause, 'x', sizeof(ev.cause));
	ev.type = ERP_EV_FAILBACK;
	stored = erp_ring_push(&ring, &ev);
	assert_int_equal(stored->seq, 2);
	assert_int_equal(strlen(stored->cause), sizeof(ev.cause) - 1);

	assert_int_equal(erp_ring_count(&ring), 2);
	assert_int_equal(erp_ring_get(&ring, 0)->type, ERP_EV_FAILOVER);
	assert_int_equal(erp_ring_get(&ring, 1)->type, ERP_EV_FAILBACK);
	assert_null(erp_ring_get(&ring, 2));
	assert_null(erp_ring_get(&ring, UINT_MAX));

	/* init again: empty, seq restarts */
	erp_ring_init(&ring);
	assert_int_equal(erp_ring_count(&ring), 0);
	assert_int_equal(erp_ring_push(&ring, &ev)->seq, 1);
}

static void test_ring_wraparound(void **state)
{
	struct erp_event_ring ring;
	struct erp_event ev = {};
	const unsigned int total = 3 * ERP_EVENTS_MAX + 5;

	erp_ring_init(&ring);
	for (unsigned int n = 1; n <= total; n++) {
		const struct erp_event *stored;
		unsigned int count;

		ev.mono_ms = n * 10;
		snprintf(ev.cause, sizeof(ev.cause), "event %u", n);
		stored = erp_ring_push(&ring, &ev);
		count = erp_ring_count(&ring);
		assert_int_equal(stored->seq, n);
		assert_int_equal(count,
				 n < ERP_EVENTS_MAX ? n : ERP_EVENTS_MAX);
		/* the newest is last, the oldest first */
		assert_ptr_equal(erp_ring_get(&ring, count - 1), stored);
		assert_int_equal(erp_ring_get(&ring, 0)->seq, n - count + 1);
		assert_null(erp_ring_get(&ring, count));
	}

	/* full: oldest kept = total - MAX + 1, in order, contents intact */
	for (unsigned int i = 0; i < ERP_EVENTS_MAX; i++) {
		const struct erp_event *e = erp_ring_get(&ring, i);
		uint64_t seq = total - ERP_EVENTS_MAX + 1 + i;
		char want[32];

		assert_non_null(e);
		assert_int_equal(e->seq, seq);
		assert_int_equal(e->mono_ms, seq * 10);
		snprintf(want, sizeof(want), "event %u", (unsigned int)seq);
		assert_string_equal(e->cause, want);
	}
}

/* --- names ---------------------------------------------------------------- */

static void test_names(void **state)
{
	static const char *const states[] = {
		"none", "expressroute", "vpn", "hold-down", "drained",
	};
	static const char *const events[ERP_EV_TYPE_MAX] = {
		"failover",	     "failback",	  "hold-down-start",
		"hold-down-restart", "hold-down-expired", "drain",
		"undrain",	     "paths-lost",	  "path-up",
		"withdraw-from-er", "restore-to-er",
	};

	assert_string_equal(erp_fo_state_name(ERP_FO_NONE), "none");
	assert_string_equal(erp_fo_state_name(ERP_FO_EXPRESSROUTE),
			    "expressroute");
	assert_string_equal(erp_fo_state_name(ERP_FO_VPN), "vpn");
	assert_string_equal(erp_fo_state_name(ERP_FO_HOLDDOWN), "hold-down");
	assert_string_equal(erp_fo_state_name(ERP_FO_DRAINED), "drained");
	for (unsigned int s = 0; s < array_size(states); s++)
		assert_string_equal(erp_fo_state_name(s), states[s]);
	assert_string_equal(erp_fo_state_name(ERP_FO_DRAINED + 1), "invalid");
	assert_string_equal(erp_fo_state_name(-1), "invalid");

	for (unsigned int e = 0; e < ERP_EV_TYPE_MAX; e++) {
		assert_string_equal(erp_event_type_name(e), events[e]);
		for (unsigned int o = 0; o < e; o++)
			assert_string_not_equal(erp_event_type_name(e),
						erp_event_type_name(o));
	}
	assert_string_equal(erp_event_type_name(ERP_EV_HOLDDOWN_RESTART),
			    "hold-down-restart");
	assert_string_equal(erp_event_type_name(ERP_EV_TYPE_MAX), "invalid");
	assert_string_equal(erp_event_type_name(-1), "invalid");
	/* stable pointers */
	assert_ptr_equal(erp_event_type_name(ERP_EV_DRAIN),
			 erp_event_type_name(ERP_EV_DRAIN));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_startup_er_first),
		cmocka_unit_test(test_startup_vpn_first),
		cmocka_unit_test(test_startup_both_at_once),
		cmocka_unit_test(test_vpn_only),
		cmocka_unit_test(test_one_er_of_two_lost),
		cmocka_unit_test(test_failover),
		cmocka_unit_test(test_all_paths_lost),
		cmocka_unit_test(test_vpn_lost_on_er),
		cmocka_unit_test(test_er_back_without_vpn),
		cmocka_unit_test(test_return_with_holddown),
		cmocka_unit_test(test_late_tick),
		cmocka_unit_test(test_late_input_applies_expiry),
		cmocka_unit_test(test_flap_during_holddown),
		cmocka_unit_test(test_all_lost_during_holddown),
		cmocka_unit_test(test_vpn_lost_during_holddown),
		cmocka_unit_test(test_er_back_vpn_lost_at_once),
		cmocka_unit_test(test_holddown_disabled),
		cmocka_unit_test(test_holddown_turned_off),
		cmocka_unit_test(test_holddown_config_change),
		cmocka_unit_test(test_holddown_growth_limits),
		cmocka_unit_test(test_drain_from_expressroute),
		cmocka_unit_test(test_drain_without_vpn),
		cmocka_unit_test(test_drain_from_vpn),
		cmocka_unit_test(test_drain_er_back_while_drained),
		cmocka_unit_test(test_drain_er_lost_while_drained),
		cmocka_unit_test(test_drain_from_holddown),
		cmocka_unit_test(test_drain_from_none),
		cmocka_unit_test(test_undrain_to_none),
		cmocka_unit_test(test_drained_at_startup),
		cmocka_unit_test(test_symmetric_holddown),
		cmocka_unit_test(test_symmetric_flap),
		cmocka_unit_test(test_symmetric_drain),
		cmocka_unit_test(test_symmetric_needs_vpn),
		cmocka_unit_test(test_symmetric_off),
		cmocka_unit_test(test_event_history_scenario),
		cmocka_unit_test(test_null_result),
		cmocka_unit_test(test_usable_definition),
		cmocka_unit_test(test_display_agrees_exhaustive),
		cmocka_unit_test(test_random_walk),
		cmocka_unit_test(test_ring_basic),
		cmocka_unit_test(test_ring_wraparound),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("erpolicy_failover", tests, NULL,
					   NULL);
}
