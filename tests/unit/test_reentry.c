/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Public calls on a handle from inside one of its callbacks, against the fake
 * kernel: proccn_close() (deferred: the handle lives until the callback
 * returns, then dispatch frees it), a nested proccn_dispatch() (-EBUSY),
 * proccn_set_events() and proccn_unsubscribe() (applied at once). The
 * sanitizer and valgrind runs of this suite check that no freed memory is
 * touched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "fake_kernel.h"
#include "handle.h"

#define LISTEN 1u
#define IGNORE 2u

static struct fake_kernel fk;
static struct proccn *h;
static struct fk_rec *rec;
static struct fk_fixture fixture = { &fk, &h, &rec, 1 };

/* What the callback does when it sees event number `at` (1-based). */
enum action { NONE, CLOSE, CLOSE_THEN_FAIL, NESTED, NARROW, UNSUBSCRIBE, STATS };

struct reentry {
	struct proccn *h;
	enum action action;
	unsigned int at, seen, losses;
	int nested;               /* what the nested dispatch returned */
	int result;               /* what the action returned */
	pid_t pids[16];
};

static void act(struct reentry *r)
{
	struct proccn_callbacks none = { .sz = sizeof(none) };
	struct proccn_stats st = { .sz = sizeof(st) };

	switch (r->action) {
	case CLOSE:
	case CLOSE_THEN_FAIL:
		r->result = proccn_close(r->h) == NULL ? 0 : -1;
		break;
	case NESTED:
		r->nested = proccn_dispatch(r->h, &none, NULL, 0);
		break;
	case NARROW:
		r->result = proccn_set_events(r->h, PROCCN_EV_FORK);
		break;
	case UNSUBSCRIBE:
		r->result = proccn_unsubscribe(r->h);
		break;
	case STATS:
		r->result = proccn_get_stats(r->h, &st);
		r->result = r->result < 0 ? r->result : (int)st.delivered;
		break;
	case NONE:
		break;
	}
}

static int on_exec(const struct proccn_exec *ev, void *ud)
{
	struct reentry *r = ud;

	if (r->seen < 16)
		r->pids[r->seen] = ev->pid;
	if (++r->seen != r->at)
		return 0;
	act(r);
	return r->action == CLOSE_THEN_FAIL ? -ECANCELED : 0;
}

static int on_loss(const struct proccn_loss *loss, void *ud)
{
	struct reentry *r = ud;

	(void)loss;
	r->losses++;
	if (r->at == 0)
		act(r);
	return 0;
}

static const struct proccn_callbacks callbacks = {
	.sz = sizeof(struct proccn_callbacks),
	.on_exec = on_exec,
	.on_loss = on_loss,
};

static void queue_execs(int n)
{
	int i;

	for (i = 0; i < n; i++)
		assert_int_equal(fk_generate(&fk, fk_exec(100 + i, 100 + i)), 1);
}

/*
 * Close from a callback: the IGNORE goes out at once, exactly once; the
 * dispatch delivers nothing more and returns what it delivered; the handle
 * is freed when it returns (h must not be used after that).
 */
static void test_close_inside_callback(void **state)
{
	struct reentry r = { .action = CLOSE, .at = 2 };

	(void)state;
	r.h = h;
	queue_execs(5);
	assert_int_equal(proccn_dispatch(h, &callbacks, &r, 0), 2);
	h = NULL;   /* freed by the dispatch */
	assert_int_equal(r.seen, 2);
	assert_int_equal(r.result, 0);
	assert_int_equal(fk_count_requests(&fk, IGNORE, 0), 1);
	assert_int_equal(fk.listening, 0);
}

/* The same when the callback then stops the dispatch: its value comes back. */
static void test_close_then_fail_inside_callback(void **state)
{
	struct reentry r = { .action = CLOSE_THEN_FAIL, .at = 1 };

	(void)state;
	r.h = h;
	queue_execs(3);
	assert_int_equal(proccn_dispatch(h, &callbacks, &r, 0), -ECANCELED);
	h = NULL;
	assert_int_equal(r.seen, 1);
	assert_int_equal(fk_count_requests(&fk, IGNORE, 0), 1);
}

/* Close from on_loss, with events still to deliver behind the report. */
static void test_close_inside_loss_callback(void **state)
{
	struct reentry r = { .action = CLOSE, .at = 0 };

	(void)state;
	r.h = h;
	fk.fixed_cpu = 0;
	queue_execs(1);
	fk_generate_lost(&fk, fk_exec(200, 200));
	queue_execs(3);
	assert_int_equal(proccn_dispatch(h, &callbacks, &r, -1), 1);
	h = NULL;
	assert_int_equal(r.losses, 1);
	assert_int_equal(r.seen, 1);
	assert_int_equal(fk_count_requests(&fk, IGNORE, 0), 1);
}

/* A blocking dispatch closed from its callback returns too, without waiting. */
static void test_close_inside_blocking_dispatch(void **state)
{
	struct reentry r = { .action = CLOSE, .at = 1 };
	int64_t t0 = fk_now_ms();

	(void)state;
	r.h = h;
	queue_execs(1);
	assert_int_equal(proccn_dispatch(h, &callbacks, &r, 5000), 1);
	h = NULL;
	assert_true(fk_now_ms() - t0 < 1000);
}

/* A nested dispatch is refused; the outer one goes on undisturbed. */
static void test_nested_dispatch_refused(void **state)
{
	struct reentry r = { .action = NESTED, .at = 1 };

	(void)state;
	r.h = h;
	queue_execs(4);
	assert_int_equal(proccn_dispatch(h, &callbacks, &r, 0), 4);
	assert_int_equal(r.nested, -EBUSY);
	assert_int_equal(r.pids[3], 103);
	/* and dispatching works again afterwards */
	queue_execs(1);
	r.action = NONE;
	assert_int_equal(proccn_dispatch(h, &callbacks, &r, 0), 1);
}

/*
 * A narrower mask from a callback applies at once: the events already read
 * are delivered only if they pass it (the kernel is asked too).
 */
static void test_set_events_inside_callback(void **state)
{
	struct reentry r = { .action = NARROW, .at = 2 };
	struct proccn_stats st = { .sz = sizeof(st) };

	(void)state;
	r.h = h;
	queue_execs(5);
	assert_int_equal(proccn_dispatch(h, &callbacks, &r, 0), 2);
	assert_int_equal(r.result, 0);
	assert_true(proccn_get_events(h) == PROCCN_EV_FORK);
	assert_int_equal(fk_count_requests(&fk, LISTEN, 8), 2);
	assert_true(fk.req[fk.nreq - 1].mask == PROCCN_EV_FORK);
	assert_int_equal(proccn_get_stats(h, &st), 0);
	assert_int_equal(st.filtered, 3);
}

/* Unsubscribing from a callback: one IGNORE; what was read is still delivered. */
static void test_unsubscribe_inside_callback(void **state)
{
	struct reentry r = { .action = UNSUBSCRIBE, .at = 1 };

	(void)state;
	r.h = h;
	queue_execs(3);
	assert_int_equal(proccn_dispatch(h, &callbacks, &r, 0), 3);
	assert_int_equal(r.result, 0);
	assert_int_equal(fk_count_requests(&fk, IGNORE, 0), 1);
	assert_int_equal(proccn_unsubscribe(h), 0);
	h = proccn_close(h);
	assert_int_equal(fk_count_requests(&fk, IGNORE, 0), 1);
}

/* Reading statistics from a callback sees the events delivered so far. */
static void test_stats_inside_callback(void **state)
{
	struct reentry r = { .action = STATS, .at = 3 };

	(void)state;
	r.h = h;
	queue_execs(3);
	assert_int_equal(proccn_dispatch(h, &callbacks, &r, 0), 3);
	assert_int_equal(r.result, 2);
}

/* Closing another handle from a callback closes it at once. */
static void test_close_other_handle_inside_callback(void **state)
{
	struct fake_kernel fk2;
	struct reentry r = { .action = CLOSE, .at = 1 };

	(void)state;
	assert_int_equal(fk_init(&fk2, FK_MODERN), 0);
	assert_int_equal(fk_open(&fk2, &r.h, NULL), 0);
	queue_execs(2);
	assert_int_equal(proccn_dispatch(h, &callbacks, &r, 0), 2);
	assert_int_equal(fk_count_requests(&fk2, IGNORE, 0), 1);
	assert_int_equal(fk_count_requests(&fk, IGNORE, 0), 0);
	fk_fini(&fk2);
}

#define T(f) \
	cmocka_unit_test_prestate_setup_teardown(f, fk_fixture_setup, fk_fixture_teardown, &fixture)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_close_inside_callback),
		T(test_close_then_fail_inside_callback),
		T(test_close_inside_loss_callback),
		T(test_close_inside_blocking_dispatch),
		T(test_nested_dispatch_refused),
		T(test_set_events_inside_callback),
		T(test_unsubscribe_inside_callback),
		T(test_stats_inside_callback),
		T(test_close_other_handle_inside_callback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
