/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fake kernel's delivery queue (see fake_kernel.h). On the socket a
 * frame is the sender address, then the datagram (tests write such frames
 * themselves); in the backlog each frame also has a header in front that
 * says how it arrives. In socket mode frames go into the socketpair and
 * what does not fit waits in the backlog, in order; in memory mode the
 * backlog is the whole queue and recvmmsg copies from it, so nothing ever
 * blocks.
 */
#include "fake_queue.h"

#include <errno.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

/* How a frame arrives; copied in and out with memcpy (the backlog is bytes). */
struct frame_hdr {
	uint32_t len;            /* datagram bytes after the address */
	uint16_t addrlen;        /* address bytes recvmmsg reports */
	uint8_t trunc;           /* MSG_TRUNC even when it fits */
	uint8_t is_error;        /* not a datagram: recvmmsg fails with err */
	int32_t err;
};

#define HDR_LEN  sizeof(struct frame_hdr)
#define ADDR_LEN sizeof(struct sockaddr_nl)
#define PREFIX   (HDR_LEN + ADDR_LEN)
#define BACKLOG_MIN 65536

int fk_queue_init(struct fake_kernel *fk)
{
	/* memory mode: the queue exists before the library opens, so that a
	 * benchmark's heap count of the library does not include it */
	if (!fk->memory)
		return 0;
	fk->backlog = malloc(BACKLOG_MIN);
	fk->backlog_cap = fk->backlog ? BACKLOG_MIN : 0;
	return fk->backlog ? 0 : -1;
}

void fk_queue_fini(struct fake_kernel *fk)
{
	free(fk->backlog);
	free(fk->bulk);
	fk->backlog = fk->bulk = NULL;
	fk->backlog_len = fk->backlog_cap = fk->backlog_off = 0;
}

static int backlog_append(struct fake_kernel *fk, const struct iovec *iov, int n)
{
	size_t need = 0, cap;
	int i;

	for (i = 0; i < n; i++)
		need += iov[i].iov_len;
	if (fk->backlog_len + need > fk->backlog_cap) {
		uint8_t *p;

		for (cap = fk->backlog_cap ? fk->backlog_cap : BACKLOG_MIN;
		     cap < fk->backlog_len + need; cap *= 2)
			;
		p = realloc(fk->backlog, cap);
		if (!p)
			return -1;
		fk->backlog = p;
		fk->backlog_cap = cap;
	}
	for (i = 0; i < n; i++) {
		if (iov[i].iov_len)   /* an error frame has no datagram (NULL) */
			memcpy(fk->backlog + fk->backlog_len, iov[i].iov_base, iov[i].iov_len);
		fk->backlog_len += iov[i].iov_len;
	}
	return 0;
}

/* Socket mode: try to write one frame; 1 written, 0 the socket is full, -1 error. */
static int frame_send(struct fake_kernel *fk, struct iovec *iov, int n)
{
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = (size_t)n };
	size_t len = 0;
	ssize_t r;
	int i;

	for (i = 0; i < n; i++)
		len += iov[i].iov_len;
	r = sendmsg(fk->fd, &m, MSG_DONTWAIT);
	if (r == (ssize_t)len)
		return 1;
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	return -1;
}

static size_t frame_size_at(const struct fake_kernel *fk, size_t off)
{
	struct frame_hdr h;

	memcpy(&h, fk->backlog + off, HDR_LEN);
	return PREFIX + h.len;
}

/* Socket mode: move what fits from the backlog into the socket, keeping the order. */
static void flush_backlog(struct fake_kernel *fk)
{
	size_t off = 0;

	while (off < fk->backlog_len) {
		size_t size = frame_size_at(fk, off);
		struct iovec iov = { fk->backlog + off + HDR_LEN, size - HDR_LEN };

		if (frame_send(fk, &iov, 1) <= 0)
			break;
		off += size;
	}
	if (off == 0)
		return; /* nothing sent; also, the backlog may not exist yet */
	memmove(fk->backlog, fk->backlog + off, fk->backlog_len - off);
	fk->backlog_len -= off;
}

static int queue_frame(struct fake_kernel *fk, const struct frame_hdr *h,
		       const struct sockaddr_nl *sa, const void *bytes)
{
	struct iovec iov[3] = {
		{ (void *)h, HDR_LEN }, { (void *)sa, ADDR_LEN }, { (void *)bytes, h->len },
	};

	if (!fk->memory && fk->backlog_len == 0) {
		int r = frame_send(fk, iov + 1, 2);

		if (r != 0)
			return r < 0 ? -1 : 0;
	}
	return backlog_append(fk, iov, 3);
}

int fk_inject_from(struct fake_kernel *fk, const void *bytes, size_t len,
		   const struct fk_from *from)
{
	struct frame_hdr h;
	struct sockaddr_nl sa;

	if (len > UINT32_MAX - PREFIX || from->addrlen > ADDR_LEN)
		return -1;
	/* a frame on the socket is the full address and the datagram, nothing more */
	if (!fk->memory && (from->addrlen != ADDR_LEN || from->trunc))
		return -1;
	memset(&h, 0, sizeof(h));
	h.len = (uint32_t)len;
	h.addrlen = (uint16_t)from->addrlen;
	h.trunc = !!from->trunc;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = from->family;
	sa.nl_pid = from->nl_pid;
	sa.nl_groups = DGRAM_CN_IDX_PROC;
	fk->delivered++;
	return queue_frame(fk, &h, &sa, bytes);
}

int fk_inject(struct fake_kernel *fk, const void *bytes, size_t len, uint16_t family,
	      uint32_t nl_pid)
{
	struct fk_from from = { family, nl_pid, ADDR_LEN, 0 };

	return fk_inject_from(fk, bytes, len, &from);
}

int fk_inject_error(struct fake_kernel *fk, int err)
{
	struct frame_hdr h;
	struct sockaddr_nl sa;

	if (!fk->memory)
		return -1;   /* a socket cannot carry an errno */
	memset(&h, 0, sizeof(h));
	memset(&sa, 0, sizeof(sa));
	h.is_error = 1;
	h.err = err;
	return queue_frame(fk, &h, &sa, NULL);
}

int fk_bulk(struct fake_kernel *fk, const struct fk_ev *cycle, unsigned int n, uint64_t count)
{
	unsigned int i;

	if (!fk->memory || n == 0)
		return -1;
	free(fk->bulk);
	fk->bulk = malloc((size_t)n * DGRAM_LEN);
	if (!fk->bulk)
		return -1;
	for (i = 0; i < n; i++)
		fk_build(fk->bulk + (size_t)i * DGRAM_LEN, 0, 0, 0, 0, &cycle[i]);
	fk->bulk_n = n;
	fk->bulk_next = 0;
	fk->bulk_left = count;
	return 0;
}

/* The report of one datagram in the library's mmsghdr. */
static void fill_msg(struct mmsghdr *v, const struct frame_hdr *h, const struct sockaddr_nl *sa,
		     size_t copied, int truncated)
{
	struct msghdr *m = &v->msg_hdr;

	if (m->msg_name && m->msg_namelen > 0)
		memcpy(m->msg_name, sa, m->msg_namelen < h->addrlen ? m->msg_namelen : h->addrlen);
	m->msg_namelen = h->addrlen;
	m->msg_flags = (truncated || h->trunc) ? MSG_TRUNC : 0;
	m->msg_controllen = 0;
	v->msg_len = (unsigned int)copied;
}

/* Bulk: the next generated event straight into @v; 1 delivered, 0 filtered out. */
static int bulk_next(struct fake_kernel *fk, struct mmsghdr *v)
{
	static const struct frame_hdr h = { DGRAM_LEN, ADDR_LEN, 0, 0, 0 };
	static const struct sockaddr_nl kernel = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	const uint8_t *tmpl = fk->bulk + (size_t)fk->bulk_next * DGRAM_LEN;
	struct iovec *iov = &v->msg_hdr.msg_iov[0];
	uint32_t cpu = fk_next_cpu(fk), seq = fk->cpu_seq[cpu % FK_NCPU]++;
	uint8_t *d = iov->iov_base, small[DGRAM_LEN];

	if (++fk->bulk_next == fk->bulk_n)
		fk->bulk_next = 0;
	fk->bulk_left--;
	fk->clock_ns++;
	if (!fk_reaches_socket(fk, dgram_get32(tmpl + DGRAM_OFF_WHAT), tmpl + DGRAM_OFF_DATA))
		return 0;
	if (iov->iov_len < DGRAM_LEN)
		d = small;   /* built whole, then cut to fit */
	memcpy(d, tmpl, DGRAM_LEN);
	dgram_put32(d + DGRAM_OFF_NL_SEQ, seq);
	dgram_put32(d + DGRAM_OFF_CN_SEQ, seq);
	dgram_put32(d + DGRAM_OFF_CPU, cpu);
	dgram_put64(d + DGRAM_OFF_TS, fk->clock_ns);
	if (d == small)
		memcpy(iov->iov_base, small, iov->iov_len);
	fill_msg(v, &h, &kernel, d == small ? iov->iov_len : DGRAM_LEN, d == small);
	fk->delivered++;
	return 1;
}

/* Memory mode: is there a frame (or a generated event) to read? Tries to get one. */
static int memory_ready(struct fake_kernel *fk, unsigned int served)
{
	if (fk->backlog_off == fk->backlog_len) {
		fk->backlog_off = fk->backlog_len = 0;
		if (fk->bulk_left)
			return 1;
		if (fk->refill)
			fk->refill(fk, fk->refill_ctx, served);
	}
	return fk->backlog_off < fk->backlog_len || fk->bulk_left;
}

static int memory_recvmmsg(struct fake_kernel *fk, struct mmsghdr *vec, unsigned int n,
			   int flags)
{
	unsigned int i = 0;

	while (i < n && memory_ready(fk, i)) {
		const uint8_t *p = fk->backlog + fk->backlog_off;
		struct iovec *iov = &vec[i].msg_hdr.msg_iov[0];
		struct frame_hdr h;
		struct sockaddr_nl sa;
		size_t copied;

		if (fk->backlog_off == fk->backlog_len) {
			i += (unsigned int)bulk_next(fk, &vec[i]);
			continue;
		}
		memcpy(&h, p, HDR_LEN);
		if (h.is_error && i > 0)
			break;   /* the error comes with the next call */
		fk->backlog_off += PREFIX + h.len;
		if (h.is_error) {
			if (h.err == 0)
				continue;   /* only a batch boundary */
			errno = h.err;
			return -1;
		}
		memcpy(&sa, p + HDR_LEN, ADDR_LEN);
		copied = h.len < iov->iov_len ? h.len : iov->iov_len;
		if (copied)
			memcpy(iov->iov_base, p + PREFIX, copied);
		fill_msg(&vec[i], &h, &sa, copied, h.len > iov->iov_len);
		i++;
	}
	if (i == 0) {
		/* nothing will come: a blocking read ends as its timeout (or a signal) would */
		errno = (flags & MSG_WAITFORONE) ? fk->wait_errno : EAGAIN;
		return -1;
	}
	return (int)i;
}

static int socket_recvmmsg(struct fake_kernel *fk, int fd, struct mmsghdr *vec, unsigned int n,
			   int flags)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct msghdr *m = &vec[i].msg_hdr;
		struct frame_hdr h;
		struct sockaddr_nl sa;
		struct iovec iov[2];
		struct msghdr rm;
		ssize_t r;

		memset(&rm, 0, sizeof(rm));
		memset(&h, 0, sizeof(h));
		h.addrlen = ADDR_LEN;
		iov[0].iov_base = &sa;
		iov[0].iov_len = ADDR_LEN;
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
		if ((size_t)r < ADDR_LEN) {
			/* never written by this fake; report an empty datagram */
			memset(&sa, 0, sizeof(sa));
			r = (ssize_t)ADDR_LEN;
		}
		fill_msg(&vec[i], &h, &sa, (size_t)r - ADDR_LEN, rm.msg_flags & MSG_TRUNC);
	}
	return (int)i;
}

int fk_queue_recvmmsg(struct fake_kernel *fk, int fd, struct mmsghdr *vec, unsigned int n,
		      int flags)
{
	return fk->memory ? memory_recvmmsg(fk, vec, n, flags)
			  : socket_recvmmsg(fk, fd, vec, n, flags);
}

int fk_queue_poll(struct fake_kernel *fk, struct pollfd *pfd, nfds_t n, int timeout_ms)
{
	if (!fk->memory)
		return poll(pfd, n, timeout_ms);
	/* nothing ever sleeps: ready now, or never */
	pfd[0].revents = memory_ready(fk, 0) ? (short)(pfd[0].events & POLLIN) : 0;
	return pfd[0].revents ? 1 : 0;
}
