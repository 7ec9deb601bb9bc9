// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: walks of a BGP table inside a set of prefixes.  See
 * erpolicy_scope.h.
 */
#include <zebra.h>

#include "bgpd/bgpd.h"
#include "bgpd/bgp_table.h"

#include "erpolicy_scope.h"

/*
 * Read-only walks (erp_scope_first_readonly()) take no locks and ask for
 * memory ahead: a walk of a large table waits mostly for memory, one node,
 * dest and path list after the other (doc/benchmarks.md section 13).  The
 * nodes after the current one go through three stages, one step each:
 * ahead[2] was asked for; ahead[1] is in, its dest is asked for (on 8.4 the
 * dest is the node, on 10.x rn->info); ahead[0]'s dest is in, its path list
 * is asked for.
 */

/* The node after rn inside top, in route_next_until()'s order, no locks. */
static struct route_node *next_nolock(const struct route_node *rn,
				      const struct route_node *top)
{
	if (rn->l_left)
		return rn->l_left;
	if (rn->l_right)
		return rn->l_right;
	for (; rn->parent && rn != top; rn = rn->parent)
		if (rn->parent->l_left == rn && rn->parent->l_right)
			return rn->parent->l_right;
	return NULL;
}

static void ahead_shift(struct erp_scope *s)
{
	struct bgp_dest *dest;

	s->ahead[0] = s->ahead[1];
	s->ahead[1] = s->ahead[2];
	s->ahead[2] = s->ahead[1] ? next_nolock(s->ahead[1], s->top) : NULL;
	if (s->ahead[2])
		__builtin_prefetch(s->ahead[2]);
	/* its sibling comes after the left subtree, often small */
	if (s->ahead[1] && s->ahead[1]->l_left && s->ahead[1]->l_right)
		__builtin_prefetch(s->ahead[1]->l_right);
	if (s->ahead[1])
		__builtin_prefetch(s->ahead[1]->info);
	if (s->ahead[0] && (dest = bgp_dest_from_rnode(s->ahead[0])))
		__builtin_prefetch(bgp_dest_get_bgp_path_info(dest));
}

/* A read-only walk starts on a subtree's top: fill the stages. */
static void ahead_start(struct erp_scope *s, struct route_node *top)
{
	if (!s->readonly)
		return;
	s->ahead[1] = NULL;
	s->ahead[2] = next_nolock(top, top);
	ahead_shift(s);
	ahead_shift(s);
}

/* The node after rn in the current subtree; NULL after its last. */
static struct route_node *subtree_next(struct erp_scope *s,
				       struct route_node *rn)
{
	if (!s->readonly)
		return route_next_until(rn, s->top);
	rn = s->ahead[0];
	ahead_shift(s);
	return rn;
}

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

/* The next subtree to walk, its top locked (unless read-only); NULL after
 * the last. */
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
			ahead_start(s, top);
			return s->readonly ? top : route_lock_node(top);
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
			rn = subtree_next(s, rn);
		else {
			if (!s->readonly)
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

static struct bgp_dest *scope_first(struct erp_scope *s,
				    const struct erp_prefix_set *set,
				    bool whole_if_empty, enum erp_afi afi,
				    struct bgp_table *table, bool readonly)
{
	struct route_node *top = table->route_table->top;

	memset(s, 0, sizeof(*s));
	s->readonly = readonly;
	if (!top || (!set->count[afi] && !whole_if_empty))
		return NULL;
	s->rt = table->route_table;
	s->family = afi == ERP_AFI_IPV6 ? AF_INET6 : AF_INET;
	if (!set->count[afi]) {
		s->top = top;
		ahead_start(s, top);
		s->rn = readonly ? top : route_lock_node(top);
	} else {
		s->set = set;
		s->pending = erp_prefix_set_next_outer(s->set, s->family,
						       &s->cursor);
		if (top->p.prefixlen == 0 && s->pending &&
		    s->pending->prefix.prefixlen > 0) {
			/* the default route first (table order), a single
			 * node (under a /0 rule it is that rule's subtree) */
			s->single = true;
			s->rn = readonly ? top : route_lock_node(top);
		} else
			s->rn = scope_next_top(s);
		if (!s->rn)
			return NULL;
	}
	s->nodes = 1;
	return bgp_dest_from_rnode(s->rn) ?: erp_scope_next(s);
}

struct bgp_dest *erp_scope_first(struct erp_scope *s,
				 const struct erp_prefix_set *set,
				 bool whole_if_empty, enum erp_afi afi,
				 struct bgp_table *table)
{
	return scope_first(s, set, whole_if_empty, afi, table, false);
}

struct bgp_dest *erp_scope_first_readonly(struct erp_scope *s,
					  const struct erp_prefix_set *set,
					  bool whole_if_empty, enum erp_afi afi,
					  struct bgp_table *table)
{
	return scope_first(s, set, whole_if_empty, afi, table, true);
}
