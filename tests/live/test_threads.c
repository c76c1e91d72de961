/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Threads: a pthread's FORK and EXIT carry pid != tgid (the tid and the
 * process), its EXIT has exit_signal UINT32_MAX, and its FORK names the
 * process's parent as parent (measured). A second handle with
 * PROCCN_F_PROCESSES_ONLY, open at the same time, sees the process's FORK
 * and EXIT but none of the thread's events (and no thread event of anyone).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "live.h"

static int tid_pipe[2];

static void *thread_fn(void *arg)
{
	pid_t tid = gettid();

	(void)arg;
	if (write(tid_pipe[1], &tid, sizeof(tid)) != sizeof(tid))
		_exit(20);
	return NULL;
}

static void do_thread(void *arg)
{
	pthread_t t;

	(void)arg;
	if (pthread_create(&t, NULL, thread_fn, NULL) != 0)
		_exit(21);
	if (pthread_join(t, NULL) != 0)
		_exit(22);
	_exit(0);
}

int main(int argc, char **argv)
{
	struct live_handle all, procs;
	long fi, ei, pfi, pei;
	pid_t child, tid = 0;
	int status;

	live_init(argc, argv, "live-threads", false);
	live_open(&all, "all", 0, 0);
	live_open(&procs, "processes-only", 0, PROCCN_F_PROCESSES_ONLY);
	REQUIRE(pipe2(tid_pipe, O_CLOEXEC) == 0, "pipe2: %s", strerror(errno));

	child = live_spawn(do_thread, NULL);
	live_watch(&all, child);
	live_watch(&procs, child);
	status = live_reap(child);
	REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
	REQUIRE(read(tid_pipe[0], &tid, sizeof(tid)) == sizeof(tid), "thread id from the child");
	REQUIRE(tid > 0 && tid != child, "thread id %d", (int)tid);
	printf("process %d, thread %d\n", (int)child, (int)tid);
	EXPECT(live_wait(&all, PROCCN_EV_EXIT, child, LIVE_DEADLINE_MS) >= 0,
	       "[all] EXIT of %d within %d ms", (int)child, LIVE_DEADLINE_MS);
	EXPECT(live_wait(&procs, PROCCN_EV_EXIT, child, LIVE_DEADLINE_MS) >= 0,
	       "[processes-only] EXIT of %d within %d ms", (int)child, LIVE_DEADLINE_MS);

	/* The thread, seen by the handle with every event. */
	fi = live_find(&all, PROCCN_EV_FORK, tid, 0);
	EXPECT(fi >= 0, "[all] FORK of thread %d not seen", (int)tid);
	if (fi >= 0) {
		const struct proccn_fork *f = &all.rec.ev[fi].fork;

		EXPECT(f->child_pid == tid && f->child_tgid == child,
		       "thread FORK child %d/%d, want %d/%d", f->child_pid, f->child_tgid,
		       (int)tid, (int)child);
		EXPECT(f->parent_pid == getpid() && f->parent_tgid == getpid(),
		       "thread FORK parent %d/%d, want the process's parent %d", f->parent_pid,
		       f->parent_tgid, (int)getpid());
		EXPECT(proccn_event_is_thread(&all.rec.ev[fi]) == 1, "thread FORK is_thread");
	}
	ei = live_find(&all, PROCCN_EV_EXIT, tid, 0);
	EXPECT(ei >= 0, "[all] EXIT of thread %d not seen", (int)tid);
	if (ei >= 0) {
		const struct proccn_exit *e = &all.rec.ev[ei].exit;

		EXPECT(e->pid == tid && e->tgid == child, "thread EXIT pid %d/%d, want %d/%d",
		       e->pid, e->tgid, (int)tid, (int)child);
		EXPECT(e->exit_signal == UINT32_MAX, "thread EXIT exit_signal %#x, want UINT32_MAX",
		       e->exit_signal);
		EXPECT(e->exit_code == 0, "thread EXIT exit_code %#x", e->exit_code);
		EXPECT(proccn_event_is_thread(&all.rec.ev[ei]) == 1, "thread EXIT is_thread");
	}
	pfi = live_find(&all, PROCCN_EV_FORK, child, 0);
	pei = live_find(&all, PROCCN_EV_EXIT, child, 0);
	EXPECT(pfi >= 0 && pfi < fi && fi < ei && ei < pei,
	       "order: process FORK #%ld < thread FORK #%ld < thread EXIT #%ld < process EXIT #%ld",
	       pfi, fi, ei, pei);
	EXPECT(pei < 0 || all.rec.ev[pei].exit.tgid == child, "process EXIT tgid");
	EXPECT(live_count_threads(&all, child) == 2, "[all] 2 thread events, seen %zu",
	       live_count_threads(&all, child));

	/* The same run, without threads. */
	EXPECT(live_count_threads(&procs, child) == 0,
	       "[processes-only] %zu thread event(s) of %d delivered",
	       live_count_threads(&procs, child), (int)child);
	EXPECT(live_find(&procs, PROCCN_EV_FORK, child, 0) >= 0, "[processes-only] process FORK");
	EXPECT(live_find(&procs, PROCCN_EV_EXIT, child, 0) >= 0, "[processes-only] process EXIT");
	EXPECT(live_count(&procs, PROCCN_EV_FORK, tid) == 0 &&
	       live_count(&procs, PROCCN_EV_EXIT, tid) == 0, "[processes-only] thread %d hidden",
	       (int)tid);

	live_close(&procs);
	live_close(&all);
	return live_finish();
}
