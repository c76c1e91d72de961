/* SPDX-License-Identifier: MIT-0 */
/*
 * crash-report - name every process that ends abnormally (a non-zero exit
 * code, or killed by a signal): pid, name, executable, command line, parent,
 * lifetime and status, one line each. A copy-paste starter for the libproccn
 * process table (<proccn_table.h>).
 *
 * The kernel's exit event says only "pid 4711 exited 139", and /proc/4711 is
 * gone by then. The table remembers every process from its fork or exec (or
 * from a /proc scan), so at the exit we still know who it was and who ran it.
 * It also knows when a process ends: when its last thread does, with that
 * thread's status (a worker thread's SIGSEGV after main called
 * pthread_exit()), which a raw exit event does not tell.
 *
 * Usage: crash-report [--all] [--no-cmdline]   (see --help and README.md)
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <proccn_table.h>

#define PROG "crash-report"

static volatile sig_atomic_t stop;

struct report {
	struct proccn_table *t;	/* for the parent lookups in on_exit */
	bool all;		/* --all: clean exits too */
	bool cmdline;		/* command lines are read (not --no-cmdline) */
	uint64_t reported;
	int write_err;		/* errno of a failed write to stdout */
};

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * Names, paths and arguments are chosen by whoever starts the process: print
 * them so that they cannot send escape sequences to a terminal or forge a
 * line. Bytes outside printable ASCII become \xHH and a backslash \\; with
 * @space, a space becomes \x20 too, so that in a command line a space only
 * ever separates two arguments and the line splits back into the exact argv.
 */
static void put_escaped(const char *s, size_t n, bool space)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c >= 0x7f || (space && c == ' '))
			printf("\\x%02x", c);
		else if (c == '\\')
			fputs("\\\\", stdout);
		else
			putchar(c);
	}
}

/* The process's name, or why there is none. */
static void put_name(const struct proccn_proc *p)
{
	/* UNNAMED: it exec'd, but was gone before /proc could tell what it
	 * ran. The table then says "unknown" rather than keep the old image's
	 * name, which would name the wrong program. */
	if ((p->flags & PROCCN_PROC_F_COMM) && !(p->flags & PROCCN_PROC_F_UNNAMED))
		put_escaped(p->comm, strnlen(p->comm, sizeof(p->comm)), false);
	else
		fputs("name unknown", stdout);
}

/* "HH:MM:SS.uuuuuu" local time of a CLOCK_MONOTONIC timestamp. */
static void put_time(uint64_t mono_ns)
{
	struct timespec ts;
	struct tm tm;
	char buf[32];

	if (proccn_timestamp_to_realtime(mono_ns, &ts) < 0)
		clock_gettime(CLOCK_REALTIME, &ts);	/* best effort: now */
	localtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
	printf("%s.%06ld", buf, ts.tv_nsec / 1000);
}

static void put_status(const struct proccn_proc *p)
{
	struct proccn_exit_status st;
	const char *sig;

	if (p->flags & PROCCN_PROC_F_INFERRED) {
		/* Its EXIT was among the events lost; the resync that followed
		 * found it gone. It may well have crashed: say so, don't guess. */
		fputs("ended, status unknown (its exit event was lost; a resync found it gone)",
		      stdout);
		return;
	}
	proccn_decode_exit(p->exit_code, &st);
	if (st.exited) {
		printf("exited %d", st.code);
	} else if (st.signaled) {
		sig = sigabbrev_np(st.signal);	/* "SEGV"; NULL for unnamed numbers */
		if (sig)
			printf("killed by SIG%s", sig);
		else
			printf("killed by signal %d", st.signal);
		if (st.core_dumped)
			fputs(" (core dumped)", stdout);
	} else {
		printf("status 0x%" PRIx32, p->exit_code);
	}
}

/* The parent as it is now (the table follows reparenting), by name. */
static void put_parent(const struct proccn_table *t, pid_t ppid)
{
	struct proccn_proc parent;

	if (ppid <= 0) {
		fputs("unknown", stdout);
		return;
	}
	printf("%d (", (int)ppid);
	memset(&parent, 0, sizeof(parent));
	parent.sz = sizeof(parent);
	/* A query from inside a callback is fine: it does not change the table. */
	if (proccn_table_get(t, ppid, &parent) == 0)
		put_name(&parent);
	else
		fputs("name unknown", stdout);
	putchar(')');
}

/* argv as NUL-separated bytes: the arguments, separated by spaces. */
static void put_cmdline(const struct proccn_proc *p)
{
	size_t len = p->cmdline_len, i, start = 0;

	if (!(p->flags & PROCCN_PROC_F_CMDLINE)) {
		fputs("; cmdline unknown", stdout);
		return;
	}
	/* "(truncated)" before the colon: after it, any text could be an argument. */
	fputs(p->flags & PROCCN_PROC_F_TRUNCATED ? "; cmdline (truncated):" : "; cmdline:",
	      stdout);
	while (len > 0 && p->cmdline[len - 1] == '\0')
		len--;	/* the final NUL, and padding (trailing empty arguments too: rare) */
	if (len == 0) {
		/* Kernel threads have none; so has a process that cleared its
		 * own (read after death, it would be unknown instead). */
		fputs(" (empty)", stdout);
		return;
	}
	for (i = 0; i <= len; i++) {
		if (i == len || p->cmdline[i] == '\0') {
			putchar(' ');
			put_escaped(p->cmdline + start, i - start, true);
			start = i + 1;
		}
	}
}

/*
 * One line per exit worth reporting:
 *   TIME pid PID (NAME) STATUS after LIFETIME; parent PPID (NAME); exe PATH; cmdline: ARGS
 * The command line comes last, so that whatever its arguments say, it cannot
 * be mistaken for another field.
 */
static int on_exit_proc(const struct proccn_proc *p, void *userdata)
{
	struct report *rep = userdata;
	struct proccn_exit_status st;

	proccn_decode_exit(p->exit_code, &st);
	/* An inferred exit has no status (exit_code is 0): it may have been a
	 * crash, so it is always reported, marked as such. */
	if (!rep->all && !(p->flags & PROCCN_PROC_F_INFERRED) &&
	    !st.signaled && !(st.exited && st.code != 0))
		return 0;

	put_time(p->exit_ns);
	printf(" pid %d (", (int)p->pid);
	put_name(p);
	fputs(") ", stdout);
	put_status(p);
	/* start_ns is 0 when unknown; for a process found by a /proc scan
	 * (F_SCANNED) it has the 1/USER_HZ precision of /proc, which is fine. */
	if (p->start_ns && p->exit_ns >= p->start_ns)
		/* inferred: exit_ns is when the resync found it gone */
		printf(" after %s%.3fs", p->flags & PROCCN_PROC_F_INFERRED ? "at most " : "",
		       (double)(p->exit_ns - p->start_ns) / 1e9);
	else
		fputs(" after an unknown time", stdout);
	fputs("; parent ", stdout);
	put_parent(rep->t, p->ppid);
	fputs("; exe ", stdout);
	/* F_FORKED (no exec since its fork): exe and cmdline are its parent's
	 * image, which is what it ran, so they are printed as they are. */
	if (p->flags & PROCCN_PROC_F_EXE)
		put_escaped(p->exe, strlen(p->exe), false);
	else
		fputs("unknown", stdout);
	if (rep->cmdline)
		put_cmdline(p);
	putchar('\n');
	rep->reported++;

	/* A reader that went away: stop, so that main() closes the table (and
	 * unsubscribes) instead of dying of SIGPIPE. */
	if (ferror(stdout)) {
		rep->write_err = errno ? errno : EIO;
		return -rep->write_err;
	}
	return 0;
}

/* Loss is not an error: the table resyncs from /proc after it. */
static int on_loss(const struct proccn_loss *loss, void *userdata)
{
	(void)userdata;
	if (loss->count)
		fprintf(stderr, PROG ": %s%" PRIu64 " events lost", loss->exact ? "" : "about ",
			loss->count);
	else
		fprintf(stderr, PROG ": events lost");
	fprintf(stderr, " (%s); resyncing from /proc: exits in the gap are reported as "
		"'status unknown', and processes born and gone in it cannot be known\n",
		loss->reason == PROCCN_LOSS_OVERRUN ? "receive buffer overrun" :
		loss->reason == PROCCN_LOSS_SEQ_GAP ? "sequence gap" :
		loss->reason == PROCCN_LOSS_NEGOTIATION ? "while subscribing" : "unknown reason");
	return 0;
}

static int on_resync(const struct proccn_resync *r, void *userdata)
{
	(void)userdata;
	/* The first report is the scan of proccn_table_open(): from now on
	 * every exit is seen (a test waits for this line). */
	if (r->initial)
		fprintf(stderr, PROG ": following %" PRIu32 " processes\n", r->scanned);
	else
		fprintf(stderr, PROG ": resync done in %.1f ms: %" PRIu32 " processes read, %"
			PRIu32 " found gone, %" PRIu32 " found new, %" PRIu32 " pids reused, %"
			PRIu32 " changed\n", (double)(r->ended_ns - r->started_ns) / 1e6,
			r->scanned, r->exited, r->added, r->replaced, r->changed);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROG " [OPTION]...\n"
		"Print one line for every process that ends with a non-zero exit code or\n"
		"is killed by a signal: pid, name, status, lifetime, parent, executable\n"
		"and command line. Exits whose event was lost are reported as 'status\n"
		"unknown'. Losses and resyncs go to stderr.\n\n"
		"  -a, --all         every exit, clean ones too\n"
		"  -n, --no-cmdline  do not read command lines: a read of /proc/PID/cmdline\n"
		"                    can block while that process is stuck, and command\n"
		"                    lines may hold secrets you do not want in a log\n"
		"  -h, --help        this help\n\n"
		"Exit status: 0 on SIGINT/SIGTERM, 1 on a failure, 2 on a usage error.\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "no-cmdline", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct proccn_table_callbacks cb;
	struct proccn_table_stats st;
	struct report rep;
	struct sigaction sa;
	int c, r;

	memset(&rep, 0, sizeof(rep));
	rep.cmdline = true;
	while ((c = getopt_long(argc, argv, "anh", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			rep.all = true;
			break;
		case 'n':
			rep.cmdline = false;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}

	/*
	 * The executable and the command line are read from /proc at each
	 * exec (and for each process the first scan finds), while the process
	 * still runs: at its exit it is too late.
	 *
	 * The command line hazard: reading /proc/PID/cmdline takes the
	 * target's mmap lock. A process stuck in D state with that lock held
	 * (a hung NFS or FUSE mount, a page fault on a dead device) makes the
	 * read wait, and with it this whole program: no exit is reported
	 * until the stuck process moves. The table does its reads inline, in
	 * proccn_table_dispatch(). --no-cmdline avoids the risk; a daemon that
	 * needs command lines and must never stall could read them in a
	 * helper thread instead. (Command lines may also hold passwords and
	 * tokens: think twice before you log them.)
	 */
	PROCCN_OPTS(proccn_table_opts, opts,
		    .fields = PROCCN_TABLE_EXE | (rep.cmdline ? PROCCN_TABLE_CMDLINE : 0));

	memset(&cb, 0, sizeof(cb));
	cb.sz = sizeof(cb);
	cb.on_exit = on_exit_proc;
	cb.on_loss = on_loss;
	cb.on_resync = on_resync;

	/* No SA_RESTART: a signal makes the wait in the dispatch return -EINTR.
	 * SIGPIPE ignored: a closed pipe must end the loop through
	 * proccn_table_close(), which unsubscribes (the kernel does not count
	 * a merely closed socket out of its listeners). */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* NULL handle: the table opens its own, with every event kind. It
	 * scans /proc now; the events since the subscription wait in the
	 * socket for the first dispatch. */
	r = proccn_table_open(&rep.t, NULL, &opts);
	if (r < 0) {
		fprintf(stderr, PROG ": %s\n", proccn_strerror(r));
		return 1;
	}

	/* Timeout 0 first: the open's resync report is held work, not a
	 * datagram. Then 1 s at a time: the timeout bounds how late a signal
	 * that lands just before the wait is noticed. */
	r = proccn_table_dispatch(rep.t, &cb, &rep, 0);
	while (!stop && !rep.write_err && (r >= 0 || r == -EINTR))
		r = proccn_table_dispatch(rep.t, &cb, &rep, 1000);

	memset(&st, 0, sizeof(st));
	st.sz = sizeof(st);
	if (proccn_table_get_stats(rep.t, &st) == 0)
		fprintf(stderr, PROG ": %" PRIu64 " exits seen (%" PRIu64 " inferred), %" PRIu64
			" reported\n", st.exits, st.exits_inferred, rep.reported);
	proccn_table_close(rep.t);	/* unsubscribes: always close, even on error */
	if (rep.write_err) {
		/* A reader that went away (EPIPE) is a normal end; say anything else. */
		if (rep.write_err == EPIPE)
			return 0;
		fprintf(stderr, PROG ": writing output: %s\n", strerror(rep.write_err));
		return 1;
	}
	if (r < 0 && r != -EINTR) {
		fprintf(stderr, PROG ": %s\n", proccn_strerror(r));
		return 1;
	}
	return 0;
}
