/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A classic BPF socket filter that applies the userspace filter's rules in
 * the kernel, so that on kernels without per-socket filtering (before 6.6)
 * unwanted events never take receive-buffer space. It judges only datagrams
 * in exactly the shape the kernel sends (one 76-byte message, cn_msg 1/1,
 * len 40) and accepts anything else whole: proccn__decode() must still see, and
 * count, what it would call malformed.
 *
 * BPF_ABS loads read big-endian words while the datagram is in host order, so
 * every constant compared with a loaded field is byte-swapped here instead.
 * Equality of two loaded fields needs no swap.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <string.h>

#include "bpf.h"
#include "filter.h"
#include "wire.h"

#define ACCEPT 0xffffffffu
#define DROP   0u

/* datagram offsets of the fields the program reads */
#define OFF_NL_LEN   0
#define OFF_NL_TYPE  4
#define OFF_CN_IDX   (PCN_DGRAM_OFF_CN + PCN_CN_OFF_IDX)
#define OFF_CN_VAL   (PCN_DGRAM_OFF_CN + PCN_CN_OFF_VAL)
#define OFF_CN_LEN   (PCN_DGRAM_OFF_CN + PCN_CN_OFF_LEN)
#define OFF_WHAT     PCN_DGRAM_OFF_WHAT
#define OFF_PID      (PCN_DGRAM_OFF_DATA + 0)   /* exit pid */
#define OFF_TGID     (PCN_DGRAM_OFF_DATA + 4)   /* exit tgid */
#define OFF_CODE     (PCN_DGRAM_OFF_DATA + 8)   /* exit exit_code */
#define OFF_CHILD    (PCN_DGRAM_OFF_DATA + 8)   /* fork child_pid */
#define OFF_CHILD_TG (PCN_DGRAM_OFF_DATA + 12)  /* fork child_tgid */

/* Jump targets resolved after emission, since forward distances are unknown. */
enum { L_NEXT, L_ACCEPT, L_DROP, L_FORK, L_EXIT, L_MAX };

struct emitter {
	struct sock_filter insn[PCN_BPF_MAX_INSNS];
	uint8_t jt[PCN_BPF_MAX_INSNS], jf[PCN_BPF_MAX_INSNS];  /* L_* */
	int label[L_MAX];
	unsigned int n;
};

/*
 * What a BPF_ABS load yields for a field that holds @host in host order: the
 * same bytes read in network order.
 */
static uint32_t wire32(uint32_t host)
{
	return ntohl(host);
}

/* The same for the u16 fields (nlmsg_type, cn_msg.len) that BPF_H loads. */
static uint32_t wire16(uint16_t host)
{
	return ntohs(host);
}

/* Statements and jumps share one slot array; overflow is caught at the end. */
static void stmt(struct emitter *e, uint16_t code, uint32_t k)
{
	if (e->n < PCN_BPF_MAX_INSNS) {
		e->insn[e->n] = (struct sock_filter)BPF_STMT(code, k);
		e->jt[e->n] = e->jf[e->n] = L_NEXT;
	}
	e->n++;
}

/*
 * Targets are labels, not distances: the blocks a jump leads to are emitted
 * later and their size depends on the mask.
 */
static void jump(struct emitter *e, uint16_t code, uint32_t k, uint8_t jt, uint8_t jf)
{
	if (e->n < PCN_BPF_MAX_INSNS) {
		e->insn[e->n] = (struct sock_filter)BPF_JUMP(code, k, 0, 0);
		e->jt[e->n] = jt;
		e->jf[e->n] = jf;
	}
	e->n++;
}

/* Accept unless the field at @off (of size @size) holds @host. */
static void expect(struct emitter *e, uint16_t size, uint32_t off, uint32_t host)
{
	stmt(e, BPF_LD | size | BPF_ABS, off);
	jump(e, BPF_JMP | BPF_JEQ | BPF_K,
	     size == BPF_H ? wire16((uint16_t)host) : wire32(host), L_NEXT, L_ACCEPT);
}

/* pid == tgid on raw words: both are swapped alike, so no constant is needed. */
static void same_words(struct emitter *e, uint32_t a, uint32_t b)
{
	stmt(e, BPF_LD | BPF_W | BPF_ABS, b);
	stmt(e, BPF_MISC | BPF_TAX, 0);
	stmt(e, BPF_LD | BPF_W | BPF_ABS, a);
	jump(e, BPF_JMP | BPF_JEQ | BPF_X, 0, L_ACCEPT, L_DROP);
}

/* Turn label ids into the relative u8 offsets BPF wants; all jumps go forward. */
static int resolve(struct emitter *e)
{
	unsigned int i;

	for (i = 0; i < e->n; i++) {
		uint16_t cls = BPF_CLASS(e->insn[i].code);
		int t, f;

		if (cls != BPF_JMP)
			continue;
		t = e->jt[i] == L_NEXT ? (int)i + 1 : e->label[e->jt[i]];
		f = e->jf[i] == L_NEXT ? (int)i + 1 : e->label[e->jf[i]];
		if (t <= (int)i || f <= (int)i || t - (int)i - 1 > 255 || f - (int)i - 1 > 255)
			return -EINVAL;
		e->insn[i].jt = (uint8_t)(t - (int)i - 1);
		e->insn[i].jf = (uint8_t)(f - (int)i - 1);
	}
	return 0;
}

/*
 * The layout keeps the common case short: header checks that accept on any
 * surprise, then one bit test on `what` decides most kinds; only FORK and
 * EXIT, when a field of theirs matters, branch to a block of their own:
 *
 *   ld len; ld [0]; ldh [4]; ld [16]; ld [20]; ldh [32]  each jeq, else accept
 *   ld [36]; jeq #0 -> accept                             ACK
 *   jeq EXIT -> exit block; jeq FORK -> fork block        only when needed
 *   jset mask -> accept, drop      (ret accept for mask ALL)
 *   fork block: child_pid == child_tgid -> accept, drop
 *   exit block: exit_code == 0 -> drop; pid == tgid -> accept, drop
 *   accept: ret #0xffffffff; drop: ret #0
 */
int proccn__bpf_build(uint32_t mask, uint32_t flags, struct sock_filter *prog, size_t cap)
{
	int procs_only = (flags & PROCCN_F_PROCESSES_ONLY) != 0;
	int nonzero, fork_block, exit_block;
	struct emitter e;

	mask = proccn__mask_normalise(mask);
	if (mask == PROCCN_EV_ALL && !procs_only)
		return 0;
	/*
	 * The bit test below decides every value alone, except where a field
	 * matters: the exit code (NONZERO_EXIT without EXIT) and, when they would
	 * pass, whether a FORK or EXIT is about a thread.
	 */
	nonzero = (mask & (PROCCN_EV_EXIT | PROCCN_EV_NONZERO_EXIT)) == PROCCN_EV_NONZERO_EXIT;
	fork_block = procs_only && (mask & PROCCN_EV_FORK);
	exit_block = nonzero || (procs_only && (mask & PROCCN_EV_EXIT));

	memset(&e, 0, sizeof(e));
	stmt(&e, BPF_LD | BPF_W | BPF_LEN, 0);
	jump(&e, BPF_JMP | BPF_JEQ | BPF_K, PCN_DGRAM_LEN, L_NEXT, L_ACCEPT);
	expect(&e, BPF_W, OFF_NL_LEN, PCN_DGRAM_LEN);
	expect(&e, BPF_H, OFF_NL_TYPE, NLMSG_DONE);
	expect(&e, BPF_W, OFF_CN_IDX, PCN_CN_IDX_PROC);
	expect(&e, BPF_W, OFF_CN_VAL, PCN_CN_VAL_PROC);
	expect(&e, BPF_H, OFF_CN_LEN, PCN_EV_LEN);

	stmt(&e, BPF_LD | BPF_W | BPF_ABS, OFF_WHAT);
	jump(&e, BPF_JMP | BPF_JEQ | BPF_K, 0, L_ACCEPT, L_NEXT);
	if (exit_block)
		jump(&e, BPF_JMP | BPF_JEQ | BPF_K, wire32(PROCCN_EV_EXIT), L_EXIT, L_NEXT);
	if (fork_block)
		jump(&e, BPF_JMP | BPF_JEQ | BPF_K, wire32(PROCCN_EV_FORK), L_FORK, L_NEXT);
	/* ALL passes even values outside it, as proccn__filter_pass() does */
	if (mask == PROCCN_EV_ALL)
		stmt(&e, BPF_RET | BPF_K, ACCEPT);
	else
		jump(&e, BPF_JMP | BPF_JSET | BPF_K, wire32(mask), L_ACCEPT, L_DROP);

	if (fork_block) {
		e.label[L_FORK] = (int)e.n;
		same_words(&e, OFF_CHILD, OFF_CHILD_TG);
	}
	if (exit_block) {
		e.label[L_EXIT] = (int)e.n;
		if (nonzero) {
			stmt(&e, BPF_LD | BPF_W | BPF_ABS, OFF_CODE);
			jump(&e, BPF_JMP | BPF_JEQ | BPF_K, 0, L_DROP, L_NEXT);
		}
		if (procs_only)
			same_words(&e, OFF_PID, OFF_TGID);
		/* else fall through to accept */
	}

	e.label[L_ACCEPT] = (int)e.n;
	stmt(&e, BPF_RET | BPF_K, ACCEPT);
	e.label[L_DROP] = (int)e.n;
	stmt(&e, BPF_RET | BPF_K, DROP);

	if (e.n > PCN_BPF_MAX_INSNS || resolve(&e) < 0)
		return -EINVAL;
	if (!prog || cap < e.n)
		return -EINVAL;
	memcpy(prog, e.insn, e.n * sizeof(*prog));
	return (int)e.n;
}
