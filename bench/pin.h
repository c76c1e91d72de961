/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pinning for the benchmarks that place processes on CPU 0 and CPU 1. */
#ifndef PCN_BENCH_PIN_H
#define PCN_BENCH_PIN_H

#include <sched.h>

/* pin_to_cpu - run the calling thread on @cpu only. Returns 0 or -1 (errno). */
static inline int pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

#endif
