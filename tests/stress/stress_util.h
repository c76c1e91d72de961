/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers shared by the stress tests (meson suite "live"). They run against
 * the real kernel as root; every other process on the machine produces events
 * too, so checks look only at the pids the test created, and counters are
 * compared only where outside activity cannot change the answer.
 */
#ifndef STRESS_UTIL_H
#define STRESS_UTIL_H

#include <stdint.h>
#include <sys/types.h>

#include <proccn.h>

#define STRESS_SKIP 77

/* Print the reason and exit 77 (meson: skipped). */
__attribute__((noreturn, format(printf, 1, 2)))
void stress_skip(const char *fmt, ...);

/* Skip unless root (@why: what needs it) with a working proc connector. */
void stress_init(const char *test, const char *why);

/* Report a failed check and go on: the remaining checks still tell something. */
__attribute__((format(printf, 4, 5)))
void stress_fail(const char *file, int line, const char *expr, const char *fmt, ...);
#define CHECK(cond, ...) \
	((cond) ? (void)0 : stress_fail(__FILE__, __LINE__, #cond, __VA_ARGS__))

/* 0 when every check passed, else 1 (after printing the verdict). */
int stress_finish(const char *test);

uint64_t stress_now_ms(void);

/*
 * Open a handle; environments that rule the test out skip, any other
 * failure is fatal (exit 1).
 */
struct proccn *stress_open(const struct proccn_opts *opts);

/* Read the statistics (fatal on failure). */
void stress_stats(const struct proccn *h, struct proccn_stats *st);
void stress_print_stats(const char *what, const struct proccn_stats *st);
/*
 * Invariants that hold at any time between dispatches: every datagram was
 * classified exactly once, nothing was delivered or filtered that was not
 * received, and the callbacks saw every delivered event (@callbacks).
 */
void stress_check_stats(const struct proccn_stats *st, uint64_t callbacks);

/*
 * Children pinned to each CPU this process may run on, @per_cpu each; they
 * exit at once, so their EXIT events are sent from that CPU. Their pids go to
 * @pids (at most @max). Returns how many were started and reaped; fatal when
 * fork fails or a child cannot be reaped in time.
 */
size_t stress_pinned_children(pid_t *pids, size_t max, unsigned per_cpu);

/*
 * Wait for @pid within @deadline_ms (absolute, stress_now_ms()), killing it
 * when late. Returns 0 when reaped, -1 when it had to be killed.
 */
int stress_reap(pid_t pid, uint64_t deadline_ms);

#endif /* STRESS_UTIL_H */
