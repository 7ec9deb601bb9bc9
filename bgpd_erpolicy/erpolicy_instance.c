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

static void stats_free(struct erp_peer_stats *stats)
{
	for (int d = 0; d < ERP_DIR_MAX; d++)
		for (int i = 0; i < ERP_AFI_MAX; i++) {
			erp_stats_clear_denied(stats, d, i);
			erp_denied_fini(&stats->dir[d].denied[i]);
		}
	XFREE(MTYPE_ERP_PEER_STATS, stats);
}

/* --- instances ---------------------------------------------------------- */

struct erp_instance *erp_instance_find(const char *vrf)
{
	struct erp_instance *inst;

	frr_each (erp_inst, &instances, inst)
		if (strcmp(inst->vrf, vrf) == 0)
			return inst;
	return NULL;
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
	for (int i = 0; i < ERP_AFI_MAX; i++) {
		inst->afis[i].inst = inst;
		inst->afis[i].afi = i;
		erp_fo_init(&inst->fo[i], erp_now_ms());
	}
	erp_ring_init(&inst->events);
	erp_inst_add_tail(&instances, inst);
	return inst;
}

void erp_instance_delete(struct erp_instance *inst)
{
	struct erp_neighbor *nbr;
	struct erp_peer_stats *stats;

	erp_task_cancel(&inst->t_reevaluate);
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
	erp_policy_fini(&inst->policy);
	erp_inst_del(&instances, inst);
	XFREE(MTYPE_ERP_INSTANCE, inst);
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
	prefix_copy(&key.prefix, p);
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
		prefix_copy(&d->prefix, p);
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
