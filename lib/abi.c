/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading and writing the caller's versioned structs. */
#include <errno.h>
#include <string.h>

#include "abi.h"

static size_t caller_sz(const void *s)
{
	size_t sz;

	memcpy(&sz, s, sizeof(sz));
	return sz;
}

/* 1 when @sz cuts a member in two: neither all of it nor none of it. */
static int cuts_member(const struct pcn_abi_layout *l, size_t sz)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (sz > l->members[i].off && sz < (size_t)l->members[i].off + l->members[i].len)
			return 1;
	return 0;
}

int proccn__abi_read(const void *in, void *out, const struct pcn_abi_layout *l)
{
	size_t sz = caller_sz(in), i;
	const uint8_t *bytes = in;

	if (sz == l->size) {
		memcpy(out, in, sz);
		return 0;
	}
	if (sz < l->min_sz || cuts_member(l, sz))
		return -EINVAL;
	for (i = l->size; i < sz; i++)
		if (bytes[i])
			return -E2BIG;
	memset(out, 0, l->size);
	memcpy(out, in, sz < l->size ? sz : l->size);
	return 0;
}

int proccn__abi_write(void *out, const void *src, const struct pcn_abi_layout *l)
{
	size_t sz = caller_sz(out), n = 0, i;

	if (sz < sizeof(size_t))
		return -EINVAL;
	for (i = 0; i < l->n; i++) {
		size_t end = (size_t)l->members[i].off + l->members[i].len;

		if (end <= sz && end > n)
			n = end;
	}
	memcpy(out, src, n);
	memcpy(out, &n, sizeof(n));
	return 0;
}
