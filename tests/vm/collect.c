/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Collecting a workload's events from a handle, with bounded waits; and a
 * handle whose system calls are watched (open_wrapped): what the library
 * sends and how many datagrams reach its socket.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dgram.h"
#include "sys.h"
#include "vm.h"

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int on_event(const union proccn_event *ev, void *ud)
{
	struct collector *c = ud;

	c->all_events++;
	if (ev->hdr.kind == PROCCN_EV_EXIT)
		c->all_exits++;
	if (!wl_concerns(c->wl, ev))
		return 0;
	if (c->n == MAX_EVENTS) {
		c->overflow++;
		return 0;
	}
	c->ev[c->n++] = *ev;
	return 0;
}

static int on_loss(const struct proccn_loss *loss, void *ud)
{
	struct collector *c = ud;

	(void)loss;
	c->losses++;
	return 0;
}

static const struct proccn_callbacks collect_cb = {
	.sz = sizeof(struct proccn_callbacks),
	.on_event = on_event,
	.on_loss = on_loss,
};

void collector_reset(struct collector *c, const struct workload *wl)
{
	memset(c, 0, sizeof(*c));
	c->wl = wl;
}

/* Has every child of the workload exited? */
int exits_done(const struct collector *c)
{
	int k;
	unsigned int i;

	for (k = 0; k < c->wl->nchild; k++) {
		int seen = 0;

		for (i = 0; i < c->n && !seen; i++)
			seen = c->ev[i].hdr.kind == PROCCN_EV_EXIT &&
			       c->ev[i].exit.pid == c->wl->child[k];
		if (!seen)
			return 0;
	}
	return 1;
}

/* Has every task of the workload (children and their threads) exited? */
int all_exited(const struct collector *c)
{
	unsigned int i, j;

	if (!exits_done(c))
		return 0;
	/* a thread's fork is reported by its process before it exits: wait for its exit too */
	for (i = 0; i < c->n; i++) {
		int seen = 0;

		if (c->ev[i].hdr.kind != PROCCN_EV_FORK ||
		    c->ev[i].fork.child_pid == c->ev[i].fork.child_tgid)
			continue;
		for (j = 0; j < c->n && !seen; j++)
			seen = c->ev[j].hdr.kind == PROCCN_EV_EXIT &&
			       c->ev[j].exit.pid == c->ev[i].fork.child_pid;
		if (!seen)
			return 0;
	}
	return 1;
}

int have_count(const struct collector *c)
{
	return c->n >= c->want;
}

/*
 * pump - dispatch until @done says so or the deadline passes. The wait is
 * bounded, never a sleep: a healthy run returns as soon as the events are in.
 * Returns 0, -ETIMEDOUT, or the library's negative errno.
 */
int pump(struct proccn *h, struct collector *c, int (*done)(const struct collector *),
		int ms)
{
	int64_t deadline = now_ms() + ms;

	/* events kept from negotiation are delivered only by a dispatch */
	int r = proccn_dispatch(h, &collect_cb, c, 0);

	if (r < 0)
		return r;
	while (!done(c)) {
		int64_t left = deadline - now_ms();

		if (left <= 0)
			return -ETIMEDOUT;
		r = proccn_dispatch(h, &collect_cb, c, left > 200 ? 200 : (int)left);
		if (r < 0 && r != -EINTR)
			return r;
	}
	return 0;
}

/* Read what is still queued, without blocking: events that should not be there. */
int drain(struct proccn *h, struct collector *c)
{
	int r = proccn_dispatch(h, &collect_cb, c, 0);

	return r < 0 ? r : 0;
}

/* ---------------------------------------------------------------- the wrapping pcn_sys */

static ssize_t wrap_sendmsg(void *ctx, int fd, const struct msghdr *msg, int flags)
{
	struct wrap *w = ctx;
	struct dgram_request rq;

	/* the library sends one iovec */
	if (msg->msg_iovlen >= 1 &&
	    dgram_parse_request(msg->msg_iov[0].iov_base, msg->msg_iov[0].iov_len, &rq)) {
		if (rq.op == DGRAM_MCAST_LISTEN && rq.len == DGRAM_REQ_LEGACY)
			w->listen4++;
		else if (rq.op == DGRAM_MCAST_LISTEN && rq.len == DGRAM_REQ_INPUT)
			w->listen8++;
		else if (rq.op == DGRAM_MCAST_IGNORE && rq.len == DGRAM_REQ_LEGACY)
			w->ignore4++;
		else if (rq.op == DGRAM_MCAST_IGNORE && rq.len == DGRAM_REQ_INPUT)
			w->ignore8++;
		else
			w->other_req++;
	} else {
		w->other_req++;
	}
	return proccn__sys_default.sendmsg(proccn__sys_default.ctx, fd, msg, flags);
}

static int wrap_recvmmsg(void *ctx, int fd, struct mmsghdr *vec, unsigned int n, int flags)
{
	struct wrap *w = ctx;
	int r = proccn__sys_default.recvmmsg(proccn__sys_default.ctx, fd, vec, n, flags);
	int i;

	for (i = 0; i < r; i++) {
		const uint8_t *p = vec[i].msg_hdr.msg_iov[0].iov_base;
		uint32_t tgid;

		w->datagrams++;
		if (vec[i].msg_len < DGRAM_LEN || dgram_get32(p + DGRAM_OFF_WHAT) != PROCCN_EV_FORK)
			continue;
		w->fork_dgrams++;
		tgid = dgram_get32(p + DGRAM_OFF_CHILD_TGID);
		if (wl_index(w->wl, (pid_t)tgid) >= 0)
			w->wl_fork_dgrams++;
	}
	return r;
}

/*
 * open_wrapped - what proccn_open() does (socket, buffer, bind), then
 * proccn__open_fd() with our pcn_sys in front of the real system calls.
 */
int open_wrapped(struct proccn **h, const struct proccn_opts *o, struct wrap *w)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1, .nl_pid = 0 };
	struct pcn_sys sys = proccn__sys_default;
	int fd, bytes = 4 << 20;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	sys.sendmsg = wrap_sendmsg;
	sys.recvmmsg = wrap_recvmmsg;
	sys.ctx = w;
	return proccn__open_fd(h, o, fd, &sys);
}
