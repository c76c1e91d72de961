/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proccn-synth - what the library's receive path costs per event, and
 * whether its heap depends on the number of events.
 *
 * The tests' fake kernel (tests/common/fake_kernel.h) in memory mode feeds
 * a handle made with proccn__open_fd(): it generates events of mixed kinds
 * in bulk (fk_bulk) and copies them into the library's buffers, with no
 * system call and no allocation per event, and with consecutive per-CPU
 * numbers, so the library's loss counter must stay 0 (checked). The time
 * through proccn_dispatch() minus the time of the fake alone is the
 * library's share.
 *
 *   proccn-synth [--events M] [--reps R]   timing (ns/event) + heap checks
 *   proccn-synth --callgrind [--events M]  one run for bench/callgrind.sh:
 *       the fake kernel's work happens in fk_recvmmsg and the callbacks are
 *       bench_cb_*, so that callgrind can leave both out of what it counts
 *       inside proccn_dispatch.
 *
 * Heap: the binary is linked with -Wl,--wrap for the allocation functions
 * (alloc_count.h), so every allocation is seen, and counted while
 * dispatching.
 */
#include <inttypes.h>
#include <linux/netlink.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc_count.h"
#include "fake_kernel.h"
#include "median.h"

#define DEFAULT_EVENTS 1000000u
#define DEFAULT_REPS   5
#define MAX_REPS       51
#define BATCH          64     /* the fake-alone loop reads as the library does */

/* One cycle of 18 kinds, roughly what a busy build machine sends. */
#define NMIX 18

static unsigned int build_mix(struct fk_ev mix[NMIX])
{
	static const char comm[2][16] = { "make", "cc1" };
	unsigned int k = 0, i;

	for (i = 0; i < 4; i++)
		mix[k++] = fk_fork(1000 + i, 1000 + i, 2000 + i, 2000 + i);
	for (i = 0; i < 3; i++)
		mix[k++] = fk_exec(2000 + i, 2000 + i);
	for (i = 0; i < 4; i++)   /* two exit(0), two exit(1) */
		mix[k++] = fk_exit(2000 + i, 2000 + i, i < 2 ? 0 : 256, 17, 1000 + i, 1000 + i);
	for (i = 0; i < 2; i++)
		mix[k++] = fk_comm(2000 + i, 2000 + i, comm[i]);
	mix[k++] = fk_uid(2000, 2000, 1000, 0);
	mix[k++] = fk_gid(2000, 2000, 1000, 0);
	mix[k++] = fk_sid(2001, 2001);
	mix[k++] = fk_ptrace(2002, 2002, 1500, 1500);
	mix[k++] = fk_coredump(2003, 2003, 1000, 1000);
	return k;
}

/* ---- the consumer: one tiny callback per kind --------------------------- */

struct counts {
	uint64_t total, nonzero_exits, loss;
};

#define BENCH_CB(kind, type)                                        \
	static int bench_cb_##kind(const struct type *ev, void *ud) \
	{                                                           \
		(void)ev;                                           \
		((struct counts *)ud)->total++;                     \
		return 0;                                           \
	}
BENCH_CB(fork, proccn_fork)
BENCH_CB(exec, proccn_exec)
BENCH_CB(uid, proccn_uid)
BENCH_CB(gid, proccn_gid)
BENCH_CB(sid, proccn_sid)
BENCH_CB(ptrace, proccn_ptrace)
BENCH_CB(comm, proccn_comm)
BENCH_CB(coredump, proccn_coredump)

static int bench_cb_exit(const struct proccn_exit *ev, void *ud)
{
	struct counts *c = ud;

	c->total++;
	c->nonzero_exits += ev->exit_code != 0;
	return 0;
}

static int bench_cb_event(const union proccn_event *ev, void *ud)
{
	(void)ev;
	((struct counts *)ud)->total++;
	return 0;
}

static int bench_cb_loss(const struct proccn_loss *loss, void *ud)
{
	((struct counts *)ud)->loss += loss->count ? loss->count : 1;
	return 0;
}

static const struct proccn_callbacks bench_callbacks = {
	.sz = sizeof(struct proccn_callbacks),
	.on_fork = bench_cb_fork,
	.on_exec = bench_cb_exec,
	.on_uid = bench_cb_uid,
	.on_gid = bench_cb_gid,
	.on_sid = bench_cb_sid,
	.on_ptrace = bench_cb_ptrace,
	.on_comm = bench_cb_comm,
	.on_coredump = bench_cb_coredump,
	.on_exit = bench_cb_exit,
	.on_event = bench_cb_event,
	.on_loss = bench_cb_loss,
};

/* ---- runs --------------------------------------------------------------- */

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct run {
	double ns_per_event;
	uint64_t delivered, recvmmsg_calls;
	uint64_t alloc_calls;      /* allocation/free calls while dispatching */
	int64_t heap_peak;         /* peak bytes held from proccn_open to proccn_close */
	int64_t inuse_delta;       /* mallinfo2 uordblks after dispatching - before */
	int ok;                    /* all delivered; no loss, malformed or spoofed */
};

/* A fake 6.6+ kernel with the mix ready; returns 0 or -1. */
static int fake_setup(struct fake_kernel *fk)
{
	struct fk_ev mix[NMIX];

	if (fk_init_memory(fk, FK_MODERN) < 0)
		return -1;
	/* the datagrams are built now; bulk_left says how many to send later */
	if (fk_bulk(fk, mix, build_mix(mix), 0) < 0) {
		fk_fini(fk);
		return -1;
	}
	return 0;
}

/* Deliver @m events through the library. */
static int run_library(uint64_t m, struct run *out)
{
	struct proccn_opts o = PROCCN_OPTS_INIT;
	struct proccn_stats st = { .sz = sizeof(st) };
	struct fake_kernel *fk = malloc(sizeof(*fk));
	struct proccn *h = NULL;
	struct counts c = { 0 };
	size_t inuse0;
	int64_t t0;
	int r;

	memset(out, 0, sizeof(*out));
	if (!fk || fake_setup(fk) < 0) {
		free(fk);
		return -1;
	}
	alloc_count_reset();   /* what the fake holds is not the library's */
	r = fk_open(fk, &h, &o);
	if (r < 0) {
		fprintf(stderr, "proccn__open_fd: %s\n", proccn_strerror(r));
		goto out;
	}
	/* the ACK, and anything negotiation kept */
	if (proccn_dispatch(h, &bench_callbacks, &c, 0) < 0)
		goto out;
	memset(&c, 0, sizeof(c));
	fk->recv_calls = 0;
	fk->bulk_left = m;
	inuse0 = mallinfo2().uordblks;
	alloc_count.calls = 0;
	alloc_count.counting = 1;
	t0 = now_ns();
	while (c.total < m && (r = proccn_dispatch(h, &bench_callbacks, &c, 0)) > 0)
		;
	out->ns_per_event = (double)(now_ns() - t0) / (double)m;
	alloc_count.counting = 0;
	out->alloc_calls = alloc_count.calls;
	out->inuse_delta = (int64_t)mallinfo2().uordblks - (int64_t)inuse0;
	out->recvmmsg_calls = fk->recv_calls;
	out->delivered = c.total;
	if (r < 0)
		fprintf(stderr, "proccn_dispatch: %s\n", proccn_strerror(r));
	proccn_get_stats(h, &st);
	out->ok = c.total == m && !st.lost && !st.malformed && !st.spoofed && !c.loss;
	if (!out->ok)
		fprintf(stderr, "run of %" PRIu64 ": delivered %" PRIu64 ", lost %" PRIu64
			", malformed %" PRIu64 ", spoofed %" PRIu64 ", loss reports %" PRIu64 "\n",
			m, c.total, st.lost, st.malformed, st.spoofed, c.loss);
out:
	proccn_close(h);
	out->heap_peak = alloc_count.peak;
	fk_fini(fk);
	free(fk);
	return out->ok ? 0 : -1;
}

/* The fake kernel alone: its recvmmsg for @m events, nothing parsed. */
static double run_fake_alone(uint64_t m)
{
	static uint8_t bufs[BATCH][512];
	struct mmsghdr msgs[BATCH];
	struct iovec iovs[BATCH];
	struct sockaddr_nl addrs[BATCH];
	struct fake_kernel fk;
	uint64_t got = 0;
	unsigned int i;
	int64_t t0;
	double ns;

	if (fake_setup(&fk) < 0)
		return -1;
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		iovs[i].iov_base = bufs[i];
		iovs[i].iov_len = sizeof(bufs[i]);
		msgs[i].msg_hdr.msg_iov = &iovs[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &addrs[i];
	}
	fk.bulk_left = m;
	t0 = now_ns();
	while (got < m) {
		int r;

		for (i = 0; i < BATCH; i++)
			msgs[i].msg_hdr.msg_namelen = sizeof(addrs[i]);
		r = fk.sys.recvmmsg(fk.sys.ctx, fk.lib_fd, msgs, BATCH, MSG_DONTWAIT);
		if (r <= 0)
			break;
		got += (uint64_t)r;
	}
	ns = (double)(now_ns() - t0) / (double)m;
	fk_fini(&fk);
	return got == m ? ns : -1;
}

static void print_heap(uint64_t events, const struct run *r)
{
	printf("heap: events %" PRIu64 ": peak library heap %" PRId64 " B, alloc/free calls while "
	       "dispatching %" PRIu64 ", in-use change %" PRId64 " B\n", events, r->heap_peak,
	       r->alloc_calls, r->inuse_delta);
}

static int usage(FILE *out, const char *argv0)
{
	fprintf(out, "usage: %s [--events M] [--reps R] | --callgrind [--events M]\n", argv0);
	return out == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
	uint64_t m = DEFAULT_EVENTS;
	unsigned int reps = DEFAULT_REPS, i;
	int callgrind = 0, fails = 0, heap_ok;
	double lib[MAX_REPS], fake[MAX_REPS], diff[MAX_REPS];
	struct run run, small, large;

	for (i = 1; i < (unsigned int)argc; i++) {
		if (!strcmp(argv[i], "--callgrind"))
			callgrind = 1;
		else if (!strcmp(argv[i], "--events") && i + 1 < (unsigned int)argc)
			m = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--reps") && i + 1 < (unsigned int)argc)
			reps = (unsigned int)strtoul(argv[++i], NULL, 10);
		else
			return usage(strcmp(argv[i], "--help") ? stderr : stdout, argv[0]);
	}
	if (m < 1 || m > UINT64_C(1000000000) || reps < 1 || reps > MAX_REPS)
		return usage(stderr, argv[0]);

	if (callgrind) {
		if (run_library(m, &run) < 0)
			return 1;
		printf("events=%" PRIu64 " delivered=%" PRIu64 " recvmmsg=%" PRIu64 "\n", m,
		       run.delivered, run.recvmmsg_calls);
		return 0;
	}

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("proccn synthetic benchmark: %" PRIu64 " events per run, %u reps, median; "
	       "mix per 18: fork 4, exec 3, exit 4 (half nonzero), comm 2, uid, gid, sid, "
	       "ptrace, coredump; mask ALL, defaults; typed callbacks that count; the tests' "
	       "fake kernel in memory mode (no system call per event)\n", m, reps);
	for (i = 0; i < reps; i++) {
		fails += run_library(m, &run) < 0;
		fake[i] = run_fake_alone(m);
		fails += fake[i] < 0;
		lib[i] = run.ns_per_event;
		diff[i] = lib[i] - fake[i];
	}
	printf("through proccn_dispatch (library + fake kernel): %.1f ns/event\n", median(lib, reps));
	printf("the fake kernel alone (its recvmmsg, nothing parsed): %.1f ns/event\n",
	       median(fake, reps));
	printf("the library's share: %.1f ns/event (median of per-rep differences)\n",
	       median(diff, reps));
	printf("library calls: %.4f recvmmsg per event; delivered %" PRIu64 " of %" PRIu64
	       " in the last run, nothing lost, malformed or spoofed: %s\n",
	       (double)run.recvmmsg_calls / (double)m, run.delivered, m, run.ok ? "yes" : "NO");

	/* heap: the same handle life with two very different event counts */
	fails += run_library(1000, &small) < 0;
	fails += run_library(m * 10, &large) < 0;
	print_heap(1000, &small);
	print_heap(m * 10, &large);
	heap_ok = small.heap_peak == large.heap_peak && !small.alloc_calls && !large.alloc_calls &&
		  !small.inuse_delta && !large.inuse_delta;
	printf("target: heap independent of the number of events: %s\n", heap_ok ? "PASS" : "FAIL");
	printf("instructions per event: bench/callgrind.sh (valgrind)\n");
	if (fails)
		printf("%d run(s) failed their checks (delivered != M, loss, malformed)\n", fails);
	return fails || !heap_ok ? 1 : 0;
}
