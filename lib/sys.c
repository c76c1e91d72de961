/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The real system calls behind struct pcn_sys. */
#include <poll.h>
#include <stddef.h>
#include <sys/socket.h>

#include "sys.h"

static ssize_t sys_sendmsg(void *ctx, int fd, const struct msghdr *msg, int flags)
{
	(void)ctx;
	return sendmsg(fd, msg, flags);
}

static int sys_recvmmsg(void *ctx, int fd, struct mmsghdr *vec, unsigned int n, int flags)
{
	(void)ctx;
	return recvmmsg(fd, vec, n, flags, NULL);
}

static int sys_poll(void *ctx, struct pollfd *pfd, nfds_t n, int timeout_ms)
{
	(void)ctx;
	return poll(pfd, n, timeout_ms);
}

const struct pcn_sys proccn__sys_default = {
	.sendmsg = sys_sendmsg,
	.recvmmsg = sys_recvmmsg,
	.poll = sys_poll,
	.ctx = NULL,
};
