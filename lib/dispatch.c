/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Dispatch: read batches and hand each event to its callback. Loss is never
 * silent: what loss.c reports goes to on_loss, in order with the events.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "abi.h"
#include "filter.h"
#include "handle.h"

/* Batches one dispatch reads at most once it has something to return. */
#define PCN_DISPATCH_MAX_BATCHES 16

static const struct pcn_abi_member callbacks_members[] = {
	PCN_ABI_MEMBER(struct proccn_callbacks, sz),
	PCN_ABI_MEMBER(struct proccn_callbacks, on_fork),
	PCN_ABI_MEMBER(struct proccn_callbacks, on_exec),
	PCN_ABI_MEMBER(struct proccn_callbacks, on_uid),
	PCN_ABI_MEMBER(struct proccn_callbacks, on_gid),
	PCN_ABI_MEMBER(struct proccn_callbacks, on_sid),
	PCN_ABI_MEMBER(struct proccn_callbacks, on_ptrace),
	PCN_ABI_MEMBER(struct proccn_callbacks, on_comm),
	PCN_ABI_MEMBER(struct proccn_callbacks, on_coredump),
	PCN_ABI_MEMBER(struct proccn_callbacks, on_exit),
	PCN_ABI_MEMBER(struct proccn_callbacks, on_event),
	PCN_ABI_MEMBER(struct proccn_callbacks, on_loss),
};
static const struct pcn_abi_layout callbacks_layout =
	PCN_ABI_LAYOUT(struct proccn_callbacks, callbacks_members, sizeof(size_t));

/* One proccn_dispatch() call. */
struct call {
	struct proccn_callbacks cb;  /* the caller's, completed with NULLs */
	void *ud;
	int timeout_ms;
	int64_t deadline_us;      /* when a timeout_ms > 0 ends */
	int waited;               /* a read has waited already */
	int expired;              /* the timeout has passed */
	int interrupted;          /* a signal cut a gathering short */
	int drained;              /* the last read found the queue empty */
	int batches;              /* reads that brought datagrams */
	int delivered;            /* events handed to a callback */
	int reported;             /* loss reports made */
};

/* proccn__read_callbacks - the caller's callbacks into @out, by the sz rules. */
int proccn__read_callbacks(const struct proccn_callbacks *in, struct proccn_callbacks *out)
{
	return proccn__abi_read(in, out, &callbacks_layout);
}

/*
 * proccn__call_typed - the typed callback of @ev's kind, if set; *handled is
 * 0 when there is none.
 */
int proccn__call_typed(const struct proccn_callbacks *cb, const union proccn_event *ev,
		       void *ud, int *handled)
{
	*handled = 1;
	switch (ev->hdr.kind) {
	case PROCCN_EV_FORK:
		if (cb->on_fork)
			return cb->on_fork(&ev->fork, ud);
		break;
	case PROCCN_EV_EXEC:
		if (cb->on_exec)
			return cb->on_exec(&ev->exec, ud);
		break;
	case PROCCN_EV_UID:
		if (cb->on_uid)
			return cb->on_uid(&ev->uid, ud);
		break;
	case PROCCN_EV_GID:
		if (cb->on_gid)
			return cb->on_gid(&ev->gid, ud);
		break;
	case PROCCN_EV_SID:
		if (cb->on_sid)
			return cb->on_sid(&ev->sid, ud);
		break;
	case PROCCN_EV_PTRACE:
		if (cb->on_ptrace)
			return cb->on_ptrace(&ev->ptrace, ud);
		break;
	case PROCCN_EV_COMM:
		if (cb->on_comm)
			return cb->on_comm(&ev->comm, ud);
		break;
	case PROCCN_EV_COREDUMP:
		if (cb->on_coredump)
			return cb->on_coredump(&ev->coredump, ud);
		break;
	case PROCCN_EV_EXIT:
		if (cb->on_exit)
			return cb->on_exit(&ev->exit, ud);
		break;
	default:
		break;
	}
	*handled = 0;
	return 0;
}

/*
 * Filter, then deliver one event. Returns the callback's value. An event no
 * callback takes is counted as unhandled, not delivered.
 */
static int deliver(struct proccn *h, struct call *c, const union proccn_event *ev)
{
	int handled, r;

	if (!proccn__filter_pass(h->sub.events, h->sub.flags, ev)) {
		h->cnt.filtered++;
		return 0;
	}
	r = proccn__call_typed(&c->cb, ev, c->ud, &handled);
	if (!handled && c->cb.on_event) {
		r = c->cb.on_event(ev, c->ud);
		handled = 1;
	}
	if (!handled) {
		h->cnt.unhandled++;
		return 0;
	}
	h->cnt.delivered++;
	c->delivered++;
	return r < 0 ? r : 0;
}

/* The loss reports due, oldest cause first. */
static int report_losses(struct proccn *h, struct call *c)
{
	struct proccn_loss loss;

	while (!h->closing && proccn__loss_next(&h->loss, &loss)) {
		c->reported++;
		if (c->cb.on_loss) {
			int r = c->cb.on_loss(&loss, c->ud);

			if (r < 0)
				return r;
		}
	}
	return 0;
}

/*
 * Deliver what is left of the batch; a loss report goes before the event
 * whose number showed it. This loop is the per-event path: flatten inlines
 * the walk, the decoder and the filter into it (the library is one
 * translation unit, see lib/meson.build).
 */
__attribute__((flatten))
static int deliver_batch(struct proccn *h, struct call *c)
{
	struct pcn_decoded d;
	int r;

	while (proccn__next_message(h, &d)) {
		if (proccn__loss_due(&h->loss)) {
			r = report_losses(h, c);
			if (r < 0 || h->closing) {
				/* read, not delivered: the next call has it first */
				if (d.cls == PCN_MSG_EVENT && proccn__pending_push(&h->pending, &d.ev) < 0)
					proccn__loss_discarded(&h->loss, 1);
				return r;
			}
		}
		if (d.cls != PCN_MSG_EVENT)
			continue;
		r = deliver(h, c, &d.ev);
		if (r < 0 || h->closing)
			return r;
	}
	return 0;
}

/*
 * Everything the handle holds, in order: reports due, events kept, the rest
 * of the batch; then, once the queue has drained after an overrun, its report.
 */
static int deliver_held(struct proccn *h, struct call *c)
{
	union proccn_event ev;
	int r = report_losses(h, c);

	while (r >= 0 && !h->closing && proccn__pending_pop(&h->pending, &ev))
		r = deliver(h, c, &ev);
	if (r >= 0 && !h->closing)
		r = deliver_batch(h, c);
	if (r >= 0 && c->drained && proccn__loss_waiting(&h->loss)) {
		proccn__loss_drained(&h->loss, proccn__kernel_drops(h), pcn_now_ns());
		r = report_losses(h, c);
	}
	return r;
}

/*
 * How long the next read may sleep, in ms: 0 not at all, -1 without limit. A
 * call sleeps only while it has nothing to return, and not while an overrun
 * waits for the queue to drain. The first wait is the caller's whole
 * timeout; later ones what is left of it, never more.
 */
static int wait_for(const struct proccn *h, struct call *c)
{
	int64_t left;

	if (c->timeout_ms == 0 || c->delivered || c->reported || proccn__loss_waiting(&h->loss))
		return 0;
	if (c->timeout_ms < 0)
		return -1;
	if (!c->waited) {
		c->waited = 1;
		return c->timeout_ms;
	}
	left = c->deadline_us - pcn_now_us();
	if (left < 1000) {
		c->expired = 1;
		return 0;
	}
	return (int)(left / 1000);
}

/* Let a burst gather for @us, or for what is left of the timeout if sooner. */
static void gather(struct call *c, int64_t us)
{
	struct timespec ts;

	if (c->timeout_ms > 0) {
		int64_t left = c->deadline_us - pcn_now_us();

		if (left < us)
			us = left > 0 ? left : 0;
	}
	ts.tv_sec = (time_t)(us / 1000000);
	ts.tv_nsec = (long)(us % 1000000) * 1000;
	if (us > 0 && nanosleep(&ts, NULL) < 0 && errno == EINTR)
		c->interrupted = 1;
	c->waited = 1;
}

/*
 * One read, then delivery. A read that may sleep while a burst is under way
 * lets the burst gather first and then reads without sleeping: one wake-up
 * per batch instead of one per event.
 */
static int read_and_deliver(struct proccn *h, struct call *c)
{
	int wait_ms = wait_for(h, c), n, r;
	int64_t gather_us = wait_ms != 0 ? proccn__pacing_gather_us(&h->pacing, pcn_now_ns()) : 0;

	if (gather_us) {
		gather(c, gather_us);
		wait_ms = 0;
	}
	n = proccn__batch_read(&h->batch, h->fd, &h->sys, wait_ms);
	if (n == -ENOBUFS) {
		proccn__loss_overrun(&h->loss);
		c->drained = 0;
		return 0;
	}
	if (n < 0 && n != -EAGAIN)
		return n;
	c->drained = n < PCN_BATCH;
	c->batches += n > 0;
	r = deliver_held(h, c);
	/* a signal while gathering ends a call that has nothing to return */
	if (r >= 0 && c->interrupted && !c->delivered && !c->reported)
		return -EINTR;
	return r;
}

/*
 * Enough for this call? When it may return and the queue is empty; or, since
 * a flood may never leave it empty, after PCN_DISPATCH_MAX_BATCHES batches.
 */
static int call_done(const struct call *c)
{
	int may_return = c->delivered || c->reported || c->timeout_ms == 0 || c->expired;

	return may_return && (c->drained || c->batches >= PCN_DISPATCH_MAX_BATCHES);
}

int proccn_dispatch(struct proccn *h, const struct proccn_callbacks *callbacks,
		    void *userdata, int timeout_ms)
{
	if (h && h->followed)
		return -EBUSY;   /* its table dispatches it */
	return proccn__dispatch(h, callbacks, userdata, timeout_ms);
}

int proccn__dispatch(struct proccn *h, const struct proccn_callbacks *callbacks,
		     void *userdata, int timeout_ms)
{
	struct call c;
	int r;

	if (!h || !callbacks)
		return -EINVAL;
	if (h->dispatching)
		return -EBUSY;
	memset(&c, 0, sizeof(c));
	r = proccn__read_callbacks(callbacks, &c.cb);
	if (r < 0)
		return r;
	c.ud = userdata;
	c.timeout_ms = timeout_ms;
	if (timeout_ms > 0)
		c.deadline_us = pcn_now_us() + (int64_t)timeout_ms * 1000;

	h->dispatching = 1;
	r = deliver_held(h, &c);
	while (r >= 0 && !h->closing && !call_done(&c))
		r = read_and_deliver(h, &c);
	h->dispatching = 0;
	h->queue_empty = c.drained;
	if (h->closing)
		proccn__free(h);
	else
		proccn__sync_notify(h);
	return r < 0 ? r : c.delivered;
}
