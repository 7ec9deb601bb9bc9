// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: northbound operational state (the data of
 * "show bgp erpolicy json", readable with "show yang operational-data").
 */
#include <zebra.h>

#include "northbound.h"
#include "yang.h"

#include "bgpd/bgpd.h"

#include "erpolicy.h"
#include "erpolicy_health.h"
#include "erpolicy_nb.h"
#include "erpolicy_paths.h"
#include "erpolicy_peer.h"
#include "erpolicy_rib.h"
#include "erpolicy_view.h"

/*
 * FRR 8.4 asked for one list entry by key ("...address-family[afi='ipv4']")
 * hands the looked-up entry itself, not its parent, to the list's get_next:
 * every get_next below checks what its parent really is and then yields
 * that one entry alone.
 */
static struct erp_instance *as_instance(const void *p)
{
	struct erp_instance *inst;

	for (inst = erp_instance_first(); inst; inst = erp_instance_next(inst))
		if ((const void *)inst == p)
			return inst;
	return NULL;
}

static bool is_inst_afi(const void *p)
{
	struct erp_instance *inst;

	for (inst = erp_instance_first(); inst; inst = erp_instance_next(inst))
		for (int i = 0; i < ERP_AFI_MAX; i++)
			if (p == (const void *)&inst->afis[i])
				return true;
	return false;
}

static bool is_event(const void *p)
{
	struct erp_instance *inst;

	for (inst = erp_instance_first(); inst; inst = erp_instance_next(inst))
		if (p >= (const void *)&inst->events.ev[0] &&
		    p < (const void *)&inst->events.ev[ERP_EVENTS_MAX])
			return true;
	return false;
}

/*
 * A read of the state: FRR asks for each leaf of each entry separately, so
 * what a read needs of a neighbor is found once and kept until the next
 * read begins (every read starts at the instance list: its first get_next
 * or its lookup).  Nothing is allocated: a neighbor's address families are
 * named by the two handles below, rewritten for each neighbor.  bgpd runs a
 * read in its main thread, so nothing changes during one.
 */
struct erp_naf_ref {
	struct peer *peer;
	enum erp_afi afi;
};

static struct {
	struct peer *peer;    /* the last peer known to have a role */
	struct peer *view_of; /* the peer view is of */
	struct erp_peer_view view;
	struct erp_naf_ref naf[ERP_AFI_MAX];
} rd;

static void read_begin(struct erp_instance *inst)
{
	memset(&rd, 0, sizeof(rd));
	for (; inst; inst = erp_instance_next(inst))
		erp_view_read_begin(inst);
}

/* peer (NULL or a peer with a role) is the entry whose leaves are
 * asked for next: as_role_peer() knows it without a search. */
static struct peer *role_peer_seen(struct peer *peer)
{
	if (peer)
		rd.peer = peer;
	return peer;
}

/* A bgpd peer that has a role in some instance?  (the entry listed last,
 * else searched by address) */
static struct peer *as_role_peer(const void *p)
{
	struct erp_instance *inst;
	struct listnode *node;
	struct peer *peer;
	struct bgp *bgp;

	if (!p)
		return NULL;
	if (p == rd.peer)
		return rd.peer;
	for (inst = erp_instance_first(); inst; inst = erp_instance_next(inst)) {
		bgp = erp_bgp_of(inst);
		if (!bgp)
			continue;
		for (ALL_LIST_ELEMENTS_RO(bgp->peer, node, peer))
			if ((const void *)peer == p) {
				if (erp_peer_role(inst, peer, NULL) ==
				    ERP_ROLE_NONE)
					return NULL;
				rd.peer = peer;
				return peer;
			}
	}
	return NULL;
}

/* The view of a role peer, made once per read. */
static const struct erp_peer_view *peer_view(struct peer *peer)
{
	if (rd.view_of != peer) {
		erp_peer_view(erp_instance_of_peer(peer), peer, &rd.view);
		rd.view_of = peer;
	}
	return &rd.view;
}

static bool is_naf_ref(const void *p)
{
	return p >= (const void *)&rd.naf[0] &&
	       p < (const void *)&rd.naf[ERP_AFI_MAX];
}

/* The handle of the only entry to yield, on the first call; NULL after. */
static const void *only(const void *entry, const void *cur)
{
	return cur ? NULL : entry;
}

/* --- instance ------------------------------------------------------------ */

const void *erp_nb_st_instance_get_next(struct nb_cb_get_next_args *args)
{
	if (!args->list_entry) {
		read_begin(erp_instance_first());
		return erp_instance_first();
	}
	return erp_instance_next((struct erp_instance *)args->list_entry);
}

int erp_nb_st_instance_get_keys(struct nb_cb_get_keys_args *args)
{
	const struct erp_instance *inst = args->list_entry;

	args->keys->num = 1;
	strlcpy(args->keys->key[0], inst->vrf, sizeof(args->keys->key[0]));
	return NB_OK;
}

const void *erp_nb_st_instance_lookup(struct nb_cb_lookup_entry_args *args)
{
	struct erp_instance *inst = erp_instance_find(args->keys->key[0]);

	memset(&rd, 0, sizeof(rd));
	if (inst)
		erp_view_read_begin(inst);
	return inst;
}

struct yang_data *erp_nb_st_instance_vrf(struct nb_cb_get_elem_args *args)
{
	if (!as_instance(args->list_entry))
		return NULL;
	const struct erp_instance *inst = args->list_entry;

	return yang_data_new_string(args->xpath, inst->vrf);
}

struct yang_data *erp_nb_st_instance_present(struct nb_cb_get_elem_args *args)
{
	if (!as_instance(args->list_entry))
		return NULL;
	const struct erp_instance *inst = args->list_entry;

	return yang_data_new_bool(args->xpath, erp_bgp_of(inst) != NULL);
}

struct yang_data *
erp_nb_st_instance_symmetric(struct nb_cb_get_elem_args *args)
{
	if (!as_instance(args->list_entry))
		return NULL;
	const struct erp_instance *inst = args->list_entry;

	return yang_data_new_bool(args->xpath, !inst->fo_config.asymmetric);
}

/* --- instance/address-family ------------------------------------------- */

const void *erp_nb_st_iaf_get_next(struct nb_cb_get_next_args *args)
{
	struct erp_instance *inst = as_instance(args->parent_list_entry);
	const struct erp_inst_afi *cur = args->list_entry;

	if (!inst)
		return is_inst_afi(args->parent_list_entry)
			       ? only(args->parent_list_entry, cur)
			       : NULL;
	if (!cur)
		return &inst->afis[0];
	if (cur->afi + 1 < ERP_AFI_MAX)
		return &inst->afis[cur->afi + 1];
	return NULL;
}

int erp_nb_st_iaf_get_keys(struct nb_cb_get_keys_args *args)
{
	const struct erp_inst_afi *ref = args->list_entry;

	args->keys->num = 1;
	strlcpy(args->keys->key[0], erp_afi_name(ref->afi),
		sizeof(args->keys->key[0]));
	return NB_OK;
}

static int afi_from_key(const char *key)
{
	if (strcmp(key, "ipv4") == 0)
		return ERP_AFI_IPV4;
	if (strcmp(key, "ipv6") == 0)
		return ERP_AFI_IPV6;
	return -1;
}

const void *erp_nb_st_iaf_lookup(struct nb_cb_lookup_entry_args *args)
{
	struct erp_instance *inst = as_instance(args->parent_list_entry);
	int afi = afi_from_key(args->keys->key[0]);

	return afi < 0 || !inst ? NULL : &inst->afis[afi];
}

static void iaf_view(const void *entry, struct erp_af_view *view)
{
	const struct erp_inst_afi *ref = entry;

	erp_af_view(ref->inst, ref->afi, view);
}

struct yang_data *erp_nb_st_iaf_afi(struct nb_cb_get_elem_args *args)
{
	if (!is_inst_afi(args->list_entry))
		return NULL;
	const struct erp_inst_afi *ref = args->list_entry;

	return yang_data_new_enum(args->xpath, ref->afi);
}

struct yang_data *erp_nb_st_iaf_preferred(struct nb_cb_get_elem_args *args)
{
	if (!is_inst_afi(args->list_entry))
		return NULL;
	const struct erp_inst_afi *ref = args->list_entry;

	return yang_data_new_enum(args->xpath,
				  erp_paths_preferred(ref->inst, ref->afi));
}

struct yang_data *erp_nb_st_iaf_er_up(struct nb_cb_get_elem_args *args)
{
	if (!is_inst_afi(args->list_entry))
		return NULL;
	struct erp_af_view view;

	iaf_view(args->list_entry, &view);
	return yang_data_new_uint32(args->xpath, view.sessions.er_established);
}

struct yang_data *erp_nb_st_iaf_vpn_up(struct nb_cb_get_elem_args *args)
{
	if (!is_inst_afi(args->list_entry))
		return NULL;
	struct erp_af_view view;

	iaf_view(args->list_entry, &view);
	return yang_data_new_uint32(args->xpath, view.sessions.vpn_established);
}

struct yang_data *erp_nb_st_iaf_path_state(struct nb_cb_get_elem_args *args)
{
	if (!is_inst_afi(args->list_entry))
		return NULL;
	const struct erp_inst_afi *ref = args->list_entry;

	return yang_data_new_enum(args->xpath, ref->inst->fo[ref->afi].state);
}

struct yang_data *erp_nb_st_iaf_demoted(struct nb_cb_get_elem_args *args)
{
	if (!is_inst_afi(args->list_entry))
		return NULL;
	const struct erp_inst_afi *ref = args->list_entry;

	return yang_data_new_bool(args->xpath,
				  erp_paths_er_demoted(ref->inst, ref->afi));
}

struct yang_data *erp_nb_st_iaf_holddown_left(struct nb_cb_get_elem_args *args)
{
	if (!is_inst_afi(args->list_entry))
		return NULL;
	const struct erp_inst_afi *ref = args->list_entry;

	return yang_data_new_uint32(args->xpath,
				    erp_paths_holddown_left(ref->inst, ref->afi));
}

struct yang_data *erp_nb_st_iaf_withdrawn(struct nb_cb_get_elem_args *args)
{
	if (!is_inst_afi(args->list_entry))
		return NULL;
	const struct erp_inst_afi *ref = args->list_entry;

	return yang_data_new_bool(args->xpath,
				  erp_paths_er_withdrawn(ref->inst, ref->afi));
}

/* --- instance/event ------------------------------------------------------- */

/* Entries are the ring's stored events, oldest first. */
const void *erp_nb_st_event_get_next(struct nb_cb_get_next_args *args)
{
	const struct erp_instance *inst = as_instance(args->parent_list_entry);
	const struct erp_event *cur = args->list_entry;
	unsigned int n;

	if (!inst)
		return is_event(args->parent_list_entry)
			       ? only(args->parent_list_entry, cur)
			       : NULL;
	n = erp_ring_count(&inst->events);
	for (unsigned int i = 0; i < n; i++) {
		const struct erp_event *ev = erp_ring_get(&inst->events, i);

		if (!cur)
			return ev;
		if (ev == cur)
			return i + 1 < n ? erp_ring_get(&inst->events, i + 1)
					 : NULL;
	}
	return NULL;
}

int erp_nb_st_event_get_keys(struct nb_cb_get_keys_args *args)
{
	const struct erp_event *ev = args->list_entry;

	args->keys->num = 1;
	snprintf(args->keys->key[0], sizeof(args->keys->key[0]), "%" PRIu64,
		 ev->seq);
	return NB_OK;
}

const void *erp_nb_st_event_lookup(struct nb_cb_lookup_entry_args *args)
{
	const struct erp_instance *inst = as_instance(args->parent_list_entry);
	uint64_t seq = strtoull(args->keys->key[0], NULL, 10);

	if (!inst)
		return NULL;
	for (unsigned int i = 0; i < erp_ring_count(&inst->events); i++) {
		const struct erp_event *ev = erp_ring_get(&inst->events, i);

		if (ev->seq == seq)
			return ev;
	}
	return NULL;
}

/* One callback for the event's leaves: the leaf name says which. */
struct yang_data *erp_nb_st_event_elem(struct nb_cb_get_elem_args *args)
{
	if (!is_event(args->list_entry))
		return NULL;
	const struct erp_event *ev = args->list_entry;
	const char *leaf = strrchr(args->xpath, '/');
	char buf[64];
	struct tm tm;
	time_t t = ev->wall_time;

	leaf = leaf ? leaf + 1 : args->xpath;
	if (strcmp(leaf, "seq") == 0)
		return yang_data_new_uint64(args->xpath, ev->seq);
	if (strcmp(leaf, "time") == 0) {
		localtime_r(&t, &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S%z", &tm);
		return yang_data_new_string(args->xpath, buf);
	}
	if (strcmp(leaf, "afi") == 0)
		return yang_data_new_enum(args->xpath, ev->afi);
	if (strcmp(leaf, "type") == 0)
		return yang_data_new_string(args->xpath,
					    erp_event_type_name(ev->type));
	if (strcmp(leaf, "from-state") == 0)
		return yang_data_new_enum(args->xpath, ev->from);
	if (strcmp(leaf, "to-state") == 0)
		return yang_data_new_enum(args->xpath, ev->to);
	if (strcmp(leaf, "cause") == 0)
		return yang_data_new_string(args->xpath, ev->cause);
	if (strcmp(leaf, "prefixes") == 0)
		return yang_data_new_uint32(args->xpath, ev->prefixes);
	if (strcmp(leaf, "hold-down") == 0)
		return yang_data_new_uint32(args->xpath, ev->holddown_ms);
	return NULL;
}

/* --- instance/health-warning ---------------------------------------------- */

/* The warnings are computed when the iteration starts and kept until the
 * next one: leaf-list entries need stable addresses while they are read. */
#define HEALTH_MAX 64
static struct {
	unsigned int count;
	char text[HEALTH_MAX][sizeof(((struct erp_health_item *)0)->message) +
			     32];
} health;

static void health_collect(const struct erp_health_item *item, void *arg)
{
	if (health.count >= HEALTH_MAX)
		return;
	snprintf(health.text[health.count++], sizeof(health.text[0]),
		 "%s: %s", item->check, item->message);
}

const void *erp_nb_st_health_get_next(struct nb_cb_get_next_args *args)
{
	struct erp_instance *inst = as_instance(args->parent_list_entry);
	const char *cur = args->list_entry;
	unsigned int i;

	if (!inst)
		return NULL;
	if (!cur) {
		health.count = 0;
		erp_health_walk(inst, health_collect, NULL);
		return health.count ? health.text[0] : NULL;
	}
	i = (cur - health.text[0]) / sizeof(health.text[0]) + 1;
	return i < health.count ? health.text[i] : NULL;
}

struct yang_data *erp_nb_st_health_elem(struct nb_cb_get_elem_args *args)
{
	return yang_data_new_string(args->xpath, args->list_entry);
}

/* --- neighbor ------------------------------------------------------------- */

const void *erp_nb_st_nbr_get_next(struct nb_cb_get_next_args *args)
{
	struct erp_instance *inst = as_instance(args->parent_list_entry);

	if (!inst) {
		struct peer *peer = as_role_peer(args->parent_list_entry);

		return peer ? only(peer, args->list_entry) : NULL;
	}
	return role_peer_seen(
		erp_peer_next(inst, (struct peer *)args->list_entry));
}

int erp_nb_st_nbr_get_keys(struct nb_cb_get_keys_args *args)
{
	const struct erp_peer_view *view =
		peer_view((struct peer *)args->list_entry);
	args->keys->num = 1;
	strlcpy(args->keys->key[0], view->name, sizeof(args->keys->key[0]));
	return NB_OK;
}

const void *erp_nb_st_nbr_lookup(struct nb_cb_lookup_entry_args *args)
{
	struct erp_instance *inst = as_instance(args->parent_list_entry);

	return inst ? role_peer_seen(erp_peer_lookup(inst, args->keys->key[0]))
		    : NULL;
}

struct yang_data *erp_nb_st_nbr_name(struct nb_cb_get_elem_args *args)
{
	if (!as_role_peer(args->list_entry))
		return NULL;
	const struct erp_peer_view *view =
		peer_view((struct peer *)args->list_entry);
	return yang_data_new_string(args->xpath, view->name);
}

struct yang_data *erp_nb_st_nbr_path(struct nb_cb_get_elem_args *args)
{
	if (!as_role_peer(args->list_entry))
		return NULL;
	const struct erp_peer_view *view =
		peer_view((struct peer *)args->list_entry);
	return yang_data_new_enum(args->xpath, view->role);
}

struct yang_data *erp_nb_st_nbr_declared_as(struct nb_cb_get_elem_args *args)
{
	if (!as_role_peer(args->list_entry))
		return NULL;
	const struct erp_peer_view *view =
		peer_view((struct peer *)args->list_entry);
	return yang_data_new_string(args->xpath, view->declared_as);
}

struct yang_data *erp_nb_st_nbr_state(struct nb_cb_get_elem_args *args)
{
	if (!as_role_peer(args->list_entry))
		return NULL;
	const struct erp_peer_view *view =
		peer_view((struct peer *)args->list_entry);
	return yang_data_new_string(args->xpath, view->session_state);
}

struct yang_data *erp_nb_st_nbr_lp(struct nb_cb_get_elem_args *args)
{
	if (!as_role_peer(args->list_entry))
		return NULL;
	const struct erp_peer_view *view =
		peer_view((struct peer *)args->list_entry);
	return yang_data_new_uint32(args->xpath, view->local_pref);
}

/* --- neighbor/address-family ---------------------------------------------- */

/* Entries are (peer, afi) handles (rd.naf), for the address families
 * activated on the peer. */
const void *erp_nb_st_naf_get_next(struct nb_cb_get_next_args *args)
{
	struct peer *peer = as_role_peer(args->parent_list_entry);
	const struct erp_naf_ref *cur = args->list_entry;

	if (!peer) /* the entry itself (see above), or nothing */
		return is_naf_ref(args->parent_list_entry)
			       ? only(args->parent_list_entry, cur)
			       : NULL;
	for (int i = cur ? cur->afi + 1 : 0; i < ERP_AFI_MAX; i++)
		if (peer->afc[erp_bgp_afi(i)][SAFI_UNICAST]) {
			rd.naf[i].peer = peer;
			rd.naf[i].afi = i;
			return &rd.naf[i];
		}
	return NULL;
}

int erp_nb_st_naf_get_keys(struct nb_cb_get_keys_args *args)
{
	const struct erp_naf_ref *ref = args->list_entry;

	args->keys->num = 1;
	strlcpy(args->keys->key[0], erp_afi_name(ref->afi),
		sizeof(args->keys->key[0]));
	return NB_OK;
}

const void *erp_nb_st_naf_lookup(struct nb_cb_lookup_entry_args *args)
{
	struct peer *peer = as_role_peer(args->parent_list_entry);
	int afi = afi_from_key(args->keys->key[0]);

	if (afi < 0 || !peer)
		return NULL;
	rd.naf[afi].peer = peer;
	rd.naf[afi].afi = afi;
	return &rd.naf[afi];
}

struct yang_data *erp_nb_st_naf_afi(struct nb_cb_get_elem_args *args)
{
	if (!is_naf_ref(args->list_entry))
		return NULL;
	const struct erp_naf_ref *ref = args->list_entry;

	return yang_data_new_enum(args->xpath, ref->afi);
}

struct yang_data *erp_nb_st_naf_rmap(struct nb_cb_get_elem_args *args)
{
	if (!is_naf_ref(args->list_entry))
		return NULL;
	const struct erp_naf_ref *ref = args->list_entry;
	const struct erp_peer_view *view = peer_view(ref->peer);
	enum erp_afi afi = ref->afi;

	return yang_data_new_string(args->xpath,
				    view->af[afi].rmap[ERP_DIR_IN]
					    ? view->af[afi].rmap[ERP_DIR_IN]
					    : "");
}

struct yang_data *erp_nb_st_naf_user_rmap(struct nb_cb_get_elem_args *args)
{
	if (!is_naf_ref(args->list_entry))
		return NULL;
	const struct erp_naf_ref *ref = args->list_entry;
	const struct erp_peer_view *view = peer_view(ref->peer);
	return yang_data_new_string(args->xpath, view->user_map[ERP_DIR_IN]
							  ? view->user_map[ERP_DIR_IN]
							  : "");
}

struct yang_data *erp_nb_st_naf_prefixes(struct nb_cb_get_elem_args *args)
{
	if (!is_naf_ref(args->list_entry))
		return NULL;
	const struct erp_naf_ref *ref = args->list_entry;
	const struct erp_peer_view *view = peer_view(ref->peer);
	enum erp_afi afi = ref->afi;

	return yang_data_new_uint32(args->xpath, view->af[afi].prefixes);
}

struct yang_data *erp_nb_st_naf_accepted(struct nb_cb_get_elem_args *args)
{
	if (!is_naf_ref(args->list_entry))
		return NULL;
	const struct erp_naf_ref *ref = args->list_entry;
	const struct erp_peer_view *view = peer_view(ref->peer);
	enum erp_afi afi = ref->afi;

	return yang_data_new_uint64(args->xpath, view->af[afi].updates[ERP_ACCEPT]);
}

struct yang_data *erp_nb_st_naf_updates_denied(struct nb_cb_get_elem_args *args)
{
	if (!is_naf_ref(args->list_entry))
		return NULL;
	const struct erp_naf_ref *ref = args->list_entry;
	const struct erp_peer_view *view = peer_view(ref->peer);
	enum erp_afi afi = ref->afi;
	uint64_t sum = 0;

	for (int r = ERP_ACCEPT + 1; r < ERP_REASON_MAX; r++)
		sum += view->af[afi].updates[r];
	return yang_data_new_uint64(args->xpath, sum);
}

struct yang_data *erp_nb_st_naf_truncated(struct nb_cb_get_elem_args *args)
{
	if (!is_naf_ref(args->list_entry))
		return NULL;
	const struct erp_naf_ref *ref = args->list_entry;
	const struct erp_peer_view *view = peer_view(ref->peer);
	enum erp_afi afi = ref->afi;

	return yang_data_new_bool(args->xpath, view->af[afi].denied_truncated);
}

/* One callback for all prefixes-denied leaves: the leaf name says which. */
struct yang_data *erp_nb_st_naf_denied(struct nb_cb_get_elem_args *args)
{
	if (!is_naf_ref(args->list_entry))
		return NULL;
	const struct erp_naf_ref *ref = args->list_entry;
	const struct erp_peer_view *view = peer_view(ref->peer);
	enum erp_afi afi = ref->afi;
	const char *leaf = strrchr(args->xpath, '/');

	leaf = leaf ? leaf + 1 : args->xpath;
	for (int r = ERP_ACCEPT + 1; r < ERP_REASON_MAX; r++)
		if (erp_reason_applies(r, ERP_REASON_IN) &&
		    strcmp(leaf, erp_reason_info(r)->yang) == 0)
			return yang_data_new_uint32(args->xpath,
						    view->af[afi].denied[r]);
	return NULL;
}

/* The outbound leaves of a neighbor's address family: the leaf name (and
 * its parent's, for the not-advertised counters) says which. */
struct yang_data *erp_nb_st_naf_out(struct nb_cb_get_elem_args *args)
{
	if (!is_naf_ref(args->list_entry))
		return NULL;
	const struct erp_naf_ref *ref = args->list_entry;
	const struct erp_peer_view *view = peer_view(ref->peer);
	enum erp_afi afi = ref->afi;
	const char *leaf = strrchr(args->xpath, '/');

	leaf = leaf ? leaf + 1 : args->xpath;
	if (strstr(args->xpath, "/prefixes-not-advertised/")) {
		if (strcmp(leaf, "truncated") == 0)
			return yang_data_new_bool(args->xpath,
						  view->af[afi].out_truncated);
		for (int r = ERP_ACCEPT + 1; r < ERP_REASON_MAX; r++)
			if (erp_reason_applies(r, ERP_REASON_OUT) &&
			    strcmp(leaf, erp_reason_info(r)->yang) == 0)
				return yang_data_new_uint32(
					args->xpath, view->af[afi].out_denied[r]);
		return NULL;
	}
	if (strcmp(leaf, "route-map-out") == 0)
		return yang_data_new_string(args->xpath,
					    view->af[afi].rmap[ERP_DIR_OUT]
						    ? view->af[afi].rmap[ERP_DIR_OUT]
						    : "");
	if (strcmp(leaf, "user-route-map-out") == 0)
		return yang_data_new_string(args->xpath,
					    view->user_map[ERP_DIR_OUT]
						    ? view->user_map[ERP_DIR_OUT]
						    : "");
	if (strcmp(leaf, "prefixes-advertised") == 0)
		return yang_data_new_uint32(args->xpath, view->af[afi].advertised);
	if (strcmp(leaf, "advertise-limit") == 0)
		return yang_data_new_uint32(args->xpath, view->af[afi].adv_limit);
	if (strcmp(leaf, "symmetric-guard-warnings") == 0)
		return yang_data_new_uint64(args->xpath,
					    view->af[afi].guard_warnings);
	return NULL;
}

struct yang_data *erp_nb_st_overlaps(struct nb_cb_get_elem_args *args)
{
	if (!as_instance(args->list_entry))
		return NULL;
	static struct {
		const struct erp_instance *inst;
		uint64_t when_ms;
		struct erp_overlap_counts c;
	} cache;
	struct erp_instance *inst = (struct erp_instance *)args->list_entry;
	struct erp_overlap_counts c;
	const char *leaf = strrchr(args->xpath, '/');

	leaf = leaf ? leaf + 1 : args->xpath;
	/* the four leaves are read one after the other: walk the table once */
	if (cache.inst != inst || erp_now_ms() - cache.when_ms > 1000) {
		erp_rib_overlap_counts(inst, &cache.c);
		cache.inst = inst;
		cache.when_ms = erp_now_ms();
	}
	c = cache.c;
	if (strcmp(leaf, "onprem-overlaps") == 0)
		return yang_data_new_uint32(args->xpath, c.onprem_overlaps);
	if (strcmp(leaf, "expressroute-only") == 0)
		return yang_data_new_uint32(args->xpath, c.er_only);
	if (strcmp(leaf, "vpn-only") == 0)
		return yang_data_new_uint32(args->xpath, c.vpn_only);
	if (strcmp(leaf, "vpn-more-specific") == 0)
		return yang_data_new_uint32(args->xpath, c.vpn_more_specific);
	return NULL;
}
