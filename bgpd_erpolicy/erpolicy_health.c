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

/*
 * Peers that run a map of this module without being declared with its
 * path (everything denied), or a map named like the generated maps of
 * bgpd_erpolicy 0.x (erpolicy-ROLE@VRF+USERMAP, no longer built: bgpd
 * denies everything through a name that resolves to no map).
 */
static const char *legacy_fmt =
	"neighbor %s %s has route-map %s %s, which bgpd_erpolicy no longer builds (everything is denied): attach \"%s\" or \"%s\" instead and name your own map in \"erpolicy neighbor %s route-map NAME %s\" (see the upgrade notes; scripts/erpolicy-migrate-config rewrites a configuration file)";

static void undeclared_maps(struct erp_instance *inst, struct bgp *bgp,
			    void (*fn)(const struct erp_health_item *, void *),
			    void *arg)
{
	struct listnode *node;
	struct peer *peer;

	for (ALL_LIST_ELEMENTS_RO(bgp->peer, node, peer))
		for (int i = 0; i < ERP_AFI_MAX; i++)
			for (int d = 0; d < ERP_DIR_MAX; d++) {
				const char *name =
					erp_peer_rmap(peer, erp_bgp_afi(i), d);
				enum erp_role role, declared;
				enum erp_dir mdir;
				const char *host = peer->conf_if ? peer->conf_if
								 : peer->host;

				if (!name || !erp_rmap_reserved(name))
					continue;
				if (!erp_rmap_lookup_name(name, &mdir, &role) ||
				    (int)mdir != d) {
					emit(fn, arg, "legacyRouteMap", host,
					     legacy_fmt, host, erp_afi_name(i), name,
					     d == ERP_DIR_IN ? "in" : "out",
					     erp_rmap_name(d, ERP_ROLE_EXPRESSROUTE),
					     erp_rmap_name(d, ERP_ROLE_VPN), host,
					     d == ERP_DIR_IN ? "in" : "out");
					continue;
				}
				declared = erp_peer_role(inst, peer, NULL);
				if (declared != role)
					emit(fn, arg, "notDeclared", host,
					     "neighbor %s %s has route-map %s %s but is %s%s: everything is %s",
					     host, erp_afi_name(i), name,
					     d == ERP_DIR_IN ? "in" : "out",
					     declared == ERP_ROLE_NONE
						     ? "not declared"
						     : "declared path ",
					     declared == ERP_ROLE_NONE
						     ? ""
						     : erp_role_name(declared),
					     d == ERP_DIR_IN ? "denied"
							     : "held back");
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
		for (int d = 0; d < ERP_DIR_MAX; d++) {
			const char *rmap = erp_peer_rmap(peer, afi, d);

			if (erp_peer_attached_role(peer, afi, d) == role)
				continue;
			emit(fn, arg, "policyNotAttached", name,
			     "%s neighbor %s %s has %s %s: the policy is not applied; write \"neighbor %s route-map %s %s\" in its address-family",
			     erp_role_name(role), name, erp_afi_name(i),
			     rmap ? "route-map" : "no route-map",
			     rmap ? rmap : (d == ERP_DIR_IN ? "in" : "out"),
			     name, erp_rmap_name(d, role),
			     d == ERP_DIR_IN ? "in" : "out");
		}
		if (peer->weight[afi][SAFI_UNICAST])
			emit(fn, arg, "weightSet", name,
			     "neighbor %s has weight %lu in %s: weight overrides the module's local-preference",
			     name, peer->weight[afi][SAFI_UNICAST],
			     erp_afi_name(i));
		if (!CHECK_FLAG(peer->af_flags[afi][SAFI_UNICAST],
				PEER_FLAG_SOFT_RECONFIG) &&
		    peer_established(peer) &&
		    !CHECK_FLAG(peer->cap, PEER_CAP_REFRESH_OLD_RCV |
						   PEER_CAP_REFRESH_NEW_RCV))
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
		undeclared_maps(inst, bgp, fn, arg);

	while ((peer = erp_peer_next(inst, peer)))
		peer_checks(inst, bgp, peer, fn, arg);
}

static void legacy_log(const struct erp_health_item *item, void *arg)
{
	unsigned int *count = arg;

	if (strcmp(item->check, "legacyRouteMap") != 0 &&
	    strcmp(item->check, "notDeclared") != 0)
		return;
	(*count)++;
	zlog_warn("erpolicy: %s", item->message);
}

static void legacy_count(const struct erp_health_item *item, void *arg)
{
	unsigned int *count = arg;

	if (strcmp(item->check, "legacyRouteMap") == 0 ||
	    strcmp(item->check, "notDeclared") == 0)
		(*count)++;
}

void erp_health_log_attachments(struct erp_instance *inst)
{
	struct bgp *bgp = erp_bgp_of(inst);
	unsigned int count = 0;

	if (!bgp)
		return;
	undeclared_maps(inst, bgp, legacy_count, &count);
	if (count == inst->attach_warnings)
		return;
	if (count) {
		count = 0;
		undeclared_maps(inst, bgp, legacy_log, &count);
	} else
		zlog_info("erpolicy: %s: every attached erpolicy route-map now matches a declaration",
			  inst->vrf);
	inst->attach_warnings = count;
}
