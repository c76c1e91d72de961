/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A map from pid to a uint32 value, open addressing with linear probing in
 * a power-of-two array allocated once: lookups, inserts and deletes without
 * allocation. Deletion shifts back the entries after the hole (no tombstones,
 * so lookups never slow down with churn).
 */
#ifndef PCN_PIDMAP_H
#define PCN_PIDMAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct pcn_pidmap_slot {
	pid_t pid;                /* 0: empty */
	uint32_t value;
};

struct pcn_pidmap {
	struct pcn_pidmap_slot *slots;
	uint32_t mask;            /* slots - 1 */
	uint32_t count;
};

/*
 * proccn__pidmap_init - room for @capacity pids at most half full: 0, or
 * -ENOMEM. *bytes (may be NULL) gets what was allocated.
 */
int proccn__pidmap_init(struct pcn_pidmap *m, uint32_t capacity, size_t *bytes);
void proccn__pidmap_fini(struct pcn_pidmap *m);

/* proccn__pidmap_get - the value of @pid, or UINT32_MAX when absent. */
uint32_t proccn__pidmap_get(const struct pcn_pidmap *m, pid_t pid);

/* proccn__pidmap_put - set @pid to @value (@pid > 0; the map never fills: see init). */
void proccn__pidmap_put(struct pcn_pidmap *m, pid_t pid, uint32_t value);

/* proccn__pidmap_del - remove @pid if present. */
void proccn__pidmap_del(struct pcn_pidmap *m, pid_t pid);

#endif
