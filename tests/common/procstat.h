/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/PID/stat read by the tests on their own, to check the process table
 * against: not the library's parser, so that a bug there cannot hide.
 */
#ifndef PCN_TEST_PROCSTAT_H
#define PCN_TEST_PROCSTAT_H

#include <sys/types.h>

struct procstat {
	pid_t pid, ppid;
	char state;               /* R, S, D, Z, ... */
	int threads;
	unsigned long long start; /* clock ticks after boot */
	char comm[16];
};

/* procstat_read - 0, or -1 when the process is gone or its line not understood. */
int procstat_read(pid_t pid, struct procstat *out);

#endif
