/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Deaths by SIGABRT (abort()) and SIGSEGV, with RLIMIT_CORE 0 and unlimited.
 *
 * Measured on Linux 6.18 (core_pattern "core"): a COREDUMP event comes before
 * the EXIT in all four cases, even with RLIMIT_CORE 0 where no core is written;
 * the EXIT's exit_code is exactly the wait(2) status, with 0x80 (core dumped)
 * set only when a core was written. The stable facts asserted here:
 *  - COREDUMP (pid, tgid, parent = this process) precedes EXIT, exactly once;
 *  - EXIT exit_code == the wait(2) status, decoded as signaled with the signal
 *    and with core_dumped == WCOREDUMP(status) (what the kernel reported);
 *  - with RLIMIT_CORE 0 and a core_pattern that is not a pipe: no core dumped;
 *  - unlimited, core_pattern a plain file name (no '/', no pipe), cwd an empty
 *    writable directory: core dumped.
 * The children run in a private temporary directory, removed afterwards.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "live.h"

static char tmpdir[] = "/tmp/proccn-live-core-XXXXXX";

struct crash {
	int sig;          /* SIGABRT via abort(), or SIGSEGV via raise() */
	bool unlimited;   /* RLIMIT_CORE */
};

static void do_crash(void *arg)
{
	const struct crash *c = arg;
	struct rlimit rl;

	rl.rlim_cur = rl.rlim_max = c->unlimited ? RLIM_INFINITY : 0;
	if (setrlimit(RLIMIT_CORE, &rl) != 0)
		_exit(101);
	if (chdir(tmpdir) != 0)
		_exit(102);
	/* Dumpable is inherited as 1 (not setuid); make it explicit. */
	prctl(PR_SET_DUMPABLE, 1);
	/* the default action, even where a sanitizer installed its own handler */
	signal(c->sig, SIG_DFL);
	if (c->sig == SIGABRT)
		abort();
	/* raise() instead of a real fault: no undefined behaviour, same path
	 * through the kernel's signal delivery and core dump code. */
	raise(c->sig);
	_exit(103);
}

static void clean_tmpdir(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

/* Also on a fatal failure (exit(1)): leave no core files behind. */
static void remove_tmpdir(void)
{
	clean_tmpdir();
	rmdir(tmpdir);
}

int main(int argc, char **argv)
{
	static const struct crash cases[] = {
		{ SIGABRT, false }, { SIGABRT, true }, { SIGSEGV, false }, { SIGSEGV, true },
	};
	char pattern[256] = "";
	bool pipe_pattern, plain_name;
	struct live_handle lh;
	FILE *f;

	live_init(argc, argv, "live-coredump", false);
	f = fopen("/proc/sys/kernel/core_pattern", "re");
	if (f) {
		if (!fgets(pattern, sizeof(pattern), f))
			pattern[0] = 0;
		fclose(f);
	}
	pattern[strcspn(pattern, "\n")] = 0;
	pipe_pattern = pattern[0] == '|';
	plain_name = pattern[0] && !pipe_pattern && !strchr(pattern, '/');
	printf("core_pattern \"%s\"\n", pattern);
	REQUIRE(mkdtemp(tmpdir) != NULL, "mkdtemp: %s", strerror(errno));
	atexit(remove_tmpdir);

	live_open(&lh, "all", 0, 0);
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct crash *c = &cases[k];
		struct proccn_exit_status ds;
		long ci, ei;
		pid_t child;
		int status;

		printf("--- %s, RLIMIT_CORE %s\n", c->sig == SIGABRT ? "abort()" : "SIGSEGV",
		       c->unlimited ? "unlimited" : "0");
		child = live_spawn(do_crash, (void *)c);
		live_watch(&lh, child);
		status = live_reap(child);
		clean_tmpdir();
		REQUIRE(WIFSIGNALED(status) && WTERMSIG(status) == c->sig,
			"child status %#x, want death by signal %d", status, c->sig);
		EXPECT(live_wait(&lh, PROCCN_EV_EXIT, child, LIVE_DEADLINE_MS) >= 0,
		       "EXIT of %d within %d ms", (int)child, LIVE_DEADLINE_MS);
		ci = live_find(&lh, PROCCN_EV_COREDUMP, child, 0);
		ei = live_find(&lh, PROCCN_EV_EXIT, child, 0);
		EXPECT(ci >= 0, "COREDUMP of %d not seen", (int)child);
		EXPECT(ci < 0 || ei < 0 || ci < ei, "COREDUMP (#%ld) must precede EXIT (#%ld)", ci,
		       ei);
		EXPECT(live_count(&lh, PROCCN_EV_COREDUMP, child) <= 1, "COREDUMP seen %zu times",
		       live_count(&lh, PROCCN_EV_COREDUMP, child));
		if (ci >= 0) {
			const struct proccn_coredump *d = &lh.rec.ev[ci].coredump;

			EXPECT(d->pid == child && d->tgid == child, "COREDUMP pid %d/%d, want %d",
			       d->pid, d->tgid, (int)child);
			EXPECT(d->parent_pid == getpid() && d->parent_tgid == getpid(),
			       "COREDUMP parent %d/%d, want %d", d->parent_pid, d->parent_tgid,
			       (int)getpid());
		}
		if (ei < 0)
			continue;
		const struct proccn_exit *e = &lh.rec.ev[ei].exit;

		EXPECT(e->exit_code == (uint32_t)status, "EXIT exit_code %#x, wait status %#x",
		       e->exit_code, status);
		EXPECT(e->exit_signal == SIGCHLD, "exit_signal %u", e->exit_signal);
		memset(&ds, 0xa5, sizeof(ds));
		proccn_decode_exit(e->exit_code, &ds);
		EXPECT(ds.exited == 0 && ds.signaled == 1 && ds.signal == c->sig,
		       "decode(%#x): exited %d signaled %d signal %d; want signaled %d",
		       e->exit_code, ds.exited, ds.signaled, ds.signal, c->sig);
		EXPECT(ds.core_dumped == (WCOREDUMP(status) ? 1 : 0),
		       "decode(%#x).core_dumped %d, but wait(2) says WCOREDUMP %d", e->exit_code,
		       ds.core_dumped, WCOREDUMP(status) ? 1 : 0);
		if (!c->unlimited && !pipe_pattern)
			EXPECT(ds.core_dumped == 0,
			       "RLIMIT_CORE 0, core_pattern not a pipe: no core, but flag set (%#x)",
			       e->exit_code);
		if (c->unlimited && plain_name)
			EXPECT(ds.core_dumped == 1,
			       "unlimited, core_pattern \"%s\" in a writable cwd: core dumped, "
			       "but flag clear (%#x)", pattern, e->exit_code);
		printf("    exit_code %#x core_dumped %d\n", e->exit_code, ds.core_dumped);
	}
	live_close(&lh);
	return live_finish();
}
