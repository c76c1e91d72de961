/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The storm's output: the machine, a table of medians over the rounds, and
 * the targets, each judged on the medians of this run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "median.h"
#include "storm.h"

enum metric {
	M_RECV, M_LOST, M_LOSSREP, M_CPU, M_ONCPU, M_SYSC, M_SLEEPS, M_RATE, M_P50, M_P99, M_MAX,
	M_NUM
};

/* One round's value of a metric, per child exit where it says so; -1: not measured. */
static double metric(const struct result *r, enum metric m, unsigned int n)
{
	double seen = r->seen ? (double)r->seen : 1;

	switch (m) {
	case M_RECV:
		return (double)r->seen;
	case M_LOST:
		return (double)(n - r->seen);
	case M_LOSSREP:
		return (double)r->loss_reports;
	case M_CPU:
		return (double)r->cpu_ns / seen;
	case M_ONCPU:
		return r->oncpu_ns < 0 ? -1 : (double)r->oncpu_ns / seen;
	case M_SYSC:
		return r->syscalls < 0 ? -1 : (double)r->syscalls / seen;
	case M_SLEEPS:
		return (double)r->sleeps / seen;
	case M_RATE:   /* exits per ms, as the kernel stamped them */
		return r->have_delay && r->stamp_span_ns > 0 ? seen * 1e6 / (double)r->stamp_span_ns : -1;
	default:   /* the delays, in us */
		return r->have_delay ? (double)r->delay_ns[m - M_P50] / 1000.0 : -1;
	}
}

struct summary {
	unsigned int ok;          /* rounds that finished */
	int unsupported;          /* the library refused this consumer's options */
	double med[M_NUM];        /* median over the finished rounds; -1: not measured */
	double max_lost, max_lossrep;
	double min_named;         /* the table: exits named, the worst round */
};

static void summarise(const struct trial *t, unsigned int rounds, unsigned int n,
		      struct summary *s)
{
	double v[MAX_ROUNDS];
	unsigned int m, i, k;

	memset(s, 0, sizeof(*s));
	s->min_named = -1;
	for (i = 0; i < rounds; i++) {
		s->unsupported |= t[i].r.unsupported;
		if (!t[i].done)
			continue;
		s->ok++;
		if (s->min_named < 0 || (double)t[i].r.named < s->min_named)
			s->min_named = (double)t[i].r.named;
		if (metric(&t[i].r, M_LOST, n) > s->max_lost)
			s->max_lost = metric(&t[i].r, M_LOST, n);
		if (metric(&t[i].r, M_LOSSREP, n) > s->max_lossrep)
			s->max_lossrep = metric(&t[i].r, M_LOSSREP, n);
	}
	for (m = 0; m < M_NUM; m++) {
		for (i = k = 0; i < rounds; i++)
			if (t[i].done && metric(&t[i].r, (enum metric)m, n) >= 0)
				v[k++] = metric(&t[i].r, (enum metric)m, n);
		s->med[m] = median(v, k);
	}
}

void print_machine(const char *when)
{
	char line[256], model[128] = "unknown";
	double load[3] = { -1, -1, -1 };
	FILE *f = fopen("/proc/cpuinfo", "re");
	struct utsname u;

	while (f && fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && p) {
			snprintf(model, sizeof(model), "%s", p + 2);
			model[strcspn(model, "\n")] = '\0';
			break;
		}
	}
	if (f)
		fclose(f);
	uname(&u);
	getloadavg(load, 3);
	printf("machine (%s): CPU \"%s\", %ld cores online, kernel %s, load average %.2f %.2f %.2f\n",
	       when, model, sysconf(_SC_NPROCESSORS_ONLN), u.release, load[0], load[1], load[2]);
}

/* @v with @decimals, or "-" when not measured (< 0). */
static const char *fmt(char *buf, size_t len, double v, int decimals)
{
	if (v < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.*f", decimals, v);
	return buf;
}

static void print_row(enum workload wl, enum consumer c, const struct summary *s,
		      const struct summary *e, unsigned int rounds)
{
	char cpu_e[16], oncpu[16], sysc[16], rate[16], d[3][16];
	const double *m = s->med;

	printf("%-8s %-40s %2u/%-2u", workload_name[wl], consumer_name[c], s->ok, rounds);
	if (!s->ok) {
		printf("  %s\n", s->unsupported ? "not supported by this libproccn (proccn_open: -EINVAL)"
						: "no successful round");
		return;
	}
	printf(" %6.0f %5.0f %5.0f %8.0f %6s %8s %7s %6.3f %6s %9s %9s %9s\n", m[M_RECV],
	       s->max_lost, s->max_lossrep, m[M_CPU],
	       fmt(cpu_e, sizeof(cpu_e), e->ok ? m[M_CPU] / e->med[M_CPU] : -1, 2),
	       fmt(oncpu, sizeof(oncpu), m[M_ONCPU], 0),
	       fmt(sysc, sizeof(sysc), m[M_SYSC], 3), m[M_SLEEPS],
	       fmt(rate, sizeof(rate), m[M_RATE], 2),
	       fmt(d[0], sizeof(d[0]), m[M_P50], 1), fmt(d[1], sizeof(d[1]), m[M_P99], 1),
	       fmt(d[2], sizeof(d[2]), m[M_MAX], 1));
}

static void print_table(const struct summary s[C_NUM][W_NUM], const int *selected,
			const struct storm_opts *o)
{
	unsigned int w, c;

	printf("\n%-8s %-40s %5s %6s %5s %5s %8s %6s %8s %7s %6s %6s %9s %9s %9s\n", "workload",
	       "consumer", "ok", "recv", "lost", "lossr", "CPU ns/ev", "x(e)", "oncpu/ev",
	       "sysc/ev", "slp/ev", "ev/ms", "p50 us", "p99 us", "max us");
	for (w = 0; w < W_NUM; w++) {
		if (!o->n[w])
			continue;
		for (c = 0; c < C_NUM; c++)
			if (selected[c] && runs(c, w))
				print_row(w, c, &s[c][w], &s[C_E][w], o->rounds);
	}
	printf("(medians over rounds; per event = per child exit received; lost and lossr: the worst "
	       "round;\n ev/ms: exits received per ms of the kernel's timestamps, first to last;\n"
	       " p50, p99, max: the delivery delay, callback time - the event's kernel "
	       "timestamp; '-': not measured)\n");
}

static const char *verdict(int ok)
{
	return ok ? "PASS" : "FAIL";
}

/* Both consumers measured (a target line can be judged), else say why not. */
static int measured(const char *what, const struct summary *x, const struct summary *y)
{
	if (x->ok && y->ok)
		return 1;
	printf("  %s: NOT MEASURED (a consumer did not run)\n", what);
	return 0;
}

static void print_targets(const struct summary s[C_NUM][W_NUM], unsigned int n_exec)
{
	const struct summary *b = &s[C_B][W_STORM], *n = &s[C_N][W_STORM];
	const struct summary *bs = &s[C_B][W_SPACED], *ns = &s[C_N][W_SPACED];
	const char *what;
	double r;

	printf("\ntargets (each from the medians of this run):\n");
	what = "storm, mask ALL, defaults: CPU/event <= 0.5x the naive loop's";
	if (measured(what, b, &s[C_E][W_STORM])) {
		r = b->med[M_CPU] / s[C_E][W_STORM].med[M_CPU];
		printf("  %s: (b)/(e) = %.3f  %s\n", what, r, verdict(r <= 0.5));
	}
	if (b->ok)
		printf("  storm, mask ALL, defaults: 0 events lost: worst round lost %.0f, loss "
		       "reports %.0f  %s\n", b->max_lost, b->max_lossrep,
		       verdict(!b->max_lost && !b->max_lossrep));
	what = "storm, EXIT only, defaults: CPU per exit >= 2.5x below pidfd";
	if (measured(what, &s[C_A][W_STORM], &s[C_F][W_STORM])) {
		r = s[C_F][W_STORM].med[M_CPU] / s[C_A][W_STORM].med[M_CPU];
		printf("  %s: (f)/(a) = %.3f  %s\n", what, r, verdict(r >= 2.5));
	}
	what = "spaced: delay p50 at defaults <= 1.5x never-delay's";
	if (measured(what, bs, ns))
		printf("  %s: (b) %.1f us, (n) %.1f us, ratio %.3f  %s\n", what, bs->med[M_P50],
		       ns->med[M_P50], bs->med[M_P50] / ns->med[M_P50],
		       verdict(bs->med[M_P50] <= 1.5 * ns->med[M_P50]));
	what = "storm: delay p50 at defaults <= never-delay's + the cap";
	if (measured(what, b, n))
		printf("  %s (%d us at defaults): (b) %.1f us, (n) %.1f us  %s\n", what,
		       STORM_DEFAULT_CAP_US, b->med[M_P50], n->med[M_P50],
		       verdict(b->med[M_P50] <= n->med[M_P50] + STORM_DEFAULT_CAP_US));
	/* on-CPU against on-CPU: forkstat's CPU is its task clock (storm_window.h) */
	what = "exec storm: the table's on-CPU per process <= 0.5x forkstat's, naming every process";
	if (measured(what, &s[C_T][W_EXEC], &s[C_K][W_EXEC])) {
		r = s[C_T][W_EXEC].med[M_ONCPU] / s[C_K][W_EXEC].med[M_ONCPU];
		printf("  %s: (t)/(k) = %.3f, named %.0f of %u (worst round)  %s\n", what, r,
		       s[C_T][W_EXEC].min_named, n_exec,
		       verdict(r <= 0.5 && s[C_T][W_EXEC].min_named == n_exec));
	}
	what = "storm (no exec): the table's CPU per process <= 1.2x the raw library's";
	if (measured(what, &s[C_T][W_STORM], b)) {
		r = s[C_T][W_STORM].med[M_CPU] / b->med[M_CPU];
		printf("  %s: (t)/(b) = %.3f  %s\n", what, r, verdict(r <= 1.2));
	}
	printf("  instructions per event and heap independence: proccn-synth, bench/callgrind.sh\n");
}

int report(const struct trial trials[C_NUM][W_NUM][MAX_ROUNDS], const int *selected,
	   const struct storm_opts *o)
{
	static struct summary s[C_NUM][W_NUM];
	unsigned int c, w;
	int errors = 0;

	for (c = 0; c < C_NUM; c++)
		for (w = 0; w < W_NUM; w++)
			summarise(trials[c][w], o->rounds, o->n[w], &s[c][w]);
	print_table(s, selected, o);
	print_targets(s, o->n[W_EXEC]);
	/* an error, not a missed target: the library at its defaults lost events */
	for (c = 0; c < C_NUM; c++) {
		if ((c == C_B || c == C_A) && (s[c][W_STORM].max_lost || s[c][W_STORM].max_lossrep)) {
			printf("ERROR: %s lost events in the storm\n", consumer_name[c]);
			errors++;
		}
	}
	return errors;
}
