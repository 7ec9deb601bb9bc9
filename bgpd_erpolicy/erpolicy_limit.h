// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: the advertisement limit (pure: no bgpd header).
 *
 * Neighbors that receive the same routes (in bgpd: one update group) share
 * one erp_limit_set: the prefixes admitted under the limit, and those held
 * back at it.  The admission rule, in full:
 *
 *  - a prefix already admitted stays admitted, whatever the order in which
 *    the table is walked again (soft out, route refresh, re-evaluation);
 *  - a prefix not admitted is admitted while fewer than `limit` are;
 *    otherwise it is held back (action stop) or admitted with a warning
 *    (action warn);
 *  - an admitted prefix leaves the set only once it is no longer
 *    advertised to any neighbor of the group (erp_limit_prune: the glue
 *    says what is still advertised, pending withdrawals included), so the
 *    count never falls below what a neighbor has;
 *  - when room frees, the held-back prefixes are offered again in prefix
 *    order (erp_limit_held_next: by address, a shorter prefix before the
 *    longer ones inside it; bgpd walks its table in the same order).
 *
 * So a fresh group (first session, or all sessions of the group were
 * down) admits the first `limit` eligible prefixes in prefix order, and
 * after that nothing advertised is ever withdrawn because of the limit.
 */
#ifndef _ERPOLICY_LIMIT_H
#define _ERPOLICY_LIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "prefix.h"
#include "table.h"

#include "erpolicy_decide.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Held-back prefixes kept per set; past this they are only counted, and
 * erp_limit_set.held_truncated says a full re-walk is needed to find them. */
#define ERP_LIMIT_HELD_MAX 10000

struct erp_limit_set {
	struct route_table *admitted; /* node->info != NULL: admitted */
	struct route_table *held;     /* node->info != NULL: held back */
	uint32_t admitted_count;
	uint32_t held_count;
	bool held_truncated;
};

extern void erp_limit_set_init(struct erp_limit_set *s);
extern void erp_limit_set_fini(struct erp_limit_set *s);

/* Is p admitted (held back)? */
extern bool erp_limit_is_admitted(const struct erp_limit_set *s,
				  const struct prefix *p);
extern bool erp_limit_is_held(const struct erp_limit_set *s,
			      const struct prefix *p);

/*
 * The limit's verdict on advertising p to the set's neighbors (limit 0:
 * none), ERP_ACCEPT or ERP_DENY_LIMIT; *warn is set when the action is
 * warn and p goes beyond the limit.  Records the verdict in the set unless
 * `predict` (only asking what the verdict would be).
 */
extern enum erp_reason erp_limit_admit(struct erp_limit_set *s,
				       const struct prefix *p, uint32_t limit,
				       enum erp_limit_action action,
				       bool predict, bool *warn);

/* Record p as admitted (a prefix found advertised when the set is made). */
extern void erp_limit_add_admitted(struct erp_limit_set *s,
				   const struct prefix *p);

/* p is no longer waiting for room (gone, or denied for another reason). */
extern void erp_limit_unhold(struct erp_limit_set *s, const struct prefix *p);

/* Drop the admitted prefixes for which advertised(p, arg) is false.
 * Returns how many were dropped. */
extern uint32_t erp_limit_prune(struct erp_limit_set *s,
				bool (*advertised)(const struct prefix *p,
						   void *arg),
				void *arg);

/* Is there room for one more under limit? */
extern bool erp_limit_room(const struct erp_limit_set *s, uint32_t limit);

/* The held-back prefix after `after` in prefix order (after NULL: the
 * first) into *next; false after the last. */
extern bool erp_limit_held_next(const struct erp_limit_set *s,
				const struct prefix *after,
				struct prefix *next);

#ifdef __cplusplus
}
#endif

#endif
