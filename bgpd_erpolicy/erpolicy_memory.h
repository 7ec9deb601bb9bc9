// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: memory types.  Every allocation of the module uses one of
 * these, so `show memory` in bgpd accounts for all of it under "erpolicy".
 */
#ifndef _ERPOLICY_MEMORY_H
#define _ERPOLICY_MEMORY_H

#include "memory.h"

DECLARE_MGROUP(ERPOLICY);
DECLARE_MTYPE(ERP_INSTANCE);
DECLARE_MTYPE(ERP_NEIGHBOR);
DECLARE_MTYPE(ERP_PEER_STATS);
DECLARE_MTYPE(ERP_DENIED);
DECLARE_MTYPE(ERP_WARNED);
DECLARE_MTYPE(ERP_PREFIX_RULE);
DECLARE_MTYPE(ERP_PREFIX_INDEX);
DECLARE_MTYPE(ERP_RMAP_RULE);
DECLARE_MTYPE(ERP_NAME);
DECLARE_MTYPE(ERP_HEALTH);
DECLARE_MTYPE(ERP_LIMIT_GROUP);

#endif
