/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the stress tests: see stress_util.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1  /* CPU_SET, sched_getaffinity */
#endif
#include <errno.h>
#include <inttypes.h>
#include <linux/netlink.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "stress_util.h"

static int failures;

void stress_skip(const char *fmt, ...)
{
	va_list ap;

	printf("SKIP: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(STRESS_SKIP);
}

void stress_fail(const char *file, int line, const char *expr, const char *fmt, ...)
{
	va_list ap;

	failures++;
	printf("FAIL %s:%d: %s: ", file, line, expr);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

int stress_finish(const char *test)
{
	if (failures) {
		printf("%s: %d check(s) failed\n", test, failures);
		return 1;
	}
	printf("%s: all checks passed\n", test);
	return 0;
}

uint64_t stress_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void stress_init(const char *test, const char *why)
{
	int fd;

	/* results must reach the log even when a later check is fatal */
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("%s: pid %d\n", test, (int)getpid());
	if (geteuid() != 0)
		stress_skip("%s needs root: %s", test, why);
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
	if (fd < 0)
		stress_skip("no proc connector: socket(NETLINK_CONNECTOR): %s", strerror(errno));
	close(fd);
}

struct proccn *stress_open(const struct proccn_opts *opts)
{
	struct proccn *h = NULL;
	int r = proccn_open(&h, opts);

	switch (r) {
	case 0:
		return h;
	case -EPROTONOSUPPORT:
	case -EOPNOTSUPP:
	case -ECONNREFUSED:
	case -EXDEV:
	case -ETIMEDOUT:
	case -EPERM:
		stress_skip("proccn_open: %s", proccn_strerror(r));
	default:
		printf("FATAL: proccn_open: %d: %s\n", r, proccn_strerror(r));
		exit(1);
	}
}

void stress_stats(const struct proccn *h, struct proccn_stats *st)
{
	int r;

	memset(st, 0, sizeof(*st));
	st->sz = sizeof(*st);
	r = proccn_get_stats(h, st);
	if (r < 0) {
		printf("FATAL: proccn_get_stats: %d\n", r);
		exit(1);
	}
}

void stress_print_stats(const char *what, const struct proccn_stats *st)
{
	printf("%s: datagrams %" PRIu64 " received %" PRIu64 " delivered %" PRIu64
	       " filtered %" PRIu64 " malformed %" PRIu64 " spoofed %" PRIu64
	       " acks %" PRIu64 " overruns %" PRIu64 " lost %" PRIu64
	       " (exact %d) kernel_drops %" PRIu64 " rcvbuf %d\n",
	       what, st->datagrams, st->received, st->delivered, st->filtered,
	       st->malformed, st->spoofed, st->acks, st->overruns, st->lost,
	       st->lost_exact, st->kernel_drops, st->rcvbuf);
}

void stress_check_stats(const struct proccn_stats *st, uint64_t callbacks)
{
	CHECK(st->delivered + st->filtered <= st->received,
	      "delivered %" PRIu64 " + filtered %" PRIu64 " > received %" PRIu64,
	      st->delivered, st->filtered, st->received);
	/* the kernel sends one message per datagram, and so do our forgeries */
	CHECK(st->received + st->acks + st->malformed + st->spoofed == st->datagrams,
	      "received %" PRIu64 " + acks %" PRIu64 " + malformed %" PRIu64
	      " + spoofed %" PRIu64 " != datagrams %" PRIu64,
	      st->received, st->acks, st->malformed, st->spoofed, st->datagrams);
	CHECK(st->delivered == callbacks,
	      "stats.delivered %" PRIu64 " but the callbacks ran %" PRIu64 " times",
	      st->delivered, callbacks);
	CHECK(st->malformed == 0, "%" PRIu64 " malformed datagrams from the kernel",
	      st->malformed);
}

int stress_reap(pid_t pid, uint64_t deadline_ms)
{
	for (;;) {
		pid_t r = waitpid(pid, NULL, WNOHANG);

		if (r == pid || (r < 0 && errno != EINTR))
			return 0;
		if (stress_now_ms() >= deadline_ms) {
			kill(pid, SIGKILL);
			(void)waitpid(pid, NULL, 0);  /* SIGKILL cannot be blocked: bounded */
			return -1;
		}
		usleep(1000);
	}
}

size_t stress_pinned_children(pid_t *pids, size_t max, unsigned per_cpu)
{
	cpu_set_t allowed;
	size_t n = 0;
	int cpu;

	if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0) {
		printf("FATAL: sched_getaffinity: %s\n", strerror(errno));
		exit(1);
	}
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		unsigned k;

		if (!CPU_ISSET(cpu, &allowed))
			continue;
		for (k = 0; k < per_cpu && n < max; k++) {
			pid_t pid = fork();

			if (pid < 0) {
				printf("FATAL: fork: %s\n", strerror(errno));
				exit(1);
			}
			if (pid == 0) {
				cpu_set_t one;

				/* setaffinity on ourselves migrates before it returns */
				CPU_ZERO(&one);
				CPU_SET(cpu, &one);
				(void)sched_setaffinity(0, sizeof(one), &one);
				_exit(0);
			}
			pids[n++] = pid;
			if (stress_reap(pid, stress_now_ms() + 5000) < 0) {
				printf("FATAL: pinned child %d did not exit within 5 s\n", (int)pid);
				exit(1);
			}
		}
	}
	return n;
}
