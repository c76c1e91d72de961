/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The process table while pids wrap (issue 12, test 4). VM only: it lowers
 * /proc/sys/kernel/pid_max, which is global. The guest is PID 1 with a few
 * kernel threads, so after a wrap the kernel hands out the pids of a small
 * range [300, pid_max) again and again: every pid of it is reused several
 * times by our children while a table follows them.
 *
 * The children come in waves; each wave varies how often the table is
 * dispatched (after every child, every few, or only at the end, when one
 * batch holds several incarnations of a pid) and how late children are
 * reaped. Kinds: exit(code), prctl(PR_SET_NAME) + exit, exec of this
 * program (which renames itself and exits), killed by a signal, and one
 * "hold" child per wave that blocks until released, watched by the table.
 * Each child's exit code is its sequence number mod 256.
 *
 * Checked (VMTEST table-reuse:*):
 * - setup: pid_max lowered, the table open in the expected mode, every wave
 *   ran (the hold child's pid came again);
 * - wrap: the pids did wrap (every pid of the range used by several
 *   children);
 * - once: each child got exactly one on_start and one on_exit, never
 *   inferred, with the key of its start;
 * - keys: a key is (start tick << 22) | pid, its tick within one of
 *   /proc/PID/stat's starttime read by the parent, distinct across the
 *   incarnations of a pid;
 * - codes: the exit status in on_exit is the child's own (waitpid's);
 * - names: comm at exit is the child's own name (or, for an exec whose
 *   /proc was gone before the table read it, unknown: F_UNNAMED), never
 *   another incarnation's;
 * - get-newest: proccn_table_get(pid) gives the running incarnation while
 *   older ones are kept, and the newest after it ended;
 * - exec-race: an EXEC applied while a later process holds the pid counts a
 *   /proc race and leaves the image unknown, never the other's;
 * - get-key: proccn_table_get_key() finds every incarnation by its key;
 * - watch: a watch on a hold child completes once, with its record, and
 *   is not revived by the next process with its pid;
 * - wait: proccn_table_wait() on a pid whose process ended and whose pid was
 *   reused before the table saw either returns the old process's end, not
 *   the new one's; a wait after that binds to the new process;
 * - wait-timeout-0: such a wait with timeout 0 returns -ETIMEDOUT at once;
 * - stats: stats.pid_reuse counts a FORK on a pid whose entry is still live
 *   (the old process's EXIT was lost) and a resync finding another process
 *   under a pid. No event is lost here, and on this one-CPU guest with
 *   voluntary preemption (Debian's default) a child sends its EXIT before
 *   its parent can even reap it, so every EXIT comes before the FORK that
 *   reuses the pid: pid_reuse must stay 0, as must inferred exits,
 *   untracked processes and early evictions (with preempt=full it need not:
 *   see test_late_exit());
 * - proc: afterwards the table's live entries are exactly the processes
 *   /proc lists (same pid and start time): no entry outlived its process.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <proccn_table.h>

#include "procstat.h"
#include "vm.h"

#define RESERVED_PIDS 300       /* the kernel's: after a wrap, pids start here */
#define CYCLE 64                /* pid_max = RESERVED_PIDS + CYCLE */
#define WAVES 4
#define WAVE_LEN (CYCLE + CYCLE / 2)
#define MAX_KIDS 640
#define PID_MASK ((UINT64_C(1) << 22) - 1)
#define TICKS(key) ((key) >> 22)
#define MAX_PROCS 1024          /* /proc entries compared at the end */

enum kind { K_EXIT, K_COMM, K_EXEC, K_SIGNAL, K_HOLD };

struct kid {
	pid_t pid;
	int seq;                  /* 1-based; the exit code is seq & 0xff */
	enum kind kind;
	int status;               /* waitpid() */
	int reaped;
	uint64_t ticks;           /* /proc/PID/stat starttime, read before reaping */
	uint64_t key;             /* from on_start */
	unsigned int starts, exits;
	struct proccn_proc rec;   /* the on_exit record (strings dropped) */
	int hold_fd;              /* K_HOLD: the write end that keeps it waiting */
	uint64_t watch_id;        /* K_HOLD: its watch */
	unsigned int watch_reports;
	struct proccn_watch_result watch;
};

struct reuse {
	pid_t self;
	char comm[16];            /* ours, what forked children inherit */
	struct kid kid[MAX_KIDS];
	int nkids;
	unsigned int stray_starts, stray_exits, stray_watches;
	char stray[200];          /* the first stray record */
	uint64_t on_exit_calls;
	int late;                 /* a wait for events timed out: wait less from now on */
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A number from a /proc/sys file into *v: 0, or -1. */
static int read_long(const char *path, long *v)
{
	char buf[32];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	*v = strtol(buf, NULL, 10);
	return 0;
}

static int write_long(const char *path, long v)
{
	char buf[32];
	int fd = open(path, O_WRONLY | O_CLOEXEC), n, r = 0;

	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%ld\n", v);
	if (write(fd, buf, (size_t)n) != n)
		r = -errno;
	close(fd);
	return r;
}

/* /proc/PID/stat: state, threads and starttime. 0, or -1 when gone. */
static int proc_stat(pid_t pid, char *state, int *threads, uint64_t *ticks)
{
	struct procstat ps;

	if (procstat_read(pid, &ps) < 0)
		return -1;
	*state = ps.state;
	if (threads)
		*threads = ps.threads;
	*ticks = ps.start;
	return 0;
}

static uint64_t tick_diff(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

/* ---------------------------------------------------------------- the children */

static int kid_code(const struct kid *k)
{
	return k->seq & 0xff;
}

static void kid_name(const struct kid *k, char name[16])
{
	snprintf(name, 16, "%c%d", k->kind == K_EXEC ? 'x' : 'f', k->seq);
}

/* What waitpid() must say about @k. */
static int kid_status_ok(const struct kid *k)
{
	if (k->kind == K_SIGNAL)
		return WIFSIGNALED(k->status) && WTERMSIG(k->status) == SIGTERM;
	return WIFEXITED(k->status) && WEXITSTATUS(k->status) == kid_code(k);
}

void reuse_child_main(const char *code, const char *name)
{
	(void)prctl(PR_SET_NAME, name, 0, 0, 0);
	_exit(atoi(code) & 0xff);
}

static void __attribute__((noreturn)) kid_main(const struct reuse *R, const struct kid *k,
					      int rd)
{
	char name[16], code[8], c;
	int i;

	/* another hold child's pipe must not stay open in here */
	for (i = 0; i < R->nkids; i++)
		if (R->kid[i].hold_fd >= 0)
			close(R->kid[i].hold_fd);
	kid_name(k, name);
	switch (k->kind) {
	case K_EXIT:
		_exit(kid_code(k));
	case K_COMM:
		(void)prctl(PR_SET_NAME, name, 0, 0, 0);
		_exit(kid_code(k));
	case K_EXEC:
		snprintf(code, sizeof(code), "%d", kid_code(k));
		execl("/proc/self/exe", "pcn-reuse", "--reuse-child", code, name, (char *)NULL);
		_exit(120);
	case K_SIGNAL:
		signal(SIGTERM, SIG_DFL);
		raise(SIGTERM);
		_exit(121);
	case K_HOLD:
		while (read(rd, &c, 1) < 0 && errno == EINTR)
			;
		_exit(kid_code(k));
	}
	_exit(122);
}

/* The kind of the child with sequence number @seq (holds are made on purpose). */
static enum kind kind_of(int seq)
{
	switch (seq % 8) {
	case 3:
	case 5:
		return K_COMM;
	case 6:
		return K_EXEC;
	case 7:
		return K_SIGNAL;
	default:
		return K_EXIT;
	}
}

static struct kid *spawn(struct reuse *R, enum kind kind, char *err, size_t errlen)
{
	struct kid *k;
	int p[2] = { -1, -1 };
	char state;
	pid_t pid;

	if (R->nkids == MAX_KIDS) {
		snprintf(err, errlen, "more than %d children", MAX_KIDS);
		return NULL;
	}
	k = &R->kid[R->nkids];
	memset(k, 0, sizeof(*k));
	k->seq = R->nkids + 1;
	k->kind = kind;
	k->hold_fd = -1;
	if (kind == K_HOLD && pipe2(p, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return NULL;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (p[1] >= 0)
			close(p[1]);
		kid_main(R, k, p[0]);
	}
	if (p[0] >= 0)
		close(p[0]);
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		if (p[1] >= 0)
			close(p[1]);
		return NULL;
	}
	k->pid = pid;
	k->hold_fd = p[1];
	R->nkids++;
	/* not reaped yet, so /proc/PID is this child, alive or a zombie */
	if (proc_stat(pid, &state, NULL, &k->ticks) < 0) {
		snprintf(err, errlen, "cannot read /proc/%d/stat of an unreaped child", (int)pid);
		return NULL;
	}
	return k;
}

static int reap(struct kid *k, char *err, size_t errlen)
{
	if (k->hold_fd >= 0) {
		close(k->hold_fd);
		k->hold_fd = -1;
	}
	while (waitpid(k->pid, &k->status, 0) < 0) {
		if (errno != EINTR) {
			snprintf(err, errlen, "waitpid %d: %s", (int)k->pid, strerror(errno));
			return -1;
		}
	}
	k->reaped = 1;
	return 0;
}

/* ---------------------------------------------------------------- the table's callbacks */

static void stray(struct reuse *R, const char *what, const struct proccn_proc *p)
{
	if (!R->stray[0])
		snprintf(R->stray, sizeof(R->stray), "%s pid %d key %#" PRIx64 " ppid %d comm '%s'",
			 what, (int)p->pid, p->key, (int)p->ppid, p->comm);
}

/* A start of one of our children: the oldest child with that pid not started yet. */
static int r_on_start(const struct proccn_proc *p, void *ud)
{
	struct reuse *R = ud;
	int i;

	if (p->ppid != R->self)
		return 0;
	for (i = 0; i < R->nkids; i++) {
		struct kid *k = &R->kid[i];

		if (k->pid == p->pid && !k->starts) {
			k->starts = 1;
			k->key = p->key;
			return 0;
		}
	}
	R->stray_starts++;
	stray(R, "on_start of no child:", p);
	return 0;
}

/* An end of one of our children: the child whose start had this key. */
static int r_on_exit(const struct proccn_proc *p, void *ud)
{
	struct reuse *R = ud;
	int i;

	R->on_exit_calls++;
	if (p->ppid != R->self)
		return 0;
	for (i = 0; i < R->nkids; i++) {
		struct kid *k = &R->kid[i];

		if (k->pid == p->pid && k->starts && k->key == p->key) {
			if (!k->exits++) {
				k->rec = *p;
				k->rec.exe = k->rec.cgroup = k->rec.cmdline = NULL;
			}
			return 0;
		}
	}
	R->stray_exits++;
	stray(R, "on_exit of no child's incarnation:", p);
	return 0;
}

static int r_on_watch(const struct proccn_watch_result *w, void *ud)
{
	struct reuse *R = ud;
	int i;

	for (i = 0; i < R->nkids; i++) {
		struct kid *k = &R->kid[i];

		if (k->watch_id && k->watch_id == w->id) {
			if (!k->watch_reports++)
				k->watch = *w;
			return 0;
		}
	}
	R->stray_watches++;
	return 0;
}

/* For dispatches that must not count anything (the helper of test_wait is our child too). */
static const struct proccn_table_callbacks no_cb = { .sz = sizeof(struct proccn_table_callbacks) };

static const struct proccn_table_callbacks reuse_cb = {
	.sz = sizeof(struct proccn_table_callbacks),
	.on_start = r_on_start,
	.on_exit = r_on_exit,
	.on_watch = r_on_watch,
};

/* Have the children from @from on (the reaped ones) been started and ended, watches reported? */
static int settled(const struct reuse *R, int from)
{
	int i;

	for (i = from; i < R->nkids; i++) {
		const struct kid *k = &R->kid[i];

		if (!k->reaped)
			continue;
		if (!k->starts || !k->exits || (k->watch_id && !k->watch_reports))
			return 0;
	}
	return 1;
}

/*
 * Dispatch until settled(R, from) or the deadline (WAIT_MS; 1 s once a wait
 * has failed, so that a broken table fails the checks, not the VM's
 * timeout): 0, -ETIMEDOUT or the table's error.
 */
static int pump_settled(struct proccn_table *t, struct reuse *R, int from)
{
	int64_t deadline = now_ms() + (R->late ? 1000 : WAIT_MS);
	int r = proccn_table_dispatch(t, &reuse_cb, R, 0);

	while (r >= 0 && !settled(R, from)) {
		if (now_ms() > deadline)
			return -ETIMEDOUT;
		r = proccn_table_dispatch(t, &reuse_cb, R, 100);
		if (r == -EINTR)
			r = 0;
	}
	return r < 0 ? r : 0;
}

/* Dispatch until @k's start was seen. */
static int pump_started(struct proccn_table *t, struct reuse *R, const struct kid *k)
{
	int64_t deadline = now_ms() + WAIT_MS;
	int r = 0;

	while (r >= 0 && !k->starts) {
		if (now_ms() > deadline)
			return -ETIMEDOUT;
		r = proccn_table_dispatch(t, &reuse_cb, R, 100);
		if (r == -EINTR)
			r = 0;
	}
	return r < 0 ? r : 0;
}

/* ---------------------------------------------------------------- checks */

/* Problems of one kind: counted, the first few described. */
struct problems {
	unsigned int n;
	char text[512];
};

static void problem(struct problems *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct problems *p, const char *fmt, ...)
{
	size_t used = strlen(p->text);
	va_list ap;

	if (p->n++ < 4 && used + 2 < sizeof(p->text)) {
		if (used) {
			p->text[used++] = ';';
			p->text[used++] = ' ';
			p->text[used] = '\0';
		}
		va_start(ap, fmt);
		vsnprintf(p->text + used, sizeof(p->text) - used, fmt, ap);
		va_end(ap);
	}
}

static void verdict(const char *name, const struct problems *p)
{
	if (p->n)
		vm_fail(name, "%u problems: %s%s", p->n, p->text, p->n > 4 ? "; ..." : "");
	else
		vm_pass(name);
}

/*
 * proccn_table_get() of every pid our children had since @from: the newest
 * incarnation, never an older one (all of them are reaped by now; a process
 * that is not ours may have taken the pid since).
 */
static void check_newest(struct proccn_table *t, const struct reuse *R, int from,
			 struct problems *pb)
{
	int i, j;

	for (i = from; i < R->nkids; i++) {
		const struct kid *k = &R->kid[i], *newest = k;
		struct proccn_proc p = { .sz = sizeof(p) };
		int r, older = 0;

		for (j = i + 1; j < R->nkids; j++)
			if (R->kid[j].pid == k->pid)
				break;
		if (j < R->nkids)
			continue;   /* not the newest: judged at the newest */
		r = proccn_table_get(t, k->pid, &p);
		if (r < 0) {
			problem(pb, "get(%d): %s", (int)k->pid, proccn_strerror(r));
			continue;
		}
		for (j = 0; j < i; j++)
			older |= R->kid[j].pid == k->pid && R->kid[j].key == p.key;
		if (p.key == newest->key && p.state != PROCCN_PROC_EXITED)
			problem(pb, "get(%d): child #%d still running (state %u) after it was reaped",
				(int)k->pid, k->seq, p.state);
		else if (older)
			problem(pb, "get(%d) gave an older incarnation (key %#" PRIx64 "), not child"
				" #%d's (%#" PRIx64 ")", (int)k->pid, p.key, k->seq, k->key);
		else if (p.key != newest->key && p.ppid == R->self)
			problem(pb, "get(%d) gave key %#" PRIx64 " (ppid us), newest child #%d has %#"
				PRIx64, (int)k->pid, p.key, k->seq, k->key);
	}
}

/* A hold child runs: get(pid) is it, and the older incarnations stay reachable by key. */
static void check_hold_running(struct proccn_table *t, const struct reuse *R,
			       const struct kid *h, struct problems *pb, unsigned int *older_seen)
{
	struct proccn_proc p = { .sz = sizeof(p) };
	int r = proccn_table_get(t, h->pid, &p), i;

	if (r < 0 || p.key != h->key || p.state != PROCCN_PROC_RUNNING)
		problem(pb, "get(%d) while hold child #%d runs: r=%d key %#" PRIx64 " state %u,"
			" want key %#" PRIx64 " running", (int)h->pid, h->seq, r, p.key, p.state,
			h->key);
	for (i = 0; i < R->nkids; i++) {
		const struct kid *k = &R->kid[i];

		if (k == h || k->pid != h->pid || !k->exits)
			continue;
		memset(&p, 0, sizeof(p));
		p.sz = sizeof(p);
		r = proccn_table_get_key(t, k->key, &p);
		if (r < 0 || p.key != k->key || p.state != PROCCN_PROC_EXITED ||
		    (int)p.exit_code != k->status)
			problem(pb, "get_key(%#" PRIx64 ") of child #%d while #%d runs on pid %d: r=%d"
				" key %#" PRIx64 " state %u code %#x", k->key, k->seq, h->seq,
				(int)h->pid, r, p.key, p.state, p.exit_code);
		else
			(*older_seen)++;
	}
}

/* The live entries of the table (walk). */
struct live_set {
	pid_t pid[MAX_PROCS];
	uint64_t key[MAX_PROCS];
	int n, overflow;
};

static int collect_live(const struct proccn_proc *p, int depth, void *ud)
{
	struct live_set *s = ud;

	(void)depth;
	if (s->n == MAX_PROCS) {
		s->overflow = 1;
		return 0;
	}
	s->pid[s->n] = p->pid;
	s->key[s->n] = p->key;
	s->n++;
	return 0;
}

/*
 * /proc's processes as (pid, starttime): zombies left out (they have ended),
 * unless other threads of theirs still run (the main thread exited first).
 */
static int collect_proc(struct live_set *s)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (!d)
		return -1;
	s->n = 0;
	while ((e = readdir(d))) {
		char *end, state;
		long pid = strtol(e->d_name, &end, 10);
		uint64_t ticks;
		int threads;

		if (*end || pid <= 0 || proc_stat((pid_t)pid, &state, &threads, &ticks) < 0 ||
		    state == 'X' || (state == 'Z' && threads <= 1))
			continue;
		if (s->n == MAX_PROCS) {
			s->overflow = 1;
			break;
		}
		s->pid[s->n] = (pid_t)pid;
		s->key[s->n] = ticks << 22 | (uint64_t)pid;
		s->n++;
	}
	closedir(d);
	return 0;
}

static int in_set(const struct live_set *s, pid_t pid, uint64_t key)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->pid[i] == pid && tick_diff(TICKS(s->key[i]), TICKS(key)) <= 1)
			return 1;
	return 0;
}

/*
 * The table's live entries against /proc. A kernel thread may come or go in
 * between (an autoreaped one leaves /proc before its EXIT is sent): compare
 * again after a dispatch, for up to WAIT_MS, before calling a difference
 * real. Differences go to @pb; @nlive gets the number of live entries.
 */
static void check_proc_equal(struct proccn_table *t, struct problems *pb, int *nlive)
{
	static struct live_set table, proc;
	int64_t deadline = now_ms() + WAIT_MS;
	int i, extra, missing;

	for (;;) {
		(void)proccn_table_dispatch(t, &no_cb, NULL, 0);
		memset(&table, 0, sizeof(table));
		memset(&proc, 0, sizeof(proc));
		if (collect_proc(&proc) < 0) {
			problem(pb, "opendir /proc: %s", strerror(errno));
			return;
		}
		(void)proccn_table_walk(t, 0, 0, collect_live, &table);
		extra = missing = 0;
		for (i = 0; i < table.n; i++)
			extra += !in_set(&proc, table.pid[i], table.key[i]);
		for (i = 0; i < proc.n; i++)
			missing += !in_set(&table, proc.pid[i], proc.key[i]);
		*nlive = table.n;
		if ((!extra && !missing && !table.overflow && !proc.overflow) || now_ms() > deadline)
			break;
		(void)proccn_table_dispatch(t, &no_cb, NULL, 50);
	}
	for (i = 0; i < table.n; i++)
		if (!in_set(&proc, table.pid[i], table.key[i]))
			problem(pb, "live entry pid %d key %#" PRIx64 " is not in /proc",
				(int)table.pid[i], table.key[i]);
	for (i = 0; i < proc.n; i++)
		if (!in_set(&table, proc.pid[i], proc.key[i]))
			problem(pb, "/proc has pid %d (start %" PRIu64 "), the table has no live entry",
				(int)proc.pid[i], TICKS(proc.key[i]));
	if (table.overflow || proc.overflow)
		problem(pb, "more than %d processes", MAX_PROCS);
}

/* ---------------------------------------------------------------- proccn_table_wait() */

/*
 * The helper: forks W3 (waits on a pipe) and tells its pid; on "go" releases
 * and reaps W3, forks until a child gets W3's pid again (W4, which waits too)
 * and tells its pid (0: not reused); on the next byte or EOF releases and
 * reaps W4.
 */
static void __attribute__((noreturn)) helper_main(int up, int down, long pid_max)
{
	int p3[2], p4[2], st;
	pid_t w3, w4 = 0, c;
	long i;
	char b;

	if (pipe2(p3, O_CLOEXEC) < 0 || pipe2(p4, O_CLOEXEC) < 0)
		_exit(30);
	w3 = fork();
	if (w3 == 0) {
		close(p3[1]);
		close(p4[1]);
		while (read(p3[0], &b, 1) < 0 && errno == EINTR)
			;
		_exit(42);
	}
	if (w3 < 0 || write(up, &w3, sizeof(w3)) != sizeof(w3) || read(down, &b, 1) != 1)
		_exit(31);
	close(p3[1]);
	if (waitpid(w3, &st, 0) != w3)
		_exit(32);
	for (i = 0; i < 4 * pid_max && !w4; i++) {
		c = fork();
		if (c == 0) {
			if (getpid() == w3) {
				close(p4[1]);
				while (read(p4[0], &b, 1) < 0 && errno == EINTR)
					;
				_exit(43);
			}
			_exit(0);
		}
		if (c < 0)
			_exit(33);
		if (c == w3)
			w4 = c;
		else
			(void)waitpid(c, &st, 0);
	}
	if (write(up, &w4, sizeof(w4)) != sizeof(w4))
		_exit(34);
	if (read(down, &b, 1) < 0)   /* a byte or EOF: either ends W4 */
		b = 0;
	close(p4[1]);
	if (w4)
		(void)waitpid(w4, &st, 0);
	_exit(0);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * proccn_table_wait() under a SIGALRM guard (no SA_RESTART), so that a wait
 * that does not keep its timeout fails with -EINTR instead of hanging the
 * guest. *ms gets how long it took.
 */
static int guarded_wait(struct proccn_table *t, pid_t pid, int timeout_ms,
			struct proccn_watch_result *res, int64_t *ms)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	int64_t t0 = now_ms();
	int r;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old);
	alarm((unsigned int)(timeout_ms / 1000 + 3));
	memset(res, 0, sizeof(*res));
	res->sz = sizeof(*res);
	r = proccn_table_wait(t, pid, 0, timeout_ms, res);
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	*ms = now_ms() - t0;
	return r;
}

static void test_wait(struct proccn_table *t, long pid_max)
{
	const char *name = "table-reuse:wait";
	struct proccn_watch_result res = { .sz = sizeof(res) };
	struct proccn_proc p = { .sz = sizeof(p) };
	int up[2], down[2], r, st;
	uint64_t w3key = 0, w4ticks = 0, w4key = 0;
	int64_t deadline, ms;
	pid_t helper, w3 = 0, w4 = 0;
	char state;

	if (pipe2(up, O_CLOEXEC) < 0 || pipe2(down, O_CLOEXEC) < 0) {
		vm_fail(name, "pipe: %s", strerror(errno));
		return;
	}
	fflush(stdout);
	helper = fork();
	if (helper == 0) {
		close(up[0]);
		close(down[1]);
		helper_main(up[1], down[0], pid_max);
	}
	close(up[1]);
	close(down[0]);
	if (helper < 0 || read(up[0], &w3, sizeof(w3)) != sizeof(w3)) {
		vm_fail(name, "helper did not start");
		goto out;
	}
	/* the table knows W3 running */
	deadline = now_ms() + WAIT_MS;
	do {
		(void)proccn_table_dispatch(t, &no_cb, NULL, 50);
		memset(&p, 0, sizeof(p));
		p.sz = sizeof(p);
		r = proccn_table_get(t, w3, &p);
	} while ((r < 0 || p.state != PROCCN_PROC_RUNNING || p.ppid != helper) &&
		 now_ms() < deadline);
	if (r < 0 || p.state != PROCCN_PROC_RUNNING || p.ppid != helper) {
		vm_fail(name, "the table never saw W3 (pid %d) running", (int)w3);
		goto out;
	}
	w3key = p.key;
	/* W3 ends and W4 takes its pid; the table has seen neither yet */
	if (write(down[1], "g", 1) != 1 || read(up[0], &w4, sizeof(w4)) != sizeof(w4)) {
		vm_fail(name, "helper failed");
		goto out;
	}
	if (w4 != w3) {
		vm_fail(name, "the helper's children never got pid %d again", (int)w3);
		goto out;
	}
	if (proc_stat(w4, &state, NULL, &w4ticks) < 0) {
		vm_fail(name, "cannot read /proc/%d/stat of W4", (int)w4);
		goto out;
	}
	r = guarded_wait(t, w3, WAIT_MS, &res, &ms);
	vm_say("INFO %s pid=%d: wait=%d after %" PRId64 " ms, quality=%d members=%u root key %#"
	       PRIx64 " (W3 %#" PRIx64 ") code %#x\n", name, (int)w3, r, ms, res.quality,
	       res.members, res.root.key, w3key, res.root.exit_code);
	if (r != 0 || res.root.key != w3key || res.root.exit_code != 42u << 8 ||
	    res.quality != PROCCN_WATCH_EXACT || res.members != 1 ||
	    res.root.state != PROCCN_PROC_EXITED) {
		vm_fail(name, "wait on pid %d (W3 ended, pid reused by W4): r=%d key %#" PRIx64
			" code %#x quality %d members %u, want W3's key %#" PRIx64 ", code 0x2a00,"
			" exact, 1 member", (int)w3, r, res.root.key, res.root.exit_code,
			res.quality, res.members, w3key);
		goto out;
	}
	/* the pid is W4's now: the table must say so */
	deadline = now_ms() + WAIT_MS;
	do {
		memset(&p, 0, sizeof(p));
		p.sz = sizeof(p);
		r = proccn_table_get(t, w4, &p);
		if (r == 0 && p.state == PROCCN_PROC_RUNNING)
			break;
		(void)proccn_table_dispatch(t, &no_cb, NULL, 50);
	} while (now_ms() < deadline);
	w4key = p.key;
	if (r < 0 || p.state != PROCCN_PROC_RUNNING || w4key == w3key ||
	    tick_diff(TICKS(w4key), w4ticks) > 1) {
		vm_fail(name, "get(%d) after W4 took the pid: r=%d state %u key %#" PRIx64
			", want running, start tick %" PRIu64, (int)w4, r, p.state, w4key, w4ticks);
		goto out;
	}
	/*
	 * A new wait binds to W4, which runs: with no time to wait it must
	 * say so at once (its own check: the rest of this test goes on).
	 */
	r = guarded_wait(t, w4, 0, &res, &ms);
	vm_say("INFO %s:timeout-0 pid=%d: wait=%d after %" PRId64 " ms\n", name, (int)w4, r, ms);
	if (r != -ETIMEDOUT || ms > 1000)
		vm_fail("table-reuse:wait-timeout-0", "proccn_table_wait(pid %d, timeout 0) while"
			" that process runs: %d (%s) after %" PRId64 " ms, want -ETIMEDOUT at once%s",
			(int)w4, r, strerror(-r), ms,
			r == -EINTR ? " (it blocked until our SIGALRM guard)" : "");
	else
		vm_pass("table-reuse:wait-timeout-0");
	/* W4 ends: the wait gives W4's end */
	if (write(down[1], "e", 1) != 1 || waitpid(helper, &st, 0) != helper ||
	    !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		vm_fail(name, "helper failed at the end");
		helper = -1;
		goto out;
	}
	helper = -1;
	r = guarded_wait(t, w4, WAIT_MS, &res, &ms);
	if (r != 0 || res.root.key != w4key || res.root.exit_code != 43u << 8 ||
	    res.quality != PROCCN_WATCH_EXACT)
		vm_fail(name, "wait for W4: r=%d key %#" PRIx64 " code %#x quality %d, want key %#"
			PRIx64 " code 0x2b00 exact", r, res.root.key, res.root.exit_code,
			res.quality, w4key);
	else
		vm_pass(name);
out:
	close(up[0]);
	close(down[1]);
	if (helper > 0)
		(void)waitpid(helper, &st, 0);
}

/* ---------------------------------------------------------------- the test */

/*
 * How each wave dispatches (before reaping) and reaps:
 * 0: after every child, each reaped at once: the table is current, but an
 *    exec'd child is gone before its EXEC is applied (unnamed);
 * 1: after every child, the last 2 left as zombies: EXECs are applied while
 *    the process (a zombie) still names its image;
 * 2: only at the wave's end: one batch holds several incarnations of a pid,
 *    the hold child's EXIT and the FORK that reuses its pid among them;
 * 3: every CYCLE + 8 children, the last 4 left as zombies: a batch spans
 *    more than a cycle, so an EXEC may be applied while a later child holds
 *    its pid (the read must see another process, never take its name).
 */
static const struct {
	int every;    /* dispatch after every Nth child; 0: only at the wave's end */
	int lag;      /* children left unreaped (zombies) at a time */
} waves[WAVES] = { { 1, 0 }, { 1, 2 }, { 0, 0 }, { CYCLE + 8, 4 } };

/*
 * An EXEC applied while another process holds the pid: an exec'd child E
 * ends and is reaped, children follow until one (Z) gets E's pid and stays a
 * zombie; only then is the table dispatched. Its /proc read for E's EXEC
 * finds Z: it must count a race and leave E's image unknown (E's own COMM
 * event may still name it), never take Z's name.
 */
static void exec_race(struct proccn_table *t, struct reuse *R, struct problems *pb, char *err,
		      size_t errlen)
{
	struct proccn_table_stats before = { .sz = sizeof(before) }, after = { .sz = sizeof(after) };
	struct kid *e, *z = NULL;
	char want[16];
	int n;

	proccn_table_get_stats(t, &before);
	e = spawn(R, K_EXEC, err, errlen);
	if (!e || reap(e, err, errlen) < 0) {
		problem(pb, "exec race: %s", err);
		return;
	}
	for (n = 0; n < 4 * CYCLE && (!z || z->pid != e->pid); n++) {
		if (z && reap(z, err, errlen) < 0)
			break;
		z = spawn(R, K_EXIT, err, errlen);
		if (!z)
			break;
	}
	if (!z || z->pid != e->pid) {
		problem(pb, "exec race: pid %d of child #%d never came again (%s)", (int)e->pid,
			e->seq, err);
		if (z && !z->reaped)
			(void)reap(z, err, errlen);
		return;
	}
	(void)proccn_table_dispatch(t, &reuse_cb, R, 0);
	(void)reap(z, err, errlen);
	(void)pump_settled(t, R, (int)(e - R->kid));
	proccn_table_get_stats(t, &after);
	kid_name(e, want);
	vm_say("INFO table-reuse:exec-race child #%d pid %d exec'd, reused by #%d before the"
	       " dispatch: proc_races +%" PRIu64 ", record comm '%s' flags %#x\n", e->seq,
	       (int)e->pid, z->seq, after.proc_races - before.proc_races, e->rec.comm,
	       e->rec.flags);
	if (after.proc_races != before.proc_races + 1 || !e->exits ||
	    !(e->rec.flags & PROCCN_PROC_F_UNNAMED) ||
	    (e->rec.comm[0] && strcmp(e->rec.comm, want) != 0))
		problem(pb, "exec race: child #%d's EXEC applied while #%d held pid %d:"
			" proc_races +%" PRIu64 " (want +1), record comm '%s' flags %#x (want"
			" unnamed, comm '' or '%s')", e->seq, z->seq, (int)e->pid,
			after.proc_races - before.proc_races, e->rec.comm, e->rec.flags, want);
}

/* One wave: a hold child, watched, released early; children until its pid is reused. */
static int run_wave(struct proccn_table *t, struct reuse *R, int w, struct problems *get_pb,
		    struct problems *race_pb, unsigned int *older_seen, char *err, size_t errlen)
{
	struct kid *hold, *ring[8] = { NULL };
	int first = R->nkids, j, reused = 0, nring = 0, r;

	hold = spawn(R, K_HOLD, err, errlen);
	if (!hold)
		return -1;
	r = pump_started(t, R, hold);
	if (r < 0) {
		snprintf(err, errlen, "the table never saw hold child #%d start: %s", hold->seq,
			 r == -ETIMEDOUT ? "timed out" : proccn_strerror(r));
		return -1;
	}
	check_hold_running(t, R, hold, get_pb, older_seen);
	r = proccn_table_watch(t, hold->pid, 0, &hold->watch_id);
	if (r < 0) {
		snprintf(err, errlen, "proccn_table_watch(%d): %s", (int)hold->pid,
			 proccn_strerror(r));
		return -1;
	}
	if (w == WAVES - 1)
		exec_race(t, R, race_pb, err, errlen);
	for (j = 0; j < 8 * WAVE_LEN; j++) {
		struct kid *k;

		if (j == 4 && reap(hold, err, errlen) < 0)
			return -1;
		if (j >= WAVE_LEN && reused)
			break;
		k = spawn(R, kind_of(R->nkids + 1), err, errlen);
		if (!k)
			return -1;
		reused |= j >= 4 && k->pid == hold->pid;
		if (waves[w].every && j % waves[w].every == 0)
			(void)proccn_table_dispatch(t, &reuse_cb, R, 0);
		if (waves[w].lag == 0) {
			if (reap(k, err, errlen) < 0)
				return -1;
		} else {
			if (nring == waves[w].lag) {
				if (reap(ring[0], err, errlen) < 0)
					return -1;
				memmove(ring, ring + 1, sizeof(ring[0]) * (size_t)(nring - 1));
				nring--;
			}
			ring[nring++] = k;
		}
	}
	while (nring)
		if (reap(ring[--nring], err, errlen) < 0)
			return -1;
	if (!reused) {
		snprintf(err, errlen, "wave %d: pid %d of the hold child never came again in %d"
			 " forks: pid_max not in effect?", w, (int)hold->pid, j);
		return -1;
	}
	r = pump_settled(t, R, first);
	if (r == -ETIMEDOUT) {
		/* judged child by child later (table-reuse:once, :watch) */
		vm_say("INFO table-reuse: wave %d: not every child's start and end (or the watch)"
		       " came in time\n", w);
		R->late = 1;
	} else if (r < 0) {
		snprintf(err, errlen, "wave %d: dispatch: %s", w, proccn_strerror(r));
		return -1;
	}
	check_newest(t, R, first, get_pb);
	return 0;
}

/* After the waves: every child, once, with its own key, code and name. */
static void check_children(struct proccn_table *t, const struct reuse *R)
{
	struct problems once = { 0 }, keys = { 0 }, codes = { 0 }, names = { 0 }, bykey = { 0 },
			watch = { 0 };
	int i, j, named_execs = 0;

	for (i = 0; i < R->nkids; i++) {
		const struct kid *k = &R->kid[i];
		const struct proccn_proc *x = &k->rec;
		struct proccn_proc p = { .sz = sizeof(p) };
		char want[16];
		int r;

		if (!kid_status_ok(k))
			problem(&codes, "child #%d (kind %d) itself failed: status %#x", k->seq,
				(int)k->kind, k->status);
		if (k->starts != 1 || k->exits != 1) {
			problem(&once, "child #%d pid %d: %u on_start, %u on_exit", k->seq,
				(int)k->pid, k->starts, k->exits);
			continue;
		}
		if (x->flags & PROCCN_PROC_F_INFERRED)
			problem(&once, "child #%d pid %d: its end was inferred", k->seq, (int)k->pid);
		if ((k->key & PID_MASK) != (uint64_t)k->pid || tick_diff(TICKS(k->key), k->ticks) > 1)
			problem(&keys, "child #%d pid %d: key %#" PRIx64 " (tick %" PRIu64 "), /proc"
				" start tick %" PRIu64, k->seq, (int)k->pid, k->key, TICKS(k->key),
				k->ticks);
		for (j = 0; j < i; j++)
			if (R->kid[j].pid == k->pid && R->kid[j].key == k->key)
				problem(&keys, "children #%d and #%d (pid %d) share key %#" PRIx64,
					R->kid[j].seq, k->seq, (int)k->pid, k->key);
		if ((int)x->exit_code != k->status || x->state != PROCCN_PROC_EXITED)
			problem(&codes, "child #%d pid %d: on_exit code %#x state %u, waitpid said %#x",
				k->seq, (int)k->pid, x->exit_code, x->state, k->status);
		/* names */
		if (k->kind == K_COMM || k->kind == K_EXEC)
			kid_name(k, want);
		else
			snprintf(want, sizeof(want), "%s", R->comm);
		if (k->kind == K_EXEC) {
			named_execs += strcmp(x->comm, want) == 0 &&
				       !(x->flags & PROCCN_PROC_F_UNNAMED);
			if (x->execs != 1 || (x->flags & PROCCN_PROC_F_FORKED) ||
			    (strcmp(x->comm, want) != 0 &&
			     !((x->flags & PROCCN_PROC_F_UNNAMED) && !x->comm[0])))
				problem(&names, "child #%d pid %d (exec): comm '%s' execs %u flags %#x,"
					" want '%s' (or unnamed)", k->seq, (int)k->pid, x->comm,
					x->execs, x->flags, want);
		} else if (strcmp(x->comm, want) != 0 || x->execs != 0 ||
			   !(x->flags & PROCCN_PROC_F_FORKED)) {
			problem(&names, "child #%d pid %d: comm '%s' execs %u flags %#x, want '%s'",
				k->seq, (int)k->pid, x->comm, x->execs, x->flags, want);
		}
		/* every incarnation is still kept */
		r = proccn_table_get_key(t, k->key, &p);
		if (r < 0 || p.key != k->key || p.pid != k->pid || p.state != PROCCN_PROC_EXITED ||
		    (int)p.exit_code != k->status)
			problem(&bykey, "get_key(%#" PRIx64 ") of child #%d: r=%d pid %d key %#" PRIx64
				" state %u code %#x", k->key, k->seq, r, (int)p.pid, p.key, p.state,
				p.exit_code);
		/* a hold child's watch: once, its record; its pid was reused after it */
		if (k->kind == K_HOLD) {
			const struct proccn_watch_result *w = &k->watch;

			if (k->watch_reports != 1 || w->root.key != k->key ||
			    (int)w->root.exit_code != k->status || w->quality != PROCCN_WATCH_EXACT ||
			    w->members != 1 || w->root.state != PROCCN_PROC_EXITED)
				problem(&watch, "watch of hold child #%d pid %d: %u reports, root key %#"
					PRIx64 " code %#x quality %d members %u; want key %#" PRIx64
					" code %#x", k->seq, (int)k->pid, k->watch_reports,
					w->root.key, w->root.exit_code, w->quality, w->members,
					k->key, k->status);
			for (j = i + 1; j < R->nkids && R->kid[j].pid != k->pid; j++)
				;
			if (j == R->nkids)
				problem(&watch, "hold child #%d's pid %d was never reused", k->seq,
					(int)k->pid);
		}
	}
	if (!named_execs)
		problem(&names, "no exec'd child was named at its exit: this check proved nothing");
	if (R->stray_starts || R->stray_exits)
		problem(&once, "%u on_start and %u on_exit with our pid as parent matched no child"
			" (first: %s)", R->stray_starts, R->stray_exits, R->stray);
	if (R->stray_watches)
		problem(&watch, "%u on_watch for no watch of ours", R->stray_watches);
	verdict("table-reuse:once", &once);
	verdict("table-reuse:keys", &keys);
	verdict("table-reuse:codes", &codes);
	verdict("table-reuse:names", &names);
	verdict("table-reuse:get-key", &bykey);
	verdict("table-reuse:watch", &watch);
}

void test_table_reuse(const struct config *cfg)
{
	const char *name = "table-reuse:setup";
	struct proccn_table_opts o = { .sz = sizeof(o) };
	struct proccn_table_stats ts = { .sz = sizeof(ts) };
	struct proccn_stats hs = { .sz = sizeof(hs) };
	struct problems get_pb = { 0 }, stats = { 0 }, proc = { 0 }, wrap = { 0 }, race_pb = { 0 };
	struct proccn_opts ho = PROCCN_OPTS_INIT;
	struct proccn_table *t = NULL;
	struct proccn *h = NULL;
	static struct reuse R;
	unsigned int older_seen = 0, execs = 0, unnamed = 0;
	int i, j, w, r, pids = 0, reused_pids = 0, max_inc = 0, nlive = 0;
	long pid_max, old_max = 0;
	int64_t t0 = now_ms();
	char err[256] = "";

	memset(&R, 0, sizeof(R));
	R.self = getpid();
	(void)prctl(PR_GET_NAME, R.comm, 0, 0, 0);
	/* pids wrap into [RESERVED_PIDS, pid_max), starting there now */
	pid_max = RESERVED_PIDS + CYCLE;
	if (read_long("/proc/sys/kernel/pid_max", &old_max) < 0 ||
	    write_long("/proc/sys/kernel/pid_max", pid_max) < 0) {
		vm_fail(name, "cannot set pid_max to %ld (was %ld): %s", pid_max, old_max,
			strerror(errno));
		return;
	}
	if (write_long("/proc/sys/kernel/ns_last_pid", RESERVED_PIDS - 1) < 0)
		vm_say("INFO %s: ns_last_pid not writable (%s): the first wave wraps later\n", name,
		       strerror(errno));
	/* the table on its own handle, or on one with the run's flags (forced legacy) */
	o.max_procs = 2048;
	o.max_exited = 4096;        /* every child's entry is kept... */
	o.exited_ms = 600000;       /* ...for the whole test */
	if (cfg->flags) {
		ho.flags = cfg->flags;
		r = proccn_open(&h, &ho);
		if (r < 0) {
			vm_fail(name, "proccn_open: %s", proccn_strerror(r));
			goto restore;
		}
	}
	r = proccn_table_open(&t, h, &o);
	if (r < 0) {
		vm_fail(name, "proccn_table_open: %s", proccn_strerror(r));
		goto restore;
	}
	if (check_mode(cfg, name, proccn_table_handle(t)) < 0)
		goto out;
	for (w = 0; w < WAVES; w++) {
		if (run_wave(t, &R, w, &get_pb, &race_pb, &older_seen, err, sizeof(err)) < 0) {
			vm_fail(name, "%s", err);
			goto out;
		}
	}
	vm_pass(name);

	/* did the pids wrap? */
	for (i = 0; i < R.nkids; i++) {
		int n = 0, seen_before = 0;

		for (j = 0; j < R.nkids; j++) {
			n += R.kid[j].pid == R.kid[i].pid;
			seen_before |= j < i && R.kid[j].pid == R.kid[i].pid;
		}
		if (seen_before)
			continue;
		pids++;
		reused_pids += n > 1;
		max_inc = n > max_inc ? n : max_inc;
	}
	if (reused_pids < CYCLE / 2 || max_inc < 3)
		problem(&wrap, "%d children on %d pids, %d of them reused, at most %d times: the"
			" pids did not wrap enough", R.nkids, pids, reused_pids, max_inc);
	verdict("table-reuse:wrap", &wrap);
	check_children(t, &R);
	if (!older_seen)
		problem(&get_pb, "no older incarnation was looked up while a hold child ran");
	verdict("table-reuse:get-newest", &get_pb);
	verdict("table-reuse:exec-race", &race_pb);

	test_wait(t, pid_max);

	/* nothing lost, so nothing may have been inferred */
	check_proc_equal(t, &proc, &nlive);
	proccn_table_get_stats(t, &ts);
	proccn_get_stats(proccn_table_handle(t), &hs);
	if (hs.lost || hs.overruns)
		problem(&stats, "events lost in a quiet VM (lost %" PRIu64 ", overruns %" PRIu64
			"): nothing below can be judged", hs.lost, hs.overruns);
	if (ts.pid_reuse)
		problem(&stats, "pid_reuse %" PRIu64 " with no loss: a FORK found a live entry"
			" on its pid (an EXIT missed or applied to the wrong entry)", ts.pid_reuse);
	if (ts.exits_inferred || ts.untracked || ts.evicted_early || ts.resyncs != 1)
		problem(&stats, "exits_inferred %" PRIu64 " untracked %" PRIu64 " evicted_early %"
			PRIu64 " resyncs %" PRIu64 ", want 0 0 0 1", ts.exits_inferred,
			ts.untracked, ts.evicted_early, ts.resyncs);
	if (ts.exits < (uint64_t)R.nkids || R.on_exit_calls > ts.exits)
		problem(&stats, "stats.exits %" PRIu64 ", on_exit calls %" PRIu64 ", children %d",
			ts.exits, R.on_exit_calls, R.nkids);
	verdict("table-reuse:stats", &stats);
	verdict("table-reuse:proc", &proc);

	for (i = 0; i < R.nkids; i++) {
		execs += R.kid[i].kind == K_EXEC;
		unnamed += (R.kid[i].rec.flags & PROCCN_PROC_F_UNNAMED) != 0;
	}
	vm_say("TABLE reuse mode=%s pid_max=%ld children=%d pids=%d reused-pids=%d"
	       " max-incarnations=%d execs=%d unnamed=%u older-lookups=%u live=%d;"
	       " started=%" PRIu64 " exits=%" PRIu64 " pid_reuse=%" PRIu64 " stale=%" PRIu64
	       " unknown=%" PRIu64 " proc_races=%" PRIu64 " lost=%" PRIu64 "; %" PRId64 " ms\n",
	       mode_name(proccn_mode(proccn_table_handle(t))), pid_max, R.nkids, pids,
	       reused_pids, max_inc, execs, unnamed, older_seen, nlive, ts.started, ts.exits,
	       ts.pid_reuse, ts.stale_events, ts.unknown_events, ts.proc_races, hs.lost,
	       now_ms() - t0);
out:
	for (i = 0; i < R.nkids; i++)
		if (!R.kid[i].reaped && R.kid[i].pid > 0)
			(void)reap(&R.kid[i], err, sizeof(err));
	proccn_table_close(t);
restore:
	proccn_close(h);
	(void)write_long("/proc/sys/kernel/pid_max", old_max);
}

/* ---------------------------------------------------------------- a late EXIT */

/*
 * The kernel sends a process's EXIT from do_exit() after exit_notify(), i.e.
 * after its parent was woken and may have reaped it, and stamps it then. A
 * process preempted in between (preempt=full, PREEMPT_RT, or a busy CPU)
 * sends its EXIT late: if its pid has been reused meanwhile, the EXIT of
 * the old process (A) comes after the FORK of the new one (B) and carries a
 * later timestamp than B's start. The table must not end B with it.
 *
 * Arranged deterministically on one CPU booted with preempt=full: we run
 * SCHED_FIFO with RT throttling off, A runs SCHED_OTHER. When A exits, its
 * exit_notify() wakes us and we preempt it before it sends its EXIT; we reap
 * it and fork until a child (B) gets its pid again, then sleep: only now
 * does A send its EXIT. The raw events show the order; a round where A's
 * EXIT came first (voluntary preemption) proves nothing and is only counted.
 */
struct late {
	pid_t self, pid;          /* us; A's (and B's) pid */
	uint64_t a_key, b_key;
	int fork_seen;            /* a FORK of pid since the reset (B's) */
	int exit_order;           /* first EXIT of pid since the reset: 1 after B's FORK, -1 before */
	unsigned int a_exits, b_exits;
	uint32_t b_code;
};

static int late_raw(const union proccn_event *ev, void *ud)
{
	struct late *L = ud;

	if (ev->hdr.kind == PROCCN_EV_FORK && ev->fork.child_pid == L->pid &&
	    ev->fork.child_tgid == L->pid)
		L->fork_seen = 1;
	if (ev->hdr.kind == PROCCN_EV_EXIT && ev->exit.pid == L->pid && ev->exit.tgid == L->pid &&
	    !L->exit_order)
		L->exit_order = L->fork_seen ? 1 : -1;
	return 0;
}

static int late_start(const struct proccn_proc *p, void *ud)
{
	struct late *L = ud;

	if (p->pid == L->pid && p->ppid == L->self && p->key != L->a_key)
		L->b_key = p->key;
	return 0;
}

static int late_exit_cb(const struct proccn_proc *p, void *ud)
{
	struct late *L = ud;

	if (p->pid != L->pid)
		return 0;
	if (p->key == L->a_key) {
		L->a_exits++;
	} else if (L->b_key && p->key == L->b_key) {
		L->b_exits++;
		L->b_code = p->exit_code;
	}
	return 0;
}

static const struct proccn_callbacks late_raw_cb = {
	.sz = sizeof(struct proccn_callbacks),
	.on_event = late_raw,
};

static const struct proccn_table_callbacks late_cb = {
	.sz = sizeof(struct proccn_table_callbacks),
	.on_start = late_start,
	.on_exit = late_exit_cb,
	.raw = &late_raw_cb,
};

static void late_pump(struct proccn_table *t, struct late *L, int rounds, int ms)
{
	while (rounds--)
		(void)proccn_table_dispatch(t, &late_cb, L, ms);
}

/* One round; 1 when A's EXIT did come late and the table got it right, 0 not late, -1 wrong. */
static int late_round(struct proccn_table *t, struct late *L, struct problems *pb)
{
	struct proccn_proc p = { .sz = sizeof(p) };
	struct sched_param other = { 0 };
	int pa[2], pb2[2], st, n, r, late;
	int64_t deadline;
	pid_t a, b = 0, c;
	char ch;

	if (pipe2(pa, O_CLOEXEC) < 0 || pipe2(pb2, O_CLOEXEC) < 0) {
		problem(pb, "pipe: %s", strerror(errno));
		return -1;
	}
	memset(L, 0, sizeof(*L));
	L->self = getpid();
	fflush(stdout);
	a = fork();
	if (a == 0) {
		(void)sched_setscheduler(0, SCHED_OTHER, &other);
		close(pa[1]);
		while (read(pa[0], &ch, 1) < 0 && errno == EINTR)
			;
		_exit(44);
	}
	close(pa[0]);
	L->pid = a;
	deadline = now_ms() + WAIT_MS;
	do {
		late_pump(t, L, 1, 50);
		memset(&p, 0, sizeof(p));
		p.sz = sizeof(p);
		r = proccn_table_get(t, a, &p);
	} while ((r < 0 || p.state != PROCCN_PROC_RUNNING || p.ppid != L->self) &&
		 now_ms() < deadline);
	L->a_key = p.key;
	L->fork_seen = 0;
	/* A exits; its exit_notify() wakes us, and we preempt it right there */
	close(pa[1]);
	(void)waitpid(a, &st, 0);
	for (n = 0; n < 4 * CYCLE && !b; n++) {
		c = fork();
		if (c == 0) {
			if (getpid() == a) {
				close(pb2[1]);
				while (read(pb2[0], &ch, 1) < 0 && errno == EINTR)
					;
				_exit(45);
			}
			_exit(0);
		}
		if (c == a)
			b = c;
		else if (c > 0)
			(void)waitpid(c, NULL, 0);
	}
	close(pb2[0]);
	if (!b) {
		problem(pb, "pid %d never came again", (int)a);
		close(pb2[1]);
		return -1;
	}
	late_pump(t, L, 3, 0);    /* B's FORK, while A may still be live in the table */
	usleep(200 * 1000);       /* we sleep: A runs on and sends its EXIT now */
	late_pump(t, L, 5, 20);
	memset(&p, 0, sizeof(p));
	p.sz = sizeof(p);
	r = proccn_table_get(t, b, &p);
	late = L->exit_order == 1;
	vm_say("INFO table-reuse:late-exit pid %d: A's EXIT came %s B's FORK; get(pid) while B"
	       " runs: r=%d key %#" PRIx64 " (A %#" PRIx64 ", B %#" PRIx64 ") state %u code %#x\n",
	       (int)a, L->exit_order == 1 ? "after" : L->exit_order == -1 ? "before" : "never, or",
	       r, p.key, L->a_key, L->b_key, p.state, p.exit_code);
	if (late && (r < 0 || !L->b_key || p.key != L->b_key || p.state != PROCCN_PROC_RUNNING))
		problem(pb, "A's late EXIT (code 0x2c00) ended B (pid %d, still running): get gives"
			" key %#" PRIx64 " state %u code %#x, want B's key %#" PRIx64 " running",
			(int)b, p.key, p.state, p.exit_code, L->b_key);
	/* B ends: exactly once, with its own status */
	close(pb2[1]);
	(void)waitpid(b, &st, 0);
	deadline = now_ms() + 2000;
	while (!L->b_exits && now_ms() < deadline)
		late_pump(t, L, 1, 50);
	late_pump(t, L, 2, 0);
	if (late && (L->b_exits != 1 || L->b_code != 45u << 8 || L->a_exits != 1))
		problem(pb, "pid %d: %u on_exit for B (code %#x), want one with 0x2d00; %u for A,"
			" want one", (int)b, L->b_exits, L->b_code, L->a_exits);
	return late;
}

void test_late_exit(const struct config *cfg)
{
	const char *name = "table-reuse:late-exit";
	struct sched_param rt = { .sched_priority = 10 }, other = { 0 };
	struct proccn_table_stats ts = { .sz = sizeof(ts) };
	struct proccn_opts ho = PROCCN_OPTS_INIT;
	struct proccn_table *t = NULL;
	struct proccn *h = NULL;
	struct problems pb = { 0 };
	static struct late L;
	long old_max = 0, old_rt = 0;
	int i, late = 0, r, have_max, have_rt;

	have_max = read_long("/proc/sys/kernel/pid_max", &old_max) == 0;
	have_rt = read_long("/proc/sys/kernel/sched_rt_runtime_us", &old_rt) == 0;
	if (!have_max || !have_rt ||
	    write_long("/proc/sys/kernel/pid_max", RESERVED_PIDS + CYCLE) < 0 ||
	    write_long("/proc/sys/kernel/sched_rt_runtime_us", -1) < 0) {
		vm_fail(name, "cannot set pid_max or sched_rt_runtime_us: %s", strerror(errno));
		goto restore;
	}
	(void)write_long("/proc/sys/kernel/ns_last_pid", RESERVED_PIDS - 1);
	if (cfg->flags) {
		ho.flags = cfg->flags;
		r = proccn_open(&h, &ho);
		if (r < 0) {
			vm_fail(name, "proccn_open: %s", proccn_strerror(r));
			goto restore;
		}
	}
	r = proccn_table_open(&t, h, NULL);
	if (r < 0) {
		vm_fail(name, "proccn_table_open: %s", proccn_strerror(r));
		goto restore;
	}
	if (check_mode(cfg, name, proccn_table_handle(t)) < 0)
		goto out;
	if (sched_setscheduler(0, SCHED_FIFO, &rt) < 0) {
		vm_fail(name, "SCHED_FIFO: %s", strerror(errno));
		goto out;
	}
	for (i = 0; i < 3; i++) {
		r = late_round(t, &L, &pb);
		late += r == 1;
	}
	(void)sched_setscheduler(0, SCHED_OTHER, &other);
	proccn_table_get_stats(t, &ts);
	vm_say("INFO %s: %d of 3 rounds had A's EXIT after B's FORK; pid_reuse %" PRIu64
	       " stale %" PRIu64 " unknown %" PRIu64 "\n", name, late, ts.pid_reuse,
	       ts.stale_events, ts.unknown_events);
	if (!late)
		problem(&pb, "no round had A's EXIT after B's FORK: boot with preempt=full (one CPU)");
	verdict(name, &pb);
out:
	(void)sched_setscheduler(0, SCHED_OTHER, &other);
	proccn_table_close(t);
restore:
	proccn_close(h);
	if (have_max)
		(void)write_long("/proc/sys/kernel/pid_max", old_max);
	if (have_rt)
		(void)write_long("/proc/sys/kernel/sched_rt_runtime_us", old_rt);
}
