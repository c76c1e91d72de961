/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Are we in the initial namespaces, where the proc connector answers? */
#ifndef PCN_NAMESPACE_H
#define PCN_NAMESPACE_H

/*
 * pcn_in_initial_ns - for "user", "pid" or "net": 1 when this process is in
 * the initial namespace of that type, 0 when not, -1 when it cannot tell.
 */
int pcn_in_initial_ns(const char *type);

#endif
