// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: the failover state machine and the event history.
 *
 * Plain C, no bgpd headers: the glue (erpolicy_paths.c) feeds it, through
 * erp_fo_input() alone, what it knows of each path (struct erp_fo_inputs),
 * the configuration and the clock; it answers whether ExpressRoute routes
 * are demoted below VPN routes, which path carries the Azure prefixes and
 * which events happened.  One machine per BGP instance and address family.
 *
 * Whether a path can carry traffic ("usable") is decided in one place,
 * erp_fo_path_usable(); the transitions and erp_fo_carrier() (hence the
 * displayed preferred path) read nothing else of the inputs.
 *
 *   NONE         no usable path
 *   EXPRESSROUTE ExpressRoute usable and preferred
 *   VPN          ExpressRoute not usable: the VPN carries the Azure prefixes
 *   HOLDDOWN     ExpressRoute back after a failure, VPN still usable: ER
 *                stays demoted until it has been stable for the hold-down time
 *   DRAINED      operator drained ExpressRoute: demoted while drained
 */
#ifndef _ERPOLICY_FAILOVER_H
#define _ERPOLICY_FAILOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "erpolicy_decide.h" /* enum erp_path */

#ifdef __cplusplus
extern "C" {
#endif

enum erp_fo_state {
	ERP_FO_NONE = 0,
	ERP_FO_EXPRESSROUTE,
	ERP_FO_VPN,
	ERP_FO_HOLDDOWN,
	ERP_FO_DRAINED,
};

enum erp_event_type {
	ERP_EV_FAILOVER = 0,	  /* ER lost, VPN takes over */
	ERP_EV_FAILBACK,	  /* ER preferred again */
	ERP_EV_HOLDDOWN_START,	  /* ER back, held down */
	ERP_EV_HOLDDOWN_RESTART,  /* ER flapped during hold-down, timer restarts */
	ERP_EV_HOLDDOWN_EXPIRED,  /* ER stable for the hold-down time */
	ERP_EV_DRAIN,		  /* operator drained ER */
	ERP_EV_UNDRAIN,		  /* operator undrained ER */
	ERP_EV_PATHS_LOST,	  /* neither path has a session */
	ERP_EV_PATH_UP,		  /* first path up from NONE */
	/* symmetric failover (erp_fo_er_withdrawn()): on-prem prefixes the
	 * VPN carries are withdrawn from ExpressRoute, so that Azure's return
	 * traffic moves to the VPN too; and advertised to ER again.  Reported
	 * by withdrawal_changed, not in erp_fo_result.events */
	ERP_EV_ER_WITHDRAW,
	ERP_EV_ER_RESTORE,
};
#define ERP_EV_TYPE_MAX (ERP_EV_ER_RESTORE + 1)

struct erp_fo_config {
	uint32_t holddown_ms;	  /* 0: fail back at once */
	uint32_t holddown_max_ms; /* cap of the growing hold-down (>= holddown_ms) */
	bool drained;		  /* administrative drain of ExpressRoute */
	/* symmetric failover turned off: on-prem prefixes stay advertised to
	 * ExpressRoute while it is demoted (Azure keeps returning over ER) */
	bool asymmetric;
};

/* What the glue knows of one path (the sessions of one role) in one address
 * family. */
struct erp_fo_path {
	unsigned int established; /* sessions established, family negotiated */
	unsigned int with_routes; /* of those, sessions with accepted routes */
};

struct erp_fo_inputs {
	struct erp_fo_path er, vpn;
};

struct erp_failover {
	enum erp_fo_state state;
	struct erp_fo_inputs in;	/* the last inputs */
	unsigned int flaps;		/* ER losses during the current hold-down
					 * sequence; the hold-down doubles with each, up to
					 * the cap; 0 after a successful failback */
	uint32_t holddown_current_ms;	/* length of the running hold-down */
	uint64_t holddown_until_ms;	/* deadline of the running hold-down; 0: none */
	uint64_t since_ms;		/* when the current state was entered */
	bool er_failed;			/* ER was lost since it was last preferred */
	bool er_withdrawn;		/* erp_fo_er_withdrawn(), last input */
};

/* What one input did.  Events are in the order they happened. */
#define ERP_FO_MAX_EVENTS 4
struct erp_fo_result {
	bool demotion_changed; /* erp_fo_er_demoted() flipped: re-evaluate ER routes */
	bool carrier_changed;  /* erp_fo_carrier(fo, EXPRESSROUTE) flipped */
	/* erp_fo_er_withdrawn() flipped: re-evaluate what ER is sent.  Not
	 * in events[]: the history records it after them, as
	 * ERP_EV_ER_WITHDRAW or _RESTORE (erp_fo_withdrawal_event()) */
	bool withdrawal_changed;
	unsigned int n_events;
	enum erp_event_type events[ERP_FO_MAX_EVENTS];
};

extern void erp_fo_init(struct erp_failover *fo, uint64_t now_ms);

/*
 * The one input.  Call it whenever something the machine depends on may have
 * changed: the paths (in), the configuration (cfg: drain, hold-down) or the
 * time (at or after erp_fo_deadline(); harmless earlier).  in == NULL: the
 * paths are as in the last input.
 *
 * It first makes the state agree with cfg (cfg->drained: DRAINED; hold-down
 * turned off: fail back at once) and applies a hold-down whose deadline has
 * passed, then the change of the paths.  res may be NULL; otherwise it is
 * overwritten.
 */
extern void erp_fo_input(struct erp_failover *fo,
			 const struct erp_fo_config *cfg,
			 const struct erp_fo_inputs *in, uint64_t now_ms,
			 struct erp_fo_result *res);

/*
 * The definition of a usable path, read by the transitions and by the
 * carrier: at least one session established (with the address family
 * negotiated) that carries Azure routes.  Sessions that stay up while the
 * MSEEs withdraw everything (the ER gateway connection removed in Azure)
 * are a failure like a lost session.
 */
extern bool erp_fo_path_usable(const struct erp_fo_path *path);

/* Outputs. */
extern bool erp_fo_er_usable(const struct erp_failover *fo);  /* last input */
/*
 * Are ExpressRoute routes accepted now to be demoted?  Yes while ER is
 * demoted, and also while ER carries nothing but its return would start a
 * hold-down: routes are evaluated as they arrive, before the machine hears
 * that ER has routes again, and must not win for that moment.
 */
extern bool erp_fo_er_demoted_on_arrival(const struct erp_failover *fo,
					 const struct erp_fo_config *cfg);
extern bool erp_fo_vpn_usable(const struct erp_failover *fo); /* last input */
extern bool erp_fo_er_demoted(const struct erp_failover *fo);
extern uint64_t erp_fo_deadline(const struct erp_failover *fo); /* 0: none */
/*
 * Symmetric failover: are on-prem prefixes to be withdrawn from the
 * ExpressRoute neighbors now?  Azure prefers ExpressRoute over VPN for the
 * same prefix whatever on-prem does with its own traffic, so while ER is
 * demoted (hold-down, drain) and the VPN carries the Azure prefixes, the
 * return traffic follows only if ER stops hearing the on-prem prefixes.
 * Yes while ER is demoted, the VPN path is usable (erp_fo_path_usable())
 * and symmetric failover is on (cfg->asymmetric false), as of the last
 * input.  "Demoted" as erp_fo_er_demoted_on_arrival() says: also while ER
 * carries nothing and its return would start a hold-down, because a
 * returning ER session is sent the on-prem prefixes as soon as it is
 * established, before its routes make the machine hold it down; so ER
 * hears nothing from failover (with a hold-down) to failback.  This says
 * whether withdrawal applies at all; a prefix is withdrawn only if a VPN
 * neighbor gets it (erp_decide_out(), erp_out_facts.vpn_gets): never one
 * that no VPN neighbor would carry.
 */
extern bool erp_fo_er_withdrawn(const struct erp_failover *fo);
/* The event of a withdrawal_changed: ERP_EV_ER_WITHDRAW or _RESTORE. */
extern enum erp_event_type
erp_fo_withdrawal_event(const struct erp_failover *fo);
/*
 * The path carrying the Azure prefixes, for display and for the machine:
 * none if no path is usable; the only usable path if there is one; the VPN
 * while ExpressRoute is demoted (hold-down, drain); otherwise both are usable
 * and ExpressRoute is not demoted, and the local-preferences decide:
 * both_usable is their choice (erp_preferred_path(pol, 1, 1):
 * EXPRESSROUTE in backup mode, BOTH when equal).  The result names only
 * usable paths.  carrier_changed reports the changes for both_usable =
 * ERP_PATH_EXPRESSROUTE.
 */
extern enum erp_path erp_fo_carrier(const struct erp_failover *fo,
				    enum erp_path both_usable);
extern const char *erp_fo_state_name(enum erp_fo_state state);
extern const char *erp_event_type_name(enum erp_event_type type);

/* --- event history: a bounded ring, oldest entries overwritten ------------- */
#define ERP_EVENTS_MAX 128

struct erp_event {
	uint64_t seq;		/* 1, 2, ... never reused */
	int64_t wall_time;	/* seconds since the epoch */
	uint64_t mono_ms;	/* monotonic clock, for durations */
	enum erp_event_type type;
	uint8_t afi;		/* enum erp_afi of erpolicy.h */
	enum erp_fo_state from, to;
	uint32_t prefixes;	/* Azure prefixes that moved */
	uint32_t holddown_ms;	/* for hold-down events */
	char cause[96];		/* e.g. "192.0.2.1 down: BFD down received" */
};

struct erp_event_ring {
	struct erp_event ev[ERP_EVENTS_MAX];
	unsigned int head;	/* next slot to write */
	unsigned int count;	/* valid entries, <= ERP_EVENTS_MAX */
	uint64_t next_seq;
};

extern void erp_ring_init(struct erp_event_ring *ring);
/* Copies *ev, assigns its seq; returns the stored entry. */
extern const struct erp_event *erp_ring_push(struct erp_event_ring *ring,
					     const struct erp_event *ev);
extern unsigned int erp_ring_count(const struct erp_event_ring *ring);
/* i = 0 is the oldest kept entry; NULL past the end. */
extern const struct erp_event *erp_ring_get(const struct erp_event_ring *ring,
					    unsigned int i);

#ifdef __cplusplus
}
#endif

#endif
