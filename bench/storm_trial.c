/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One trial of the storm: the generator (this process) forks the children,
 * each blocked reading one byte from a shared pipe; then the consumer, which
 * inherits their pids. Once the consumer says it is subscribed, the
 * generator releases the children - all at once by closing the pipe
 * (storm, exec), or one every gap by writing one byte (spaced) - and reaps
 * them (exec: only after the consumer's window, see await_exits()), then
 * tells the consumer it is done and collects its result. Only the
 * generator, its children and one consumer take part in a trial.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "storm.h"

#define READY_TIMEOUT_MS  15000
#define RESULT_TIMEOUT_MS 30000
#define REAP_TIMEOUT_MS   60000   /* after the last release */

int64_t storm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Read @len bytes within @timeout_ms. 0, or -1 on timeout, EOF or error. */
static int read_within(int fd, void *buf, size_t len, int timeout_ms)
{
	int64_t deadline = storm_now_ns() + (int64_t)timeout_ms * 1000000;
	size_t got = 0;

	while (got < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left = (deadline - storm_now_ns()) / 1000000;
		ssize_t r;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return -1;
		r = read(fd, (char *)buf + got, len - got);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* Reap what has exited among the children; counts them in *reaped. -1 on error. */
static int reap_some(pid_t consumer, unsigned int *reaped)
{
	pid_t pid;

	while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
		if (pid != consumer)
			(*reaped)++;
	return pid < 0 && errno != ECHILD && errno != EINTR ? -1 : 0;
}

/* Wait until @n children are reaped or @deadline (ns) passes. 0 or -1. */
static int reap_children(unsigned int n, pid_t consumer, unsigned int *reaped, int64_t deadline)
{
	while (*reaped < n) {
		struct timespec ts = { 0, 200000 };

		if (reap_some(consumer, reaped) < 0 || storm_now_ns() > deadline)
			return -1;
		if (*reaped < n)
			nanosleep(&ts, NULL);
	}
	return 0;
}

/*
 * Wait until the @n children in @pids have exited, leaving them zombies
 * (WNOWAIT): until they are reaped, whoever reads /proc can still name them.
 * 0, or -1 at @deadline (ns).
 */
static int await_exits(const pid_t *pids, unsigned int n, int64_t deadline)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		siginfo_t si;

		for (;;) {
			struct timespec ts = { 0, 200000 };

			memset(&si, 0, sizeof(si));
			if (waitid(P_PID, (id_t)pids[i], &si, WEXITED | WNOWAIT | WNOHANG) < 0)
				return -1;
			if (si.si_pid)
				break;
			if (storm_now_ns() > deadline)
				return -1;
			nanosleep(&ts, NULL);
		}
	}
	return 0;
}

/* Spaced: one byte, one child, every @gap_us, on an absolute schedule. */
static void release_spaced(int rel, unsigned int n, int gap_us, pid_t consumer,
			   unsigned int *reaped)
{
	struct timespec at;
	unsigned int i;
	char b = 'x';

	clock_gettime(CLOCK_MONOTONIC, &at);
	for (i = 0; i < n; i++) {
		if (write(rel, &b, 1) != 1)
			break;
		(void)reap_some(consumer, reaped);
		at.tv_nsec += (long)gap_us * 1000;
		while (at.tv_nsec >= 1000000000) {
			at.tv_nsec -= 1000000000;
			at.tv_sec++;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) == EINTR)
			;
	}
}

/*
 * The children: each blocks until it gets a byte (or EOF), then exits, or
 * (exec workload) execs true(1).
 */
static unsigned int fork_children(pid_t *pids, unsigned int n, const int rel[2],
				  enum workload wl)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		pid_t p = fork();

		if (p < 0) {
			perror("fork");
			break;
		}
		if (p == 0) {
			char b;

			close(rel[1]);   /* EOF must come when the generator closes its end */
			while (read(rel[0], &b, 1) < 0 && errno == EINTR)
				;
			if (wl == W_EXEC) {
				char *argv[] = { (char *)storm_true_path, NULL }, *envp[] = { NULL };

				execve(storm_true_path, argv, envp);
			}
			_exit((int)(i & 1));   /* even: exit 0, odd: exit 1 */
		}
		pids[i] = p;
	}
	return i;
}

/* --cpus split: the calling process (and what it forks) on @cpu only. */
int storm_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static pid_t fork_consumer(const struct trial_cfg *cfg, int close_fds[4],
			   const struct consumer_pipes *p)
{
	pid_t pid = fork();
	int i;

	if (pid != 0)
		return pid;
	if (cfg->split_cpus)
		(void)storm_pin(1);   /* main checked it, and pinned the generator to CPU 0 */
	/* the children must see EOF when the generator closes its end */
	for (i = 0; i < 4; i++)
		close(close_fds[i]);
	fcntl(p->ctl, F_SETFL, O_NONBLOCK);
	consumer_main(cfg, p);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Wait at most @timeout_ms for @pid; SIGKILL it then. 0, or -1 when it had to be killed. */
static int reap_consumer(pid_t pid, int timeout_ms)
{
	int64_t deadline = storm_now_ns() + (int64_t)timeout_ms * 1000000;
	struct timespec ts = { 0, 1000000 };

	while (waitpid(pid, NULL, WNOHANG) == 0) {
		if (storm_now_ns() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	return 0;
}

int run_trial(const struct trial_cfg *cfg, pid_t *pids, int gap_us, struct trial *t)
{
	int rel[2], ready[2], ctl[2], res[2], ok = 0;
	unsigned int forked, reaped = 0;
	struct consumer_pipes cp;
	int64_t deadline;
	pid_t consumer = -1;
	char b;

	memset(t, 0, sizeof(*t));
	if (pipe2(rel, O_CLOEXEC) < 0) {
		perror("pipe2");
		return -1;
	}
	forked = fork_children(pids, cfg->n, rel, cfg->wl);
	close_fd(&rel[0]);
	/* after the children, who must not hold these open */
	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(ctl, O_CLOEXEC) < 0 ||
	    pipe2(res, O_CLOEXEC) < 0) {
		perror("pipe2");
		return -1;   /* a machine out of fds: nothing to clean that exit will not */
	}
	cp.ready = ready[1];
	cp.ctl = ctl[0];
	cp.res = res[1];
	if (forked == cfg->n) {
		int theirs[4] = { rel[1], ready[0], ctl[1], res[0] };

		consumer = fork_consumer(cfg, theirs, &cp);
	}
	close_fd(&ready[1]);
	close_fd(&ctl[0]);
	close_fd(&res[1]);
	/* a consumer that fails to subscribe reports why and closes "ready" */
	ok = consumer > 0 && read_within(ready[0], &b, 1, READY_TIMEOUT_MS) == 0;
	if (ok && cfg->wl == W_SPACED)
		release_spaced(rel[1], forked, gap_us, consumer, &reaped);
	close_fd(&rel[1]);   /* the storm; for spaced, the end */
	/* exec: the children stay zombies through the window, so that the
	   consumers that name them (t, k) can; the others are reaped at once */
	deadline = storm_now_ns() + (int64_t)REAP_TIMEOUT_MS * 1000000;
	if (cfg->wl == W_EXEC ? await_exits(pids, forked, deadline) < 0
			      : reap_children(forked, consumer, &reaped, deadline) < 0) {
		fprintf(stderr, "proccn-storm: children not ended in time\n");
		ok = 0;
	}
	close_fd(&ctl[1]);   /* "done": the consumer reads what is left and reports */
	if (consumer > 0) {
		if (read_within(res[0], &t->r, sizeof(t->r), RESULT_TIMEOUT_MS) < 0)
			snprintf(t->r.err, sizeof(t->r.err), "no result (crashed?)");
		if (reap_consumer(consumer, RESULT_TIMEOUT_MS) < 0)
			ok = 0;
	}
	if (cfg->wl == W_EXEC &&
	    reap_children(forked, -1, &reaped, storm_now_ns() + (int64_t)REAP_TIMEOUT_MS * 1000000) < 0)
		ok = 0;
	close_fd(&ready[0]);
	close_fd(&res[0]);
	if (t->r.err[0])
		fprintf(stderr, "proccn-storm: %s, %s: %s\n", consumer_name[cfg->kind],
			workload_name[cfg->wl], t->r.err);
	t->done = ok && t->r.ok;
	return t->done ? 0 : -1;
}
