/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The handle's life: options, the socket, one allocation for everything the
 * handle will ever need, the subscription, statistics and the way out.
 */
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/sock_diag.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <unistd.h>

#include "abi.h"
#include "filter.h"
#include "handle.h"
#include "wire.h"

#ifndef SO_MEMINFO
#define SO_MEMINFO 55
#endif

#define KNOWN_FLAGS (PROCCN_F_PROCESSES_ONLY | PROCCN_F_FORCE_LEGACY | PROCCN_F_NO_SOCKET_FILTER)
#define MAX_LATENCY_US 1000000
/*
 * "No limit" for a blocking read, as SO_RCVTIMEO: a day, not 0. With no
 * timeout the kernel restarts a read interrupted by an SA_RESTART handler;
 * with any finite one it returns EINTR, as poll(2) does, and as
 * proccn_dispatch() promises. When the day is over the read says EAGAIN and
 * dispatch simply waits again.
 */
#define WAIT_FOREVER_S (24 * 3600)

static const struct pcn_abi_member opts_members[] = {
	PCN_ABI_MEMBER(struct proccn_opts, sz),
	PCN_ABI_MEMBER(struct proccn_opts, events),
	PCN_ABI_MEMBER(struct proccn_opts, flags),
	PCN_ABI_MEMBER(struct proccn_opts, rcvbuf),
	PCN_ABI_MEMBER(struct proccn_opts, ack_timeout_ms),
	PCN_ABI_MEMBER(struct proccn_opts, max_batch_latency_us),
	PCN_ABI_MEMBER(struct proccn_opts, reserved),
};
static const struct pcn_abi_layout opts_layout =
	PCN_ABI_LAYOUT(struct proccn_opts, opts_members,
		       offsetof(struct proccn_opts, events) + sizeof(uint32_t));

/*
 * read_opts - copy the caller's options into @o with defaults applied.
 * Accepts structs from older callers (smaller sz, later fields default).
 */
static int read_opts(const struct proccn_opts *in, struct proccn_opts *o)
{
	int r;

	memset(o, 0, sizeof(*o));
	if (in) {
		r = proccn__abi_read(in, o, &opts_layout);
		if (r < 0)
			return r;
	}
	o->sz = sizeof(*o);
	if (o->reserved)
		return -E2BIG;
	if ((o->events & ~PROCCN_EV_ALL) || (o->flags & ~KNOWN_FLAGS) ||
	    o->ack_timeout_ms < 0 || o->rcvbuf < -1 ||
	    o->max_batch_latency_us < PROCCN_LATENCY_NONE ||
	    o->max_batch_latency_us > MAX_LATENCY_US)
		return -EINVAL;
	if (o->ack_timeout_ms == 0)
		o->ack_timeout_ms = PCN_DEFAULT_ACK_TIMEOUT_MS;
	return 0;
}

/*
 * A handle around @nl (owned from here on, also on failure), with every
 * buffer it will use: nothing is allocated later.
 */
static struct proccn *handle_alloc(struct mnl_socket *nl, const struct pcn_sys *sys)
{
	int ncpu = get_nprocs_conf();
	struct proccn *h = calloc(1, sizeof(*h));

	if (!h) {
		mnl_socket_close(nl);
		return NULL;
	}
	h->nl = nl;
	h->fd = mnl_socket_get_fd(nl);
	h->sys = *sys;
	h->notify.epoll_fd = -1;
	h->notify.event_fd = -1;
	if (proccn__loss_init(&h->loss, ncpu > 0 ? (uint32_t)ncpu : 1, proccn__kernel_drops(h)) < 0 ||
	    proccn__pending_init(&h->pending) < 0 || proccn__batch_init(&h->batch) < 0) {
		proccn__free(h);
		return NULL;
	}
	return h;
}

void proccn__free(struct proccn *h)
{
	proccn__notify_close(&h->notify);
	if (h->nl)
		mnl_socket_close(h->nl);
	proccn__loss_fini(&h->loss);
	proccn__pending_fini(&h->pending);
	proccn__batch_fini(&h->batch);
	free(h);
}

uint32_t proccn__kernel_drops(const struct proccn *h)
{
	uint32_t mem[SK_MEMINFO_VARS];
	socklen_t len = sizeof(mem);

	if (h->sys.drops)
		return h->sys.drops(h->sys.ctx, h->fd, &mem[0]) < 0 ? h->loss.drops_base : mem[0];
	if (getsockopt(h->fd, SOL_SOCKET, SO_MEMINFO, mem, &len) < 0 ||
	    len <= SK_MEMINFO_DROPS * sizeof(mem[0]))
		return h->loss.drops_base;
	return mem[SK_MEMINFO_DROPS];
}

int proccn__has_work(const struct proccn *h)
{
	return proccn__pending_len(&h->pending) || proccn__batch_left(&h->batch) ||
	       proccn__loss_due(&h->loss) || proccn__loss_waiting(&h->loss) || h->held_work;
}

void proccn__hold_work(struct proccn *h, int work)
{
	h->held_work = work != 0;
	proccn__sync_notify(h);
}

void proccn__sync_notify(struct proccn *h)
{
	/* on failure the fd stays as it was: at worst readable with nothing to do */
	(void)proccn__notify_set(&h->notify, proccn__has_work(h));
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
 * MSG_DONTWAIT one). Event loops get the notify fd instead.
 */
static int make_blocking(int fd)
{
	struct timeval day = { WAIT_FOREVER_S, 0 };
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || ((fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &day, sizeof(day)) < 0)
		return -errno;
	return 0;
}

/* The handle around a bound socket, from options already read by read_opts(). */
static int open_on_socket(struct proccn **out, const struct proccn_opts *o,
			  struct mnl_socket *nl, const struct pcn_sys *sys)
{
	struct proccn *h;
	int r;

	h = handle_alloc(nl, sys);
	if (!h)
		return -ENOMEM;
	h->owner = getpid();
	h->sub.events = proccn__mask_normalise(o->events);
	h->sub.flags = o->flags;
	h->sub.ack_timeout_ms = o->ack_timeout_ms;
	proccn__pacing_init(&h->pacing, o->max_batch_latency_us);

	r = make_blocking(h->fd);
	if (r >= 0)
		r = proccn__notify_open(&h->notify, h->fd);
	if (r >= 0)
		r = proccn__subscribe(h);
	if (r < 0) {
		proccn_close(h);
		return r;
	}
	h->rcvbuf = effective_rcvbuf(h->fd);
	/* events kept from negotiation make the fd readable at once */
	proccn__sync_notify(h);
	*out = h;
	return 0;
}

int proccn__open_fd(struct proccn **out, const struct proccn_opts *opts, int fd,
		    const struct pcn_sys *sys)
{
	struct proccn_opts o;
	struct mnl_socket *nl;
	int r;

	r = read_opts(opts, &o);
	if (r < 0 || !out || !sys) {
		close(fd);
		return r < 0 ? r : -EINVAL;
	}
	nl = mnl_socket_fdopen(fd);
	if (!nl) {
		r = -errno;
		close(fd);
		return r;
	}
	return open_on_socket(out, &o, nl, sys);
}

int proccn_open(struct proccn **out, const struct proccn_opts *opts)
{
	struct proccn_opts o;
	struct mnl_socket *nl;
	int r;

	if (!out)
		return -EINVAL;
	r = read_opts(opts, &o);
	if (r < 0)
		return r;
	nl = mnl_socket_open2(NETLINK_CONNECTOR, SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	set_rcvbuf(mnl_socket_get_fd(nl), o.rcvbuf);
	/* MNL_SOCKET_AUTOPID: the kernel picks a unique port id, so handles can coexist */
	if (mnl_socket_bind(nl, PCN_CN_IDX_PROC, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		mnl_socket_close(nl);
		return r;
	}
	return open_on_socket(out, &o, nl, &proccn__sys_default);
}

/* Failures of send(2) that a second try may not meet. */
static int transient(int err)
{
	return err == -EAGAIN || err == -ENOBUFS || err == -ENOMEM || err == -EINTR;
}

/* Unsubscribe, trying again on transient errors: an IGNORE that never went out
   leaves an old kernel counting us. */
static void unsubscribe_firmly(struct proccn *h)
{
	int tries = 3;

	while (transient(proccn_unsubscribe(h)) && --tries > 0)
		;
}

struct proccn *proccn_close(struct proccn *h)
{
	if (!h || h->closing)
		return NULL;
	if (h->followed) {
		/* the table still reads it: closed when the table lets go */
		h->close_deferred = 1;
		return NULL;
	}
	unsubscribe_firmly(h);
	if (h->dispatching) {
		/* from a callback: dispatch frees the handle when the callback returns */
		h->closing = 1;
		return NULL;
	}
	proccn__free(h);
	return NULL;
}

int proccn__follow(struct proccn *h, uint32_t needs)
{
	if (h->followed || h->dispatching)
		return -EBUSY;
	h->followed = 1;
	h->follower_needs = needs;
	return 0;
}

void proccn__unfollow(struct proccn *h)
{
	h->followed = 0;
	h->follower_needs = 0;
	h->held_work = 0;
	proccn__sync_notify(h);
	if (h->close_deferred)
		proccn_close(h);
}

int proccn_fd(const struct proccn *h)
{
	return h ? h->notify.epoll_fd : -EINVAL;
}

static const struct pcn_abi_member stats_members[] = {
	PCN_ABI_MEMBER(struct proccn_stats, sz),
	PCN_ABI_MEMBER(struct proccn_stats, datagrams),
	PCN_ABI_MEMBER(struct proccn_stats, received),
	PCN_ABI_MEMBER(struct proccn_stats, delivered),
	PCN_ABI_MEMBER(struct proccn_stats, filtered),
	PCN_ABI_MEMBER(struct proccn_stats, malformed),
	PCN_ABI_MEMBER(struct proccn_stats, spoofed),
	PCN_ABI_MEMBER(struct proccn_stats, acks),
	PCN_ABI_MEMBER(struct proccn_stats, overruns),
	PCN_ABI_MEMBER(struct proccn_stats, lost),
	PCN_ABI_MEMBER(struct proccn_stats, lost_exact),
	PCN_ABI_MEMBER(struct proccn_stats, rcvbuf),
	PCN_ABI_MEMBER(struct proccn_stats, kernel_drops),
	PCN_ABI_MEMBER(struct proccn_stats, unhandled),
};
static const struct pcn_abi_layout stats_layout =
	PCN_ABI_LAYOUT(struct proccn_stats, stats_members, sizeof(size_t));

int proccn_get_stats(const struct proccn *h, struct proccn_stats *st)
{
	struct proccn_stats s;

	if (!h || !st)
		return -EINVAL;
	memset(&s, 0, sizeof(s));
	s.datagrams = h->batch.datagrams;
	s.received = h->batch.received;
	s.malformed = h->batch.malformed;
	s.spoofed = h->batch.spoofed;
	s.acks = h->batch.acks;
	s.delivered = h->cnt.delivered;
	s.filtered = h->cnt.filtered;
	s.unhandled = h->cnt.unhandled;
	s.overruns = h->loss.overruns;
	s.lost = h->loss.lost;
	s.lost_exact = proccn__loss_exact(&h->loss);
	s.kernel_drops = proccn__kernel_drops(h);
	s.rcvbuf = h->rcvbuf;
	return proccn__abi_write(st, &s, &stats_layout);
}
