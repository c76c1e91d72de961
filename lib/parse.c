/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Decoding one proc connector message into a typed event. Lengths are taken
 * from the message itself (nlmsg_len, then cn_msg.len): a longer event is
 * accepted (the kernel may grow the union), a shorter one than its kind needs
 * is malformed.
 */
#include <libmnl/libmnl.h>
#include <string.h>

#include "parse.h"
#include "wire.h"

#define PCN_ACK_PAYLOAD 4           /* an ACK's data: err */

/* Bytes of the union each single-bit kind needs, by bit number. */
static const uint8_t min_payload_by_bit[32] = {
	[0] = 16,                  /* FORK: parent pid/tgid, child pid/tgid */
	[1] = 8,                   /* EXEC */
	[2] = 16,                  /* UID: pid, tgid, ruid, euid */
	[6] = 16,                  /* GID */
	[7] = 8,                   /* SID */
	[8] = 16,                  /* PTRACE */
	[9] = 8 + PROCCN_COMM_LEN, /* COMM */
	[30] = 16,                 /* COREDUMP */
	[31] = 24,                 /* EXIT */
};

size_t proccn__min_payload(uint32_t kind)
{
	if (kind == 0)
		return PCN_ACK_PAYLOAD;
	if (kind & (kind - 1))
		return 0; /* several bits: not a kind we know */
	return min_payload_by_bit[__builtin_ctz(kind)];
}

static pid_t get_pid(const uint8_t *data, unsigned int index)
{
	return (pid_t)pcn_get_u32(data + 4 * index);
}

/* A known kind's data is at least what the table says (constant per case). */
#define SHORT_FOR(kind, len) ((len) < min_payload_by_bit[__builtin_ctz(kind)])

/* Decode @len bytes of @kind's data; 0 when they are fewer than it needs. */
static int decode_payload(uint32_t kind, const uint8_t *data, size_t len,
			  struct pcn_decoded *out)
{
	union proccn_event *ev = &out->ev;

	/* known kinds set every field of their member; the rest start from zero */
	switch (kind) {
	case 0:
		if (len < PCN_ACK_PAYLOAD)
			return 0;
		memset(ev, 0, sizeof(*ev));
		out->ack_err = pcn_get_u32(data);
		break;
	case PROCCN_EV_FORK:
		if (SHORT_FOR(PROCCN_EV_FORK, len))
			return 0;
		ev->fork.parent_pid = get_pid(data, 0);
		ev->fork.parent_tgid = get_pid(data, 1);
		ev->fork.child_pid = get_pid(data, 2);
		ev->fork.child_tgid = get_pid(data, 3);
		break;
	case PROCCN_EV_EXEC:
		if (SHORT_FOR(PROCCN_EV_EXEC, len))
			return 0;
		ev->exec.pid = get_pid(data, 0);
		ev->exec.tgid = get_pid(data, 1);
		break;
	case PROCCN_EV_UID:
		if (SHORT_FOR(PROCCN_EV_UID, len))
			return 0;
		ev->uid.pid = get_pid(data, 0);
		ev->uid.tgid = get_pid(data, 1);
		ev->uid.ruid = pcn_get_u32(data + 8);
		ev->uid.euid = pcn_get_u32(data + 12);
		break;
	case PROCCN_EV_GID:
		if (SHORT_FOR(PROCCN_EV_GID, len))
			return 0;
		ev->gid.pid = get_pid(data, 0);
		ev->gid.tgid = get_pid(data, 1);
		ev->gid.rgid = pcn_get_u32(data + 8);
		ev->gid.egid = pcn_get_u32(data + 12);
		break;
	case PROCCN_EV_SID:
		if (SHORT_FOR(PROCCN_EV_SID, len))
			return 0;
		ev->sid.pid = get_pid(data, 0);
		ev->sid.tgid = get_pid(data, 1);
		break;
	case PROCCN_EV_PTRACE:
		if (SHORT_FOR(PROCCN_EV_PTRACE, len))
			return 0;
		ev->ptrace.pid = get_pid(data, 0);
		ev->ptrace.tgid = get_pid(data, 1);
		ev->ptrace.tracer_pid = get_pid(data, 2);
		ev->ptrace.tracer_tgid = get_pid(data, 3);
		break;
	case PROCCN_EV_COMM:
		if (SHORT_FOR(PROCCN_EV_COMM, len))
			return 0;
		ev->comm.pid = get_pid(data, 0);
		ev->comm.tgid = get_pid(data, 1);
		memcpy(ev->comm.comm, data + 8, PROCCN_COMM_LEN);
		ev->comm.comm[PROCCN_COMM_LEN - 1] = '\0';
		break;
	case PROCCN_EV_COREDUMP:
		if (SHORT_FOR(PROCCN_EV_COREDUMP, len))
			return 0;
		ev->coredump.pid = get_pid(data, 0);
		ev->coredump.tgid = get_pid(data, 1);
		ev->coredump.parent_pid = get_pid(data, 2);
		ev->coredump.parent_tgid = get_pid(data, 3);
		break;
	case PROCCN_EV_EXIT:
		if (SHORT_FOR(PROCCN_EV_EXIT, len))
			return 0;
		ev->exit.pid = get_pid(data, 0);
		ev->exit.tgid = get_pid(data, 1);
		ev->exit.exit_code = pcn_get_u32(data + 8);
		ev->exit.exit_signal = pcn_get_u32(data + 12);
		ev->exit.parent_pid = get_pid(data, 4);
		ev->exit.parent_tgid = get_pid(data, 5);
		break;
	default:
		memset(ev, 0, sizeof(*ev));
		ev->raw.len = (uint32_t)(len < PROCCN_RAW_LEN ? len : PROCCN_RAW_LEN);
		memcpy(ev->raw.data, data, ev->raw.len);
		break;
	}
	return 1;
}

void proccn__decode(const struct nlmsghdr *nlh, struct pcn_decoded *out)
{
	const uint8_t *cn = (const uint8_t *)nlh + MNL_NLMSG_HDRLEN;
	size_t payload = nlh->nlmsg_len - MNL_NLMSG_HDRLEN;
	const uint8_t *ev;
	size_t ev_len, data_len;
	uint32_t kind;

	out->cls = PCN_MSG_MALFORMED;
	/* the connector marks every message NLMSG_DONE; nothing else is ours */
	if (nlh->nlmsg_type != NLMSG_DONE || payload < PCN_CN_HDR_LEN)
		return;
	if (pcn_get_u32(cn + PCN_CN_OFF_IDX) != PCN_CN_IDX_PROC ||
	    pcn_get_u32(cn + PCN_CN_OFF_VAL) != PCN_CN_VAL_PROC)
		return;
	ev_len = pcn_get_u16(cn + PCN_CN_OFF_LEN);
	if (ev_len > payload - PCN_CN_HDR_LEN || ev_len < PCN_EV_OFF_DATA)
		return;
	ev = cn + PCN_CN_HDR_LEN;
	kind = pcn_get_u32(ev + PCN_EV_OFF_WHAT);
	data_len = ev_len - PCN_EV_OFF_DATA;
	if (!decode_payload(kind, ev + PCN_EV_OFF_DATA, data_len, out))
		return;
	out->seq = pcn_get_u32(cn + PCN_CN_OFF_SEQ);
	out->ev.hdr.kind = kind;
	out->ev.hdr.cpu = pcn_get_u32(ev + PCN_EV_OFF_CPU);
	out->ev.hdr.timestamp_ns = pcn_get_u64(ev + PCN_EV_OFF_TS);
	if (kind == 0) {
		out->cls = PCN_MSG_ACK;
		out->ack_nonce = pcn_get_u32(cn + PCN_CN_OFF_ACK);
	} else {
		out->cls = PCN_MSG_EVENT;
	}
}
