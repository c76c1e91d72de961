/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel gives its initial namespaces fixed inode numbers (proc_ns.h), so
 * a stat of /proc/self/ns/TYPE answers without privileges. The initial
 * network namespace got one only recently; before that, compare with PID 1's,
 * which needs the right to read it.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "environment.h"

#define INIT_INO_USER 0xEFFFFFFDu
#define INIT_INO_PID  0xEFFFFFFCu
#define INIT_INO_NET  0xEFFFFFF9u

static int ns_inode(const char *pid, const char *type, ino_t *ino)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%s/ns/%s", pid, type);
	if (stat(path, &st) < 0)
		return -1;
	*ino = st.st_ino;
	return 0;
}

int proccn__in_initial_ns(const char *type)
{
	ino_t self, init;

	if (ns_inode("self", type, &self) < 0)
		return -1;
	if (strcmp(type, "user") == 0)
		return self == INIT_INO_USER;
	if (strcmp(type, "pid") == 0)
		return self == INIT_INO_PID;
	if (self == INIT_INO_NET)
		return 1;
	if (ns_inode("1", type, &init) < 0)
		return -1;
	return self == init;
}

int proccn__proc_events_listed(void)
{
	char line[256];
	FILE *f = fopen("/proc/net/connector", "re");
	int found = 0;

	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, "cn_proc") != NULL;
	fclose(f);
	return found;
}
