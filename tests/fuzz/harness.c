/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fuzz harness: the shared fake kernel (tests/common/fake_kernel.h) in
 * memory mode answers the negotiation as a 6.6+ kernel does, and serves
 * datagrams, sender addresses, flags and errors carved from the input
 * (format in harness.h), record by record as the library reads. Nothing runs
 * outside this process and nothing sleeps.
 *
 * Besides crashes and sanitizer reports, the harness checks the promises of
 * proccn.h that need no kernel to judge, and abort()s when one is broken, so
 * that a broken promise is a finding like any crash: what the library sends
 * and how it reads (wrappers around the fake kernel's system calls), what it
 * delivers (the filter oracle), and what it counts.
 */
#include "harness.h"

#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "event.h"
#include "fake_kernel.h"
#include "oracle.h"
#include "proccn.h"

#define CB_STOP       (-ECANCELED)

struct record {
	int op;            /* PCN_FUZZ_OP_* */
	int sender;        /* PCN_FUZZ_FROM_* */
	int trunc;
	uint32_t mask;     /* for PCN_FUZZ_OP_SET_EVENTS */
	const uint8_t *dgram;
	size_t len;
	size_t end;        /* input offset after the record */
};

struct fuzz {
	struct fake_kernel fk;
	int fd;                     /* the library's socket */
	const struct proccn *h;     /* for the callbacks' filter check; NULL while opening */
	uint8_t hdr[PCN_FUZZ_HDR_LEN];
	const uint8_t *data;
	size_t size, pos;

	/* the library's system calls */
	int opening;
	unsigned int batch_max;
	int send_fails;
	unsigned int listens, ignores;
	uint64_t served;            /* datagrams returned by recvmmsg */
	uint64_t enobufs;           /* ENOBUFS returned by recvmmsg */
	int set_events_due;
	uint32_t set_events_mask;
	int open_eio;               /* EIO was returned while opening */
	int timeout_ms;             /* of the dispatch under way */

	/* the callbacks */
	unsigned int stop_every;
	uint64_t calls;             /* callback invocations, events and losses */
	uint64_t events;            /* event callback invocations */
	int stopped;                /* a callback returned CB_STOP this round */
	uint64_t overrun_reports;
	uint64_t counted_loss;      /* SEQ_GAP and NEGOTIATION counts reported */
	uint32_t flags;
};

/* Parse the record at f->pos into *r. Returns 0 at the end of input. */
static int peek_record(const struct fuzz *f, struct record *r)
{
	size_t p = f->pos;
	uint8_t ctl;

	if (p >= f->size)
		return 0;
	memset(r, 0, sizeof(*r));
	ctl = f->data[p++];
	r->sender = ctl & 3;
	r->trunc = !!(ctl & PCN_FUZZ_TRUNC);
	r->op = (ctl >> PCN_FUZZ_OP_SHIFT) & 7;
	if (r->op == PCN_FUZZ_OP_SET_EVENTS) {
		uint8_t m[4] = { 0 };
		size_t n = f->size - p < 4 ? f->size - p : 4;

		memcpy(m, f->data + p, n);
		p += n;
		r->mask = dgram_get32(m);
	}
	if (f->size - p >= 2) {
		r->len = (size_t)f->data[p] | (size_t)f->data[p + 1] << 8;
		p += 2;
	} else {
		r->len = 0;
		p = f->size;
	}
	if (r->len > f->size - p)
		r->len = f->size - p;
	r->dgram = f->data + p;
	r->end = p + r->len;
	return 1;
}

/* What a record's operation makes the read before its datagram fail with (0: nothing). */
static int record_errno(struct fuzz *f, const struct record *r)
{
	switch (r->op) {
	case PCN_FUZZ_OP_ENOBUFS:
		return ENOBUFS;
	case PCN_FUZZ_OP_EINTR:
		return EINTR;
	case PCN_FUZZ_OP_SET_EVENTS:
		/* ends the round; the mask changes before the next one */
		f->set_events_due = 1;
		f->set_events_mask = r->mask;
		return EAGAIN;
	case PCN_FUZZ_OP_EAGAIN:
		return EAGAIN;
	case PCN_FUZZ_OP_EIO:
		return EIO;
	default:
		return 0;   /* none, or a short batch: it begins here */
	}
}

/* Hand the next record to the fake kernel: its error (if any), then its datagram. */
static int feed_record(struct fuzz *f, unsigned int served)
{
	struct fk_from from = { AF_NETLINK, 0, sizeof(struct sockaddr_nl), 0 };
	struct record r;
	int err;

	if (!peek_record(f, &r))
		return 0;
	/* a record with an operation begins a new batch */
	if (r.op >= PCN_FUZZ_OP_ENOBUFS && served > 0)
		return 0;
	f->pos = r.end;
	err = record_errno(f, &r);
	if (err)
		CHECK(fk_inject_error(&f->fk, err) == 0);
	switch (r.sender) {
	case PCN_FUZZ_FROM_USER:
		from.nl_pid = 4242;  /* a root process spoofing the kernel */
		break;
	case PCN_FUZZ_FROM_FAMILY:
		from.family = AF_UNIX;
		break;
	case PCN_FUZZ_FROM_SHORT:
		from.addrlen = 4;
		break;
	default:
		break;
	}
	from.trunc = r.trunc;
	CHECK(fk_inject_from(&f->fk, r.dgram, r.len, &from) == 0);
	return 1;
}

static void refill(struct fake_kernel *fk, void *ctx, unsigned int served)
{
	(void)fk;
	(void)feed_record(ctx, served);
}

/* The library's requests: well formed, and never anything after the IGNORE. */
static ssize_t check_sendmsg(void *ctx, int fd, const struct msghdr *msg, int flags)
{
	struct fuzz *f = ctx;
	struct fk_request rq;

	CHECK(fd == f->fd);
	CHECK(msg->msg_iovlen == 1 && msg->msg_iov[0].iov_base);
	fk_parse_request(msg, &rq);
	/* a request the kernel would take: nlmsghdr + cn_msg + 4 or 8 bytes */
	CHECK(rq.well_formed && (rq.len == DGRAM_REQ_LEGACY || rq.len == DGRAM_REQ_INPUT));
	CHECK(rq.op == DGRAM_MCAST_LISTEN || rq.op == DGRAM_MCAST_IGNORE);

	/* on old kernels a second IGNORE silences the host: nothing after one */
	CHECK(f->ignores == 0);
	if (rq.op == DGRAM_MCAST_IGNORE) {
		CHECK(f->listens > 0);
		f->ignores++;
	} else {
		f->listens++;
	}
	if (f->send_fails && !f->opening) {
		errno = EPERM;
		return -1;
	}
	return f->fk.sys.sendmsg(f->fk.sys.ctx, fd, msg, flags);
}

static int check_recvmmsg(void *ctx, int fd, struct mmsghdr *vec, unsigned int n, int flags)
{
	struct fuzz *f = ctx;
	unsigned int i, limit = n;
	int r;

	CHECK(fd == f->fd);
	/* a blocking read only in a dispatch that may wait, never while opening */
	if (flags & MSG_WAITFORONE)
		CHECK(!(flags & MSG_DONTWAIT) && !f->opening && f->timeout_ms != 0);
	else
		CHECK(flags & MSG_DONTWAIT);
	CHECK(n > 0);
	if (f->batch_max && f->batch_max < limit)
		limit = f->batch_max;
	/* what recvmmsg(2) would need from the library */
	for (i = 0; i < limit; i++) {
		const struct msghdr *h = &vec[i].msg_hdr;

		CHECK(h->msg_iovlen == 1 && h->msg_iov && h->msg_iov[0].iov_base);
		CHECK(h->msg_name && h->msg_namelen >= sizeof(struct sockaddr_nl));
	}
	r = f->fk.sys.recvmmsg(f->fk.sys.ctx, fd, vec, limit, flags);
	if (r > 0)
		f->served += (unsigned int)r;
	else if (errno == ENOBUFS)
		f->enobufs++;
	else if (errno == EIO)
		f->open_eio |= f->opening;
	return r;
}

static int check_poll(void *ctx, struct pollfd *pfd, nfds_t n, int timeout_ms)
{
	struct fuzz *f = ctx;

	CHECK(n == 1 && pfd->fd == f->fd);
	/* proccn_dispatch(..., 0) and (..., -1) never poll; the negotiation may */
	CHECK(f->opening || f->timeout_ms > 0);
	return f->fk.sys.poll(f->fk.sys.ctx, pfd, n, timeout_ms);
}

/* Callbacks: count, check the event, and stop when the input says so. */
static int cb_result(struct fuzz *f)
{
	f->calls++;
	if (f->stop_every && f->calls % f->stop_every == 0) {
		f->stopped = 1;
		return CB_STOP;
	}
	return 0;
}

static void check_filter(const struct fuzz *f, const union proccn_event *ev)
{
	uint32_t kind = ev->hdr.kind;

	CHECK(kind != 0);  /* ACKs are not events */
	if (!event_known_kind(kind))
		return;    /* unknown kinds: no promise beyond delivery */
	CHECK(oracle_pass_event(proccn_get_events(f->h), f->flags, ev));
}

static int on_any(struct fuzz *f, const void *ev, uint32_t kind)
{
	union proccn_event u;

	CHECK(f->h);  /* nothing is delivered while opening */
	/* typed events are union members: copy the member's bytes to judge them */
	event_from_typed(&u, kind, ev);
	if (kind) {
		CHECK(u.hdr.kind == kind);
	} else {
		/* all typed callbacks are set: on_event sees only unknown kinds */
		CHECK(!event_known_kind(u.hdr.kind));
		CHECK(u.raw.len <= PROCCN_RAW_LEN);
	}
	if (kind == PROCCN_EV_COMM)
		CHECK(memchr(u.comm.comm, '\0', PROCCN_COMM_LEN) != NULL);
	check_filter(f, &u);
	f->events++;
	return cb_result(f);
}

static int on_fork(const struct proccn_fork *ev, void *ud) { return on_any(ud, ev, PROCCN_EV_FORK); }
static int on_exec(const struct proccn_exec *ev, void *ud) { return on_any(ud, ev, PROCCN_EV_EXEC); }
static int on_uid(const struct proccn_uid *ev, void *ud) { return on_any(ud, ev, PROCCN_EV_UID); }
static int on_gid(const struct proccn_gid *ev, void *ud) { return on_any(ud, ev, PROCCN_EV_GID); }
static int on_sid(const struct proccn_sid *ev, void *ud) { return on_any(ud, ev, PROCCN_EV_SID); }
static int on_ptrace(const struct proccn_ptrace *ev, void *ud) { return on_any(ud, ev, PROCCN_EV_PTRACE); }
static int on_comm(const struct proccn_comm *ev, void *ud) { return on_any(ud, ev, PROCCN_EV_COMM); }
static int on_coredump(const struct proccn_coredump *ev, void *ud) { return on_any(ud, ev, PROCCN_EV_COREDUMP); }
static int on_exit_ev(const struct proccn_exit *ev, void *ud) { return on_any(ud, ev, PROCCN_EV_EXIT); }
static int on_event(const union proccn_event *ev, void *ud) { return on_any(ud, ev, 0); }

static int on_loss(const struct proccn_loss *loss, void *ud)
{
	struct fuzz *f = ud;

	CHECK(f->h);
	switch (loss->reason) {
	case PROCCN_LOSS_OVERRUN:
		f->overrun_reports++;
		break;
	case PROCCN_LOSS_SEQ_GAP:
	case PROCCN_LOSS_NEGOTIATION:
		CHECK(loss->exact == 1 && loss->count > 0);
		f->counted_loss += loss->count;
		break;
	default:
		CHECK(!"unknown loss reason");
	}
	return cb_result(f);
}

static const struct proccn_callbacks callbacks = {
	.sz = sizeof(struct proccn_callbacks),
	.on_fork = on_fork, .on_exec = on_exec, .on_uid = on_uid, .on_gid = on_gid,
	.on_sid = on_sid, .on_ptrace = on_ptrace, .on_comm = on_comm,
	.on_coredump = on_coredump, .on_exit = on_exit_ev, .on_event = on_event,
	.on_loss = on_loss,
};

/* Counters that must agree with what the fake served and the callbacks saw. */
static void check_stats(const struct fuzz *f, struct proccn *h)
{
	struct proccn_stats s;

	memset(&s, 0, sizeof(s));
	s.sz = sizeof(s);
	CHECK(proccn_get_stats(h, &s) == 0);
	CHECK(s.sz == sizeof(s));
	CHECK(s.datagrams == f->served);
	CHECK(s.delivered == f->events);
	CHECK(s.delivered + s.filtered <= s.received);
	CHECK(s.overruns == f->enobufs);
	CHECK(s.lost_exact == 0 || s.lost_exact == 1);
}

/* The end of the last whole member of struct proccn_stats within @sz bytes. */
static size_t stats_whole_members(size_t sz)
{
	/* sz, then the u64 counters up to lost; lost_exact and rcvbuf; two more u64 */
	static const size_t ends[] = { 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 84, 88, 96, 104 };
	size_t i, end = 0;

	for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
		if (ends[i] <= sz)
			end = ends[i];
	return end;
}

/* proccn_get_stats() with an odd sz: only whole members within sz may be written. */
static void check_stats_sz(struct proccn *h, uint8_t sel)
{
	union {
		struct proccn_stats s;
		uint8_t b[sizeof(struct proccn_stats) + 128];
	} u;
	size_t sz, i, written;
	int r;

	sz = sel < 0x80 ? sel : sizeof(struct proccn_stats) + (sel & 0x7f);
	memset(&u, 0xa5, sizeof(u));
	u.s.sz = sz;
	r = proccn_get_stats(h, &u.s);
	CHECK(r == (sz < sizeof(size_t) ? -EINVAL : 0));
	CHECK(sizeof(struct proccn_stats) == stats_whole_members(SIZE_MAX));
	written = r == 0 ? stats_whole_members(sz) : sizeof(size_t);
	/* sz comes back as what was filled */
	CHECK(u.s.sz == (r == 0 ? written : sz));
	for (i = written; i < sizeof(u.b); i++)
		CHECK(u.b[i] == 0xa5);
}

static void do_set_events(struct fuzz *f, struct proccn *h, uint32_t mask)
{
	uint32_t before = proccn_get_events(h);
	int r = proccn_set_events(h, mask);

	if (mask & ~PROCCN_EV_ALL) {
		CHECK(r == -EINVAL && proccn_get_events(h) == before);
	} else if (r == 0) {
		uint32_t want = mask & PROCCN_EV_ALL;

		CHECK(proccn_get_events(h) == (want ? want : PROCCN_EV_ALL));
	} else {
		/* only a failing send may refuse a good mask, and it changes nothing */
		if (r != -EPERM || !f->send_fails)
			fprintf(stderr, "proccn_set_events(%#x) = %d\n", (unsigned int)mask, r);
		CHECK(r == -EPERM && f->send_fails && proccn_get_events(h) == before);
	}
}

static void run(struct fuzz *f, struct proccn *h)
{
	/* every round ends with one record or more consumed, or one event delivered */
	size_t rounds = 0, max_rounds = 2 * f->size + 64;
	int finished = 0;

	while (!finished) {
		int r;

		CHECK(++rounds <= max_rounds);
		f->stopped = 0;
		/* rounds take turns: no wait, a short wait, a wait without limit */
		f->timeout_ms = (int)(rounds % 3) == 0 ? 0 : (int)(rounds % 3) == 1 ? 1 : -1;
		/* nothing more will come: a wait with a limit times out, one without
		 * is ended by a signal, as a real one would be */
		f->fk.wait_errno = f->timeout_ms < 0 ? EINTR : EAGAIN;
		r = proccn_dispatch(h, &callbacks, f, f->timeout_ms);
		if (f->stopped)
			CHECK(r == CB_STOP);
		else
			CHECK(r >= 0 || r == -EINTR || r == -EIO);
		check_stats(f, h);
		if (f->set_events_due) {
			f->set_events_due = 0;
			do_set_events(f, h, f->set_events_mask);
		}
		/* done when the input is used up and a dispatch ran to its end */
		finished = r >= 0 && f->pos >= f->size &&
			   f->fk.backlog_off == f->fk.backlog_len;
	}
	check_stats_sz(h, f->hdr[7]);
	/* every loss was reported: an overrun at least once, counted loss exactly */
	{
		struct proccn_stats s = { .sz = sizeof(s) };

		CHECK(proccn_get_stats(h, &s) == 0);
		CHECK(!s.overruns == !f->overrun_reports);
		CHECK(f->overrun_reports <= s.overruns);
		CHECK(f->counted_loss == s.lost);
	}
}

/* The fake kernel of one input: a 6.6+ kernel in memory mode, fed record by record. */
static void fake_kernel_setup(struct fuzz *f, struct pcn_sys *sys)
{
	unsigned int i, neg = f->hdr[0] >> PCN_FUZZ_NEG_SHIFT;

	if (fk_init_memory(&f->fk, FK_MODERN) < 0) {
		perror("fk_init_memory");
		abort();
	}
	f->fk.fixed_cpu = 0;   /* the same numbers on every machine */
	f->fk.ack_err = (f->hdr[0] & PCN_FUZZ_ACK_EPERM) ? EPERM : 0;
	/* someone else listens: the kernel answers even a refused request */
	f->fk.other_listeners = 1;
	f->fk.refill = refill;
	f->fk.refill_ctx = f;
	f->fd = f->fk.lib_fd;
	/* the records served while negotiating, before the ACK */
	for (i = 0; i < neg && feed_record(f, 0); i++)
		;
	sys->sendmsg = check_sendmsg;
	sys->recvmmsg = check_recvmmsg;
	sys->poll = check_poll;
	sys->drops = NULL;
	sys->ctx = f;
}

int pcn_fuzz_one(const uint8_t *data, size_t size)
{
	struct proccn_opts opts = PROCCN_OPTS_INIT;
	struct proccn *h = NULL;
	struct pcn_sys sys;
	struct fuzz f;
	size_t n = size < PCN_FUZZ_HDR_LEN ? size : PCN_FUZZ_HDR_LEN;
	int r, bad_mask;

	memset(&f, 0, sizeof(f));
	memcpy(f.hdr, data, n);
	f.data = data;
	f.size = size;
	f.pos = n;
	f.send_fails = !!(f.hdr[0] & PCN_FUZZ_SEND_FAILS);
	f.stop_every = f.hdr[5];
	f.batch_max = f.hdr[6];

	opts.flags = f.hdr[0] & (PROCCN_F_PROCESSES_ONLY | PROCCN_F_FORCE_LEGACY |
				 PROCCN_F_NO_SOCKET_FILTER);
	f.flags = opts.flags;
	opts.events = dgram_get32(f.hdr + 1);
	bad_mask = (f.hdr[0] & (PCN_FUZZ_ACK_EPERM | PCN_FUZZ_SEND_FAILS)) ==
		   (PCN_FUZZ_ACK_EPERM | PCN_FUZZ_SEND_FAILS);
	if (!bad_mask)
		opts.events &= PROCCN_EV_ALL;
	/* the ACK is always there at once: a long timeout is never waited for,
	 * and keeps slow replays (valgrind) from timing out */
	opts.ack_timeout_ms = 10000;
	opts.rcvbuf = -1;
	/*
	 * One input in five gathers bursts (a 20 us cap, so that the sleeps stay
	 * short): the gathering paths meet overruns, signals and mask changes
	 * too. The others never gather (the default cap would sleep 1 ms).
	 */
	opts.max_batch_latency_us = size % 5 == 0 ? 20 : PROCCN_LATENCY_NONE;

	fake_kernel_setup(&f, &sys);
	f.fk.lib_fd = -1;   /* proccn__open_fd() owns it from here */
	f.opening = 1;
	r = proccn__open_fd(&h, &opts, f.fd, &sys);
	f.opening = 0;
	if (opts.events & ~PROCCN_EV_ALL) {
		CHECK(r == -EINVAL && !h);
	} else if (f.open_eio) {
		/* a receive error while waiting for the ACK fails the open */
		CHECK(r == -EIO && !h);
	} else if (f.hdr[0] & PCN_FUZZ_ACK_EPERM) {
		CHECK(r == -EPERM && !h);
		/* a refused LISTEN leaves nothing to undo */
		CHECK(f.ignores == 0);
	} else {
		if (r != 0)
			fprintf(stderr, "proccn__open_fd() = %d\n", r);
		CHECK(r == 0 && h);
		/* event loops get an epoll fd watching the socket, not the socket */
		CHECK(proccn_fd(h) >= 0 && proccn_fd(h) != f.fd);
		CHECK(proccn_mode(h) == ((opts.flags & PROCCN_F_FORCE_LEGACY)
						 ? PROCCN_MODE_LEGACY : PROCCN_MODE_KERNEL_FILTER));
		f.h = h;
		check_stats(&f, h);
		run(&f, h);
		f.h = NULL;
		h = proccn_close(h);
		CHECK(!h);
		CHECK(f.ignores == 1);  /* exactly one IGNORE per LISTEN'd handle */
	}
	fk_fini(&f.fk);
	return 0;
}
