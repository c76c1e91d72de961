/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Datagrams and requests of the proc connector (see dgram.h). */
#include "dgram.h"

#include <errno.h>
#include <linux/netlink.h>
#include <sys/socket.h>

/* nlmsghdr (NLMSG_DONE, flags 0, pid 0) and cn_msg for the proc connector, zeros after. */
static void put_headers(uint8_t *out, size_t size, uint32_t seq, uint32_t ack, uint16_t cn_len)
{
	memset(out, 0, size);
	dgram_put32(out + DGRAM_OFF_NL_LEN, (uint32_t)size);
	dgram_put16(out + DGRAM_OFF_NL_TYPE, DGRAM_NLMSG_DONE);
	dgram_put32(out + DGRAM_OFF_NL_SEQ, seq);
	dgram_put32(out + DGRAM_OFF_CN_IDX, DGRAM_CN_IDX_PROC);
	dgram_put32(out + DGRAM_OFF_CN_VAL, DGRAM_CN_VAL_PROC);
	dgram_put32(out + DGRAM_OFF_CN_SEQ, seq);
	dgram_put32(out + DGRAM_OFF_CN_ACK, ack);
	dgram_put16(out + DGRAM_OFF_CN_LEN, cn_len);
}

size_t dgram_build(uint8_t out[DGRAM_LEN], uint32_t seq, uint32_t ack, uint32_t what,
		   uint32_t cpu, uint64_t ts, const uint8_t data[DGRAM_DATA_LEN])
{
	put_headers(out, DGRAM_LEN, seq, ack, DGRAM_EV_LEN);
	dgram_put32(out + DGRAM_OFF_WHAT, what);
	dgram_put32(out + DGRAM_OFF_CPU, cpu);
	dgram_put64(out + DGRAM_OFF_TS, ts);
	if (data)
		memcpy(out + DGRAM_OFF_DATA, data, DGRAM_DATA_LEN);
	return DGRAM_LEN;
}

size_t dgram_build_request(uint8_t out[DGRAM_REQ_MAX], uint32_t op, uint32_t mask,
			   uint16_t len, uint32_t nonce)
{
	size_t size = DGRAM_OFF_REQ_OP + (size_t)(len > DGRAM_REQ_INPUT ? DGRAM_REQ_INPUT : len);

	/* a subscriber's request has sequence number 0 (the kernel does not read it) */
	put_headers(out, size, 0, nonce, len);
	dgram_put32(out + DGRAM_OFF_REQ_OP, op);
	if (len >= DGRAM_REQ_INPUT)
		dgram_put32(out + DGRAM_OFF_REQ_MASK, mask);
	return size;
}

int dgram_parse_request(const uint8_t *buf, size_t size, struct dgram_request *rq)
{
	uint8_t b[DGRAM_REQ_MAX];

	memset(rq, 0, sizeof(*rq));
	if (size < DGRAM_OFF_REQ_OP)
		return 0;   /* not even the headers: nothing to read */
	memset(b, 0, sizeof(b));
	memcpy(b, buf, size < sizeof(b) ? size : sizeof(b));
	rq->nl_len = dgram_get32(b + DGRAM_OFF_NL_LEN);
	rq->nl_type = dgram_get16(b + DGRAM_OFF_NL_TYPE);
	rq->nl_flags = dgram_get16(b + DGRAM_OFF_NL_FLAGS);
	rq->idx = dgram_get32(b + DGRAM_OFF_CN_IDX);
	rq->val = dgram_get32(b + DGRAM_OFF_CN_VAL);
	rq->seq = dgram_get32(b + DGRAM_OFF_CN_SEQ);
	rq->nonce = dgram_get32(b + DGRAM_OFF_CN_ACK);
	rq->len = dgram_get16(b + DGRAM_OFF_CN_LEN);
	if (rq->len >= DGRAM_REQ_LEGACY && size >= DGRAM_OFF_REQ_OP + 4)
		rq->op = dgram_get32(b + DGRAM_OFF_REQ_OP);
	if (rq->len >= DGRAM_REQ_INPUT && size >= DGRAM_OFF_REQ_MASK + 4)
		rq->mask = dgram_get32(b + DGRAM_OFF_REQ_MASK);
	return rq->nl_len == size &&
	       size == DGRAM_OFF_REQ_OP + (size_t)rq->len && rq->nl_type == DGRAM_NLMSG_DONE &&
	       rq->nl_flags == 0 && rq->idx == DGRAM_CN_IDX_PROC && rq->val == DGRAM_CN_VAL_PROC;
}

int dgram_send_request(int fd, uint32_t op, uint32_t mask, uint16_t len, uint32_t nonce)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	uint8_t buf[DGRAM_REQ_MAX];
	size_t size = dgram_build_request(buf, op, mask, len, nonce);

	if (sendto(fd, buf, size, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	return 0;
}
