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

/* Address families the module handles: IPv4 and IPv6 unicast. */
enum erp_afi {
	ERP_AFI_IPV4 = 0,
	ERP_AFI_IPV6,
};
#define ERP_AFI_MAX 2

extern const char *erp_afi_name(enum erp_afi afi); /* "ipv4" / "ipv6" */

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
};

PREDECL_LIST(erp_inst);
struct erp_instance {
	struct erp_inst_item item;
	char vrf[64]; /* "default" for the default BGP instance */
	struct erp_policy policy;
	struct erp_nbr_head neighbors;
	struct erp_stats_hash_head stats;
	struct erp_peer_stats *stats_last; /* the last one found */
	erp_task_t *t_reevaluate; /* pending re-evaluation of routes */
	/* by direction, bit (1 << role): roles to re-evaluate */
	uint8_t reevaluate_roles[ERP_DIR_MAX];

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
	/* attachments that deny everything, as last logged
	 * (erp_health_log_attachments) */
	unsigned int attach_warnings;
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
 * denied prefixes current (an accepted prefix leaves it).  Returns true if
 * p was newly denied (or denied for another reason than before).
 * Outbound "transit" verdicts are only counted as updates: every Azure
 * route gets one for each other Azure neighbor, and the distinct prefixes
 * are counted from the BGP table when asked (erp_rib_transit_count). */
extern bool erp_stats_verdict(struct erp_peer_stats *stats, enum erp_dir dir,
			      enum erp_afi afi, const struct prefix *p,
			      enum erp_reason reason);
/* Forget the denied prefixes (session down/up, policy re-applied). */
extern void erp_stats_clear_denied(struct erp_peer_stats *stats,
				   enum erp_dir dir, enum erp_afi afi);
/* Call fn for each denied prefix kept for a direction and family. */
extern void erp_stats_walk_denied(struct erp_peer_stats *stats,
				  enum erp_dir dir, enum erp_afi afi,
				  void (*fn)(const struct erp_denied *d,
					     void *arg),
				  void *arg);
/* Zero the counters of one direction and address family. */
extern void erp_stats_reset_af(struct erp_peer_stats *stats, enum erp_dir dir,
			       enum erp_afi afi);

#endif /* _ERPOLICY_H */
