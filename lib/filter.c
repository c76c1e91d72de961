/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The userspace filter. It is the only filter on pre-6.6 kernels and the
 * final check on every kernel, so it follows the kernel's rules exactly:
 * a mask of 0 means ALL; NONZERO_EXIT passes exits with a raw exit code other
 * than 0 and matters only when EXIT is not in the mask.
 */
#include "filter.h"

uint32_t proccn__mask_normalise(uint32_t mask)
{
	mask &= PROCCN_EV_ALL;
	return mask ? mask : PROCCN_EV_ALL;
}

int proccn__filter_pass(uint32_t mask, uint32_t flags, const union proccn_event *ev)
{
	uint32_t kind = ev->hdr.kind;
	int pass;

	if (mask == PROCCN_EV_ALL)
		pass = 1;
	else if (kind == PROCCN_EV_EXIT && (mask & PROCCN_EV_NONZERO_EXIT) &&
		 ev->exit.exit_code != 0)
		pass = 1;
	else
		pass = (mask & kind) != 0;
	/* processes only: thread-level FORK and EXIT, as the option promises */
	if (pass && (flags & PROCCN_F_PROCESSES_ONLY) &&
	    (kind == PROCCN_EV_FORK || kind == PROCCN_EV_EXIT) && proccn_event_is_thread(ev))
		pass = 0;
	return pass;
}
