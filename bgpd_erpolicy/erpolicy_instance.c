// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: instances, declared neighbors and per-peer counters.
 * Plain containers over the data model in erpolicy.h; no bgpd headers.
 */
#include <zebra.h>

#include "jhash.h"
#include "monotime.h"

#include "erpolicy.h"
#include "erpolicy_memory.h"

static int erp_nbr_cmp(const struct erp_neighbor *a,
		       const struct erp_neighbor *b)
{
	return strcmp(a->name, b->name);
}
DECLARE_SORTLIST_UNIQ(erp_nbr, struct erp_neighbor, item, erp_nbr_cmp);

static int erp_stats_cmp(const struct erp_peer_stats *a,
			 const struct erp_peer_stats *b)
{
	return numcmp((uintptr_t)a->peer, (uintptr_t)b->peer);
}
static uint32_t erp_stats_hash(const struct erp_peer_stats *s)
{
	uintptr_t p = (uintptr_t)s->peer;

	return jhash_2words((uint32_t)p, (uint32_t)(p >> 32), 0xe7);
}
DECLARE_HASH(erp_stats_hash, struct erp_peer_stats, item, erp_stats_cmp,
	     erp_stats_hash);

static int erp_denied_cmp(const struct erp_denied *a,
			  const struct erp_denied *b)
{
	return prefix_cmp(&a->prefix, &b->prefix);
}
static uint32_t erp_denied_hash(const struct erp_denied *d)
{
	return prefix_hash_key(&d->prefix);
}
DECLARE_HASH(erp_denied, struct erp_denied, item, erp_denied_cmp,
	     erp_denied_hash);

DECLARE_LIST(erp_inst, struct erp_instance, item);

/* initialised by erp_instances_init(): a static INIT_LIST lacks 8.4's
 * sentinel */
static struct erp_inst_head instances;

void erp_instances_init(void)
{
	erp_inst_init(&instances);
}

uint64_t erp_now_ms(void)
{
	struct timeval tv;

	monotime(&tv);
	return (uint64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

const char *erp_afi_name(enum erp_afi afi)
{
	return afi == ERP_AFI_IPV6 ? "ipv6" : "ipv4";
}

static void stats_clear_warned(struct erp_peer_stats *stats)
{
	struct erp_denied *d;

	for (int i = 0; i < ERP_AFI_MAX; i++) {
		frr_each_safe (erp_denied, &stats->warned[i], d) {
			erp_denied_del(&stats->warned[i], d);
			XFREE(MTYPE_ERP_WARNED, d);
		}
		stats->warned_full[i] = false;
	}
}

static void stats_free(struct erp_peer_stats *stats)
{
	for (int d = 0; d < ERP_DIR_MAX; d++)
		for (int i = 0; i < ERP_AFI_MAX; i++) {
			erp_stats_clear_denied(stats, d, i);
			erp_denied_fini(&stats->dir[d].denied[i]);
		}
	stats_clear_warned(stats);
	for (int i = 0; i < ERP_AFI_MAX; i++)
		erp_denied_fini(&stats->warned[i]);
	XFREE(MTYPE_ERP_PEER_STATS, stats);
}

/* --- instances ---------------------------------------------------------- */

uint64_t erp_decl_gen;

struct erp_instance *erp_instance_find(const char *vrf)
{
	struct erp_instance *inst;

	frr_each (erp_inst, &instances, inst)
		if (strcmp(inst->vrf, vrf) == 0)
			return inst;
	return NULL;
}

static int erp_lgrp_cmp(const struct erp_limit_group *a,
			const struct erp_limit_group *b)
{
	return numcmp(a->id, b->id);
}
static uint32_t erp_lgrp_hash(const struct erp_limit_group *g)
{
	return jhash_2words((uint32_t)g->id, (uint32_t)(g->id >> 32), 0x11);
}
DECLARE_HASH(erp_lgrp, struct erp_limit_group, item, erp_lgrp_cmp,
	     erp_lgrp_hash);

struct erp_limit_group *erp_limit_group_find(struct erp_instance *inst,
					     uint64_t id)
{
	struct erp_limit_group ref = {.id = id};

	if (inst->limit_last && inst->limit_last->id == id)
		return inst->limit_last;
	inst->limit_last = erp_lgrp_find(&inst->limit_groups, &ref);
	return inst->limit_last;
}

struct erp_limit_group *erp_limit_group_get(struct erp_instance *inst,
					    uint64_t id, enum erp_afi afi,
					    enum erp_role role, bool *created)
{
	struct erp_limit_group *g = erp_limit_group_find(inst, id);

	*created = !g;
	if (g)
		return g;
	g = XCALLOC(MTYPE_ERP_LIMIT_GROUP, sizeof(*g));
	g->id = id;
	g->afi = afi;
	g->role = role;
	erp_limit_set_init(&g->set);
	erp_lgrp_add(&inst->limit_groups, g);
	inst->limit_last = g;
	return g;
}

static void limit_group_free(struct erp_limit_group *g)
{
	erp_limit_set_fini(&g->set);
	XFREE(MTYPE_ERP_LIMIT_GROUP, g);
}

void erp_limit_groups_prune(struct erp_instance *inst,
			    bool (*keep)(struct erp_limit_group *g, void *arg),
			    void *arg)
{
	struct erp_limit_group *g;

	inst->limit_last = NULL;
	frr_each_safe (erp_lgrp, &inst->limit_groups, g)
		if (!keep(g, arg)) {
			erp_lgrp_del(&inst->limit_groups, g);
			limit_group_free(g);
		}
}

unsigned int erp_limit_group_count(struct erp_instance *inst)
{
	return erp_lgrp_count(&inst->limit_groups);
}

struct erp_instance *erp_instance_get(const char *vrf)
{
	struct erp_instance *inst = erp_instance_find(vrf);

	if (inst)
		return inst;
	inst = XCALLOC(MTYPE_ERP_INSTANCE, sizeof(*inst));
	strlcpy(inst->vrf, vrf, sizeof(inst->vrf));
	erp_policy_init(&inst->policy);
	erp_nbr_init(&inst->neighbors);
	erp_stats_hash_init(&inst->stats);
	erp_lgrp_init(&inst->limit_groups);
	for (int i = 0; i < ERP_AFI_MAX; i++) {
		inst->afis[i].inst = inst;
		inst->afis[i].afi = i;
		erp_fo_init(&inst->fo[i], erp_now_ms());
	}
	erp_ring_init(&inst->events);
	erp_inst_add_tail(&instances, inst);
	erp_decl_gen++;
	return inst;
}

void erp_instance_delete(struct erp_instance *inst)
{
	struct erp_neighbor *nbr;
	struct erp_peer_stats *stats;

	erp_task_cancel(&inst->t_reevaluate);
	erp_task_cancel(&inst->t_announce);
	erp_task_cancel(&inst->t_paths);
	for (int i = 0; i < ERP_AFI_MAX; i++)
		erp_task_cancel(&inst->t_holddown[i]);
	while ((nbr = erp_nbr_first(&inst->neighbors)))
		erp_neighbor_del(inst, nbr);
	erp_nbr_fini(&inst->neighbors);
	inst->stats_last = NULL;
	while ((stats = erp_stats_hash_pop(&inst->stats)))
		stats_free(stats);
	erp_stats_hash_fini(&inst->stats);
	inst->limit_last = NULL;
	{
		struct erp_limit_group *g;

		while ((g = erp_lgrp_pop(&inst->limit_groups)))
			limit_group_free(g);
	}
	erp_lgrp_fini(&inst->limit_groups);
	erp_policy_fini(&inst->policy);
	XFREE(MTYPE_ERP_HEALTH, inst->health_seen); /* erp_health_log */
	erp_inst_del(&instances, inst);
	XFREE(MTYPE_ERP_INSTANCE, inst);
	erp_decl_gen++;
}

void erp_instance_delete_all(void)
{
	struct erp_instance *inst;

	while ((inst = erp_inst_first(&instances)))
		erp_instance_delete(inst);
	erp_inst_fini(&instances);
}

struct erp_instance *erp_instance_first(void)
{
	return erp_inst_first(&instances);
}

struct erp_instance *erp_instance_next(struct erp_instance *inst)
{
	return erp_inst_next(&instances, inst);
}

unsigned int erp_instance_count(void)
{
	return erp_inst_count(&instances);
}

/* --- neighbors ------------------------------------------------------------ */

struct erp_neighbor *erp_neighbor_find(struct erp_instance *inst,
				       const char *name)
{
	struct erp_neighbor key = {.name = (char *)name};

	return erp_nbr_find(&inst->neighbors, &key);
}

struct erp_neighbor *erp_neighbor_add(struct erp_instance *inst,
				      const char *name, enum erp_role role)
{
	struct erp_neighbor *nbr = erp_neighbor_find(inst, name);

	if (!nbr) {
		nbr = XCALLOC(MTYPE_ERP_NEIGHBOR, sizeof(*nbr));
		nbr->name = XSTRDUP(MTYPE_ERP_NAME, name);
		erp_nbr_add(&inst->neighbors, nbr);
	}
	nbr->role = role;
	erp_decl_gen++;
	return nbr;
}

void erp_neighbor_set_user_map(struct erp_neighbor *nbr, enum erp_dir dir,
			       const char *name)
{
	XFREE(MTYPE_ERP_NAME, nbr->user_map[dir]);
	if (name)
		nbr->user_map[dir] = XSTRDUP(MTYPE_ERP_NAME, name);
}

void erp_neighbor_del(struct erp_instance *inst, struct erp_neighbor *nbr)
{
	erp_decl_gen++;
	erp_nbr_del(&inst->neighbors, nbr);
	for (int d = 0; d < ERP_DIR_MAX; d++)
		XFREE(MTYPE_ERP_NAME, nbr->user_map[d]);
	XFREE(MTYPE_ERP_NAME, nbr->name);
	XFREE(MTYPE_ERP_NEIGHBOR, nbr);
}

struct erp_neighbor *erp_neighbor_first(struct erp_instance *inst)
{
	return erp_nbr_first(&inst->neighbors);
}

struct erp_neighbor *erp_neighbor_next(struct erp_instance *inst,
				       struct erp_neighbor *nbr)
{
	return erp_nbr_next(&inst->neighbors, nbr);
}

/* --- per-peer counters ------------------------------------------------------ */

struct erp_peer_stats *erp_stats_find(struct erp_instance *inst,
				      const void *peer)
{
	struct erp_peer_stats key = {.peer = peer};

	/* route-maps ask for the same peer route after route */
	if (inst->stats_last && inst->stats_last->peer == peer)
		return inst->stats_last;
	inst->stats_last = erp_stats_hash_find(&inst->stats, &key);
	return inst->stats_last;
}

struct erp_peer_stats *erp_stats_get(struct erp_instance *inst,
				     const void *peer, const char *host)
{
	struct erp_peer_stats *stats = erp_stats_find(inst, peer);

	if (stats) {
		/* same memory, different neighbor: start from zero */
		if (strcmp(stats->host, host) != 0) {
			erp_stats_reset(stats);
			strlcpy(stats->host, host, sizeof(stats->host));
		}
		return stats;
	}
	stats = XCALLOC(MTYPE_ERP_PEER_STATS, sizeof(*stats));
	stats->peer = peer;
	for (int d = 0; d < ERP_DIR_MAX; d++)
		for (int i = 0; i < ERP_AFI_MAX; i++)
			erp_denied_init(&stats->dir[d].denied[i]);
	for (int i = 0; i < ERP_AFI_MAX; i++)
		erp_denied_init(&stats->warned[i]);
	strlcpy(stats->host, host, sizeof(stats->host));
	erp_stats_hash_add(&inst->stats, stats);
	return stats;
}

void erp_stats_reset_af(struct erp_peer_stats *stats, enum erp_dir dir,
			enum erp_afi afi)
{
	memset(stats->dir[dir].updates[afi], 0,
	       sizeof(stats->dir[dir].updates[afi]));
	erp_stats_clear_denied(stats, dir, afi);
	if (dir == ERP_DIR_OUT) {
		stats->guard_warnings[afi] = 0;
		stats->limit_state[afi] = 0;
	}
}

void erp_stats_reset(struct erp_peer_stats *stats)
{
	for (int d = 0; d < ERP_DIR_MAX; d++)
		for (int i = 0; i < ERP_AFI_MAX; i++)
			erp_stats_reset_af(stats, d, i);
	stats_clear_warned(stats);
}

void erp_stats_session_ended(struct erp_peer_stats *stats)
{
	for (int d = 0; d < ERP_DIR_MAX; d++)
		for (int i = 0; i < ERP_AFI_MAX; i++)
			erp_stats_clear_denied(stats, d, i);
	stats_clear_warned(stats);
}

bool erp_stats_warn_once(struct erp_peer_stats *stats, enum erp_afi afi,
			 const struct prefix *p, enum erp_reason reason,
			 bool *now_full)
{
	struct erp_denied key, *d;

	if ((unsigned int)afi >= ERP_AFI_MAX)
		return false;
	prefix_copy(&key.prefix, p);
	apply_mask(&key.prefix);
	if (erp_denied_find(&stats->warned[afi], &key))
		return false;
	if (erp_denied_count(&stats->warned[afi]) >= ERP_DENIED_MAX) {
		if (now_full && !stats->warned_full[afi])
			*now_full = true;
		stats->warned_full[afi] = true;
		return false;
	}
	d = XCALLOC(MTYPE_ERP_WARNED, sizeof(*d));
	d->prefix = key.prefix;
	d->reason = reason;
	erp_denied_add(&stats->warned[afi], d);
	return true;
}


void erp_stats_prune(struct erp_instance *inst,
		     bool (*keep)(const void *peer, void *arg), void *arg)
{
	struct erp_peer_stats *stats;

	frr_each_safe (erp_stats_hash, &inst->stats, stats) {
		if (keep(stats->peer, arg))
			continue;
		erp_stats_hash_del(&inst->stats, stats);
		if (inst->stats_last == stats)
			inst->stats_last = NULL;
		stats_free(stats);
	}
}

bool erp_stats_verdict(struct erp_peer_stats *stats, enum erp_dir dir,
		       enum erp_afi afi, const struct prefix *p,
		       enum erp_reason reason)
{
	struct erp_dir_stats *ds = &stats->dir[dir];
	struct erp_denied key, *d;

	if ((unsigned int)afi >= ERP_AFI_MAX ||
	    (unsigned int)reason >= ERP_REASON_MAX)
		return false;
	ds->updates[afi][reason]++;
	if (dir == ERP_DIR_OUT && reason == ERP_DENY_TRANSIT)
		return false;

	/* An accepted prefix leaves the denied set.  The module's verdicts
	 * depend on the prefix and the policy only, and a policy change
	 * empties the set: only the operator's map can accept what was denied
	 * before.  So the set is searched only if that map denied something
	 * (the lookup was ~5% of bgpd's CPU loading 100k routes next to 10k
	 * denied ones). */
	if (reason == ERP_ACCEPT &&
	    (erp_denied_count(&ds->denied[afi]) == 0 ||
	     ds->denied_count[afi][ERP_DENY_USER_POLICY] == 0))
		return false;
	/* one route in bgpd's table, one prefix here: the route-map sees
	 * the prefix as sent, host bits and all */
	prefix_copy(&key.prefix, p);
	apply_mask(&key.prefix);
	d = erp_denied_find(&ds->denied[afi], &key);
	if (reason == ERP_ACCEPT) {
		if (d) {
			ds->denied_count[afi][d->reason]--;
			erp_denied_del(&ds->denied[afi], d);
			XFREE(MTYPE_ERP_DENIED, d);
		}
		return false;
	}
	if (d) {
		if (d->reason == reason)
			return false;
		ds->denied_count[afi][d->reason]--;
	} else {
		if (erp_denied_count(&ds->denied[afi]) >= ERP_DENIED_MAX) {
			ds->denied_truncated[afi] = true;
			return false;
		}
		d = XCALLOC(MTYPE_ERP_DENIED, sizeof(*d));
		d->prefix = key.prefix;
		erp_denied_add(&ds->denied[afi], d);
	}
	d->reason = reason;
	ds->denied_count[afi][reason]++;
	return true;
}

void erp_stats_walk_denied(struct erp_peer_stats *stats, enum erp_dir dir,
			   enum erp_afi afi,
			   void (*fn)(const struct erp_denied *d, void *arg),
			   void *arg)
{
	struct erp_denied *d;

	frr_each (erp_denied, &stats->dir[dir].denied[afi], d)
		fn(d, arg);
}

void erp_stats_clear_denied(struct erp_peer_stats *stats, enum erp_dir dir,
			    enum erp_afi afi)
{
	struct erp_dir_stats *ds = &stats->dir[dir];
	struct erp_denied *d;

	/* one pass over the buckets: popping searched the bucket array from
	 * its start for every entry (profiled: the largest module cost of a
	 * failover with 10,000 prefixes) */
	frr_each_safe (erp_denied, &ds->denied[afi], d) {
		erp_denied_del(&ds->denied[afi], d);
		XFREE(MTYPE_ERP_DENIED, d);
	}
	memset(ds->denied_count[afi], 0, sizeof(ds->denied_count[afi]));
	ds->denied_truncated[afi] = false;
}
