/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proccn__decode() on known bytes: every event kind field by field, the ACK,
 * unknown kinds, declared lengths, and datagrams placed so that the u64
 * timestamp is misaligned (it is at byte 44 of a datagram, i.e. 4 mod 8).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fake_kernel.h"
#include "parse.h"
#include "wire.h"

/*
 * A FORK datagram written out by hand from the kernel-notes table, so that
 * fk_build() itself is checked against independent bytes.
 * seq 7, ack 0, cpu 3, ts 0x0123456789abcdef, 100/100 -> 200/200.
 */
static const uint8_t fork_bytes[76] = {
	/* nlmsghdr: len 76, type NLMSG_DONE (3), flags 0, seq 7, pid 0 */
	76, 0, 0, 0,   3, 0, 0, 0,   7, 0, 0, 0,   0, 0, 0, 0,
	/* cn_msg: idx 1, val 1, seq 7, ack 0, len 40, flags 0 */
	1, 0, 0, 0,   1, 0, 0, 0,   7, 0, 0, 0,   0, 0, 0, 0,   40, 0, 0, 0,
	/* proc_event: what FORK, cpu 3, timestamp */
	1, 0, 0, 0,   3, 0, 0, 0,
	0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01,
	/* parent_pid 100, parent_tgid 100, child_pid 200, child_tgid 200 */
	100, 0, 0, 0,   100, 0, 0, 0,   200, 0, 0, 0,   200, 0, 0, 0,
	/* unused union bytes */
	0, 0, 0, 0, 0, 0, 0, 0,
};

#define TS UINT64_C(0x0123456789abcdef)

/* Decode @len bytes placed @off bytes into an 8-aligned buffer. */
static void decode_at(const uint8_t *bytes, size_t len, size_t off, struct pcn_decoded *d)
{
	uint64_t storage[128];
	uint8_t *buf = (uint8_t *)storage;

	assert_true(off + len <= sizeof(storage));
	memset(storage, 0xA5, sizeof(storage));
	memcpy(buf + off, bytes, len);
	proccn__decode((const struct nlmsghdr *)(const void *)(buf + off), d);
}

static void decode_ev(const struct fk_ev *ev, struct pcn_decoded *d)
{
	uint8_t dg[FK_DGRAM_LEN];

	fk_build(dg, 42, 0, 1, TS, ev);
	decode_at(dg, sizeof(dg), 0, d);
	assert_int_equal(d->cls, PCN_MSG_EVENT);
	assert_int_equal(d->seq, 42);
	assert_int_equal(d->ev.hdr.kind, ev->what);
	assert_int_equal(d->ev.hdr.cpu, 1);
	assert_true(d->ev.hdr.timestamp_ns == TS);
}

static void test_builder_is_byte_exact(void **state)
{
	uint8_t dg[FK_DGRAM_LEN];
	struct fk_ev ev = fk_fork(100, 100, 200, 200);

	(void)state;
	assert_int_equal(fk_build(dg, 7, 0, 3, TS, &ev), 76);
	assert_memory_equal(dg, fork_bytes, sizeof(fork_bytes));
	assert_int_equal(PCN_DGRAM_LEN, 76);
	assert_int_equal(PCN_DGRAM_OFF_WHAT, 36);
}

static void test_fork_all_alignments(void **state)
{
	static const size_t offs[] = { 0, 4, 12, 20 };
	struct pcn_decoded d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		decode_at(fork_bytes, sizeof(fork_bytes), offs[i], &d);
		assert_int_equal(d.cls, PCN_MSG_EVENT);
		assert_int_equal(d.seq, 7);
		assert_int_equal(d.ev.hdr.kind, PROCCN_EV_FORK);
		assert_int_equal(d.ev.hdr.cpu, 3);
		assert_true(d.ev.hdr.timestamp_ns == TS);
		assert_int_equal(d.ev.fork.parent_pid, 100);
		assert_int_equal(d.ev.fork.parent_tgid, 100);
		assert_int_equal(d.ev.fork.child_pid, 200);
		assert_int_equal(d.ev.fork.child_tgid, 200);
	}
}

static void test_exec(void **state)
{
	struct fk_ev ev = fk_exec(1234, 1233);
	struct pcn_decoded d;

	(void)state;
	decode_ev(&ev, &d);
	assert_int_equal(d.ev.exec.pid, 1234);
	assert_int_equal(d.ev.exec.tgid, 1233);
}

static void test_uid_gid(void **state)
{
	struct fk_ev ev = fk_uid(10, 11, 1000, 0);
	struct pcn_decoded d;

	(void)state;
	decode_ev(&ev, &d);
	assert_int_equal(d.ev.uid.pid, 10);
	assert_int_equal(d.ev.uid.tgid, 11);
	assert_int_equal(d.ev.uid.ruid, 1000);
	assert_int_equal(d.ev.uid.euid, 0);

	ev = fk_gid(12, 13, 65534, 4000000000u);
	decode_ev(&ev, &d);
	assert_int_equal(d.ev.gid.pid, 12);
	assert_int_equal(d.ev.gid.tgid, 13);
	assert_int_equal(d.ev.gid.rgid, 65534);
	assert_true(d.ev.gid.egid == 4000000000u);
}

static void test_sid_ptrace(void **state)
{
	struct fk_ev ev = fk_sid(77, 78);
	struct pcn_decoded d;

	(void)state;
	decode_ev(&ev, &d);
	assert_int_equal(d.ev.sid.pid, 77);
	assert_int_equal(d.ev.sid.tgid, 78);

	ev = fk_ptrace(5, 6, 7, 8);
	decode_ev(&ev, &d);
	assert_int_equal(d.ev.ptrace.pid, 5);
	assert_int_equal(d.ev.ptrace.tgid, 6);
	assert_int_equal(d.ev.ptrace.tracer_pid, 7);
	assert_int_equal(d.ev.ptrace.tracer_tgid, 8);

	/* tracer 0 is a detach: decoded as 0, not as garbage */
	ev = fk_ptrace(5, 6, 0, 0);
	decode_ev(&ev, &d);
	assert_int_equal(d.ev.ptrace.tracer_pid, 0);
	assert_int_equal(d.ev.ptrace.tracer_tgid, 0);
}

static void test_comm(void **state)
{
	const char name[16] = "kworker/0:1";
	const char full[16] = { 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h',
				'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p' };
	struct fk_ev ev = fk_comm(300, 301, name);
	struct pcn_decoded d;

	(void)state;
	decode_ev(&ev, &d);
	assert_int_equal(d.ev.comm.pid, 300);
	assert_int_equal(d.ev.comm.tgid, 301);
	assert_string_equal(d.ev.comm.comm, "kworker/0:1");

	/* 16 bytes without a NUL: the 16th byte is replaced, never read past */
	ev = fk_comm(300, 301, full);
	decode_ev(&ev, &d);
	assert_int_equal(d.ev.comm.comm[15], '\0');
	assert_string_equal(d.ev.comm.comm, "abcdefghijklmno");
}

static void test_coredump(void **state)
{
	struct fk_ev ev = fk_coredump(40, 40, 1, 1);
	struct pcn_decoded d;

	(void)state;
	decode_ev(&ev, &d);
	assert_int_equal(d.ev.coredump.pid, 40);
	assert_int_equal(d.ev.coredump.tgid, 40);
	assert_int_equal(d.ev.coredump.parent_pid, 1);
	assert_int_equal(d.ev.coredump.parent_tgid, 1);
}

static void test_exit(void **state)
{
	struct fk_ev ev = fk_exit(501, 500, 0x300, UINT32_MAX, 2, 3);
	struct pcn_decoded d;

	(void)state;
	decode_ev(&ev, &d);
	assert_int_equal(d.ev.exit.pid, 501);
	assert_int_equal(d.ev.exit.tgid, 500);
	assert_int_equal(d.ev.exit.exit_code, 0x300);
	assert_true(d.ev.exit.exit_signal == UINT32_MAX);
	assert_int_equal(d.ev.exit.parent_pid, 2);
	assert_int_equal(d.ev.exit.parent_tgid, 3);
}

static void test_ack(void **state)
{
	uint8_t dg[FK_DGRAM_LEN];
	uint32_t w[6] = { 1 /* EPERM */ };
	struct fk_ev ev = fk_raw(0, w);
	struct pcn_decoded d;

	(void)state;
	fk_build(dg, 9, 0xdeadbeef, 0, TS, &ev);
	decode_at(dg, sizeof(dg), 0, &d);
	assert_int_equal(d.cls, PCN_MSG_ACK);
	assert_true(d.ack_nonce == 0xdeadbeef);
	assert_int_equal(d.ack_err, 1);
	assert_int_equal(d.seq, 9);
}

static void test_unknown_kind_raw(void **state)
{
	uint32_t w[6] = { 1, 2, 3, 4, 5, 0x66778899 };
	struct fk_ev ev = fk_raw(0x00001000, w);
	struct pcn_decoded d;

	(void)state;
	decode_ev(&ev, &d);
	assert_int_equal(d.ev.raw.len, PROCCN_RAW_LEN);
	assert_memory_equal(d.ev.raw.data, ev.data, PROCCN_RAW_LEN);
}

/* A longer cn_msg.len (a future, bigger union) is accepted. */
static void test_longer_event_accepted(void **state)
{
	uint8_t dg[FK_DGRAM_LEN + 8];
	struct fk_ev ev = fk_exec(9, 9);
	struct pcn_decoded d;

	(void)state;
	memset(dg, 0, sizeof(dg));
	fk_build(dg, 1, 0, 0, TS, &ev);
	pcn_put_u32(dg, sizeof(dg));
	pcn_put_u16(dg + PCN_DGRAM_OFF_CN + PCN_CN_OFF_LEN, PCN_EV_LEN + 8);
	decode_at(dg, sizeof(dg), 0, &d);
	assert_int_equal(d.cls, PCN_MSG_EVENT);
	assert_int_equal(d.ev.exec.pid, 9);
}

/*
 * Shorter payloads: each kind needs its own members; a cn_msg.len (and
 * nlmsg_len) one byte shorter than that is malformed, exactly that is fine.
 */
static void test_short_payload_per_kind(void **state)
{
	static const struct {
		uint32_t kind;
		size_t need;
	} kinds[] = {
		{ 0, 4 }, { PROCCN_EV_FORK, 16 }, { PROCCN_EV_EXEC, 8 },
		{ PROCCN_EV_UID, 16 }, { PROCCN_EV_GID, 16 }, { PROCCN_EV_SID, 8 },
		{ PROCCN_EV_PTRACE, 16 }, { PROCCN_EV_COMM, 24 },
		{ PROCCN_EV_COREDUMP, 16 }, { PROCCN_EV_EXIT, 24 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		uint32_t w[6] = { 1, 1, 0, 0, 0, 0 };
		struct fk_ev ev = fk_raw(kinds[i].kind, w);
		uint8_t dg[FK_DGRAM_LEN];
		struct pcn_decoded d;
		size_t ev_len;

		assert_int_equal(proccn__min_payload(kinds[i].kind), kinds[i].need);
		fk_build(dg, 1, 0, 0, TS, &ev);

		ev_len = PCN_EV_OFF_DATA + kinds[i].need;
		pcn_put_u16(dg + PCN_DGRAM_OFF_CN + PCN_CN_OFF_LEN, (uint16_t)ev_len);
		pcn_put_u32(dg, (uint32_t)(PCN_DGRAM_OFF_EVENT + ev_len));
		decode_at(dg, PCN_DGRAM_OFF_EVENT + ev_len, 0, &d);
		assert_int_not_equal(d.cls, PCN_MSG_MALFORMED);

		ev_len--;
		pcn_put_u16(dg + PCN_DGRAM_OFF_CN + PCN_CN_OFF_LEN, (uint16_t)ev_len);
		pcn_put_u32(dg, (uint32_t)(PCN_DGRAM_OFF_EVENT + ev_len));
		decode_at(dg, PCN_DGRAM_OFF_EVENT + ev_len, 0, &d);
		assert_int_equal(d.cls, PCN_MSG_MALFORMED);
	}
	/* unknown kinds need nothing past the header */
	assert_int_equal(proccn__min_payload(0x1000), 0);
}

/* An unknown kind with a short union: raw.len says how much is real. */
static void test_unknown_kind_short(void **state)
{
	uint32_t w[6] = { 0x11111111, 0x22222222, 0x33333333, 0, 0, 0 };
	struct fk_ev ev = fk_raw(0x00000800, w);
	uint8_t dg[FK_DGRAM_LEN];
	struct pcn_decoded d;

	(void)state;
	fk_build(dg, 1, 0, 0, TS, &ev);
	pcn_put_u16(dg + PCN_DGRAM_OFF_CN + PCN_CN_OFF_LEN, PCN_EV_OFF_DATA + 6);
	pcn_put_u32(dg, PCN_DGRAM_OFF_EVENT + PCN_EV_OFF_DATA + 6);
	decode_at(dg, PCN_DGRAM_OFF_EVENT + PCN_EV_OFF_DATA + 6, 0, &d);
	assert_int_equal(d.cls, PCN_MSG_EVENT);
	assert_int_equal(d.ev.raw.len, 6);
	assert_memory_equal(d.ev.raw.data, ev.data, 6);
}

/* Header-level rejections, each on an otherwise good EXEC. */
static void test_header_rejections(void **state)
{
	struct fk_ev ev = fk_exec(1, 1);
	uint8_t good[FK_DGRAM_LEN], dg[FK_DGRAM_LEN];
	struct pcn_decoded d;

	(void)state;
	fk_build(good, 1, 0, 0, TS, &ev);

	memcpy(dg, good, sizeof(dg));
	pcn_put_u16(dg + 4, NLMSG_NOOP);
	decode_at(dg, sizeof(dg), 0, &d);
	assert_int_equal(d.cls, PCN_MSG_MALFORMED);

	memcpy(dg, good, sizeof(dg));
	pcn_put_u32(dg + PCN_DGRAM_OFF_CN + PCN_CN_OFF_IDX, 2);
	decode_at(dg, sizeof(dg), 0, &d);
	assert_int_equal(d.cls, PCN_MSG_MALFORMED);

	memcpy(dg, good, sizeof(dg));
	pcn_put_u32(dg + PCN_DGRAM_OFF_CN + PCN_CN_OFF_VAL, 2);
	decode_at(dg, sizeof(dg), 0, &d);
	assert_int_equal(d.cls, PCN_MSG_MALFORMED);

	/* cn_msg.len beyond the message */
	memcpy(dg, good, sizeof(dg));
	pcn_put_u16(dg + PCN_DGRAM_OFF_CN + PCN_CN_OFF_LEN, PCN_EV_LEN + 1);
	decode_at(dg, sizeof(dg), 0, &d);
	assert_int_equal(d.cls, PCN_MSG_MALFORMED);

	/* cn_msg.len too short for even what/cpu/timestamp */
	memcpy(dg, good, sizeof(dg));
	pcn_put_u16(dg + PCN_DGRAM_OFF_CN + PCN_CN_OFF_LEN, PCN_EV_OFF_DATA - 1);
	decode_at(dg, sizeof(dg), 0, &d);
	assert_int_equal(d.cls, PCN_MSG_MALFORMED);

	/* nlmsg_len leaves no room for the cn_msg header */
	memcpy(dg, good, sizeof(dg));
	pcn_put_u32(dg, 16 + PCN_CN_HDR_LEN - 1);
	decode_at(dg, 16 + PCN_CN_HDR_LEN - 1, 0, &d);
	assert_int_equal(d.cls, PCN_MSG_MALFORMED);

	/* the untouched original still decodes: the mutations were the cause */
	decode_at(good, sizeof(good), 0, &d);
	assert_int_equal(d.cls, PCN_MSG_EVENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builder_is_byte_exact),
		cmocka_unit_test(test_fork_all_alignments),
		cmocka_unit_test(test_exec),
		cmocka_unit_test(test_uid_gid),
		cmocka_unit_test(test_sid_ptrace),
		cmocka_unit_test(test_comm),
		cmocka_unit_test(test_coredump),
		cmocka_unit_test(test_exit),
		cmocka_unit_test(test_ack),
		cmocka_unit_test(test_unknown_kind_raw),
		cmocka_unit_test(test_longer_event_accepted),
		cmocka_unit_test(test_short_payload_per_kind),
		cmocka_unit_test(test_unknown_kind_short),
		cmocka_unit_test(test_header_rejections),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
