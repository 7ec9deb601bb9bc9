// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: path state in bgpd (FRR glue around erpolicy_failover.c).
 *
 * Feeds the sessions of each path (erp_path_sessions()) to the failover
 * state machine of each address family (erp_fo_input()), runs the hold-down
 * timers, records and logs events, and asks for ExpressRoute routes to be
 * re-evaluated when their demotion changes (erp_reevaluate()).
 *
 * Called by whoever sees the sessions or the roles change: the session hook
 * and the 1 s tick (erpolicy_hooks.c), the configuration callbacks of
 * declarations and of the failover settings (erpolicy_nb_config.c).
 */
#ifndef _ERPOLICY_PATHS_H
#define _ERPOLICY_PATHS_H

#include "erpolicy.h"

/* Sessions, routes or roles may have changed; cause says what happened
 * (kept in the event history, e.g. "192.0.2.1 down: BFD down received");
 * NULL: worked out from what changed (e.g. "192.0.2.1: no Azure routes"
 * when a session stays up and its routes are gone). */
extern void erp_paths_update(struct erp_instance *inst, const char *cause);
/* A route of a neighbor of role is being accepted: is it to be demoted?
 * ExpressRoute routes also while ExpressRoute carries nothing and its
 * return would start a hold-down (erp_fo_er_demoted_on_arrival()).  The
 * first route of a path that had none updates the path state at once. */
extern bool erp_paths_route_accepted(struct erp_instance *inst,
				     enum erp_afi afi, enum erp_role role);
/* A path may have lost its last route: update the path state soon (from
 * the event loop). */
extern void erp_paths_routes_changed(struct erp_instance *inst);/* Hold-down or drain configuration changed. */
extern void erp_paths_config_changed(struct erp_instance *inst);
/* Symmetric failover: are on-prem prefixes that a VPN neighbor gets
 * withdrawn from the ExpressRoute neighbors now (erp_fo_er_withdrawn())? */
extern bool erp_paths_er_withdrawn(const struct erp_instance *inst,
				   enum erp_afi afi);
/* Is ExpressRoute demoted below VPN in this address family? */
extern bool erp_paths_er_demoted(const struct erp_instance *inst,
				 enum erp_afi afi);
/* The path that carries the Azure prefixes in this address family, as the
 * failover machine sees the paths (erp_fo_carrier()): what the show commands
 * and the operational state call the preferred path. */
extern enum erp_path erp_paths_preferred(const struct erp_instance *inst,
					 enum erp_afi afi);
/* Seconds left of a running hold-down, 0 if none. */
extern uint32_t erp_paths_holddown_left(const struct erp_instance *inst,
					enum erp_afi afi);

#endif
