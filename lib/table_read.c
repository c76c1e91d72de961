/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading one process from /proc for the table, through one directory fd so
 * that every file comes from the same incarnation, and telling incarnations
 * apart by their start time.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "table.h"

#define PID_BITS 22   /* pid_max is at most 2^22 */

/* proccn__table_key - the incarnation key of @pid started at @start_ticks. */
uint64_t proccn__table_key(pid_t pid, uint64_t start_ticks)
{
	return (start_ticks << PID_BITS) | ((uint64_t)pid & ((UINT64_C(1) << PID_BITS) - 1));
}

/* proccn__table_ticks_of - the start tick /proc would show for @mono_ns. */
uint64_t proccn__table_ticks_of(const struct proccn_table *t, uint64_t mono_ns)
{
	uint64_t ticks = 0;

	(void)proccn__procfs_mono_ns_to_ticks(&t->clock, mono_ns, &ticks);
	return ticks;
}

/*
 * proccn__table_same_process - is the process started at @start_ticks the
 * one entry @e stands for? One tick either way is the same: an entry made
 * from a FORK took its tick from the event's time, a little after the start.
 */
int proccn__table_same_process(const struct proccn_table *t, const struct pcn_entry *e,
			       uint64_t start_ticks)
{
	uint64_t mine = e->key >> PID_BITS;

	(void)t;
	return mine + 1 >= start_ticks && start_ticks + 1 >= mine;
}

/* A read that failed: counted; the caller decides what it means. */
static int failed(struct proccn_table *t, int r)
{
	t->st.proc_read_failed++;
	return r;
}

/* The optional files, each on its own: one that fails leaves its field unknown. */
static void read_optional(struct proccn_table *t, int dirfd, struct pcn_sample *s)
{
	uint32_t fields = t->opts.fields;
	unsigned int fl = 0;

	if (fields & PROCCN_TABLE_EXE) {
		t->st.proc_reads++;
		if (proccn__procfs_read_exe(dirfd, t->rd.exe, sizeof(t->rd.exe), &s->exe_len,
					    &fl) >= 0) {
			s->exe = t->rd.exe;
			s->have |= PROCCN_PROC_F_EXE;
		} else {
			t->st.proc_read_failed++;
		}
	}
	if (fields & PROCCN_TABLE_CGROUP) {
		t->st.proc_reads++;
		if (proccn__procfs_read_cgroup(dirfd, t->rd.cgroup, sizeof(t->rd.cgroup),
					       &s->cgroup_len, &fl) >= 0) {
			s->cgroup = t->rd.cgroup;
			s->have |= PROCCN_PROC_F_CGROUP;
		} else {
			t->st.proc_read_failed++;
		}
	}
	if (fields & PROCCN_TABLE_LOGIN) {
		t->st.proc_reads += 2;
		if (proccn__procfs_read_audit_ids(dirfd, &s->loginuid, &s->sessionid) >= 0)
			s->have |= PROCCN_PROC_F_LOGIN;
		else
			t->st.proc_read_failed++;
	}
	/* a dead main thread has no memory: its command line reads empty, not known */
	if ((fields & PROCCN_TABLE_CMDLINE) && s->stat.state != 'Z') {
		t->st.proc_reads++;
		fl = 0;
		if (proccn__procfs_read_cmdline(dirfd, t->rd.cmdline, t->opts.cmdline_max,
						&s->cmdline_len, &fl) >= 0) {
			s->cmdline = t->rd.cmdline;
			s->have |= PROCCN_PROC_F_CMDLINE;
			s->truncated = (fl & PROCCN__PROCFS_F_TRUNCATED) != 0;
		} else {
			t->st.proc_read_failed++;
		}
	}
}

/*
 * Only stat: one file, so one incarnation without a directory fd: three
 * system calls instead of five (an exec storm is read against the clock of
 * parents that reap).
 */
static int read_stat_only(struct proccn_table *t, pid_t pid, struct pcn_sample *s)
{
	char name[24];
	size_t len;
	int r;

	snprintf(name, sizeof(name), "%d/stat", (int)pid);
	t->st.proc_reads++;
	r = proccn__procfs_read_file(t->rootfd, name, t->rd.stat, sizeof(t->rd.stat), &len);
	return r < 0 ? r : proccn__procfs_parse_stat(t->rd.stat, len, &s->stat);
}

/* A zombie main thread still counts in num_threads; a zombie alone has ended. */
static int still_running(struct pcn_sample *s, unsigned int how)
{
	s->live_threads = s->stat.num_threads - (s->stat.state == 'Z');
	return s->stat.state != 'X' && (s->live_threads > 0 || (how & PCN_READ_ZOMBIE));
}

/* stat, status and the optional fields through one directory fd. */
static int read_through_dir(struct proccn_table *t, pid_t pid, unsigned int how,
			    struct pcn_sample *s)
{
	int dirfd = proccn__procfs_open_pid(t->rootfd, pid), r;

	if (dirfd < 0)
		return dirfd;
	t->st.proc_reads++;
	r = proccn__procfs_read_stat(dirfd, t->rd.stat, sizeof(t->rd.stat), &s->stat);
	if (r >= 0 && (how & PCN_READ_CREDS)) {
		t->st.proc_reads++;
		r = proccn__procfs_read_status(dirfd, t->rd.stat, sizeof(t->rd.stat), &s->status);
		if (r >= 0)
			s->have |= PROCCN_PROC_F_CREDS;
	}
	if (r >= 0 && !still_running(s, how))
		r = -ESRCH;
	if (r >= 0)
		read_optional(t, dirfd, s);
	close(dirfd);
	return r;
}

/*
 * proccn__table_read - read process @pid into t->sample: stat always (comm,
 * state, threads, start time), status with PCN_READ_CREDS, and the optional
 * fields. Returns 0, -ESRCH when the process is gone (a zombie whose every
 * thread ended counts as gone, unless PCN_READ_ZOMBIE: its stat still names
 * the image it ran), or another -errno (counted).
 */
int proccn__table_read(struct proccn_table *t, pid_t pid, unsigned int how)
{
	struct pcn_sample *s = &t->sample;
	int r;

	memset(s, 0, sizeof(*s));
	if ((how & PCN_READ_STAT) || (!(how & PCN_READ_CREDS) && !t->opts.fields)) {
		r = read_stat_only(t, pid, s);
		if (r >= 0 && !still_running(s, how))
			r = -ESRCH;
	} else {
		r = read_through_dir(t, pid, how, s);
	}
	if (r < 0)
		return failed(t, r);
	s->start_ticks = s->stat.starttime;
	s->read_ns = pcn_now_ns();
	s->have |= PROCCN_PROC_F_COMM;
	return 0;
}

/*
 * proccn__table_apply_sample - copy t->sample into entry @i: what was read
 * replaces what the entry knew, and is newer than every event generated
 * before the read.
 */
void proccn__table_apply_sample(struct proccn_table *t, uint32_t i)
{
	struct pcn_entry *e = &t->entries[i];
	const struct pcn_sample *s = &t->sample;
	size_t n;

	n = s->stat.comm_len < PROCCN_COMM_LEN - 1 ? s->stat.comm_len : PROCCN_COMM_LEN - 1;
	memcpy(e->comm, s->stat.comm, n);
	e->comm[n] = '\0';
	e->flags = (e->flags | PROCCN_PROC_F_COMM) & ~PROCCN_PROC_F_UNNAMED;
	e->sid = s->stat.session;
	if (s->have & PROCCN_PROC_F_CREDS) {
		e->ruid = s->status.uid[PROCCN__PROCFS_REAL];
		e->euid = s->status.uid[PROCCN__PROCFS_EFFECTIVE];
		e->rgid = s->status.gid[PROCCN__PROCFS_REAL];
		e->egid = s->status.gid[PROCCN__PROCFS_EFFECTIVE];
		e->flags |= PROCCN_PROC_F_CREDS;
	}
	if (t->opts.fields & PROCCN_TABLE_EXE)
		proccn__table_set_exe(t, e, s->exe, s->exe_len);
	if (t->opts.fields & PROCCN_TABLE_CGROUP)
		proccn__table_set_cgroup(t, e, s->cgroup, s->cgroup_len);
	if (s->have & PROCCN_PROC_F_LOGIN) {
		e->loginuid = s->loginuid;
		e->sessionid = s->sessionid;
		e->flags |= PROCCN_PROC_F_LOGIN;
	}
	if (t->opts.fields & PROCCN_TABLE_CMDLINE) {
		e->flags &= ~(PROCCN_PROC_F_CMDLINE | PROCCN_PROC_F_TRUNCATED);
		if (s->have & PROCCN_PROC_F_CMDLINE) {
			memcpy(t->cmdlines + (size_t)i * t->opts.cmdline_max, s->cmdline,
			       s->cmdline_len);
			e->cmdline_len = (uint32_t)s->cmdline_len;
			e->flags |= PROCCN_PROC_F_CMDLINE |
				    (s->truncated ? PROCCN_PROC_F_TRUNCATED : 0);
		}
	}
	e->attrs_ns = s->read_ns;
}
