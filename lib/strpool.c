/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Interned strings: see strpool.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strpool.h"

int proccn__strpool_init(struct pcn_strpool *p, uint32_t count, uint32_t size, size_t *bytes)
{
	uint32_t n = 16;

	memset(p, 0, sizeof(*p));
	while (n < 2 * (uint64_t)count && n < (UINT32_C(1) << 31))
		n <<= 1;
	p->text = calloc(count, size);
	p->refs = calloc(count, sizeof(*p->refs));
	p->index = calloc(n, sizeof(*p->index));
	if (!p->text || !p->refs || !p->index) {
		proccn__strpool_fini(p);
		return -ENOMEM;
	}
	p->count = count;
	p->size = size;
	p->index_mask = n - 1;
	if (bytes)
		*bytes = (size_t)count * size + (size_t)count * sizeof(*p->refs) +
			 (size_t)n * sizeof(*p->index);
	return 0;
}

void proccn__strpool_fini(struct pcn_strpool *p)
{
	free(p->text);
	free(p->refs);
	free(p->index);
	memset(p, 0, sizeof(*p));
}

static uint32_t hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;   /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

static char *slot_text(const struct pcn_strpool *p, uint32_t slot)
{
	return p->text + (size_t)slot * p->size;
}

/* The index position holding @s, or the empty one where it would go. */
static uint32_t probe(const struct pcn_strpool *p, const char *s, size_t len)
{
	uint32_t i;

	for (i = hash(s, len) & p->index_mask; p->index[i]; i = (i + 1) & p->index_mask) {
		const char *t = slot_text(p, p->index[i] - 1);

		if (strncmp(t, s, len) == 0 && t[len] == '\0')
			break;
	}
	return i;
}

uint32_t proccn__strpool_get(struct pcn_strpool *p, const char *s, size_t len)
{
	uint32_t i, slot;

	if (len >= p->size || memchr(s, '\0', len))
		return 0;
	i = probe(p, s, len);
	if (p->index[i]) {
		p->refs[p->index[i] - 1]++;
		return p->index[i];
	}
	if (p->used == p->count)
		return 0;
	/* a free slot: the table is small next to the events that use it */
	for (slot = 0; p->refs[slot]; slot++)
		;
	memcpy(slot_text(p, slot), s, len);
	slot_text(p, slot)[len] = '\0';
	p->refs[slot] = 1;
	p->index[i] = slot + 1;
	p->used++;
	return slot + 1;
}

void proccn__strpool_ref(struct pcn_strpool *p, uint32_t id)
{
	if (id)
		p->refs[id - 1]++;
}

/* Remove the slot's index entry, shifting back what follows the hole. */
static void unindex(struct pcn_strpool *p, uint32_t id)
{
	const char *s = slot_text(p, id - 1);
	uint32_t i = probe(p, s, strlen(s)), j;

	for (j = (i + 1) & p->index_mask; p->index[j]; j = (j + 1) & p->index_mask) {
		const char *t = slot_text(p, p->index[j] - 1);
		uint32_t h = hash(t, strlen(t)) & p->index_mask;

		if (i <= j ? (i < h && h <= j) : (i < h || h <= j))
			continue;
		p->index[i] = p->index[j];
		i = j;
	}
	p->index[i] = 0;
}

void proccn__strpool_put(struct pcn_strpool *p, uint32_t id)
{
	if (!id || --p->refs[id - 1])
		return;
	unindex(p, id);
	p->used--;
}

const char *proccn__strpool_str(const struct pcn_strpool *p, uint32_t id)
{
	return id ? slot_text(p, id - 1) : NULL;
}
