/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading datagrams in batches and walking the netlink messages in them.
 * Everything the kernel would never send is dropped here and counted, so the
 * callers above see only well-formed events and ACKs from the kernel.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <string.h>

#include "handle.h"

/*
 * pcn_recv_batch - read up to PCN_BATCH datagrams without blocking. Returns
 * the count (> 0), or a negative errno (-EAGAIN when the socket is empty,
 * -ENOBUFS once after the receive buffer overflowed).
 */
int pcn_recv_batch(struct proccn *h)
{
	unsigned int i;
	int n;

	for (i = 0; i < PCN_BATCH; i++) {
		struct msghdr *m = &h->msgs[i].msg_hdr;

		m->msg_name = &h->addrs[i];
		m->msg_namelen = sizeof(h->addrs[i]);
		m->msg_iov = &h->iovs[i];
		m->msg_iovlen = 1;
		m->msg_control = NULL;
		m->msg_controllen = 0;
		m->msg_flags = 0;
		h->msgs[i].msg_len = 0;
	}
	n = h->sys.recvmmsg(h->sys.ctx, h->fd, h->msgs, PCN_BATCH, MSG_DONTWAIT);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -EAGAIN;
	h->batch_len = (unsigned int)n;
	h->batch_pos = 0;
	h->batch_off = 0;
	h->cnt.datagrams += (uint64_t)n;
	return n;
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

static void account(struct proccn *h, const struct pcn_decoded *d)
{
	if (d->cls == PCN_MSG_ACK)
		h->cnt.acks++;
	else
		h->cnt.received++;
	pcn_seq_account(h, d->ev.hdr.cpu, d->seq);
}

/*
 * pcn_next_message - the next well-formed event or ACK of the current batch.
 * Returns 1 with *out filled, or 0 when the batch is used up.
 */
int pcn_next_message(struct proccn *h, struct pcn_decoded *out)
{
	while (h->batch_pos < h->batch_len) {
		unsigned int i = h->batch_pos;
		const uint8_t *buf = h->bufs + (size_t)i * PCN_SLOT_SIZE;
		int len = (int)h->msgs[i].msg_len;
		const struct nlmsghdr *nlh;

		if (h->batch_off == 0 && !datagram_acceptable(h, i)) {
			h->batch_pos++;
			continue;
		}
		if (h->batch_off >= (unsigned int)len) {
			h->batch_pos++;
			h->batch_off = 0;
			continue;
		}
		nlh = (const struct nlmsghdr *)(const void *)(buf + h->batch_off);
		len -= (int)h->batch_off;
		if (!mnl_nlmsg_ok(nlh, len)) {
			/* a length that runs past the datagram ends the walk */
			h->cnt.malformed++;
			h->batch_pos++;
			h->batch_off = 0;
			continue;
		}
		h->batch_off += NLMSG_ALIGN(nlh->nlmsg_len);
		pcn_decode(nlh, out);
		if (out->cls == PCN_MSG_MALFORMED) {
			h->cnt.malformed++;
			continue;
		}
		account(h, out);
		return 1;
	}
	return 0;
}
