/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Event kind names, for command lines and output. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "proccn.h"

static const struct {
	uint32_t kind;
	const char *name;
} kinds[] = {
	{ PROCCN_EV_FORK, "fork" },
	{ PROCCN_EV_EXEC, "exec" },
	{ PROCCN_EV_UID, "uid" },
	{ PROCCN_EV_GID, "gid" },
	{ PROCCN_EV_SID, "sid" },
	{ PROCCN_EV_PTRACE, "ptrace" },
	{ PROCCN_EV_COMM, "comm" },
	{ PROCCN_EV_COREDUMP, "coredump" },
	{ PROCCN_EV_EXIT, "exit" },
	{ PROCCN_EV_NONZERO_EXIT, "nonzero-exit" },
	{ PROCCN_EV_ALL, "all" },
};

#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))
#define MAX_NAME 32

const char *proccn_kind_name(uint32_t kind)
{
	size_t i;

	for (i = 0; i < N_KINDS; i++)
		if (kinds[i].kind == kind)
			return kinds[i].name;
	return NULL;
}

/* Compare ignoring case, with '_' standing for '-'. */
static int name_matches(const char *name, size_t len, const char *known)
{
	size_t i;

	if (strlen(known) != len)
		return 0;
	for (i = 0; i < len; i++) {
		char c = name[i] == '_' ? '-' : name[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != known[i])
			return 0;
	}
	return 1;
}

static int kind_from_span(const char *name, size_t len, uint32_t *kind)
{
	size_t i;

	for (i = 0; i < N_KINDS; i++) {
		if (name_matches(name, len, kinds[i].name)) {
			*kind = kinds[i].kind;
			return 0;
		}
	}
	return -EINVAL;
}

int proccn_kind_from_name(const char *name, uint32_t *kind)
{
	if (!name || !kind)
		return -EINVAL;
	return kind_from_span(name, strlen(name), kind);
}

int proccn_mask_from_string(const char *list, uint32_t *mask)
{
	uint32_t m = 0, k;
	const char *p, *comma;

	if (!list || !mask || !*list)
		return -EINVAL;
	for (p = list;; p = comma + 1) {
		size_t len;

		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == 0 || kind_from_span(p, len, &k) < 0)
			return -EINVAL;
		m |= k;
		if (!comma)
			break;
	}
	*mask = m;
	return 0;
}
