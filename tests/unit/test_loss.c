/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The loss module alone, table-driven: a sequence of facts (messages with
 * CPU, number and time; overruns; drains with the kernel's drop counter;
 * exact counting switched on or off; events discarded) and the reports it
 * must produce, in order. Every row also checks the module's promise: the
 * reports' counts add up to `lost`, and no report is left due at the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "loss.h"

enum op { END, MSG, OVERRUN, DRAINED, EXACT, DISCARD };

/* MSG: cpu a, seq b, time t. DRAINED: drops a at time t. EXACT: on a, drops b,
   at time t. DISCARD: a events. */
struct step {
	enum op op;
	uint32_t a, b;
	uint64_t t;
};

struct report {
	int reason;
	uint64_t count;
};

#define MAX_STEPS 24
/* rows list the steps and reports they need; the rest of the arrays is zero */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#define MAX_REPORTS 8

struct row {
	const char *name;
	struct step steps[MAX_STEPS];
	struct report want[MAX_REPORTS];
	uint64_t lost;
	uint64_t overruns;
	int exact;                /* at the end */
	int hold;                 /* take the reports only at the end */
};

#define OV PROCCN_LOSS_OVERRUN
#define GAP PROCCN_LOSS_SEQ_GAP
#define NEG PROCCN_LOSS_NEGOTIATION

static const struct row rows[] = {
	{ "in order: nothing lost",
	  { { MSG, 0, 0, 10 }, { MSG, 0, 1, 20 }, { MSG, 1, 7, 30 }, { MSG, 1, 8, 40 } },
	  { { 0, 0 } }, 0, 0, 1 },
	{ "a gap is an exact loss (bad-input row 17)",
	  { { MSG, 0, 0, 10 }, { MSG, 0, 4, 20 } },
	  { { GAP, 3 } }, 3, 0, 1 },
	{ "CPUs count independently; a first message is a baseline",
	  { { MSG, 0, 0, 10 }, { MSG, 1, 50, 20 }, { MSG, 0, 1, 30 }, { MSG, 1, 52, 40 } },
	  { { GAP, 1 } }, 1, 0, 1 },
	{ "numbers going backwards, or jumping by 2^31, are a new baseline",
	  { { MSG, 0, 10, 10 }, { MSG, 0, 5, 20 }, { MSG, 0, 6, 30 },
	    { MSG, 0, 0x80000007u, 40 }, { MSG, 0, 0x80000008u, 50 } },
	  { { 0, 0 } }, 0, 0, 1 },
	{ "a narrower mask: gaps are normal (row 18)",
	  { { EXACT, 0, 0, 5 }, { MSG, 0, 0, 10 }, { MSG, 0, 5, 20 } },
	  { { 0, 0 } }, 0, 0, 0 },
	{ "an overrun while exact: the drop count at the drain, its gap paid (row 16)",
	  { { MSG, 0, 0, 10 }, { OVERRUN, 0, 0, 0 }, { DRAINED, 5, 0, 100 }, { MSG, 0, 6, 200 } },
	  { { OV, 5 } }, 5, 1, 1 },
	{ "an overrun while not exact: the drop count",
	  { { EXACT, 0, 0, 5 }, { OVERRUN, 0, 0, 0 }, { DRAINED, 7, 0, 100 } },
	  { { OV, 7 } }, 7, 1, 0 },
	{ "nothing is reported before the drain",
	  { { OVERRUN, 0, 0, 0 }, { MSG, 0, 0, 10 } },
	  { { 0, 0 } }, 0, 1, 1 },
	{ "the drop counter is read from the last settlement",
	  { { OVERRUN, 0, 0, 0 }, { DRAINED, 3, 0, 50 }, { OVERRUN, 0, 0, 0 }, { DRAINED, 10, 0, 90 } },
	  { { OV, 3 }, { OV, 7 } }, 10, 2, 1 },
	/* the drops so far are reported at the change; the overrun's report follows */
	{ "issue 11: mask widened to ALL after an overflow, before its ENOBUFS is read",
	  { { EXACT, 0, 0, 5 }, { MSG, 0, 0, 10 }, { EXACT, 1, 2000, 50 }, { OVERRUN, 0, 0, 0 },
	    { DRAINED, 2000, 0, 60 }, { MSG, 0, 3000, 70 }, { MSG, 0, 3001, 80 } },
	  { { OV, 2000 }, { OV, 0 } }, 2000, 1, 1 },
	{ "issue 11: ... and more drops after the widening, before the drain",
	  { { EXACT, 0, 0, 5 }, { MSG, 0, 0, 10 }, { EXACT, 1, 2000, 50 }, { OVERRUN, 0, 0, 0 },
	    { DRAINED, 2010, 0, 60 }, { MSG, 0, 3000, 70 } },
	  { { OV, 2000 }, { OV, 10 } }, 2010, 1, 1 },
	{ "issue 11: widened with the overrun read but not drained",
	  { { EXACT, 0, 0, 5 }, { OVERRUN, 0, 0, 0 }, { EXACT, 1, 40, 50 }, { DRAINED, 45, 0, 60 } },
	  { { OV, 45 } }, 45, 1, 1 },
	{ "narrowed after an exact overrun's report: its gaps are never counted again",
	  { { MSG, 0, 0, 10 }, { OVERRUN, 0, 0, 0 }, { DRAINED, 2, 0, 50 }, { EXACT, 0, 2, 60 },
	    { MSG, 0, 3, 70 } },
	  { { OV, 2 } }, 2, 1, 0 },
	{ "a gap seen before the drain is not counted again by the overrun (row 38)",
	  { { MSG, 0, 0, 10 }, { OVERRUN, 0, 0, 0 }, { MSG, 0, 3, 20 }, { DRAINED, 2, 0, 50 } },
	  { { GAP, 2 }, { OV, 0 } }, 2, 1, 1 },
	{ "... also when the mask narrows before the drain (row 38)",
	  { { MSG, 0, 0, 10 }, { OVERRUN, 0, 0, 0 }, { MSG, 0, 3, 20 }, { EXACT, 0, 2, 30 },
	    { DRAINED, 2, 0, 50 } },
	  { { GAP, 2 }, { OV, 0 } }, 2, 1, 0 },
	{ "drops without a drain settled when the mask narrows",
	  { { MSG, 0, 0, 10 }, { EXACT, 0, 4, 30 } },
	  { { OV, 4 } }, 4, 0, 0 },
	{ "credit pays only gaps in what was generated before the drain",
	  { { MSG, 0, 0, 10 }, { OVERRUN, 0, 0, 0 }, { DRAINED, 4, 0, 50 }, { MSG, 0, 5, 60 },
	    { MSG, 0, 8, 70 } },
	  { { OV, 4 }, { GAP, 2 } }, 6, 1, 1 },
	{ "a gap larger than the credit: the rest is a SEQ_GAP",
	  { { MSG, 0, 0, 10 }, { OVERRUN, 0, 0, 0 }, { DRAINED, 2, 0, 50 }, { MSG, 0, 6, 60 } },
	  { { OV, 2 }, { GAP, 3 } }, 5, 1, 1 },
	{ "credit ends with exact counting",
	  { { MSG, 0, 0, 10 }, { OVERRUN, 0, 0, 0 }, { DRAINED, 3, 0, 50 }, { EXACT, 0, 3, 55 },
	    { EXACT, 1, 3, 60 }, { MSG, 0, 9, 70 }, { MSG, 0, 12, 80 } },
	  { { OV, 3 }, { GAP, 2 } }, 5, 1, 1 },
	{ "widened to ALL: what was generated before does not count (row 37)",
	  { { EXACT, 0, 0, 5 }, { MSG, 0, 0, 10 }, { MSG, 0, 9, 20 }, { EXACT, 1, 0, 30 },
	    { MSG, 0, 20, 25 }, { MSG, 0, 30, 35 }, { MSG, 0, 31, 40 }, { MSG, 0, 33, 45 } },
	  { { GAP, 1 } }, 1, 0, 1 },
	{ "events that did not fit while negotiating (row 19)",
	  { { DISCARD, 76, 0, 0 } },
	  { { NEG, 76 } }, 76, 0, 1 },
	{ "oldest cause first: negotiation, overruns, gaps",
	  { { MSG, 0, 0, 10 }, { MSG, 0, 2, 20 }, { DISCARD, 3, 0, 0 }, { OVERRUN, 0, 0, 0 },
	    { DRAINED, 4, 0, 30 } },
	  { { NEG, 3 }, { OV, 4 }, { GAP, 1 } }, 8, 1, 1, 1 },
	{ "a gap seen before an overrun is not among its drops",
	  { { MSG, 0, 0, 10 }, { MSG, 0, 2, 20 }, { OVERRUN, 0, 0, 0 }, { DRAINED, 2, 0, 30 } },
	  { { GAP, 1 }, { OV, 2 } }, 3, 1, 1 },
	{ "a CPU past the table is never counted",
	  { { MSG, 9, 0, 10 }, { MSG, 9, 5, 20 } },
	  { { 0, 0 } }, 0, 0, 1 },
};

#define NCPU 4

static void run_row(const struct row *row)
{
	struct report got[MAX_REPORTS];
	struct proccn_loss r;
	unsigned int n = 0, i;
	uint64_t sum = 0;
	struct pcn_loss l;
	const struct step *s;

	assert_int_equal(proccn__loss_init(&l, NCPU, 0), 0);
	for (s = row->steps; s->op != END; s++) {
		switch (s->op) {
		case MSG:
			proccn__loss_message(&l, s->a, s->b, s->t);
			break;
		case OVERRUN:
			proccn__loss_overrun(&l);
			break;
		case DRAINED:
			proccn__loss_drained(&l, s->a, s->t);
			break;
		case EXACT:
			proccn__loss_set_exact(&l, (int)s->a, s->b, s->t);
			break;
		case DISCARD:
			proccn__loss_discarded(&l, s->a);
			break;
		default:
			fail();
		}
		/* reports are taken as soon as they are due, as dispatch does */
		while ((!row->hold || s[1].op == END) && proccn__loss_next(&l, &r)) {
			assert_true(n < MAX_REPORTS);
			assert_int_equal(r.exact, r.reason != PROCCN_LOSS_OVERRUN);
			got[n].reason = r.reason;
			got[n++].count = r.count;
			sum += r.count;
		}
	}
	for (i = 0; i < MAX_REPORTS && row->want[i].reason; i++) {
		if (i >= n || got[i].reason != row->want[i].reason ||
		    got[i].count != row->want[i].count)
			fail_msg("%s: report %u: got reason %d count %llu, want %d %llu (%u reports)",
				 row->name, i, i < n ? got[i].reason : 0,
				 i < n ? (unsigned long long)got[i].count : 0ull,
				 row->want[i].reason, (unsigned long long)row->want[i].count, n);
	}
	if (i != n)
		fail_msg("%s: %u reports, want %u", row->name, n, i);
	if (sum != l.lost || l.lost != row->lost || l.overruns != row->overruns ||
	    proccn__loss_exact(&l) != row->exact || proccn__loss_due(&l))
		fail_msg("%s: lost %llu (reports %llu), want %llu; overruns %llu want %llu; "
			 "exact %d want %d", row->name, (unsigned long long)l.lost,
			 (unsigned long long)sum, (unsigned long long)row->lost,
			 (unsigned long long)l.overruns, (unsigned long long)row->overruns,
			 proccn__loss_exact(&l), row->exact);
	proccn__loss_fini(&l);
}

static void test_rows(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		run_row(&rows[i]);
}

/* A report is due until taken, and an overrun waits until the drain. */
static void test_due_and_waiting(void **state)
{
	struct proccn_loss r;
	struct pcn_loss l;

	(void)state;
	assert_int_equal(proccn__loss_init(&l, 1, 0), 0);
	assert_false(proccn__loss_due(&l));
	proccn__loss_overrun(&l);
	assert_true(proccn__loss_waiting(&l));
	assert_false(proccn__loss_due(&l));
	proccn__loss_drained(&l, 0, 10);
	assert_false(proccn__loss_waiting(&l));
	assert_true(proccn__loss_due(&l));
	assert_int_equal(proccn__loss_next(&l, &r), 1);
	assert_int_equal(r.reason, PROCCN_LOSS_OVERRUN);
	assert_int_equal(r.count, 0);
	assert_false(proccn__loss_due(&l));
	assert_int_equal(proccn__loss_next(&l, &r), 0);
	/* a drain with no overrun waiting reports nothing */
	proccn__loss_drained(&l, 9, 20);
	assert_false(proccn__loss_due(&l));
	proccn__loss_fini(&l);
}

/* The drop counter is a u32: a count across its wrap is still right. */
static void test_drop_counter_wraps(void **state)
{
	struct proccn_loss r;
	struct pcn_loss l;

	(void)state;
	assert_int_equal(proccn__loss_init(&l, 1, 0xfffffffeu), 0);
	proccn__loss_overrun(&l);
	proccn__loss_drained(&l, 3, 10);
	assert_int_equal(proccn__loss_next(&l, &r), 1);
	assert_int_equal(r.count, 5);
	assert_int_equal(l.lost, 5);
	proccn__loss_fini(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_due_and_waiting),
		cmocka_unit_test(test_drop_counter_wraps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
