/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Inside the fake kernel: the queue between the fake and the library's
 * socket (socket or memory mode, see fake_kernel.h). Not for tests.
 */
#ifndef TESTS_COMMON_FAKE_QUEUE_H
#define TESTS_COMMON_FAKE_QUEUE_H

#include <poll.h>
#include <sys/socket.h>

#include "fake_kernel.h"

/* fk_queue_init - allocate what the mode needs up front. Returns 0 or -1. */
int fk_queue_init(struct fake_kernel *fk);
/* fk_queue_fini - free the queue and the bulk datagrams. */
void fk_queue_fini(struct fake_kernel *fk);
/* fk_queue_recvmmsg / fk_queue_poll - the library's recvmmsg and poll. */
int fk_queue_recvmmsg(struct fake_kernel *fk, int fd, struct mmsghdr *vec, unsigned int n,
		      int flags);
int fk_queue_poll(struct fake_kernel *fk, struct pollfd *pfd, nfds_t n, int timeout_ms);
/* fk_next_cpu - the CPU the next generated message comes from. */
unsigned int fk_next_cpu(struct fake_kernel *fk);
/* fk_reaches_socket - would the kernel put a message of @what (@data: its union) on our socket? */
int fk_reaches_socket(const struct fake_kernel *fk, uint32_t what, const uint8_t data[24]);

#endif
