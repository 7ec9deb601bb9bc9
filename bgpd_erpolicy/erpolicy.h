// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: the module's data model.
 *
 * One erp_instance per BGP instance (keyed by VRF name) holds the declared
 * intent: the policy (erpolicy_decide.h), the neighbors with their path
 * roles, and per-peer counters.  Nothing here includes bgpd headers; the
 * glue (erpolicy_peer.c and the layers above it) maps bgpd objects onto it.
 */
#ifndef _ERPOLICY_H
#define _ERPOLICY_H

#include "prefix.h"
#include "erpolicy_compat.h"
#include "typesafe.h"

#include "erpolicy_decide.h"
#include "erpolicy_failover.h"
#include "erpolicy_limit.h"

/* Address families the module handles: IPv4 and IPv6 unicast. */
enum erp_afi {
	ERP_AFI_IPV4 = 0,
	ERP_AFI_IPV6,
};
#define ERP_AFI_MAX 2

extern const char *erp_afi_name(enum erp_afi afi); /* "ipv4" / "ipv6" */
/* The address family of an IPv4 or IPv6 prefix (inline: every route's
 * verdict asks it). */
static inline enum erp_afi erp_prefix_afi(const struct prefix *p)
{
	return p->family == AF_INET6 ? ERP_AFI_IPV6 : ERP_AFI_IPV4;
}

/* Monotonic clock in milliseconds (the failover state machine's clock). */
extern uint64_t erp_now_ms(void);

/* Direction of a policy: routes received, routes advertised. */
enum erp_dir {
	ERP_DIR_IN = 0,
	ERP_DIR_OUT,
};
#define ERP_DIR_MAX 2

/* A declared neighbor: an address, an interface (unnumbered) or a peer-group.
 * A peer uses its own declaration if it has one, else its peer-group's: the
 * declaration found gives the path and the operator's maps together. */
PREDECL_SORTLIST_UNIQ(erp_nbr);
struct erp_neighbor {
	struct erp_nbr_item item;
	char *name;
	enum erp_role role;
	/* the operator's own route-map, run inside the module's map of the
	 * direction (erpolicy_rmap.h); NULL: none */
	char *user_map[ERP_DIR_MAX];
};

/* A prefix a peer sent that the policy denies, and why. */
PREDECL_HASH(erp_denied);
struct erp_denied {
	struct erp_denied_item item;
	struct prefix prefix;
	enum erp_reason reason;
};

/* Distinct denied prefixes kept per peer and address family; past this
 * only the cumulative counters grow (a hostile peer cannot exhaust memory). */
#define ERP_DENIED_MAX 10000

struct erp_dir_stats {
	/* updates evaluated in this session, by verdict ([ERP_ACCEPT]:
	 * accepted).  Cumulative: a route re-evaluated counts again. */
	uint64_t updates[ERP_AFI_MAX][ERP_REASON_MAX];
	/* prefixes denied in this session (or since the policy changed):
	 * each prefix once, with its latest reason */
	struct erp_denied_head denied[ERP_AFI_MAX];
	uint32_t denied_count[ERP_AFI_MAX][ERP_REASON_MAX];
	bool denied_truncated[ERP_AFI_MAX]; /* ERP_DENIED_MAX was reached */
};

/* Counters of one BGP peer (group members each have their own). */
PREDECL_HASH(erp_stats_hash);
struct erp_peer_stats {
	struct erp_stats_hash_item item;
	const void *peer; /* identity only: never dereferenced here */
	char host[64];	  /* the peer's name when the counters were made */
	struct erp_dir_stats dir[ERP_DIR_MAX];
	/* outbound: advertisements the symmetric guard warned about (warn
	 * mode), and where the advertisement count stands against its limit */
	uint64_t guard_warnings[ERP_AFI_MAX];
	uint8_t limit_state[ERP_AFI_MAX]; /* 0 below, 1 warned, 2 reached */
	/* graceful restart: when the last session ended with its routes kept
	 * stale, until when (erp_now_ms()) bgpd may keep them: the stale-path
	 * time from then (erpolicy_stale.c); 0: none kept.  Not reset when a
	 * session comes up: the new session's End-of-RIB ends it earlier. */
	uint64_t stale_until_ms[ERP_AFI_MAX];
	/* received prefixes a warning was logged for in this session
	 * (erp_stats_warn_once): kept across re-evaluations, emptied when
	 * the session ends; at most ERP_DENIED_MAX per family */
	struct erp_denied_head warned[ERP_AFI_MAX];
	bool warned_full[ERP_AFI_MAX]; /* ERP_DENIED_MAX was reached */
};

/* What the advertisement limit admitted for one bgpd update group, i.e.
 * for every neighbor that receives the same routes (erpolicy_limit.h).
 * Keyed by the group's id, which bgpd never reuses. */
PREDECL_HASH(erp_lgrp);
struct erp_limit_group {
	struct erp_lgrp_item item;
	uint64_t id;
	enum erp_afi afi;
	enum erp_role role; /* the path of the group's neighbors */
	struct erp_limit_set set;
	uint64_t seen; /* the tick that last found the group in bgpd */
	/* what the group's subgroups looked like when last pruned: while it
	 * stays the same, no admitted prefix can have left */
	uint64_t pruned_mark;
};

PREDECL_LIST(erp_inst);
struct erp_instance {
	struct erp_inst_item item;
	char vrf[64]; /* "default" for the default BGP instance */
	struct erp_policy policy;
	struct erp_nbr_head neighbors;
	struct erp_stats_hash_head stats;
	struct erp_peer_stats *stats_last; /* the last one found */
	struct erp_lgrp_head limit_groups;
	struct erp_limit_group *limit_last; /* the last one found */
	erp_task_t *t_reevaluate; /* pending re-evaluation of routes */
	/* by direction and address family, bit (1 << role): roles to
	 * re-evaluate */
	uint8_t reevaluate_roles[ERP_DIR_MAX][ERP_AFI_MAX];
	/* pending: the on-prem prefixes of these address families (bit 1 <<
	 * afi) offered to the neighbors again (erpolicy_announce.h) */
	erp_task_t *t_announce;
	uint8_t announce_afis;

	/* failover: one state machine per address family */
	struct erp_fo_config fo_config;
	struct erp_failover fo[ERP_AFI_MAX];
	erp_task_t *t_holddown[ERP_AFI_MAX];
	erp_task_t *t_paths; /* path state to update (erpolicy_paths.c) */
	struct erp_event_ring events;
	/* last logged overlap/difference summary ("logged once per change") */
	struct erp_overlap_counts {
		uint32_t onprem_overlaps, er_only, vpn_only, vpn_more_specific;
	} overlaps_logged;
	/* routes from Azure changed: a count bumped per change, and the state
	 * of the debounced look at overlaps (erpolicy_hooks.c) */
	uint64_t overlaps_changes, overlaps_changes_seen;
	bool overlaps_pending;
	unsigned int overlaps_quiet_ticks, overlaps_busy_ticks;
	uint64_t overlaps_next_ms; /* no walk before (erp_now_ms) */
	/* best paths learned from Azure (ER or VPN neighbors), counted by a
	 * walk of the table at most once a second (erp_rib_transit_count) */
	uint32_t azure_best[ERP_AFI_MAX];
	uint64_t azure_best_ms[ERP_AFI_MAX]; /* when counted; 0: never */
	uint64_t azure_best_changes[ERP_AFI_MAX]; /* overlaps_changes then */
	/* health warnings as last logged (erp_health_log) */
	struct erp_health_seen {
		char key[640];
		char check[32];
		char message[512];
		char fix[256];
	} *health_seen;
	unsigned int n_health_seen;
	/* path events so far, by address family and type (monitoring) */
	uint64_t event_counts[ERP_AFI_MAX][ERP_EV_TYPE_MAX];
	/* handles naming (instance, address family), for the operational state */
	struct erp_inst_afi {
		struct erp_instance *inst;
		enum erp_afi afi;
	} afis[ERP_AFI_MAX];
};

/* --- instances ------------------------------------------------------------ */
extern void erp_instances_init(void);
extern struct erp_instance *erp_instance_find(const char *vrf);
extern struct erp_instance *erp_instance_get(const char *vrf);
extern void erp_instance_delete(struct erp_instance *inst);
extern struct erp_instance *erp_instance_first(void);
extern struct erp_instance *erp_instance_next(struct erp_instance *inst);
extern unsigned int erp_instance_count(void);
/* at shutdown: frees every instance (erp_instances_init() to reuse) */
extern void erp_instance_delete_all(void);

/* --- neighbors ----------------------------------------------------------- */
/* Bumped whenever what a lookup of a peer's declaration can return may
 * have changed: a neighbor declared, removed or given another role, an
 * instance created or deleted, a peer's session state changed (bgpd frees
 * a peer only after moving it to Deleted).  Caches of those lookups
 * compare it. */
extern uint64_t erp_decl_gen;
extern struct erp_neighbor *erp_neighbor_find(struct erp_instance *inst,
					      const char *name);
extern struct erp_neighbor *erp_neighbor_add(struct erp_instance *inst,
					     const char *name,
					     enum erp_role role);
extern void erp_neighbor_del(struct erp_instance *inst,
			     struct erp_neighbor *nbr);
/* Set (name) or clear (NULL) the operator's map of a direction. */
extern void erp_neighbor_set_user_map(struct erp_neighbor *nbr,
				      enum erp_dir dir, const char *name);
extern struct erp_neighbor *erp_neighbor_first(struct erp_instance *inst);
extern struct erp_neighbor *erp_neighbor_next(struct erp_instance *inst,
					      struct erp_neighbor *nbr);

/* --- per-peer counters ------------------------------------------------------ */
extern struct erp_peer_stats *erp_stats_find(struct erp_instance *inst,
					     const void *peer);
/* find or create; counters are reset if the peer's name changed */
extern struct erp_peer_stats *erp_stats_get(struct erp_instance *inst,
					    const void *peer, const char *host);
extern void erp_stats_reset(struct erp_peer_stats *stats);
/* drop counters of peers for which keep(peer, arg) is false */
extern void erp_stats_prune(struct erp_instance *inst,
			    bool (*keep)(const void *peer, void *arg),
			    void *arg);
/* Record a verdict on prefix p: counts the update, and keeps the set of
 * denied prefixes current (an accepted prefix leaves it).  A prefix is kept
 * in its canonical form: variants of it sent with host bits set (e.g.
 * 10.100.1.0/20 and 10.100.2.0/20, both 10.100.0.0/20) are one prefix, as
 * they are one route in bgpd's table.  Returns true if p was newly denied
 * (or denied for another reason than before).
 * Outbound "transit" verdicts are only counted as updates: every Azure
 * route gets one for each other Azure neighbor, and the distinct prefixes
 * are counted from the BGP table when asked (erp_rib_transit_count). */
extern bool erp_stats_verdict(struct erp_peer_stats *stats, enum erp_dir dir,
			      enum erp_afi afi, const struct prefix *p,
			      enum erp_reason reason);
/*
 * A warning about received prefix p (for reason) is to be logged: returns
 * true the first time in this session for p's canonical form (host bits
 * cleared), false after that, also when p was since accepted or denied for
 * another reason, and once ERP_DENIED_MAX prefixes were warned about (then
 * *now_full, if given, is set true by the call that found the set full
 * first).  A re-evaluation (erp_stats_reset_af) keeps what was warned
 * about; the end of the session (erp_stats_session_ended) forgets it.
 */
extern bool erp_stats_warn_once(struct erp_peer_stats *stats, enum erp_afi afi,
				const struct prefix *p, enum erp_reason reason,
				bool *now_full);
/* The session of the peer ended: forget its denied prefixes and what was
 * warned about (the update counters stay until the next session). */
extern void erp_stats_session_ended(struct erp_peer_stats *stats);
/* Forget the denied prefixes (session down/up, policy re-applied). */
extern void erp_stats_clear_denied(struct erp_peer_stats *stats,
				   enum erp_dir dir, enum erp_afi afi);
/* Call fn for each denied prefix kept for a direction and family. */
extern void erp_stats_walk_denied(struct erp_peer_stats *stats,
				  enum erp_dir dir, enum erp_afi afi,
				  void (*fn)(const struct erp_denied *d,
					     void *arg),
				  void *arg);
/* --- advertisement limit, per update group --------------------------------- */
extern struct erp_limit_group *erp_limit_group_find(struct erp_instance *inst,
						    uint64_t id);
/* find or create (*created: it was made now) */
extern struct erp_limit_group *erp_limit_group_get(struct erp_instance *inst,
						   uint64_t id,
						   enum erp_afi afi,
						   enum erp_role role,
						   bool *created);
/* drop the groups for which keep(group, arg) is false */
extern void erp_limit_groups_prune(struct erp_instance *inst,
				   bool (*keep)(struct erp_limit_group *g,
						void *arg),
				   void *arg);
extern unsigned int erp_limit_group_count(struct erp_instance *inst);

/* Zero the counters of one direction and address family. */
extern void erp_stats_reset_af(struct erp_peer_stats *stats, enum erp_dir dir,
			       enum erp_afi afi);

#endif /* _ERPOLICY_H */
