// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: health checks.  See erpolicy_health.h.
 */
#include <zebra.h>

#include "bgpd/bgpd.h"

#include "erpolicy.h"
#include "erpolicy_health.h"
#include "erpolicy_map_names.h"
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

	while ((peer = erp_peer_next(inst, peer)))
		peer_checks(inst, bgp, peer, fn, arg);
}

static bool attachment_check(const char *check)
{
	return strcmp(check, "legacyRouteMap") == 0 ||
	       strcmp(check, "notDeclared") == 0 ||
	       strcmp(check, "policyNotAttached") == 0;
}

static void attachment_log(const struct erp_health_item *item, void *arg)
{
	unsigned int *count = arg;

	if (!attachment_check(item->check))
		return;
	(*count)++;
	zlog_warn("erpolicy: %s", item->message);
}

static void attachment_count(const struct erp_health_item *item, void *arg)
{
	unsigned int *count = arg;

	if (attachment_check(item->check))
		(*count)++;
}

void erp_health_log_attachments(struct erp_instance *inst)
{
	struct bgp *bgp = erp_bgp_of(inst);
	unsigned int count = 0;

	if (!bgp)
		return;
	attachment_problems(inst, bgp, attachment_count, &count);
	if (count == inst->attach_warnings)
		return;
	if (count) {
		count = 0;
		attachment_problems(inst, bgp, attachment_log, &count);
	} else
		zlog_info("erpolicy: %s: every declared neighbor runs the module's maps, and only those",
			  inst->vrf);
	inst->attach_warnings = count;
}
