/* SPDX-License-Identifier: MIT-0 */
/*
 * proccn-pwait - wait until processes have ended (a better pwait(1)): with
 * --tree, until each one and every process forked from it have ended, even
 * those that double-forked away or were adopted by a subreaper. For one PID
 * the exit status is the process's own, as a shell's `wait` gives it. A
 * copy-paste starter for the libproccn process table (<proccn_table.h>).
 *
 * Why the table rather than pidfd_open(2) or polling /proc: a pidfd tells
 * when one process ends, but neither its exit status (it is not our child)
 * nor anything about its descendants; polling /proc races with pid reuse.
 * A table watch binds to the incarnation that has the pid now (a recycled
 * pid never counts), gets the status from the kernel's exit event, and with
 * PROCCN_WATCH_SUBTREE decides membership at fork, so that who the parent is
 * later (init, a subreaper) does not matter.
 *
 * Usage: proccn-pwait [-t|--tree] [--timeout MS] [-v|--verbose] PID...
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <proccn_table.h>

#define PROG "proccn-pwait"

/* Exit statuses of our own, after the ones timeout(1) uses. */
#define EXIT_TIMEOUT   124	/* --timeout expired first */
#define EXIT_ERROR     125	/* usage error, or we could not watch */
#define EXIT_NOT_FOUND 127	/* the (last) PID was not running: bash's `wait` says so too */

/* A table allows 64 watches at a time (proccn_table_watch()). */
#define MAX_PIDS 64

struct target {
	pid_t pid;
	uint64_t id;		/* the watch */
	bool done;
	struct proccn_watch_result res;
};

struct waiter {
	struct target tg[MAX_PIDS];
	int n, left;		/* targets, and those still running */
	bool verbose;
};

/* The signal that asked us to stop, or 0. */
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* comm is chosen by whoever runs the process: no raw control bytes. */
static void put_escaped(FILE *f, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\x%02x", c);
		else if (c == '\\')
			fputs("\\\\", f);
		else
			fputc(c, f);
	}
}

/* "4711 (sleep)", or "4711" when the table did not know its name. */
static void put_pid(FILE *f, const struct proccn_proc *p)
{
	fprintf(f, "%d", (int)p->pid);
	if ((p->flags & PROCCN_PROC_F_COMM) && !(p->flags & PROCCN_PROC_F_UNNAMED)) {
		fputs(" (", f);
		put_escaped(f, p->comm, strnlen(p->comm, sizeof(p->comm)));
		fputc(')', f);
	}
}

/* The status as a shell shows it in $?: the exit code, or 128 + signal. */
static int shell_status(const struct proccn_proc *p)
{
	struct proccn_exit_status st;

	proccn_decode_exit(p->exit_code, &st);
	if (st.signaled)
		return 128 + st.signal;
	return st.exited ? st.code : 0;
}

/* -v: one line on stdout per target that ended. */
static void print_end(const struct target *t)
{
	const struct proccn_proc *p = &t->res.root;
	struct proccn_exit_status st;
	const char *sig;

	if (t->res.quality == PROCCN_WATCH_GONE) {
		printf("%d was not running\n", (int)t->pid);
		return;
	}
	put_pid(stdout, p);
	proccn_decode_exit(p->exit_code, &st);
	if (p->flags & PROCCN_PROC_F_INFERRED) {
		fputs(" ended, status unknown", stdout);
	} else if (st.signaled) {
		sig = sigabbrev_np(st.signal);
		if (sig)
			printf(" killed by SIG%s%s", sig, st.core_dumped ? " (core dumped)" : "");
		else
			printf(" killed by signal %d", st.signal);
	} else {
		printf(" exited %d", st.code);
	}
	if (p->start_ns && p->exit_ns >= p->start_ns)
		/* inferred: exit_ns is when the resync found it gone */
		printf(" after %s%.3fs", p->flags & PROCCN_PROC_F_INFERRED ? "at most " : "",
		       (double)(p->exit_ns - p->start_ns) / 1e9);
	if (t->res.flags & PROCCN_WATCH_SUBTREE)
		printf("; its tree of %" PRIu32 " process%s has ended", t->res.members,
		       t->res.members == 1 ? "" : "es");
	putchar('\n');
}

/* What the user must know about an answer: on stderr, whatever -v says. */
static void print_notes(const struct target *t)
{
	const struct proccn_proc *p = &t->res.root;

	if (t->res.quality == PROCCN_WATCH_GONE) {
		fprintf(stderr, PROG ": %d is not a running process: nothing to wait for\n",
			(int)t->pid);
		return;
	}
	if (p->flags & PROCCN_PROC_F_INFERRED) {
		fprintf(stderr, PROG ": note: ");
		put_pid(stderr, p);
		fprintf(stderr, " has ended, but its exit event was lost: status unknown\n");
	}
	if (t->res.quality == PROCCN_WATCH_UNCERTAIN) {
		fprintf(stderr, PROG ": warning: events were lost while waiting for ");
		put_pid(stderr, p);
		if (t->res.flags & PROCCN_WATCH_SUBTREE)
			fprintf(stderr, ": processes of its tree born and orphaned meanwhile "
				"may still run\n");
		else
			fprintf(stderr, ": the answer may be incomplete\n");
	}
}

static int on_watch(const struct proccn_watch_result *res, void *userdata)
{
	struct waiter *w = userdata;
	int i;

	for (i = 0; i < w->n; i++) {
		struct target *t = &w->tg[i];

		if (t->id != res->id || t->done)
			continue;
		/* Copy: the record is valid during the call only. Its strings
		 * are NULL in a watch result; comm is an array, copied. */
		memcpy(&t->res, res, res->sz < sizeof(t->res) ? res->sz : sizeof(t->res));
		t->done = true;
		w->left--;
		if (w->verbose)
			print_end(t);
		print_notes(t);
	}
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROG " [OPTION]... PID...\n"
		"Wait until each PID has ended (at most %d).\n\n"
		"  -t, --tree          wait for each PID and everything forked from it, even\n"
		"                      after a double fork or a reparenting to a subreaper\n"
		"  -T, --timeout MS    give up after MS milliseconds\n"
		"  -v, --verbose       print how each PID ended\n"
		"  -h, --help          this help\n\n"
		"Exit status: the status of the last PID as a shell shows it (its exit\n"
		"code, or 128+N when killed by signal N); 0 when its status is unknown\n"
		"(its exit event was lost: a note says so); %d when it was not running;\n"
		"%d when the timeout expired first; %d on a usage error or a failure.\n"
		"Descendants that were orphaned before " PROG " started are not known.\n",
		MAX_PIDS, EXIT_NOT_FOUND, EXIT_TIMEOUT, EXIT_ERROR);
}

/* A PID: a positive decimal number that fits a pid_t. */
static int parse_pid(const char *s, pid_t *pid)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v <= 0 || v > INT_MAX)
		return -EINVAL;
	*pid = (pid_t)v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "tree", no_argument, NULL, 't' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct waiter w;	/* static: 64 results, some 15 kB, off the stack */
	struct proccn_table_callbacks cb;
	struct proccn_table_stats st;
	struct proccn_table *t = NULL;
	struct sigaction sa;
	uint32_t flags = 0;
	long timeout_ms = -1;
	int64_t deadline = 0;
	bool timed_out = false;
	char *end;
	int c, i, r, rc;

	while ((c = getopt_long(argc, argv, "tT:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			flags |= PROCCN_WATCH_SUBTREE;
			break;
		case 'T':
			errno = 0;
			timeout_ms = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || timeout_ms < 0 ||
			    timeout_ms > INT_MAX) {
				fprintf(stderr, PROG ": --timeout wants milliseconds "
					"(0..%d), not '%s'\n", INT_MAX, optarg);
				return EXIT_ERROR;
			}
			break;
		case 'v':
			w.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (optind == argc || argc - optind > MAX_PIDS) {
		fprintf(stderr, PROG ": %s\n", optind == argc ? "no PID given" :
			"too many PIDs (a table watches at most 64 at a time)");
		usage(stderr);
		return EXIT_ERROR;
	}
	for (i = optind; i < argc; i++) {
		struct target *tg = &w.tg[w.n++];

		if (parse_pid(argv[i], &tg->pid) < 0) {
			fprintf(stderr, PROG ": '%s' is not a PID\n", argv[i]);
			return EXIT_ERROR;
		}
		if (tg->pid == getpid()) {
			fprintf(stderr, PROG ": %d is this process: it would wait forever\n",
				(int)tg->pid);
			return EXIT_ERROR;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	/*
	 * No SA_RESTART: a signal makes a waiting dispatch return -EINTR. We
	 * catch it rather than die of it so that proccn_table_close() runs
	 * (it unsubscribes: the kernel does not count a merely closed socket
	 * out of its listeners), then die of it all the same (below), so that
	 * a calling shell sees the interrupt.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	/* The timeout counts from here: opening the table scans all of /proc,
	 * which takes a while on a busy machine. */
	if (timeout_ms >= 0)
		deadline = now_ms() + timeout_ms;

	/* NULL handle: the table opens its own (every event kind). No optional
	 * fields: the names from /proc/PID/stat are all we print. */
	r = proccn_table_open(&t, NULL, NULL);
	if (r < 0) {
		fprintf(stderr, PROG ": %s\n", proccn_strerror(r));
		return EXIT_ERROR;
	}
	/* Watch every PID now, right after the scan: each watch binds to the
	 * process that has the pid now, and one that is gone completes at
	 * once (PROCCN_WATCH_GONE), so neither a dead pid nor a recycled one
	 * can make us hang. */
	for (i = 0; i < w.n; i++) {
		r = proccn_table_watch(t, w.tg[i].pid, flags, &w.tg[i].id);
		if (r < 0) {
			fprintf(stderr, PROG ": cannot watch %d: %s\n", (int)w.tg[i].pid,
				r == -ENOSPC ? "the table is full, the process is not tracked"
					     : proccn_strerror(r));
			proccn_table_close(t);
			return EXIT_ERROR;
		}
	}
	w.left = w.n;

	/*
	 * proccn_table_wait() does all this in one call for one PID. We
	 * dispatch ourselves to wait for several at once, and so that a
	 * signal that lands just before a blocking wait cannot leave us asleep
	 * until the next event on the machine: each wait is at most 1 s.
	 */
	memset(&cb, 0, sizeof(cb));
	cb.sz = sizeof(cb);
	cb.on_watch = on_watch;
	/* Timeout 0 first: the watches of gone PIDs are reported at once. */
	r = proccn_table_dispatch(t, &cb, &w, 0);
	while ((r >= 0 || r == -EINTR) && w.left > 0 && !stop_signal) {
		int64_t slice = 1000;

		if (timeout_ms >= 0) {
			int64_t left = deadline - now_ms();

			if (left <= 0) {
				timed_out = true;
				break;
			}
			if (left < slice)
				slice = left;
		}
		r = proccn_table_dispatch(t, &cb, &w, (int)slice);
	}

	rc = 0;
	if (stop_signal) {
		rc = -1;
	} else if (r < 0 && r != -EINTR) {
		fprintf(stderr, PROG ": %s\n", proccn_strerror(r));
		rc = EXIT_ERROR;
	} else if (timed_out) {
		if (w.verbose)
			for (i = 0; i < w.n; i++)
				if (!w.tg[i].done)
					printf("%d: still running after %ld ms\n",
					       (int)w.tg[i].pid, timeout_ms);
		rc = EXIT_TIMEOUT;
	} else {
		/* Like the shell's `wait PID...`: the last one's status. */
		const struct target *last = &w.tg[w.n - 1];

		if (last->res.quality == PROCCN_WATCH_GONE)
			rc = EXIT_NOT_FOUND;
		else if (last->res.root.flags & PROCCN_PROC_F_INFERRED)
			rc = 0;	/* unknown; on_watch printed a note */
		else
			rc = shell_status(&last->res.root);
		/* A full table tracks no new process: a tree member may be among them. */
		memset(&st, 0, sizeof(st));
		st.sz = sizeof(st);
		if ((flags & PROCCN_WATCH_SUBTREE) && proccn_table_get_stats(t, &st) == 0 &&
		    st.untracked)
			fprintf(stderr, PROG ": warning: the table was full, %" PRIu64
				" processes were not tracked: descendants among them were "
				"not waited for\n", st.untracked);
	}
	proccn_table_close(t);

	if (rc < 0) {
		/* Die of the signal, now that we have unsubscribed. */
		signal(stop_signal, SIG_DFL);
		raise(stop_signal);
		return 128 + stop_signal;
	}
	return rc;
}
