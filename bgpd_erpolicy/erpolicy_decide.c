// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: the decision logic (no bgpd internals; see the header).
 */
#include <zebra.h>

#include "erpolicy_memory.h"
#include "prefix.h"
#include "printfrr.h"
#include "table.h"

#include "erpolicy_decide.h"


static const char *const role_names[ERP_ROLE_MAX] = {
	[ERP_ROLE_NONE] = "none",
	[ERP_ROLE_EXPRESSROUTE] = "expressroute",
	[ERP_ROLE_VPN] = "vpn",
};

static const struct erp_reason_info reason_infos[ERP_REASON_MAX] = {
	[ERP_ACCEPT] = {"accepted", "accepted", NULL, "accepted", 0},
	[ERP_DENY_UNSUPPORTED] = {"unsupported prefix", "unsupported",
				  "unsupported", "unsupported",
				  ERP_REASON_IN | ERP_REASON_OUT},
	[ERP_DENY_DEFAULT_ROUTE] = {"default route", "defaultRoute",
				    "default-route", "default route",
				    ERP_REASON_IN | ERP_REASON_OUT},
	[ERP_DENY_TOO_LONG] = {"longer than maximum length", "tooLong",
			       "too-long", "too long", ERP_REASON_IN},
	[ERP_DENY_ONPREM] = {"on-prem prefix", "onpremPrefix", "onprem-prefix",
			     "on-prem", ERP_REASON_IN},
	[ERP_DENY_NOT_AZURE] = {"not an Azure prefix", "notAzurePrefix",
				"not-azure-prefix", "not Azure",
				ERP_REASON_IN},
	[ERP_DENY_NO_AZURE_PREFIXES] = {"no Azure prefix declared for the address family",
					"noAzurePrefixes", "no-azure-prefixes",
					"no Azure prefixes", ERP_REASON_IN},
	[ERP_DENY_USER_POLICY] = {"denied by user route-map", "userPolicy",
				  "user-policy", "user map",
				  ERP_REASON_IN | ERP_REASON_OUT},
	[ERP_DENY_NOT_DECLARED] = {"neighbor not declared with this map's path",
				   "notDeclared", "not-declared",
				   "not declared",
				   ERP_REASON_IN | ERP_REASON_OUT},
	[ERP_DENY_TRANSIT] = {"learned from Azure (no transit)", "transit",
			      "transit", "transit", ERP_REASON_OUT},
	[ERP_DENY_NOT_ONPREM] = {"not an on-prem prefix", "notOnpremPrefix",
				 "not-onprem-prefix", "not on-prem",
				 ERP_REASON_OUT},
	[ERP_DENY_MORE_SPECIFIC] = {"more specific than to ExpressRoute",
				    "moreSpecificThanExpressroute",
				    "more-specific-than-expressroute",
				    "more specific than ER", ERP_REASON_OUT},
	[ERP_DENY_LIMIT] = {"beyond the advertisement limit", "limit", "limit",
			    "limit", ERP_REASON_OUT},
	[ERP_DENY_ER_DEMOTED] = {"ExpressRoute demoted, the VPN carries it",
				 "expressrouteDemoted", "expressroute-demoted",
				 "ER demoted", ERP_REASON_OUT},
};

const struct erp_reason_info *erp_reason_info(enum erp_reason reason)
{
	if ((unsigned int)reason >= ERP_REASON_MAX)
		return NULL;
	return &reason_infos[reason];
}

bool erp_reason_applies(enum erp_reason reason, unsigned int dirbit)
{
	const struct erp_reason_info *info = erp_reason_info(reason);

	return info && (info->dirs & dirbit);
}

const char *erp_role_name(enum erp_role role)
{
	if ((unsigned int)role >= ERP_ROLE_MAX)
		return "invalid";
	return role_names[role];
}

enum erp_role erp_role_from_name(const char *name)
{
	if (!name)
		return ERP_ROLE_NONE;
	if (strcmp(name, "expressroute") == 0)
		return ERP_ROLE_EXPRESSROUTE;
	if (strcmp(name, "vpn") == 0)
		return ERP_ROLE_VPN;
	return ERP_ROLE_NONE;
}

const char *erp_reason_name(enum erp_reason reason)
{
	if ((unsigned int)reason >= ERP_REASON_MAX)
		return "invalid";
	return reason_infos[reason].text;
}

const char *erp_reason_json_key(enum erp_reason reason)
{
	if ((unsigned int)reason >= ERP_REASON_MAX)
		return "invalid";
	return reason_infos[reason].json;
}

const char *erp_path_name(enum erp_path path)
{
	switch (path) {
	case ERP_PATH_EXPRESSROUTE:
		return "expressroute";
	case ERP_PATH_VPN:
		return "vpn";
	case ERP_PATH_BOTH:
		return "both";
	case ERP_PATH_NONE:
		break;
	}
	return "none";
}

const char *erp_mode_name(enum erp_mode mode)
{
	return mode == ERP_MODE_ACTIVE_ACTIVE ? "active-active" : "backup";
}

const char *erp_guard_name(enum erp_guard guard)
{
	switch (guard) {
	case ERP_GUARD_FILTER:
		return "filter";
	case ERP_GUARD_WARN:
		return "warn";
	case ERP_GUARD_OFF:
		break;
	}
	return "off";
}

const char *erp_limit_action_name(enum erp_limit_action action)
{
	return action == ERP_LIMIT_WARN ? "warn" : "stop";
}

/* --- prefix sets ------------------------------------------------------------ */

static int family_index(uint8_t family)
{
	switch (family) {
	case AF_INET:
		return 0;
	case AF_INET6:
		return 1;
	}
	return -1;
}

void erp_prefix_set_init(struct erp_prefix_set *set)
{
	memset(set, 0, sizeof(*set));
	set->table[0] = route_table_init();
	set->table[1] = route_table_init();
}

void erp_prefix_set_fini(struct erp_prefix_set *set)
{
	for (int i = 0; i < 2; i++) {
		struct route_node *rn;

		if (!set->table[i])
			continue;
		for (rn = route_top(set->table[i]); rn; rn = route_next(rn)) {
			if (!rn->info)
				continue;
			XFREE(MTYPE_ERP_PREFIX_RULE, rn->info);
			route_unlock_node(rn);
		}
		route_table_finish(set->table[i]);
		set->table[i] = NULL;
		set->count[i] = 0;
	}
	XFREE(MTYPE_ERP_PREFIX_INDEX, set->index);
	memset(set->hint, 0, sizeof(set->hint));
}

unsigned int erp_prefix_set_count(const struct erp_prefix_set *set)
{
	return set->count[0] + set->count[1];
}

bool erp_prefix_rule_check(const struct prefix *p, unsigned int ge,
			   unsigned int le, char *errbuf, size_t errlen)
{
	struct prefix masked;
	unsigned int maxbits;

	if (family_index(p->family) < 0) {
		snprintf(errbuf, errlen, "only IPv4 and IPv6 prefixes are supported");
		return false;
	}
	maxbits = prefix_blen(p) * 8;
	if (p->prefixlen > maxbits) {
		snprintf(errbuf, errlen, "prefix length %u is longer than %u",
			 p->prefixlen, maxbits);
		return false;
	}
	prefix_copy(&masked, p);
	apply_mask(&masked);
	if (!prefix_same(&masked, p)) {
		snprintfrr(errbuf, errlen,
			   "%pFX has host bits set; did you mean %pFX?", p,
			   &masked);
		return false;
	}
	if (ge && (ge < p->prefixlen || ge > maxbits)) {
		snprintf(errbuf, errlen, "ge %u must be between %u and %u", ge,
			 p->prefixlen, maxbits);
		return false;
	}
	if (le && (le < p->prefixlen || le > maxbits)) {
		snprintf(errbuf, errlen, "le %u must be between %u and %u", le,
			 p->prefixlen, maxbits);
		return false;
	}
	if (ge && le && ge > le) {
		snprintf(errbuf, errlen, "ge %u must not be greater than le %u",
			 ge, le);
		return false;
	}
	return true;
}

static void rule_range(struct erp_prefix_rule *rule)
{
	unsigned int maxbits = prefix_blen(&rule->prefix) * 8;

	rule->minlen = rule->ge ? rule->ge : rule->prefix.prefixlen;
	if (rule->le)
		rule->maxlen = rule->le;
	else if (rule->ge)
		rule->maxlen = maxbits;
	else
		rule->maxlen = rule->prefix.prefixlen;
}

/* The trie changed: the lookup aids point into it. */
static void set_changed(struct erp_prefix_set *set, int fi)
{
	set->stale[fi] = true;
	memset(&set->hint[fi], 0, sizeof(set->hint[fi]));
}

void erp_prefix_set_add(struct erp_prefix_set *set, const struct prefix *p,
			unsigned int ge, unsigned int le)
{
	int fi = family_index(p->family);
	struct route_node *rn;
	struct erp_prefix_rule *rule;

	assert(fi >= 0);
	rn = route_node_get(set->table[fi], p);
	if (rn->info) {
		/* replace: the node keeps the lock it took when first added */
		rule = rn->info;
		route_unlock_node(rn);
	} else {
		rule = XCALLOC(MTYPE_ERP_PREFIX_RULE, sizeof(*rule));
		rn->info = rule;
		set->count[fi]++;
	}
	prefix_copy(&rule->prefix, p);
	rule->ge = ge;
	rule->le = le;
	rule_range(rule);
	set_changed(set, fi);
}

bool erp_prefix_set_del(struct erp_prefix_set *set, const struct prefix *p)
{
	int fi = family_index(p->family);
	struct route_node *rn;

	if (fi < 0)
		return false;
	rn = route_node_lookup(set->table[fi], p);
	if (!rn)
		return false;
	route_unlock_node(rn); /* the lookup's lock */
	if (!rn->info)
		return false;
	XFREE(MTYPE_ERP_PREFIX_RULE, rn->info);
	set->count[fi]--;
	route_unlock_node(rn); /* the lock taken by add */
	set_changed(set, fi);
	return true;
}

/* Bit i of p's address: prefix_bit() without the call. */
static inline unsigned int addr_bit(const struct prefix *p, unsigned int i)
{
	return (p->u.val[i / 8] >> (7 - i % 8)) & 1;
}

/* Does n contain p?  prefix_match() for the trie descents below, which run
 * for every route received: IPv4 in one masked compare, no call. */
static inline bool contains(const struct prefix *n, const struct prefix *p)
{
	uint32_t mask;

	if (n->prefixlen > p->prefixlen)
		return false;
	if (p->family != AF_INET)
		return prefix_match(n, p);
	mask = n->prefixlen ? htonl(~0U << (IPV4_MAX_BITLEN - n->prefixlen))
			    : 0;
	return ((n->u.prefix4.s_addr ^ p->u.prefix4.s_addr) & mask) == 0;
}

static const struct erp_prefix_rule *rule_above(const struct route_node *rn)
{
	for (rn = rn->parent; rn; rn = rn->parent)
		if (rn->info)
			return rn->info;
	return NULL;
}

static void lens_set(uint64_t *lens, unsigned int from, unsigned int to)
{
	for (unsigned int l = from; l <= to; l++)
		lens[l / 64] |= 1ULL << (l % 64);
}

/* The IPv4 index entry of an address: its first ERP_PREFIX_INDEX_BITS. */
static inline size_t index_slot(struct in_addr addr)
{
	return ntohl(addr.s_addr) >> (IPV4_MAX_BITLEN - ERP_PREFIX_INDEX_BITS);
}

/* The IPv4 index: entry b holds the longest node of at most
 * ERP_PREFIX_INDEX_BITS bits containing every address whose first bits are
 * b (a child overwrites its parent's range: route_next() walks parents
 * first), else the top of the trie, where the descent finds out. */
static void index_build(struct erp_prefix_set *set)
{
	const size_t n = 1U << ERP_PREFIX_INDEX_BITS;
	struct route_table *table = set->table[0];
	struct route_node *rn;

	if (set->count[0] < ERP_PREFIX_INDEX_MIN_RULES) {
		XFREE(MTYPE_ERP_PREFIX_INDEX, set->index);
		return;
	}
	if (!set->index)
		set->index = XCALLOC(MTYPE_ERP_PREFIX_INDEX,
				     n * sizeof(*set->index));
	for (size_t b = 0; b < n; b++) {
		set->index[b].node = table->top;
		set->index[b].above = NULL;
	}
	for (rn = route_top(table); rn; rn = route_next(rn)) {
		struct erp_prefix_start start = {.node = rn};
		size_t first, count;

		if (rn->p.prefixlen > ERP_PREFIX_INDEX_BITS)
			continue;
		start.above = rule_above(rn);
		first = index_slot(rn->p.u.prefix4);
		count = (size_t)1 << (ERP_PREFIX_INDEX_BITS - rn->p.prefixlen);
		for (size_t b = first; b < first + count; b++)
			set->index[b] = start;
	}
}

/* After a change: every rule's lens (parents first, so a rule's nearest
 * rule above is done before it) and the IPv4 index. */
static void set_rebuild(struct erp_prefix_set *set, int fi)
{
	struct route_node *rn;

	for (rn = route_top(set->table[fi]); rn; rn = route_next(rn)) {
		struct erp_prefix_rule *rule = rn->info;
		const struct erp_prefix_rule *above;

		if (!rule)
			continue;
		above = rule_above(rn);
		if (above)
			memcpy(rule->lens, above->lens, sizeof(rule->lens));
		else
			memset(rule->lens, 0, sizeof(rule->lens));
		lens_set(rule->lens, rule->minlen, rule->maxlen);
	}
	if (fi == 0)
		index_build(set);
	set->stale[fi] = false;
}

/* Where to start descending towards p: where the last lookup ended if that
 * node contains p too (routes arrive in address order), else the IPv4
 * index, else the top of the trie. */
static struct erp_prefix_start start_for(struct erp_prefix_set *set, int fi,
					 const struct prefix *p)
{
	struct erp_prefix_start start = {.node = set->table[fi]->top};

	if (set->stale[fi])
		set_rebuild(set, fi);
	if (set->hint[fi].node && contains(&set->hint[fi].node->p, p))
		return set->hint[fi];
	if (fi == 0 && set->index && p->prefixlen >= ERP_PREFIX_INDEX_BITS)
		return set->index[index_slot(p->u.prefix4)];
	return start;
}

bool erp_prefix_set_match(struct erp_prefix_set *set, const struct prefix *p)
{
	int fi = family_index(p->family);
	struct erp_prefix_start start, last = {};
	const struct erp_prefix_rule *rule;
	const struct route_node *rn;

	if (fi < 0 || set->count[fi] == 0)
		return false;
	/* Find the longest rule containing p: its lens say whether any rule
	 * containing p (they all lie on the way down) matches p's length.
	 * No locks are taken: this runs for every route received. */
	start = start_for(set, fi, p);
	rule = start.above;
	for (rn = start.node; rn && contains(&rn->p, p);
	     rn = rn->link[addr_bit(p, rn->p.prefixlen)]) {
		last.node = rn;
		last.above = rule;
		if (rn->info)
			rule = rn->info;
		if (rn->p.prefixlen == p->prefixlen)
			break;
	}
	if (last.node)
		set->hint[fi] = last;
	return rule &&
	       (rule->lens[p->prefixlen / 64] >> (p->prefixlen % 64)) & 1;
}

bool erp_prefix_set_overlaps(struct erp_prefix_set *set, const struct prefix *p)
{
	int fi = family_index(p->family);
	struct erp_prefix_start start;
	const struct route_node *rn;

	if (fi < 0 || set->count[fi] == 0)
		return false;
	start = start_for(set, fi, p);
	if (start.above) /* a rule above a node containing p */
		return true;
	/* Descend towards p: a rule on the way contains p; else the first
	 * node at or below p's length roots a subtree, and every subtree of
	 * the trie holds at least one rule (nodes without one exist only to
	 * branch): a rule inside p. */
	rn = start.node;
	while (rn && rn->p.prefixlen < p->prefixlen && contains(&rn->p, p)) {
		if (rn->info)
			return true;
		rn = rn->link[addr_bit(p, rn->p.prefixlen)];
	}
	return rn && contains(p, &rn->p);
}

void erp_prefix_set_walk(struct erp_prefix_set *set,
			 void (*fn)(const struct erp_prefix_rule *rule,
				    void *arg),
			 void *arg)
{
	for (int i = 0; i < 2; i++) {
		struct route_node *rn;

		for (rn = route_top(set->table[i]); rn; rn = route_next(rn))
			if (rn->info)
				fn(rn->info, arg);
	}
}

/* The next node in trie order after everything under rn. */
static const struct route_node *after_subtree(const struct route_node *rn)
{
	for (; rn->parent; rn = rn->parent)
		if (rn->parent->l_left == rn && rn->parent->l_right)
			return rn->parent->l_right;
	return NULL;
}

const struct erp_prefix_rule *
erp_prefix_set_next_outer(const struct erp_prefix_set *set, uint8_t family,
			  const struct route_node **cursor)
{
	int fi = family_index(family);
	const struct route_node *rn;

	if (fi < 0)
		return NULL;
	rn = *cursor ? after_subtree(*cursor) : set->table[fi]->top;
	/* nodes on the way are not inside any rule: the first one found that
	 * is a rule is outermost */
	while (rn && !rn->info)
		rn = rn->l_left	   ? rn->l_left
		     : rn->l_right ? rn->l_right
				   : after_subtree(rn);
	*cursor = rn;
	return rn ? rn->info : NULL;
}

/* --- policy ------------------------------------------------------------------- */

void erp_policy_init(struct erp_policy *pol)
{
	memset(pol, 0, sizeof(*pol));
	pol->local_pref[ERP_ROLE_EXPRESSROUTE] = ERP_DEFAULT_LP_EXPRESSROUTE;
	pol->local_pref[ERP_ROLE_VPN] = ERP_DEFAULT_LP_VPN;
	pol->max_length_v4 = IPV4_MAX_BITLEN;
	pol->max_length_v6 = IPV6_MAX_BITLEN;
	pol->adv_limit[ERP_ROLE_EXPRESSROUTE] = ERP_DEFAULT_ADV_LIMIT_EXPRESSROUTE;
	pol->adv_limit[ERP_ROLE_VPN] = ERP_DEFAULT_ADV_LIMIT_VPN;
	pol->limit_warn_pct = ERP_DEFAULT_LIMIT_WARN_PCT;
	erp_prefix_set_init(&pol->azure);
	erp_prefix_set_init(&pol->onprem);
	erp_prefix_set_init(&pol->prefer_vpn);
}

void erp_policy_fini(struct erp_policy *pol)
{
	erp_prefix_set_fini(&pol->azure);
	erp_prefix_set_fini(&pol->onprem);
	erp_prefix_set_fini(&pol->prefer_vpn);
}

enum erp_reason erp_decide(struct erp_policy *pol, enum erp_role role,
			   const struct prefix *p, uint32_t *local_pref)
{
	int fi = family_index(p->family);
	unsigned int maxlen;

	if (fi < 0 || p->prefixlen > prefix_blen(p) * 8 ||
	    role == ERP_ROLE_NONE || (unsigned int)role >= ERP_ROLE_MAX)
		return ERP_DENY_UNSUPPORTED;

	if (p->prefixlen == 0) {
		if (!pol->allow_default_route)
			return ERP_DENY_DEFAULT_ROUTE;
		/* explicitly wanted: no Azure-set check for the default */
	} else {
		maxlen = fi == 0 ? pol->max_length_v4 : pol->max_length_v6;
		if (p->prefixlen > maxlen)
			return ERP_DENY_TOO_LONG;
		if (erp_prefix_set_match(&pol->onprem, p))
			return ERP_DENY_ONPREM;
		if (!pol->azure.count[fi])
			return ERP_DENY_NO_AZURE_PREFIXES;
		if (!erp_prefix_set_match(&pol->azure, p))
			return ERP_DENY_NOT_AZURE;
	}

	if (local_pref)
		*local_pref = pol->local_pref[role];
	return ERP_ACCEPT;
}

enum erp_path erp_preferred_path(const struct erp_policy *pol,
				 unsigned int er_up, unsigned int vpn_up)
{
	uint32_t er_lp = pol->local_pref[ERP_ROLE_EXPRESSROUTE];
	uint32_t vpn_lp = pol->mode == ERP_MODE_ACTIVE_ACTIVE
				  ? er_lp
				  : pol->local_pref[ERP_ROLE_VPN];

	if (!er_up && !vpn_up)
		return ERP_PATH_NONE;
	if (!vpn_up)
		return ERP_PATH_EXPRESSROUTE;
	if (!er_up)
		return ERP_PATH_VPN;
	if (er_lp == vpn_lp)
		return ERP_PATH_BOTH;
	return er_lp > vpn_lp ? ERP_PATH_EXPRESSROUTE : ERP_PATH_VPN;
}

uint32_t erp_local_pref(struct erp_policy *pol, enum erp_role role,
			bool er_demoted, const struct prefix *p)
{
	uint32_t er = pol->local_pref[ERP_ROLE_EXPRESSROUTE];
	uint32_t vpn = pol->mode == ERP_MODE_ACTIVE_ACTIVE
			       ? er
			       : pol->local_pref[ERP_ROLE_VPN];

	switch (role) {
	case ERP_ROLE_VPN:
		return vpn;
	case ERP_ROLE_EXPRESSROUTE:
		if (er_demoted || (p && erp_prefix_set_match(&pol->prefer_vpn, p)))
			return vpn > 0 ? vpn - 1 : 0;
		return er;
	case ERP_ROLE_NONE:
		break;
	}
	return 0;
}

void erp_decide_out(struct erp_policy *pol, enum erp_role to,
		    const struct prefix *p, const struct erp_out_facts *f,
		    struct erp_out_verdict *v)
{
	int fi = family_index(p->family);

	memset(v, 0, sizeof(*v));
	if (fi < 0 || to == ERP_ROLE_NONE || (unsigned int)to >= ERP_ROLE_MAX) {
		v->reason = ERP_DENY_UNSUPPORTED;
		return;
	}
	if (p->prefixlen == 0 && !pol->advertise_default_route) {
		v->reason = ERP_DENY_DEFAULT_ROUTE;
		return;
	}
	if (f->learned_from != ERP_ROLE_NONE && !pol->allow_transit) {
		v->reason = ERP_DENY_TRANSIT;
		return;
	}
	if (p->prefixlen != 0 && !erp_prefix_set_match(&pol->onprem, p)) {
		v->reason = ERP_DENY_NOT_ONPREM;
		return;
	}
	/* Azure uses longest match before preferring ExpressRoute: a prefix
	 * more specific over VPN than over ER pulls return traffic onto VPN */
	if (to == ERP_ROLE_VPN && pol->guard != ERP_GUARD_OFF &&
	    pol->mode == ERP_MODE_BACKUP && p->prefixlen != 0 &&
	    erp_more_specific_than_er(p, f)) {
		if (pol->guard == ERP_GUARD_FILTER) {
			v->reason = ERP_DENY_MORE_SPECIFIC;
			return;
		}
		v->warn_more_specific = true;
	}
	/* symmetric failover: Azure prefers ER for the same prefix, so its
	 * return traffic follows on-prem's to the VPN only without it */
	if (to == ERP_ROLE_EXPRESSROUTE && f->er_withdrawn && f->vpn_gets &&
	    f->vpn_gets(p, f->arg)) {
		v->reason = ERP_DENY_ER_DEMOTED;
		return;
	}
	v->reason = ERP_ACCEPT;
}

bool erp_more_specific_than_er(const struct prefix *p,
			       const struct erp_out_facts *f)
{
	unsigned int n;

	if (!f->er_count || !f->er_gets)
		return false;
	n = f->er_count(f->arg);
	for (unsigned int er = 0; er < n; er++)
		if (f->er_gets(p, true, er, f->arg) &&
		    !f->er_gets(p, false, er, f->arg))
			return true;
	return false;
}

enum erp_path erp_prefix_intended(struct erp_policy *pol, bool er_demoted,
				  const struct erp_prefix_facts *f)
{
	uint32_t er = erp_local_pref(pol, ERP_ROLE_EXPRESSROUTE, er_demoted,
				     f->prefix);
	uint32_t vpn = erp_local_pref(pol, ERP_ROLE_VPN, er_demoted, f->prefix);

	if (f->via_er && f->via_vpn) {
		if (er == vpn)
			return ERP_PATH_BOTH;
		return er > vpn ? ERP_PATH_EXPRESSROUTE : ERP_PATH_VPN;
	}
	if (f->via_er)
		return ERP_PATH_EXPRESSROUTE;
	if (f->via_vpn) {
		/* a covering ER route would carry it, were the VPN route not
		 * more specific */
		if (f->er_covers && er > vpn)
			return ERP_PATH_EXPRESSROUTE;
		return ERP_PATH_VPN;
	}
	return ERP_PATH_NONE;
}

enum erp_prefix_issue erp_prefix_issue(struct erp_policy *pol,
				       bool er_demoted,
				       const struct erp_prefix_facts *f)
{
	enum erp_path want = erp_prefix_intended(pol, er_demoted, f);

	if (want == ERP_PATH_EXPRESSROUTE && !f->via_er && f->via_vpn)
		return ERP_ISSUE_VPN_MORE_SPECIFIC;
	if ((want == ERP_PATH_EXPRESSROUTE && f->best != ERP_ROLE_EXPRESSROUTE) ||
	    (want == ERP_PATH_VPN && f->best != ERP_ROLE_VPN) ||
	    (want == ERP_PATH_BOTH && f->best == ERP_ROLE_NONE))
		return ERP_ISSUE_BEST_NOT_INTENDED;
	return ERP_ISSUE_NONE;
}

const char *erp_prefix_issue_name(enum erp_prefix_issue issue)
{
	switch (issue) {
	case ERP_ISSUE_NONE:
		return "none";
	case ERP_ISSUE_VPN_MORE_SPECIFIC:
		return "vpn-more-specific";
	case ERP_ISSUE_BEST_NOT_INTENDED:
		return "best-not-intended";
	}
	return "invalid";
}
