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
	l->ncpu_counted = ncpu;
	l->drops_base = drops;
	return 0;
}

void proccn__loss_fini(struct pcn_loss *l)
{
	free(l->cpu);
	l->cpu = NULL;
}

/* Count @count for a report of @reason: due now, or (an overrun's) at the drain. */
static void count_for(struct pcn_loss *l, int reason, uint64_t count, int due_now)
{
	l->due[reason - 1] += count;
	l->lost += count;
	if (due_now)
		l->due_mask |= 1u << (reason - 1);
}

void proccn__loss_gap(struct pcn_loss *l, uint32_t gap, uint64_t prev_ns)
{
	uint64_t paid = 0;

	/* what was generated before the last settlement may be drops reported */
	if (prev_ns < l->credit_until_ns) {
		paid = gap < l->credit ? gap : l->credit;
		l->credit -= paid;
	}
	if (gap > paid)
		count_for(l, PROCCN_LOSS_SEQ_GAP, gap - paid, 1);
	/* while an overrun waits for its drain, the kernel may count these among its drops */
	if (gap > paid && l->overrun_waiting)
		l->gaps_unsettled += gap - paid;
}

/*
 * Count the drops since the last settlement, less the gaps reported while
 * an overrun waited (they may be among them: never count an event twice). While exact, what
 * is counted here may show as gaps later: that is the credit.
 */
static void settle_drops(struct pcn_loss *l, uint32_t drops, uint64_t now_ns, int due_now)
{
	uint64_t fresh = (uint32_t)(drops - l->drops_base);
	uint64_t count = fresh > l->gaps_unsettled ? fresh - l->gaps_unsettled : 0;

	l->drops_base = drops;
	l->gaps_unsettled = 0;
	if (count || due_now)
		count_for(l, PROCCN_LOSS_OVERRUN, count, due_now);
	if (proccn__loss_exact(l)) {
		l->credit += count;
		l->credit_until_ns = now_ns;
	}
}

void proccn__loss_overrun(struct pcn_loss *l)
{
	l->overruns++;
	l->overrun_waiting = 1;
}

void proccn__loss_drained(struct pcn_loss *l, uint32_t drops, uint64_t now_ns)
{
	if (!l->overrun_waiting)
		return;
	l->overrun_waiting = 0;
	settle_drops(l, drops, now_ns, 1);
}

void proccn__loss_set_exact(struct pcn_loss *l, int exact, uint32_t drops, uint64_t now_ns)
{
	uint32_t i;

	exact = exact != 0;
	/* an overrun waiting for its drain reports these with the rest then */
	settle_drops(l, drops, now_ns, 0);
	if (l->due[PROCCN_LOSS_OVERRUN - 1] && !l->overrun_waiting)
		l->due_mask |= 1u << (PROCCN_LOSS_OVERRUN - 1);
	if (exact && !proccn__loss_exact(l)) {
		for (i = 0; i < l->ncpu; i++)
			l->cpu[i].seen = 0;
		l->exact_from_ns = now_ns;
	}
	/* drops reported before now can show as gaps only while counting goes on */
	if (exact != proccn__loss_exact(l))
		l->credit = 0;
	l->ncpu_counted = exact ? l->ncpu : 0;
}

void proccn__loss_discarded(struct pcn_loss *l, uint64_t n)
{
	count_for(l, PROCCN_LOSS_NEGOTIATION, n, 1);
}

int proccn__loss_next(struct pcn_loss *l, struct proccn_loss *out)
{
	/* oldest cause first: negotiation, then overflows, then other gaps */
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
