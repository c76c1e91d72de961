/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where the proc connector does not work, proccn_open() says why, quickly:
 *  - new network namespace: -ECONNREFUSED (send() is refused);
 *  - new user namespace: the kernel ignores the request, no ACK: -EXDEV,
 *    within about the ACK timeout (200 ms asked: must return within 1 s);
 *  - new PID namespace (in its first process): -EXDEV likewise.
 * Both protocols (default and forced legacy) are tried in each, and
 * proccn_probe() must report the same. Each case runs in its own child.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "live.h"

static void expect_open_fails(const char *where, uint32_t flags, int want)
{
	struct proccn_opts o = PROCCN_OPTS_INIT;
	struct proccn *h = NULL;
	uint64_t t0, ms;
	int r;

	o.flags = flags;
	o.ack_timeout_ms = 200;
	t0 = live_now_ns();
	r = proccn_open(&h, &o);
	ms = (live_now_ns() - t0) / 1000000u;
	printf("    %s, flags %#x: proccn_open = %d after %llu ms\n", where, flags, r,
	       (unsigned long long)ms);
	EXPECT(r == want, "%s, flags %#x: proccn_open = %d (%s), want %d", where, flags, r,
	       proccn_strerror(r), want);
	EXPECT(ms < 1000, "%s, flags %#x: proccn_open took %llu ms with ack_timeout_ms 200",
	       where, flags, (unsigned long long)ms);
	EXPECT(h == NULL, "%s: no handle on failure", where);
	if (h)
		proccn_close(h);
}

static void expect_probe(const char *where, int want_err)
{
	struct proccn_probe p;
	uint64_t t0 = live_now_ns();
	int r;

	memset(&p, 0, sizeof(p));
	p.sz = sizeof(p);
	r = proccn_probe(&p);
	EXPECT(r == 0, "%s: proccn_probe = %d", where, r);
	printf("    %s: probe connector %d proc_events %d netns %d userns %d pidns %d "
	       "kernel_filter %d legacy %d subscribe_error %d (%llu ms)\n", where, p.connector,
	       p.proc_events, p.initial_netns, p.initial_userns, p.initial_pidns,
	       p.kernel_filter, p.legacy, p.subscribe_error,
	       (unsigned long long)((live_now_ns() - t0) / 1000000u));
	EXPECT(p.subscribe_error == want_err, "%s: probe subscribe_error %d, want %d", where,
	       p.subscribe_error, want_err);
	EXPECT(p.kernel_filter != 1 && p.legacy != 1, "%s: probe says a request was ACKed",
	       where);
	if (want_err == -ECONNREFUSED)
		EXPECT(p.initial_netns != 1, "%s: probe says initial netns", where);
	else
		EXPECT(p.initial_userns != 1 || p.initial_pidns != 1,
		       "%s: probe says initial user and pid namespaces", where);
}

/* Inside a namespace the kernel does not serve: both protocols and the probe refuse. */
static void expect_refused(const char *where, int err)
{
	expect_open_fails(where, 0, err);
	expect_open_fails(where, PROCCN_F_FORCE_LEGACY, err);
	expect_probe(where, err);
}

static void enter(int flag, const char *name)
{
	if (unshare(flag) != 0)
		live_skip("unshare(%s): %s", name, strerror(errno));
}

static int in_netns(void *arg)
{
	(void)arg;
	enter(CLONE_NEWNET, "CLONE_NEWNET");
	expect_refused("new netns", -ECONNREFUSED);
	return 0;
}

static int in_userns(void *arg)
{
	(void)arg;
	enter(CLONE_NEWUSER, "CLONE_NEWUSER");
	expect_refused("new userns", -EXDEV);
	return 0;
}

static int in_pidns_init(void *arg)
{
	(void)arg;
	expect_refused("new pidns", -EXDEV);
	return 0;
}

static int in_pidns(void *arg)
{
	(void)arg;
	enter(CLONE_NEWPID, "CLONE_NEWPID");
	/* Only children enter the new PID namespace. */
	return live_run_child("first process of the new PID namespace", in_pidns_init, NULL);
}

int main(int argc, char **argv)
{
	int r[3];

	live_init(argc, argv, "live-namespaces", false);
	r[0] = live_run_child("new network namespace", in_netns, NULL);
	r[1] = live_run_child("new user namespace", in_userns, NULL);
	r[2] = live_run_child("new PID namespace", in_pidns, NULL);
	if (r[0] == LIVE_SKIP && r[1] == LIVE_SKIP && r[2] == LIVE_SKIP)
		live_skip("no namespace could be created");
	return live_finish();
}
