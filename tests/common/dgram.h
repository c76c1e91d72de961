/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The proc connector's datagram, built and read byte by byte for the test
 * fakes (tests/unit/fake_kernel.c), the synthetic benchmark (bench/synth.c)
 * and the VM checker (tests/vm/legacy_check.c). It is written from the kernel's
 * layout, not from lib/, so that a mistake in the library's own wire code
 * cannot hide itself in the tests.
 *
 * Every access goes through memcpy (lib/wire.h's pcn_get_* / pcn_put_*): the
 * buffers are plain byte arrays (or slices of a larger frame) with no
 * alignment promise.
 */
#ifndef TESTS_COMMON_DGRAM_H
#define TESTS_COMMON_DGRAM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wire.h" /* byte access only (pcn_get_u32...); the offsets here are our own */

/* nlmsghdr (16) + cn_msg (20) + proc_event (40): what cn_proc sends. */
#define DGRAM_LEN 76

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
/* A request's payload (mcast_op, then the 6.6+ event_type) follows cn_msg. */
#define DGRAM_OFF_REQ_OP    36
#define DGRAM_OFF_REQ_MASK  40

/* CN_IDX_PROC / CN_VAL_PROC, from <linux/connector.h>. */
#define DGRAM_CN_IDX_PROC 1u
#define DGRAM_CN_VAL_PROC 1u

static inline void dgram_put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

/*
 * dgram_build - write one datagram exactly as cn_proc does: nlmsghdr of type
 * NLMSG_DONE, flags 0, pid 0 and nlmsg_seq = @seq (cn_netlink_send copies the
 * message's sequence number there); cn_msg 1/1 with @seq, @ack and len 40;
 * then proc_event @what, @cpu, @ts and the 24 bytes of @data (zeros when
 * NULL; an ACK carries its errno in the first four). Returns DGRAM_LEN.
 */
size_t dgram_build(uint8_t out[DGRAM_LEN], uint32_t seq, uint32_t ack, uint32_t what,
		   uint32_t cpu, uint64_t ts, const uint8_t data[24]);

#endif
