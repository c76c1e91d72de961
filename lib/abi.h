/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Versioned structs (libbpf style): the caller says in `sz` how big its
 * struct is. Members are checked by where they start and end, so a future
 * 64-bit or pointer member, and padding, never make a half-known member.
 */
#ifndef PCN_ABI_H
#define PCN_ABI_H

#include <stddef.h>
#include <stdint.h>

/* One member of a public struct, as offsetof() and sizeof() see it. */
struct pcn_abi_member {
	uint16_t off, len;
};

#define PCN_ABI_MEMBER(type, member) \
	{ offsetof(type, member), sizeof(((type *)0)->member) }

/*
 * The members of a public struct in order, its size in this library, and the
 * smallest sz a caller may give (the end of the members it must have).
 */
struct pcn_abi_layout {
	const struct pcn_abi_member *members;
	size_t n;
	size_t size;
	size_t min_sz;
};

#define PCN_ABI_LAYOUT(type, table, min) \
	{ (table), sizeof(table) / sizeof((table)[0]), sizeof(type), (min) }

/*
 * proccn__abi_read - copy the caller's struct @in (its first member is
 * size_t sz) into @out, zero-filling what an older caller does not have.
 * Returns 0; -EINVAL when sz is below layout->min_sz or ends inside a
 * member; -E2BIG when sz is larger than this library's
 * struct and a byte beyond it is set (a field this library does not know).
 */
int proccn__abi_read(const void *in, void *out, const struct pcn_abi_layout *layout);

/*
 * proccn__abi_write - copy @src (this library's struct) into the caller's
 * @out up to the last whole member that fits the caller's sz, and set its
 * sz to the bytes written. Returns 0, or -EINVAL when sz is too small for sz.
 */
int proccn__abi_write(void *out, const void *src, const struct pcn_abi_layout *layout);

#endif
