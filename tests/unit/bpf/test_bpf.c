/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The generated socket filter against the userspace filter it stands in for.
 * A small classic BPF interpreter runs every program on hand-built and
 * pseudo-random datagrams, and the answer must equal what proccn__decode() and
 * proccn__filter_pass() say about the same bytes; the kernel then runs a subset
 * on a socketpair, so the interpreter's reading of BPF is checked too.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "bpf.h"
#include "filter.h"
#include "parse.h"
#include "wire.h"

#define MAX_DGRAM 160
#define MAX_DGRAMS 400
#define N_RANDOM_MASKS 480
#define N_RANDOM_DGRAMS 200

struct dgram {
	char name[48];
	size_t len;
	union {
		struct nlmsghdr nlh;            /* alignment for proccn__decode() */
		uint8_t b[MAX_DGRAM];
	} u;
};

static struct dgram dgrams[MAX_DGRAMS];
static size_t n_dgrams;
static int quiet;  /* set while wrong programs are checked on purpose */
static uint32_t masks[64 + N_RANDOM_MASKS];
static size_t n_masks;
static const uint32_t flag_sets[] = {
	0, PROCCN_F_PROCESSES_ONLY, PROCCN_F_FORCE_LEGACY,
	PROCCN_F_PROCESSES_ONLY | PROCCN_F_NO_SOCKET_FILTER,
};

/* A fixed seed: a failure must reproduce. */
static uint32_t rng_state = 0x2545f491u;

static uint32_t rnd(void)
{
	uint32_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return rng_state = x;
}

/*
 * The interpreter: only what proccn__bpf_build() may emit, so that a new opcode
 * fails here instead of being guessed at. Like the kernel, a load past the
 * end of the packet ends the program with 0 (drop). Returns the program's
 * return value, or -1 for a program the kernel would refuse or we cannot run.
 */
static int64_t bpf_run(const struct sock_filter *p, size_t n, const uint8_t *pkt, size_t len)
{
	uint32_t a = 0, x = 0;
	size_t pc = 0;

	while (pc < n) {
		const struct sock_filter *f = &p[pc++];
		uint32_t k = f->k;

		switch (f->code) {
		case BPF_LD | BPF_W | BPF_LEN:
			a = (uint32_t)len;
			break;
		case BPF_LD | BPF_W | BPF_ABS:
			if (k > len || len - k < 4)
				return 0;
			a = (uint32_t)pkt[k] << 24 | (uint32_t)pkt[k + 1] << 16 |
			    (uint32_t)pkt[k + 2] << 8 | pkt[k + 3];
			break;
		case BPF_LD | BPF_H | BPF_ABS:
			if (k > len || len - k < 2)
				return 0;
			a = (uint32_t)pkt[k] << 8 | pkt[k + 1];
			break;
		case BPF_MISC | BPF_TAX:
			x = a;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += a == k ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JEQ | BPF_X:
			pc += a == x ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += (a & k) ? f->jt : f->jf;
			break;
		case BPF_RET | BPF_K:
			return k;
		default:
			return -1;
		}
	}
	return -1;  /* fell off the end, or jumped past it */
}

/* The checks the kernel's classic verifier makes that matter for our programs. */
static void assert_valid(const struct sock_filter *p, int n)
{
	int i;

	assert_true(n > 0 && n <= PCN_BPF_MAX_INSNS);
	assert_int_equal(p[n - 1].code, BPF_RET | BPF_K);
	for (i = 0; i < n; i++) {
		if (BPF_CLASS(p[i].code) != BPF_JMP)
			continue;
		assert_true(i + 1 + p[i].jt < n);
		assert_true(i + 1 + p[i].jf < n);
	}
}

/*
 * What userspace does with these bytes: 1 keeps them, 0 filters them out.
 * Only a datagram that is one whole message and decodes to an event can be
 * filtered; ACKs and malformed ones are kept (and counted by the parser).
 */
static int expected_pass(uint32_t mask, uint32_t flags, const struct dgram *d)
{
	struct pcn_decoded dec;

	if (!mnl_nlmsg_ok(&d->u.nlh, (int)d->len) || d->u.nlh.nlmsg_len != d->len)
		return 1;
	proccn__decode(&d->u.nlh, &dec);
	if (dec.cls != PCN_MSG_EVENT)
		return 1;
	return proccn__filter_pass(proccn__mask_normalise(mask), flags, &dec.ev);
}

/*
 * The filter judges only the kernel's exact shape; on any other datagram it
 * may keep what userspace would filter (never the reverse).
 */
static int kernel_shaped(const struct dgram *d)
{
	return d->len == PCN_DGRAM_LEN && d->u.nlh.nlmsg_len == PCN_DGRAM_LEN &&
	       pcn_get_u16(d->u.b + PCN_DGRAM_OFF_CN + PCN_CN_OFF_LEN) == PCN_EV_LEN;
}

/* Counts disagreements, printing the first few so a failure says which. */
static int mismatches(uint32_t mask, uint32_t flags, const struct sock_filter *p, int n)
{
	int bad = 0;
	size_t i;

	for (i = 0; i < n_dgrams; i++) {
		const struct dgram *d = &dgrams[i];
		int want = expected_pass(mask, flags, d);
		int64_t r = n ? bpf_run(p, (size_t)n, d->u.b, d->len) : (int64_t)UINT32_MAX;
		int got = r > 0;

		if (r < 0 || (r != 0 && r != UINT32_MAX) ||
		    (got != want && (kernel_shaped(d) || want))) {
			if (bad++ < 5 && !quiet)
				fprintf(stderr, "mask %#x flags %#x %s: bpf %lld, userspace %d\n",
					mask, flags, d->name, (long long)r, want);
		}
	}
	return bad;
}

/* One datagram exactly as the kernel sends it. */
static struct dgram *add(const char *name, uint32_t what, const uint32_t data[6])
{
	struct dgram *d = &dgrams[n_dgrams++];
	uint8_t *cn = d->u.b + PCN_DGRAM_OFF_CN, *ev = d->u.b + PCN_DGRAM_OFF_EVENT;
	int i;

	assert_true(n_dgrams <= MAX_DGRAMS);
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->len = PCN_DGRAM_LEN;
	d->u.nlh.nlmsg_len = PCN_DGRAM_LEN;
	d->u.nlh.nlmsg_type = NLMSG_DONE;
	d->u.nlh.nlmsg_seq = 77;
	pcn_put_u32(cn + PCN_CN_OFF_IDX, PCN_CN_IDX_PROC);
	pcn_put_u32(cn + PCN_CN_OFF_VAL, PCN_CN_VAL_PROC);
	pcn_put_u32(cn + PCN_CN_OFF_SEQ, 1234);
	pcn_put_u16(cn + PCN_CN_OFF_LEN, PCN_EV_LEN);
	pcn_put_u32(ev + PCN_EV_OFF_WHAT, what);
	pcn_put_u32(ev + PCN_EV_OFF_CPU, 3);
	pcn_put_u32(ev + PCN_EV_OFF_TS, 0x89abcdefu);
	for (i = 0; i < 6; i++)
		pcn_put_u32(ev + PCN_EV_OFF_DATA + 4 * i, data[i]);
	return d;
}

#define D(...) ((const uint32_t[6]){ __VA_ARGS__ })

/*
 * Every kind, both sides of every field the filter reads (pids whose bytes
 * differ only in one position catch a load of the wrong width or offset),
 * and each way a datagram can be unjudgeable.
 */
static void build_dgrams(void)
{
	struct dgram *d;
	int i;

	n_dgrams = 0;
	add("fork process", PROCCN_EV_FORK, D(100, 100, 200, 200));
	add("fork thread", PROCCN_EV_FORK, D(100, 100, 201, 200));
	add("fork thread hi byte", PROCCN_EV_FORK, D(1, 1, 0x01000200, 0x200));
	add("fork parent thread", PROCCN_EV_FORK, D(101, 100, 300, 300));
	add("exec", PROCCN_EV_EXEC, D(300, 300));
	add("exec thread", PROCCN_EV_EXEC, D(301, 300));
	add("uid", PROCCN_EV_UID, D(5, 5, 1000, 0));
	add("gid", PROCCN_EV_GID, D(5, 6, 1000, 0));
	add("sid", PROCCN_EV_SID, D(7, 7));
	add("ptrace", PROCCN_EV_PTRACE, D(8, 9, 10, 10));
	add("comm", PROCCN_EV_COMM, D(11, 11, 0x6873, 0));
	add("coredump", PROCCN_EV_COREDUMP, D(12, 13, 1, 1));
	add("exit 0", PROCCN_EV_EXIT, D(400, 400, 0, 17, 1, 1));
	add("exit 3", PROCCN_EV_EXIT, D(400, 400, 0x300, 17, 1, 1));
	add("exit sigkill", PROCCN_EV_EXIT, D(400, 400, 9, 17, 1, 1));
	add("exit code hi byte", PROCCN_EV_EXIT, D(400, 400, 0x1000000, 17, 1, 1));
	add("exit thread 0", PROCCN_EV_EXIT, D(401, 400, 0, UINT32_MAX, 1, 1));
	add("exit thread 3", PROCCN_EV_EXIT, D(401, 400, 0x300, UINT32_MAX, 1, 1));
	add("exit thread hi byte", PROCCN_EV_EXIT, D(0x01000190, 0x190, 0, UINT32_MAX));
	add("ack", 0, D(0));
	add("ack einval", 0, D(EINVAL));
	add("unknown 0x8", 0x8, D(1, 2, 3, 4));
	add("unknown fork|0x8", 0x9, D(1, 1, 2, 3));
	add("unknown exit|fork", 0x80000001u, D(1, 2, 0, 4));
	add("unknown 0x10000000", 0x10000000u, D(0));
	add("nonzero bit as what", PROCCN_EV_NONZERO_EXIT, D(1, 1, 0));
	add("what all ones", UINT32_MAX, D(1, 2, 0));

	d = add("truncated fork", PROCCN_EV_FORK, D(1, 1, 2, 3));
	d->len = 40;
	d = add("truncated exit 62", PROCCN_EV_EXIT, D(1, 2, 0));
	d->len = 62;
	d = add("short exit consistent", PROCCN_EV_EXIT, D(1, 2, 0));
	d->len = d->u.nlh.nlmsg_len = 56;
	pcn_put_u16(d->u.b + PCN_DGRAM_OFF_CN + PCN_CN_OFF_LEN, 20);
	d = add("short fork cn len", PROCCN_EV_FORK, D(1, 1, 2, 3));
	pcn_put_u16(d->u.b + PCN_DGRAM_OFF_CN + PCN_CN_OFF_LEN, 28);
	d = add("exit cn len too long", PROCCN_EV_EXIT, D(1, 2, 0));
	pcn_put_u16(d->u.b + PCN_DGRAM_OFF_CN + PCN_CN_OFF_LEN, 48);
	d = add("nlmsg error type", PROCCN_EV_EXIT, D(1, 2, 0));
	d->u.nlh.nlmsg_type = NLMSG_ERROR;
	d = add("nlmsg type hi byte", PROCCN_EV_FORK, D(1, 1, 2, 3));
	d->u.nlh.nlmsg_type = NLMSG_DONE | 0x100;
	d = add("cn idx 2", PROCCN_EV_FORK, D(1, 1, 2, 3));
	pcn_put_u32(d->u.b + PCN_DGRAM_OFF_CN + PCN_CN_OFF_IDX, 2);
	d = add("cn val 2", PROCCN_EV_EXIT, D(1, 2, 0));
	pcn_put_u32(d->u.b + PCN_DGRAM_OFF_CN + PCN_CN_OFF_VAL, 2);
	d = add("nlmsg len too long", PROCCN_EV_EXIT, D(1, 2, 0));
	d->u.nlh.nlmsg_len = 80;
	d = add("nlmsg len short", PROCCN_EV_EXIT, D(1, 2, 0));
	d->u.nlh.nlmsg_len = 72;
	d = add("grown event", PROCCN_EV_EXIT, D(1, 2, 0));
	d->len = d->u.nlh.nlmsg_len = 80;
	pcn_put_u16(d->u.b + PCN_DGRAM_OFF_CN + PCN_CN_OFF_LEN, 44);
	d = add("two messages", PROCCN_EV_FORK, D(1, 1, 2, 3));
	memcpy(d->u.b + PCN_DGRAM_LEN, d->u.b, PCN_DGRAM_LEN);
	pcn_put_u32(d->u.b + PCN_DGRAM_LEN + PCN_DGRAM_OFF_WHAT, PROCCN_EV_EXIT);
	d->len = 2 * PCN_DGRAM_LEN;
	/* fields the parser ignores must not change the verdict */
	d = add("fork noise", PROCCN_EV_FORK, D(1, 1, 2, 3));
	d->u.nlh.nlmsg_flags = NLM_F_MULTI;
	d->u.nlh.nlmsg_pid = 99;
	pcn_put_u32(d->u.b + PCN_DGRAM_OFF_CN + PCN_CN_OFF_ACK, 5);
	pcn_put_u16(d->u.b + PCN_DGRAM_OFF_CN + PCN_CN_OFF_FLAGS, 0xffff);

	for (i = 0; i < N_RANDOM_DGRAMS; i++) {
		static const uint32_t kinds[] = {
			PROCCN_EV_FORK, PROCCN_EV_EXEC, PROCCN_EV_UID, PROCCN_EV_GID,
			PROCCN_EV_SID, PROCCN_EV_PTRACE, PROCCN_EV_COMM, PROCCN_EV_COREDUMP,
			PROCCN_EV_EXIT, PROCCN_EV_EXIT, PROCCN_EV_FORK, 0, 0,
		};
		uint32_t what = rnd() % 8 ? kinds[rnd() % (sizeof(kinds) / sizeof(kinds[0]))] : rnd();
		uint32_t pid = rnd(), tgid = rnd() & 1 ? pid : rnd();
		uint32_t code = rnd() & 1 ? 0 : rnd() >> (rnd() % 32);
		char name[48];

		snprintf(name, sizeof(name), "random %d", i);
		if (what == PROCCN_EV_FORK)
			d = add(name, what, D(rnd(), rnd(), pid, tgid));
		else
			d = add(name, what, D(pid, tgid, code, rnd(), rnd(), rnd()));
		switch (rnd() % 8) {
		case 0:  /* any header byte */
			d->u.b[rnd() % PCN_DGRAM_OFF_EVENT] ^= (uint8_t)(1u << (rnd() % 8));
			break;
		case 1:
			d->len = rnd() % (PCN_DGRAM_LEN + 1);
			break;
		default:
			break;
		}
	}
}

static void add_mask(uint32_t m)
{
	assert_true(n_masks < sizeof(masks) / sizeof(masks[0]));
	masks[n_masks++] = m;
}

static const uint32_t kinds_and_bits[] = {
	PROCCN_EV_FORK, PROCCN_EV_EXEC, PROCCN_EV_UID, PROCCN_EV_GID, PROCCN_EV_SID,
	PROCCN_EV_PTRACE, PROCCN_EV_COMM, PROCCN_EV_COREDUMP, PROCCN_EV_EXIT,
	PROCCN_EV_NONZERO_EXIT,
};

#define N_FIXED_MASKS (sizeof(kinds_and_bits) / sizeof(kinds_and_bits[0]) + 10)

/* The first N_FIXED_MASKS are the interesting ones; the kernel runs those. */
static void build_masks(void)
{
	size_t i;

	n_masks = 0;
	for (i = 0; i < sizeof(kinds_and_bits) / sizeof(kinds_and_bits[0]); i++)
		add_mask(kinds_and_bits[i]);
	add_mask(PROCCN_EV_NONZERO_EXIT | PROCCN_EV_EXIT);
	add_mask(PROCCN_EV_NONZERO_EXIT | PROCCN_EV_FORK);
	add_mask(PROCCN_EV_FORK | PROCCN_EV_EXEC);
	add_mask(PROCCN_EV_FORK | PROCCN_EV_EXIT);
	add_mask(PROCCN_EV_ALL);
	add_mask(PROCCN_EV_ALL & ~PROCCN_EV_EXIT);
	add_mask(PROCCN_EV_ALL & ~PROCCN_EV_FORK);
	add_mask(0);
	add_mask(0x8);              /* outside ALL only: means ALL */
	add_mask(UINT32_MAX);
	assert_int_equal(n_masks, N_FIXED_MASKS);
	for (i = 0; i < N_RANDOM_MASKS; i++) {
		switch (i % 3) {
		case 0:
			add_mask(rnd());
			break;
		case 1:
			add_mask(rnd() & PROCCN_EV_ALL);
			break;
		default:
			add_mask(rnd() & rnd() & PROCCN_EV_ALL);
			break;
		}
	}
}

static int setup(void **state)
{
	(void)state;
	rng_state = 0x2545f491u;
	build_dgrams();
	build_masks();
	return 0;
}

/* Mask ALL (however spelt) keeps everything, so no program is worth running. */
static void test_no_filter_needed(void **state)
{
	struct sock_filter p[PCN_BPF_MAX_INSNS];

	(void)state;
	assert_int_equal(proccn__bpf_build(PROCCN_EV_ALL, 0, p, PCN_BPF_MAX_INSNS), 0);
	assert_int_equal(proccn__bpf_build(0, 0, p, PCN_BPF_MAX_INSNS), 0);
	assert_int_equal(proccn__bpf_build(0x8, 0, p, PCN_BPF_MAX_INSNS), 0);
	assert_int_equal(proccn__bpf_build(UINT32_MAX, PROCCN_F_FORCE_LEGACY, NULL, 0), 0);
	assert_true(proccn__bpf_build(0, PROCCN_F_PROCESSES_ONLY, p, PCN_BPF_MAX_INSNS) > 0);
	assert_true(proccn__bpf_build(PROCCN_EV_ALL & ~PROCCN_EV_SID, 0, p, PCN_BPF_MAX_INSNS) > 0);
}

/* A short buffer is refused whole: nothing is written into it. */
static void test_capacity(void **state)
{
	struct sock_filter p[PCN_BPF_MAX_INSNS + 1], zero;
	size_t i;
	int n;

	(void)state;
	memset(&zero, 0, sizeof(zero));
	for (i = 0; i < n_masks; i++) {
		n = proccn__bpf_build(masks[i], PROCCN_F_PROCESSES_ONLY, p, PCN_BPF_MAX_INSNS);
		assert_true(n > 0 && n <= PCN_BPF_MAX_INSNS);
	}
	n = proccn__bpf_build(PROCCN_EV_NONZERO_EXIT | PROCCN_EV_FORK, PROCCN_F_PROCESSES_ONLY,
			  p, PCN_BPF_MAX_INSNS);
	assert_true(n > 1);
	memset(p, 0, sizeof(p));
	assert_int_equal(proccn__bpf_build(PROCCN_EV_NONZERO_EXIT | PROCCN_EV_FORK,
				       PROCCN_F_PROCESSES_ONLY, p, (size_t)n - 1), -EINVAL);
	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		assert_memory_equal(&p[i], &zero, sizeof(zero));
	assert_int_equal(proccn__bpf_build(PROCCN_EV_EXIT, 0, p, 0), -EINVAL);
	assert_int_equal(proccn__bpf_build(PROCCN_EV_EXIT, 0, NULL, PCN_BPF_MAX_INSNS), -EINVAL);
	assert_int_equal(proccn__bpf_build(PROCCN_EV_NONZERO_EXIT | PROCCN_EV_FORK,
				       PROCCN_F_PROCESSES_ONLY, p, (size_t)n), n);
}

/* The heart of it: every mask and flag set on every datagram. */
static void test_matches_userspace(void **state)
{
	struct sock_filter p[PCN_BPF_MAX_INSNS];
	size_t i, j, k;
	int bad = 0, drops = 0, passes = 0;

	(void)state;
	for (i = 0; i < n_masks; i++) {
		for (j = 0; j < sizeof(flag_sets) / sizeof(flag_sets[0]); j++) {
			int n = proccn__bpf_build(masks[i], flag_sets[j], p, PCN_BPF_MAX_INSNS);

			assert_true(n >= 0);
			if (n > 0)
				assert_valid(p, n);
			bad += mismatches(masks[i], flag_sets[j], p, n);
			for (k = 0; n > 0 && k < n_dgrams; k++) {
				if (bpf_run(p, (size_t)n, dgrams[k].u.b, dgrams[k].len) == 0)
					drops++;
				else
					passes++;
			}
		}
	}
	assert_int_equal(bad, 0);
	/* not vacuous: both verdicts were reached many times */
	assert_true(drops > 1000 && passes > 1000);
}

/* The comparison above catches wrong programs, or it proves nothing. */
static void test_detects_wrong_programs(void **state)
{
	static const struct sock_filter accept_all[] = { BPF_STMT(BPF_RET | BPF_K, UINT32_MAX) };
	struct sock_filter p[PCN_BPF_MAX_INSNS];
	int n;

	(void)state;
	quiet = 1;
	assert_true(mismatches(PROCCN_EV_EXIT, 0, accept_all, 1) > 0);
	n = proccn__bpf_build(PROCCN_EV_EXIT, 0, p, PCN_BPF_MAX_INSNS);
	assert_true(mismatches(PROCCN_EV_NONZERO_EXIT, 0, p, n) > 0);
	assert_true(mismatches(PROCCN_EV_EXIT, PROCCN_F_PROCESSES_ONLY, p, n) > 0);
	n = proccn__bpf_build(PROCCN_EV_FORK, PROCCN_F_PROCESSES_ONLY, p, PCN_BPF_MAX_INSNS);
	assert_true(mismatches(PROCCN_EV_FORK, 0, p, n) > 0);
	quiet = 0;
	/* a load past the end drops, as in the kernel */
	p[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 73);
	p[1] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, UINT32_MAX);
	assert_int_equal(bpf_run(p, 2, dgrams[0].u.b, PCN_DGRAM_LEN), 0);
	assert_int_equal(bpf_run(p, 2, dgrams[0].u.b, PCN_DGRAM_LEN + 1), UINT32_MAX);
}

static const struct dgram *find(const char *name)
{
	size_t i;

	for (i = 0; i < n_dgrams; i++)
		if (!strcmp(dgrams[i].name, name))
			return &dgrams[i];
	fail_msg("no datagram %s", name);
	return NULL;
}

static int attach(int fd, struct sock_filter *p, int n)
{
	struct sock_fprog fp = { .len = (unsigned short)n, .filter = p };

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp));
}

/* Counts what reaches the receiver; @last gets the last datagram's `what`. */
static int drain(int fd, uint32_t *last)
{
	uint8_t buf[MAX_DGRAM + 16];
	int count = 0;
	ssize_t r;

	while ((r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) >= 0) {
		count++;
		if (last && r >= PCN_DGRAM_OFF_WHAT + 4)
			*last = pcn_get_u32(buf + PCN_DGRAM_OFF_WHAT);
	}
	assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
	return count;
}

static void send_dgram(int fd, const struct dgram *d)
{
	assert_int_equal(send(fd, d->u.b, d->len, 0), (ssize_t)d->len);
}

/* The kernel runs the program: only the EXIT of a FORK and an EXIT gets through. */
static void test_socket_exit_only(void **state)
{
	struct sock_filter p[PCN_BPF_MAX_INSNS];
	uint32_t what = 0;
	int sv[2], n;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	n = proccn__bpf_build(PROCCN_EV_EXIT, 0, p, PCN_BPF_MAX_INSNS);
	assert_true(n > 0);
	assert_int_equal(attach(sv[1], p, n), 0);
	send_dgram(sv[0], find("fork process"));
	send_dgram(sv[0], find("exit 3"));
	assert_int_equal(drain(sv[1], &what), 1);
	assert_int_equal(what, PROCCN_EV_EXIT);
	close(sv[0]);
	close(sv[1]);
}

/*
 * The kernel agrees with the interpreter (and so with userspace) on every
 * datagram for the interesting masks, and its verifier takes every program.
 */
static void test_socket_matches_userspace(void **state)
{
	struct sock_filter p[PCN_BPF_MAX_INSNS];
	size_t i, j, k;
	int sv[2], bad = 0, drops = 0;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	for (i = 0; i < n_masks; i++) {
		for (j = 0; j < 2; j++) {
			int n = proccn__bpf_build(masks[i], flag_sets[j], p, PCN_BPF_MAX_INSNS);

			if (n == 0)
				continue;
			assert_int_equal(attach(sv[1], p, n), 0);
			if (i >= N_FIXED_MASKS)
				continue;
			for (k = 0; k < n_dgrams; k++) {
				int want = (int)bpf_run(p, (size_t)n, dgrams[k].u.b, dgrams[k].len) != 0;
				int got;

				if (dgrams[k].len == 0)
					continue;
				send_dgram(sv[0], &dgrams[k]);
				got = drain(sv[1], NULL);
				drops += !got;
				if (got != want && bad++ < 5)
					fprintf(stderr, "kernel: mask %#x flags %#x %s: %d, expected %d\n",
						masks[i], flag_sets[j], dgrams[k].name, got, want);
			}
		}
	}
	assert_int_equal(bad, 0);
	assert_true(drops > 100);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_no_filter_needed, setup),
		cmocka_unit_test_setup(test_capacity, setup),
		cmocka_unit_test_setup(test_matches_userspace, setup),
		cmocka_unit_test_setup(test_detects_wrong_programs, setup),
		cmocka_unit_test_setup(test_socket_exit_only, setup),
		cmocka_unit_test_setup(test_socket_matches_userspace, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
