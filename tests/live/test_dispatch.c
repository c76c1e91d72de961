/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proccn_dispatch() and the fd against the real kernel:
 *  - with only on_event set, known kinds arrive there, fields intact;
 *  - a callback that stops the dispatch (negative return) gets that value
 *    back, and the events not yet delivered come with the next call, in
 *    order, none twice; the fd stays readable meanwhile;
 *  - the fd becomes readable (poll) when an event is queued, and never hides
 *    work: a consumer that dispatches only when it is readable misses
 *    nothing, through stops, overruns and events kept from negotiation;
 *  - dispatch(-1) returns once something was delivered; a timeout of 1 ms
 *    returns after about 1 ms;
 *  - max_batch_latency_us: a lone event is not held back; out-of-range
 *    values refused;
 *  - the receive buffer: library default (4 MiB as root) vs -1 (kernel's).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdinfo.h"
#include "live.h"

static const char *truep;

static void do_sleep_exit(void *arg)
{
	(void)arg;
	usleep(200 * 1000);
	_exit(0);
}

/* A recorder of its own: on_event only, optionally stopping on our events. */
struct seen {
	pid_t child;
	bool stop;                  /* return -ECANCELED after each event of child */
	union proccn_event ev[16];
	size_t n;
	uint64_t calls;
};

static int on_event(const union proccn_event *ev, void *ud)
{
	struct seen *s = ud;
	pid_t pid = live_ev_pid(ev);

	s->calls++;
	if (pid != s->child)
		return 0;
	if (s->n < sizeof(s->ev) / sizeof(s->ev[0]))
		s->ev[s->n++] = *ev;
	return s->stop ? -ECANCELED : 0;
}

static const struct proccn_callbacks event_only = {
	.sz = sizeof(struct proccn_callbacks),
	.on_event = on_event,
};

static struct proccn *open_all(void)
{
	struct proccn_opts o = PROCCN_OPTS_INIT;
	struct proccn *h = NULL;
	int r;

	o.flags = live_extra_flags;
	r = proccn_open(&h, &o);
	REQUIRE(r == 0, "proccn_open = %d (%s)", r, proccn_strerror(r));
	return h;
}

static void case_stop_and_resume(void)
{
	struct proccn *h = open_all();
	struct seen s;
	struct proccn_stats st;
	uint64_t end;
	int status, r, stops = 0;

	printf("--- on_event only; stopping callbacks\n");
	memset(&s, 0, sizeof(s));
	s.stop = true;
	s.child = live_spawn(live_exec_path, (void *)truep);
	status = live_reap(s.child);
	REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	/* Let the three events queue up, so one read brings them all. */
	usleep(100 * 1000);
	end = live_now_ns() + LIVE_DEADLINE_MS * 1000000ull;
	while (s.n < 3 && live_now_ns() < end) {
		size_t before = s.n;

		/* after a stop, what was read and not delivered keeps the fd readable */
		if (before) {
			struct pollfd pfd = { .fd = proccn_fd(h), .events = POLLIN };

			EXPECT(poll(&pfd, 1, 0) == 1, "after a stopped dispatch the fd is not "
			       "readable (work hidden)");
		}
		r = proccn_dispatch(h, &event_only, &s, before ? 0 : 100);
		if (r == -ECANCELED) {
			stops++;
			EXPECT(s.n == before + 1, "a stopped dispatch delivered %zu of our events",
			       s.n - before);
		} else {
			EXPECT(r >= 0, "proccn_dispatch = %d (%s)", r, proccn_strerror(r));
			EXPECT(before == 0, "after a stop, dispatch(0) returned %d without our next "
			       "event (kept events lost?)", r);
			if (before)
				break;
		}
	}
	EXPECT(s.n == 3 && stops == 3, "3 events, 3 stops: got %zu events, %d stops", s.n, stops);
	if (s.n == 3) {
		EXPECT(s.ev[0].hdr.kind == PROCCN_EV_FORK && s.ev[1].hdr.kind == PROCCN_EV_EXEC &&
		       s.ev[2].hdr.kind == PROCCN_EV_EXIT,
		       "order FORK, EXEC, EXIT: got %#x %#x %#x", s.ev[0].hdr.kind,
		       s.ev[1].hdr.kind, s.ev[2].hdr.kind);
		EXPECT(s.ev[0].fork.parent_pid == getpid() && s.ev[0].fork.child_tgid == s.child,
		       "FORK fields via on_event: parent %d child %d/%d", s.ev[0].fork.parent_pid,
		       s.ev[0].fork.child_pid, s.ev[0].fork.child_tgid);
		EXPECT(s.ev[1].exec.tgid == s.child, "EXEC tgid %d", s.ev[1].exec.tgid);
		EXPECT(s.ev[2].exit.tgid == s.child && s.ev[2].exit.exit_code == 0 &&
		       s.ev[2].exit.exit_signal == SIGCHLD, "EXIT fields via on_event");
	}
	/* Nothing of ours comes twice. */
	s.stop = false;
	r = proccn_dispatch(h, &event_only, &s, 200);
	EXPECT(r >= 0, "proccn_dispatch = %d", r);
	EXPECT(s.n == 3, "events delivered again after the stops: %zu", s.n);
	memset(&st, 0, sizeof(st));
	st.sz = sizeof(st);
	EXPECT(proccn_get_stats(h, &st) == 0, "get_stats");
	EXPECT(st.delivered == s.calls, "delivered %llu, callback called %llu times",
	       (unsigned long long)st.delivered, (unsigned long long)s.calls);
	EXPECT(st.malformed == 0 && st.spoofed == 0, "malformed %llu spoofed %llu",
	       (unsigned long long)st.malformed, (unsigned long long)st.spoofed);
	EXPECT(proccn_close(h) == NULL, "proccn_close returns NULL");
}

static void case_poll_and_block(void)
{
	struct proccn *h = open_all();
	struct pollfd pfd;
	struct seen s;
	uint64_t t0;
	pid_t child;
	int fd, sock, r;

	printf("--- proccn_fd, poll, dispatch(-1)\n");
	EXPECT(proccn_fd(NULL) == -EINVAL, "proccn_fd(NULL) = %d", proccn_fd(NULL));
	EXPECT(proccn_mode(NULL) == -EINVAL, "proccn_mode(NULL) = %d", proccn_mode(NULL));
	fd = proccn_fd(h);
	REQUIRE(fd >= 0, "proccn_fd = %d", fd);
	EXPECT((fcntl(fd, F_GETFL) & O_NONBLOCK) != 0, "the fd must be non-blocking");
	EXPECT((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0, "the fd must be close-on-exec");
	sock = fdinfo_epoll_target(fd);
	EXPECT(sock >= 0, "proccn_fd must be an epoll instance watching one socket");
	if (sock >= 0) {
		EXPECT((fcntl(sock, F_GETFD) & FD_CLOEXEC) != 0,
		       "the socket must be close-on-exec");
		EXPECT((fcntl(sock, F_GETFL) & O_NONBLOCK) == 0,
		       "the socket must block (one recvmmsg per wake-up)");
	}
	memset(&s, 0, sizeof(s));
	proccn_dispatch(h, &event_only, &s, 0);

	s.child = child = live_spawn(do_sleep_exit, NULL);
	pfd.fd = fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	/* Its FORK (at least) makes the fd readable. */
	r = poll(&pfd, 1, LIVE_DEADLINE_MS);
	EXPECT(r == 1 && (pfd.revents & POLLIN), "poll on proccn_fd: %d revents %#x", r,
	       pfd.revents);

	/* Blocking dispatch: returns after delivering something. The child
	 * exits within 200 ms, so there is something; the alarm bounds it. */
	alarm(10);
	t0 = live_now_ns();
	while (s.n < 2 && live_now_ns() - t0 < LIVE_DEADLINE_MS * 1000000ull) {
		r = proccn_dispatch(h, &event_only, &s, -1);
		EXPECT(r > 0 || r == -EINTR, "dispatch(-1) = %d: must block until it delivered",
		       r);
		if (r <= 0 && r != -EINTR)
			break;
	}
	alarm(50);
	EXPECT(s.n == 2 && s.ev[1].hdr.kind == PROCCN_EV_EXIT, "FORK and EXIT of %d: got %zu",
	       (int)child, s.n);
	live_reap(child);
	proccn_close(h);
}

static void case_latency(void)
{
	struct proccn_opts o = PROCCN_OPTS_INIT;
	struct proccn *h = NULL;
	struct seen s;
	uint64_t end;
	int r;

	printf("--- max_batch_latency_us\n");
	o.flags = live_extra_flags;
	o.max_batch_latency_us = 1000001;
	r = proccn_open(&h, &o);
	EXPECT(r == -EINVAL && !h, "latency 1000001 us: proccn_open = %d, want -EINVAL", r);
	if (h)
		h = proccn_close(h);
	o.max_batch_latency_us = PROCCN_LATENCY_NONE - 1;
	r = proccn_open(&h, &o);
	EXPECT(r == -EINVAL && !h, "latency %d: proccn_open = %d, want -EINVAL",
	       PROCCN_LATENCY_NONE - 1, r);
	if (h)
		h = proccn_close(h);
	o.max_batch_latency_us = 200000;
	r = proccn_open(&h, &o);
	REQUIRE(r == 0, "latency 50 ms: proccn_open = %d (%s)", r, proccn_strerror(r));
	memset(&s, 0, sizeof(s));
	s.child = live_spawn(live_exec_path, (void *)truep);
	live_reap(s.child);
	end = live_now_ns() + LIVE_DEADLINE_MS * 1000000ull;
	while (s.n < 3 && live_now_ns() < end) {
		r = proccn_dispatch(h, &event_only, &s, 500);
		REQUIRE(r >= 0, "dispatch = %d (%s)", r, proccn_strerror(r));
	}
	EXPECT(s.n == 3, "FORK, EXEC, EXIT with batching: got %zu", s.n);
	proccn_close(h);
}

/* The delay from an event's kernel timestamp to the callback. */
struct delays {
	pid_t child;
	uint64_t worst_ns;
	size_t n;
};

static int on_event_delay(const union proccn_event *ev, void *ud)
{
	struct delays *d = ud;
	uint64_t now = live_now_ns();

	if (live_ev_pid(ev) != d->child || now < ev->hdr.timestamp_ns)
		return 0;
	if (now - ev->hdr.timestamp_ns > d->worst_ns)
		d->worst_ns = now - ev->hdr.timestamp_ns;
	d->n++;
	return 0;
}

static void do_rename(void *arg)
{
	(void)arg;
	(void)prctl(PR_SET_NAME, "pcn-lone");
	_exit(0);
}

/*
 * Adaptive batching: events 300 ms apart with a cap of 200 ms are lone
 * events: each reaches its callback at once, never after the cap (before,
 * every wake-up waited the whole latency). COMM events only, so that the
 * rest of the machine makes no burst.
 */
static void case_lone_event_not_held(void)
{
	const struct proccn_callbacks cb = {
		.sz = sizeof(struct proccn_callbacks), .on_event = on_event_delay,
	};
	struct proccn_opts o = PROCCN_OPTS_INIT;
	struct proccn *h = NULL;
	struct delays d;
	int i, r;

	printf("--- adaptive batching: a lone event is not held back\n");
	o.flags = live_extra_flags;
	o.events = PROCCN_EV_COMM;
	o.max_batch_latency_us = 200000;
	r = proccn_open(&h, &o);
	REQUIRE(r == 0, "proccn_open = %d (%s)", r, proccn_strerror(r));
	memset(&d, 0, sizeof(d));
	for (i = 0; i < 5; i++) {
		uint64_t end;
		size_t want = d.n + 1;

		usleep(300 * 1000);
		d.child = live_spawn(do_rename, NULL);
		end = live_now_ns() + LIVE_DEADLINE_MS * 1000000ull;
		while (d.n < want && live_now_ns() < end)
			(void)proccn_dispatch(h, &cb, &d, 200);
		live_reap(d.child);
	}
	printf("    5 events, worst delay %.3f ms (cap 200 ms)\n", (double)d.worst_ns / 1e6);
	EXPECT(d.n == 5, "COMM of 5 children: %zu events", d.n);
	EXPECT(d.worst_ns < 100 * 1000000ull, "a lone event waited %.3f ms (cap 200 ms)",
	       (double)d.worst_ns / 1e6);
	proccn_close(h);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* A timeout of 1 ms returns after about 1 ms (SO_RCVTIMEO gave 4-8 ms at HZ=250). */
static void case_short_timeout(void)
{
	struct proccn_opts o = PROCCN_OPTS_INIT;
	struct proccn *h = NULL;
	struct seen s;
	uint64_t dt[11];
	int i, r;

	printf("--- a 1 ms timeout\n");
	o.flags = live_extra_flags;
	o.events = PROCCN_EV_PTRACE;   /* rare: the calls time out */
	r = proccn_open(&h, &o);
	REQUIRE(r == 0, "proccn_open = %d (%s)", r, proccn_strerror(r));
	memset(&s, 0, sizeof(s));
	for (i = 0; i < 11; i++) {
		uint64_t t0 = live_now_ns();

		r = proccn_dispatch(h, &event_only, &s, 1);
		dt[i] = live_now_ns() - t0;
		EXPECT(r >= 0, "dispatch = %d", r);
	}
	qsort(dt, 11, sizeof(dt[0]), cmp_u64);
	printf("    dispatch(1): median %.3f ms, max %.3f ms\n", (double)dt[5] / 1e6,
	       (double)dt[10] / 1e6);
	EXPECT(dt[5] < 2500000, "dispatch(..., 1) took %.3f ms (median)", (double)dt[5] / 1e6);
	proccn_close(h);
}

/*
 * The fd never hides work. A consumer dispatches only when the fd is
 * readable, while a child forks short-lived processes as fast as it can
 * (some events arrive while the handle negotiates), the receive buffer is
 * tiny (overruns) and the callbacks stop every other event and every loss
 * report. Whenever poll says "not readable", a probing dispatch(0) must not
 * deliver an event generated more than 1 ms before the poll returned (it
 * was queued, or held, then), nor a loss report.
 */
struct hidden {
	uint64_t poll_end_ns;
	uint64_t events, losses, hidden_events, hidden_losses, probing;
};

static int on_event_hidden(const union proccn_event *ev, void *ud)
{
	struct hidden *hd = ud;

	hd->events++;
	if (hd->probing && ev->hdr.timestamp_ns + 1000000 < hd->poll_end_ns)
		hd->hidden_events++;
	return hd->events % 2 ? -ECANCELED : 0;
}

static int on_loss_hidden(const struct proccn_loss *loss, void *ud)
{
	struct hidden *hd = ud;

	(void)loss;
	hd->losses++;
	hd->hidden_losses += hd->probing;
	return -ECANCELED;
}

static void fork_forever(void *arg)
{
	(void)arg;
	for (;;) {
		pid_t p = fork();

		if (p == 0)
			_exit(0);
		if (p > 0)
			waitpid(p, NULL, 0);
	}
}

static void case_fd_never_hides_work(void)
{
	const struct proccn_callbacks cb = {
		.sz = sizeof(struct proccn_callbacks),
		.on_event = on_event_hidden,
		.on_loss = on_loss_hidden,
	};
	struct proccn_opts o = PROCCN_OPTS_INIT;
	struct proccn *h = NULL;
	struct hidden hd;
	uint64_t end;
	pid_t forker;
	int r;

	printf("--- the fd never hides work\n");
	memset(&hd, 0, sizeof(hd));
	forker = live_spawn(fork_forever, NULL);
	usleep(20 * 1000);
	o.flags = live_extra_flags;
	o.rcvbuf = 4096;
	r = proccn_open(&h, &o);
	REQUIRE(r == 0, "proccn_open = %d (%s)", r, proccn_strerror(r));
	end = live_now_ns() + 1500 * 1000000ull;
	while (live_now_ns() < end) {
		struct pollfd pfd = { .fd = proccn_fd(h), .events = POLLIN };
		int ready = poll(&pfd, 1, 10);

		hd.poll_end_ns = live_now_ns();
		hd.probing = ready == 0;
		r = proccn_dispatch(h, &cb, &hd, 0);
		EXPECT(r >= 0 || r == -ECANCELED, "dispatch = %d (%s)", r, proccn_strerror(r));
		if (ready == 0)
			usleep(2000);   /* let events pile up and the buffer overflow */
	}
	kill(forker, SIGKILL);
	live_reap(forker);
	printf("    %llu events, %llu loss reports; hidden from poll: %llu events, %llu reports\n",
	       (unsigned long long)hd.events, (unsigned long long)hd.losses,
	       (unsigned long long)hd.hidden_events, (unsigned long long)hd.hidden_losses);
	EXPECT(hd.events > 20, "only %llu events", (unsigned long long)hd.events);
	EXPECT(hd.hidden_events == 0 && hd.hidden_losses == 0,
	       "work the fd did not show: %llu events, %llu loss reports",
	       (unsigned long long)hd.hidden_events, (unsigned long long)hd.hidden_losses);
	proccn_close(h);
}

static int rcvbuf_of(int rcvbuf)
{
	struct proccn_opts o = PROCCN_OPTS_INIT;
	struct proccn_stats st;
	struct proccn *h = NULL;
	int r;

	o.flags = live_extra_flags;
	o.rcvbuf = rcvbuf;
	r = proccn_open(&h, &o);
	REQUIRE(r == 0, "rcvbuf %d: proccn_open = %d (%s)", rcvbuf, r, proccn_strerror(r));
	memset(&st, 0, sizeof(st));
	st.sz = sizeof(st);
	EXPECT(proccn_get_stats(h, &st) == 0, "get_stats");
	proccn_close(h);
	return st.rcvbuf;
}

static void case_rcvbuf(void)
{
	int def, kern, small;
	long rmem_default = 0;
	FILE *f;

	printf("--- receive buffer\n");
	f = fopen("/proc/sys/net/core/rmem_default", "re");
	if (f) {
		if (fscanf(f, "%ld", &rmem_default) != 1)
			rmem_default = 0;
		fclose(f);
	}
	def = rcvbuf_of(0);
	kern = rcvbuf_of(-1);
	small = rcvbuf_of(65536);
	printf("    rcvbuf: default %d, kernel's %d, asked 65536: %d (rmem_default %ld)\n", def,
	       kern, small, rmem_default);
	EXPECT(kern > 0 && small > 0 && def > 0, "rcvbuf > 0");
	if (geteuid() == 0)
		EXPECT(def >= 4 * 1024 * 1024, "root: library default rcvbuf %d, want >= 4 MiB",
		       def);
	if (rmem_default > 0 && rmem_default < 2 * 1024 * 1024 && geteuid() == 0)
		EXPECT(kern < def, "rcvbuf -1 (kernel default, %d) must be below the library's %d",
		       kern, def);
	EXPECT(small >= 65536, "asked 65536, got %d", small);
}

int main(int argc, char **argv)
{
	live_init(argc, argv, "live-dispatch", false);
	truep = live_true_path();
	case_stop_and_resume();
	case_poll_and_block();
	case_latency();
	case_lone_event_not_held();
	case_short_timeout();
	case_fd_never_hides_work();
	case_rcvbuf();
	return live_finish();
}
