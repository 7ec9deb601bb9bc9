// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: CLI and show commands.
 *
 * Configuration commands only check their input and enqueue northbound
 * changes; erpolicy_nb_config.c applies them.  Show commands parse their
 * arguments and find the instance here; erpolicy_show.c reads what they
 * print and renders it as text or, with "json", as JSON.
 */
#include <zebra.h>

#include "command.h"
#include "hook.h"
#include "json.h"
#include "northbound_cli.h"
#include "sockunion.h"
#include "vty.h"

#include "bgpd/bgpd.h"

#include "erpolicy.h"
#include "erpolicy_debug.h"
#include "erpolicy_map_names.h"
#include "erpolicy_nb.h"
#include "erpolicy_peer.h"
#include "erpolicy_show.h"
#include "erpolicy_vty.h"

#ifndef VTYSH_EXTRACT_PL
#include "bgpd_erpolicy/erpolicy_vty_clippy.c"
#endif

#define ERP_STR "ExpressRoute/VPN path policy (bgpd_erpolicy)\n"

bool erp_debug;
/* "debug bgp erpolicy" given in configuration mode: part of the running
 * configuration (like bgpd's CONF_BGP_DEBUG; from enable mode it is for
 * the terminal only) */
static bool erp_debug_conf;

/* The instance xpath of the BGP instance the vty is in.  Every
 * configuration command starts here, so the candidate is prepared here. */
static bool instance_xpath(struct vty *vty, char *buf, size_t len)
{
	struct bgp *bgp = VTY_GET_CONTEXT(bgp);
	const char *vrf;
	char q;

	/* deleted by another session: the object may outlive "no router bgp"
	 * until its peers are gone, flagged as being deleted */
	if (!bgp || CHECK_FLAG(bgp->flags, BGP_FLAG_DELETE_IN_PROGRESS)) {
		vty_out(vty, "%% the BGP instance of this node no longer exists\n");
		return false;
	}
	vrf = erp_vrf_of(bgp);
	q = erp_xpath_quote(vrf);
	if (!q) {
		vty_out(vty,
			"%% erpolicy cannot be configured in VRF %s: its name holds both kinds of quote\n",
			vrf);
		return false;
	}
	erp_nb_prepare_config(vty->candidate_config);
	erp_nb_group_file_lines(vty);
	snprintf(buf, len, ERP_XPATH_INSTANCE, q, vrf, q);
	return true;
}

/* Enqueue a change of a leaf of this BGP instance's configuration;
 * leaf_fmt is relative to the instance. */
static bool enqueue_leaf(struct vty *vty, enum nb_operation op,
			 const char *value, const char *leaf_fmt, ...)
	PRINTFRR(4, 5);

static bool enqueue_leaf(struct vty *vty, enum nb_operation op,
			 const char *value, const char *leaf_fmt, ...)
{
	char base[160], leaf[256], xpath[XPATH_MAXLEN];
	va_list ap;

	va_start(ap, leaf_fmt);
	vsnprintfrr(leaf, sizeof(leaf), leaf_fmt, ap);
	va_end(ap);
	if (!instance_xpath(vty, base, sizeof(base)))
		return false;
	snprintf(xpath, sizeof(xpath), "%s/%s", base, leaf);
	nb_cli_enqueue_change(vty, xpath, op, value);
	return true;
}

/* A node of the candidate by its data path.  lyd_find_path() follows the
 * list keys through libyang's hash tables; yang_dnode_get() (an XPath
 * evaluation) compares every sibling: a declaration's check against
 * n earlier ones cost O(n), reading n lines O(n^2) (half of bgpd's CPU
 * reading 8,000 declarations). */
static const struct lyd_node *candidate(struct vty *vty, const char *xpath)
{
	struct lyd_node *match = NULL;

	if (!vty->candidate_config || !vty->candidate_config->dnode)
		return NULL;
	switch (lyd_find_path(vty->candidate_config->dnode, xpath, 0, &match)) {
	case LY_SUCCESS:
		return match;
	case LY_ENOTFOUND:
	case LY_EINCOMPLETE:
		return NULL;
	default: /* not a plain data path */
		return yang_dnode_get(vty->candidate_config->dnode, xpath);
	}
}

/*
 * A neighbor is named by address, interface or peer-group.  Addresses are
 * stored in bgpd's canonical form, so "2001:DB8::1" and "2001:db8::1" are the
 * same neighbor.
 */
static bool neighbor_name(struct vty *vty, const char *in, char *out,
			  size_t len)
{
	union sockunion su;
	bool looks_numeric = strspn(in, "0123456789.") == strlen(in) ||
			     strchr(in, ':') != NULL;

	if (str2sockunion(in, &su) == 0) {
		sockunion2str(&su, out, len);
		return true;
	}
	if (looks_numeric) {
		vty_out(vty, "%% %s is not a valid IPv4 or IPv6 address\n", in);
		return false;
	}
	if (strlen(in) >= 64) {
		vty_out(vty, "%% neighbor name %s is too long\n", in);
		return false;
	}
	if (!erp_xpath_quote(in)) {
		vty_out(vty,
			"%% neighbor name %s holds both kinds of quote: erpolicy cannot refer to it\n",
			in);
		return false;
	}
	strlcpy(out, in, len);
	return true;
}

/* The xpath of a declared neighbor in this BGP instance. */
static bool neighbor_xpath(struct vty *vty, const char *name, char *nbr,
			   size_t nbrlen, char *xpath, size_t len)
{
	char base[160];

	if (!neighbor_name(vty, name, nbr, nbrlen))
		return false;
	if (!instance_xpath(vty, base, sizeof(base)))
		return false;
	snprintf(xpath, len, "%s/neighbor[name=%c%s%c]", base,
		 erp_xpath_quote(nbr), nbr, erp_xpath_quote(nbr));
	return true;
}

/* Interactive help: what the operator still has to write for the
 * declaration to take effect. */
static void neighbor_notes(struct vty *vty, const char *nbr,
			   enum erp_role role)
{
	struct bgp *bgp = VTY_GET_CONTEXT(bgp);
	struct peer *peer = NULL;
	union sockunion su;

	if (!bgp || vty->type == VTY_FILE)
		return;
	if (str2sockunion(nbr, &su) == 0)
		peer = peer_lookup(bgp, &su);
	else
		peer = peer_lookup_by_conf_if(bgp, nbr);
	if (!peer && !peer_group_lookup(bgp, nbr)) {
		vty_out(vty,
			"%% note: no neighbor or peer-group %s exists (yet); the policy applies when it is configured\n",
			nbr);
		return;
	}
	if (!peer)
		peer = peer_group_lookup(bgp, nbr)->conf;
	for (int i = 0; i < ERP_AFI_MAX; i++) {
		afi_t afi = i == ERP_AFI_IPV6 ? AFI_IP6 : AFI_IP;

		if (!peer->afc[afi][SAFI_UNICAST])
			continue;
		for (int d = 0; d < ERP_DIR_MAX; d++) {
			const char *want = erp_rmap_name(d, role);
			const char *cur = erp_peer_rmap(peer, afi, d);

			if (cur && strcmp(cur, want) == 0)
				continue;
			vty_out(vty,
				"%% note: %s %s has %s; the policy applies once its address-family has \"neighbor %s route-map %s %s\"\n",
				nbr, erp_afi_name(i),
				cur ? cur : "no route-map", nbr, want,
				d == ERP_DIR_IN ? "in" : "out");
		}
	}
}

DEFPY_YANG(erp_neighbor, erp_neighbor_cmd,
	   "erpolicy neighbor <A.B.C.D|X:X::X:X|WORD>$name path <expressroute|vpn>$role",
	   ERP_STR
	   "A neighbor's path declaration and its own route-maps\n"
	   "Neighbor address\n"
	   "Neighbor IPv6 address\n"
	   "Interface name (unnumbered neighbor) or peer-group name\n"
	   "The path this neighbor belongs to\n"
	   "Azure ExpressRoute (MSEE, AS 12076)\n"
	   "Azure site-to-site VPN gateway\n")
{
	char xpath[XPATH_MAXLEN], nbr[64], err[256];
	const struct lyd_node *existing;
	int ret;

	if (!neighbor_xpath(vty, name, nbr, sizeof(nbr), xpath, sizeof(xpath)))
		return CMD_WARNING_CONFIG_FAILED;
	existing = candidate(vty, xpath);
	if (existing &&
	    erp_nb_path_conflict(nbr, yang_dnode_get_string(existing, "./path"),
				 role, err, sizeof(err))) {
		vty_out(vty, "%% %s\n", err);
		return CMD_WARNING_CONFIG_FAILED;
	}
	nb_cli_enqueue_change(vty, xpath, NB_OP_CREATE, NULL);
	strlcat(xpath, "/path", sizeof(xpath));
	nb_cli_enqueue_change(vty, xpath, NB_OP_MODIFY, role);
	ret = nb_cli_apply_changes(vty, NULL);
	if (ret == CMD_SUCCESS)
		neighbor_notes(vty, nbr, erp_role_from_name(role));
	return ret;
}

DEFPY_YANG(erp_neighbor_rmap, erp_neighbor_rmap_cmd,
	   "[no$no] erpolicy neighbor <A.B.C.D|X:X::X:X|WORD>$name route-map ![RMAP_NAME$rmap] <in|out>$dir",
	   NO_STR ERP_STR
	   "A neighbor's path declaration and its own route-maps\n"
	   "Neighbor address\n"
	   "Neighbor IPv6 address\n"
	   "Interface name (unnumbered neighbor) or peer-group name\n"
	   "The operator's own route-map, run inside the module's map\n"
	   "Route-map name\n"
	   "Routes received\n"
	   "Routes advertised\n")
{
	char xpath[XPATH_MAXLEN], nbr[64];

	if (!neighbor_xpath(vty, name, nbr, sizeof(nbr), xpath, sizeof(xpath)))
		return CMD_WARNING_CONFIG_FAILED;
	if (!candidate(vty, xpath)) {
		vty_out(vty,
			"%% neighbor %s has no erpolicy path; declare it first: erpolicy neighbor %s path <expressroute|vpn>\n",
			nbr, nbr);
		return CMD_WARNING_CONFIG_FAILED;
	}
	strlcat(xpath, strcmp(dir, "in") == 0 ? "/route-map-in" : "/route-map-out",
		sizeof(xpath));
	nb_cli_enqueue_change(vty, xpath, no ? NB_OP_DESTROY : NB_OP_MODIFY,
			      no ? NULL : rmap);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_erp_neighbor, no_erp_neighbor_cmd,
	   "no erpolicy neighbor <A.B.C.D|X:X::X:X|WORD>$name [path <expressroute|vpn>$role]",
	   NO_STR ERP_STR
	   "A neighbor's path declaration and its own route-maps\n"
	   "Neighbor address\n"
	   "Neighbor IPv6 address\n"
	   "Interface name (unnumbered neighbor) or peer-group name\n"
	   "The path this neighbor belongs to\n"
	   "Azure ExpressRoute\n"
	   "Azure site-to-site VPN gateway\n")
{
	char xpath[XPATH_MAXLEN], nbr[64];
	const struct lyd_node *existing;

	if (!neighbor_xpath(vty, name, nbr, sizeof(nbr), xpath, sizeof(xpath)))
		return CMD_WARNING_CONFIG_FAILED;
	existing = candidate(vty, xpath);
	if (!existing) {
		vty_out(vty, "%% neighbor %s has no erpolicy path\n", nbr);
		return CMD_WARNING_CONFIG_FAILED;
	}
	if (role && strcmp(yang_dnode_get_string(existing, "./path"), role)) {
		vty_out(vty, "%% neighbor %s is declared path %s, not %s\n", nbr,
			yang_dnode_get_string(existing, "./path"), role);
		return CMD_WARNING_CONFIG_FAILED;
	}
	nb_cli_enqueue_change(vty, xpath, NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(erp_lp_config, erp_lp_config_cmd,
	   "erpolicy local-preference expressroute (0-4294967295)$er vpn (0-4294967295)$vpn",
	   ERP_STR
	   "Local-preference of accepted routes, by path\n"
	   "Routes from ExpressRoute neighbors\n"
	   "Local-preference (default 200)\n"
	   "Routes from VPN neighbors\n"
	   "Local-preference (default 100)\n")
{
	if (!enqueue_leaf(vty, NB_OP_MODIFY, er_str,
			  "local-preference/expressroute"))
		return CMD_WARNING_CONFIG_FAILED;
	if (!enqueue_leaf(vty, NB_OP_MODIFY, vpn_str, "local-preference/vpn"))
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_erp_lp_config, no_erp_lp_config_cmd,
	   "no erpolicy local-preference [expressroute (0-4294967295) vpn (0-4294967295)]",
	   NO_STR ERP_STR
	   "Local-preference back to the defaults (200 and 100)\n"
	   "Routes from ExpressRoute neighbors\n"
	   "Local-preference\n"
	   "Routes from VPN neighbors\n"
	   "Local-preference\n")
{
	if (!enqueue_leaf(vty, NB_OP_DESTROY, NULL, "local-preference/expressroute"))
		return CMD_WARNING_CONFIG_FAILED;
	if (!enqueue_leaf(vty, NB_OP_DESTROY, NULL, "local-preference/vpn"))
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(erp_prefix, erp_prefix_cmd,
	   "[no$no] erpolicy <azure-prefix|onprem-prefix|prefer-vpn-prefix>$kind <A.B.C.D/M|X:X::X:X/M>$prefix [{ge (1-128)$ge|le (1-128)$le}]",
	   NO_STR ERP_STR
	   "A prefix Azure may send (when any are declared, others are denied)\n"
	   "An on-premises prefix (never accepted from Azure; the only ones advertised to it)\n"
	   "An Azure prefix whose traffic should use the VPN (exception)\n"
	   "IPv4 prefix\n"
	   "IPv6 prefix\n"
	   "Also match more specific prefixes of at least this length\n"
	   "Minimum prefix length\n"
	   "Also match more specific prefixes up to this length\n"
	   "Maximum prefix length\n")
{
	char base[160], xpath[512], leaf[XPATH_MAXLEN];
	char err[256], pstr[PREFIX_STRLEN];
	struct prefix p;

	if (str2prefix(prefix_str, &p) <= 0) {
		vty_out(vty, "%% malformed prefix %s\n", prefix_str);
		return CMD_WARNING_CONFIG_FAILED;
	}
	prefix2str(&p, pstr, sizeof(pstr));
	if (!instance_xpath(vty, base, sizeof(base)))
		return CMD_WARNING_CONFIG_FAILED;
	snprintf(xpath, sizeof(xpath), "%s/%s[prefix='%s']", base, kind, pstr);

	if (no) {
		if (!candidate(vty, xpath)) {
			vty_out(vty, "%% %s %s is not configured\n", kind, pstr);
			return CMD_WARNING_CONFIG_FAILED;
		}
		nb_cli_enqueue_change(vty, xpath, NB_OP_DESTROY, NULL);
		return nb_cli_apply_changes(vty, NULL);
	}

	if (!erp_prefix_rule_check(&p, ge_str ? ge : 0, le_str ? le : 0, err,
				   sizeof(err))) {
		vty_out(vty, "%% %s\n", err);
		return CMD_WARNING_CONFIG_FAILED;
	}
	if (erp_nb_prefix_conflict(candidate(vty, base), kind, pstr, err,
				   sizeof(err))) {
		vty_out(vty, "%% %s\n", err);
		return CMD_WARNING_CONFIG_FAILED;
	}
	nb_cli_enqueue_change(vty, xpath, NB_OP_CREATE, NULL);
	/* a bound not given is removed if the entry has it (FRR looks a
	 * destroyed node up by XPath evaluation, O(entries)) */
	snprintf(leaf, sizeof(leaf), "%s/ge", xpath);
	if (ge_str)
		nb_cli_enqueue_change(vty, leaf, NB_OP_MODIFY, ge_str);
	else if (candidate(vty, leaf))
		nb_cli_enqueue_change(vty, leaf, NB_OP_DESTROY, NULL);
	snprintf(leaf, sizeof(leaf), "%s/le", xpath);
	if (le_str)
		nb_cli_enqueue_change(vty, leaf, NB_OP_MODIFY, le_str);
	else if (candidate(vty, leaf))
		nb_cli_enqueue_change(vty, leaf, NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(erp_allow_default, erp_allow_default_cmd,
	   "[no$no] erpolicy allow-default-route",
	   NO_STR ERP_STR
	   "Accept the default route from ExpressRoute and VPN neighbors\n")
{
	if (!enqueue_leaf(vty, no ? NB_OP_DESTROY : NB_OP_MODIFY,
			  no ? NULL : "true", "allow-default-route"))
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(erp_maxlen, erp_maxlen_cmd,
	   "erpolicy maximum-prefix-length <ipv4 (1-32)$v4|ipv6 (1-128)$v6>",
	   ERP_STR
	   "Deny routes longer than this\n"
	   "IPv4\n"
	   "Longest IPv4 prefix accepted (default 32)\n"
	   "IPv6\n"
	   "Longest IPv6 prefix accepted (default 128)\n")
{
	if (!enqueue_leaf(vty, NB_OP_MODIFY, v4_str ? v4_str : v6_str,
			  "maximum-prefix-length/%s", v4_str ? "ipv4" : "ipv6"))
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_erp_maxlen, no_erp_maxlen_cmd,
	   "no erpolicy maximum-prefix-length <ipv4$v4 [(1-32)]|ipv6$v6 [(1-128)]>",
	   NO_STR ERP_STR
	   "Maximum prefix length back to the default\n"
	   "IPv4\n"
	   "Longest IPv4 prefix accepted\n"
	   "IPv6\n"
	   "Longest IPv6 prefix accepted\n")
{
	if (!enqueue_leaf(vty, NB_OP_DESTROY, NULL, "maximum-prefix-length/%s",
			  v4 ? "ipv4" : "ipv6"))
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(erp_holddown, erp_holddown_cmd,
	   "erpolicy failback hold-down (1-86400)$hd [maximum (1-86400)$max]",
	   ERP_STR
	   "Fail-back to ExpressRoute after a failure\n"
	   "Keep returning ExpressRoute less preferred than VPN until stable\n"
	   "Seconds ExpressRoute must stay up (a flap restarts the timer)\n"
	   "Double the hold-down after each flap, up to a maximum\n"
	   "Maximum hold-down in seconds\n")
{
	char err[256];

	if (erp_nb_holddown_invalid(hd, max_str ? max : 0, err, sizeof(err))) {
		vty_out(vty, "%% %s\n", err);
		return CMD_WARNING_CONFIG_FAILED;
	}
	if (!enqueue_leaf(vty, NB_OP_MODIFY, hd_str, "failback/hold-down"))
		return CMD_WARNING_CONFIG_FAILED;
	if (!enqueue_leaf(vty, max_str ? NB_OP_MODIFY : NB_OP_DESTROY, max_str,
			  "failback/hold-down-maximum"))
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_erp_holddown, no_erp_holddown_cmd,
	   "no erpolicy failback hold-down [(1-86400) [maximum (1-86400)]]",
	   NO_STR ERP_STR
	   "Fail-back to ExpressRoute after a failure\n"
	   "Fail back at once (no hold-down)\n"
	   "Seconds\n"
	   "Maximum\n"
	   "Seconds\n")
{
	if (!enqueue_leaf(vty, NB_OP_DESTROY, NULL, "failback/hold-down"))
		return CMD_WARNING_CONFIG_FAILED;
	if (!enqueue_leaf(vty, NB_OP_DESTROY, NULL, "failback/hold-down-maximum"))
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(erp_drain, erp_drain_cmd, "[no$no] erpolicy drain expressroute",
	   NO_STR ERP_STR
	   "Move traffic off a path without touching sessions\n"
	   "Make ExpressRoute less preferred than VPN (maintenance, failover drill)\n")
{
	if (!enqueue_leaf(vty, no ? NB_OP_DESTROY : NB_OP_MODIFY,
			  no ? NULL : "true", "drain-expressroute"))
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(erp_symmetric, erp_symmetric_cmd,
	   "erpolicy symmetric-failover <on$on|off>",
	   ERP_STR
	   "Withdraw on-prem prefixes from ExpressRoute while it is demoted and the VPN carries them\n"
	   "Azure's return traffic moves with on-prem's (default)\n"
	   "Keep advertising to ExpressRoute (Azure keeps returning over it)\n")
{
	if (!enqueue_leaf(vty, NB_OP_MODIFY, on ? "true" : "false",
			  "symmetric-failover"))
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_erp_symmetric, no_erp_symmetric_cmd,
	   "no erpolicy symmetric-failover [<on|off>]",
	   NO_STR ERP_STR
	   "Symmetric failover back to the default (on)\n"
	   "On\n"
	   "Off\n")
{
	if (!enqueue_leaf(vty, NB_OP_DESTROY, NULL, "symmetric-failover"))
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(erp_mode, erp_mode_cmd,
	   "[no] erpolicy mode <backup|active-active>$mode",
	   NO_STR ERP_STR
	   "How the two paths are used\n"
	   "ExpressRoute preferred, VPN as backup (default)\n"
	   "Equal preference on both paths (use with maximum-paths)\n")
{
	if (!enqueue_leaf(vty, no ? NB_OP_DESTROY : NB_OP_MODIFY, no ? NULL : mode,
			  "mode"))
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

#define ADV_STR "What is advertised to ExpressRoute and VPN neighbors\n"

DEFPY_YANG(erp_adv_flag, erp_adv_flag_cmd,
	   "[no$no] erpolicy advertise <default-route|allow-transit>$what",
	   NO_STR ERP_STR ADV_STR
	   "Advertise the default route to Azure\n"
	   "Advertise routes learned from one Azure path to the other\n")
{
	if (!enqueue_leaf(vty, no ? NB_OP_DESTROY : NB_OP_MODIFY,
			  no ? NULL : "true", "advertise/%s", what))
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(erp_adv_guard, erp_adv_guard_cmd,
	   "[no] erpolicy advertise symmetric-guard <filter|warn|off>$guard",
	   NO_STR ERP_STR ADV_STR
	   "Prefixes to VPN more specific than to ExpressRoute (asymmetric routing)\n"
	   "Do not advertise them to VPN (default)\n"
	   "Advertise them, count and log\n"
	   "No check\n")
{
	if (!enqueue_leaf(vty, no ? NB_OP_DESTROY : NB_OP_MODIFY, no ? NULL : guard,
			  "advertise/symmetric-guard"))
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(erp_adv_prepend, erp_adv_prepend_cmd,
	   "[no$no] erpolicy advertise vpn-prepend (1-10)$count",
	   NO_STR ERP_STR ADV_STR
	   "Prepend the own AS towards VPN neighbors\n"
	   "Times\n")
{
	if (!enqueue_leaf(vty, no ? NB_OP_DESTROY : NB_OP_MODIFY, no ? NULL : count_str,
			  "advertise/vpn-prepend"))
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(erp_adv_limit, erp_adv_limit_cmd,
	   "erpolicy advertise limit <expressroute|vpn>$role (1-1000000)$count",
	   ERP_STR ADV_STR
	   "Most prefixes advertised to one neighbor (Azure drops the session above its limit)\n"
	   "ExpressRoute neighbors (default 4000; 10000 with Premium)\n"
	   "VPN neighbors (default 4000)\n"
	   "Prefixes\n")
{
	if (!enqueue_leaf(vty, NB_OP_MODIFY, count_str, "advertise/limit/%s", role))
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(erp_adv_limit_opts, erp_adv_limit_opts_cmd,
	   "erpolicy advertise limit <action <stop|warn>$action|warning-threshold (1-100)$pct>",
	   ERP_STR ADV_STR
	   "Prefix-count guard\n"
	   "What happens at the limit\n"
	   "Stop advertising new prefixes (default)\n"
	   "Advertise anyway and log\n"
	   "Log a warning at this share of the limit\n"
	   "Percent (default 80)\n")
{
	char base[160], xpath[XPATH_MAXLEN];

	if (!instance_xpath(vty, base, sizeof(base)))
		return CMD_WARNING_CONFIG_FAILED;
	snprintf(xpath, sizeof(xpath), "%s/advertise/limit/%s", base,
		 action ? "action" : "warning-threshold");
	nb_cli_enqueue_change(vty, xpath, NB_OP_MODIFY,
			      action ? action : pct_str);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_erp_adv_limit, no_erp_adv_limit_cmd,
	   "no erpolicy advertise limit <expressroute|vpn|action|warning-threshold>$what [WORD]",
	   NO_STR ERP_STR ADV_STR
	   "Prefix-count guard\n"
	   "Back to 4000\n"
	   "Back to 4000\n"
	   "Back to stop\n"
	   "Back to 80%\n"
	   "Ignored value\n")
{
	if (!enqueue_leaf(vty, NB_OP_DESTROY, NULL, "advertise/limit/%s", what))
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_erp_all, no_erp_all_cmd, "no erpolicy",
	   NO_STR "Remove all erpolicy configuration of this BGP instance\n")
{
	char base[160];

	if (!instance_xpath(vty, base, sizeof(base)))
		return CMD_WARNING_CONFIG_FAILED;
	nb_cli_enqueue_change(vty, base, NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY(debug_erp, debug_erp_cmd, "[no$no] debug bgp erpolicy",
      NO_STR DEBUG_STR BGP_STR "bgpd_erpolicy decisions and attachments\n")
{
	if (vty->node == CONFIG_NODE)
		erp_debug_conf = !no;
	erp_debug = !no;
	return CMD_SUCCESS;
}

/*
 * "show debugging" and "write memory".  FRR 8.4 gives a module no hook into
 * either: bgpd's "show debugging [bgp]" (bgp_debug.c) prints a fixed list,
 * and the debug lines of the running configuration are written by the
 * config_write of bgpd's DEBUG_NODE, a static function.  So:
 * - after bgpd's "show debugging" has run (the cmd_execute_done hook of
 *   lib/command.c, exported by libfrr but declared only there, hence the
 *   declaration below), its list is completed with this module's line;
 * - the DEBUG_NODE's config_write is chained: bgpd's lines, then
 *   "debug bgp erpolicy" when set in configuration mode.  vtysh files every
 *   line starting with "debug" under its DEBUG_NODE, writes it to frr.conf
 *   and, knowing the command (vtysh/README.md), applies it at boot.
 */
DECLARE_KOOH(cmd_execute_done, (struct vty *vty, const char *cmd_exec),
	     (vty, cmd_exec));

/* cmd is "[do] show debugging [bgp]", abbreviations included. */
static bool is_show_debugging(const char *cmd)
{
	static const char *const words[] = {"show", "debugging", "bgp"};
	vector v = cmd_make_strvec(cmd);
	unsigned int first = 0, n;
	bool match;

	if (!v)
		return false;
	n = vector_active(v);
	if (n && strcmp(vector_slot(v, 0), "do") == 0)
		first = 1;
	match = n - first >= 2 && n - first <= 3;
	for (unsigned int i = first; match && i < n; i++) {
		const char *w = vector_slot(v, i);

		match = (i - first > 0 || strlen(w) >= 2) &&
			strncmp(words[i - first], w, strlen(w)) == 0;
	}
	cmd_free_strvec(v);
	return match;
}

static int erp_show_debugging(struct vty *vty, const char *cmd_exec)
{
	if (erp_debug && cmd_exec && is_show_debugging(cmd_exec))
		vty_out(vty, "  BGP erpolicy debugging is on\n");
	return 0;
}

static int (*bgp_debug_config_write)(struct vty *vty);

static int erp_debug_config_write(struct vty *vty)
{
	int write = bgp_debug_config_write ? bgp_debug_config_write(vty) : 0;

	if (erp_debug_conf) {
		vty_out(vty, "debug bgp erpolicy\n");
		write++;
	}
	return write;
}

static void erp_debug_init(void)
{
	struct cmd_node *node = vector_lookup(cmdvec, DEBUG_NODE);

	hook_register(cmd_execute_done, erp_show_debugging);
	if (node && node->config_write != erp_debug_config_write) {
		bgp_debug_config_write = node->config_write;
		node->config_write = erp_debug_config_write;
	} else if (!node)
		zlog_warn("erpolicy: bgpd has no debug node: \"debug bgp erpolicy\" is not saved with the configuration");
}

/* --- show ------------------------------------------------------------------- */

DEFPY(show_erp, show_erp_cmd,
      "show bgp [vrf NAME$vrf_name] erpolicy [neighbor <A.B.C.D|X:X::X:X|WORD>$nbr] [json$uj]",
      SHOW_STR BGP_STR
      "BGP VRF\n"
      "VRF name\n"
      "ExpressRoute/VPN path policy\n"
      "One neighbor in detail\n"
      "Neighbor address\n"
      "Neighbor IPv6 address\n"
      "Neighbor interface\n"
      JSON_STR)
{
	const char *vrf = vrf_name ? vrf_name : VRF_DEFAULT_NAME;
	struct erp_instance *inst = erp_instance_find(vrf);
	json_object *json = uj ? json_object_new_object() : NULL;
	struct erp_show_view view;
	char name[64];

	if (nbr) {
		if (!neighbor_name(vty, nbr, name, sizeof(name))) {
			json_object_free(json);
			return CMD_WARNING;
		}
		if (!inst || !erp_peer_lookup(inst, name)) {
			if (json)
				vty_json(vty, json);
			else
				vty_out(vty,
					"%% %s is not a neighbor with an erpolicy path in BGP instance %s\n",
					name, vrf);
			return CMD_WARNING;
		}
	}
	if (!inst) {
		if (json)
			vty_json(vty, json);
		else
			vty_out(vty,
				"erpolicy is not configured for BGP instance %s\n",
				vrf);
		return CMD_SUCCESS;
	}
	erp_show_view_build(inst, nbr ? name : NULL, &view);
	if (json) {
		erp_show_json(json, &view);
		vty_json(vty, json);
	} else {
		erp_show_text(vty, &view);
		if (erp_debug)
			vty_out(vty, "\nDebugging: bgp erpolicy is on\n");
	}
	erp_show_view_free(&view);
	return CMD_SUCCESS;
}

/* The instance a show command is about; prints why there is none. */
static struct erp_instance *show_instance_of(struct vty *vty,
					     const char *vrf_name,
					     json_object *json)
{
	const char *vrf = vrf_name ? vrf_name : VRF_DEFAULT_NAME;
	struct erp_instance *inst = erp_instance_find(vrf);

	if (!inst && !json)
		vty_out(vty, "erpolicy is not configured for BGP instance %s\n",
			vrf);
	return inst;
}

DEFPY(show_erp_events, show_erp_events_cmd,
      "show bgp [vrf NAME$vrf_name] erpolicy events [json$uj]",
      SHOW_STR BGP_STR
      "BGP VRF\n"
      "VRF name\n"
      "ExpressRoute/VPN path policy\n"
      "Failover, fail-back, hold-down and drain history\n"
      JSON_STR)
{
	json_object *json = uj ? json_object_new_object() : NULL;
	struct erp_instance *inst = show_instance_of(vty, vrf_name, json);

	if (json) {
		if (inst)
			erp_show_events_json(json, inst);
		vty_json(vty, json);
	} else if (inst)
		erp_show_events_text(vty, inst);
	return CMD_SUCCESS;
}

DEFPY(show_erp_prefixes, show_erp_prefixes_cmd,
      "show bgp [vrf NAME$vrf_name] erpolicy prefixes [<A.B.C.D/M|X:X::X:X/M>$pfx] [json$uj]",
      SHOW_STR BGP_STR
      "BGP VRF\n"
      "VRF name\n"
      "ExpressRoute/VPN path policy\n"
      "Azure prefixes: paths, best, intended path\n"
      "IPv4 prefix\n"
      "IPv6 prefix\n"
      JSON_STR)
{
	json_object *json = uj ? json_object_new_object() : NULL;
	struct erp_instance *inst = show_instance_of(vty, vrf_name, json);
	unsigned int rows;
	struct prefix p;

	if (!inst) {
		if (json)
			vty_json(vty, json);
		return CMD_SUCCESS;
	}
	if (pfx_str && str2prefix(pfx_str, &p) <= 0) {
		vty_out(vty, "%% malformed prefix %s\n", pfx_str);
		json_object_free(json);
		return CMD_WARNING;
	}
	if (pfx_str)
		apply_mask(&p);
	if (json) {
		rows = erp_show_prefixes_json(json, inst, pfx_str ? &p : NULL);
		vty_json(vty, json);
	} else
		rows = erp_show_prefixes_text(vty, inst, pfx_str ? &p : NULL);
	if (pfx_str && !rows)
		return CMD_WARNING;
	return CMD_SUCCESS;
}

DEFPY(show_erp_overlaps, show_erp_overlaps_cmd,
      "show bgp [vrf NAME$vrf_name] erpolicy overlaps [json$uj]",
      SHOW_STR BGP_STR
      "BGP VRF\n"
      "VRF name\n"
      "ExpressRoute/VPN path policy\n"
      "On-prem/Azure overlaps and ExpressRoute/VPN differences\n"
      JSON_STR)
{
	json_object *json = uj ? json_object_new_object() : NULL;
	struct erp_instance *inst = show_instance_of(vty, vrf_name, json);

	if (json) {
		if (inst)
			erp_show_overlaps_json(json, inst);
		vty_json(vty, json);
	} else if (inst)
		erp_show_overlaps_text(vty, inst);
	return CMD_SUCCESS;
}

int erp_config_write(struct bgp *bgp, struct vty *vty)
{
	const struct lyd_node *dnode = erp_nb_running_instance(erp_vrf_of(bgp));

	/* every node: the callbacks print what was written (see
	 * erpolicy_nb_config.c), implicit defaults excluded */
	if (dnode)
		nb_cli_show_dnode_cmds(vty, dnode, true);
	return 0;
}

void erp_vty_init(void)
{
	install_element(BGP_NODE, &erp_neighbor_cmd);
	install_element(BGP_NODE, &no_erp_neighbor_cmd);
	install_element(BGP_NODE, &erp_neighbor_rmap_cmd);
	install_element(BGP_NODE, &erp_lp_config_cmd);
	install_element(BGP_NODE, &no_erp_lp_config_cmd);
	install_element(BGP_NODE, &erp_prefix_cmd);
	install_element(BGP_NODE, &erp_allow_default_cmd);
	install_element(BGP_NODE, &erp_maxlen_cmd);
	install_element(BGP_NODE, &no_erp_maxlen_cmd);
	install_element(BGP_NODE, &no_erp_all_cmd);
	install_element(BGP_NODE, &erp_holddown_cmd);
	install_element(BGP_NODE, &no_erp_holddown_cmd);
	install_element(BGP_NODE, &erp_drain_cmd);
	install_element(BGP_NODE, &erp_symmetric_cmd);
	install_element(BGP_NODE, &no_erp_symmetric_cmd);
	install_element(BGP_NODE, &erp_mode_cmd);
	install_element(BGP_NODE, &erp_adv_flag_cmd);
	install_element(BGP_NODE, &erp_adv_guard_cmd);
	install_element(BGP_NODE, &erp_adv_prepend_cmd);
	install_element(BGP_NODE, &erp_adv_limit_cmd);
	install_element(BGP_NODE, &erp_adv_limit_opts_cmd);
	install_element(BGP_NODE, &no_erp_adv_limit_cmd);
	erp_debug_init();
	install_element(ENABLE_NODE, &debug_erp_cmd);
	install_element(CONFIG_NODE, &debug_erp_cmd);
	install_element(VIEW_NODE, &show_erp_cmd);
	install_element(VIEW_NODE, &show_erp_events_cmd);
	install_element(VIEW_NODE, &show_erp_prefixes_cmd);
	install_element(VIEW_NODE, &show_erp_overlaps_cmd);
}
