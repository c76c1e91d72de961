/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Attaching the generated classic BPF program, so that unwanted events are
 * dropped before they take receive-buffer space, on every kernel.
 */
#include <errno.h>
#include <sys/socket.h>

#include "bpf.h"
#include "handle.h"

/*
 * pcn_socket_filter_apply - attach (or replace, or remove) the socket filter
 * for the handle's current mask and flags. Sequence-gap loss counting stays
 * exact only while the kernel side drops nothing, so it is decided here too.
 */
int pcn_socket_filter_apply(struct proccn *h)
{
	struct sock_filter insns[PCN_BPF_MAX_INSNS];
	struct sock_fprog prog;
	int n = 0, kernel_passes_all;

	if (!(h->flags & PROCCN_F_NO_SOCKET_FILTER)) {
		n = proccn__bpf_build(h->events, h->flags, insns, PCN_BPF_MAX_INSNS);
		if (n < 0)
			return n;
	}
	if (n > 0) {
		prog.len = (unsigned short)n;
		prog.filter = insns;
		if (setsockopt(h->fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
			return -errno;
		h->socket_filter = 1;
	} else if (h->socket_filter) {
		int unused = 0;

		/* the kernel wants an int-sized option value even here */
		if (setsockopt(h->fd, SOL_SOCKET, SO_DETACH_FILTER, &unused, sizeof(unused)) < 0 &&
		    errno != ENOENT)
			return -errno;
		h->socket_filter = 0;
	}

	kernel_passes_all = h->mode == PROCCN_MODE_LEGACY || h->events == PROCCN_EV_ALL;
	kernel_passes_all = kernel_passes_all && !h->socket_filter;
	if (kernel_passes_all && !h->seq_exact) {
		/*
		 * What is queued came through the narrower filter, with gaps that
		 * are no loss: count only what is generated from now on (on 6.6+
		 * from when proccn_set_events() has changed the kernel's mask).
		 */
		pcn_seq_reset(h);
		h->exact_from_ns = UINT64_MAX;
		if (h->mode != PROCCN_MODE_KERNEL_FILTER)
			h->exact_from_ns = pcn_now_ns();
	}
	if (!kernel_passes_all) {
		/* gaps may never be seen now: count from the drops what they owe */
		if (h->overrun_unreported)
			h->overrun_exact = 0;
		h->owed_unreported += h->gaps_owed;
		h->gaps_owed = 0;
	}
	h->seq_exact = kernel_passes_all;
	return 0;
}
