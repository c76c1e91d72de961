/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "procstat.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int procstat_read(pid_t pid, struct procstat *out)
{
	char path[64], buf[1024], *open_paren, *close_paren;
	size_t len;
	int fd, n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* the name may hold anything, ')' included: it ends at the last one */
	open_paren = strchr(buf, '(');
	close_paren = strrchr(buf, ')');
	if (!open_paren || !close_paren || close_paren < open_paren || close_paren[1] != ' ')
		return -1;
	len = (size_t)(close_paren - open_paren - 1);
	if (len > sizeof(out->comm) - 1)
		len = sizeof(out->comm) - 1;
	memcpy(out->comm, open_paren + 1, len);
	out->comm[len] = '\0';
	out->pid = pid;
	/* state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
	   utime stime cutime cstime priority nice threads itrealvalue starttime */
	if (sscanf(close_paren + 2, "%c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u "
		   "%*d %*d %*d %*d %d %*d %llu", &out->state, &out->ppid, &out->threads,
		   &out->start) != 4)
		return -1;
	return 0;
}
