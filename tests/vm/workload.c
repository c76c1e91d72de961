/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The VM checker's workloads: a fixed sequence of children, each waited for
 * before the next, so that the events of one task come in a fixed order.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "event.h"
#include "vm.h"

#define TEST_UID 1234u
#define TEST_GID 1235u
#define COMM_NAME "pcn-comm"

/* Children of one workload run, in the order they are created. */
enum step {
	STEP_EXIT0,     /* exit(0) */
	STEP_EXIT3,     /* exit(3) */
	STEP_KILL,      /* killed by SIGKILL */
	STEP_EXEC,      /* execs this program, which exits 0 */
	STEP_COMM,      /* prctl(PR_SET_NAME) */
	STEP_SID,       /* setsid() */
	STEP_IDS,       /* setresgid() + setresuid() as root */
	STEP_THREAD,    /* one thread, joined */
	STEP_PTRACE,    /* seized, interrupted and detached by the parent */
	NSTEPS
};

int wl_index(const struct workload *wl, pid_t tgid)
{
	int i;

	if (!wl || tgid <= 0)
		return -1;
	for (i = 0; i < wl->nchild; i++)
		if (wl->child[i] == tgid)
			return i;
	return -1;
}

int wl_concerns(const struct workload *wl, const union proccn_event *ev)
{
	return wl_index(wl, event_tgid(ev)) >= 0;
}

static void *thread_main(void *arg)
{
	return arg;
}

/* Child side of each step; never returns. Codes >= 100 mean "setup failed". */
static void __attribute__((noreturn)) child_step(enum step s, int rd)
{
	char c;
	pthread_t t;

	switch (s) {
	case STEP_EXIT0:
		_exit(0);
	case STEP_EXIT3:
		_exit(3);
	case STEP_KILL:
	case STEP_PTRACE:
		/* block until the parent closes the pipe (or kills us) */
		while (read(rd, &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	case STEP_EXEC:
		/* /init has no /bin/true next to it: exec ourselves instead */
		execl("/proc/self/exe", "legacy_check", "--exec-child", (char *)NULL);
		_exit(120);
	case STEP_COMM:
		_exit(prctl(PR_SET_NAME, COMM_NAME, 0, 0, 0) == 0 ? 0 : 121);
	case STEP_SID:
		_exit(setsid() >= 0 ? 0 : 122);
	case STEP_IDS:
		if (setresgid(TEST_GID, TEST_GID, TEST_GID) < 0)
			_exit(123);
		_exit(setresuid(TEST_UID, TEST_UID, TEST_UID) == 0 ? 0 : 123);
	case STEP_THREAD:
		if (pthread_create(&t, NULL, thread_main, NULL) != 0 || pthread_join(t, NULL) != 0)
			_exit(124);
		_exit(0);
	default:
		_exit(125);
	}
}

static int wait_status(pid_t pid, int *st)
{
	while (waitpid(pid, st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/* Parent side of the ptrace step: SEIZE (attach event), stop, DETACH (detach event). */
static int drive_ptrace(pid_t pid, char *err, size_t errlen)
{
	int st;

	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0) {
		snprintf(err, errlen, "PTRACE_SEIZE: %s", strerror(errno));
		return -1;
	}
	if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) < 0) {
		snprintf(err, errlen, "PTRACE_INTERRUPT: %s", strerror(errno));
		return -1;
	}
	/* DETACH needs the tracee in a ptrace-stop */
	if (wait_status(pid, &st) < 0 || !WIFSTOPPED(st)) {
		snprintf(err, errlen, "ptrace stop not reached (status 0x%x)", st);
		return -1;
	}
	if (ptrace(PTRACE_DETACH, pid, NULL, NULL) < 0) {
		snprintf(err, errlen, "PTRACE_DETACH: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * run_workload - every step forks one child and waits for it before the next,
 * so the per-task event order is fixed. Returns 0, or -1 with @err set.
 */
int run_workload(struct workload *wl, char *err, size_t errlen)
{
	int s;

	memset(wl, 0, sizeof(*wl));
	wl->self = getpid();
	for (s = 0; s < NSTEPS; s++) {
		int p[2] = { -1, -1 }, st = 0, want_sig = 0, want_code = 0, r = 0;
		pid_t pid;

		if ((s == STEP_KILL || s == STEP_PTRACE) && pipe2(p, O_CLOEXEC) < 0) {
			snprintf(err, errlen, "pipe: %s", strerror(errno));
			return -1;
		}
		fflush(stdout);
		pid = fork();
		if (pid < 0) {
			snprintf(err, errlen, "fork: %s", strerror(errno));
			return -1;
		}
		if (pid == 0) {
			if (p[1] >= 0)
				close(p[1]);
			child_step((enum step)s, p[0]);
		}
		wl->child[wl->nchild++] = pid;
		if (p[0] >= 0)
			close(p[0]);
		if (s == STEP_KILL) {
			kill(pid, SIGKILL);
			want_sig = SIGKILL;
		} else if (s == STEP_EXIT3) {
			want_code = 3;
		} else if (s == STEP_PTRACE) {
			r = drive_ptrace(pid, err, errlen);
			if (r < 0)
				kill(pid, SIGKILL);
		}
		if (p[1] >= 0)
			close(p[1]);
		if (wait_status(pid, &st) < 0) {
			snprintf(err, errlen, "waitpid: %s", strerror(errno));
			return -1;
		}
		if (r < 0)
			return -1;
		if (want_sig ? !(WIFSIGNALED(st) && WTERMSIG(st) == want_sig)
			     : !(WIFEXITED(st) && WEXITSTATUS(st) == want_code)) {
			snprintf(err, errlen, "step %d: child status 0x%x", s, st);
			return -1;
		}
	}
	return 0;
}

/* A smaller workload: @n children that exit with @code. */
int run_exits(struct workload *wl, int n, int code, char *err, size_t errlen)
{
	int i, st;

	memset(wl, 0, sizeof(*wl));
	wl->self = getpid();
	for (i = 0; i < n && i < MAX_CHILDREN; i++) {
		pid_t pid;

		fflush(stdout);
		pid = fork();
		if (pid < 0) {
			snprintf(err, errlen, "fork: %s", strerror(errno));
			return -1;
		}
		if (pid == 0)
			_exit(code);
		wl->child[wl->nchild++] = pid;
		if (wait_status(pid, &st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != code) {
			snprintf(err, errlen, "child status 0x%x", st);
			return -1;
		}
	}
	return 0;
}
