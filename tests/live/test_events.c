/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Basic process life cycle against the real kernel: fork, exec, exit with a
 * code, death by SIGKILL. Every field of our children's events is checked.
 * Run with --legacy too: the forced legacy protocol must show the same.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "live.h"

static void do_exit3(void *arg)
{
	(void)arg;
	_exit(3);
}

static void do_sleep(void *arg)
{
	(void)arg;
	for (;;)
		pause();
}

static void check_mode(struct live_handle *lh)
{
	int mode = proccn_mode(lh->h);

	if (live_extra_flags & PROCCN_F_FORCE_LEGACY)
		EXPECT(mode == PROCCN_MODE_LEGACY, "forced legacy: proccn_mode = %d, want LEGACY (%d)",
		       mode, PROCCN_MODE_LEGACY);
	else if (live_kernel_at_least(6, 6))
		EXPECT(mode == PROCCN_MODE_KERNEL_FILTER,
		       "Linux >= 6.6: proccn_mode = %d, want KERNEL_FILTER (%d)", mode,
		       PROCCN_MODE_KERNEL_FILTER);
	else
		EXPECT(mode == PROCCN_MODE_LEGACY || mode == PROCCN_MODE_KERNEL_FILTER,
		       "proccn_mode = %d", mode);
	EXPECT(proccn_get_events(lh->h) == PROCCN_EV_ALL, "proccn_get_events = %#x, want ALL",
	       proccn_get_events(lh->h));
}

/* The FORK of our direct child: parent is this process, child a process. */
static void check_fork(struct live_handle *lh, pid_t child, long *idx)
{
	const struct proccn_fork *f;

	*idx = live_find(lh, PROCCN_EV_FORK, child, 0);
	EXPECT(*idx >= 0, "FORK of child %d not seen", (int)child);
	if (*idx < 0)
		return;
	f = &lh->rec.ev[*idx].fork;
	EXPECT(f->parent_pid == getpid() && f->parent_tgid == getpid(),
	       "FORK parent %d/%d, want %d/%d", f->parent_pid, f->parent_tgid, (int)getpid(),
	       (int)getpid());
	EXPECT(f->child_pid == child && f->child_tgid == child, "FORK child %d/%d, want %d/%d",
	       f->child_pid, f->child_tgid, (int)child, (int)child);
	EXPECT(proccn_event_is_thread(&lh->rec.ev[*idx]) == 0, "a process FORK is not a thread");
	EXPECT(live_count(lh, PROCCN_EV_FORK, child) == 1, "FORK of %d seen %zu times", (int)child,
	       live_count(lh, PROCCN_EV_FORK, child));
}

/* The EXIT of our direct child; returns its index (or -1). */
static long check_exit(struct live_handle *lh, pid_t child, int status)
{
	const struct proccn_exit *e;
	long i = live_find(lh, PROCCN_EV_EXIT, child, 0);

	EXPECT(i >= 0, "EXIT of child %d not seen", (int)child);
	if (i < 0)
		return -1;
	e = &lh->rec.ev[i].exit;
	EXPECT(e->pid == child && e->tgid == child, "EXIT pid %d/%d, want %d/%d", e->pid, e->tgid,
	       (int)child, (int)child);
	EXPECT(e->exit_code == (uint32_t)status,
	       "EXIT exit_code %#x, want the wait(2) status %#x", e->exit_code, status);
	EXPECT(e->exit_signal == SIGCHLD, "EXIT exit_signal %u, want SIGCHLD (%d)",
	       e->exit_signal, SIGCHLD);
	EXPECT(e->parent_pid == getpid() && e->parent_tgid == getpid(),
	       "EXIT parent %d/%d, want %d/%d", e->parent_pid, e->parent_tgid, (int)getpid(),
	       (int)getpid());
	EXPECT(proccn_event_is_thread(&lh->rec.ev[i]) == 0, "a process EXIT is not a thread");
	EXPECT(live_count(lh, PROCCN_EV_EXIT, child) == 1, "EXIT of %d seen %zu times",
	       (int)child, live_count(lh, PROCCN_EV_EXIT, child));
	return i;
}

int main(int argc, char **argv)
{
	struct live_handle lh;
	struct proccn_exit_status ds;
	struct proccn_stats st;
	const char *truep;
	long fi, ei, xi;
	pid_t child;
	int status;

	live_init(argc, argv, "live-events", false);
	truep = live_true_path();
	live_open(&lh, "all", 0, 0);
	check_mode(&lh);

	/* fork + exit(3) */
	printf("--- fork, exit(3)\n");
	child = live_spawn(do_exit3, NULL);
	live_watch(&lh, child);
	status = live_reap(child);
	REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 3, "child status %#x", status);
	EXPECT(live_wait(&lh, PROCCN_EV_EXIT, child, LIVE_DEADLINE_MS) >= 0,
	       "EXIT of %d within %d ms", (int)child, LIVE_DEADLINE_MS);
	check_fork(&lh, child, &fi);
	ei = check_exit(&lh, child, status);
	EXPECT(fi < 0 || ei < 0 || fi < ei, "FORK (#%ld) must come before EXIT (#%ld)", fi, ei);
	if (ei >= 0) {
		EXPECT(lh.rec.ev[ei].exit.exit_code == 0x300, "exit(3) is status 0x300, got %#x",
		       lh.rec.ev[ei].exit.exit_code);
		memset(&ds, 0xa5, sizeof(ds));
		proccn_decode_exit(lh.rec.ev[ei].exit.exit_code, &ds);
		EXPECT(ds.exited == 1 && ds.code == 3 && ds.signaled == 0 && ds.core_dumped == 0,
		       "decode(%#x): exited %d code %d signaled %d signal %d core %d; want exited, 3",
		       lh.rec.ev[ei].exit.exit_code, ds.exited, ds.code, ds.signaled, ds.signal,
		       ds.core_dumped);
	}
	EXPECT(live_count(&lh, PROCCN_EV_EXEC, child) == 0, "no EXEC for a child that did not exec");
	EXPECT(live_count(&lh, PROCCN_EV_COREDUMP, child) == 0, "no COREDUMP for exit(3)");

	/* fork + execve(/bin/true) */
	printf("--- fork, execve(%s)\n", truep);
	child = live_spawn(live_exec_path, (void *)truep);
	live_watch(&lh, child);
	status = live_reap(child);
	REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0, "true: status %#x", status);
	EXPECT(live_wait(&lh, PROCCN_EV_EXIT, child, LIVE_DEADLINE_MS) >= 0,
	       "EXIT of %d within %d ms", (int)child, LIVE_DEADLINE_MS);
	check_fork(&lh, child, &fi);
	xi = live_find(&lh, PROCCN_EV_EXEC, child, 0);
	EXPECT(xi >= 0, "EXEC of %d not seen", (int)child);
	if (xi >= 0) {
		EXPECT(lh.rec.ev[xi].exec.pid == child && lh.rec.ev[xi].exec.tgid == child,
		       "EXEC pid %d/%d, want %d/%d", lh.rec.ev[xi].exec.pid,
		       lh.rec.ev[xi].exec.tgid, (int)child, (int)child);
		EXPECT(live_count(&lh, PROCCN_EV_EXEC, child) == 1, "one EXEC, seen %zu",
		       live_count(&lh, PROCCN_EV_EXEC, child));
	}
	ei = check_exit(&lh, child, status);
	EXPECT(fi < 0 || xi < 0 || fi < xi, "FORK (#%ld) before EXEC (#%ld)", fi, xi);
	EXPECT(xi < 0 || ei < 0 || xi < ei, "EXEC (#%ld) before EXIT (#%ld)", xi, ei);
	if (ei >= 0) {
		proccn_decode_exit(lh.rec.ev[ei].exit.exit_code, &ds);
		EXPECT(ds.exited == 1 && ds.code == 0 && ds.signaled == 0,
		       "decode(%#x): exited %d code %d signaled %d", lh.rec.ev[ei].exit.exit_code,
		       ds.exited, ds.code, ds.signaled);
	}

	/* SIGKILL */
	printf("--- SIGKILL\n");
	child = live_spawn(do_sleep, NULL);
	live_watch(&lh, child);
	/* Wait for its FORK first: the kill must hit a running child. */
	EXPECT(live_wait(&lh, PROCCN_EV_FORK, child, LIVE_DEADLINE_MS) >= 0, "FORK of %d",
	       (int)child);
	REQUIRE(kill(child, SIGKILL) == 0, "kill: %s", strerror(errno));
	status = live_reap(child);
	REQUIRE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x", status);
	EXPECT(live_wait(&lh, PROCCN_EV_EXIT, child, LIVE_DEADLINE_MS) >= 0,
	       "EXIT of %d within %d ms", (int)child, LIVE_DEADLINE_MS);
	ei = check_exit(&lh, child, status);
	if (ei >= 0) {
		EXPECT(lh.rec.ev[ei].exit.exit_code == SIGKILL, "SIGKILL is status 9, got %#x",
		       lh.rec.ev[ei].exit.exit_code);
		memset(&ds, 0xa5, sizeof(ds));
		proccn_decode_exit(lh.rec.ev[ei].exit.exit_code, &ds);
		EXPECT(ds.exited == 0 && ds.signaled == 1 && ds.signal == SIGKILL &&
		       ds.core_dumped == 0,
		       "decode(%#x): exited %d signaled %d signal %d core %d; want signaled, 9",
		       lh.rec.ev[ei].exit.exit_code, ds.exited, ds.signaled, ds.signal,
		       ds.core_dumped);
	}
	EXPECT(live_count(&lh, PROCCN_EV_COREDUMP, child) == 0, "SIGKILL never dumps core");

	/* Statistics: at least our 8 events went through this handle. */
	memset(&st, 0, sizeof(st));
	st.sz = sizeof(st);
	EXPECT(proccn_get_stats(lh.h, &st) == 0, "proccn_get_stats");
	EXPECT(st.delivered >= lh.rec.n, "delivered %llu < %zu recorded",
	       (unsigned long long)st.delivered, lh.rec.n);
	if (!(live_extra_flags & PROCCN_F_FORCE_LEGACY) && live_kernel_at_least(6, 6))
		EXPECT(st.lost_exact == 1, "mask ALL, kernel filter: lost_exact %d, want 1",
		       st.lost_exact);
	live_close(&lh);
	return live_finish();
}
