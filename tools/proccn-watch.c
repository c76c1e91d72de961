/* SPDX-License-Identifier: MIT-0 */
/*
 * proccn-watch - print every process event on this machine, one line each
 * (forkstat-style), or as JSON Lines with --json.
 *
 * Installed with the library (meson option `tools`), and a copy-paste starter
 * for libproccn: it uses only <proccn.h>. See tools/README.md for the output
 * formats and the JSON field reference, and man/proccn-watch.1.txt for the
 * manual page.
 */
#include <errno.h>
#include <fcntl.h>
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

#include <proccn.h>

#define PROG "proccn-watch"

/* Set by the signal handler; read between and during dispatches. */
static volatile sig_atomic_t stop_signal;

struct watch {
	bool json;
	uint64_t max_events;	/* --count; 0 = unlimited */
	uint64_t printed;
	bool done;		/* --count reached */
	int write_err;		/* errno of a failed write to stdout */
	struct proccn *h;
};

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* ---- small output helpers ---------------------------------------------- */

/* "HH:MM:SS.uuuuuu" local time (text) or ISO-8601 UTC (JSON) of a timestamp. */
static void format_time(const struct timespec *ts, bool iso, char *buf, size_t len)
{
	unsigned usec = (unsigned)(ts->tv_nsec / 1000) % 1000000u;
	struct tm tm;
	char base[32];

	if (iso) {
		gmtime_r(&ts->tv_sec, &tm);
		strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(buf, len, "%s.%06uZ", base, usec);
	} else {
		localtime_r(&ts->tv_sec, &tm);
		strftime(base, sizeof(base), "%H:%M:%S", &tm);
		snprintf(buf, len, "%s.%06u", base, usec);
	}
}

/* Event timestamps are CLOCK_MONOTONIC; people want wall-clock time. */
static void event_time(uint64_t timestamp_ns, bool iso, char *buf, size_t len)
{
	struct timespec ts;

	if (proccn_timestamp_to_realtime(timestamp_ns, &ts) < 0)
		clock_gettime(CLOCK_REALTIME, &ts);	/* best effort: "now" */
	format_time(&ts, iso, buf, len);
}

/* Length of the valid UTF-8 sequence at s (max n bytes), or 0 if invalid. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	size_t need, i;
	uint32_t cp;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;	/* continuation byte, overlong lead, or > U+10FFFF */
	need = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (n < need)
		return 0;
	cp = s[0] & (0x7f >> need);
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Reject overlong forms, UTF-16 surrogates and values past U+10FFFF. */
	if ((need == 3 && cp < 0x800) || (need == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need;
}

/*
 * A JSON string. comm and cmdline are attacker-controlled bytes: quotes,
 * backslashes and control characters are escaped, valid UTF-8 passes through,
 * and each byte of invalid UTF-8 becomes \u00XX (its Latin-1 reading), so the
 * output is always valid JSON.
 */
static void json_string(FILE *f, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, k;

	fputc('"', f);
	while (i < n) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			i++;
		} else if (c < 0x80) {
			fputc(c, f);
			i++;
		} else if ((k = utf8_seq_len(s + i, n - i)) > 0) {
			fwrite(s + i, 1, k, f);
			i += k;
		} else {
			fprintf(f, "\\u%04x", c);
			i++;
		}
	}
	fputc('"', f);
}

/* Text mode: show non-printable bytes as \xHH so a process name cannot
 * inject terminal escape sequences into the watcher's terminal. */
static void text_string(FILE *f, const char *str, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)str[i];

		if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\x%02x", c);
		else if (c == '\\')
			fputs("\\\\", f);	/* so "\x41" in a name is not mistaken for 'A' */
		else
			fputc(c, f);
	}
}

/*
 * Read /proc/PID/cmdline into buf with NULs turned into spaces. Returns the
 * length, or -1 when the process is gone (it may exit, or even exec again,
 * between the event and this read: a watcher can only ever race here).
 * A zombie has an empty cmdline, which also counts as gone.
 */
static ssize_t read_cmdline(pid_t pid, char *buf, size_t size)
{
	char path[64];
	ssize_t n, i;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	do
		n = read(fd, buf, size);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n <= 0)
		return -1;
	while (n > 0 && buf[n - 1] == '\0')
		n--;	/* the final NUL (or padding) */
	for (i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	return n;
}

/* "SIGKILL", or "signal 77" for numbers glibc has no name for. */
static const char *signal_name(int sig, char *buf, size_t len)
{
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev)
		snprintf(buf, len, "SIG%s", abbrev);
	else
		snprintf(buf, len, "signal %d", sig);
	return buf;
}

/* ---- text output -------------------------------------------------------- */

/* One line: time, event, pid (the process), ppid ("-" when the event does
 * not say), details. */
static void text_prefix(const struct proccn_header *hdr, const char *name, pid_t pid, pid_t ppid)
{
	char t[64];

	event_time(hdr->timestamp_ns, false, t, sizeof(t));
	printf("%s %-8s %7d ", t, name, (int)pid);
	if (ppid > 0)
		printf("%7d ", (int)ppid);
	else
		printf("%7s ", "-");
}

/* Threads are named "thread TID" so the pid column can always be the process. */
static void text_thread(pid_t pid, pid_t tgid)
{
	if (pid != tgid)
		printf("thread %d ", (int)pid);
}

static void text_event(const union proccn_event *ev)
{
	const char *name = proccn_kind_name(ev->hdr.kind);
	char buf[4096], sig[32];
	struct proccn_exit_status st;
	ssize_t n;
	uint32_t i;

	switch (ev->hdr.kind) {
	case PROCCN_EV_FORK:
		if (ev->fork.child_pid != ev->fork.child_tgid) {
			/* A thread's FORK names its process's parent as parent. */
			text_prefix(&ev->hdr, name, ev->fork.child_tgid, ev->fork.parent_tgid);
			printf("thread %d", (int)ev->fork.child_pid);
		} else {
			text_prefix(&ev->hdr, name, ev->fork.parent_tgid, 0);
			printf("child %d", (int)ev->fork.child_pid);
		}
		break;
	case PROCCN_EV_EXEC:
		text_prefix(&ev->hdr, name, ev->exec.tgid, 0);
		n = read_cmdline(ev->exec.tgid, buf, sizeof(buf));
		if (n < 0)
			printf("(gone)");
		else
			text_string(stdout, buf, (size_t)n);
		break;
	case PROCCN_EV_UID:
		text_prefix(&ev->hdr, name, ev->uid.tgid, 0);
		text_thread(ev->uid.pid, ev->uid.tgid);
		printf("ruid=%" PRIu32 " euid=%" PRIu32, ev->uid.ruid, ev->uid.euid);
		break;
	case PROCCN_EV_GID:
		text_prefix(&ev->hdr, name, ev->gid.tgid, 0);
		text_thread(ev->gid.pid, ev->gid.tgid);
		printf("rgid=%" PRIu32 " egid=%" PRIu32, ev->gid.rgid, ev->gid.egid);
		break;
	case PROCCN_EV_SID:
		text_prefix(&ev->hdr, name, ev->sid.tgid, 0);
		text_thread(ev->sid.pid, ev->sid.tgid);
		printf("new session %d", (int)ev->sid.tgid);
		break;
	case PROCCN_EV_PTRACE:
		text_prefix(&ev->hdr, name, ev->ptrace.tgid, 0);
		text_thread(ev->ptrace.pid, ev->ptrace.tgid);
		if (ev->ptrace.tracer_pid == 0)
			printf("detached");
		else
			printf("attached by %d", (int)ev->ptrace.tracer_tgid);
		break;
	case PROCCN_EV_COMM:
		text_prefix(&ev->hdr, name, ev->comm.tgid, 0);
		text_thread(ev->comm.pid, ev->comm.tgid);
		printf("new name '");
		text_string(stdout, ev->comm.comm, strnlen(ev->comm.comm, PROCCN_COMM_LEN));
		printf("'");
		break;
	case PROCCN_EV_COREDUMP:
		text_prefix(&ev->hdr, name, ev->coredump.tgid, ev->coredump.parent_tgid);
		text_thread(ev->coredump.pid, ev->coredump.tgid);
		printf("dumping core");
		break;
	case PROCCN_EV_EXIT:
		text_prefix(&ev->hdr, name, ev->exit.tgid, ev->exit.parent_tgid);
		text_thread(ev->exit.pid, ev->exit.tgid);
		proccn_decode_exit(ev->exit.exit_code, &st);
		if (st.exited)
			printf("exited %d", st.code);
		else if (st.signaled)
			printf("killed by %s%s", signal_name(st.signal, sig, sizeof(sig)),
			       st.core_dumped ? ", core dumped" : "");
		else
			printf("status 0x%" PRIx32, ev->exit.exit_code);
		break;
	default:
		/* A kind newer than this library: show the raw bytes. */
		text_prefix(&ev->hdr, "unknown", 0, 0);
		printf("kind 0x%08" PRIx32 " data", ev->hdr.kind);
		for (i = 0; i < ev->raw.len && i < PROCCN_RAW_LEN; i++)
			printf(" %02x", ev->raw.data[i]);
		break;
	}
	putchar('\n');
}

/* ---- JSON output -------------------------------------------------------- */

static void json_event(const union proccn_event *ev)
{
	const char *name = proccn_kind_name(ev->hdr.kind);
	char t[64], buf[4096], sig[32];
	struct proccn_exit_status st;
	ssize_t n;
	uint32_t i;

	event_time(ev->hdr.timestamp_ns, true, t, sizeof(t));
	printf("{\"time\":\"%s\",\"ts_ns\":%" PRIu64 ",\"cpu\":%" PRIu32 ",\"event\":\"%s\"",
	       t, ev->hdr.timestamp_ns, ev->hdr.cpu, name ? name : "unknown");

	switch (ev->hdr.kind) {
	case PROCCN_EV_FORK:
		printf(",\"parent_pid\":%d,\"parent_tgid\":%d,\"child_pid\":%d,\"child_tgid\":%d"
		       ",\"thread\":%s",
		       (int)ev->fork.parent_pid, (int)ev->fork.parent_tgid,
		       (int)ev->fork.child_pid, (int)ev->fork.child_tgid,
		       ev->fork.child_pid != ev->fork.child_tgid ? "true" : "false");
		break;
	case PROCCN_EV_EXEC:
		printf(",\"pid\":%d,\"tgid\":%d,\"cmdline\":", (int)ev->exec.pid, (int)ev->exec.tgid);
		n = read_cmdline(ev->exec.tgid, buf, sizeof(buf));
		if (n < 0)
			printf("null");
		else
			json_string(stdout, buf, (size_t)n);
		break;
	case PROCCN_EV_UID:
		printf(",\"pid\":%d,\"tgid\":%d,\"ruid\":%" PRIu32 ",\"euid\":%" PRIu32,
		       (int)ev->uid.pid, (int)ev->uid.tgid, ev->uid.ruid, ev->uid.euid);
		break;
	case PROCCN_EV_GID:
		printf(",\"pid\":%d,\"tgid\":%d,\"rgid\":%" PRIu32 ",\"egid\":%" PRIu32,
		       (int)ev->gid.pid, (int)ev->gid.tgid, ev->gid.rgid, ev->gid.egid);
		break;
	case PROCCN_EV_SID:
		printf(",\"pid\":%d,\"tgid\":%d", (int)ev->sid.pid, (int)ev->sid.tgid);
		break;
	case PROCCN_EV_PTRACE:
		printf(",\"pid\":%d,\"tgid\":%d,\"tracer_pid\":%d,\"tracer_tgid\":%d,\"attached\":%s",
		       (int)ev->ptrace.pid, (int)ev->ptrace.tgid,
		       (int)ev->ptrace.tracer_pid, (int)ev->ptrace.tracer_tgid,
		       ev->ptrace.tracer_pid != 0 ? "true" : "false");
		break;
	case PROCCN_EV_COMM:
		printf(",\"pid\":%d,\"tgid\":%d,\"comm\":", (int)ev->comm.pid, (int)ev->comm.tgid);
		json_string(stdout, ev->comm.comm, strnlen(ev->comm.comm, PROCCN_COMM_LEN));
		break;
	case PROCCN_EV_COREDUMP:
		printf(",\"pid\":%d,\"tgid\":%d,\"ppid\":%d",
		       (int)ev->coredump.pid, (int)ev->coredump.tgid,
		       (int)ev->coredump.parent_tgid);
		break;
	case PROCCN_EV_EXIT:
		proccn_decode_exit(ev->exit.exit_code, &st);
		printf(",\"pid\":%d,\"tgid\":%d,\"ppid\":%d,\"exit_code\":%" PRIu32 ",\"exited\":%s",
		       (int)ev->exit.pid, (int)ev->exit.tgid, (int)ev->exit.parent_tgid,
		       ev->exit.exit_code, st.exited ? "true" : "false");
		if (st.exited)
			printf(",\"code\":%d", st.code);
		else
			printf(",\"code\":null");
		if (st.signaled)
			printf(",\"signal\":%d,\"signal_name\":\"%s\"", st.signal,
			       signal_name(st.signal, sig, sizeof(sig)));
		else
			printf(",\"signal\":null,\"signal_name\":null");
		/* exit_signal is UINT32_MAX for threads: print it as -1. */
		printf(",\"core_dumped\":%s,\"exit_signal\":%d",
		       st.core_dumped ? "true" : "false",
		       ev->exit.exit_signal == UINT32_MAX ? -1 : (int)ev->exit.exit_signal);
		break;
	default:
		printf(",\"kind\":%" PRIu32 ",\"data\":\"", ev->hdr.kind);
		for (i = 0; i < ev->raw.len && i < PROCCN_RAW_LEN; i++)
			printf("%02x", ev->raw.data[i]);
		printf("\"");
		break;
	}
	printf("}\n");
}

/* ---- callbacks ---------------------------------------------------------- */

/* After each line: stop on a signal, on --count, or when stdout broke (a
 * closed pipe must end the program through proccn_close(), not SIGPIPE, so
 * that the kernel sees our IGNORE). */
static int after_output(struct watch *w)
{
	if (ferror(stdout)) {
		w->write_err = errno ? errno : EIO;
		return -w->write_err;
	}
	if (w->max_events && ++w->printed >= w->max_events) {
		w->done = true;
		return -ECANCELED;
	}
	if (stop_signal)
		return -EINTR;
	return 0;
}

static int on_event(const union proccn_event *ev, void *userdata)
{
	struct watch *w = userdata;

	if (w->json)
		json_event(ev);
	else
		text_event(ev);
	return after_output(w);
}

/*
 * An overrun reported with count 0 while the handle counts exactly: its
 * events come (or came) as SEQ_GAP reports, with their number.
 */
static bool counted_as_gaps(struct proccn *h, const struct proccn_loss *loss)
{
	struct proccn_stats s;

	memset(&s, 0, sizeof(s));
	s.sz = sizeof(s);
	return loss->reason == PROCCN_LOSS_OVERRUN && loss->count == 0 &&
	       proccn_get_stats(h, &s) == 0 && s.lost_exact;
}

static int on_loss(const struct proccn_loss *loss, void *userdata)
{
	struct watch *w = userdata;
	const char *reason = loss->reason == PROCCN_LOSS_OVERRUN ? "overrun" :
			     loss->reason == PROCCN_LOSS_SEQ_GAP ? "seq_gap" :
			     loss->reason == PROCCN_LOSS_NEGOTIATION ? "negotiation" : "unknown";
	struct timespec now;
	char t[64];

	/* A loss has no kernel timestamp: stamp it with the time we learnt of it. */
	clock_gettime(CLOCK_REALTIME, &now);
	format_time(&now, w->json, t, sizeof(t));
	if (w->json)
		printf("{\"time\":\"%s\",\"event\":\"loss\",\"reason\":\"%s\",\"count\":%" PRIu64
		       ",\"exact\":%s}\n", t, reason, loss->count, loss->exact ? "true" : "false");
	else if (loss->count)
		printf("%s %-8s %7s %7s %s: %s%" PRIu64 " events lost\n", t, "LOSS", "-", "-",
		       reason, loss->exact ? "" : "about ", loss->count);
	else if (counted_as_gaps(w->h, loss))
		printf("%s %-8s %7s %7s %s: events lost, counted by the seq_gap reports\n", t,
		       "LOSS", "-", "-", reason);
	else
		printf("%s %-8s %7s %7s %s: events lost (count unknown)\n", t, "LOSS", "-", "-",
		       reason);
	if (ferror(stdout)) {
		w->write_err = errno ? errno : EIO;
		return -w->write_err;
	}
	return stop_signal ? -EINTR : 0;
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
		"Print process events (fork, exec, exit, ...) as they happen.\n\n"
		"  -e, --events LIST     only these events, comma-separated, e.g. fork,exec,exit\n"
		"                        (names: fork exec uid gid sid ptrace comm coredump\n"
		"                        exit nonzero-exit all; default all)\n"
		"  -j, --json            JSON Lines output (one object per event)\n"
		"  -p, --processes-only  hide thread-level fork and exit events\n"
		"  -l, --legacy          force the pre-6.6 subscription (userspace filter)\n"
		"  -c, --count N         exit after N events\n"
		"      --probe           tell what works on this machine, then exit\n"
		"      --version         print the library's version, then exit\n"
		"  -h, --help            this help\n\n"
		"Columns: time, event, pid (the process), ppid ('-' when the event does not\n"
		"say), details. Totals go to stderr on exit (SIGINT/SIGTERM).\n");
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
	while ((item = strsep(&rest, ",")) != NULL) {
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

static void print_totals(const struct proccn *h)
{
	struct proccn_stats s;

	memset(&s, 0, sizeof(s));
	s.sz = sizeof(s);
	if (proccn_get_stats(h, &s) < 0)
		return;
	fprintf(stderr, PROG ": %" PRIu64 " events delivered, %" PRIu64 " lost%s, %" PRIu64
		" filtered, %" PRIu64 " malformed, %" PRIu64 " spoofed (%" PRIu64
		" overruns, %" PRIu64 " kernel drops)\n",
		s.delivered, s.lost, s.lost_exact ? "" : " (sequence gaps not checked)",
		s.filtered, s.malformed, s.spoofed, s.overruns, s.kernel_drops);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "events", required_argument, NULL, 'e' },
		{ "json", no_argument, NULL, 'j' },
		{ "processes-only", no_argument, NULL, 'p' },
		{ "legacy", no_argument, NULL, 'l' },
		{ "count", required_argument, NULL, 'c' },
		{ "probe", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct proccn_opts opts = PROCCN_OPTS_INIT;
	struct proccn_callbacks cb;
	struct watch w;
	struct sigaction sa;
	struct proccn *h = NULL;
	bool probe = false;
	char *end;
	int c, r, rc = 0;

	memset(&w, 0, sizeof(w));
	while ((c = getopt_long(argc, argv, "e:jplc:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'e':
			if (proccn_mask_from_string(optarg, &opts.events) < 0) {
				report_bad_events(optarg);
				return 2;
			}
			break;
		case 'j':
			w.json = true;
			break;
		case 'p':
			opts.flags |= PROCCN_F_PROCESSES_ONLY;
			break;
		case 'l':
			opts.flags |= PROCCN_F_FORCE_LEGACY;
			break;
		case 'c':
			errno = 0;
			w.max_events = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || *optarg == '-' || w.max_events == 0) {
				fprintf(stderr, PROG ": --count wants a positive number, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'P':
			probe = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			/* the library that runs, which may be newer than the header */
			printf(PROG " (libproccn) %s\n", proccn_version());
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

	/* Line-buffered even into a pipe, so that consumers see each event at once. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (probe)
		return do_probe();

	/*
	 * No SA_RESTART: a signal interrupts the blocking wait inside
	 * proccn_dispatch(), which then returns -EINTR. A signal that lands just
	 * before the wait starts is seen at the latest when the 500 ms timeout
	 * ends. SIGPIPE is ignored so that a closed pipe ends the loop through
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

	r = proccn_open(&h, &opts);
	if (r < 0) {
		fprintf(stderr, PROG ": %s\n", proccn_strerror(r));
		return 1;
	}
	w.h = h;

	/* Every kind goes to on_event: one printer switches on hdr.kind. */
	memset(&cb, 0, sizeof(cb));
	cb.sz = sizeof(cb);
	cb.on_event = on_event;
	cb.on_loss = on_loss;

	/* Timeout 0 first: events kept from negotiation do not wake poll(). */
	r = proccn_dispatch(h, &cb, &w, 0);
	while (!stop_signal && !w.done && !w.write_err && (r >= 0 || r == -EINTR))
		r = proccn_dispatch(h, &cb, &w, 500);

	if (w.write_err) {
		/* A reader that went away (EPIPE) is a normal end; say anything else. */
		if (w.write_err != EPIPE) {
			fprintf(stderr, PROG ": writing output: %s\n", strerror(w.write_err));
			rc = 1;
		}
	} else if (r < 0 && r != -EINTR && r != -ECANCELED) {
		fprintf(stderr, PROG ": %s\n", proccn_strerror(r));
		rc = 1;
	}
	print_totals(h);
	proccn_close(h);
	return rc;
}
