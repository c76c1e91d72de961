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

/* The fd watched by the epoll instance @epfd, or -1 (none, or not one). */
static inline int fdinfo_epoll_target(int epfd)
{
	char path[64], line[256];
	int target = -1, n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", epfd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "tfd: %d", &target) == 1)
			n++;
	fclose(f);
	return n == 1 ? target : -1;
}

#endif
