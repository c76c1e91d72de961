/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proccn_fd() never hides work, against the fake kernel: it is readable
 * whenever proccn_dispatch(h, ..., 0) would deliver an event or a loss
 * report, also when the socket itself is empty (events kept from
 * negotiation, a dispatch a callback stopped, a report due, an overrun
 * whose drain is pending), and not readable once everything is delivered.
 * An epoll-only consumer, which dispatches only when the fd says so, gets
 * everything.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <string.h>

#include "fake_kernel.h"
#include "handle.h"

static struct fake_kernel fk;
static struct proccn *h;
static struct fk_rec *rec;
static struct fk_fixture fixture = { &fk, &h, &rec, 0 };

static int readable(void)
{
	struct pollfd pfd = { .fd = proccn_fd(h), .events = POLLIN };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

/* Nothing on the fake's socket: what makes the fd readable is the handle's own. */
static int socket_empty(void)
{
	struct pollfd pfd = { .fd = h->fd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 0;
}

static void open_modern(uint32_t events, uint32_t flags)
{
	struct proccn_opts o = PROCCN_OPTS_INIT;

	o.events = events;
	o.flags = flags;
	o.ack_timeout_ms = 20;
	assert_int_equal(fk_init(&fk, FK_MODERN), 0);
	assert_int_equal(fk_open(&fk, &h, &o), 0);
}

/* Events read while negotiating: readable right after open. */
static void test_readable_after_open_with_kept_events(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	struct proccn_opts o = PROCCN_OPTS_INIT;

	(void)state;
	assert_int_equal(fk_init(&fk, FK_MODERN), 0);
	fk.before_ack[fk.n_before_ack++] = fk_exec(10, 10);
	fk.before_ack[fk.n_before_ack++] = fk_exec(11, 11);
	assert_int_equal(fk_open(&fk, &h, &o), 0);
	assert_true(socket_empty());
	assert_true(readable());
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 2);
	assert_false(readable());
}

/* Nothing queued, nothing held: not readable. */
static void test_not_readable_when_idle(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);

	(void)state;
	open_modern(0, 0);
	assert_false(readable());
	assert_int_equal(fk_generate(&fk, fk_exec(1, 1)), 1);
	assert_true(readable());
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 1);
	assert_false(readable());
}

/* A callback stopped the dispatch: what it read and did not deliver keeps it readable. */
static void test_readable_after_callback_stopped(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	int i;

	(void)state;
	open_modern(0, 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(fk_generate(&fk, fk_exec(20 + i, 20 + i)), 1);
	rec->stop_at = 2;
	rec->stop_err = -ECANCELED;
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), -ECANCELED);
	assert_true(socket_empty());
	assert_true(readable());
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 3);
	assert_false(readable());
}

/*
 * A report due with nothing on the socket: drops the kernel counted while
 * exact, then a narrower mask, which settles them (issue 11 §1).
 */
static void test_readable_with_loss_report_due(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);

	(void)state;
	open_modern(0, PROCCN_F_NO_SOCKET_FILTER);
	fk.fixed_cpu = 0;
	assert_int_equal(fk_generate(&fk, fk_exec(30, 30)), 1);
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 1);
	assert_false(readable());
	fk.drops += 3;
	assert_int_equal(proccn_set_events(h, PROCCN_EV_EXEC), 0);
	assert_true(socket_empty());
	assert_true(readable());
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 0);
	assert_int_equal(rec->nloss, 1);
	assert_int_equal(rec->loss[0].reason, PROCCN_LOSS_OVERRUN);
	assert_int_equal(rec->loss[0].count, 3);
	assert_false(readable());
}

/* A stopping loss callback leaves the event behind its report: still readable. */
static void test_readable_after_loss_callback_stopped(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);

	(void)state;
	open_modern(0, 0);
	fk.fixed_cpu = 0;
	assert_int_equal(fk_generate(&fk, fk_exec(40, 40)), 1);
	fk_generate_lost(&fk, fk_exec(41, 41));
	assert_int_equal(fk_generate(&fk, fk_exec(42, 42)), 1);
	rec->loss_err = -ECANCELED;
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), -ECANCELED);
	assert_true(socket_empty());
	assert_true(readable());
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 1);
	assert_int_equal(rec->ev[1].exec.pid, 42);
	assert_false(readable());
}

/*
 * An overrun whose drain is pending, with the socket empty: a full batch
 * read after the ENOBUFS, and the callback stopped before the drain was
 * seen. The overrun's report is work: readable until it is made.
 */
static void test_readable_with_overrun_pending(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	int i;

	(void)state;
	open_modern(0, 0);
	for (i = 0; i < PCN_BATCH; i++)
		assert_int_equal(fk_generate(&fk, fk_exec(100 + i, 100 + i)), 1);
	fk.recv_errno = ENOBUFS;
	fk.recv_fail_count = 1;
	rec->stop_at = PCN_BATCH;
	rec->stop_err = -ECANCELED;
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), -ECANCELED);
	assert_int_equal(rec->nloss, 0);
	assert_true(socket_empty());
	assert_true(readable());
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 0);
	assert_int_equal(rec->nloss, 1);
	assert_int_equal(rec->loss[0].reason, PROCCN_LOSS_OVERRUN);
	assert_false(readable());
}

/*
 * An epoll-only consumer: it calls dispatch(0) only when the fd is readable,
 * and its callbacks stop the dispatch every third event and every other
 * loss report. Returns how many rounds it took.
 */
static unsigned int epoll_only_consumer(const struct proccn_callbacks *cb)
{
	unsigned int rounds = 0;

	while (readable() && rounds++ < 1000) {
		if (rec->n % 3 == 0) {
			rec->stop_at = rec->n + 3;
			rec->stop_err = -ECANCELED;
		}
		if (rec->nloss % 2 == 0)
			rec->loss_err = -ECANCELED;
		(void)proccn_dispatch(h, cb, rec, 0);
	}
	assert_true(rounds < 1000);
	return rounds;
}

/*
 * Events kept from negotiation, later events, a sequence gap and an overrun
 * all reach a consumer that dispatches only when the fd is readable.
 */
static void test_epoll_only_consumer_gets_everything(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	struct proccn_opts o = PROCCN_OPTS_INIT;
	unsigned int want = 0;
	int i;

	(void)state;
	assert_int_equal(fk_init(&fk, FK_MODERN), 0);
	fk.fixed_cpu = 0;
	for (i = 0; i < 3; i++)
		fk.before_ack[fk.n_before_ack++] = fk_exec(1 + i, 1 + i);
	want += 3;
	assert_int_equal(fk_open(&fk, &h, &o), 0);
	for (i = 0; i < 100; i++, want++)
		assert_int_equal(fk_generate(&fk, fk_exec(10 + i, 10 + i)), 1);
	fk_generate_lost(&fk, fk_exec(5000, 5000));
	assert_int_equal(fk_generate(&fk, fk_exec(5001, 5001)), 1);
	want++;
	assert_true(epoll_only_consumer(&cb) > 1);
	assert_int_equal(rec->n, want);
	assert_int_equal(rec->nloss, 1);
	assert_int_equal(rec->loss[0].reason, PROCCN_LOSS_SEQ_GAP);
	assert_int_equal(rec->loss[0].count, 1);

	/* an overflow: its report comes once the queue has drained */
	fk.drops += 2;
	fk.recv_errno = ENOBUFS;
	fk.recv_fail_count = 1;
	for (i = 0; i < 70; i++, want++)
		assert_int_equal(fk_generate(&fk, fk_exec(6000 + i, 6000 + i)), 1);
	assert_true(epoll_only_consumer(&cb) > 1);
	assert_int_equal(rec->n, want);
	assert_int_equal(rec->ev[want - 1].exec.pid, 6069);
	assert_int_equal(rec->nloss, 2);
	assert_int_equal(rec->loss[1].reason, PROCCN_LOSS_OVERRUN);
	assert_int_equal(rec->loss[1].count, 2);
}

#define T(f) \
	cmocka_unit_test_prestate_setup_teardown(f, fk_fixture_setup, fk_fixture_teardown, &fixture)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_readable_after_open_with_kept_events),
		T(test_not_readable_when_idle),
		T(test_readable_after_callback_stopped),
		T(test_readable_with_loss_report_due),
		T(test_readable_after_loss_callback_stopped),
		T(test_readable_with_overrun_pending),
		T(test_epoll_only_consumer_gets_everything),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
