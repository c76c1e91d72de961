/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared helpers for the live tests: see live.h. */
#include "live.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "event.h"
#include "oracle.h"

uint32_t live_extra_flags;

static const char *test_name = "live";
static int failures;
static pid_t children[64];
static size_t nchildren;
#define MAX_HANDLES 8
static struct live_handle *handles[MAX_HANDLES];
static int ncpus;

uint64_t live_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void live_skip(const char *fmt, ...)
{
	va_list ap;

	printf("SKIP %s: ", test_name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(LIVE_SKIP);
}

static void kill_children(void)
{
	for (size_t i = 0; i < nchildren; i++) {
		kill(children[i], SIGKILL);
		waitpid(children[i], NULL, __WALL);
	}
	nchildren = 0;
}

void live_report(bool fatal, const char *file, int line, const char *expr,
		 const char *fmt, ...)
{
	va_list ap;

	failures++;
	printf("FAIL %s:%d: %s\n      ", file, line, expr);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (failures <= 3)
		for (size_t i = 0; i < MAX_HANDLES; i++)
			if (handles[i])
				live_dump(handles[i]);
	fflush(stdout);
	if (fatal) {
		kill_children();
		exit(1);
	}
}

int live_failures(void)
{
	return failures;
}

int live_finish(void)
{
	kill_children();
	if (failures) {
		printf("%s: %d check(s) FAILED\n", test_name, failures);
		return 1;
	}
	printf("%s: all checks passed\n", test_name);
	return 0;
}

/*
 * A hang must turn into a failure long before meson's timeout, with a message
 * (the default SIGALRM action would die silently).
 */
static void on_alarm(int sig)
{
	static const char msg[] = "FAIL: watchdog (SIGALRM): the test or one wait in it took too long\n";

	(void)sig;
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nothing more we can do from a signal handler */
	}
	_exit(1);
}

bool live_kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) != 0 || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma > major || (ma == major && mi >= minor);
}

void live_init(int argc, char **argv, const char *test, bool need_root)
{
	char line[256];
	bool cn_proc = false;
	FILE *f;
	int fd;

	test_name = test;
	/* Unbuffered, so that children's and parent's lines stay in order. */
	setvbuf(stdout, NULL, _IONBF, 0);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--legacy") == 0) {
			live_extra_flags |= PROCCN_F_FORCE_LEGACY;
		} else if (strcmp(argv[i], "--no-bpf") == 0) {
			live_extra_flags |= PROCCN_F_NO_SOCKET_FILTER;
		} else {
			fprintf(stderr, "%s: unknown option %s\n", test, argv[i]);
			exit(2);
		}
	}
	printf("%s: flags%s%s\n", test,
	       (live_extra_flags & PROCCN_F_FORCE_LEGACY) ? " legacy" : "",
	       (live_extra_flags & PROCCN_F_NO_SOCKET_FILTER) ? " no-bpf" : "");

	signal(SIGALRM, on_alarm);
	alarm(50);
	ncpus = get_nprocs_conf();

	if (need_root && geteuid() != 0)
		live_skip("needs root (euid %d)", (int)geteuid());

	/* The environment checks are made without the library, so that a
	 * library bug cannot turn into a skip. */
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
	if (fd < 0 && errno == EPROTONOSUPPORT)
		live_skip("socket(NETLINK_CONNECTOR): EPROTONOSUPPORT (no CONFIG_CONNECTOR)");
	if (fd >= 0)
		close(fd);
	f = fopen("/proc/net/connector", "re");
	if (!f)
		live_skip("no /proc/net/connector: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "cn_proc", 7) == 0)
			cn_proc = true;
	fclose(f);
	if (!cn_proc)
		live_skip("no cn_proc in /proc/net/connector (no CONFIG_PROC_EVENTS)");

	/* Outside the initial user namespace the kernel ignores requests. */
	f = fopen("/proc/self/uid_map", "re");
	if (f) {
		unsigned long a = 0, b = 0, c = 0;

		if (fscanf(f, "%lu %lu %lu", &a, &b, &c) == 3 &&
		    !(a == 0 && b == 0 && c == 4294967295ul)) {
			fclose(f);
			live_skip("not in the initial user namespace (uid_map %lu %lu %lu)",
				  a, b, c);
		}
		fclose(f);
	}
}

/* ---- recording ---------------------------------------------------------- */

static bool watched(const struct live_rec *r, pid_t pid)
{
	if (pid <= 0)
		return false;
	for (size_t i = 0; i < r->nwatch; i++)
		if (r->watch[i] == pid)
			return true;
	return false;
}

void live_watch(struct live_handle *lh, pid_t pid)
{
	struct live_rec *r = &lh->rec;

	if (watched(r, pid))
		return;
	REQUIRE(r->nwatch < LIVE_MAX_WATCH, "too many watched pids");
	r->watch[r->nwatch++] = pid;
}

pid_t live_ev_pid(const union proccn_event *ev)
{
	return event_pid(ev);
}

void live_format(const union proccn_event *ev, char *buf, size_t len)
{
	const char *name = proccn_kind_name(ev->hdr.kind);
	int n;

	n = snprintf(buf, len, "%-8s cpu=%u ts=%llu ", name ? name : "?",
		     ev->hdr.cpu, (unsigned long long)ev->hdr.timestamp_ns);
	if (n < 0 || (size_t)n >= len)
		return;
	buf += n;
	len -= (size_t)n;
	switch (ev->hdr.kind) {
	case PROCCN_EV_FORK:
		snprintf(buf, len, "parent=%d/%d child=%d/%d", ev->fork.parent_pid,
			 ev->fork.parent_tgid, ev->fork.child_pid, ev->fork.child_tgid);
		break;
	case PROCCN_EV_EXEC:
		snprintf(buf, len, "pid=%d/%d", ev->exec.pid, ev->exec.tgid);
		break;
	case PROCCN_EV_UID:
		snprintf(buf, len, "pid=%d/%d ruid=%u euid=%u", ev->uid.pid, ev->uid.tgid,
			 ev->uid.ruid, ev->uid.euid);
		break;
	case PROCCN_EV_GID:
		snprintf(buf, len, "pid=%d/%d rgid=%u egid=%u", ev->gid.pid, ev->gid.tgid,
			 ev->gid.rgid, ev->gid.egid);
		break;
	case PROCCN_EV_SID:
		snprintf(buf, len, "pid=%d/%d", ev->sid.pid, ev->sid.tgid);
		break;
	case PROCCN_EV_PTRACE:
		snprintf(buf, len, "pid=%d/%d tracer=%d/%d", ev->ptrace.pid, ev->ptrace.tgid,
			 ev->ptrace.tracer_pid, ev->ptrace.tracer_tgid);
		break;
	case PROCCN_EV_COMM:
		snprintf(buf, len, "pid=%d/%d comm=\"%.16s\"", ev->comm.pid, ev->comm.tgid,
			 ev->comm.comm);
		break;
	case PROCCN_EV_COREDUMP:
		snprintf(buf, len, "pid=%d/%d parent=%d/%d", ev->coredump.pid,
			 ev->coredump.tgid, ev->coredump.parent_pid, ev->coredump.parent_tgid);
		break;
	case PROCCN_EV_EXIT:
		snprintf(buf, len, "pid=%d/%d code=%#x signal=%d parent=%d/%d", ev->exit.pid,
			 ev->exit.tgid, ev->exit.exit_code, (int)ev->exit.exit_signal,
			 ev->exit.parent_pid, ev->exit.parent_tgid);
		break;
	default:
		snprintf(buf, len, "raw kind %#x len %u", ev->hdr.kind, ev->raw.len);
		break;
	}
}

void live_dump(const struct live_handle *lh)
{
	const struct live_rec *r = &lh->rec;
	char buf[200];
	size_t from = r->n > 40 ? r->n - 40 : 0;

	printf("      handle %s (mask %#x flags %#x): %zu event(s) of watched pids recorded"
	       " (%zu more did not fit), %llu callback call(s); watched:",
	       lh->name, lh->mask, lh->flags, r->n, r->overflow,
	       (unsigned long long)r->callbacks);
	for (size_t i = 0; i < r->nwatch; i++)
		printf(" %d", r->watch[i]);
	printf("\n");
	for (size_t i = from; i < r->n; i++) {
		live_format(&r->ev[i], buf, sizeof(buf));
		printf("        [%zu] %s\n", i, buf);
	}
}

static void violation(struct live_handle *lh, const union proccn_event *ev, const char *why)
{
	char buf[200];

	lh->rec.violations++;
	if (lh->rec.violations > 5)
		return;
	live_format(ev, buf, sizeof(buf));
	failures++;
	printf("FAIL handle %s (mask %#x flags %#x) delivered an event it must not: %s\n"
	       "      event: %s\n", lh->name, lh->mask, lh->flags, why, buf);
}

static int record(struct live_handle *lh, uint32_t cb_kind, const union proccn_event *ev)
{
	struct live_rec *r = &lh->rec;
	uint64_t now = live_now_ns();
	bool match;

	r->callbacks++;
	/* Checks on every delivered event, whoever it is about. */
	if (cb_kind != 0 && ev->hdr.kind != cb_kind)
		violation(lh, ev, "typed callback got another kind");
	if (cb_kind == 0 && event_known_kind(ev->hdr.kind))
		violation(lh, ev, "on_event got a known kind although its typed callback is set");
	if (ev->hdr.kind == 0)
		violation(lh, ev, "an ACK (what == 0) was delivered as an event");
	if (event_known_kind(ev->hdr.kind) && !oracle_pass_event(lh->mask, 0, ev))
		violation(lh, ev, "kind not in the mask");
	if (oracle_pass_event(lh->mask, 0, ev) && !oracle_pass_event(lh->mask, lh->flags, ev))
		violation(lh, ev, "thread event with PROCCN_F_PROCESSES_ONLY");
	if (ev->hdr.timestamp_ns < lh->t_open_ns || ev->hdr.timestamp_ns > now)
		violation(lh, ev, "timestamp not between proccn_open() and now (CLOCK_MONOTONIC)");
	if (ncpus > 0 && ev->hdr.cpu >= (uint32_t)ncpus)
		violation(lh, ev, "cpu number >= configured CPUs");

	switch (ev->hdr.kind) {
	case PROCCN_EV_FORK:
		match = watched(r, ev->fork.parent_pid) || watched(r, ev->fork.parent_tgid) ||
			watched(r, ev->fork.child_pid) || watched(r, ev->fork.child_tgid);
		/* Follow the descendants of watched processes (not threads). */
		if (watched(r, ev->fork.parent_tgid) &&
		    ev->fork.child_pid == ev->fork.child_tgid && r->nwatch < LIVE_MAX_WATCH)
			r->watch[r->nwatch++] = ev->fork.child_pid;
		break;
	default:
		match = watched(r, live_ev_pid(ev)) || watched(r, event_tgid(ev));
		break;
	}
	if (!match)
		return 0;
	if (r->n < LIVE_MAX_EVENTS)
		r->ev[r->n++] = *ev;
	else
		r->overflow++;
	return 0;
}

/* Typed callbacks copy the event into a union (never cast the pointer). */
#define TYPED_CB(name, type, kind)                                          \
	static int name(const struct type *e, void *ud)                     \
	{                                                                   \
		union proccn_event u;                                       \
		event_from_typed(&u, kind, e);                              \
		return record(ud, kind, &u);                                \
	}
TYPED_CB(cb_fork, proccn_fork, PROCCN_EV_FORK)
TYPED_CB(cb_exec, proccn_exec, PROCCN_EV_EXEC)
TYPED_CB(cb_uid, proccn_uid, PROCCN_EV_UID)
TYPED_CB(cb_gid, proccn_gid, PROCCN_EV_GID)
TYPED_CB(cb_sid, proccn_sid, PROCCN_EV_SID)
TYPED_CB(cb_ptrace, proccn_ptrace, PROCCN_EV_PTRACE)
TYPED_CB(cb_comm, proccn_comm, PROCCN_EV_COMM)
TYPED_CB(cb_coredump, proccn_coredump, PROCCN_EV_COREDUMP)
TYPED_CB(cb_exit, proccn_exit, PROCCN_EV_EXIT)

static int cb_event(const union proccn_event *e, void *ud)
{
	union proccn_event u = *e;

	return record(ud, 0, &u);
}

static int cb_loss(const struct proccn_loss *loss, void *ud)
{
	struct live_handle *lh = ud;

	lh->rec.losses++;
	/* Not a failure by itself (the machine may be busy), but a missing
	 * event later is explained by it. */
	printf("note: handle %s: loss reported: reason %d count %llu exact %d\n", lh->name,
	       loss->reason, (unsigned long long)loss->count, loss->exact);
	return 0;
}

static const struct proccn_callbacks callbacks = {
	.sz = sizeof(struct proccn_callbacks),
	.on_fork = cb_fork,
	.on_exec = cb_exec,
	.on_uid = cb_uid,
	.on_gid = cb_gid,
	.on_sid = cb_sid,
	.on_ptrace = cb_ptrace,
	.on_comm = cb_comm,
	.on_coredump = cb_coredump,
	.on_exit = cb_exit,
	.on_event = cb_event,
	.on_loss = cb_loss,
};

/* ---- handles ------------------------------------------------------------ */

void live_open_opts(struct live_handle *lh, const char *name, const struct proccn_opts *opts)
{
	int r;

	memset(lh, 0, sizeof(*lh));
	lh->name = name;
	lh->mask = opts->events;
	lh->flags = opts->flags;
	lh->t_open_ns = live_now_ns();
	r = proccn_open(&lh->h, opts);
	if (r == -EPERM && geteuid() != 0 && !live_kernel_at_least(6, 6))
		live_skip("proccn_open: -EPERM as non-root before Linux 6.6");
	if (r == -ECONNREFUSED)
		live_skip("proccn_open: -ECONNREFUSED: not in the initial network namespace");
	if (r == -EXDEV)
		live_skip("proccn_open: -EXDEV: not in the initial user or PID namespace");
	REQUIRE(r == 0, "proccn_open(%s, events %#x, flags %#x) = %d (%s)", name, opts->events,
		opts->flags, r, proccn_strerror(r));
	REQUIRE(lh->h != NULL, "proccn_open returned 0 but no handle");
	for (size_t i = 0; i < MAX_HANDLES; i++) {
		if (!handles[i]) {
			handles[i] = lh;
			break;
		}
	}
	/* Events kept from negotiation do not make the fd readable. */
	live_dispatch(lh, 0);
}

void live_open(struct live_handle *lh, const char *name, uint32_t events, uint32_t flags)
{
	struct proccn_opts o = PROCCN_OPTS_INIT;

	o.events = events;
	o.flags = flags | live_extra_flags;
	live_open_opts(lh, name, &o);
}

void live_check_stats(struct live_handle *lh)
{
	struct proccn_stats st;
	int r;

	memset(&st, 0, sizeof(st));
	st.sz = sizeof(st);
	r = proccn_get_stats(lh->h, &st);
	EXPECT(r == 0, "proccn_get_stats(%s) = %d", lh->name, r);
	if (r != 0)
		return;
	EXPECT(st.delivered == lh->rec.callbacks,
	       "handle %s: stats.delivered %llu, but the callbacks were called %llu time(s)",
	       lh->name, (unsigned long long)st.delivered,
	       (unsigned long long)lh->rec.callbacks);
	EXPECT(st.spoofed == 0, "handle %s: stats.spoofed %llu in a normal run", lh->name,
	       (unsigned long long)st.spoofed);
	EXPECT(st.malformed == 0, "handle %s: stats.malformed %llu in a normal run", lh->name,
	       (unsigned long long)st.malformed);
	/* Nothing is kept back (our callbacks never stop a dispatch), so every
	 * parsed event was either delivered or filtered. */
	EXPECT(st.received == st.delivered + st.filtered,
	       "handle %s: stats.received %llu != delivered %llu + filtered %llu", lh->name,
	       (unsigned long long)st.received, (unsigned long long)st.delivered,
	       (unsigned long long)st.filtered);
	EXPECT(st.datagrams >= st.received,
	       "handle %s: stats.datagrams %llu < received %llu (one event per datagram)",
	       lh->name, (unsigned long long)st.datagrams, (unsigned long long)st.received);
	EXPECT(st.rcvbuf > 0, "handle %s: stats.rcvbuf %d", lh->name, st.rcvbuf);
	if (st.lost || st.overruns || st.kernel_drops)
		printf("note: handle %s: lost %llu (exact %d) overruns %llu kernel_drops %llu\n",
		       lh->name, (unsigned long long)st.lost, st.lost_exact,
		       (unsigned long long)st.overruns, (unsigned long long)st.kernel_drops);
}

void live_close(struct live_handle *lh)
{
	if (!lh->h)
		return;
	live_check_stats(lh);
	EXPECT(lh->rec.violations == 0, "handle %s delivered %u event(s) it must not",
	       lh->name, lh->rec.violations);
	lh->h = proccn_close(lh->h);
	EXPECT(lh->h == NULL, "proccn_close must return NULL");
	for (size_t i = 0; i < MAX_HANDLES; i++)
		if (handles[i] == lh)
			handles[i] = NULL;
}

int live_dispatch(struct live_handle *lh, int timeout_ms)
{
	int r = proccn_dispatch(lh->h, &callbacks, lh, timeout_ms);

	if (r == -EINTR)
		return 0;
	REQUIRE(r >= 0, "proccn_dispatch(%s, timeout %d) = %d (%s)", lh->name, timeout_ms, r,
		proccn_strerror(r));
	return r;
}

void live_drain(struct live_handle *lh, int ms)
{
	uint64_t end = live_now_ns() + (uint64_t)ms * 1000000u;
	uint64_t now;

	while ((now = live_now_ns()) < end) {
		int left = (int)((end - now) / 1000000u) + 1;

		live_dispatch(lh, left < 50 ? left : 50);
	}
}

long live_find(const struct live_handle *lh, uint32_t kind, pid_t pid, size_t from)
{
	for (size_t i = from; i < lh->rec.n; i++)
		if (lh->rec.ev[i].hdr.kind == kind && live_ev_pid(&lh->rec.ev[i]) == pid)
			return (long)i;
	return -1;
}

size_t live_count(const struct live_handle *lh, uint32_t kind, pid_t pid)
{
	size_t c = 0;

	for (size_t i = 0; i < lh->rec.n; i++)
		if (lh->rec.ev[i].hdr.kind == kind && live_ev_pid(&lh->rec.ev[i]) == pid)
			c++;
	return c;
}

size_t live_count_threads(const struct live_handle *lh, pid_t tgid)
{
	size_t c = 0;

	for (size_t i = 0; i < lh->rec.n; i++) {
		const union proccn_event *ev = &lh->rec.ev[i];

		if (event_tgid(ev) == tgid && live_ev_pid(ev) != tgid)
			c++;
	}
	return c;
}

long live_wait(struct live_handle *lh, uint32_t kind, pid_t pid, int timeout_ms)
{
	uint64_t end = live_now_ns() + (uint64_t)timeout_ms * 1000000u;
	long i;

	for (;;) {
		uint64_t now;
		int left;

		i = live_find(lh, kind, pid, 0);
		if (i >= 0)
			return i;
		now = live_now_ns();
		if (now >= end)
			return -1;
		left = (int)((end - now) / 1000000u) + 1;
		live_dispatch(lh, left < 100 ? left : 100);
	}
}

/* ---- children ----------------------------------------------------------- */

pid_t live_spawn(void (*fn)(void *), void *arg)
{
	pid_t parent = getpid();
	pid_t pid;

	REQUIRE(nchildren < sizeof(children) / sizeof(children[0]), "too many children");
	pid = fork();
	REQUIRE(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* Parent already gone? (0: it is outside our new PID namespace.) */
		if (getppid() != parent && getppid() != 0)
			_exit(126);
		alarm(0);
		fn(arg);
		_exit(0);
	}
	children[nchildren++] = pid;
	return pid;
}

void live_forget(pid_t pid)
{
	for (size_t i = 0; i < nchildren; i++) {
		if (children[i] == pid) {
			children[i] = children[--nchildren];
			return;
		}
	}
}

int live_reap(pid_t pid)
{
	uint64_t end = live_now_ns() + (uint64_t)LIVE_DEADLINE_MS * 1000000u;
	int st = 0;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			break;
		REQUIRE(r == 0 || errno == EINTR, "waitpid(%d): %s", (int)pid, strerror(errno));
		REQUIRE(live_now_ns() < end, "child %d did not exit within %d ms", (int)pid,
			LIVE_DEADLINE_MS);
		usleep(2000);
	}
	live_forget(pid);
	return st;
}

int live_run_child(const char *what, int (*fn)(void *), void *arg)
{
	pid_t parent = getpid();
	pid_t pid;
	int st;

	printf("--- %s\n", what);
	pid = fork();
	REQUIRE(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		int rc;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* Parent already gone? (0: it is outside our new PID namespace.) */
		if (getppid() != parent && getppid() != 0)
			_exit(126);
		/* A fresh account: the parent's failures and children are not ours. */
		failures = 0;
		nchildren = 0;
		memset(handles, 0, sizeof(handles));
		rc = fn(arg);
		kill_children();
		if (rc == 0 && failures)
			rc = 1;
		/* _exit: no atexit handlers in a child (LeakSanitizer cannot run as
		 * the first process of a new PID namespace) */
		fflush(NULL);
		_exit(rc);
	}
	children[nchildren++] = pid;
	st = live_reap(pid);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st) && WEXITSTATUS(st) == LIVE_SKIP) {
		printf("    (%s skipped)\n", what);
		return LIVE_SKIP;
	}
	live_report(false, __FILE__, __LINE__, what, "child status %#x", st);
	return 1;
}

const char *live_true_path(void)
{
	if (access("/bin/true", X_OK) == 0)
		return "/bin/true";
	if (access("/usr/bin/true", X_OK) == 0)
		return "/usr/bin/true";
	live_skip("no true(1) to execve");
}

void live_exec_path(void *path)
{
	char *const argv[] = { path, NULL };
	char *const envp[] = { NULL };

	execve(path, argv, envp);
	_exit(127);
}

static void *crash_later(void *arg)
{
	(void)arg;
	usleep(150 * 1000);
	/* the default action, also under a sanitizer that catches SIGSEGV */
	signal(SIGSEGV, SIG_DFL);
	raise(SIGSEGV);
	return NULL;
}

void live_leader_exits_worker_crashes(void *arg)
{
	struct rlimit no_core = { 0, 0 };
	pthread_t t;

	(void)arg;
	(void)setrlimit(RLIMIT_CORE, &no_core);
	if (pthread_create(&t, NULL, crash_later, NULL) != 0)
		_exit(21);
	pthread_exit(NULL);
}

static void *exec_path(void *arg)
{
	char *argv[] = { (char *)arg, NULL }, *envp[] = { NULL };

	usleep(50 * 1000);
	execve((const char *)arg, argv, envp);
	_exit(127);
}

void live_worker_execs(void *path)
{
	pthread_t t;

	if (pthread_create(&t, NULL, exec_path, path) != 0)
		_exit(21);
	for (;;)
		pause();
}
