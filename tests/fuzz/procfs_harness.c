/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The /proc parsers under the fuzzer: see procfs_harness.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "procfs.h"
#include "procfs_harness.h"

/* [p, p + n) lies within [buf, buf + len). */
static int inside(const char *p, size_t n, const char *buf, size_t len)
{
	return p >= buf && n <= len && (size_t)(p - buf) <= len - n;
}

static void fuzz_stat(const char *buf, size_t len)
{
	struct proccn__procfs_stat st;
	const char *open, *close;
	int r = proccn__procfs_parse_stat(buf, len, &st);

	CHECK(r == 0 || r == -EINVAL || r == -ERANGE);
	if (r < 0)
		return;
	/* comm: exactly the bytes between the first '(' and the last ')' */
	open = memchr(buf, '(', len);
	close = memrchr(buf, ')', len);
	CHECK(open && close && close > open);
	CHECK(st.comm_len == (size_t)(close - open - 1));
	CHECK(st.comm_len < PROCCN__PROCFS_COMM_SIZE);
	CHECK(memcmp(st.comm, open + 1, st.comm_len) == 0);
	CHECK(st.comm[st.comm_len] == '\0' && strlen(st.comm) == st.comm_len);
	CHECK(st.pid >= 1 && st.ppid >= 0 && st.pgrp >= 0 && st.session >= 0);
	CHECK(st.num_threads >= 0);
	CHECK(st.state != ' ' && st.state != '\n' && st.state != '\0');
}

static void fuzz_status(const char *buf, size_t len)
{
	struct proccn__procfs_status st;
	int r = proccn__procfs_parse_status(buf, len, &st);

	CHECK(r == 0 || r == -EINVAL || r == -ERANGE);
	if (r == 0)
		CHECK(st.tgid >= 1 && st.ppid >= 0 && st.nspid >= 0);
}

static const char *const unit_suffixes[] = {
	".service", ".scope", ".slice", ".socket", ".mount", ".swap",
};

static void fuzz_derive(const char *path, size_t len)
{
	const char *span;
	size_t n, i;
	int r, suffixed = 0;

	r = proccn__procfs_cgroup_unit(path, len, &span, &n);
	CHECK(r == 0 || r == -ENOENT);
	if (r == 0) {
		CHECK(inside(span, n, path, len) && n > 0);
		CHECK(!memchr(span, '/', n));
		for (i = 0; i < sizeof(unit_suffixes) / sizeof(unit_suffixes[0]); i++) {
			size_t k = strlen(unit_suffixes[i]);

			suffixed |= n > k && memcmp(span + n - k, unit_suffixes[i], k) == 0;
		}
		CHECK(suffixed);
	}
	r = proccn__procfs_cgroup_container(path, len, &span, &n);
	CHECK(r == 0 || r == -ENOENT);
	if (r == 0) {
		CHECK(n == 64 && inside(span, n, path, len));
		for (i = 0; i < n; i++)
			CHECK((span[i] >= '0' && span[i] <= '9') || (span[i] >= 'a' && span[i] <= 'f'));
	}
}

static void fuzz_cgroup(const char *buf, size_t len)
{
	const char *path;
	size_t n;
	unsigned int flags = 99;
	int r = proccn__procfs_parse_cgroup(buf, len, &path, &n, &flags);

	CHECK(r == 0 || r == -EINVAL || r == -ENODATA);
	if (r == 0) {
		CHECK(inside(path, n, buf, len) && n > 0 && path[0] == '/');
		CHECK(!memchr(path, '\n', n));
		CHECK(flags == 0 || flags == PROCCN__PROCFS_F_DELETED);
		fuzz_derive(path, n);
	}
	fuzz_derive(buf, len);
}

static void fuzz_id(const char *buf, size_t len)
{
	uint32_t v;
	int r = proccn__procfs_parse_id(buf, len, &v);

	CHECK(r == 0 || r == -EINVAL || r == -ERANGE);
}

/* The scan's record walk over the input, at an odd address, no file system behind. */
static void fuzz_scan(const char *buf, size_t len)
{
	struct proccn__procfs_scan s;
	char *records;
	pid_t pid;
	int r, n = 0;

	if (len < PROCCN__PROCFS_SCAN_MIN)
		return;
	records = malloc(len + 1);
	CHECK(records != NULL);
	memcpy(records + 1, buf, len);
	CHECK(proccn__procfs_scan_init(&s, 0, records + 1, len) == 0);
	s.len = len;
	s.fd = -1;  /* once the records are used up: EBADF, no system touched */
	while ((r = proccn__procfs_scan_next(&s, &pid)) == 1) {
		CHECK(pid >= 1);
		CHECK(++n <= (int)(len / 20));  /* a record is at least 20 bytes */
	}
	CHECK(r == -EIO || r == -EBADF);
	free(records);
}

static void fuzz_clock(const uint8_t *data, size_t size)
{
	struct proccn__procfs_clock c;
	uint64_t ticks, back, mono;
	int64_t ns;
	int r;

	if (size < 20)
		return;
	memcpy(&ticks, data, 8);
	memcpy(&c.boot_minus_mono_ns, data + 8, 8);
	memcpy(&c.ticks_per_sec, data + 16, 4);
	r = proccn__procfs_ticks_to_mono_ns(&c, ticks, &ns);
	CHECK(r == 0 || r == -ERANGE || r == -EINVAL);
	/* a tick's start maps back to the tick (when USER_HZ divides 1e9, as the kernel's) */
	if (r == 0 && ns >= 0 && 1000000000 % c.ticks_per_sec == 0) {
		r = proccn__procfs_mono_ns_to_ticks(&c, (uint64_t)ns, &back);
		CHECK(r == 0 && back == ticks);
	}
	memcpy(&mono, data, 8);
	r = proccn__procfs_compare_start(&c, ticks ^ mono >> 7, mono);
	CHECK(r == PROCCN__PROCFS_STARTED_BEFORE || r == PROCCN__PROCFS_STARTED_NEAR ||
	      r == PROCCN__PROCFS_STARTED_AFTER || r == -ERANGE || r == -EINVAL);
}

int pcn_fuzz_procfs_one(const uint8_t *data, size_t size)
{
	/* an exact-size copy: ASan sees any read past the end */
	char *buf = malloc(size ? size : 1);

	CHECK(buf != NULL);
	if (size)
		memcpy(buf, data, size);
	fuzz_stat(buf, size);
	fuzz_status(buf, size);
	fuzz_cgroup(buf, size);
	fuzz_id(buf, size);
	fuzz_scan(buf, size);
	fuzz_clock(data, size);
	free(buf);
	return 0;
}
