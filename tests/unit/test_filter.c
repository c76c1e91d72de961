/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The userspace filter. It must make the decisions the 6.6+ kernel makes
 * (cn_filter), because on old kernels it is the only filter and callers must
 * see the same events either way. The fake kernel's fk_passes() is an
 * independent model of cn_filter from kernel-notes.md; proccn__filter_pass() is
 * compared with it for every mask, and checked by hand for the rules that
 * matter (0 = ALL, NONZERO_EXIT with and without EXIT, PROCESSES_ONLY).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fake_kernel.h"
#include "filter.h"
#include "parse.h"

static const uint32_t kind_bits[] = {
	PROCCN_EV_FORK, PROCCN_EV_EXEC, PROCCN_EV_UID, PROCCN_EV_GID, PROCCN_EV_SID,
	PROCCN_EV_PTRACE, PROCCN_EV_COMM, PROCCN_EV_COREDUMP, PROCCN_EV_EXIT,
	PROCCN_EV_NONZERO_EXIT,
};
#define N_BITS (sizeof(kind_bits) / sizeof(kind_bits[0]))

/* One process-level sample of every kind, plus a nonzero exit and a stranger. */
static unsigned int samples(struct fk_ev *out)
{
	const char comm[16] = "sh";
	unsigned int n = 0;
	uint32_t w[6] = { 1, 2, 3, 4, 5, 6 };

	out[n++] = fk_fork(1, 1, 50, 50);
	out[n++] = fk_exec(50, 50);
	out[n++] = fk_uid(50, 50, 0, 0);
	out[n++] = fk_gid(50, 50, 0, 0);
	out[n++] = fk_sid(50, 50);
	out[n++] = fk_ptrace(50, 50, 60, 60);
	out[n++] = fk_comm(50, 50, comm);
	out[n++] = fk_coredump(50, 50, 1, 1);
	out[n++] = fk_exit(50, 50, 0, 17, 1, 1);      /* exit(0) */
	out[n++] = fk_exit(51, 51, 0x100, 17, 1, 1);  /* exit(1) */
	out[n++] = fk_exit(52, 52, 9, 17, 1, 1);      /* SIGKILL */
	out[n++] = fk_raw(0x00001000, w);           /* a kind from the future */
	return n;
}

/* The event as the library sees it: decoded from the kernel's bytes. */
static union proccn_event decoded(const struct fk_ev *ev)
{
	uint64_t storage[16];
	struct pcn_decoded d;

	fk_build((uint8_t *)storage, 1, 0, 0, 1, ev);
	proccn__decode((const struct nlmsghdr *)(const void *)storage, &d);
	assert_int_equal(d.cls, PCN_MSG_EVENT);
	return d.ev;
}

static void test_normalise(void **state)
{
	(void)state;
	assert_true(proccn__mask_normalise(0) == PROCCN_EV_ALL);
	assert_true(proccn__mask_normalise(PROCCN_EV_EXIT) == PROCCN_EV_EXIT);
	/* bits outside ALL are dropped, as valid_event() does */
	assert_true(proccn__mask_normalise(PROCCN_EV_EXEC | 0x8) == PROCCN_EV_EXEC);
	assert_true(proccn__mask_normalise(0x8) == PROCCN_EV_ALL);
}

/* Each single-kind mask passes its kind and nothing else. */
static void test_single_kinds(void **state)
{
	struct fk_ev ev[16];
	unsigned int n = samples(ev), i, b;

	(void)state;
	for (b = 0; b < N_BITS; b++) {
		uint32_t mask = kind_bits[b];

		if (mask == PROCCN_EV_NONZERO_EXIT)
			continue;
		for (i = 0; i < n; i++) {
			union proccn_event e = decoded(&ev[i]);

			assert_int_equal(proccn__filter_pass(mask, 0, &e), ev[i].what == mask);
		}
	}
}

static void test_zero_means_all(void **state)
{
	struct fk_ev ev[16];
	unsigned int n = samples(ev), i;

	(void)state;
	for (i = 0; i < n; i++) {
		union proccn_event e = decoded(&ev[i]);

		/* every kind, unknown ones included */
		assert_true(proccn__filter_pass(proccn__mask_normalise(0), 0, &e));
		assert_true(proccn__filter_pass(PROCCN_EV_ALL, 0, &e));
	}
}

static void test_nonzero_exit(void **state)
{
	union proccn_event ok, fail, killed, fork;

	(void)state;
	{
		struct fk_ev a = fk_exit(9, 9, 0, 17, 1, 1), b = fk_exit(9, 9, 0x200, 17, 1, 1);
		struct fk_ev c = fk_exit(9, 9, 0x8b, 17, 1, 1), f = fk_fork(1, 1, 9, 9);

		ok = decoded(&a);
		fail = decoded(&b);
		killed = decoded(&c);
		fork = decoded(&f);
	}
	/* NONZERO_EXIT alone: exit(0) dropped; exit(2) and a core-dumping SIGSEGV pass */
	assert_false(proccn__filter_pass(PROCCN_EV_NONZERO_EXIT, 0, &ok));
	assert_true(proccn__filter_pass(PROCCN_EV_NONZERO_EXIT, 0, &fail));
	assert_true(proccn__filter_pass(PROCCN_EV_NONZERO_EXIT, 0, &killed));
	assert_false(proccn__filter_pass(PROCCN_EV_NONZERO_EXIT, 0, &fork));
	/* with EXIT it changes nothing: every exit passes */
	assert_true(proccn__filter_pass(PROCCN_EV_NONZERO_EXIT | PROCCN_EV_EXIT, 0, &ok));
	assert_true(proccn__filter_pass(PROCCN_EV_NONZERO_EXIT | PROCCN_EV_EXIT, 0, &fail));
	/* combined with another kind */
	assert_true(proccn__filter_pass(PROCCN_EV_NONZERO_EXIT | PROCCN_EV_FORK, 0, &fork));
	assert_false(proccn__filter_pass(PROCCN_EV_NONZERO_EXIT | PROCCN_EV_FORK, 0, &ok));
}

/* Every one of the 1024 masks over the ten bits agrees with the kernel model. */
static void test_every_mask_matches_kernel(void **state)
{
	struct fk_ev ev[16];
	unsigned int n = samples(ev), i, sub, b;

	(void)state;
	for (sub = 0; sub < (1u << N_BITS); sub++) {
		uint32_t mask = 0;

		for (b = 0; b < N_BITS; b++)
			if (sub & (1u << b))
				mask |= kind_bits[b];
		mask = proccn__mask_normalise(mask);
		for (i = 0; i < n; i++) {
			union proccn_event e = decoded(&ev[i]);

			if (proccn__filter_pass(mask, 0, &e) != fk_passes(mask, &ev[i]))
				fail_msg("mask 0x%08x kind 0x%08x: library %d kernel %d", mask,
					 ev[i].what, proccn__filter_pass(mask, 0, &e),
					 fk_passes(mask, &ev[i]));
		}
	}
}

static void test_processes_only(void **state)
{
	struct fk_ev tf = fk_fork(1, 1, 101, 100), pf = fk_fork(1, 1, 100, 100);
	struct fk_ev te = fk_exit(101, 100, 0, UINT32_MAX, 1, 1), pe = fk_exit(100, 100, 0, 17, 1, 1);
	struct fk_ev tx = fk_exec(101, 100);
	union proccn_event thread_fork = decoded(&tf), proc_fork = decoded(&pf);
	union proccn_event thread_exit = decoded(&te), proc_exit = decoded(&pe);
	union proccn_event thread_exec = decoded(&tx);
	const uint32_t F = PROCCN_F_PROCESSES_ONLY;

	(void)state;
	assert_false(proccn__filter_pass(PROCCN_EV_ALL, F, &thread_fork));
	assert_false(proccn__filter_pass(PROCCN_EV_ALL, F, &thread_exit));
	assert_true(proccn__filter_pass(PROCCN_EV_ALL, F, &proc_fork));
	assert_true(proccn__filter_pass(PROCCN_EV_ALL, F, &proc_exit));
	/* without the flag threads pass */
	assert_true(proccn__filter_pass(PROCCN_EV_ALL, 0, &thread_fork));
	assert_true(proccn__filter_pass(PROCCN_EV_ALL, 0, &thread_exit));
	/* the flag hides thread FORK and EXIT only */
	assert_true(proccn__filter_pass(PROCCN_EV_ALL, F, &thread_exec));
	/* and never lets through what the mask drops */
	assert_false(proccn__filter_pass(PROCCN_EV_EXEC, F, &proc_fork));
	/* a thread's nonzero exit under NONZERO_EXIT is still a thread */
	{
		struct fk_ev tk = fk_exit(101, 100, 9, UINT32_MAX, 1, 1);
		union proccn_event thread_killed = decoded(&tk);

		assert_true(proccn__filter_pass(PROCCN_EV_NONZERO_EXIT, 0, &thread_killed));
		assert_false(proccn__filter_pass(PROCCN_EV_NONZERO_EXIT, F, &thread_killed));
	}
}

/*
 * End to end on an old kernel: the socket gets everything and dispatch must
 * deliver exactly what a 6.6+ kernel would have let through.
 */
static void run_legacy(uint32_t mask, uint32_t flags)
{
	struct proccn_opts o = PROCCN_OPTS_INIT;
	struct proccn_stats st = { .sz = sizeof(st) };
	struct fake_kernel fk;
	struct proccn *h = NULL;
	struct fk_rec *rec = test_calloc(1, sizeof(*rec));
	struct proccn_callbacks cb = fk_rec_callbacks(1);
	struct fk_ev ev[16], thread_fork = fk_fork(1, 1, 71, 70);
	unsigned int n = samples(ev), i, expect = 0, j = 0;
	uint32_t nmask = proccn__mask_normalise(mask);
	int r, total = 0;

	assert_int_equal(fk_init(&fk, FK_OLD), 0);
	o.events = mask;
	o.flags = flags;
	o.ack_timeout_ms = 20;
	assert_int_equal(fk_open(&fk, &h, &o), 0);
	assert_int_equal(proccn_mode(h), PROCCN_MODE_LEGACY);
	assert_true(proccn_get_events(h) == nmask);

	ev[n++] = thread_fork;
	for (i = 0; i < n; i++)
		assert_int_equal(fk_generate(&fk, ev[i]), 1);  /* old kernel: no filter */
	while ((r = proccn_dispatch(h, &cb, rec, 0)) > 0)
		total += r;
	assert_int_equal(r, 0);
	assert_int_equal(total, (int)rec->n);

	for (i = 0; i < n; i++) {
		int pass = fk_passes(nmask, &ev[i]);

		if (pass && (flags & PROCCN_F_PROCESSES_ONLY) && &ev[i] == &ev[n - 1])
			pass = 0;   /* the thread fork */
		if (!pass)
			continue;
		expect++;
		assert_true(j < rec->n);
		if (rec->ev[j].hdr.kind != ev[i].what)
			fail_msg("mask 0x%08x flags %u: event %u kind 0x%08x, expected 0x%08x",
				 mask, flags, j, rec->ev[j].hdr.kind, ev[i].what);
		j++;
	}
	assert_int_equal(rec->n, expect);
	assert_int_equal(proccn_get_stats(h, &st), 0);
	assert_int_equal(st.delivered, expect);
	if (flags & PROCCN_F_NO_SOCKET_FILTER) {
		/* everything reached userspace: the filter accounts for the rest */
		assert_int_equal(st.received, n);
		assert_int_equal(st.filtered, n - expect);
	}
	h = proccn_close(h);
	assert_null(h);
	fk_fini(&fk);
	test_free(rec);
}

static void test_legacy_end_to_end(void **state)
{
	static const uint32_t masks[] = {
		0, PROCCN_EV_FORK, PROCCN_EV_EXEC | PROCCN_EV_EXIT, PROCCN_EV_NONZERO_EXIT,
		PROCCN_EV_NONZERO_EXIT | PROCCN_EV_EXIT, PROCCN_EV_NONZERO_EXIT | PROCCN_EV_COMM,
		PROCCN_EV_UID | PROCCN_EV_GID | PROCCN_EV_SID | PROCCN_EV_PTRACE |
			PROCCN_EV_COREDUMP | PROCCN_EV_COMM,
		PROCCN_EV_ALL,
	};
	static const uint32_t flagsets[] = {
		PROCCN_F_NO_SOCKET_FILTER,
		PROCCN_F_NO_SOCKET_FILTER | PROCCN_F_PROCESSES_ONLY,
		0,
		PROCCN_F_PROCESSES_ONLY,
	};
	size_t i, f;

	(void)state;
	for (i = 0; i < sizeof(masks) / sizeof(masks[0]); i++)
		for (f = 0; f < sizeof(flagsets) / sizeof(flagsets[0]); f++)
			run_legacy(masks[i], flagsets[f]);
}

/* FORCE_LEGACY on a 6.6+ kernel: one 4-byte LISTEN, userspace filtering. */
static void test_force_legacy_filters(void **state)
{
	struct proccn_opts o = PROCCN_OPTS_INIT;
	struct fake_kernel fk;
	struct proccn *h = NULL;
	struct fk_rec *rec = test_calloc(1, sizeof(*rec));
	struct proccn_callbacks cb = fk_rec_callbacks(0);

	(void)state;
	assert_int_equal(fk_init(&fk, FK_MODERN), 0);
	o.events = PROCCN_EV_EXEC;
	o.flags = PROCCN_F_FORCE_LEGACY | PROCCN_F_NO_SOCKET_FILTER;
	assert_int_equal(fk_open(&fk, &h, &o), 0);
	assert_int_equal(proccn_mode(h), PROCCN_MODE_LEGACY);
	assert_int_equal(fk.nreq, 1);
	assert_int_equal(fk.req[0].len, 4);
	assert_int_equal(fk.req[0].op, 1);
	/* the kernel was asked for everything, so it sends a fork: we drop it */
	assert_int_equal(fk_generate(&fk, fk_fork(1, 1, 2, 2)), 1);
	assert_int_equal(fk_generate(&fk, fk_exec(2, 2)), 1);
	assert_int_equal(proccn_dispatch(h, &cb, rec, 0), 1);
	assert_int_equal(rec->n, 1);
	assert_int_equal(rec->ev[0].hdr.kind, PROCCN_EV_EXEC);
	proccn_close(h);
	fk_fini(&fk);
	test_free(rec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_single_kinds),
		cmocka_unit_test(test_zero_means_all),
		cmocka_unit_test(test_nonzero_exit),
		cmocka_unit_test(test_every_mask_matches_kernel),
		cmocka_unit_test(test_processes_only),
		cmocka_unit_test(test_legacy_end_to_end),
		cmocka_unit_test(test_force_legacy_filters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
