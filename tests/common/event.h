/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the tests read from a delivered event, read the same way everywhere
 * (the live suite, the VM checker, the fuzz harness): written from the
 * public header alone.
 */
#ifndef TESTS_COMMON_EVENT_H
#define TESTS_COMMON_EVENT_H

#include <stdint.h>
#include <sys/types.h>

#include "proccn.h"

/* event_known_kind - 1 for the kinds proccn.h has a typed event for, else 0. */
int event_known_kind(uint32_t kind);

/* event_pid - the task an event is about: FORK's child, else its pid; 0 for unknown kinds. */
pid_t event_pid(const union proccn_event *ev);
/* event_tgid - that task's process: FORK's child_tgid, else its tgid; 0 for unknown kinds. */
pid_t event_tgid(const union proccn_event *ev);

/*
 * event_from_typed - a zeroed union holding a copy of @typed, the typed
 * event of @kind a callback got (any other kind: @typed is a whole union).
 * Copied, never cast: a typed event is only as large as its member.
 */
void event_from_typed(union proccn_event *out, uint32_t kind, const void *typed);

#endif
