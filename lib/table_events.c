/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Applying events to the table. The rules that keep it right:
 * - an event generated before an entry's process started is of an earlier
 *   process with that pid: never applied to this one;
 * - fields read from /proc are newer than every event generated before the
 *   read (attrs_ns), and a thread count set by a read or an exec already
 *   holds the thread events generated before it (threads_ns);
 * - a process ends when its last thread does, with that thread's status.
 * A callback that returns a negative value stops the dispatch, but only
 * after the event has been applied in full: the table never stays half
 * changed. The first negative value is returned.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "table.h"

/* proccn__table_call - a table callback with entry @i's record (0 when unset). */
int proccn__table_call(struct proccn_table *t,
		       int (*fn)(const struct proccn_proc *p, void *ud), uint32_t i)
{
	struct proccn_proc p;
	int r;

	if (!fn || t->closing)
		return 0;
	proccn__table_fill(t, i, &p);
	r = fn(&p, t->ud);
	return r < 0 ? r : 0;
}

/* proccn__table_started - on_start for entry @i. */
int proccn__table_started(struct proccn_table *t, uint32_t i)
{
	return proccn__table_call(t, t->cb ? t->cb->on_start : NULL, i);
}

/*
 * A process that lost its parent: the kernel reparented it before the
 * parent's EXIT was sent, so /proc knows the new one. When /proc has it no
 * more, it is gone too (its EXIT follows, or a resync finds it): it keeps
 * the parent it had.
 */
static void reparent(struct proccn_table *t, uint32_t c)
{
	struct pcn_entry *e = &t->entries[c];
	struct proccn__procfs_stat st;
	char name[24];
	size_t len;
	uint32_t p;

	snprintf(name, sizeof(name), "%d/stat", (int)e->pid);
	t->st.proc_reads++;
	if (proccn__procfs_read_file(t->rootfd, name, t->rd.stat, sizeof(t->rd.stat), &len) < 0 ||
	    proccn__procfs_parse_stat(t->rd.stat, len, &st) < 0 ||
	    !proccn__table_same_process(t, e, st.starttime)) {
		t->st.proc_read_failed++;
		return;
	}
	e->ppid = st.ppid;
	p = proccn__table_live(t, st.ppid);
	if (p != PCN_NONE && p != c)
		proccn__table_entry_link(t, c, p);
}

/*
 * proccn__table_end - live entry @i's process ended at @when_ns with @code
 * (its EXIT), or was found gone (@inferred: status unknown). on_exit, the
 * watches, its children's new parents; then it goes to the exited ring.
 */
int proccn__table_end(struct proccn_table *t, uint32_t i, uint32_t code, uint64_t when_ns,
		      int inferred)
{
	struct pcn_entry *e = &t->entries[i];
	uint32_t orphans[64], n = 0, c;
	int r = 0;

	/* added by a resync under way and gone already: it still starts first */
	if (e->flags & PCN_F_ADDED) {
		e->flags &= ~PCN_F_ADDED;
		r = proccn__table_started(t, i);
	}
	e->state = PROCCN_PROC_EXITED;
	e->threads = 0;
	e->exit_code = inferred ? 0 : code;
	e->exit_ns = when_ns;
	e->flags |= PROCCN_PROC_F_EXIT | (inferred ? PROCCN_PROC_F_INFERRED : 0);
	t->st.exits++;
	t->st.exits_inferred += inferred != 0;
	r = pcn_first_error(r, proccn__table_call(t, t->cb ? t->cb->on_exit : NULL, i));
	r = pcn_first_error(r, proccn__table_watch_end(t, e));
	for (c = e->first_child; c != PCN_NONE && n < 64; c = t->entries[c].next_sibling)
		orphans[n++] = c;
	proccn__table_entry_retire(t, i, when_ns);
	/* more than 64 orphans keep their old ppid until a resync: a rare case */
	while (n)
		reparent(t, orphans[--n]);
	return r;
}

/* A FORK of a thread: one more thread in its process. */
static int thread_fork(struct proccn_table *t, const struct proccn_fork *f)
{
	uint32_t i = proccn__table_live(t, f->child_tgid);
	struct pcn_entry *e = pcn_entry_at(t, i);

	if (!e) {
		t->st.unknown_events++;
		return 0;
	}
	if (f->hdr.timestamp_ns < e->start_ns || f->hdr.timestamp_ns <= e->threads_ns) {
		t->st.stale_events++;
		return 0;
	}
	e->threads++;
	return 0;
}

/* A child whose parent the table does not know: learn it from /proc. */
static void learn_orphan(struct proccn_table *t, uint32_t i, uint64_t ts)
{
	struct pcn_entry *e = &t->entries[i];

	if (proccn__table_read(t, e->pid, PCN_READ_CREDS) < 0 ||
	    proccn__procfs_compare_start(&t->clock, t->sample.start_ticks, ts) ==
		    PROCCN__PROCFS_STARTED_AFTER) {
		e->flags |= PROCCN_PROC_F_UNNAMED;
		return;
	}
	proccn__table_apply_sample(t, i);
}

/* A FORK of a process: a new entry, its image copied from the parent's. */
static int process_fork(struct proccn_table *t, const struct proccn_fork *f)
{
	uint64_t ts = f->hdr.timestamp_ns, ticks = proccn__table_ticks_of(t, ts);
	uint32_t i = proccn__table_live(t, f->child_pid), p;
	struct pcn_entry *e;
	int r = 0, reused;

	if (i != PCN_NONE) {
		e = &t->entries[i];
		if (proccn__table_same_process(t, e, ticks)) {
			/* a scan or its exec taught us this one already: the lineage is news */
			p = proccn__table_live(t, f->parent_tgid);
			if (e->parent == PCN_NONE && p != PCN_NONE && p != i)
				proccn__table_entry_link(t, i, p);
			return 0;
		}
		if (ts < e->start_ns) {
			t->st.stale_events++;
			return 0;
		}
		/* the pid is another process's now: the old one's EXIT was lost,
		   or comes late */
		t->st.pid_reuse++;
		r = proccn__table_end(t, i, 0, ts, 1);
	}
	reused = i != PCN_NONE;
	i = proccn__table_entry_new(t, f->child_pid);
	if (i == PCN_NONE)
		return r;
	e = &t->entries[i];
	if (reused)
		e->flags |= PCN_F_REUSED;
	e->key = proccn__table_key(f->child_pid, ticks);
	e->start_ns = ts;
	e->threads = 1;
	e->threads_ns = ts;
	e->ppid = f->parent_tgid;
	e->flags |= PROCCN_PROC_F_FORKED;
	p = proccn__table_live(t, f->parent_tgid);
	if (p != PCN_NONE) {
		proccn__table_copy_image(t, e, &t->entries[p]);
		proccn__table_entry_link(t, i, p);
		proccn__table_watch_fork(t, e, &t->entries[p]);
	} else {
		learn_orphan(t, i, ts);
	}
	t->st.started++;
	return pcn_first_error(r, proccn__table_started(t, i));
}

/* The image is unknown: /proc was gone, or another process, when read. */
static void forget_image(struct proccn_table *t, struct pcn_entry *e)
{
	e->flags |= PROCCN_PROC_F_UNNAMED;
	e->flags &= ~(PROCCN_PROC_F_COMM | PROCCN_PROC_F_CMDLINE | PROCCN_PROC_F_TRUNCATED);
	memset(e->comm, 0, sizeof(e->comm));
	proccn__table_set_exe(t, e, NULL, 0);
	if (t->opts.fields & PROCCN_TABLE_CGROUP)
		proccn__table_set_cgroup(t, e, NULL, 0);
}

/* An EXEC of a process the table did not know: learn it from /proc. */
static int exec_unknown(struct proccn_table *t, const struct proccn_exec *x)
{
	struct pcn_entry *e;
	int64_t start = 0;
	uint32_t i, p;
	int r;

	if (proccn__table_read(t, x->tgid, PCN_READ_CREDS | PCN_READ_ZOMBIE) < 0) {
		t->st.unknown_events++;
		return 0;
	}
	if (proccn__procfs_compare_start(&t->clock, t->sample.start_ticks, x->hdr.timestamp_ns) ==
	    PROCCN__PROCFS_STARTED_AFTER) {
		t->st.proc_races++;
		return 0;
	}
	i = proccn__table_entry_new(t, x->tgid);
	if (i == PCN_NONE)
		return 0;
	e = &t->entries[i];
	e->key = proccn__table_key(x->tgid, t->sample.start_ticks);
	(void)proccn__procfs_ticks_to_mono_ns(&t->clock, t->sample.start_ticks, &start);
	e->start_ns = start > 0 ? (uint64_t)start : 0;
	e->flags |= PROCCN_PROC_F_SCANNED;
	proccn__table_apply_sample(t, i);
	e->ppid = t->sample.stat.ppid;
	p = proccn__table_live(t, e->ppid);
	if (p != PCN_NONE && p != i)
		proccn__table_entry_link(t, i, p);
	e->threads = 1;
	e->threads_ns = x->hdr.timestamp_ns;
	e->execs = 1;
	e->exec_ns = x->hdr.timestamp_ns;
	t->st.scanned++;
	r = proccn__table_started(t, i);
	return pcn_first_error(r, proccn__table_call(t, t->cb ? t->cb->on_exec : NULL, i));
}

/*
 * An EXEC: a new image with one thread. An exec from another thread reports
 * the old main thread's EXIT first: the new image revives the process.
 */
static int on_exec(struct proccn_table *t, const struct proccn_exec *x)
{
	uint64_t ts = x->hdr.timestamp_ns;
	uint32_t i = proccn__table_live(t, x->tgid);
	struct pcn_entry *e = pcn_entry_at(t, i);

	if (!e)
		return exec_unknown(t, x);
	if (ts < e->start_ns) {
		t->st.stale_events++;
		return 0;
	}
	e->state = PROCCN_PROC_RUNNING;
	e->threads = 1;
	e->threads_ns = ts;
	e->execs++;
	e->exec_ns = ts;
	e->flags &= ~PROCCN_PROC_F_FORKED;
	/* a zombie still names its image: read even if it has exited already */
	if (proccn__table_read(t, x->tgid, PCN_READ_ZOMBIE) < 0) {
		forget_image(t, e);
	} else if (!proccn__table_same_process(t, e, t->sample.start_ticks)) {
		t->st.proc_races++;
		forget_image(t, e);
	} else {
		proccn__table_apply_sample(t, i);
	}
	return proccn__table_call(t, t->cb ? t->cb->on_exec : NULL, i);
}

/*
 * The kernel sends an EXIT after it woke the parent: a process preempted in
 * between may be reaped and its pid reused before its EXIT goes out (parent
 * fields 0: reaped), after the new process's FORK. Such an EXIT, on a pid
 * reused while an EXIT was due, is the new process's only if /proc no
 * longer shows the new process running.
 */
static int late_exit_of_reused_pid(struct proccn_table *t, struct pcn_entry *e,
				   const struct proccn_exit *x)
{
	if (!(e->flags & PCN_F_REUSED) || x->pid != x->tgid || x->parent_tgid != 0)
		return 0;
	e->flags &= ~PCN_F_REUSED;   /* one late EXIT at most */
	return proccn__table_read(t, x->tgid, PCN_READ_STAT) == 0 &&
	       proccn__table_same_process(t, e, t->sample.start_ticks);
}

/* An EXIT: one thread fewer; the last one ends the process. */
static int on_exit_ev(struct proccn_table *t, const struct proccn_exit *x)
{
	uint64_t ts = x->hdr.timestamp_ns;
	uint32_t i = proccn__table_live(t, x->tgid);
	struct pcn_entry *e = pcn_entry_at(t, i);

	if (!e) {
		t->st.unknown_events++;
		return 0;
	}
	/* an earlier process's late EXIT, or a thread already out of the count */
	if (ts < e->start_ns || ts <= e->threads_ns || late_exit_of_reused_pid(t, e, x)) {
		t->st.stale_events++;
		return 0;
	}
	if (e->threads)
		e->threads--;
	if (x->pid == x->tgid)
		e->state = PROCCN_PROC_LEADER_EXITED;
	if (e->threads == 0)
		return proccn__table_end(t, i, x->exit_code, ts, 0);
	return 0;
}

/* pid and tgid of the events that change a process. */
static void subject(const union proccn_event *ev, pid_t *pid, pid_t *tgid)
{
	switch (ev->hdr.kind) {
	case PROCCN_EV_COMM:
		*pid = ev->comm.pid;
		*tgid = ev->comm.tgid;
		break;
	case PROCCN_EV_UID:
		*pid = ev->uid.pid;
		*tgid = ev->uid.tgid;
		break;
	case PROCCN_EV_GID:
		*pid = ev->gid.pid;
		*tgid = ev->gid.tgid;
		break;
	case PROCCN_EV_SID:
		*pid = ev->sid.pid;
		*tgid = ev->sid.tgid;
		break;
	default:
		*pid = ev->ptrace.pid;
		*tgid = ev->ptrace.tgid;
		break;
	}
}

/* COMM, UID, GID, SID, PTRACE: the main thread's changes are the process's. */
static int on_change(struct proccn_table *t, const union proccn_event *ev)
{
	pid_t pid, tgid;
	uint32_t i;
	struct pcn_entry *e;

	subject(ev, &pid, &tgid);
	i = proccn__table_live(t, tgid);
	e = pcn_entry_at(t, i);
	if (!e) {
		t->st.unknown_events++;
		return 0;
	}
	if (ev->hdr.timestamp_ns < e->start_ns || ev->hdr.timestamp_ns < e->attrs_ns) {
		t->st.stale_events++;
		return 0;
	}
	if (pid != tgid && e->state != PROCCN_PROC_LEADER_EXITED && ev->hdr.kind != PROCCN_EV_SID)
		return 0;   /* a thread's own name or credentials */
	switch (ev->hdr.kind) {
	case PROCCN_EV_COMM:
		memcpy(e->comm, ev->comm.comm, sizeof(e->comm));
		e->flags |= PROCCN_PROC_F_COMM;
		break;
	case PROCCN_EV_UID:
		e->ruid = ev->uid.ruid;
		e->euid = ev->uid.euid;
		break;
	case PROCCN_EV_GID:
		e->rgid = ev->gid.rgid;
		e->egid = ev->gid.egid;
		break;
	case PROCCN_EV_SID:
		e->sid = tgid;
		break;
	default:
		break;
	}
	if (!t->cb || !t->cb->on_change || t->closing)
		return 0;
	{
		struct proccn_proc p;
		int r;

		proccn__table_fill(t, i, &p);
		r = t->cb->on_change(&p, ev->hdr.kind, t->ud);
		return r < 0 ? r : 0;
	}
}

/* proccn__table_event - apply one event; returns a callback's negative value or 0. */
int proccn__table_event(struct proccn_table *t, const union proccn_event *ev)
{
	switch (ev->hdr.kind) {
	case PROCCN_EV_FORK:
		return ev->fork.child_pid != ev->fork.child_tgid ? thread_fork(t, &ev->fork)
								 : process_fork(t, &ev->fork);
	case PROCCN_EV_EXEC:
		return on_exec(t, &ev->exec);
	case PROCCN_EV_EXIT:
		return on_exit_ev(t, &ev->exit);
	case PROCCN_EV_COMM:
	case PROCCN_EV_UID:
	case PROCCN_EV_GID:
	case PROCCN_EV_SID:
	case PROCCN_EV_PTRACE:
		return on_change(t, ev);
	default:
		return 0;
	}
}
