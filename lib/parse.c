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

size_t pcn_min_payload(uint32_t kind)
{
	switch (kind) {
	case 0: /* ACK: err */
		return 4;
	case PROCCN_EV_EXEC:
	case PROCCN_EV_SID:
		return 8;
	case PROCCN_EV_FORK:
	case PROCCN_EV_UID:
	case PROCCN_EV_GID:
	case PROCCN_EV_PTRACE:
	case PROCCN_EV_COREDUMP:
		return 16;
	case PROCCN_EV_COMM:
		return 8 + PROCCN_COMM_LEN;
	case PROCCN_EV_EXIT:
		return 24;
	default:
		return 0;
	}
}

static pid_t get_pid(const uint8_t *data, unsigned int index)
{
	return (pid_t)pcn_get_u32(data + 4 * index);
}

static void decode_payload(uint32_t kind, const uint8_t *data, size_t len,
			   struct pcn_decoded *out)
{
	union proccn_event *ev = &out->ev;

	switch (kind) {
	case 0:
		out->ack_err = pcn_get_u32(data);
		break;
	case PROCCN_EV_FORK:
		ev->fork.parent_pid = get_pid(data, 0);
		ev->fork.parent_tgid = get_pid(data, 1);
		ev->fork.child_pid = get_pid(data, 2);
		ev->fork.child_tgid = get_pid(data, 3);
		break;
	case PROCCN_EV_EXEC:
		ev->exec.pid = get_pid(data, 0);
		ev->exec.tgid = get_pid(data, 1);
		break;
	case PROCCN_EV_UID:
		ev->uid.pid = get_pid(data, 0);
		ev->uid.tgid = get_pid(data, 1);
		ev->uid.ruid = pcn_get_u32(data + 8);
		ev->uid.euid = pcn_get_u32(data + 12);
		break;
	case PROCCN_EV_GID:
		ev->gid.pid = get_pid(data, 0);
		ev->gid.tgid = get_pid(data, 1);
		ev->gid.rgid = pcn_get_u32(data + 8);
		ev->gid.egid = pcn_get_u32(data + 12);
		break;
	case PROCCN_EV_SID:
		ev->sid.pid = get_pid(data, 0);
		ev->sid.tgid = get_pid(data, 1);
		break;
	case PROCCN_EV_PTRACE:
		ev->ptrace.pid = get_pid(data, 0);
		ev->ptrace.tgid = get_pid(data, 1);
		ev->ptrace.tracer_pid = get_pid(data, 2);
		ev->ptrace.tracer_tgid = get_pid(data, 3);
		break;
	case PROCCN_EV_COMM:
		ev->comm.pid = get_pid(data, 0);
		ev->comm.tgid = get_pid(data, 1);
		memcpy(ev->comm.comm, data + 8, PROCCN_COMM_LEN);
		ev->comm.comm[PROCCN_COMM_LEN - 1] = '\0';
		break;
	case PROCCN_EV_COREDUMP:
		ev->coredump.pid = get_pid(data, 0);
		ev->coredump.tgid = get_pid(data, 1);
		ev->coredump.parent_pid = get_pid(data, 2);
		ev->coredump.parent_tgid = get_pid(data, 3);
		break;
	case PROCCN_EV_EXIT:
		ev->exit.pid = get_pid(data, 0);
		ev->exit.tgid = get_pid(data, 1);
		ev->exit.exit_code = pcn_get_u32(data + 8);
		ev->exit.exit_signal = pcn_get_u32(data + 12);
		ev->exit.parent_pid = get_pid(data, 4);
		ev->exit.parent_tgid = get_pid(data, 5);
		break;
	default:
		ev->raw.len = (uint32_t)(len < PROCCN_RAW_LEN ? len : PROCCN_RAW_LEN);
		memcpy(ev->raw.data, data, ev->raw.len);
		break;
	}
}

void pcn_decode(const struct nlmsghdr *nlh, struct pcn_decoded *out)
{
	const uint8_t *cn = mnl_nlmsg_get_payload(nlh);
	size_t payload = mnl_nlmsg_get_payload_len(nlh);
	const uint8_t *ev;
	size_t ev_len, data_len;
	uint32_t kind;

	memset(out, 0, sizeof(*out));
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
	if (data_len < pcn_min_payload(kind))
		return;

	out->seq = pcn_get_u32(cn + PCN_CN_OFF_SEQ);
	out->ev.hdr.kind = kind;
	out->ev.hdr.cpu = pcn_get_u32(ev + PCN_EV_OFF_CPU);
	out->ev.hdr.timestamp_ns = pcn_get_u64(ev + PCN_EV_OFF_TS);
	decode_payload(kind, ev + PCN_EV_OFF_DATA, data_len, out);
	if (kind == 0) {
		out->cls = PCN_MSG_ACK;
		out->ack_nonce = pcn_get_u32(cn + PCN_CN_OFF_ACK);
	} else {
		out->cls = PCN_MSG_EVENT;
	}
}
