/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Decoding one netlink message of a proc connector datagram. */
#ifndef PCN_PARSE_H
#define PCN_PARSE_H

#include <linux/netlink.h>
#include <stddef.h>
#include <stdint.h>

#include "proccn.h"

enum pcn_class {
	PCN_MSG_EVENT,       /* ev is filled */
	PCN_MSG_ACK,         /* ack_nonce and ack_err are filled, ev.hdr too */
	PCN_MSG_MALFORMED,   /* counted, skipped */
};

struct pcn_decoded {
	enum pcn_class cls;
	uint32_t seq;         /* cn_msg.seq: per-CPU counter */
	uint32_t ack_nonce;   /* cn_msg.ack of an ACK */
	uint32_t ack_err;     /* positive errno carried by an ACK */
	union proccn_event ev;
};

/*
 * proccn__decode - classify and decode one netlink message whose nlmsg_len has
 * been checked to fit the datagram (by the batch walk, see batch.c). Reads
 * nothing past nlmsg_len, and nothing of the event past cn_msg.len.
 */
void proccn__decode(const struct nlmsghdr *nlh, struct pcn_decoded *out);

/* proccn__min_payload - bytes of the event union a kind needs (0 for unknown kinds). */
size_t proccn__min_payload(uint32_t kind);

#endif
