// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: health checks of the configuration around the policy
 * (FRR glue: reads neighbors' BFD, timers, weight, capabilities).
 */
#ifndef _ERPOLICY_HEALTH_H
#define _ERPOLICY_HEALTH_H

#include "erpolicy.h"

/* Azure limits (doc: ../shared/reference/azure-er-vpn.md) */
#define ERP_AZURE_ER_ROUTES_LIMIT 1000 /* Azure -> on-prem per ER connection */
#define ERP_AZURE_VPN_KEEPALIVE 60
#define ERP_AZURE_VPN_HOLDTIME 180

struct erp_health_item {
	const char *check; /* stable key: erNoBfd, vpnTimers, ... */
	const char *neighbor; /* or NULL */
	char message[512];
};

/* Call fn for every warning of the instance. */
extern void erp_health_walk(struct erp_instance *inst,
			    void (*fn)(const struct erp_health_item *item,
				       void *arg),
			    void *arg);

/* Log each warning of erp_health_walk() when it appears (level warning)
 * and when it clears (notice), without anyone asking: called every tick.
 * See warning_key() in erpolicy_health.c for what "the same" warning is. */
extern void erp_health_log(struct erp_instance *inst);


#endif
