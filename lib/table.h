/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The process table's internals: the entries, the indexes over them and the
 * table's parts. Entries live in one array allocated at open and are named
 * by their index; the links between them (parent, children, the exited
 * ring) are indexes too, so that nothing is allocated per process.
 */
#ifndef PCN_TABLE_H
#define PCN_TABLE_H

#include <stdint.h>
#include <sys/types.h>

#include "handle.h"
#include "pidmap.h"
#include "procfs.h"
#include "proccn.h"
#include "proccn_table.h"
#include "strpool.h"

#define PCN_NONE UINT32_MAX
#define PCN_MAX_WATCHES 64

/* An entry's state: free, or a PROCCN_PROC_* state. */
#define PCN_FREE 0
/* Internal flags, never shown in a record. */
#define PCN_F_ADDED  UINT32_C(0x80000000) /* added by the running resync */
#define PCN_F_REUSED UINT32_C(0x40000000) /* born on the pid of a process whose
					     EXIT had not come: it may come late */
#define PCN_F_INTERNAL (PCN_F_ADDED | PCN_F_REUSED)

struct pcn_entry {
	uint64_t key;             /* (start ticks << 22) | pid */
	uint64_t start_ns, exec_ns, exit_ns;
	uint64_t attrs_ns;        /* fields read from /proc at this time: events
				     generated before it do not overwrite them */
	uint64_t threads_ns;      /* the thread count is right as of this time:
				     thread events generated before it are in it */
	uint64_t watches;         /* bit i: member of watch i */
	pid_t pid, ppid, sid;
	uint32_t state, flags;
	uint32_t execs, threads;
	uint32_t ruid, euid, rgid, egid, loginuid, sessionid;
	uint32_t exit_code;
	uint32_t exe, cgroup;     /* string pool ids, 0 for none */
	uint32_t cmdline_len;
	uint32_t parent;          /* entry index of the parent process, or PCN_NONE */
	uint32_t first_child, next_sibling, prev_sibling;
	uint32_t gen;             /* the last scan that saw it */
	char comm[PROCCN_COMM_LEN];
};

struct pcn_watch {
	uint64_t id;              /* 0: slot free */
	uint32_t flags;
	int quality;
	uint32_t live, members;   /* members alive, members ever */
	int done;                 /* ended, reported or not */
	int reported;
	struct proccn_proc root;  /* the root's record; strings NULL */
};

/* What a resync is doing. */
enum pcn_scan_phase { PCN_SCAN_IDLE, PCN_SCAN_DUE, PCN_SCAN_RUNNING, PCN_SCAN_FINISHING };

struct pcn_scan {
	enum pcn_scan_phase phase;
	int initial;              /* the scan of proccn_table_open() */
	int again;                /* events were lost while it ran: another one follows */
	uint32_t gen;             /* generation of the running scan */
	uint64_t started_ns;
	struct proccn__procfs_scan dir;
	struct proccn_resync report;
	int report_due;           /* a finished scan's report waits for a dispatch */
};

/* Scratch buffers for reading one process. */
struct pcn_read {
	char stat[PROCCN__PROCFS_STATUS_SIZE];
	char exe[PROCCN__PROCFS_EXE_SIZE];
	char cgroup[PROCCN__PROCFS_CGROUP_SIZE];
	char *cmdline;            /* opts.cmdline_max bytes */
	char dirents[4096];
};

/* What was read of one process. */
struct pcn_sample {
	struct proccn__procfs_stat stat;
	struct proccn__procfs_status status;
	uint64_t start_ticks;
	uint64_t read_ns;
	uint32_t have;            /* PROCCN_PROC_F_* fields read */
	uint32_t truncated;
	const char *exe, *cgroup, *cmdline;
	size_t exe_len, cgroup_len, cmdline_len;
	uint32_t loginuid, sessionid;
	int live_threads;         /* threads alive (a zombie main thread not counted) */
};

struct proccn_table {
	struct proccn *h;
	int own_handle;
	int following;            /* proccn__follow() succeeded: unfollow at close */
	struct proccn_table_opts opts;
	int rootfd;
	struct proccn__procfs_clock clock;

	struct pcn_entry *entries;
	uint32_t nentries;        /* max_procs + max_exited */
	uint32_t free_head;       /* free list through next_sibling */
	uint32_t live;
	struct pcn_pidmap pids;   /* pid -> live entry */
	uint32_t *exited;         /* ring of exited entry indexes, oldest first */
	uint32_t exited_head, exited_len;
	struct pcn_strpool strings;
	char *cmdlines;           /* cmdline_max bytes per entry */

	struct pcn_watch watches[PCN_MAX_WATCHES];
	uint32_t watch_serial;
	uint64_t waiting_for;     /* the watch proccn_table_wait() waits for */

	struct pcn_scan scan;
	struct pcn_read rd;
	struct pcn_sample sample;

	/* the dispatch under way */
	const struct proccn_table_callbacks *cb;
	const struct proccn_callbacks *raw;
	void *ud;
	int dispatching, closing;

	struct proccn_table_stats st;
};

/* table_store.c: entries, the tree, the exited ring */
uint32_t proccn__table_entry_new(struct proccn_table *t, pid_t pid);
void proccn__table_entry_link(struct proccn_table *t, uint32_t child, uint32_t parent);
void proccn__table_entry_unlink(struct proccn_table *t, uint32_t i);
void proccn__table_entry_retire(struct proccn_table *t, uint32_t i, uint64_t now_ns);
void proccn__table_expire(struct proccn_table *t, uint64_t now_ns);
uint32_t proccn__table_live(const struct proccn_table *t, pid_t pid);
uint32_t proccn__table_find_exited(const struct proccn_table *t, pid_t pid, uint64_t key);
void proccn__table_fill(const struct proccn_table *t, uint32_t i, struct proccn_proc *p);
void proccn__table_set_exe(struct proccn_table *t, struct pcn_entry *e, const char *s,
			   size_t len);
void proccn__table_set_cgroup(struct proccn_table *t, struct pcn_entry *e, const char *s,
			      size_t len);
void proccn__table_copy_image(struct proccn_table *t, struct pcn_entry *to,
			      const struct pcn_entry *from);

/* table_read.c: /proc */
#define PCN_READ_CREDS  0x1u  /* /proc/PID/status too */
#define PCN_READ_ZOMBIE 0x2u  /* a process whose threads all ended still counts */
#define PCN_READ_STAT   0x4u  /* stat alone, whatever opts.fields asks */
int proccn__table_read(struct proccn_table *t, pid_t pid, unsigned int how);
int proccn__table_same_process(const struct proccn_table *t, const struct pcn_entry *e,
			       uint64_t start_ticks);
uint64_t proccn__table_key(pid_t pid, uint64_t start_ticks);
void proccn__table_apply_sample(struct proccn_table *t, uint32_t i);
uint64_t proccn__table_ticks_of(const struct proccn_table *t, uint64_t mono_ns);

/* table_events.c: events and ends */
int proccn__table_event(struct proccn_table *t, const union proccn_event *ev);
int proccn__table_end(struct proccn_table *t, uint32_t i, uint32_t code, uint64_t when_ns,
		      int inferred);
int proccn__table_started(struct proccn_table *t, uint32_t i);

/* table_scan.c: the initial scan and resyncs */
void proccn__table_scan_start(struct proccn_table *t, int initial);
int proccn__table_scan_step(struct proccn_table *t, uint32_t budget);
int proccn__table_scan_finish(struct proccn_table *t);

/* table_watch.c: watches */
void proccn__table_watch_fork(struct proccn_table *t, struct pcn_entry *child,
			      const struct pcn_entry *parent);
int proccn__table_watch_end(struct proccn_table *t, struct pcn_entry *e);
void proccn__table_watch_loss(struct proccn_table *t);
int proccn__table_watch_report(struct proccn_table *t);
int proccn__table_watch_pending(const struct proccn_table *t);
void proccn__table_watch_take(struct pcn_watch *w, struct proccn_watch_result *res);

/* table.c */
int proccn__table_call(struct proccn_table *t,
		       int (*fn)(const struct proccn_proc *p, void *ud), uint32_t i);

/* The first negative of two results: a stopping callback's value wins. */
static inline int pcn_first_error(int a, int b)
{
	return a < 0 ? a : b < 0 ? b : 0;
}

static inline struct pcn_entry *pcn_entry_at(struct proccn_table *t, uint32_t i)
{
	return i == PCN_NONE ? NULL : &t->entries[i];
}

#endif
