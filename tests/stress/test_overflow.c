/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Overflow, live (issue 5 item 3). A handle with a tiny receive buffer does
 * not read while thousands of children fork and exit at once, so the kernel
 * drops most of their events. The library must say so: on_loss with
 * PROCCN_LOSS_OVERRUN carrying the kernel's drop count as soon as the queue
 * has drained, stats.lost equal to the kernel's own drop counter,
 * stats.overruns >= 1, and no event counted twice: the sequence gaps that the
 * same drops leave (mask ALL) when each CPU sends again are paid by the
 * OVERRUN report, so no SEQ_GAP report follows. And the handle must keep
 * working: events after the drain arrive.
 *
 * The counters include other processes' events, which is fine. Every CPU is
 * primed with an event before the storm, so that each has a sequence
 * baseline and its gaps are seen (and must not be counted again), and the
 * counters are compared again after a round in which every CPU sent an event
 * that we received and the kernel's drop counter did not move.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stress_util.h"

#define TEST "stress-overflow"
#define STORM_CHILDREN 2000
#define STORM_MIN_CHILDREN 300   /* fewer than this cannot overflow reliably */
#define ASKED_RCVBUF (16 * 1024)
#define ROUND_PER_CPU 3
#define ROUND_MAX_PIDS 256
#define ROUNDS_MAX 10
#define ROUND_DEADLINE_MS 5000
#define DRAIN_DEADLINE_MS 20000
#define SLOW_FIRST_US 50000      /* phase 1: the first callback after the storm */
#define SLOW_EACH_US 200         /* phase 2: every callback while the storm runs */

struct watch {
	pid_t pid;
	int fork_seen, exit_seen;
};

struct state {
	uint64_t callbacks;
	int slow_pending;            /* the next callback sleeps SLOW_FIRST_US once */
	int slow_each;               /* every callback sleeps SLOW_EACH_US */

	uint64_t overrun_reports, seq_gap_reports, negotiation_reports, other_reports;
	uint64_t overrun_sum, seq_gap_sum, negotiation_sum;
	uint64_t inexact_seq_gaps, overrun_exact;

	/* storm children, sorted, and how many of their events arrived */
	pid_t *storm;
	size_t nstorm;
	uint64_t storm_forks, storm_exits;

	/* the current round's pinned children */
	struct watch round[ROUND_MAX_PIDS];
	size_t nround;
};

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

static int is_storm(const struct state *s, pid_t pid)
{
	return s->nstorm && bsearch(&pid, s->storm, s->nstorm, sizeof(pid_t), cmp_pid);
}

static struct watch *round_find(struct state *s, pid_t pid)
{
	size_t i;

	for (i = 0; i < s->nround; i++)
		if (s->round[i].pid == pid)
			return &s->round[i];
	return NULL;
}

static int on_event(const union proccn_event *ev, void *ud)
{
	struct state *s = ud;
	struct watch *w;

	s->callbacks++;
	if (s->slow_pending) {
		/* a slow consumer: the kernel keeps queueing (and dropping) meanwhile */
		s->slow_pending = 0;
		usleep(SLOW_FIRST_US);
	}
	if (s->slow_each)
		usleep(SLOW_EACH_US);
	if (ev->hdr.kind == PROCCN_EV_FORK) {
		if (is_storm(s, ev->fork.child_pid))
			s->storm_forks++;
		w = round_find(s, ev->fork.child_pid);
		if (w)
			w->fork_seen = 1;
	} else if (ev->hdr.kind == PROCCN_EV_EXIT) {
		if (is_storm(s, ev->exit.pid))
			s->storm_exits++;
		w = round_find(s, ev->exit.pid);
		if (w)
			w->exit_seen = 1;
	}
	return 0;
}

static int on_loss(const struct proccn_loss *loss, void *ud)
{
	struct state *s = ud;

	/* the first reports show the pattern; a busy machine could print thousands */
	if (s->overrun_reports + s->seq_gap_reports + s->negotiation_reports < 20)
		printf("  on_loss: reason %d count %" PRIu64 " exact %d\n",
		       loss->reason, loss->count, loss->exact);
	switch (loss->reason) {
	case PROCCN_LOSS_OVERRUN:
		s->overrun_reports++;
		s->overrun_sum += loss->count;
		if (loss->exact)
			s->overrun_exact++;
		break;
	case PROCCN_LOSS_SEQ_GAP:
		s->seq_gap_reports++;
		s->seq_gap_sum += loss->count;
		if (!loss->exact)
			s->inexact_seq_gaps++;
		break;
	case PROCCN_LOSS_NEGOTIATION:
		s->negotiation_reports++;
		s->negotiation_sum += loss->count;
		break;
	default:
		s->other_reports++;
		break;
	}
	return 0;
}

static const struct proccn_callbacks callbacks = {
	.sz = sizeof(struct proccn_callbacks),
	.on_event = on_event,
	.on_loss = on_loss,
};

/* Read until the socket is empty once (bounded: others keep producing). */
static void drain(struct proccn *h, struct state *s, uint64_t deadline_ms)
{
	for (;;) {
		int r = proccn_dispatch(h, &callbacks, s, 0);

		CHECK(r >= 0, "proccn_dispatch returned %d (%s)", r, proccn_strerror(r));
		if (r <= 0)
			return;
		if (stress_now_ms() >= deadline_ms) {
			CHECK(0, "the socket never became empty within %d ms", DRAIN_DEADLINE_MS);
			return;
		}
	}
}

static int round_complete(const struct state *s)
{
	size_t i;

	for (i = 0; i < s->nround; i++)
		if (!s->round[i].fork_seen || !s->round[i].exit_seen)
			return 0;
	return 1;
}

/*
 * One round: pinned children on every CPU, then dispatch until all their
 * FORK and EXIT events arrived. Returns 1 when they all did.
 */
static int run_round(struct proccn *h, struct state *s)
{
	pid_t pids[ROUND_MAX_PIDS];
	uint64_t deadline;
	size_t i, n;

	/* record the pids before the events can be dispatched: no dispatch runs
	 * while children are created, so none of their events is missed */
	n = stress_pinned_children(pids, ROUND_MAX_PIDS, ROUND_PER_CPU);
	memset(s->round, 0, sizeof(s->round));
	for (i = 0; i < n; i++)
		s->round[i].pid = pids[i];
	s->nround = n;

	deadline = stress_now_ms() + ROUND_DEADLINE_MS;
	while (!round_complete(s) && stress_now_ms() < deadline) {
		int r = proccn_dispatch(h, &callbacks, s, 100);

		CHECK(r >= 0 || r == -EINTR, "proccn_dispatch returned %d (%s)", r,
		      proccn_strerror(r));
		if (r < 0 && r != -EINTR)
			break;
	}
	/* what the round's events may have left behind (gap reports included) */
	drain(h, s, stress_now_ms() + DRAIN_DEADLINE_MS);
	return round_complete(s);
}

static void print_round(const struct state *s)
{
	size_t i, forks = 0, exits = 0;

	for (i = 0; i < s->nround; i++) {
		forks += (size_t)s->round[i].fork_seen;
		exits += (size_t)s->round[i].exit_seen;
	}
	printf("  round: %zu children, %zu FORK and %zu EXIT events seen\n",
	       s->nround, forks, exits);
}

/*
 * Fork the storm: children block on a pipe, so that all of them exit at once
 * when it closes. Returns how many were started; their pids go to s->storm.
 */
static size_t storm(struct state *s)
{
	pid_t parent = getpid();
	uint64_t deadline;
	int fds[2];
	size_t n = 0, i, late = 0;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		printf("FATAL: pipe2: %s\n", strerror(errno));
		exit(1);
	}
	for (n = 0; n < STORM_CHILDREN; n++) {
		pid_t pid = fork();

		if (pid < 0) {
			printf("  fork failed after %zu children: %s\n", n, strerror(errno));
			break;
		}
		if (pid == 0) {
			char c;

			/* never outlive the test, even if it is killed */
			(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(1);
			alarm(60);
			close(fds[1]);
			while (read(fds[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
		s->storm[n] = pid;
	}
	close(fds[0]);
	close(fds[1]);          /* EOF: every child exits now */

	deadline = stress_now_ms() + 30000;
	for (i = 0; i < n; i++)
		if (stress_reap(s->storm[i], deadline) < 0)
			late++;
	CHECK(late == 0, "%zu storm children had to be killed", late);
	s->nstorm = n;
	qsort(s->storm, n, sizeof(pid_t), cmp_pid);
	return n;
}

/*
 * Phase 2's storm runs in a helper process, so that this one can read (slowly)
 * meanwhile: the overflow then happens between reads, not before the first.
 */
static pid_t storm_in_helper(struct state *s)
{
	pid_t pid = fork();

	if (pid < 0) {
		printf("FATAL: fork: %s\n", strerror(errno));
		exit(1);
	}
	if (pid == 0) {
		size_t n;

		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		n = storm(s);
		_exit(n >= STORM_MIN_CHILDREN ? 0 : 1);
	}
	return pid;
}

/*
 * After an overflow: the handle must work (a new workload's events arrive),
 * and once a round passes without new kernel drops, every CPU has sent again
 * and shown its gap, so a gap counted twice would show now: stats.lost must
 * still equal the kernel's drop counter. Rounds repeat only when outside
 * activity overflowed the small buffer again, which legitimately loses the
 * round's events.
 */
static void verify_after(struct proccn *h, struct state *s, const char *phase)
{
	struct proccn_stats st;
	int round, quiet = 0, delivered_after = 0;

	for (round = 1; round <= ROUNDS_MAX; round++) {
		struct proccn_stats a, b;
		int complete;

		stress_stats(h, &a);
		complete = run_round(h, s);
		stress_stats(h, &b);
		print_round(s);
		printf("  %s round %d: lost %" PRIu64 " kernel_drops %" PRIu64 " -> %" PRIu64
		       " overruns %" PRIu64 " -> %" PRIu64 "\n", phase, round, b.lost,
		       a.kernel_drops, b.kernel_drops, a.overruns, b.overruns);
		if (complete)
			delivered_after = 1;
		if (complete && a.kernel_drops == b.kernel_drops && a.overruns == b.overruns) {
			quiet = 1;
			break;
		}
		if (!complete && a.kernel_drops == b.kernel_drops)
			break;  /* nothing was dropped, yet events are missing: a bug */
	}
	CHECK(delivered_after, "%s: after the drain, the FORK/EXIT events of a new "
	      "workload were not all delivered", phase);

	stress_stats(h, &st);
	stress_print_stats(phase, &st);
	printf("%s: loss reports so far: OVERRUN %" PRIu64 " (sum of counts %" PRIu64
	       "), SEQ_GAP %" PRIu64 " (sum %" PRIu64 "), NEGOTIATION %" PRIu64
	       " (sum %" PRIu64 ")\n", phase, s->overrun_reports, s->overrun_sum,
	       s->seq_gap_reports, s->seq_gap_sum, s->negotiation_reports,
	       s->negotiation_sum);
	if (quiet)
		CHECK(st.lost == st.kernel_drops,
		      "%s: stats.lost %" PRIu64 " != stats.kernel_drops %" PRIu64
		      " (SO_MEMINFO SK_MEMINFO_DROPS) after a round without drops",
		      phase, st.lost, st.kernel_drops);
	else
		CHECK(quiet, "%s: no round without new kernel drops in %d tries: cannot "
		      "compare lost %" PRIu64 " with kernel_drops %" PRIu64, phase,
		      ROUNDS_MAX, st.lost, st.kernel_drops);
	CHECK(st.lost <= st.kernel_drops, "%s: lost %" PRIu64 " > kernel_drops %" PRIu64,
	      phase, st.lost, st.kernel_drops);
	CHECK(s->inexact_seq_gaps == 0, "%s: %" PRIu64 " SEQ_GAP reports were not exact",
	      phase, s->inexact_seq_gaps);
	/* every loss counted in stats.lost was reported, exactly once */
	CHECK(s->overrun_sum + s->seq_gap_sum + s->negotiation_sum == st.lost,
	      "%s: OVERRUN %" PRIu64 " + SEQ_GAP %" PRIu64 " + NEGOTIATION %" PRIu64
	      " reported != stats.lost %" PRIu64, phase, s->overrun_sum, s->seq_gap_sum,
	      s->negotiation_sum, st.lost);
	/* the gaps the drops left were paid by the OVERRUN reports, not counted again */
	CHECK(s->seq_gap_sum == 0, "%s: SEQ_GAP reports counted %" PRIu64 " events that "
	      "OVERRUN reports had counted already", phase, s->seq_gap_sum);
	CHECK(s->other_reports == 0, "%s: %" PRIu64 " loss reports with an unknown reason",
	      phase, s->other_reports);
	CHECK(s->overrun_exact == 0, "%s: an OVERRUN report claimed an exact count", phase);
	stress_check_stats(&st, s->callbacks);
	CHECK(st.filtered == 0, "%s: mask ALL, yet %" PRIu64 " events filtered", phase,
	      st.filtered);
}

/*
 * Phase 3 (issue 11): a handle subscribed to EXIT with a tiny receive buffer
 * overflows while nobody reads; the mask is widened to ALL before any
 * dispatch has read the ENOBUFS. Every drop must still be reported, once:
 * before, the widening made the overrun count 0 and no SEQ_GAP ever came.
 */
static void phase_widen(struct state *s, const struct proccn_opts *base)
{
	struct proccn_opts o = *base;
	struct proccn_stats before, st;
	uint64_t reported = 0, drops = 0;
	struct proccn *h;
	int quiet = 0, tries;
	size_t n;

	o.events = PROCCN_EV_EXIT;
	o.rcvbuf = 4096;
	h = stress_open(&o);
	stress_stats(h, &before);
	s->overrun_sum = s->seq_gap_sum = s->negotiation_sum = 0;
	s->overrun_reports = s->seq_gap_reports = 0;
	n = storm(s);
	printf("phase 3 storm: %zu children forked and reaped, mask EXIT, rcvbuf 4096\n", n);
	CHECK(proccn_set_events(h, 0) == 0, "proccn_set_events(ALL) failed");
	/* the counters must agree once a drain ends with the drop counter still */
	for (tries = 0; tries < 20 && !quiet; tries++) {
		drain(h, s, stress_now_ms() + DRAIN_DEADLINE_MS);
		stress_stats(h, &st);
		reported = s->overrun_sum + s->seq_gap_sum + s->negotiation_sum;
		quiet = tries > 0 && st.kernel_drops == drops;
		drops = st.kernel_drops;
	}
	stress_print_stats("phase 3 after the drain", &st);
	printf("phase 3: loss reports: OVERRUN %" PRIu64 " (sum %" PRIu64 "), SEQ_GAP %" PRIu64
	       " (sum %" PRIu64 ")\n", s->overrun_reports, s->overrun_sum, s->seq_gap_reports,
	       s->seq_gap_sum);
	CHECK(quiet, "phase 3: the drop counter never stood still");
	CHECK(st.kernel_drops - before.kernel_drops >= n / 2,
	      "phase 3: only %" PRIu64 " drops for %zu exits: the storm did not overflow",
	      st.kernel_drops - before.kernel_drops, n);
	CHECK(reported == st.kernel_drops - before.kernel_drops,
	      "phase 3: reports counted %" PRIu64 ", the kernel dropped %" PRIu64, reported,
	      st.kernel_drops - before.kernel_drops);
	CHECK(st.lost == reported, "phase 3: stats.lost %" PRIu64 " != reported %" PRIu64,
	      st.lost, reported);
	CHECK(st.lost_exact == 1, "phase 3: mask ALL, yet lost_exact %d", st.lost_exact);
	proccn_close(h);
}

int main(int argc, char **argv)
{
	struct proccn_opts opts = PROCCN_OPTS_INIT;
	struct proccn_stats st, before;
	struct state *s;
	struct proccn *h;
	uint64_t deadline;
	uint64_t reports_before;
	int round, primed = 0;
	pid_t helper;
	size_t n;

	stress_init(TEST, "it forks 2000 processes at once, beyond a normal "
		    "user's RLIMIT_NPROC");
	s = calloc(1, sizeof(*s));
	if (s)
		s->storm = calloc(STORM_CHILDREN, sizeof(pid_t));
	if (!s || !s->storm) {
		printf("FATAL: out of memory\n");
		return 1;
	}

	opts.events = 0;              /* ALL: sequence gaps are exact */
	opts.rcvbuf = ASKED_RCVBUF;
	/* --legacy: the pre-6.6 protocol (4-byte LISTEN), which the kernel still speaks */
	if (argc > 1 && strcmp(argv[1], "--legacy") == 0) {
		opts.flags |= PROCCN_F_FORCE_LEGACY;
	} else if (argc > 1) {
		printf("usage: %s [--legacy]\n", argv[0]);
		return 2;
	}
	h = stress_open(&opts);
	stress_stats(h, &st);
	printf("asked rcvbuf %d, effective %d (SO_RCVBUFFORCE doubles it), mode %d\n",
	       ASKED_RCVBUF, st.rcvbuf, proccn_mode(h));
	if (opts.flags & PROCCN_F_FORCE_LEGACY)
		CHECK(proccn_mode(h) == PROCCN_MODE_LEGACY, "--legacy, yet mode %d",
		      proccn_mode(h));
	CHECK(st.rcvbuf == 2 * ASKED_RCVBUF, "effective rcvbuf %d, expected %d",
	      st.rcvbuf, 2 * ASKED_RCVBUF);
	CHECK(st.lost_exact == 1, "mask ALL but lost_exact %d", st.lost_exact);

	/* prime every CPU's sequence baseline (see the comment at the top) */
	drain(h, s, stress_now_ms() + DRAIN_DEADLINE_MS);
	for (round = 1; round <= ROUNDS_MAX; round++) {
		primed = run_round(h, s);
		print_round(s);
		if (primed)
			break;
	}
	CHECK(primed, "no priming round delivered all its events in %d tries", ROUNDS_MAX);
	stress_stats(h, &before);
	stress_print_stats("before the storm", &before);

	/* phase 1: the storm with nobody reading, then a slow first callback */
	n = storm(s);
	printf("phase 1 storm: %zu children forked and reaped\n", n);
	if (n < STORM_MIN_CHILDREN) {
		CHECK(n >= STORM_MIN_CHILDREN, "only %zu children could be forked", n);
		proccn_close(h);
		return stress_finish(TEST);
	}
	s->slow_pending = 1;
	drain(h, s, stress_now_ms() + DRAIN_DEADLINE_MS);
	stress_stats(h, &st);
	stress_print_stats("phase 1 after the drain", &st);
	printf("phase 1 storm events delivered: %" PRIu64 " FORK, %" PRIu64
	       " EXIT of %zu each\n", s->storm_forks, s->storm_exits, n);
	CHECK(st.overruns > before.overruns, "no overrun counted (overruns %" PRIu64 ")",
	      st.overruns);
	CHECK(s->overrun_reports >= 1, "on_loss never reported PROCCN_LOSS_OVERRUN");
	/* complete at the drain: no need to wait for each CPU to show its gap */
	CHECK(st.lost == st.kernel_drops &&
	      s->overrun_sum + s->seq_gap_sum + s->negotiation_sum == st.lost,
	      "after the drain: lost %" PRIu64 ", kernel_drops %" PRIu64 ", reports counted %"
	      PRIu64, st.lost, st.kernel_drops,
	      s->overrun_sum + s->seq_gap_sum + s->negotiation_sum);
	CHECK(st.kernel_drops > before.kernel_drops, "the kernel dropped nothing "
	      "(kernel_drops %" PRIu64 "): the storm did not overflow", st.kernel_drops);
	CHECK(s->storm_forks + s->storm_exits < 2 * n,
	      "every storm event arrived: nothing overflowed");
	stress_check_stats(&st, s->callbacks);
	verify_after(h, s, "phase 1");

	/* phase 2: the storm runs while we read, slowly */
	stress_stats(h, &before);
	reports_before = s->overrun_reports;
	s->nstorm = 0;          /* the helper's children are not known here */
	s->slow_each = 1;
	helper = storm_in_helper(s);
	deadline = stress_now_ms() + 60000;
	for (;;) {
		int r = proccn_dispatch(h, &callbacks, s, 10), status;
		pid_t w;

		CHECK(r >= 0 || r == -EINTR, "proccn_dispatch returned %d (%s)", r,
		      proccn_strerror(r));
		w = waitpid(helper, &status, WNOHANG);
		if (w == helper) {
			CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			      "the storm helper failed (status %#x)", (unsigned)status);
			break;
		}
		if (stress_now_ms() >= deadline || (r < 0 && r != -EINTR)) {
			CHECK(0, "the storm helper did not finish in 60 s");
			(void)stress_reap(helper, 0);
			break;
		}
	}
	s->slow_each = 0;
	drain(h, s, stress_now_ms() + DRAIN_DEADLINE_MS);
	stress_stats(h, &st);
	stress_print_stats("phase 2 after the drain", &st);
	CHECK(st.overruns > before.overruns, "phase 2: no new overrun (overruns %" PRIu64
	      ")", st.overruns);
	CHECK(st.kernel_drops > before.kernel_drops, "phase 2: the kernel dropped nothing");
	CHECK(s->overrun_reports > reports_before, "phase 2: no new PROCCN_LOSS_OVERRUN report");
	verify_after(h, s, "phase 2");
	proccn_close(h);

	phase_widen(s, &opts);

	free(s->storm);
	free(s);
	return stress_finish(TEST);
}
