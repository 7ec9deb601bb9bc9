// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: memory types.
 */
#include <zebra.h>

#include "erpolicy_memory.h"

DEFINE_MGROUP(ERPOLICY, "bgpd erpolicy");
DEFINE_MTYPE(ERPOLICY, ERP_INSTANCE, "erpolicy BGP instance");
DEFINE_MTYPE(ERPOLICY, ERP_NEIGHBOR, "erpolicy neighbor");
DEFINE_MTYPE(ERPOLICY, ERP_PEER_STATS, "erpolicy peer counters");
DEFINE_MTYPE(ERPOLICY, ERP_DENIED, "erpolicy denied prefix");
DEFINE_MTYPE(ERPOLICY, ERP_WARNED, "erpolicy warned prefix");
DEFINE_MTYPE(ERPOLICY, ERP_PREFIX_RULE, "erpolicy prefix rule");
DEFINE_MTYPE(ERPOLICY, ERP_PREFIX_INDEX, "erpolicy prefix index");
DEFINE_MTYPE(ERPOLICY, ERP_RMAP_RULE, "erpolicy route-map rule");
DEFINE_MTYPE(ERPOLICY, ERP_NAME, "erpolicy name");
DEFINE_MTYPE(ERPOLICY, ERP_HEALTH, "erpolicy health warnings logged");
DEFINE_MTYPE(ERPOLICY, ERP_LIMIT_GROUP, "erpolicy advertisement limit group");
