/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What PROCCN_F_PROCESSES_ONLY means, live (issue 11): it hides the FORK and
 * EXIT events of threads other than the main one (pid != tgid), nothing more.
 * It does not turn EXIT into "the process ended":
 *  - the main thread calls pthread_exit() and a worker later dies of SIGSEGV:
 *    the main thread's EXIT (code 0) comes while the process lives on, the
 *    crash is a thread's EXIT and is hidden, so with NONZERO_EXIT the crash
 *    gives no event at all;
 *  - a thread other than the main one calls execve(): the kernel reports the
 *    old main thread's EXIT (code 0, pid == tgid), then the EXEC, while the
 *    process lives on with the new image.
 * The process table (proccn_table_*) gives true process-exit semantics.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "live.h"

static const char *truep;

static void case_leader_exit_then_crash(void)
{
	struct live_handle crashes, exits, all;
	long i;
	int status;
	pid_t child;

	printf("--- main thread exits, a worker crashes later\n");
	live_open(&crashes, "nonzero-exit, processes-only", PROCCN_EV_NONZERO_EXIT,
		  PROCCN_F_PROCESSES_ONLY);
	live_open(&exits, "exit, processes-only", PROCCN_EV_EXIT, PROCCN_F_PROCESSES_ONLY);
	live_open(&all, "all", 0, 0);
	child = live_spawn(live_leader_exits_worker_crashes, NULL);
	live_watch(&crashes, child);
	live_watch(&exits, child);
	live_watch(&all, child);
	status = live_reap(child);
	REQUIRE(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
		"the process must die of SIGSEGV: status %#x", status);

	/* the handle with every event sees the crash, as a thread's exit */
	i = live_wait(&all, PROCCN_EV_EXIT, child, LIVE_DEADLINE_MS);
	EXPECT(i >= 0, "[all] the main thread's EXIT");
	live_drain(&all, 200);
	/* a COREDUMP event comes before the EXIT even when no core is written */
	EXPECT(live_count_threads(&all, child) == 3,
	       "[all] the worker's FORK, COREDUMP and EXIT: %zu", live_count_threads(&all, child));
	for (i = 0; i < (long)all.rec.n; i++) {
		const struct proccn_exit *e = &all.rec.ev[i].exit;

		if (all.rec.ev[i].hdr.kind == PROCCN_EV_EXIT && e->tgid == child && e->pid != child)
			EXPECT((e->exit_code & 0x7f) == SIGSEGV,
			       "[all] the worker's EXIT carries SIGSEGV: %#x", e->exit_code);
	}

	/* EXIT and PROCESSES_ONLY: one EXIT, code 0, though the process died of SIGSEGV */
	i = live_wait(&exits, PROCCN_EV_EXIT, child, LIVE_DEADLINE_MS);
	EXPECT(i >= 0 && exits.rec.ev[i].exit.exit_code == 0,
	       "[exit, processes-only] the main thread's EXIT, code 0: %#x",
	       i >= 0 ? exits.rec.ev[i].exit.exit_code : 0);
	live_drain(&exits, 200);
	EXPECT(live_count(&exits, PROCCN_EV_EXIT, child) == 1 &&
	       live_count_threads(&exits, child) == 0,
	       "[exit, processes-only] only the main thread's EXIT");

	/* NONZERO_EXIT and PROCESSES_ONLY: the crash gives no event at all */
	live_drain(&crashes, 300);
	EXPECT(crashes.rec.n == 0, "[nonzero-exit, processes-only] %zu event(s) of %d: none "
	       "expected (the crash is a thread's exit)", crashes.rec.n, (int)child);
	live_close(&all);
	live_close(&exits);
	live_close(&crashes);
}

static void case_exec_from_worker(void)
{
	struct live_handle lh;
	long first_exit, exec, last_exit;
	int status;
	pid_t child;

	printf("--- a worker thread execs\n");
	live_open(&lh, "fork, exec, exit, processes-only",
		  PROCCN_EV_FORK | PROCCN_EV_EXEC | PROCCN_EV_EXIT, PROCCN_F_PROCESSES_ONLY);
	child = live_spawn(live_worker_execs, (void *)truep);
	live_watch(&lh, child);
	status = live_reap(child);
	REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0, "true's status %#x", status);
	EXPECT(live_wait(&lh, PROCCN_EV_EXEC, child, LIVE_DEADLINE_MS) >= 0, "EXEC of %d",
	       (int)child);
	live_drain(&lh, 200);
	first_exit = live_find(&lh, PROCCN_EV_EXIT, child, 0);
	exec = live_find(&lh, PROCCN_EV_EXEC, child, 0);
	last_exit = exec >= 0 ? live_find(&lh, PROCCN_EV_EXIT, child, (size_t)exec) : -1;
	EXPECT(first_exit >= 0 && exec > first_exit && last_exit > exec,
	       "EXIT (the old main thread), EXEC, EXIT (true): #%ld, #%ld, #%ld", first_exit,
	       exec, last_exit);
	if (first_exit >= 0)
		EXPECT(lh.rec.ev[first_exit].exit.pid == child &&
		       lh.rec.ev[first_exit].exit.exit_code == 0,
		       "the EXIT before the EXEC looks like the process's: pid %d code %#x",
		       lh.rec.ev[first_exit].exit.pid, lh.rec.ev[first_exit].exit.exit_code);
	EXPECT(live_count(&lh, PROCCN_EV_EXIT, child) == 2, "two EXITs of %d: %zu", (int)child,
	       live_count(&lh, PROCCN_EV_EXIT, child));
	live_close(&lh);
}

int main(int argc, char **argv)
{
	live_init(argc, argv, "live-processes-only", false);
	truep = live_true_path();
	case_leader_exit_then_crash();
	case_exec_from_worker();
	return live_finish();
}
