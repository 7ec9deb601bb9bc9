// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: views of neighbors and address families.  See
 * erpolicy_view.h.
 */
#include <zebra.h>

#include "bgpd/bgpd.h"
#include "bgpd/bgp_debug.h"
#include "bgpd/bgp_updgrp.h"

#include "erpolicy.h"
#include "erpolicy_paths.h"
#include "erpolicy_peer.h"
#include "erpolicy_rib.h"
#include "erpolicy_view.h"

void erp_view_read_begin(struct erp_instance *inst)
{
	erp_rib_transit_refresh(inst);
}

void erp_peer_view(struct erp_instance *inst, struct peer *peer,
		   struct erp_peer_view *view)
{
	struct erp_peer_stats *stats = erp_stats_find(inst, peer);
	const struct erp_neighbor *nbr;

	memset(view, 0, sizeof(*view));
	view->name = erp_peer_name(peer);
	view->role = erp_peer_role(inst, peer, &view->declared_as);
	view->session_state = lookup_msg(bgp_status_msg, erp_peer_status(peer), NULL);
	view->established = erp_peer_established(peer);
	view->local_pref = view->role != ERP_ROLE_NONE
				   ? inst->policy.local_pref[view->role]
				   : 0;
	view->bfd = peer->bfd_config != NULL;
	nbr = erp_peer_declaration(inst, peer);
	for (int d = 0; d < ERP_DIR_MAX; d++)
		view->user_map[d] = nbr ? nbr->user_map[d] : NULL;
	for (int i = 0; i < ERP_AFI_MAX; i++) {
		afi_t afi = erp_bgp_afi(i);
		struct peer_af *paf;
		struct peer *rep;
		struct erp_peer_stats *rstats;

		view->af[i].active = peer->afc[afi][SAFI_UNICAST];
		view->af[i].local_pref =
			erp_local_pref(&inst->policy, view->role,
				       erp_paths_er_demoted(inst, i), NULL);
		view->af[i].negotiated = peer->afc_nego[afi][SAFI_UNICAST];
		for (int d = 0; d < ERP_DIR_MAX; d++) {
			view->af[i].rmap[d] = erp_peer_rmap(peer, afi, d);
			view->af[i].attached[d] =
				view->role != ERP_ROLE_NONE &&
				erp_peer_attached_role(peer, afi, d) ==
					view->role;
		}
		paf = peer_af_find(peer, afi, SAFI_UNICAST);
		view->af[i].advertised =
			paf && PAF_SUBGRP(paf) ? PAF_SUBGRP(paf)->scount : 0;
		view->af[i].adv_limit =
			view->role != ERP_ROLE_NONE
				? inst->policy.adv_limit[view->role]
				: 0;
		view->af[i].prefixes = peer->pcount[afi][SAFI_UNICAST];
		if (stats && strcmp(stats->host, peer->host) == 0) {
			struct erp_dir_stats *in = &stats->dir[ERP_DIR_IN];

			memcpy(view->af[i].updates, in->updates[i],
			       sizeof(view->af[i].updates));
			memcpy(view->af[i].denied, in->denied_count[i],
			       sizeof(view->af[i].denied));
			view->af[i].denied_truncated = in->denied_truncated[i];
		}
		/* what is sent is decided once per update group */
		rep = erp_out_representative(peer, afi);
		rstats = erp_stats_find(inst, rep);
		if (rstats && strcmp(rstats->host, rep->host) == 0) {
			struct erp_dir_stats *out = &rstats->dir[ERP_DIR_OUT];

			memcpy(view->af[i].out_updates, out->updates[i],
			       sizeof(view->af[i].out_updates));
			memcpy(view->af[i].out_denied, out->denied_count[i],
			       sizeof(view->af[i].out_denied));
			view->af[i].out_truncated = out->denied_truncated[i];
			view->af[i].guard_warnings = rstats->guard_warnings[i];
		}
		view->af[i].out_denied[ERP_DENY_TRANSIT] =
			erp_rib_transit_count(inst, i, rep);
	}
}

void erp_af_view(struct erp_instance *inst, enum erp_afi afi,
		 struct erp_af_view *view)
{
	memset(view, 0, sizeof(*view));
	view->preferred = erp_paths_preferred(inst, afi);
	view->state = inst->fo[afi].state;
	view->er_demoted = erp_paths_er_demoted(inst, afi);
	view->er_withdrawn = erp_paths_er_withdrawn(inst, afi);
	view->holddown_left = erp_paths_holddown_left(inst, afi);
	erp_path_sessions(inst, afi, &view->sessions);
}
