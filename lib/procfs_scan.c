/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The pids of a /proc root, from getdents64(2) records in a caller buffer,
 * in resumable steps: the position between steps is the directory fd's file
 * position plus the records not yet returned.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "procfs.h"

/*
 * struct linux_dirent64: d_ino u64 @0, d_off s64 @8, d_reclen u16 @16,
 * d_type u8 @18, d_name @19. Read field by field (memcpy): the caller's
 * buffer need not be aligned for the struct.
 */
#define PFS_DIRENT_RECLEN 16
#define PFS_DIRENT_TYPE   18
#define PFS_DIRENT_NAME   19

/* Longest canonical pid: INT32_MAX has ten digits. */
#define PFS_PID_DIGITS 10

/* A process directory's name: decimal, no leading zero, 1..INT32_MAX. */
static bool pfs_pid_name(const char *name, size_t n, pid_t *pid)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > PFS_PID_DIGITS || name[0] == '0')
		return false;
	for (i = 0; i < n; i++) {
		if (name[i] < '0' || name[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(name[i] - '0');
	}
	if (v > INT32_MAX)
		return false;
	*pid = (pid_t)v;
	return true;
}

int proccn__procfs_scan_init(struct proccn__procfs_scan *s, int fd, void *buf, size_t size)
{
	if (!s || fd < 0 || !buf || size < PROCCN__PROCFS_SCAN_MIN)
		return -EINVAL;
	s->fd = fd;
	s->buf = buf;
	s->size = size;
	s->pos = 0;
	s->len = 0;
	return 0;
}

/*
 * The next record of the buffer that names a process: 1 and *pid, or 0 when
 * the buffer is used up. A record that does not fit its buffer (no file
 * system writes one) ends the buffer: -EIO.
 */
static int pfs_next_buffered(struct proccn__procfs_scan *s, pid_t *pid)
{
	while (s->pos < s->len) {
		const char *rec = s->buf + s->pos;
		size_t left = s->len - s->pos, name_max;
		uint16_t reclen;
		unsigned char type;

		if (left <= PFS_DIRENT_NAME)
			goto corrupt;
		memcpy(&reclen, rec + PFS_DIRENT_RECLEN, sizeof(reclen));
		if (reclen <= PFS_DIRENT_NAME || reclen > left)
			goto corrupt;
		name_max = reclen - PFS_DIRENT_NAME;
		if (!memchr(rec + PFS_DIRENT_NAME, '\0', name_max))
			goto corrupt;
		s->pos += reclen;
		type = (unsigned char)rec[PFS_DIRENT_TYPE];
		/* /proc says DT_DIR; some file systems do not say (fake trees) */
		if ((type == DT_DIR || type == DT_UNKNOWN) &&
		    pfs_pid_name(rec + PFS_DIRENT_NAME, strlen(rec + PFS_DIRENT_NAME), pid))
			return 1;
	}
	return 0;
corrupt:
	s->pos = s->len;
	return -EIO;
}

int proccn__procfs_scan_next(struct proccn__procfs_scan *s, pid_t *pid)
{
	ssize_t n;
	int r;

	if (!s || !pid)
		return -EINVAL;
	for (;;) {
		r = pfs_next_buffered(s, pid);
		if (r != 0)
			return r;
		n = getdents64(s->fd, s->buf, s->size);
		if (n < 0)
			return -errno;
		s->pos = 0;
		s->len = (size_t)n;
		if (n == 0)
			return 0;
	}
}

int proccn__procfs_scan_restart(struct proccn__procfs_scan *s)
{
	if (!s)
		return -EINVAL;
	s->pos = 0;
	s->len = 0;
	return lseek(s->fd, 0, SEEK_SET) < 0 ? -errno : 0;
}
