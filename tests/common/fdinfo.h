/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The socket behind proccn_fd(): that fd is an epoll instance, and the kernel
 * lists what it watches in /proc/self/fdinfo ("tfd: N ..."). Tests that need
 * the socket itself (its port, its flags) find it here, through no API.
 */
#ifndef PCN_TEST_FDINFO_H
#define PCN_TEST_FDINFO_H

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/*
 * The socket watched by the epoll instance @epfd (beside the handle's
 * eventfd), or -1 (none, or more than one).
 */
static inline int fdinfo_epoll_target(int epfd)
{
	char path[64], line[256];
	int target = -1, tfd, n = 0;
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", epfd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "tfd: %d", &tfd) == 1 && fstat(tfd, &st) == 0 &&
		    S_ISSOCK(st.st_mode)) {
			target = tfd;
			n++;
		}
	fclose(f);
	return n == 1 ? target : -1;
}

#endif
