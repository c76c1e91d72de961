/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The median the benchmarks report, and the pid_max they size pid tables by. */
#ifndef PCN_BENCH_MEDIAN_H
#define PCN_BENCH_MEDIAN_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* median - of @n values, which it sorts in place; -1 when there are none. */
static inline double median(double *v, unsigned int n)
{
	if (n == 0)
		return -1;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* read_pid_max - /proc/sys/kernel/pid_max, at most 4194304 (its ceiling) when unknown. */
static inline uint32_t read_pid_max(void)
{
	FILE *f = fopen("/proc/sys/kernel/pid_max", "re");
	unsigned long v = 0;

	if (f) {
		if (fscanf(f, "%lu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v == 0 || v > 4194304 ? 4194304 : (uint32_t)v;
}

#endif
