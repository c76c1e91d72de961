/* SPDX-License-Identifier: MIT-0 */
/*
 * proccn-watch - every process event on this machine, one line each, with
 * the names of the process and its parent, its lifetime at exit, its user,
 * tty and cgroup (-x), filtered by process, subtree, name or user; or JSON
 * Lines for log pipelines; or a pwait that never hangs on a dead or reused
 * pid (--wait).
 *
 * Built on the process table (<proccn_table.h>), which knows each process
 * from birth to exit and stays exact after a loss (a resync from /proc).
 * Installed with the library (meson option `tools`); see tools/README.md
 * for the formats, tools/proccn-watch.schema.json for the JSON, and
 * man/proccn-watch.1.txt for the manual page. The parts: watch.h.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "watch.h"

/* --wait: the watched process's status could not be known (it was not
 * running when we started, or its exit was lost). */
#define EXIT_UNKNOWN 255

/* Set by the signal handler; read between and during dispatches. */
static volatile sig_atomic_t stop_signal;

struct watch {
	/* options */
	bool json, extra, stats_on;
	enum name_mode name;
	uint64_t max_lines;        /* --count; 0 = unlimited */
	struct filter f;
	pid_t wait_pid;            /* --wait: 0 = off */
	uint32_t wait_flags;       /* PROCCN_WATCH_SUBTREE with --tree */
	/* state */
	struct proccn *h;
	struct proccn_table *t;
	struct stats *stats;
	uint64_t shown, hidden, cut;
	bool done;                 /* --count reached */
	bool draining;             /* stopping: print what is queued, then exit */
	bool starting;             /* the first scan runs, --pid/--tree not bound yet */
	int write_err;             /* errno of a failed write to stdout */
	/* the process end the table reported for the EXIT being dispatched:
	   its raw event comes next, with the thread and exit_signal */
	pid_t ended_pid;
	uint64_t ended_key;
	/* --wait */
	uint64_t wait_id;
	bool wait_done;
	struct proccn_watch_result result;
	struct line line;          /* the line being built */
};

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* ---- output ------------------------------------------------------------- */

/* One line out, in one write. */
static void emit(struct watch *w)
{
	if (w->line.cut) {
		/* cannot happen with LINE_CAP; a cut JSON line would not parse */
		w->cut++;
		if (w->json)
			return;
	}
	fwrite(w->line.buf, 1, w->line.len, stdout);
}

/* After each line: stop on a signal, on --count, or when stdout broke (a
 * closed pipe must end the program through proccn_close(), not SIGPIPE, so
 * that the kernel sees our IGNORE). */
static int after_output(struct watch *w, bool counted)
{
	if (ferror(stdout)) {
		w->write_err = errno ? errno : EIO;
		return -w->write_err;
	}
	if (counted && w->max_lines && ++w->shown >= w->max_lines) {
		w->done = true;
		return -ECANCELED;
	}
	if (stop_signal && !w->draining)
		return -EINTR;
	return 0;
}

/* Filter, count and print one item. */
static int show(struct watch *w, const struct item *it)
{
	if (w->starting || !filter_match(&w->f, it)) {
		w->hidden++;
		return stop_signal && !w->draining ? -EINTR : 0;
	}
	if (w->stats)
		stats_count(w->stats, it);
	line_reset(&w->line);
	if (w->json)
		json_item(&w->line, it, w->name);
	else
		text_item(&w->line, it, w->name);
	emit(w);
	if (!w->max_lines)
		w->shown++;
	return after_output(w, true);
}

/* The parent record of @p (or of pid @ppid), if it is the process that
 * was the parent: a pid reused by a younger process is not. */
static const struct proccn_proc *find_parent(const struct watch *w, pid_t ppid,
					     uint64_t born_ns, struct proccn_proc *out)
{
	if (ppid <= 0 || proccn_table_get(w->t, ppid, out) < 0 || out->start_ns > born_ns)
		return NULL;
	return out;
}

/* ---- the table's callbacks ---------------------------------------------- */

static int t_on_start(const struct proccn_proc *p, void *userdata)
{
	struct watch *w = userdata;

	/* a fork, or a process a resync found (its fork was lost) */
	filter_fork(&w->f, p->pid, p->ppid);
	return 0;
}

static int t_on_exit(const struct proccn_proc *p, void *userdata)
{
	struct watch *w = userdata;
	struct proccn_proc parent = { .sz = sizeof(parent) };
	struct item it;
	int r;

	if (!(p->flags & PROCCN_PROC_F_INFERRED)) {
		/* printed with its EXIT event, which the raw callback gets next */
		w->ended_pid = p->pid;
		w->ended_key = p->key;
		return 0;
	}
	memset(&it, 0, sizeof(it));
	it.kind = PROCCN_EV_EXIT;
	it.ts_ns = p->exit_ns;
	it.cpu = -1;
	it.pid = p->pid;
	it.ppid = p->ppid;
	it.proc = p;
	it.parent = find_parent(w, p->ppid, p->start_ns, &parent);
	it.ended = true;
	it.inferred = true;
	r = show(w, &it);
	filter_end(&w->f, p->pid);
	return r;
}

static bool counted_as_gaps(struct proccn *h, const struct proccn_loss *loss)
{
	struct proccn_stats s;

	memset(&s, 0, sizeof(s));
	s.sz = sizeof(s);
	return loss->reason == PROCCN_LOSS_OVERRUN && loss->count == 0 &&
	       proccn_get_stats(h, &s) == 0 && s.lost_exact;
}

static int t_on_loss(const struct proccn_loss *loss, void *userdata)
{
	struct watch *w = userdata;
	const char *reason = loss->reason == PROCCN_LOSS_OVERRUN ? "overrun" :
			     loss->reason == PROCCN_LOSS_SEQ_GAP ? "seq_gap" :
			     loss->reason == PROCCN_LOSS_NEGOTIATION ? "negotiation" : "unknown";

	line_reset(&w->line);
	if (w->json)
		json_loss(&w->line, loss, reason);
	else
		text_loss(&w->line, loss, reason, counted_as_gaps(w->h, loss));
	emit(w);
	return after_output(w, false);
}

static int t_on_resync(const struct proccn_resync *r, void *userdata)
{
	struct watch *w = userdata;

	if (r->initial)
		return 0;	/* the scan at start: nothing was lost */
	line_reset(&w->line);
	if (w->json)
		json_resync(&w->line, r);
	else
		text_resync(&w->line, r);
	emit(w);
	return after_output(w, false);
}

static int t_on_watch(const struct proccn_watch_result *res, void *userdata)
{
	struct watch *w = userdata;

	if (!w->wait_pid || res->id != w->wait_id)
		return 0;
	w->result = *res;
	w->wait_done = true;
	/* the EXIT being dispatched is still printed: the table calls the raw
	   callback for it before the dispatch stops */
	return -ECANCELED;
}

/* ---- every kernel event, after the table applied it --------------------- */

static int r_on_event(const union proccn_event *ev, void *userdata)
{
	struct watch *w = userdata;
	struct proccn_proc proc = { .sz = sizeof(proc) }, parent = { .sz = sizeof(parent) };
	struct extra x;
	struct item it;
	bool found = false;
	int r;

	memset(&it, 0, sizeof(it));
	it.kind = ev->hdr.kind;
	it.ev = ev;
	it.ts_ns = ev->hdr.timestamp_ns;
	it.cpu = (int)ev->hdr.cpu;
	switch (ev->hdr.kind) {
	case PROCCN_EV_FORK:
		it.pid = ev->fork.child_tgid;
		it.tid = ev->fork.child_pid;
		it.ppid = ev->fork.parent_tgid;
		break;
	case PROCCN_EV_EXEC:
		it.pid = ev->exec.tgid;
		it.tid = ev->exec.pid;
		break;
	case PROCCN_EV_EXIT:
		it.pid = ev->exit.tgid;
		it.tid = ev->exit.pid;
		it.ppid = ev->exit.parent_tgid;
		break;
	case PROCCN_EV_COREDUMP:
		it.pid = ev->coredump.tgid;
		it.tid = ev->coredump.pid;
		it.ppid = ev->coredump.parent_tgid;
		break;
	case PROCCN_EV_UID:
	case PROCCN_EV_GID:
	case PROCCN_EV_SID:
	case PROCCN_EV_PTRACE:
	case PROCCN_EV_COMM:
		/* the same layout: pid, tgid first */
		it.pid = ev->uid.tgid;
		it.tid = ev->uid.pid;
		break;
	default:
		break;	/* a kind newer than the library: no pid we can trust */
	}
	it.thread = it.tid != it.pid;

	if (it.kind == PROCCN_EV_EXIT && w->ended_key && w->ended_pid == it.pid) {
		/* the end of the process the table just reported */
		it.ended = true;
		found = proccn_table_get_key(w->t, w->ended_key, &proc) == 0;
		w->ended_key = 0;
	} else if (it.pid > 0) {
		found = proccn_table_get(w->t, it.pid, &proc) == 0 &&
			proc.state != PROCCN_PROC_EXITED && it.ts_ns >= proc.start_ns;
		if (it.kind == PROCCN_EV_EXIT) {
			/* one thread of a process that runs on; or the EXIT of a
			   process the table does not know (it was full, or it began
			   while events were lost): the kernel's main-thread EXIT */
			it.ended = !found && !it.thread;
			it.threads_left = found ? (int)proc.threads : 0;
		}
	}
	if (found) {
		it.proc = &proc;
		if (proc.ppid > 0)
			it.ppid = proc.ppid;
	}
	it.parent = find_parent(w, it.ppid, found ? proc.start_ns : it.ts_ns, &parent);
	if (w->extra && found && !it.thread &&
	    (it.kind == PROCCN_EV_EXEC || it.kind == PROCCN_EV_UID)) {
		fill_extra(&proc, &x);
		it.x = &x;
	}
	r = show(w, &it);
	if (it.ended)
		filter_end(&w->f, it.pid);
	return r;
}

/* ---- --probe ------------------------------------------------------------ */

static const char *yes_no(int v)
{
	return v > 0 ? "yes" : v == 0 ? "no " : "?  ";	/* 1, 0, -1 */
}

static void probe_line(const char *what, int v, const char *yes, const char *no)
{
	printf("%-16s %s  %s\n", what, yes_no(v),
	       v > 0 ? yes : v == 0 ? no : "could not tell");
}

static int do_probe(void)
{
	struct proccn_probe p;
	int r;

	memset(&p, 0, sizeof(p));
	p.sz = sizeof(p);
	r = proccn_probe(&p);
	if (r < 0) {
		fprintf(stderr, PROG ": probe failed: %s\n", proccn_strerror(r));
		return 1;
	}
	probe_line("connector", p.connector, "socket(NETLINK_CONNECTOR) works",
		   "the kernel has no CONFIG_CONNECTOR");
	probe_line("proc_events", p.proc_events, "cn_proc is listed in /proc/net/connector",
		   "the kernel has no CONFIG_PROC_EVENTS");
	probe_line("initial netns", p.initial_netns, "in the initial network namespace",
		   "in a network namespace: the kernel refuses the subscription");
	probe_line("initial userns", p.initial_userns, "in the initial user namespace",
		   "in a user namespace (container): the kernel ignores requests");
	probe_line("initial pidns", p.initial_pidns, "in the initial PID namespace",
		   "in a PID namespace (container): the kernel ignores requests");
	probe_line("cap_net_admin", p.cap_net_admin, "CAP_NET_ADMIN is effective",
		   "no CAP_NET_ADMIN: fine on Linux 6.6+, needed on older kernels");
	/* Both are -1 when the subscription failed, and exactly one is 1 otherwise. */
	probe_line("kernel_filter", p.kernel_filter,
		   "Linux 6.6+ protocol: the kernel filters events by mask",
		   "no 6.6+ protocol (older kernel): the library filters in userspace");
	probe_line("legacy", p.legacy,
		   "the pre-6.6 subscription is in use",
		   "not needed: the 6.6+ protocol works");
	if (p.subscribe_error == 0)
		printf("%-16s %s  %s\n", "subscribe", "yes", "proccn_open() works here");
	else
		printf("%-16s %s  %s\n", "subscribe", "no ", proccn_strerror(p.subscribe_error));
	return 0;
}

/* ---- options and main --------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROG " [OPTION]...\n"
		"Print process events (fork, exec, exit, ...) as they happen, with the names\n"
		"of each process and its parent, and each process's lifetime at exit.\n\n"
		"What to show:\n"
		"  -e, --events LIST     only these events, comma-separated, e.g. fork,exec,exit\n"
		"                        (names: fork exec uid gid sid ptrace comm coredump\n"
		"                        exit nonzero-exit all; default all)\n"
		"  -p, --processes-only  hide threads: their forks, and exits that do not end\n"
		"                        the process\n"
		"      --pid PID         only that process (and the forks it makes)\n"
		"      --tree PID        that process and every descendant, followed through\n"
		"                        forks as they happen\n"
		"      --comm NAME       only processes with that name (repeatable)\n"
		"      --user USER       only processes whose real or effective user is USER\n"
		"                        (a name or a number; repeatable)\n\n"
		"How to show it:\n"
		"  -j, --json            JSON Lines (one object per line, see the schema)\n"
		"  -x, --extra           user names, tty, cgroup, systemd unit or container id\n"
		"                        on exec and uid events\n"
		"      --name WHAT       the name shown: comm (default), exe or cmdline\n"
		"  -S, --stats           at the end, the events per process name (stderr)\n\n"
		"When to stop:\n"
		"  -c, --count N         after N lines of events\n"
		"      --wait [PID]      when that process is gone (with --tree: the whole\n"
		"                        subtree), with its exit status as ours\n\n"
		"Other:\n"
		"  -l, --legacy          force the pre-6.6 subscription (userspace filter)\n"
		"      --probe           tell what works on this machine, then exit\n"
		"      --version         print the library's version, then exit\n"
		"  -h, --help            this help\n\n"
		"Columns: time, event, pid (the process), name, ppid, parent's name, details.\n"
		"Totals go to stderr at the end. Exit status: 0, 1 error, 2 usage; with --wait\n"
		"the process's exit code, 128+N when killed by signal N, 255 when unknown.\n");
}

/* Say which item of a bad -e list is wrong (the library only says "invalid"). */
static void report_bad_events(const char *list)
{
	static const uint32_t kinds[] = {
		PROCCN_EV_FORK, PROCCN_EV_EXEC, PROCCN_EV_UID, PROCCN_EV_GID, PROCCN_EV_SID,
		PROCCN_EV_PTRACE, PROCCN_EV_COMM, PROCCN_EV_COREDUMP, PROCCN_EV_EXIT,
		PROCCN_EV_NONZERO_EXIT, PROCCN_EV_ALL,
	};
	char *copy = strdup(list), *rest = copy, *item;
	uint32_t k;
	size_t i;

	/* strsep, unlike strtok, keeps empty items, which the library rejects too. */
	while (copy && (item = strsep(&rest, ",")) != NULL) {
		if (*item == '\0')
			fprintf(stderr, PROG ": -e '%s': empty event name in the list\n", list);
		else if (proccn_kind_from_name(item, &k) < 0)
			fprintf(stderr, PROG ": -e: unknown event name '%s'\n", item);
	}
	free(copy);
	fprintf(stderr, PROG ": valid names:");
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		const char *n = proccn_kind_name(kinds[i]);

		if (n)
			fprintf(stderr, " %s", n);
	}
	fprintf(stderr, "\n");
}

/*
 * A number, strictly: decimal digits only, no sign, no blank, no overflow,
 * within [min, max]. strtoull() alone skips blanks and takes "-1" as
 * 2^64-1, which made `-c ' -1'` run forever.
 */
static int parse_number(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *c;

	if (!*s)
		return -EINVAL;
	for (c = s; *c; c++) {
		if (*c < '0' || *c > '9')
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)(*c - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*c - '0');
	}
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/* The largest pid Linux can have (PID_MAX_LIMIT). */
#define PID_LIMIT 4194304

static int parse_pid(const char *opt, const char *s, pid_t *pid)
{
	uint64_t v;

	if (parse_number(s, 1, PID_LIMIT, &v) < 0) {
		fprintf(stderr, PROG ": %s wants a process id (1 to %d), not '%s'\n", opt,
			PID_LIMIT, s);
		return -1;
	}
	*pid = (pid_t)v;
	return 0;
}

static void print_totals(const struct watch *w)
{
	struct proccn_table_stats ts;
	struct proccn_stats s;

	memset(&s, 0, sizeof(s));
	s.sz = sizeof(s);
	if (proccn_get_stats(w->h, &s) == 0)
		fprintf(stderr, PROG ": %" PRIu64 " events delivered, %" PRIu64 " lost%s, %" PRIu64
			" filtered, %" PRIu64 " malformed, %" PRIu64 " spoofed (%" PRIu64
			" overruns, %" PRIu64 " kernel drops)\n",
			s.delivered, s.lost, s.lost_exact ? "" : " (sequence gaps not checked)",
			s.filtered, s.malformed, s.spoofed, s.overruns, s.kernel_drops);
	memset(&ts, 0, sizeof(ts));
	ts.sz = sizeof(ts);
	if (proccn_table_get_stats(w->t, &ts) == 0)
		fprintf(stderr, PROG ": %" PRIu64 " lines shown, %" PRIu64 " hidden by filters;"
			" processes: %" PRIu64 " started, %" PRIu64 " found in /proc, %" PRIu64
			" ended (%" PRIu64 " inferred), %" PRIu64 " untracked (table full)\n",
			w->shown, w->hidden, ts.started, ts.scanned, ts.exits, ts.exits_inferred,
			ts.untracked);
	if (w->f.tree_full)
		fprintf(stderr, PROG ": --tree: %" PRIu64 " forks not followed (more than %u"
			" members)\n", w->f.tree_full, 49152u);
	if (w->cut)
		fprintf(stderr, PROG ": %" PRIu64 " lines too long, cut%s\n", w->cut,
			w->json ? " (left out: they would not parse)" : "");
}

/* --wait: say how the process ended, and make it our exit status. */
static int wait_status(const struct watch *w)
{
	const struct proccn_watch_result *res = &w->result;
	const struct proccn_proc *p = &res->root;
	struct proccn_exit_status st;
	struct line l;
	int rc;

	line_reset(&l);
	line_printf(&l, PROG ": %s %d", res->flags & PROCCN_WATCH_SUBTREE ? "tree of" : "process",
		    (int)p->pid);
	if (p->flags & PROCCN_PROC_F_COMM) {
		line_puts(&l, " (");
		line_text(&l, p->comm, strnlen(p->comm, sizeof(p->comm)));
		line_puts(&l, ")");
	}
	if (!(p->flags & PROCCN_PROC_F_EXIT) || (p->flags & PROCCN_PROC_F_INFERRED)) {
		line_puts(&l, res->quality == PROCCN_WATCH_GONE ? ": not running when watched"
								: ": ended, status unknown (its exit was lost)");
		rc = EXIT_UNKNOWN;
	} else {
		line_puts(&l, ": ");
		exit_text(&l, p->exit_code);
		if (lifetime_ns(p) >= 0)
			line_printf(&l, " after %" PRId64 ".%03ds", lifetime_ns(p) / 1000000000,
				    (int)(lifetime_ns(p) / 1000000 % 1000));
		proccn_decode_exit(p->exit_code, &st);
		rc = st.exited ? st.code : st.signaled ? 128 + st.signal : EXIT_UNKNOWN;
	}
	if (res->flags & PROCCN_WATCH_SUBTREE)
		line_printf(&l, "; all %" PRIu32 " processes of the tree have ended", res->members);
	if (res->quality == PROCCN_WATCH_UNCERTAIN)
		line_puts(&l, " (events were lost meanwhile: some may run on)");
	fprintf(stderr, "%.*s\n", (int)l.len, l.buf);
	return rc;
}

/* Before the subscription: free what main() allocated, and exit with @rc. */
static int quit(struct watch *w, int rc)
{
	stats_free(w->stats);
	filter_free(&w->f);
	free(w);
	return rc;
}

int main(int argc, char **argv)
{
	enum { OPT_PROBE = 256, OPT_VERSION, OPT_PID, OPT_TREE, OPT_COMM, OPT_USER, OPT_WAIT,
	       OPT_NAME };
	static const struct option longopts[] = {
		{ "events", required_argument, NULL, 'e' },
		{ "json", no_argument, NULL, 'j' },
		{ "processes-only", no_argument, NULL, 'p' },
		{ "legacy", no_argument, NULL, 'l' },
		{ "count", required_argument, NULL, 'c' },
		{ "extra", no_argument, NULL, 'x' },
		{ "stats", no_argument, NULL, 'S' },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "pid", required_argument, NULL, OPT_PID },
		{ "tree", required_argument, NULL, OPT_TREE },
		{ "comm", required_argument, NULL, OPT_COMM },
		{ "user", required_argument, NULL, OPT_USER },
		{ "wait", optional_argument, NULL, OPT_WAIT },
		{ "probe", no_argument, NULL, OPT_PROBE },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	struct proccn_opts opts = PROCCN_OPTS_INIT;
	PROCCN_OPTS(proccn_table_opts, topts, .fields = PROCCN_TABLE_EXE | PROCCN_TABLE_CMDLINE,
		    .cmdline_max = WATCH_CMDLINE_MAX);
	struct proccn_callbacks raw;
	struct proccn_table_callbacks tcb;
	struct sigaction sa;
	struct watch *w;
	bool probe = false, wait = false;
	pid_t wait_arg = 0;
	uint64_t v;
	int c, r, rc = 0;

	/* 32 KiB of line buffer and the filters: on the heap, once */
	w = calloc(1, sizeof(*w));
	if (!w) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	filter_init(&w->f);
	while ((c = getopt_long(argc, argv, "e:jplc:xSh", longopts, NULL)) != -1) {
		switch (c) {
		case 'e':
			if (proccn_mask_from_string(optarg, &w->f.mask) < 0) {
				report_bad_events(optarg);
				return quit(w, 2);
			}
			break;
		case 'j':
			w->json = true;
			break;
		case 'p':
			w->f.processes_only = true;
			break;
		case 'l':
			opts.flags |= PROCCN_F_FORCE_LEGACY;
			break;
		case 'c':
			if (parse_number(optarg, 1, UINT64_MAX, &v) < 0) {
				fprintf(stderr, PROG ": --count wants a positive number, not '%s'\n",
					optarg);
				return quit(w, 2);
			}
			w->max_lines = v;
			break;
		case 'x':
			w->extra = true;
			break;
		case 'S':
			w->stats_on = true;
			break;
		case OPT_NAME:
			if (strcmp(optarg, "comm") == 0)
				w->name = NAME_COMM;
			else if (strcmp(optarg, "exe") == 0)
				w->name = NAME_EXE;
			else if (strcmp(optarg, "cmdline") == 0)
				w->name = NAME_CMDLINE;
			else {
				fprintf(stderr, PROG ": --name wants comm, exe or cmdline, not '%s'\n",
					optarg);
				return quit(w, 2);
			}
			break;
		case OPT_PID:
			if (parse_pid("--pid", optarg, &w->f.pid) < 0)
				return quit(w, 2);
			break;
		case OPT_TREE:
			if (parse_pid("--tree", optarg, &w->f.tree) < 0)
				return quit(w, 2);
			break;
		case OPT_COMM:
			if (w->f.ncomm == MAX_MATCH || !*optarg) {
				fprintf(stderr, PROG ": --comm: at most %d names, none empty\n",
					MAX_MATCH);
				return quit(w, 2);
			}
			/* the kernel keeps 15 bytes of a name: match those */
			snprintf(w->f.comm[w->f.ncomm++], PROCCN_COMM_LEN, "%s", optarg);
			break;
		case OPT_USER:
			if (w->f.nuid == MAX_MATCH) {
				fprintf(stderr, PROG ": --user: at most %d users\n", MAX_MATCH);
				return quit(w, 2);
			}
			if (parse_user(optarg, &w->f.uid[w->f.nuid]) < 0) {
				fprintf(stderr, PROG ": --user: no user '%s'\n", optarg);
				return quit(w, 2);
			}
			w->f.nuid++;
			break;
		case OPT_WAIT:
			wait = true;
			/* "--wait PID" as well as "--wait=PID": the tool takes no
			   other operand, so a number after it is its pid */
			if (!optarg && optind < argc && argv[optind][0] >= '0' &&
			    argv[optind][0] <= '9')
				optarg = argv[optind++];
			if (optarg && parse_pid("--wait", optarg, &wait_arg) < 0)
				return quit(w, 2);
			break;
		case OPT_PROBE:
			probe = true;
			break;
		case 'h':
			usage(stdout);
			return quit(w, 0);
		case OPT_VERSION:
			/* the library that runs, which may be newer than the header */
			printf(PROG " (libproccn) %s\n", proccn_version());
			return quit(w, 0);
		default:
			usage(stderr);
			return quit(w, 2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return quit(w, 2);
	}
	if (wait) {
		/* --wait PID, --tree PID --wait, or both naming one process */
		if (!wait_arg && !w->f.tree) {
			fprintf(stderr, PROG ": --wait wants a PID, or --tree PID\n");
			return quit(w, 2);
		}
		if ((w->f.tree && wait_arg && wait_arg != w->f.tree) ||
		    (w->f.pid && wait_arg && wait_arg != w->f.pid)) {
			fprintf(stderr, PROG ": --wait %d names another process than --pid or"
				" --tree\n", (int)wait_arg);
			return quit(w, 2);
		}
		w->wait_pid = w->f.tree ? w->f.tree : wait_arg;
		w->wait_flags = w->f.tree ? PROCCN_WATCH_SUBTREE : 0;
		if (!w->f.tree && !w->f.pid)
			w->f.pid = wait_arg;	/* show what it does meanwhile */
	}

	/* Line-buffered even into a pipe, so that consumers see each event at once. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (probe)
		return quit(w, do_probe());

	/*
	 * No SA_RESTART: a signal interrupts the blocking wait inside the
	 * dispatch, which then returns -EINTR. A signal that lands just before
	 * the wait starts is seen at the latest when the 500 ms timeout ends.
	 * SIGPIPE is ignored so that a closed pipe ends the loop through
	 * proccn_close(), which unsubscribes; dying would leak the kernel's
	 * listener count.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (w->stats_on && !(w->stats = stats_new())) {
		fprintf(stderr, PROG ": out of memory\n");
		return quit(w, 1);
	}
	/*
	 * Every event, whatever -e says: the table needs forks, execs and exits
	 * to know who is who, and loss is counted exactly only on the full
	 * subscription. -e, -p and the other filters choose what is shown.
	 */
	r = proccn_open(&w->h, &opts);
	if (r < 0) {
		fprintf(stderr, PROG ": %s\n", proccn_strerror(r));
		return quit(w, 1);
	}
	if (w->extra)
		topts.fields |= PROCCN_TABLE_CGROUP;
	r = proccn_table_open(&w->t, w->h, &topts);
	if (r < 0) {
		fprintf(stderr, PROG ": the process table: %s\n", proccn_strerror(r));
		proccn_close(w->h);
		return quit(w, 1);
	}
	memset(&raw, 0, sizeof(raw));
	raw.sz = sizeof(raw);
	raw.on_event = r_on_event;	/* every kind: one printer */
	memset(&tcb, 0, sizeof(tcb));
	tcb.sz = sizeof(tcb);
	tcb.on_start = t_on_start;
	tcb.on_exit = t_on_exit;
	tcb.on_loss = t_on_loss;
	tcb.on_resync = t_on_resync;
	tcb.on_watch = t_on_watch;
	tcb.raw = &raw;

	/*
	 * The table's first scan of /proc runs in steps between socket drains
	 * (proccn_table_synced() says when it is done), and a process it has not
	 * reached yet is unknown to it: --pid, --tree and --wait bind after it.
	 * The events of that moment are applied to the table, and shown unless
	 * a process was asked for (its filter is not bound yet).
	 */
	w->starting = w->f.pid || w->f.tree;
	while (!stop_signal && (r = proccn_table_synced(w->t)) == 0) {
		r = proccn_table_dispatch(w->t, &tcb, w, 0);
		if (r < 0 && r != -EINTR)
			break;
	}
	w->starting = false;
	if (r < 0 && r != -EINTR) {
		fprintf(stderr, PROG ": %s\n", proccn_strerror(r));
		rc = 1;
		goto out;
	}
	r = filter_start(&w->f, w->t);
	if (r == -ESRCH && w->wait_pid) {
		r = 0;	/* --wait on a process that is gone: the watch says so */
	} else if (r < 0) {
		if (r == -ESRCH)
			fprintf(stderr, PROG ": --%s %d: no such process\n", w->f.tree ? "tree" : "pid",
				(int)(w->f.tree ? w->f.tree : w->f.pid));
		else
			fprintf(stderr, PROG ": %s\n", proccn_strerror(r));
		rc = 1;
		goto out;
	}
	if (w->wait_pid) {
		r = proccn_table_watch(w->t, w->wait_pid, w->wait_flags, &w->wait_id);
		if (r < 0) {
			fprintf(stderr, PROG ": --wait %d: %s\n", (int)w->wait_pid,
				r == -ENOSPC ? "the process table is full" : proccn_strerror(r));
			rc = 1;
			goto out;
		}
	}

	/* Timeout 0 first: what was queued during the scan does not wake poll(). */
	r = proccn_table_dispatch(w->t, &tcb, w, 0);
	while (!stop_signal && !w->done && !w->write_err && !w->wait_done &&
	       (r >= 0 || r == -EINTR))
		r = proccn_table_dispatch(w->t, &tcb, w, 500);
	if (stop_signal && !w->done && !w->write_err && !w->wait_done) {
		/* The events that happened before the signal are still queued:
		   print them (a service stopped by SIGTERM loses nothing it had
		   received), for at most a second if a storm keeps coming. */
		struct timespec t0, t1;

		w->draining = true;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		do {
			r = proccn_table_dispatch(w->t, &tcb, w, 0);
			clock_gettime(CLOCK_MONOTONIC, &t1);
		} while (r > 0 && !w->done && !w->write_err &&
			 (t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec) < 1000000000L);
		if (r > 0)
			r = 0;
	}

	if (w->write_err) {
		/* A reader that went away (EPIPE) is a normal end; say anything else. */
		if (w->write_err != EPIPE) {
			fprintf(stderr, PROG ": writing output: %s\n", strerror(w->write_err));
			rc = 1;
		}
	} else if (r < 0 && r != -EINTR && r != -ECANCELED) {
		fprintf(stderr, PROG ": %s\n", proccn_strerror(r));
		rc = 1;
	}
out:
	if (w->stats)
		stats_print(w->stats, stderr);
	print_totals(w);
	if (rc == 0 && w->wait_done)
		rc = wait_status(w);
	proccn_table_close(w->t);
	proccn_close(w->h);
	return quit(w, rc);
}
