/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Every allocation of the process, counted: a program linked with
 * -Wl,--wrap for malloc, calloc, realloc, aligned_alloc, posix_memalign and
 * free (alloc_wrap_args in tests/common/meson.build) goes through alloc_count.c, which keeps the bytes
 * held (malloc_usable_size) and, while `counting` is set, the calls.
 */
#ifndef PCN_TEST_ALLOC_COUNT_H
#define PCN_TEST_ALLOC_COUNT_H

#include <stdint.h>

struct alloc_count {
	int counting;            /* count calls from now on */
	uint64_t calls;          /* allocation or free calls while counting */
	int64_t live, peak;      /* usable bytes held by wrapped allocations */
};

extern struct alloc_count alloc_count;

/* alloc_count_reset - forget what was held so far: live and peak from 0. */
void alloc_count_reset(void);

#endif
