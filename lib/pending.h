/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Events read but not yet delivered outside the receive batch: those read
 * while negotiating, and the one whose delivery a stopping loss report
 * pre-empted. A ring allocated once; when full, the caller counts the loss.
 */
#ifndef PCN_PENDING_H
#define PCN_PENDING_H

#include <stdint.h>

#include "proccn.h"

/* Events kept while waiting for the ACK; more are counted as lost. */
#define PCN_PENDING_MAX 1024

struct pcn_pending {
	union proccn_event *ring;
	uint32_t head, len;
};

/* proccn__pending_init - allocate the ring: 0 or -ENOMEM. */
int proccn__pending_init(struct pcn_pending *p);
void proccn__pending_fini(struct pcn_pending *p);

/* proccn__pending_push - keep @ev at the end: 0, or -ENOSPC when full. */
int proccn__pending_push(struct pcn_pending *p, const union proccn_event *ev);

/*
 * proccn__pending_pop - copy the oldest event into *ev and forget it: 1, or
 * 0 when there is none.
 */
int proccn__pending_pop(struct pcn_pending *p, union proccn_event *ev);

static inline uint32_t proccn__pending_len(const struct pcn_pending *p)
{
	return p->len;
}

#endif
