/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The public header must stand alone as strict C99 with old UAPI headers:
 * this file includes nothing else first, and uses every public type.
 */
#include <proccn.h>

#include <stdio.h>

int main(void)
{
	struct proccn_opts opts = PROCCN_OPTS_INIT;
	PROCCN_OPTS(proccn_opts, named, .events = PROCCN_EV_EXIT,
		    .max_batch_latency_us = PROCCN_LATENCY_NONE);
	union proccn_event ev;
	struct proccn_exit_status st;
	uint32_t mask = 0;

	ev.hdr.kind = PROCCN_EV_EXIT;
	ev.exit.pid = 2;
	ev.exit.tgid = 1;
	ev.exit.exit_code = 0x300;
	proccn_decode_exit(ev.exit.exit_code, &st);
	if (proccn_mask_from_string("fork,nonzero-exit", &mask) != 0)
		return 1;
	if (opts.sz != sizeof(opts) || mask != (PROCCN_EV_FORK | PROCCN_EV_NONZERO_EXIT))
		return 1;
	/* the designated-initialiser macro: sz set, the rest zero */
	if (named.sz != sizeof(named) || named.events != PROCCN_EV_EXIT ||
	    named.max_batch_latency_us != -1 || named.flags || named.rcvbuf || named.reserved)
		return 1;
	if (!st.exited || st.code != 3 || proccn_event_is_thread(&ev) != 1)
		return 1;
	printf("C99 header check passed\n");
	return 0;
}
