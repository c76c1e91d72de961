/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proccn_dispatch() against the fake kernel: timeouts (0 never blocks, N
 * returns after about N ms, -1 waits for an event), callbacks (typed, generic,
 * older callers' smaller structs, stopping and resuming), loss reports
 * (overrun, exact per-CPU sequence gaps, none when gaps are normal), errors
 * from the blocking read, one syscall per wake-up, the fd handed to event
 * loops, batch coalescing, and the statistics.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include "fake_kernel.h"
#include "handle.h"

static struct fake_kernel fk;
static struct proccn *h;
static struct fk_rec *rec;
static struct fk_fixture fixture = { &fk, &h, &rec, 0 };

static void open_on(enum fk_kernel kind, uint32_t events, uint32_t flags, int latency_us)
{
	struct proccn_opts o = PROCCN_OPTS_INIT;

	o.events = events;
	o.flags = flags;
	o.ack_timeout_ms = 20;
	o.max_batch_latency_us = latency_us;
	assert_int_equal(fk_init(&fk, kind), 0);
	assert_int_equal(fk_open(&fk, &h, &o), 0);
}

/*
 * A 6.6+ kernel, default options, every message on CPU 0 from the ACK on: one
 * sequence of numbers, so each message lost is a gap the library must see.
 */
static void open_on_cpu0(void)
{
	struct proccn_opts o = PROCCN_OPTS_INIT;

	assert_int_equal(fk_init(&fk, FK_MODERN), 0);
	fk.fixed_cpu = 0;
	assert_int_equal(fk_open(&fk, &h, &o), 0);
}

static struct proccn_stats stats(void)
{
	struct proccn_stats st;

	memset(&st, 0, sizeof(st));
	st.sz = sizeof(st);
	assert_int_equal(proccn_get_stats(h, &st), 0);
	return st;
}

static void test_timeout_zero_does_not_block(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	int64_t t0;

	(void)state;
	open_on(FK_MODERN, 0, 0, 0);
	t0 = fk_now_ms();
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 0);
	assert_true(fk_now_ms() - t0 < 50);
	assert_int_equal(rec->n, 0);
}

static void test_timeout_n_returns_zero(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	int64_t t0, dt;

	(void)state;
	open_on(FK_MODERN, 0, 0, 0);
	t0 = fk_now_ms();
	assert_int_equal(proccn_dispatch(h, &cb, rec, 100), 0);
	dt = fk_now_ms() - t0;
	assert_true(dt >= 95);
	assert_true(dt < 1000);
}

/* A datagram that arrives from another thread after @delay_ms. */
struct late {
	int fd;
	int delay_ms;
	uint8_t frame[12 + FK_DGRAM_LEN];
};

static void *late_sender(void *arg)
{
	struct late *l = arg;
	struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)l->delay_ms * 1000000L };

	nanosleep(&ts, NULL);
	/* generated now, as the kernel would stamp it (pacing judges bursts by it) */
	dgram_put64(l->frame + 12 + DGRAM_OFF_TS, (uint64_t)fk_now_us() * 1000u);
	/* straight onto the socket: the fake's state belongs to the main thread */
	(void)send(l->fd, l->frame, sizeof(l->frame), 0);
	return NULL;
}

/*
 * @ev as the fake kernel frames it on its socket: the sender's address, then
 * the datagram, with sequence number @seq on CPU 0.
 */
static void frame_event_seq(uint8_t frame[12 + FK_DGRAM_LEN], struct fk_ev ev, uint32_t seq)
{
	struct sockaddr_nl sa;

	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = 1;
	memcpy(frame, &sa, 12);
	fk_build(frame + 12, seq, 0, 0, 1, &ev);
}

static void frame_event(uint8_t frame[12 + FK_DGRAM_LEN], struct fk_ev ev)
{
	frame_event_seq(frame, ev, 1000);
}

static void start_late(struct late *l, pthread_t *t, int delay_ms, struct fk_ev ev)
{
	frame_event(l->frame, ev);
	l->fd = fk.fd;
	l->delay_ms = delay_ms;
	assert_int_equal(pthread_create(t, NULL, late_sender, l), 0);
}

/*
 * Dispatch with @timeout_ms while @ev arrives from another thread after
 * @delay_ms: exactly one event must be delivered. Returns how long the
 * dispatch took in ms, counted from before the sender started.
 */
static int64_t dispatch_late_event(int delay_ms, struct fk_ev ev, int timeout_ms)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	struct late l;
	pthread_t t;
	int64_t t0, dt;

	t0 = fk_now_ms();
	start_late(&l, &t, delay_ms, ev);
	assert_int_equal(proccn_dispatch(h, &cb, rec, timeout_ms), 1);
	dt = fk_now_ms() - t0;
	pthread_join(t, NULL);
	return dt;
}

static void test_blocking_waits_for_event(void **state)
{
	int64_t dt;

	(void)state;
	open_on(FK_MODERN, 0, PROCCN_F_NO_SOCKET_FILTER, 0);
	dt = dispatch_late_event(50, fk_exec(42, 42), -1);
	assert_true(dt >= 40);
	assert_int_equal(rec->n, 1);
	assert_int_equal(rec->ev[0].exec.pid, 42);
}

/* With a timeout, an event that comes in time is delivered at once. */
static void test_timeout_n_delivers_late_event(void **state)
{
	int64_t dt;

	(void)state;
	open_on(FK_MODERN, 0, 0, 0);
	dt = dispatch_late_event(30, fk_sid(43, 43), 2000);
	assert_true(dt < 1500);
	assert_int_equal(rec->ev[0].sid.pid, 43);
}

/*
 * Adaptive batching: a lone event is delivered at once, whatever the cap
 * (before, every read waited the whole max_batch_latency_us).
 */
static void test_lone_event_not_held(void **state)
{
	int64_t dt;

	(void)state;
	open_on(FK_MODERN, 0, 0, 60000);
	dt = dispatch_late_event(10, fk_exec(44, 44), 2000);
	assert_true(dt < 40);       /* not 10 + 60 */
	assert_false(h->pacing.burst);
}

static void test_readable_fd(void **state)
{
	struct pollfd pfd;

	(void)state;
	open_on(FK_MODERN, 0, 0, 0);
	pfd.fd = proccn_fd(h);
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 0), 0);
	assert_int_equal(fk_generate(&fk, fk_exec(1, 1)), 1);
	assert_int_equal(poll(&pfd, 1, 0), 1);
	assert_true(pfd.revents & POLLIN);
}

/* Five events; the callback stops at the second; the next call resumes. */
static void test_callback_stops_and_resumes(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	struct proccn_stats st;
	int i;

	(void)state;
	open_on(FK_MODERN, 0, 0, 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(fk_generate(&fk, fk_exec(100 + i, 100 + i)), 1);
	rec->stop_at = 2;
	rec->stop_err = -ECANCELED;
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), -ECANCELED);
	assert_int_equal(rec->n, 2);
	/* the rest was read already: it is kept, not lost, and not re-read */
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 3);
	assert_int_equal(rec->n, 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(rec->ev[i].exec.pid, 100 + i);
	st = stats();
	assert_int_equal(st.delivered, 5);
	assert_int_equal(st.received, 5);
	assert_int_equal(st.lost, 0);
}

/* The same for events kept from negotiation. */
static void test_stop_inside_pending(void **state)
{
	struct proccn_opts o = PROCCN_OPTS_INIT;
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	int i;

	(void)state;
	assert_int_equal(fk_init(&fk, FK_MODERN), 0);
	for (i = 0; i < 3; i++)
		fk.before_ack[fk.n_before_ack++] = fk_exec(200 + i, 200 + i);
	assert_int_equal(fk_open(&fk, &h, &o), 0);
	assert_int_equal(fk_generate(&fk, fk_exec(203, 203)), 1);
	rec->stop_at = 1;
	rec->stop_err = -ECANCELED;
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), -ECANCELED);
	assert_int_equal(rec->n, 1);
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 3);
	for (i = 0; i < 4; i++)
		assert_int_equal(rec->ev[i].exec.pid, 200 + i);
}

/*
 * The contract: a callback's negative value is what dispatch returns, any
 * errno. -EINTR must not be mistaken for an interrupted poll.
 */
static void test_callback_eintr_is_returned(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);

	(void)state;
	open_on(FK_MODERN, 0, 0, 0);
	fk_generate(&fk, fk_exec(1, 1));
	fk_generate(&fk, fk_exec(2, 2));
	rec->stop_at = 1;
	rec->stop_err = -EINTR;
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), -EINTR);
	assert_int_equal(rec->n, 1);
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 1);
	assert_int_equal(rec->ev[1].exec.pid, 2);
}

/* Every kind through its typed callback; an unknown kind through on_event. */
static void test_typed_and_generic(void **state)
{
	struct proccn_callbacks typed = fk_rec_callbacks(1), generic = fk_rec_callbacks(0);
	const char comm[16] = "cat";
	uint32_t w[6] = { 7, 7, 7, 7, 7, 7 };

	(void)state;
	open_on(FK_MODERN, 0, 0, 0);
	fk_generate(&fk, fk_fork(1, 1, 2, 2));
	fk_generate(&fk, fk_exec(2, 2));
	fk_generate(&fk, fk_uid(2, 2, 1, 1));
	fk_generate(&fk, fk_gid(2, 2, 1, 1));
	fk_generate(&fk, fk_sid(2, 2));
	fk_generate(&fk, fk_ptrace(2, 2, 3, 3));
	fk_generate(&fk, fk_comm(2, 2, comm));
	fk_generate(&fk, fk_coredump(2, 2, 1, 1));
	fk_generate(&fk, fk_exit(2, 2, 0x8b, 17, 1, 1));
	fk_generate(&fk, fk_raw(0x00000400, w));
	assert_int_equal(proccn_dispatch(h, &typed, rec, 0), 10);
	assert_int_equal(rec->typed_calls, 9);
	assert_int_equal(rec->generic_calls, 1);
	assert_int_equal(rec->ev[6].hdr.kind, PROCCN_EV_COMM);
	assert_string_equal(rec->ev[6].comm.comm, "cat");
	assert_int_equal(rec->ev[9].hdr.kind, 0x400);
	assert_int_equal(rec->ev[9].raw.len, 24);
	assert_memory_equal(rec->ev[9].raw.data, fk_raw(0x400, w).data, 24);

	/* only on_event: it gets every kind */
	memset(rec, 0, sizeof(*rec));
	fk_generate(&fk, fk_fork(1, 1, 2, 2));
	fk_generate(&fk, fk_exec(2, 2));
	fk_generate(&fk, fk_uid(2, 2, 1, 1));
	fk_generate(&fk, fk_gid(2, 2, 1, 1));
	fk_generate(&fk, fk_sid(2, 2));
	fk_generate(&fk, fk_ptrace(2, 2, 3, 3));
	fk_generate(&fk, fk_comm(2, 2, comm));
	fk_generate(&fk, fk_coredump(2, 2, 1, 1));
	fk_generate(&fk, fk_exit(2, 2, 0, 17, 1, 1));
	assert_int_equal(proccn_dispatch(h, &generic, rec, 0), 9);
	assert_int_equal(rec->generic_calls, 9);
	assert_int_equal(rec->typed_calls, 0);
	assert_int_equal(rec->ev[5].ptrace.tracer_pid, 3);
	assert_int_equal(rec->ev[8].exit.pid, 2);
}

/*
 * An older caller's struct ends before on_event: that member is never read.
 * An event no callback takes is counted as unhandled, not as delivered.
 */
static void test_small_callbacks_struct(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	struct proccn_stats st;
	uint32_t w[6] = { 0 };

	(void)state;
	open_on(FK_MODERN, 0, 0, 0);
	cb.sz = offsetof(struct proccn_callbacks, on_event);
	fk_generate(&fk, fk_raw(0x00000400, w));
	fk_generate(&fk, fk_exec(5, 5));
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 1);
	assert_int_equal(rec->typed_calls, 1);
	assert_int_equal(rec->generic_calls, 0);
	st = stats();
	assert_int_equal(st.delivered, 1);
	assert_int_equal(st.unhandled, 1);

	/* no callbacks at all: events are consumed, nothing is called or delivered */
	cb.sz = sizeof(cb.sz);
	fk_generate(&fk, fk_exec(6, 6));
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 0);
	assert_int_equal(rec->n, 1);
	st = stats();
	assert_int_equal(st.delivered, 1);
	assert_int_equal(st.unhandled, 2);

	/* never half a member: an sz that ends inside a pointer is refused */
	cb.sz = offsetof(struct proccn_callbacks, on_exec) + 4;
	fk_generate(&fk, fk_fork(6, 6, 7, 7));
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), -EINVAL);
	cb.sz = offsetof(struct proccn_callbacks, on_exec);
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 1);
	assert_int_equal(rec->typed_calls, 2);

	cb.sz = sizeof(cb.sz) - 1;
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), -EINVAL);
	cb.sz = sizeof(cb);
	assert_int_equal(proccn_dispatch(NULL, &cb, rec, 0), -EINVAL);
	assert_int_equal(proccn_dispatch(h, NULL, rec, 0), -EINVAL);
}

/*
 * A newer caller's larger callbacks struct: fine when the members this
 * library does not know are NULL, -E2BIG when one is set (as for options).
 */
static void test_large_callbacks_struct(void **state)
{
	union {
		struct proccn_callbacks cb;
		uint8_t b[sizeof(struct proccn_callbacks) + sizeof(void *)];
	} u;

	(void)state;
	open_on(FK_MODERN, 0, 0, 0);
	memset(&u, 0, sizeof(u));
	u.cb = fk_rec_callbacks(1);
	u.cb.sz = sizeof(u);
	assert_int_equal(fk_generate(&fk, fk_exec(5, 5)), 1);
	assert_int_equal(proccn_dispatch(h, &u.cb, rec, 0), 1);
	u.b[sizeof(struct proccn_callbacks) + 1] = 1;
	assert_int_equal(fk_generate(&fk, fk_exec(6, 6)), 1);
	assert_int_equal(proccn_dispatch(h, &u.cb, rec, 0), -E2BIG);
	assert_int_equal(rec->n, 1);
}

/* ENOBUFS: reported through on_loss, the handle keeps working. */
static void test_overrun(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	struct proccn_stats st;

	(void)state;
	open_on(FK_MODERN, 0, 0, 0);
	fk_generate(&fk, fk_exec(1, 1));
	fk_generate(&fk, fk_exec(2, 2));
	fk.recv_errno = ENOBUFS;
	fk.recv_fail_count = 1;
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 2);
	assert_int_equal(rec->n, 2);
	assert_int_equal(rec->nloss, 1);
	assert_int_equal(rec->loss[0].reason, PROCCN_LOSS_OVERRUN);
	assert_int_equal(rec->loss[0].exact, 0);
	st = stats();
	assert_int_equal(st.overruns, 1);
	/* reported once; later dispatches go on normally */
	fk_generate(&fk, fk_exec(3, 3));
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 1);
	assert_int_equal(rec->nloss, 1);
}

/* on_loss may stop the dispatch too; the events are kept for the next call. */
static void test_loss_callback_stops_overrun(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);

	(void)state;
	open_on(FK_MODERN, 0, 0, 0);
	fk_generate(&fk, fk_exec(1, 1));
	fk.recv_errno = ENOBUFS;
	fk.recv_fail_count = 1;
	rec->loss_err = -ECANCELED;
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), -ECANCELED);
	assert_int_equal(rec->nloss, 1);
	assert_int_equal(rec->loss[0].reason, PROCCN_LOSS_OVERRUN);
	{
		int before = (int)rec->n;   /* the event may have come before the report */

		assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 1 - before);
	}
	assert_int_equal(rec->n, 1);
	assert_int_equal(rec->nloss, 1);
}

static void test_loss_callback_stops(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);

	(void)state;
	open_on_cpu0();
	fk_generate(&fk, fk_exec(1, 1));
	fk_generate_lost(&fk, fk_exec(2, 2));
	fk_generate(&fk, fk_exec(3, 3));
	rec->loss_err = -ECANCELED;
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), -ECANCELED);
	assert_int_equal(rec->nloss, 1);
	assert_int_equal(rec->loss[0].reason, PROCCN_LOSS_SEQ_GAP);
	assert_int_equal(rec->n, 1);
	/* the event whose number showed the gap was read but not delivered: keep it */
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 1);
	assert_int_equal(rec->n, 2);
	assert_int_equal(rec->ev[1].exec.pid, 3);
	assert_int_equal(rec->nloss, 1);

	/* an overrun report that stops */
	fk.recv_errno = ENOBUFS;
	fk.recv_fail_count = 1;
	rec->loss_err = -ECANCELED;
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), -ECANCELED);
	assert_int_equal(rec->loss[1].reason, PROCCN_LOSS_OVERRUN);
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 0);
	assert_int_equal(rec->nloss, 2);
}

/*
 * An overrun while counting exactly, whose gap was reported as SEQ_GAP, then
 * a narrower mask before the queue was drained: the overrun's report must
 * not count the same events again from the kernel's drop counter. Without
 * the SEQ_GAP seen, it counts them from the drops, once.
 */
static void test_overrun_not_counted_twice(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	int gap_seen;

	(void)state;
	for (gap_seen = 1; gap_seen >= 0; gap_seen--) {
		uint64_t total = 0;
		unsigned int i;

		open_on(FK_MODERN, 0, PROCCN_F_NO_SOCKET_FILTER, 0);
		fk.fixed_cpu = 0;
		fk_generate(&fk, fk_exec(1, 1));
		fk_generate_lost(&fk, fk_exec(2, 2));
		fk_generate_lost(&fk, fk_exec(3, 3));
		fk.drops += 2;
		/* more than a batch: the gap shows before the queue is drained */
		for (i = 0; i < 70; i++)
			fk_generate(&fk, fk_exec(10 + (pid_t)i, 10 + (pid_t)i));
		fk.recv_errno = ENOBUFS;
		fk.recv_fail_count = 1;
		if (gap_seen) {
			/* stop at the SEQ_GAP report, before the queue is drained */
			rec->loss_err = -ECANCELED;
			assert_int_equal(proccn_dispatch(h, &cb, rec, 0), -ECANCELED);
			assert_int_equal(rec->loss[0].reason, PROCCN_LOSS_SEQ_GAP);
			rec->loss_err = 0;
		} else {
			/* stop at the first event, before exec 10 shows the gap */
			rec->stop_at = 1;
			rec->stop_err = -ECANCELED;
			assert_int_equal(proccn_dispatch(h, &cb, rec, 0), -ECANCELED);
			rec->stop_at = 0;
		}
		assert_int_equal(proccn_set_events(h, PROCCN_EV_EXEC), 0);
		while (proccn_dispatch(h, &cb, rec, 0) > 0)
			;
		for (i = 0; i < rec->nloss; i++)
			total += rec->loss[i].count;
		assert_int_equal(total, 2);
		assert_int_equal(rec->loss[rec->nloss - 1].reason, PROCCN_LOSS_OVERRUN);
		h = proccn_close(h);
		fk_fini(&fk);
		memset(rec, 0, sizeof(*rec));
	}
}

/*
 * Events lost to an overflow while counting exactly: the overrun is reported
 * without a count, and the count comes once, as a SEQ_GAP when the CPU sends
 * again. The same when the overflow happened while negotiating. If the mask
 * narrows before that CPU sends again, the gap will never be seen: the count
 * then comes from the kernel's drop counter, still once.
 */
static void test_overrun_counted_once(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	int during_open, narrow;

	(void)state;
	for (during_open = 0; during_open <= 1; during_open++)
		for (narrow = 0; narrow <= 1; narrow++) {
			uint64_t total = 0;
			unsigned int i;

			assert_int_equal(fk_init(&fk, FK_MODERN), 0);
			if (during_open) {
				fk.recv_errno = ENOBUFS;
				fk.recv_fail_count = 1;
			}
			{
				struct proccn_opts o = PROCCN_OPTS_INIT;

				o.flags = PROCCN_F_NO_SOCKET_FILTER;
				o.ack_timeout_ms = 20;
				assert_int_equal(fk_open(&fk, &h, &o), 0);
			}
			fk.fixed_cpu = 0;
			fk_generate(&fk, fk_exec(1, 1));
			fk_generate_lost(&fk, fk_exec(2, 2));
			fk_generate_lost(&fk, fk_exec(3, 3));
			fk.drops += 2;
			if (!during_open) {
				fk.recv_errno = ENOBUFS;
				fk.recv_fail_count = 1;
			}
			/* drained and reported before CPU 0 sends again */
			assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 1);
			if (narrow)
				assert_int_equal(proccn_set_events(h, PROCCN_EV_EXEC), 0);
			fk_generate(&fk, fk_exec(4, 4));
			while (proccn_dispatch(h, &cb, rec, 0) > 0)
				;
			for (i = 0; i < rec->nloss; i++)
				total += rec->loss[i].count;
			assert_int_equal(total, 2);
			h = proccn_close(h);
			fk_fini(&fk);
			memset(rec, 0, sizeof(*rec));
		}
}

/*
 * Issue 11: a widened mask swallowed a drop count. Mask EXIT, an overflow
 * the kernel counted (2000 drops), then mask ALL before any dispatch read
 * the ENOBUFS: the reports must still count every drop, once.
 */
static void test_widen_after_overflow_counts_drops(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	uint64_t total = 0;
	unsigned int i;

	(void)state;
	open_on(FK_MODERN, PROCCN_EV_EXIT, 0, 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(fk_generate(&fk, fk_exit(10 + (pid_t)i, 10 + (pid_t)i, 0, 17, 1, 1)), 1);
	fk.drops += 2000;
	fk.recv_errno = ENOBUFS;
	fk.recv_fail_count = 1;
	assert_int_equal(proccn_set_events(h, 0), 0);
	assert_int_equal(fk_generate(&fk, fk_exec(20, 20)), 1);
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 4);
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 0);
	for (i = 0; i < rec->nloss; i++) {
		assert_int_equal(rec->loss[i].reason, PROCCN_LOSS_OVERRUN);
		total += rec->loss[i].count;
	}
	assert_true(rec->nloss >= 1);
	assert_int_equal(total, 2000);
	assert_int_equal(stats().lost, 2000);
	assert_int_equal(stats().lost_exact, 1);
}

/* An overrun alone (nothing to deliver) still ends a blocking dispatch. */
static void test_overrun_alone_ends_blocking_dispatch(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	int64_t t0;

	(void)state;
	open_on(FK_OLD, PROCCN_EV_EXIT, 0, 0);
	fk.recv_errno = ENOBUFS;
	fk.recv_fail_count = 1;
	t0 = fk_now_ms();
	assert_int_equal(proccn_dispatch(h, &cb, rec, 2000), 0);
	assert_true(fk_now_ms() - t0 < 1000);
	assert_int_equal(rec->nloss, 1);
	assert_int_equal(rec->loss[0].reason, PROCCN_LOSS_OVERRUN);
}

/* Mask ALL: per-CPU gaps are exact losses, reported before the event that shows them. */
static void test_seq_gap_exact(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	struct proccn_stats st;

	(void)state;
	open_on_cpu0();
	fk_generate(&fk, fk_exec(1, 1));
	fk_generate_lost(&fk, fk_exec(2, 2));
	fk_generate_lost(&fk, fk_exec(3, 3));
	fk_generate_lost(&fk, fk_exec(4, 4));
	fk_generate(&fk, fk_exec(5, 5));
	/* another CPU's numbers are independent: no gap there */
	fk.fixed_cpu = 1;
	fk_generate(&fk, fk_exec(6, 6));
	fk_generate(&fk, fk_exec(7, 7));
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 4);
	assert_int_equal(rec->nloss, 1);
	assert_int_equal(rec->loss[0].reason, PROCCN_LOSS_SEQ_GAP);
	assert_int_equal(rec->loss[0].count, 3);
	assert_int_equal(rec->loss[0].exact, 1);
	assert_int_equal(rec->loss_at[0], 1);
	st = stats();
	assert_int_equal(st.lost, 3);
	assert_int_equal(st.lost_exact, 1);
}

/*
 * Widening to ALL with events still queued: those came through the narrower
 * mask, with gaps that are no loss. Nothing may be reported for them, and
 * counting is exact again for what the kernel generates afterwards.
 */
static void test_widen_to_all_no_false_loss(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	struct proccn_stats st;
	int i;

	(void)state;
	open_on(FK_MODERN, PROCCN_EV_EXIT, PROCCN_F_NO_SOCKET_FILTER, 0);
	fk.fixed_cpu = 0;
	for (i = 0; i < 3; i++) {
		fk_generate(&fk, fk_fork(1, 1, 100 + i, 100 + i));   /* the kernel drops these */
		fk_generate(&fk, fk_exit(100 + i, 100 + i, 0, 17, 1, 1));
	}
	assert_int_equal(proccn_set_events(h, 0), 0);
	fk_generate(&fk, fk_fork(1, 1, 200, 200));
	fk_generate(&fk, fk_exit(200, 200, 0, 17, 1, 1));
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 5);
	assert_int_equal(rec->nloss, 0);
	st = stats();
	assert_int_equal(st.lost, 0);
	assert_int_equal(st.lost_exact, 1);

	/* and a real loss after the change is seen, exactly */
	fk_generate(&fk, fk_exec(201, 201));
	fk_generate_lost(&fk, fk_exec(202, 202));
	fk_generate(&fk, fk_exec(203, 203));
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 2);
	assert_int_equal(rec->nloss, 1);
	assert_int_equal(rec->loss[0].reason, PROCCN_LOSS_SEQ_GAP);
	assert_int_equal(rec->loss[0].count, 1);
	assert_int_equal(stats().lost, 1);
}

/* A narrower kernel-side mask: gaps are normal, nothing is reported. */
static void test_seq_gap_normal_with_mask(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	struct proccn_stats st;

	(void)state;
	open_on(FK_MODERN, PROCCN_EV_EXIT, PROCCN_F_NO_SOCKET_FILTER, 0);
	fk.fixed_cpu = 0;
	fk_generate(&fk, fk_exit(1, 1, 0, 17, 1, 1));
	assert_int_equal(fk_generate(&fk, fk_exec(2, 2)), 0);
	assert_int_equal(fk_generate(&fk, fk_fork(1, 1, 3, 3)), 0);
	fk_generate(&fk, fk_exit(2, 2, 0, 17, 1, 1));
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 2);
	assert_int_equal(rec->nloss, 0);
	st = stats();
	assert_int_equal(st.lost, 0);
	assert_int_equal(st.lost_exact, 0);
}

/* Legacy mode without a socket filter gets everything: gaps are exact again. */
static void test_seq_gap_legacy(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);

	(void)state;
	open_on(FK_OLD, PROCCN_EV_EXIT, PROCCN_F_NO_SOCKET_FILTER, 0);
	fk.fixed_cpu = 1;
	fk_generate(&fk, fk_exec(1, 1));     /* filtered in userspace, still numbered */
	fk_generate_lost(&fk, fk_exit(2, 2, 0, 17, 1, 1));
	fk_generate(&fk, fk_exit(3, 3, 0, 17, 1, 1));
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 1);
	assert_int_equal(rec->ev[0].exit.pid, 3);
	assert_int_equal(rec->nloss, 1);
	assert_int_equal(rec->loss[0].reason, PROCCN_LOSS_SEQ_GAP);
	assert_int_equal(rec->loss[0].count, 1);
	assert_int_equal(stats().filtered, 1);
}

/* A blocking read that fails returns its error; nothing is lost, the handle works on. */
static void test_wait_errors(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);

	(void)state;
	open_on(FK_MODERN, 0, 0, 0);
	fk.recv_errno = EINTR;
	fk.recv_fail_count = 1;
	assert_int_equal(proccn_dispatch(h, &cb, rec, -1), -EINTR);
	fk.recv_errno = EINTR;
	fk.recv_fail_count = 1;
	assert_int_equal(proccn_dispatch(h, &cb, rec, 500), -EINTR);
	fk.recv_errno = ENOMEM;
	fk.recv_fail_count = 1;
	assert_int_equal(proccn_dispatch(h, &cb, rec, 500), -ENOMEM);
	/* and the handle still works */
	fk_generate(&fk, fk_exec(1, 1));
	assert_int_equal(proccn_dispatch(h, &cb, rec, 500), 1);
}

/* Without a limit, a read that times out (after a day, see recv.c) just waits again. */
static void test_no_limit_outlasts_rcvtimeo(void **state)
{
	(void)state;
	open_on(FK_MODERN, 0, 0, 0);
	fk.recv_errno = EAGAIN;
	fk.recv_fail_count = 2;
	dispatch_late_event(20, fk_exec(49, 49), -1);
	assert_int_equal(fk.recv_fail_count, 0);
	assert_int_equal(rec->ev[0].exec.pid, 49);
}

/* A signal, then (only if the signal did not end the wait) an event. */
struct interrupter {
	pthread_t target;
	int fd;
	uint8_t frame[12 + FK_DGRAM_LEN];
};

static void *interrupt_then_send(void *arg)
{
	struct interrupter *in = arg;
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 50 * 1000000L };

	nanosleep(&ts, NULL);
	pthread_kill(in->target, SIGUSR1);
	ts.tv_sec = 1;
	ts.tv_nsec = 0;
	nanosleep(&ts, NULL);  /* a cancellation point: normally the end */
	(void)send(in->fd, in->frame, sizeof(in->frame), 0);
	return NULL;
}

static void on_usr1(int sig)
{
	(void)sig;
}

/*
 * A caught signal ends a wait without limit with -EINTR even when its handler
 * has SA_RESTART (the kernel would restart a read without a timeout). Should
 * it not, the event sent a second later ends the wait and the test fails.
 */
/*
 * Dispatch with @cb and @timeout_ms while a thread sends SIGUSR1 (caught,
 * SA_RESTART) after 50 ms and @ev a second later. Returns what dispatch
 * returned; *dt_ms is how long it took.
 */
static int dispatch_signalled(const struct proccn_callbacks *cb, int timeout_ms,
			      struct fk_ev ev, int64_t *dt_ms)
{
	struct sigaction sa, old;
	struct interrupter in;
	int64_t t0;
	pthread_t t;
	int r;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
	frame_event(in.frame, ev);
	in.fd = fk.fd;
	in.target = pthread_self();
	assert_int_equal(pthread_create(&t, NULL, interrupt_then_send, &in), 0);
	t0 = fk_now_ms();
	r = proccn_dispatch(h, cb, rec, timeout_ms);
	*dt_ms = fk_now_ms() - t0;
	pthread_cancel(t);
	pthread_join(t, NULL);
	sigaction(SIGUSR1, &old, NULL);
	return r;
}

static void test_eintr_with_sa_restart(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	int64_t dt;

	(void)state;
	open_on(FK_MODERN, 0, 0, 0);
	assert_int_equal(dispatch_signalled(&cb, -1, fk_exec(48, 48), &dt), -EINTR);
	assert_int_equal(rec->n, 0);
}

/*
 * A burst: two events generated microseconds apart, read by one dispatch,
 * with a cap of @cap_ms. They are delivered at once; what comes next gathers.
 */
static void start_burst(int cap_ms)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);

	open_on(FK_MODERN, 0, 0, cap_ms * 1000);
	assert_int_equal(fk_generate(&fk, fk_exec(60, 60)), 1);
	assert_int_equal(fk_generate(&fk, fk_exec(61, 61)), 1);
	assert_int_equal(proccn_dispatch(h, &cb, rec, 2000), 2);
	assert_true(h->pacing.burst);
}

/*
 * While a burst is under way, the next blocking dispatch lets events gather
 * for the cap and then reads without sleeping: one recvmmsg(2) per batch,
 * not one wake-up per event.
 */
static void test_gather_first_during_burst(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	int64_t t0, dt;
	unsigned int recv0;

	(void)state;
	start_burst(40);
	assert_int_equal(fk_generate(&fk, fk_exec(62, 62)), 1);
	assert_int_equal(fk_generate(&fk, fk_exec(63, 63)), 1);
	recv0 = fk.recv_calls;
	t0 = fk_now_ms();
	assert_int_equal(proccn_dispatch(h, &cb, rec, 2000), 2);
	dt = fk_now_ms() - t0;
	assert_true(dt >= 35);      /* it gathered, though exec 62 was already there */
	assert_true(dt < 1500);
	assert_int_equal(fk.recv_calls - recv0, 1);
	assert_true(fk.last_recv_flags & MSG_DONTWAIT);
	assert_int_equal(rec->n, 4);
	assert_int_equal(rec->ev[3].exec.pid, 63);
	assert_true(h->pacing.burst);
}

/*
 * When the burst is over, the gathering finds nothing: wait for the next
 * event, deliver it as soon as it comes, and stop gathering.
 */
static void test_burst_over_waits_again(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	int64_t dt;

	(void)state;
	start_burst(40);
	dt = dispatch_late_event(100, fk_exec(64, 64), 2000);
	assert_true(dt >= 95);
	assert_true(dt < 135);      /* not held after it came: not 100 + 40 */
	assert_int_equal(rec->n, 3);
	assert_int_equal(rec->ev[2].exec.pid, 64);
	assert_false(h->pacing.burst);
	/* and the next lone event is not held either */
	dt = dispatch_late_event(10, fk_exec(65, 65), 2000);
	assert_true(dt < 35);
	(void)cb;
}

/*
 * A burst whose last event is older than half the cap is over (or the reader
 * fell behind): the next dispatch reads at once instead of gathering.
 */
static void test_stale_burst_does_not_gather(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	struct timespec pause_30ms = { 0, 30 * 1000000L };
	int64_t t0;

	(void)state;
	start_burst(40);
	nanosleep(&pause_30ms, NULL);
	assert_int_equal(fk_generate(&fk, fk_exec(66, 66)), 1);
	t0 = fk_now_ms();
	assert_int_equal(proccn_dispatch(h, &cb, rec, 2000), 1);
	assert_true(fk_now_ms() - t0 < 15);
}

/* PROCCN_LATENCY_NONE: events never gather, each read wakes for what is there. */
static void test_latency_none_never_gathers(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	int64_t t0;
	int i;

	(void)state;
	open_on(FK_MODERN, 0, 0, PROCCN_LATENCY_NONE);
	for (i = 0; i < 2; i++) {
		assert_int_equal(fk_generate(&fk, fk_exec(70 + 2 * i, 70 + 2 * i)), 1);
		assert_int_equal(fk_generate(&fk, fk_exec(71 + 2 * i, 71 + 2 * i)), 1);
		t0 = fk_now_ms();
		assert_int_equal(proccn_dispatch(h, &cb, rec, 2000), 2);
		assert_true(fk_now_ms() - t0 < 20);
	}
	assert_int_equal(h->pacing.cap_us, 0);
}

/*
 * The default (0) is adaptive with the library's cap: 1 ms, a burst being two
 * events within 0.5 ms. (How the cap is used is timed with longer caps
 * above: a 1 ms one is too short to time under valgrind.)
 */
static void test_default_cap(void **state)
{
	(void)state;
	open_on(FK_MODERN, 0, 0, 0);
	assert_int_equal(h->pacing.cap_us, PCN_DEFAULT_CAP_US);
	assert_int_equal(PCN_DEFAULT_CAP_US, 1000);
	assert_int_equal(h->pacing.close_ns, 500000);
}

/* Gathering ends with the caller's timeout when that comes sooner. */
static void test_gather_respects_timeout(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	int64_t t0, dt;

	(void)state;
	start_burst(300);
	assert_int_equal(fk_generate(&fk, fk_exec(64, 64)), 1);
	t0 = fk_now_ms();
	assert_int_equal(proccn_dispatch(h, &cb, rec, 50), 1);
	dt = fk_now_ms() - t0;
	assert_true(dt >= 45);
	assert_true(dt < 200);
	assert_int_equal(rec->ev[2].exec.pid, 64);
}

/* A signal while gathering, with nothing come: -EINTR, as from a wait. */
static void test_eintr_while_gathering(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	int64_t dt;

	(void)state;
	start_burst(600);
	assert_int_equal(dispatch_signalled(&cb, -1, fk_exec(65, 65), &dt), -EINTR);
	assert_true(dt < 500);      /* the signal came at 50 ms, into 600 ms of gathering */
	assert_int_equal(rec->n, 2);
}

/*
 * A signal while gathering (or waiting), when what was read goes to no
 * callback (a FORK, with only on_exit set): -EINTR at once, not another wait.
 */
static void test_eintr_with_nothing_handled(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1), only_exit;
	int64_t dt;
	int bursting;

	(void)state;
	memset(&only_exit, 0, sizeof(only_exit));
	only_exit.sz = sizeof(only_exit);
	only_exit.on_exit = cb.on_exit;
	for (bursting = 0; bursting <= 1; bursting++) {
		if (bursting)
			start_burst(400);   /* the gathering comes before the read */
		else
			open_on(FK_MODERN, 0, 0, 400000);
		assert_int_equal(fk_generate(&fk, fk_fork(1, 1, 70, 70)), 1);
		assert_int_equal(dispatch_signalled(&only_exit, 3000, fk_exit(71, 71, 0, 17, 1, 1),
						    &dt), -EINTR);
		assert_true(dt < 350);   /* the signal came at 50 ms */
		h = proccn_close(h);
		fk_fini(&fk);
	}
}

/*
 * Without a limit, a blocking dispatch costs one syscall per wake-up: the
 * read that sleeps is the read that returns the event. With a timeout, a
 * poll(2) keeps it exactly (the socket's own timeout is counted in scheduler
 * ticks): two syscalls, and SO_RCVTIMEO stays the day set at open.
 */
static void test_syscalls_per_wakeup(void **state)
{
	struct timeval tv;
	socklen_t len = sizeof(tv);
	uint64_t recv0, poll0;

	(void)state;
	open_on(FK_MODERN, 0, 0, 0);
	recv0 = fk.recv_calls;
	poll0 = fk.poll_calls;
	dispatch_late_event(30, fk_exec(45, 45), -1);
	assert_int_equal(fk.recv_calls - recv0, 1);
	assert_int_equal(fk.poll_calls - poll0, 0);
	recv0 = fk.recv_calls;
	dispatch_late_event(30, fk_exec(46, 46), 700);
	assert_int_equal(fk.recv_calls - recv0, 1);
	assert_int_equal(fk.poll_calls - poll0, 1);
	assert_int_equal(getsockopt(h->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, &len), 0);
	assert_int_equal(tv.tv_sec, 24 * 3600);
	assert_int_equal(rec->n, 2);
	assert_int_equal(rec->ev[1].exec.pid, 46);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/*
 * A timeout is kept to the millisecond: dispatch(..., 1) with nothing to
 * read returns after about 1 ms. (SO_RCVTIMEO, used before, rounds up to
 * scheduler ticks: 4-8 ms at HZ=250.)
 */
static void test_short_timeout_kept(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	int64_t dt[21], t0;
	unsigned int i;

	(void)state;
	open_on(FK_MODERN, 0, 0, 0);
	for (i = 0; i < 21; i++) {
		t0 = fk_now_us();
		assert_int_equal(proccn_dispatch(h, &cb, rec, 1), 0);
		dt[i] = fk_now_us() - t0;
		assert_true(dt[i] >= 900);
	}
	qsort(dt, 21, sizeof(dt[0]), cmp_i64);
	assert_true(dt[10] < 2500);
}

/*
 * A wake-up that brings nothing to deliver (a datagram the socket filter would
 * have kept out: the socket filter is off here) does not end the call early:
 * it sleeps again for the rest of the timeout, and no longer.
 */
static void test_wait_again_for_rest_of_timeout(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	struct late l;
	pthread_t t;
	int64_t t0, dt;

	(void)state;
	open_on(FK_MODERN, PROCCN_EV_EXIT, PROCCN_F_NO_SOCKET_FILTER, 0);
	t0 = fk_now_ms();
	start_late(&l, &t, 30, fk_exec(47, 47));
	assert_int_equal(proccn_dispatch(h, &cb, rec, 200), 0);
	dt = fk_now_ms() - t0;
	pthread_join(t, NULL);
	assert_true(dt >= 190);
	assert_true(dt < 1000);
	assert_int_equal(rec->n, 0);
	assert_int_equal(stats().filtered, 1);
}

/*
 * Event loops get a pollable fd that is non-blocking and close-on-exec; the
 * socket behind it blocks (a caller's non-blocking socket is made blocking),
 * and is close-on-exec too.
 */
static void test_fds(void **state)
{
	int fd;

	(void)state;
	open_on(FK_MODERN, 0, 0, 0);
	fd = proccn_fd(h);
	assert_true(fd >= 0);
	assert_true(fd != h->fd);
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_false(fcntl(h->fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(h->fd, F_GETFD) & FD_CLOEXEC);
}

static void test_recv_error(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);

	(void)state;
	open_on(FK_MODERN, 0, 0, 0);
	fk.recv_errno = EBADF;
	fk.recv_fail_count = 1;
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), -EBADF);
	fk_generate(&fk, fk_exec(1, 1));
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 1);
}

/* More than one batch (PCN_BATCH datagrams) in one call. */
static void test_many_batches(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	struct proccn_stats st;
	int i, n = 3 * PCN_BATCH + 5;

	(void)state;
	open_on(FK_MODERN, 0, 0, 0);
	for (i = 0; i < n; i++)
		assert_int_equal(fk_generate(&fk, fk_exec(1000 + i, 1000 + i)), 1);
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), n);
	for (i = 0; i < n; i++)
		assert_int_equal(rec->ev[i].exec.pid, 1000 + i);
	st = stats();
	assert_int_equal(st.datagrams, (uint64_t)n + 1);   /* + the ACK */
	assert_int_equal(st.received, n);
	assert_int_equal(st.delivered, n);
	assert_int_equal(st.lost, 0);
	assert_int_equal(rec->nloss, 0);
}

/* PROCESSES_ONLY end to end on a 6.6+ kernel. */
static void test_processes_only(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);

	(void)state;
	open_on(FK_MODERN, 0, PROCCN_F_PROCESSES_ONLY, 0);
	fk_generate(&fk, fk_fork(1, 1, 11, 10));              /* new thread */
	fk_generate(&fk, fk_fork(1, 1, 12, 12));              /* new process */
	fk_generate(&fk, fk_exit(11, 10, 0, UINT32_MAX, 1, 1)); /* thread exit */
	fk_generate(&fk, fk_exit(12, 12, 0, 17, 1, 1));
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 2);
	assert_int_equal(rec->ev[0].fork.child_pid, 12);
	assert_int_equal(rec->ev[1].exit.pid, 12);
	assert_int_equal(stats().filtered, 2);
}

/*
 * More queued than 16 batches: dispatch returns after 1024 datagrams, so that
 * a flood that never leaves the queue empty cannot keep an event loop from
 * its other fds, and the next call goes on where it stopped.
 */
static void test_flood_returns_now_and_then(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	int i;

	(void)state;
	open_on(FK_MODERN, 0, 0, 0);
	for (i = 0; i < 1100; i++)
		assert_true(fk_generate(&fk, fk_exec(1000 + i, 1000 + i)) >= 0);
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 16 * PCN_BATCH);
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 1100 - 16 * PCN_BATCH);
	assert_int_equal(rec->n, 1100);
	assert_int_equal(rec->ev[1099].exec.pid, 2099);
	assert_int_equal(stats().lost, 0);
}

/* Statistics: a short struct is filled only up to its sz. */
static void test_stats_short_struct(void **state)
{
	struct proccn_stats st;

	(void)state;
	open_on(FK_MODERN, 0, 0, 0);
	memset(&st, 0xAB, sizeof(st));
	st.sz = offsetof(struct proccn_stats, received);
	assert_int_equal(proccn_get_stats(h, &st), 0);
	assert_int_equal(st.datagrams, 1);   /* the ACK */
	assert_true(st.received == UINT64_C(0xABABABABABABABAB));
	assert_true(st.rcvbuf == (int)0xABABABAB);
	assert_int_equal(st.sz, offsetof(struct proccn_stats, received));
	st = stats();
	assert_true(st.rcvbuf > 0);
	assert_int_equal(st.sz, sizeof(st));

	/* a newer caller's larger struct: sz says what this library filled */
	{
		union {
			struct proccn_stats s;
			uint8_t b[sizeof(struct proccn_stats) + 16];
		} u;
		size_t i;

		memset(&u, 0xAB, sizeof(u));
		u.s.sz = sizeof(u);
		assert_int_equal(proccn_get_stats(h, &u.s), 0);
		assert_int_equal(u.s.sz, sizeof(struct proccn_stats));
		for (i = sizeof(struct proccn_stats); i < sizeof(u); i++)
			assert_int_equal(u.b[i], 0xAB);
	}
}

#define T(f) \
	cmocka_unit_test_prestate_setup_teardown(f, fk_fixture_setup, fk_fixture_teardown, &fixture)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_timeout_zero_does_not_block),
		T(test_timeout_n_returns_zero),
		T(test_blocking_waits_for_event),
		T(test_timeout_n_delivers_late_event),
		T(test_lone_event_not_held),
		T(test_readable_fd),
		T(test_callback_stops_and_resumes),
		T(test_stop_inside_pending),
		T(test_callback_eintr_is_returned),
		T(test_typed_and_generic),
		T(test_small_callbacks_struct),
		T(test_large_callbacks_struct),
		T(test_overrun),
		T(test_overrun_alone_ends_blocking_dispatch),
		T(test_widen_after_overflow_counts_drops),
		T(test_loss_callback_stops),
		T(test_overrun_not_counted_twice),
		T(test_overrun_counted_once),
		T(test_loss_callback_stops_overrun),
		T(test_seq_gap_exact),
		T(test_widen_to_all_no_false_loss),
		T(test_seq_gap_normal_with_mask),
		T(test_seq_gap_legacy),
		T(test_wait_errors),
		T(test_eintr_with_sa_restart),
		T(test_gather_first_during_burst),
		T(test_burst_over_waits_again),
		T(test_stale_burst_does_not_gather),
		T(test_latency_none_never_gathers),
		T(test_default_cap),
		T(test_gather_respects_timeout),
		T(test_eintr_while_gathering),
		T(test_eintr_with_nothing_handled),
		T(test_no_limit_outlasts_rcvtimeo),
		T(test_syscalls_per_wakeup),
		T(test_short_timeout_kept),
		T(test_wait_again_for_rest_of_timeout),
		T(test_fds),
		T(test_recv_error),
		T(test_many_batches),
		T(test_processes_only),
		T(test_stats_short_struct),
		T(test_flood_returns_now_and_then),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
