"""An emulated on-prem edge with Azure ExpressRoute and VPN neighbors.

    msee1 (AS 12076) --- 192.0.2.0/30 ----.
    msee2 (AS 12076) --- 192.0.2.4/30 ----+-- edge (AS 65010, bgpd -M erpolicy)
    vpngw (AS 65515) --- 198.51.100.0/30 -+
    vpngw2 (AS 65515) -- 198.51.100.4/30 -'  (a second VPN gateway, where asked)

Each Azure side originates the same Azure prefixes (plus, where a test asks,
routes the module must refuse).  IPv6 runs on parallel sessions.  Builders
here only produce configuration text and wire the lab; tests assert.
"""

import os

from lib import lab as labmod

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def build_dir(target=None):
    """The module's build directory for a build target: build/obj for the
    host's FRR, build/targets/TARGET/obj for a Debian root's."""
    return labmod.target_obj(target)


MODULE_DIR = os.environ.get("ERPOLICY_MODULEDIR",
                            os.path.join(build_dir(), ".libs"))

EDGE_AS = 65010
MSEE_AS = 12076
VPN_AS = 65515

# name -> (edge address, peer address, edge v6, peer v6, AS)
PEERS = {
    "msee1": ("192.0.2.2", "192.0.2.1", "2001:db8:e1::2", "2001:db8:e1::1",
              MSEE_AS, 30),
    "msee2": ("192.0.2.6", "192.0.2.5", "2001:db8:e2::2", "2001:db8:e2::1",
              MSEE_AS, 30),
    "vpngw": ("198.51.100.2", "198.51.100.1", "2001:db8:f1::2",
              "2001:db8:f1::1", VPN_AS, 30),
    "vpngw2": ("198.51.100.6", "198.51.100.5", "2001:db8:f2::2",
               "2001:db8:f2::1", VPN_AS, 30),
}

AZURE_V4 = ["10.100.0.0/16", "10.100.1.0/24"]
AZURE_V6 = ["2001:db8:100::/48"]

TIMERS = " timers bgp 3 9\n"


def module_args():
    so = os.path.join(MODULE_DIR, "bgpd_erpolicy.so")
    if not os.path.exists(so):
        raise labmod.LabError("module not built: %s (run scripts/build.sh)"
                              % so)
    return ["--moduledir", MODULE_DIR, "-M", "erpolicy"]


def azure_conf(name, v4=(), v6=(), extra="", ipv4_extra=""):
    """bgpd.conf of an emulated Azure router: originates v4/v6 prefixes to
    the edge, no policy needed.  ipv4_extra: more lines in its IPv4
    address family (EDGE4 in them stands for the edge's address)."""
    edge4, me4, edge6, me6, asn, _ = PEERS[name]
    nets4 = "".join("  network %s\n" % p for p in v4)
    nets6 = "".join("  network %s\n" % p for p in v6)
    return f"""\
router bgp {asn}
 bgp router-id {me4}
 no bgp default ipv4-unicast
 no bgp ebgp-requires-policy
 no bgp network import-check
{TIMERS} neighbor {edge4} remote-as {EDGE_AS}
 neighbor {edge4} timers connect 1
 neighbor {edge4} advertisement-interval 0
 neighbor {edge6} remote-as {EDGE_AS}
 neighbor {edge6} timers connect 1
 neighbor {edge6} advertisement-interval 0
 address-family ipv4 unicast
  neighbor {edge4} activate
{nets4}{ipv4_extra.replace("EDGE4", edge4)} exit-address-family
 address-family ipv6 unicast
  neighbor {edge6} activate
{nets6} exit-address-family
{extra}!
"""


def edge_neighbors(names):
    """The neighbor statements of the edge for the given Azure routers."""
    out = ""
    for n in names:
        edge4, peer4, edge6, peer6, asn, _ = PEERS[n]
        for addr in (peer4, peer6):
            out += (f" neighbor {addr} remote-as {asn}\n"
                    f" neighbor {addr} timers connect 1\n"
                    f" neighbor {addr} advertisement-interval 0\n")
    return out


def role_of(name):
    return "vpn" if name.startswith("vpn") else "expressroute"


def attach_lines(addr, role):
    """What the user guide tells operators to write in each address family
    of a declared neighbor: the module's maps of its path."""
    return ("  neighbor %s route-map erpolicy-%s in\n"
            "  neighbor %s route-map erpolicy-out-%s out\n"
            % (addr, role, addr, role))


def edge_af(names, ipv4_extra="", ipv6_extra="", attach=True):
    """Address families of the edge; attach: the module's maps on every
    Azure neighbor (as the user guide's configuration has them)."""
    v4 = v6 = ""
    for n in names:
        v4 += "  neighbor %s activate\n" % PEERS[n][1]
        v6 += "  neighbor %s activate\n" % PEERS[n][3]
        if attach:
            v4 += attach_lines(PEERS[n][1], role_of(n))
            v6 += attach_lines(PEERS[n][3], role_of(n))
    return (" address-family ipv4 unicast\n" + v4 + ipv4_extra +
            " exit-address-family\n"
            " address-family ipv6 unicast\n" + v6 + ipv6_extra +
            " exit-address-family\n")


def erpolicy_lines(names, v4=("10.100.0.0/16 le 24",),
                   v6=("2001:db8:100::/48 le 64",),
                   onprem=("172.16.0.0/12 le 32", "fd00:aaaa::/32 le 128"),
                   lp="200 vpn 100"):
    out = ""
    for n in names:
        role = role_of(n)
        out += " erpolicy neighbor %s path %s\n" % (PEERS[n][1], role)
        out += " erpolicy neighbor %s path %s\n" % (PEERS[n][3], role)
    out += " erpolicy local-preference expressroute %s\n" % lp
    for p in v4 + v6:
        out += " erpolicy azure-prefix %s\n" % p
    for p in onprem:
        out += " erpolicy onprem-prefix %s\n" % p
    return out


def edge_conf(names, erpolicy=None, before="", ipv4_extra="", extra="",
              attach=True, ipv6_extra=""):
    if erpolicy is None:
        erpolicy = erpolicy_lines(names)
    return f"""\
{before}router bgp {EDGE_AS}
 bgp router-id 10.0.0.1
 no bgp default ipv4-unicast
{TIMERS}{edge_neighbors(names)}{edge_af(names, ipv4_extra, ipv6_extra, attach=attach)}{erpolicy}{extra}!
"""


def build(lab, names=("msee1", "vpngw"), edge_bgpd="", azure=None, bfd=False,
          bridged=(), module=True):
    """Create the routers and links (not started).  azure: name -> bgpd
    conf; defaults to the Azure prefixes from each.  module=False: the
    edge's bgpd runs without the module (a stock reference)."""
    edge = lab.add_router("edge", bgpd_conf=edge_bgpd,
                          bgpd_args=module_args() if module else [],
                          bfd=bfd)
    routers = {"edge": edge}
    for n in names:
        conf = (azure or {}).get(n) or azure_conf(n, AZURE_V4, AZURE_V6)
        routers[n] = lab.add_router(n, bgpd_conf=conf, bfd=bfd)
        edge4, peer4, edge6, peer6, _, plen = PEERS[n]
        routers[n + "_link"] = lab.link(
            edge, routers[n],
            a_addrs=["%s/%d" % (edge4, plen), "%s/64" % edge6],
            b_addrs=["%s/%d" % (peer4, plen), "%s/64" % peer6],
            bridged=n in bridged)
    return routers


def established(router, addrs):
    """Predicate: every neighbor in addrs is Established on router."""
    def check():
        summ = router.show_json("show bgp neighbors")
        return all(summ.get(a, {}).get("bgpState") == "Established"
                   for a in addrs)
    return check


def paths(router, prefix, afi="ipv4"):
    """The paths of prefix in router's BGP table (list of dicts)."""
    data = router.show_json("show bgp %s unicast %s" % (afi, prefix))
    return data.get("paths", [])


def best_path(router, prefix, afi="ipv4"):
    for p in paths(router, prefix, afi):
        if p.get("bestpath", {}).get("overall"):
            return p
    return None


def path_from(router, prefix, peer, afi="ipv4"):
    for p in paths(router, prefix, afi):
        if p.get("peer", {}).get("peerId") == peer:
            return p
    return None


def kernel_gateway(node, prefix):
    """The gateway of node's kernel route to prefix, or None."""
    fam = "-6" if ":" in prefix else "-4"
    routes = node.ip_json(fam, "route", "show", prefix)
    for r in routes:
        if r.get("gateway"):
            return r["gateway"]
        for nh in r.get("nexthops", []):
            if nh.get("gateway"):
                return nh["gateway"]
    return None


def erpolicy(router, vrf=None):
    cmd = "show bgp erpolicy" if not vrf else "show bgp vrf %s erpolicy" % vrf
    return router.show_json(cmd)


def module_memory_usage(router):
    """{mtype description: (count, total bytes)} of the module's memory
    group, from bgpd's 'show memory'."""
    out = router.vty("show memory")
    usage, inside = {}, False
    for line in out.splitlines():
        if line.startswith("--- qmem "):
            inside = "erpolicy" in line
            continue
        if inside and ":" in line:
            name, rest = line.split(":", 1)
            fields = rest.split()
            if len(fields) >= 3 and fields[0].isdigit():
                usage[name.strip()] = (int(fields[0]), int(fields[2]))
    return usage


def module_memory(router):
    """{mtype description: count} of the module's memory group."""
    return {k: v[0] for k, v in module_memory_usage(router).items()}


def json_diff(a, b, path=""):
    """Human-readable differences between two JSON-like values (for
    failure messages of tests that compare snapshots)."""
    if type(a) is not type(b):
        return ["%s: %r != %r" % (path, a, b)]
    if isinstance(a, dict):
        out = []
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                out.append("%s/%s: only %s" % (path, k,
                                               "after" if k in b
                                               else "before"))
            else:
                out += json_diff(a[k], b[k], "%s/%s" % (path, k))
        return out
    if isinstance(a, list):
        if len(a) != len(b):
            return ["%s: %d items != %d items: %r != %r"
                    % (path, len(a), len(b), a, b)]
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out += json_diff(x, y, "%s[%d]" % (path, i))
        return out
    return [] if a == b else ["%s: %r != %r" % (path, a, b)]


# --- an emulated Azure VNet behind the Azure routers ------------------------
#
#    edge --- msee1 ---.
#    edge --- msee2 ---+--- vnet (the Azure host AZURE_HOST on lo)
#    edge --- vpngw ---'
#
# The VNet hears the on-prem prefixes from the three Azure routers and, like
# Azure, prefers ExpressRoute over VPN for the same prefix whatever the AS
# path (local-preference 200 on what the MSEEs send, 100 on the VPN's): so
# the packets Azure sends back to on-prem take the path Azure would choose.
# The on-prem site is a host namespace (ONPREM_HOST) behind the edge, which
# advertises its prefix.

VNET_AS = 65200
AZURE_HOST = "10.100.1.1"
ONPREM_HOST = "172.16.1.10"  # a host of the on-prem site ...
ONPREM_GW = "172.16.1.1"     # ... behind the edge
ONPREM_PFX = "172.16.1.0/24"
# Azure router -> (its address, the VNet's address) on their /30
VNET_LINKS = {
    "msee1": ("10.255.1.1", "10.255.1.2"),
    "msee2": ("10.255.2.1", "10.255.2.2"),
    "vpngw": ("10.255.3.1", "10.255.3.2"),
}


def azure_conf_to_vnet(name, v4=AZURE_V4, v6=AZURE_V6):
    """bgpd.conf of an Azure router that also passes the on-prem prefixes
    it hears from the edge to the VNet."""
    me, vnet = VNET_LINKS[name]
    extra = (f" neighbor {vnet} remote-as {VNET_AS}\n"
             f" neighbor {vnet} timers connect 1\n"
             f" neighbor {vnet} advertisement-interval 0\n"
             " address-family ipv4 unicast\n"
             f"  neighbor {vnet} activate\n"
             " exit-address-family\n")
    return azure_conf(name, v4, v6, extra=extra)


def vnet_conf(names):
    """bgpd.conf of the VNet: on-prem prefixes only, ExpressRoute preferred,
    nothing advertised back."""
    out = (f"ip prefix-list ONPREM seq 5 permit 172.16.0.0/12 le 32\n"
           "route-map FROM-ER permit 10\n"
           " match ip address prefix-list ONPREM\n"
           " set local-preference 200\n"
           "route-map FROM-VPN permit 10\n"
           " match ip address prefix-list ONPREM\n"
           " set local-preference 100\n"
           "route-map NOTHING deny 10\n"
           f"router bgp {VNET_AS}\n"
           " bgp router-id 10.255.0.1\n"
           " no bgp default ipv4-unicast\n"
           " no bgp ebgp-requires-policy\n"
           f"{TIMERS}")
    af = ""
    for n in names:
        peer, _ = VNET_LINKS[n]
        asn = PEERS[n][4]
        out += (f" neighbor {peer} remote-as {asn}\n"
                f" neighbor {peer} timers connect 1\n"
                f" neighbor {peer} advertisement-interval 0\n")
        af += (f"  neighbor {peer} activate\n"
               f"  neighbor {peer} route-map "
               f"{'FROM-VPN' if role_of(n) == 'vpn' else 'FROM-ER'} in\n"
               f"  neighbor {peer} route-map NOTHING out\n")
    return out + " address-family ipv4 unicast\n" + af + \
        " exit-address-family\n!\n"


def build_with_vnet(lab, edge_bgpd, names=("msee1", "msee2", "vpngw")):
    """build() plus the VNet, its links to the Azure routers (each with a
    route to the Azure host through it) and the edge's on-prem host.
    Reverse-path filtering is off in the lab's namespaces: the point is to
    see each direction take its own path."""
    r = build(lab, names=names, edge_bgpd=edge_bgpd,
              azure={n: azure_conf_to_vnet(n) for n in names})
    vnet = lab.add_router("vnet", bgpd_conf=vnet_conf(names))
    r["vnet"] = vnet
    vnet.exec(["ip", "addr", "add", AZURE_HOST + "/32", "dev", "lo"])
    for n in names:
        me, there = VNET_LINKS[n]
        r[n + "_vnet_link"] = lab.link(r[n], vnet, a_addrs=[me + "/30"],
                                       b_addrs=[there + "/30"])
        r[n].exec(["ip", "route", "add", AZURE_HOST + "/32", "via", there])
    edge = r["edge"]
    site = lab.add_host("site")
    r["site"] = site
    lab.link(edge, site, a_addrs=[ONPREM_GW + "/24"],
             b_addrs=[ONPREM_HOST + "/24"])
    site.exec(["ip", "route", "add", "default", "via", ONPREM_GW])
    for node in [edge, vnet, site] + [r[n] for n in names]:
        node.exec(["sh", "-c", "for f in /proc/sys/net/ipv4/conf/*/rp_filter;"
                   " do echo 0 > $f; done"])
    return r


def if_packets(node, ifname):
    """(tx, rx) packet counters of an interface of node."""
    st = node.ip_json("-s", "link", "show", "dev", ifname)[0]["stats64"]
    return st["tx"]["packets"], st["rx"]["packets"]
