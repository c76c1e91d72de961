/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The datagram builder of the test fakes (see dgram.h). */
#include "dgram.h"

#include <linux/netlink.h>

size_t dgram_build(uint8_t out[DGRAM_LEN], uint32_t seq, uint32_t ack, uint32_t what,
		   uint32_t cpu, uint64_t ts, const uint8_t data[24])
{
	memset(out, 0, DGRAM_LEN);
	pcn_put_u32(out + DGRAM_OFF_NL_LEN, DGRAM_LEN);
	pcn_put_u16(out + DGRAM_OFF_NL_TYPE, NLMSG_DONE);
	pcn_put_u32(out + DGRAM_OFF_NL_SEQ, seq);
	pcn_put_u32(out + DGRAM_OFF_CN_IDX, DGRAM_CN_IDX_PROC);
	pcn_put_u32(out + DGRAM_OFF_CN_VAL, DGRAM_CN_VAL_PROC);
	pcn_put_u32(out + DGRAM_OFF_CN_SEQ, seq);
	pcn_put_u32(out + DGRAM_OFF_CN_ACK, ack);
	pcn_put_u16(out + DGRAM_OFF_CN_LEN, DGRAM_LEN - DGRAM_OFF_WHAT);
	pcn_put_u32(out + DGRAM_OFF_WHAT, what);
	pcn_put_u32(out + DGRAM_OFF_CPU, cpu);
	dgram_put64(out + DGRAM_OFF_TS, ts);
	if (data)
		memcpy(out + DGRAM_OFF_DATA, data, 24);
	return DGRAM_LEN;
}
