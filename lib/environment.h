/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the system offers: the conditions under which the proc connector
 * answers, checked without privileges.
 */
#ifndef PCN_ENVIRONMENT_H
#define PCN_ENVIRONMENT_H

/*
 * proccn__in_initial_ns - for "user", "pid" or "net": 1 when this process is in
 * the initial namespace of that type, 0 when not, -1 when it cannot tell.
 */
int proccn__in_initial_ns(const char *type);

/*
 * proccn__proc_events_listed - 1 when /proc/net/connector lists cn_proc (the
 * kernel has CONFIG_PROC_EVENTS), 0 when not, -1 when it cannot be read.
 */
int proccn__proc_events_listed(void);

#endif
