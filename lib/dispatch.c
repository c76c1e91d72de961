/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Dispatch: drain the socket in batches and hand each event to its callback.
 * Loss is never silent: overflows and sequence gaps go to on_loss.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "filter.h"
#include "handle.h"

/* The callbacks, resolved once per dispatch (see resolve_callbacks()). */
#define HAS_CB(cb, member) ((cb)->member != NULL)

/*
 * An older caller's struct is shorter: copy what it has and leave the rest
 * NULL, so that the per-event checks are plain pointer tests.
 */
static void resolve_callbacks(const struct proccn_callbacks *in, struct proccn_callbacks *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out, in, in->sz < sizeof(*out) ? in->sz : sizeof(*out));
	out->sz = sizeof(*out);
}

static int call_typed(const struct proccn_callbacks *cb, const union proccn_event *ev,
		      void *ud, int *handled)
{
	*handled = 1;
	switch (ev->hdr.kind) {
	case PROCCN_EV_FORK:
		if (HAS_CB(cb, on_fork))
			return cb->on_fork(&ev->fork, ud);
		break;
	case PROCCN_EV_EXEC:
		if (HAS_CB(cb, on_exec))
			return cb->on_exec(&ev->exec, ud);
		break;
	case PROCCN_EV_UID:
		if (HAS_CB(cb, on_uid))
			return cb->on_uid(&ev->uid, ud);
		break;
	case PROCCN_EV_GID:
		if (HAS_CB(cb, on_gid))
			return cb->on_gid(&ev->gid, ud);
		break;
	case PROCCN_EV_SID:
		if (HAS_CB(cb, on_sid))
			return cb->on_sid(&ev->sid, ud);
		break;
	case PROCCN_EV_PTRACE:
		if (HAS_CB(cb, on_ptrace))
			return cb->on_ptrace(&ev->ptrace, ud);
		break;
	case PROCCN_EV_COMM:
		if (HAS_CB(cb, on_comm))
			return cb->on_comm(&ev->comm, ud);
		break;
	case PROCCN_EV_COREDUMP:
		if (HAS_CB(cb, on_coredump))
			return cb->on_coredump(&ev->coredump, ud);
		break;
	case PROCCN_EV_EXIT:
		if (HAS_CB(cb, on_exit))
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
static int deliver(struct proccn *h, const struct proccn_callbacks *cb, void *ud,
		   const union proccn_event *ev, int *delivered)
{
	int handled, r;

	if (!proccn__filter_pass(h->events, h->flags, ev)) {
		h->cnt.filtered++;
		return 0;
	}
	r = call_typed(cb, ev, ud, &handled);
	if (!handled && HAS_CB(cb, on_event)) {
		r = cb->on_event(ev, ud);
		handled = 1;
	}
	if (!handled) {
		h->cnt.unhandled++;
		return 0;
	}
	h->cnt.delivered++;
	(*delivered)++;
	return r < 0 ? r : 0;
}

static int report_loss(const struct proccn_callbacks *cb, void *ud, int reason,
		       uint64_t count, int exact, int *reported)
{
	struct proccn_loss loss = { .reason = reason, .count = count, .exact = exact };
	int r = 0;

	(*reported)++;
	if (HAS_CB(cb, on_loss))
		r = cb->on_loss(&loss, ud);
	return r < 0 ? r : 0;
}

/* Losses noticed since the last report, oldest cause first. */
static int flush_losses(struct proccn *h, const struct proccn_callbacks *cb, void *ud,
			int *reported)
{
	int r = 0;

	if (h->pending_lost && !h->pending_lost_reported) {
		h->pending_lost_reported = 1;
		r = report_loss(cb, ud, PROCCN_LOSS_NEGOTIATION, h->pending_lost, 1, reported);
		if (r < 0)
			return r;
	}
	/*
	 * The kernel drops everything until the queue is empty: report an
	 * overrun once drained, when its drop count is complete. With exact
	 * sequence accounting the same events come as SEQ_GAP reports, so the
	 * overrun carries no count: reports never count an event twice.
	 */
	if (h->overrun_unreported && h->drained) {
		uint32_t drops = pcn_kernel_drops(h);
		uint64_t count = (uint32_t)(drops - h->drops_base);

		/* what came as SEQ_GAP reports is not counted again */
		count = count > h->overrun_gaps ? count - h->overrun_gaps : 0;
		if (h->overrun_exact) {
			/* the rest comes as SEQ_GAP reports, when those CPUs send again */
			h->gaps_owed += count;
			count = 0;
		}
		h->overrun_unreported = 0;
		h->drops_base = drops;
		r = report_loss(cb, ud, PROCCN_LOSS_OVERRUN, count, 0, reported);
		if (r < 0)
			return r;
	}
	if (h->owed_unreported) {
		/* counting stopped being exact before those gaps showed: count them now */
		uint64_t n = h->owed_unreported;

		h->owed_unreported = 0;
		r = report_loss(cb, ud, PROCCN_LOSS_OVERRUN, n, 0, reported);
		if (r < 0)
			return r;
	}
	if (h->seq_lost_unreported) {
		uint64_t n = h->seq_lost_unreported;

		h->seq_lost_unreported = 0;
		r = report_loss(cb, ud, PROCCN_LOSS_SEQ_GAP, n, 1, reported);
	}
	return r;
}

/*
 * pcn_keep_pending - keep an event for the next delivery: one read while
 * negotiating, or one whose delivery a stopping loss callback pre-empted.
 * The ring has room for PCN_PENDING_MAX; beyond that the loss is counted.
 */
void pcn_keep_pending(struct proccn *h, const union proccn_event *ev)
{
	uint32_t slot;

	if (h->pending_len == PCN_PENDING_MAX) {
		h->pending_lost++;
		return;
	}
	slot = (h->pending_head + h->pending_len) % PCN_PENDING_MAX;
	h->pending[slot] = *ev;
	h->pending_len++;
}

static int deliver_pending(struct proccn *h, const struct proccn_callbacks *cb, void *ud,
			   int *delivered)
{
	while (h->pending_len) {
		const union proccn_event *ev = &h->pending[h->pending_head];
		int r;

		h->pending_head = (h->pending_head + 1) % PCN_PENDING_MAX;
		h->pending_len--;
		r = deliver(h, cb, ud, ev, delivered);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * Deliver what is left of the current batch. ACKs are not events. This loop
 * is the per-event path: flatten inlines the walk, the decoder and the
 * filter into it (the library is one translation unit, see lib/meson.build).
 */
__attribute__((flatten))
static int deliver_batch(struct proccn *h, const struct proccn_callbacks *cb, void *ud,
			 int *delivered, int *reported)
{
	struct pcn_decoded d;
	int r;

	while (pcn_next_message(h, &d)) {
		if (h->seq_lost_unreported) {
			r = flush_losses(h, cb, ud, reported);
			if (r < 0) {
				if (d.cls == PCN_MSG_EVENT)
					pcn_keep_pending(h, &d.ev);
				return r;
			}
		}
		if (d.cls != PCN_MSG_EVENT)
			continue;
		r = deliver(h, cb, ud, &d.ev, delivered);
		if (r < 0)
			return r;
	}
	return 0;
}

#define WAIT_EXPIRED (-2)

/*
 * How long the next read may sleep, in microseconds: 0 not at all, -1 without
 * limit, WAIT_EXPIRED when the caller's timeout has passed. A dispatch sleeps
 * only while it has nothing to return, and not while an overrun waits to be
 * reported (that needs the queue drained first). The first wait of a call is
 * the caller's whole timeout, a constant that recv.c sets on the socket only
 * when it changes.
 */
static int64_t wait_budget(const struct proccn *h, int timeout_ms, int64_t deadline_us,
			   int first, int delivered, int reported)
{
	int64_t left;

	if (timeout_ms == 0 || delivered || reported || h->overrun_unreported)
		return 0;
	if (timeout_ms < 0)
		return -1;
	if (first)
		return (int64_t)timeout_ms * 1000;
	left = deadline_us - pcn_now_us();
	return left > 0 ? left : WAIT_EXPIRED;
}

/*
 * Coalescing: let a burst gather for the latency, or for @wait_us (-1: no
 * limit) if that ends sooner. Returns 0, or -EINTR when a signal cut it short.
 */
static int let_batch_gather(const struct proccn *h, int64_t wait_us)
{
	int64_t us = wait_us >= 0 && wait_us < h->latency_us ? wait_us : h->latency_us;
	struct timespec ts = { .tv_sec = (time_t)(us / 1000000),
			       .tv_nsec = (long)(us % 1000000) * 1000 };

	return nanosleep(&ts, NULL) < 0 && errno == EINTR ? -EINTR : 0;
}

#define BURST_OVER (-3)

/*
 * next_batch - one read for proccn_dispatch(). When datagrams came while the
 * last batch gathered, a burst is going on: gather first and read without
 * sleeping, one wake-up per batch instead of two (the read's and the
 * gathering's); *wait_us becomes 0. Returns as pcn_recv_batch(), or
 * BURST_OVER when that gathering found nothing (wait as usual), or -EINTR
 * when a signal cut it short and nothing was there (*interrupted is set when
 * it did and something was).
 */
static int next_batch(struct proccn *h, int64_t *wait_us, int gathered, int *interrupted)
{
	int n, signalled;

	if (*wait_us == 0 || !h->bursting) {
		n = pcn_recv_batch(h, *wait_us);
		if (gathered)
			h->bursting = n > 0;
		return n;
	}
	signalled = let_batch_gather(h, *wait_us) < 0;
	n = pcn_recv_batch(h, 0);
	h->bursting = n > 0;
	*wait_us = 0;
	if (n == -EAGAIN) {
		h->drained = 1;
		return signalled ? -EINTR : BURST_OVER;
	}
	*interrupted |= signalled;
	return n;
}

/*
 * The read slept and brought the first datagrams of a burst: let the rest
 * gather, for what is left of the timeout at most (@deadline_us -1: none).
 * Sets *interrupted when a signal cut it short. Returns 1, for
 * proccn_dispatch()'s `gathered`.
 */
static int gather_after_wakeup(struct proccn *h, int64_t deadline_us, int *interrupted)
{
	int64_t left = deadline_us < 0 ? -1 : deadline_us - pcn_now_us();

	if ((deadline_us < 0 || left > 0) && let_batch_gather(h, left) < 0)
		*interrupted = 1;
	h->drained = 0;
	return 1;
}

/*
 * Enough for this call? When it may return (@may_return: it delivered or
 * reported something, or is not to block) and the queue is empty; or, since
 * a flood may never leave it empty, after PCN_DISPATCH_MAX_BATCHES batches.
 */
static int read_enough(const struct proccn *h, int batches, int may_return, int expired)
{
	if (h->drained && may_return)
		return 1;
	return batches >= PCN_DISPATCH_MAX_BATCHES && (may_return || expired);
}

/*
 * Read batch after batch until the queue is empty, or, once there is
 * something to return, for PCN_DISPATCH_MAX_BATCHES batches. A blocking read
 * is one recvmmsg(2) that sleeps for the first datagram and takes what is
 * queued with it, so a wake-up costs one syscall whatever it brings.
 */
int proccn_dispatch(struct proccn *h, const struct proccn_callbacks *callbacks,
		    void *userdata, int timeout_ms)
{
	const struct proccn_callbacks *cb;
	void *ud = userdata;
	int64_t deadline_us = timeout_ms > 0 ? pcn_now_us() + (int64_t)timeout_ms * 1000 : -1;
	int delivered = 0, reported = 0, first = 1, gathered = 0, expired = 0, batches = 0;
	int interrupted = 0, r, n;
	struct proccn_callbacks resolved;

	if (!h || !callbacks || callbacks->sz < sizeof(callbacks->sz))
		return -EINVAL;
	/* an older caller's struct ends after a whole member: never half a pointer */
	if (callbacks->sz < sizeof(resolved) &&
	    (callbacks->sz - sizeof(callbacks->sz)) % sizeof(callbacks->on_fork))
		return -EINVAL;
	resolve_callbacks(callbacks, &resolved);
	cb = &resolved;
	r = flush_losses(h, cb, ud, &reported);
	if (r >= 0)
		r = deliver_pending(h, cb, ud, &delivered);
	if (r >= 0)
		r = deliver_batch(h, cb, ud, &delivered, &reported);
	while (r >= 0) {
		int64_t wait_us = wait_budget(h, timeout_ms, deadline_us, first, delivered, reported);

		if (wait_us == WAIT_EXPIRED) {
			/* time is up: read on only until a batch comes back short */
			if (h->drained)
				break;
			wait_us = 0;
			expired = 1;
		}
		first = 0;
		n = next_batch(h, &wait_us, gathered, &interrupted);
		gathered = 0;
		if (n == BURST_OVER)
			continue;
		if (n == -ENOBUFS) {
			pcn_note_overrun(h);
			continue;
		}
		if (n == -EAGAIN) {
			/* empty, or the wait timed out: done, unless waiting without limit */
			h->drained = 1;
			r = flush_losses(h, cb, ud, &reported);
			if (r < 0 || wait_us >= 0 || reported)
				break;
			continue;
		}
		if (n < 0) {
			r = n;
			break;
		}
		h->drained = n < PCN_BATCH;
		if (wait_us != 0 && h->drained && h->latency_us > 0)
			gathered = gather_after_wakeup(h, deadline_us, &interrupted);
		r = deliver_batch(h, cb, ud, &delivered, &reported);
		if (r >= 0)
			r = flush_losses(h, cb, ud, &reported);
		/* a signal while gathering ends a call that has nothing to return */
		if (r >= 0 && interrupted && !delivered && !reported)
			r = -EINTR;
		if (read_enough(h, ++batches, delivered || reported || timeout_ms == 0, expired))
			break;
	}
	/* we only wait with nothing delivered, so a signal loses no count */
	return r < 0 ? r : delivered;
}
