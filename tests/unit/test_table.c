/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The process table against the fake kernel and a fake /proc tree: the
 * initial scan, FORK/EXEC/EXIT and the other events, process end as thread
 * group end (main thread first, exec from a worker), pid reuse and stale
 * events, /proc races, resync after loss (every vanished process gets one
 * inferred exit, none twice), the memory budget, watches, queries, options,
 * calls from callbacks, and the fd during a resync.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fake_kernel.h"
#include "fakeproc.h"
#include "proccn_table.h"
#include "table.h"

#define MAX_SEEN 64
#define SHELL 100

/* What the callbacks saw, records copied (exe too: its string lasts only the call). */
struct seen {
	struct proccn_proc start[MAX_SEEN], exec[MAX_SEEN], exit[MAX_SEEN];
	char exit_exe[MAX_SEEN][64];
	unsigned int nstart, nexec, nexit;
	uint32_t change[MAX_SEEN];
	unsigned int nchange;
	struct proccn_resync resync[8];
	unsigned int nresync;
	struct proccn_watch_result watch[8];
	unsigned int nwatch;
	unsigned int nloss, raw_exits;
	int raw_exit_state;       /* the table's state of the pid when the raw EXIT came */
	int stop_exits;           /* on_exit returns -ECANCELED */
	int close_on_exit;        /* on_exit closes the table */
	int nested;               /* what a nested dispatch returned */
	int calls_on_exit;        /* on_exit tries the other calls (below) */
	int r_get, r_get_state, r_handle_dispatch, r_wait, r_resync, r_watch, r_unwatch;
};

static struct fake_kernel fk;
static struct proccn *h;
static struct fakeproc *fp;
static struct proccn_table *t;
static struct seen s;

static uint64_t boot_ticks_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 100 + (uint64_t)ts.tv_nsec / 10000000;
}

static void fake(pid_t pid, pid_t ppid, const char *comm, const char *exe, uint64_t start,
		 int threads)
{
	struct fakeproc_proc p;

	fakeproc_proc_init(&p, pid);
	p.ppid = ppid;
	p.comm = comm;
	p.exe = exe;
	p.starttime = start;
	p.num_threads = threads;
	fakeproc_add(fp, &p);
}

static int on_start(const struct proccn_proc *p, void *ud)
{
	struct seen *x = ud;

	if (x->nstart < MAX_SEEN)
		x->start[x->nstart++] = *p;
	return 0;
}

static int on_exec(const struct proccn_proc *p, void *ud)
{
	struct seen *x = ud;

	if (x->nexec < MAX_SEEN)
		x->exec[x->nexec++] = *p;
	return 0;
}

/* The other public calls, from inside a callback of the table. */
static void calls_inside(struct seen *x, pid_t pid)
{
	static const struct proccn_callbacks no_raw = { .sz = sizeof(no_raw) };
	struct proccn_watch_result w = { .sz = sizeof(w) };
	struct proccn_proc q = { .sz = sizeof(q) };
	uint64_t id = 0;

	x->r_get = proccn_table_get(t, pid, &q);
	x->r_get_state = (int)q.state;
	x->r_handle_dispatch = proccn_dispatch(proccn_table_handle(t), &no_raw, NULL, 0);
	x->r_wait = proccn_table_wait(t, SHELL, 0, 0, &w);
	x->r_resync = proccn_table_resync(t);
	x->r_watch = proccn_table_watch(t, SHELL, 0, &id);
	x->r_unwatch = proccn_table_unwatch(t, id);
}

static int on_exit_cb(const struct proccn_proc *p, void *ud)
{
	struct seen *x = ud;

	if (x->nexit < MAX_SEEN) {
		snprintf(x->exit_exe[x->nexit], sizeof(x->exit_exe[0]), "%s", p->exe ? p->exe : "");
		x->exit[x->nexit++] = *p;
	}
	if (x->calls_on_exit)
		calls_inside(x, p->pid);
	if (x->close_on_exit) {
		struct proccn_table_callbacks none = { .sz = sizeof(none) };

		x->nested = proccn_table_dispatch(t, &none, NULL, 0);
		t = proccn_table_close(t);
	}
	return x->stop_exits ? -ECANCELED : 0;
}

static int on_change(const struct proccn_proc *p, uint32_t kind, void *ud)
{
	struct seen *x = ud;

	(void)p;
	if (x->nchange < MAX_SEEN)
		x->change[x->nchange++] = kind;
	return 0;
}

static int on_loss(const struct proccn_loss *loss, void *ud)
{
	(void)loss;
	((struct seen *)ud)->nloss++;
	return 0;
}

static int on_resync(const struct proccn_resync *r, void *ud)
{
	struct seen *x = ud;

	if (x->nresync < 8)
		x->resync[x->nresync++] = *r;
	return 0;
}

static int on_watch(const struct proccn_watch_result *w, void *ud)
{
	struct seen *x = ud;

	if (x->nwatch < 8)
		x->watch[x->nwatch++] = *w;
	return 0;
}

static int raw_exit(const struct proccn_exit *ev, void *ud)
{
	struct seen *x = ud;
	struct proccn_proc p = { .sz = sizeof(p) };

	x->raw_exits++;
	x->raw_exit_state = proccn_table_get(t, ev->tgid, &p) == 0 ? (int)p.state : -1;
	return 0;
}

static const struct proccn_callbacks raw_cb = {
	.sz = sizeof(struct proccn_callbacks),
	.on_exit = raw_exit,
};

static const struct proccn_table_callbacks cb = {
	.sz = sizeof(struct proccn_table_callbacks),
	.on_start = on_start,
	.on_exec = on_exec,
	.on_change = on_change,
	.on_exit = on_exit_cb,
	.on_loss = on_loss,
	.on_resync = on_resync,
	.on_watch = on_watch,
	.raw = &raw_cb,
};

/* Dispatch until nothing is left and no resync runs. */
static void pump(void)
{
	int i, r;

	for (i = 0; i < 200; i++) {
		r = proccn_table_dispatch(t, &cb, &s, 0);
		assert_true(r >= 0);
		if (r == 0 && proccn_table_synced(t) == 1 && !proccn__has_work(proccn_table_handle(t)))
			return;
	}
	fail_msg("the table never settled");
}

static void open_table(const struct proccn_table_opts *o)
{
	struct proccn_table_opts opts;

	memset(&opts, 0, sizeof(opts));
	opts.sz = sizeof(opts);
	if (o)
		opts = *o;
	opts.proc_root = fakeproc_root(fp);
	assert_int_equal(proccn_table_open(&t, h, &opts), 0);
	pump();
}

/* The fake kernel on CPU 0, a fake /proc with init and a shell. */
static int setup(void **state)
{
	(void)state;
	memset(&s, 0, sizeof(s));
	if (fk_init(&fk, FK_MODERN) < 0)
		return -1;
	fk.fixed_cpu = 0;
	if (fk_open(&fk, &h, NULL) < 0)
		return -1;
	fp = fakeproc_new();
	fake(1, 0, "systemd", "/usr/lib/systemd/systemd", 1, 1);
	fake(SHELL, 1, "bash", "/usr/bin/bash", boot_ticks_now() - 500, 1);
	t = NULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	t = proccn_table_close(t);
	h = proccn_close(h);
	fk_fini(&fk);
	fakeproc_free(fp);
	return 0;
}

/* @ev as the kernel would send it, generated at @ts (which may be in the past). */
static void inject_at(struct fk_ev ev, uint64_t ts)
{
	uint8_t dg[FK_DGRAM_LEN];

	fk_build(dg, fk.cpu_seq[0]++, 0, 0, ts, &ev);
	assert_int_equal(fk_inject(&fk, dg, sizeof(dg), AF_NETLINK, 0), 0);
}

static struct proccn_proc get(pid_t pid)
{
	struct proccn_proc p;

	memset(&p, 0, sizeof(p));
	p.sz = sizeof(p);
	assert_int_equal(proccn_table_get(t, pid, &p), 0);
	return p;
}

/* Test 1: right after open, the table is what /proc says. */
static void test_initial_scan(void **state)
{
	PROCCN_OPTS(proccn_table_opts, o, .fields = PROCCN_TABLE_EXE);
	struct proccn_table_stats st = { .sz = sizeof(st) };
	uint64_t vim_start = boot_ticks_now() - 20;
	struct proccn_proc p;

	(void)state;
	fake(150, SHELL, "vim", "/usr/bin/vim", vim_start, 3);
	open_table(&o);
	assert_int_equal(s.nresync, 1);
	assert_int_equal(s.resync[0].initial, 1);
	assert_int_equal(s.resync[0].scanned, 3);
	assert_int_equal(s.nstart, 0);   /* a scan at open is no start */
	p = get(150);
	assert_string_equal(p.comm, "vim");
	assert_string_equal(p.exe, "/usr/bin/vim");
	assert_int_equal(p.ppid, SHELL);
	assert_int_equal(p.threads, 3);
	assert_int_equal(p.state, PROCCN_PROC_RUNNING);
	assert_true(p.flags & PROCCN_PROC_F_SCANNED);
	assert_true(p.flags & PROCCN_PROC_F_CREDS);
	assert_int_equal(p.ruid, 1000);
	assert_int_equal(p.key, proccn__table_key(150, vim_start));
	assert_int_equal(proccn_table_get_stats(t, &st), 0);
	assert_int_equal(st.live, 3);
	assert_int_equal(st.scanned, 3);
	assert_int_equal(st.resyncs, 1);
	assert_true(st.memory > 0);
	assert_int_equal(proccn_table_get(t, 4242, &p), -ESRCH);
}

/* A FORK copies the parent (no /proc read), an EXEC reads the new image, EXIT ends it. */
static void test_fork_exec_exit(void **state)
{
	PROCCN_OPTS(proccn_table_opts, o, .fields = PROCCN_TABLE_EXE);
	struct proccn_table_stats st = { .sz = sizeof(st) };
	uint64_t reads;
	struct proccn_proc p;

	(void)state;
	open_table(&o);
	assert_int_equal(proccn_table_get_stats(t, &st), 0);
	reads = st.proc_reads;
	fk_generate(&fk, fk_fork(SHELL, SHELL, 200, 200));
	pump();
	assert_int_equal(s.nstart, 1);
	assert_string_equal(s.start[0].comm, "bash");
	assert_true(s.start[0].flags & PROCCN_PROC_F_FORKED);
	assert_int_equal(s.start[0].ppid, SHELL);
	assert_int_equal(proccn_table_get_stats(t, &st), 0);
	assert_int_equal(st.proc_reads, reads);   /* a fork reads nothing */

	fake(200, SHELL, "make", "/usr/bin/make", proccn__table_ticks_of(t, s.start[0].start_ns), 1);
	fk_generate(&fk, fk_exec(200, 200));
	pump();
	assert_int_equal(s.nexec, 1);
	assert_string_equal(s.exec[0].comm, "make");
	assert_int_equal(s.exec[0].execs, 1);
	assert_false(s.exec[0].flags & PROCCN_PROC_F_FORKED);
	p = get(200);
	assert_string_equal(p.exe, "/usr/bin/make");

	fk_generate(&fk, fk_exit(200, 200, 2 << 8, 17, SHELL, SHELL));
	pump();
	assert_int_equal(s.nexit, 1);
	assert_string_equal(s.exit[0].comm, "make");
	assert_string_equal(s.exit_exe[0], "/usr/bin/make");
	assert_int_equal(s.exit[0].exit_code, 2 << 8);
	assert_int_equal(s.exit[0].state, PROCCN_PROC_EXITED);
	assert_true(s.exit[0].exit_ns >= s.exit[0].start_ns);
	assert_false(s.exit[0].flags & PROCCN_PROC_F_INFERRED);
	/* the raw callback came after the table applied the EXIT */
	assert_int_equal(s.raw_exits, 1);
	assert_int_equal(s.raw_exit_state, PROCCN_PROC_EXITED);
	/* kept for late lookups */
	p = get(200);
	assert_int_equal(p.state, PROCCN_PROC_EXITED);
	assert_int_equal(proccn_table_get_key(t, p.key, &p), 0);
}

/*
 * An EXEC read after the process died (not yet reaped): the zombie's stat
 * still names the image, but it has no memory left, so its empty command
 * line and missing exe are unknown, not known to be empty.
 */
static void test_exec_read_from_zombie(void **state)
{
	PROCCN_OPTS(proccn_table_opts, o, .fields = PROCCN_TABLE_EXE | PROCCN_TABLE_CMDLINE);
	struct fakeproc_proc z;

	(void)state;
	open_table(&o);
	fk_generate(&fk, fk_fork(SHELL, SHELL, 210, 210));
	pump();
	fakeproc_proc_init(&z, 210);
	z.ppid = SHELL;
	z.comm = "sh";
	z.state = 'Z';
	z.exe = NULL;
	z.argv = NULL;
	z.starttime = proccn__table_ticks_of(t, s.start[0].start_ns);
	fakeproc_add(fp, &z);
	fk_generate(&fk, fk_exec(210, 210));
	fk_generate(&fk, fk_exit(210, 210, 3 << 8, 17, SHELL, SHELL));
	pump();
	assert_int_equal(s.nexit, 1);
	assert_string_equal(s.exit[0].comm, "sh");
	assert_false(s.exit[0].flags & PROCCN_PROC_F_UNNAMED);
	assert_false(s.exit[0].flags & PROCCN_PROC_F_CMDLINE);
	assert_false(s.exit[0].flags & PROCCN_PROC_F_EXE);
}

/* Test 5a: the main thread exits first; the process ends with a worker's SIGSEGV. */
static void test_leader_exits_first(void **state)
{
	(void)state;
	open_table(NULL);
	fk_generate(&fk, fk_fork(SHELL, SHELL, 300, 300));
	fk_generate(&fk, fk_fork(SHELL, SHELL, 301, 300));   /* a thread */
	fk_generate(&fk, fk_exit(300, 300, 0, 17, SHELL, SHELL));
	pump();
	assert_int_equal(s.nexit, 0);
	assert_int_equal(get(300).state, PROCCN_PROC_LEADER_EXITED);
	assert_int_equal(get(300).threads, 1);
	fk_generate(&fk, fk_coredump(301, 300, SHELL, SHELL));
	fk_generate(&fk, fk_exit(301, 300, 0x8b, UINT32_MAX, 0, 0));
	pump();
	assert_int_equal(s.nexit, 1);
	assert_int_equal(s.exit[0].pid, 300);
	assert_int_equal(s.exit[0].exit_code, 0x8b);
}

/* Test 5b: an exec from a worker: the old main thread's EXIT, then EXEC: no end. */
static void test_exec_from_worker(void **state)
{
	(void)state;
	open_table(NULL);
	fk_generate(&fk, fk_fork(SHELL, SHELL, 400, 400));
	fk_generate(&fk, fk_fork(SHELL, SHELL, 401, 400));
	pump();
	fake(400, SHELL, "true", NULL, proccn__table_ticks_of(t, s.start[0].start_ns), 1);
	fk_generate(&fk, fk_exit(400, 400, 0, 17, SHELL, SHELL));
	fk_generate(&fk, fk_exec(400, 400));
	pump();
	assert_int_equal(s.nexit, 0);
	assert_int_equal(get(400).state, PROCCN_PROC_RUNNING);
	assert_int_equal(get(400).threads, 1);
	assert_int_equal(get(400).execs, 1);
	assert_string_equal(get(400).comm, "true");
	fk_generate(&fk, fk_exit(400, 400, 0, 17, SHELL, SHELL));
	pump();
	assert_int_equal(s.nexit, 1);
}

/* The kernel may report the EXEC before the old main thread's EXIT: the same. */
static void test_exec_from_worker_reordered(void **state)
{
	uint64_t exit_ts;

	(void)state;
	open_table(NULL);
	fk_generate(&fk, fk_fork(SHELL, SHELL, 400, 400));
	fk_generate(&fk, fk_fork(SHELL, SHELL, 401, 400));
	pump();
	fake(400, SHELL, "true", NULL, proccn__table_ticks_of(t, s.start[0].start_ns), 1);
	exit_ts = (uint64_t)fk_now_us() * 1000u;
	fk_generate(&fk, fk_exec(400, 400));
	/* the EXIT was generated first (on another CPU) and reaches us after the EXEC */
	inject_at(fk_exit(400, 400, 0, 17, SHELL, SHELL), exit_ts);
	pump();
	assert_int_equal(get(400).execs, 1);
	assert_int_equal(get(400).state, PROCCN_PROC_RUNNING);
	assert_int_equal(s.nexit, 0);
}

/* Test 8: the process is gone before the EXEC read: unnamed, never the parent's name. */
static void test_exec_unnamed_when_gone(void **state)
{
	(void)state;
	open_table(NULL);
	fk_generate(&fk, fk_fork(SHELL, SHELL, 500, 500));
	fk_generate(&fk, fk_exec(500, 500));   /* no /proc/500: already reaped */
	fk_generate(&fk, fk_exit(500, 500, 0, 17, SHELL, SHELL));
	pump();
	assert_int_equal(s.nexec, 1);
	assert_true(s.exec[0].flags & PROCCN_PROC_F_UNNAMED);
	assert_false(s.exec[0].flags & PROCCN_PROC_F_COMM);
	assert_string_equal(s.exec[0].comm, "");
	assert_int_equal(s.nexit, 1);
	assert_string_equal(s.exit[0].comm, "");
	assert_null(s.exit[0].exe);
}

/* Test 8: the pid is another process by the time of the read: discarded, counted. */
static void test_exec_pid_reused_before_read(void **state)
{
	struct proccn_table_stats st = { .sz = sizeof(st) };

	(void)state;
	open_table(NULL);
	fk_generate(&fk, fk_fork(SHELL, SHELL, 600, 600));
	pump();
	/* /proc/600 is a process started 5 s later */
	fake(600, 1, "intruder", NULL, proccn__table_ticks_of(t, s.start[0].start_ns) + 500, 1);
	fk_generate(&fk, fk_exec(600, 600));
	pump();
	assert_true(s.exec[0].flags & PROCCN_PROC_F_UNNAMED);
	assert_string_equal(s.exec[0].comm, "");
	assert_int_equal(proccn_table_get_stats(t, &st), 0);
	assert_int_equal(st.proc_races, 1);
}

/*
 * Test 4 (unit): a FORK on a pid that has a live entry is a new process (the
 * old one's EXIT was lost: inferred exit); a delayed EXIT of the old
 * incarnation never ends the new one.
 */
static void test_pid_reuse(void **state)
{
	struct proccn_table_stats st = { .sz = sizeof(st) };
	uint64_t old_ts, old_key;
	struct proccn_proc p;

	(void)state;
	open_table(NULL);
	fk_generate(&fk, fk_fork(SHELL, SHELL, 700, 700));
	pump();
	old_ts = s.start[0].start_ns;
	old_key = s.start[0].key;
	fk.clock_ns += 2000000000ull;   /* two seconds later (ticks differ) */
	fk_generate(&fk, fk_fork(SHELL, SHELL, 700, 700));
	pump();
	assert_int_equal(s.nexit, 1);
	assert_true(s.exit[0].flags & PROCCN_PROC_F_INFERRED);
	assert_int_equal(s.exit[0].key, old_key);
	assert_int_equal(s.nstart, 2);
	assert_true(s.start[1].key != old_key);
	/* the old one's EXIT, generated before the new one started, comes late */
	inject_at(fk_exit(700, 700, 9, 17, SHELL, SHELL), old_ts + 1000);
	pump();
	assert_int_equal(s.nexit, 1);
	p = get(700);
	assert_int_equal(p.state, PROCCN_PROC_RUNNING);
	assert_int_equal(p.key, s.start[1].key);
	/* the old incarnation stays reachable by its key */
	assert_int_equal(proccn_table_get_key(t, old_key, &p), 0);
	assert_int_equal(p.state, PROCCN_PROC_EXITED);
	assert_int_equal(proccn_table_get_stats(t, &st), 0);
	assert_int_equal(st.pid_reuse, 1);
	assert_true(st.stale_events >= 1);
}

/*
 * The kernel sends a process's EXIT after waking its parent: preempted in
 * between, the process is reaped, its pid reused, and its EXIT (parent
 * fields 0: already reaped) comes after the new process's FORK, with a later
 * time. /proc says the new process still runs: the EXIT is the old one's.
 */
static void test_late_exit_after_reuse(void **state)
{
	struct proccn_table_stats st = { .sz = sizeof(st) };
	uint64_t stale;

	(void)state;
	open_table(NULL);
	fk_generate(&fk, fk_fork(SHELL, SHELL, 710, 710));
	pump();
	fk.clock_ns += 2000000000ull;
	fk_generate(&fk, fk_fork(SHELL, SHELL, 710, 710));
	pump();
	assert_int_equal(s.nexit, 1);   /* the old one, inferred at the reuse */
	fake(710, SHELL, "bash", NULL, proccn__table_ticks_of(t, s.start[1].start_ns), 1);
	assert_int_equal(proccn_table_get_stats(t, &st), 0);
	stale = st.stale_events;
	fk_generate(&fk, fk_exit(710, 710, 0x2c00, 17, 0, 0));
	pump();
	assert_int_equal(s.nexit, 1);
	assert_int_equal(get(710).state, PROCCN_PROC_RUNNING);
	assert_int_equal(get(710).key, s.start[1].key);
	assert_int_equal(proccn_table_get_stats(t, &st), 0);
	assert_int_equal(st.stale_events, stale + 1);
	/* its own EXIT, reaped before it was sent: /proc no longer has it */
	fakeproc_remove(fp, 710);
	fk_generate(&fk, fk_exit(710, 710, 3 << 8, 17, 0, 0));
	pump();
	assert_int_equal(s.nexit, 2);
	assert_int_equal(s.exit[1].key, s.start[1].key);
	assert_int_equal(s.exit[1].exit_code, 3 << 8);
}

/* COMM, UID, GID, SID: the main thread's changes are the process's; a thread's are not. */
static void test_changes(void **state)
{
	const char name[16] = "renamed", thread_name[16] = "worker-1";
	struct proccn_proc p;

	(void)state;
	open_table(NULL);
	fk_generate(&fk, fk_comm(SHELL, SHELL, name));
	fk_generate(&fk, fk_uid(SHELL, SHELL, 0, 0));
	fk_generate(&fk, fk_gid(SHELL, SHELL, 5, 6));
	fk_generate(&fk, fk_sid(SHELL, SHELL));
	fk_generate(&fk, fk_comm(SHELL + 1, SHELL, thread_name));
	pump();
	p = get(SHELL);
	assert_string_equal(p.comm, "renamed");
	assert_int_equal(p.ruid, 0);
	assert_int_equal(p.rgid, 5);
	assert_int_equal(p.egid, 6);
	assert_int_equal(p.sid, SHELL);
	assert_int_equal(s.nchange, 4);
	assert_int_equal(s.change[0], PROCCN_EV_COMM);
	assert_int_equal(s.change[3], PROCCN_EV_SID);
}

/*
 * Test 3 and 9: events are lost (a sequence gap), the table resyncs from
 * /proc: a process whose EXIT was lost gets one inferred exit, one whose
 * FORK was lost is added, a reused pid is replaced, and an event generated
 * before the resync read never overwrites what the read found.
 */
static void test_resync_after_loss(void **state)
{
	const char old_name[16] = "oldname";
	struct fakeproc_proc np;
	struct proccn_table_stats st = { .sz = sizeof(st) };
	uint64_t before_scan, stale, started = boot_ticks_now() - 100;

	(void)state;
	fake(800, SHELL, "doomed", NULL, started, 1);
	fake(801, SHELL, "reused", NULL, started, 1);
	fake(802, SHELL, "renamer", NULL, started, 1);
	open_table(NULL);
	assert_int_equal(get(800).state, PROCCN_PROC_RUNNING);
	/* meanwhile, unseen: 800 exits, 801 is a new process, 803 starts, 802 renames */
	fakeproc_remove(fp, 800);
	fakeproc_proc_init(&np, 801);
	np.ppid = 1;
	np.comm = "newcomer";
	np.starttime = boot_ticks_now();
	fakeproc_replace(fp, &np);
	fake(803, SHELL, "born", NULL, boot_ticks_now(), 1);
	fake(802, SHELL, "newname", NULL, started, 1);
	before_scan = (uint64_t)fk_now_us() * 1000u;
	fk_generate_lost(&fk, fk_exec(1, 1));
	fk_generate(&fk, fk_exec(SHELL, SHELL));
	pump();
	assert_int_equal(s.nloss, 1);
	assert_int_equal(s.nresync, 2);
	assert_int_equal(s.resync[1].initial, 0);
	assert_int_equal(s.resync[1].exited, 2);     /* 800 gone, 801's old process */
	assert_int_equal(s.resync[1].replaced, 1);
	assert_int_equal(s.resync[1].added, 2);      /* 801's new process, 803 */
	assert_int_equal(s.resync[1].changed, 1);    /* 802's rename */
	assert_int_equal(s.nexit, 2);
	assert_true(s.exit[0].flags & PROCCN_PROC_F_INFERRED);
	assert_true(s.exit[1].flags & PROCCN_PROC_F_INFERRED);
	assert_true((s.exit[0].pid == 800 && s.exit[1].pid == 801) ||
		    (s.exit[0].pid == 801 && s.exit[1].pid == 800));
	assert_int_equal(s.nstart, 2);
	assert_true(s.start[0].flags & PROCCN_PROC_F_SCANNED);
	assert_string_equal(get(803).comm, "born");
	assert_string_equal(get(801).comm, "newcomer");
	assert_true(get(801).flags & PROCCN_PROC_F_LINEAGE_LOST);
	assert_false(get(803).flags & PROCCN_PROC_F_LINEAGE_LOST);
	assert_string_equal(get(802).comm, "newname");
	/* a rename generated before the scan read 802, delivered after it: not applied */
	assert_int_equal(proccn_table_get_stats(t, &st), 0);
	stale = st.stale_events;
	inject_at(fk_comm(802, 802, old_name), before_scan);
	pump();
	assert_string_equal(get(802).comm, "newname");
	assert_int_equal(proccn_table_get_stats(t, &st), 0);
	assert_int_equal(st.stale_events, stale + 1);
	assert_int_equal(st.exits_inferred, 2);
	/* nothing more: another pump reports no exit twice */
	pump();
	assert_int_equal(s.nexit, 2);
	assert_int_equal(proccn_table_synced(t), 1);
}

/*
 * The scan found 900 gone, but its EXIT (generated before the scan began)
 * is still queued, behind more than one dispatch's worth of events: the
 * resync drains the socket before it infers exits, so 900 ends once, with
 * its real status.
 */
static void test_exit_queued_during_resync_counted_once(void **state)
{
	uint64_t before;
	int i;

	(void)state;
	fake(900, SHELL, "quitter", NULL, boot_ticks_now() - 100, 1);
	open_table(NULL);
	before = (uint64_t)fk_now_us() * 1000u;
	fk_generate_lost(&fk, fk_exec(1, 1));
	fk_generate(&fk, fk_exec(SHELL, SHELL));
	fakeproc_remove(fp, 900);
	/* the loss report, and the whole scan: it found no 900 */
	assert_true(proccn_table_dispatch(t, &cb, &s, 0) >= 0);
	assert_int_equal(proccn_table_synced(t), 0);
	for (i = 0; i < 1100; i++)
		inject_at(fk_sid(SHELL, SHELL), before);
	inject_at(fk_exit(900, 900, 3 << 8, 17, SHELL, SHELL), before);
	pump();
	assert_int_equal(s.nexit, 1);
	assert_int_equal(s.exit[0].pid, 900);
	assert_false(s.exit[0].flags & PROCCN_PROC_F_INFERRED);
	assert_int_equal(s.exit[0].exit_code, 3 << 8);
}

/* Test 6 (part): the budget: untracked when full, exited entries evicted early. */
static void test_budget(void **state)
{
	PROCCN_OPTS(proccn_table_opts, o, .max_procs = 4, .max_exited = 2, .exited_ms = 60000);
	struct proccn_table_stats st = { .sz = sizeof(st) };
	struct proccn_proc p = { .sz = sizeof(p) };
	int i;

	(void)state;
	open_table(&o);   /* 2 live: init, the shell */
	for (i = 0; i < 4; i++)
		fk_generate(&fk, fk_fork(SHELL, SHELL, 1000 + i, 1000 + i));
	pump();
	assert_int_equal(s.nstart, 2);
	assert_int_equal(proccn_table_get_stats(t, &st), 0);
	assert_int_equal(st.untracked, 2);
	assert_int_equal(st.live, 4);
	assert_int_equal(proccn_table_get(t, 1003, &p), -ESRCH);
	for (i = 0; i < 2; i++)
		fk_generate(&fk, fk_exit(1000 + i, 1000 + i, 0, 17, SHELL, SHELL));
	for (i = 0; i < 2; i++)
		fk_generate(&fk, fk_fork(SHELL, SHELL, 1100 + i, 1100 + i));
	for (i = 0; i < 2; i++)
		fk_generate(&fk, fk_exit(1100 + i, 1100 + i, 0, 17, SHELL, SHELL));
	pump();
	assert_int_equal(proccn_table_get_stats(t, &st), 0);
	assert_int_equal(st.exited_kept, 2);
	assert_int_equal(st.evicted_early, 2);
	assert_int_equal(proccn_table_get(t, 1000, &p), -ESRCH);   /* evicted */
	assert_int_equal(proccn_table_get(t, 1101, &p), 0);        /* the newest kept */
}

/* Exited entries go after exited_ms. */
static void test_exited_expire(void **state)
{
	PROCCN_OPTS(proccn_table_opts, o, .exited_ms = 1);
	struct timespec ms5 = { 0, 5000000 };
	struct proccn_table_stats st = { .sz = sizeof(st) };
	struct proccn_proc p = { .sz = sizeof(p) };

	(void)state;
	open_table(&o);
	fk_generate(&fk, fk_fork(SHELL, SHELL, 1200, 1200));
	fk_generate(&fk, fk_exit(1200, 1200, 0, 17, SHELL, SHELL));
	pump();
	nanosleep(&ms5, NULL);
	pump();
	assert_int_equal(proccn_table_get(t, 1200, &p), -ESRCH);
	assert_int_equal(proccn_table_get_stats(t, &st), 0);
	assert_int_equal(st.evicted_early, 0);
}

/* Test 7: watches through a double fork, an already-dead pid, a reused pid, a loss. */
static void test_watch_subtree_double_fork(void **state)
{
	uint64_t id;

	(void)state;
	open_table(NULL);
	fk_generate(&fk, fk_fork(SHELL, SHELL, 1300, 1300));
	pump();
	assert_int_equal(proccn_table_watch(t, 1300, PROCCN_WATCH_SUBTREE, &id), 0);
	/* the daemon pattern: child, grandchild, the child exits, the grandchild goes on */
	fk_generate(&fk, fk_fork(1300, 1300, 1301, 1301));
	fk_generate(&fk, fk_fork(1301, 1301, 1302, 1302));
	fk_generate(&fk, fk_exit(1301, 1301, 0, 17, 1300, 1300));
	fk_generate(&fk, fk_exit(1300, 1300, 0, 17, SHELL, SHELL));
	pump();
	assert_int_equal(s.nwatch, 0);   /* 1302 still runs, reparented */
	fk_generate(&fk, fk_exit(1302, 1302, 7 << 8, 17, 1, 1));
	pump();
	assert_int_equal(s.nwatch, 1);
	assert_int_equal(s.watch[0].id, id);
	assert_int_equal(s.watch[0].quality, PROCCN_WATCH_EXACT);
	assert_int_equal(s.watch[0].members, 3);
	assert_int_equal(s.watch[0].root.pid, 1300);
	assert_int_equal(s.watch[0].root.state, PROCCN_PROC_EXITED);
}

static void test_watch_gone_and_reused(void **state)
{
	struct proccn_watch_result res = { .sz = sizeof(res) };
	uint64_t id;

	(void)state;
	open_table(NULL);
	/* never there */
	assert_int_equal(proccn_table_wait(t, 4444, 0, 5000, &res), 0);
	assert_int_equal(res.quality, PROCCN_WATCH_GONE);
	assert_int_equal(res.root.pid, 4444);
	/* exited and kept: its status comes with it */
	fk_generate(&fk, fk_fork(SHELL, SHELL, 1400, 1400));
	fk_generate(&fk, fk_exit(1400, 1400, 5 << 8, 17, SHELL, SHELL));
	pump();
	assert_int_equal(proccn_table_wait(t, 1400, 0, 5000, &res), 0);
	assert_int_equal(res.quality, PROCCN_WATCH_GONE);
	assert_int_equal(res.root.exit_code, 5 << 8);
	/* bound to the process: a later one with the same pid is not it */
	fk_generate(&fk, fk_fork(SHELL, SHELL, 1401, 1401));
	pump();
	assert_int_equal(proccn_table_watch(t, 1401, 0, &id), 0);
	fk.clock_ns += 2000000000ull;
	fk_generate(&fk, fk_fork(SHELL, SHELL, 1401, 1401));   /* its EXIT was lost */
	pump();
	assert_int_equal(s.nwatch, 1);
	assert_int_equal(s.watch[0].id, id);
	assert_true(s.watch[0].root.flags & PROCCN_PROC_F_INFERRED);
	/* the watch is done: the new process does not revive it */
	fk_generate(&fk, fk_exit(1401, 1401, 0, 17, SHELL, SHELL));
	pump();
	assert_int_equal(s.nwatch, 1);
}

static void test_watch_loss_uncertain(void **state)
{
	uint64_t id;

	(void)state;
	open_table(NULL);
	fk_generate(&fk, fk_fork(SHELL, SHELL, 1500, 1500));
	pump();
	fake(1500, SHELL, "bash", NULL, proccn__table_ticks_of(t, s.start[0].start_ns), 1);
	assert_int_equal(proccn_table_watch(t, 1500, PROCCN_WATCH_SUBTREE, &id), 0);
	fk_generate_lost(&fk, fk_exec(1, 1));
	fk_generate(&fk, fk_exec(SHELL, SHELL));
	pump();
	fakeproc_remove(fp, 1500);
	fk_generate(&fk, fk_exit(1500, 1500, 0, 17, SHELL, SHELL));
	pump();
	assert_int_equal(s.nwatch, 1);
	assert_int_equal(s.watch[0].quality, PROCCN_WATCH_UNCERTAIN);
}

/* proccn_table_wait() returns when the process ends, with its status. */
static void test_wait_returns_status(void **state)
{
	struct proccn_watch_result res = { .sz = sizeof(res) };

	(void)state;
	open_table(NULL);
	fk_generate(&fk, fk_fork(SHELL, SHELL, 1600, 1600));
	pump();
	fk_generate(&fk, fk_exit(1600, 1600, 0x8b, 17, SHELL, SHELL));
	assert_int_equal(proccn_table_wait(t, 1600, 0, 5000, &res), 0);
	assert_int_equal(res.quality, PROCCN_WATCH_EXACT);
	assert_int_equal(res.root.exit_code, 0x8b);
	/* and times out on one that runs on, at once with timeout 0 */
	assert_int_equal(proccn_table_wait(t, SHELL, 0, 30, &res), -ETIMEDOUT);
	alarm(5);   /* a wait that blocks dies of SIGALRM */
	assert_int_equal(proccn_table_wait(t, SHELL, 0, 0, &res), -ETIMEDOUT);
	alarm(0);
}

/* Queries: ancestors, children, subtree, everything. */
static int count_walk(const struct proccn_proc *p, int depth, void *ud)
{
	int *max_depth = ud;

	(void)p;
	if (depth > *max_depth)
		*max_depth = depth;
	return 0;
}

static void test_queries(void **state)
{
	struct proccn_proc anc[4];
	int depth = 0;

	(void)state;
	open_table(NULL);
	fk_generate(&fk, fk_fork(SHELL, SHELL, 1700, 1700));
	fk_generate(&fk, fk_fork(1700, 1700, 1701, 1701));
	fk_generate(&fk, fk_fork(1701, 1701, 1702, 1702));
	pump();
	memset(anc, 0, sizeof(anc));
	assert_int_equal(proccn_table_ancestors(t, 1702, anc, 4), 4);
	assert_int_equal(anc[0].pid, 1701);
	assert_int_equal(anc[1].pid, 1700);
	assert_int_equal(anc[2].pid, SHELL);
	assert_int_equal(anc[3].pid, 1);
	assert_int_equal(proccn_table_walk(t, SHELL, 0, count_walk, &depth), 1);
	assert_int_equal(proccn_table_walk(t, SHELL, PROCCN_WALK_SUBTREE, count_walk, &depth), 3);
	assert_int_equal(depth, 3);
	assert_int_equal(proccn_table_walk(t, 0, 0, count_walk, &depth), 5);
	assert_int_equal(proccn_table_walk(t, 4321, 0, count_walk, &depth), -ESRCH);
}

/* A callback's negative value stops the dispatch; the table is still whole. */
static void test_stopping_callback(void **state)
{
	(void)state;
	open_table(NULL);
	fk_generate(&fk, fk_fork(SHELL, SHELL, 1800, 1800));
	fk_generate(&fk, fk_exit(1800, 1800, 0, 17, SHELL, SHELL));
	fk_generate(&fk, fk_fork(SHELL, SHELL, 1801, 1801));
	s.stop_exits = 1;
	assert_int_equal(proccn_table_dispatch(t, &cb, &s, 0), -ECANCELED);
	assert_int_equal(s.nexit, 1);
	assert_int_equal(get(1800).state, PROCCN_PROC_EXITED);
	s.stop_exits = 0;
	pump();
	assert_int_equal(get(1801).state, PROCCN_PROC_RUNNING);
}

/* Closing the table from its callback: deferred; a nested dispatch is -EBUSY. */
static void test_close_from_callback(void **state)
{
	(void)state;
	open_table(NULL);
	fk_generate(&fk, fk_fork(SHELL, SHELL, 1900, 1900));
	fk_generate(&fk, fk_exit(1900, 1900, 0, 17, SHELL, SHELL));
	fk_generate(&fk, fk_fork(SHELL, SHELL, 1901, 1901));
	s.close_on_exit = 1;
	assert_true(proccn_table_dispatch(t, &cb, &s, 0) >= 0);
	assert_null(t);
	assert_int_equal(s.nested, -EBUSY);
	assert_int_equal(s.nstart, 1);   /* nothing after the close */
}

/*
 * The other calls from a callback: lookups see the event applied, a dispatch
 * of the handle is -EBUSY, a wait -EINVAL, watches work, and a resync asked
 * for while one is finishing (an inferred exit) follows it, not lost.
 */
static void test_calls_from_callback(void **state)
{
	(void)state;
	fake(1950, SHELL, "gone", NULL, boot_ticks_now() - 10, 1);
	open_table(NULL);
	fakeproc_remove(fp, 1950);
	s.calls_on_exit = 1;
	assert_int_equal(proccn_table_resync(t), 0);
	pump();
	assert_int_equal(s.nexit, 1);
	assert_true(s.exit[0].flags & PROCCN_PROC_F_INFERRED);
	assert_int_equal(s.r_get, 0);
	assert_int_equal(s.r_get_state, PROCCN_PROC_EXITED);
	assert_int_equal(s.r_handle_dispatch, -EBUSY);
	assert_int_equal(s.r_wait, -EINVAL);
	assert_int_equal(s.r_resync, 0);
	assert_int_equal(s.r_watch, 0);
	assert_int_equal(s.r_unwatch, 0);
	/* the initial scan, the one asked for, and the one asked for inside */
	assert_int_equal(s.nresync, 3);
	assert_int_equal(s.resync[2].exited, 0);

	s.r_get = -1;
	fk_generate(&fk, fk_fork(SHELL, SHELL, 1951, 1951));
	fk_generate(&fk, fk_exit(1951, 1951, 0, 17, SHELL, SHELL));
	pump();
	assert_int_equal(s.nexit, 2);
	assert_int_equal(s.r_get, 0);
	assert_int_equal(s.r_handle_dispatch, -EBUSY);
	assert_int_equal(s.nresync, 4);
}

/*
 * The handle a table follows is the table's to dispatch: the calls that
 * would take its events or blind it are refused, and a close waits for the
 * table.
 */
static void test_handle_followed(void **state)
{
	static const struct proccn_callbacks no_raw = { .sz = sizeof(no_raw) };
	struct proccn_table *second = NULL;

	(void)state;
	open_table(NULL);
	assert_int_equal(proccn_dispatch(h, &no_raw, NULL, 0), -EBUSY);
	assert_int_equal(proccn_unsubscribe(h), -EBUSY);
	assert_int_equal(proccn_set_events(h, PROCCN_EV_FORK | PROCCN_EV_EXIT), -EINVAL);
	assert_int_equal(proccn_get_events(h), PROCCN_EV_ALL);
	assert_int_equal(proccn_set_events(h, PROCCN_EV_FORK | PROCCN_EV_EXEC | PROCCN_EV_EXIT), 0);
	assert_int_equal(proccn_table_open(&second, h, NULL), -EBUSY);
	assert_null(second);
	/* closed by the table's close, not now: the table still follows it */
	h = proccn_close(h);
	assert_int_equal(fk.req[fk.nreq - 1].op, 1);   /* still LISTEN */
	fk_generate(&fk, fk_fork(SHELL, SHELL, 1960, 1960));
	pump();
	assert_int_equal(s.nstart, 1);
	assert_int_equal(get(1960).ppid, SHELL);
	t = proccn_table_close(t);
	assert_int_equal(fk.req[fk.nreq - 1].op, 2);   /* IGNORE: the handle closed */
}

/* The fd is readable while a resync runs, so an epoll-only consumer finishes it. */
static void test_fd_readable_during_resync(void **state)
{
	PROCCN_OPTS(proccn_table_opts, o, .scan_batch = 1);
	struct pollfd pfd;
	int rounds = 0;

	(void)state;
	fake(2000, SHELL, "a", NULL, boot_ticks_now(), 1);
	fake(2001, SHELL, "b", NULL, boot_ticks_now(), 1);
	open_table(&o);
	fk_generate_lost(&fk, fk_exec(1, 1));
	fk_generate(&fk, fk_exec(SHELL, SHELL));
	pfd.fd = proccn_table_fd(t);
	pfd.events = POLLIN;
	while (poll(&pfd, 1, 0) == 1 && rounds++ < 100)
		assert_true(proccn_table_dispatch(t, &cb, &s, 0) >= 0);
	assert_int_equal(s.nresync, 2);
	assert_int_equal(s.resync[1].scanned, 4);
	assert_int_equal(proccn_table_synced(t), 1);
	assert_int_equal(poll(&pfd, 1, 0), 0);
}

/*
 * A loss while a resync runs: that resync ends (a storm could otherwise
 * restart it forever) and another one follows, which sees what happened
 * during the first.
 */
static void test_loss_during_resync(void **state)
{
	PROCCN_OPTS(proccn_table_opts, o, .scan_batch = 1);

	(void)state;
	fake(2100, SHELL, "first", NULL, boot_ticks_now(), 1);
	open_table(&o);
	fk_generate_lost(&fk, fk_exec(1, 1));
	fk_generate(&fk, fk_exec(SHELL, SHELL));
	assert_true(proccn_table_dispatch(t, &cb, &s, 0) >= 0);   /* the loss; one pid scanned */
	assert_int_equal(proccn_table_synced(t), 0);
	fakeproc_remove(fp, 2100);
	fk_generate_lost(&fk, fk_exec(1, 1));
	fk_generate(&fk, fk_exec(SHELL, SHELL));
	pump();
	assert_int_equal(s.nloss, 2);
	assert_int_equal(s.nresync, 3);   /* the initial scan, then two resyncs */
	assert_int_equal(s.nexit, 1);     /* 2100, found gone by the second */
	assert_int_equal(s.exit[0].pid, 2100);
	assert_true(s.exit[0].flags & PROCCN_PROC_F_INFERRED);
}

/*
 * Hostile or odd /proc: a stat of garbage keeps the process out (counted),
 * a missing exe leaves the field unknown, never another's.
 */
static void test_hostile_proc(void **state)
{
	PROCCN_OPTS(proccn_table_opts, o, .fields = PROCCN_TABLE_EXE | PROCCN_TABLE_CGROUP);
	struct proccn_table_stats st = { .sz = sizeof(st) };
	struct proccn_proc p = { .sz = sizeof(p) };
	static const char garbage[] = "2201 (x) \xff\xfe not a stat at all\n";

	(void)state;
	fake(2200, SHELL, "kthreadish", NULL, boot_ticks_now(), 1);   /* no exe link */
	fake(2201, SHELL, "garbled", "/usr/bin/x", boot_ticks_now(), 1);
	fakeproc_write(fp, 2201, "stat", garbage, sizeof(garbage) - 1);
	open_table(&o);
	p = get(2200);
	assert_null(p.exe);
	assert_false(p.flags & PROCCN_PROC_F_EXE);
	assert_string_equal(p.comm, "kthreadish");
	assert_int_equal(proccn_table_get(t, 2201, &p), -ESRCH);
	assert_int_equal(proccn_table_get_stats(t, &st), 0);
	assert_true(st.proc_read_failed >= 2);
}

/* Options: sz rules, limits; a handle that cannot feed a table. */
static void test_options(void **state)
{
	struct proccn_table *x = NULL;
	struct proccn_opts ho = PROCCN_OPTS_INIT;
	struct fake_kernel fk2;
	struct proccn *h2;

	(void)state;
	{
		PROCCN_OPTS(proccn_table_opts, o, .fields = 0x100);
		assert_int_equal(proccn_table_open(&x, h, &o), -EINVAL);
	}
	{
		PROCCN_OPTS(proccn_table_opts, o, .reserved = 1);
		assert_int_equal(proccn_table_open(&x, h, &o), -E2BIG);
	}
	{
		PROCCN_OPTS(proccn_table_opts, o, .string_max = 1);
		assert_int_equal(proccn_table_open(&x, h, &o), -EINVAL);
	}
	{
		PROCCN_OPTS(proccn_table_opts, o, .proc_root = "/nonexistent/proc");
		assert_int_equal(proccn_table_open(&x, h, &o), -ENOENT);
	}
	{
		PROCCN_OPTS(proccn_table_opts, o);

		o.sz = offsetof(struct proccn_table_opts, fields) + 2;
		assert_int_equal(proccn_table_open(&x, h, &o), -EINVAL);
	}
	assert_null(x);
	assert_int_equal(proccn_table_open(NULL, h, NULL), -EINVAL);
	/* a mask without EXEC, or processes only: no table */
	assert_int_equal(fk_init(&fk2, FK_MODERN), 0);
	ho.events = PROCCN_EV_FORK | PROCCN_EV_EXIT;
	assert_int_equal(fk_open(&fk2, &h2, &ho), 0);
	assert_int_equal(proccn_table_open(&x, h2, NULL), -EINVAL);
	assert_int_equal(proccn_set_events(h2, 0), 0);
	h2->sub.flags |= PROCCN_F_PROCESSES_ONLY;
	assert_int_equal(proccn_table_open(&x, h2, NULL), -EINVAL);
	h2 = proccn_close(h2);
	fk_fini(&fk2);
	assert_int_equal(proccn_table_dispatch(NULL, &cb, NULL, 0), -EINVAL);
	assert_null(proccn_table_close(NULL));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_initial_scan),
		T(test_fork_exec_exit),
	T(test_exec_read_from_zombie),
		T(test_leader_exits_first),
		T(test_exec_from_worker),
		T(test_exec_from_worker_reordered),
		T(test_exec_unnamed_when_gone),
		T(test_exec_pid_reused_before_read),
		T(test_pid_reuse),
	T(test_late_exit_after_reuse),
		T(test_changes),
		T(test_resync_after_loss),
		T(test_exit_queued_during_resync_counted_once),
		T(test_budget),
		T(test_exited_expire),
		T(test_watch_subtree_double_fork),
		T(test_watch_gone_and_reused),
		T(test_watch_loss_uncertain),
		T(test_wait_returns_status),
		T(test_queries),
		T(test_stopping_callback),
		T(test_close_from_callback),
	T(test_calls_from_callback),
	T(test_handle_followed),
		T(test_fd_readable_during_resync),
		T(test_loss_during_resync),
		T(test_hostile_proc),
		T(test_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
