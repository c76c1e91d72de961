/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Interned strings with reference counts, in a fixed number of fixed-size
 * slots allocated once: thousands of processes share a handful of
 * executables and cgroups. A string that does not fit (too long, or no slot
 * left) is not kept; the caller counts that.
 */
#ifndef PCN_STRPOOL_H
#define PCN_STRPOOL_H

#include <stddef.h>
#include <stdint.h>

struct pcn_strpool {
	char *text;               /* count slots of size bytes, NUL-terminated */
	uint32_t *refs;           /* per slot; 0: free */
	uint32_t *index;          /* open-addressing hash of slot ids (+1), 0 empty */
	uint32_t count, size, index_mask, used;
};

/* proccn__strpool_init - @count strings of up to @size - 1 bytes: 0 or -ENOMEM. */
int proccn__strpool_init(struct pcn_strpool *p, uint32_t count, uint32_t size, size_t *bytes);
void proccn__strpool_fini(struct pcn_strpool *p);

/*
 * proccn__strpool_get - a reference to @s (@len bytes, no NUL needed): its
 * id (>= 1), or 0 when it does not fit.
 */
uint32_t proccn__strpool_get(struct pcn_strpool *p, const char *s, size_t len);

/* proccn__strpool_put - drop a reference (id 0: nothing). */
void proccn__strpool_put(struct pcn_strpool *p, uint32_t id);

/* proccn__strpool_ref - another reference to @id (0: nothing). */
void proccn__strpool_ref(struct pcn_strpool *p, uint32_t id);

/* proccn__strpool_str - the string of @id, NUL-terminated (NULL for 0). */
const char *proccn__strpool_str(const struct pcn_strpool *p, uint32_t id);

#endif
