/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An unprivileged process (uid/gid 65534, no supplementary groups, no
 * capabilities) subscribes and sees its own child's exit: Linux 6.6 allows
 * it. Before 6.6 proccn_open() must say -EPERM. Run as root, the test drops
 * privileges in a child; run as another user, it checks as that user.
 */
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "live.h"

#define NOBODY 65534

static void do_exit5(void *arg)
{
	(void)arg;
	_exit(5);
}

static int unprivileged(void *arg)
{
	struct proccn_probe p;
	struct live_handle all, ex;
	pid_t child;
	int status, mode;
	long i;

	(void)arg;
	if (geteuid() == 0) {
		if (setgroups(0, NULL) != 0 || setresgid(NOBODY, NOBODY, NOBODY) != 0 ||
		    setresuid(NOBODY, NOBODY, NOBODY) != 0) {
			printf("FAIL: dropping to %d: %s\n", NOBODY, strerror(errno));
			return 1;
		}
		/* A credential change clears the parent-death signal. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	}
	printf("running as uid %d euid %d gid %d\n", (int)getuid(), (int)geteuid(), (int)getgid());
	if (!live_kernel_at_least(6, 6)) {
		struct proccn *h = NULL;
		int r = proccn_open(&h, NULL);

		EXPECT(r == -EPERM, "non-root before Linux 6.6: proccn_open = %d, want -EPERM", r);
		if (h)
			proccn_close(h);
		return 0;
	}

	live_open(&all, "unprivileged all", 0, 0);
	live_open(&ex, "unprivileged exit", PROCCN_EV_EXIT, 0);
	mode = proccn_mode(all.h);
	if (live_extra_flags & PROCCN_F_FORCE_LEGACY)
		EXPECT(mode == PROCCN_MODE_LEGACY, "forced legacy: mode %d", mode);
	else
		EXPECT(mode == PROCCN_MODE_KERNEL_FILTER, "mode %d, want KERNEL_FILTER", mode);

	child = live_spawn(do_exit5, NULL);
	live_watch(&all, child);
	live_watch(&ex, child);
	status = live_reap(child);
	REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 5, "status %#x", status);
	i = live_wait(&all, PROCCN_EV_EXIT, child, LIVE_DEADLINE_MS);
	EXPECT(i >= 0, "[all] EXIT of own child %d within %d ms", (int)child, LIVE_DEADLINE_MS);
	EXPECT(i < 0 || (all.rec.ev[i].exit.exit_code == 0x500 &&
			 all.rec.ev[i].exit.parent_pid == getpid()),
	       "[all] EXIT code 0x500, parent %d", (int)getpid());
	EXPECT(live_count(&all, PROCCN_EV_FORK, child) == 1, "[all] FORK of %d", (int)child);
	i = live_wait(&ex, PROCCN_EV_EXIT, child, LIVE_DEADLINE_MS);
	EXPECT(i >= 0, "[exit] EXIT of own child %d within %d ms", (int)child, LIVE_DEADLINE_MS);
	EXPECT(ex.rec.n == 1, "[exit] only the EXIT, recorded %zu", ex.rec.n);
	live_close(&ex);
	live_close(&all);

	if (!(live_extra_flags & PROCCN_F_FORCE_LEGACY)) {
		memset(&p, 0, sizeof(p));
		p.sz = sizeof(p);
		EXPECT(proccn_probe(&p) == 0, "proccn_probe");
		EXPECT(p.connector == 1 && p.proc_events == 1 && p.kernel_filter == 1 &&
		       p.subscribe_error == 0 && p.cap_net_admin == 0,
		       "probe as uid %d: connector %d proc_events %d kernel_filter %d "
		       "subscribe_error %d cap_net_admin %d", NOBODY, p.connector, p.proc_events,
		       p.kernel_filter, p.subscribe_error, p.cap_net_admin);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int r;

	live_init(argc, argv, "live-unpriv", false);
	r = live_run_child("unprivileged subscriber", unprivileged, NULL);
	if (r == LIVE_SKIP)
		live_skip("the unprivileged child skipped");
	return live_finish();
}
