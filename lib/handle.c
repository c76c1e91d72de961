/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The handle's life: options, the socket, one allocation for everything the
 * handle will ever need, the subscription, and the way out.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "filter.h"
#include "handle.h"
#include "wire.h"

#define KNOWN_FLAGS (PROCCN_F_PROCESSES_ONLY | PROCCN_F_FORCE_LEGACY | PROCCN_F_NO_SOCKET_FILTER)
#define MAX_LATENCY_US 1000000

/* Bytes of the caller's struct past what we know must be zero (libbpf rule). */
static int tail_is_zero(const void *opts, size_t known, size_t given)
{
	const uint8_t *p = opts;
	size_t i;

	for (i = known; i < given; i++)
		if (p[i])
			return 0;
	return 1;
}

/*
 * read_opts - copy the caller's options into @o with defaults applied.
 * Accepts structs from older callers (smaller sz, later fields default).
 */
static int read_opts(const struct proccn_opts *in, struct proccn_opts *o)
{
	memset(o, 0, sizeof(*o));
	if (in) {
		if (in->sz < offsetof(struct proccn_opts, events) + sizeof(in->events))
			return -EINVAL;
		/* every member after sz is 4 bytes: an older sz ends on one's end */
		if (in->sz < sizeof(*o) && (in->sz - sizeof(in->sz)) % sizeof(uint32_t))
			return -EINVAL;
		if (in->sz > sizeof(*o) && !tail_is_zero(in, sizeof(*o), in->sz))
			return -E2BIG;
		memcpy(o, in, in->sz < sizeof(*o) ? in->sz : sizeof(*o));
	}
	o->sz = sizeof(*o);
	if (o->reserved)
		return -E2BIG;
	if ((o->events & ~PROCCN_EV_ALL) || (o->flags & ~KNOWN_FLAGS) ||
	    o->ack_timeout_ms < 0 || o->rcvbuf < -1 ||
	    o->max_batch_latency_us < 0 || o->max_batch_latency_us > MAX_LATENCY_US)
		return -EINVAL;
	if (o->ack_timeout_ms == 0)
		o->ack_timeout_ms = PCN_DEFAULT_ACK_TIMEOUT_MS;
	return 0;
}

/* Every buffer the handle will use, allocated here: nothing is allocated later. */
static struct proccn *handle_alloc(void)
{
	int ncpu = get_nprocs_conf();
	struct proccn *h;

	if (ncpu < 1)
		ncpu = 1;
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->fd = -1;
	h->poll_fd = -1;
	h->rcvtimeo_us = -2;
	h->ncpu = (uint32_t)ncpu;
	h->cpu_seq = calloc(h->ncpu, sizeof(*h->cpu_seq));
	h->pending = calloc(PCN_PENDING_MAX, sizeof(*h->pending));
	h->msgs = calloc(PCN_BATCH, sizeof(*h->msgs));
	h->iovs = calloc(PCN_BATCH, sizeof(*h->iovs));
	h->addrs = calloc(PCN_BATCH, sizeof(*h->addrs));
	h->bufs = aligned_alloc(16, (size_t)PCN_BATCH * PCN_SLOT_SIZE);
	if (!h->cpu_seq || !h->pending || !h->msgs || !h->iovs || !h->addrs || !h->bufs)
		return proccn_close(h);
	pcn_recv_init(h);
	return h;
}

static int effective_rcvbuf(int fd)
{
	int v = 0;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len) < 0)
		return 0;
	return v;
}

/*
 * Bursts of thousands of exits are normal (a build, a test suite): the
 * kernel default (~212 KB, ~256 events) overflows. FORCE lifts rmem_max for
 * privileged callers; others get what rmem_max allows.
 */
static void set_rcvbuf(int fd, int bytes)
{
	if (bytes < 0)
		return;
	if (bytes == 0)
		bytes = PCN_DEFAULT_RCVBUF;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
}

/*
 * The socket blocks, so that a blocking dispatch is one recvmmsg(2) per
 * wake-up (MSG_WAITFORONE; O_NONBLOCK would turn every read into a
 * MSG_DONTWAIT one). Callers' event loops get an epoll instance that watches
 * it instead: non-blocking, close-on-exec, readable when the socket is.
 */
static int make_poll_fd(struct proccn *h)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fl = fcntl(h->fd, F_GETFL);

	if (fl < 0 || ((fl & O_NONBLOCK) && fcntl(h->fd, F_SETFL, fl & ~O_NONBLOCK) < 0))
		return -errno;
	h->poll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (h->poll_fd < 0 || fcntl(h->poll_fd, F_SETFL, O_NONBLOCK) < 0 ||
	    epoll_ctl(h->poll_fd, EPOLL_CTL_ADD, h->fd, &ev) < 0)
		return -errno;
	return 0;
}

/* The handle around a bound socket, from options already read by read_opts(). */
static int open_on_fd(struct proccn **out, const struct proccn_opts *o, int fd,
		      const struct pcn_sys *sys)
{
	struct proccn *h;
	int r;

	h = handle_alloc();
	if (!h) {
		close(fd);
		return -ENOMEM;
	}
	h->fd = fd;
	h->owner = getpid();
	h->sys = *sys;
	h->events = proccn__mask_normalise(o->events);
	h->flags = o->flags;
	h->ack_timeout_ms = o->ack_timeout_ms;
	h->latency_us = o->max_batch_latency_us;
	h->seq_exact = 1;
	h->drops_base = pcn_kernel_drops(h);

	r = make_poll_fd(h);
	if (r >= 0)
		r = pcn_negotiate(h);
	if (r >= 0)
		r = pcn_socket_filter_apply(h);
	if (r < 0) {
		proccn_close(h);
		return r;
	}
	h->rcvbuf = effective_rcvbuf(fd);
	*out = h;
	return 0;
}

int proccn__open_fd(struct proccn **out, const struct proccn_opts *opts, int fd,
		const struct pcn_sys *sys)
{
	struct proccn_opts o;
	int r;

	r = read_opts(opts, &o);
	if (r < 0 || !out || !sys) {
		close(fd);
		return r < 0 ? r : -EINVAL;
	}
	return open_on_fd(out, &o, fd, sys);
}

int proccn_open(struct proccn **out, const struct proccn_opts *opts)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = PCN_CN_IDX_PROC };
	struct proccn_opts o;
	int fd, r;

	if (!out)
		return -EINVAL;
	r = read_opts(opts, &o);
	if (r < 0)
		return r;
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
	if (fd < 0)
		return -errno;
	set_rcvbuf(fd, o.rcvbuf);
	/* nl_pid 0: the kernel picks a unique port id, so handles can coexist */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return open_on_fd(out, &o, fd, &proccn__sys_default);
}

int proccn_unsubscribe(struct proccn *h)
{
	int r;

	if (!h)
		return -EINVAL;
	if (!h->subscribed)
		return 0;
	/* a forked child's copy: the socket and its subscription are the parent's */
	if (getpid() != h->owner) {
		h->subscribed = 0;
		return 0;
	}
	r = pcn_send_request(h, PCN_MCAST_IGNORE, 0,
			     h->mode == PROCCN_MODE_LEGACY ? PCN_REQ_LEGACY_LEN : PCN_REQ_INPUT_LEN);
	/*
	 * Never twice: on old kernels IGNORE decrements a global counter. A
	 * send that failed reached no one, so that one may be tried again.
	 */
	if (r >= 0)
		h->subscribed = 0;
	return r;
}

/* Failures of send(2) that a second try may not meet. */
static int transient(int err)
{
	return err == -EAGAIN || err == -ENOBUFS || err == -ENOMEM || err == -EINTR;
}

struct proccn *proccn_close(struct proccn *h)
{
	if (!h)
		return NULL;
	if (h->fd >= 0) {
		int tries = 3;

		/* an IGNORE that never went out leaves an old kernel counting us */
		while (transient(proccn_unsubscribe(h)) && --tries > 0)
			;
		close(h->fd);
	}
	if (h->poll_fd >= 0)
		close(h->poll_fd);
	free(h->cpu_seq);
	free(h->pending);
	free(h->msgs);
	free(h->iovs);
	free(h->addrs);
	free(h->bufs);
	free(h);
	return NULL;
}

int proccn_fd(const struct proccn *h)
{
	return h ? h->poll_fd : -EINVAL;
}

int proccn_mode(const struct proccn *h)
{
	return h ? h->mode : -EINVAL;
}

uint32_t proccn_get_events(const struct proccn *h)
{
	return h ? h->events : 0;
}

/*
 * The socket filter changes first and the kernel's mask second; on failure
 * both go back, so the handle never filters by a mask it does not report.
 */
int proccn_set_events(struct proccn *h, uint32_t events)
{
	uint32_t old;
	int r;

	if (!h || (events & ~PROCCN_EV_ALL))
		return -EINVAL;
	/* a forked child's copy: the socket and its subscription are the parent's */
	if (getpid() != h->owner)
		return -ECHILD;
	old = h->events;
	h->events = proccn__mask_normalise(events);
	r = pcn_socket_filter_apply(h);
	if (r >= 0 && h->mode == PROCCN_MODE_KERNEL_FILTER && h->subscribed)
		r = pcn_send_request(h, PCN_MCAST_LISTEN, h->events, PCN_REQ_INPUT_LEN);
	if (r < 0) {
		h->events = old;
		(void)pcn_socket_filter_apply(h);
	}
	if (h->exact_from_ns == UINT64_MAX) {
		/* the kernel applies a mask inside send(2): from here on, every event */
		h->exact_from_ns = pcn_now_ns();
	}
	return r;
}

int proccn_get_stats(const struct proccn *h, struct proccn_stats *st)
{
	struct proccn_stats s;
	size_t n;

	if (!h || !st || st->sz < sizeof(st->sz))
		return -EINVAL;
	memset(&s, 0, sizeof(s));
	n = st->sz < sizeof(s) ? st->sz : sizeof(s);
	s.sz = n;
	s.datagrams = h->cnt.datagrams;
	s.received = h->cnt.received;
	s.delivered = h->cnt.delivered;
	s.filtered = h->cnt.filtered;
	s.malformed = h->cnt.malformed;
	s.spoofed = h->cnt.spoofed;
	s.acks = h->cnt.acks;
	s.overruns = h->cnt.overruns;
	s.lost = h->cnt.lost + h->pending_lost;
	s.lost_exact = h->seq_exact;
	s.kernel_drops = pcn_kernel_drops(h);
	s.rcvbuf = h->rcvbuf;
	s.unhandled = h->cnt.unhandled;
	memcpy(st, &s, n);
	return 0;
}
