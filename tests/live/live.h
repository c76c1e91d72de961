/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared helpers for the live tests (meson suite "live"): they run against the
 * real kernel, spawn real processes and look only at the events of the pids
 * they created, because every other process on the machine generates events
 * too.
 */
#ifndef LIVE_H
#define LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <proccn.h>

#define LIVE_SKIP 77                 /* meson: test skipped */
#define LIVE_DEADLINE_MS 5000        /* bound for every wait on one expectation */
#define LIVE_MAX_EVENTS 512          /* events of watched pids kept per handle */
#define LIVE_MAX_WATCH 128

/*
 * What one handle saw. Only events about watched pids are stored (in arrival
 * order); every event is checked against the handle's mask, whoever it is
 * about, since the library must never deliver what was not asked for.
 */
struct live_rec {
	union proccn_event ev[LIVE_MAX_EVENTS];
	size_t n;
	size_t overflow;          /* watched events that did not fit */
	pid_t watch[LIVE_MAX_WATCH];
	size_t nwatch;
	uint64_t callbacks;       /* every event callback call, watched or not */
	uint64_t losses;          /* on_loss calls */
	unsigned violations;
};

struct live_handle {
	const char *name;         /* for messages */
	struct proccn *h;
	uint32_t mask;            /* mask asked for (0 = ALL) */
	uint32_t flags;           /* PROCCN_F_* actually passed */
	uint64_t t_open_ns;       /* CLOCK_MONOTONIC before proccn_open() */
	struct live_rec rec;
};

/* Flags from the command line (--legacy, --no-bpf) added to every open. */
extern uint32_t live_extra_flags;

/*
 * Parse the options, check that the machine can run live tests at all and
 * skip (exit 77, with the reason) when it cannot. need_root: skip when not
 * root.
 */
void live_init(int argc, char **argv, const char *test, bool need_root);
/* Print the reason and exit 77. */
__attribute__((noreturn, format(printf, 1, 2)))
void live_skip(const char *fmt, ...);
/* Report a failed check; fatal ones kill the children and exit 1. */
__attribute__((format(printf, 5, 6)))
void live_report(bool fatal, const char *file, int line, const char *expr,
		 const char *fmt, ...);
/* Kill what is left, print the verdict; returns the exit status (0 or 1). */
int live_finish(void);
int live_failures(void);

#define EXPECT(cond, ...) \
	((cond) ? (void)0 : live_report(false, __FILE__, __LINE__, #cond, __VA_ARGS__))
#define REQUIRE(cond, ...) \
	((cond) ? (void)0 : live_report(true, __FILE__, __LINE__, #cond, __VA_ARGS__))

uint64_t live_now_ns(void);
/* Kernel release >= major.minor. */
bool live_kernel_at_least(int major, int minor);

/*
 * Open a handle with these options (plus live_extra_flags unless raw_flags).
 * Failure is fatal, except where the environment rules the test out (skip).
 */
void live_open(struct live_handle *lh, const char *name, uint32_t events,
	       uint32_t flags);
void live_open_opts(struct live_handle *lh, const char *name,
		    const struct proccn_opts *opts);
/* Check the statistics against what the callbacks saw, then close. */
void live_close(struct live_handle *lh);
/* Statistics checks on an open handle (done by live_close too). */
void live_check_stats(struct live_handle *lh);

void live_watch(struct live_handle *lh, pid_t pid);
/* One proccn_dispatch(); a negative return other than -EINTR is fatal. */
int live_dispatch(struct live_handle *lh, int timeout_ms);
/* Dispatch for ms milliseconds, whatever arrives. */
void live_drain(struct live_handle *lh, int ms);
/*
 * Dispatch until an event of this kind about pid is recorded (FORK: the
 * child_pid; others: pid) or timeout_ms passes. Returns its index or -1.
 */
long live_wait(struct live_handle *lh, uint32_t kind, pid_t pid, int timeout_ms);
/* Index of the first recorded event of kind about pid at or after from, or -1. */
long live_find(const struct live_handle *lh, uint32_t kind, pid_t pid, size_t from);
size_t live_count(const struct live_handle *lh, uint32_t kind, pid_t pid);
/* Events recorded whose tgid (FORK: child_tgid) is tgid and pid differs. */
size_t live_count_threads(const struct live_handle *lh, pid_t tgid);
/* The pid an event is about: FORK's child_pid, else pid. */
pid_t live_ev_pid(const union proccn_event *ev);
void live_format(const union proccn_event *ev, char *buf, size_t len);
/* Print what the handle recorded (after a failure). */
void live_dump(const struct live_handle *lh);

/*
 * Fork a child that runs fn(arg) and then _exit(0)s. The child dies with
 * this process (PR_SET_PDEATHSIG), and is killed by live_finish().
 */
pid_t live_spawn(void (*fn)(void *), void *arg);
/* waitpid() bounded by LIVE_DEADLINE_MS; fatal on timeout. Returns the status. */
int live_reap(pid_t pid);
/* Forget a child reaped by other means. */
void live_forget(pid_t pid);

/* Run fn in a child and turn its exit status into pass/skip/fail. */
int live_run_child(const char *what, int (*fn)(void *), void *arg);

/* The path of true(1) for execve. */
const char *live_true_path(void);
/*
 * A body for live_spawn(): execve(@path) with argv { path } and no
 * environment, so the exec event is the only thing the child adds;
 * _exit(127) if it fails.
 */
void live_exec_path(void *path);

/*
 * Bodies for live_spawn() whose process does not end with its main thread:
 * live_leader_exits_worker_crashes: main calls pthread_exit(), a worker
 * dies of SIGSEGV 150 ms later (no core file); live_worker_execs: a worker
 * execs @path (true(1)) 50 ms in while main waits.
 */
void live_leader_exits_worker_crashes(void *arg);
void live_worker_execs(void *path);

#endif /* LIVE_H */
