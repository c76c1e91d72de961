/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a storm consumer measures about itself, from just before it tells the
 * generator it is ready until it has seen every exit (or drained after the
 * generator said all were reaped):
 *
 *   CPU       getrusage(RUSAGE_SELF) user + sys
 *   on-CPU    a perf task-clock counter: the time it actually ran (getrusage
 *             also charges a woken task from its wake-up on)
 *   syscalls  a perf counter on the tracepoint raw_syscalls:sys_enter,
 *             attached by the consumer to itself, minus the two syscalls of
 *             the window's own bookkeeping (the "ready" write and the
 *             disabling ioctl). An enabled tracepoint slows every syscall,
 *             so CPU is best taken from trials that do not count.
 *   sleeps    voluntary context switches (getrusage ru_nvcsw)
 *
 * A consumer that is a program of its own (forkstat) is measured by its pid:
 * the same counters attached to it, CPU = its task clock (its /proc times
 * come in 10 ms ticks), sleeps from /proc/PID/status.
 */
#ifndef PCN_BENCH_STORM_WINDOW_H
#define PCN_BENCH_STORM_WINDOW_H

#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "storm.h"

struct window {
	pid_t pid;                /* measured: 0 = this process */
	int counter_fd;           /* syscalls, or -1 */
	int clock_fd;             /* task clock, or -1 */
	struct rusage ru0;
	uint64_t nvcsw0;          /* for another pid */
};

/* syscall_counter_check - 0 when syscalls can be counted here, else -errno. */
int syscall_counter_check(void);
/* window_open - the counters, disabled. 0, or -1 with res->err set. */
int window_open(struct window *w, int count_syscalls, struct result *res);
/* window_measure_pid - measure process @pid instead (counters reopened). 0 or -1. */
int window_measure_pid(struct window *w, pid_t pid, int count_syscalls, struct result *res);
/* window_begin - start measuring, then write the "ready" byte. 0 or -1 (res->err). */
int window_begin(struct window *w, int ready_fd, struct result *res);
/* window_oncpu_now - the task clock so far in the window (ns), or -1. */
int64_t window_oncpu_now(const struct window *w);
/* window_end - stop measuring; fills the CPU, syscall and sleep fields of @res. */
void window_end(struct window *w, struct result *res);
void window_close(struct window *w);

/* delay_summary - p50, p99 and max of @n samples (sorted in place) into @out. */
void delay_summary(int64_t *v, uint64_t n, int64_t out[3]);

#endif
