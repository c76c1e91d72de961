/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The public helpers that need no handle: names, exit status, threads, time, errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "proccn.h"

static const struct {
	uint32_t kind;
	const char *name;
} names[] = {
	{ PROCCN_EV_FORK, "fork" }, { PROCCN_EV_EXEC, "exec" }, { PROCCN_EV_UID, "uid" },
	{ PROCCN_EV_GID, "gid" }, { PROCCN_EV_SID, "sid" }, { PROCCN_EV_PTRACE, "ptrace" },
	{ PROCCN_EV_COMM, "comm" }, { PROCCN_EV_COREDUMP, "coredump" },
	{ PROCCN_EV_EXIT, "exit" }, { PROCCN_EV_NONZERO_EXIT, "nonzero-exit" },
	{ PROCCN_EV_ALL, "all" },
};
#define N_NAMES (sizeof(names) / sizeof(names[0]))

static void test_kind_names(void **state)
{
	size_t i;
	uint32_t k;

	(void)state;
	for (i = 0; i < N_NAMES; i++) {
		assert_string_equal(proccn_kind_name(names[i].kind), names[i].name);
		k = 0;
		assert_int_equal(proccn_kind_from_name(names[i].name, &k), 0);
		assert_true(k == names[i].kind);
	}
	assert_null(proccn_kind_name(0));
	assert_null(proccn_kind_name(0x8));
	assert_null(proccn_kind_name(PROCCN_EV_FORK | PROCCN_EV_EXEC));
}

static void test_kind_from_name_variants(void **state)
{
	uint32_t k = 0;

	(void)state;
	assert_int_equal(proccn_kind_from_name("EXIT", &k), 0);
	assert_true(k == PROCCN_EV_EXIT);
	assert_int_equal(proccn_kind_from_name("NonZero_Exit", &k), 0);
	assert_true(k == PROCCN_EV_NONZERO_EXIT);
	k = 123;
	assert_int_equal(proccn_kind_from_name("forks", &k), -EINVAL);
	assert_int_equal(proccn_kind_from_name("for", &k), -EINVAL);
	assert_int_equal(proccn_kind_from_name("", &k), -EINVAL);
	assert_int_equal(proccn_kind_from_name("nonzero exit", &k), -EINVAL);
	assert_int_equal(k, 123);   /* untouched on failure */
	assert_int_equal(proccn_kind_from_name(NULL, &k), -EINVAL);
	assert_int_equal(proccn_kind_from_name("fork", NULL), -EINVAL);
}

static void test_mask_from_string(void **state)
{
	uint32_t m = 0;

	(void)state;
	assert_int_equal(proccn_mask_from_string("fork,exec,nonzero-exit", &m), 0);
	assert_true(m == (PROCCN_EV_FORK | PROCCN_EV_EXEC | PROCCN_EV_NONZERO_EXIT));
	assert_int_equal(proccn_mask_from_string("exit", &m), 0);
	assert_true(m == PROCCN_EV_EXIT);
	assert_int_equal(proccn_mask_from_string("all", &m), 0);
	assert_true(m == PROCCN_EV_ALL);
	assert_int_equal(proccn_mask_from_string("Fork,COMM,fork", &m), 0);
	assert_true(m == (PROCCN_EV_FORK | PROCCN_EV_COMM));
	m = 7;
	assert_int_equal(proccn_mask_from_string("", &m), -EINVAL);
	assert_int_equal(proccn_mask_from_string("fork,,exec", &m), -EINVAL);
	assert_int_equal(proccn_mask_from_string("fork,", &m), -EINVAL);
	assert_int_equal(proccn_mask_from_string(",fork", &m), -EINVAL);
	assert_int_equal(proccn_mask_from_string("fork,bogus", &m), -EINVAL);
	assert_int_equal(proccn_mask_from_string("fork exec", &m), -EINVAL);
	assert_int_equal(m, 7);
	assert_int_equal(proccn_mask_from_string(NULL, &m), -EINVAL);
	assert_int_equal(proccn_mask_from_string("fork", NULL), -EINVAL);
}

static void test_decode_exit(void **state)
{
	struct proccn_exit_status st;

	(void)state;
	proccn_decode_exit(0x300, &st);   /* exit(3) */
	assert_int_equal(st.exited, 1);
	assert_int_equal(st.code, 3);
	assert_int_equal(st.signaled, 0);
	assert_int_equal(st.core_dumped, 0);

	proccn_decode_exit(0, &st);
	assert_int_equal(st.exited, 1);
	assert_int_equal(st.code, 0);

	proccn_decode_exit(0xff00, &st);  /* exit(255) */
	assert_int_equal(st.exited, 1);
	assert_int_equal(st.code, 255);

	proccn_decode_exit(SIGKILL, &st);
	assert_int_equal(st.exited, 0);
	assert_int_equal(st.signaled, 1);
	assert_int_equal(st.signal, 9);
	assert_int_equal(st.core_dumped, 0);

	proccn_decode_exit(SIGSEGV | 0x80, &st);
	assert_int_equal(st.signaled, 1);
	assert_int_equal(st.signal, SIGSEGV);
	assert_int_equal(st.core_dumped, 1);

	/* 0x7f is "stopped", neither exited nor signaled */
	proccn_decode_exit(0x137f, &st);
	assert_int_equal(st.exited, 0);
	assert_int_equal(st.signaled, 0);

	proccn_decode_exit(0, NULL);   /* must not crash */
}

static void test_event_is_thread(void **state)
{
	union proccn_event ev;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.hdr.kind = PROCCN_EV_FORK;
	ev.fork.parent_pid = 1;
	ev.fork.parent_tgid = 1;
	ev.fork.child_pid = 11;
	ev.fork.child_tgid = 10;
	assert_int_equal(proccn_event_is_thread(&ev), 1);
	ev.fork.child_pid = 10;
	/* the parent's fields do not matter: only the child */
	ev.fork.parent_pid = 2;
	assert_int_equal(proccn_event_is_thread(&ev), 0);

	memset(&ev, 0, sizeof(ev));
	ev.hdr.kind = PROCCN_EV_EXIT;
	ev.exit.pid = 5;
	ev.exit.tgid = 5;
	assert_int_equal(proccn_event_is_thread(&ev), 0);
	ev.exit.pid = 6;
	assert_int_equal(proccn_event_is_thread(&ev), 1);

	{
		static const uint32_t kinds[] = {
			PROCCN_EV_EXEC, PROCCN_EV_UID, PROCCN_EV_GID, PROCCN_EV_SID,
			PROCCN_EV_PTRACE, PROCCN_EV_COMM, PROCCN_EV_COREDUMP,
		};
		size_t i;

		/* every kind starts with pid, tgid: the same layout in the union */
		for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
			memset(&ev, 0, sizeof(ev));
			ev.hdr.kind = kinds[i];
			ev.exec.pid = 7;
			ev.exec.tgid = 7;
			assert_int_equal(proccn_event_is_thread(&ev), 0);
			ev.exec.pid = 8;
			assert_int_equal(proccn_event_is_thread(&ev), 1);
		}
	}
	memset(&ev, 0, sizeof(ev));
	ev.hdr.kind = 0x1000;
	ev.raw.data[0] = 1;
	assert_int_equal(proccn_event_is_thread(&ev), 0);
	assert_int_equal(proccn_event_is_thread(NULL), 0);
}

static void test_timestamp_to_realtime(void **state)
{
	struct timespec mono, real, out;
	uint64_t ts;
	int64_t diff_ms;

	(void)state;
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &mono), 0);
	assert_int_equal(clock_gettime(CLOCK_REALTIME, &real), 0);
	ts = (uint64_t)mono.tv_sec * 1000000000u + (uint64_t)mono.tv_nsec;
	assert_int_equal(proccn_timestamp_to_realtime(ts, &out), 0);
	diff_ms = ((int64_t)out.tv_sec - (int64_t)real.tv_sec) * 1000 +
		  (out.tv_nsec - real.tv_nsec) / 1000000;
	assert_true(diff_ms > -1000 && diff_ms < 1000);
	assert_true(out.tv_nsec >= 0 && out.tv_nsec < 1000000000L);

	/* an event 10 s earlier is 10 s earlier in wall time */
	{
		struct timespec earlier;

		assert_int_equal(proccn_timestamp_to_realtime(ts - UINT64_C(10000000000), &earlier), 0);
		diff_ms = ((int64_t)out.tv_sec - (int64_t)earlier.tv_sec) * 1000 +
			  (out.tv_nsec - earlier.tv_nsec) / 1000000;
		assert_true(diff_ms > 9900 && diff_ms < 10100);
	}
	/* timestamp 0 (boot) still gives a normalised timespec */
	assert_int_equal(proccn_timestamp_to_realtime(0, &out), 0);
	assert_true(out.tv_nsec >= 0 && out.tv_nsec < 1000000000L);
	assert_int_equal(proccn_timestamp_to_realtime(ts, NULL), -EINVAL);
	/* past any monotonic clock: an error, not an overflow (UBSan checks) */
	assert_int_equal(proccn_timestamp_to_realtime(UINT64_MAX, &out), -ERANGE);
	assert_int_equal(proccn_timestamp_to_realtime(UINT64_C(1) << 63, &out), -ERANGE);
}

static void test_strerror(void **state)
{
	static const int ours[] = {
		-EPROTONOSUPPORT, -EOPNOTSUPP, -ECONNREFUSED, -EXDEV, -ETIMEDOUT, -EPERM,
		-EINVAL, -E2BIG, -ENOMEM, -ECHILD,
	};
	const char *generic = proccn_strerror(-999999);
	size_t i, j;

	(void)state;
	assert_non_null(generic);
	assert_non_null(proccn_strerror(0));
	assert_non_null(proccn_strerror(5));
	assert_non_null(proccn_strerror(INT32_MIN));
	/* an errno we do not special-case still gets the system's description */
	assert_non_null(proccn_strerror(-EBADF));
	assert_true(strlen(proccn_strerror(-EBADF)) > 0);
	for (i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
		const char *s = proccn_strerror(ours[i]);

		assert_non_null(s);
		assert_true(strlen(s) > 10);
		assert_string_not_equal(s, generic);
		/* specific: no two of our codes share a sentence */
		for (j = 0; j < i; j++)
			assert_string_not_equal(s, proccn_strerror(ours[j]));
	}
	/* the sentences say what to do about the specific causes */
	assert_non_null(strstr(proccn_strerror(-EXDEV), "namespace"));
	assert_non_null(strstr(proccn_strerror(-EOPNOTSUPP), "CONFIG_PROC_EVENTS"));
	assert_non_null(strstr(proccn_strerror(-ECONNREFUSED), "network namespace"));
	assert_non_null(strstr(proccn_strerror(-EPERM), "CAP_NET_ADMIN"));
}

static int tristate(int v)
{
	return v == -1 || v == 0 || v == 1;
}

/*
 * proccn_probe on this machine: it needs no root (6.6+ lets anyone
 * subscribe), and whatever the machine, every field must be a tri-state and
 * the answers must agree with each other.
 */
static void test_probe(void **state)
{
	struct proccn_probe p;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.sz = sizeof(p);
	assert_int_equal(proccn_probe(&p), 0);
	assert_true(tristate(p.connector) && tristate(p.proc_events) &&
		    tristate(p.initial_netns) && tristate(p.initial_userns) &&
		    tristate(p.initial_pidns) && tristate(p.cap_net_admin) &&
		    tristate(p.kernel_filter) && tristate(p.legacy));
	assert_true(p.subscribe_error <= 0);
	if (p.subscribe_error == 0)
		assert_true(p.kernel_filter == 1 || p.legacy == 1);
	else
		assert_non_null(proccn_strerror(p.subscribe_error));
	if (p.connector == 0)
		assert_int_equal(p.subscribe_error, -EPROTONOSUPPORT);

	/* sz comes back as the bytes filled: the fields, not the tail padding */
	assert_int_equal(p.sz, offsetof(struct proccn_probe, subscribe_error) + sizeof(int));

	p.sz = 0;
	assert_int_equal(proccn_probe(&p), -EINVAL);
	assert_int_equal(proccn_probe(NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_kind_from_name_variants),
		cmocka_unit_test(test_mask_from_string),
		cmocka_unit_test(test_decode_exit),
		cmocka_unit_test(test_event_is_thread),
		cmocka_unit_test(test_timestamp_to_realtime),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_probe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
