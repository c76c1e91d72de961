/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading datagrams in batches and walking the netlink messages in them.
 * Everything the kernel would never send is dropped here and counted, so the
 * callers above see only well-formed events and ACKs from the kernel.
 */
#include <errno.h>
#include <string.h>
#include <sys/time.h>

#include "handle.h"

/*
 * "No limit" as SO_RCVTIMEO: a day, not 0. With no timeout the kernel restarts
 * a read interrupted by an SA_RESTART handler; with any finite one it returns
 * EINTR, as poll(2) does, and as proccn_dispatch() promises. When the day is
 * over the read says EAGAIN and the caller simply waits again.
 */
#define WAIT_FOREVER_S (24 * 3600)

/*
 * set_wait - make the socket's blocking reads give up after @wait_us
 * (-1: no limit). SO_RCVTIMEO is the only timeout a blocking recvmmsg(2)
 * honours; the value is kept, so a loop with a constant timeout sets it once.
 */
static int set_wait(struct proccn *h, int64_t wait_us)
{
	struct timeval tv = { WAIT_FOREVER_S, 0 };

	if (wait_us == h->rcvtimeo_us)
		return 0;
	if (wait_us > 0) {
		tv.tv_sec = (time_t)(wait_us / 1000000);
		tv.tv_usec = (suseconds_t)(wait_us % 1000000);
	}
	if (setsockopt(h->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	h->rcvtimeo_us = wait_us;
	return 0;
}

/*
 * pcn_recv_batch - read up to PCN_BATCH datagrams. @wait_us 0 reads what is
 * queued; otherwise the call sleeps until a datagram comes or @wait_us
 * microseconds pass (-1: no limit), and then takes what is queued: one
 * syscall per wake-up (MSG_WAITFORONE on the blocking socket). Returns the
 * count (> 0), or a negative errno: -EAGAIN when nothing came, -ENOBUFS once
 * after the receive buffer overflowed, -EINTR for a signal.
 */
int pcn_recv_batch(struct proccn *h, int64_t wait_us)
{
	unsigned int i;
	int n, flags = MSG_DONTWAIT;

	if (wait_us != 0) {
		n = set_wait(h, wait_us);
		if (n < 0)
			return n;
		flags = MSG_WAITFORONE;
	}
	/* recvmmsg overwrote only the name lengths of the last batch's entries */
	for (i = 0; i < h->batch_len; i++)
		h->msgs[i].msg_hdr.msg_namelen = sizeof(h->addrs[i]);
	h->batch_len = 0;
	h->batch_pos = 0;
	h->batch_off = 0;
	n = h->sys.recvmmsg(h->sys.ctx, h->fd, h->msgs, PCN_BATCH, flags);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (n == 0)
		return -EAGAIN;
	h->batch_len = (unsigned int)n;
	h->cnt.datagrams += (uint64_t)n;
	return n;
}

/* Every entry of the batch points at its own slot and address, once for all. */
void pcn_recv_init(struct proccn *h)
{
	unsigned int i;

	for (i = 0; i < PCN_BATCH; i++) {
		struct msghdr *m = &h->msgs[i].msg_hdr;

		h->iovs[i].iov_base = h->bufs + (size_t)i * PCN_SLOT_SIZE;
		h->iovs[i].iov_len = PCN_SLOT_SIZE;
		m->msg_name = &h->addrs[i];
		m->msg_namelen = sizeof(h->addrs[i]);
		m->msg_iov = &h->iovs[i];
		m->msg_iovlen = 1;
	}
}

/* A datagram counts only if the kernel sent it whole. */
static int datagram_acceptable(struct proccn *h, unsigned int i)
{
	const struct msghdr *m = &h->msgs[i].msg_hdr;
	const struct sockaddr_nl *sa = &h->addrs[i];

	if (m->msg_namelen < sizeof(*sa) || sa->nl_family != AF_NETLINK || sa->nl_pid != 0) {
		h->cnt.spoofed++;
		return 0;
	}
	if (m->msg_flags & MSG_TRUNC) {
		h->cnt.malformed++;
		return 0;
	}
	return 1;
}

/*
 * A message fits when its header and its declared length lie within what is
 * left of the datagram. (libmnl's mnl_nlmsg_ok() compares the length as a
 * signed int, so it lets lengths of 2 GiB and more through.)
 */
static int message_fits(const struct nlmsghdr *nlh, uint32_t left)
{
	return left >= NLMSG_HDRLEN && nlh->nlmsg_len >= NLMSG_HDRLEN && nlh->nlmsg_len <= left;
}

/*
 * pcn_next_message - the next well-formed event or ACK of the current batch.
 * Returns 1 with *out filled, or 0 when the batch is used up. The cursor
 * moves past a datagram as soon as its last message is taken.
 */
int pcn_next_message(struct proccn *h, struct pcn_decoded *out)
{
	while (h->batch_pos < h->batch_len) {
		unsigned int pos = h->batch_pos;
		uint32_t len = h->msgs[pos].msg_len, off = h->batch_off;
		const struct nlmsghdr *nlh;

		if (off == 0 && !datagram_acceptable(h, pos)) {
			h->batch_pos = pos + 1;
			continue;
		}
		nlh = (const struct nlmsghdr *)(const void *)(h->bufs + (size_t)pos * PCN_SLOT_SIZE + off);
		if (off == 0 && len >= NLMSG_HDRLEN && nlh->nlmsg_len == len) {
			/* the kernel's way: one message fills the datagram */
			h->batch_pos = pos + 1;
		} else if (!message_fits(nlh, len - off)) {
			/* a length that runs past the datagram ends its walk */
			h->cnt.malformed++;
			h->batch_pos = pos + 1;
			h->batch_off = 0;
			continue;
		} else {
			off += NLMSG_ALIGN(nlh->nlmsg_len);
			if (off >= len) {
				h->batch_pos = pos + 1;
				off = 0;
			}
			h->batch_off = off;
		}
		proccn__decode(nlh, out);
		if (out->cls == PCN_MSG_MALFORMED) {
			h->cnt.malformed++;
			continue;
		}
		if (out->cls == PCN_MSG_ACK)
			h->cnt.acks++;
		else
			h->cnt.received++;
		if (h->seq_exact && out->ev.hdr.timestamp_ns >= h->exact_from_ns)
			pcn_seq_account(h, out->ev.hdr.cpu, out->seq);
		return 1;
	}
	return 0;
}
