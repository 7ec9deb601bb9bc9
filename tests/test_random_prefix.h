// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Random prefixes for the unit tests that check against a brute-force
 * reference (test_erpolicy_decide.c, test_erpolicy_scope.c).
 */
#ifndef _TEST_RANDOM_PREFIX_H
#define _TEST_RANDOM_PREFIX_H

#include "prefix.h"

/* A prefix of len bits in one of three /8 clusters (10-12/8, second byte
 * below 16): random prefixes that nest and share bits often. */
static inline void random_prefix(struct prefix *p, uint8_t family,
				 unsigned int len)
{
	unsigned int bytes = family == AF_INET ? 4 : 16;

	memset(p, 0, sizeof(*p));
	p->family = family;
	p->prefixlen = len;
	for (unsigned int i = 0; i < bytes; i++)
		p->u.val[i] = random() & 0xff;
	p->u.val[0] = 10 + random() % 3;
	p->u.val[1] &= 0x0f;
	apply_mask(p);
}

#endif
