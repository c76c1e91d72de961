/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A storm consumer's measurements (see storm_window.h). */
#include "storm_window.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define WINDOW_OVERHEAD_SYSCALLS 2   /* the ready write(2) + the disabling ioctl(2) */

static long tracepoint_id(void)
{
	static const char *const paths[] = {
		"/sys/kernel/tracing/events/raw_syscalls/sys_enter/id",
		"/sys/kernel/debug/tracing/events/raw_syscalls/sys_enter/id",
	};
	unsigned int i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		FILE *f = fopen(paths[i], "re");
		long id = -1;

		if (!f)
			continue;
		if (fscanf(f, "%ld", &id) != 1)
			id = -1;
		fclose(f);
		if (id >= 0)
			return id;
	}
	return -1;
}

/* A disabled perf counter on @pid (0: this thread); the fd or -errno. */
static int counter_open(pid_t pid, uint32_t type, uint64_t config)
{
	struct perf_event_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.type = type;
	attr.size = sizeof(attr);
	attr.config = config;
	attr.disabled = 1;
	fd = (int)syscall(SYS_perf_event_open, &attr, pid, -1, -1, PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int64_t counter_stop(int fd)
{
	uint64_t v;

	ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
	return read(fd, &v, sizeof(v)) == (ssize_t)sizeof(v) ? (int64_t)v : -1;
}

static uint64_t tv_ns(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000000u + (uint64_t)tv->tv_usec * 1000u;
}

int syscall_counter_check(void)
{
	long id = tracepoint_id();
	int fd = id < 0 ? -ENOENT : counter_open(0, PERF_TYPE_TRACEPOINT, (uint64_t)id);

	if (fd >= 0)
		close(fd);
	return fd < 0 ? fd : 0;
}

int window_measure_pid(struct window *w, pid_t pid, int count_syscalls, struct result *res)
{
	long id;

	window_close(w);
	memset(w, 0, sizeof(*w));
	w->pid = pid;
	/* on-CPU time is extra information: without perf, the column says n/a */
	w->clock_fd = counter_open(pid, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK);
	w->counter_fd = -1;
	res->syscalls = res->oncpu_ns = -1;
	if (pid && w->clock_fd < 0) {
		snprintf(res->err, sizeof(res->err), "perf_event_open task-clock of %d: %s",
			 (int)pid, strerror(-w->clock_fd));
		return -1;
	}
	if (!count_syscalls)
		return 0;
	id = tracepoint_id();
	w->counter_fd = id < 0 ? -ENOENT : counter_open(pid, PERF_TYPE_TRACEPOINT, (uint64_t)id);
	if (w->counter_fd < 0) {
		snprintf(res->err, sizeof(res->err), "perf_event_open raw_syscalls:sys_enter: %s",
			 strerror(-w->counter_fd));
		return -1;
	}
	return 0;
}

int window_open(struct window *w, int count_syscalls, struct result *res)
{
	w->clock_fd = w->counter_fd = -1;
	return window_measure_pid(w, 0, count_syscalls, res);
}

/* voluntary_ctxt_switches of @pid, or 0. */
static uint64_t sleeps_of(pid_t pid)
{
	char path[64], line[128];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "voluntary_ctxt_switches: %llu", &v) == 1)
			break;
	fclose(f);
	return v;
}

int window_begin(struct window *w, int ready_fd, struct result *res)
{
	char b = 'r';

	getrusage(RUSAGE_SELF, &w->ru0);
	if (w->pid)
		w->nvcsw0 = sleeps_of(w->pid);
	/* the task clock first, so that the syscall counter does not count its ioctls */
	if (w->clock_fd >= 0) {
		ioctl(w->clock_fd, PERF_EVENT_IOC_RESET, 0);
		ioctl(w->clock_fd, PERF_EVENT_IOC_ENABLE, 0);
	}
	if (w->counter_fd >= 0) {
		ioctl(w->counter_fd, PERF_EVENT_IOC_RESET, 0);
		ioctl(w->counter_fd, PERF_EVENT_IOC_ENABLE, 0);
	}
	if (write(ready_fd, &b, 1) != 1) {
		snprintf(res->err, sizeof(res->err), "write ready: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int64_t window_oncpu_now(const struct window *w)
{
	uint64_t v;

	if (w->clock_fd < 0 || read(w->clock_fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		return -1;
	return (int64_t)v;
}

void window_end(struct window *w, struct result *res)
{
	struct rusage ru1;

	if (w->counter_fd >= 0) {
		int64_t n = counter_stop(w->counter_fd);

		res->syscalls = n < 0 ? -1 : n - (w->pid ? 0 : WINDOW_OVERHEAD_SYSCALLS);
	}
	if (w->clock_fd >= 0)
		res->oncpu_ns = counter_stop(w->clock_fd);
	if (w->pid) {
		res->cpu_ns = res->oncpu_ns < 0 ? 0 : (uint64_t)res->oncpu_ns;
		res->sleeps = sleeps_of(w->pid) - w->nvcsw0;
		return;
	}
	getrusage(RUSAGE_SELF, &ru1);
	res->cpu_ns = tv_ns(&ru1.ru_utime) - tv_ns(&w->ru0.ru_utime) +
		      tv_ns(&ru1.ru_stime) - tv_ns(&w->ru0.ru_stime);
	res->sleeps = (uint64_t)(ru1.ru_nvcsw - w->ru0.ru_nvcsw);
}

void window_close(struct window *w)
{
	if (w->counter_fd >= 0)
		close(w->counter_fd);
	if (w->clock_fd >= 0)
		close(w->clock_fd);
	w->counter_fd = w->clock_fd = -1;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

void delay_summary(int64_t *v, uint64_t n, int64_t out[3])
{
	if (n == 0) {
		out[0] = out[1] = out[2] = -1;
		return;
	}
	qsort(v, n, sizeof(*v), cmp_i64);
	out[0] = v[(n - 1) / 2];
	out[1] = v[(n - 1) * 99 / 100];
	out[2] = v[n - 1];
}
