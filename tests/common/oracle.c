/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The filter oracle (see oracle.h). */
#include "oracle.h"

#include "dgram.h"
#include "event.h"

int oracle_pass(uint32_t mask, uint32_t flags, uint32_t what, uint32_t exit_code, int thread)
{
	int pass;

	mask &= PROCCN_EV_ALL;
	if (mask == 0 || mask == PROCCN_EV_ALL)
		pass = 1;
	else if (what == PROCCN_EV_EXIT && (mask & PROCCN_EV_NONZERO_EXIT) && exit_code != 0)
		pass = 1;
	else
		pass = (mask & what) != 0;
	if ((flags & PROCCN_F_PROCESSES_ONLY) && thread &&
	    (what == PROCCN_EV_FORK || what == PROCCN_EV_EXIT))
		pass = 0;
	return pass;
}

int oracle_pass_raw(uint32_t mask, uint32_t flags, uint32_t what, const uint8_t data[24])
{
	/* the union's words, as offsets from its start */
	uint32_t w0 = dgram_get32(data), w1 = dgram_get32(data + 4);
	uint32_t w2 = dgram_get32(data + 8), w3 = dgram_get32(data + 12);
	int thread = what == PROCCN_EV_FORK ? w2 != w3 : w0 != w1;

	return oracle_pass(mask, flags, what, what == PROCCN_EV_EXIT ? w2 : 0, thread);
}

int oracle_pass_event(uint32_t mask, uint32_t flags, const union proccn_event *ev)
{
	uint32_t what = ev->hdr.kind;
	int thread = event_pid(ev) != event_tgid(ev);

	return oracle_pass(mask, flags, what, what == PROCCN_EV_EXIT ? ev->exit.exit_code : 0,
			   thread);
}
