/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Errors as sentences that tell the user what to do. */
#include <errno.h>
#include <string.h>

#include "proccn.h"

const char *proccn_strerror(int err)
{
	const char *desc;

	switch (err) {
	case 0:
		return "success";
	case -EPROTONOSUPPORT:
		return "the kernel has no netlink connector (CONFIG_CONNECTOR): "
		       "use a kernel built with CONFIG_CONNECTOR=y and CONFIG_PROC_EVENTS=y";
	case -EOPNOTSUPP:
		return "the kernel has no process events connector (CONFIG_PROC_EVENTS; "
		       "cn_proc is missing from /proc/net/connector): use a kernel built with "
		       "CONFIG_PROC_EVENTS=y";
	case -ECONNREFUSED:
		return "the proc connector only works in the initial network namespace: "
		       "run outside the container's network namespace (e.g. --network host)";
	case -EXDEV:
		return "the kernel did not answer the subscription because this process runs "
		       "outside the initial user or PID namespace (a container): run it on the "
		       "host, or in a container that shares the host's user and PID namespaces";
	case -ETIMEDOUT:
		return "the kernel did not acknowledge the subscription in time: check that "
		       "proc events work on this machine (proccn-watch --probe) or raise "
		       "ack_timeout_ms";
	case -EPERM:
		return "permission denied: kernels before Linux 6.6 require CAP_NET_ADMIN "
		       "(run as root) to receive process events";
	case -EINVAL:
		return "invalid argument: check the options (sz, flags, event mask, timeouts)";
	case -E2BIG:
		return "the options struct is larger than this library version knows and its "
		       "unknown fields (or reserved) are set: link against a newer libproccn";
	case -ENOMEM:
		return "out of memory";
	case -ECHILD:
		return "this handle's subscription belongs to the process that opened it "
		       "(this is a child after fork()): open a new handle in this process";
	default:
		break;
	}
	/* errno values are small: -INT_MIN would not even be an int */
	desc = err < 0 && err > -4096 ? strerrordesc_np(-err) : NULL;
	return desc ? desc : "unknown error";
}
