/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What works here and why not: each condition that the kernel notes list as
 * a reason for failure, checked on its own, then a real subscription.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "handle.h"
#include "environment.h"

static int connector_works(void)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);

	if (fd < 0)
		return errno == EPROTONOSUPPORT ? 0 : -1;
	close(fd);
	return 1;
}

/* CapEff from /proc/self/status: no libcap needed for one bit. */
static int has_cap_net_admin(void)
{
	char line[256];
	unsigned long long eff;
	FILE *f = fopen("/proc/self/status", "re");
	int r = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1) {
			r = (eff >> CAP_NET_ADMIN) & 1;
			break;
		}
	fclose(f);
	return r;
}

/* The bytes of struct proccn_probe that are fields. */
#define PROBE_KNOWN (offsetof(struct proccn_probe, subscribe_error) + sizeof(int))

int proccn_probe(struct proccn_probe *p)
{
	struct proccn_probe r;
	struct proccn *h = NULL;
	size_t n;
	int e;

	if (!p || p->sz < sizeof(p->sz))
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	/* the struct's tail padding is not a field: a newer caller may have one there */
	n = p->sz < PROBE_KNOWN ? p->sz : PROBE_KNOWN;
	r.sz = n;
	r.connector = connector_works();
	r.proc_events = proccn__proc_events_listed();
	r.initial_netns = proccn__in_initial_ns("net");
	r.initial_userns = proccn__in_initial_ns("user");
	r.initial_pidns = proccn__in_initial_ns("pid");
	r.cap_net_admin = has_cap_net_admin();

	e = proccn_open(&h, NULL);
	r.subscribe_error = e;
	if (e == 0) {
		r.kernel_filter = proccn_mode(h) == PROCCN_MODE_KERNEL_FILTER;
		r.legacy = !r.kernel_filter;
		proccn_close(h);
	} else {
		r.kernel_filter = -1;
		r.legacy = -1;
	}
	memcpy(p, &r, n);
	return 0;
}
