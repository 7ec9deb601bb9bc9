// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: health checks.  See erpolicy_health.h.
 */
#include <zebra.h>

#include "bgpd/bgpd.h"

#include "erpolicy.h"
#include "erpolicy_health.h"
#include "erpolicy_map_names.h"
#include "erpolicy_memory.h"
#include "erpolicy_nbr_rules.h"
#include "erpolicy_peer.h"

static void emit(void (*fn)(const struct erp_health_item *, void *), void *arg,
		 const char *check, const char *neighbor, const char *fmt, ...)
	PRINTFRR(5, 6);

static void emit(void (*fn)(const struct erp_health_item *, void *), void *arg,
		 const char *check, const char *neighbor, const char *fmt, ...)
{
	struct erp_health_item item = {.check = check, .neighbor = neighbor};
	va_list ap;

	va_start(ap, fmt);
	vsnprintfrr(item.message, sizeof(item.message), fmt, ap);
	va_end(ap);
	fn(&item, arg);
}

static const char *legacy_fmt =
	"neighbor %s %s has route-map %s %s, which bgpd_erpolicy no longer builds (everything is denied): attach \"%s\" or \"%s\" instead and name your own map in \"erpolicy neighbor %s route-map NAME %s\" (see the upgrade notes; scripts/erpolicy-migrate-config rewrites a configuration file)";

/*
 * What is attached where it should not be, or not where it should:
 * - a declared neighbor's address family without the module's map of its
 *   path (the policy is not applied: the operator's map alone, or bgpd's
 *   ebgp-requires-policy, decides);
 * - a map of this module on a neighbor not declared with its path
 *   (everything denied);
 * - a map named like the generated maps of bgpd_erpolicy 0.x
 *   (erpolicy-ROLE@VRF+USERMAP, no longer built: bgpd denies everything
 *   through a name that resolves to no map).
 */
static void attachment_problems(struct erp_instance *inst, struct bgp *bgp,
				void (*fn)(const struct erp_health_item *,
					   void *),
				void *arg)
{
	struct listnode *node;
	struct peer *peer;

	for (ALL_LIST_ELEMENTS_RO(bgp->peer, node, peer)) {
		const char *host = peer->conf_if ? peer->conf_if : peer->host;
		enum erp_role want = erp_peer_role(inst, peer, NULL);

		for (int i = 0; i < ERP_AFI_MAX; i++)
			for (int d = 0; d < ERP_DIR_MAX; d++) {
				const char *name =
					erp_peer_rmap(peer, erp_bgp_afi(i), d);
				const char *dir = d == ERP_DIR_IN ? "in" : "out";
				enum erp_role role = ERP_ROLE_NONE;
				enum erp_dir mdir;
				bool ours = name &&
					    erp_rmap_lookup_name(name, &mdir,
								 &role) &&
					    (int)mdir == d;

				if (name && erp_rmap_reserved(name) && !ours)
					emit(fn, arg, "legacyRouteMap", host,
					     legacy_fmt, host, erp_afi_name(i),
					     name, dir,
					     erp_rmap_name(d, ERP_ROLE_EXPRESSROUTE),
					     erp_rmap_name(d, ERP_ROLE_VPN), host,
					     dir);
				else if (ours && want == ERP_ROLE_NONE)
					emit(fn, arg, "notDeclared", host,
					     "neighbor %s %s has route-map %s %s but is not declared: everything is %s",
					     host, erp_afi_name(i), name, dir,
					     d == ERP_DIR_IN ? "denied"
							     : "held back");
				else if (want != ERP_ROLE_NONE &&
					 peer->afc[erp_bgp_afi(i)][SAFI_UNICAST] &&
					 !(ours && role == want))
					emit(fn, arg, "policyNotAttached", host,
					     "%s neighbor %s %s has %s%s %s: the policy is not applied; write \"neighbor %s route-map %s %s\" in its address-family%s",
					     erp_role_name(want), host,
					     erp_afi_name(i),
					     name ? "route-map " : "no route-map",
					     name ? name : "", dir, host,
					     erp_rmap_name(d, want), dir,
					     name && !ours
						     ? " and name your map in \"erpolicy neighbor ... route-map NAME\""
						     : "");
			}
	}
}

/* A family some declared neighbor carries but no azure-prefix covers:
 * everything from Azure in it is denied (ERP_DENY_NO_AZURE_PREFIXES). */
static void no_azure_prefixes(struct erp_instance *inst,
			      void (*fn)(const struct erp_health_item *, void *),
			      void *arg)
{
	for (int i = 0; i < ERP_AFI_MAX; i++) {
		struct peer *peer = NULL;

		if (inst->policy.azure.count[i])
			continue;
		while ((peer = erp_peer_next(inst, peer)))
			if (peer->afc[erp_bgp_afi(i)][SAFI_UNICAST])
				break;
		if (peer)
			emit(fn, arg, "noAzurePrefixes", NULL,
			     "no %s azure-prefix declared: every %s route from ExpressRoute and VPN neighbors is denied; declare Azure's %s prefixes (erpolicy azure-prefix ...) or deactivate %s on those neighbors",
			     erp_afi_name(i), erp_afi_name(i), erp_afi_name(i),
			     erp_afi_name(i));
	}
}

/* Declared neighbors whose AS is not one Azure uses for their path
 * (erp_asn_check()).  remote-as external/internal: the AS learned from the
 * session, nothing before it came up. */
static void remote_as_problems(struct erp_instance *inst,
			       void (*fn)(const struct erp_health_item *,
					  void *),
			       void *arg)
{
	struct erp_neighbor *nbr;
	struct peer *peer = NULL;
	bool er_declared = false;

	for (nbr = erp_neighbor_first(inst); nbr;
	     nbr = erp_neighbor_next(inst, nbr))
		er_declared |= nbr->role == ERP_ROLE_EXPRESSROUTE;
	while ((peer = erp_peer_next(inst, peer))) {
		enum erp_role role = erp_peer_role(inst, peer, NULL);
		enum erp_asn_issue issue =
			erp_asn_check(role, peer->as, er_declared);

		if (issue == ERP_ASN_OK)
			continue;
		emit(fn, arg, erp_asn_issue_check(issue), erp_peer_name(peer),
		     "%s neighbor %s has remote-as %u: %s",
		     role == ERP_ROLE_EXPRESSROUTE ? "ExpressRoute" : "VPN",
		     erp_peer_name(peer), peer->as, erp_asn_issue_text(issue));
	}
}

/* The checks of one neighbor with a path. */
static void peer_checks(struct erp_instance *inst, struct bgp *bgp,
			struct peer *peer,
			void (*fn)(const struct erp_health_item *, void *),
			void *arg)
{
	const char *name = erp_peer_name(peer);
	enum erp_role role = erp_peer_role(inst, peer, NULL);
	uint32_t ka, hold;

	if (role == ERP_ROLE_EXPRESSROUTE && !peer->bfd_config)
		emit(fn, arg, "erNoBfd", name,
		     "ExpressRoute neighbor %s has no BFD: a silent failure is detected only by the hold timer (180 s with Azure)",
		     name);
	if (role == ERP_ROLE_VPN) {
		ka = CHECK_FLAG(peer->flags, PEER_FLAG_TIMER)
			     ? peer->keepalive
			     : (bgp ? bgp->default_keepalive : 60);
		hold = CHECK_FLAG(peer->flags, PEER_FLAG_TIMER)
			       ? peer->holdtime
			       : (bgp ? bgp->default_holdtime : 180);
		if (ka != ERP_AZURE_VPN_KEEPALIVE ||
		    hold != ERP_AZURE_VPN_HOLDTIME)
			emit(fn, arg, "vpnTimers", name,
			     "VPN neighbor %s timers %u/%u differ from the Azure VPN gateway's fixed 60/180",
			     name, ka, hold);
	}
	/* graceful restart negotiated: its routes outlive a failure */
	if (CHECK_FLAG(peer->sflags, PEER_STATUS_NSF_MODE)) {
		uint32_t llgr = 0;
		char extra[48] = "";

		for (int i = 0; i < ERP_AFI_MAX; i++)
			llgr = MAX(llgr, peer->llgr[erp_bgp_afi(i)][SAFI_UNICAST]
						 .stale_time);
		if (llgr)
			snprintf(extra, sizeof(extra), ", then long-lived %u s",
				 llgr);
		emit(fn, arg,
		     role == ERP_ROLE_EXPRESSROUTE ? "erGracefulRestart"
						   : "vpnGracefulRestart",
		     name,
		     "%s neighbor %s negotiated graceful restart: after a failure bgpd keeps its routes as stale (restart time %u s%s); the module gives them local-preference %u, so they carry traffic only when no other route is left. Unless it keeps forwarding while it restarts, write \"neighbor %s graceful-restart-disable\"",
		     role == ERP_ROLE_EXPRESSROUTE ? "ExpressRoute" : "VPN", name,
		     peer->v_gr_restart, extra,
		     erp_local_pref_stale(&inst->policy, role), name);
	}
	for (int i = 0; i < ERP_AFI_MAX; i++) {
		afi_t afi = erp_bgp_afi(i);

		if (!peer->afc[afi][SAFI_UNICAST])
			continue;
		if (peer->weight[afi][SAFI_UNICAST])
			emit(fn, arg, "weightSet", name,
			     "neighbor %s has weight %lu in %s: weight overrides the module's local-preference",
			     name, peer->weight[afi][SAFI_UNICAST],
			     erp_afi_name(i));
		if (!CHECK_FLAG(peer->af_flags[afi][SAFI_UNICAST],
				PEER_FLAG_SOFT_RECONFIG) &&
		    erp_peer_established(peer) &&
		    !CHECK_FLAG(peer->cap, ERP_PEER_CAP_REFRESH_RCV))
			emit(fn, arg, "noReevaluation", name,
			     "neighbor %s has neither soft-reconfiguration inbound nor route-refresh: policy changes apply only after a session reset",
			     name);
		if (role == ERP_ROLE_EXPRESSROUTE && i == ERP_AFI_IPV4 &&
		    peer->pcount[afi][SAFI_UNICAST] >=
			    ERP_AZURE_ER_ROUTES_LIMIT * 8 / 10)
			emit(fn, arg, "azurePrefixLimit", name,
			     "ExpressRoute neighbor %s sends %u IPv4 prefixes: Azure disconnects at %u per connection",
			     name, peer->pcount[afi][SAFI_UNICAST],
			     ERP_AZURE_ER_ROUTES_LIMIT);
	}
}

void erp_health_walk(struct erp_instance *inst,
		     void (*fn)(const struct erp_health_item *item, void *arg),
		     void *arg)
{
	struct erp_policy *pol = &inst->policy;
	struct bgp *bgp = erp_bgp_of(inst);
	struct peer *peer = NULL;
	uint32_t er_lp = pol->local_pref[ERP_ROLE_EXPRESSROUTE];
	uint32_t vpn_lp = pol->local_pref[ERP_ROLE_VPN];

	if (er_lp <= vpn_lp)
		emit(fn, arg, "erNotPreferred", NULL,
		     "expressroute local-preference %u is not above vpn's %u: ExpressRoute is not preferred",
		     er_lp, vpn_lp);
	if (erp_prefix_set_count(&pol->onprem) == 0)
		emit(fn, arg, "noOnpremPrefixes", NULL,
		     "no onprem-prefix declared: nothing is advertised to ExpressRoute or VPN neighbors");
	if (vpn_lp == 0)
		emit(fn, arg, "vpnPreferenceZero", NULL,
		     "vpn local-preference 0: ExpressRoute cannot be demoted below it (hold-down, drain)");

	if (bgp)
		attachment_problems(inst, bgp, fn, arg);
	no_azure_prefixes(inst, fn, arg);
	remote_as_problems(inst, fn, arg);

	while ((peer = erp_peer_next(inst, peer)))
		peer_checks(inst, bgp, peer, fn, arg);
}

/* --- logged when they appear and when they clear ------------------------ */

/*
 * A warning is the same warning as long as its check, its neighbor and its
 * message with the numbers masked stay the same: "sends 812 IPv4 prefixes"
 * and "sends 815 IPv4 prefixes" are one warning (not logged again), the
 * IPv4 and IPv6 variants of one check are two.  A number is a run of digits
 * not glued to a letter ("IPv4" is a word, "/24" and "180 s" are numbers).
 * Generic over every check of erp_health_walk(): a new check is logged as
 * it appears and clears without anything to add here.
 */
static void warning_key(const struct erp_health_item *item, char *key,
			size_t len)
{
	const char *m = item->message;
	size_t n;

	n = snprintf(key, len, "%s|%s|", item->check,
		     item->neighbor ? item->neighbor : "");
	for (size_t i = 0; m[i] && n + 1 < len; i++) {
		bool digit = isdigit((unsigned char)m[i]);

		if (digit && i > 0 && isalnum((unsigned char)m[i - 1]) &&
		    !isdigit((unsigned char)m[i - 1]))
			key[n++] = m[i]; /* IPv4 */
		else if (digit) {
			key[n++] = '#';
			while (isdigit((unsigned char)m[i + 1]))
				i++;
		} else
			key[n++] = m[i];
	}
	key[MIN(n, len - 1)] = '\0';
}

/*
 * What to do, for the log line of the checks whose message does not say it
 * (the attachment checks' messages give the line to write).  N is replaced
 * by the neighbor.  A check without an entry is logged with its message
 * alone.
 */
static const struct {
	const char *check, *advice;
} health_advice[] = {
	{"erNotPreferred",
	 "set \"erpolicy local-preference expressroute X vpn Y\" with X above Y, or \"erpolicy mode active-active\" if equal preference is meant"},
	{"vpnPreferenceZero",
	 "give the VPN a local-preference of at least 1 (erpolicy local-preference)"},
	{"erNoBfd",
	 "write \"neighbor N bfd\" (bfdd=yes in /etc/frr/daemons) and enable BFD on the Azure side of the peering"},
	{"vpnTimers",
	 "write \"no neighbor N timers\" (or \"neighbor N timers 60 180\")"},
	{"weightSet",
	 "write \"no neighbor N weight\" in its address-family; express preferences with erpolicy local-preference"},
	{"noReevaluation",
	 "write \"neighbor N soft-reconfiguration inbound\" in its address-family"},
	{"azurePrefixLimit",
	 "summarise the prefixes on the Azure side before the limit resets the session"},
	{"noOnpremPrefixes",
	 "declare what may be advertised: erpolicy onprem-prefix PREFIX"},
};

/* " To fix: ..." for the check, with N replaced by the neighbor; "" when
 * the message says it. */
static void health_fix(const struct erp_health_item *item, char *buf,
		       size_t len)
{
	const char *advice = NULL, *n = item->neighbor ? item->neighbor : "X";
	size_t o;

	buf[0] = '\0';
	for (size_t i = 0; i < array_size(health_advice) && !advice; i++)
		if (strcmp(health_advice[i].check, item->check) == 0)
			advice = health_advice[i].advice;
	if (!advice)
		return;
	o = strlcpy(buf, ". To fix: ", len);
	for (const char *a = advice; *a && o + 1 < len; a++) {
		if (*a == 'N' && a > advice && a[-1] == ' ' &&
		    (a[1] == ' ' || a[1] == '\0')) {
			o += snprintf(buf + o, len - o, "%s", n);
			continue;
		}
		buf[o++] = *a;
	}
	buf[MIN(o, len - 1)] = '\0';
}

struct health_log_ctx {
	struct erp_instance *inst;
	struct erp_health_seen *now;
	unsigned int n, max;
};

static void health_seen_add(const struct erp_health_item *item, void *arg)
{
	struct health_log_ctx *ctx = arg;
	struct erp_health_seen *w;

	if (ctx->n == ctx->max) {
		ctx->max = ctx->max ? 2 * ctx->max : 8;
		ctx->now = XREALLOC(MTYPE_ERP_HEALTH, ctx->now,
				    ctx->max * sizeof(*ctx->now));
	}
	w = &ctx->now[ctx->n++];
	warning_key(item, w->key, sizeof(w->key));
	strlcpy(w->check, item->check, sizeof(w->check));
	strlcpy(w->message, item->message, sizeof(w->message));
	health_fix(item, w->fix, sizeof(w->fix));
}

static bool health_seen_has(const struct erp_health_seen *list, unsigned int n,
			    const char *key)
{
	for (unsigned int i = 0; i < n; i++)
		if (strcmp(list[i].key, key) == 0)
			return true;
	return false;
}

void erp_health_log(struct erp_instance *inst)
{
	struct health_log_ctx ctx = {.inst = inst};

	erp_health_walk(inst, health_seen_add, &ctx);
	for (unsigned int i = 0; i < ctx.n; i++)
		if (!health_seen_has(inst->health_seen, inst->n_health_seen,
				     ctx.now[i].key) &&
		    !health_seen_has(ctx.now, i, ctx.now[i].key))
			zlog_warn("erpolicy: %s: health warning %s: %s%s",
				  inst->vrf, ctx.now[i].check,
				  ctx.now[i].message, ctx.now[i].fix);
	for (unsigned int i = 0; i < inst->n_health_seen; i++)
		if (!health_seen_has(ctx.now, ctx.n, inst->health_seen[i].key))
			zlog_notice("erpolicy: %s: health warning %s cleared (was: %s)",
				    inst->vrf, inst->health_seen[i].check,
				    inst->health_seen[i].message);
	XFREE(MTYPE_ERP_HEALTH, inst->health_seen);
	inst->health_seen = ctx.now;
	inst->n_health_seen = ctx.n;
}

