/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The process table allocates nothing after proccn_table_open() (issue 12,
 * test 6): every allocation of this process is counted (linked with
 * -Wl,--wrap, tests/common/alloc_count.c, the library built in), while the
 * table follows 50,000 processes that fork and exit, and resyncs. Its budget
 * is small on purpose: exited entries must be evicted early, and counted.
 * Usage: stress-table-alloc [--processes N] [--legacy]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <proccn_table.h>

#include "alloc_count.h"
#include "stress_util.h"

#define TEST "stress-table-alloc"

static uint64_t exits;

static int on_exit_cb(const struct proccn_proc *p, void *ud)
{
	(void)p;
	(void)ud;
	exits++;
	return 0;
}

static const struct proccn_table_callbacks callbacks = {
	.sz = sizeof(struct proccn_table_callbacks),
	.on_exit = on_exit_cb,
};

/* @n children that exit at once, one after the other. */
static pid_t launch(unsigned long n)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (unsigned long i = 0; i < n; i++) {
		pid_t c = fork();

		if (c < 0)
			_exit(20);
		if (c == 0)
			_exit(0);
		waitpid(c, NULL, 0);
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	struct proccn_table_opts to = {
		.sz = sizeof(to), .fields = PROCCN_TABLE_EXE | PROCCN_TABLE_CGROUP,
		.max_exited = 64, .exited_ms = 60000, .strings = 64,
	};
	struct proccn_table_stats st = { .sz = sizeof(st) };
	struct proccn_opts o = PROCCN_OPTS_INIT;
	unsigned long n = 50000;
	struct proccn_table *t = NULL;
	uint64_t calls, deadline;
	struct proccn *h;
	pid_t launcher;
	int r, status = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--legacy") == 0) {
			o.flags |= PROCCN_F_FORCE_LEGACY;
		} else if (strcmp(argv[i], "--processes") == 0 && i + 1 < argc) {
			n = strtoul(argv[++i], NULL, 10);
		} else {
			printf("usage: %s [--processes N] [--legacy]\n", argv[0]);
			return 2;
		}
	}
	stress_init(TEST, "it forks 50,000 processes");
	h = stress_open(&o);
	r = proccn_table_open(&t, h, &to);
	if (r < 0) {
		printf("FATAL: proccn_table_open: %s\n", proccn_strerror(r));
		return 1;
	}
	printf("table open: %lu processes to follow\n", n);
	launcher = launch(n);
	deadline = stress_now_ms() + 600000;
	alloc_count.calls = 0;
	alloc_count.counting = 1;
	while (stress_now_ms() < deadline) {
		(void)proccn_table_dispatch(t, &callbacks, NULL, 10);
		if (waitpid(launcher, &status, WNOHANG) == launcher)
			break;
	}
	/* what is left, and a resync: it reads /proc, allocating nothing either */
	(void)proccn_table_resync(t);
	for (int i = 0; i < 200 && (proccn_table_synced(t) != 1 || i < 20); i++)
		(void)proccn_table_dispatch(t, &callbacks, NULL, 5);
	alloc_count.counting = 0;
	calls = alloc_count.calls;
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the launcher failed: status %#x",
	      (unsigned)status);
	CHECK(proccn_table_get_stats(t, &st) == 0, "stats");
	printf("%" PRIu64 " exits seen, %" PRIu64 " allocation calls after open; table: peak %"
	       PRIu64 " live, %" PRIu64 " exited kept, %" PRIu64 " evicted early, %" PRIu64
	       " untracked, %" PRIu64 " resyncs, %" PRIu64 " bytes\n", exits, calls, st.peak_live,
	       st.exited_kept, st.evicted_early, st.untracked, st.resyncs, st.memory);
	CHECK(calls == 0, "%" PRIu64 " allocations after proccn_table_open()", calls);
	CHECK(exits >= n * 9 / 10, "only %" PRIu64 " of %lu exits seen", exits, n);
	CHECK(st.evicted_early > 0, "a budget of 64 exited entries kept 60 s evicted none early");
	CHECK(st.exited_kept <= 64, "%" PRIu64 " exited entries kept, budget 64", st.exited_kept);
	proccn_table_close(t);
	proccn_close(h);
	return stress_finish(TEST);
}
