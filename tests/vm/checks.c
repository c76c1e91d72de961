/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The VM checker's checks: per-mask signatures judged by the oracle, IGNORE
 * sent exactly once, the listener counter, the socket filter, the probe.
 * Each prints "VMTEST PASS name" or "VMTEST FAIL name: detail".
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/netlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "dgram.h"
#include "oracle.h"
#include "vm.h"

static int n_pass, n_fail;

void vm_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

void vm_pass(const char *name)
{
	n_pass++;
	vm_say("VMTEST PASS %s\n", name);
}

void vm_fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	n_fail++;
	printf("VMTEST FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

const char *mode_name(int mode)
{
	switch (mode) {
	case PROCCN_MODE_LEGACY:
		return "legacy";
	case PROCCN_MODE_KERNEL_FILTER:
		return "kernel-filter";
	default:
		return "unknown";
	}
}

int check_mode(const struct config *cfg, const char *name, struct proccn *h)
{
	int mode = proccn_mode(h);

	if (cfg->expect_mode && mode != cfg->expect_mode) {
		vm_fail(name, "negotiated mode %s (%d), expected %s", mode_name(mode), mode,
		        mode_name(cfg->expect_mode));
		return -1;
	}
	return 0;
}

/* A handle with @events and the run's flags plus @flags, or NULL after a FAIL line. */
static struct proccn *open_or_fail(const struct config *cfg, const char *name, uint32_t events,
				   uint32_t flags)
{
	struct proccn_opts o = PROCCN_OPTS_INIT;
	struct proccn *h = NULL;
	int r;

	o.events = events;
	o.flags = flags | cfg->flags;
	r = proccn_open(&h, &o);
	if (r < 0)
		vm_fail(name, "proccn_open: %s (%d)", proccn_strerror(r), r);
	return h;
}

struct mask_case {
	const char *name;
	uint32_t events;
	uint32_t flags;
};

static const struct mask_case mask_cases[] = {
	{ "all", PROCCN_EV_ALL, 0 },
	{ "all+processes-only", PROCCN_EV_ALL, PROCCN_F_PROCESSES_ONLY },
	{ "exit", PROCCN_EV_EXIT, 0 },
	{ "nonzero-exit", PROCCN_EV_NONZERO_EXIT, 0 },
	{ "exit|nonzero-exit", PROCCN_EV_EXIT | PROCCN_EV_NONZERO_EXIT, 0 },
	{ "fork|exec", PROCCN_EV_FORK | PROCCN_EV_EXEC, 0 },
	{ "fork|exit", PROCCN_EV_FORK | PROCCN_EV_EXIT, 0 },
	{ "comm", PROCCN_EV_COMM, 0 },
	{ "uid|gid", PROCCN_EV_UID | PROCCN_EV_GID, 0 },
	{ "sid", PROCCN_EV_SID, 0 },
	{ "ptrace", PROCCN_EV_PTRACE, 0 },
	{ "exec|nonzero-exit", PROCCN_EV_EXEC | PROCCN_EV_NONZERO_EXIT, 0 },
};

#define SIG_LEN 4096

static void test_mask(const struct config *cfg, const struct mask_case *mc,
		      struct proccn *sentinel, struct collector *sc, struct collector *mcol)
{
	struct proccn_stats st = { .sz = sizeof(st) };
	union proccn_event expect[MAX_EVENTS];
	static char got[SIG_LEN], want[SIG_LEN];
	struct workload wl;
	struct proccn *h;
	char name[64], err[160] = "";
	unsigned int i, nexp = 0;
	int r;

	snprintf(name, sizeof(name), "sig:%s", mc->name);
	h = open_or_fail(cfg, name, mc->events, mc->flags);
	if (!h)
		return;
	/* everything the sentinel read so far belongs to earlier cases */
	memset(&wl, 0, sizeof(wl));
	collector_reset(sc, &wl);
	(void)drain(sentinel, sc);
	collector_reset(sc, &wl);
	collector_reset(mcol, &wl);
	if (check_mode(cfg, name, h) < 0)
		goto out;
	if (run_workload(&wl, err, sizeof(err)) < 0) {
		vm_fail(name, "workload: %s", err);
		goto out;
	}
	r = pump(sentinel, sc, all_exited, WAIT_MS);
	if (r < 0) {
		signature(&wl, sc->ev, sc->n, got, sizeof(got));
		vm_fail(name, "sentinel (mask all) did not see every workload exit: %s; saw:%s",
		        proccn_strerror(r), got);
		goto out;
	}
	for (i = 0; i < sc->n; i++)
		if (oracle_pass_event(mc->events, mc->flags | cfg->flags, &sc->ev[i]))
			expect[nexp++] = sc->ev[i];
	mcol->want = nexp;
	r = pump(h, mcol, have_count, WAIT_MS);
	if (r >= 0)
		r = drain(h, mcol);
	signature(&wl, mcol->ev, mcol->n, got, sizeof(got));
	signature(&wl, expect, nexp, want, sizeof(want));
	proccn_get_stats(h, &st);
	vm_say("SIG %s:%s\n", mc->name, got);
	vm_say("STAT %s mode=%s datagrams=%" PRIu64 " acks=%" PRIu64 " received=%" PRIu64
	       " delivered=%" PRIu64 " filtered=%" PRIu64 " lost=%" PRIu64 " overruns=%" PRIu64 "\n",
	       mc->name, mode_name(proccn_mode(h)), st.datagrams, st.acks, st.received,
	       st.delivered, st.filtered, st.lost, st.overruns);
	if (r < 0 && r != -ETIMEDOUT)
		vm_fail(name, "dispatch: %s (%d)", proccn_strerror(r), r);
	else if (sc->losses || mcol->losses || sc->overflow || mcol->overflow)
		vm_fail(name, "loss reported (sentinel %u, handle %u) or too many events",
		        sc->losses, mcol->losses);
	else if (strcmp(got, want) != 0)
		vm_fail(name, "delivered events differ from the kernel rule applied to mask all;"
		        " expected:%s", want);
	else if (!cfg->vm && st.datagrams < st.acks)
		vm_fail(name, "stats inconsistent");
	else
		vm_pass(name);
out:
	proccn_close(h);
}

/* IGNORE goes out exactly once per handle, in the negotiated format. */
static void test_ignore_once(const struct config *cfg, const char *name, int how)
{
	struct proccn_opts o = PROCCN_OPTS_INIT;
	struct wrap w = { 0 };
	struct proccn *h = NULL;
	int r, mode;
	unsigned int want4, want8;

	o.flags = cfg->flags;
	o.events = how == 2 ? PROCCN_EV_EXIT : 0;
	r = open_wrapped(&h, &o, &w);
	if (r < 0) {
		vm_fail(name, "proccn__open_fd: %s (%d)", proccn_strerror(r), r);
		return;
	}
	mode = proccn_mode(h);
	if (check_mode(cfg, name, h) < 0) {
		proccn_close(h);
		return;
	}
	if (w.ignore4 + w.ignore8 != 0) {
		vm_fail(name, "IGNORE sent while opening (%u)", w.ignore4 + w.ignore8);
		proccn_close(h);
		return;
	}
	if (how == 1) {
		/* explicit unsubscribe, twice, then close: still one IGNORE */
		proccn_unsubscribe(h);
		proccn_unsubscribe(h);
	} else if (how == 2) {
		proccn_set_events(h, PROCCN_EV_FORK);
	}
	h = proccn_close(h);
	h = proccn_close(h);
	want4 = mode == PROCCN_MODE_LEGACY ? 1 : 0;
	want8 = mode == PROCCN_MODE_LEGACY ? 0 : 1;
	vm_say("INFO %s mode=%s listen4=%u listen8=%u ignore4=%u ignore8=%u other=%u\n", name,
	       mode_name(mode), w.listen4, w.listen8, w.ignore4, w.ignore8, w.other_req);
	if (w.ignore4 != want4 || w.ignore8 != want8)
		vm_fail(name, "IGNORE requests: %u legacy + %u proc_input, expected %u + %u",
		        w.ignore4, w.ignore8, want4, want8);
	else if (w.other_req)
		vm_fail(name, "%u unexpected requests", w.other_req);
	else if (mode == PROCCN_MODE_LEGACY && w.listen4 != 1)
		vm_fail(name, "legacy LISTEN sent %u times, expected once", w.listen4);
	else if (mode == PROCCN_MODE_LEGACY && w.listen8 != ((cfg->flags & PROCCN_F_FORCE_LEGACY) ? 0u : 1u))
		vm_fail(name, "proc_input LISTEN sent %u times before falling back", w.listen8);
	else
		vm_pass(name);
}

/*
 * Close A, B keeps receiving. On a pre-6.6 kernel a second IGNORE from A (or
 * one sent by B's side by mistake) drops the global listener counter to 0 and
 * no event is generated for anybody any more.
 */
static void test_close_a_keeps_b(const struct config *cfg)
{
	const char *name = "close-a-keeps-b";
	static struct collector c;
	struct proccn *a, *b = NULL;
	struct workload wl;
	char err[160] = "";
	int r;

	a = open_or_fail(cfg, name, 0, 0);
	if (a)
		b = open_or_fail(cfg, name, 0, 0);
	if (!b) {
		proccn_close(a);
		return;
	}
	a = proccn_close(a);
	collector_reset(&c, &wl);
	if (run_exits(&wl, 1, 7, err, sizeof(err)) < 0) {
		vm_fail(name, "workload: %s", err);
	} else {
		r = pump(b, &c, exits_done, WAIT_MS);
		if (r < 0)
			vm_fail(name, "B saw no EXIT of a new child after A was closed (%s):"
			        " the listener counter was decremented twice?", proccn_strerror(r));
		else if (c.ev[c.n - 1].exit.exit_code != 0x700)
			vm_fail(name, "exit code 0x%" PRIx32 ", expected 0x700",
			        c.ev[c.n - 1].exit.exit_code);
		else
			vm_pass(name);
	}
	proccn_close(b);
}

/* Every handle so far has been closed: a new one must still get events. */
static void test_still_listening(const struct config *cfg)
{
	const char *name = "listen-after-all-closed";
	static struct collector c;
	struct proccn *h;
	struct workload wl;
	char err[160] = "";
	int r;

	h = open_or_fail(cfg, name, PROCCN_EV_EXIT, 0);
	if (!h)
		return;
	collector_reset(&c, &wl);
	if (run_exits(&wl, 1, 0, err, sizeof(err)) < 0)
		vm_fail(name, "workload: %s", err);
	else if ((r = pump(h, &c, exits_done, WAIT_MS)) < 0)
		vm_fail(name, "no EXIT event (%s): the kernel's listener counter is off",
		        proccn_strerror(r));
	else
		vm_pass(name);
	proccn_close(h);
}

/*
 * VM only (it would silence every listener on a pre-6.6 host): on a pre-6.6
 * kernel it shows that the kernel under test really is the dangerous kind,
 * so that the IGNORE tests above could fail: one extra IGNORE must silence a
 * live handle; a LISTEN restores the counter. On a 6.6+ kernel the
 * subscription is per socket: an IGNORE from a socket that never listened
 * must not silence anybody (a LISTEN from it then only adds a listener).
 */
static void test_extra_ignore(const struct config *cfg)
{
	const char *name = cfg->new_kernel ? "extra-ignore-harmless"
					   : "extra-ignore-silences-listeners";
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	static struct collector c;
	struct proccn *h;
	struct workload wl;
	char err[160] = "";
	int fd, r, silenced, restored;

	h = open_or_fail(cfg, name, PROCCN_EV_EXIT, 0);
	if (!h)
		return;
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    (r = dgram_send_request(fd, DGRAM_MCAST_IGNORE, 0, DGRAM_REQ_LEGACY, 0)) < 0) {
		vm_fail(name, "raw IGNORE: %s", strerror(errno));
		goto out;
	}
	collector_reset(&c, &wl);
	if (run_exits(&wl, 1, 5, err, sizeof(err)) < 0) {
		vm_fail(name, "workload: %s", err);
		goto out;
	}
	/* proving a negative needs a timeout: 1.5 s is ample under TCG */
	silenced = pump(h, &c, exits_done, 1500) == -ETIMEDOUT;
	r = dgram_send_request(fd, DGRAM_MCAST_LISTEN, 0, DGRAM_REQ_LEGACY, 0);
	collector_reset(&c, &wl);
	if (r < 0 || run_exits(&wl, 1, 6, err, sizeof(err)) < 0) {
		vm_fail(name, "raw LISTEN or workload failed");
		goto out;
	}
	restored = pump(h, &c, exits_done, WAIT_MS) == 0;
	vm_say("INFO %s silenced=%d restored=%d\n", name, silenced, restored);
	if (!silenced && !cfg->new_kernel)
		vm_fail(name, "events still arrived after one extra IGNORE: this kernel does not"
		        " share a listener counter, so the IGNORE tests prove less");
	else if (silenced && cfg->new_kernel)
		vm_fail(name, "an IGNORE from a socket that never listened silenced a live"
		        " handle: this kernel keeps no per-socket subscription");
	else if (!restored)
		vm_fail(name, "no events after LISTEN restored the counter");
	else
		vm_pass(name);
out:
	if (fd >= 0)
		close(fd);
	proccn_close(h);
}

/*
 * Issue 4 §2: with mask EXIT the socket filter keeps FORK datagrams out of the
 * socket; without it they are read and dropped in userspace (legacy mode).
 */
static void test_datagrams(const struct config *cfg, int socket_filter)
{
	const char *name = socket_filter ? "datagrams:exit+socket-filter"
					 : "datagrams:exit+no-socket-filter";
	struct proccn_opts o = PROCCN_OPTS_INIT;
	struct proccn_stats st = { .sz = sizeof(st) };
	static struct collector c;
	struct wrap w = { 0 };
	struct workload wl;
	struct proccn *h = NULL;
	char err[160] = "";
	uint64_t accounted;
	int r, mode;

	o.events = PROCCN_EV_EXIT;
	o.flags = cfg->flags | (socket_filter ? 0 : PROCCN_F_NO_SOCKET_FILTER);
	w.wl = &wl;
	memset(&wl, 0, sizeof(wl));
	r = open_wrapped(&h, &o, &w);
	if (r < 0) {
		vm_fail(name, "proccn__open_fd: %s (%d)", proccn_strerror(r), r);
		return;
	}
	mode = proccn_mode(h);
	collector_reset(&c, &wl);
	if (check_mode(cfg, name, h) < 0)
		goto out;
	if (run_exits(&wl, NEXITS, 0, err, sizeof(err)) < 0) {
		vm_fail(name, "workload: %s", err);
		goto out;
	}
	r = pump(h, &c, exits_done, WAIT_MS);
	if (r >= 0)
		r = drain(h, &c);
	proccn_get_stats(h, &st);
	vm_say("STAT %s mode=%s datagrams=%" PRIu64 " acks=%" PRIu64 " received=%" PRIu64
	       " filtered=%" PRIu64 " exits=%" PRIu64 " fork-datagrams=%" PRIu64
	       " workload-fork-datagrams=%" PRIu64 "\n", name, mode_name(mode), st.datagrams,
	       st.acks, st.received, st.filtered, c.all_exits, w.fork_dgrams, w.wl_fork_dgrams);
	accounted = st.acks + st.received + st.malformed + st.spoofed;
	if (r < 0)
		vm_fail(name, "EXIT events of the workload missing: %s", proccn_strerror(r));
	else if (st.datagrams != w.datagrams || st.datagrams != accounted)
		vm_fail(name, "datagrams=%" PRIu64 " but recvmmsg returned %" PRIu64
		        " and acks+received+malformed+spoofed=%" PRIu64, st.datagrams, w.datagrams,
		        accounted);
	else if (socket_filter && w.wl_fork_dgrams)
		vm_fail(name, "%" PRIu64 " FORK datagrams of the workload reached the socket",
		        w.wl_fork_dgrams);
	else if (socket_filter && cfg->vm &&
		 (w.fork_dgrams || st.filtered || st.datagrams != st.acks + c.all_exits))
		vm_fail(name, "expected datagrams == acks + exits and no FORK at all:"
		        " datagrams=%" PRIu64 " acks=%" PRIu64 " exits=%" PRIu64 " forks=%" PRIu64
		        " filtered=%" PRIu64, st.datagrams, st.acks, c.all_exits, w.fork_dgrams,
		        st.filtered);
	else if (!socket_filter && mode == PROCCN_MODE_LEGACY &&
		 (w.wl_fork_dgrams != NEXITS || st.filtered < NEXITS))
		vm_fail(name, "without the socket filter the workload's %d forks should be read"
		        " and filtered in userspace: fork datagrams %" PRIu64 ", filtered %" PRIu64,
		        NEXITS, w.wl_fork_dgrams, st.filtered);
	else if (!socket_filter && mode == PROCCN_MODE_KERNEL_FILTER && w.wl_fork_dgrams)
		vm_fail(name, "the kernel filter let %" PRIu64 " workload FORKs through",
		        w.wl_fork_dgrams);
	else
		vm_pass(name);
out:
	proccn_close(h);
}

static void test_probe(const struct config *cfg)
{
	struct proccn_probe p = { .sz = sizeof(p) };
	int r = proccn_probe(&p);

	if (r < 0) {
		vm_fail("probe", "proccn_probe: %d", r);
		return;
	}
	vm_say("INFO probe connector=%d proc_events=%d initial_netns=%d initial_userns=%d"
	       " initial_pidns=%d cap_net_admin=%d kernel_filter=%d legacy=%d subscribe_error=%d\n",
	       p.connector, p.proc_events, p.initial_netns, p.initial_userns, p.initial_pidns,
	       p.cap_net_admin, p.kernel_filter, p.legacy, p.subscribe_error);
	if (p.subscribe_error)
		vm_fail("probe", "subscribe_error %d (%s)", p.subscribe_error,
		        proccn_strerror(p.subscribe_error));
	else if (cfg->vm && (p.kernel_filter != cfg->new_kernel || p.legacy != !cfg->new_kernel ||
			     p.proc_events != 1))
		vm_fail("probe", "expected kernel_filter=%d legacy=%d proc_events=1 on this kernel",
		        cfg->new_kernel, !cfg->new_kernel);
	else
		vm_pass("probe");
}

int run_all(const struct config *cfg)
{
	static struct collector sc, mcol;
	struct proccn *sentinel;
	struct utsname u;
	size_t i;

	uname(&u);
	vm_say("INFO kernel=%s pid=%d vm=%d%s flags=0x%" PRIx32 " expect-mode=%s\n", u.release,
	       (int)getpid(), cfg->vm,
	       !cfg->vm ? "" : cfg->new_kernel ? " guest-kernel=new" : " guest-kernel=old",
	       cfg->flags, cfg->expect_mode ? mode_name(cfg->expect_mode) : "any");
	if (cfg->late_exit) {
		test_late_exit(cfg);
		goto done;
	}
	test_probe(cfg);

	sentinel = open_or_fail(cfg, "sentinel", 0, 0);
	if (sentinel) {
		if (check_mode(cfg, "sentinel", sentinel) == 0)
			vm_pass("sentinel");
		for (i = 0; i < sizeof(mask_cases) / sizeof(mask_cases[0]); i++)
			test_mask(cfg, &mask_cases[i], sentinel, &sc, &mcol);
		/* closed before the counter tests: they need to be the only listeners */
		sentinel = proccn_close(sentinel);
	}
	test_datagrams(cfg, 1);
	test_datagrams(cfg, 0);
	test_ignore_once(cfg, "ignore-once:close", 0);
	test_ignore_once(cfg, "ignore-once:unsubscribe-twice", 1);
	test_ignore_once(cfg, "ignore-once:set-events", 2);
	test_close_a_keeps_b(cfg);
	if (cfg->vm)
		test_extra_ignore(cfg);
	test_still_listening(cfg);
	/* last: it lowers pid_max (VM only) */
	if (cfg->vm)
		test_table_reuse(cfg);
done:
	vm_say("VMTEST DONE pass=%d fail=%d\n", n_pass, n_fail);
	return n_fail;
}
