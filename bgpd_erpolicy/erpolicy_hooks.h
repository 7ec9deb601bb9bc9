// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: what the module does when bgpd or the clock calls (FRR
 * glue).
 *
 * A session of a neighbor with a path came up or went down: the path state
 * is updated (erpolicy_paths.h) and the routes that depend on it are
 * re-evaluated.  Once a second, while an instance exists: the path state,
 * the log of attachments that deny everything (erpolicy_health.h), the
 * debounced look at overlaps (erpolicy_rib.h) and the counters of deleted
 * peers.  Reading only: nothing is repaired.
 */
#ifndef _ERPOLICY_HOOKS_H
#define _ERPOLICY_HOOKS_H

extern void erp_hooks_init(void);
extern void erp_hooks_fini(void);
/* An instance exists: run the 1 s tick (it stops with the last instance). */
extern void erp_tick_start(void);

#endif
