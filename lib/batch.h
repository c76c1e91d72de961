/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The receive batch: datagrams read with one recvmmsg(2), and the walk over
 * the netlink messages in them. Everything the kernel would never send is
 * dropped here and counted, so callers see only well-formed events and ACKs
 * from the kernel.
 */
#ifndef PCN_BATCH_H
#define PCN_BATCH_H

#include <linux/netlink.h>
#include <stdint.h>
#include <sys/socket.h>

#include "parse.h"
#include "sys.h"

/* Datagrams read per recvmmsg(2), and the room for each (one event is 76 bytes). */
#define PCN_BATCH      64
#define PCN_SLOT_SIZE  512

struct pcn_batch {
	struct mmsghdr *msgs;
	struct iovec *iovs;
	struct sockaddr_nl *addrs;
	uint8_t *bufs;
	unsigned int len;         /* datagrams in the batch */
	unsigned int pos;         /* current datagram */
	unsigned int off;         /* offset of the next message in it */
	uint64_t datagrams, received, acks, malformed, spoofed;
};

/* proccn__batch_init - allocate the batch: 0 or -ENOMEM. */
int proccn__batch_init(struct pcn_batch *b);
void proccn__batch_fini(struct pcn_batch *b);

/*
 * proccn__batch_read - replace the batch with up to PCN_BATCH datagrams from
 * @fd. @wait_ms 0 takes what is queued; -1 sleeps in the read until a
 * datagram comes (one syscall per wake-up: MSG_WAITFORONE on a blocking
 * socket); > 0 polls first for at most that long (a socket's own timeout is
 * counted in scheduler ticks, several ms). Returns the count (> 0) or a
 * negative errno: -EAGAIN when nothing came, -ENOBUFS once after the receive
 * buffer overflowed, -EINTR for a signal.
 */
int proccn__batch_read(struct pcn_batch *b, int fd, const struct pcn_sys *sys, int wait_ms);

/*
 * proccn__batch_next - the next well-formed event or ACK of the batch into
 * *out: 1, or 0 when the batch is used up.
 */
int proccn__batch_next(struct pcn_batch *b, struct pcn_decoded *out);

/* proccn__batch_left - datagrams of the batch not yet walked. */
static inline unsigned int proccn__batch_left(const struct pcn_batch *b)
{
	return b->len - b->pos;
}

#endif
