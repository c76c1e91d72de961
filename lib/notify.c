/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The event loop's fd: see notify.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "notify.h"

int proccn__notify_open(struct pcn_notify *n, int socket_fd)
{
	struct epoll_event ev = { .events = EPOLLIN };

	n->raised = 0;
	n->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	n->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (n->epoll_fd < 0 || n->event_fd < 0)
		return -errno;
	/* epoll_create1() takes no O_NONBLOCK: an event loop must never block on ours */
	if (fcntl(n->epoll_fd, F_SETFL, O_NONBLOCK) < 0 ||
	    epoll_ctl(n->epoll_fd, EPOLL_CTL_ADD, socket_fd, &ev) < 0 ||
	    epoll_ctl(n->epoll_fd, EPOLL_CTL_ADD, n->event_fd, &ev) < 0)
		return -errno;
	return 0;
}

void proccn__notify_close(struct pcn_notify *n)
{
	if (n->epoll_fd >= 0)
		close(n->epoll_fd);
	if (n->event_fd >= 0)
		close(n->event_fd);
	n->epoll_fd = -1;
	n->event_fd = -1;
}

int proccn__notify_set(struct pcn_notify *n, int work)
{
	uint64_t v = 1;

	work = work != 0;
	if (work == n->raised)
		return 0;
	if (work ? write(n->event_fd, &v, sizeof(v)) < 0 : read(n->event_fd, &v, sizeof(v)) < 0)
		return -errno;
	n->raised = work;
	return 0;
}
