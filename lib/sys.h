/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The system calls the handle makes on its socket, behind a table so that the
 * unit tests can put a fake kernel on a socketpair in place of the real one.
 * Not public API: proccn__open_fd() and struct pcn_sys are hidden symbols.
 */
#ifndef PCN_SYS_H
#define PCN_SYS_H

#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

struct proccn;
struct proccn_opts;

struct pcn_sys {
	/* sendmsg(2); returns bytes or -1 with errno */
	ssize_t (*sendmsg)(void *ctx, int fd, const struct msghdr *msg, int flags);
	/* recvmmsg(2) without a timeout; returns count or -1 with errno */
	int (*recvmmsg)(void *ctx, int fd, struct mmsghdr *vec, unsigned int n, int flags);
	/* poll(2) on the one fd; returns as poll(2) */
	int (*poll)(void *ctx, struct pollfd *pfd, nfds_t n, int timeout_ms);
	void *ctx;
	/* optional (NULL: SO_MEMINFO): the socket's drop counter; 0 or -1 */
	int (*drops)(void *ctx, int fd, uint32_t *out);
};

extern const struct pcn_sys proccn__sys_default;

/*
 * proccn__open_fd - build a handle around an already bound socket and negotiate
 * the subscription through @sys. Takes ownership of @fd (closed by
 * proccn_close(), and on failure). proccn_open() is socket + bind + this.
 */
int proccn__open_fd(struct proccn **out, const struct proccn_opts *opts, int fd,
		const struct pcn_sys *sys);

#endif
