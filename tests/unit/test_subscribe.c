/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Negotiation against the fake kernels: what is sent (recorded by the fake
 * from the bytes), which mode results, which error for each kind of silence
 * or refusal, that timeouts are honoured, that events read while waiting are
 * kept, that foreign ACKs are not taken for ours, and that IGNORE is sent
 * exactly once per successful LISTEN and never after a failed open.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake_kernel.h"
#include "handle.h"

#define LISTEN 1u
#define IGNORE 2u

static struct fake_kernel fk;
static struct proccn *h;
static struct fk_rec *rec;
static struct fk_fixture fixture = { &fk, &h, &rec, 0 };

static struct proccn_opts opts(uint32_t events, uint32_t flags, int timeout_ms)
{
	struct proccn_opts o = PROCCN_OPTS_INIT;

	o.events = events;
	o.flags = flags;
	o.ack_timeout_ms = timeout_ms;
	return o;
}

static void assert_request(const struct fk_request *rq, uint32_t op, uint16_t len,
			   uint32_t mask)
{
	assert_true(rq->well_formed);
	assert_int_equal(rq->op, op);
	assert_int_equal(rq->len, len);
	if (len == 8)
		assert_true(rq->mask == mask);
}

/* What the library must answer when no request is ever ACKed, here. */
static int initial_ns(const char *type, unsigned long ino)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", type);
	return stat(path, &st) == 0 && st.st_ino == ino;
}

static int has_cn_proc(void)
{
	char line[256];
	FILE *f = fopen("/proc/net/connector", "re");
	int found = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "cn_proc"))
			found = 1;
	fclose(f);
	return found;
}

static int outside_initial_ns(void)
{
	return !initial_ns("user", 0xEFFFFFFDul) || !initial_ns("pid", 0xEFFFFFFCul);
}

/* 6.6+, mask ALL: one 8-byte LISTEN, ACKed, kernel filtering. */
static void test_modern_all(void **state)
{
	struct proccn_opts o = opts(0, 0, 2000);
	struct proccn_stats st = { .sz = sizeof(st) };
	int64_t t0;

	(void)state;
	assert_int_equal(fk_init(&fk, FK_MODERN), 0);
	t0 = fk_now_ms();
	assert_int_equal(fk_open(&fk, &h, &o), 0);
	/* the ACK is there when send() returns: no waiting */
	assert_true(fk_now_ms() - t0 < 1000);
	assert_int_equal(proccn_mode(h), PROCCN_MODE_KERNEL_FILTER);
	assert_true(proccn_get_events(h) == PROCCN_EV_ALL);
	assert_int_equal(fk.nreq, 1);
	assert_request(&fk.req[0], LISTEN, 8, PROCCN_EV_ALL);
	assert_int_equal(fk.req[0].dest_pid, 0);
	assert_int_equal(fk.acks_sent, 1);
	assert_int_equal(proccn_get_stats(h, &st), 0);
	assert_int_equal(st.acks, 1);
	assert_int_equal(st.lost_exact, 1);
	assert_true(proccn_fd(h) >= 0);
}

/* A narrower mask: LISTEN ALL for the ACK, then LISTEN mask without waiting. */
static void test_modern_narrow_mask(void **state)
{
	struct proccn_opts o = opts(PROCCN_EV_EXIT | PROCCN_EV_EXEC, 0, 3000);
	int64_t t0;

	(void)state;
	assert_int_equal(fk_init(&fk, FK_MODERN), 0);
	t0 = fk_now_ms();
	assert_int_equal(fk_open(&fk, &h, &o), 0);
	/* the second LISTEN is never ACKed by a 6.6+ kernel: waiting would take 3 s */
	assert_true(fk_now_ms() - t0 < 1500);
	assert_int_equal(proccn_mode(h), PROCCN_MODE_KERNEL_FILTER);
	assert_int_equal(fk.nreq, 2);
	assert_request(&fk.req[0], LISTEN, 8, PROCCN_EV_ALL);
	assert_request(&fk.req[1], LISTEN, 8, PROCCN_EV_EXIT | PROCCN_EV_EXEC);
	/* the kernel now filters: a fork does not even reach the socket */
	assert_true(fk.sock_mask == (PROCCN_EV_EXIT | PROCCN_EV_EXEC));
	assert_int_equal(fk_generate(&fk, fk_fork(1, 1, 2, 2)), 0);
	/* nonces differ per request, so an old ACK cannot match a new request */
	assert_int_not_equal(fk.req[0].nonce, fk.req[1].nonce);
}

/* Old kernel: the 8-byte request times out, the 4-byte one is ACKed. */
static void test_old_kernel_legacy(void **state)
{
	struct proccn_opts o = opts(PROCCN_EV_FORK, 0, 50);
	int64_t t0, dt;

	(void)state;
	assert_int_equal(fk_init(&fk, FK_OLD), 0);
	t0 = fk_now_ms();
	assert_int_equal(fk_open(&fk, &h, &o), 0);
	dt = fk_now_ms() - t0;
	assert_true(dt >= 45);
	assert_true(dt < 1000);
	assert_int_equal(proccn_mode(h), PROCCN_MODE_LEGACY);
	assert_true(proccn_get_events(h) == PROCCN_EV_FORK);
	assert_int_equal(fk.nreq, 2);
	assert_request(&fk.req[0], LISTEN, 8, PROCCN_EV_ALL);
	assert_request(&fk.req[1], LISTEN, 4, 0);
	assert_int_equal(fk.listening, 1);
}

/* FORCE_LEGACY never sends the 8-byte form, even to a 6.6+ kernel. */
static void test_force_legacy(void **state)
{
	struct proccn_opts o = opts(0, PROCCN_F_FORCE_LEGACY, 2000);
	int64_t t0;

	(void)state;
	assert_int_equal(fk_init(&fk, FK_MODERN), 0);
	t0 = fk_now_ms();
	assert_int_equal(fk_open(&fk, &h, &o), 0);
	assert_true(fk_now_ms() - t0 < 1000);
	assert_int_equal(proccn_mode(h), PROCCN_MODE_LEGACY);
	assert_int_equal(fk.nreq, 1);
	assert_request(&fk.req[0], LISTEN, 4, 0);
	h = proccn_close(h);
	/* and its IGNORE is the legacy form as well */
	assert_int_equal(fk_count_requests(&fk, IGNORE, 0), 1);
	assert_int_equal(fk_count_requests(&fk, IGNORE, 4), 1);
}

/* A kernel that never answers: the open fails in bounded time, no IGNORE. */
static void test_silent_kernel_times_out(void **state)
{
	struct proccn_opts o = opts(0, 0, 50);
	int64_t t0, dt;
	int r, fd, expect;

	(void)state;
	assert_int_equal(fk_init(&fk, FK_SILENT), 0);
	fd = fk.lib_fd;
	t0 = fk_now_ms();
	r = fk_open(&fk, &h, &o);
	dt = fk_now_ms() - t0;
	assert_null(h);
	if (outside_initial_ns()) {
		expect = -EXDEV;
		assert_int_equal(fk.nreq, 1);
	} else {
		expect = has_cn_proc() == 0 ? -EOPNOTSUPP : -ETIMEDOUT;
		/* both forms were tried, each waited for once */
		assert_int_equal(fk.nreq, 2);
		assert_request(&fk.req[1], LISTEN, 4, 0);
		assert_true(dt >= 95);
	}
	assert_int_equal(r, expect);
	assert_true(dt < 1000);
	assert_int_equal(fk_count_requests(&fk, IGNORE, 0), 0);
	/* the fd was closed on failure (it was handed over) */
	assert_int_equal(fcntl(fd, F_GETFD), -1);
	assert_int_equal(errno, EBADF);
}

/* ACKs that are not ours (other nonces, or ours without +1) are not taken. */
static void test_silent_kernel_foreign_acks(void **state)
{
	struct proccn_opts o = opts(0, 0, 30);
	int r;

	(void)state;
	assert_int_equal(fk_init(&fk, FK_SILENT), 0);
	/* queued before the open; their nonces cannot be the one it picks */
	assert_int_equal(fk_foreign_ack(&fk, 0x12345678, 0), 1);
	assert_int_equal(fk_foreign_ack(&fk, 0x9abcdef0, 0), 1);
	r = fk_open(&fk, &h, &o);
	assert_true(r == -ETIMEDOUT || r == -EXDEV || r == -EOPNOTSUPP);
	assert_null(h);
}

/* Foreign ACKs before ours on a 6.6+ kernel: skipped, counted, ours found. */
static void test_foreign_acks_counted(void **state)
{
	struct proccn_opts o = opts(0, 0, 2000);
	struct proccn_stats st = { .sz = sizeof(st) };
	struct proccn_callbacks cb = fk_rec_callbacks(1);

	(void)state;
	assert_int_equal(fk_init(&fk, FK_MODERN), 0);
	fk.foreign_acks_before = 3;
	assert_int_equal(fk_open(&fk, &h, &o), 0);
	assert_int_equal(proccn_mode(h), PROCCN_MODE_KERNEL_FILTER);
	/* an ACK for someone else later on is counted and not delivered as an event */
	assert_int_equal(fk_foreign_ack(&fk, 77, 0), 1);
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 0);
	assert_int_equal(rec->n, 0);
	assert_int_equal(proccn_get_stats(h, &st), 0);
	assert_int_equal(st.acks, 5);
	assert_int_equal(st.received, 0);
	assert_int_equal(st.lost, 0);
}

/* An ACK that carries EPERM (kernels before 6.6 without CAP_NET_ADMIN). */
static void test_eperm_ack(void **state)
{
	struct proccn_opts o = opts(0, 0, 30);

	(void)state;
	assert_int_equal(fk_init(&fk, FK_OLD), 0);
	fk.ack_err = EPERM;
	fk.other_listeners = 1;   /* the kernel ACKs only when somebody listens */
	assert_int_equal(fk_open(&fk, &h, &o), -EPERM);
	assert_null(h);
	assert_int_equal(fk_count_requests(&fk, IGNORE, 0), 0);
}

static void test_eperm_ack_modern(void **state)
{
	struct proccn_opts o = opts(PROCCN_EV_EXIT, 0, 2000);
	int64_t t0 = fk_now_ms();

	(void)state;
	assert_int_equal(fk_init(&fk, FK_MODERN), 0);
	fk.ack_err = EPERM;
	fk.other_listeners = 1;
	assert_int_equal(fk_open(&fk, &h, &o), -EPERM);
	/* the refusal is final: no legacy retry, no waiting */
	assert_true(fk_now_ms() - t0 < 1000);
	assert_int_equal(fk.nreq, 1);
	assert_int_equal(fk_count_requests(&fk, IGNORE, 0), 0);
}

/* Outside the initial network namespace send() itself fails. */
static void test_send_econnrefused(void **state)
{
	struct proccn_opts o = opts(0, 0, 2000);
	int64_t t0 = fk_now_ms();

	(void)state;
	assert_int_equal(fk_init(&fk, FK_MODERN), 0);
	fk.send_errno = ECONNREFUSED;
	assert_int_equal(fk_open(&fk, &h, &o), -ECONNREFUSED);
	assert_true(fk_now_ms() - t0 < 1000);
	assert_null(h);
	/* one attempt, and no IGNORE attempted on the way out */
	assert_int_equal(fk.send_calls, 1);
}

/* The legacy LISTEN failing to send after the 8-byte one timed out. */
static void test_send_fails_on_legacy_listen(void **state)
{
	struct proccn_opts o = opts(0, 0, 20);

	(void)state;
	assert_int_equal(fk_init(&fk, FK_OLD), 0);
	fk.send_errno = ECONNREFUSED;
	fk.send_fail_after = 1;
	assert_int_equal(fk_open(&fk, &h, &o), outside_initial_ns() ? -EXDEV : -ECONNREFUSED);
	assert_int_equal(fk_count_requests(&fk, IGNORE, 0), 0);
}

/* A receive error while waiting for the ACK ends the open with it. */
static void test_recv_error_during_negotiation(void **state)
{
	struct proccn_opts o = opts(0, 0, 2000);

	(void)state;
	assert_int_equal(fk_init(&fk, FK_MODERN), 0);
	fk.recv_errno = EBADF;
	fk.recv_fail_count = 1;
	assert_int_equal(fk_open(&fk, &h, &o), -EBADF);
	assert_null(h);
}

/* poll and recv interruptions while waiting are retried; other poll errors end the open. */
static void test_wait_interruptions(void **state)
{
	struct proccn_opts o = opts(0, 0, 30);

	(void)state;
	assert_int_equal(fk_init(&fk, FK_MODERN), 0);
	fk.recv_errno = EINTR;
	fk.recv_fail_count = 1;
	assert_int_equal(fk_open(&fk, &h, &o), 0);
	h = proccn_close(h);
	fk_fini(&fk);

	/* an old kernel makes the library poll for the 8-byte request's ACK */
	assert_int_equal(fk_init(&fk, FK_OLD), 0);
	fk.poll_errno = EINTR;
	assert_int_equal(fk_open(&fk, &h, &o), 0);
	assert_int_equal(proccn_mode(h), PROCCN_MODE_LEGACY);
	h = proccn_close(h);
	fk_fini(&fk);

	assert_int_equal(fk_init(&fk, FK_OLD), 0);
	fk.poll_errno = ENOMEM;
	assert_int_equal(fk_open(&fk, &h, &o), -ENOMEM);
	assert_null(h);
	assert_int_equal(fk_count_requests(&fk, IGNORE, 0), 0);
}

/* An overrun while waiting for the ACK is not fatal and is reported later. */
static void test_overrun_during_negotiation(void **state)
{
	struct proccn_opts o = opts(0, 0, 2000);
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	struct proccn_stats st = { .sz = sizeof(st) };

	(void)state;
	assert_int_equal(fk_init(&fk, FK_MODERN), 0);
	fk.recv_errno = ENOBUFS;
	fk.recv_fail_count = 1;
	assert_int_equal(fk_open(&fk, &h, &o), 0);
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 0);
	assert_int_equal(rec->nloss, 1);
	assert_int_equal(rec->loss[0].reason, PROCCN_LOSS_OVERRUN);
	assert_int_equal(proccn_get_stats(h, &st), 0);
	assert_int_equal(st.overruns, 1);
}

/* Events that arrive before and after our ACK are all delivered, in order. */
static void test_events_before_ack_kept(void **state)
{
	struct proccn_opts o = opts(0, 0, 2000);
	struct proccn_callbacks cb = fk_rec_callbacks(1);

	(void)state;
	assert_int_equal(fk_init(&fk, FK_MODERN), 0);
	fk.before_ack[fk.n_before_ack++] = fk_fork(1, 1, 10, 10);
	fk.before_ack[fk.n_before_ack++] = fk_exec(10, 10);
	fk.after_ack[fk.n_after_ack++] = fk_exit(10, 10, 0, 17, 1, 1);
	assert_int_equal(fk_open(&fk, &h, &o), 0);
	/* a fresh event after the open comes after the kept ones */
	assert_int_equal(fk_generate(&fk, fk_sid(11, 11)), 1);
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 4);
	assert_int_equal(rec->n, 4);
	assert_int_equal(rec->ev[0].hdr.kind, PROCCN_EV_FORK);
	assert_int_equal(rec->ev[0].fork.child_pid, 10);
	assert_int_equal(rec->ev[1].hdr.kind, PROCCN_EV_EXEC);
	assert_int_equal(rec->ev[2].hdr.kind, PROCCN_EV_EXIT);
	assert_int_equal(rec->ev[3].hdr.kind, PROCCN_EV_SID);
	assert_int_equal(rec->nloss, 0);
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 0);
}

/*
 * Old kernel: events arrive while the 8-byte request is being waited out;
 * they are kept, and the mask (applied in userspace) still holds for them.
 */
static void test_events_during_timeout_kept_and_filtered(void **state)
{
	struct proccn_opts o = opts(PROCCN_EV_EXIT, PROCCN_F_NO_SOCKET_FILTER, 30);
	struct proccn_callbacks cb = fk_rec_callbacks(1);

	(void)state;
	assert_int_equal(fk_init(&fk, FK_OLD), 0);
	assert_int_equal(fk_generate(&fk, fk_fork(1, 1, 20, 20)), 1);
	assert_int_equal(fk_generate(&fk, fk_exit(20, 20, 0, 17, 1, 1)), 1);
	assert_int_equal(fk_open(&fk, &h, &o), 0);
	assert_int_equal(proccn_mode(h), PROCCN_MODE_LEGACY);
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 1);
	assert_int_equal(rec->n, 1);
	assert_int_equal(rec->ev[0].hdr.kind, PROCCN_EV_EXIT);
	assert_int_equal(rec->ev[0].exit.pid, 20);
}

/* More events during negotiation than the library keeps: the rest is reported. */
static void test_negotiation_overflow_reported(void **state)
{
	struct proccn_opts o = opts(0, 0, 30);
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	struct proccn_stats st = { .sz = sizeof(st) };
	unsigned int i, total = PCN_PENDING_MAX + 76;
	int r, got = 0;

	(void)state;
	assert_int_equal(fk_init(&fk, FK_OLD), 0);
	for (i = 0; i < total; i++)
		assert_true(fk_generate(&fk, fk_exec((pid_t)(1000 + i), (pid_t)(1000 + i))) >= 0);
	assert_int_equal(fk_open(&fk, &h, &o), 0);
	while ((r = proccn_dispatch(h, &cb, rec, 0)) > 0)
		got += r;
	assert_int_equal(r, 0);
	assert_int_equal(got, PCN_PENDING_MAX);
	assert_int_equal(rec->n, PCN_PENDING_MAX);
	assert_int_equal(rec->ev[0].exec.pid, 1000);
	assert_int_equal(rec->ev[PCN_PENDING_MAX - 1].exec.pid, 1000 + PCN_PENDING_MAX - 1);
	assert_int_equal(rec->nloss, 1);
	assert_int_equal(rec->loss[0].reason, PROCCN_LOSS_NEGOTIATION);
	assert_int_equal(rec->loss[0].count, 76);
	assert_int_equal(rec->loss[0].exact, 1);
	assert_int_equal(proccn_get_stats(h, &st), 0);
	assert_true(st.lost >= 76);
}

/* close after a successful LISTEN sends exactly one IGNORE, in the negotiated form. */
static void test_close_sends_one_ignore(void **state)
{
	struct proccn_opts o = opts(PROCCN_EV_EXIT, 0, 2000);

	(void)state;
	assert_int_equal(fk_init(&fk, FK_MODERN), 0);
	assert_int_equal(fk_open(&fk, &h, &o), 0);
	assert_int_equal(fk_count_requests(&fk, IGNORE, 0), 0);
	h = proccn_close(h);
	assert_null(h);
	assert_int_equal(fk_count_requests(&fk, IGNORE, 0), 1);
	assert_int_equal(fk_count_requests(&fk, IGNORE, 8), 1);
	assert_true(fk.req[fk.nreq - 1].well_formed);
	assert_int_equal(fk.listening, 0);
	/* a second close of NULL is harmless */
	assert_null(proccn_close(NULL));
}

/* Open fds of this process (the directory stream's own fd included, always one). */
static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* A handle's fds (socket, epoll, eventfd) are gone after close, and after a failed open. */
static void test_no_fd_left_behind(void **state)
{
	struct proccn_opts o = opts(0, 0, 30);
	int before = open_fds();

	(void)state;
	assert_int_equal(fk_init(&fk, FK_MODERN), 0);
	assert_int_equal(fk_open(&fk, &h, &o), 0);
	assert_int_equal(open_fds(), before + 4);  /* the fake's end, the socket, epoll, eventfd */
	h = proccn_close(h);
	fk_fini(&fk);
	assert_int_equal(open_fds(), before);

	assert_int_equal(fk_init(&fk, FK_OLD), 0);
	fk.ack_err = EPERM;
	fk.other_listeners = 1;
	assert_int_equal(fk_open(&fk, &h, &o), -EPERM);
	fk_fini(&fk);
	assert_int_equal(open_fds(), before);
}

static void test_unsubscribe_idempotent(void **state)
{
	struct proccn_opts o = opts(0, 0, 30);

	(void)state;
	assert_int_equal(fk_init(&fk, FK_OLD), 0);
	assert_int_equal(fk_open(&fk, &h, &o), 0);
	assert_int_equal(proccn_unsubscribe(h), 0);
	assert_int_equal(proccn_unsubscribe(h), 0);
	h = proccn_close(h);
	/* on an old kernel a second IGNORE would silence every listener on the host */
	assert_int_equal(fk_count_requests(&fk, IGNORE, 0), 1);
	assert_int_equal(fk_count_requests(&fk, IGNORE, 4), 1);
	assert_int_equal(fk.listening, 0);
	assert_int_equal(proccn_unsubscribe(NULL), -EINVAL);
}

/*
 * A failing IGNORE is reported by unsubscribe. It reached no one (the kernel
 * handles a request inside send(2)), so the next call sends it again; once it
 * went out, nothing more is sent: one IGNORE in all.
 */
static void test_unsubscribe_send_error(void **state)
{
	struct proccn_opts o = opts(0, 0, 2000);

	(void)state;
	assert_int_equal(fk_init(&fk, FK_OLD), 0);
	assert_int_equal(fk_open(&fk, &h, &o), 0);
	fk.send_errno = ENOBUFS;
	assert_int_equal(proccn_unsubscribe(h), -ENOBUFS);
	assert_int_equal(fk.listening, 1);
	fk.send_errno = 0;
	assert_int_equal(proccn_unsubscribe(h), 0);
	assert_int_equal(fk.listening, 0);
	h = proccn_close(h);
	assert_int_equal(fk_count_requests(&fk, IGNORE, 0), 1);
}

/* Open on an old kernel, make every send fail with @err, close: the sends close made. */
static unsigned int close_sends_failing_with(int err)
{
	struct proccn_opts o = opts(0, 0, 2000);
	unsigned int sends;

	assert_int_equal(fk_init(&fk, FK_OLD), 0);
	assert_int_equal(fk_open(&fk, &h, &o), 0);
	fk.send_errno = err;
	sends = fk.send_calls;
	h = proccn_close(h);
	fk_fini(&fk);   /* its counts stay readable */
	return fk.send_calls - sends;
}

/* Close tries a failing IGNORE three times in all, and gives up on a lasting error. */
static void test_close_retries_ignore(void **state)
{
	(void)state;
	assert_int_equal(close_sends_failing_with(ENOBUFS), 3);
	assert_int_equal(fk_count_requests(&fk, IGNORE, 0), 0);
	/* not a transient error: one try */
	assert_int_equal(close_sends_failing_with(EPERM), 1);
}

/* set_events on 6.6+: a new LISTEN with the mask; the kernel filters with it. */
static void test_set_events_modern(void **state)
{
	/* no socket filter here: widening it is test_set_events_widen_detaches_filter */
	struct proccn_opts o = opts(0, PROCCN_F_NO_SOCKET_FILTER, 2000);
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	struct proccn_stats st = { .sz = sizeof(st) };

	(void)state;
	assert_int_equal(fk_init(&fk, FK_MODERN), 0);
	assert_int_equal(fk_open(&fk, &h, &o), 0);
	assert_int_equal(proccn_set_events(h, PROCCN_EV_COMM), 0);
	assert_int_equal(fk.nreq, 2);
	assert_request(&fk.req[1], LISTEN, 8, PROCCN_EV_COMM);
	assert_true(proccn_get_events(h) == PROCCN_EV_COMM);
	assert_int_equal(fk_generate(&fk, fk_exec(3, 3)), 0);
	{
		const char name[16] = "x";

		assert_int_equal(fk_generate(&fk, fk_comm(3, 3, name)), 1);
	}
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 1);
	assert_int_equal(rec->ev[0].hdr.kind, PROCCN_EV_COMM);
	/* gaps are normal under a narrow mask: not counted as loss */
	assert_int_equal(proccn_get_stats(h, &st), 0);
	assert_int_equal(st.lost_exact, 0);
	assert_int_equal(st.lost, 0);

	/* 0 means ALL again */
	assert_int_equal(proccn_set_events(h, 0), 0);
	assert_request(&fk.req[2], LISTEN, 8, PROCCN_EV_ALL);
	assert_true(proccn_get_events(h) == PROCCN_EV_ALL);
	assert_int_equal(proccn_get_stats(h, &st), 0);
	assert_int_equal(st.lost_exact, 1);

	/* bits outside ALL: refused, nothing sent, mask unchanged */
	assert_int_equal(proccn_set_events(h, 0x8), -EINVAL);
	assert_int_equal(fk.nreq, 3);
	assert_true(proccn_get_events(h) == PROCCN_EV_ALL);
	assert_int_equal(proccn_set_events(NULL, 0), -EINVAL);

	/* a send error is returned and the mask stays */
	fk.send_errno = ECONNREFUSED;
	fk.send_fail_after = 0;
	assert_int_equal(proccn_set_events(h, PROCCN_EV_EXIT), -ECONNREFUSED);
	assert_true(proccn_get_events(h) == PROCCN_EV_ALL);
	fk.send_errno = 0;
}

/* set_events on a legacy subscription: nothing sent, the userspace filter changes. */
static void test_set_events_legacy(void **state)
{
	struct proccn_opts o = opts(PROCCN_EV_EXEC, PROCCN_F_NO_SOCKET_FILTER, 20);
	struct proccn_callbacks cb = fk_rec_callbacks(1);

	(void)state;
	assert_int_equal(fk_init(&fk, FK_OLD), 0);
	assert_int_equal(fk_open(&fk, &h, &o), 0);
	assert_int_equal(fk.nreq, 2);
	assert_int_equal(proccn_set_events(h, PROCCN_EV_FORK), 0);
	assert_int_equal(fk.nreq, 2);
	assert_true(proccn_get_events(h) == PROCCN_EV_FORK);
	assert_int_equal(fk_generate(&fk, fk_exec(4, 4)), 1);
	assert_int_equal(fk_generate(&fk, fk_fork(1, 1, 4, 4)), 1);
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 1);
	assert_int_equal(rec->ev[0].hdr.kind, PROCCN_EV_FORK);
}

/* Instructions of the classic BPF program attached to @fd (0: none). */
static int attached_insns(int fd)
{
	socklen_t len = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_GET_FILTER, NULL, &len) < 0)
		return -errno;
	return (int)len;
}

/*
 * Narrow mask -> socket filter attached; widening to ALL must detach it, or
 * the kernel keeps dropping what the old program dropped. Both modes.
 */
static void widen(enum fk_kernel kind)
{
	struct proccn_opts o = opts(PROCCN_EV_EXIT, 0, 20);

	assert_int_equal(fk_init(&fk, kind), 0);
	assert_int_equal(fk_open(&fk, &h, &o), 0);
	assert_true(attached_insns(h->fd) > 0);
	assert_int_equal(proccn_set_events(h, PROCCN_EV_EXEC), 0);
	assert_true(attached_insns(h->fd) > 0);
	assert_int_equal(proccn_set_events(h, PROCCN_EV_ALL), 0);
	assert_int_equal(attached_insns(h->fd), 0);
	assert_true(proccn_get_events(h) == PROCCN_EV_ALL);
}

static void test_set_events_widen_detaches_filter_modern(void **state)
{
	(void)state;
	widen(FK_MODERN);
}

static void test_set_events_widen_detaches_filter_legacy(void **state)
{
	(void)state;
	widen(FK_OLD);
}

/* Options are validated before anything is sent; the fd is closed on failure. */
static void test_option_validation(void **state)
{
	struct big {
		struct proccn_opts o;
		uint64_t future[2];
	} big;
	struct proccn_opts o;
	struct proccn *out = NULL;
	size_t i;
	static const struct {
		int field;      /* which field to break */
		int value;
	} bad[] = { { 0, 0 }, { 1, 0 }, { 2, 0 }, { 3, 0 }, { 4, 0 }, { 5, 0 }, { 6, 0 } };

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct proccn_opts b = PROCCN_OPTS_INIT;

		switch (bad[i].field) {
		case 0: b.sz = sizeof(size_t); break;       /* too small to hold events */
		case 1: b.flags = 0x80; break;               /* unknown flag */
		case 2: b.events = 0x8; break;               /* bit outside ALL */
		case 3: b.ack_timeout_ms = -1; break;
		case 4: b.max_batch_latency_us = -2; break;   /* below PROCCN_LATENCY_NONE */
		case 5: b.max_batch_latency_us = 1000001; break;
		case 6: b.rcvbuf = -2; break;
		}
		assert_int_equal(proccn_open(&out, &b), -EINVAL);
		assert_null(out);
		/* through the seam too: nothing is sent, the fd is closed */
		assert_int_equal(fk_init(&fk, FK_MODERN), 0);
		{
			int fd = fk.lib_fd;

			assert_int_equal(fk_open(&fk, &out, &b), -EINVAL);
			assert_int_equal(fcntl(fd, F_GETFD), -1);
		}
		assert_int_equal(fk.send_calls, 0);
		assert_null(out);
		fk_fini(&fk);
	}

	/* a larger struct from a newer caller: zero tail fine, non-zero tail E2BIG */
	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	big.future[1] = 1;
	assert_int_equal(proccn_open(&out, &big.o), -E2BIG);
	assert_int_equal(fk_init(&fk, FK_MODERN), 0);
	assert_int_equal(fk_open(&fk, &out, &big.o), -E2BIG);
	fk_fini(&fk);
	big.future[1] = 0;
	assert_int_equal(fk_init(&fk, FK_MODERN), 0);
	assert_int_equal(fk_open(&fk, &out, &big.o), 0);
	out = proccn_close(out);
	fk_fini(&fk);

	/* a field this library does not know, in place of reserved: E2BIG */
	{
		struct proccn_opts b = PROCCN_OPTS_INIT;

		b.reserved = 1;
		assert_int_equal(proccn_open(&out, &b), -E2BIG);
		/* an older sz must end where a member ends: never half a field */
		b.reserved = 0;
		b.sz = offsetof(struct proccn_opts, flags) + 2;
		assert_int_equal(proccn_open(&out, &b), -EINVAL);
		assert_null(out);
	}

	/* an older caller's struct (events only) is fine; later fields default */
	memset(&o, 0x7f, sizeof(o));
	o.sz = offsetof(struct proccn_opts, events) + sizeof(o.events);
	o.events = PROCCN_EV_ALL;
	assert_int_equal(fk_init(&fk, FK_MODERN), 0);
	assert_int_equal(fk_open(&fk, &out, &o), 0);
	assert_int_equal(proccn_mode(out), PROCCN_MODE_KERNEL_FILTER);
	out = proccn_close(out);
	fk_fini(&fk);

	/* NULL opts: defaults; NULL out or sys: EINVAL */
	assert_int_equal(fk_init(&fk, FK_MODERN), 0);
	assert_int_equal(fk_open(&fk, &out, NULL), 0);
	assert_true(proccn_get_events(out) == PROCCN_EV_ALL);
	out = proccn_close(out);
	fk_fini(&fk);
	assert_int_equal(fk_init(&fk, FK_MODERN), 0);
	assert_int_equal(fk_open(&fk, NULL, NULL), -EINVAL);
	fk_fini(&fk);
	assert_int_equal(fk_init(&fk, FK_MODERN), 0);
	{
		int fd = fk.lib_fd;

		fk.lib_fd = -1;
		assert_int_equal(proccn__open_fd(&out, NULL, fd, NULL), -EINVAL);
	}
	assert_int_equal(proccn_open(NULL, NULL), -EINVAL);
}

/* Accessors with NULL. */
static void test_null_accessors(void **state)
{
	struct proccn_stats st = { .sz = sizeof(st) };

	(void)state;
	assert_int_equal(proccn_fd(NULL), -EINVAL);
	assert_int_equal(proccn_mode(NULL), -EINVAL);
	assert_int_equal(proccn_get_stats(NULL, &st), -EINVAL);
	assert_int_equal(fk_init(&fk, FK_MODERN), 0);
	assert_int_equal(fk_open(&fk, &h, NULL), 0);
	assert_int_equal(proccn_get_stats(h, NULL), -EINVAL);
	st.sz = 0;
	assert_int_equal(proccn_get_stats(h, &st), -EINVAL);
}

/*
 * The socket overflowed while the library waited for the ACK, and the ACK
 * was lost with it. On 6.6+ the request is simply asked again (the kernel
 * counts a repeated LISTEN once), instead of falling back to legacy mode.
 */
static void test_ack_lost_to_overflow_modern(void **state)
{
	struct proccn_opts o = opts(0, 0, 30);

	(void)state;
	assert_int_equal(fk_init(&fk, FK_MODERN), 0);
	fk.lose_acks = 1;
	fk.recv_errno = ENOBUFS;
	fk.recv_fail_count = 1;
	assert_int_equal(fk_open(&fk, &h, &o), 0);
	assert_int_equal(proccn_mode(h), PROCCN_MODE_KERNEL_FILTER);
	assert_int_equal(fk_count_requests(&fk, LISTEN, 8), 2);
	assert_int_equal(fk_count_requests(&fk, LISTEN, 4), 0);
	assert_int_equal(fk.listening, 1);
}

/*
 * The same in legacy mode, where a second LISTEN could be counted twice: the
 * open fails, and an IGNORE takes back the LISTEN the kernel may have counted.
 */
static void test_ack_lost_to_overflow_legacy(void **state)
{
	struct proccn_opts o = opts(0, PROCCN_F_FORCE_LEGACY, 30);

	(void)state;
	assert_int_equal(fk_init(&fk, FK_OLD), 0);
	fk.lose_acks = 1;
	fk.recv_errno = ENOBUFS;
	fk.recv_fail_count = 1;
	assert_int_equal(fk_open(&fk, &h, &o), -ETIMEDOUT);
	assert_int_equal(fk_count_requests(&fk, LISTEN, 4), 1);
	assert_int_equal(fk_count_requests(&fk, IGNORE, 4), 1);
	assert_int_equal(fk.listening, 0);
}

/*
 * After fork(), the child shares the parent's socket and subscription: its
 * proccn_set_events() must change neither (no request, no socket filter).
 */
static void test_fork_child_cannot_set_events(void **state)
{
	struct proccn_opts o = opts(PROCCN_EV_EXIT, 0, 2000);
	unsigned int nreq;
	int status, insns;
	pid_t pid;

	(void)state;
	assert_int_equal(fk_init(&fk, FK_MODERN), 0);
	assert_int_equal(fk_open(&fk, &h, &o), 0);
	nreq = fk.nreq;
	insns = attached_insns(h->fd);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int r = proccn_set_events(h, PROCCN_EV_ALL);

		_exit(r == -ECHILD && fk.nreq == nreq &&
		      proccn_get_events(h) == PROCCN_EV_EXIT ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(attached_insns(h->fd), insns);
	assert_int_equal(proccn_set_events(h, PROCCN_EV_ALL), 0);
}

/*
 * Outside the initial user namespace the first timeout is final (-EXDEV):
 * a child process enters a new user namespace to be there for real.
 */
static void test_exdev_in_user_namespace(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct proccn_opts o = opts(0, 0, 50);
		struct proccn *c = NULL;
		int64_t t0;
		int r;

		if (unshare(CLONE_NEWUSER) < 0)
			_exit(77);
		if (fk_init(&fk, FK_SILENT) < 0)
			_exit(2);
		t0 = fk_now_ms();
		r = fk_open(&fk, &c, &o);
		if (r != -EXDEV)
			_exit(3);
		if (fk.nreq != 1)   /* no legacy retry when it cannot help */
			_exit(4);
		if (fk_now_ms() - t0 > 1000 || fk_now_ms() - t0 < 45)
			_exit(5);
		exit(0);   /* exit(): gcov writes its counts */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

/*
 * Without cn_proc in /proc/net/connector (no CONFIG_PROC_EVENTS) the answer
 * is -EOPNOTSUPP: a child gets a private /proc without that line (needs
 * root; skipped otherwise).
 */
static void test_eopnotsupp_without_cn_proc(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	if (outside_initial_ns())
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct proccn_opts o = opts(0, 0, 20);
		struct proccn *c = NULL;
		FILE *f;
		int r;

		/*
		 * A private /proc whose connector list lacks cn_proc. (A bind mount
		 * over /proc/PID/net/connector does not show through /proc/self.)
		 * The socketpair needs no /proc.
		 */
		if (unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("tmpfs", "/proc", "tmpfs", 0, NULL) < 0 || mkdir("/proc/net", 0755) < 0)
			_exit(77);
		f = fopen("/proc/net/connector", "we");
		if (!f || fputs("Name            ID\n", f) < 0 || fclose(f) != 0)
			_exit(77);
		if (fk_init(&fk, FK_SILENT) < 0)
			_exit(2);
		r = fk_open(&fk, &c, &o);
		if (r != -EOPNOTSUPP)
			fprintf(stderr, "open returned %d\n", r);
		/* the real /proc back: LeakSanitizer reads it at exit */
		(void)umount2("/proc", MNT_DETACH);
		exit(r == -EOPNOTSUPP ? 0 : 3);   /* exit(): gcov writes its counts */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

#define T(f) \
	cmocka_unit_test_prestate_setup_teardown(f, fk_fixture_setup, fk_fixture_teardown, &fixture)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_modern_all),
		T(test_modern_narrow_mask),
		T(test_old_kernel_legacy),
		T(test_force_legacy),
		T(test_silent_kernel_times_out),
		T(test_silent_kernel_foreign_acks),
		T(test_foreign_acks_counted),
		T(test_eperm_ack),
		T(test_eperm_ack_modern),
		T(test_send_econnrefused),
		T(test_send_fails_on_legacy_listen),
		T(test_recv_error_during_negotiation),
		T(test_wait_interruptions),
		T(test_overrun_during_negotiation),
		T(test_events_before_ack_kept),
		T(test_events_during_timeout_kept_and_filtered),
		T(test_negotiation_overflow_reported),
		T(test_close_sends_one_ignore),
		T(test_close_retries_ignore),
		T(test_fork_child_cannot_set_events),
		T(test_ack_lost_to_overflow_modern),
		T(test_ack_lost_to_overflow_legacy),
		T(test_no_fd_left_behind),
		T(test_unsubscribe_idempotent),
		T(test_unsubscribe_send_error),
		T(test_set_events_modern),
		T(test_set_events_legacy),
		T(test_set_events_widen_detaches_filter_modern),
		T(test_set_events_widen_detaches_filter_legacy),
		T(test_option_validation),
		T(test_null_accessors),
		T(test_exdev_in_user_namespace),
		T(test_eopnotsupp_without_cn_proc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
