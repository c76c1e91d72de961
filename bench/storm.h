/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proccn-storm: what it costs to follow process exits with libproccn, next to
 * a naive proc connector client and pidfds, and how late events arrive.
 * The pieces: storm.c (options, rounds, verdict), storm_trial.c (the
 * generator: children, release, reaping), storm_consumers.c (the six ways to
 * read), storm_window.c (what a consumer measures), storm_report.c (table
 * and targets). See bench/README.md.
 */
#ifndef PCN_BENCH_STORM_H
#define PCN_BENCH_STORM_H

#include <stdint.h>
#include <sys/types.h>

#include "proccn.h"

/* The never-delay setting, until include/proccn.h has it. */
#ifndef PROCCN_LATENCY_NONE
#define PROCCN_LATENCY_NONE (-1)
#endif
/* The library's batching cap at max_batch_latency_us = 0 (its documented default). */
#define STORM_DEFAULT_CAP_US 1000

/* The consumers, in the order of the table; --consumers takes their letters. */
enum consumer {
	C_B,   /* library defaults, mask ALL */
	C_N,   /* library never-delay, mask ALL */
	C_A,   /* library defaults, mask EXIT */
	C_D,   /* library forced legacy, mask EXIT */
	C_E,   /* naive: one poll + one recv per event, mask ALL */
	C_F,   /* pidfd per child + epoll */
	C_T,   /* the process table, defaults (it names every process) */
	C_K,   /* forkstat -q (Debian's forkstat: reads the command line at fork and exec) */
	C_NUM
};
#define CONSUMER_LETTERS "bnadeftk"

/* How the children exit. */
enum workload {
	W_STORM,   /* all at once */
	W_SPACED,  /* one every --gap-us */
	W_EXEC,    /* all at once, each execs true(1) first */
	W_NUM
};

extern const char *const consumer_name[C_NUM];
/* true(1), which the exec workload's children run */
extern const char *storm_true_path;
extern const char *const workload_name[W_NUM];

/* runs - does consumer @c take part in workload @w? */
int runs(enum consumer c, enum workload w);

/* What a consumer reports through its result pipe (< PIPE_BUF: one write). */
struct result {
	int ok;
	int unsupported;          /* not run: this library refuses the consumer's options */
	int timed_out;
	uint64_t seen;            /* distinct child exits received */
	uint64_t events;          /* every event received in the window */
	uint64_t named;           /* exits the table named: true(1) after an exec, else known */
	uint64_t loss_reports;    /* on_loss calls, or ENOBUFS errors */
	int64_t syscalls;         /* in the window, bookkeeping subtracted; -1: not counted */
	uint64_t cpu_ns;          /* getrusage user + sys over the window */
	int64_t oncpu_ns;         /* perf task-clock over the window; -1: not available */
	uint64_t sleeps;          /* voluntary context switches in the window */
	int have_delay;           /* 0: no kernel timestamps (pidfd) */
	int64_t delay_ns[3];      /* callback time - event timestamp: p50, p99, max */
	int64_t stamp_span_ns;    /* the first to the last exit received, by kernel timestamp */
	char err[160];
};

/* One consumer's run, as the generator sets it up. */
struct trial_cfg {
	enum consumer kind;
	enum workload wl;
	const pid_t *pids;        /* the children, forked before the consumer */
	unsigned int n;
	int count_syscalls;
	int timeout_ms;           /* for the whole window */
	int split_cpus;           /* the consumer on CPU 1, the generator and children on CPU 0 */
};

/* The pipes between the generator and the consumer (consumer's ends). */
struct consumer_pipes {
	int ready;                /* write a byte when subscribed */
	int ctl;                  /* readable (byte or EOF) once every child is reaped */
	int res;                  /* write the struct result */
};

/* consumer_main - the consumer process: subscribe, measure, report, _exit. */
void consumer_main(const struct trial_cfg *cfg, const struct consumer_pipes *p)
	__attribute__((noreturn));

/* A finished trial, as the generator saw it. */
struct trial {
	int done;                 /* the consumer ran and reported without error */
	struct result r;
};

/* run_trial - one consumer alone with one workload. 0, or -1 on error. */
int run_trial(const struct trial_cfg *cfg, pid_t *pids, int gap_us, struct trial *t);

struct storm_opts {
	unsigned int n[W_NUM];    /* children per workload */
	int gap_us;               /* spaced: between two exits */
	unsigned int rounds;
	int split_cpus;           /* --cpus split */
};

#define MAX_ROUNDS 50

/* storm_pin - the calling process on @cpu only (--cpus split); 0 or -1 (errno). */
int storm_pin(int cpu);

/* print_machine - CPU model, cores, kernel and load average (@when: "before"/"after"). */
void print_machine(const char *when);
/*
 * report - the table and the targets for @trials[consumer][workload][round].
 * Returns the number of errors that make the run fail (events lost at the
 * defaults in the storm).
 */
int report(const struct trial trials[C_NUM][W_NUM][MAX_ROUNDS], const int *selected,
	   const struct storm_opts *o);

int64_t storm_now_ns(void);

#endif
