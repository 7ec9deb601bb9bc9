// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: the view of an instance and its two renderers.  See
 * erpolicy_show.h.
 */
#include <zebra.h>

#include "json.h"
#include "memory.h"
#include "vty.h"

#include "bgpd/bgpd.h"

#include "erpolicy.h"
#include "erpolicy_health.h"
#include "erpolicy_peer.h"
#include "erpolicy_rib.h"
#include "erpolicy_show.h"
#include "erpolicy_view.h"

/* --- the view ------------------------------------------------------------- */

static void health_collect(const struct erp_health_item *item, void *arg)
{
	struct erp_show_view *view = arg;

	if (view->n_health == view->max_health) {
		view->max_health = view->max_health ? 2 * view->max_health : 16;
		view->health =
			XREALLOC(MTYPE_TMP, view->health,
				 view->max_health * sizeof(*view->health));
	}
	view->health[view->n_health++] = *item;
}

void erp_show_view_build(struct erp_instance *inst, const char *only,
			 struct erp_show_view *view)
{
	struct bgp *bgp = erp_bgp_of(inst);
	struct erp_neighbor *nbr;
	struct peer *peer = NULL;
	unsigned int n_role_peers = 0, i;
	const char **names;

	memset(view, 0, sizeof(*view));
	view->inst = inst;
	view->bgp_present = bgp != NULL;
	view->local_as = bgp ? bgp->as : 0;
	view->detail = only != NULL;
	erp_view_read_begin(inst);
	for (int afi = 0; afi < ERP_AFI_MAX; afi++)
		erp_af_view(inst, afi, &view->af[afi]);
	erp_health_walk(inst, health_collect, view);

	/* the neighbors with a path, by name (one walk of bgpd's peers) */
	while ((peer = erp_peer_next(inst, peer)))
		n_role_peers++;
	names = XCALLOC(MTYPE_TMP, (n_role_peers + 1) * sizeof(*names));
	view->peers =
		XCALLOC(MTYPE_TMP, (n_role_peers + 1) * sizeof(*view->peers));
	for (i = 0; (peer = erp_peer_next(inst, peer)) && i < n_role_peers;
	     i++) {
		names[i] = erp_peer_name(peer);
		if (!only || strcmp(names[i], only) == 0)
			erp_peer_view(inst, peer,
				      &view->peers[view->n_peers++]);
	}

	for (nbr = erp_neighbor_first(inst); nbr;
	     nbr = erp_neighbor_next(inst, nbr))
		view->n_decls++;
	view->decls =
		XCALLOC(MTYPE_TMP, (view->n_decls + 1) * sizeof(*view->decls));
	view->n_decls = 0;
	for (nbr = erp_neighbor_first(inst); nbr;
	     nbr = erp_neighbor_next(inst, nbr)) {
		struct erp_show_decl *d = &view->decls[view->n_decls++];

		d->nbr = nbr;
		d->exists = bgp && peer_group_lookup(bgp, nbr->name);
		for (unsigned int j = 0; j < n_role_peers && !d->exists; j++)
			d->exists = strcmp(names[j], nbr->name) == 0;
	}
	XFREE(MTYPE_TMP, names);
}

void erp_show_view_free(struct erp_show_view *view)
{
	XFREE(MTYPE_TMP, view->health);
	XFREE(MTYPE_TMP, view->decls);
	XFREE(MTYPE_TMP, view->peers);
}

/* --- shared by both renderers --------------------------------------------- */

static uint64_t denied_total(const uint64_t *updates)
{
	uint64_t sum = 0;

	for (int r = ERP_ACCEPT + 1; r < ERP_REASON_MAX; r++)
		sum += updates[r];
	return sum;
}

static uint32_t denied_prefixes(const uint32_t *denied)
{
	uint32_t sum = 0;

	for (int r = ERP_ACCEPT + 1; r < ERP_REASON_MAX; r++)
		sum += denied[r];
	return sum;
}

/* --- text ----------------------------------------------------------------- */

/* "label N, label N, ..." of one direction's counters. */
static void reasons_text(struct vty *vty, const uint32_t *denied,
			 unsigned int dirbit)
{
	const char *sep = "";

	for (int r = ERP_ACCEPT + 1; r < ERP_REASON_MAX; r++)
		if (erp_reason_applies(r, dirbit)) {
			vty_out(vty, "%s%s %u", sep, erp_reason_info(r)->label,
				denied[r]);
			sep = ", ";
		}
}

static void peer_text(struct vty *vty, const struct erp_peer_view *v,
		      bool detail)
{
	const char *user_in = v->user_map[ERP_DIR_IN];
	const char *user_out = v->user_map[ERP_DIR_OUT];

	for (int i = 0; i < ERP_AFI_MAX; i++) {
		const char *rin = v->af[i].rmap[ERP_DIR_IN];
		const char *rout = v->af[i].rmap[ERP_DIR_OUT];

		char lp[12];

		if (!v->af[i].active)
			continue;
		if (v->af[i].attached[ERP_DIR_IN])
			snprintf(lp, sizeof(lp), "%u", v->af[i].local_pref);
		else
			strlcpy(lp, "-", sizeof(lp)); /* not the module's */
		vty_out(vty, "%-25s %-12s %-11s %6s %-4s %8u %7u  %s%s\n",
			v->name, erp_role_name(v->role), v->session_state, lp,
			erp_afi_name(i), v->af[i].prefixes,
			denied_prefixes(v->af[i].denied), rin ? rin : "-",
			v->af[i].attached[ERP_DIR_IN] ? ""
						      : " (not the policy)");
		if (!detail)
			continue;
		vty_out(vty, "    declared as %s; operator's route-map: %s\n",
			v->declared_as, user_in ? user_in : "none");
		vty_out(vty, "    prefixes denied%s: ",
			v->af[i].denied_truncated ? " (first 10000 kept)" : "");
		reasons_text(vty, v->af[i].denied, ERP_REASON_IN);
		vty_out(vty, "\n");
		vty_out(vty,
			"    updates evaluated this session: %" PRIu64
			" accepted, %" PRIu64 " denied\n",
			v->af[i].updates[ERP_ACCEPT],
			denied_total(v->af[i].updates));
		vty_out(vty,
			"    advertised %u of at most %u prefixes (route-map out %s%s, operator's %s); not advertised: ",
			v->af[i].advertised, v->af[i].adv_limit,
			rout ? rout : "-",
			v->af[i].attached[ERP_DIR_OUT] ? ""
						       : ", not the policy",
			user_out ? user_out : "none");
		reasons_text(vty, v->af[i].out_denied, ERP_REASON_OUT);
		vty_out(vty, "\n");
	}
}

void erp_show_text(struct vty *vty, const struct erp_show_view *view)
{
	struct erp_instance *inst = view->inst;
	struct erp_policy *pol = &inst->policy;
	const struct erp_fo_config *fo = &inst->fo_config;

	vty_out(vty, "BGP instance %s%s: erpolicy\n", inst->vrf,
		view->bgp_present ? "" : " (not configured in bgpd)");
	vty_out(vty, "  Local-preference: expressroute %u, vpn %u\n",
		pol->local_pref[ERP_ROLE_EXPRESSROUTE],
		pol->local_pref[ERP_ROLE_VPN]);
	vty_out(vty,
		"  Azure prefixes: %u, on-prem prefixes: %u, default route: %s, maximum length: IPv4 /%u, IPv6 /%u\n",
		erp_prefix_set_count(&pol->azure),
		erp_prefix_set_count(&pol->onprem),
		pol->allow_default_route ? "accepted" : "denied",
		pol->max_length_v4, pol->max_length_v6);
	for (int i = 0; i < ERP_AFI_MAX; i++) {
		const struct erp_af_view *av = &view->af[i];

		vty_out(vty,
			"  %s preferred path: %s (ExpressRoute sessions up %u, VPN sessions up %u); state %s",
			i == ERP_AFI_IPV4 ? "IPv4" : "IPv6",
			erp_path_name(av->preferred),
			av->sessions.er_established,
			av->sessions.vpn_established,
			erp_fo_state_name(av->state));
		if (av->holddown_left)
			vty_out(vty, ", fail-back in %u s", av->holddown_left);
		if (av->er_withdrawn)
			vty_out(vty,
				"; on-prem prefixes withdrawn from ExpressRoute");
		vty_out(vty, "\n");
	}
	if (fo->holddown_ms) {
		vty_out(vty, "  Fail-back hold-down: %u s",
			fo->holddown_ms / 1000);
		if (fo->holddown_max_ms > fo->holddown_ms)
			vty_out(vty, " (doubling after flaps, up to %u s)",
				fo->holddown_max_ms / 1000);
		vty_out(vty, "\n");
	}
	if (fo->drained)
		vty_out(vty,
			"  ExpressRoute is DRAINED (erpolicy drain expressroute)\n");
	/* on (the default) shows while it acts, on the address family's line */
	if (fo->asymmetric)
		vty_out(vty,
			"  Symmetric failover: off (on-prem prefixes stay advertised to ExpressRoute while it is demoted)\n");
	vty_out(vty,
		"  Mode %s%s; advertising on-prem prefixes only, transit %s, default route %s, symmetric guard %s, limits ER %u / VPN %u (%s at the limit)%s\n",
		erp_mode_name(pol->mode),
		erp_prefix_set_count(&pol->prefer_vpn)
			? " with prefer-vpn exceptions"
			: "",
		pol->allow_transit ? "allowed" : "denied",
		pol->advertise_default_route ? "advertised" : "not advertised",
		erp_guard_name(pol->guard),
		pol->adv_limit[ERP_ROLE_EXPRESSROUTE],
		pol->adv_limit[ERP_ROLE_VPN],
		erp_limit_action_name(pol->limit_action),
		pol->vpn_prepend ? ", AS prepended towards VPN" : "");
	for (unsigned int i = 0; i < view->n_health; i++)
		vty_out(vty, "  Warning: %s\n", view->health[i].message);
	for (unsigned int i = 0; i < view->n_decls; i++)
		if (!view->decls[i].exists)
			vty_out(vty,
				"  Declared %s path %s: no such neighbor (yet)\n",
				view->decls[i].nbr->name,
				erp_role_name(view->decls[i].nbr->role));
	vty_out(vty, "\n%-25s %-12s %-11s %6s %-4s %8s %7s  %s\n", "Neighbor",
		"Path", "State", "LocPrf", "AF", "Accepted", "Denied",
		"Route-map in");
	for (unsigned int i = 0; i < view->n_peers; i++)
		peer_text(vty, &view->peers[i], view->detail);
}

/* --- JSON ----------------------------------------------------------------- */

static void rule_json(const struct erp_prefix_rule *rule, void *arg)
{
	json_object *arr = arg, *o = json_object_new_object();

	json_object_string_addf(o, "prefix", "%pFX", &rule->prefix);
	if (rule->ge)
		json_object_int_add(o, "ge", rule->ge);
	if (rule->le)
		json_object_int_add(o, "le", rule->le);
	json_object_array_add(arr, o);
}

static json_object *rules_json(struct erp_prefix_set *set)
{
	json_object *arr = json_object_new_array();

	erp_prefix_set_walk(set, rule_json, arr);
	return arr;
}

/* Counters of one direction, by reason, each under its JSON key. */
static json_object *reasons_json(const uint32_t *denied, unsigned int dirbit,
				 bool truncated)
{
	json_object *o = json_object_new_object();

	for (int r = ERP_ACCEPT + 1; r < ERP_REASON_MAX; r++)
		if (erp_reason_applies(r, dirbit))
			json_object_int_add(o, erp_reason_info(r)->json,
					    denied[r]);
	json_object_int_add(o, "total", denied_prefixes(denied));
	json_object_boolean_add(o, "truncated", truncated);
	return o;
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

static json_object *peer_json(const struct erp_peer_view *v)
{
	json_object *o = json_object_new_object(), *afs, *af;

	json_object_string_add(o, "path", erp_role_name(v->role));
	json_object_string_add(o, "declaredAs", v->declared_as);
	json_object_string_add(o, "bgpState", v->session_state);
	json_object_boolean_add(o, "bfd", v->bfd);
	json_object_int_add(o, "localPreference", v->local_pref);
	json_object_string_add(o, "userRouteMapIn",
			       or_empty(v->user_map[ERP_DIR_IN]));
	json_object_string_add(o, "userRouteMapOut",
			       or_empty(v->user_map[ERP_DIR_OUT]));
	afs = json_object_new_object();
	for (int i = 0; i < ERP_AFI_MAX; i++) {
		if (!v->af[i].active)
			continue;
		af = json_object_new_object();
		json_object_boolean_add(af, "negotiated", v->af[i].negotiated);
		json_object_int_add(af, "localPreference", v->af[i].local_pref);
		json_object_string_add(af, "routeMapForIncomingAdvertisements",
				       or_empty(v->af[i].rmap[ERP_DIR_IN]));
		json_object_boolean_add(af, "policyAttachedIn",
					v->af[i].attached[ERP_DIR_IN]);
		json_object_int_add(af, "acceptedPrefixCounter",
				    v->af[i].prefixes);
		json_object_object_add(af, "prefixesDenied",
				       reasons_json(v->af[i].denied,
						    ERP_REASON_IN,
						    v->af[i].denied_truncated));
		json_object_int_add(af, "updatesAccepted",
				    v->af[i].updates[ERP_ACCEPT]);
		json_object_int_add(af, "updatesDenied",
				    denied_total(v->af[i].updates));
		json_object_string_add(af, "routeMapForOutgoingAdvertisements",
				       or_empty(v->af[i].rmap[ERP_DIR_OUT]));
		json_object_boolean_add(af, "policyAttachedOut",
					v->af[i].attached[ERP_DIR_OUT]);
		json_object_int_add(af, "sentPrefixCounter",
				    v->af[i].advertised);
		json_object_int_add(af, "advertiseLimit", v->af[i].adv_limit);
		json_object_object_add(af, "prefixesNotAdvertised",
				       reasons_json(v->af[i].out_denied,
						    ERP_REASON_OUT,
						    v->af[i].out_truncated));
		json_object_int_add(af, "symmetricGuardWarnings",
				    v->af[i].guard_warnings);
		/* bgpd's names (show bgp neighbors json) */
		json_object_object_add(afs,
				       i == ERP_AFI_IPV4 ? "ipv4Unicast"
							 : "ipv6Unicast",
				       af);
	}
	json_object_object_add(o, "addressFamilyInfo", afs);
	return o;
}

static json_object *af_json(const struct erp_af_view *av,
			    const uint64_t *event_counts)
{
	json_object *af = json_object_new_object(), *ev;

	json_object_string_add(af, "preferredPath",
			       erp_path_name(av->preferred));
	json_object_string_add(af, "pathState", erp_fo_state_name(av->state));
	json_object_boolean_add(af, "expressrouteDemoted", av->er_demoted);
	json_object_boolean_add(af, "expressrouteWithdrawn", av->er_withdrawn);
	json_object_int_add(af, "holdDownRemaining", av->holddown_left);
	json_object_int_add(af, "expressroutePrefixes",
			    av->sessions.er_prefixes);
	json_object_int_add(af, "vpnPrefixes", av->sessions.vpn_prefixes);
	json_object_int_add(af, "expressrouteSessionsEstablished",
			    av->sessions.er_established);
	json_object_int_add(af, "vpnSessionsEstablished",
			    av->sessions.vpn_established);
	/* since the instance was created, unlike the bounded history of
	 * "events" */
	ev = json_object_new_object();
	for (int t = 0; t < ERP_EV_TYPE_MAX; t++)
		json_object_int_add(ev, erp_event_type_name(t),
				    event_counts[t]);
	json_object_object_add(af, "eventCounts", ev);
	return af;
}

void erp_show_json(json_object *json, const struct erp_show_view *view)
{
	struct erp_instance *inst = view->inst;
	struct erp_policy *pol = &inst->policy;
	json_object *o, *nbrs;

	json_object_string_add(json, "vrfName", inst->vrf);
	json_object_boolean_add(json, "bgpInstance", view->bgp_present);
	if (view->bgp_present)
		json_object_int_add(json, "localAs", view->local_as);
	o = json_object_new_object();
	json_object_int_add(o, "expressroute",
			    pol->local_pref[ERP_ROLE_EXPRESSROUTE]);
	json_object_int_add(o, "vpn", pol->local_pref[ERP_ROLE_VPN]);
	json_object_object_add(json, "localPreference", o);
	json_object_object_add(json, "azurePrefixes", rules_json(&pol->azure));
	json_object_object_add(json, "onpremPrefixes",
			       rules_json(&pol->onprem));
	json_object_boolean_add(json, "allowDefaultRoute",
				pol->allow_default_route);
	o = json_object_new_object();
	json_object_int_add(o, "ipv4", pol->max_length_v4);
	json_object_int_add(o, "ipv6", pol->max_length_v6);
	json_object_object_add(json, "maximumPrefixLength", o);
	o = json_object_new_object();
	for (int i = 0; i < ERP_AFI_MAX; i++)
		json_object_object_add(o, erp_afi_name(i),
				       af_json(&view->af[i],
					       inst->event_counts[i]));
	json_object_object_add(json, "addressFamilies", o);
	o = json_object_new_object();
	json_object_int_add(o, "holdDown", inst->fo_config.holddown_ms / 1000);
	json_object_int_add(o, "holdDownMaximum",
			    inst->fo_config.holddown_max_ms / 1000);
	json_object_object_add(json, "failback", o);
	json_object_boolean_add(json, "drainExpressroute",
				inst->fo_config.drained);
	json_object_boolean_add(json, "symmetricFailover",
				!inst->fo_config.asymmetric);
	json_object_string_add(json, "mode", erp_mode_name(pol->mode));
	json_object_object_add(json, "preferVpnPrefixes",
			       rules_json(&pol->prefer_vpn));
	o = json_object_new_object();
	json_object_boolean_add(o, "defaultRoute",
				pol->advertise_default_route);
	json_object_boolean_add(o, "allowTransit", pol->allow_transit);
	json_object_string_add(o, "symmetricGuard", erp_guard_name(pol->guard));
	json_object_int_add(o, "vpnPrepend", pol->vpn_prepend);
	json_object_int_add(o, "limitExpressroute",
			    pol->adv_limit[ERP_ROLE_EXPRESSROUTE]);
	json_object_int_add(o, "limitVpn", pol->adv_limit[ERP_ROLE_VPN]);
	json_object_string_add(o, "limitAction",
			       erp_limit_action_name(pol->limit_action));
	json_object_int_add(o, "limitWarningThreshold", pol->limit_warn_pct);
	json_object_object_add(json, "advertise", o);
	o = json_object_new_array();
	for (unsigned int i = 0; i < view->n_health; i++) {
		const struct erp_health_item *item = &view->health[i];
		json_object *h = json_object_new_object();

		json_object_string_add(h, "check", item->check);
		if (item->neighbor)
			json_object_string_add(h, "neighbor", item->neighbor);
		json_object_string_add(h, "message", item->message);
		json_object_array_add(o, h);
	}
	json_object_object_add(json, "healthWarnings", o);
	o = json_object_new_object();
	for (unsigned int i = 0; i < view->n_decls; i++)
		json_object_string_add(o, view->decls[i].nbr->name,
				       erp_role_name(view->decls[i].nbr->role));
	json_object_object_add(json, "declaredNeighbors", o);
	nbrs = json_object_new_object();
	for (unsigned int i = 0; i < view->n_peers; i++)
		json_object_object_add(nbrs, view->peers[i].name,
				       peer_json(&view->peers[i]));
	json_object_object_add(json, "neighbors", nbrs);
}

/* --- show bgp erpolicy events ----------------------------------------------
 */

static void event_time(const struct erp_event *ev, char *buf, size_t len)
{
	struct tm tm;
	time_t t = ev->wall_time;

	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%S%z", &tm);
}

void erp_show_events_text(struct vty *vty, const struct erp_instance *inst)
{
	char when[64];

	vty_out(vty, "%-24s %-4s %-17s %-12s %-12s %8s   %s\n", "Time", "AF",
		"Event", "From", "To", "Prefixes", "Cause");
	for (unsigned int i = 0; i < erp_ring_count(&inst->events); i++) {
		const struct erp_event *ev = erp_ring_get(&inst->events, i);

		event_time(ev, when, sizeof(when));
		vty_out(vty, "%-24s %-4s %-17s %-12s %-12s %8u   %s\n", when,
			erp_afi_name(ev->afi), erp_event_type_name(ev->type),
			erp_fo_state_name(ev->from), erp_fo_state_name(ev->to),
			ev->prefixes, ev->cause);
	}
}

void erp_show_events_json(json_object *json, const struct erp_instance *inst)
{
	json_object *arr = json_object_new_array();
	char when[64];

	json_object_object_add(json, "events", arr);
	for (unsigned int i = 0; i < erp_ring_count(&inst->events); i++) {
		const struct erp_event *ev = erp_ring_get(&inst->events, i);
		json_object *o = json_object_new_object();

		event_time(ev, when, sizeof(when));
		json_object_int_add(o, "seq", ev->seq);
		json_object_string_add(o, "time", when);
		json_object_int_add(o, "epoch", ev->wall_time);
		json_object_int_add(o, "monotonicMs", ev->mono_ms);
		json_object_string_add(o, "afi", erp_afi_name(ev->afi));
		json_object_string_add(o, "event",
				       erp_event_type_name(ev->type));
		json_object_string_add(o, "from", erp_fo_state_name(ev->from));
		json_object_string_add(o, "to", erp_fo_state_name(ev->to));
		json_object_int_add(o, "prefixes", ev->prefixes);
		json_object_int_add(o, "holdDownMs", ev->holddown_ms);
		json_object_string_add(o, "cause", ev->cause);
		json_object_array_add(arr, o);
	}
}

/* --- show bgp erpolicy prefixes --------------------------------------------
 */

struct prefixes_ctx {
	struct vty *vty;
	json_object *arr;
	unsigned int rows, issues;
};

static const char *best_name(const struct erp_prefix_row *row)
{
	if (row->facts.best != ERP_ROLE_NONE)
		return erp_role_name(row->facts.best);
	return row->best_neighbor ? "other" : "none";
}

static void prefix_row_text(const struct erp_prefix_row *row, void *arg)
{
	struct prefixes_ctx *ctx = arg;

	ctx->rows++;
	ctx->issues += row->issue != ERP_ISSUE_NONE;
	vty_out(ctx->vty, "%-40pFX %-3s %-3s %-12s %-12s %s\n", row->prefix,
		row->facts.via_er ? "yes" : "no",
		row->facts.via_vpn ? "yes" : "no", best_name(row),
		erp_path_name(row->intended),
		row->issue == ERP_ISSUE_NONE
			? ""
			: erp_prefix_issue_name(row->issue));
}

static void prefix_row_json(const struct erp_prefix_row *row, void *arg)
{
	struct prefixes_ctx *ctx = arg;
	json_object *o = json_object_new_object();

	ctx->rows++;
	ctx->issues += row->issue != ERP_ISSUE_NONE;
	json_object_string_addf(o, "prefix", "%pFX", row->prefix);
	json_object_boolean_add(o, "viaExpressroute", row->facts.via_er);
	json_object_boolean_add(o, "viaVpn", row->facts.via_vpn);
	json_object_string_add(o, "best", best_name(row));
	if (row->best_neighbor) {
		json_object_string_add(o, "bestNeighbor", row->best_neighbor);
		json_object_int_add(o, "bestLocalPreference",
				    row->best_local_pref);
	}
	json_object_string_add(o, "intended", erp_path_name(row->intended));
	json_object_string_add(o, "issue", erp_prefix_issue_name(row->issue));
	json_object_array_add(ctx->arr, o);
}

/* The walk of both families, or of only's family for only. */
static void prefixes_walk(struct erp_instance *inst, const struct prefix *only,
			  void (*fn)(const struct erp_prefix_row *, void *),
			  struct prefixes_ctx *ctx)
{
	for (int i = 0; i < ERP_AFI_MAX; i++) {
		if (only && (only->family == AF_INET) != (i == ERP_AFI_IPV4))
			continue;
		erp_rib_walk(inst, i, only, fn, ctx);
	}
}

unsigned int erp_show_prefixes_text(struct vty *vty, struct erp_instance *inst,
				    const struct prefix *only)
{
	struct prefixes_ctx ctx = {.vty = vty};

	vty_out(vty, "%-40s %-3s %-3s %-12s %-12s %s\n", "Prefix", "ER", "VPN",
		"Best", "Intended", "Issue");
	prefixes_walk(inst, only, prefix_row_text, &ctx);
	vty_out(vty, "\n%u prefixes, %u with issues\n", ctx.rows, ctx.issues);
	return ctx.rows;
}

unsigned int erp_show_prefixes_json(json_object *json,
				    struct erp_instance *inst,
				    const struct prefix *only)
{
	struct prefixes_ctx ctx = {.arr = json_object_new_array()};

	json_object_object_add(json, "prefixes", ctx.arr);
	prefixes_walk(inst, only, prefix_row_json, &ctx);
	json_object_int_add(json, "count", ctx.rows);
	json_object_int_add(json, "issues", ctx.issues);
	return ctx.rows;
}

/* --- show bgp erpolicy overlaps --------------------------------------------
 */

/* Where a prefix of the table is listed: what both renderers need. */
enum overlap_list {
	OVERLAP_COVERS = 0,    /* learned from Azure, overlaps on-prem */
	OVERLAP_ER_ONLY,       /* via ExpressRoute only */
	OVERLAP_VPN_ONLY,      /* via VPN only */
	OVERLAP_MORE_SPECIFIC, /* via VPN only, more specific than ER */
	OVERLAP_LISTS,
};

static const char *const overlap_text[OVERLAP_LISTS] = {
	[OVERLAP_COVERS] =
		"learned from Azure, overlaps a declared on-prem prefix",
	[OVERLAP_ER_ONLY] = "via ExpressRoute only",
	[OVERLAP_VPN_ONLY] = "via VPN only",
	[OVERLAP_MORE_SPECIFIC] =
		"via VPN only, more specific than an ExpressRoute route",
};

static const char *const overlap_json[OVERLAP_LISTS] = {
	[OVERLAP_COVERS] = "azureOverlapsOnprem",
	[OVERLAP_ER_ONLY] = "expressrouteOnly",
	[OVERLAP_VPN_ONLY] = "vpnOnly",
	[OVERLAP_MORE_SPECIFIC] = "vpnMoreSpecific",
};

/* Calls add() for each list row belongs to, the on-prem overlap first. */
static void
overlap_classify(struct erp_instance *inst, const struct erp_prefix_row *row,
		 void (*add)(enum overlap_list, const struct prefix *, void *),
		 void *arg)
{
	if (erp_prefix_set_overlaps(&inst->policy.onprem, row->prefix))
		add(OVERLAP_COVERS, row->prefix, arg);
	if (row->issue == ERP_ISSUE_VPN_MORE_SPECIFIC)
		add(OVERLAP_MORE_SPECIFIC, row->prefix, arg);
	else if (row->facts.via_er && !row->facts.via_vpn)
		add(OVERLAP_ER_ONLY, row->prefix, arg);
	else if (row->facts.via_vpn && !row->facts.via_er)
		add(OVERLAP_VPN_ONLY, row->prefix, arg);
}

struct overlaps_ctx {
	struct erp_instance *inst;
	struct vty *vty;
	json_object *arr[OVERLAP_LISTS]; /* JSON */
	unsigned int n[OVERLAP_LISTS];
	const char *peer; /* on-prem prefixes refused: from whom */
	json_object *refused;
	unsigned int n_refused;
};

static void overlap_add_text(enum overlap_list list, const struct prefix *p,
			     void *arg)
{
	struct overlaps_ctx *ctx = arg;

	ctx->n[list]++;
	vty_out(ctx->vty, "  %-40pFX %s\n", p, overlap_text[list]);
}

static void overlap_add_json(enum overlap_list list, const struct prefix *p,
			     void *arg)
{
	struct overlaps_ctx *ctx = arg;

	ctx->n[list]++;
	json_object_array_add(ctx->arr[list],
			      json_object_new_stringf("%pFX", p));
}

static void overlap_row_text(const struct erp_prefix_row *row, void *arg)
{
	struct overlaps_ctx *ctx = arg;

	overlap_classify(ctx->inst, row, overlap_add_text, ctx);
}

static void overlap_row_json(const struct erp_prefix_row *row, void *arg)
{
	struct overlaps_ctx *ctx = arg;

	overlap_classify(ctx->inst, row, overlap_add_json, ctx);
}

static void refused_text(const struct erp_denied *d, void *arg)
{
	struct overlaps_ctx *ctx = arg;

	if (d->reason != ERP_DENY_ONPREM)
		return;
	ctx->n_refused++;
	vty_out(ctx->vty, "  %-40pFX from %s\n", &d->prefix, ctx->peer);
}

static void refused_json(const struct erp_denied *d, void *arg)
{
	struct overlaps_ctx *ctx = arg;
	json_object *o;

	if (d->reason != ERP_DENY_ONPREM)
		return;
	ctx->n_refused++;
	o = json_object_new_object();
	json_object_string_addf(o, "prefix", "%pFX", &d->prefix);
	json_object_string_add(o, "neighbor", ctx->peer);
	json_object_array_add(ctx->refused, o);
}

/* On-prem prefixes the neighbors with a path sent (and were refused). */
static void refused_walk(struct overlaps_ctx *ctx,
			 void (*fn)(const struct erp_denied *, void *))
{
	struct peer *peer = NULL;

	while ((peer = erp_peer_next(ctx->inst, peer))) {
		struct erp_peer_stats *stats = erp_stats_find(ctx->inst, peer);

		if (!stats)
			continue;
		ctx->peer = peer->host;
		for (int i = 0; i < ERP_AFI_MAX; i++)
			erp_stats_walk_denied(stats, ERP_DIR_IN, i, fn, ctx);
	}
}

void erp_show_overlaps_text(struct vty *vty, struct erp_instance *inst)
{
	struct overlaps_ctx ctx = {.inst = inst, .vty = vty};

	vty_out(vty, "On-prem prefixes Azure sent (refused):\n");
	refused_walk(&ctx, refused_text);
	vty_out(vty, "Azure prefixes in the BGP table:\n");
	for (int i = 0; i < ERP_AFI_MAX; i++)
		erp_rib_walk(inst, i, NULL, overlap_row_text, &ctx);
	vty_out(vty,
		"\n%u on-prem prefixes refused from Azure, %u Azure prefixes overlapping on-prem, %u via ExpressRoute only, %u via VPN only, %u more specific via VPN\n",
		ctx.n_refused, ctx.n[OVERLAP_COVERS], ctx.n[OVERLAP_ER_ONLY],
		ctx.n[OVERLAP_VPN_ONLY], ctx.n[OVERLAP_MORE_SPECIFIC]);
}

void erp_show_overlaps_json(json_object *json, struct erp_instance *inst)
{
	struct overlaps_ctx ctx = {.inst = inst};

	ctx.refused = json_object_new_array();
	refused_walk(&ctx, refused_json);
	for (int l = 0; l < OVERLAP_LISTS; l++)
		ctx.arr[l] = json_object_new_array();
	for (int i = 0; i < ERP_AFI_MAX; i++)
		erp_rib_walk(inst, i, NULL, overlap_row_json, &ctx);
	json_object_object_add(json, "onpremFromAzure", ctx.refused);
	for (int l = 0; l < OVERLAP_LISTS; l++)
		json_object_object_add(json, overlap_json[l], ctx.arr[l]);
}
