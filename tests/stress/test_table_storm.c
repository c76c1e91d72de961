/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The process table under storms (issue 12, tests 2 and 3), live, as root:
 *  - names: 20,000 short-lived programs, each under a name of its own (hard
 *    links of true), run one after the other by a launcher that reaps each a
 *    little later; every exit is reported once, named with its program, or
 *    flagged unnamed (its /proc was gone before the exec was read), never
 *    named wrong;
 *  - resync: a table whose handle has a tiny receive buffer misses most of a
 *    storm of 2,000 exits; after the loss report and the resync, every child
 *    got exactly one on_exit (inferred where its EXIT was lost), and the
 *    table equals /proc again.
 * Usage: stress-table-storm [--names N] [--legacy]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <proccn_table.h>

#include "named.h"
#include "procstat.h"
#include "stress_util.h"

#define TEST "stress-table-storm"
#define DEFAULT_NAMES 20000
#define STORM 2000
#define REAP_LAG 32

static uint32_t extra_flags;

/*
 * The exits of one launcher's children. The table may report an exit before
 * the launcher's pipe has told us the pid: every exit of a child of the
 * launcher is kept, and matched to the child by pid at the end.
 */
struct run {
	pid_t launcher;
	pid_t *pids;             /* the children, in order (read from the launcher) */
	size_t n;
	struct proccn_proc *exits; /* exits of the launcher's children, as reported */
	size_t nexits;
	struct proccn_proc *rec; /* the first exit record of each child */
	unsigned int *count;     /* exits reported per child */
	uint64_t losses, resyncs, inferred;
};

static int on_exit_cb(const struct proccn_proc *p, void *ud)
{
	struct run *r = ud;

	if (p->ppid != r->launcher || r->nexits == 2 * r->n)
		return 0;
	r->exits[r->nexits++] = *p;
	r->inferred += (p->flags & PROCCN_PROC_F_INFERRED) != 0;
	return 0;
}

/*
 * The exits reported, matched to the children. A pid may serve several
 * children of one run (pids wrap): an exit goes to the child with its pid
 * whose record has its key (a second report), else to the first such child
 * not yet reported.
 */
static void match_exits(struct run *r)
{
	size_t pid_max = 4194305, i;
	size_t *head = calloc(pid_max, sizeof(*head)), *next = calloc(r->n, sizeof(*next));

	if (!head || !next) {
		printf("FATAL: out of memory\n");
		exit(1);
	}
	for (i = r->n; i-- > 0;) {   /* each pid's children, in launch order */
		if ((size_t)r->pids[i] >= pid_max)
			continue;
		next[i] = head[r->pids[i]];
		head[r->pids[i]] = i + 1;
	}
	for (i = 0; i < r->nexits; i++) {
		const struct proccn_proc *x = &r->exits[i];
		size_t c, first_free = 0;

		if ((size_t)x->pid >= pid_max)
			continue;
		for (c = head[x->pid]; c; c = next[c - 1]) {
			if (r->count[c - 1] && r->rec[c - 1].key == x->key)
				break;
			if (!r->count[c - 1] && !first_free)
				first_free = c;
		}
		if (!c)
			c = first_free;
		if (c && !r->count[c - 1]++)
			r->rec[c - 1] = *x;
	}
	free(head);
	free(next);
}

static int on_loss_cb(const struct proccn_loss *l, void *ud)
{
	(void)l;
	((struct run *)ud)->losses++;
	return 0;
}

static int on_resync_cb(const struct proccn_resync *rs, void *ud)
{
	struct run *r = ud;

	if (!rs->initial) {
		r->resyncs++;
		printf("  resync: %u scanned, %u added, %u exited, %u replaced, %u changed in %.1f ms\n",
		       rs->scanned, rs->added, rs->exited, rs->replaced, rs->changed,
		       (double)(rs->ended_ns - rs->started_ns) / 1e6);
	}
	return 0;
}

static const struct proccn_table_callbacks no_callbacks = {
	.sz = sizeof(struct proccn_table_callbacks),
};

static const struct proccn_table_callbacks callbacks = {
	.sz = sizeof(struct proccn_table_callbacks),
	.on_exit = on_exit_cb,
	.on_loss = on_loss_cb,
	.on_resync = on_resync_cb,
};

static void run_init(struct run *r, size_t n)
{
	memset(r, 0, sizeof(*r));
	r->n = n;
	r->pids = calloc(n, sizeof(*r->pids));
	r->exits = calloc(2 * n, sizeof(*r->exits));
	r->rec = calloc(n, sizeof(*r->rec));
	r->count = calloc(n, sizeof(*r->count));
	if (!r->pids || !r->exits || !r->rec || !r->count) {
		printf("FATAL: out of memory\n");
		exit(1);
	}
}

static void run_free(struct run *r)
{
	free(r->pids);
	free(r->exits);
	free(r->rec);
	free(r->count);
}

static struct proccn_table *open_table(int rcvbuf, uint32_t fields)
{
	struct proccn_opts o = PROCCN_OPTS_INIT;
	struct proccn_table_opts to = { .sz = sizeof(to), .fields = fields };
	struct proccn_table *t = NULL;
	struct proccn *h;
	int r;

	o.flags = extra_flags;
	o.rcvbuf = rcvbuf;
	h = stress_open(&o);
	r = proccn_table_open(&t, h, &to);
	if (r < 0) {
		printf("FATAL: proccn_table_open: %s\n", proccn_strerror(r));
		exit(1);
	}
	return t;
}

static void close_table(struct proccn_table *t)
{
	struct proccn *h = proccn_table_handle(t);

	proccn_table_close(t);
	proccn_close(h);
}

/* Dispatch until the launcher has ended and the table has settled. */
static void follow(struct proccn_table *t, struct run *r, int fd)
{
	uint64_t deadline = stress_now_ms() + 120000;
	size_t got = 0;
	int status, done = 0;

	while (stress_now_ms() < deadline) {
		ssize_t k;

		(void)proccn_table_dispatch(t, &callbacks, r, 10);
		/* the launcher's pids, as they come (the pipe would fill up); a
		   slow machine gets more time as long as the launcher progresses */
		while ((k = read(fd, &r->pids[got], (r->n - got) * sizeof(pid_t))) > 0) {
			got += (size_t)k / sizeof(pid_t);
			if (!done)
				deadline = stress_now_ms() + 120000;
		}
		if (!done && waitpid(r->launcher, &status, WNOHANG) == r->launcher) {
			CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			      "the launcher failed: status %#x", (unsigned)status);
			done = 1;
			deadline = stress_now_ms() + 3000;
		}
		if (done && got == r->n && proccn_table_synced(t) == 1 && r->nexits >= r->n)
			break;
	}
	CHECK(got == r->n, "only %zu of %zu pids from the launcher", got, r->n);
	match_exits(r);
}

/* true(1), to run under other names. */
static const char *true_path(void)
{
	static const char *const paths[] = { "/usr/bin/true", "/bin/true" };

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	stress_skip("no true(1)");
}

static void phase_names(size_t n)
{
	struct proccn_table *t = open_table(0, PROCCN_TABLE_EXE);
	char dir[] = "/tmp/pcn-storm-names.XXXXXX";
	size_t named = 0, unnamed = 0, wrong = 0, twice = 0, missing = 0;
	struct run r;
	int fds[2];

	printf("phase names: %zu short-lived programs under distinct names\n", n);
	if (!mkdtemp(dir) || pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
		printf("FATAL: mkdtemp/pipe2: %s\n", strerror(errno));
		exit(1);
	}
	if (named_make(dir, "t", n, true_path()) != 0) {
		printf("FATAL: names: %s\n", strerror(errno));
		exit(1);
	}
	run_init(&r, n);
	r.launcher = named_launch(dir, "t", n, REAP_LAG, fds[1]);
	close(fds[1]);
	follow(t, &r, fds[0]);
	close(fds[0]);
	for (size_t i = 0; i < n; i++) {
		char want[32];

		snprintf(want, sizeof(want), "t%05zu", i % 100000);
		if (r.count[i] == 0) {
			missing++;
		} else if (r.count[i] > 1) {
			twice++;
		} else if (r.rec[i].flags & PROCCN_PROC_F_UNNAMED) {
			unnamed += !r.rec[i].comm[0];
			wrong += r.rec[i].comm[0] != 0;
		} else if (strcmp(r.rec[i].comm, want) == 0) {
			named++;
		} else {
			if (wrong < 5)
				printf("  child %zu (pid %d) named %s\n", i, (int)r.pids[i],
				       r.rec[i].comm);
			wrong++;
		}
	}
	printf("  %zu named, %zu unnamed, %zu named wrong, %zu reported twice, %zu missing; "
	       "%" PRIu64 " loss reports, %" PRIu64 " resyncs\n", named, unnamed, wrong, twice,
	       missing, r.losses, r.resyncs);
	CHECK(wrong == 0, "%zu exits named wrong", wrong);
	CHECK(twice == 0, "%zu exits reported twice", twice);
	CHECK(missing == 0, "%zu exits never reported", missing);
	CHECK(named + unnamed == n, "%zu of %zu accounted for", named + unnamed, n);
	/* a table that keeps up reads each exec before its reaping */
	CHECK(r.losses || named >= n * 99 / 100, "only %zu of %zu named without any loss", named,
	      n);
	run_free(&r);
	named_remove(dir, "t", n);
	close_table(t);
}

/* The storm: STORM children blocked on a pipe, then released at once. */
static pid_t storm(int pids_fd, int go_fd)
{
	pid_t pid = fork();
	int gate[2];

	if (pid != 0)
		return pid;
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (pipe2(gate, O_CLOEXEC) != 0)
		_exit(20);
	for (size_t i = 0; i < STORM; i++) {
		pid_t c = fork();
		char ch;

		if (c < 0)
			_exit(21);
		if (c == 0) {
			close(gate[1]);
			while (read(gate[0], &ch, 1) < 0 && errno == EINTR)
				;
			_exit((int)(i & 0x7f));
		}
		if (write(pids_fd, &c, sizeof(c)) != sizeof(c))
			_exit(22);
	}
	{
		char ch;

		/* the test says when: it stops dispatching first */
		if (read(go_fd, &ch, 1) != 1)
			_exit(23);
	}
	close(gate[1]);
	close(gate[0]);
	while (wait(NULL) > 0)
		;
	_exit(0);
}

/* Processes alive across two reads of /proc agree with the table. */
static size_t compare_with_proc(struct proccn_table *t)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	size_t wrong = 0, checked = 0;

	if (!d)
		return 1;
	while ((e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		struct proccn_proc p = { .sz = sizeof(p) };
		struct procstat ps;
		char path[64];
		struct stat st;

		if (*end || pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
		if (stat(path, &st) != 0 || (procstat_read((pid_t)pid, &ps) == 0 && ps.state == 'Z'))
			continue;   /* gone, or ended and not yet reaped */
		checked++;
		/* born after the table's last dispatch? its FORK is queued: look again */
		if (proccn_table_get(t, (pid_t)pid, &p) != 0 || p.state == PROCCN_PROC_EXITED)
			while (proccn_table_dispatch(t, &no_callbacks, NULL, 0) > 0)
				;
		if (proccn_table_get(t, (pid_t)pid, &p) != 0 || p.state == PROCCN_PROC_EXITED) {
			/* gone since? then the table may rightly not know it */
			if (stat(path, &st) == 0 && kill((pid_t)pid, 0) == 0) {
				struct proccn_table_stats ts = { .sz = sizeof(ts) };

				proccn_table_get_stats(t, &ts);
				if (wrong < 5)
					printf("  /proc has %ld, the table does not (state %u flags %#x; "
					       "untracked %" PRIu64 " unknown events %" PRIu64 ")\n", pid,
					       p.state, p.flags, ts.untracked, ts.unknown_events);
				wrong++;
			}
		}
	}
	closedir(d);
	printf("  %zu processes of /proc checked against the table\n", checked);
	return wrong;
}

static void phase_resync(void)
{
	struct proccn_table *t = open_table(4096, 0);
	size_t once = 0, twice = 0, missing = 0, got = 0;
	struct run r;
	int pids[2], go[2], status;
	pid_t stormer;

	printf("phase resync: %d exits at once into a 4 KiB receive buffer\n", STORM);
	run_init(&r, STORM);
	if (pipe2(pids, O_CLOEXEC) != 0 || pipe2(go, O_CLOEXEC) != 0) {
		printf("FATAL: pipe2: %s\n", strerror(errno));
		exit(1);
	}
	stormer = storm(pids[1], go[0]);
	r.launcher = stormer;
	close(pids[1]);
	close(go[0]);
	while (got < STORM && read(pids[0], &r.pids[got], sizeof(pid_t)) == sizeof(pid_t))
		got++;
	CHECK(got == STORM, "only %zu children started", got);
	/* learn the children: their FORKs overflowed the buffer too, a resync finds them */
	{
		uint64_t deadline = stress_now_ms() + 60000;

		while (stress_now_ms() < deadline &&
		       !(r.losses && r.resyncs && proccn_table_synced(t) == 1))
			(void)proccn_table_dispatch(t, &callbacks, &r, 5);
		CHECK(r.losses && r.resyncs, "the FORKs of %d children did not overflow", STORM);
		r.losses = r.resyncs = 0;
	}
	/* release them with nobody reading */
	if (write(go[1], "g", 1) != 1) {
		printf("FATAL: write: %s\n", strerror(errno));
		exit(1);
	}
	close(go[1]);
	if (waitpid(stormer, &status, 0) != stormer || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		CHECK(0, "the storm failed: status %#x", (unsigned)status);
	close(pids[0]);
	{
		uint64_t deadline = stress_now_ms() + 60000;

		while (stress_now_ms() < deadline) {
			(void)proccn_table_dispatch(t, &callbacks, &r, 10);
			if (r.losses && proccn_table_synced(t) == 1 && r.resyncs)
				break;
		}
		for (int i = 0; i < 20; i++)
			(void)proccn_table_dispatch(t, &callbacks, &r, 5);
	}
	match_exits(&r);
	for (size_t i = 0; i < STORM; i++) {
		once += r.count[i] == 1;
		twice += r.count[i] > 1;
		missing += r.count[i] == 0;
	}
	printf("  %zu children ended once (%" PRIu64 " inferred), %zu twice, %zu never; "
	       "%" PRIu64 " loss reports, %" PRIu64 " resyncs\n", once, r.inferred, twice, missing,
	       r.losses, r.resyncs);
	CHECK(r.losses > 0, "the storm never overflowed the 4 KiB buffer");
	CHECK(r.resyncs > 0, "no resync after the loss");
	CHECK(r.inferred > 0, "no exit was inferred: nothing was lost?");
	CHECK(twice == 0, "%zu children ended twice", twice);
	CHECK(missing == 0, "%zu children never ended", missing);
	CHECK(compare_with_proc(t) == 0, "the table differs from /proc after the resync");
	run_free(&r);
	close_table(t);
}

int main(int argc, char **argv)
{
	size_t names = DEFAULT_NAMES;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--legacy") == 0) {
			extra_flags |= PROCCN_F_FORCE_LEGACY;
		} else if (strcmp(argv[i], "--names") == 0 && i + 1 < argc) {
			names = (size_t)strtoul(argv[++i], NULL, 10);
		} else {
			printf("usage: %s [--names N] [--legacy]\n", argv[0]);
			return 2;
		}
	}
	stress_init(TEST, "it forks thousands of processes, beyond a normal user's RLIMIT_NPROC");
	if (names)
		phase_names(names);
	phase_resync();
	return stress_finish(TEST);
}
