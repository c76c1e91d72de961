/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading an exit event: wait(2) status, threads. */
#include <string.h>

#include "proccn.h"

void proccn_decode_exit(uint32_t exit_code, struct proccn_exit_status *st)
{
	unsigned int sig = exit_code & 0x7f;

	if (!st)
		return;
	memset(st, 0, sizeof(*st));
	/* the same encoding as WIFEXITED/WTERMSIG, spelt out for a u32 */
	if (sig == 0) {
		st->exited = 1;
		st->code = (int)((exit_code >> 8) & 0xff);
	} else if (sig != 0x7f) {
		st->signaled = 1;
		st->signal = (int)sig;
		st->core_dumped = (exit_code & 0x80) != 0;
	}
}

int proccn_event_is_thread(const union proccn_event *ev)
{
	if (!ev)
		return 0;
	switch (ev->hdr.kind) {
	case PROCCN_EV_FORK:
		return ev->fork.child_pid != ev->fork.child_tgid;
	case PROCCN_EV_EXEC:
		return ev->exec.pid != ev->exec.tgid;
	case PROCCN_EV_UID:
		return ev->uid.pid != ev->uid.tgid;
	case PROCCN_EV_GID:
		return ev->gid.pid != ev->gid.tgid;
	case PROCCN_EV_SID:
		return ev->sid.pid != ev->sid.tgid;
	case PROCCN_EV_PTRACE:
		return ev->ptrace.pid != ev->ptrace.tgid;
	case PROCCN_EV_COMM:
		return ev->comm.pid != ev->comm.tgid;
	case PROCCN_EV_COREDUMP:
		return ev->coredump.pid != ev->coredump.tgid;
	case PROCCN_EV_EXIT:
		return ev->exit.pid != ev->exit.tgid;
	default:
		return 0;
	}
}
