/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Adaptive batching: see pacing.h. */
#include "pacing.h"

void proccn__pacing_init(struct pcn_pacing *p, int max_batch_latency_us)
{
	p->cap_us = max_batch_latency_us < 0 ? 0
		    : max_batch_latency_us == 0 ? PCN_DEFAULT_CAP_US : max_batch_latency_us;
	p->close_ns = p->cap_us * 1000 / 2;
	p->last_ns = 0;
	p->burst = 0;
}

int64_t proccn__pacing_gather_us(struct pcn_pacing *p, uint64_t now_ns)
{
	int burst = p->burst && (int64_t)(now_ns - p->last_ns) < p->close_ns;

	p->burst = 0;
	return burst ? p->cap_us : 0;
}
