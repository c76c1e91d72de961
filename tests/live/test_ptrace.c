/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * PTRACE events: PTRACE_ATTACH names this process as the tracer,
 * PTRACE_DETACH reports tracer 0. The tracee is our own child, blocked on a
 * pipe until we close it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "live.h"

static int gate[2];

static void do_wait_gate(void *arg)
{
	char c;

	(void)arg;
	close(gate[1]);
	/* The ptrace stop may interrupt read(): go on until EOF. */
	while (read(gate[0], &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

int main(int argc, char **argv)
{
	struct live_handle lh;
	long ai, di, ei;
	pid_t child;
	int status;

	live_init(argc, argv, "live-ptrace", false);
	live_open(&lh, "all", 0, 0);
	REQUIRE(pipe2(gate, O_CLOEXEC) == 0, "pipe2: %s", strerror(errno));
	child = live_spawn(do_wait_gate, NULL);
	close(gate[0]);
	live_watch(&lh, child);

	if (ptrace(PTRACE_ATTACH, child, NULL, NULL) != 0) {
		int e = errno;

		kill(child, SIGKILL);
		live_reap(child);
		if (e == EPERM)
			live_skip("PTRACE_ATTACH to our own child: EPERM (Yama or LSM policy)");
		REQUIRE(0, "PTRACE_ATTACH(%d): %s", (int)child, strerror(e));
	}
	REQUIRE(waitpid(child, &status, __WALL) == child && WIFSTOPPED(status),
		"waitpid after attach: status %#x (%s)", status, strerror(errno));
	REQUIRE(ptrace(PTRACE_DETACH, child, NULL, NULL) == 0, "PTRACE_DETACH: %s",
		strerror(errno));
	close(gate[1]);
	status = live_reap(child);
	REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
	EXPECT(live_wait(&lh, PROCCN_EV_EXIT, child, LIVE_DEADLINE_MS) >= 0,
	       "EXIT of %d within %d ms", (int)child, LIVE_DEADLINE_MS);

	ai = live_find(&lh, PROCCN_EV_PTRACE, child, 0);
	EXPECT(ai >= 0, "PTRACE (attach) of %d not seen", (int)child);
	if (ai >= 0) {
		const struct proccn_ptrace *p = &lh.rec.ev[ai].ptrace;

		EXPECT(p->pid == child && p->tgid == child, "PTRACE pid %d/%d", p->pid, p->tgid);
		EXPECT(p->tracer_pid == getpid() && p->tracer_tgid == getpid(),
		       "attach: tracer %d/%d, want %d/%d", p->tracer_pid, p->tracer_tgid,
		       (int)getpid(), (int)getpid());
	}
	di = live_find(&lh, PROCCN_EV_PTRACE, child, ai < 0 ? 0 : (size_t)ai + 1);
	EXPECT(di >= 0, "PTRACE (detach) of %d not seen", (int)child);
	if (di >= 0) {
		const struct proccn_ptrace *p = &lh.rec.ev[di].ptrace;

		EXPECT(p->pid == child && p->tgid == child, "PTRACE pid %d/%d", p->pid, p->tgid);
		EXPECT(p->tracer_pid == 0 && p->tracer_tgid == 0, "detach: tracer %d/%d, want 0/0",
		       p->tracer_pid, p->tracer_tgid);
	}
	EXPECT(live_count(&lh, PROCCN_EV_PTRACE, child) == 2, "two PTRACE events, seen %zu",
	       live_count(&lh, PROCCN_EV_PTRACE, child));
	ei = live_find(&lh, PROCCN_EV_EXIT, child, 0);
	EXPECT(ai < di && di < ei, "order attach #%ld < detach #%ld < EXIT #%ld", ai, di, ei);
	live_close(&lh);
	return live_finish();
}
