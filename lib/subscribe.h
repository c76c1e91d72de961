/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The subscription: the protocol negotiated with the kernel, the mask, and
 * the requests that set them. Written only by subscribe.c.
 */
#ifndef PCN_SUBSCRIBE_H
#define PCN_SUBSCRIBE_H

#include <stddef.h>
#include <stdint.h>

#define PCN_DEFAULT_ACK_TIMEOUT_MS 250

struct proccn;

struct pcn_subscription {
	int mode;                 /* PROCCN_MODE_*, 0 while negotiating */
	int subscribed;           /* a LISTEN was ACKed and no IGNORE sent yet */
	uint32_t events;          /* normalised mask */
	uint32_t flags;           /* PROCCN_F_* */
	int ack_timeout_ms;
	int socket_filter;        /* a BPF program is attached */
	uint32_t nonce;           /* the last request's cn_msg.ack */
	uint32_t req_seq;
};

/*
 * proccn__subscribe - negotiate the best protocol the kernel has, then apply
 * the mask (kernel request, socket filter, exact loss counting). Events read
 * meanwhile are kept in the handle's pending queue. Returns 0 or -errno.
 */
int proccn__subscribe(struct proccn *h);

/*
 * proccn__send_request - send LISTEN or IGNORE: @len PCN_REQ_INPUT_LEN
 * (struct proc_input with @events) or PCN_REQ_LEGACY_LEN (mcast_op alone).
 * Returns 0 or -errno from send(2).
 */
int proccn__send_request(struct proccn *h, uint32_t op, uint32_t events, size_t len);

#endif
