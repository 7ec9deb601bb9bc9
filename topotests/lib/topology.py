"""Declarative lab topologies (lab/topologies/*.yaml): load, check, build.

A topology file describes the ExpressRoute circuits (MSEEs per circuit),
the VPN gateway instances, BFD and timers per neighbor, the prefixes on each
side, the edge's erpolicy configuration and a scenario of steps (fail a
link, silence an MSEE, drain, restore) with the outcome each step must
reach.  The file format is documented in doc/user-guide.rst ("Lab topology
files"); lab/topology_lab.py runs a file.

load() checks everything before anything is started and raises
TopologyError with every problem found (file, key path, what is wrong).
build() creates the namespaces and daemons in a labmod.Lab (not started).

Addresses are assigned, not written in the file: the k-th MSEE (over all
circuits, in file order) gets 192.0.2.(4k+1)/30 with the edge at .(4k+2),
the j-th VPN gateway 198.51.100.(4j+1)/30 (edge .(4j+2)), and the n-th Azure
router 100.64.(n+1).1/30 towards the emulated VNet (.2).  For the shipped
demo these are the addresses lab/er_failover_lab.py uses.
"""

import difflib
import ipaddress
import os
import re

try:
    import yaml
except ImportError:  # python3-yaml is a Debian package; JSON still works
    yaml = None

from lib import azure

EDGE_AS, MSEE_AS, VPN_AS, VNET_AS = 65010, 12076, 65515, 65200
ROLES = ("expressroute", "vpn")
STATES = ("expressroute", "vpn", "hold-down", "drained", "none")
EVENTS = ("path-up", "failover", "failback", "paths-lost",
          "hold-down-start", "hold-down-restart", "hold-down-expired",
          "drain", "undrain", "withdraw-from-er", "restore-to-er")
HEALTH = ("erNotPreferred", "noOnpremPrefixes", "vpnPreferenceZero",
          "legacyRouteMap", "notDeclared", "policyNotAttached",
          "noAzurePrefixes", "erNoBfd", "vpnTimers", "weightSet",
          "noReevaluation", "azurePrefixLimit", "erRemoteAs", "vpnRemoteAs",
          "erGracefulRestart", "vpnGracefulRestart")
NAME_RE = re.compile(r"^[a-z][a-z0-9]{0,9}$")
RESERVED_NAMES = ("edge", "vnet", "onprem", "azvm", "sw")
DEFAULT_TIMERS = {"keepalive": 3, "hold": 9, "connect": 1}
DEFAULT_WITHIN = 15.0


class TopologyError(Exception):
    """A topology file that cannot be run; str() lists every problem."""

    def __init__(self, path, problems):
        self.path = path
        self.problems = problems
        super().__init__("%s: %d problem(s):\n%s" % (
            path, len(problems), "\n".join("  - " + p for p in problems)))


# ---------------------------------------------------------------------------
# schema: key -> (required, checker).  A checker gets (value, where, errs)
# and returns the normalised value.


class _Errs(list):
    def add(self, where, text):
        self.append("%s: %s" % (where or "(top level)", text))


def _mapping(spec):
    def check(v, where, errs):
        if not isinstance(v, dict):
            errs.add(where, "must be a mapping (key: value), not %s"
                     % type(v).__name__)
            return None
        out = {}
        for k in v:
            if k not in spec:
                near = difflib.get_close_matches(str(k), spec, 1)
                errs.add(where, "unknown key %r%s (allowed: %s)"
                         % (k, " (did you mean %r?)" % near[0] if near
                            else "", ", ".join(sorted(spec))))
        for k, (required, checker) in spec.items():
            w = "%s.%s" % (where, k) if where else k
            if k in v:
                out[k] = checker(v[k], w, errs)
            elif required:
                errs.add(where, "missing required key %r" % k)
        return out
    return check


def _list(item, min_len=0):
    def check(v, where, errs):
        if not isinstance(v, list):
            errs.add(where, "must be a list, not %s" % type(v).__name__)
            return []
        if len(v) < min_len:
            errs.add(where, "needs at least %d item(s)" % min_len)
        return [item(x, "%s[%d]" % (where, i), errs)
                for i, x in enumerate(v)]
    return check


def _str(v, where, errs):
    if not isinstance(v, str) or not v.strip():
        errs.add(where, "must be a non-empty string")
        return None
    return v


def _name(v, where, errs):
    if not isinstance(v, str) or not NAME_RE.match(v):
        errs.add(where, "%r is not a valid name (lower-case letter, then "
                 "up to 9 lower-case letters or digits)" % (v,))
        return None
    if v in RESERVED_NAMES:
        errs.add(where, "%r is reserved for the lab's own nodes" % v)
        return None
    return v


def _bool(v, where, errs):
    if not isinstance(v, bool):
        errs.add(where, "must be true or false, not %r" % (v,))
        return None
    return v


def _int(lo, hi):
    def check(v, where, errs):
        if isinstance(v, bool) or not isinstance(v, int) or \
                not lo <= v <= hi:
            errs.add(where, "must be an integer from %d to %d, not %r"
                     % (lo, hi, v))
            return None
        return v
    return check


def _number(lo, hi):
    def check(v, where, errs):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or \
                not lo <= v <= hi:
            errs.add(where, "must be a number from %g to %g, not %r"
                     % (lo, hi, v))
            return None
        return float(v)
    return check


def _prefix(v, where, errs):
    try:
        net = ipaddress.IPv4Network(v, strict=True)
    except (ValueError, TypeError) as e:
        errs.add(where, "%r is not an IPv4 prefix (a.b.c.d/len with no "
                 "host bits set): %s" % (v, e))
        return None
    return str(net)


def _address(v, where, errs):
    try:
        return str(ipaddress.IPv4Address(v))
    except (ValueError, TypeError):
        errs.add(where, "%r is not an IPv4 address" % (v,))
        return None


def _enum(values):
    def check(v, where, errs):
        if v not in values:
            errs.add(where, "%r is not one of: %s" % (v, ", ".join(values)))
            return None
        return v
    return check


def _names_or_one(v, where, errs):
    """A name or a list of names (actions: fail: msee1 / [msee1, msee2])."""
    items = v if isinstance(v, list) else [v]
    if not items:
        errs.add(where, "needs at least one name")
    return [x for x in (_str(x, where, errs) for x in items) if x]


_TIMERS = _mapping({"keepalive": (True, _int(1, 65535)),
                    "hold": (True, _int(3, 65535))})
_LAB_TIMERS = _mapping({"keepalive": (False, _int(1, 65535)),
                        "hold": (False, _int(3, 65535)),
                        "connect": (False, _int(1, 65535))})
_ROUTER = {"name": (True, _name),
           "description": (False, _str),
           "bfd": (False, _bool),
           "timers": (False, _TIMERS),
           "prefixes": (False, _list(_prefix, 1))}
_CIRCUIT = _mapping({"circuit": (True, _str),
                     "msees": (True, _list(_mapping(_ROUTER), 1))})


def _via(v, where, errs):
    """{prefix: [names]}"""
    if not isinstance(v, dict):
        errs.add(where, "must map Azure prefixes to lists of router names")
        return {}
    out = {}
    for p, names in v.items():
        pw = "%s[%s]" % (where, p)
        pfx = _prefix(p, pw, errs)
        out[pfx] = _list(_str)(names, pw, errs)
    return out


NEIGHBOR_COUNTERS = ("localPreference", "acceptedPrefixCounter",
                     "sentPrefixCounter")


def _neighbors(v, where, errs):
    """{router name: {counter: value}} (the module's per-neighbor IPv4
    view, show bgp erpolicy json)."""
    if not isinstance(v, dict):
        errs.add(where, "must map router names to counters")
        return {}
    spec = _mapping({k: (False, _int(0, 4294967295))
                     for k in NEIGHBOR_COUNTERS})
    return {n: spec(c, "%s.%s" % (where, n), errs) for n, c in v.items()}


_EXPECT = _mapping({
    "preferred": (False, _enum(("expressroute", "vpn", "none"))),
    "state": (False, _enum(STATES)),
    "via": (False, _via),
    "return": (False, _list(_str)),
    "traffic": (False, _list(_str, 1)),
    "replies": (False, _list(_str, 1)),
    "events": (False, _list(_enum(EVENTS))),
    "health": (False, _list(_enum(HEALTH))),
    "neighbors": (False, _neighbors),
})
_ACTION = _mapping({
    "fail": (False, _names_or_one),
    "silence": (False, _names_or_one),
    "restore": (False, _names_or_one),
    "drain": (False, _bool),
    "config": (False, _list(_str, 1)),
    "wait": (False, _number(0, 600)),
})
_STEP = _mapping({
    "name": (True, _str),
    "do": (False, _list(_ACTION, 1)),
    "expect": (True, _EXPECT),
    "within": (False, _number(0.5, 600)),
    "limit": (False, _number(0.01, 600)),
})
SCHEMA = _mapping({
    "name": (True, _str),
    "description": (False, _str),
    "timers": (False, _LAB_TIMERS),
    "azure": (True, _mapping({"prefixes": (True, _list(_prefix, 1)),
                              "vm": (True, _address)})),
    "onprem": (True, _mapping({"prefixes": (True, _list(_prefix, 1)),
                               "host": (True, _address)})),
    "expressroute": (False, _list(_CIRCUIT)),
    "vpn": (False, _list(_mapping(_ROUTER))),
    "edge": (True, _mapping({"erpolicy": (True, _list(_str, 1))})),
    "scenario": (True, _list(_STEP, 1)),
})


# ---------------------------------------------------------------------------
# loading


def resolve(arg, topo_dir):
    """A topology argument: a path, or a name of a file in topo_dir."""
    if os.path.sep in arg or arg.endswith((".yaml", ".yml", ".json")):
        return arg
    for ext in (".yaml", ".yml", ".json"):
        p = os.path.join(topo_dir, arg + ext)
        if os.path.exists(p):
            return p
    return os.path.join(topo_dir, arg + ".yaml")


def parse_text(text, path):
    if path.endswith(".json"):
        import json
        try:
            return json.loads(text)
        except ValueError as e:
            raise TopologyError(path, ["not valid JSON: %s" % e]) from None
    if yaml is None:
        raise TopologyError(path, ["YAML needs the Debian package "
                                   "python3-yaml (apt-get install "
                                   "python3-yaml), or write the file as "
                                   "JSON"])
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise TopologyError(path, ["not valid YAML: %s" % e]) from None


def load(path):
    """Read and check a topology file; return a Topology."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError as e:
        raise TopologyError(path, ["cannot read: %s" % e]) from None
    return from_data(parse_text(text, path), path)


def from_data(data, path="<topology>"):
    errs = _Errs()
    spec = SCHEMA(data, "", errs)
    if errs:
        raise TopologyError(path, errs)
    topo = Topology(spec, path)
    topo.check(errs)
    if errs:
        raise TopologyError(path, errs)
    return topo


# ---------------------------------------------------------------------------
# the model


class AzureRouter:
    """An MSEE or a VPN gateway instance with its assigned addresses."""

    def __init__(self, spec, role, index, vnet_index, circuit=None,
                 lab_timers=None):
        self.name = spec["name"]
        self.role = role
        self.circuit = circuit
        self.asn = MSEE_AS if role == "expressroute" else VPN_AS
        self.bfd = bool(spec.get("bfd"))
        self.timers = spec.get("timers")        # None: the lab's timers
        self.prefixes = spec.get("prefixes")    # None: every Azure prefix
        base = "192.0.2.%d" if role == "expressroute" else "198.51.100.%d"
        self.peer = base % (4 * index + 1)       # the router's address
        self.edge = base % (4 * index + 2)       # the edge's address
        self.vnet_side = ("100.64.%d.1" % (vnet_index + 1),
                          "100.64.%d.2" % (vnet_index + 1))
        self.description = spec.get("description") or (
            "ExpressRoute MSEE %s circuit %s" % (self.name, circuit)
            if role == "expressroute" else
            "Azure VPN gateway instance %s" % self.name)


class Topology:
    def __init__(self, spec, path):
        self.spec = spec
        self.path = path
        self.name = spec["name"]
        self.description = spec.get("description", "")
        self.timers = dict(DEFAULT_TIMERS, **(spec.get("timers") or {}))
        self.azure_prefixes = spec["azure"]["prefixes"]
        self.vm = spec["azure"]["vm"]
        self.onprem_prefixes = spec["onprem"]["prefixes"]
        self.host = spec["onprem"]["host"]
        self.erpolicy = spec["edge"]["erpolicy"]
        self.steps = spec["scenario"]
        self.routers = []       # AzureRouter, in file order
        self.circuits = {}      # circuit -> [names]
        k = 0
        for c in spec.get("expressroute") or []:
            names = self.circuits.setdefault(c["circuit"], [])
            for m in c["msees"]:
                self.routers.append(AzureRouter(
                    m, "expressroute", k, len(self.routers), c["circuit"]))
                names.append(m["name"])
                k += 1
        for j, v in enumerate(spec.get("vpn") or []):
            self.routers.append(AzureRouter(v, "vpn", j, len(self.routers)))
        self.by_name = {r.name: r for r in self.routers}

    # -- semantic checks --------------------------------------------------
    def check(self, errs):
        names = [r.name for r in self.routers]
        for n in sorted({n for n in names if names.count(n) > 1}):
            errs.add("expressroute/vpn", "router name %r used twice" % n)
        if not any(r.role == "expressroute" for r in self.routers):
            errs.add("expressroute", "at least one circuit with one MSEE "
                     "is needed")
        if not any(r.role == "vpn" for r in self.routers):
            errs.add("vpn", "at least one VPN gateway is needed")
        if len(self.routers) > 60:
            errs.add("expressroute/vpn", "at most 60 Azure routers")
        for c in (self.spec.get("expressroute") or []):
            if sum(1 for x in self.spec["expressroute"]
                   if x["circuit"] == c["circuit"]) > 1:
                errs.add("expressroute", "circuit %r declared twice"
                         % c["circuit"])
                break
        az = [ipaddress.IPv4Network(p) for p in self.azure_prefixes]
        op = [ipaddress.IPv4Network(p) for p in self.onprem_prefixes]
        if not ipaddress.IPv4Address(self.vm) in az[0]:
            errs.add("azure.vm", "%s is not inside the first Azure prefix "
                     "%s" % (self.vm, az[0]))
        if not ipaddress.IPv4Address(self.host) in op[0]:
            errs.add("onprem.host", "%s is not inside the first on-prem "
                     "prefix %s" % (self.host, op[0]))
        if op[0].prefixlen > 30:
            errs.add("onprem.prefixes[0]", "the on-prem LAN needs room for "
                     "the edge and the host (at most /30)")
        if az[0].prefixlen > 30:
            errs.add("azure.prefixes[0]", "the VNet needs room for its "
                     "router and the VM (at most /30)")
        lab_nets = [ipaddress.IPv4Network(n) for n in
                    ("192.0.2.0/24", "198.51.100.0/24", "100.64.0.0/16")]
        for where, nets in (("azure.prefixes", az), ("onprem.prefixes", op)):
            for n in nets:
                for other in lab_nets:
                    if n.overlaps(other):
                        errs.add(where, "%s overlaps the lab's link "
                                 "addresses %s" % (n, other))
        for a in az:
            for o in op:
                if a.overlaps(o):
                    errs.add("azure.prefixes", "%s overlaps on-prem %s"
                             % (a, o))
        for r in self.routers:
            for p in r.prefixes or []:
                if p not in self.azure_prefixes:
                    errs.add("%s.prefixes" % r.name, "%s is not one of "
                             "azure.prefixes" % p)
        for i, line in enumerate(self.erpolicy):
            w = "edge.erpolicy[%d]" % i
            if not line.startswith("erpolicy "):
                errs.add(w, "%r does not start with 'erpolicy '" % line)
            elif line.startswith("erpolicy neighbor "):
                errs.add(w, "neighbors are declared by the runner from "
                         "expressroute/vpn (leave out %r)" % line)
            elif "\n" in line:
                errs.add(w, "one command per item")
        known = set(self.by_name)
        for i, st in enumerate(self.steps):
            w = "scenario[%d] (%s)" % (i, st.get("name"))
            for j, act in enumerate(st.get("do") or []):
                aw = "%s.do[%d]" % (w, j)
                if len(act) != 1:
                    errs.add(aw, "one action per item (fail, silence, "
                             "restore, drain, config, wait), got %s"
                             % (", ".join(sorted(act)) or "none"))
                for key in ("fail", "silence", "restore"):
                    for n in act.get(key) or []:
                        if n not in known and not (key == "restore" and
                                                   n == "all"):
                            errs.add(aw, "%s: unknown router %r (known: %s)"
                                     % (key, n, ", ".join(sorted(known))))
            exp = st.get("expect") or {}
            if not exp:
                errs.add(w, "expect: needs at least one expected outcome")
            if "replies" in exp and "traffic" not in exp:
                errs.add("%s.expect.replies" % w, "needs traffic:")
            for key in ("return", "traffic", "replies"):
                for n in exp.get(key) or []:
                    if n not in known:
                        errs.add("%s.expect.%s" % (w, key), "unknown router "
                                 "%r" % n)
            for n in exp.get("neighbors") or {}:
                if n not in known:
                    errs.add("%s.expect.neighbors" % w, "unknown router %r"
                             % n)
            for p, names in (exp.get("via") or {}).items():
                if p and p not in self.azure_prefixes:
                    errs.add("%s.expect.via" % w, "%s is not one of "
                             "azure.prefixes" % p)
                for n in names or []:
                    if n not in known:
                        errs.add("%s.expect.via[%s]" % (w, p),
                                 "unknown router %r" % n)
            if st.get("limit") and not st.get("do"):
                errs.add(w, "limit: needs an action (do:) to measure from")

    # -- derived ----------------------------------------------------------
    def silenced(self):
        """Routers some step silences: their links go through a bridge."""
        out = set()
        for st in self.steps:
            for act in st.get("do") or []:
                out.update(act.get("silence") or [])
        return out

    def advertised(self, r):
        return r.prefixes or self.azure_prefixes

    def any_bfd(self):
        return any(r.bfd for r in self.routers)

    # -- configuration ----------------------------------------------------
    def _timer_lines(self, addr, r):
        out = ""
        if r.timers:
            out += " neighbor %s timers %d %d\n" % (
                addr, r.timers["keepalive"], r.timers["hold"])
        return out

    def edge_conf(self):
        t = self.timers
        nbrs = af = erp = ""
        for r in self.routers:
            a = r.peer
            nbrs += (" neighbor %s remote-as %d\n"
                     " neighbor %s description %s\n"
                     " neighbor %s timers connect %d\n"
                     " neighbor %s advertisement-interval 0\n"
                     % (a, r.asn, a, r.description, a, t["connect"], a))
            nbrs += self._timer_lines(a, r)
            if r.bfd:
                nbrs += " neighbor %s bfd\n" % a
            af += "  neighbor %s activate\n" % a
            af += azure.attach_lines(a, r.role)
            erp += (" erpolicy neighbor %s path %s\n"
                    " erpolicy neighbor %s route-map TO-AZURE out\n"
                    % (a, r.role, a))
        nets = "".join("  network %s\n" % p for p in self.onprem_prefixes)
        onprem_pl = "".join(
            "ip prefix-list ONPREM seq %d permit %s le 32\n" % (5 * (i + 1), p)
            for i, p in enumerate(self.onprem_prefixes))
        erp += "".join(" %s\n" % l for l in self.erpolicy)
        return f"""\
! on-prem prefixes only, towards every Azure neighbor (eBGP needs a policy)
{onprem_pl}route-map TO-AZURE permit 10
 match ip address prefix-list ONPREM
!
router bgp {EDGE_AS}
 bgp router-id {self._first_host(self.onprem_prefixes[0])}
 no bgp default ipv4-unicast
 no bgp network import-check
 timers bgp {t['keepalive']} {t['hold']}
{nbrs} address-family ipv4 unicast
{nets}  maximum-paths 16
{af} exit-address-family
{erp}!
"""

    @staticmethod
    def _first_host(prefix):
        return str(next(ipaddress.IPv4Network(prefix).hosts()))

    def azure_router_conf(self, r):
        t = self.timers
        me_vnet, vnet = r.vnet_side
        pl = "".join("ip prefix-list TO-EDGE seq %d permit %s\n"
                     % (5 * (i + 1), p)
                     for i, p in enumerate(self.advertised(r)))
        bfd = " neighbor %s bfd\n" % r.edge if r.bfd else ""
        return f"""\
{pl}route-map TO-EDGE permit 10
 match ip address prefix-list TO-EDGE
!
router bgp {r.asn}
 bgp router-id {r.peer}
 no bgp default ipv4-unicast
 no bgp ebgp-requires-policy
 timers bgp {t['keepalive']} {t['hold']}
 neighbor {r.edge} remote-as {EDGE_AS}
 neighbor {r.edge} description on-prem edge
 neighbor {r.edge} timers connect {t['connect']}
 neighbor {r.edge} advertisement-interval 0
{self._timer_lines(r.edge, r)}{bfd} neighbor {vnet} remote-as {VNET_AS}
 neighbor {vnet} description Azure VNet
 neighbor {vnet} timers connect {t['connect']}
 neighbor {vnet} advertisement-interval 0
 address-family ipv4 unicast
  neighbor {r.edge} activate
  neighbor {r.edge} route-map TO-EDGE out
  neighbor {vnet} activate
 exit-address-family
!
"""

    def vnet_conf(self):
        """The emulated VNet: owns the Azure prefixes and, like Azure,
        prefers ExpressRoute over the VPN for the way back."""
        t = self.timers
        nbrs = af = ""
        for r in self.routers:
            peer = r.vnet_side[0]
            nbrs += (" neighbor %s remote-as %d\n"
                     " neighbor %s timers connect %d\n"
                     " neighbor %s advertisement-interval 0\n"
                     % (peer, r.asn, peer, t["connect"], peer))
            af += "  neighbor %s activate\n" % peer
            if r.role == "expressroute":
                af += "  neighbor %s route-map FROM-ER in\n" % peer
        nets = "".join("  network %s\n" % p for p in self.azure_prefixes)
        return f"""\
route-map FROM-ER permit 10
 set local-preference 200
!
router bgp {VNET_AS}
 bgp router-id {self._first_host(self.azure_prefixes[0])}
 no bgp default ipv4-unicast
 no bgp ebgp-requires-policy
 no bgp network import-check
 timers bgp {t['keepalive']} {t['hold']}
{nbrs} address-family ipv4 unicast
{nets}  maximum-paths 16
{af} exit-address-family
!
"""

    # -- building ---------------------------------------------------------
    def build(self, lab):
        """Create nodes and links in lab (not started).  Returns
        (nodes {name: node}, links {router name: Link},
        edge_if {router name: edge interface})."""
        bfd = self.any_bfd()
        silenced = self.silenced()
        n = {"edge": lab.add_router("edge", bgpd_conf=self.edge_conf(),
                                    bgpd_args=azure.module_args(), bfd=bfd)}
        for r in self.routers:
            n[r.name] = lab.add_router(r.name,
                                       bgpd_conf=self.azure_router_conf(r),
                                       bfd=r.bfd)
        n["vnet"] = lab.add_router("vnet", bgpd_conf=self.vnet_conf())
        n["onprem"] = lab.add_host("onprem")
        n["azvm"] = lab.add_host("azvm")
        links, edge_if = {}, {}
        for r in self.routers:
            links[r.name] = lab.link(n["edge"], n[r.name],
                                     a_addrs=[r.edge + "/30"],
                                     b_addrs=[r.peer + "/30"],
                                     bridged=r.name in silenced)
            edge_if[r.name] = links[r.name].ifname(n["edge"])
            a, b = r.vnet_side
            lab.link(n[r.name], n["vnet"], a_addrs=[a + "/30"],
                     b_addrs=[b + "/30"])
        op = ipaddress.IPv4Network(self.onprem_prefixes[0])
        gw_op = self._gateway(op, self.host)
        az = ipaddress.IPv4Network(self.azure_prefixes[0])
        gw_az = self._gateway(az, self.vm)
        lab.link(n["edge"], n["onprem"],
                 a_addrs=["%s/%d" % (gw_op, op.prefixlen)],
                 b_addrs=["%s/%d" % (self.host, op.prefixlen)])
        lab.link(n["vnet"], n["azvm"],
                 a_addrs=["%s/%d" % (gw_az, az.prefixlen)],
                 b_addrs=["%s/%d" % (self.vm, az.prefixlen)])
        n["onprem"].exec("ip route add default via %s" % gw_op)
        n["azvm"].exec("ip route add default via %s" % gw_az)
        return n, links, edge_if

    @staticmethod
    def _gateway(net, host):
        """The router's address on a LAN: its first host address that is
        not the host's."""
        return next(str(a) for a in net.hosts() if str(a) != host)
