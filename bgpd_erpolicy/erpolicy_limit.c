// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: the advertisement limit.  See erpolicy_limit.h.
 */
#include <zebra.h>

#include "prefix.h"
#include "table.h"

#include "erpolicy_limit.h"

/* what a member's node->info points to: membership only */
static int member_mark;
#define MEMBER ((void *)&member_mark)

void erp_limit_set_init(struct erp_limit_set *s)
{
	memset(s, 0, sizeof(*s));
	s->admitted = route_table_init();
	s->held = route_table_init();
}

static void clear_table(struct route_table *t)
{
	struct route_node *rn;

	for (rn = route_top(t); rn; rn = route_next(rn))
		if (rn->info) {
			rn->info = NULL;
			route_unlock_node(rn);
		}
}

void erp_limit_set_fini(struct erp_limit_set *s)
{
	if (s->admitted) {
		clear_table(s->admitted);
		route_table_finish(s->admitted);
	}
	if (s->held) {
		clear_table(s->held);
		route_table_finish(s->held);
	}
	memset(s, 0, sizeof(*s));
}

static bool member(struct route_table *t, const struct prefix *p)
{
	struct route_node *rn = route_node_lookup(t, p);
	bool in = rn && rn->info;

	if (rn)
		route_unlock_node(rn);
	return in;
}

/* add p; true if it was not there */
static bool add(struct route_table *t, const struct prefix *p)
{
	struct route_node *rn = route_node_get(t, p);

	if (rn->info) {
		route_unlock_node(rn);
		return false;
	}
	rn->info = MEMBER; /* keeps route_node_get's lock */
	return true;
}

/* remove p; true if it was there */
static bool del(struct route_table *t, const struct prefix *p)
{
	struct route_node *rn = route_node_lookup(t, p);
	bool was;

	if (!rn)
		return false;
	was = rn->info != NULL;
	if (was) {
		rn->info = NULL;
		route_unlock_node(rn); /* the member's lock */
	}
	route_unlock_node(rn); /* the lookup's */
	return was;
}

bool erp_limit_is_admitted(const struct erp_limit_set *s,
			   const struct prefix *p)
{
	return member(s->admitted, p);
}

bool erp_limit_is_held(const struct erp_limit_set *s, const struct prefix *p)
{
	return member(s->held, p);
}

bool erp_limit_room(const struct erp_limit_set *s, uint32_t limit)
{
	return !limit || s->admitted_count < limit;
}

void erp_limit_add_admitted(struct erp_limit_set *s, const struct prefix *p)
{
	if (add(s->admitted, p))
		s->admitted_count++;
	if (del(s->held, p))
		s->held_count--;
}

void erp_limit_unhold(struct erp_limit_set *s, const struct prefix *p)
{
	if (del(s->held, p))
		s->held_count--;
}

static void hold(struct erp_limit_set *s, const struct prefix *p)
{
	if (member(s->held, p))
		return;
	if (s->held_count >= ERP_LIMIT_HELD_MAX) {
		s->held_truncated = true;
		return;
	}
	add(s->held, p);
	s->held_count++;
}

enum erp_reason erp_limit_admit(struct erp_limit_set *s, const struct prefix *p,
				uint32_t limit, enum erp_limit_action action,
				bool predict, bool *warn)
{
	*warn = false;
	if (member(s->admitted, p))
		return ERP_ACCEPT;
	if (!erp_limit_room(s, limit)) {
		if (action == ERP_LIMIT_STOP) {
			if (!predict)
				hold(s, p);
			return ERP_DENY_LIMIT;
		}
		*warn = true;
	}
	if (!predict)
		erp_limit_add_admitted(s, p);
	return ERP_ACCEPT;
}

uint32_t erp_limit_prune(struct erp_limit_set *s,
			 bool (*advertised)(const struct prefix *p, void *arg),
			 void *arg)
{
	struct route_node *rn;
	uint32_t dropped = 0;

	for (rn = route_top(s->admitted); rn; rn = route_next(rn))
		if (rn->info && !advertised(&rn->p, arg)) {
			rn->info = NULL;
			route_unlock_node(rn); /* route_next still holds one */
			s->admitted_count--;
			dropped++;
		}
	return dropped;
}

bool erp_limit_held_next(const struct erp_limit_set *s,
			 const struct prefix *after, struct prefix *next)
{
	struct route_node *rn;

	if (after) {
		/* a node at `after` (made if gone) is where the walk goes on */
		rn = route_next(route_node_get(s->held, after));
	} else
		rn = route_top(s->held);
	while (rn && !rn->info)
		rn = route_next(rn);
	if (!rn)
		return false;
	prefix_copy(next, &rn->p);
	route_unlock_node(rn);
	return true;
}
