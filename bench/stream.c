/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proccn-stream - what a steady stream of exits costs a libproccn consumer,
 * with and without coalescing (max_batch_latency_us).
 *
 * The storm benchmark releases 8192 exits at once, and how the scheduler
 * interleaves them makes its CPU figures move from round to round. Here a
 * generator process forks one short-lived child every 1/--rate seconds (it
 * spins in between, so the stream is even) for --seconds, and reaps them.
 * The consumer (this process, mask EXIT, blocking proccn_dispatch() in a
 * loop) counts the exits of the generator's children and measures itself
 * from before the first fork to the last exit: getrusage CPU, the time it
 * actually ran (perf task-clock) and how often it slept, per exit. Latencies
 * alternate within each repetition; medians over --reps, and the fewest
 * exits seen in a repetition (of the generator's children, by pid).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "median.h"
#include "proccn.h"
#include "taskclock.h"

#define MAX_LAT 8
#define MAX_REPS 15

struct count {
	pid_t generator;
	uint64_t exits;
	uint8_t *seen;            /* indexed by pid */
	uint32_t pid_max;
};

struct sample {
	double cpu_ns, ran_ns, sleeps;   /* per exit */
	uint64_t exits, expected;
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * A child of the generator. The kernel sends the exit event after the child
 * became a zombie, so the generator may have reaped it already: the event
 * then says parent 0. Which exits were the generator's children is settled
 * from their pids after the run.
 */
static int on_exit_ev(const struct proccn_exit *ev, void *ud)
{
	struct count *c = ud;

	if (ev->pid != ev->tgid || (ev->parent_tgid != c->generator && ev->parent_tgid != 0))
		return 0;
	c->exits++;
	if ((uint32_t)ev->pid < c->pid_max)
		c->seen[ev->pid] = 1;
	return 0;
}

/*
 * The generator: @n children, one every @period_ns, their pids in @pids
 * (shared memory); writes n on @done_fd when all are reaped.
 */
static void generate(uint64_t n, int64_t period_ns, pid_t *pids, int go_fd, int done_fd)
{
	int64_t next;
	uint64_t i;
	char b;

	if (read(go_fd, &b, 1) != 1)
		_exit(1);
	next = now_ns();
	for (i = 0; i < n; i++) {
		pid_t c = fork();

		if (c == 0)
			_exit(0);
		if (c < 0)
			_exit(1);
		pids[i] = c;
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		next += period_ns;
		while (now_ns() < next)
			;
	}
	while (wait(NULL) > 0)
		;
	_exit(write(done_fd, &n, sizeof(n)) == sizeof(n) ? 0 : 1);
}

static int run(int latency_us, double rate, double seconds, struct sample *out)
{
	struct proccn_opts o = PROCCN_OPTS_INIT;
	struct proccn_callbacks cb;
	struct count c = { 0, 0, NULL, read_pid_max() };
	struct rusage ru0, ru1;
	struct proccn *h = NULL;
	uint64_t n = (uint64_t)(rate * seconds), reported = 0, ran = 0, i, mine = 0;
	int go[2], done[2], r, clock_fd, status;
	pid_t gen, *pids;

	o.events = PROCCN_EV_EXIT;
	o.max_batch_latency_us = latency_us;
	r = proccn_open(&h, &o);
	if (r < 0) {
		fprintf(stderr, "proccn_open: %s\n", proccn_strerror(r));
		return r;
	}
	c.seen = calloc(c.pid_max, 1);
	pids = mmap(NULL, n * sizeof(*pids), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		    -1, 0);
	if (!c.seen || pids == MAP_FAILED || pipe(go) < 0 || pipe(done) < 0)
		return -ENOMEM;
	gen = fork();
	if (gen < 0)
		return -errno;
	if (gen == 0) {
		generate(n, (int64_t)(1e9 / rate), pids, go[0], done[1]);
	}
	c.generator = gen;
	memset(&cb, 0, sizeof(cb));
	cb.sz = sizeof(cb);
	cb.on_exit = on_exit_ev;
	clock_fd = task_clock_open(1);
	getrusage(RUSAGE_SELF, &ru0);
	if (write(go[1], "g", 1) != 1)
		return -errno;
	for (;;) {
		struct pollfd pfd = { .fd = done[0], .events = POLLIN };

		if (c.exits >= n)
			break;
		r = proccn_dispatch(h, &cb, &c, 1000);
		if (r < 0 && r != -EINTR)
			break;
		/*
		 * The generator is done and nothing came for a second: some were
		 * lost (or the count took in another process's orphan).
		 */
		if (r == 0 && poll(&pfd, 1, 0) == 1)
			break;
	}
	getrusage(RUSAGE_SELF, &ru1);
	if (clock_fd < 0 || read(clock_fd, &ran, sizeof(ran)) != sizeof(ran))
		ran = 0;
	if (read(done[0], &reported, sizeof(reported)) != sizeof(reported))
		reported = 0;
	waitpid(gen, &status, 0);
	if (clock_fd >= 0)
		close(clock_fd);
	close(go[0]), close(go[1]), close(done[0]), close(done[1]);
	proccn_close(h);
	for (i = 0; i < n; i++)
		mine += (uint32_t)pids[i] < c.pid_max && c.seen[pids[i]];
	munmap(pids, n * sizeof(*pids));
	free(c.seen);
	if (!c.exits)
		return -EIO;
	out->exits = mine;
	out->expected = n;
	out->cpu_ns = ((double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec +
				ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) * 1e9 +
		       (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec +
				ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) * 1e3) / (double)c.exits;
	out->ran_ns = clock_fd < 0 ? -1 : (double)ran / (double)c.exits;
	out->sleeps = (double)(ru1.ru_nvcsw - ru0.ru_nvcsw) / (double)c.exits;
	return 0;
}

int main(int argc, char **argv)
{
	static struct sample s[MAX_LAT][MAX_REPS];
	int lat[MAX_LAT] = { 0, 1000 }, nlat = 2, reps = 3, i, j;
	double rate = 2000, seconds = 2;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--rate"))
			rate = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--seconds"))
			seconds = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--reps"))
			reps = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--latencies")) {
			char *p = argv[i + 1];

			for (nlat = 0; nlat < MAX_LAT && *p; nlat++) {
				lat[nlat] = (int)strtol(p, &p, 10);
				if (*p == ',')
					p++;
			}
		} else
			break;
	}
	if (i < argc || rate < 10 || rate > 100000 || seconds <= 0 || seconds > 60 ||
	    reps < 1 || reps > MAX_REPS || nlat < 1) {
		fprintf(stderr, "usage: %s [--rate EXITS_PER_S] [--seconds S] [--reps R<=%d] "
			"[--latencies US,US,...]\n", argv[0], MAX_REPS);
		return 2;
	}
	if (geteuid() != 0) {
		/* 6.6+ lets anyone subscribe, but the machine's other users would feed the stream */
		printf("SKIP: the stream benchmark wants root (a quiet, known machine)\n");
		return 77;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("proccn-stream: %.0f exits/s for %.1f s (one fork + _exit per period), mask EXIT, "
	       "blocking dispatch; %d rep(s), medians\n", rate, seconds, reps);
	for (j = 0; j < reps; j++)
		for (i = 0; i < nlat; i++) {
			int k = (i + j) % nlat;

			if (run(lat[k], rate, seconds, &s[k][j]) < 0) {
				fprintf(stderr, "%s: a run failed\n", argv[0]);
				return 1;
			}
		}
	printf("%-22s %10s %12s %14s %12s\n", "max_batch_latency_us", "min exits", "CPU ns/exit",
	       "on-CPU ns/exit", "sleeps/exit");
	for (i = 0; i < nlat; i++) {
		double cpu[MAX_REPS], ran[MAX_REPS], slp[MAX_REPS];
		uint64_t seen = UINT64_MAX;

		for (j = 0; j < reps; j++) {
			cpu[j] = s[i][j].cpu_ns;
			ran[j] = s[i][j].ran_ns;
			slp[j] = s[i][j].sleeps;
			if (s[i][j].exits < seen)
				seen = s[i][j].exits;
		}
		printf("%-22d %5" PRIu64 "/%-5" PRIu64 " %12.0f %14.0f %12.3f\n", lat[i], seen,
		       s[i][0].expected, median(cpu, reps), median(ran, reps), median(slp, reps));
	}
	return 0;
}
