/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fake proc connector (see fake_kernel.h). It models what kernel-notes.md
 * describes, not the library: requests are parsed from the bytes the library
 * sends, the per-socket state and the ACK rules follow cn_proc's behaviour
 * (the ACK passes the subscriber's own filter; old kernels ignore 8-byte
 * requests), and every generated message takes a per-CPU sequence number
 * whether or not it reaches our socket.
 */
#include "fake_kernel.h"

#include <errno.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#include "wire.h"

#define FRAME_ADDR_LEN ((size_t)sizeof(struct sockaddr_nl))

/* Event constructors: the union is a sequence of u32 in the kernel's order. */
static struct fk_ev ev_words(uint32_t what, const uint32_t *w, unsigned int n)
{
	struct fk_ev ev;
	unsigned int i;

	memset(&ev, 0, sizeof(ev));
	ev.what = what;
	for (i = 0; i < n && i < 6; i++)
		pcn_put_u32(ev.data + 4 * i, w[i]);
	return ev;
}

struct fk_ev fk_fork(pid_t ppid, pid_t ptgid, pid_t cpid, pid_t ctgid)
{
	uint32_t w[] = { (uint32_t)ppid, (uint32_t)ptgid, (uint32_t)cpid, (uint32_t)ctgid };

	return ev_words(PROCCN_EV_FORK, w, 4);
}

struct fk_ev fk_exec(pid_t pid, pid_t tgid)
{
	uint32_t w[] = { (uint32_t)pid, (uint32_t)tgid };

	return ev_words(PROCCN_EV_EXEC, w, 2);
}

struct fk_ev fk_uid(pid_t pid, pid_t tgid, uint32_t ruid, uint32_t euid)
{
	uint32_t w[] = { (uint32_t)pid, (uint32_t)tgid, ruid, euid };

	return ev_words(PROCCN_EV_UID, w, 4);
}

struct fk_ev fk_gid(pid_t pid, pid_t tgid, uint32_t rgid, uint32_t egid)
{
	uint32_t w[] = { (uint32_t)pid, (uint32_t)tgid, rgid, egid };

	return ev_words(PROCCN_EV_GID, w, 4);
}

struct fk_ev fk_sid(pid_t pid, pid_t tgid)
{
	uint32_t w[] = { (uint32_t)pid, (uint32_t)tgid };

	return ev_words(PROCCN_EV_SID, w, 2);
}

struct fk_ev fk_ptrace(pid_t pid, pid_t tgid, pid_t tracer_pid, pid_t tracer_tgid)
{
	uint32_t w[] = { (uint32_t)pid, (uint32_t)tgid, (uint32_t)tracer_pid,
			 (uint32_t)tracer_tgid };

	return ev_words(PROCCN_EV_PTRACE, w, 4);
}

struct fk_ev fk_comm(pid_t pid, pid_t tgid, const char comm[16])
{
	uint32_t w[] = { (uint32_t)pid, (uint32_t)tgid };
	struct fk_ev ev = ev_words(PROCCN_EV_COMM, w, 2);

	/* all 16 bytes as given: a test may omit the NUL on purpose */
	memcpy(ev.data + 8, comm, 16);
	return ev;
}

struct fk_ev fk_coredump(pid_t pid, pid_t tgid, pid_t ppid, pid_t ptgid)
{
	uint32_t w[] = { (uint32_t)pid, (uint32_t)tgid, (uint32_t)ppid, (uint32_t)ptgid };

	return ev_words(PROCCN_EV_COREDUMP, w, 4);
}

struct fk_ev fk_exit(pid_t pid, pid_t tgid, uint32_t code, uint32_t sig, pid_t ppid,
		     pid_t ptgid)
{
	uint32_t w[] = { (uint32_t)pid, (uint32_t)tgid, code, sig, (uint32_t)ppid,
			 (uint32_t)ptgid };

	return ev_words(PROCCN_EV_EXIT, w, 6);
}

struct fk_ev fk_raw(uint32_t what, const uint32_t words[6])
{
	return ev_words(what, words, 6);
}

size_t fk_build(uint8_t out[FK_DGRAM_LEN], uint32_t seq, uint32_t ack, uint32_t cpu,
		uint64_t ts, const struct fk_ev *ev)
{
	return dgram_build(out, seq, ack, ev->what, cpu, ts, ev->data);
}

/* Try to write one frame; 1 written, 0 the socket is full, -1 error. */
static int write_frame(struct fake_kernel *fk, const uint8_t *frame, size_t len)
{
	ssize_t r = send(fk->fd, frame, len, MSG_DONTWAIT);

	if (r == (ssize_t)len)
		return 1;
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	return -1;
}

/* Move what fits from the backlog into the socket, keeping the order. */
static void flush_backlog(struct fake_kernel *fk)
{
	size_t off = 0;

	while (off < fk->backlog_len) {
		uint32_t len = pcn_get_u32(fk->backlog + off);

		if (write_frame(fk, fk->backlog + off + 4, len) <= 0)
			break;
		off += 4 + len;
	}
	if (off == 0)
		return; /* nothing sent; also, the backlog may not exist yet */
	memmove(fk->backlog, fk->backlog + off, fk->backlog_len - off);
	fk->backlog_len -= off;
}

static int queue_frame(struct fake_kernel *fk, const uint8_t *frame, size_t len)
{
	if (fk->backlog_len == 0) {
		int r = write_frame(fk, frame, len);

		if (r != 0)
			return r < 0 ? -1 : 0;
	}
	if (fk->backlog_len + 4 + len > fk->backlog_cap) {
		size_t cap = fk->backlog_cap ? fk->backlog_cap * 2 : 65536;
		uint8_t *p;

		while (cap < fk->backlog_len + 4 + len)
			cap *= 2;
		p = realloc(fk->backlog, cap);
		if (!p)
			return -1;
		fk->backlog = p;
		fk->backlog_cap = cap;
	}
	pcn_put_u32(fk->backlog + fk->backlog_len, (uint32_t)len);
	memcpy(fk->backlog + fk->backlog_len + 4, frame, len);
	fk->backlog_len += 4 + len;
	return 0;
}

int fk_inject(struct fake_kernel *fk, const void *bytes, size_t len, uint16_t family,
	      uint32_t nl_pid)
{
	uint8_t frame[FRAME_ADDR_LEN + 4096];
	struct sockaddr_nl sa;

	if (len > sizeof(frame) - FRAME_ADDR_LEN)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = family;
	sa.nl_pid = nl_pid;
	sa.nl_groups = PCN_CN_IDX_PROC;
	memcpy(frame, &sa, FRAME_ADDR_LEN);
	memcpy(frame + FRAME_ADDR_LEN, bytes, len);
	fk->delivered++;
	return queue_frame(fk, frame, FRAME_ADDR_LEN + len);
}

int fk_passes(uint32_t mask, const struct fk_ev *ev)
{
	/* cn_filter(): ALL passes everything, ACKs included */
	if (mask == PROCCN_EV_ALL)
		return 1;
	if ((mask & PROCCN_EV_NONZERO_EXIT) && ev->what == PROCCN_EV_EXIT &&
	    pcn_get_u32(ev->data + 8) != 0)
		return 1;
	return (mask & ev->what) != 0;
}

/* Would the kernel put this message on our socket? */
static int reaches_socket(const struct fake_kernel *fk, const struct fk_ev *ev)
{
	if (fk->kind != FK_MODERN || !fk->has_input)
		return 1;   /* no per-socket state: a bound socket gets everything */
	if (fk->sock_op == PCN_MCAST_IGNORE)
		return 0;
	return fk_passes(fk->sock_mask, ev);
}

/* Generate a message on a CPU: it takes a number even when nobody gets it. */
static int emit(struct fake_kernel *fk, const struct fk_ev *ev, uint32_t ack, int lost)
{
	uint8_t dg[FK_DGRAM_LEN];
	unsigned int ncpu = (unsigned int)get_nprocs_conf();
	struct timespec ts;
	uint32_t cpu, seq;
	uint64_t now;

	if (ncpu > FK_NCPU)
		ncpu = FK_NCPU;
	if (ncpu < 1)
		ncpu = 1;
	cpu = fk->fixed_cpu >= 0 ? (uint32_t)fk->fixed_cpu : fk->next_cpu++ % ncpu;
	seq = fk->cpu_seq[cpu % FK_NCPU]++;
	/* the kernel's clock: CLOCK_MONOTONIC when generated, always moving on */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	fk->clock_ns = now > fk->clock_ns ? now : fk->clock_ns + 1;
	if (lost || !reaches_socket(fk, ev))
		return 0;
	fk_build(dg, seq, ack, cpu, fk->clock_ns, ev);
	return fk_inject(fk, dg, sizeof(dg), AF_NETLINK, 0) < 0 ? -1 : 1;
}

int fk_generate(struct fake_kernel *fk, struct fk_ev ev)
{
	return emit(fk, &ev, 0, 0);
}

void fk_generate_lost(struct fake_kernel *fk, struct fk_ev ev)
{
	(void)emit(fk, &ev, 0, 1);
}

static struct fk_ev ack_ev(uint32_t err)
{
	uint32_t w[] = { err };

	return ev_words(0, w, 1);
}

int fk_foreign_ack(struct fake_kernel *fk, uint32_t nonce, uint32_t err)
{
	struct fk_ev ev = ack_ev(err);

	return emit(fk, &ev, nonce + 1, 0);
}

unsigned int fk_count_requests(const struct fake_kernel *fk, uint32_t op, uint16_t len)
{
	unsigned int i, n = 0;

	for (i = 0; i < fk->nreq; i++)
		if (fk->req[i].op == op && (len == 0 || fk->req[i].len == len))
			n++;
	return n;
}

static void emit_list(struct fake_kernel *fk, struct fk_ev *list, unsigned int *n)
{
	unsigned int i;

	for (i = 0; i < *n; i++)
		(void)fk_generate(fk, list[i]);
	*n = 0;
}

/* cn_proc_mcast_ctl() of the kernel we play, after the request was parsed. */
static void handle_request(struct fake_kernel *fk, const struct fk_request *rq)
{
	uint32_t err = 0, mask = rq->mask;
	unsigned int i;
	struct fk_ev ack;

	if (fk->kind == FK_SILENT) {
		/* requests are ignored silently, yet other listeners' events arrive */
		emit_list(fk, fk->before_ack, &fk->n_before_ack);
		emit_list(fk, fk->after_ack, &fk->n_after_ack);
		return;
	}
	if (!rq->well_formed || (rq->len != 4 && rq->len != 8))
		return;
	if (fk->kind == FK_OLD && rq->len != 4)
		return;   /* pre-6.6: anything but the bare mcast_op is ignored */

	if (fk->ack_err) {
		err = fk->ack_err;   /* refused before any state changes */
	} else if (fk->kind == FK_OLD) {
		if (rq->op == PCN_MCAST_LISTEN)
			fk->listening++;
		else if (rq->op == PCN_MCAST_IGNORE)
			fk->listening--;
		else
			err = EINVAL;
	} else {
		int initial = !fk->has_input;
		uint32_t prev = fk->sock_op;

		mask &= PROCCN_EV_ALL;
		if (rq->len == 4 || mask == 0)
			mask = PROCCN_EV_ALL;
		fk->has_input = 1;
		fk->sock_mask = mask;
		fk->sock_op = rq->op;
		if (rq->op == PCN_MCAST_LISTEN) {
			if (initial || prev != PCN_MCAST_LISTEN)
				fk->listening++;
		} else if (rq->op == PCN_MCAST_IGNORE) {
			if (!initial && prev != PCN_MCAST_IGNORE)
				fk->listening--;
			fk->sock_mask = 0;
		} else {
			err = EINVAL;
		}
	}

	emit_list(fk, fk->before_ack, &fk->n_before_ack);
	for (i = 0; i < fk->foreign_acks_before; i++)
		(void)fk_foreign_ack(fk, rq->nonce + 1000 + i, 0);
	fk->foreign_acks_before = 0;
	/* cn_proc_ack(): nobody listening, no ACK */
	if (fk->listening + fk->other_listeners >= 1) {
		ack = ack_ev(err);
		if (fk->lose_acks > 0) {
			fk->lose_acks--;   /* dropped, as by an overflowing socket */
			(void)emit(fk, &ack, rq->nonce + 1, 1);
		} else if (emit(fk, &ack, rq->nonce + 1, 0) == 1) {
			fk->acks_sent++;
		}
	}
	emit_list(fk, fk->after_ack, &fk->n_after_ack);
}

static ssize_t fk_sendmsg(void *ctx, int fd, const struct msghdr *msg, int flags)
{
	struct fake_kernel *fk = ctx;
	uint8_t buf[512];
	size_t len = 0, i;
	struct fk_request rq;
	const struct sockaddr_nl *dst = msg->msg_name;

	(void)fd;
	(void)flags;
	fk->send_calls++;
	if (fk->send_errno && (int)fk->nreq >= fk->send_fail_after) {
		errno = fk->send_errno;
		return -1;
	}
	for (i = 0; i < msg->msg_iovlen; i++) {
		size_t n = msg->msg_iov[i].iov_len;

		if (n > sizeof(buf) - len)
			n = sizeof(buf) - len;
		memcpy(buf + len, msg->msg_iov[i].iov_base, n);
		len += n;
	}

	memset(&rq, 0, sizeof(rq));
	if (len >= 36) {
		rq.nl_type = pcn_get_u16(buf + DGRAM_OFF_NL_TYPE);
		rq.nl_flags = pcn_get_u16(buf + DGRAM_OFF_NL_FLAGS);
		rq.idx = pcn_get_u32(buf + DGRAM_OFF_CN_IDX);
		rq.val = pcn_get_u32(buf + DGRAM_OFF_CN_VAL);
		rq.seq = pcn_get_u32(buf + DGRAM_OFF_CN_SEQ);
		rq.nonce = pcn_get_u32(buf + DGRAM_OFF_CN_ACK);
		rq.len = pcn_get_u16(buf + DGRAM_OFF_CN_LEN);
		if (rq.len >= 4 && len >= 40)
			rq.op = pcn_get_u32(buf + DGRAM_OFF_REQ_OP);
		if (rq.len >= 8 && len >= 44)
			rq.mask = pcn_get_u32(buf + DGRAM_OFF_REQ_MASK);
	}
	rq.dest_pid = dst ? dst->nl_pid : UINT32_MAX;
	rq.well_formed = len >= 36 && pcn_get_u32(buf) == len && len == 36u + rq.len &&
			 rq.nl_type == NLMSG_DONE && rq.nl_flags == 0 &&
			 dst && msg->msg_namelen >= sizeof(*dst) &&
			 dst->nl_family == AF_NETLINK && dst->nl_pid == 0 &&
			 rq.idx == PCN_CN_IDX_PROC && rq.val == PCN_CN_VAL_PROC;
	if (fk->nreq < FK_MAX_REQ)
		fk->req[fk->nreq++] = rq;
	/* the real kernel answers inside send(): the ACK is queued on return */
	handle_request(fk, &rq);
	return (ssize_t)len;
}

static int fk_drops(void *ctx, int fd, uint32_t *out)
{
	const struct fake_kernel *fk = ctx;

	(void)fd;
	*out = fk->drops;
	return 0;
}

static int fk_recvmmsg(void *ctx, int fd, struct mmsghdr *vec, unsigned int n, int flags)
{
	struct fake_kernel *fk = ctx;
	unsigned int i;

	fk->recv_calls++;
	fk->last_recv_flags = flags;
	if (fk->recv_fail_count > 0) {
		fk->recv_fail_count--;
		errno = fk->recv_errno;
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct msghdr *m = &vec[i].msg_hdr;
		struct sockaddr_nl sa;
		struct iovec iov[2];
		struct msghdr rm;
		ssize_t r;

		memset(&rm, 0, sizeof(rm));
		iov[0].iov_base = &sa;
		iov[0].iov_len = FRAME_ADDR_LEN;
		iov[1] = m->msg_iov[0];
		rm.msg_iov = iov;
		rm.msg_iovlen = 2;
		/* recvmsg(2) has no MSG_WAITFORONE: wait for the first, then take what is there */
		r = recvmsg(fd, &rm, (flags & MSG_WAITFORONE) ? (i ? MSG_DONTWAIT : 0) : flags);
		if (r < 0) {
			if (i > 0)
				break;
			return -1;
		}
		flush_backlog(fk);
		if ((size_t)r < FRAME_ADDR_LEN) {
			/* never written by this fake; report an empty datagram */
			memset(&sa, 0, sizeof(sa));
			r = (ssize_t)FRAME_ADDR_LEN;
		}
		if (m->msg_name && m->msg_namelen >= FRAME_ADDR_LEN)
			memcpy(m->msg_name, &sa, FRAME_ADDR_LEN);
		m->msg_namelen = FRAME_ADDR_LEN;
		m->msg_flags = rm.msg_flags;
		vec[i].msg_len = (unsigned int)((size_t)r - FRAME_ADDR_LEN);
	}
	return (int)i;
}

static int fk_poll(void *ctx, struct pollfd *pfd, nfds_t n, int timeout_ms)
{
	struct fake_kernel *fk = ctx;

	fk->poll_calls++;
	if (fk->poll_errno) {
		errno = fk->poll_errno;
		fk->poll_errno = 0;
		return -1;
	}
	/* a read about to fail is an error pending on the socket: poll says so at once */
	if (fk->recv_fail_count > 0 && n == 1) {
		pfd->revents = POLLERR;
		return 1;
	}
	return poll(pfd, n, timeout_ms);
}

int fk_init(struct fake_kernel *fk, enum fk_kernel kind)
{
	int sv[2];
	int sndbuf = 4 * 1024 * 1024;
	struct timespec ts;

	memset(fk, 0, sizeof(*fk));
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	fk->kind = kind;
	fk->lib_fd = sv[0];
	fk->fd = sv[1];
	/* room for bursts; what does not fit waits in the backlog */
	(void)setsockopt(fk->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	fk->fixed_cpu = -1;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	fk->clock_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	fk->sys.sendmsg = fk_sendmsg;
	fk->sys.recvmmsg = fk_recvmmsg;
	fk->sys.poll = fk_poll;
	fk->sys.drops = fk_drops;
	fk->sys.ctx = fk;
	return 0;
}

void fk_fini(struct fake_kernel *fk)
{
	if (fk->lib_fd >= 0)
		close(fk->lib_fd);
	if (fk->fd >= 0)
		close(fk->fd);
	free(fk->backlog);
	fk->lib_fd = fk->fd = -1;
	fk->backlog = NULL;
}

int fk_open(struct fake_kernel *fk, struct proccn **h, const struct proccn_opts *opts)
{
	int fd = fk->lib_fd;

	/* proccn__open_fd() owns the fd from here on, success or not */
	fk->lib_fd = -1;
	return proccn__open_fd(h, opts, fd, &fk->sys);
}

/* The recorder: each typed callback stores its event as the union. */
static int rec_store(struct fk_rec *r, const void *ev, size_t len, int typed)
{
	if (r->n < FK_REC_MAX) {
		memset(&r->ev[r->n], 0, sizeof(r->ev[r->n]));
		memcpy(&r->ev[r->n], ev, len);
		r->n++;
	}
	if (typed)
		r->typed_calls++;
	else
		r->generic_calls++;
	if (r->stop_at && r->n >= r->stop_at) {
		r->stop_at = 0;   /* stop once: the next dispatch goes on */
		return r->stop_err;
	}
	return 0;
}

#define REC_TYPED(name, type) \
	static int rec_##name(const struct type *ev, void *ud) \
	{ \
		return rec_store(ud, ev, sizeof(*ev), 1); \
	}

REC_TYPED(fork, proccn_fork)
REC_TYPED(exec, proccn_exec)
REC_TYPED(uid, proccn_uid)
REC_TYPED(gid, proccn_gid)
REC_TYPED(sid, proccn_sid)
REC_TYPED(ptrace, proccn_ptrace)
REC_TYPED(comm, proccn_comm)
REC_TYPED(coredump, proccn_coredump)
REC_TYPED(exit, proccn_exit)

static int rec_event(const union proccn_event *ev, void *ud)
{
	return rec_store(ud, ev, sizeof(*ev), 0);
}

static int rec_loss(const struct proccn_loss *loss, void *ud)
{
	struct fk_rec *r = ud;

	if (r->nloss < 16) {
		r->loss_at[r->nloss] = r->n;
		r->loss[r->nloss++] = *loss;
	}
	if (r->loss_err) {
		int e = r->loss_err;

		r->loss_err = 0;
		return e;
	}
	return 0;
}

struct proccn_callbacks fk_rec_callbacks(int typed)
{
	struct proccn_callbacks cb;

	memset(&cb, 0, sizeof(cb));
	cb.sz = sizeof(cb);
	if (typed) {
		cb.on_fork = rec_fork;
		cb.on_exec = rec_exec;
		cb.on_uid = rec_uid;
		cb.on_gid = rec_gid;
		cb.on_sid = rec_sid;
		cb.on_ptrace = rec_ptrace;
		cb.on_comm = rec_comm;
		cb.on_coredump = rec_coredump;
		cb.on_exit = rec_exit;
	}
	cb.on_event = rec_event;
	cb.on_loss = rec_loss;
	return cb;
}

int fk_fixture_setup(void **state)
{
	struct fk_fixture *fx = *state;
	struct proccn_opts o = PROCCN_OPTS_INIT;

	*fx->h = NULL;
	/* on the heap: FK_REC_MAX events are too many for the stack */
	*fx->rec = calloc(1, sizeof(**fx->rec));
	if (!*fx->rec)
		return -1;
	if (fx->open_modern &&
	    (fk_init(fx->fk, FK_MODERN) < 0 || fk_open(fx->fk, fx->h, &o) < 0))
		return -1;
	return 0;
}

int fk_fixture_teardown(void **state)
{
	struct fk_fixture *fx = *state;

	*fx->h = proccn_close(*fx->h);
	fk_fini(fx->fk);
	free(*fx->rec);
	*fx->rec = NULL;
	return 0;
}

int64_t fk_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t fk_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
