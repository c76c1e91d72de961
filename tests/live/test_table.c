/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The process table against the running kernel (issue 12's tests 1, 5, 7):
 *  - right after open, the table is what /proc says: every process alive
 *    across two reads of /proc around the open, with its parent, name and
 *    start time, and nothing that was not alive;
 *  - a process ends with its thread group: the main thread exits first and
 *    a worker later dies of SIGSEGV: one on_exit, with SIGSEGV; an exec from
 *    a worker keeps the process alive with the new image;
 *  - watches: a double-forked daemon keeps a subtree watch open until it
 *    ends; a subreaper takes the orphan and the table says so; a pid that is
 *    already gone completes at once;
 *  - short-lived programs under distinct names are named at exit, or flagged
 *    unnamed, never named wrong.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "live.h"
#include "named.h"
#include "procstat.h"
#include <proccn_table.h>

#define MAX_PIDS 4096
#define NAMED 200

/* One process as /proc shows it, read by this test on its own. */
struct procinfo {
	pid_t pid, ppid;
	unsigned long long start;
	char comm[16];
};

struct snapshot {
	struct procinfo p[MAX_PIDS];
	size_t n;
};

/* A process that runs (a zombie has ended). */
static int read_stat(pid_t pid, struct procinfo *out)
{
	struct procstat ps;

	if (procstat_read(pid, &ps) < 0 || ps.state == 'Z')
		return -1;
	out->pid = pid;
	out->ppid = ps.ppid;
	out->start = ps.start;
	memcpy(out->comm, ps.comm, sizeof(out->comm));
	return 0;
}

static void snapshot(struct snapshot *s)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	REQUIRE(d, "opendir /proc: %s", strerror(errno));
	s->n = 0;
	while ((e = readdir(d)) && s->n < MAX_PIDS) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);

		if (*end || pid <= 0)
			continue;
		if (read_stat((pid_t)pid, &s->p[s->n]) == 0)
			s->n++;
	}
	closedir(d);
}

static const struct procinfo *find(const struct snapshot *s, pid_t pid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->p[i].pid == pid)
			return &s->p[i];
	return NULL;
}

/*
 * Our exe as the table reads it: readlinkat() through the /proc directory.
 * (valgrind answers readlink("/proc/self/exe") with the program it runs,
 * while the kernel's link names valgrind's tool.)
 */
static ssize_t own_exe(char *buf, size_t size)
{
	int dirfd = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	ssize_t n;

	if (dirfd < 0)
		return -1;
	n = readlinkat(dirfd, "exe", buf, size - 1);
	close(dirfd);
	if (n > 0)
		buf[n] = '\0';
	return n;
}

/*
 * Under valgrind the kernel's main thread of a program stays until its last
 * thread ends (valgrind keeps it), so a leader's exit never reaches the
 * kernel: the two ways of reading our exe then disagree.
 */
static bool under_valgrind(void)
{
	char seen[PATH_MAX], told[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", told, sizeof(told) - 1);

	if (n <= 0 || own_exe(seen, sizeof(seen)) <= 0)
		return false;
	told[n] = '\0';
	return strcmp(seen, told) != 0;
}

static const struct proccn_table_callbacks no_cb = { .sz = sizeof(struct proccn_table_callbacks) };

static struct proccn_table *open_table(uint32_t fields)
{
	struct proccn_table_opts o = { .sz = sizeof(o), .fields = fields };
	struct proccn_opts ho = PROCCN_OPTS_INIT;
	struct proccn_table *t = NULL;
	struct proccn *h = NULL;
	int r;

	ho.flags = live_extra_flags;
	r = proccn_open(&h, &ho);
	REQUIRE(r == 0, "proccn_open: %s", proccn_strerror(r));
	r = proccn_table_open(&t, h, &o);
	REQUIRE(r == 0, "proccn_table_open: %s", proccn_strerror(r));
	return t;
}

static void close_table(struct proccn_table *t)
{
	struct proccn *h = proccn_table_handle(t);

	proccn_table_close(t);
	proccn_close(h);
}

/* Live entries the table has that were not alive around the open. */
struct extra_check {
	const struct snapshot *before, *after;
	uint64_t opened_ns;
	size_t extra;
};

static int check_live(const struct proccn_proc *p, int depth, void *ud)
{
	struct extra_check *c = ud;

	(void)depth;
	if (!find(c->before, p->pid) && !find(c->after, p->pid) && p->start_ns < c->opened_ns &&
	    (p->flags & PROCCN_PROC_F_SCANNED)) {
		printf("    extra: %d (%s)\n", (int)p->pid, p->comm);
		c->extra++;
	}
	return 0;
}

/* Test 1: right after open, the table equals a scan of /proc. */
static void case_initial_scan(void)
{
	static struct snapshot before, after;
	struct extra_check ec;
	struct proccn_table *t;
	size_t both = 0, wrong = 0;
	uint64_t opened;

	printf("--- right after open, the table is what /proc says\n");
	snapshot(&before);
	t = open_table(PROCCN_TABLE_EXE);
	opened = live_now_ns();
	snapshot(&after);
	for (size_t i = 0; i < before.n; i++) {
		const struct procinfo *a = &before.p[i], *b = find(&after, a->pid);
		struct proccn_proc p = { .sz = sizeof(p) };

		if (!b || b->start != a->start)
			continue;   /* not alive across the open */
		both++;
		if (proccn_table_get(t, a->pid, &p) != 0) {
			printf("    missing: %d (%s)\n", (int)a->pid, a->comm);
			wrong++;
			continue;
		}
		/* kernel workers show their current work in /proc as their name,
		   changing it without an event: their names are not compared */
		if ((p.key >> 22) != a->start || p.state == PROCCN_PROC_EXITED ||
		    (a->ppid == b->ppid && p.ppid != a->ppid) ||
		    (strcmp(a->comm, b->comm) == 0 && strcmp(p.comm, a->comm) != 0 &&
		     a->ppid != 2)) {
			printf("    differs: %d: table %s ppid %d start %llu, /proc %s ppid %d start %llu\n",
			       (int)a->pid, p.comm, (int)p.ppid,
			       (unsigned long long)(p.key >> 22), a->comm, (int)a->ppid, a->start);
			wrong++;
		}
	}
	/* exits queued meanwhile (a process born after the first read and gone
	   before the second) are applied before the table is searched for extras */
	while (proccn_table_dispatch(t, &no_cb, NULL, 0) > 0)
		;
	memset(&ec, 0, sizeof(ec));
	ec.before = &before;
	ec.after = &after;
	ec.opened_ns = opened;
	EXPECT(proccn_table_walk(t, 0, 0, check_live, &ec) > 0, "walk of the whole table");
	printf("    %zu processes alive across the open, %zu wrong, %zu extra\n", both, wrong,
	       ec.extra);
	EXPECT(both > 5 && wrong == 0, "%zu of %zu processes differ from /proc", wrong, both);
	EXPECT(ec.extra == 0, "%zu live entries were never alive", ec.extra);
	{
		struct proccn_proc self = { .sz = sizeof(self) };
		char exe[PATH_MAX];

		REQUIRE(own_exe(exe, sizeof(exe)) > 0, "readlinkat /proc/self exe");
		EXPECT(proccn_table_get(t, getpid(), &self) == 0 && self.exe &&
		       strcmp(self.exe, exe) == 0, "our own exe: %s, want %s",
		       self.exe ? self.exe : "(none)", exe);
	}
	close_table(t);
}

/* Table callbacks that record exits of the pids a test cares about. */
struct exits {
	pid_t pid[NAMED + 8];
	size_t npid;
	struct proccn_proc rec[NAMED + 8];
	char exe[NAMED + 8][80];
	unsigned int count[NAMED + 8];
	unsigned int unknown;
	struct proccn_watch_result watch;
	int watched;
};

static long index_of(const struct exits *x, pid_t pid)
{
	for (size_t i = 0; i < x->npid; i++)
		if (x->pid[i] == pid)
			return (long)i;
	return -1;
}

static int on_exit_rec(const struct proccn_proc *p, void *ud)
{
	struct exits *x = ud;
	long i = index_of(x, p->pid);

	if (i < 0)
		return 0;
	if (!x->count[i]++) {
		x->rec[i] = *p;
		snprintf(x->exe[i], sizeof(x->exe[i]), "%s", p->exe ? p->exe : "");
	}
	return 0;
}

static int on_watch_rec(const struct proccn_watch_result *w, void *ud)
{
	struct exits *x = ud;

	x->watch = *w;
	x->watched++;
	return 0;
}

static const struct proccn_table_callbacks exits_cb = {
	.sz = sizeof(struct proccn_table_callbacks),
	.on_exit = on_exit_rec,
	.on_watch = on_watch_rec,
};

/* Dispatch until @pid's exit was recorded or the deadline passes. */
static void wait_exit(struct proccn_table *t, struct exits *x, pid_t pid)
{
	uint64_t end = live_now_ns() + LIVE_DEADLINE_MS * 1000000ull;
	long i = index_of(x, pid);

	while (i >= 0 && !x->count[i] && live_now_ns() < end)
		(void)proccn_table_dispatch(t, &exits_cb, x, 100);
}

/* Test 5: a process ends with its thread group, with the status that ended it. */
static void case_threads(void)
{
	struct proccn_table *t = open_table(0);
	struct proccn_proc p = { .sz = sizeof(p) };
	struct exits *x = calloc(1, sizeof(*x));
	pid_t child;
	int status;

	REQUIRE(x, "calloc");
	printf("--- the main thread exits first, a worker dies of SIGSEGV\n");
	child = live_spawn(live_leader_exits_worker_crashes, NULL);
	x->pid[x->npid++] = child;
	usleep(60 * 1000);
	(void)proccn_table_dispatch(t, &exits_cb, x, 50);
	if (under_valgrind())
		printf("    under valgrind: the leader's exit never reaches the kernel, its state is not checked\n");
	else
		EXPECT(proccn_table_get(t, child, &p) == 0 &&
		       p.state == PROCCN_PROC_LEADER_EXITED && p.threads == 1,
		       "after pthread_exit in main: state %u threads %u", p.state, p.threads);
	EXPECT(x->count[0] == 0, "on_exit came while the worker ran");
	status = live_reap(child);
	EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV, "status %#x", status);
	wait_exit(t, x, child);
	EXPECT(x->count[0] == 1, "on_exit %u times", x->count[0]);
	EXPECT((x->rec[0].exit_code & 0x7f) == SIGSEGV, "the process ended with %#x, want SIGSEGV",
	       x->rec[0].exit_code);

	printf("--- a worker execs: the process lives on with the new image\n");
	child = live_spawn(live_worker_execs, (void *)live_true_path());
	x->pid[x->npid++] = child;
	usleep(200 * 1000);
	(void)proccn_table_dispatch(t, &exits_cb, x, 50);
	status = live_reap(child);
	EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0, "true's status %#x", status);
	wait_exit(t, x, child);
	EXPECT(x->count[1] == 1, "on_exit %u times (the old main thread's exit is no end)",
	       x->count[1]);
	EXPECT(x->rec[1].execs == 1 && strcmp(x->rec[1].comm, "true") == 0 &&
	       x->rec[1].exit_code == 0, "the record at exit: execs %u comm %s code %#x",
	       x->rec[1].execs, x->rec[1].comm, x->rec[1].exit_code);
	free(x);
	close_table(t);
}

/* A daemon the classic way: a child forks a grandchild that outlives it. */
static int ready_pipe[2], go_pipe[2];

static void double_fork(void *arg)
{
	char c;
	pid_t g;

	(void)arg;
	if (read(go_pipe[0], &c, 1) != 1)
		_exit(20);
	g = fork();
	if (g == 0) {
		usleep(400 * 1000);
		_exit(4);
	}
	if (write(ready_pipe[1], &g, sizeof(g)) != sizeof(g))
		_exit(21);
	_exit(0);
}

/* The same under a subreaper: the grandchild's new parent is the subreaper. */
static void subreaper(void *arg)
{
	pid_t c;
	int status;

	(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
	c = fork();
	if (c == 0)
		double_fork(arg);
	if (write(ready_pipe[1], &c, sizeof(c)) != sizeof(c))
		_exit(21);
	while (wait(&status) > 0 || errno == EINTR)
		;
	_exit(0);
}

/* Test 7: subtree watches through double forks and subreapers; a dead pid. */
static void case_watches(void)
{
	struct proccn_table *t = open_table(0);
	struct proccn_watch_result res = { .sz = sizeof(res) };
	struct proccn_proc p = { .sz = sizeof(p) };
	pid_t child, sub, grandchild = 0;
	uint64_t t0;
	int r;

	printf("--- a subtree watch on a double-forking daemon\n");
	REQUIRE(pipe2(ready_pipe, O_CLOEXEC) == 0 && pipe2(go_pipe, O_CLOEXEC) == 0, "pipe2");
	child = live_spawn(double_fork, NULL);
	(void)proccn_table_dispatch(t, &no_cb, NULL, 50);
	r = proccn_table_wait(t, child, PROCCN_WATCH_SUBTREE, 0, &res);
	EXPECT(r == -ETIMEDOUT, "wait(0) on a running child: %d", r);
	REQUIRE(write(go_pipe[1], "g", 1) == 1, "go");
	t0 = live_now_ns();
	r = proccn_table_wait(t, child, PROCCN_WATCH_SUBTREE, LIVE_DEADLINE_MS, &res);
	EXPECT(r == 0, "wait for the subtree: %d (%s)", r, proccn_strerror(r));
	EXPECT(live_now_ns() - t0 > 300 * 1000000ull,
	       "returned after %.0f ms: before the grandchild's end (400 ms)",
	       (double)(live_now_ns() - t0) / 1e6);
	EXPECT(res.members == 2 && res.quality == PROCCN_WATCH_EXACT && res.root.pid == child,
	       "members %u quality %d root %d", res.members, res.quality, (int)res.root.pid);
	live_reap(child);

	printf("--- the same under a subreaper\n");
	sub = live_spawn(subreaper, NULL);
	REQUIRE(read(ready_pipe[0], &child, sizeof(child)) == sizeof(child), "middle pid");
	(void)proccn_table_dispatch(t, &no_cb, NULL, 50);
	REQUIRE(write(go_pipe[1], "g", 1) == 1, "go");
	REQUIRE(read(ready_pipe[0], &grandchild, sizeof(grandchild)) == sizeof(grandchild),
		"grandchild pid");
	usleep(100 * 1000);   /* the middle child has exited: the grandchild is the subreaper's */
	(void)proccn_table_dispatch(t, &no_cb, NULL, 50);
	EXPECT(proccn_table_get(t, grandchild, &p) == 0 && p.ppid == sub,
	       "the orphan's parent in the table: %d, want the subreaper %d", (int)p.ppid, (int)sub);
	r = proccn_table_wait(t, sub, PROCCN_WATCH_SUBTREE, 50, &res);
	EXPECT(r == -ETIMEDOUT, "the subreaper's subtree runs on: %d", r);
	live_reap(sub);
	/* its EXIT is queued: a wait with no time to wait still dispatches once */
	r = proccn_table_wait(t, sub, 0, 0, &res);
	EXPECT(r == 0 && res.root.state == PROCCN_PROC_EXITED, "a reaped pid: %d, state %u", r,
	       res.root.state);
	r = proccn_table_wait(t, sub, 0, 0, &res);
	EXPECT(r == 0 && res.quality == PROCCN_WATCH_GONE, "a pid gone from the table's view: "
	       "%d, quality %d", r, res.quality);
	close(ready_pipe[0]);
	close(ready_pipe[1]);
	close(go_pipe[0]);
	close(go_pipe[1]);
	close_table(t);
}

/* Every exit of the launcher's children the table reported. */
struct all_exits {
	pid_t launcher;
	struct proccn_proc rec[4 * NAMED];
	char exe[4 * NAMED][80];
	size_t n;
};

static int on_any_exit(const struct proccn_proc *p, void *ud)
{
	struct all_exits *a = ud;

	if (p->ppid == a->launcher && a->n < 4 * NAMED) {
		a->rec[a->n] = *p;
		snprintf(a->exe[a->n], sizeof(a->exe[0]), "%s", p->exe ? p->exe : "");
		a->n++;
	}
	return 0;
}

/* Test 2, small: short-lived programs named at exit, or unnamed, never wrong. */
static void case_names(void)
{
	const struct proccn_table_callbacks cb = {
		.sz = sizeof(struct proccn_table_callbacks), .on_exit = on_any_exit,
	};
	struct proccn_table *t = open_table(PROCCN_TABLE_EXE);
	struct all_exits *a = calloc(1, sizeof(*a));
	char dir[] = "/tmp/pcn-names.XXXXXX";
	size_t named = 0, unnamed = 0, wrong = 0;
	pid_t launcher, pids[NAMED];
	int fds[2];

	REQUIRE(a && mkdtemp(dir) && pipe2(fds, O_CLOEXEC) == 0, "setup");
	printf("--- %d short-lived programs under distinct names\n", NAMED);
	REQUIRE(named_make(dir, "pcn", NAMED, live_true_path()) == 0, "names: %s", strerror(errno));
	launcher = named_launch(dir, "pcn", NAMED, 32, fds[1]);
	REQUIRE(launcher > 0, "fork");
	a->launcher = launcher;
	close(fds[1]);
	while (waitpid(launcher, NULL, WNOHANG) == 0)
		(void)proccn_table_dispatch(t, &cb, a, 10);
	for (int i = 0; i < 50; i++)
		(void)proccn_table_dispatch(t, &cb, a, 10);
	for (size_t i = 0; i < NAMED; i++)
		REQUIRE(read(fds[0], &pids[i], sizeof(pids[i])) == sizeof(pids[i]), "pid %zu", i);
	close(fds[0]);
	for (size_t i = 0; i < NAMED; i++) {
		char want[16];
		size_t k, seen = 0, at = 0;

		snprintf(want, sizeof(want), "pcn%05zu", i);
		for (k = 0; k < a->n; k++)
			if (a->rec[k].pid == pids[i] && (a->rec[k].flags & PROCCN_PROC_F_FORKED) == 0)
				seen++, at = k;
		if (seen != 1) {
			printf("    %d: on_exit %zu times\n", (int)pids[i], seen);
			wrong++;
		} else if (a->rec[at].flags & PROCCN_PROC_F_UNNAMED) {
			unnamed += !a->rec[at].comm[0];
			wrong += a->rec[at].comm[0] != 0;
		} else if (strcmp(a->rec[at].comm, want) == 0 &&
			   (!a->exe[at][0] || strstr(a->exe[at], want))) {
			named++;
		} else {
			printf("    %d named %s (%s), want %s\n", (int)pids[i], a->rec[at].comm,
			       a->exe[at], want);
			wrong++;
		}
	}
	printf("    %zu named, %zu unnamed (gone before the read), %zu wrong\n", named, unnamed,
	       wrong);
	{
		struct proccn_table_stats ts = { .sz = sizeof(ts) };
		struct proccn_stats hs = { .sz = sizeof(hs) };

		proccn_table_get_stats(t, &ts);
		proccn_get_stats(proccn_table_handle(t), &hs);
		printf("    table: live %llu started %llu exits %llu inferred %llu unknown %llu stale %llu "
		       "untracked %llu resyncs %llu; handle: received %llu lost %llu overruns %llu; "
		       "%zu exits recorded\n",
		       (unsigned long long)ts.live, (unsigned long long)ts.started,
		       (unsigned long long)ts.exits, (unsigned long long)ts.exits_inferred,
		       (unsigned long long)ts.unknown_events, (unsigned long long)ts.stale_events,
		       (unsigned long long)ts.untracked, (unsigned long long)ts.resyncs,
		       (unsigned long long)hs.received, (unsigned long long)hs.lost,
		       (unsigned long long)hs.overruns, a->n);
	}
	EXPECT(wrong == 0, "%zu exits named wrong, or not once", wrong);
	EXPECT(named >= NAMED * 9 / 10, "only %zu of %d named", named, NAMED);
	named_remove(dir, "pcn", NAMED);
	free(a);
	close_table(t);
}

int main(int argc, char **argv)
{
	live_init(argc, argv, "live-table", false);
	case_initial_scan();
	case_threads();
	case_watches();
	case_names();
	return live_finish();
}
