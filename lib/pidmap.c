/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pid -> value, open addressing: see pidmap.h. */
#include <errno.h>
#include <stdlib.h>

#include "pidmap.h"

int proccn__pidmap_init(struct pcn_pidmap *m, uint32_t capacity, size_t *bytes)
{
	uint32_t n = 16;

	while (n < 2 * (uint64_t)capacity && n < (UINT32_C(1) << 31))
		n <<= 1;
	m->slots = calloc(n, sizeof(*m->slots));
	if (!m->slots)
		return -ENOMEM;
	m->mask = n - 1;
	m->count = 0;
	if (bytes)
		*bytes = (size_t)n * sizeof(*m->slots);
	return 0;
}

void proccn__pidmap_fini(struct pcn_pidmap *m)
{
	free(m->slots);
	m->slots = NULL;
}

/* Pids are dense small integers: mix them so that runs do not cluster. */
static uint32_t home(const struct pcn_pidmap *m, pid_t pid)
{
	return ((uint32_t)pid * UINT32_C(2654435761)) & m->mask;
}

uint32_t proccn__pidmap_get(const struct pcn_pidmap *m, pid_t pid)
{
	uint32_t i;

	for (i = home(m, pid); m->slots[i].pid; i = (i + 1) & m->mask)
		if (m->slots[i].pid == pid)
			return m->slots[i].value;
	return UINT32_MAX;
}

void proccn__pidmap_put(struct pcn_pidmap *m, pid_t pid, uint32_t value)
{
	uint32_t i;

	for (i = home(m, pid); m->slots[i].pid; i = (i + 1) & m->mask)
		if (m->slots[i].pid == pid) {
			m->slots[i].value = value;
			return;
		}
	m->slots[i].pid = pid;
	m->slots[i].value = value;
	m->count++;
}

void proccn__pidmap_del(struct pcn_pidmap *m, pid_t pid)
{
	uint32_t i, j;

	for (i = home(m, pid); m->slots[i].pid != pid; i = (i + 1) & m->mask)
		if (!m->slots[i].pid)
			return;
	/* shift back what follows the hole and would no longer be found */
	for (j = (i + 1) & m->mask; m->slots[j].pid; j = (j + 1) & m->mask) {
		uint32_t h = home(m, m->slots[j].pid);

		/* j's home is cyclically in (i, j]: it stays */
		if (i <= j ? (i < h && h <= j) : (i < h || h <= j))
			continue;
		m->slots[i] = m->slots[j];
		i = j;
	}
	m->slots[i].pid = 0;
	m->count--;
}
