/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fd that proccn_fd() gives event loops: an epoll instance watching the
 * socket and an eventfd. The socket makes it readable when datagrams are
 * queued; the eventfd when the handle itself holds work (events kept from
 * negotiation or from a stopped dispatch, a loss report due, an overrun
 * whose drain is pending), so that the fd never hides work.
 */
#ifndef PCN_NOTIFY_H
#define PCN_NOTIFY_H

struct pcn_notify {
	int epoll_fd;
	int event_fd;
	int raised;               /* the eventfd holds a count */
};

/* proccn__notify_open - both fds, non-blocking and close-on-exec: 0 or -errno. */
int proccn__notify_open(struct pcn_notify *n, int socket_fd);
void proccn__notify_close(struct pcn_notify *n);

/*
 * proccn__notify_set - make the eventfd say whether the handle holds work.
 * A syscall only when that changes. Returns 0 or -errno.
 */
int proccn__notify_set(struct pcn_notify *n, int work);

#endif
