/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The userspace event filter: the kernel's cn_filter semantics, reproduced. */
#ifndef PCN_FILTER_H
#define PCN_FILTER_H

#include <stdint.h>

#include "proccn.h"

/* proccn__mask_normalise - 0 means ALL, as the kernel reads it. */
uint32_t proccn__mask_normalise(uint32_t mask);

/*
 * proccn__filter_pass - 1 when an event passes @mask (normalised) and @flags
 * (PROCCN_F_PROCESSES_ONLY), as the 6.6+ kernel filter would decide, else 0.
 */
int proccn__filter_pass(uint32_t mask, uint32_t flags, const union proccn_event *ev);

#endif
