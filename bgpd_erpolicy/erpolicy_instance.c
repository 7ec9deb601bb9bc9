// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: instances, declared neighbors and per-peer counters.
 * Plain containers over the data model in erpolicy.h; no bgpd headers.
 */
#include <zebra.h>

#include "jhash.h"

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

DECLARE_LIST(erp_inst, struct erp_instance, item);

static struct erp_inst_head instances = INIT_LIST(instances);

const char *erp_afi_name(enum erp_afi afi)
{
	return afi == ERP_AFI_IPV6 ? "ipv6" : "ipv4";
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
	}
	erp_inst_add_tail(&instances, inst);
	return inst;
}

void erp_instance_delete(struct erp_instance *inst)
{
	struct erp_neighbor *nbr;
	struct erp_peer_stats *stats;

	THREAD_OFF(inst->t_reevaluate);
	while ((nbr = erp_nbr_first(&inst->neighbors)))
		erp_neighbor_del(inst, nbr);
	erp_nbr_fini(&inst->neighbors);
	while ((stats = erp_stats_hash_pop(&inst->stats)))
		XFREE(MTYPE_ERP_PEER_STATS, stats);
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

void erp_neighbor_del(struct erp_instance *inst, struct erp_neighbor *nbr)
{
	erp_nbr_del(&inst->neighbors, nbr);
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

	return erp_stats_hash_find(&inst->stats, &key);
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
	for (int i = 0; i < ERP_AFI_MAX; i++) {
		stats->afis[i].stats = stats;
		stats->afis[i].afi = i;
	}
	strlcpy(stats->host, host, sizeof(stats->host));
	erp_stats_hash_add(&inst->stats, stats);
	return stats;
}

void erp_stats_reset(struct erp_peer_stats *stats)
{
	memset(stats->updates, 0, sizeof(stats->updates));
}

void erp_stats_reset_all(struct erp_instance *inst)
{
	struct erp_peer_stats *stats;

	frr_each (erp_stats_hash, &inst->stats, stats)
		erp_stats_reset(stats);
}

void erp_stats_prune(struct erp_instance *inst,
		     bool (*keep)(const void *peer, void *arg), void *arg)
{
	struct erp_peer_stats *stats;

	frr_each_safe (erp_stats_hash, &inst->stats, stats) {
		if (keep(stats->peer, arg))
			continue;
		erp_stats_hash_del(&inst->stats, stats);
		XFREE(MTYPE_ERP_PEER_STATS, stats);
	}
}

void erp_stats_count(struct erp_peer_stats *stats, enum erp_afi afi,
		     enum erp_reason reason)
{
	if ((unsigned int)afi < ERP_AFI_MAX && (unsigned int)reason < ERP_REASON_MAX)
		stats->updates[afi][reason]++;
}

uint64_t erp_stats_denied(const struct erp_peer_stats *stats, enum erp_afi afi)
{
	uint64_t sum = 0;

	for (int r = ERP_ACCEPT + 1; r < ERP_REASON_MAX; r++)
		sum += stats->updates[afi][r];
	return sum;
}
