/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Subscribing: the control messages, the negotiation between the 6.6+
 * protocol (struct proc_input, filtered by the kernel) and the legacy one,
 * and changing the mask later.
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
#include <unistd.h>

#include "environment.h"
#include "filter.h"
#include "handle.h"
#include "socket_filter.h"
#include "wire.h"

#define REQ_BUF_LEN (MNL_NLMSG_HDRLEN + PCN_CN_HDR_LEN + PCN_REQ_INPUT_LEN)

static uint32_t random_nonce(const struct proccn *h)
{
	uint32_t v;
	struct timespec ts;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == (ssize_t)sizeof(v))
		return v;
	/* no entropy yet (early boot): unpredictable enough to tell our ACK apart */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)ts.tv_nsec ^ (uint32_t)(uintptr_t)h ^ (uint32_t)ts.tv_sec * 2654435761u;
}

int proccn__send_request(struct proccn *h, uint32_t op, uint32_t events, size_t len)
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
	nlh->nlmsg_seq = ++h->sub.req_seq;
	cn = mnl_nlmsg_put_extra_header(nlh, PCN_CN_HDR_LEN + len);
	h->sub.nonce = random_nonce(h);
	pcn_put_u32(cn + PCN_CN_OFF_IDX, PCN_CN_IDX_PROC);
	pcn_put_u32(cn + PCN_CN_OFF_VAL, PCN_CN_VAL_PROC);
	pcn_put_u32(cn + PCN_CN_OFF_SEQ, h->sub.req_seq);
	pcn_put_u32(cn + PCN_CN_OFF_ACK, h->sub.nonce);
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

/* An event read while negotiating: kept for the first dispatch, or counted lost. */
static void keep(struct proccn *h, const union proccn_event *ev)
{
	if (proccn__pending_push(&h->pending, ev) < 0)
		proccn__loss_discarded(&h->loss, 1);
}

/*
 * wait_ack - read until the ACK to our nonce arrives or the timeout passes.
 * Returns 0 with *err set to the ACK's errno value, -ETIMEDOUT, or a negative
 * errno from the socket. Every event read meanwhile is kept. *overflowed
 * says whether the socket overflowed meanwhile: then the ACK may be lost.
 */
static int wait_ack(struct proccn *h, uint32_t *err, int *overflowed)
{
	int64_t deadline = pcn_now_us() + (int64_t)h->sub.ack_timeout_ms * 1000;
	struct pcn_decoded d;
	int found = 0;

	for (;;) {
		int64_t left = deadline - pcn_now_us();
		int n = proccn__batch_read(&h->batch, h->fd, &h->sys,
					   found || left <= 0 ? 0 : (int)((left + 999) / 1000));

		if (n == -EAGAIN || (n > 0 && n < PCN_BATCH))
			proccn__loss_drained(&h->loss, proccn__kernel_drops(h), pcn_now_ns());
		if (n == -EAGAIN) {
			if (found)
				return 0;
			if (left <= 0)
				return -ETIMEDOUT;
			continue;
		}
		if (n == -ENOBUFS) {
			proccn__loss_overrun(&h->loss);
			*overflowed = 1;
			continue;
		}
		if (n == -EINTR)
			continue;
		if (n < 0)
			return n;
		/* read the whole batch: events after the ACK must be kept too */
		while (proccn__next_message(h, &d)) {
			if (d.cls == PCN_MSG_EVENT)
				keep(h, &d.ev);
			else if (!found && d.ack_nonce == h->sub.nonce + 1) {
				*err = d.ack_err;
				found = 1;
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

	r = proccn__send_request(h, PCN_MCAST_LISTEN, 0, PCN_REQ_LEGACY_LEN);
	if (r < 0)
		return r;
	r = wait_ack(h, &err, &overflowed);
	if (r == -ETIMEDOUT && overflowed) {
		/*
		 * The ACK may have been dropped with the LISTEN counted: take it
		 * back (a refused LISTEN makes the IGNORE refused too). Never a
		 * second LISTEN: that could be counted twice.
		 */
		(void)proccn__send_request(h, PCN_MCAST_IGNORE, 0, PCN_REQ_LEGACY_LEN);
		return -ETIMEDOUT;
	}
	if (r == -ETIMEDOUT)
		return diagnose_silence();
	if (r < 0)
		return r;
	r = ack_result(err);
	if (r < 0)
		return r;
	h->sub.mode = PROCCN_MODE_LEGACY;
	h->sub.subscribed = 1;
	return 0;
}

/*
 * The first request asks for ALL because the kernel passes its ACK through
 * our own filter: any narrower mask would never be ACKed, and we could not
 * tell a 6.6+ kernel from an old one.
 */
static int negotiate(struct proccn *h)
{
	uint32_t err = 0;
	int r = -ETIMEDOUT, overflowed = 0, tries = 2;

	if (h->sub.flags & PROCCN_F_FORCE_LEGACY)
		return listen_legacy(h);

	do {
		/*
		 * A 6.6+ kernel counts a repeated LISTEN once, and an old one
		 * ignores this request: asking again is safe when the socket
		 * overflowed and the ACK may be lost.
		 */
		overflowed = 0;
		r = proccn__send_request(h, PCN_MCAST_LISTEN, PROCCN_EV_ALL, PCN_REQ_INPUT_LEN);
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
	h->sub.mode = PROCCN_MODE_KERNEL_FILTER;
	h->sub.subscribed = 1;
	return 0;
}

/*
 * apply_mask - make the socket filter, the kernel's mask and exact loss
 * counting follow h->sub.events; the kernel is asked unless it holds that
 * mask already (@kernel_mask, 0 when unknown). The drop counter is read before anything
 * changes: a drop in between is then settled as of the old mask, which can
 * only make a count smaller, never count an event twice. On failure the
 * kernel's mask and exact counting are as before (the caller puts the
 * socket filter back).
 */
static int apply_mask(struct proccn *h, uint32_t kernel_mask)
{
	uint32_t drops = proccn__kernel_drops(h);
	int r, exact;

	r = proccn__socket_filter_apply(h->fd, h->sub.events, h->sub.flags, &h->sub.socket_filter);
	if (r >= 0 && h->sub.mode == PROCCN_MODE_KERNEL_FILTER && h->sub.subscribed &&
	    h->sub.events != kernel_mask)
		r = proccn__send_request(h, PCN_MCAST_LISTEN, h->sub.events, PCN_REQ_INPUT_LEN);
	if (r < 0)
		return r;
	/* gaps are losses only when the socket receives every message */
	exact = (h->sub.mode == PROCCN_MODE_LEGACY || h->sub.events == PROCCN_EV_ALL) &&
		!h->sub.socket_filter;
	/* the kernel applies a mask inside send(2): exact from here on */
	proccn__loss_set_exact(&h->loss, exact, drops, pcn_now_ns());
	return 0;
}

int proccn__subscribe(struct proccn *h)
{
	int r = negotiate(h);

	/* negotiation left the kernel with ALL */
	return r < 0 ? r : apply_mask(h, PROCCN_EV_ALL);
}

int proccn_set_events(struct proccn *h, uint32_t events)
{
	uint32_t old;
	int r;

	if (!h || (events & ~PROCCN_EV_ALL))
		return -EINVAL;
	/* a forked child's copy: the socket and its subscription are the parent's */
	if (getpid() != h->owner)
		return -ECHILD;
	if (h->followed &&
	    (proccn__mask_normalise(events) & h->follower_needs) != h->follower_needs)
		return -EINVAL;   /* its table would miss what it must see */
	old = h->sub.events;
	h->sub.events = proccn__mask_normalise(events);
	r = apply_mask(h, 0);
	if (r < 0) {
		/* the handle never filters by a mask it does not report */
		h->sub.events = old;
		(void)proccn__socket_filter_apply(h->fd, old, h->sub.flags, &h->sub.socket_filter);
	}
	proccn__sync_notify(h);
	return r;
}

uint32_t proccn_get_events(const struct proccn *h)
{
	return h ? h->sub.events : 0;
}

int proccn_mode(const struct proccn *h)
{
	return h ? h->sub.mode : -EINVAL;
}

int proccn_unsubscribe(struct proccn *h)
{
	int r;

	if (!h)
		return -EINVAL;
	if (h->followed)
		return -EBUSY;
	if (!h->sub.subscribed)
		return 0;
	/* a forked child's copy: the socket and its subscription are the parent's */
	if (getpid() != h->owner) {
		h->sub.subscribed = 0;
		return 0;
	}
	r = proccn__send_request(h, PCN_MCAST_IGNORE, 0,
				 h->sub.mode == PROCCN_MODE_LEGACY ? PCN_REQ_LEGACY_LEN
								   : PCN_REQ_INPUT_LEN);
	/*
	 * Never twice: on old kernels IGNORE decrements a global counter. A
	 * send that failed reached no one, so that one may be tried again.
	 */
	if (r >= 0)
		h->sub.subscribed = 0;
	return r;
}
