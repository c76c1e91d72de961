/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Subscribing: the control messages and the negotiation between the 6.6+
 * protocol (struct proc_input, filtered by the kernel) and the legacy one.
 *
 * The kernel answers a request synchronously inside send(), so the ACK is
 * normally queued when send() returns; the timeout only matters on kernels
 * that ignore the request (pre-6.6 for the 8-byte form, or any kernel when
 * we are outside the initial user/pid namespace).
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "handle.h"
#include "environment.h"
#include "wire.h"

#define REQ_BUF_LEN (MNL_NLMSG_HDRLEN + PCN_CN_HDR_LEN + PCN_REQ_INPUT_LEN)

static uint32_t random_nonce(struct proccn *h)
{
	uint32_t v;
	struct timespec ts;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == (ssize_t)sizeof(v))
		return v;
	/* no entropy yet (early boot): unpredictable enough to tell our ACK apart */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)ts.tv_nsec ^ (uint32_t)(uintptr_t)h ^ (uint32_t)ts.tv_sec * 2654435761u;
}

/*
 * pcn_send_request - send a LISTEN or IGNORE. @len is PCN_REQ_INPUT_LEN
 * (struct proc_input with @events) or PCN_REQ_LEGACY_LEN (mcast_op alone).
 * Sets h->nonce to the cn_msg.ack used. Returns 0 or a negative errno.
 */
int pcn_send_request(struct proccn *h, uint32_t op, uint32_t events, size_t len)
{
	uint64_t storage[(REQ_BUF_LEN + 7) / 8];
	uint8_t *buf = (uint8_t *)storage;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct iovec iov;
	struct msghdr msg = { .msg_name = &kernel, .msg_namelen = sizeof(kernel),
			      .msg_iov = &iov, .msg_iovlen = 1 };
	struct nlmsghdr *nlh;
	uint8_t *cn;

	memset(storage, 0, sizeof(storage));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_seq = ++h->req_seq;
	cn = mnl_nlmsg_put_extra_header(nlh, PCN_CN_HDR_LEN + len);
	h->nonce = random_nonce(h);
	pcn_put_u32(cn + PCN_CN_OFF_IDX, PCN_CN_IDX_PROC);
	pcn_put_u32(cn + PCN_CN_OFF_VAL, PCN_CN_VAL_PROC);
	pcn_put_u32(cn + PCN_CN_OFF_SEQ, h->req_seq);
	pcn_put_u32(cn + PCN_CN_OFF_ACK, h->nonce);
	pcn_put_u16(cn + PCN_CN_OFF_LEN, (uint16_t)len);
	pcn_put_u32(cn + PCN_CN_HDR_LEN, op);
	if (len == PCN_REQ_INPUT_LEN)
		pcn_put_u32(cn + PCN_CN_HDR_LEN + 4, events);

	iov.iov_base = buf;
	iov.iov_len = nlh->nlmsg_len;
	if (h->sys.sendmsg(h->sys.ctx, h->fd, &msg, MSG_DONTWAIT) < 0)
		return -errno;
	return 0;
}

/*
 * wait_ack - read until the ACK to h->nonce arrives or the timeout passes.
 * Returns 0 with *err set to the ACK's errno value, -ETIMEDOUT, or a negative
 * errno from the socket. Every event read meanwhile is kept. *overflowed
 * says whether the socket overflowed meanwhile: then the ACK may be lost.
 */
static int wait_ack(struct proccn *h, uint32_t *err, int *overflowed)
{
	int64_t deadline = pcn_now_us() + (int64_t)h->ack_timeout_ms * 1000;
	struct pcn_decoded d;
	int found = 0;

	for (;;) {
		int n = pcn_recv_batch(h, 0);

		if (n == -EAGAIN) {
			struct pollfd pfd = { .fd = h->fd, .events = POLLIN };
			int64_t left = deadline - pcn_now_us();

			if (found)
				return 0;
			if (left <= 0)
				return -ETIMEDOUT;
			if (h->sys.poll(h->sys.ctx, &pfd, 1, (int)((left + 999) / 1000)) < 0 &&
			    errno != EINTR)
				return -errno;
			continue;
		}
		if (n == -ENOBUFS) {
			pcn_note_overrun(h);
			*overflowed = 1;
			continue;
		}
		if (n == -EINTR)
			continue;
		if (n < 0)
			return n;
		/* read the whole batch: events after the ACK must be kept too */
		while (pcn_next_message(h, &d)) {
			if (d.cls == PCN_MSG_EVENT) {
				pcn_keep_pending(h, &d.ev);
			} else if (!found && d.ack_nonce == h->nonce + 1) {
				found = 1;
				*err = d.ack_err;
			}
		}
		if (found)
			return 0;
	}
}

/* Why did nothing answer? Only the system can tell us. */
static int diagnose_silence(void)
{
	if (proccn__proc_events_listed() == 0)
		return -EOPNOTSUPP;
	if (proccn__in_initial_ns("user") == 0 || proccn__in_initial_ns("pid") == 0)
		return -EXDEV;
	return -ETIMEDOUT;
}

static int ack_result(uint32_t err)
{
	if (err == 0)
		return 0;
	return err < 4096 ? -(int)err : -EPROTO;
}

static int listen_legacy(struct proccn *h)
{
	uint32_t err = 0;
	int r, overflowed = 0;

	r = pcn_send_request(h, PCN_MCAST_LISTEN, 0, PCN_REQ_LEGACY_LEN);
	if (r < 0)
		return r;
	r = wait_ack(h, &err, &overflowed);
	if (r == -ETIMEDOUT && overflowed) {
		/*
		 * The ACK may have been dropped with the LISTEN counted: take it
		 * back (a refused LISTEN makes the IGNORE refused too). Never a
		 * second LISTEN: that could be counted twice.
		 */
		(void)pcn_send_request(h, PCN_MCAST_IGNORE, 0, PCN_REQ_LEGACY_LEN);
		return -ETIMEDOUT;
	}
	if (r == -ETIMEDOUT)
		return diagnose_silence();
	if (r < 0)
		return r;
	r = ack_result(err);
	if (r < 0)
		return r;
	h->mode = PROCCN_MODE_LEGACY;
	h->subscribed = 1;
	return 0;
}

/*
 * pcn_negotiate - subscribe with the best protocol the kernel has. The first
 * request asks for ALL because the kernel passes its ACK through our own
 * filter: any narrower mask would never be ACKed, and we could not tell a
 * 6.6+ kernel from an old one.
 */
int pcn_negotiate(struct proccn *h)
{
	uint32_t err = 0;
	int r = -ETIMEDOUT, overflowed = 0, tries = 2;

	if (h->flags & PROCCN_F_FORCE_LEGACY)
		return listen_legacy(h);

	do {
		/*
		 * A 6.6+ kernel counts a repeated LISTEN once, and an old one
		 * ignores this request: asking again is safe when the socket
		 * overflowed and the ACK may be lost.
		 */
		overflowed = 0;
		r = pcn_send_request(h, PCN_MCAST_LISTEN, PROCCN_EV_ALL, PCN_REQ_INPUT_LEN);
		if (r < 0)
			return r;
		r = wait_ack(h, &err, &overflowed);
	} while (r == -ETIMEDOUT && overflowed && --tries > 0);
	if (r == -ETIMEDOUT) {
		/* outside the initial namespaces no request is ever answered */
		if (proccn__in_initial_ns("user") == 0 || proccn__in_initial_ns("pid") == 0)
			return -EXDEV;
		return listen_legacy(h);
	}
	if (r < 0)
		return r;
	r = ack_result(err);
	if (r < 0)
		return r;
	h->mode = PROCCN_MODE_KERNEL_FILTER;
	h->subscribed = 1;
	if (h->events != PROCCN_EV_ALL)
		return pcn_send_request(h, PCN_MCAST_LISTEN, h->events, PCN_REQ_INPUT_LEN);
	return 0;
}
