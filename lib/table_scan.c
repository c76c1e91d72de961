/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Scans of /proc: the initial one, and the resync after a loss. A resync
 * reads processes in steps between socket drains, reconciles each with the
 * table (same process: refreshed; another process with the pid: the old one
 * ended; unknown: added), and at the end declares gone every entry born
 * before the scan began that the scan did not see. /proc lists the pids in
 * increasing order, each pid alive for the whole scan exactly once.
 */
#include <string.h>
#include <time.h>

#include "table.h"



/* proccn__table_scan_start - begin a scan of the whole /proc (a resync unless @initial). */
void proccn__table_scan_start(struct proccn_table *t, int initial)
{
	struct pcn_scan *s = &t->scan;

	s->gen++;
	s->initial = initial;
	s->started_ns = pcn_now_ns();
	memset(&s->report, 0, sizeof(s->report));
	s->report.sz = sizeof(s->report);
	s->report.started_ns = s->started_ns;
	s->report.initial = initial;
	/* a suspend since the last scan moved BOOTTIME against MONOTONIC */
	(void)proccn__procfs_clock_sample(&t->clock);
	if (proccn__procfs_scan_init(&s->dir, t->rootfd, t->rd.dirents, sizeof(t->rd.dirents)) < 0 ||
	    proccn__procfs_scan_restart(&s->dir) < 0) {
		s->phase = PCN_SCAN_DUE;   /* tried again at the next step */
		return;
	}
	s->phase = PCN_SCAN_RUNNING;
}

/* The entry of a process the scan found, filled from t->sample. */
static uint32_t add_scanned(struct proccn_table *t, pid_t pid)
{
	const struct pcn_sample *sm = &t->sample;
	struct pcn_entry *e;
	int64_t start = 0;
	uint32_t i = proccn__table_entry_new(t, pid);

	if (i == PCN_NONE)
		return PCN_NONE;
	e = &t->entries[i];
	e->key = proccn__table_key(pid, sm->start_ticks);
	(void)proccn__procfs_ticks_to_mono_ns(&t->clock, sm->start_ticks, &start);
	e->start_ns = start > 0 ? (uint64_t)start : 0;
	e->flags |= PROCCN_PROC_F_SCANNED;
	e->ppid = sm->stat.ppid;
	t->st.scanned++;
	return i;
}

/* A scanned process's thread count and state, as of the read. */
static void take_threads(struct proccn_table *t, struct pcn_entry *e)
{
	const struct pcn_sample *sm = &t->sample;

	e->threads = (uint32_t)sm->live_threads;
	e->threads_ns = sm->read_ns;
	e->state = sm->stat.state == 'Z' ? PROCCN_PROC_LEADER_EXITED : PROCCN_PROC_RUNNING;
}

/* Did the scan find the process changed (an exec or a rename missed)? */
static int changed(const struct proccn_table *t, const struct pcn_entry *e)
{
	const struct pcn_sample *sm = &t->sample;
	const char *exe = proccn__strpool_str(&t->strings, e->exe);

	if (strncmp(e->comm, sm->stat.comm, PROCCN_COMM_LEN - 1) != 0)
		return 1;
	if ((sm->have & PROCCN_PROC_F_EXE) && exe &&
	    (strlen(exe) != sm->exe_len || memcmp(exe, sm->exe, sm->exe_len) != 0))
		return 1;
	return (sm->have & PROCCN_PROC_F_CREDS) && (e->flags & PROCCN_PROC_F_CREDS) &&
	       (e->ruid != sm->status.uid[PROCCN__PROCFS_REAL] ||
		e->euid != sm->status.uid[PROCCN__PROCFS_EFFECTIVE]);
}

/* One process of the scan, reconciled with the table. */
static int scan_one(struct proccn_table *t, pid_t pid)
{
	struct pcn_scan *s = &t->scan;
	uint32_t i;
	int r = 0;

	if (proccn__table_read(t, pid, PCN_READ_CREDS) < 0)
		return 0;   /* gone: the end of the scan settles a known one */
	s->report.scanned++;
	i = proccn__table_live(t, pid);
	if (i != PCN_NONE) {
		struct pcn_entry *e = &t->entries[i];

		if (proccn__table_same_process(t, e, t->sample.start_ticks)) {
			e->gen = s->gen;
			if (t->sample.read_ns > e->attrs_ns) {
				s->report.changed += !s->initial && changed(t, e);
				proccn__table_apply_sample(t, i);
			}
			take_threads(t, e);
			e->ppid = t->sample.stat.ppid;
			return 0;
		}
		/* another process has the pid now */
		s->report.replaced++;
		s->report.exited++;
		t->st.pid_reuse++;
		r = proccn__table_end(t, i, 0, t->sample.read_ns, 1);
	}
	i = add_scanned(t, pid);
	if (i == PCN_NONE)
		return r;
	proccn__table_apply_sample(t, i);
	take_threads(t, &t->entries[i]);
	if (s->initial)
		return r;
	/* its on_start comes at the end of the scan, when its lineage is known */
	t->entries[i].flags |= PCN_F_ADDED;
	s->report.added++;
	return r;
}

/*
 * proccn__table_scan_step - read up to @budget processes. Returns a
 * callback's negative value or 0; the phase says whether the scan is done.
 */
int proccn__table_scan_step(struct proccn_table *t, uint32_t budget)
{
	struct pcn_scan *s = &t->scan;
	int r = 0;

	if (s->phase == PCN_SCAN_DUE)
		proccn__table_scan_start(t, 0);
	while (s->phase == PCN_SCAN_RUNNING && budget--) {
		pid_t pid;
		int n = proccn__procfs_scan_next(&s->dir, &pid);

		if (n < 0) {
			s->phase = PCN_SCAN_DUE;   /* start again at the next step */
			break;
		}
		if (n == 0) {
			s->phase = PCN_SCAN_FINISHING;
			break;
		}
		r = pcn_first_error(r, scan_one(t, pid));
	}
	return r;
}

/*
 * Link the processes the scan found to their parents, and let a process a
 * resync added inherit its parent's watches: with the lineage unknown
 * (parent not tracked, or init), flag it. Then on_start for the added ones.
 */
static int link_scanned(struct proccn_table *t)
{
	uint32_t i;
	int r = 0;

	for (i = 0; i < t->nentries; i++) {
		struct pcn_entry *e = &t->entries[i];
		uint32_t p;

		if (e->state == PCN_FREE || e->state == PROCCN_PROC_EXITED || e->gen != t->scan.gen)
			continue;
		p = proccn__table_live(t, e->ppid);
		if (p != PCN_NONE && p != i && e->parent != p)
			proccn__table_entry_link(t, i, p);
		if (!(e->flags & PCN_F_ADDED))
			continue;
		e->flags &= ~PCN_F_ADDED;
		/* born while events were lost: its parent then is a guess at best */
		if (p == PCN_NONE || e->ppid == 1)
			e->flags |= PROCCN_PROC_F_LINEAGE_LOST;
		else
			proccn__table_watch_fork(t, e, &t->entries[p]);
		r = pcn_first_error(r, proccn__table_started(t, i));
	}
	return r;
}

/*
 * proccn__table_scan_finish - the scan has read every pid and the socket has
 * been drained since: every live entry it did not see and that was born
 * before it began is gone (on_exit, inferred). Then the report.
 */
int proccn__table_scan_finish(struct proccn_table *t)
{
	struct pcn_scan *s = &t->scan;
	uint32_t i;
	int r = 0;

	for (i = 0; i < t->nentries; i++) {
		struct pcn_entry *e = &t->entries[i];

		if (e->state == PCN_FREE || e->state == PROCCN_PROC_EXITED || e->gen == s->gen ||
		    e->start_ns >= s->started_ns)
			continue;
		s->report.exited++;
		r = pcn_first_error(r, proccn__table_end(t, i, 0, pcn_now_ns(), 1));
	}
	r = pcn_first_error(r, link_scanned(t));
	s->report.ended_ns = pcn_now_ns();
	t->st.resyncs++;
	t->st.resync_ns = s->report.ended_ns - s->report.started_ns;
	s->phase = s->again ? PCN_SCAN_DUE : PCN_SCAN_IDLE;
	s->again = 0;
	s->report_due = 1;
	return r;
}
