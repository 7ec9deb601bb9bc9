// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: path state in bgpd (FRR glue).  See erpolicy_paths.h.
 */
#include <zebra.h>

#include "log.h"
#include "erpolicy_compat.h"

#include "bgpd/bgpd.h"

#include "erpolicy.h"
#include "erpolicy_announce.h"
#include "erpolicy_debug.h"
#include "erpolicy_paths.h"
#include "erpolicy_peer.h"
#include "erpolicy_reevaluate.h"

static void holddown_cb(erp_task_t *t);

bool erp_paths_er_demoted(const struct erp_instance *inst, enum erp_afi afi)
{
	return erp_fo_er_demoted(&inst->fo[afi]);
}

bool erp_paths_er_withdrawn(const struct erp_instance *inst, enum erp_afi afi)
{
	return erp_fo_er_withdrawn(&inst->fo[afi]);
}

/* Symmetric failover started or ended: an event after the machine's, and
 * what ExpressRoute is sent is decided again. */
static void withdrawal_changed(struct erp_instance *inst, enum erp_afi afi,
			       enum erp_fo_state from, const char *cause)
{
	struct erp_failover *fo = &inst->fo[afi];
	struct erp_event ev = {};

	ev.wall_time = time(NULL);
	ev.mono_ms = erp_now_ms();
	ev.type = erp_fo_withdrawal_event(fo);
	ev.afi = afi;
	ev.from = from;
	ev.to = fo->state;
	strlcpy(ev.cause, cause, sizeof(ev.cause));
	erp_ring_push(&inst->events, &ev);
	if (ev.type == ERP_EV_ER_WITHDRAW)
		zlog_notice(
			"erpolicy: %s %s %s: %s -> %s (%s): on-prem prefixes the VPN carries are withdrawn from ExpressRoute (symmetric failover)",
			inst->vrf, erp_afi_name(afi),
			erp_event_type_name(ev.type), erp_fo_state_name(from),
			erp_fo_state_name(fo->state), cause);
	else
		zlog_notice(
			"erpolicy: %s %s %s: %s -> %s (%s): on-prem prefixes are advertised to ExpressRoute again",
			inst->vrf, erp_afi_name(afi),
			erp_event_type_name(ev.type), erp_fo_state_name(from),
			erp_fo_state_name(fo->state), cause);
	/* only on-prem prefixes (and the default route) are withdrawn */
	erp_announce_onprem_soon(inst, afi);
}

enum erp_path erp_paths_preferred(const struct erp_instance *inst,
				  enum erp_afi afi)
{
	return erp_fo_carrier(&inst->fo[afi],
			      erp_preferred_path(&inst->policy, 1, 1));
}

uint32_t erp_paths_holddown_left(const struct erp_instance *inst,
				 enum erp_afi afi)
{
	uint64_t deadline = erp_fo_deadline(&inst->fo[afi]);
	uint64_t now = erp_now_ms();

	if (!deadline || deadline <= now)
		return 0;
	return (deadline - now + 999) / 1000;
}

/* Azure prefixes the VPN path carries: what moves on a failover or a
 * failback (both paths carry the same prefixes in a backup design). */
static uint32_t vpn_prefixes(struct erp_instance *inst, enum erp_afi afi)
{
	struct erp_path_sessions s;

	erp_path_sessions(inst, afi, &s);
	return s.vpn_prefixes;
}

/* The one way into a failover machine: in == NULL when only the
 * configuration or the clock changed. */
static void input(struct erp_instance *inst, enum erp_afi afi,
		  const struct erp_fo_inputs *in, const char *cause)
{
	struct erp_failover *fo = &inst->fo[afi];
	enum erp_fo_state from = fo->state;
	uint32_t from_holddown_ms = fo->holddown_current_ms;
	struct erp_fo_result res;
	char moved[48];

	erp_fo_input(fo, &inst->fo_config, in, erp_now_ms(), &res);

	for (unsigned int i = 0; i < res.n_events; i++) {
		struct erp_event ev = {};

		ev.wall_time = time(NULL);
		ev.mono_ms = erp_now_ms();
		ev.type = res.events[i];
		ev.afi = afi;
		ev.from = from;
		ev.to = fo->state;
		/* an expiry reports the hold-down that just ended */
		ev.holddown_ms = ev.type == ERP_EV_HOLDDOWN_EXPIRED
					 ? from_holddown_ms
					 : fo->holddown_current_ms;
		switch (ev.type) {
		case ERP_EV_FAILOVER:
		case ERP_EV_FAILBACK:
		case ERP_EV_DRAIN:
		case ERP_EV_UNDRAIN:
		case ERP_EV_HOLDDOWN_EXPIRED:
			ev.prefixes = vpn_prefixes(inst, afi);
			break;
		default:
			break;
		}
		strlcpy(ev.cause, cause, sizeof(ev.cause));
		erp_ring_push(&inst->events, &ev);
		if ((unsigned int)ev.type < ERP_EV_TYPE_MAX)
			inst->event_counts[afi][ev.type]++;

		if (ev.prefixes)
			snprintf(moved, sizeof(moved), ", %u Azure prefixes",
				 ev.prefixes);
		else
			moved[0] = '\0';
		zlog_notice("erpolicy: %s %s %s: %s -> %s (%s)%s", inst->vrf,
			    erp_afi_name(afi), erp_event_type_name(ev.type),
			    erp_fo_state_name(from),
			    erp_fo_state_name(fo->state), cause, moved);
		if (ev.type == ERP_EV_HOLDDOWN_START ||
		    ev.type == ERP_EV_HOLDDOWN_RESTART)
			zlog_notice(
				"erpolicy: %s %s ExpressRoute held down for %u s",
				inst->vrf, erp_afi_name(afi),
				ev.holddown_ms / 1000);
	}

	if (res.withdrawal_changed)
		withdrawal_changed(inst, afi, from, cause);
	if (res.demotion_changed)
		erp_reevaluate(inst, ERP_DIR_IN, 1 << ERP_ROLE_EXPRESSROUTE);

	erp_task_cancel(&inst->t_holddown[afi]);
	if (erp_fo_deadline(fo)) {
		uint64_t now = erp_now_ms(), deadline = erp_fo_deadline(fo);

		erp_task_add_timer_msec(bm->master, holddown_cb, &inst->afis[afi],
				      deadline > now ? deadline - now : 0,
				      &inst->t_holddown[afi]);
	}
}

static void holddown_cb(erp_task_t *t)
{
	struct erp_inst_afi *ref = ERP_TASK_ARG(t);

	input(ref->inst, ref->afi, NULL,
	      "ExpressRoute stable for the hold-down time");
}

/* The first neighbor of role whose session is up in afi and has (routes)
 * or lacks (!routes) accepted routes. */
static const char *peer_with(struct erp_instance *inst, enum erp_afi afi,
			     enum erp_role role, bool routes)
{
	afi_t bafi = erp_bgp_afi(afi);
	struct peer *peer = NULL;

	while ((peer = erp_peer_next(inst, peer)))
		if (erp_peer_role(inst, peer, NULL) == role &&
		    erp_peer_established(peer) && peer->afc_nego[bafi][SAFI_UNICAST] &&
		    (peer->pcount[bafi][SAFI_UNICAST] > 0) == routes)
			return peer->host;
	return "?";
}

/* What changed between two inputs, in words, for the event history. */
static void describe(struct erp_instance *inst, enum erp_afi afi,
		     const struct erp_fo_inputs *was,
		     const struct erp_fo_inputs *now, char *buf, size_t len)
{
	static const struct {
		enum erp_role role;
		size_t off;
		const char *name;
	} paths[] = {
		{ERP_ROLE_EXPRESSROUTE, offsetof(struct erp_fo_inputs, er),
		 "ExpressRoute"},
		{ERP_ROLE_VPN, offsetof(struct erp_fo_inputs, vpn), "VPN"},
	};

	for (size_t i = 0; i < array_size(paths); i++) {
		const struct erp_fo_path *a = (const void *)((const char *)was +
							     paths[i].off);
		const struct erp_fo_path *b = (const void *)((const char *)now +
							     paths[i].off);
		bool ua = erp_fo_path_usable(a), ub = erp_fo_path_usable(b);

		if (ua == ub)
			continue;
		if (a->established == b->established)
			/* sessions held, routes came or went */
			snprintf(buf, len, "%s: %s",
				 peer_with(inst, afi, paths[i].role, ub),
				 ub ? "Azure routes again" : "no Azure routes");
		else
			snprintf(buf, len, "%s sessions %u -> %u", paths[i].name,
				 a->established, b->established);
		return;
	}
	strlcpy(buf, "neighbor configuration", len);
}

void erp_paths_update(struct erp_instance *inst, const char *cause)
{
	erp_task_cancel(&inst->t_paths);
	for (int i = 0; i < ERP_AFI_MAX; i++) {
		struct erp_path_sessions s;
		struct erp_fo_inputs in = {};
		char why[96];

		erp_path_sessions(inst, i, &s);
		in.er.established = s.er_established;
		in.er.with_routes = s.er_with_routes;
		in.vpn.established = s.vpn_established;
		in.vpn.with_routes = s.vpn_with_routes;
		if (!cause)
			describe(inst, i, &inst->fo[i].in, &in, why, sizeof(why));
		input(inst, i, &in, cause ? cause : why);
	}
}

static void paths_update_cb(erp_task_t *t)
{
	erp_paths_update(ERP_TASK_ARG(t), NULL);
}

void erp_paths_routes_changed(struct erp_instance *inst)
{
	if (!inst->t_paths)
		erp_task_add_event(bm->master, paths_update_cb, inst, 0,
				 &inst->t_paths);
}

bool erp_paths_route_accepted(struct erp_instance *inst, enum erp_afi afi,
			      enum erp_role role)
{
	const struct erp_failover *fo = &inst->fo[afi];
	const struct erp_fo_path *path =
		role == ERP_ROLE_EXPRESSROUTE ? &fo->in.er : &fo->in.vpn;

	if (!path->with_routes)
		/* a path's first route: the machine hears of it now, not
		 * at the next tick */
		erp_paths_routes_changed(inst);
	return role == ERP_ROLE_EXPRESSROUTE &&
	       erp_fo_er_demoted_on_arrival(fo, &inst->fo_config);
}
void erp_paths_config_changed(struct erp_instance *inst)
{
	for (int i = 0; i < ERP_AFI_MAX; i++)
		input(inst, i, NULL, "configuration");
}
