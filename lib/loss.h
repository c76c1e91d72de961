/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Loss accounting: what the handle tells on_loss, and nothing else. It takes
 * facts (a message's CPU, sequence number and time; an overrun read; the
 * queue drained with the kernel's drop counter; exact counting switched on
 * or off) and turns them into reports that count no event twice and
 * together cover every event the kernel dropped.
 *
 * Two sources count losses. The socket's drop counter (SO_MEMINFO) counts
 * every datagram dropped because the receive buffer was full, whatever the
 * mask; the kernel drops everything until the queue is drained, so the count
 * of an overrun is complete then, and the OVERRUN report carries it. And the
 * kernel numbers every message per CPU: while the socket receives every
 * message ("exact": mask ALL, no socket filter), a gap in one CPU's numbers
 * is the exact number of its messages lost, seen when that CPU sends again.
 * A gap whose messages may be drops already reported is paid from a credit;
 * the rest, losses the drop counter never saw, come as SEQ_GAP reports.
 */
#ifndef PCN_LOSS_H
#define PCN_LOSS_H

#include <stdint.h>

#include "proccn.h"

struct pcn_cpu_seq {
	uint32_t next;            /* the number expected next */
	uint32_t seen;            /* next is known */
	uint64_t last_ns;         /* generation time of the CPU's last message */
};

/* Report reasons as indexes: PROCCN_LOSS_* - 1. */
#define PCN_LOSS_REASONS 3

struct pcn_loss {
	uint32_t ncpu;            /* entries in cpu[] */
	uint32_t ncpu_counted;    /* ncpu while exact (gaps are losses), else 0: one test per message */
	uint64_t exact_from_ns;   /* messages generated before this are not counted */
	struct pcn_cpu_seq *cpu;  /* allocated by proccn__loss_init() */
	uint32_t drops_base;      /* the drop counter when last settled */
	int overrun_waiting;      /* ENOBUFS read, the queue not yet drained */
	uint64_t gaps_unsettled;  /* gaps reported while an overrun waits: maybe among its drops */
	uint64_t credit;          /* drops reported that may still show as gaps */
	uint64_t credit_until_ns; /* ...as gaps in what was generated before this */
	uint64_t due[PCN_LOSS_REASONS]; /* counts of the reports due */
	unsigned int due_mask;    /* bit (reason - 1): that report is due */
	uint64_t overruns;        /* ENOBUFS seen */
	uint64_t lost;            /* sum of the counts of all reports, delivered or due */
};

/*
 * proccn__loss_init - exact counting from the start, drops settled up to
 * @drops. Allocates the per-CPU numbers for @ncpu CPUs: 0 or -ENOMEM.
 */
int proccn__loss_init(struct pcn_loss *l, uint32_t ncpu, uint32_t drops);
void proccn__loss_fini(struct pcn_loss *l);

/*
 * proccn__loss_gap - @gap messages of one CPU never came; its last message
 * before them was generated at @prev_ns (exact counting).
 */
void proccn__loss_gap(struct pcn_loss *l, uint32_t gap, uint64_t prev_ns);

/*
 * proccn__loss_message - a message (event or ACK) numbered @seq by @cpu,
 * generated at @ts_ns. Inline: it runs for every message. Numbers that go
 * backwards or jump by 2^31 or more are a new baseline, never loss.
 */
static inline void proccn__loss_message(struct pcn_loss *l, uint32_t cpu, uint32_t seq,
					uint64_t ts_ns)
{
	struct pcn_cpu_seq *s;
	uint32_t gap;

	if (cpu >= l->ncpu_counted || ts_ns < l->exact_from_ns)
		return;
	s = &l->cpu[cpu];
	gap = seq - s->next;
	if (s->seen && gap - 1 < UINT32_C(0x7fffffff))
		proccn__loss_gap(l, gap, s->last_ns);
	s->next = seq + 1;
	s->seen = 1;
	s->last_ns = ts_ns;
}

/* proccn__loss_exact - whether gaps are counted as losses (mask ALL, no socket filter). */
static inline int proccn__loss_exact(const struct pcn_loss *l)
{
	return l->ncpu_counted != 0;
}

/* proccn__loss_overrun - a read failed with ENOBUFS: the kernel drops until drained. */
void proccn__loss_overrun(struct pcn_loss *l);

/*
 * proccn__loss_drained - the queue was found empty at @now_ns with the drop
 * counter at @drops: an overrun waiting for that is settled, its report due.
 */
void proccn__loss_drained(struct pcn_loss *l, uint32_t drops, uint64_t now_ns);

/*
 * proccn__loss_set_exact - exact counting on or off from @now_ns, the drop
 * counter being @drops (the drops so far are settled under the old state).
 * Switched on, messages generated before @now_ns are not counted (they came
 * through a narrower filter, with gaps that are no loss) and every CPU's
 * numbering starts afresh.
 */
void proccn__loss_set_exact(struct pcn_loss *l, int exact, uint32_t drops, uint64_t now_ns);

/* proccn__loss_discarded - @n events were read but could not be kept (negotiation). */
void proccn__loss_discarded(struct pcn_loss *l, uint64_t n);

/* proccn__loss_next - the oldest report due into *out, and 1; 0 when none is due. */
int proccn__loss_next(struct pcn_loss *l, struct proccn_loss *out);

/* proccn__loss_due - a report is due. */
static inline int proccn__loss_due(const struct pcn_loss *l)
{
	return l->due_mask != 0;
}

/* proccn__loss_waiting - an overrun waits for the queue to drain. */
static inline int proccn__loss_waiting(const struct pcn_loss *l)
{
	return l->overrun_waiting;
}

#endif
