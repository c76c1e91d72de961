/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The time a thread actually ran, for the benchmarks: a perf task-clock
 * counter, which starts and stops at the thread's context switches. getrusage
 * charges a woken thread from its wake-up on, so on a machine where leaving
 * a halted CPU is slow the two differ by that (proccn-wakeup measures it).
 */
#ifndef PCN_BENCH_TASKCLOCK_H
#define PCN_BENCH_TASKCLOCK_H

#include <errno.h>
#include <linux/perf_event.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * task_clock_open - a task-clock counter on the calling thread, counting
 * from now if @enabled, else stopped until PERF_EVENT_IOC_ENABLE. Returns
 * the fd or -errno. read(2) gives a uint64_t of nanoseconds.
 */
static inline int task_clock_open(int enabled)
{
	struct perf_event_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_SOFTWARE;
	attr.size = sizeof(attr);
	attr.config = PERF_COUNT_SW_TASK_CLOCK;
	attr.disabled = !enabled;
	fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

#endif
