/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ring of events kept for the next delivery. */
#include <errno.h>
#include <stdlib.h>

#include "pending.h"

int proccn__pending_init(struct pcn_pending *p)
{
	p->head = 0;
	p->len = 0;
	p->ring = calloc(PCN_PENDING_MAX, sizeof(*p->ring));
	return p->ring ? 0 : -ENOMEM;
}

void proccn__pending_fini(struct pcn_pending *p)
{
	free(p->ring);
	p->ring = NULL;
}

int proccn__pending_push(struct pcn_pending *p, const union proccn_event *ev)
{
	if (p->len == PCN_PENDING_MAX)
		return -ENOSPC;
	p->ring[(p->head + p->len) % PCN_PENDING_MAX] = *ev;
	p->len++;
	return 0;
}

int proccn__pending_pop(struct pcn_pending *p, union proccn_event *ev)
{
	if (!p->len)
		return 0;
	*ev = p->ring[p->head];
	p->head = (p->head + 1) % PCN_PENDING_MAX;
	p->len--;
	return 1;
}
