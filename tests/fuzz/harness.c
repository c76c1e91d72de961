/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fuzz harness: a fake kernel behind struct pcn_sys that answers the
 * negotiation with a proper ACK and otherwise serves datagrams, sender
 * addresses, flags and errors carved from the input (format in harness.h).
 * Everything runs in-process: the handle's fd is a plain AF_UNIX socket that
 * only exists because the library calls setsockopt/getsockopt on it.
 *
 * Besides crashes and sanitizer reports, the harness checks the promises of
 * proccn.h that need no kernel to judge, and abort()s when one is broken, so
 * that a broken promise is a finding like any crash.
 */
#include "harness.h"

#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proccn.h"
#include "sys.h"

#define NLMSG_HDR_LEN 16
#define CN_HDR_LEN    20
#define EV_LEN        40
#define ACK_DGRAM_LEN (NLMSG_HDR_LEN + CN_HDR_LEN + EV_LEN)
#define MCAST_LISTEN  1u
#define MCAST_IGNORE  2u
#define CB_STOP       (-ECANCELED)

/* Everything known kinds mean, to tell them from unknown ones. */
#define KNOWN_KINDS (PROCCN_EV_FORK | PROCCN_EV_EXEC | PROCCN_EV_UID | PROCCN_EV_GID | \
		     PROCCN_EV_SID | PROCCN_EV_PTRACE | PROCCN_EV_COMM |               \
		     PROCCN_EV_COREDUMP | PROCCN_EV_EXIT)

/* A broken promise: say which, then crash so the fuzzer keeps the input. */
#define CHECK(cond)                                                               \
	do {                                                                      \
		if (!(cond)) {                                                    \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,    \
				__LINE__, #cond);                                 \
			abort();                                                  \
		}                                                                 \
	} while (0)

struct record {
	int valid;
	int op;            /* PCN_FUZZ_OP_*, cleared once it happened */
	int sender;        /* PCN_FUZZ_FROM_* */
	int trunc;
	uint32_t mask;     /* for PCN_FUZZ_OP_SET_EVENTS */
	const uint8_t *dgram;
	size_t len;
	size_t end;        /* input offset after the record */
};

struct fuzz {
	int fd;
	const struct proccn *h;     /* for the callbacks' filter check; NULL while opening */
	uint8_t hdr[PCN_FUZZ_HDR_LEN];
	const uint8_t *data;
	size_t size, pos;
	struct record cur;

	/* the fake kernel */
	int opening;
	unsigned int neg_left;      /* records to serve before the ACK while opening */
	int ack_due;
	uint32_t ack_value;         /* request nonce + 1 */
	uint32_t ack_err;           /* errno for the next ACK */
	uint32_t ack_seq;
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

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void put_u16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* Parse the record at f->pos into f->cur (once). Returns 0 at the end of input. */
static int peek_record(struct fuzz *f)
{
	struct record *r = &f->cur;
	size_t p = f->pos;
	uint8_t ctl;

	if (r->valid)
		return 1;
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
		r->mask = get_le32(m);
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
	r->valid = 1;
	return 1;
}

static void put_dgram(struct mmsghdr *m, const uint8_t *dg, size_t len, int sender, int trunc)
{
	struct msghdr *h = &m->msg_hdr;
	struct sockaddr_nl sa;
	socklen_t salen = sizeof(sa);
	size_t room, n;

	/* what recvmmsg(2) would need from the library */
	CHECK(h->msg_iovlen == 1 && h->msg_iov && h->msg_iov[0].iov_base);
	CHECK(h->msg_name && h->msg_namelen >= sizeof(sa));
	room = h->msg_iov[0].iov_len;
	n = len < room ? len : room;
	if (n)
		memcpy(h->msg_iov[0].iov_base, dg, n);
	h->msg_flags = (len > room || trunc) ? MSG_TRUNC : 0;
	h->msg_controllen = 0;
	m->msg_len = (unsigned int)n;

	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = 1;
	switch (sender) {
	case PCN_FUZZ_FROM_USER:
		sa.nl_pid = 4242;  /* a root process spoofing the kernel */
		break;
	case PCN_FUZZ_FROM_FAMILY:
		sa.nl_family = AF_UNIX;
		break;
	case PCN_FUZZ_FROM_SHORT:
		salen = 4;
		break;
	default:
		break;
	}
	memcpy(h->msg_name, &sa, salen);
	h->msg_namelen = salen;
}

/* The kernel's ACK: one 76-byte datagram, what 0, err in the union. */
static void put_ack(struct fuzz *f, struct mmsghdr *m)
{
	uint8_t dg[ACK_DGRAM_LEN];

	memset(dg, 0, sizeof(dg));
	put_u32(dg + 0, ACK_DGRAM_LEN);               /* nlmsg_len */
	put_u16(dg + 4, NLMSG_DONE);                  /* nlmsg_type */
	put_u32(dg + 16, 1);                          /* cn_msg.idx = CN_IDX_PROC */
	put_u32(dg + 20, 1);                          /* cn_msg.val = CN_VAL_PROC */
	put_u32(dg + 24, f->ack_seq++);               /* cn_msg.seq */
	put_u32(dg + 28, f->ack_value);               /* cn_msg.ack */
	put_u16(dg + 32, EV_LEN);                     /* cn_msg.len */
	put_u32(dg + 36 + 16, f->ack_err);            /* proc_event.ack.err */
	f->ack_err = 0;
	put_dgram(m, dg, sizeof(dg), PCN_FUZZ_FROM_KERNEL, 0);
}

static ssize_t fake_sendmsg(void *ctx, int fd, const struct msghdr *msg, int flags)
{
	struct fuzz *f = ctx;
	const struct sockaddr_nl *to = msg->msg_name;
	const uint8_t *b;
	uint32_t op, mask = 0;
	uint16_t cn_len;
	size_t len;

	(void)flags;
	CHECK(fd == f->fd);
	CHECK(to && msg->msg_namelen >= sizeof(*to));
	CHECK(to->nl_family == AF_NETLINK && to->nl_pid == 0);
	CHECK(msg->msg_iovlen == 1 && msg->msg_iov[0].iov_base);
	b = msg->msg_iov[0].iov_base;
	len = msg->msg_iov[0].iov_len;
	/* a request the kernel would take: nlmsghdr + cn_msg + 4 or 8 bytes */
	CHECK(len >= NLMSG_HDR_LEN + CN_HDR_LEN + 4);
	CHECK(get_le32(b) == len);
	CHECK(b[4] == NLMSG_DONE && b[5] == 0);
	CHECK(get_le32(b + 16) == 1 && get_le32(b + 20) == 1);
	cn_len = (uint16_t)(b[32] | b[33] << 8);
	CHECK((cn_len == 4 || cn_len == 8) && len == (size_t)NLMSG_HDR_LEN + CN_HDR_LEN + cn_len);
	op = get_le32(b + 36);
	CHECK(op == MCAST_LISTEN || op == MCAST_IGNORE);
	if (cn_len == 8)
		mask = get_le32(b + 40);

	/* on old kernels a second IGNORE silences the host: nothing after one */
	CHECK(f->ignores == 0);
	if (op == MCAST_IGNORE) {
		CHECK(f->listens > 0);
		f->ignores++;
	} else {
		f->listens++;
	}
	if (f->send_fails && !f->opening) {
		errno = EPERM;
		return -1;
	}
	/* the kernel's ACK passes the socket's own filter: only mask ALL sees it */
	if (op == MCAST_LISTEN && (cn_len == 4 || mask == PROCCN_EV_ALL || mask == 0)) {
		f->ack_due = 1;
		f->ack_value = get_le32(b + 28) + 1;
	}
	return (ssize_t)len;
}

static int fake_recvmmsg(void *ctx, int fd, struct mmsghdr *vec, unsigned int n, int flags)
{
	struct fuzz *f = ctx;
	unsigned int i = 0, limit = n;

	CHECK(fd == f->fd);
	/* a blocking read only in a dispatch that may wait, never while opening */
	if (flags & MSG_WAITFORONE)
		CHECK(!(flags & MSG_DONTWAIT) && !f->opening && f->timeout_ms != 0);
	else
		CHECK(flags & MSG_DONTWAIT);
	CHECK(n > 0);
	if (f->batch_max && f->batch_max < limit)
		limit = f->batch_max;
	while (i < limit) {
		struct record *r = &f->cur;
		int have = peek_record(f);

		if (f->ack_due && (!f->opening || f->neg_left == 0 || !have)) {
			put_ack(f, &vec[i++]);
			f->ack_due = 0;
			continue;
		}
		if (!have)
			break;
		if (r->op >= PCN_FUZZ_OP_ENOBUFS) {
			int op = r->op;

			if (i > 0)
				break;  /* the error comes with the next call */
			r->op = PCN_FUZZ_OP_NONE;
			switch (op) {
			case PCN_FUZZ_OP_ENOBUFS:
				f->enobufs++;
				errno = ENOBUFS;
				return -1;
			case PCN_FUZZ_OP_EINTR:
				errno = EINTR;
				return -1;
			case PCN_FUZZ_OP_SET_EVENTS:
				f->set_events_due = 1;
				f->set_events_mask = r->mask;
				errno = EAGAIN;
				return -1;
			case PCN_FUZZ_OP_EAGAIN:
				errno = EAGAIN;
				return -1;
			case PCN_FUZZ_OP_EIO:
				f->open_eio |= f->opening;
				errno = EIO;
				return -1;
			default:
				break;  /* short batch: it begins here */
			}
		}
		put_dgram(&vec[i++], r->dgram, r->len, r->sender, r->trunc);
		f->pos = r->end;
		r->valid = 0;
		if (f->opening && f->neg_left)
			f->neg_left--;
	}
	if (i == 0) {
		/* nothing more will come: a wait with a limit times out, one without is
		 * ended by a signal, as a real one would be */
		errno = (flags & MSG_WAITFORONE) && f->timeout_ms < 0 ? EINTR : EAGAIN;
		return -1;
	}
	f->served += i;
	return (int)i;
}

static int fake_poll(void *ctx, struct pollfd *pfd, nfds_t n, int timeout_ms)
{
	struct fuzz *f = ctx;

	(void)timeout_ms;
	CHECK(n == 1 && pfd->fd == f->fd);
	/* proccn_dispatch(..., 0) and (..., -1) never poll; the negotiation may */
	CHECK(f->opening || f->timeout_ms > 0);
	/* the ACK is always there: say so at once, so nothing ever sleeps */
	pfd->revents = POLLIN;
	return 1;
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
	uint32_t mask = proccn_get_events(f->h);
	uint32_t kind = ev->hdr.kind;

	CHECK(kind != 0);  /* ACKs are not events */
	if (!(kind & KNOWN_KINDS) || (kind & (kind - 1)))
		return;    /* unknown kinds: no promise beyond delivery */
	CHECK((mask & kind) ||
	      (kind == PROCCN_EV_EXIT && (mask & PROCCN_EV_NONZERO_EXIT) && ev->exit.exit_code));
	if (f->flags & PROCCN_F_PROCESSES_ONLY) {
		CHECK(kind != PROCCN_EV_FORK || ev->fork.child_pid == ev->fork.child_tgid);
		CHECK(kind != PROCCN_EV_EXIT || ev->exit.pid == ev->exit.tgid);
	}
}

static int on_any(struct fuzz *f, const void *ev, uint32_t kind)
{
	union proccn_event u;

	CHECK(f->h);  /* nothing is delivered while opening */
	/* typed events are union members: copy the member's bytes to judge them */
	memset(&u, 0, sizeof(u));
	switch (kind) {
	case PROCCN_EV_FORK: memcpy(&u, ev, sizeof(u.fork)); break;
	case PROCCN_EV_EXEC: memcpy(&u, ev, sizeof(u.exec)); break;
	case PROCCN_EV_UID: memcpy(&u, ev, sizeof(u.uid)); break;
	case PROCCN_EV_GID: memcpy(&u, ev, sizeof(u.gid)); break;
	case PROCCN_EV_SID: memcpy(&u, ev, sizeof(u.sid)); break;
	case PROCCN_EV_PTRACE: memcpy(&u, ev, sizeof(u.ptrace)); break;
	case PROCCN_EV_COMM: memcpy(&u, ev, sizeof(u.comm)); break;
	case PROCCN_EV_COREDUMP: memcpy(&u, ev, sizeof(u.coredump)); break;
	case PROCCN_EV_EXIT: memcpy(&u, ev, sizeof(u.exit)); break;
	default:
		memcpy(&u, ev, sizeof(u));
		/* all typed callbacks are set: on_event sees only unknown kinds */
		CHECK(!(u.hdr.kind & KNOWN_KINDS) || (u.hdr.kind & (u.hdr.kind - 1)));
		CHECK(u.raw.len <= PROCCN_RAW_LEN);
		break;
	}
	if (kind)
		CHECK(u.hdr.kind == kind);
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
		finished = r >= 0 && !peek_record(f) && !f->ack_due;
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

int pcn_fuzz_one(const uint8_t *data, size_t size)
{
	struct pcn_sys sys = { fake_sendmsg, fake_recvmmsg, fake_poll, NULL, NULL };
	struct proccn_opts opts = PROCCN_OPTS_INIT;
	struct proccn *h = NULL;
	struct fuzz f;
	size_t n = size < PCN_FUZZ_HDR_LEN ? size : PCN_FUZZ_HDR_LEN;
	int r, bad_mask;

	memset(&f, 0, sizeof(f));
	memcpy(f.hdr, data, n);
	f.data = data;
	f.size = size;
	f.pos = n;
	f.neg_left = f.hdr[0] >> PCN_FUZZ_NEG_SHIFT;
	f.ack_err = (f.hdr[0] & PCN_FUZZ_ACK_EPERM) ? EPERM : 0;
	f.send_fails = !!(f.hdr[0] & PCN_FUZZ_SEND_FAILS);
	f.stop_every = f.hdr[5];
	f.batch_max = f.hdr[6];
	sys.ctx = &f;

	opts.flags = f.hdr[0] & (PROCCN_F_PROCESSES_ONLY | PROCCN_F_FORCE_LEGACY |
				 PROCCN_F_NO_SOCKET_FILTER);
	f.flags = opts.flags;
	opts.events = get_le32(f.hdr + 1);
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

	/* any socket will do: the library only sets and reads options on it */
	f.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (f.fd < 0) {
		perror("socket");
		abort();
	}
	f.opening = 1;
	r = proccn__open_fd(&h, &opts, f.fd, &sys);  /* owns f.fd from here */
	f.opening = 0;
	if (opts.events & ~PROCCN_EV_ALL) {
		CHECK(r == -EINVAL && !h);
		return 0;
	}
	if (f.open_eio) {
		/* a receive error while waiting for the ACK fails the open */
		CHECK(r == -EIO && !h);
		return 0;
	}
	if (f.hdr[0] & PCN_FUZZ_ACK_EPERM) {
		CHECK(r == -EPERM && !h);
		/* a refused LISTEN leaves nothing to undo */
		CHECK(f.ignores == 0);
		return 0;
	}
	if (r != 0)
		fprintf(stderr, "proccn__open_fd() = %d\n", r);
	CHECK(r == 0 && h);
	/* event loops get an epoll fd watching the socket, not the socket */
	CHECK(proccn_fd(h) >= 0 && proccn_fd(h) != f.fd);
	CHECK(proccn_mode(h) == ((opts.flags & PROCCN_F_FORCE_LEGACY) ? PROCCN_MODE_LEGACY
								       : PROCCN_MODE_KERNEL_FILTER));
	f.h = h;
	check_stats(&f, h);
	run(&f, h);
	f.h = NULL;
	h = proccn_close(h);
	CHECK(!h);
	CHECK(f.ignores == 1);  /* exactly one IGNORE per LISTEN'd handle */
	return 0;
}
