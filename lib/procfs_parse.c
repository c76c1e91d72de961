/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Parsers for /proc/PID/stat, status, cgroup, loginuid and sessionid: pure
 * functions of a buffer and its length. The text comes from the kernel, but
 * comm comes from the process, and a fake or foreign /proc root can hold
 * anything: every byte is checked, nothing is read past the length.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "procfs.h"

/* Largest pid the parsers accept (pid_t is int; the kernel's limit is lower). */
#define PFS_PID_MAX INT32_MAX
#define PFS_COMM_MAX (PROCCN__PROCFS_COMM_SIZE - 1)

/* Field numbers of /proc/PID/stat (proc(5)) that are read. */
enum {
	PFS_STAT_PPID = 4,
	PFS_STAT_PGRP = 5,
	PFS_STAT_SESSION = 6,
	PFS_STAT_TTY_NR = 7,
	PFS_STAT_NUM_THREADS = 20,
	PFS_STAT_STARTTIME = 22,
};

/*
 * The unsigned decimal number that is all of @s[0..n): -EINVAL if it is empty
 * or holds anything but digits, -ERANGE if it exceeds @max.
 */
static int pfs_dec_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
	for (i = 0; i < n; i++) {
		uint64_t digit = (uint64_t)(s[i] - '0');

		if (v > (max - digit) / 10)
			return -ERANGE;
		v = v * 10 + digit;
	}
	*out = v;
	return 0;
}

/* A decimal number with an optional '-' in [@min, @max] (@min <= 0 <= @max). */
static int pfs_dec_i64(const char *s, size_t n, int64_t min, int64_t max, int64_t *out)
{
	uint64_t mag;
	int r;

	if (n > 0 && s[0] == '-') {
		/* -(min + 1) + 1: the magnitude of min without overflowing */
		r = pfs_dec_u64(s + 1, n - 1, (uint64_t)(-(min + 1)) + 1, &mag);
		if (r == 0)
			*out = mag == 0 ? 0 : -(int64_t)(mag - 1) - 1;
		return r;
	}
	r = pfs_dec_u64(s, n, (uint64_t)max, &mag);
	if (r == 0)
		*out = (int64_t)mag;
	return r;
}

/* A pid-like field: 0..PFS_PID_MAX. */
static int pfs_dec_pid(const char *s, size_t n, pid_t *out)
{
	uint64_t v;
	int r = pfs_dec_u64(s, n, PFS_PID_MAX, &v);

	if (r == 0)
		*out = (pid_t)v;
	return r;
}

/* ---- stat ---------------------------------------------------------------- */

/*
 * The numeric fields after the state (4 to 22): each is followed by one
 * space, but 22 may also end the buffer or its line.
 */
static int pfs_stat_fields(const char *p, const char *end, struct proccn__procfs_stat *st)
{
	int field, r = 0;

	for (field = PFS_STAT_PPID; field <= PFS_STAT_STARTTIME && r == 0; field++) {
		const char *tok = p;
		size_t n;
		int64_t v = 0;
		uint64_t u = 0;

		while (p < end && *p != ' ' && *p != '\n')
			p++;
		n = (size_t)(p - tok);
		if (field < PFS_STAT_STARTTIME) {
			if (p == end || *p != ' ')
				return -EINVAL;  /* a field is missing */
			p++;
		}
		switch (field) {
		case PFS_STAT_PPID:
			r = pfs_dec_pid(tok, n, &st->ppid);
			break;
		case PFS_STAT_PGRP:
			r = pfs_dec_pid(tok, n, &st->pgrp);
			break;
		case PFS_STAT_SESSION:
			r = pfs_dec_pid(tok, n, &st->session);
			break;
		case PFS_STAT_TTY_NR:
			r = pfs_dec_i64(tok, n, INT32_MIN, INT32_MAX, &v);
			st->tty_nr = (int32_t)v;
			break;
		case PFS_STAT_NUM_THREADS:
			/* a '-' is a count out of range, not a malformed number */
			r = pfs_dec_i64(tok, n, INT32_MIN, INT32_MAX, &v);
			if (r == 0 && v < 0)
				r = -ERANGE;
			st->num_threads = (int32_t)v;
			break;
		case PFS_STAT_STARTTIME:
			r = pfs_dec_u64(tok, n, UINT64_MAX, &u);
			st->starttime = u;
			break;
		default:
			/* not used: any token will do */
			if (n == 0)
				r = -EINVAL;
			break;
		}
	}
	return r;
}

int proccn__procfs_parse_stat(const char *buf, size_t len, struct proccn__procfs_stat *out)
{
	struct proccn__procfs_stat st;
	const char *open, *close, *end;
	size_t comm_len;
	int r;

	if (!buf || !out)
		return -EINVAL;
	end = buf + len;
	memset(&st, 0, sizeof(st));
	/* "PID (" */
	open = memchr(buf, '(', len);
	if (!open || open - buf < 2 || open[-1] != ' ')
		return -EINVAL;
	r = pfs_dec_pid(buf, (size_t)(open - buf - 1), &st.pid);
	if (r < 0)
		return r;
	if (st.pid == 0)
		return -ERANGE;
	/* the last ')': nothing the kernel prints after comm contains one */
	close = memrchr(open + 1, ')', (size_t)(end - open - 1));
	if (!close)
		return -EINVAL;
	comm_len = (size_t)(close - open - 1);
	if (comm_len > PFS_COMM_MAX)
		return -ERANGE;
	if (memchr(open + 1, '\0', comm_len))
		return -EINVAL;
	memcpy(st.comm, open + 1, comm_len);
	st.comm[comm_len] = '\0';
	st.comm_len = comm_len;
	/* ") S " */
	if (end - close < 4 || close[1] != ' ' || close[3] != ' ')
		return -EINVAL;
	st.state = close[2];
	if (st.state == ' ' || st.state == '\n' || st.state == '\0')
		return -EINVAL;
	r = pfs_stat_fields(close + 4, end, &st);
	if (r < 0)
		return r;
	*out = st;
	return 0;
}

/* ---- status -------------------------------------------------------------- */

/* The lines of status that are read, and how many values each must have. */
enum { PFS_TGID, PFS_PPID, PFS_UID, PFS_GID, PFS_NSPID, PFS_N_KEYS };

static const struct {
	const char *key;
	size_t key_len;
	unsigned int values;  /* exactly this many; 0: one or more */
} pfs_status_keys[PFS_N_KEYS] = {
	[PFS_TGID] = { "Tgid", 4, 1 },
	[PFS_PPID] = { "PPid", 4, 1 },
	[PFS_UID] = { "Uid", 3, 4 },
	[PFS_GID] = { "Gid", 3, 4 },
	[PFS_NSPID] = { "NSpid", 5, 0 },
};

static int pfs_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * The values of the status line @key (the bytes after "Key:" up to the end
 * of the line) into @st. Values are separated by tabs or spaces.
 */
static int pfs_status_values(int key, const char *p, const char *end,
			     struct proccn__procfs_status *st)
{
	unsigned int count = 0, want = pfs_status_keys[key].values;

	for (;;) {
		const char *tok;
		uint64_t v;
		int r;

		while (p < end && pfs_is_blank(*p))
			p++;
		if (p == end)
			break;
		tok = p;
		while (p < end && !pfs_is_blank(*p))
			p++;
		if (want && count == want)
			return -EINVAL;  /* one value too many */
		r = pfs_dec_u64(tok, (size_t)(p - tok),
				key == PFS_UID || key == PFS_GID ? UINT32_MAX : PFS_PID_MAX, &v);
		if (r < 0)
			return r;
		/* no process has pid 0; a parent may be outside our namespace (0) */
		if (v == 0 && (key == PFS_TGID || key == PFS_NSPID))
			return -ERANGE;
		switch (key) {
		case PFS_TGID:
			st->tgid = (pid_t)v;
			break;
		case PFS_PPID:
			st->ppid = (pid_t)v;
			break;
		case PFS_UID:
			st->uid[count] = (uint32_t)v;
			break;
		case PFS_GID:
			st->gid[count] = (uint32_t)v;
			break;
		default:
			st->nspid = (pid_t)v;  /* the last one stays */
			break;
		}
		count++;
	}
	if (count == 0 || (want && count != want))
		return -EINVAL;
	return 0;
}

/* Which key of pfs_status_keys starts the line [p, end) ("Key:"), or -1. */
static int pfs_status_key(const char *p, const char *end)
{
	int k;

	for (k = 0; k < PFS_N_KEYS; k++) {
		size_t n = pfs_status_keys[k].key_len;

		if ((size_t)(end - p) > n && p[n] == ':' && memcmp(p, pfs_status_keys[k].key, n) == 0)
			return k;
	}
	return -1;
}

int proccn__procfs_parse_status(const char *buf, size_t len, struct proccn__procfs_status *out)
{
	struct proccn__procfs_status st;
	unsigned int seen = 0;
	const char *p, *end;

	if (!buf || !out)
		return -EINVAL;
	memset(&st, 0, sizeof(st));
	for (p = buf, end = buf + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		int k = pfs_status_key(p, eol);

		if (k >= 0) {
			int r;

			if (seen & (1u << k))
				return -EINVAL;
			seen |= 1u << k;
			r = pfs_status_values(k, p + pfs_status_keys[k].key_len + 1, eol, &st);
			if (r < 0)
				return r;
		}
		p = nl ? nl + 1 : end;
	}
	if ((seen & 0xfu) != 0xfu)  /* Tgid, PPid, Uid, Gid */
		return -EINVAL;
	*out = st;
	return 0;
}

/* ---- cgroup ------------------------------------------------------------ */

#define PFS_DELETED " (deleted)"
#define PFS_DELETED_LEN (sizeof(PFS_DELETED) - 1)

int proccn__procfs_parse_cgroup(const char *buf, size_t len, const char **path,
				size_t *path_len, unsigned int *flags)
{
	const char *p, *end, *found = NULL;
	size_t found_len = 0;

	if (!buf || !path || !path_len)
		return -EINVAL;
	for (p = buf, end = buf + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;

		/* hierarchy 0 with no controllers is the v2 one; v1 ids start at 1 */
		if (eol - p >= 3 && memcmp(p, "0::", 3) == 0) {
			if (found)
				return -EINVAL;
			found = p + 3;
			found_len = (size_t)(eol - found);
		}
		p = nl ? nl + 1 : end;
	}
	if (!found)
		return -ENODATA;
	if (found_len == 0 || found[0] != '/')
		return -EINVAL;
	if (flags)
		*flags = 0;
	if (found_len > PFS_DELETED_LEN &&
	    memcmp(found + found_len - PFS_DELETED_LEN, PFS_DELETED, PFS_DELETED_LEN) == 0) {
		found_len -= PFS_DELETED_LEN;
		if (flags)
			*flags = PROCCN__PROCFS_F_DELETED;
	}
	*path = found;
	*path_len = found_len;
	return 0;
}

/* ---- loginuid, sessionid ------------------------------------------------ */

int proccn__procfs_parse_id(const char *buf, size_t len, uint32_t *out)
{
	uint64_t v;
	int r;

	if (!buf || !out)
		return -EINVAL;
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	r = pfs_dec_u64(buf, len, UINT32_MAX, &v);
	if (r == 0)
		*out = (uint32_t)v;
	return r;
}
