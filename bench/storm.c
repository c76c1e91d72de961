/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proccn-storm - what it costs to follow process exits with libproccn, next
 * to a naive proc connector client and pidfds, and how late events arrive
 * (see storm.h and bench/README.md). Exits 0, 1 on errors (a consumer
 * failed, crashed or timed out; the library lost events at its defaults in
 * the storm), 77 without root or without the proc connector. A missed
 * target prints FAIL and is not an error.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storm.h"
#include "storm_window.h"

#define DEFAULT_STORM   8192
#define DEFAULT_SPACED  300
#define DEFAULT_EXEC    4096
#define DEFAULT_GAP_US  10000
#define DEFAULT_ROUNDS  5

const char *const consumer_name[C_NUM] = {
	"(b) library defaults, mask ALL",
	"(n) library never-delay, mask ALL",
	"(a) library defaults, mask EXIT",
	"(d) library forced legacy, mask EXIT",
	"(e) naive poll+recv per event, mask ALL",
	"(f) pidfd per child + epoll",
	"(t) process table, defaults",
	"(k) forkstat -q",
};

const char *const workload_name[W_NUM] = { "storm", "spaced", "exec" };
const char *storm_true_path = "/usr/bin/true";

/*
 * What runs with what: the exec storm compares the table with the raw
 * library and forkstat; the table also runs the plain storm (its cost over
 * the raw library there); forkstat and the table skip the spaced workload.
 */
int runs(enum consumer c, enum workload w)
{
	if (w == W_EXEC)
		return c == C_B || c == C_T || c == C_K;
	if (c == C_K)
		return 0;
	return c != C_T || w == W_STORM;
}

enum syscall_mode { SYSC_SEPARATE, SYSC_SAME, SYSC_OFF };

struct options {
	struct storm_opts o;
	int selected[C_NUM];
	enum syscall_mode sysc;
	int timeout_s;
	int never_delay;          /* the library knows PROCCN_LATENCY_NONE */
};

static int usage(FILE *out, const char *argv0)
{
	fprintf(out,
		"usage: %s [--storm N] [--spaced N] [--exec N] [--gap-us US] [--rounds R]\n"
		"       [--consumers %s] [--syscalls separate|same|off] [--timeout-s S]\n"
		"       [--cpus shared|split]\n"
		"Needs root. storm: N children (default %d) exit at once; spaced: N children\n"
		"(default %d) exit one every US microseconds (default %d); exec: N children\n"
		"(default %d) exec true(1) at once; 0 skips a workload. Consumer k needs\n"
		"forkstat (Debian: forkstat). Syscalls are counted in separate trials by\n"
		"default: an enabled tracepoint slows every syscall, so CPU comes from trials\n"
		"that do not count. --cpus split: the consumer on CPU 1, the generator and\n"
		"its children on CPU 0 (the default, shared: wherever the scheduler puts them).\n",
		argv0, CONSUMER_LETTERS, DEFAULT_STORM, DEFAULT_SPACED, DEFAULT_GAP_US,
		DEFAULT_EXEC);
	return out == stdout ? 0 : 2;
}

static int parse(int argc, char **argv, struct options *op)
{
	const char *which = CONSUMER_LETTERS, *sysc = "separate", *cpus = "shared";
	unsigned int c;
	int i;

	op->o.n[W_STORM] = DEFAULT_STORM;
	op->o.n[W_SPACED] = DEFAULT_SPACED;
	op->o.n[W_EXEC] = DEFAULT_EXEC;
	op->o.gap_us = DEFAULT_GAP_US;
	op->o.rounds = DEFAULT_ROUNDS;
	op->timeout_s = 60;
	for (i = 1; i + 1 < argc; i += 2) {
		const char *a = argv[i], *v = argv[i + 1];

		if (!strcmp(a, "--storm"))
			op->o.n[W_STORM] = (unsigned int)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--spaced"))
			op->o.n[W_SPACED] = (unsigned int)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--exec"))
			op->o.n[W_EXEC] = (unsigned int)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--gap-us"))
			op->o.gap_us = atoi(v);
		else if (!strcmp(a, "--rounds"))
			op->o.rounds = (unsigned int)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--consumers"))
			which = v;
		else if (!strcmp(a, "--syscalls"))
			sysc = v;
		else if (!strcmp(a, "--timeout-s"))
			op->timeout_s = atoi(v);
		else if (!strcmp(a, "--cpus"))
			cpus = v;
		else
			return -1;
	}
	if (!strcmp(sysc, "separate"))
		op->sysc = SYSC_SEPARATE;
	else if (!strcmp(sysc, "same"))
		op->sysc = SYSC_SAME;
	else if (!strcmp(sysc, "off"))
		op->sysc = SYSC_OFF;
	else
		return -1;
	if (strcmp(cpus, "shared") && strcmp(cpus, "split"))
		return -1;
	op->o.split_cpus = !strcmp(cpus, "split");
	for (c = 0; c < C_NUM; c++)
		op->selected[c] = strchr(which, CONSUMER_LETTERS[c]) != NULL;
	if (i != argc || !which[0] || strspn(which, CONSUMER_LETTERS) != strlen(which))
		return -1;
	return op->o.n[W_STORM] <= 65536 && op->o.n[W_SPACED] <= 65536 &&
	       op->o.n[W_EXEC] <= 65536 &&
	       (op->o.n[W_STORM] || op->o.n[W_SPACED] || op->o.n[W_EXEC]) && op->o.gap_us > 0 &&
	       op->o.gap_us <= 1000000 && op->o.rounds >= 1 && op->o.rounds <= MAX_ROUNDS &&
	       op->timeout_s >= 1 && op->timeout_s <= 3600 ? 0 : -1;
}

/* Root and a proc connector, or a reason to skip. */
static const char *cannot_run(void)
{
	struct proccn_probe p = { .sz = sizeof(p) };

	if (geteuid() != 0)
		return "needs root (proc connector on every kernel, SO_RCVBUFFORCE, perf counters)";
	if (proccn_probe(&p) < 0 || p.connector != 1 || p.proc_events != 1)
		return "no proc connector here (CONFIG_CONNECTOR, CONFIG_PROC_EVENTS)";
	return NULL;
}

/* forkstat on the PATH? */
static int forkstat_found(void)
{
	return system("command -v forkstat >/dev/null 2>&1") == 0;
}

/* Does this library know PROCCN_LATENCY_NONE? (Before it does, it refuses -1 with -EINVAL.) */
static int never_delay_supported(void)
{
	struct proccn_opts o = PROCCN_OPTS_INIT;
	struct proccn *h = NULL;
	int r;

	o.events = PROCCN_EV_EXIT;
	o.max_batch_latency_us = PROCCN_LATENCY_NONE;
	r = proccn_open(&h, &o);
	proccn_close(h);
	return r != -EINVAL;
}

/* One consumer with one workload, plus its syscall count. Returns the errors. */
static int run_one(const struct options *op, enum consumer c, enum workload w, pid_t *pids,
		   struct trial *t)
{
	struct trial_cfg cfg = {
		.kind = c, .wl = w, .pids = pids, .n = op->o.n[w],
		.count_syscalls = op->sysc == SYSC_SAME,
		.split_cpus = op->o.split_cpus,
		/* spaced: the releases themselves take n * gap */
		.timeout_ms = op->timeout_s * 1000 +
			      (w == W_SPACED ? (int)((int64_t)op->o.n[w] * op->o.gap_us / 1000) : 0),
	};
	struct trial counted;
	int errors;

	if (c == C_N && !op->never_delay) {
		/* no children forked for a consumer that cannot open */
		memset(t, 0, sizeof(*t));
		t->r.unsupported = 1;
		return 0;
	}
	errors = run_trial(&cfg, pids, op->o.gap_us, t) < 0;

	if (op->sysc != SYSC_SEPARATE || !t->done)
		return errors;
	cfg.count_syscalls = 1;
	errors += run_trial(&cfg, pids, op->o.gap_us, &counted) < 0;
	t->r.syscalls = counted.done ? counted.r.syscalls : -1;
	return errors;
}

int main(int argc, char **argv)
{
	static struct trial trials[C_NUM][W_NUM][MAX_ROUNDS];
	struct options op;
	const char *why;
	unsigned int r, j, w;
	int errors = 0;
	int64_t t0;
	pid_t *pids;

	memset(&op, 0, sizeof(op));
	if (argc == 2 && !strcmp(argv[1], "--help"))
		return usage(stdout, argv[0]);
	if (parse(argc, argv, &op) < 0)
		return usage(stderr, argv[0]);
	why = cannot_run();
	if (why) {
		printf("SKIP: %s\n", why);
		return 77;
	}
	pids = calloc(65536, sizeof(*pids));
	if (!pids)
		return 1;
	if (access(storm_true_path, X_OK) != 0)
		storm_true_path = "/bin/true";
	if (op.selected[C_K] && !forkstat_found()) {
		printf("(k) not run: no forkstat here (Debian: apt-get install forkstat)\n");
		op.selected[C_K] = 0;
	}
	/* --cpus split: the generator, and so its children, stay on CPU 0 from here */
	if (op.o.split_cpus && (storm_pin(1) < 0 || storm_pin(0) < 0)) {
		fprintf(stderr, "proccn-storm: --cpus split needs CPUs 0 and 1: %s\n", strerror(errno));
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (op.sysc != SYSC_OFF && syscall_counter_check() < 0) {
		/* a column of the table, not a reason to fail */
		printf("syscalls: not counted: no tracepoint raw_syscalls:sys_enter (is tracefs "
		       "mounted on /sys/kernel/tracing?)\n");
		op.sysc = SYSC_OFF;
	}
	printf("proccn storm benchmark: storm %u children released at once, spaced %u children "
	       "%d us apart (even: exit 0, odd: exit 1), exec %u children running %s at once; "
	       "%u round(s), medians; syscalls counted: %s; CPUs: %s\n",
	       op.o.n[W_STORM], op.o.n[W_SPACED], op.o.gap_us, op.o.n[W_EXEC], storm_true_path,
	       op.o.rounds,
	       op.sysc == SYSC_SEPARATE ? "in separate trials" : op.sysc == SYSC_SAME ? "in the same trials" : "no",
	       op.o.split_cpus ? "split (consumer on CPU 1, generator and children on CPU 0)" : "shared");
	print_machine("before");
	op.never_delay = never_delay_supported();
	if (!op.never_delay && op.selected[C_N])
		printf("(n) not run: this libproccn refuses max_batch_latency_us = "
		       "PROCCN_LATENCY_NONE (-EINVAL)\n");
	t0 = storm_now_ns();
	for (r = 0; r < op.o.rounds; r++) {
		/* the order rotates from round to round */
		for (j = 0; j < C_NUM; j++) {
			enum consumer c = (enum consumer)((j + r) % C_NUM);

			for (w = 0; w < W_NUM; w++)
				if (op.selected[c] && op.o.n[w] && runs(c, (enum workload)w))
					errors += run_one(&op, c, (enum workload)w, pids,
							  &trials[c][w][r]);
		}
		fprintf(stderr, "proccn-storm: round %u/%u done (%.1f s)\n", r + 1, op.o.rounds,
			(double)(storm_now_ns() - t0) / 1e9);
	}
	errors += report(trials, op.selected, &op.o);
	print_machine("after");
	printf("finished in %.1f s, %d error(s)\n", (double)(storm_now_ns() - t0) / 1e9, errors);
	free(pids);
	return errors ? 1 : 0;
}
