// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: walks of a BGP table inside a set of prefixes (FRR glue).
 *
 * Visits, in table order, the default route and the subtrees of the
 * outermost rules of a prefix set (the declared Azure prefixes: where
 * ExpressRoute and VPN routes can be; the on-prem prefixes: what the
 * module advertises), not the rest of the table: an edge router that also
 * carries a full Internet table walks its Azure prefixes, not the
 * Internet.  An iterator, not a callback (callbacks made the walks of large
 * tables measurably slower, doc/benchmarks.md section 5):
 *
 *	struct erp_scope s;
 *
 *	for (dest = erp_scope_first(&s, set, false, afi, table); dest;
 *	     dest = erp_scope_next(&s))
 *
 * Run to the end (the current node is locked).  Nothing may be added to or
 * removed from the set during a walk; bgpd may free no node of the table
 * either (the walk runs in its main thread).  A walk that changes nothing
 * in bgpd (counts, show output) starts with erp_scope_first_readonly():
 * no locks, and the next nodes' memory asked for ahead.
 */
#ifndef _ERPOLICY_SCOPE_H
#define _ERPOLICY_SCOPE_H

#include "erpolicy.h"

struct bgp_dest;
struct bgp_table;
struct route_node;
struct route_table;

struct erp_scope {
	const struct erp_prefix_set *set; /* the rules whose subtrees are
					   * walked; NULL: the whole table */
	struct route_table *rt;
	uint8_t family;
	const struct route_node *cursor;       /* the outermost rule, in set */
	const struct erp_prefix_rule *pending; /* its subtree not walked yet */
	struct route_node *top; /* the last subtree's top in rt, or NULL */
	bool single;		/* the default route alone, not a subtree */
	struct route_node *rn;	/* current, locked unless readonly */
	unsigned int nodes;	/* visited */
	bool readonly;		/* no locks; the next nodes prefetched: */
	struct route_node *ahead[3]; /* erpolicy_scope.c */
};

/* The first node with a bgp_dest inside set's rules of afi (the default
 * route first); the whole table if set has no rule of afi and
 * whole_if_empty, else nothing (NULL). */
extern struct bgp_dest *erp_scope_first(struct erp_scope *s,
					const struct erp_prefix_set *set,
					bool whole_if_empty, enum erp_afi afi,
					struct bgp_table *table);
/* The same for a walk that changes nothing in bgpd, not even through the
 * code it calls between two nodes: no locks taken. */
extern struct bgp_dest *
erp_scope_first_readonly(struct erp_scope *s, const struct erp_prefix_set *set,
			 bool whole_if_empty, enum erp_afi afi,
			 struct bgp_table *table);
/* The next one; NULL after the last (nothing stays locked). */
extern struct bgp_dest *erp_scope_next(struct erp_scope *s);

#endif
