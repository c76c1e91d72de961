/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Loss accounting. The kernel numbers every message it sends (events and
 * ACKs) with a per-CPU counter, so when our subscription receives every
 * message, a gap in one CPU's numbers is exactly the number of messages lost.
 * With a narrower mask, gaps are normal and mean nothing.
 */
#include <linux/sock_diag.h>
#include <sys/socket.h>

#include "handle.h"

#ifndef SO_MEMINFO
#define SO_MEMINFO 55
#endif

/*
 * pcn_note_overrun - the receive buffer overflowed (ENOBUFS): the kernel drops
 * until we drain. Whether its events will show as sequence gaps is decided
 * now, by whether the handle counts exactly at this moment.
 */
void pcn_note_overrun(struct proccn *h)
{
	h->cnt.overruns++;
	if (!h->overrun_unreported) {
		h->overrun_exact = h->seq_exact;
		h->overrun_gaps = 0;
	}
	h->overrun_unreported = 1;
	h->drained = 0;
}

/* Forget every CPU's last number: after a mask change, start afresh. */
void pcn_seq_reset(struct proccn *h)
{
	uint32_t i;

	for (i = 0; i < h->ncpu; i++)
		h->cpu_seq[i].seen = 0;
}

/* pcn_kernel_drops - the socket's drop counter (SK_MEMINFO_DROPS), 0 when unknown. */
uint32_t pcn_kernel_drops(const struct proccn *h)
{
	uint32_t mem[SK_MEMINFO_VARS];
	socklen_t len = sizeof(mem);

	if (h->sys.drops)
		return h->sys.drops(h->sys.ctx, h->fd, &mem[0]) < 0 ? 0 : mem[0];
	if (getsockopt(h->fd, SOL_SOCKET, SO_MEMINFO, mem, &len) < 0 ||
	    len <= SK_MEMINFO_DROPS * sizeof(mem[0]))
		return 0;
	return mem[SK_MEMINFO_DROPS];
}
