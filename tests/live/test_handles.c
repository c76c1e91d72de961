/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Several handles in one process.
 *  - Two handles both receive the same event (same timestamp and cpu: it is
 *    one kernel event, multicast).
 *  - proccn_unsubscribe(): 0, and 0 again; the handle then receives nothing
 *    of a new workload while the other handle still does.
 *  - The kernel counts listeners globally and an extra IGNORE would
 *    decrement it for everyone: after handles were unsubscribed (twice),
 *    closed, and opened-and-closed, the remaining handle must still receive.
 *    (Only conclusive when no other program listens, but never wrong.)
 *  - proccn_close() returns NULL, also for NULL.
 *  - A forked child that closes its copy of a handle sends no IGNORE: the
 *    socket is shared, and an IGNORE would end the parent's subscription
 *    (6.6+: the socket's state; older kernels: the global counter).
 *  - A handle closed from inside its own callback: the dispatch returns
 *    what it delivered and frees the handle (ASan and valgrind runs of this
 *    suite catch any use after that), nested dispatch is -EBUSY, and the
 *    other handles keep receiving.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "live.h"

static void do_exit_code(void *arg)
{
	_exit((int)(intptr_t)arg);
}

static pid_t run_exit(int code, struct live_handle *a, struct live_handle *b)
{
	pid_t child = live_spawn(do_exit_code, (void *)(intptr_t)code);
	int status;

	if (a)
		live_watch(a, child);
	if (b)
		live_watch(b, child);
	status = live_reap(child);
	REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == code, "status %#x", status);
	return child;
}

/* Inside E's callback: a nested dispatch, then close E. */
struct closer {
	struct proccn *h;
	pid_t child;
	int nested, calls;
};

static int close_on_child(const union proccn_event *ev, void *ud)
{
	struct proccn_callbacks none = { .sz = sizeof(none) };
	struct closer *c = ud;

	if (live_ev_pid(ev) != c->child || !c->h)
		return 0;
	c->calls++;
	c->nested = proccn_dispatch(c->h, &none, NULL, 0);
	proccn_close(c->h);
	c->h = NULL;
	return 0;
}

static void case_close_inside_callback(struct live_handle *b)
{
	const struct proccn_callbacks cb = {
		.sz = sizeof(struct proccn_callbacks), .on_event = close_on_child,
	};
	struct proccn_opts o = PROCCN_OPTS_INIT;
	struct closer c;
	uint64_t end;
	pid_t z;
	int r;

	printf("--- a handle closed from its own callback\n");
	memset(&c, 0, sizeof(c));
	o.flags = live_extra_flags;
	r = proccn_open(&c.h, &o);
	REQUIRE(r == 0, "proccn_open = %d (%s)", r, proccn_strerror(r));
	c.child = run_exit(8, b, NULL);
	end = live_now_ns() + LIVE_DEADLINE_MS * 1000000ull;
	while (c.h && live_now_ns() < end) {
		r = proccn_dispatch(c.h, &cb, &c, 100);
		EXPECT(r >= 0, "dispatch = %d (%s)", r, proccn_strerror(r));
		if (c.calls)
			EXPECT(r >= 1, "the dispatch that closed its handle returned %d", r);
	}
	EXPECT(c.calls == 1 && !c.h, "closed from the callback: %d call(s)", c.calls);
	EXPECT(c.nested == -EBUSY, "nested dispatch = %d, want -EBUSY", c.nested);
	z = run_exit(9, b, NULL);
	EXPECT(live_wait(b, PROCCN_EV_EXIT, z, LIVE_DEADLINE_MS) >= 0,
	       "[B] after E closed from a callback: EXIT of %d", (int)z);
}

int main(int argc, char **argv)
{
	struct live_handle a, b, c, d;
	long ia, ib;
	pid_t x, y, z;
	size_t before;
	int r;

	live_init(argc, argv, "live-handles", false);
	live_open(&a, "A", 0, 0);
	live_open(&b, "B", 0, 0);

	printf("--- two handles, one event\n");
	x = run_exit(3, &a, &b);
	ia = live_wait(&a, PROCCN_EV_EXIT, x, LIVE_DEADLINE_MS);
	ib = live_wait(&b, PROCCN_EV_EXIT, x, LIVE_DEADLINE_MS);
	EXPECT(ia >= 0, "[A] EXIT of %d within %d ms", (int)x, LIVE_DEADLINE_MS);
	EXPECT(ib >= 0, "[B] EXIT of %d within %d ms", (int)x, LIVE_DEADLINE_MS);
	if (ia >= 0 && ib >= 0) {
		EXPECT(memcmp(&a.rec.ev[ia].exit, &b.rec.ev[ib].exit,
			      sizeof(struct proccn_exit)) == 0,
		       "both handles must see the same EXIT (ts %llu/%llu, cpu %u/%u, code %#x/%#x)",
		       (unsigned long long)a.rec.ev[ia].hdr.timestamp_ns,
		       (unsigned long long)b.rec.ev[ib].hdr.timestamp_ns, a.rec.ev[ia].hdr.cpu,
		       b.rec.ev[ib].hdr.cpu, a.rec.ev[ia].exit.exit_code,
		       b.rec.ev[ib].exit.exit_code);
		EXPECT(a.rec.ev[ia].exit.exit_code == 0x300, "exit code %#x",
		       a.rec.ev[ia].exit.exit_code);
	}
	EXPECT(live_count(&a, PROCCN_EV_FORK, x) == 1 && live_count(&b, PROCCN_EV_FORK, x) == 1,
	       "both handles see the FORK of %d once", (int)x);

	printf("--- unsubscribe A (twice)\n");
	r = proccn_unsubscribe(a.h);
	EXPECT(r == 0, "proccn_unsubscribe(A) = %d (%s)", r, proccn_strerror(r));
	r = proccn_unsubscribe(a.h);
	EXPECT(r == 0, "second proccn_unsubscribe(A) = %d, want 0 (idempotent)", r);
	/* Whatever was queued before the IGNORE may still be read. */
	live_drain(&a, 100);
	before = a.rec.n;
	y = run_exit(0, &a, &b);
	EXPECT(live_wait(&b, PROCCN_EV_EXIT, y, LIVE_DEADLINE_MS) >= 0,
	       "[B] still receives after A's unsubscribe: EXIT of %d", (int)y);
	live_drain(&a, 300);
	EXPECT(a.rec.n == before && live_count(&a, PROCCN_EV_FORK, y) == 0 &&
	       live_count(&a, PROCCN_EV_EXIT, y) == 0,
	       "[A] unsubscribed, yet received %zu event(s) of the new workload",
	       a.rec.n - before);
	live_close(&a);
	EXPECT(proccn_close(NULL) == NULL, "proccn_close(NULL) must return NULL");

	printf("--- open/close more handles, B must still receive\n");
	live_open(&c, "C", PROCCN_EV_EXIT, 0);
	live_open(&d, "D", 0, 0);
	r = proccn_unsubscribe(d.h);
	EXPECT(r == 0, "proccn_unsubscribe(D) = %d", r);
	live_close(&d);  /* the IGNORE was already sent: close must not send another */
	z = run_exit(5, &b, &c);
	EXPECT(live_wait(&c, PROCCN_EV_EXIT, z, LIVE_DEADLINE_MS) >= 0, "[C] EXIT of %d",
	       (int)z);
	EXPECT(live_wait(&b, PROCCN_EV_EXIT, z, LIVE_DEADLINE_MS) >= 0, "[B] EXIT of %d",
	       (int)z);
	live_close(&c);
	for (int i = 0; i < 3; i++) {
		live_open(&d, "D", 0, 0);
		live_close(&d);
	}
	z = run_exit(6, &b, NULL);
	EXPECT(live_wait(&b, PROCCN_EV_EXIT, z, LIVE_DEADLINE_MS) >= 0,
	       "[B] after 5 handles came and went: EXIT of %d", (int)z);
	EXPECT(live_count(&b, PROCCN_EV_FORK, z) == 1, "[B] FORK of %d", (int)z);

	printf("--- a forked child closes its copy of B, B must still receive\n");
	{
		pid_t child = fork();
		int status;

		REQUIRE(child >= 0, "fork: %s", strerror(errno));
		if (child == 0) {
			/* also unsubscribe first: both paths must leave the socket alone */
			int u = proccn_unsubscribe(b.h);

			proccn_close(b.h);
			_exit(u == 0 ? 0 : 1);
		}
		REQUIRE(waitpid(child, &status, 0) == child, "waitpid: %s", strerror(errno));
		EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		       "child's proccn_unsubscribe/close failed: status %#x", status);
	}
	z = run_exit(7, &b, NULL);
	EXPECT(live_wait(&b, PROCCN_EV_EXIT, z, LIVE_DEADLINE_MS) >= 0,
	       "[B] after a child closed its copy: EXIT of %d (the child sent IGNORE?)", (int)z);
	case_close_inside_callback(&b);
	live_close(&b);
	return live_finish();
}
