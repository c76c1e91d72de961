/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fake proc connector (see fake_kernel.h). It models what kernel-notes.md
 * describes, not the library: requests are parsed from the bytes the library
 * sends, the per-socket state and the ACK rules follow cn_proc's behaviour
 * (the ACK passes the subscriber's own filter; old kernels ignore 8-byte
 * requests), and every generated message takes a per-CPU sequence number
 * whether or not it reaches our socket. The filter is the tests' oracle.
 */
#include "fake_kernel.h"

#include <errno.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#include "fake_queue.h"
#include "oracle.h"

int fk_passes(uint32_t mask, const struct fk_ev *ev)
{
	/* cn_filter() knows no PROCESSES_ONLY: flags 0 */
	return oracle_pass_raw(mask, 0, ev->what, ev->data);
}

int fk_reaches_socket(const struct fake_kernel *fk, uint32_t what, const uint8_t data[24])
{
	if (fk->kind != FK_MODERN || !fk->has_input)
		return 1;   /* no per-socket state: a bound socket gets everything */
	if (fk->sock_op == DGRAM_MCAST_IGNORE)
		return 0;
	return oracle_pass_raw(fk->sock_mask, 0, what, data);
}

unsigned int fk_next_cpu(struct fake_kernel *fk)
{
	unsigned int cpu;

	if (fk->fixed_cpu >= 0)
		return (unsigned int)fk->fixed_cpu;
	/* round robin, without a division per event */
	cpu = fk->next_cpu;
	fk->next_cpu = cpu + 1 >= fk->ncpu ? 0 : cpu + 1;
	return cpu;
}

/* Generate a message on a CPU: it takes a number even when nobody gets it. */
static int emit(struct fake_kernel *fk, const struct fk_ev *ev, uint32_t ack, int lost)
{
	uint8_t dg[FK_DGRAM_LEN];
	struct timespec ts;
	uint32_t cpu, seq;
	uint64_t now;

	cpu = fk_next_cpu(fk);
	seq = fk->cpu_seq[cpu % FK_NCPU]++;
	/* the kernel's clock: CLOCK_MONOTONIC when generated, always moving on */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	fk->clock_ns = now > fk->clock_ns ? now : fk->clock_ns + 1;
	if (lost || !fk_reaches_socket(fk, ev->what, ev->data))
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
	const uint32_t w[6] = { err };

	return fk_raw(0, w);
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

/* The per-socket state a 6.6+ kernel keeps; returns the ACK's errno. */
static uint32_t modern_request(struct fake_kernel *fk, const struct fk_request *rq)
{
	int initial = !fk->has_input;
	uint32_t prev = fk->sock_op, mask = rq->mask & PROCCN_EV_ALL;

	if (rq->len == DGRAM_REQ_LEGACY || mask == 0)
		mask = PROCCN_EV_ALL;
	fk->has_input = 1;
	fk->sock_mask = mask;
	fk->sock_op = rq->op;
	if (rq->op == DGRAM_MCAST_LISTEN) {
		if (initial || prev != DGRAM_MCAST_LISTEN)
			fk->listening++;
	} else if (rq->op == DGRAM_MCAST_IGNORE) {
		if (!initial && prev != DGRAM_MCAST_IGNORE)
			fk->listening--;
		fk->sock_mask = 0;
	} else {
		return EINVAL;
	}
	return 0;
}

/* cn_proc_mcast_ctl() of the kernel we play, after the request was parsed. */
static void handle_request(struct fake_kernel *fk, const struct fk_request *rq)
{
	uint32_t err = 0;
	unsigned int i;
	struct fk_ev ack;

	if (fk->kind == FK_SILENT) {
		/* requests are ignored silently, yet other listeners' events arrive */
		emit_list(fk, fk->before_ack, &fk->n_before_ack);
		emit_list(fk, fk->after_ack, &fk->n_after_ack);
		return;
	}
	if (!rq->well_formed || (rq->len != DGRAM_REQ_LEGACY && rq->len != DGRAM_REQ_INPUT))
		return;
	if (fk->kind == FK_OLD && rq->len != DGRAM_REQ_LEGACY)
		return;   /* pre-6.6: anything but the bare mcast_op is ignored */

	if (fk->ack_err) {
		err = fk->ack_err;   /* refused before any state changes */
	} else if (fk->kind == FK_OLD) {
		if (rq->op == DGRAM_MCAST_LISTEN)
			fk->listening++;
		else if (rq->op == DGRAM_MCAST_IGNORE)
			fk->listening--;
		else
			err = EINVAL;
	} else {
		err = modern_request(fk, rq);
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

void fk_parse_request(const struct msghdr *msg, struct fk_request *rq)
{
	const struct sockaddr_nl *dst = msg->msg_name;
	struct dgram_request d;
	uint8_t buf[512];
	size_t len = 0, i;
	int ok;

	for (i = 0; i < msg->msg_iovlen; i++) {
		size_t n = msg->msg_iov[i].iov_len;

		if (n > sizeof(buf) - len)
			n = sizeof(buf) - len;
		memcpy(buf + len, msg->msg_iov[i].iov_base, n);
		len += n;
	}
	ok = dgram_parse_request(buf, len, &d);
	memset(rq, 0, sizeof(*rq));
	rq->nl_type = d.nl_type;
	rq->nl_flags = d.nl_flags;
	rq->idx = d.idx;
	rq->val = d.val;
	rq->seq = d.seq;
	rq->nonce = d.nonce;
	rq->len = d.len;
	rq->op = d.op;
	rq->mask = d.mask;
	rq->dest_pid = dst ? dst->nl_pid : UINT32_MAX;
	rq->well_formed = ok && dst && msg->msg_namelen >= sizeof(*dst) &&
			  dst->nl_family == AF_NETLINK && dst->nl_pid == 0;
}

static ssize_t fk_sendmsg(void *ctx, int fd, const struct msghdr *msg, int flags)
{
	struct fake_kernel *fk = ctx;
	struct fk_request rq;
	size_t len = 0, i;

	(void)fd;
	(void)flags;
	fk->send_calls++;
	if (fk->send_errno && (int)fk->nreq >= fk->send_fail_after) {
		errno = fk->send_errno;
		return -1;
	}
	for (i = 0; i < msg->msg_iovlen; i++)
		len += msg->msg_iov[i].iov_len;
	fk_parse_request(msg, &rq);
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

	fk->recv_calls++;
	fk->last_recv_flags = flags;
	if (fk->recv_fail_count > 0) {
		fk->recv_fail_count--;
		errno = fk->recv_errno;
		return -1;
	}
	return fk_queue_recvmmsg(fk, fd, vec, n, flags);
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
	return fk_queue_poll(fk, pfd, n, timeout_ms);
}

static int init(struct fake_kernel *fk, enum fk_kernel kind, int memory)
{
	int sv[2];
	int sndbuf = 4 * 1024 * 1024, ncpu = get_nprocs_conf();
	struct timespec ts;

	memset(fk, 0, sizeof(*fk));
	fk->lib_fd = fk->fd = -1;
	fk->memory = memory;
	fk->wait_errno = EAGAIN;
	if (fk_queue_init(fk) < 0)
		return -ENOMEM;
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0) {
		int err = -errno;

		fk_queue_fini(fk);
		return err;
	}
	fk->kind = kind;
	fk->lib_fd = sv[0];
	fk->fd = sv[1];
	/* room for bursts; what does not fit waits in the backlog */
	(void)setsockopt(fk->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	fk->fixed_cpu = -1;
	fk->ncpu = ncpu < 1 ? 1 : ncpu > FK_NCPU ? FK_NCPU : (unsigned int)ncpu;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	fk->clock_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	fk->sys.sendmsg = fk_sendmsg;
	fk->sys.recvmmsg = fk_recvmmsg;
	fk->sys.poll = fk_poll;
	fk->sys.drops = fk_drops;
	fk->sys.ctx = fk;
	return 0;
}

int fk_init(struct fake_kernel *fk, enum fk_kernel kind)
{
	return init(fk, kind, 0);
}

int fk_init_memory(struct fake_kernel *fk, enum fk_kernel kind)
{
	return init(fk, kind, 1);
}

void fk_fini(struct fake_kernel *fk)
{
	if (fk->lib_fd >= 0)
		close(fk->lib_fd);
	if (fk->fd >= 0)
		close(fk->fd);
	fk_queue_fini(fk);
	fk->lib_fd = fk->fd = -1;
}

int fk_open(struct fake_kernel *fk, struct proccn **h, const struct proccn_opts *opts)
{
	int fd = fk->lib_fd;

	/* proccn__open_fd() owns the fd from here on, success or not */
	fk->lib_fd = -1;
	return proccn__open_fd(h, opts, fd, &fk->sys);
}
