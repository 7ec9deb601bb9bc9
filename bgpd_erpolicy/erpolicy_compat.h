// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: the FRR API differences the glue meets, in one place.
 *
 * One source tree builds against Debian 12's FRR 8.4.4 and Debian 13's
 * FRR 10.3 (doc/frr-10-notes.md).  Rules for glue code, old and new:
 *
 *  1. No "#if" on FRR versions outside this file.  The glue is written
 *     against the erp_ names below; a difference that needs more than a
 *     name (a changed data structure) gets a small helper here or, if it
 *     is bigger, a clearly named file.
 *  2. Each difference is a feature of the configured FRR tree that
 *     ./configure probes by compiling against it (ERP_HAVE_* in
 *     ERP_COMPAT_CPPFLAGS, see configure.ac), never a version number: a
 *     Debian point release that backports a change needs nothing here.
 *     A new difference = one ERP_FRR_PROBE in configure.ac + one block here.
 *  3. The pure core (erpolicy_decide.c, erpolicy_failover.c, ...) includes
 *     nothing of bgpd and never this file.
 *  4. Include it after zebra.h (erpolicy.h does; a glue file that includes
 *     erpolicy.h has it).  The macros that name bgpd's fields or flags need
 *     bgpd/bgpd.h where they are used, not here.
 *
 * Cheat sheet (8.4 spelling -> what to write):
 *	#include "thread.h"             -> #include "erpolicy_compat.h"
 *	struct thread *t                -> erp_task_t *t
 *	struct thread_master *m         -> erp_loop_t *m
 *	thread_add_event/timer/timer_msec(...) -> erp_task_add_event/...(...)
 *	THREAD_ARG(t)                   -> ERP_TASK_ARG(t)
 *	THREAD_OFF(t)                   -> erp_task_cancel(&t)
 *	peer_established(peer)          -> erp_peer_established(peer)
 *	peer->status, peer->ostatus     -> erp_peer_status(peer), erp_peer_ostatus(peer)
 *	PEER_CAP_REFRESH_OLD_RCV | PEER_CAP_REFRESH_NEW_RCV -> ERP_PEER_CAP_REFRESH_RCV
 *	yang_module_load(name)          -> erp_yang_module_load(name)
 *	nb_candidate_commit(&ctx, ...)  -> nb_candidate_commit(ERP_NB_CONTEXT(ctx), ...)
 * The scheduled callbacks of FRR's event loop are "tasks" here: the
 * failover core already has its own struct erp_event.
 *
 * Differences no compiler sees (documented where they are handled):
 *  - a struct bgp_dest is rn->info in 10.x, not the route_node itself:
 *    glue nodes of a table give NULL (erpolicy_rib.c, scope_next());
 *    never turn a raw route_node into a dest without checking.
 */
#ifndef _ERPOLICY_COMPAT_H
#define _ERPOLICY_COMPAT_H

/* --- event loop: lib/thread.h (8.4) -> lib/frrevent.h (9.0) ------------- */
#ifdef ERP_HAVE_FRREVENT
#include "frrevent.h"
typedef struct event erp_task_t;
typedef struct event_loop erp_loop_t;
#define ERP_TASK_ARG(e) EVENT_ARG(e)
#define erp_task_add_event(m, f, a, v, t) event_add_event(m, f, a, v, t)
#define erp_task_add_timer(m, f, a, v, t) event_add_timer(m, f, a, v, t)
#define erp_task_add_timer_msec(m, f, a, v, t)                                 \
	event_add_timer_msec(m, f, a, v, t)
/* EVENT_OFF is gone in 10.4: event_cancel() on a set pointer is the API */
#define erp_task_cancel(pt)                                                    \
	do {                                                                   \
		if (*(pt))                                                     \
			event_cancel(pt);                                      \
	} while (0)
#else
#include "thread.h"
typedef struct thread erp_task_t;
typedef struct thread_master erp_loop_t;
#define ERP_TASK_ARG(e) THREAD_ARG(e)
#define erp_task_add_event(m, f, a, v, t) thread_add_event(m, f, a, v, t)
#define erp_task_add_timer(m, f, a, v, t) thread_add_timer(m, f, a, v, t)
#define erp_task_add_timer_msec(m, f, a, v, t)                                 \
	thread_add_timer_msec(m, f, a, v, t)
#define erp_task_cancel(pt)                                                    \
	do {                                                                   \
		if (*(pt))                                                     \
			thread_cancel(pt);                                     \
	} while (0)
#endif

/* --- BGP session state: struct peer (8.4) -> peer->connection (10.x) ---- */
#ifdef ERP_HAVE_PEER_CONNECTION
#define ERP_PEER_CONN(p) ((p)->connection)
#else
#define ERP_PEER_CONN(p) (p)
#endif
/* peer_established() takes the connection where the state lives */
#define erp_peer_established(p) peer_established(ERP_PEER_CONN(p))
#define erp_peer_status(p) (ERP_PEER_CONN(p)->status)
#define erp_peer_ostatus(p) (ERP_PEER_CONN(p)->ostatus)

/* --- route selection: bgp_process() takes the changed path in 10.x ------
 * 10.x keeps a dest's paths sorted and re-sorts only the path passed (it
 * is flagged BGP_PATH_UNSORTED and moved to the head): a path whose
 * attributes changed must be passed, or the old best stays best.  8.4
 * compares every path and takes none. */
#ifdef ERP_HAVE_BGP_PROCESS_PATH
#define erp_bgp_process(bgp, dest, pi, afi, safi)                              \
	bgp_process(bgp, dest, pi, afi, safi)
#else
#define erp_bgp_process(bgp, dest, pi, afi, safi)                              \
	bgp_process(bgp, dest, afi, safi)
#endif

/* --- route-refresh received: two flags (8.4) -> one (10.x) ------------- */
#ifdef ERP_HAVE_PEER_CAP_REFRESH_RCV
#define ERP_PEER_CAP_REFRESH_RCV PEER_CAP_REFRESH_RCV
#else
#define ERP_PEER_CAP_REFRESH_RCV                                               \
	(PEER_CAP_REFRESH_OLD_RCV | PEER_CAP_REFRESH_NEW_RCV)
#endif

/* --- northbound ----------------------------------------------------------- */
/* yang_module_load() gained a list of YANG features to enable (10.0) */
#ifdef ERP_HAVE_YANG_MODULE_FEATURES
#define erp_yang_module_load(name) yang_module_load(name, NULL)
#else
#define erp_yang_module_load(name) yang_module_load(name)
#endif
/* nb_candidate_commit() takes its struct nb_context by value (10.0) */
#ifdef ERP_HAVE_NB_CONTEXT_BY_VALUE
#define ERP_NB_CONTEXT(c) (c)
#else
#define ERP_NB_CONTEXT(c) (&(c))
#endif

#endif /* _ERPOLICY_COMPAT_H */
