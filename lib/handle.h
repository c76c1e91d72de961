/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The handle: one part per concern, each with its own header and writer.
 * The socket and the fds around it belong to handle.c, the receive batch to
 * batch.c, loss accounting to loss.c, kept events to pending.c, adaptive
 * batching to pacing.c, the event loop's fd to notify.c, the subscription
 * to subscribe.c and the delivery counters to dispatch.c.
 */
#ifndef PCN_HANDLE_H
#define PCN_HANDLE_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "batch.h"
#include "loss.h"
#include "notify.h"
#include "pacing.h"
#include "pending.h"
#include "proccn.h"
#include "subscribe.h"
#include "sys.h"

#define PCN_DEFAULT_RCVBUF (4 * 1024 * 1024)

struct mnl_socket;

/* What dispatch did with the events that passed the batch. */
struct pcn_delivery {
	uint64_t delivered, filtered, unhandled;
};

struct proccn {
	struct mnl_socket *nl;    /* the netlink socket (blocking, see handle.c) */
	int fd;                   /* its fd */
	pid_t owner;              /* the process that subscribed (fork safety) */
	struct pcn_sys sys;
	int rcvbuf;
	struct pcn_notify notify;
	struct pcn_subscription sub;
	struct pcn_batch batch;
	struct pcn_loss loss;
	struct pcn_pending pending;
	struct pcn_pacing pacing;
	struct pcn_delivery cnt;
	int dispatching;          /* inside proccn_dispatch(): no nested call */
	int closing;              /* proccn_close() was called from a callback */
	int queue_empty;          /* the last dispatch left the socket drained */
	int held_work;            /* a layer above (the table) holds work */
	int followed;             /* a table follows the handle (proccn__follow) */
	uint32_t follower_needs;  /* the events it cannot do without */
	int close_deferred;       /* proccn_close() came while it followed */
};

/*
 * proccn__next_message - the batch's next message, with its number and time
 * noted for loss accounting and pacing. 1, or 0 when the batch is used up.
 */
static inline int proccn__next_message(struct proccn *h, struct pcn_decoded *d)
{
	if (!proccn__batch_next(&h->batch, d))
		return 0;
	proccn__loss_message(&h->loss, d->ev.hdr.cpu, d->seq, d->ev.hdr.timestamp_ns);
	/* ACKs are rare and come when we ask: they say nothing about a burst */
	if (d->cls == PCN_MSG_EVENT)
		proccn__pacing_message(&h->pacing, d->ev.hdr.timestamp_ns);
	return 1;
}

/* proccn__kernel_drops - the socket's drop counter (SK_MEMINFO_DROPS); the last
   settled value when it cannot be read, so that nothing is counted twice */
uint32_t proccn__kernel_drops(const struct proccn *h);

/* dispatch.c: the caller's callbacks by the sz rules; one typed callback */
int proccn__read_callbacks(const struct proccn_callbacks *in, struct proccn_callbacks *out);
int proccn__call_typed(const struct proccn_callbacks *cb, const union proccn_event *ev,
		       void *ud, int *handled);

/*
 * proccn__hold_work - a layer above says it holds work (or not any more):
 * proccn_fd() stays readable while it does.
 */
void proccn__hold_work(struct proccn *h, int work);

/* proccn__has_work - dispatch(h, ..., 0) would deliver something without a read. */
int proccn__has_work(const struct proccn *h);

/* proccn__sync_notify - make proccn_fd() readable iff the handle holds work. */
void proccn__sync_notify(struct proccn *h);

/*
 * proccn__follow - a table follows @h from now on: only it dispatches the
 * handle (proccn__dispatch), proccn_dispatch() and proccn_unsubscribe() are
 * -EBUSY, a mask without @needs is -EINVAL, and proccn_close() waits for
 * proccn__unfollow(). Returns 0, or -EBUSY when another table follows @h or
 * @h is being dispatched (its callbacks would take the table's events).
 */
int proccn__follow(struct proccn *h, uint32_t needs);

/* proccn__unfollow - the table lets go: a close that waited happens now. */
void proccn__unfollow(struct proccn *h);

/* proccn__dispatch - proccn_dispatch() for the table that follows @h. */
int proccn__dispatch(struct proccn *h, const struct proccn_callbacks *callbacks,
		     void *userdata, int timeout_ms);

/* proccn__free - close the fds and free everything, sending nothing. */
void proccn__free(struct proccn *h);

/* pcn_now_ns - CLOCK_MONOTONIC in nanoseconds, the clock of event timestamps. */
static inline uint64_t pcn_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* pcn_now_us - CLOCK_MONOTONIC in microseconds, for timeouts. */
static inline int64_t pcn_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

#endif
