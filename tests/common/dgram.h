/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The proc connector's datagrams and requests, built and read byte by byte:
 * the one description of the wire that the tests and the benchmarks share
 * (the fake kernel, the fuzz harness, the VM checker, the spoofing test, the
 * naive storm consumer). It is written from the kernel's layout
 * (/work/shared/kernel-notes.md: nlmsghdr 16 + cn_msg 20 + proc_event 40),
 * not from lib/, so that a mistake in the library's own wire code cannot
 * hide itself in the tests.
 *
 * Every access goes through memcpy: the buffers are plain byte arrays (or
 * slices of a larger frame) with no alignment promise, and proc_event's u64
 * timestamp sits at byte 44 of a datagram.
 */
#ifndef TESTS_COMMON_DGRAM_H
#define TESTS_COMMON_DGRAM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* nlmsghdr (16) + cn_msg (20) + proc_event (40): what cn_proc sends. */
#define DGRAM_NL_HDR_LEN 16
#define DGRAM_CN_HDR_LEN 20
#define DGRAM_EV_LEN     40
#define DGRAM_DATA_LEN   24   /* proc_event's union */
#define DGRAM_LEN        (DGRAM_NL_HDR_LEN + DGRAM_CN_HDR_LEN + DGRAM_EV_LEN)

/* Offsets in a datagram (and, up to DGRAM_OFF_CN_FLAGS, in a request). */
#define DGRAM_OFF_NL_LEN    0
#define DGRAM_OFF_NL_TYPE   4
#define DGRAM_OFF_NL_FLAGS  6
#define DGRAM_OFF_NL_SEQ    8
#define DGRAM_OFF_NL_PID    12
#define DGRAM_OFF_CN_IDX    16
#define DGRAM_OFF_CN_VAL    20
#define DGRAM_OFF_CN_SEQ    24
#define DGRAM_OFF_CN_ACK    28
#define DGRAM_OFF_CN_LEN    32
#define DGRAM_OFF_CN_FLAGS  34
#define DGRAM_OFF_WHAT      36   /* proc_event: what, cpu, timestamp_ns, event_data */
#define DGRAM_OFF_CPU       40
#define DGRAM_OFF_TS        44
#define DGRAM_OFF_DATA      52   /* the 24-byte union */

/* Members of the union, as offsets in a datagram (all u32, kernel order). */
#define DGRAM_OFF_PID        (DGRAM_OFF_DATA + 0)   /* FORK: parent_pid; ACK: err */
#define DGRAM_OFF_TGID       (DGRAM_OFF_DATA + 4)   /* FORK: parent_tgid */
#define DGRAM_OFF_EXIT_CODE  (DGRAM_OFF_DATA + 8)   /* EXIT */
#define DGRAM_OFF_CHILD_PID  (DGRAM_OFF_DATA + 8)   /* FORK */
#define DGRAM_OFF_CHILD_TGID (DGRAM_OFF_DATA + 12)  /* FORK */

/* A request's payload (mcast_op, then the 6.6+ event_type) follows cn_msg. */
#define DGRAM_OFF_REQ_OP    36
#define DGRAM_OFF_REQ_MASK  40
#define DGRAM_REQ_LEGACY    4u   /* cn_msg.len: mcast_op alone (mask ALL, any kernel) */
#define DGRAM_REQ_INPUT     8u   /* cn_msg.len: struct proc_input (6.6+) */
#define DGRAM_REQ_MAX       (DGRAM_OFF_REQ_OP + DGRAM_REQ_INPUT)

/* <linux/connector.h> and <linux/cn_proc.h> values. */
#define DGRAM_CN_IDX_PROC 1u
#define DGRAM_CN_VAL_PROC 1u
#define DGRAM_MCAST_LISTEN 1u
#define DGRAM_MCAST_IGNORE 2u
#define DGRAM_NLMSG_DONE   3u

/* dgram_get16/32/64 and dgram_put16/32/64: native byte order, any alignment. */
#define DGRAM_ACCESSORS(bits)                                                  \
	static inline uint##bits##_t dgram_get##bits(const uint8_t *p)         \
	{                                                                      \
		uint##bits##_t v;                                              \
		memcpy(&v, p, sizeof(v));                                      \
		return v;                                                      \
	}                                                                      \
	static inline void dgram_put##bits(uint8_t *p, uint##bits##_t v)       \
	{                                                                      \
		memcpy(p, &v, sizeof(v));                                      \
	}
DGRAM_ACCESSORS(16)
DGRAM_ACCESSORS(32)
DGRAM_ACCESSORS(64)

/*
 * dgram_build - write one datagram exactly as cn_proc does: nlmsghdr of type
 * NLMSG_DONE, flags 0, pid 0 and nlmsg_seq = @seq (cn_netlink_send copies the
 * message's sequence number there); cn_msg 1/1 with @seq, @ack and len 40;
 * then proc_event @what, @cpu, @ts and the 24 bytes of @data (zeros when
 * NULL; an ACK carries its errno in the first four). Returns DGRAM_LEN.
 */
size_t dgram_build(uint8_t out[DGRAM_LEN], uint32_t seq, uint32_t ack, uint32_t what,
		   uint32_t cpu, uint64_t ts, const uint8_t data[DGRAM_DATA_LEN]);

/* A subscription request, as a subscriber sends it to the kernel. */
struct dgram_request {
	uint32_t nl_len;
	uint16_t nl_type, nl_flags;
	uint32_t idx, val, seq, nonce;  /* nonce: cn_msg.ack; the ACK answers nonce + 1 */
	uint16_t len;                   /* cn_msg.len: DGRAM_REQ_LEGACY or DGRAM_REQ_INPUT */
	uint32_t op;                    /* mcast_op (0 when the payload is too short) */
	uint32_t mask;                  /* event_type (len 8 only, else 0) */
};

/*
 * dgram_build_request - @op (DGRAM_MCAST_*) with cn_msg.len @len: 4 (legacy,
 * mask ALL) or 8 (proc_input with @mask), and cn_msg.ack = @nonce. Returns
 * the request's size, 36 + @len.
 */
size_t dgram_build_request(uint8_t out[DGRAM_REQ_MAX], uint32_t op, uint32_t mask,
			   uint16_t len, uint32_t nonce);

/*
 * dgram_parse_request - read the first @size bytes a subscriber sent (fields
 * past the end read as 0). Returns 1 when the kernel would take it as a
 * request (nlmsg_len == size == 36 + cn_msg.len, NLMSG_DONE, flags 0,
 * connector 1/1; any cn_msg.len), else 0.
 */
int dgram_parse_request(const uint8_t *buf, size_t size, struct dgram_request *rq);

/*
 * dgram_send_request - send a request built by dgram_build_request() to the
 * kernel (nl_pid 0) on the netlink socket @fd. Returns 0 or -errno.
 */
int dgram_send_request(int fd, uint32_t op, uint32_t mask, uint16_t len, uint32_t nonce);

#endif
