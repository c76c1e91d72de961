/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The filter oracle: which events a subscriber must get, decided the way the
 * kernel decides (Linux 6.6+ cn_filter(), see /work/shared/kernel-notes.md)
 * plus the library's PROCCN_F_PROCESSES_ONLY. Written independently of
 * lib/filter.c: the fake kernel filters with it, and the unit, fuzz, live and
 * VM tests judge what the library delivered against it.
 *
 * The kernel's rule: bits outside ALL are dropped and a mask of 0 means ALL;
 * ALL passes every message (ACKs and unknown kinds too); NONZERO_EXIT passes
 * an EXIT whose raw exit code is not 0; otherwise a message passes when its
 * kind is in the mask. PROCESSES_ONLY then hides thread-level FORK and EXIT
 * (a FORK whose child_pid != child_tgid, an EXIT whose pid != tgid).
 */
#ifndef TESTS_COMMON_ORACLE_H
#define TESTS_COMMON_ORACLE_H

#include <stdint.h>

#include "proccn.h"

/*
 * oracle_pass - 1 when a message of kind @what (0: an ACK) with raw exit
 * code @exit_code (EXIT only) passes @mask; with PROCCN_F_PROCESSES_ONLY in
 * @flags, 0 for a thread-level FORK or EXIT (@thread nonzero).
 */
int oracle_pass(uint32_t mask, uint32_t flags, uint32_t what, uint32_t exit_code, int thread);

/* oracle_pass_raw - the same, from the kernel's bytes: @what and its 24-byte union. */
int oracle_pass_raw(uint32_t mask, uint32_t flags, uint32_t what, const uint8_t data[24]);

/* oracle_pass_event - the same, for an event as the library delivered it. */
int oracle_pass_event(uint32_t mask, uint32_t flags, const union proccn_event *ev);

#endif
