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

#include "abi.h"
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

static const struct pcn_abi_member probe_members[] = {
	PCN_ABI_MEMBER(struct proccn_probe, sz),
	PCN_ABI_MEMBER(struct proccn_probe, connector),
	PCN_ABI_MEMBER(struct proccn_probe, proc_events),
	PCN_ABI_MEMBER(struct proccn_probe, initial_netns),
	PCN_ABI_MEMBER(struct proccn_probe, initial_userns),
	PCN_ABI_MEMBER(struct proccn_probe, initial_pidns),
	PCN_ABI_MEMBER(struct proccn_probe, cap_net_admin),
	PCN_ABI_MEMBER(struct proccn_probe, kernel_filter),
	PCN_ABI_MEMBER(struct proccn_probe, legacy),
	PCN_ABI_MEMBER(struct proccn_probe, subscribe_error),
};
static const struct pcn_abi_layout probe_layout =
	PCN_ABI_LAYOUT(struct proccn_probe, probe_members, sizeof(size_t));

int proccn_probe(struct proccn_probe *p)
{
	struct proccn_probe r;
	struct proccn *h = NULL;
	int e;

	if (!p || p->sz < sizeof(p->sz))
		return -EINVAL;
	memset(&r, 0, sizeof(r));
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
	return proccn__abi_write(p, &r, &probe_layout);
}
