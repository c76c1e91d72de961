/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Short-lived programs under names of their own: see named.h. */
#include "named.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_LAG 64

void named_path(char *buf, size_t len, const char *dir, const char *prefix, size_t i)
{
	snprintf(buf, len, "%s/%s%05zu", dir, prefix, i % 100000);
}

/* A copy of @from at @to, executable. 0 or -1. */
static int copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, r = -1;
	struct stat st;

	if (in >= 0 && fstat(in, &st) == 0)
		out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	if (out >= 0 && sendfile(out, in, NULL, (size_t)st.st_size) == st.st_size)
		r = 0;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return r;
}

int named_make(const char *dir, const char *prefix, size_t n, const char *truep)
{
	char path[PATH_MAX], first[PATH_MAX];

	for (size_t i = 0; i < n; i++) {
		named_path(path, sizeof(path), dir, prefix, i);
		if (link(truep, path) == 0)
			continue;
		/* protected_hardlinks: link our own copy instead */
		named_path(first, sizeof(first), dir, prefix, 0);
		if (i ? link(first, path) != 0 : copy_file(truep, path) != 0)
			return -1;
	}
	return 0;
}

void named_remove(const char *dir, const char *prefix, size_t n)
{
	char path[PATH_MAX];

	for (size_t i = 0; i < n; i++) {
		named_path(path, sizeof(path), dir, prefix, i);
		unlink(path);
	}
	rmdir(dir);
}

pid_t named_launch(const char *dir, const char *prefix, size_t n, unsigned int lag, int fd)
{
	pid_t ring[MAX_LAG] = { 0 }, parent = getpid(), pid = fork();

	if (pid != 0)
		return pid;
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(20);
	if (lag < 1 || lag > MAX_LAG)
		lag = MAX_LAG;
	for (size_t i = 0; i < n; i++) {
		pid_t c = fork();

		if (c < 0)
			_exit(21);
		if (c == 0) {
			char path[PATH_MAX], *argv[2] = { path, NULL }, *envp[] = { NULL };

			named_path(path, sizeof(path), dir, prefix, i);
			execve(path, argv, envp);
			_exit(127);
		}
		if (write(fd, &c, sizeof(c)) != sizeof(c))
			_exit(22);
		if (ring[i % lag])
			waitpid(ring[i % lag], NULL, 0);
		ring[i % lag] = c;
	}
	for (size_t i = 0; i < lag; i++)
		if (ring[i])
			waitpid(ring[i], NULL, 0);
	_exit(0);
}
