/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lib/procfs.h: the parsers on known text (tables of good, odd and hostile
 * inputs, every prefix of each), the readers on a fake /proc tree
 * (tests/common/fakeproc.h: vanished, reused, unreadable, garbage), the scan,
 * the clock arithmetic, and live checks against the real /proc that need no
 * privilege (this process, a forked child, a zombie, kernel threads, the
 * order in which /proc lists pids under fork/exit churn).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fakeproc.h"
#include "procfs.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define NS_PER_SEC INT64_C(1000000000)

static int main_argc;
static char **main_argv;

/* Run @fn on an exact-size heap copy, so that ASan sees any read past @len. */
#define ON_COPY(r, buf, len, call)                                  \
	do {                                                        \
		char *copy_ = malloc((len) ? (len) : 1);            \
		assert_non_null(copy_);                             \
		memcpy(copy_, (buf), (len));                        \
		(r) = call(copy_, (len));                           \
		free(copy_);                                        \
	} while (0)

/* ---- stat ---------------------------------------------------------------- */

/* Fields 3-52 with ppid 1, pgrp 2, session 3, tty_nr 4, 7 threads, start 123456. */
#define STAT_TAIL " S 1 2 3 4 -1 4194560 100 0 2 0 5 3 0 0 20 0 7 0 123456 12345678 300 " \
	"18446744073709551615 1 1 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
/* Fields 4-22 alone, for cases that vary one of them. */
#define F4_21(ppid, pgrp, sess, tty, threads) \
	" " ppid " " pgrp " " sess " " tty " -1 0 0 0 0 0 0 0 0 0 20 0 " threads " 0 "

static const struct stat_case {
	const char *name;
	const char *text;
	size_t len;
	int rc;
	const char *comm;   /* expected on success; the other fields are the tail's */
	size_t comm_len;
} stat_cases[] = {
#define OK(name, text, comm) { name, text, sizeof(text) - 1, 0, comm, sizeof(comm) - 1 }
#define BAD(name, text, rc) { name, text, sizeof(text) - 1, rc, NULL, 0 }
	OK("plain", "42 (bash)" STAT_TAIL, "bash"),
	OK("paren space paren", "42 (a) (b)" STAT_TAIL, "a) (b"),
	OK("comm is ') S 1 2 3'", "42 () S 1 2 3)" STAT_TAIL, ") S 1 2 3"),
	OK("comm with newlines", "42 (x\ny\n)" STAT_TAIL, "x\ny\n"),
	OK("comm of parentheses", "42 (()))" STAT_TAIL, "())"),
	OK("empty comm", "42 ()" STAT_TAIL, ""),
	OK("15 bytes", "42 (123456789012345)" STAT_TAIL, "123456789012345"),
	OK("kworker, 63 bytes",
	   "42 (kworker/u8:1-ext4-rsv-conversion-abcdefghijklmnopqrstuvwxyz0123)" STAT_TAIL,
	   "kworker/u8:1-ext4-rsv-conversion-abcdefghijklmnopqrstuvwxyz0123"),
	OK("bytes above 0x7f", "42 (\xff\xfe\x80)" STAT_TAIL, "\xff\xfe\x80"),
	OK("cut after field 22, no newline", "42 (a) S" F4_21("1", "2", "3", "4", "7") "123456",
	   "a"),
	OK("cut after field 22 and its space", "42 (a) S" F4_21("1", "2", "3", "4", "7") "123456 ",
	   "a"),
	OK("ends with field 22 and newline", "42 (a) S" F4_21("1", "2", "3", "4", "7") "123456\n",
	   "a"),
	OK("unknown fields after 52",
	   "42 (a) S" F4_21("1", "2", "3", "4", "7") "123456 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 "
	   "0 0 0 0 0 0 0 0 0 0 0 0 0 99 98 97 hello\n", "a"),
	OK("fields 8-19 not numbers", "42 (a) S 1 2 3 4 x x x x x x x x x x x x 7 x 123456\n", "a"),
	BAD("64-byte comm",
	    "42 (kworker/u8:1-ext4-rsv-conversion-abcdefghijklmnopqrstuvwxyz01234)" STAT_TAIL, -ERANGE),
	BAD("NUL in comm", "42 (a\0b)" STAT_TAIL, -EINVAL),
	BAD("empty", "", -EINVAL),
	BAD("no parenthesis", "42 bash S 1 2 3 4", -EINVAL),
	BAD("no closing parenthesis", "42 (bash S 1 2 3 4 -1 0 0 0 0 0 0 0 0 0 20 0 7 0 123456", -EINVAL),
	BAD("only ')' before '('", "42 )bash( S 1 2 3", -EINVAL),
	BAD("no pid", "(bash)" STAT_TAIL, -EINVAL),
	BAD("no space before '('", "42(bash)" STAT_TAIL, -EINVAL),
	BAD("pid not a number", "4x2 (bash)" STAT_TAIL, -EINVAL),
	BAD("pid 0", "0 (bash)" STAT_TAIL, -ERANGE),
	BAD("negative pid", "-42 (bash)" STAT_TAIL, -EINVAL),
	BAD("pid above INT32_MAX", "2147483648 (bash)" STAT_TAIL, -ERANGE),
	BAD("pid of 30 digits", "123456789012345678901234567890 (bash)" STAT_TAIL, -ERANGE),
	BAD("nothing after comm", "42 (bash)", -EINVAL),
	BAD("no state", "42 (bash) ", -EINVAL),
	BAD("state is a space", "42 (bash)  " F4_21("1", "2", "3", "4", "7") "123456\n", -EINVAL),
	BAD("state of two bytes", "42 (bash) SS" F4_21("1", "2", "3", "4", "7") "123456\n", -EINVAL),
	BAD("cut after state", "42 (bash) S", -EINVAL),
	BAD("cut after field 21", "42 (a) S" F4_21("1", "2", "3", "4", "7"), -EINVAL),
	BAD("cut inside field 12", "42 (a) S 1 2 3 4 -1 0 0 0 0 1", -EINVAL),
	BAD("newline inside the fields", "42 (a) S 1 2 3 4 -1 0 0 0 0\n0 0 0 0 0 20 0 7 0 123456\n",
	    -EINVAL),
	BAD("two spaces", "42 (a) S 1  2 3 4 -1 0 0 0 0 0 0 0 0 0 20 0 7 0 123456\n", -EINVAL),
	BAD("tab separator", "42 (a) S 1\t2 3 4 -1 0 0 0 0 0 0 0 0 0 20 0 7 0 123456\n", -EINVAL),
	BAD("negative ppid", "42 (a) S" F4_21("-1", "2", "3", "4", "7") "123456\n", -EINVAL),
	BAD("ppid with '+'", "42 (a) S" F4_21("+1", "2", "3", "4", "7") "123456\n", -EINVAL),
	BAD("ppid above INT32_MAX", "42 (a) S" F4_21("2147483648", "2", "3", "4", "7") "123456\n",
	    -ERANGE),
	BAD("pgrp not a number", "42 (a) S" F4_21("1", "2x", "3", "4", "7") "123456\n", -EINVAL),
	BAD("session huge", "42 (a) S" F4_21("1", "2", "99999999999999999999999", "4", "7")
	    "123456\n", -ERANGE),
	BAD("tty_nr above INT32_MAX", "42 (a) S" F4_21("1", "2", "3", "2147483648", "7") "1\n",
	    -ERANGE),
	BAD("tty_nr below INT32_MIN", "42 (a) S" F4_21("1", "2", "3", "-2147483649", "7") "1\n",
	    -ERANGE),
	BAD("tty_nr just '-'", "42 (a) S" F4_21("1", "2", "3", "-", "7") "1\n", -EINVAL),
	BAD("negative num_threads", "42 (a) S" F4_21("1", "2", "3", "4", "-1") "123456\n", -ERANGE),
	BAD("starttime above UINT64_MAX", "42 (a) S" F4_21("1", "2", "3", "4", "7")
	    "18446744073709551616\n", -ERANGE),
	BAD("starttime negative", "42 (a) S" F4_21("1", "2", "3", "4", "7") "-5\n", -EINVAL),
	BAD("starttime empty", "42 (a) S" F4_21("1", "2", "3", "4", "7") "\n", -EINVAL),
	BAD("starttime hex", "42 (a) S" F4_21("1", "2", "3", "4", "7") "0x10\n", -EINVAL),
	BAD("garbage", "\x01\x02\xff garbage ) ( )", -EINVAL),
#undef OK
#undef BAD
};

static int parse_stat_into(const char *buf, size_t len, struct proccn__procfs_stat *st)
{
	return proccn__procfs_parse_stat(buf, len, st);
}

static struct proccn__procfs_stat parsed_stat;

static int parse_stat_copy(const char *buf, size_t len)
{
	return parse_stat_into(buf, len, &parsed_stat);
}

static void test_stat_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(stat_cases); i++) {
		const struct stat_case *c = &stat_cases[i];
		int r;

		print_message("stat: %s\n", c->name);
		memset(&parsed_stat, 0xA5, sizeof(parsed_stat));
		ON_COPY(r, c->text, c->len, parse_stat_copy);
		assert_int_equal(r, c->rc);
		if (r < 0) {
			/* untouched on failure */
			struct proccn__procfs_stat poison;

			memset(&poison, 0xA5, sizeof(poison));
			assert_memory_equal(&parsed_stat, &poison, sizeof(poison));
			continue;
		}
		assert_int_equal(parsed_stat.pid, 42);
		assert_int_equal(parsed_stat.comm_len, c->comm_len);
		assert_memory_equal(parsed_stat.comm, c->comm, c->comm_len + 1);
		assert_int_equal(parsed_stat.state, 'S');
		assert_int_equal(parsed_stat.ppid, 1);
		assert_int_equal(parsed_stat.pgrp, 2);
		assert_int_equal(parsed_stat.session, 3);
		assert_int_equal(parsed_stat.tty_nr, 4);
		assert_int_equal(parsed_stat.num_threads, 7);
		assert_true(parsed_stat.starttime == 123456);
	}
}

/* The extremes that fit, field by field. */
static void test_stat_limits(void **state)
{
	static const char text[] = "2147483647 (a) t" F4_21("0", "2147483647", "0", "-2147483648",
							   "2147483647") "18446744073709551615";
	struct proccn__procfs_stat st;

	(void)state;
	assert_int_equal(proccn__procfs_parse_stat(text, sizeof(text) - 1, &st), 0);
	assert_int_equal(st.pid, INT32_MAX);
	assert_int_equal(st.state, 't');
	assert_int_equal(st.ppid, 0);
	assert_int_equal(st.pgrp, INT32_MAX);
	assert_int_equal(st.session, 0);
	assert_int_equal(st.tty_nr, INT32_MIN);
	assert_int_equal(st.num_threads, INT32_MAX);
	assert_true(st.starttime == UINT64_MAX);
	assert_int_equal(proccn__procfs_parse_stat(NULL, 0, &st), -EINVAL);
	assert_int_equal(proccn__procfs_parse_stat(text, sizeof(text) - 1, NULL), -EINVAL);
}

/* Every prefix of every case: an answer, never a crash or a read past the end. */
static void test_stat_every_prefix(void **state)
{
	size_t i, n;

	(void)state;
	for (i = 0; i < ARRAY_LEN(stat_cases); i++)
		for (n = 0; n <= stat_cases[i].len; n++) {
			int r;

			ON_COPY(r, stat_cases[i].text, n, parse_stat_copy);
			assert_true(r == 0 || r == -EINVAL || r == -ERANGE);
			if (r == 0)
				assert_true(parsed_stat.comm_len < PROCCN__PROCFS_COMM_SIZE);
		}
}

/* ---- status -------------------------------------------------------------- */

#define STATUS_HEAD "Name:\tbash\nUmask:\t0022\nState:\tS (sleeping)\n"
#define STATUS_IDS "Tgid:\t42\nNgid:\t0\nPid:\t42\nPPid:\t7\nTracerPid:\t0\n" \
	"Uid:\t1000\t1001\t1002\t1003\nGid:\t2000\t2001\t2002\t2003\n"
#define STATUS_TAIL "FDSize:\t64\nGroups:\t4 24 27 \nNStgid:\t42\t5\nNSpid:\t42\t5\n" \
	"NSpgid:\t42\t5\nNSsid:\t1\t0\nKthread:\t0\nThreads:\t1\n"

static const struct status_case {
	const char *name;
	const char *text;
	size_t len;
	int rc;
	pid_t nspid;  /* expected on success; the other fields are STATUS_IDS' */
} status_cases[] = {
#define OK(name, text, nspid) { name, text, sizeof(text) - 1, 0, nspid }
#define BAD(name, text, rc) { name, text, sizeof(text) - 1, rc, 0 }
	OK("kernel's", STATUS_HEAD STATUS_IDS STATUS_TAIL, 5),
	OK("no NSpid line", STATUS_HEAD STATUS_IDS "FDSize:\t64\n", 0),
	OK("NSpid of one level", STATUS_IDS "NSpid:\t42\n", 42),
	OK("NSpid of three levels", STATUS_IDS "NSpid:\t42\t9\t3\n", 3),
	OK("no trailing newline", STATUS_IDS "NSpid:\t42\t9", 9),
	OK("spaces for tabs", "Tgid: 42\nPPid:  7\nUid: 1000 1001 1002 1003\n"
	   "Gid:\t2000 2001\t 2002 2003  \n", 0),
	OK("order does not matter", "Gid:\t2000\t2001\t2002\t2003\nUid:\t1000\t1001\t1002\t1003\n"
	   "PPid:\t7\nTgid:\t42\n", 0),
	OK("escaped newline in the name", "Name:\tx\\nUid:\t0\t0\t0\t0\n" STATUS_IDS, 0),
	OK("unknown and look-alike keys", "Tgidx:\t1\nUids:\t1\nNSpidx:\tzz\nWhatever\n\n:\n"
	   STATUS_IDS, 0),
	BAD("empty", "", -EINVAL),
	BAD("no Uid", "Tgid:\t42\nPPid:\t7\nGid:\t2000\t2001\t2002\t2003\n", -EINVAL),
	BAD("no Tgid", "PPid:\t7\nUid:\t1\t1\t1\t1\nGid:\t2\t2\t2\t2\n", -EINVAL),
	BAD("no PPid", "Tgid:\t42\nUid:\t1\t1\t1\t1\nGid:\t2\t2\t2\t2\n", -EINVAL),
	BAD("no Gid", "Tgid:\t42\nPPid:\t7\nUid:\t1\t1\t1\t1\n", -EINVAL),
	BAD("three uids", "Tgid:\t42\nPPid:\t7\nUid:\t1\t1\t1\nGid:\t2\t2\t2\t2\n", -EINVAL),
	BAD("five gids", "Tgid:\t42\nPPid:\t7\nUid:\t1\t1\t1\t1\nGid:\t2\t2\t2\t2\t2\n", -EINVAL),
	BAD("two Tgids", "Tgid:\t1\nTgid:\t42\nPPid:\t7\nUid:\t1\t1\t1\t1\nGid:\t2\t2\t2\t2\n",
	    -EINVAL),
	BAD("two NSpids", STATUS_IDS "NSpid:\t1\nNSpid:\t2\n", -EINVAL),
	BAD("empty Tgid", "Tgid:\nPPid:\t7\nUid:\t1\t1\t1\t1\nGid:\t2\t2\t2\t2\n", -EINVAL),
	BAD("Tgid 0", "Tgid:\t0\nPPid:\t7\nUid:\t1\t1\t1\t1\nGid:\t2\t2\t2\t2\n", -ERANGE),
	BAD("NSpid 0", STATUS_IDS "NSpid:\t42\t0\n", -ERANGE),
	BAD("empty NSpid", STATUS_IDS "NSpid:\n", -EINVAL),
	BAD("uid above UINT32_MAX", "Tgid:\t42\nPPid:\t7\nUid:\t1\t4294967296\t1\t1\n"
	    "Gid:\t2\t2\t2\t2\n", -ERANGE),
	BAD("negative uid", "Tgid:\t42\nPPid:\t7\nUid:\t1\t-1\t1\t1\nGid:\t2\t2\t2\t2\n", -EINVAL),
	BAD("PPid above INT32_MAX", "Tgid:\t42\nPPid:\t2147483648\nUid:\t1\t1\t1\t1\n"
	    "Gid:\t2\t2\t2\t2\n", -ERANGE),
	BAD("CR before the newline", "Tgid:\t42\r\nPPid:\t7\nUid:\t1\t1\t1\t1\nGid:\t2\t2\t2\t2\n",
	    -EINVAL),
	BAD("NUL in a value", "Tgid:\t4\0002\nPPid:\t7\nUid:\t1\t1\t1\t1\nGid:\t2\t2\t2\t2\n", -EINVAL),
	BAD("cut inside Uid", "Tgid:\t42\nPPid:\t7\nUid:\t1000\t10", -EINVAL),
#undef OK
#undef BAD
};

static struct proccn__procfs_status parsed_status;

static int parse_status_copy(const char *buf, size_t len)
{
	return proccn__procfs_parse_status(buf, len, &parsed_status);
}

static void test_status_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(status_cases); i++) {
		const struct status_case *c = &status_cases[i];
		int r, k;

		print_message("status: %s\n", c->name);
		memset(&parsed_status, 0xA5, sizeof(parsed_status));
		ON_COPY(r, c->text, c->len, parse_status_copy);
		assert_int_equal(r, c->rc);
		if (r < 0) {
			assert_int_equal(parsed_status.tgid, (pid_t)0xA5A5A5A5);
			continue;
		}
		assert_int_equal(parsed_status.tgid, 42);
		assert_int_equal(parsed_status.ppid, 7);
		for (k = 0; k < 4; k++) {
			assert_int_equal(parsed_status.uid[k], 1000 + k);
			assert_int_equal(parsed_status.gid[k], 2000 + k);
		}
		assert_int_equal(parsed_status.nspid, c->nspid);
	}
}

static void test_status_every_prefix(void **state)
{
	size_t i, n;

	(void)state;
	for (i = 0; i < ARRAY_LEN(status_cases); i++)
		for (n = 0; n <= status_cases[i].len; n++) {
			int r;

			ON_COPY(r, status_cases[i].text, n, parse_status_copy);
			assert_true(r == 0 || r == -EINVAL || r == -ERANGE);
		}
}

static void test_status_extremes(void **state)
{
	static const char text[] = "Tgid:\t2147483647\nPPid:\t0\nUid:\t0\t4294967295\t0\t4294967295\n"
				   "Gid:\t4294967295\t0\t4294967295\t0\n";
	struct proccn__procfs_status st;

	(void)state;
	assert_int_equal(proccn__procfs_parse_status(text, sizeof(text) - 1, &st), 0);
	assert_int_equal(st.tgid, INT32_MAX);
	assert_int_equal(st.ppid, 0);
	assert_true(st.uid[PROCCN__PROCFS_EFFECTIVE] == UINT32_MAX && st.uid[PROCCN__PROCFS_REAL] == 0);
	assert_true(st.gid[PROCCN__PROCFS_REAL] == UINT32_MAX && st.gid[PROCCN__PROCFS_FS] == 0);
	assert_int_equal(st.nspid, 0);
	assert_int_equal(proccn__procfs_parse_status(NULL, 0, &st), -EINVAL);
	assert_int_equal(proccn__procfs_parse_status(text, sizeof(text) - 1, NULL), -EINVAL);
}

/* ---- cgroup -------------------------------------------------------------- */

static const struct cgroup_case {
	const char *name;
	const char *text;
	size_t len;
	int rc;
	const char *path;   /* expected on success */
	unsigned int flags;
} cgroup_cases[] = {
#define OK(name, text, path, flags) { name, text, sizeof(text) - 1, 0, path, flags }
#define BAD(name, text, rc) { name, text, sizeof(text) - 1, rc, NULL, 0 }
	OK("v2 only", "0::/user.slice/user-1000.slice/session-2.scope\n",
	   "/user.slice/user-1000.slice/session-2.scope", 0),
	OK("hybrid: v1 lines first", "12:pids:/user.slice\n4:memory:/x\n1:name=systemd:/a\n"
	   "0::/system.slice/foo.service\n", "/system.slice/foo.service", 0),
	OK("v2 line first", "0::/a\n3:cpu,cpuacct:/b\n", "/a", 0),
	OK("root", "0::/\n", "/", 0),
	OK("no trailing newline", "1:cpu:/\n0::/init.scope", "/init.scope", 0),
	OK("outside our cgroup namespace", "0::/../../sibling\n", "/../../sibling", 0),
	OK("spaces and colons in the path", "0::/a b/c:d/0::x\n", "/a b/c:d/0::x", 0),
	OK("deleted", "0::/system.slice/gone.service (deleted)\n", "/system.slice/gone.service",
	   PROCCN__PROCFS_F_DELETED),
	OK("a cgroup named ' (deleted)' alone", "0::/ (deleted)\n", "/", PROCCN__PROCFS_F_DELETED),
	OK("'10::' is not hierarchy 0", "10::/v1-named\n0::/real\n", "/real", 0),
	BAD("v1 only", "12:pids:/\n1:name=systemd:/user.slice\n", -ENODATA),
	BAD("empty", "", -ENODATA),
	BAD("0: with a controller", "0:cpu:/a\n", -ENODATA),
	BAD("empty path", "0::\n", -EINVAL),
	BAD("relative path", "0::user.slice\n", -EINVAL),
	BAD("two v2 lines", "0::/a\n0::/b\n", -EINVAL),
	BAD("garbage", "\xff\x00\x01::\n::/\n", -ENODATA),
#undef OK
#undef BAD
};

static const char *cg_path;
static size_t cg_len;
static unsigned int cg_flags;

static int parse_cgroup_copy(const char *buf, size_t len)
{
	int r = proccn__procfs_parse_cgroup(buf, len, &cg_path, &cg_len, &cg_flags);

	/* the span must lie in the input; check while the copy exists */
	if (r == 0) {
		assert_true(cg_path >= buf && cg_path + cg_len <= buf + len);
		cg_path = strndup(cg_path, cg_len);
	}
	return r;
}

static void test_cgroup_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cgroup_cases); i++) {
		const struct cgroup_case *c = &cgroup_cases[i];
		int r;

		print_message("cgroup: %s\n", c->name);
		cg_flags = 99;
		ON_COPY(r, c->text, c->len, parse_cgroup_copy);
		assert_int_equal(r, c->rc);
		if (r < 0)
			continue;
		assert_string_equal(cg_path, c->path);
		assert_int_equal(cg_len, strlen(c->path));
		assert_int_equal(cg_flags, c->flags);
		free((char *)cg_path);
	}
	/* flags may be NULL */
	assert_int_equal(proccn__procfs_parse_cgroup("0::/a (deleted)", 15, &cg_path, &cg_len, NULL), 0);
	assert_int_equal(cg_len, 2);
	assert_int_equal(proccn__procfs_parse_cgroup(NULL, 0, &cg_path, &cg_len, NULL), -EINVAL);
}

static void test_cgroup_every_prefix(void **state)
{
	size_t i, n;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cgroup_cases); i++)
		for (n = 0; n <= cgroup_cases[i].len; n++) {
			int r;

			ON_COPY(r, cgroup_cases[i].text, n, parse_cgroup_copy);
			assert_true(r == 0 || r == -EINVAL || r == -ENODATA);
			if (r == 0)
				free((char *)cg_path);
		}
}

#define ID64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const struct derive_case {
	const char *path;
	const char *unit;       /* NULL: -ENOENT */
	const char *container;  /* NULL: -ENOENT */
} derive_cases[] = {
	{ "/", NULL, NULL },
	{ "", NULL, NULL },
	{ "/init.scope", "init.scope", NULL },
	{ "/system.slice/sshd.service", "sshd.service", NULL },
	{ "/user.slice/user-1000.slice/user@1000.service/app.slice/foo.scope", "foo.scope", NULL },
	{ "/user.slice/user-1000.slice/session-3.scope", "session-3.scope", NULL },
	{ "/system.slice/docker.service/payload/sub", "docker.service", NULL },
	{ "/system.slice/cups.socket", "cups.socket", NULL },
	{ "/system.slice/home.mount", "home.mount", NULL },
	{ "/system.slice/dev-sda2.swap", "dev-sda2.swap", NULL },
	{ "/user.slice", "user.slice", NULL },
	{ "/.service/.scope", NULL, NULL },
	{ "/a.services/b.scoped", NULL, NULL },
	{ "//system.slice//x.service//", "x.service", NULL },
	{ "/system.slice/docker-" ID64 ".scope", "docker-" ID64 ".scope", ID64 },
	{ "/machine.slice/libpod-" ID64 ".scope/container", "libpod-" ID64 ".scope", ID64 },
	{ "/machine.slice/libpod-conmon-" ID64 ".scope", "libpod-conmon-" ID64 ".scope", NULL },
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234_5678.slice/"
	  "cri-containerd-" ID64 ".scope", "cri-containerd-" ID64 ".scope", ID64 },
	{ "/kubepods.slice/kubepods-pod1.slice/crio-" ID64 ".scope", "crio-" ID64 ".scope", ID64 },
	{ "/system.slice/containerd-" ID64 ".scope", "containerd-" ID64 ".scope", ID64 },
	{ "/docker/" ID64, NULL, ID64 },
	{ "/docker/" ID64 "/sub", NULL, ID64 },
	{ "/kubepods/burstable/pod1234-5678/" ID64, NULL, ID64 },
	{ "/kubepods/besteffort/pod1/" ID64 "/docker/"
	  "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210", NULL,
	  "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210" },
	{ "/lxc/" ID64, NULL, NULL },
	{ "/" ID64, NULL, NULL },
	{ "/docker/0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", NULL, NULL },
	{ "/docker/0123456789abcdef", NULL, NULL },
	{ "/docker/" ID64 "0", NULL, NULL },
	{ "/system.slice/docker-0123.scope", "docker-0123.scope", NULL },
	{ "/system.slice/docker-" ID64 ".service", "docker-" ID64 ".service", NULL },
	{ "/system.slice/rkt-" ID64 ".scope", "rkt-" ID64 ".scope", NULL },
	{ "/system.slice/docker-.scope", "docker-.scope", NULL },
};

static void test_cgroup_derive(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(derive_cases); i++) {
		const struct derive_case *c = &derive_cases[i];
		size_t len = strlen(c->path), n = 99;
		const char *span = NULL;
		char *copy = malloc(len ? len : 1);
		int r;

		print_message("derive: '%s'\n", c->path);
		assert_non_null(copy);
		memcpy(copy, c->path, len);
		r = proccn__procfs_cgroup_unit(copy, len, &span, &n);
		if (c->unit) {
			assert_int_equal(r, 0);
			assert_true(span >= copy && span + n <= copy + len);
			assert_int_equal(n, strlen(c->unit));
			assert_memory_equal(span, c->unit, n);
		} else {
			assert_int_equal(r, -ENOENT);
		}
		r = proccn__procfs_cgroup_container(copy, len, &span, &n);
		if (c->container) {
			assert_int_equal(r, 0);
			assert_true(span >= copy && span + n <= copy + len);
			assert_int_equal(n, 64);
			assert_memory_equal(span, c->container, n);
		} else {
			assert_int_equal(r, -ENOENT);
		}
		free(copy);
	}
	assert_int_equal(proccn__procfs_cgroup_unit(NULL, 0, NULL, NULL), -EINVAL);
	assert_int_equal(proccn__procfs_cgroup_container(NULL, 0, NULL, NULL), -EINVAL);
}

/* ---- loginuid, sessionid ------------------------------------------------ */

static void test_parse_id(void **state)
{
	static const struct {
		const char *text;
		int rc;
		uint32_t value;
	} cases[] = {
		{ "1000", 0, 1000 },
		{ "1000\n", 0, 1000 },
		{ "0", 0, 0 },
		{ "4294967295", 0, PROCCN__PROCFS_ID_UNSET },
		{ "4294967296", -ERANGE, 0 },
		{ "99999999999999999999999", -ERANGE, 0 },
		{ "", -EINVAL, 0 },
		{ "\n", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 },
		{ " 1", -EINVAL, 0 },
		{ "1 ", -EINVAL, 0 },
		{ "1\n\n", -EINVAL, 0 },
		{ "12a", -EINVAL, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		uint32_t v = 7;
		size_t len = strlen(cases[i].text);
		char *copy = malloc(len ? len : 1);

		assert_non_null(copy);
		memcpy(copy, cases[i].text, len);
		assert_int_equal(proccn__procfs_parse_id(copy, len, &v), cases[i].rc);
		assert_true(v == (cases[i].rc ? 7 : cases[i].value));
		free(copy);
	}
	assert_int_equal(proccn__procfs_parse_id(NULL, 0, NULL), -EINVAL);
}

/* ---- readers on a fake tree ---------------------------------------------- */

static struct fakeproc *fp;
static int rootfd = -1;

static int fake_setup(void **state)
{
	(void)state;
	fp = fakeproc_new();
	rootfd = proccn__procfs_root_open(fakeproc_root(fp));
	return rootfd < 0 ? -1 : 0;
}

static int fake_teardown(void **state)
{
	(void)state;
	close(rootfd);
	rootfd = -1;
	fakeproc_free(fp);
	fp = NULL;
	return 0;
}

static const char *const argv_ls[] = { "ls", "-l", "/tmp dir", NULL };

static struct fakeproc_proc full_proc(pid_t pid)
{
	struct fakeproc_proc p;

	fakeproc_proc_init(&p, pid);
	p.comm = "a) (b\nc";
	p.state = 'R';
	p.ppid = 77;
	p.pgrp = 78;
	p.session = 79;
	p.tty_nr = 34816;
	p.num_threads = 3;
	p.starttime = 987654321;
	p.uid[0] = 1;
	p.uid[1] = 2;
	p.uid[2] = 3;
	p.uid[3] = 4;
	p.gid[0] = 5;
	p.gid[1] = 6;
	p.gid[2] = 7;
	p.gid[3] = 8;
	p.nspid = 9;
	p.argv = argv_ls;
	p.exe = "/usr/bin/ls";
	p.cgroup = "/system.slice/docker-" ID64 ".scope";
	p.loginuid = 1000;
	p.sessionid = 4;
	return p;
}

static int open_pid(pid_t pid)
{
	int fd = proccn__procfs_open_pid(rootfd, pid);

	assert_true(fd >= 0);
	return fd;
}

static void test_read_fake_process(void **state)
{
	struct fakeproc_proc p = full_proc(4242);
	struct proccn__procfs_stat st;
	struct proccn__procfs_status ss;
	char buf[PROCCN__PROCFS_STATUS_SIZE];
	unsigned int flags = 99;
	uint32_t login = 0, session = 0;
	size_t len;
	int dirfd;

	(void)state;
	fakeproc_add(fp, &p);
	dirfd = open_pid(4242);
	assert_int_equal(proccn__procfs_read_stat(dirfd, buf, sizeof(buf), &st), 0);
	assert_int_equal(st.pid, 4242);
	assert_string_equal(st.comm, "a) (b\nc");
	assert_int_equal(st.state, 'R');
	assert_int_equal(st.ppid, 77);
	assert_int_equal(st.pgrp, 78);
	assert_int_equal(st.session, 79);
	assert_int_equal(st.tty_nr, 34816);
	assert_int_equal(st.num_threads, 3);
	assert_true(st.starttime == 987654321);

	assert_int_equal(proccn__procfs_read_status(dirfd, buf, sizeof(buf), &ss), 0);
	assert_int_equal(ss.tgid, 4242);
	assert_int_equal(ss.ppid, 77);
	assert_int_equal(ss.uid[PROCCN__PROCFS_REAL], 1);
	assert_int_equal(ss.uid[PROCCN__PROCFS_EFFECTIVE], 2);
	assert_int_equal(ss.uid[PROCCN__PROCFS_SAVED], 3);
	assert_int_equal(ss.uid[PROCCN__PROCFS_FS], 4);
	assert_int_equal(ss.gid[PROCCN__PROCFS_REAL], 5);
	assert_int_equal(ss.gid[PROCCN__PROCFS_FS], 8);
	assert_int_equal(ss.nspid, 9);

	assert_int_equal(proccn__procfs_read_exe(dirfd, buf, sizeof(buf), &len, &flags), 0);
	assert_string_equal(buf, "/usr/bin/ls");
	assert_int_equal(len, 11);
	assert_int_equal(flags, 0);

	flags = 99;
	assert_int_equal(proccn__procfs_read_cmdline(dirfd, buf, sizeof(buf), &len, &flags), 0);
	assert_int_equal(len, sizeof("ls\0-l\0/tmp dir"));
	assert_memory_equal(buf, "ls\0-l\0/tmp dir", len);
	assert_int_equal(flags, 0);

	flags = 99;
	assert_int_equal(proccn__procfs_read_cgroup(dirfd, buf, sizeof(buf), &len, &flags), 0);
	assert_string_equal(buf, "/system.slice/docker-" ID64 ".scope");
	assert_int_equal(len, strlen(buf));
	assert_int_equal(flags, 0);

	assert_int_equal(proccn__procfs_read_audit_ids(dirfd, &login, &session), 0);
	assert_int_equal(login, 1000);
	assert_int_equal(session, 4);
	close(dirfd);
}

/* What a kernel thread looks like: no exe, empty cmdline, ids unset, root cgroup. */
static void test_read_fake_kernel_thread(void **state)
{
	struct fakeproc_proc p;
	char buf[PROCCN__PROCFS_EXE_SIZE];
	uint32_t login = 0, session = 0;
	size_t len = 99;
	int dirfd;

	(void)state;
	fakeproc_proc_init(&p, 2);
	p.comm = "kthreadd";
	p.ppid = 0;
	p.exe = NULL;
	p.cgroup = "/";
	p.loginuid = PROCCN__PROCFS_ID_UNSET;
	p.sessionid = PROCCN__PROCFS_ID_UNSET;
	fakeproc_add(fp, &p);
	dirfd = open_pid(2);
	assert_int_equal(proccn__procfs_read_exe(dirfd, buf, sizeof(buf), &len, NULL), -ENOENT);
	assert_int_equal(proccn__procfs_read_cmdline(dirfd, buf, sizeof(buf), &len, NULL), 0);
	assert_int_equal(len, 0);
	assert_int_equal(proccn__procfs_read_cgroup(dirfd, buf, sizeof(buf), &len, NULL), 0);
	assert_string_equal(buf, "/");
	assert_int_equal(proccn__procfs_read_audit_ids(dirfd, &login, &session), 0);
	assert_true(login == PROCCN__PROCFS_ID_UNSET && session == PROCCN__PROCFS_ID_UNSET);
	close(dirfd);
}

static void test_read_exe_deleted_and_long(void **state)
{
	struct fakeproc_proc p;
	char buf[PROCCN__PROCFS_EXE_SIZE], small[8];
	unsigned int flags = 0;
	size_t len = 0;
	int dirfd;

	(void)state;
	fakeproc_proc_init(&p, 100);
	p.exe = "/usr/bin/old (deleted)";
	fakeproc_add(fp, &p);
	dirfd = open_pid(100);
	assert_int_equal(proccn__procfs_read_exe(dirfd, buf, sizeof(buf), &len, &flags), 0);
	assert_string_equal(buf, "/usr/bin/old");
	assert_int_equal(len, 12);
	assert_int_equal(flags, PROCCN__PROCFS_F_DELETED);
	/* " (deleted)" alone is a name, not a marker */
	p.exe = " (deleted)";
	fakeproc_add(fp, &p);
	assert_int_equal(proccn__procfs_read_exe(dirfd, buf, sizeof(buf), &len, &flags), 0);
	assert_string_equal(buf, " (deleted)");
	assert_int_equal(flags, 0);
	/* a path that does not fit with its NUL: -ERANGE, never cut silently */
	p.exe = "/usr/bin";
	fakeproc_add(fp, &p);
	assert_int_equal(proccn__procfs_read_exe(dirfd, small, 8, &len, NULL), -ERANGE);
	p.exe = "/usr/bi";
	fakeproc_add(fp, &p);
	assert_int_equal(proccn__procfs_read_exe(dirfd, small, 8, &len, NULL), 0);
	assert_string_equal(small, "/usr/bi");
	assert_int_equal(proccn__procfs_read_exe(dirfd, small, 0, &len, NULL), -EINVAL);
	close(dirfd);
}

static void test_read_cmdline_truncation(void **state)
{
	static const char *const argv[] = { "prog", "0123456789", NULL };
	const size_t full = sizeof("prog\0000123456789"); /* 16 bytes with both NULs */
	struct fakeproc_proc p;
	char buf[64];
	unsigned int flags = 99;
	size_t len = 0;
	int dirfd;

	(void)state;
	fakeproc_proc_init(&p, 101);
	p.argv = argv;
	fakeproc_add(fp, &p);
	dirfd = open_pid(101);
	assert_int_equal(full, 16);
	assert_int_equal(proccn__procfs_read_cmdline(dirfd, buf, sizeof(buf), &len, &flags), 0);
	assert_int_equal(len, full);
	assert_int_equal(flags, 0);
	/* exactly full: the one-byte probe finds the end */
	assert_int_equal(proccn__procfs_read_cmdline(dirfd, buf, full, &len, &flags), 0);
	assert_int_equal(len, full);
	assert_int_equal(flags, 0);
	/* one byte short */
	assert_int_equal(proccn__procfs_read_cmdline(dirfd, buf, full - 1, &len, &flags), 0);
	assert_int_equal(len, full - 1);
	assert_int_equal(flags, PROCCN__PROCFS_F_TRUNCATED);
	assert_memory_equal(buf, "prog\0000123456789", full - 1);
	assert_int_equal(proccn__procfs_read_cmdline(dirfd, buf, 1, &len, &flags), 0);
	assert_int_equal(len, 1);
	assert_int_equal(flags, PROCCN__PROCFS_F_TRUNCATED);
	assert_int_equal(proccn__procfs_read_cmdline(dirfd, buf, 0, &len, &flags), -EINVAL);
	/* flags may be NULL */
	assert_int_equal(proccn__procfs_read_cmdline(dirfd, buf, 4, &len, NULL), 0);
	close(dirfd);
}

/* Every reader through a dirfd whose process is gone: -ESRCH. */
static void expect_all_gone(int dirfd)
{
	struct proccn__procfs_stat st;
	struct proccn__procfs_status ss;
	char buf[PROCCN__PROCFS_STATUS_SIZE];
	uint32_t a, b;
	size_t len;

	assert_int_equal(proccn__procfs_read_stat(dirfd, buf, sizeof(buf), &st), -ESRCH);
	assert_int_equal(proccn__procfs_read_status(dirfd, buf, sizeof(buf), &ss), -ESRCH);
	assert_int_equal(proccn__procfs_read_exe(dirfd, buf, sizeof(buf), &len, NULL), -ESRCH);
	assert_int_equal(proccn__procfs_read_cmdline(dirfd, buf, sizeof(buf), &len, NULL), -ESRCH);
	assert_int_equal(proccn__procfs_read_cgroup(dirfd, buf, sizeof(buf), &len, NULL), -ESRCH);
	assert_int_equal(proccn__procfs_read_audit_ids(dirfd, &a, &b), -ESRCH);
	assert_int_equal(proccn__procfs_read_file(dirfd, "stat", buf, sizeof(buf), &len), -ESRCH);
}

static void test_read_stale_dirfd(void **state)
{
	struct fakeproc_proc p;
	struct proccn__procfs_stat st;
	char buf[PROCCN__PROCFS_STAT_SIZE];
	int old, fresh;

	(void)state;
	fakeproc_proc_init(&p, 300);
	p.starttime = 5000;
	fakeproc_add(fp, &p);
	old = open_pid(300);
	assert_int_equal(proccn__procfs_read_stat(old, buf, sizeof(buf), &st), 0);
	assert_true(st.starttime == 5000);

	/* pid reuse: the old fd never reads the new process */
	p.starttime = 6000;
	p.comm = "newcomer";
	fakeproc_replace(fp, &p);
	expect_all_gone(old);
	fresh = open_pid(300);
	assert_int_equal(proccn__procfs_read_stat(fresh, buf, sizeof(buf), &st), 0);
	assert_true(st.starttime == 6000);
	assert_string_equal(st.comm, "newcomer");

	/* gone: stale fd and no new open */
	fakeproc_remove(fp, 300);
	expect_all_gone(fresh);
	assert_int_equal(proccn__procfs_open_pid(rootfd, 300), -ESRCH);
	close(old);
	close(fresh);
}

/* Files a living process lacks: -ENOENT, not -ESRCH. */
static void test_read_missing_files(void **state)
{
	struct fakeproc_proc p;
	char buf[PROCCN__PROCFS_CGROUP_SIZE];
	uint32_t a = 1, b = 2;
	size_t len;
	int dirfd;

	(void)state;
	fakeproc_proc_init(&p, 301);
	fakeproc_add(fp, &p);
	dirfd = open_pid(301);
	fakeproc_unlink(fp, 301, "sessionid");
	assert_int_equal(proccn__procfs_read_audit_ids(dirfd, &a, &b), -ENOENT);
	assert_true(a == 1 && b == 2);
	fakeproc_unlink(fp, 301, "cgroup");
	assert_int_equal(proccn__procfs_read_cgroup(dirfd, buf, sizeof(buf), &len, NULL), -ENOENT);
	assert_int_equal(proccn__procfs_read_file(dirfd, "no-such-file", buf, sizeof(buf), &len),
			 -ENOENT);
	/* v1 only: no v2 line */
	p.cgroup = NULL;
	fakeproc_add(fp, &p);
	assert_int_equal(proccn__procfs_read_cgroup(dirfd, buf, sizeof(buf), &len, NULL), -ENODATA);
	close(dirfd);
}

static void test_read_garbage(void **state)
{
	static const char stat_cut[] = "302 (fake) S 1 302 302 0 -1 4194304 100";
	static const char junk[] = "\x00\xff\x01(((\n)))\n0::\nUid:\n";
	struct fakeproc_proc p;
	struct proccn__procfs_stat st;
	struct proccn__procfs_status ss;
	char buf[PROCCN__PROCFS_STATUS_SIZE];
	uint32_t a, b;
	size_t len;
	int dirfd;

	(void)state;
	fakeproc_proc_init(&p, 302);
	fakeproc_add(fp, &p);
	dirfd = open_pid(302);
	fakeproc_write(fp, 302, "stat", stat_cut, sizeof(stat_cut) - 1);
	assert_int_equal(proccn__procfs_read_stat(dirfd, buf, sizeof(buf), &st), -EINVAL);
	fakeproc_write(fp, 302, "stat", junk, sizeof(junk) - 1);
	assert_int_equal(proccn__procfs_read_stat(dirfd, buf, sizeof(buf), &st), -EINVAL);
	fakeproc_write(fp, 302, "stat", "", 0);
	assert_int_equal(proccn__procfs_read_stat(dirfd, buf, sizeof(buf), &st), -EINVAL);
	fakeproc_write(fp, 302, "status", junk, sizeof(junk) - 1);
	assert_int_equal(proccn__procfs_read_status(dirfd, buf, sizeof(buf), &ss), -EINVAL);
	fakeproc_write(fp, 302, "cgroup", junk, sizeof(junk) - 1);
	assert_int_equal(proccn__procfs_read_cgroup(dirfd, buf, sizeof(buf), &len, NULL), -EINVAL);
	fakeproc_write(fp, 302, "loginuid", "-1", 2);
	assert_int_equal(proccn__procfs_read_audit_ids(dirfd, &a, &b), -EINVAL);
	fakeproc_write(fp, 302, "loginuid", "99999999999", 11);
	assert_int_equal(proccn__procfs_read_audit_ids(dirfd, &a, &b), -ERANGE);
	/* a loginuid longer than the reader's 16 bytes is cut, and then not a number */
	fakeproc_write(fp, 302, "loginuid", "11111111111111111111", 20);
	assert_int_equal(proccn__procfs_read_audit_ids(dirfd, &a, &b), -ERANGE);
	close(dirfd);
}

/* status longer than the buffer: complete lines are parsed, NSpid is lost. */
static void test_read_status_cut(void **state)
{
	struct fakeproc_proc p;
	struct proccn__procfs_status ss;
	char buf[PROCCN__PROCFS_STATUS_SIZE];
	size_t used, i;
	char *text;
	int dirfd;

	(void)state;
	fakeproc_proc_init(&p, 303);
	p.nspid = 17;
	fakeproc_add(fp, &p);
	dirfd = open_pid(303);
	assert_int_equal(proccn__procfs_read_status(dirfd, buf, sizeof(buf), &ss), 0);
	assert_int_equal(ss.nspid, 17);
	assert_int_equal(proccn__procfs_read_status(dirfd, buf, PROCCN__PROCFS_STAT_SIZE - 1, &ss),
			 -EINVAL);

	/* 8000 bytes of Groups between Gid and NSpid, as with many groups */
	text = malloc(10000);
	assert_non_null(text);
	used = (size_t)sprintf(text, "Name:\tx\nTgid:\t303\nPPid:\t1\nUid:\t1\t2\t3\t4\nGid:\t5\t6\t7\t8\n"
				     "Groups:\t");
	for (i = 0; i < 1000; i++)
		used += (size_t)sprintf(text + used, "%7zu ", i);
	used += (size_t)sprintf(text + used, "\nNSpid:\t303\t17\nThreads:\t1\n");
	fakeproc_write(fp, 303, "status", text, used);
	memset(&ss, 0, sizeof(ss));
	assert_int_equal(proccn__procfs_read_status(dirfd, buf, sizeof(buf), &ss), 0);
	assert_int_equal(ss.tgid, 303);
	assert_int_equal(ss.uid[3], 4);
	assert_int_equal(ss.nspid, 0);
	/* a big enough buffer reaches it */
	{
		char big[16384];

		assert_int_equal(proccn__procfs_read_status(dirfd, big, sizeof(big), &ss), 0);
		assert_int_equal(ss.nspid, 17);
	}
	/* the buffer ends inside the NSpid line ("NSpid:\t303\t1|7"): the part is dropped */
	used = (size_t)sprintf(text, "Tgid:\t303\nPPid:\t1\nUid:\t1\t2\t3\t4\nGid:\t5\t6\t7\t8\n"
				     "Groups:\t");
	memset(text + used, '9', sizeof(buf) - 12 - 1 - used);
	used = sizeof(buf) - 12 - 1;
	used += (size_t)sprintf(text + used, "\nNSpid:\t303\t17\n");
	fakeproc_write(fp, 303, "status", text, used);
	memset(&ss, 0, sizeof(ss));
	assert_int_equal(proccn__procfs_read_status(dirfd, buf, sizeof(buf), &ss), 0);
	assert_int_equal(ss.tgid, 303);
	assert_int_equal(ss.nspid, 0);
	/* no newline at all in a full buffer */
	memset(text, 'x', 5000);
	fakeproc_write(fp, 303, "status", text, 5000);
	assert_int_equal(proccn__procfs_read_status(dirfd, buf, sizeof(buf), &ss), -ERANGE);
	free(text);
	close(dirfd);
}

/* cgroup file longer than the buffer: the v2 line comes last and is lost. */
static void test_read_cgroup_cut(void **state)
{
	struct fakeproc_proc p;
	char buf[PROCCN__PROCFS_CGROUP_SIZE], *text;
	size_t used = 0, len = 0;
	int dirfd, i;

	(void)state;
	fakeproc_proc_init(&p, 304);
	fakeproc_add(fp, &p);
	dirfd = open_pid(304);
	text = malloc(20000);
	assert_non_null(text);
	for (i = 12; i > 0; i--) {
		used += (size_t)sprintf(text + used, "%d:ctl%d:/", i, i);
		memset(text + used, 'p', 400);
		used += 400;
		text[used++] = '\n';
	}
	used += (size_t)sprintf(text + used, "0::/system.slice/late.service\n");
	fakeproc_write(fp, 304, "cgroup", text, used);
	assert_true(used > sizeof(buf));
	assert_int_equal(proccn__procfs_read_cgroup(dirfd, buf, sizeof(buf), &len, NULL), -ERANGE);
	{
		char big[8192];

		assert_int_equal(proccn__procfs_read_cgroup(dirfd, big, sizeof(big), &len, NULL), 0);
		assert_string_equal(big, "/system.slice/late.service");
	}
	/* the path exactly fills the buffer but for its NUL */
	fakeproc_write(fp, 304, "cgroup", "0::/abc\n", 8);
	assert_int_equal(proccn__procfs_read_cgroup(dirfd, buf, 8, &len, NULL), 0);
	assert_string_equal(buf, "/abc");
	/* cut inside the v2 line */
	assert_int_equal(proccn__procfs_read_cgroup(dirfd, buf, 7, &len, NULL), -ERANGE);
	free(text);
	close(dirfd);
}

static int unreadable_pid_dirfd = -1;

static int read_stat_unprivileged(void *arg)
{
	struct proccn__procfs_stat st;
	char buf[PROCCN__PROCFS_STAT_SIZE];

	(void)arg;
	return proccn__procfs_read_stat(unreadable_pid_dirfd, buf, sizeof(buf), &st);
}

static int read_ids_unprivileged(void *arg)
{
	uint32_t a, b;

	(void)arg;
	return proccn__procfs_read_audit_ids(unreadable_pid_dirfd, &a, &b);
}

static void test_read_unreadable(void **state)
{
	struct fakeproc_proc p;

	(void)state;
	fakeproc_proc_init(&p, 305);
	fakeproc_add(fp, &p);
	unreadable_pid_dirfd = open_pid(305);
	assert_int_equal(fakeproc_run_unprivileged(read_stat_unprivileged, NULL), 0);
	fakeproc_unreadable(fp, 305, "stat");
	fakeproc_unreadable(fp, 305, "loginuid");
	assert_int_equal(fakeproc_run_unprivileged(read_stat_unprivileged, NULL), -EACCES);
	assert_int_equal(fakeproc_run_unprivileged(read_ids_unprivileged, NULL), -EACCES);
	close(unreadable_pid_dirfd);
}

static void test_open_pid_args(void **state)
{
	char buf[PROCCN__PROCFS_STAT_SIZE];
	struct proccn__procfs_stat st;
	size_t len;

	(void)state;
	assert_int_equal(proccn__procfs_open_pid(rootfd, 0), -EINVAL);
	assert_int_equal(proccn__procfs_open_pid(rootfd, -5), -EINVAL);
	assert_int_equal(proccn__procfs_open_pid(rootfd, 999999), -ESRCH);
	assert_int_equal(proccn__procfs_open_pid(-1, 1), -EBADF);
	/* a scratch buffer too small for fields 1-22 */
	assert_int_equal(proccn__procfs_read_stat(rootfd, buf, sizeof(buf) - 1, &st), -EINVAL);
	/* "stat" of the root is no process's: empty in the fake tree */
	assert_int_equal(proccn__procfs_read_stat(rootfd, buf, sizeof(buf), &st), -EINVAL);
	assert_int_equal(proccn__procfs_read_file(rootfd, "cpuinfo", buf, 0, &len), -EINVAL);
	assert_int_equal(proccn__procfs_read_file(rootfd, NULL, buf, sizeof(buf), &len), -EINVAL);
	assert_true(proccn__procfs_root_open("/nonexistent/proc") == -ENOENT);
}

/* ---- scan ---------------------------------------------------------------- */

/* Scan all of @fd with a buffer of @size; pids into @out, count returned. */
static size_t scan_all(int fd, size_t size, pid_t *out, size_t max)
{
	struct proccn__procfs_scan s;
	char *buf = malloc(size);
	size_t n = 0;
	pid_t pid;
	int r;

	assert_non_null(buf);
	assert_int_equal(proccn__procfs_scan_init(&s, fd, buf, size), 0);
	while ((r = proccn__procfs_scan_next(&s, &pid)) == 1) {
		assert_true(n < max);
		out[n++] = pid;
	}
	assert_int_equal(r, 0);
	/* the end stays the end */
	assert_int_equal(proccn__procfs_scan_next(&s, &pid), 0);
	free(buf);
	return n;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

static void test_scan_fake_tree(void **state)
{
	static const pid_t pids[] = { 1, 2, 10, 300, 4194304, 2147483647 };
	pid_t got[64];
	struct fakeproc_proc p;
	size_t i, n, k;
	int fd;

	(void)state;
	for (i = 0; i < ARRAY_LEN(pids); i++) {
		fakeproc_proc_init(&p, pids[i]);
		fakeproc_add(fp, &p);
	}
	/* not processes: too big, zero, leading zero, a plain file */
	assert_int_equal(mkdirat(rootfd, "2147483648", 0755), 0);
	assert_int_equal(mkdirat(rootfd, "0", 0755), 0);
	assert_int_equal(mkdirat(rootfd, "0300", 0755), 0);
	assert_int_equal(mkdirat(rootfd, "12345678901", 0755), 0);
	close(openat(rootfd, "555", O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	/* many directory entries per getdents64 call, and one per call */
	for (k = 0; k < 2; k++) {
		fd = proccn__procfs_root_open(fakeproc_root(fp));
		assert_true(fd >= 0);
		n = scan_all(fd, k ? PROCCN__PROCFS_SCAN_MIN : 65536, got, ARRAY_LEN(got));
		close(fd);
		assert_int_equal(n, ARRAY_LEN(pids));
		qsort(got, n, sizeof(got[0]), cmp_pid);
		assert_memory_equal(got, pids, sizeof(pids));
	}
}

/* A scan in steps, restarted: the same pids each time. */
static void test_scan_steps_and_restart(void **state)
{
	struct proccn__procfs_scan s;
	struct fakeproc_proc p;
	char buf[PROCCN__PROCFS_SCAN_MIN];
	pid_t pid, first[100], again[100];
	size_t n = 0, m = 0;
	int fd, i;

	(void)state;
	for (i = 1; i <= 100; i++) {
		fakeproc_proc_init(&p, 1000 + i);
		fakeproc_add(fp, &p);
	}
	fd = proccn__procfs_root_open(fakeproc_root(fp));
	assert_true(fd >= 0);
	assert_int_equal(proccn__procfs_scan_init(&s, fd, buf, sizeof(buf)), 0);
	/* batches of 7, other reads of the tree between them (openat moves nothing) */
	for (;;) {
		int r = 0, b;

		for (b = 0; b < 7 && (r = proccn__procfs_scan_next(&s, &pid)) == 1; b++) {
			assert_true(n < 100);
			first[n++] = pid;
		}
		if (r == 0)
			break;
		assert_int_equal(r, 1);
		close(open_pid(first[n - 1]));
	}
	assert_int_equal(n, 100);
	assert_int_equal(proccn__procfs_scan_restart(&s), 0);
	while (proccn__procfs_scan_next(&s, &pid) == 1)
		again[m++] = pid;
	assert_int_equal(m, 100);
	/* the same directory gives the same order */
	assert_memory_equal(first, again, sizeof(first));
	qsort(first, n, sizeof(first[0]), cmp_pid);
	for (i = 0; i < 100; i++)
		assert_int_equal(first[i], 1001 + i);
	close(fd);

	assert_int_equal(proccn__procfs_scan_init(&s, fd, buf, PROCCN__PROCFS_SCAN_MIN - 1), -EINVAL);
	assert_int_equal(proccn__procfs_scan_init(&s, -1, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(proccn__procfs_scan_init(&s, fd, NULL, sizeof(buf)), -EINVAL);
	/* a closed fd: the error comes back */
	assert_int_equal(proccn__procfs_scan_init(&s, fd, buf, sizeof(buf)), 0);
	assert_int_equal(proccn__procfs_scan_next(&s, &pid), -EBADF);
	assert_int_equal(proccn__procfs_scan_restart(&s), -EBADF);
	assert_int_equal(proccn__procfs_scan_next(NULL, &pid), -EINVAL);
	assert_int_equal(proccn__procfs_scan_restart(NULL), -EINVAL);
}

/* A record as getdents64 writes it, at @off of @buf; returns its length. */
static size_t put_dirent(char *buf, size_t off, uint16_t reclen, unsigned char type,
			 const char *name)
{
	memset(buf + off, 0, reclen);
	memcpy(buf + off + 16, &reclen, 2);
	buf[off + 18] = (char)type;
	memcpy(buf + off + 19, name, strlen(name));
	return reclen;
}

/* Records no file system writes: the scan says -EIO instead of reading past them. */
static void test_scan_corrupt_records(void **state)
{
	struct proccn__procfs_scan s;
	char buf[PROCCN__PROCFS_SCAN_MIN + 1];
	char *odd = buf + 1;  /* records need no alignment */
	pid_t pid = 0;
	size_t len;

	(void)state;
	/* a good record, then one whose length runs past the data */
	assert_int_equal(proccn__procfs_scan_init(&s, 0, odd, PROCCN__PROCFS_SCAN_MIN), 0);
	len = put_dirent(odd, 0, 24, 4 /* DT_DIR */, "42");
	len += put_dirent(odd, len, 24, 4, "43");
	memcpy(odd + 24 + 16, &(uint16_t){ 200 }, 2);
	s.len = len;
	assert_int_equal(proccn__procfs_scan_next(&s, &pid), 1);
	assert_int_equal(pid, 42);
	assert_int_equal(proccn__procfs_scan_next(&s, &pid), -EIO);
	/* reclen too short to hold a name */
	assert_int_equal(proccn__procfs_scan_init(&s, 0, odd, PROCCN__PROCFS_SCAN_MIN), 0);
	s.len = put_dirent(odd, 0, 24, 4, "44");
	memcpy(odd + 16, &(uint16_t){ 19 }, 2);
	assert_int_equal(proccn__procfs_scan_next(&s, &pid), -EIO);
	/* a name without its NUL */
	assert_int_equal(proccn__procfs_scan_init(&s, 0, odd, PROCCN__PROCFS_SCAN_MIN), 0);
	s.len = put_dirent(odd, 0, 24, 4, "12345");
	memset(odd + 19, '7', 5);
	assert_int_equal(proccn__procfs_scan_next(&s, &pid), -EIO);
	/* data shorter than a record header */
	assert_int_equal(proccn__procfs_scan_init(&s, 0, odd, PROCCN__PROCFS_SCAN_MIN), 0);
	put_dirent(odd, 0, 24, 4, "45");
	s.len = 18;
	assert_int_equal(proccn__procfs_scan_next(&s, &pid), -EIO);
	/* a regular file and a symlink named like pids are skipped; unknown type is taken */
	assert_int_equal(proccn__procfs_scan_init(&s, 0, odd, PROCCN__PROCFS_SCAN_MIN), 0);
	len = put_dirent(odd, 0, 24, 8 /* DT_REG */, "46");
	len += put_dirent(odd, len, 24, 10 /* DT_LNK */, "47");
	len += put_dirent(odd, len, 24, 0 /* DT_UNKNOWN */, "48");
	s.len = len;
	assert_int_equal(proccn__procfs_scan_next(&s, &pid), 1);
	assert_int_equal(pid, 48);
}

/* ---- clocks -------------------------------------------------------------- */

static void test_clock_ticks_to_mono(void **state)
{
	struct proccn__procfs_clock c = { 0, 100 };
	int64_t ns = 1;

	(void)state;
	assert_int_equal(proccn__procfs_ticks_to_mono_ns(&c, 0, &ns), 0);
	assert_true(ns == 0);
	assert_int_equal(proccn__procfs_ticks_to_mono_ns(&c, 1, &ns), 0);
	assert_true(ns == 10000000);
	assert_int_equal(proccn__procfs_ticks_to_mono_ns(&c, 12345, &ns), 0);
	assert_true(ns == INT64_C(123450000000));
	/* suspended 5 s: a process that started at boottime 10 s started at monotonic 5 s */
	c.boot_minus_mono_ns = 5 * NS_PER_SEC;
	assert_int_equal(proccn__procfs_ticks_to_mono_ns(&c, 1000, &ns), 0);
	assert_true(ns == 5 * NS_PER_SEC);
	/* started before a longer suspend: before monotonic 0 */
	assert_int_equal(proccn__procfs_ticks_to_mono_ns(&c, 100, &ns), 0);
	assert_true(ns == -4 * NS_PER_SEC);
	/* USER_HZ that does not divide 1e9 (alpha: 1024) */
	c.boot_minus_mono_ns = 0;
	c.ticks_per_sec = 1024;
	assert_int_equal(proccn__procfs_ticks_to_mono_ns(&c, 1, &ns), 0);
	assert_true(ns == 976562);
	assert_int_equal(proccn__procfs_ticks_to_mono_ns(&c, 1025, &ns), 0);
	assert_true(ns == NS_PER_SEC + 976562);
	/* the largest that fits, and one tick more */
	c.ticks_per_sec = 100;
	assert_int_equal(proccn__procfs_ticks_to_mono_ns(&c, UINT64_C(922337203685), &ns), 0);
	assert_true(ns == INT64_C(9223372036850000000));
	ns = 7;
	assert_int_equal(proccn__procfs_ticks_to_mono_ns(&c, UINT64_C(922337203686), &ns), -ERANGE);
	assert_int_equal(proccn__procfs_ticks_to_mono_ns(&c, UINT64_MAX, &ns), -ERANGE);
	/* boot ns fits but the offset takes it below INT64_MIN */
	c.boot_minus_mono_ns = INT64_MIN;
	assert_int_equal(proccn__procfs_ticks_to_mono_ns(&c, 100, &ns), -ERANGE);
	c.boot_minus_mono_ns = -NS_PER_SEC;  /* negative offset: adds */
	assert_int_equal(proccn__procfs_ticks_to_mono_ns(&c, 100, &ns), 0);
	assert_true(ns == 2 * NS_PER_SEC);
	assert_true(ns != 7);
	c.ticks_per_sec = 0;
	assert_int_equal(proccn__procfs_ticks_to_mono_ns(&c, 1, &ns), -EINVAL);
	c.ticks_per_sec = 1000000001;
	assert_int_equal(proccn__procfs_ticks_to_mono_ns(&c, 1, &ns), -EINVAL);
	assert_int_equal(proccn__procfs_ticks_to_mono_ns(NULL, 1, &ns), -EINVAL);
	c.ticks_per_sec = 100;
	assert_int_equal(proccn__procfs_ticks_to_mono_ns(&c, 1, NULL), -EINVAL);
}

static void test_clock_mono_to_ticks(void **state)
{
	struct proccn__procfs_clock c = { 0, 100 };
	uint64_t t = 7, i;

	(void)state;
	/* floor, like the kernel's nsec_to_clock_t() */
	assert_int_equal(proccn__procfs_mono_ns_to_ticks(&c, 9999999, &t), 0);
	assert_true(t == 0);
	assert_int_equal(proccn__procfs_mono_ns_to_ticks(&c, 10000000, &t), 0);
	assert_true(t == 1);
	c.boot_minus_mono_ns = 1;
	assert_int_equal(proccn__procfs_mono_ns_to_ticks(&c, 9999999, &t), 0);
	assert_true(t == 1);
	c.boot_minus_mono_ns = 3 * NS_PER_SEC;
	assert_int_equal(proccn__procfs_mono_ns_to_ticks(&c, 2 * NS_PER_SEC + 5, &t), 0);
	assert_true(t == 500);
	/* round trips: a tick's start maps back to it, 1 ns earlier to the one before */
	c.boot_minus_mono_ns = 123456789;
	for (i = 13; i < 100000; i += 997) {  /* from the first tick after monotonic 0 */
		int64_t ns;

		assert_int_equal(proccn__procfs_ticks_to_mono_ns(&c, i, &ns), 0);
		assert_int_equal(proccn__procfs_mono_ns_to_ticks(&c, (uint64_t)ns, &t), 0);
		assert_true(t == i);
		assert_int_equal(proccn__procfs_mono_ns_to_ticks(&c, (uint64_t)ns - 1, &t), 0);
		assert_true(t == i - 1);
	}
	c.ticks_per_sec = 1024;
	c.boot_minus_mono_ns = 0;
	assert_int_equal(proccn__procfs_mono_ns_to_ticks(&c, 976562, &t), 0);
	assert_true(t == 0);
	assert_int_equal(proccn__procfs_mono_ns_to_ticks(&c, 976563, &t), 0);
	assert_true(t == 1);
	/* the largest */
	c.ticks_per_sec = 100;
	assert_int_equal(proccn__procfs_mono_ns_to_ticks(&c, (uint64_t)INT64_MAX, &t), 0);
	assert_true(t == UINT64_C(922337203685));
	t = 7;
	assert_int_equal(proccn__procfs_mono_ns_to_ticks(&c, (uint64_t)INT64_MAX + 1, &t), -ERANGE);
	c.boot_minus_mono_ns = 1;
	assert_int_equal(proccn__procfs_mono_ns_to_ticks(&c, (uint64_t)INT64_MAX, &t), -ERANGE);
	/* before boottime 0 */
	c.boot_minus_mono_ns = -NS_PER_SEC;
	assert_int_equal(proccn__procfs_mono_ns_to_ticks(&c, 5, &t), -ERANGE);
	assert_true(t == 7);
	c.ticks_per_sec = 0;
	assert_int_equal(proccn__procfs_mono_ns_to_ticks(&c, 5, &t), -EINVAL);
	c.ticks_per_sec = 100;
	assert_int_equal(proccn__procfs_mono_ns_to_ticks(&c, 5, NULL), -EINVAL);
}

static void test_clock_compare_start(void **state)
{
	struct proccn__procfs_clock c = { 0, 100 };
	const uint64_t at = 50 * 10000000 + 1234;  /* tick 50 */

	(void)state;
	assert_int_equal(proccn__procfs_compare_start(&c, 52, at), PROCCN__PROCFS_STARTED_AFTER);
	assert_int_equal(proccn__procfs_compare_start(&c, 51, at), PROCCN__PROCFS_STARTED_NEAR);
	assert_int_equal(proccn__procfs_compare_start(&c, 50, at), PROCCN__PROCFS_STARTED_NEAR);
	assert_int_equal(proccn__procfs_compare_start(&c, 49, at), PROCCN__PROCFS_STARTED_NEAR);
	assert_int_equal(proccn__procfs_compare_start(&c, 48, at), PROCCN__PROCFS_STARTED_BEFORE);
	assert_int_equal(proccn__procfs_compare_start(&c, 0, at), PROCCN__PROCFS_STARTED_BEFORE);
	assert_int_equal(proccn__procfs_compare_start(&c, UINT64_MAX, at), PROCCN__PROCFS_STARTED_AFTER);
	assert_int_equal(proccn__procfs_compare_start(&c, 0, 0), PROCCN__PROCFS_STARTED_NEAR);
	assert_int_equal(proccn__procfs_compare_start(&c, 1, 0), PROCCN__PROCFS_STARTED_NEAR);
	assert_int_equal(proccn__procfs_compare_start(&c, 2, 0), PROCCN__PROCFS_STARTED_AFTER);
	/* the offset counts: 10 s suspended before the event */
	c.boot_minus_mono_ns = 10 * NS_PER_SEC;
	assert_int_equal(proccn__procfs_compare_start(&c, 52, at), PROCCN__PROCFS_STARTED_BEFORE);
	assert_int_equal(proccn__procfs_compare_start(&c, 1052, at), PROCCN__PROCFS_STARTED_AFTER);
	assert_int_equal(proccn__procfs_compare_start(&c, 1, UINT64_MAX), -ERANGE);
	c.ticks_per_sec = 0;
	assert_int_equal(proccn__procfs_compare_start(&c, 1, 1), -EINVAL);
}

static int64_t now_ns(clockid_t id)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(id, &ts), 0);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static void test_clock_sample(void **state)
{
	struct proccn__procfs_clock c;
	int64_t before, after;

	(void)state;
	assert_int_equal(proccn__procfs_clock_sample(NULL), -EINVAL);
	before = now_ns(CLOCK_BOOTTIME) - now_ns(CLOCK_MONOTONIC);
	assert_int_equal(proccn__procfs_clock_sample(&c), 0);
	after = now_ns(CLOCK_BOOTTIME) - now_ns(CLOCK_MONOTONIC);
	assert_int_equal(c.ticks_per_sec, sysconf(_SC_CLK_TCK));
	/* a boot-minus-mono read loosely on either side brackets it (1 ms of slack) */
	assert_true(c.boot_minus_mono_ns > (before < after ? before : after) - 1000000);
	assert_true(c.boot_minus_mono_ns < (before > after ? before : after) + 1000000);
}

/* ---- live: the real /proc, no privilege needed ---------------------------- */

static int live_root = -1;

static int live_setup(void **state)
{
	(void)state;
	live_root = proccn__procfs_root_open(NULL);
	return live_root < 0 ? -1 : 0;
}

static int live_teardown(void **state)
{
	(void)state;
	close(live_root);
	return 0;
}

#define LIVE_COMM "a) (b\nc d"

static void test_live_self(void **state)
{
	char old_comm[16];
	struct proccn__procfs_stat st;
	struct proccn__procfs_status ss;
	char buf[PROCCN__PROCFS_STATUS_SIZE], real_exe[PATH_MAX], *want;
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	size_t len, off;
	unsigned int flags;
	int dirfd, i;

	(void)state;
	/* a name that takes the parser's rule to read: parentheses, space, newline */
	assert_int_equal(prctl(PR_GET_NAME, old_comm), 0);
	assert_int_equal(prctl(PR_SET_NAME, LIVE_COMM), 0);
	dirfd = proccn__procfs_open_pid(live_root, getpid());
	assert_true(dirfd >= 0);
	assert_int_equal(proccn__procfs_read_stat(dirfd, buf, sizeof(buf), &st), 0);
	assert_int_equal(prctl(PR_SET_NAME, old_comm), 0);
	assert_int_equal(st.pid, getpid());
	assert_int_equal(st.ppid, getppid());
	assert_int_equal(st.pgrp, getpgrp());
	assert_int_equal(st.session, getsid(0));
	assert_int_equal(st.state, 'R');
	assert_int_equal(st.num_threads, 1);
	assert_string_equal(st.comm, LIVE_COMM);
	assert_int_equal(st.comm_len, strlen(LIVE_COMM));

	assert_int_equal(proccn__procfs_read_status(dirfd, buf, sizeof(buf), &ss), 0);
	assert_int_equal(getresuid(&ruid, &euid, &suid), 0);
	assert_int_equal(getresgid(&rgid, &egid, &sgid), 0);
	assert_int_equal(ss.tgid, getpid());
	assert_int_equal(ss.ppid, getppid());
	assert_int_equal(ss.uid[PROCCN__PROCFS_REAL], ruid);
	assert_int_equal(ss.uid[PROCCN__PROCFS_EFFECTIVE], euid);
	assert_int_equal(ss.uid[PROCCN__PROCFS_SAVED], suid);
	assert_int_equal(ss.uid[PROCCN__PROCFS_FS], setfsuid((uid_t)-1));
	assert_int_equal(ss.gid[PROCCN__PROCFS_REAL], rgid);
	assert_int_equal(ss.gid[PROCCN__PROCFS_EFFECTIVE], egid);
	assert_int_equal(ss.gid[PROCCN__PROCFS_SAVED], sgid);
	assert_int_equal(ss.gid[PROCCN__PROCFS_FS], setfsgid((gid_t)-1));
	assert_true(ss.nspid > 0);

	/* exe: the file the kernel ran, AT_EXECFN resolved */
	assert_int_equal(proccn__procfs_read_exe(dirfd, buf, sizeof(buf), &len, &flags), 0);
	assert_int_equal(flags, 0);
	assert_int_equal(len, strlen(buf));
	assert_true(buf[0] == '/');
	/*
	 * Under valgrind the kernel ran valgrind's tool, with its own arguments,
	 * for this program: exe and cmdline are its (its preload library says so).
	 */
	if (getenv("LD_PRELOAD") && strstr(getenv("LD_PRELOAD"), "vgpreload")) {
		close(dirfd);
		return;
	}
	assert_non_null(realpath((const char *)getauxval(AT_EXECFN), real_exe));
	assert_string_equal(buf, real_exe);

	/* cmdline: main()'s argv, each with its NUL */
	assert_int_equal(proccn__procfs_read_cmdline(dirfd, buf, sizeof(buf), &len, &flags), 0);
	for (i = 0, off = 0; i < main_argc; i++) {
		want = main_argv[i];
		assert_true(off + strlen(want) < len);
		assert_string_equal(buf + off, want);
		off += strlen(want) + 1;
	}
	assert_int_equal(off, len);
	assert_int_equal(flags, 0);
	close(dirfd);
}

/* cgroup and audit ids of this process, against a plain reading of the files. */
static void test_live_self_cgroup_and_ids(void **state)
{
	char buf[PROCCN__PROCFS_CGROUP_SIZE], line[PROCCN__PROCFS_CGROUP_SIZE];
	char want[PROCCN__PROCFS_CGROUP_SIZE] = "";
	uint32_t login = 0, session = 0;
	unsigned int want_login = 0, want_session = 0;
	size_t len;
	FILE *f;
	int dirfd, r;

	(void)state;
	f = fopen("/proc/self/cgroup", "re");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(want, sizeof(want), "%s", line + 3);
		}
	fclose(f);
	dirfd = proccn__procfs_open_pid(live_root, getpid());
	assert_true(dirfd >= 0);
	r = proccn__procfs_read_cgroup(dirfd, buf, sizeof(buf), &len, NULL);
	if (want[0]) {
		assert_int_equal(r, 0);
		assert_string_equal(buf, want);
	} else {
		assert_int_equal(r, -ENODATA);
	}
	r = proccn__procfs_read_audit_ids(dirfd, &login, &session);
	f = fopen("/proc/self/loginuid", "re");
	if (!f) {
		assert_int_equal(r, -ENOENT);  /* no CONFIG_AUDIT */
	} else {
		assert_int_equal(fscanf(f, "%u", &want_login), 1);
		fclose(f);
		f = fopen("/proc/self/sessionid", "re");
		assert_non_null(f);
		assert_int_equal(fscanf(f, "%u", &want_session), 1);
		fclose(f);
		assert_int_equal(r, 0);
		assert_int_equal(login, want_login);
		assert_int_equal(session, want_session);
	}
	close(dirfd);
}

/*
 * A child that waits until killed, and is killed with us: a failed assertion
 * must not leave it holding the test's output pipe open.
 */
static pid_t spawn_paused(void)
{
	pid_t parent = getpid(), child = fork();

	assert_true(child >= 0);
	if (child == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(1);
		for (;;)
			pause();
	}
	return child;
}

/* Wait until the stat of @dirfd shows @state (a child that exits becomes 'Z'). */
static void wait_state(int dirfd, char state)
{
	struct proccn__procfs_stat st;
	char buf[PROCCN__PROCFS_STAT_SIZE];
	int i;

	for (i = 0; i < 5000; i++) {
		assert_int_equal(proccn__procfs_read_stat(dirfd, buf, sizeof(buf), &st), 0);
		if (st.state == state)
			return;
		usleep(1000);
	}
	fail_msg("state %c never came", state);
}

/* A child read alive, as a zombie, and after it was reaped, through one dirfd. */
static void test_live_vanishing_child(void **state)
{
	struct proccn__procfs_stat st;
	char buf[PROCCN__PROCFS_STATUS_SIZE];
	int go[2], dirfd, status;
	size_t len;
	pid_t child;

	(void)state;
	assert_int_equal(pipe2(go, O_CLOEXEC), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		char c;

		close(go[1]);
		_exit(read(go[0], &c, 1) == 1 ? 3 : 4);
	}
	close(go[0]);
	dirfd = proccn__procfs_open_pid(live_root, child);
	assert_true(dirfd >= 0);
	assert_int_equal(proccn__procfs_read_stat(dirfd, buf, sizeof(buf), &st), 0);
	assert_int_equal(st.pid, child);
	assert_int_equal(st.ppid, getpid());
	assert_int_equal(proccn__procfs_read_exe(dirfd, buf, sizeof(buf), &len, NULL), 0);

	assert_int_equal(write(go[1], "x", 1), 1);
	close(go[1]);
	wait_state(dirfd, 'Z');
	/* a zombie: stat and cgroup still there, no executable, empty cmdline */
	assert_int_equal(proccn__procfs_read_exe(dirfd, buf, sizeof(buf), &len, NULL), -ENOENT);
	assert_int_equal(proccn__procfs_read_cmdline(dirfd, buf, sizeof(buf), &len, NULL), 0);
	assert_int_equal(len, 0);

	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 3);
	expect_all_gone(dirfd);
	assert_int_equal(proccn__procfs_open_pid(live_root, child), -ESRCH);
	close(dirfd);
}

/* An fd on the stat file opened while the child lived: read(2) says ESRCH once reaped. */
static void test_live_open_file_after_reap(void **state)
{
	char buf[PROCCN__PROCFS_STAT_SIZE];
	int dirfd, fd, status;
	pid_t child;

	(void)state;
	child = spawn_paused();
	dirfd = proccn__procfs_open_pid(live_root, child);
	assert_true(dirfd >= 0);
	fd = openat(dirfd, "stat", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_true(pread(fd, buf, sizeof(buf), 0) > 0);
	assert_int_equal(kill(child, SIGKILL), 0);
	assert_int_equal(waitpid(child, &status, 0), child);
	errno = 0;
	assert_int_equal(pread(fd, buf, sizeof(buf), 0), -1);
	assert_int_equal(errno, ESRCH);
	close(fd);
	close(dirfd);
}

/* kthreadd (pid 2 in the initial pid namespace): no exe, empty cmdline, parent 0. */
static void test_live_kernel_thread(void **state)
{
	struct proccn__procfs_stat st;
	char buf[PROCCN__PROCFS_EXE_SIZE];
	size_t len;
	int dirfd;

	(void)state;
	dirfd = proccn__procfs_open_pid(live_root, 2);
	if (dirfd < 0)
		skip();  /* another pid namespace */
	assert_int_equal(proccn__procfs_read_stat(dirfd, buf, sizeof(buf), &st), 0);
	if (strcmp(st.comm, "kthreadd") != 0) {
		close(dirfd);
		skip();
	}
	assert_int_equal(st.ppid, 0);
	/* the ptrace check comes first: an ordinary user is refused, root finds none */
	assert_int_equal(proccn__procfs_read_exe(dirfd, buf, sizeof(buf), &len, NULL),
			 geteuid() == 0 ? -ENOENT : -EACCES);
	assert_int_equal(proccn__procfs_read_cmdline(dirfd, buf, sizeof(buf), &len, NULL), 0);
	assert_int_equal(len, 0);
	close(dirfd);
}

/* Names longer than 15 bytes exist in /proc stat (kernel threads), and parse. */
static void test_live_long_kernel_names(void **state)
{
	struct proccn__procfs_scan s;
	struct proccn__procfs_stat st;
	char dents[4096], buf[PROCCN__PROCFS_STAT_SIZE];
	size_t longest = 0;
	pid_t pid;
	int fd, dirfd, r, n = 0;

	(void)state;
	fd = proccn__procfs_root_open(NULL);
	assert_true(fd >= 0);
	assert_int_equal(proccn__procfs_scan_init(&s, fd, dents, sizeof(dents)), 0);
	while ((r = proccn__procfs_scan_next(&s, &pid)) == 1) {
		dirfd = proccn__procfs_open_pid(live_root, pid);
		if (dirfd < 0)
			continue;
		r = proccn__procfs_read_stat(dirfd, buf, sizeof(buf), &st);
		close(dirfd);
		if (r == -ESRCH)
			continue;
		assert_int_equal(r, 0);
		assert_int_equal(st.pid, pid);
		assert_int_equal(st.comm_len, strlen(st.comm));
		if (st.comm_len > longest)
			longest = st.comm_len;
		n++;
	}
	assert_int_equal(r, 0);
	close(fd);
	print_message("read the stat of %d processes; longest comm %zu bytes\n", n, longest);
	assert_true(n > 1);
}

/* exe of a process of another user without CAP_SYS_PTRACE: -EACCES. */
static int read_exe_of_init(void *arg)
{
	char buf[PROCCN__PROCFS_EXE_SIZE];
	size_t len;
	int dirfd = proccn__procfs_open_pid(*(int *)arg, 1), r;

	if (dirfd < 0)
		return dirfd;
	r = proccn__procfs_read_exe(dirfd, buf, sizeof(buf), &len, NULL);
	close(dirfd);
	return r;
}

static void test_live_exe_not_permitted(void **state)
{
	struct stat st;

	(void)state;
	/* pid 1 must belong to someone else than the user we run as */
	if (stat("/proc/1", &st) < 0 || st.st_uid == (geteuid() == 0 ? 65534 : geteuid()))
		skip();
	assert_int_equal(fakeproc_run_unprivileged(read_exe_of_init, &live_root), -EACCES);
}

/* A child's start tick, converted, falls within one tick before the fork. */
static void test_live_starttime_clock(void **state)
{
	struct proccn__procfs_clock c;
	struct proccn__procfs_stat st;
	char buf[PROCCN__PROCFS_STAT_SIZE];
	int64_t before, after, start, tick;
	int i, dirfd, status;
	pid_t child;

	(void)state;
	assert_int_equal(proccn__procfs_clock_sample(&c), 0);
	tick = NS_PER_SEC / c.ticks_per_sec;
	for (i = 0; i < 20; i++) {
		before = now_ns(CLOCK_MONOTONIC);
		child = fork();
		assert_true(child >= 0);
		if (child == 0)
			_exit(0);
		after = now_ns(CLOCK_MONOTONIC);
		dirfd = proccn__procfs_open_pid(live_root, child);
		assert_true(dirfd >= 0);
		assert_int_equal(proccn__procfs_read_stat(dirfd, buf, sizeof(buf), &st), 0);
		close(dirfd);
		assert_int_equal(waitpid(child, &status, 0), child);
		assert_int_equal(proccn__procfs_ticks_to_mono_ns(&c, st.starttime, &start), 0);
		/* the start of the tick the fork fell in; 10 us for the offset's error */
		assert_true(start > before - tick - 10000);
		assert_true(start <= after + 10000);
		/* NEAR, or AFTER if the fork took more than a tick */
		assert_int_not_equal(proccn__procfs_compare_start(&c, st.starttime, (uint64_t)before),
				     PROCCN__PROCFS_STARTED_BEFORE);
		assert_int_not_equal(proccn__procfs_compare_start(&c, st.starttime, (uint64_t)after),
				     PROCCN__PROCFS_STARTED_AFTER);
		assert_int_equal(proccn__procfs_compare_start(&c, st.starttime,
							      (uint64_t)(before - 3 * tick)),
				 PROCCN__PROCFS_STARTED_AFTER);
		assert_int_equal(proccn__procfs_compare_start(&c, st.starttime,
							      (uint64_t)(after + 3 * tick)),
				 PROCCN__PROCFS_STARTED_BEFORE);
		if (i % 5 == 4)
			usleep(3000);  /* other phases within the tick */
	}
}

/*
 * /proc lists pids in increasing order, each pid that lives through the scan
 * exactly once, while processes come and go between the batches. Small
 * (forks are slow under valgrind): the long measurement is in procfs.h.
 */
#define LIVE_KEEP 20
#define LIVE_ROUNDS 4
#define LIVE_CHURN 2   /* children born and reaped after every 16 pids */

static void test_live_scan_order_and_once(void **state)
{
	pid_t keep[LIVE_KEEP], pid, prev, born = 0;
	unsigned int seen[LIVE_KEEP];
	struct proccn__procfs_scan s;
	char dents[PROCCN__PROCFS_SCAN_MIN];
	int fd, i, r, round, batch, born_seen;

	(void)state;
	for (i = 0; i < LIVE_KEEP; i++)
		keep[i] = spawn_paused();
	fd = proccn__procfs_root_open(NULL);
	assert_true(fd >= 0);
	for (round = 0; round < LIVE_ROUNDS; round++) {
		memset(seen, 0, sizeof(seen));
		prev = 0;
		batch = 0;
		born_seen = 0;
		if (round)
			assert_int_equal(proccn__procfs_scan_restart(&s), 0);
		else
			assert_int_equal(proccn__procfs_scan_init(&s, fd, dents, sizeof(dents)), 0);
		while ((r = proccn__procfs_scan_next(&s, &pid)) == 1) {
			assert_true(pid > prev);
			prev = pid;
			for (i = 0; i < LIVE_KEEP; i++)
				if (keep[i] == pid)
					seen[i]++;
			if (pid == born)
				born_seen++;
			/* churn between batches of 16: processes born and reaped */
			if (++batch % 16 == 0) {
				int k;

				for (k = 0; k < LIVE_CHURN; k++) {
					pid_t c = fork();

					assert_true(c >= 0);
					if (c == 0)
						_exit(0);
					assert_int_equal(waitpid(c, NULL, 0), c);
				}
			}
		}
		assert_int_equal(r, 0);
		for (i = 0; i < LIVE_KEEP; i++)
			assert_int_equal(seen[i], 1);
		/* last round's newborn lived through this whole scan */
		if (born)
			assert_int_equal(born_seen, 1);
		if (born) {
			kill(born, SIGKILL);
			waitpid(born, NULL, 0);
		}
		born = spawn_paused();
	}
	kill(born, SIGKILL);
	waitpid(born, NULL, 0);
	for (i = 0; i < LIVE_KEEP; i++) {
		kill(keep[i], SIGKILL);
		waitpid(keep[i], NULL, 0);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest parsers[] = {
		cmocka_unit_test(test_stat_cases),
		cmocka_unit_test(test_stat_limits),
		cmocka_unit_test(test_stat_every_prefix),
		cmocka_unit_test(test_status_cases),
		cmocka_unit_test(test_status_every_prefix),
		cmocka_unit_test(test_status_extremes),
		cmocka_unit_test(test_cgroup_cases),
		cmocka_unit_test(test_cgroup_every_prefix),
		cmocka_unit_test(test_cgroup_derive),
		cmocka_unit_test(test_parse_id),
		cmocka_unit_test(test_scan_corrupt_records),
		cmocka_unit_test(test_clock_ticks_to_mono),
		cmocka_unit_test(test_clock_mono_to_ticks),
		cmocka_unit_test(test_clock_compare_start),
		cmocka_unit_test(test_clock_sample),
	};
	const struct CMUnitTest fake[] = {
		cmocka_unit_test_setup_teardown(test_read_fake_process, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_read_fake_kernel_thread, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_read_exe_deleted_and_long, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_read_cmdline_truncation, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_read_stale_dirfd, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_read_missing_files, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_read_garbage, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_read_status_cut, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_read_cgroup_cut, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_read_unreadable, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_open_pid_args, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_scan_fake_tree, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_scan_steps_and_restart, fake_setup, fake_teardown),
	};
	const struct CMUnitTest live[] = {
		cmocka_unit_test(test_live_self),
		cmocka_unit_test(test_live_self_cgroup_and_ids),
		cmocka_unit_test(test_live_vanishing_child),
		cmocka_unit_test(test_live_open_file_after_reap),
		cmocka_unit_test(test_live_kernel_thread),
		cmocka_unit_test(test_live_long_kernel_names),
		cmocka_unit_test(test_live_exe_not_permitted),
		cmocka_unit_test(test_live_starttime_clock),
		cmocka_unit_test(test_live_scan_order_and_once),
	};
	int failed = 0;

	main_argc = argc;
	main_argv = argv;
	failed += cmocka_run_group_tests_name("parsers", parsers, NULL, NULL);
	failed += cmocka_run_group_tests_name("fake /proc", fake, NULL, NULL);
	failed += cmocka_run_group_tests_name("live /proc", live, live_setup, live_teardown);
	return failed ? 1 : 0;
}
