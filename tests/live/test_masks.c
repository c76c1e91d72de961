/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Event masks: EXIT only; NONZERO_EXIT only; FORK|EXEC; ALL (0 and explicit);
 * proccn_set_events() at run time. Run with --legacy and --no-bpf too: the
 * observable events must be the same whichever side filters.
 *
 * "Not seen" is only meaningful once a later event that the mask does pass
 * has arrived (one socket, events in the order the kernel made them): every
 * negative check waits for such a sentinel first. Besides, the recorder
 * fails the test on any delivered event outside the mask, whoever it is about.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "live.h"

static const char *truep;

static void do_exit_code(void *arg)
{
	_exit((int)(intptr_t)arg);
}

static void do_sleep(void *arg)
{
	(void)arg;
	for (;;)
		pause();
}

static bool legacy(void)
{
	return live_extra_flags & PROCCN_F_FORCE_LEGACY;
}

static void check_mode_and_mask(struct live_handle *lh, uint32_t want_mask)
{
	int mode = proccn_mode(lh->h);

	if (legacy())
		EXPECT(mode == PROCCN_MODE_LEGACY, "[%s] forced legacy: mode %d", lh->name, mode);
	else if (live_kernel_at_least(6, 6))
		EXPECT(mode == PROCCN_MODE_KERNEL_FILTER, "[%s] Linux >= 6.6: mode %d, want %d",
		       lh->name, mode, PROCCN_MODE_KERNEL_FILTER);
	EXPECT(proccn_get_events(lh->h) == want_mask, "[%s] proccn_get_events %#x, want %#x",
	       lh->name, proccn_get_events(lh->h), want_mask);
}

/* Statistics that depend on who filters. */
static void check_filter_stats(struct live_handle *lh, bool narrow)
{
	struct proccn_stats st;

	memset(&st, 0, sizeof(st));
	st.sz = sizeof(st);
	REQUIRE(proccn_get_stats(lh->h, &st) == 0, "proccn_get_stats");
	if (!legacy() && live_kernel_at_least(6, 6))
		EXPECT(st.lost_exact == (narrow ? 0 : 1),
		       "[%s] kernel filter: lost_exact %d, want %d (1 only for mask ALL)", lh->name,
		       st.lost_exact, narrow ? 0 : 1);
	/* Legacy without a socket filter: the kernel sends everything, so the
	 * FORK/EXEC events of our own workload must have been filtered here. */
	if (legacy() && (live_extra_flags & PROCCN_F_NO_SOCKET_FILTER) && narrow)
		EXPECT(st.filtered > 0, "[%s] legacy, no socket filter: stats.filtered is 0",
		       lh->name);
	if (!narrow)
		EXPECT(st.filtered == 0, "[%s] mask ALL: stats.filtered %llu", lh->name,
		       (unsigned long long)st.filtered);
}

static pid_t run(struct live_handle *lh, void (*fn)(void *), void *arg, int *status)
{
	pid_t child = live_spawn(fn, arg);

	live_watch(lh, child);
	*status = live_reap(child);
	return child;
}

static void case_exit_only(void)
{
	struct live_handle lh;
	pid_t child;
	int status;
	long i;

	printf("--- mask EXIT\n");
	live_open(&lh, "exit", PROCCN_EV_EXIT, 0);
	check_mode_and_mask(&lh, PROCCN_EV_EXIT);
	child = run(&lh, live_exec_path, (void *)truep, &status);
	REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	i = live_wait(&lh, PROCCN_EV_EXIT, child, LIVE_DEADLINE_MS);
	EXPECT(i >= 0, "EXIT of %d within %d ms", (int)child, LIVE_DEADLINE_MS);
	EXPECT(i < 0 || lh.rec.ev[i].exit.exit_code == 0, "exit code 0");
	/* EXIT is the child's last event: FORK and EXEC would be in by now. */
	EXPECT(lh.rec.n == 1, "only the EXIT of %d, recorded %zu event(s)", (int)child,
	       lh.rec.n);
	check_filter_stats(&lh, true);
	live_close(&lh);
}

static void case_nonzero_exit(void)
{
	struct live_handle lh;
	pid_t zero, three, killed;
	int status;
	long i;

	printf("--- mask NONZERO_EXIT\n");
	live_open(&lh, "nonzero-exit", PROCCN_EV_NONZERO_EXIT, 0);
	check_mode_and_mask(&lh, PROCCN_EV_NONZERO_EXIT);
	zero = run(&lh, do_exit_code, (void *)(intptr_t)0, &status);
	REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	three = run(&lh, do_exit_code, (void *)(intptr_t)3, &status);
	REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 3, "status %#x", status);
	killed = live_spawn(do_sleep, NULL);
	live_watch(&lh, killed);
	kill(killed, SIGKILL);
	status = live_reap(killed);
	REQUIRE(WIFSIGNALED(status), "status %#x", status);

	/* The SIGKILLed child was the last to exit: it is the sentinel. */
	i = live_wait(&lh, PROCCN_EV_EXIT, killed, LIVE_DEADLINE_MS);
	EXPECT(i >= 0, "EXIT of SIGKILLed %d within %d ms", (int)killed, LIVE_DEADLINE_MS);
	EXPECT(i < 0 || lh.rec.ev[i].exit.exit_code == SIGKILL, "SIGKILL exit code %#x",
	       i < 0 ? 0 : lh.rec.ev[i].exit.exit_code);
	i = live_find(&lh, PROCCN_EV_EXIT, three, 0);
	EXPECT(i >= 0, "EXIT of %d (exit 3) not seen", (int)three);
	EXPECT(i < 0 || lh.rec.ev[i].exit.exit_code == 0x300, "exit 3 code %#x",
	       i < 0 ? 0 : lh.rec.ev[i].exit.exit_code);
	EXPECT(live_count(&lh, PROCCN_EV_EXIT, zero) == 0, "EXIT of %d (exit 0) must be unseen",
	       (int)zero);
	EXPECT(lh.rec.n == 2, "exactly 2 events recorded, got %zu", lh.rec.n);
	check_filter_stats(&lh, true);
	live_close(&lh);
}

static void case_fork_exec(void)
{
	struct live_handle lh;
	pid_t child, sentinel;
	int status;

	printf("--- mask FORK|EXEC\n");
	live_open(&lh, "fork|exec", PROCCN_EV_FORK | PROCCN_EV_EXEC, 0);
	check_mode_and_mask(&lh, PROCCN_EV_FORK | PROCCN_EV_EXEC);
	child = run(&lh, live_exec_path, (void *)truep, &status);
	REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	/* The child is reaped, so a FORK made now comes after its EXIT. */
	sentinel = run(&lh, do_exit_code, (void *)(intptr_t)0, &status);
	EXPECT(live_wait(&lh, PROCCN_EV_FORK, sentinel, LIVE_DEADLINE_MS) >= 0,
	       "FORK of sentinel %d within %d ms", (int)sentinel, LIVE_DEADLINE_MS);
	EXPECT(live_count(&lh, PROCCN_EV_FORK, child) == 1, "FORK of %d seen %zu times",
	       (int)child, live_count(&lh, PROCCN_EV_FORK, child));
	EXPECT(live_count(&lh, PROCCN_EV_EXEC, child) == 1, "EXEC of %d seen %zu times",
	       (int)child, live_count(&lh, PROCCN_EV_EXEC, child));
	EXPECT(live_count(&lh, PROCCN_EV_EXIT, child) == 0, "EXIT of %d must be unseen",
	       (int)child);
	EXPECT(lh.rec.n == 3, "exactly FORK, EXEC, FORK recorded, got %zu", lh.rec.n);
	check_filter_stats(&lh, true);
	live_close(&lh);
}

static void case_all(uint32_t mask)
{
	struct live_handle lh;
	pid_t child;
	int status;

	printf("--- mask %#x (ALL)\n", mask);
	live_open(&lh, mask ? "ALL" : "0", mask, 0);
	check_mode_and_mask(&lh, PROCCN_EV_ALL);
	child = run(&lh, live_exec_path, (void *)truep, &status);
	EXPECT(live_wait(&lh, PROCCN_EV_EXIT, child, LIVE_DEADLINE_MS) >= 0,
	       "EXIT of %d within %d ms", (int)child, LIVE_DEADLINE_MS);
	EXPECT(live_count(&lh, PROCCN_EV_FORK, child) == 1 &&
	       live_count(&lh, PROCCN_EV_EXEC, child) == 1 &&
	       live_count(&lh, PROCCN_EV_EXIT, child) == 1,
	       "FORK, EXEC, EXIT once each: %zu %zu %zu", live_count(&lh, PROCCN_EV_FORK, child),
	       live_count(&lh, PROCCN_EV_EXEC, child), live_count(&lh, PROCCN_EV_EXIT, child));
	check_filter_stats(&lh, false);
	live_close(&lh);
}

static void case_runtime_change(void)
{
	struct live_handle lh;
	pid_t c1, c2, c3, c4, c5;
	int status, r;

	printf("--- proccn_set_events at run time\n");
	live_open(&lh, "runtime", PROCCN_EV_EXIT, 0);
	check_mode_and_mask(&lh, PROCCN_EV_EXIT);

	/* EXIT: the exit, not the fork. */
	c1 = run(&lh, do_exit_code, (void *)(intptr_t)3, &status);
	EXPECT(live_wait(&lh, PROCCN_EV_EXIT, c1, LIVE_DEADLINE_MS) >= 0, "[EXIT] EXIT of %d",
	       (int)c1);
	EXPECT(live_count(&lh, PROCCN_EV_FORK, c1) == 0, "[EXIT] FORK of %d must be unseen",
	       (int)c1);

	/* FORK: the fork, not the exit (the next fork is the sentinel). */
	r = proccn_set_events(lh.h, PROCCN_EV_FORK);
	EXPECT(r == 0, "proccn_set_events(FORK) = %d", r);
	lh.mask = PROCCN_EV_FORK;
	check_mode_and_mask(&lh, PROCCN_EV_FORK);
	c2 = run(&lh, do_exit_code, (void *)(intptr_t)3, &status);
	c3 = run(&lh, do_exit_code, (void *)(intptr_t)0, &status);
	EXPECT(live_wait(&lh, PROCCN_EV_FORK, c3, LIVE_DEADLINE_MS) >= 0, "[FORK] FORK of %d",
	       (int)c3);
	EXPECT(live_count(&lh, PROCCN_EV_FORK, c2) == 1, "[FORK] FORK of %d seen", (int)c2);
	EXPECT(live_count(&lh, PROCCN_EV_EXIT, c2) == 0, "[FORK] EXIT of %d must be unseen",
	       (int)c2);

	/* Bits outside ALL: refused, the mask stays. */
	r = proccn_set_events(lh.h, 0x00000008u);
	EXPECT(r == -EINVAL, "proccn_set_events(0x8) = %d, want -EINVAL", r);
	EXPECT(proccn_get_events(lh.h) == PROCCN_EV_FORK, "mask after a refused change: %#x",
	       proccn_get_events(lh.h));

	/* FORK|EXIT */
	r = proccn_set_events(lh.h, PROCCN_EV_FORK | PROCCN_EV_EXIT);
	EXPECT(r == 0, "proccn_set_events(FORK|EXIT) = %d", r);
	lh.mask = PROCCN_EV_FORK | PROCCN_EV_EXIT;
	check_mode_and_mask(&lh, PROCCN_EV_FORK | PROCCN_EV_EXIT);
	c4 = run(&lh, live_exec_path, (void *)truep, &status);
	EXPECT(live_wait(&lh, PROCCN_EV_EXIT, c4, LIVE_DEADLINE_MS) >= 0,
	       "[FORK|EXIT] EXIT of %d", (int)c4);
	EXPECT(live_count(&lh, PROCCN_EV_FORK, c4) == 1, "[FORK|EXIT] FORK of %d", (int)c4);
	EXPECT(live_count(&lh, PROCCN_EV_EXEC, c4) == 0, "[FORK|EXIT] EXEC of %d must be unseen",
	       (int)c4);

	/* 0 = ALL */
	r = proccn_set_events(lh.h, 0);
	EXPECT(r == 0, "proccn_set_events(0) = %d", r);
	lh.mask = 0;
	check_mode_and_mask(&lh, PROCCN_EV_ALL);
	c5 = run(&lh, live_exec_path, (void *)truep, &status);
	EXPECT(live_wait(&lh, PROCCN_EV_EXIT, c5, LIVE_DEADLINE_MS) >= 0, "[ALL] EXIT of %d",
	       (int)c5);
	EXPECT(live_count(&lh, PROCCN_EV_EXEC, c5) == 1, "[ALL] EXEC of %d", (int)c5);
	EXPECT(live_count(&lh, PROCCN_EV_FORK, c5) == 1, "[ALL] FORK of %d", (int)c5);
	live_close(&lh);
}

int main(int argc, char **argv)
{
	struct proccn_opts o = PROCCN_OPTS_INIT;
	struct proccn *h = NULL;
	int r;

	live_init(argc, argv, "live-masks", false);
	truep = live_true_path();

	o.events = 0x00000008u;  /* not a kind */
	o.flags = live_extra_flags;
	r = proccn_open(&h, &o);
	EXPECT(r == -EINVAL && h == NULL, "proccn_open(mask 0x8) = %d, want -EINVAL", r);
	if (h)
		proccn_close(h);

	case_exit_only();
	case_nonzero_exit();
	case_fork_exec();
	case_all(0);
	case_all(PROCCN_EV_ALL);
	case_runtime_change();
	return live_finish();
}
