/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Adaptive batching (interrupt moderation, as NAPI does it): wake per event
 * while events are rare, let them gather while they come faster than a
 * consumer wakes. A burst is under way when two messages were generated
 * closer together than half the cap: then at least two are expected per cap,
 * and a blocking dispatch sleeps the cap before its next read instead of
 * waking for each, as long as the last message is that recent. Messages
 * already read are never held back, so a lone event is delivered at once.
 */
#ifndef PCN_PACING_H
#define PCN_PACING_H

#include <stdint.h>

/* The cap when the caller leaves max_batch_latency_us at 0. */
#define PCN_DEFAULT_CAP_US 1000

struct pcn_pacing {
	int64_t cap_us;           /* 0: never gather (PROCCN_LATENCY_NONE) */
	int64_t close_ns;         /* messages closer than this make a burst */
	uint64_t last_ns;         /* generation time of the last message */
	int burst;                /* a close pair since the last read */
};

/*
 * proccn__pacing_init - from opts.max_batch_latency_us: 0 the default cap,
 * N > 0 cap N, PROCCN_LATENCY_NONE (-1) never gather.
 */
void proccn__pacing_init(struct pcn_pacing *p, int max_batch_latency_us);

/* proccn__pacing_message - a message generated at @ts_ns was read. Inline: per message. */
static inline void proccn__pacing_message(struct pcn_pacing *p, uint64_t ts_ns)
{
	/* CPUs' clocks interleave: an older timestamp is close too */
	if ((int64_t)(ts_ns - p->last_ns) < p->close_ns)
		p->burst = 1;
	p->last_ns = ts_ns;
}

/*
 * proccn__pacing_gather_us - before a read that may sleep, at @now_ns: how
 * long to let events gather first (0: read at once). A burst is judged
 * afresh from what each read brings, and is over when its last message is
 * older than half the cap (then the reader is behind, or the burst ended).
 */
int64_t proccn__pacing_gather_us(struct pcn_pacing *p, uint64_t now_ns);

#endif
