/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The VM checker (legacy_check): what its files share. legacy_check.c runs
 * it (as PID 1 in the VM, or on the host), checks.c holds the checks,
 * workload.c the children they watch, collect.c how events are gathered,
 * signature.c how they are compared. Datagrams, the filter oracle and event
 * accessors come from tests/common, as for the live suite.
 */
#ifndef PCN_VM_H
#define PCN_VM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proccn.h"

#define MAX_CHILDREN 16
#define MAX_EVENTS 256
#define MAX_THREADS 8
#define WAIT_MS 8000            /* per wait for events; TCG is slow, never hit when healthy */
#define NEXITS 5                /* children of the datagram workload */

struct workload {
	pid_t self;
	pid_t child[MAX_CHILDREN];
	int nchild;
};

/* Workload events as delivered, in arrival order. */
struct collector {
	const struct workload *wl;
	union proccn_event ev[MAX_EVENTS];
	unsigned int n;
	unsigned int want;       /* have_count(): done at this many events */
	unsigned int overflow;   /* workload events beyond MAX_EVENTS */
	uint64_t all_exits;      /* every EXIT delivered, workload or not */
	uint64_t all_events;
	unsigned int losses;
};

/* What the wrapping pcn_sys saw on the handle's socket. */
struct wrap {
	const struct workload *wl;
	unsigned int listen4, listen8, ignore4, ignore8, other_req;
	uint64_t datagrams, fork_dgrams, wl_fork_dgrams;
};

struct config {
	int vm;                  /* running as PID 1 in the VM: quiet machine, strict counts */
	int new_kernel;          /* VM: the guest kernel has the 6.6+ per-socket filter
				    (--kernel new; a pre-6.6 kernel is the default) */
	int late_exit;           /* VM: only the late-EXIT test (--late-exit) */
	uint32_t flags;          /* extra PROCCN_F_* for every handle (FORCE_LEGACY) */
	int expect_mode;         /* PROCCN_MODE_*, or 0: do not check */
};

/* workload.c */
/* wl_index - the index of @tgid among the workload's children, or -1. */
int wl_index(const struct workload *wl, pid_t tgid);
/* wl_concerns - the event is about a child of the workload (or one of its threads). */
int wl_concerns(const struct workload *wl, const union proccn_event *ev);
/*
 * run_workload - every step forks one child and waits for it before the
 * next, so the per-task event order is fixed. Returns 0, or -1 with @err set.
 */
int run_workload(struct workload *wl, char *err, size_t errlen);
/* run_exits - a smaller workload: @n children that exit with @code. */
int run_exits(struct workload *wl, int n, int code, char *err, size_t errlen);

/* collect.c */
void collector_reset(struct collector *c, const struct workload *wl);
/* Conditions for pump(): every task of the workload exited; every child exited; want reached. */
int all_exited(const struct collector *c);
int exits_done(const struct collector *c);
int have_count(const struct collector *c);
/*
 * pump - dispatch until @done says so or @ms pass. Returns 0, -ETIMEDOUT,
 * or the library's negative errno.
 */
int pump(struct proccn *h, struct collector *c, int (*done)(const struct collector *), int ms);
/* drain - read what is still queued, without blocking. 0 or a negative errno. */
int drain(struct proccn *h, struct collector *c);
/* open_wrapped - proccn_open() with a pcn_sys that counts into @w. */
int open_wrapped(struct proccn **h, const struct proccn_opts *o, struct wrap *w);

/* signature.c */
/* signature - the events in a canonical, pid-independent order and form, into @buf. */
void signature(const struct workload *wl, const union proccn_event *ev, unsigned int n,
	       char *buf, size_t len);

/* checks.c */
/* run_all - every check, with VMTEST lines. Returns the number that failed. */
int run_all(const struct config *cfg);
/* Report lines: vm_say() prints and flushes; "VMTEST PASS name" / "VMTEST FAIL name: ...". */
void vm_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vm_pass(const char *name);
void vm_fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *mode_name(int mode);
/* check_mode - the handle's mode is what @cfg expects; else a FAIL line and -1. */
int check_mode(const struct config *cfg, const char *name, struct proccn *h);

/* table_reuse.c */
/*
 * test_table_reuse - issue 12 test 4 (VM only: it lowers pid_max): pids wrap
 * while a process table runs. VMTEST lines "table-reuse:*".
 */
void test_table_reuse(const struct config *cfg);
/*
 * test_late_exit - by hand (run-vm.sh ... --late-exit boots with
 * preempt=full): an old process's EXIT sent after the FORK that reused its
 * pid must not end the new process. VMTEST table-reuse:late-exit.
 */
void test_late_exit(const struct config *cfg);
/* reuse_child_main - the exec'd child of the reuse test: renames itself, exits @code. */
void reuse_child_main(const char *code, const char *name) __attribute__((noreturn));

#endif
