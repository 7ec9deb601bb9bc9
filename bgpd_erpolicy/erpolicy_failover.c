// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: the failover state machine and the event history (no bgpd
 * internals; see the header).
 *
 * Every input goes through erp_fo_input(): it stores the inputs, makes the
 * state agree with the configuration, applies a hold-down that is due, then
 * the change of the paths, which it sees only through erp_fo_path_usable().
 * demotion_changed and carrier_changed are the difference between the
 * outputs before and after the whole step, so they are exact whatever
 * happened in between.
 */
#include <zebra.h>

#include "erpolicy_failover.h"


static const char *const state_names[ERP_FO_DRAINED + 1] = {
	[ERP_FO_NONE] = "none",
	[ERP_FO_EXPRESSROUTE] = "expressroute",
	[ERP_FO_VPN] = "vpn",
	[ERP_FO_HOLDDOWN] = "hold-down",
	[ERP_FO_DRAINED] = "drained",
};

static const char *const event_names[ERP_EV_TYPE_MAX] = {
	[ERP_EV_FAILOVER] = "failover",
	[ERP_EV_FAILBACK] = "failback",
	[ERP_EV_HOLDDOWN_START] = "hold-down-start",
	[ERP_EV_HOLDDOWN_RESTART] = "hold-down-restart",
	[ERP_EV_HOLDDOWN_EXPIRED] = "hold-down-expired",
	[ERP_EV_DRAIN] = "drain",
	[ERP_EV_UNDRAIN] = "undrain",
	[ERP_EV_PATHS_LOST] = "paths-lost",
	[ERP_EV_PATH_UP] = "path-up",
	[ERP_EV_ER_WITHDRAW] = "withdraw-from-er",
	[ERP_EV_ER_RESTORE] = "restore-to-er",
};

const char *erp_fo_state_name(enum erp_fo_state state)
{
	if ((unsigned int)state >= array_size(state_names))
		return "invalid";
	return state_names[state];
}

const char *erp_event_type_name(enum erp_event_type type)
{
	if ((unsigned int)type >= ERP_EV_TYPE_MAX)
		return "invalid";
	return event_names[type];
}

/* --- outputs -------------------------------------------------------------- */

bool erp_fo_path_usable(const struct erp_fo_path *path)
{
	return path->established > 0 && path->with_routes > 0;
}

bool erp_fo_er_usable(const struct erp_failover *fo)
{
	return erp_fo_path_usable(&fo->in.er);
}

bool erp_fo_vpn_usable(const struct erp_failover *fo)
{
	return erp_fo_path_usable(&fo->in.vpn);
}

bool erp_fo_er_demoted(const struct erp_failover *fo)
{
	return fo->state == ERP_FO_HOLDDOWN || fo->state == ERP_FO_DRAINED;
}

static bool fo_holddown_applies(const struct erp_failover *fo,
				const struct erp_fo_config *cfg);

bool erp_fo_er_demoted_on_arrival(const struct erp_failover *fo,
				  const struct erp_fo_config *cfg)
{
	if (erp_fo_er_demoted(fo))
		return true;
	/* ExpressRoute carries nothing now: its first routes will make it
	 * usable, and the machine will then hold it down if this holds */
	return !erp_fo_er_usable(fo) && fo_holddown_applies(fo, cfg);
}

bool erp_fo_er_withdrawn(const struct erp_failover *fo)
{
	return fo->er_withdrawn;
}

enum erp_event_type erp_fo_withdrawal_event(const struct erp_failover *fo)
{
	return fo->er_withdrawn ? ERP_EV_ER_WITHDRAW : ERP_EV_ER_RESTORE;
}

/* What erp_fo_er_withdrawn() is to say after an input. */
static bool fo_withdraw_applies(const struct erp_failover *fo,
				const struct erp_fo_config *cfg)
{
	return !cfg->asymmetric && erp_fo_er_demoted_on_arrival(fo, cfg) &&
	       erp_fo_vpn_usable(fo);
}

uint64_t erp_fo_deadline(const struct erp_failover *fo)
{
	if (fo->state != ERP_FO_HOLDDOWN)
		return 0;
	return fo->holddown_until_ms;
}

enum erp_path erp_fo_carrier(const struct erp_failover *fo,
			     enum erp_path both_usable)
{
	bool er = erp_fo_er_usable(fo), vpn = erp_fo_vpn_usable(fo);

	if (!er && !vpn)
		return ERP_PATH_NONE;
	if (!er || (vpn && erp_fo_er_demoted(fo)))
		return ERP_PATH_VPN;
	if (!vpn)
		return ERP_PATH_EXPRESSROUTE;
	return both_usable;
}

/* --- the machine ---------------------------------------------------------- */

static void fo_event(struct erp_fo_result *res, enum erp_event_type type)
{
	assert(res->n_events < ERP_FO_MAX_EVENTS);
	if (res->n_events >= ERP_FO_MAX_EVENTS)
		return;
	res->events[res->n_events++] = type;
}

static void fo_set_state(struct erp_failover *fo, enum erp_fo_state state,
			 uint64_t now_ms)
{
	if (fo->state == state)
		return;
	if (fo->state == ERP_FO_HOLDDOWN) {
		fo->holddown_until_ms = 0;
		fo->holddown_current_ms = 0;
	}
	fo->state = state;
	fo->since_ms = now_ms;
}

/* ER preferred: a failure is forgotten. */
static void fo_enter_er(struct erp_failover *fo, uint64_t now_ms)
{
	fo_set_state(fo, ERP_FO_EXPRESSROUTE, now_ms);
	fo->er_failed = false;
	fo->flaps = 0;
}

/* holddown_ms << flaps, capped by max(holddown_max_ms, holddown_ms). */
static uint32_t fo_holddown_len(const struct erp_fo_config *cfg,
				unsigned int flaps)
{
	uint64_t cap = cfg->holddown_max_ms;
	uint64_t len;

	if (cap < cfg->holddown_ms)
		cap = cfg->holddown_ms;
	if (flaps >= 32)
		return (uint32_t)cap;
	len = (uint64_t)cfg->holddown_ms << flaps;
	if (len > cap)
		len = cap;
	return (uint32_t)len;
}

/* The running hold-down's length after a configuration change: the length
 * for the flaps so far under the new configuration, counted from when it
 * started. */
static void fo_holddown_resize(struct erp_failover *fo,
			       const struct erp_fo_config *cfg)
{
	uint32_t len = fo_holddown_len(cfg, fo->flaps);
	uint64_t start = fo->holddown_until_ms - fo->holddown_current_ms;

	if (len == fo->holddown_current_ms || !fo->holddown_until_ms ||
	    fo->holddown_until_ms == UINT64_MAX)
		return;
	fo->holddown_current_ms = len;
	fo->holddown_until_ms = start > UINT64_MAX - len ? UINT64_MAX
							 : start + len;
}

static void fo_start_holddown(struct erp_failover *fo,
			      const struct erp_fo_config *cfg, uint64_t now_ms,
			      struct erp_fo_result *res)
{
	uint32_t len = fo_holddown_len(cfg, fo->flaps);

	fo_event(res, fo->flaps > 0 ? ERP_EV_HOLDDOWN_RESTART
				    : ERP_EV_HOLDDOWN_START);
	fo_set_state(fo, ERP_FO_HOLDDOWN, now_ms);
	fo->holddown_current_ms = len;
	if (now_ms > UINT64_MAX - len)
		fo->holddown_until_ms = UINT64_MAX;
	else
		fo->holddown_until_ms = now_ms + len;
}

/* ER is usable again: hold it down, or prefer it at once. */
static bool fo_holddown_applies(const struct erp_failover *fo,
				const struct erp_fo_config *cfg)
{
	return cfg->holddown_ms > 0 && fo->er_failed && erp_fo_vpn_usable(fo);
}

void erp_fo_init(struct erp_failover *fo, uint64_t now_ms)
{
	memset(fo, 0, sizeof(*fo));
	fo->state = ERP_FO_NONE;
	fo->since_ms = now_ms;
}

void erp_fo_input(struct erp_failover *fo, const struct erp_fo_config *cfg,
		  const struct erp_fo_inputs *in, uint64_t now_ms,
		  struct erp_fo_result *res)
{
	struct erp_fo_result dummy;
	bool demoted = erp_fo_er_demoted(fo);
	enum erp_path carrier = erp_fo_carrier(fo, ERP_PATH_EXPRESSROUTE);
	bool er_was_usable = erp_fo_er_usable(fo);
	bool er_usable, vpn_usable; /* after this input */
	bool served = false; /* a hold-down ran out before ER was lost */

	if (!res)
		res = &dummy;
	memset(res, 0, sizeof(*res));

	if (in)
		fo->in = *in;
	er_usable = erp_fo_er_usable(fo);
	vpn_usable = erp_fo_vpn_usable(fo);
	/* "ER was lost since it was last preferred", whatever the state. */
	if (er_was_usable && !er_usable)
		fo->er_failed = true;

	/* Drained: nothing else matters until undrained. */
	if (cfg->drained) {
		if (fo->state != ERP_FO_DRAINED) {
			fo_event(res, ERP_EV_DRAIN);
			fo_set_state(fo, ERP_FO_DRAINED, now_ms);
		}
		goto out;
	}

	/* Undrained: an administrative action, no hold-down. */
	if (fo->state == ERP_FO_DRAINED) {
		fo_event(res, ERP_EV_UNDRAIN);
		if (er_usable)
			fo_enter_er(fo, now_ms);
		else if (vpn_usable)
			fo_set_state(fo, ERP_FO_VPN, now_ms);
		else
			fo_set_state(fo, ERP_FO_NONE, now_ms);
		goto out;
	}

	if (fo->state == ERP_FO_HOLDDOWN && cfg->holddown_ms)
		/* the configuration applies to the running hold-down at once */
		fo_holddown_resize(fo, cfg);

	if (fo->state == ERP_FO_HOLDDOWN && er_usable) {
		if (fo->holddown_until_ms && now_ms >= fo->holddown_until_ms) {
			/* stable for the whole hold-down (the timer may be
			 * late: this input came after the deadline) */
			fo_event(res, ERP_EV_HOLDDOWN_EXPIRED);
			fo_event(res, ERP_EV_FAILBACK);
			fo_enter_er(fo, now_ms);
		} else if (cfg->holddown_ms == 0) {
			/* hold-down turned off */
			fo_event(res, ERP_EV_FAILBACK);
			fo_enter_er(fo, now_ms);
		}
	} else if (fo->state == ERP_FO_HOLDDOWN && fo->holddown_until_ms &&
		   now_ms >= fo->holddown_until_ms)
		/* lost, but only after the hold-down was served in full (the
		 * input came late): no failback happened, and it was no flap
		 * during the hold-down either */
		served = true;

	switch (fo->state) {
	case ERP_FO_NONE:
		if (er_usable) {
			if (fo_holddown_applies(fo, cfg)) {
				/* the VPN carries, ER held down */
				fo_event(res, ERP_EV_PATH_UP);
				fo_start_holddown(fo, cfg, now_ms, res);
			} else {
				fo_event(res, fo->er_failed ? ERP_EV_FAILBACK
							    : ERP_EV_PATH_UP);
				fo_enter_er(fo, now_ms);
			}
		} else if (vpn_usable) {
			fo_event(res, ERP_EV_PATH_UP);
			fo_set_state(fo, ERP_FO_VPN, now_ms);
		}
		break;
	case ERP_FO_EXPRESSROUTE:
		if (er_usable)
			break;
		/* also when a due hold-down was just applied above */
		fo->er_failed = true;
		if (vpn_usable) {
			fo_event(res, ERP_EV_FAILOVER);
			fo_set_state(fo, ERP_FO_VPN, now_ms);
		} else {
			fo_event(res, ERP_EV_PATHS_LOST);
			fo_set_state(fo, ERP_FO_NONE, now_ms);
		}
		break;
	case ERP_FO_VPN:
		if (er_usable) {
			if (fo_holddown_applies(fo, cfg)) {
				fo_start_holddown(fo, cfg, now_ms, res);
			} else {
				/* the VPN came up first (start-up, or routes
				 * re-sent after a configuration change): ER
				 * joins, it does not come back */
				fo_event(res, fo->er_failed ? ERP_EV_FAILBACK
							    : ERP_EV_PATH_UP);
				fo_enter_er(fo, now_ms);
			}
		} else if (!vpn_usable) {
			fo_event(res, ERP_EV_PATHS_LOST);
			fo_set_state(fo, ERP_FO_NONE, now_ms);
		}
		break;
	case ERP_FO_HOLDDOWN:
		if (!er_usable) {
			/* ER flapped: traffic is already on the VPN, so no
			 * event; the next hold-down is longer and its start
			 * is reported as a restart. */
			if (served)
				fo->flaps = 0;
			else if (fo->flaps < UINT_MAX)
				fo->flaps++;
			if (vpn_usable) {
				fo_set_state(fo, ERP_FO_VPN, now_ms);
			} else {
				fo_event(res, ERP_EV_PATHS_LOST);
				fo_set_state(fo, ERP_FO_NONE, now_ms);
			}
		} else if (!vpn_usable) {
			/* no alternative: holding ER down is pointless */
			fo_event(res, ERP_EV_FAILBACK);
			fo_enter_er(fo, now_ms);
		}
		break;
	case ERP_FO_DRAINED:
		break;
	}

out:
	/* compared with the last output, not the state before this input:
	 * turning symmetric failover on or off changes it too */
	if (fo_withdraw_applies(fo, cfg) != fo->er_withdrawn) {
		fo->er_withdrawn = !fo->er_withdrawn;
		res->withdrawal_changed = true;
	}
	res->demotion_changed = demoted != erp_fo_er_demoted(fo);
	res->carrier_changed =
		carrier != erp_fo_carrier(fo, ERP_PATH_EXPRESSROUTE);
}

/* --- event history -------------------------------------------------------- */

void erp_ring_init(struct erp_event_ring *ring)
{
	memset(ring, 0, sizeof(*ring));
	ring->next_seq = 1;
}

const struct erp_event *erp_ring_push(struct erp_event_ring *ring,
				      const struct erp_event *ev)
{
	struct erp_event *slot = &ring->ev[ring->head];

	*slot = *ev;
	slot->cause[sizeof(slot->cause) - 1] = '\0';
	slot->seq = ring->next_seq++;
	ring->head = (ring->head + 1) % ERP_EVENTS_MAX;
	if (ring->count < ERP_EVENTS_MAX)
		ring->count++;
	return slot;
}

unsigned int erp_ring_count(const struct erp_event_ring *ring)
{
	return ring->count;
}

const struct erp_event *erp_ring_get(const struct erp_event_ring *ring,
				     unsigned int i)
{
	if (i >= ring->count)
		return NULL;
	return &ring->ev[(ring->head + ERP_EVENTS_MAX - ring->count + i) %
			 ERP_EVENTS_MAX];
}
