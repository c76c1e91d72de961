/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Datagrams the kernel would never send. Each is dropped and counted in the
 * right statistic (spoofed or malformed), and a good event sent right after
 * it is still delivered: one bad datagram never stops the stream.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fake_kernel.h"
#include "wire.h"

static struct fake_kernel fk;
static struct proccn *h;
static struct fk_rec *rec;
static struct fk_fixture fixture = { &fk, &h, &rec, 1 };

/* Hand-built messages use a CPU number the loss accounting ignores. */
#define NO_CPU 999

enum counter { SPOOFED, MALFORMED, NONE };

/*
 * Send @bytes from (@family, @pid), then a good EXEC; dispatch; the good one
 * is delivered and the bad one went to @which (exactly @count times).
 */
static void expect_dropped(const void *bytes, size_t len, uint16_t family, uint32_t pid,
			   enum counter which, uint64_t count)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	struct proccn_stats st = { .sz = sizeof(st) }, st0 = { .sz = sizeof(st0) };
	int r;

	memset(rec, 0, sizeof(*rec));
	assert_int_equal(proccn_get_stats(h, &st0), 0);
	assert_int_equal(fk_inject(&fk, bytes, len, family, pid), 0);
	assert_int_equal(fk_generate(&fk, fk_exec(4242, 4242)), 1);
	r = proccn_dispatch(h, &cb, rec, 0);
	assert_int_equal(r, 1);
	assert_int_equal(rec->n, 1);
	assert_int_equal(rec->ev[0].hdr.kind, PROCCN_EV_EXEC);
	assert_int_equal(rec->ev[0].exec.pid, 4242);
	assert_int_equal(proccn_get_stats(h, &st), 0);
	/* @count is the running total; everything else moved by the good event only */
	assert_int_equal(st.spoofed, which == SPOOFED ? count : 0);
	assert_int_equal(st.malformed, which == MALFORMED ? count : 0);
	assert_int_equal(st.received - st0.received, 1);
	assert_int_equal(st.delivered - st0.delivered, 1);
	assert_int_equal(st.lost, 0);
	assert_int_equal(rec->nloss, 0);
}

static void good_msg(uint8_t dg[FK_DGRAM_LEN], pid_t pid)
{
	struct fk_ev ev = fk_exec(pid, pid);

	fk_build(dg, 1, 0, NO_CPU, 1, &ev);
}

static void test_spoofed_sender_pid(void **state)
{
	uint8_t dg[FK_DGRAM_LEN];

	(void)state;
	/* a perfect event, but from a process (root could send it) */
	good_msg(dg, 1);
	expect_dropped(dg, sizeof(dg), AF_NETLINK, 1234, SPOOFED, 1);
}

static void test_spoofed_family(void **state)
{
	uint8_t dg[FK_DGRAM_LEN];

	(void)state;
	good_msg(dg, 1);
	expect_dropped(dg, sizeof(dg), AF_UNIX, 0, SPOOFED, 1);
}

static void test_wrong_connector_id(void **state)
{
	uint8_t dg[FK_DGRAM_LEN];

	(void)state;
	good_msg(dg, 1);
	pcn_put_u32(dg + PCN_DGRAM_OFF_CN + PCN_CN_OFF_IDX, 2);
	expect_dropped(dg, sizeof(dg), AF_NETLINK, 0, MALFORMED, 1);
	good_msg(dg, 1);
	pcn_put_u32(dg + PCN_DGRAM_OFF_CN + PCN_CN_OFF_VAL, 0);
	expect_dropped(dg, sizeof(dg), AF_NETLINK, 0, MALFORMED, 2);
}

static void test_nlmsg_len_beyond_datagram(void **state)
{
	uint8_t dg[FK_DGRAM_LEN];

	(void)state;
	good_msg(dg, 1);
	pcn_put_u32(dg, 200);
	expect_dropped(dg, sizeof(dg), AF_NETLINK, 0, MALFORMED, 1);
}

static void test_nlmsg_len_too_small(void **state)
{
	uint8_t dg[FK_DGRAM_LEN];

	(void)state;
	good_msg(dg, 1);
	pcn_put_u32(dg, 8);
	expect_dropped(dg, sizeof(dg), AF_NETLINK, 0, MALFORMED, 1);
}

static void test_cn_len_beyond_message(void **state)
{
	uint8_t dg[FK_DGRAM_LEN];

	(void)state;
	good_msg(dg, 1);
	pcn_put_u16(dg + PCN_DGRAM_OFF_CN + PCN_CN_OFF_LEN, 41);
	expect_dropped(dg, sizeof(dg), AF_NETLINK, 0, MALFORMED, 1);
	good_msg(dg, 1);
	pcn_put_u16(dg + PCN_DGRAM_OFF_CN + PCN_CN_OFF_LEN, 0xffff);
	expect_dropped(dg, sizeof(dg), AF_NETLINK, 0, MALFORMED, 2);
}

/* An EXIT whose declared event is 4 bytes short of parent_tgid. */
static void test_payload_too_short(void **state)
{
	struct fk_ev ev = fk_exit(5, 5, 0, 17, 1, 1);
	uint8_t dg[FK_DGRAM_LEN];
	const size_t len = PCN_DGRAM_OFF_DATA + 20;

	(void)state;
	fk_build(dg, 1, 0, NO_CPU, 1, &ev);
	pcn_put_u32(dg, (uint32_t)len);
	pcn_put_u16(dg + PCN_DGRAM_OFF_CN + PCN_CN_OFF_LEN, PCN_EV_OFF_DATA + 20);
	expect_dropped(dg, len, AF_NETLINK, 0, MALFORMED, 1);

	/* an ACK without its err word */
	{
		uint32_t w[6] = { 0 };
		struct fk_ev ack = fk_raw(0, w);

		fk_build(dg, 1, 5, NO_CPU, 1, &ack);
		pcn_put_u32(dg, PCN_DGRAM_OFF_DATA);
		pcn_put_u16(dg + PCN_DGRAM_OFF_CN + PCN_CN_OFF_LEN, PCN_EV_OFF_DATA);
		expect_dropped(dg, PCN_DGRAM_OFF_DATA, AF_NETLINK, 0, MALFORMED, 2);
	}
}

/* Larger than a receive slot: the kernel's MSG_TRUNC drops all of it. */
static void test_truncated_datagram(void **state)
{
	uint8_t big[600];

	(void)state;
	memset(big, 0, sizeof(big));
	good_msg(big, 1);   /* a good first message does not save it */
	expect_dropped(big, sizeof(big), AF_NETLINK, 0, MALFORMED, 1);
}

static void test_other_netlink_types(void **state)
{
	static const uint16_t types[] = { NLMSG_NOOP, NLMSG_ERROR, NLMSG_OVERRUN, 0x10 };
	uint8_t dg[FK_DGRAM_LEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		good_msg(dg, 1);
		pcn_put_u16(dg + 4, types[i]);
		expect_dropped(dg, sizeof(dg), AF_NETLINK, 0, MALFORMED, i + 1);
	}
}

static void test_tiny_datagram(void **state)
{
	uint8_t dg[4] = { 76, 0, 0, 0 };

	(void)state;
	expect_dropped(dg, sizeof(dg), AF_NETLINK, 0, MALFORMED, 1);
}

/* Every message of a datagram is walked, good and bad alike. */
static void test_several_messages_in_one_datagram(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	struct proccn_stats st = { .sz = sizeof(st) };
	uint8_t two[2 * FK_DGRAM_LEN];

	(void)state;
	good_msg(two, 10);
	good_msg(two + FK_DGRAM_LEN, 11);
	assert_int_equal(fk_inject(&fk, two, sizeof(two), AF_NETLINK, 0), 0);
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 2);
	assert_int_equal(rec->ev[0].exec.pid, 10);
	assert_int_equal(rec->ev[1].exec.pid, 11);

	/* a NOOP first does not hide the event after it */
	memset(rec, 0, sizeof(*rec));
	good_msg(two, 12);
	pcn_put_u16(two + 4, NLMSG_NOOP);
	good_msg(two + FK_DGRAM_LEN, 13);
	assert_int_equal(fk_inject(&fk, two, sizeof(two), AF_NETLINK, 0), 0);
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 1);
	assert_int_equal(rec->ev[0].exec.pid, 13);
	assert_int_equal(proccn_get_stats(h, &st), 0);
	assert_int_equal(st.malformed, 1);

	/* a second message whose length runs off the end: the first still counts */
	memset(rec, 0, sizeof(*rec));
	good_msg(two, 14);
	good_msg(two + FK_DGRAM_LEN, 15);
	pcn_put_u32(two + FK_DGRAM_LEN, 500);
	assert_int_equal(fk_inject(&fk, two, sizeof(two), AF_NETLINK, 0), 0);
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 1);
	assert_int_equal(rec->ev[0].exec.pid, 14);
	assert_int_equal(proccn_get_stats(h, &st), 0);
	assert_int_equal(st.malformed, 2);
	assert_int_equal(st.received, 4);
}

/* Seeded random datagrams, then a good event: no crash, and the stream goes on. */
static void test_random_garbage(void **state)
{
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	uint8_t buf[600];
	unsigned int seed = 12345, i;
	int r;

	(void)state;
	for (i = 0; i < 500; i++) {
		size_t len = (size_t)(rand_r(&seed) % (int)sizeof(buf)), j;
		uint32_t pid = (rand_r(&seed) & 3) ? 0 : (uint32_t)rand_r(&seed);

		for (j = 0; j < len; j++)
			buf[j] = (uint8_t)rand_r(&seed);
		/* half of them look like the kernel's up to a random point */
		if ((i & 1) && len >= FK_DGRAM_LEN) {
			uint8_t good[FK_DGRAM_LEN];
			size_t keep = (size_t)(rand_r(&seed) % FK_DGRAM_LEN);

			good_msg(good, 1);
			memcpy(buf, good, keep);
		}
		assert_int_equal(fk_inject(&fk, buf, len, AF_NETLINK, pid), 0);
		if (i % 50 == 49)
			while ((r = proccn_dispatch(h, &cb, rec, 0)) > 0)
				;
	}
	memset(rec, 0, sizeof(*rec));
	assert_int_equal(fk_generate(&fk, fk_exec(777, 777)), 1);
	do {
		r = proccn_dispatch(h, &cb, rec, 0);
		assert_true(r >= 0);
	} while (r > 0);
	assert_true(rec->n >= 1);
	assert_int_equal(rec->ev[rec->n - 1].exec.pid, 777);
}

#define T(f) \
	cmocka_unit_test_prestate_setup_teardown(f, fk_fixture_setup, fk_fixture_teardown, &fixture)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_spoofed_sender_pid),
		T(test_spoofed_family),
		T(test_wrong_connector_id),
		T(test_nlmsg_len_beyond_datagram),
		T(test_nlmsg_len_too_small),
		T(test_cn_len_beyond_message),
		T(test_payload_too_short),
		T(test_truncated_datagram),
		T(test_other_netlink_types),
		T(test_tiny_datagram),
		T(test_several_messages_in_one_datagram),
		T(test_random_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
