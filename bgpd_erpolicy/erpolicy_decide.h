// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: the decision logic.
 *
 * Everything in here is plain C over libfrr's prefix and table types: no bgpd
 * header is included, so the rules that decide what an ExpressRoute or VPN
 * neighbor may send, and with which preference, are unit-tested directly
 * (tests/test_erpolicy_decide.c).
 */
#ifndef _ERPOLICY_DECIDE_H
#define _ERPOLICY_DECIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prefix.h"
#include "table.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The path a neighbor was declared to be. */
enum erp_role {
	ERP_ROLE_NONE = 0,
	ERP_ROLE_EXPRESSROUTE,
	ERP_ROLE_VPN,
};
#define ERP_ROLE_MAX (ERP_ROLE_VPN + 1)

/* Why a received route was accepted or denied.  Order = evaluation order. */
enum erp_reason {
	ERP_ACCEPT = 0,
	ERP_DENY_UNSUPPORTED,	/* not an IPv4/IPv6 unicast prefix */
	ERP_DENY_DEFAULT_ROUTE, /* 0.0.0.0/0 or ::/0 and not allowed */
	ERP_DENY_TOO_LONG,	/* longer than maximum-prefix-length */
	ERP_DENY_ONPREM,	/* inside a declared on-prem prefix */
	ERP_DENY_NOT_AZURE,	/* outside every declared Azure prefix */
	/* the address family has no Azure prefix at all: nothing from Azure
	 * is accepted in it (fail closed, RFC 8212 spirit) */
	ERP_DENY_NO_AZURE_PREFIXES,
	ERP_DENY_USER_POLICY,	/* the operator's own route-map denied */
	/* a module map is attached to a neighbor that is not declared with
	 * that map's path (fail closed) */
	ERP_DENY_NOT_DECLARED,
	/* outbound only */
	ERP_DENY_TRANSIT,	/* learned from Azure: no transit between paths */
	ERP_DENY_NOT_ONPREM,	/* not a declared on-prem prefix */
	ERP_DENY_MORE_SPECIFIC, /* to VPN, more specific than what ER gets */
	ERP_DENY_LIMIT,		/* beyond the advertisement limit */
	/* to ExpressRoute while it is demoted and the VPN carries the prefix:
	 * symmetric failover (erp_fo_er_withdrawn()); evaluated before the
	 * limit, last here so that the values before it keep theirs */
	ERP_DENY_ER_DEMOTED,
};
#define ERP_REASON_MAX (ERP_DENY_ER_DEMOTED + 1)

/* Which path the Azure prefixes use now. */
enum erp_path {
	ERP_PATH_NONE = 0,
	ERP_PATH_EXPRESSROUTE,
	ERP_PATH_VPN,
	ERP_PATH_BOTH, /* equal preference: both paths are used */
};

/*
 * A set of prefix rules with prefix-list semantics: "P/L" matches exactly
 * P/L, "P/L le N" matches prefixes inside P/L of length L..N, "P/L ge N"
 * lengths N..max, "P/L ge N le M" lengths N..M.  One rule per prefix.
 */
struct erp_prefix_rule {
	struct prefix prefix;
	uint8_t ge; /* 0 = not given */
	uint8_t le; /* 0 = not given */
	uint8_t minlen, maxlen; /* effective range, derived */
	/* bit L: this rule or a rule containing it matches length L (so a
	 * lookup need only find the longest rule containing the prefix) */
	uint64_t lens[3];
};

/* Where a lookup may start its descent: a trie node containing the prefix
 * looked up (NULL: none does), and the longest rule above that node. */
struct erp_prefix_start {
	const struct route_node *node;
	const struct erp_prefix_rule *above;
};

/* IPv4 lookups start from a table indexed by the address's first bits,
 * built for sets of at least ERP_PREFIX_INDEX_MIN_RULES IPv4 rules. */
#define ERP_PREFIX_INDEX_BITS 12
#define ERP_PREFIX_INDEX_MIN_RULES 32

struct erp_prefix_set {
	struct route_table *table[2]; /* [0] IPv4, [1] IPv6 */
	unsigned int count[2];
	/* lookup aids, rebuilt by the first lookup after a change */
	bool stale[2];
	struct erp_prefix_start *index;	 /* IPv4, or NULL */
	struct erp_prefix_start hint[2]; /* where the last lookup ended */
};

enum erp_mode {
	ERP_MODE_BACKUP = 0,	/* ExpressRoute preferred, VPN backup */
	ERP_MODE_ACTIVE_ACTIVE, /* equal preference (with maximum-paths: ECMP) */
};

enum erp_guard {
	ERP_GUARD_FILTER = 0, /* do not advertise it to VPN */
	ERP_GUARD_WARN,	      /* advertise, count and log */
	ERP_GUARD_OFF,
};

enum erp_limit_action {
	ERP_LIMIT_STOP = 0, /* stop advertising beyond the limit */
	ERP_LIMIT_WARN,	    /* advertise anyway, count and log */
};

struct erp_policy {
	uint32_t local_pref[ERP_ROLE_MAX]; /* by role; [NONE] unused */
	struct erp_prefix_set azure;
	struct erp_prefix_set onprem;
	struct erp_prefix_set prefer_vpn; /* exceptions: these prefer VPN */
	bool allow_default_route;
	uint8_t max_length_v4;
	uint8_t max_length_v6;
	enum erp_mode mode;

	/* outbound */
	bool advertise_default_route;
	bool allow_transit;
	enum erp_guard guard;
	uint32_t adv_limit[ERP_ROLE_MAX];
	enum erp_limit_action limit_action;
	uint8_t limit_warn_pct;
	uint8_t vpn_prepend; /* own AS prepended this many times towards VPN */
};

#define ERP_DEFAULT_LP_EXPRESSROUTE 200
#define ERP_DEFAULT_LP_VPN 100
/* Azure's limits on what on-prem advertises (private peering standard,
 * VPN gateway): beyond them Azure tears the session down. */
#define ERP_DEFAULT_ADV_LIMIT_EXPRESSROUTE 4000
#define ERP_DEFAULT_ADV_LIMIT_VPN 4000
#define ERP_DEFAULT_LIMIT_WARN_PCT 80

/* --- names (CLI/YANG words, JSON keys) ----------------------------------- */
extern const char *erp_role_name(enum erp_role role);
extern enum erp_role erp_role_from_name(const char *name);
extern const char *erp_reason_name(enum erp_reason reason);	/* text */
extern const char *erp_reason_json_key(enum erp_reason reason); /* camelCase */

/*
 * Everything said about a verdict, in one place: the show commands, the
 * JSON output and the YANG operational state all read this table.
 */
#define ERP_REASON_IN 0x1  /* a verdict on received routes */
#define ERP_REASON_OUT 0x2 /* a verdict on advertised routes */
struct erp_reason_info {
	const char *text;  /* log and detail text */
	const char *json;  /* JSON key (camelCase) */
	const char *yang;  /* leaf in prefixes-denied / -not-advertised */
	const char *label; /* short label in the show commands' counters */
	unsigned int dirs; /* ERP_REASON_IN / ERP_REASON_OUT */
};
/* NULL for a value out of range */
extern const struct erp_reason_info *erp_reason_info(enum erp_reason reason);
/* Is r a verdict of direction dirbit (ERP_REASON_IN or ERP_REASON_OUT)? */
extern bool erp_reason_applies(enum erp_reason reason, unsigned int dirbit);
extern const char *erp_path_name(enum erp_path path);
extern const char *erp_mode_name(enum erp_mode mode);
extern const char *erp_guard_name(enum erp_guard guard);
extern const char *erp_limit_action_name(enum erp_limit_action action);

/* --- prefix sets ----------------------------------------------------------- */
extern void erp_prefix_set_init(struct erp_prefix_set *set);
extern void erp_prefix_set_fini(struct erp_prefix_set *set);
extern unsigned int erp_prefix_set_count(const struct erp_prefix_set *set);

/*
 * Check a rule before it is added.  Returns true if valid; otherwise false
 * with a one-line explanation in errbuf.  ge/le of 0 mean "not given".
 */
extern bool erp_prefix_rule_check(const struct prefix *p, unsigned int ge,
				  unsigned int le, char *errbuf, size_t errlen);

/* Add or replace the rule for p.  The rule must have passed the check. */
extern void erp_prefix_set_add(struct erp_prefix_set *set,
			       const struct prefix *p, unsigned int ge,
			       unsigned int le);
/* Remove the rule for p; returns false if there was none. */
extern bool erp_prefix_set_del(struct erp_prefix_set *set,
			       const struct prefix *p);
/* Does any rule match p? */
extern bool erp_prefix_set_match(struct erp_prefix_set *set,
				 const struct prefix *p);
/* Does any rule's prefix contain p or lie inside p (le/ge ignored)? */
extern bool erp_prefix_set_overlaps(struct erp_prefix_set *set,
				    const struct prefix *p);
/* The outermost rules of a family (those no other rule contains), in trie
 * order: call with *cursor NULL for the first; NULL after the last.  No
 * rule may be added or removed in between. */
extern const struct erp_prefix_rule *
erp_prefix_set_next_outer(const struct erp_prefix_set *set, uint8_t family,
			  const struct route_node **cursor);
/* Iterate: call fn for every rule (IPv4 first, then IPv6, in trie order). */
extern void erp_prefix_set_walk(struct erp_prefix_set *set,
				void (*fn)(const struct erp_prefix_rule *rule,
					   void *arg),
				void *arg);

/* --- policy ----------------------------------------------------------------- */
extern void erp_policy_init(struct erp_policy *pol);
extern void erp_policy_fini(struct erp_policy *pol);

/*
 * The verdict for route p received from a neighbor with the given role.
 * On ERP_ACCEPT, *local_pref holds the local-preference to apply.
 */
extern enum erp_reason erp_decide(struct erp_policy *pol, enum erp_role role,
				  const struct prefix *p, uint32_t *local_pref);

/*
 * The local-preference for a route of a role.  While ExpressRoute is
 * demoted (fail-back hold-down, drain) its routes get one less than VPN
 * routes, so the VPN wins without any session being touched; the same for
 * prefixes declared prefer-vpn.  In active-active mode both roles get the
 * ExpressRoute value.  p may be NULL (no per-prefix exception applies).
 */
extern uint32_t erp_local_pref(struct erp_policy *pol, enum erp_role role,
			       bool er_demoted, const struct prefix *p);

/*
 * Outbound: what the router may advertise to a neighbor of role `to`
 * (everything but the advertisement limit: erpolicy_limit.h, applied after
 * the operator's map).  The facts the verdict may need are asked for
 * lazily (computing them walks the BGP table), through these callbacks.
 */
struct erp_out_facts {
	enum erp_role learned_from; /* role of the route's source neighbor */
	/* To VPN, for the symmetric guard: the established ExpressRoute
	 * neighbors are numbered 0 .. er_count() - 1; does neighbor `er` get
	 * exactly p / a less specific prefix than p? */
	unsigned int (*er_count)(void *arg);
	bool (*er_gets)(const struct prefix *p, bool covering, unsigned int er,
			void *arg);
	void *arg;
	/* to ExpressRoute: symmetric failover withdraws on-prem prefixes from
	 * ER now (erp_fo_er_withdrawn(): ER demoted, VPN path usable) ... */
	bool er_withdrawn;
	/* ... those a VPN neighbor gets: one established (address family
	 * negotiated) whose outbound map advertises p.  NULL: none does. */
	bool (*vpn_gets)(const struct prefix *p, void *arg);
};

struct erp_out_verdict {
	enum erp_reason reason;
	bool warn_more_specific; /* guard in warn mode */
};

/*
 * Symmetric guard: is p more specific towards the VPN than what
 * ExpressRoute gets?  True if ANY established ExpressRoute neighbor gets a
 * prefix covering p but not p itself: each MSEE session must carry what
 * the VPN carries (Azure wants both sessions of a circuit identical, and
 * the one that lacks p would, once the other fails, leave Azure's return
 * traffic for p on the VPN).
 */
extern bool erp_more_specific_than_er(const struct prefix *p,
				      const struct erp_out_facts *f);

/*
 * Symmetric failover: to ExpressRoute, a prefix that would be advertised is
 * withdrawn (ERP_DENY_ER_DEMOTED) while f->er_withdrawn holds and a VPN
 * neighbor gets it (f->vpn_gets); never one no VPN neighbor would carry,
 * which would cut Azure off from it.  Prefixes withdrawn so are not
 * counted against the ExpressRoute limit.
 */
extern void erp_decide_out(struct erp_policy *pol, enum erp_role to,
			   const struct prefix *p,
			   const struct erp_out_facts *f,
			   struct erp_out_verdict *v);

/* What the RIB holds for one Azure prefix (filled in by the glue). */
struct erp_prefix_facts {
	const struct prefix *prefix; /* for per-prefix exceptions; may be NULL */
	bool via_er;	   /* a path from an ExpressRoute neighbor */
	bool via_vpn;	   /* a path from a VPN neighbor */
	enum erp_role best; /* role of the best path's neighbor (NONE: other) */
	bool er_covers;	   /* no ER path here, but a shorter prefix has one */
};

enum erp_prefix_issue {
	ERP_ISSUE_NONE = 0,
	/* VPN-only prefix more specific than an ER route: longest match pulls
	 * its traffic onto the VPN although ExpressRoute is preferred */
	ERP_ISSUE_VPN_MORE_SPECIFIC,
	/* the best path is not from the intended path (weight, another
	 * neighbor, an operator's map ...) */
	ERP_ISSUE_BEST_NOT_INTENDED,
};

/* The path the policy wants this prefix on. */
extern enum erp_path erp_prefix_intended(struct erp_policy *pol,
					 bool er_demoted,
					 const struct erp_prefix_facts *f);
extern enum erp_prefix_issue
erp_prefix_issue(struct erp_policy *pol, bool er_demoted,
		 const struct erp_prefix_facts *f);
extern const char *erp_prefix_issue_name(enum erp_prefix_issue issue);

/*
 * Which path carries the Azure prefixes, given how many sessions of each
 * role are established: the role with the higher local-preference while it
 * has a session, else the other; both when the preferences are equal.
 */
extern enum erp_path erp_preferred_path(const struct erp_policy *pol,
					unsigned int er_up, unsigned int vpn_up);

#ifdef __cplusplus
}
#endif

#endif /* _ERPOLICY_DECIDE_H */
