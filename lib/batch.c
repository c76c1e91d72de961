/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading datagrams in batches and walking the netlink messages in them. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"

int proccn__batch_init(struct pcn_batch *b)
{
	unsigned int i;

	memset(b, 0, sizeof(*b));
	b->msgs = calloc(PCN_BATCH, sizeof(*b->msgs));
	b->iovs = calloc(PCN_BATCH, sizeof(*b->iovs));
	b->addrs = calloc(PCN_BATCH, sizeof(*b->addrs));
	b->bufs = aligned_alloc(16, (size_t)PCN_BATCH * PCN_SLOT_SIZE);
	if (!b->msgs || !b->iovs || !b->addrs || !b->bufs) {
		proccn__batch_fini(b);
		return -ENOMEM;
	}
	/* every entry points at its own slot and address, once for all */
	for (i = 0; i < PCN_BATCH; i++) {
		struct msghdr *m = &b->msgs[i].msg_hdr;

		b->iovs[i].iov_base = b->bufs + (size_t)i * PCN_SLOT_SIZE;
		b->iovs[i].iov_len = PCN_SLOT_SIZE;
		m->msg_name = &b->addrs[i];
		m->msg_namelen = sizeof(b->addrs[i]);
		m->msg_iov = &b->iovs[i];
		m->msg_iovlen = 1;
	}
	return 0;
}

void proccn__batch_fini(struct pcn_batch *b)
{
	free(b->msgs);
	free(b->iovs);
	free(b->addrs);
	free(b->bufs);
	memset(b, 0, sizeof(*b));
}

/* Wait up to @wait_ms for the socket to be readable: 1, 0 on timeout, or -errno. */
static int wait_readable(int fd, const struct pcn_sys *sys, int wait_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int n = sys->poll(sys->ctx, &pfd, 1, wait_ms);

	if (n < 0)
		return -errno;
	return n > 0;
}

int proccn__batch_read(struct pcn_batch *b, int fd, const struct pcn_sys *sys, int wait_ms)
{
	unsigned int i;
	int n, flags = MSG_DONTWAIT;

	if (wait_ms > 0) {
		n = wait_readable(fd, sys, wait_ms);
		if (n <= 0)
			return n < 0 ? n : -EAGAIN;
	} else if (wait_ms < 0) {
		flags = MSG_WAITFORONE;
	}
	/* recvmmsg overwrote only the name lengths of the last batch's entries */
	for (i = 0; i < b->len; i++)
		b->msgs[i].msg_hdr.msg_namelen = sizeof(b->addrs[i]);
	b->len = 0;
	b->pos = 0;
	b->off = 0;
	n = sys->recvmmsg(sys->ctx, fd, b->msgs, PCN_BATCH, flags);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (n == 0)
		return -EAGAIN;
	b->len = (unsigned int)n;
	b->datagrams += (uint64_t)n;
	return n;
}

/* A datagram counts only if the kernel sent it whole. */
static int datagram_acceptable(struct pcn_batch *b, unsigned int i)
{
	const struct msghdr *m = &b->msgs[i].msg_hdr;
	const struct sockaddr_nl *sa = &b->addrs[i];

	if (m->msg_namelen < sizeof(*sa) || sa->nl_family != AF_NETLINK || sa->nl_pid != 0) {
		b->spoofed++;
		return 0;
	}
	if (m->msg_flags & MSG_TRUNC) {
		b->malformed++;
		return 0;
	}
	return 1;
}

/*
 * The walk is our own, not libmnl's: mnl_nlmsg_ok() (libmnl 1.0.4) compares
 * nlmsg_len as a signed int, so it lets lengths of 2 GiB and more through,
 * and mnl_cb_run() stops at NLMSG_DONE, the type of every proc event. A
 * message fits when its header and its declared length lie within what is
 * left of the datagram.
 */
static int message_fits(const struct nlmsghdr *nlh, uint32_t left)
{
	return left >= NLMSG_HDRLEN && nlh->nlmsg_len >= NLMSG_HDRLEN && nlh->nlmsg_len <= left;
}

int proccn__batch_next(struct pcn_batch *b, struct pcn_decoded *out)
{
	while (b->pos < b->len) {
		unsigned int pos = b->pos;
		uint32_t len = b->msgs[pos].msg_len, off = b->off;
		const struct nlmsghdr *nlh;

		if (off == 0 && !datagram_acceptable(b, pos)) {
			b->pos = pos + 1;
			continue;
		}
		nlh = (const struct nlmsghdr *)(const void *)(b->bufs + (size_t)pos * PCN_SLOT_SIZE + off);
		if (off == 0 && len >= NLMSG_HDRLEN && nlh->nlmsg_len == len) {
			/* the kernel's way: one message fills the datagram */
			b->pos = pos + 1;
		} else if (!message_fits(nlh, len - off)) {
			/* a length that runs past the datagram ends its walk */
			b->malformed++;
			b->pos = pos + 1;
			b->off = 0;
			continue;
		} else {
			off += NLMSG_ALIGN(nlh->nlmsg_len);
			if (off >= len) {
				b->pos = pos + 1;
				off = 0;
			}
			b->off = off;
		}
		proccn__decode(nlh, out);
		if (out->cls == PCN_MSG_MALFORMED) {
			b->malformed++;
			continue;
		}
		if (out->cls == PCN_MSG_ACK)
			b->acks++;
		else
			b->received++;
		return 1;
	}
	return 0;
}
