// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: walks of a BGP table inside a set of prefixes.  See
 * erpolicy_scope.h.
 */
#include <zebra.h>

#include "bgpd/bgpd.h"
#include "bgpd/bgp_table.h"

#include "erpolicy_scope.h"

/* The node for p, or else the top of what the table has inside p; NULL if
 * it has nothing there.  Searched from near the last subtree's top (rules
 * come in address order: the next one is usually close by). */
static struct route_node *subtree_top(struct erp_scope *s,
				      const struct prefix *p)
{
	struct route_node *node = s->top ? s->top : s->rt->top;

	while (node->parent && !prefix_match(&node->p, p))
		node = node->parent;
	while (node && node->p.prefixlen < p->prefixlen) {
		if (!prefix_match(&node->p, p))
			return NULL;
		node = node->link[prefix_bit(&p->u.prefix, node->p.prefixlen)];
	}
	return node && prefix_match(p, &node->p) ? node : NULL;
}

/* The next subtree to walk, its top locked; NULL after the last. */
static struct route_node *scope_next_top(struct erp_scope *s)
{
	const struct erp_prefix_rule *rule;
	struct route_node *top;

	for (;;) {
		rule = s->pending ? s->pending
				  : erp_prefix_set_next_outer(s->set, s->family,
							      &s->cursor);
		s->pending = NULL;
		if (!rule)
			return NULL;
		top = subtree_top(s, &rule->prefix);
		if (top) {
			s->top = top;
			s->single = false;
			return route_lock_node(top);
		}
	}
}

/*
 * The next node with a bgp_dest.  In FRR 10.x (10.3 here) a bgp_dest is no
 * longer the route_node itself but rn->info, and the glue nodes the radix tree
 * inserts between prefixes have none (NULL): skip them, as bgp_route_next()
 * does. On 8.4 every node is a dest and the loop runs once.  Glue nodes count
 * as visited nodes on both.
 */
struct bgp_dest *erp_scope_next(struct erp_scope *s)
{
	struct route_node *rn;
	struct bgp_dest *dest;

	do {
		rn = s->rn;
		if (!s->single)
			rn = route_next_until(rn, s->top);
		else {
			route_unlock_node(rn);
			rn = NULL;
		}
		if (!rn && s->set)
			rn = scope_next_top(s);
		s->rn = rn;
		if (!rn)
			return NULL;
		s->nodes++;
		dest = bgp_dest_from_rnode(rn);
	} while (!dest);
	return dest;
}

struct bgp_dest *erp_scope_first(struct erp_scope *s,
				 const struct erp_prefix_set *set,
				 bool whole_if_empty, enum erp_afi afi,
				 struct bgp_table *table)
{
	struct route_node *top = table->route_table->top;

	memset(s, 0, sizeof(*s));
	if (!top || (!set->count[afi] && !whole_if_empty))
		return NULL;
	s->rt = table->route_table;
	s->family = afi == ERP_AFI_IPV6 ? AF_INET6 : AF_INET;
	if (!set->count[afi]) {
		s->top = top;
		s->rn = route_lock_node(top);
	} else {
		s->set = set;
		s->pending = erp_prefix_set_next_outer(s->set, s->family,
						       &s->cursor);
		if (top->p.prefixlen == 0 && s->pending &&
		    s->pending->prefix.prefixlen > 0) {
			/* the default route first (table order), a single
			 * node (under a /0 rule it is that rule's subtree) */
			s->single = true;
			s->rn = route_lock_node(top);
		} else
			s->rn = scope_next_top(s);
		if (!s->rn)
			return NULL;
	}
	s->nodes = 1;
	return bgp_dest_from_rnode(s->rn) ?: erp_scope_next(s);
}
