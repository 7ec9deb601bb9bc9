// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_erpolicy: CLI and show commands.
 */
#ifndef _ERPOLICY_VTY_H
#define _ERPOLICY_VTY_H

struct bgp;
struct vty;

extern void erp_vty_init(void);
/* "router bgp" part of the running configuration (bgp_inst_config_write) */
extern int erp_config_write(struct bgp *bgp, struct vty *vty);

#endif
