/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Loss accounting: what the handle tells on_loss, and nothing else. It takes
 * facts (a message's CPU, sequence number and time; an overrun read; the
 * queue drained, with the kernel's drop counter; exact counting switched on
 * or off) and turns them into reports that never count an event twice and
 * together cover every event the kernel dropped.
 *
 * Two sources count losses. The kernel numbers every message per CPU, so
 * while the socket receives every message ("exact": mask ALL, no socket
 * filter) a gap in one CPU's numbers is the exact number lost; it shows when
 * that CPU sends again. The socket's drop counter (SO_MEMINFO) counts every
 * datagram dropped because the receive buffer was full, whatever the mask;
 * it is read by the caller when the queue has drained after an overrun and
 * whenever exact counting is switched on or off. Drops are settled against
 * the exactness they happened under: drops while exact are owed and come as
 * SEQ_GAP reports; drops while not exact go into the next OVERRUN report; if
 * exact counting ends with drops still owed, an OVERRUN report carries them.
 */
#ifndef PCN_LOSS_H
#define PCN_LOSS_H

#include <stdint.h>

#include "proccn.h"

struct pcn_cpu_seq {
	uint32_t next;            /* the number expected next */
	uint32_t seen;            /* next is known */
};

/* Report reasons as indexes: PROCCN_LOSS_* - 1. */
#define PCN_LOSS_REASONS 3

struct pcn_loss {
	int exact;                /* gaps are losses */
	uint64_t exact_from_ns;   /* messages generated before this are not counted */
	uint32_t ncpu;
	struct pcn_cpu_seq *cpu;  /* allocated by proccn__loss_init() */
	uint32_t drops_base;      /* drop counter value up to which drops are settled */
	int overrun_waiting;      /* ENOBUFS read, the queue not yet drained */
	int64_t balance;          /* > 0: exact drops not yet seen as gaps; < 0: gaps
				     seen before their drops were settled */
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

/* proccn__loss_gap - @gap messages of one CPU never came (exact counting). */
void proccn__loss_gap(struct pcn_loss *l, uint32_t gap);

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

	if (!l->exact || ts_ns < l->exact_from_ns || cpu >= l->ncpu)
		return;
	s = &l->cpu[cpu];
	gap = seq - s->next;
	if (s->seen && gap - 1 < UINT32_C(0x7fffffff))
		proccn__loss_gap(l, gap);
	s->next = seq + 1;
	s->seen = 1;
}

/* proccn__loss_overrun - a read failed with ENOBUFS: the kernel drops until drained. */
void proccn__loss_overrun(struct pcn_loss *l);

/*
 * proccn__loss_drained - the queue was found empty with the drop counter at
 * @drops: an overrun waiting for that is settled and its report is due.
 */
void proccn__loss_drained(struct pcn_loss *l, uint32_t drops);

/*
 * proccn__loss_set_exact - exact counting on or off from now, the drop
 * counter being @drops. Switched on, messages generated before @from_ns are
 * not counted (they came through a narrower filter, with gaps that are no
 * loss) and every CPU's numbering starts afresh.
 */
void proccn__loss_set_exact(struct pcn_loss *l, int exact, uint32_t drops, uint64_t from_ns);

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
