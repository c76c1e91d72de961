/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The datagram builder of the test fakes (see dgram.h). */
#include "dgram.h"

#include <linux/netlink.h>

size_t dgram_build(uint8_t out[DGRAM_LEN], uint32_t seq, uint32_t ack, uint32_t what,
		   uint32_t cpu, uint64_t ts, const uint8_t data[24])
{
	memset(out, 0, DGRAM_LEN);
	dgram_put32(out + DGRAM_OFF_NL_LEN, DGRAM_LEN);
	dgram_put16(out + DGRAM_OFF_NL_TYPE, NLMSG_DONE);
	dgram_put32(out + DGRAM_OFF_NL_SEQ, seq);
	dgram_put32(out + DGRAM_OFF_CN_IDX, DGRAM_CN_IDX_PROC);
	dgram_put32(out + DGRAM_OFF_CN_VAL, DGRAM_CN_VAL_PROC);
	dgram_put32(out + DGRAM_OFF_CN_SEQ, seq);
	dgram_put32(out + DGRAM_OFF_CN_ACK, ack);
	dgram_put16(out + DGRAM_OFF_CN_LEN, DGRAM_LEN - DGRAM_OFF_WHAT);
	dgram_put32(out + DGRAM_OFF_WHAT, what);
	dgram_put32(out + DGRAM_OFF_CPU, cpu);
	dgram_put64(out + DGRAM_OFF_TS, ts);
	if (data)
		memcpy(out + DGRAM_OFF_DATA, data, 24);
	return DGRAM_LEN;
}
