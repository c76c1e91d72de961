/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading the files of one process through its /proc directory fd. Each read
 * is open + one read(2) + close: /proc files are generated whole for each
 * read, so one call returns all that fits in the buffer.
 *
 * What the kernel answers (measured on 6.18, test_procfs/test_live_*): once
 * the process is reaped, openat(), readlinkat() and read() of an fd opened
 * before all fail with ESRCH; a zombie still has stat (state Z), status and
 * cgroup, an empty cmdline, and exe fails with ENOENT, as for kernel threads;
 * exe of another user's process fails with EACCES. Older kernels, and a
 * removed directory of a fake tree, answer ENOENT for the files of a reaped
 * process: a second look at "stat" tells that apart from a missing file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "procfs.h"

#define PFS_DELETED_SUFFIX " (deleted)"
#define PFS_DELETED_SUFFIX_LEN (sizeof(PFS_DELETED_SUFFIX) - 1)

/* Room for loginuid or sessionid: ten digits, maybe a newline. */
#define PFS_ID_SIZE 16

int proccn__procfs_root_open(const char *path)
{
	int fd = open(path ? path : "/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return fd;
}

int proccn__procfs_open_pid(int rootfd, pid_t pid)
{
	char name[16];
	int fd;

	if (pid <= 0)
		return -EINVAL;
	snprintf(name, sizeof(name), "%d", (int)pid);
	fd = openat(rootfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	return fd;
}

/*
 * A file of the process was not found (ENOENT): -ESRCH if the process is gone
 * (stat, which every process has, is not found either), else -ENOENT.
 */
static int pfs_missing(int dirfd)
{
	if (faccessat(dirfd, "stat", F_OK, 0) == 0)
		return -ENOENT;
	return errno == ENOENT || errno == ESRCH ? -ESRCH : -ENOENT;
}

/*
 * Open @name, read it once into @buf; with @more non-NULL and the buffer
 * full, read one byte more to tell whether the file went on (*more).
 */
static int pfs_read(int dirfd, const char *name, char *buf, size_t size, size_t *len,
		    bool *more)
{
	ssize_t n;
	char extra;
	int fd, r = 0;

	if (!name || !buf || !len || size == 0)
		return -EINVAL;
	*len = 0;
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? pfs_missing(dirfd) : -errno;
	do
		n = read(fd, buf, size);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		r = -errno;
	} else {
		*len = (size_t)n;
		if (more) {
			*more = false;
			if ((size_t)n == size) {
				do
					n = read(fd, &extra, 1);
				while (n < 0 && errno == EINTR);
				if (n < 0)
					r = -errno;
				*more = n > 0;
			}
		}
	}
	close(fd);
	return r;
}

int proccn__procfs_read_file(int dirfd, const char *name, char *buf, size_t size, size_t *len)
{
	return pfs_read(dirfd, name, buf, size, len, NULL);
}

int proccn__procfs_read_stat(int dirfd, char *buf, size_t size, struct proccn__procfs_stat *out)
{
	size_t len;
	int r;

	if (size < PROCCN__PROCFS_STAT_SIZE)
		return -EINVAL;
	r = pfs_read(dirfd, "stat", buf, size, &len, NULL);
	if (r < 0)
		return r;
	return proccn__procfs_parse_stat(buf, len, out);
}

/* A full buffer may end inside a line: keep the complete lines, or -ERANGE. */
static int pfs_whole_lines(const char *buf, size_t size, size_t *len)
{
	const char *nl;

	if (*len < size)
		return 0;
	nl = memrchr(buf, '\n', *len);
	if (!nl)
		return -ERANGE;
	*len = (size_t)(nl - buf) + 1;
	return 0;
}

int proccn__procfs_read_status(int dirfd, char *buf, size_t size,
			       struct proccn__procfs_status *out)
{
	size_t len;
	int r;

	if (size < PROCCN__PROCFS_STAT_SIZE)
		return -EINVAL;
	r = pfs_read(dirfd, "status", buf, size, &len, NULL);
	if (r == 0)
		r = pfs_whole_lines(buf, size, &len);
	if (r < 0)
		return r;
	return proccn__procfs_parse_status(buf, len, out);
}

int proccn__procfs_read_exe(int dirfd, char *buf, size_t size, size_t *len, unsigned int *flags)
{
	ssize_t n;

	if (!buf || !len || size == 0)
		return -EINVAL;
	n = readlinkat(dirfd, "exe", buf, size);
	if (n < 0)
		return errno == ENOENT ? pfs_missing(dirfd) : -errno;
	if ((size_t)n >= size)
		return -ERANGE;  /* no room for the NUL: maybe cut */
	if (flags)
		*flags = 0;
	if ((size_t)n > PFS_DELETED_SUFFIX_LEN &&
	    memcmp(buf + n - PFS_DELETED_SUFFIX_LEN, PFS_DELETED_SUFFIX,
		   PFS_DELETED_SUFFIX_LEN) == 0) {
		n -= (ssize_t)PFS_DELETED_SUFFIX_LEN;
		if (flags)
			*flags = PROCCN__PROCFS_F_DELETED;
	}
	buf[n] = '\0';
	*len = (size_t)n;
	return 0;
}

int proccn__procfs_read_cmdline(int dirfd, char *buf, size_t size, size_t *len,
				unsigned int *flags)
{
	bool more;
	int r = pfs_read(dirfd, "cmdline", buf, size, len, &more);

	if (r == 0 && flags)
		*flags = more ? PROCCN__PROCFS_F_TRUNCATED : 0;
	return r;
}

int proccn__procfs_read_cgroup(int dirfd, char *buf, size_t size, size_t *len,
			       unsigned int *flags)
{
	const char *path;
	size_t n, path_len;
	bool full;
	int r;

	if (!len)
		return -EINVAL;
	r = pfs_read(dirfd, "cgroup", buf, size, &n, NULL);
	if (r < 0)
		return r;
	full = n == size;
	r = pfs_whole_lines(buf, size, &n);
	if (r == 0)
		r = proccn__procfs_parse_cgroup(buf, n, &path, &path_len, flags);
	/* the v2 line may have been beyond a full buffer */
	if (r == -ENODATA && full)
		r = -ERANGE;
	if (r < 0)
		return r;
	/* the path starts after "0::": it fits with its NUL */
	memmove(buf, path, path_len);
	buf[path_len] = '\0';
	*len = path_len;
	return 0;
}

int proccn__procfs_read_audit_ids(int dirfd, uint32_t *loginuid, uint32_t *sessionid)
{
	char buf[PFS_ID_SIZE];
	uint32_t login = 0, session = 0;
	size_t len;
	int r;

	if (!loginuid || !sessionid)
		return -EINVAL;
	r = pfs_read(dirfd, "loginuid", buf, sizeof(buf), &len, NULL);
	if (r == 0)
		r = proccn__procfs_parse_id(buf, len, &login);
	if (r == 0)
		r = pfs_read(dirfd, "sessionid", buf, sizeof(buf), &len, NULL);
	if (r == 0)
		r = proccn__procfs_parse_id(buf, len, &session);
	if (r < 0)
		return r;
	*loginuid = login;
	*sessionid = session;
	return 0;
}
