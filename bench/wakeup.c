/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proccn-wakeup - what a sleep and a wake-up cost a process on this machine.
 *
 * The storm benchmark's CPU per event follows how often a consumer sleeps:
 * this measures the price of one sleep, with no proc connector involved.
 * Two processes, one on CPU 0 and one on CPU 1, pass a byte back and forth
 * through two pipes, so each read(2) finds its pipe empty and sleeps until
 * the other side writes. Reported: the CPU time (getrusage user+sys) of each
 * side per round trip, i.e. per read that slept + write that woke the other
 * side, and the same read + write pair on a pipe that is never empty, where
 * nobody sleeps. The difference is what a wake-up costs, on top of the
 * syscalls themselves.
 *
 * Then the consumer's side alone, as in the storm (the kernel's senders wake
 * the consumer; the consumer wakes nobody): CPU 0 writes a byte, then spins
 * --gap-us, so that the reader on CPU 1 is asleep again before each byte.
 * The reader's CPU per read is what a sleep + wake-up costs the side that
 * sleeps. Medians over --reps repetitions.
 *
 * For the sleeper, also the time it actually ran (perf task-clock, taken at
 * its context switches): getrusage charges a woken task from its wake-up on,
 * so it also counts the exit from idle that happens before the task runs.
 *
 * Last, as root, the sleeper once more while a PM QoS request keeps idle
 * CPUs polling instead of halting (idle.h): the difference between the two
 * sleeper lines is what leaving a halted CPU costs the woken process.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "idle.h"
#include "median.h"
#include "pin.h"
#include "taskclock.h"

#define MAX_REPS 99

static double cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int xfer(int rfd, int wfd, int write_first)
{
	char b = 0;

	if (write_first && write(wfd, &b, 1) != 1)
		return -1;
	if (read(rfd, &b, 1) != 1)
		return -1;
	if (!write_first && write(wfd, &b, 1) != 1)
		return -1;
	return 0;
}

/*
 * One repetition of @n round trips. Writes the CPU per round trip of the
 * side on CPU 0 (*cpu0) and on CPU 1 (*cpu1), and the wall time (*wall).
 */
static int ping_pong(int n, double *cpu0, double *cpu1, double *wall)
{
	int to_child[2], to_parent[2], res[2], i, st;
	double t0, c0;
	pid_t pid;

	if (pipe(to_child) < 0 || pipe(to_parent) < 0 || pipe(res) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		double c = cpu_us(), per;

		if (pin_to_cpu(1) < 0)
			_exit(1);
		for (i = 0; i < n; i++)
			if (xfer(to_child[0], to_parent[1], 0) < 0)
				_exit(1);
		per = (cpu_us() - c) / n;
		_exit(write(res[1], &per, sizeof(per)) == sizeof(per) ? 0 : 1);
	}
	/* let the child pin itself and block in read() first */
	usleep(20000);
	t0 = now_us();
	c0 = cpu_us();
	for (i = 0; i < n; i++)
		if (xfer(to_parent[0], to_child[1], 1) < 0)
			break;
	*cpu0 = (cpu_us() - c0) / n;
	*wall = (now_us() - t0) / n;
	if (read(res[0], cpu1, sizeof(*cpu1)) != sizeof(*cpu1))
		i = -1;
	waitpid(pid, &st, 0);
	close(to_child[0]), close(to_child[1]);
	close(to_parent[0]), close(to_parent[1]);
	close(res[0]), close(res[1]);
	return i == n && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* What one read that slept cost the sleeper, per read. */
struct sleep_cost {
	double cpu;               /* getrusage user+sys */
	double ran;               /* task-clock: the time it actually ran; -1: unknown */
};

/*
 * The sleeper alone: the child on CPU 1 reads @n bytes, each of which comes
 * @gap_us after the last. Writes the child's cost per read to *cost.
 */
static int sleeper(int n, double gap_us, struct sleep_cost *cost)
{
	struct sleep_cost per = { -1, -1 };
	int p[2], res[2], i, st;
	pid_t pid;
	char b = 0;

	if (pipe(p) < 0 || pipe(res) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		uint64_t ran_ns = 0;
		int clock_fd;
		double c;

		if (pin_to_cpu(1) < 0)
			_exit(1);
		clock_fd = task_clock_open(1);
		c = cpu_us();
		for (i = 0; i < n; i++)
			if (read(p[0], &b, 1) != 1)
				_exit(1);
		per.cpu = (cpu_us() - c) / n;
		if (clock_fd >= 0 && read(clock_fd, &ran_ns, sizeof(ran_ns)) == sizeof(ran_ns))
			per.ran = (double)ran_ns / 1e3 / n;
		_exit(write(res[1], &per, sizeof(per)) == sizeof(per) ? 0 : 1);
	}
	usleep(20000);
	for (i = 0; i < n; i++) {
		double until = now_us() + gap_us;

		if (write(p[1], &b, 1) != 1)
			break;
		while (now_us() < until)
			;
	}
	if (i != n || read(res[0], &per, sizeof(per)) != sizeof(per))
		per.cpu = -1;
	waitpid(pid, &st, 0);
	close(p[0]), close(p[1]);
	close(res[0]), close(res[1]);
	*cost = per;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 && per.cpu >= 0 ? 0 : -1;
}

/* The same write + read, on one pipe that always has the byte: no sleep. */
static double no_sleep(int n)
{
	int p[2], i;
	double c0, per;
	char b = 0;

	if (pipe(p) < 0)
		return -1;
	c0 = cpu_us();
	for (i = 0; i < n; i++)
		if (write(p[1], &b, 1) != 1 || read(p[0], &b, 1) != 1)
			break;
	per = (cpu_us() - c0) / n;
	close(p[0]);
	close(p[1]);
	return i == n ? per : -1;
}

/* The task-clock line under a sleeper line. */
static void print_ran(double *ran, int reps)
{
	if (ran[0] < 0)
		printf("    of which it ran (perf task-clock): not measured\n");
	else
		printf("    of which it ran (perf task-clock): %.2f us\n", median(ran, reps));
}

int main(int argc, char **argv)
{
	double c0[MAX_REPS], c1[MAX_REPS], w[MAX_REPS], ns[MAX_REPS];
	double sl[MAX_REPS], slr[MAX_REPS], slp[MAX_REPS], slpr[MAX_REPS];
	struct sleep_cost cost;
	double gap_us = 100;
	int n = 20000, reps = 5, i, qos;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--round-trips"))
			n = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--reps"))
			reps = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--gap-us"))
			gap_us = atof(argv[i + 1]);
		else
			break;
	}
	if (i < argc || n < 100 || reps < 1 || reps > MAX_REPS || gap_us < 0 || gap_us > 1e5) {
		fprintf(stderr, "usage: %s [--round-trips N>=100] [--reps R<=%d] [--gap-us US]\n",
			argv[0], MAX_REPS);
		return 2;
	}
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2 || pin_to_cpu(0) < 0) {
		printf("SKIP: needs CPUs 0 and 1\n");
		return 77;
	}
	for (i = 0; i < reps; i++) {
		if (ping_pong(n, &c0[i], &c1[i], &w[i]) < 0) {
			fprintf(stderr, "%s: ping-pong failed: %s\n", argv[0], strerror(errno));
			return 1;
		}
		ns[i] = no_sleep(n);
		if (ns[i] < 0 || sleeper(n / 4, gap_us, &cost) < 0) {
			fprintf(stderr, "%s: a measurement failed\n", argv[0]);
			return 1;
		}
		sl[i] = cost.cpu;
		slr[i] = cost.ran;
	}
	printf("proccn-wakeup: %d round trips x %d reps between CPU 0 and CPU 1 (medians)\n", n,
	       reps);
	printf("  round trip (wall): %.1f us\n", median(w, reps));
	printf("  CPU per round trip, side on CPU 0: %.2f us; side on CPU 1: %.2f us "
	       "(a read that slept + a write that woke the other side)\n",
	       median(c0, reps), median(c1, reps));
	printf("  CPU per write + read that never sleeps: %.2f us\n", median(ns, reps));
	printf("  sleeper alone (a byte every %.0f us from CPU 0): CPU per read on CPU 1: %.2f us "
	       "(a read that slept and was woken)\n", gap_us, median(sl, reps));
	print_ran(slr, reps);

	qos = hold_idle_poll();
	if (qos < 0) {
		printf("  sleeper alone, idle CPUs polling: not measured (/dev/cpu_dma_latency: %s)\n",
		       strerror(-qos));
		return 0;
	}
	for (i = 0; i < reps; i++) {
		if (sleeper(n / 4, gap_us, &cost) < 0) {
			fprintf(stderr, "%s: a measurement failed\n", argv[0]);
			return 1;
		}
		slp[i] = cost.cpu;
		slpr[i] = cost.ran;
	}
	close(qos);
	printf("  sleeper alone, idle CPUs polling (PM QoS CPU latency 0 held): CPU per read on "
	       "CPU 1: %.2f us\n", median(slp, reps));
	print_ran(slpr, reps);
	printf("  so a halted CPU adds %.2f us of getrusage CPU to each wake-up",
	       median(sl, reps) - median(slp, reps));
	if (slr[0] >= 0 && slpr[0] >= 0)
		printf(", %.2f us of task-clock", median(slr, reps) - median(slpr, reps));
	printf("\n");
	return 0;
}
