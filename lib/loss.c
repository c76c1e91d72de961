/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loss accounting: see loss.h for the model. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loss.h"

int proccn__loss_init(struct pcn_loss *l, uint32_t ncpu, uint32_t drops)
{
	memset(l, 0, sizeof(*l));
	l->cpu = calloc(ncpu, sizeof(*l->cpu));
	if (!l->cpu)
		return -ENOMEM;
	l->ncpu = ncpu;
	l->exact = 1;
	l->drops_base = drops;
	return 0;
}

void proccn__loss_fini(struct pcn_loss *l)
{
	free(l->cpu);
	l->cpu = NULL;
}

/* Count @count for a report of @reason; it is due now, or (OVERRUN) at the drain. */
static void count_for(struct pcn_loss *l, int reason, uint64_t count, int due_now)
{
	l->due[reason - 1] += count;
	l->lost += count;
	if (due_now)
		l->due_mask |= 1u << (reason - 1);
}

void proccn__loss_gap(struct pcn_loss *l, uint32_t gap)
{
	count_for(l, PROCCN_LOSS_SEQ_GAP, gap, 1);
	l->balance -= gap;
}

/*
 * Drops since the last settlement happened under the current exactness:
 * exact ones will show as gaps (owed), the others go into the OVERRUN report.
 * That report is due at the drain (@drained): drops mean an ENOBUFS, read or
 * still queued, whose drain is yet to come.
 */
static void settle_drops(struct pcn_loss *l, uint32_t drops, int drained)
{
	uint32_t fresh = drops - l->drops_base;

	l->drops_base = drops;
	if (l->exact)
		l->balance += fresh;   /* gaps seen already pay for drops settled now */
	else
		count_for(l, PROCCN_LOSS_OVERRUN, fresh, 0);
	if (drained)
		count_for(l, PROCCN_LOSS_OVERRUN, 0, 1);
}

void proccn__loss_overrun(struct pcn_loss *l)
{
	l->overruns++;
	l->overrun_waiting = 1;
}

void proccn__loss_drained(struct pcn_loss *l, uint32_t drops)
{
	if (!l->overrun_waiting)
		return;
	l->overrun_waiting = 0;
	settle_drops(l, drops, 1);
}

void proccn__loss_set_exact(struct pcn_loss *l, int exact, uint32_t drops, uint64_t from_ns)
{
	uint32_t i;

	exact = exact != 0;
	/* drops not yet settled happened under the old exactness; an overrun's
	   report still waits for the drain */
	settle_drops(l, drops, 0);
	if (l->exact && !exact && l->balance > 0) {
		/* those gaps will never be seen now: count them from the drops */
		count_for(l, PROCCN_LOSS_OVERRUN, (uint64_t)l->balance, !l->overrun_waiting);
	}
	if (exact && !l->exact) {
		for (i = 0; i < l->ncpu; i++)
			l->cpu[i].seen = 0;
		l->exact_from_ns = from_ns;
	}
	if (exact != l->exact)
		l->balance = 0;
	l->exact = exact;
}

void proccn__loss_discarded(struct pcn_loss *l, uint64_t n)
{
	count_for(l, PROCCN_LOSS_NEGOTIATION, n, 1);
}

int proccn__loss_next(struct pcn_loss *l, struct proccn_loss *out)
{
	/* oldest cause first: negotiation, then overflows, then the gaps they left */
	static const int order[PCN_LOSS_REASONS] = {
		PROCCN_LOSS_NEGOTIATION, PROCCN_LOSS_OVERRUN, PROCCN_LOSS_SEQ_GAP,
	};
	unsigned int i;

	for (i = 0; i < PCN_LOSS_REASONS; i++) {
		int reason = order[i];
		unsigned int bit = 1u << (reason - 1);

		if (!(l->due_mask & bit))
			continue;
		out->reason = reason;
		out->count = l->due[reason - 1];
		/* a drop count is of datagrams: ACKs, and events the mask would drop */
		out->exact = reason != PROCCN_LOSS_OVERRUN;
		l->due[reason - 1] = 0;
		l->due_mask &= ~bit;
		return 1;
	}
	return 0;
}
