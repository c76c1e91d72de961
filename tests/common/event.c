/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading delivered events (see event.h). */
#include "event.h"

#include <string.h>

/* The size of the member of @kind; 0 for unknown kinds. */
static size_t member_size(uint32_t kind)
{
	const union proccn_event *u = NULL;

	switch (kind) {
	case PROCCN_EV_FORK:
		return sizeof(u->fork);
	case PROCCN_EV_EXEC:
		return sizeof(u->exec);
	case PROCCN_EV_UID:
		return sizeof(u->uid);
	case PROCCN_EV_GID:
		return sizeof(u->gid);
	case PROCCN_EV_SID:
		return sizeof(u->sid);
	case PROCCN_EV_PTRACE:
		return sizeof(u->ptrace);
	case PROCCN_EV_COMM:
		return sizeof(u->comm);
	case PROCCN_EV_COREDUMP:
		return sizeof(u->coredump);
	case PROCCN_EV_EXIT:
		return sizeof(u->exit);
	default:
		return 0;
	}
}

int event_known_kind(uint32_t kind)
{
	return member_size(kind) != 0;
}

pid_t event_pid(const union proccn_event *ev)
{
	if (ev->hdr.kind == PROCCN_EV_FORK)
		return ev->fork.child_pid;
	/* every other known kind's struct starts with pid, tgid */
	return event_known_kind(ev->hdr.kind) ? ev->exec.pid : 0;
}

pid_t event_tgid(const union proccn_event *ev)
{
	if (ev->hdr.kind == PROCCN_EV_FORK)
		return ev->fork.child_tgid;
	return event_known_kind(ev->hdr.kind) ? ev->exec.tgid : 0;
}

void event_from_typed(union proccn_event *out, uint32_t kind, const void *typed)
{
	size_t len = member_size(kind);

	memset(out, 0, sizeof(*out));
	memcpy(out, typed, len ? len : sizeof(*out));
}
