// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: debug flag ("debug bgp erpolicy").
 */
#ifndef _ERPOLICY_DEBUG_H
#define _ERPOLICY_DEBUG_H

#include "log.h"

extern bool erp_debug;

#define ERP_DEBUG(fmt, ...)                                                    \
	do {                                                                   \
		if (erp_debug)                                                 \
			zlog_debug("erpolicy: " fmt, ##__VA_ARGS__);           \
	} while (0)

#endif
