// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: module entry point.  Loaded with "bgpd -M erpolicy".
 */
#include <zebra.h>

#include "defaults.h"
#include "hook.h"
#include "libfrr.h"
#include "module.h"
#include "erpolicy_compat.h"
#include "lib/version.h"

#include "bgpd/bgpd.h"

#include "erpolicy.h"
#include "erpolicy_hooks.h"
#include "erpolicy_memory.h"
#include "erpolicy_nb.h"
#include "erpolicy_peer.h"
#include "erpolicy_rmap.h"
#include "erpolicy_vty.h"

static erp_task_t *t_nb_load;

/* Runs in the daemon proper (after the -d fork), before the configuration
 * file is read: see erpolicy_nb.c. */
static void erp_nb_load_event(erp_task_t *t)
{
	erp_rmap_build_maps();
	erp_nb_load();
}

static void erp_forget_instance_event(erp_task_t *t)
{
	char *vrf = ERP_TASK_ARG(t);

	erp_nb_forget_instance(vrf);
	XFREE(MTYPE_ERP_NAME, vrf);
}

/* Not from inside bgp_delete(): a configuration transaction of its own. */
static int erp_bgp_inst_delete(struct bgp *bgp)
{
	if (bm->terminating || !erp_instance_find(erp_vrf_of(bgp)))
		return 0;
	erp_task_add_event(bm->master, erp_forget_instance_event,
			 XSTRDUP(MTYPE_ERP_NAME, erp_vrf_of(bgp)), 0, NULL);
	return 0;
}

static int erp_late_init(erp_loop_t *master)
{
	erp_instances_init();
	erp_rmap_init();
	erp_hooks_init();
	erp_vty_init();
	hook_register(bgp_inst_config_write, erp_config_write);
	hook_register(bgp_inst_delete, erp_bgp_inst_delete);
	erp_task_add_event(master, erp_nb_load_event, NULL, 0, &t_nb_load);
	return 0;
}

static int erp_fini(void)
{
	erp_task_cancel(&t_nb_load);
	erp_hooks_fini();
	erp_instance_delete_all();
	erp_nb_unload();
	return 0;
}

/*
 * frrmod_load() is a plain dlopen: a module built against another FRR
 * would load and then corrupt memory wherever a struct layout differs.
 * bgpd exits at startup unless the running libfrr is the version of the
 * tree the module was compiled against; the Debian revision is checked by
 * configure and make (frr-version-check).  At dlopen no configuration is
 * read yet, so frr_defaults_version() is still libfrr's own FRR_VER_SHORT.
 * exit(1) here, as frr_init() does when a module fails to load: returning
 * an error makes frrmod_load() dlclose the module while libfrr still lists
 * its memory group and xrefs, and 8.4.4's bgpd then crashed on its way out
 * (SIGSEGV, tried).
 */
static void erp_frr_version_check(void)
{
	const char *running = frr_defaults_version();

	if (!strcmp(running, FRR_VER_SHORT))
		return;
	fprintf(stderr,
		"bgpd_erpolicy: built for FRR %s, refusing to load into FRR %s (rebuild the module against this FRR)\n",
		FRR_VER_SHORT, running);
	zlog_err("bgpd_erpolicy: built for FRR %s, refusing to load into FRR %s",
		 FRR_VER_SHORT, running);
	exit(1);
}

static int erp_module_init(void)
{
	erp_frr_version_check();
	hook_register(frr_late_init, erp_late_init);
	hook_register(frr_fini, erp_fini);
	return 0;
}

FRR_MODULE_SETUP(.name = "bgpd_erpolicy", .version = "0.1.0",
		 .description = "ExpressRoute-preferred policy for Azure ExpressRoute and VPN neighbors",
		 .init = erp_module_init);
