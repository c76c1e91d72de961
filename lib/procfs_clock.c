/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc start times (CLOCK_BOOTTIME clock ticks) against event timestamps
 * (CLOCK_MONOTONIC ns).
 */
#include <errno.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "procfs.h"

#define PFS_NS_PER_SEC UINT64_C(1000000000)
#define PFS_CLOCK_TRIES 3

static int pfs_now_ns(clockid_t id, int64_t *ns)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) < 0)
		return -errno;
	*ns = (int64_t)ts.tv_sec * (int64_t)PFS_NS_PER_SEC + ts.tv_nsec;
	return 0;
}

int proccn__procfs_clock_sample(struct proccn__procfs_clock *c)
{
	int64_t best_gap = INT64_MAX, best_offset = 0;
	long hz;
	int i, r;

	if (!c)
		return -EINVAL;
	hz = sysconf(_SC_CLK_TCK);
	if (hz <= 0 || (uint64_t)hz > PFS_NS_PER_SEC)
		return -EINVAL;
	/* BOOTTIME between two MONOTONIC readings: the pair closest together wins */
	for (i = 0; i < PFS_CLOCK_TRIES; i++) {
		int64_t m1 = 0, boot = 0, m2 = 0;

		r = pfs_now_ns(CLOCK_MONOTONIC, &m1);
		if (r == 0)
			r = pfs_now_ns(CLOCK_BOOTTIME, &boot);
		if (r == 0)
			r = pfs_now_ns(CLOCK_MONOTONIC, &m2);
		if (r < 0)
			return r;
		if (m2 - m1 < best_gap) {
			best_gap = m2 - m1;
			best_offset = boot - (m1 + (m2 - m1) / 2);
		}
	}
	c->boot_minus_mono_ns = best_offset;
	c->ticks_per_sec = (uint32_t)hz;
	return 0;
}

static int pfs_check_clock(const struct proccn__procfs_clock *c)
{
	if (!c || c->ticks_per_sec == 0 || c->ticks_per_sec > PFS_NS_PER_SEC)
		return -EINVAL;
	return 0;
}

int proccn__procfs_ticks_to_mono_ns(const struct proccn__procfs_clock *c, uint64_t ticks,
				    int64_t *mono_ns)
{
	uint64_t hz, whole, boot_ns;
	int64_t mono;
	int r = pfs_check_clock(c);

	if (r < 0)
		return r;
	if (!mono_ns)
		return -EINVAL;
	hz = c->ticks_per_sec;
	/* ticks * 1e9 / hz in two parts, so that only a result too big overflows */
	if (__builtin_mul_overflow(ticks / hz, PFS_NS_PER_SEC, &whole) ||
	    __builtin_add_overflow(whole, (ticks % hz) * PFS_NS_PER_SEC / hz, &boot_ns) ||
	    boot_ns > (uint64_t)INT64_MAX ||
	    __builtin_sub_overflow((int64_t)boot_ns, c->boot_minus_mono_ns, &mono))
		return -ERANGE;
	*mono_ns = mono;
	return 0;
}

int proccn__procfs_mono_ns_to_ticks(const struct proccn__procfs_clock *c, uint64_t mono_ns,
				    uint64_t *ticks)
{
	uint64_t hz;
	int64_t boot_ns;
	int r = pfs_check_clock(c);

	if (r < 0)
		return r;
	if (!ticks)
		return -EINVAL;
	if (mono_ns > (uint64_t)INT64_MAX ||
	    __builtin_add_overflow((int64_t)mono_ns, c->boot_minus_mono_ns, &boot_ns) ||
	    boot_ns < 0)
		return -ERANGE;
	hz = c->ticks_per_sec;
	/* floor(boot_ns * hz / 1e9), split so that nothing overflows */
	*ticks = (uint64_t)boot_ns / PFS_NS_PER_SEC * hz +
		 (uint64_t)boot_ns % PFS_NS_PER_SEC * hz / PFS_NS_PER_SEC;
	return 0;
}

int proccn__procfs_compare_start(const struct proccn__procfs_clock *c, uint64_t start_ticks,
				 uint64_t mono_ns)
{
	uint64_t t;
	int r = proccn__procfs_mono_ns_to_ticks(c, mono_ns, &t);

	if (r < 0)
		return r;
	if (start_ticks > t && start_ticks - t > 1)
		return PROCCN__PROCFS_STARTED_AFTER;
	if (start_ticks < t && t - start_ticks > 1)
		return PROCCN__PROCFS_STARTED_BEFORE;
	return PROCCN__PROCFS_STARTED_NEAR;
}
