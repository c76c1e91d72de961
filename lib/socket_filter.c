/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Attaching the generated classic BPF program, so that unwanted events are
 * dropped before they take receive-buffer space, on every kernel.
 */
#include <errno.h>
#include <sys/socket.h>

#include "bpf.h"
#include "proccn.h"
#include "socket_filter.h"

int proccn__socket_filter_apply(int fd, uint32_t events, uint32_t flags, int *attached)
{
	struct sock_filter insns[PCN_BPF_MAX_INSNS];
	struct sock_fprog prog;
	int n = 0, unused = 0;

	if (!(flags & PROCCN_F_NO_SOCKET_FILTER)) {
		n = proccn__bpf_build(events, flags, insns, PCN_BPF_MAX_INSNS);
		if (n < 0)
			return n;
	}
	if (n > 0) {
		prog.len = (unsigned short)n;
		prog.filter = insns;
		if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
			return -errno;
		*attached = 1;
	} else if (*attached) {
		/* the kernel wants an int-sized option value even here */
		if (setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &unused, sizeof(unused)) < 0 &&
		    errno != ENOENT)
			return -errno;
		*attached = 0;
	}
	return 0;
}
