/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Event timestamps are CLOCK_MONOTONIC; people want wall-clock time. */
#include <errno.h>
#include <stdint.h>
#include <time.h>

#include "proccn.h"

#define NSEC_PER_SEC INT64_C(1000000000)

int proccn_timestamp_to_realtime(uint64_t timestamp_ns, struct timespec *out)
{
	struct timespec mono, real;
	int64_t offset, wall;

	if (!out)
		return -EINVAL;
	if (clock_gettime(CLOCK_MONOTONIC, &mono) < 0 || clock_gettime(CLOCK_REALTIME, &real) < 0)
		return -errno;
	offset = ((int64_t)real.tv_sec - (int64_t)mono.tv_sec) * NSEC_PER_SEC +
		 (real.tv_nsec - mono.tv_nsec);
	/* no monotonic clock gets this far; the caller passed something else */
	if (timestamp_ns > (uint64_t)INT64_MAX ||
	    __builtin_add_overflow((int64_t)timestamp_ns, offset, &wall))
		return -ERANGE;
	out->tv_sec = (time_t)(wall / NSEC_PER_SEC);
	out->tv_nsec = (long)(wall % NSEC_PER_SEC);
	if (out->tv_nsec < 0) {
		out->tv_nsec += NSEC_PER_SEC;
		out->tv_sec--;
	}
	return 0;
}
