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

/* Log what is attached wrongly (legacy names of bgpd_erpolicy 0.x, the
 * module's maps on undeclared neighbors, declared neighbors without the
 * module's map) when the number of such attachments changes: what "show
 * bgp erpolicy" says about them, without anyone asking. */
extern void erp_health_log_attachments(struct erp_instance *inst);

/* Log the declared neighbors whose AS is not one Azure uses for their path
 * (erRemoteAs, vpnRemoteAs) when their number changes, and when the last
 * one is gone. */
extern void erp_health_log_remote_as(struct erp_instance *inst);

#endif
