/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The proc connector's wire format, as byte offsets. We never cast the
 * receive buffer to kernel structs: proc_event starts at byte 36 of a
 * datagram, so its u64 timestamp is misaligned; fields are read with memcpy.
 */
#ifndef PCN_WIRE_H
#define PCN_WIRE_H

#include <stdint.h>
#include <string.h>

#define PCN_CN_IDX_PROC 1u
#define PCN_CN_VAL_PROC 1u
#define PCN_MCAST_LISTEN 1u
#define PCN_MCAST_IGNORE 2u

/* struct cn_msg: idx u32, val u32, seq u32, ack u32, len u16, flags u16 */
#define PCN_CN_OFF_IDX   0
#define PCN_CN_OFF_VAL   4
#define PCN_CN_OFF_SEQ   8
#define PCN_CN_OFF_ACK   12
#define PCN_CN_OFF_LEN   16
#define PCN_CN_OFF_FLAGS 18
#define PCN_CN_HDR_LEN   20

/* struct proc_event: what u32, cpu u32, timestamp_ns u64, union */
#define PCN_EV_OFF_WHAT  0
#define PCN_EV_OFF_CPU   4
#define PCN_EV_OFF_TS    8
#define PCN_EV_OFF_DATA  16
#define PCN_EV_DATA_LEN  24
#define PCN_EV_LEN       (PCN_EV_OFF_DATA + PCN_EV_DATA_LEN)

/* Offsets in a whole datagram: nlmsghdr (16) + cn_msg (20) + proc_event. */
#define PCN_DGRAM_OFF_CN    16
#define PCN_DGRAM_OFF_EVENT (PCN_DGRAM_OFF_CN + PCN_CN_HDR_LEN)
#define PCN_DGRAM_OFF_WHAT  (PCN_DGRAM_OFF_EVENT + PCN_EV_OFF_WHAT)
#define PCN_DGRAM_OFF_DATA  (PCN_DGRAM_OFF_EVENT + PCN_EV_OFF_DATA)
#define PCN_DGRAM_LEN       (PCN_DGRAM_OFF_EVENT + PCN_EV_LEN)

/* Request payloads: legacy mcast_op alone, or struct proc_input. */
#define PCN_REQ_LEGACY_LEN 4
#define PCN_REQ_INPUT_LEN  8

static inline uint32_t pcn_get_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint16_t pcn_get_u16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t pcn_get_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void pcn_put_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static inline void pcn_put_u16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

#endif
