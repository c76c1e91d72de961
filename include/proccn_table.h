/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libproccn process table - who every process is, from birth to exit, and
 * exact again after any loss.
 *
 * A table follows a handle's events and /proc: it knows each live process
 * (name, executable, command line, parent, user, cgroup, start time) and
 * keeps exited ones for a while, so that "pid 4711 exited 139" becomes "who
 * was that, run by whom, for how long". It is the library's answer to what
 * every user of raw events hand-rolls:
 *
 * - Memory is a fixed budget allocated by proccn_table_open(); nothing is
 *   allocated per event. When it is full, new processes are not tracked and
 *   old exited entries are evicted early, both counted.
 * - Identity: each process has a key unique for the boot (its pid and start
 *   time). A recycled pid never inherits another process's entry, events or
 *   remembered data.
 * - A process ends when its last thread ends, with the status that ended it
 *   (a worker's SIGSEGV after the main thread called pthread_exit()); the
 *   main thread's exit is not the end, nor is an exec from another thread.
 * - After any loss report, the table resyncs from /proc (see below), in steps
 *   between socket drains, so that a storm during the scan does not overflow
 *   the socket again.
 *
 * Filling it: proccn_table_open() scans /proc once the subscription is live.
 * A FORK copies the parent's entry (no /proc read); an EXEC reads the new
 * image's comm, state, threads and start time from /proc/PID/stat, plus the
 * fields asked for (PROCCN_TABLE_*), all through one directory fd so that they
 * come from one incarnation; COMM, UID, GID, SID and PTRACE events update the
 * entry; the EXIT of the last thread ends the process. Data read from /proc
 * is never overwritten by an event generated before the read.
 *
 * The guarantee after a resync (proccn_table_callbacks.on_resync): every
 * process alive during the whole scan is in the table with current data;
 * every entry whose process vanished meanwhile got exactly one on_exit,
 * flagged PROCCN_PROC_F_INFERRED (status unknown); processes born and gone
 * inside the blind window cannot be known (the handle's loss reports count
 * their events); a process found by the scan whose parent is not known (born
 * in the window and orphaned there) is flagged PROCCN_PROC_F_LINEAGE_LOST.
 *
 * Calls from inside a table callback: lookups, walks, watches, statistics
 * and proccn_table_resync() work (a resync asked for while one finishes
 * follows it); proccn_table_close() is deferred until the callback returns;
 * a nested proccn_table_dispatch() is -EBUSY, proccn_table_wait() -EINVAL.
 *
 * Threads: one table is used by one thread at a time, as its handle is.
 * Conventions as in <proccn.h>: negative errno returns, versioned structs
 * with a size field, PROCCN_OPTS() for options.
 */
#ifndef PROCCN_TABLE_H
#define PROCCN_TABLE_H

#include <proccn.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque table. */
struct proccn_table;

/*
 * Optional /proc reads, at every exec and for every process a scan finds.
 * Each costs system calls (the stat read that names a process costs five,
 * with the directory fd). A process whose main thread has already exited
 * when it is read still has its name, but no exe and no command line: those
 * stay unknown (flag unset).
 */
#define PROCCN_TABLE_EXE     UINT32_C(0x1)  /* readlink /proc/PID/exe: one more */
#define PROCCN_TABLE_CMDLINE UINT32_C(0x2)  /* /proc/PID/cmdline: three more, and it
					       CAN BLOCK while the target is stuck
					       (D state, its mmap lock held), which
					       stalls the table's dispatch */
#define PROCCN_TABLE_CGROUP  UINT32_C(0x4)  /* the cgroup v2 path: three more */
#define PROCCN_TABLE_LOGIN   UINT32_C(0x8)  /* loginuid and sessionid: six more */

/*
 * Options for proccn_table_open() (PROCCN_OPTS(proccn_table_opts, o, ...)).
 * The memory budget is fixed at open: the sizes below, with zero fields
 * taking defaults. proccn_table_get_stats() says how many bytes it took.
 */
struct proccn_table_opts {
	size_t sz;
	uint32_t fields;          /* PROCCN_TABLE_*: optional /proc reads */
	uint32_t max_procs;       /* live processes tracked; 0 = 16384; beyond
				     that, new processes are untracked (counted) */
	uint32_t max_exited;      /* exited processes kept for lookups; 0 = 1024 */
	uint32_t exited_ms;       /* keep each at least this long, unless evicted
				     early for room (counted); 0 = 5000 */
	uint32_t cmdline_max;     /* command-line bytes kept per process, with
				     PROCCN_TABLE_CMDLINE; 0 = 256 (longer ones
				     cut, flagged) */
	uint32_t strings;         /* distinct exe and cgroup paths kept (shared
				     by every process that has them); 0 = 1024 */
	uint32_t string_max;      /* bytes per path; 0 = 256 (longer ones are
				     unknown, counted) */
	uint32_t scan_batch;      /* processes read per scan step, between socket
				     drains; 0 = 128 */
	uint32_t reserved;        /* must be 0 */
	const char *proc_root;    /* the /proc to read; NULL = "/proc" (an agent
				     may see the host's elsewhere; tests point it
				     at a fake tree) */
};

/* A process's state. */
#define PROCCN_PROC_RUNNING       1  /* its main thread runs */
#define PROCCN_PROC_LEADER_EXITED 2  /* the main thread exited, other threads run */
#define PROCCN_PROC_EXITED        3  /* every thread exited */

/* Which fields of a record are known, and how they were learnt. */
#define PROCCN_PROC_F_COMM          UINT32_C(0x0001) /* comm */
#define PROCCN_PROC_F_EXE           UINT32_C(0x0002) /* exe */
#define PROCCN_PROC_F_CMDLINE       UINT32_C(0x0004) /* cmdline, cmdline_len */
#define PROCCN_PROC_F_CGROUP        UINT32_C(0x0008) /* cgroup */
#define PROCCN_PROC_F_LOGIN         UINT32_C(0x0010) /* loginuid, sessionid */
#define PROCCN_PROC_F_CREDS         UINT32_C(0x0020) /* ruid, euid, rgid, egid */
#define PROCCN_PROC_F_EXIT          UINT32_C(0x0040) /* exit_ns; exit_code unless INFERRED */
#define PROCCN_PROC_F_INFERRED      UINT32_C(0x0080) /* its EXIT was lost: a resync
							found it gone; status unknown */
#define PROCCN_PROC_F_SCANNED       UINT32_C(0x0100) /* first seen by a /proc scan,
							not born under our eyes:
							start_ns has 1/USER_HZ
							precision */
#define PROCCN_PROC_F_FORKED        UINT32_C(0x0200) /* forked, never exec'd since:
							its image is its parent's */
#define PROCCN_PROC_F_UNNAMED       UINT32_C(0x0400) /* exec'd, but /proc was gone
							(or another process) by
							the time it was read: the
							new image's fields are
							unknown, never another's */
#define PROCCN_PROC_F_TRUNCATED     UINT32_C(0x0800) /* cmdline cut at cmdline_max */
#define PROCCN_PROC_F_LINEAGE_LOST  UINT32_C(0x1000) /* parent unknown: born while
							events were lost */

/*
 * A process as the table remembers it. Strings point into the table: valid
 * during the callback that received the record, or, from a query, until the
 * next call that changes the table (dispatch, resync, watch, close).
 */
struct proccn_proc {
	size_t sz;
	uint64_t key;             /* incarnation, unique for the boot:
				     (start time in clock ticks << 22) | pid */
	pid_t pid;                /* the process (tgid); initial-namespace ids */
	pid_t ppid;               /* its parent process now (0: unknown) */
	pid_t sid;                /* session id */
	uint32_t state;           /* PROCCN_PROC_* */
	uint32_t flags;           /* PROCCN_PROC_F_* */
	uint32_t execs;           /* execs seen since it started */
	uint32_t threads;         /* threads alive, the main one included */
	uint32_t ruid, euid, rgid, egid;
	uint32_t loginuid, sessionid; /* UINT32_MAX: not set */
	uint32_t exit_code;       /* wait(2) status (proccn_decode_exit()) */
	uint64_t start_ns;        /* CLOCK_MONOTONIC, the clock of event timestamps */
	uint64_t exec_ns;         /* the last exec seen, 0 if none */
	uint64_t exit_ns;         /* when it ended (the EXIT event, or the resync) */
	char comm[PROCCN_COMM_LEN];
	const char *exe;          /* NULL unless PROCCN_PROC_F_EXE */
	const char *cgroup;       /* NULL unless PROCCN_PROC_F_CGROUP */
	const char *cmdline;      /* argv, NUL-separated; NULL unless ..._F_CMDLINE */
	size_t cmdline_len;
};

/* What a resync found (proccn_table_callbacks.on_resync). */
struct proccn_resync {
	size_t sz;
	uint64_t started_ns, ended_ns;  /* CLOCK_MONOTONIC */
	uint32_t scanned;         /* processes read */
	uint32_t added;           /* alive, unknown before (their FORK was lost) */
	uint32_t exited;          /* gone, their EXIT lost: on_exit, INFERRED */
	uint32_t replaced;        /* their pid was reused behind our back */
	uint32_t changed;         /* an exec, a rename or new credentials missed */
	int initial;              /* 1 for the scan of proccn_table_open() */
};

/* Watches: a process, or a process and everything forked from it. */
#define PROCCN_WATCH_SUBTREE UINT32_C(0x1) /* through double forks and
					      subreapers: membership is decided
					      at fork, not by who the parent is
					      later */

/* How much a watch's answer can be trusted. */
#define PROCCN_WATCH_EXACT     0  /* every member's end was seen */
#define PROCCN_WATCH_UNCERTAIN 1  /* events were lost meanwhile: members born
				     and orphaned in the blind window may
				     still run */
#define PROCCN_WATCH_GONE      2  /* the pid was not running when watched */

/* A watch that ended (proccn_table_callbacks.on_watch, proccn_table_wait()). */
struct proccn_watch_result {
	size_t sz;
	uint64_t id;              /* from proccn_table_watch() */
	uint32_t flags;           /* PROCCN_WATCH_SUBTREE as asked */
	int quality;              /* PROCCN_WATCH_* */
	uint32_t members;         /* processes that belonged to it */
	struct proccn_proc root;  /* the watched process (state EXITED; with
				     PROCCN_WATCH_GONE only pid is known, unless
				     the table still had its exited entry) */
};

/*
 * Callbacks for proccn_table_dispatch(). Same rules as struct
 * proccn_callbacks: sz, NULL members skipped, a negative return stops the
 * dispatch and is returned. The record is valid during the call.
 */
struct proccn_table_callbacks {
	size_t sz;
	/* a process began (its FORK), or a resync found it (F_SCANNED) */
	int (*on_start)(const struct proccn_proc *p, void *userdata);
	/* it exec'd: the record has the new image */
	int (*on_exec)(const struct proccn_proc *p, void *userdata);
	/* its comm, credentials, session or tracer changed: @kind is the
	   event's PROCCN_EV_* */
	int (*on_change)(const struct proccn_proc *p, uint32_t kind, void *userdata);
	/* it ended: every thread exited (or F_INFERRED: a resync found it gone) */
	int (*on_exit)(const struct proccn_proc *p, void *userdata);
	/* the handle reported a loss: a resync follows */
	int (*on_loss)(const struct proccn_loss *loss, void *userdata);
	/* a resync ended */
	int (*on_resync)(const struct proccn_resync *r, void *userdata);
	/* a watch ended */
	int (*on_watch)(const struct proccn_watch_result *w, void *userdata);
	/* every raw event too, after the table has applied it (lookups in it
	   see the table as of that event); may be NULL */
	const struct proccn_callbacks *raw;
};

/*
 * proccn_table_open - a table on handle @h, filled by a /proc scan now.
 * @h: an open handle whose mask has FORK, EXEC and EXIT (better: ALL, so that
 *     loss counting is exact and COMM/UID/GID/SID keep entries current),
 *     without PROCCN_F_PROCESSES_ONLY (thread events tell when a process
 *     ends). NULL: the table opens its own handle (mask ALL) and closes it.
 *     From now on the table follows @h: proccn_table_dispatch() dispatches
 *     it, proccn_dispatch() and proccn_unsubscribe() on it are -EBUSY, a
 *     mask without FORK, EXEC and EXIT is -EINVAL, and proccn_close(@h)
 *     waits for proccn_table_close() (one of these would blind the table).
 * @opts: NULL for the defaults.
 *
 * Allocates the whole memory budget. Events generated during the scan stay
 * queued and are applied by the first proccn_table_dispatch(), with
 * callbacks; data read from /proc is never overwritten by an event that was
 * generated before the read.
 *
 * Returns 0 with *out set, or -EINVAL (bad options, a handle without FORK,
 * EXEC or EXIT, or with PROCCN_F_PROCESSES_ONLY), -EBUSY (another table
 * follows @h, or @h is being dispatched: from one of its callbacks), -E2BIG (as for options of
 * <proccn.h>), -ENOMEM, the errors of proccn_open(), or -errno from opening
 * the /proc root.
 */
int proccn_table_open(struct proccn_table **out, struct proccn *h,
		      const struct proccn_table_opts *opts);

/*
 * proccn_table_close - free the table (and the handle it opened itself; a
 * handle of the caller's stays open, unless proccn_close() was called on it
 * meanwhile: it closes now). Accepts NULL; returns NULL. From a callback of
 * the table's own dispatch: deferred until the callback returns.
 */
struct proccn_table *proccn_table_close(struct proccn_table *t);

/*
 * proccn_table_fd - the fd for an event loop: the handle's proccn_fd(),
 * readable whenever proccn_table_dispatch(t, ..., 0) has work, a resync
 * under way included. Returns the fd, or -EINVAL.
 */
int proccn_table_fd(const struct proccn_table *t);

/*
 * proccn_table_handle - the handle the table follows (for its statistics and
 * mode; do not dispatch it yourself). NULL for NULL.
 */
struct proccn *proccn_table_handle(const struct proccn_table *t);

/*
 * proccn_table_dispatch - apply what the handle delivers to the table and
 * call the callbacks. Same contract as proccn_dispatch() (timeouts, stopping
 * callbacks, -EBUSY when nested, -EINTR), plus: while a resync is under way
 * each call reads one step of the scan (opts.scan_batch processes) after
 * draining the socket, and does not block. Returns the number of events the
 * handle delivered, or a negative errno.
 */
int proccn_table_dispatch(struct proccn_table *t, const struct proccn_table_callbacks *cb,
			  void *userdata, int timeout_ms);

/*
 * proccn_table_resync - start a resync now (a safety net on a schedule, or
 * after something outside the library lost events). It runs in the next
 * dispatches. Returns 0, or -EINVAL.
 */
int proccn_table_resync(struct proccn_table *t);

/*
 * proccn_table_synced - 1 when no resync is under way or due, 0 when one
 * is, -EINVAL for NULL.
 */
int proccn_table_synced(const struct proccn_table *t);

/*
 * proccn_table_get - the process with @pid: the live one, or else the most
 * recent exited one still kept. Set out->sz first; whole members up to it are
 * filled and out->sz says how many bytes. Returns 0, -ESRCH when the table
 * knows no such process, or -EINVAL.
 */
int proccn_table_get(const struct proccn_table *t, pid_t pid, struct proccn_proc *out);

/* proccn_table_get_key - the same by incarnation key: 0, -ESRCH or -EINVAL. */
int proccn_table_get_key(const struct proccn_table *t, uint64_t key, struct proccn_proc *out);

/*
 * proccn_table_ancestors - the parent, grandparent, ... of @pid, nearest
 * first, into @out[0..n) (each out[i].sz set by the caller, or 0 for
 * sizeof(struct proccn_proc)). Stops at a parent the table does not know or
 * at pid 1. Returns how many were filled, -ESRCH when @pid is unknown, or
 * -EINVAL.
 */
int proccn_table_ancestors(const struct proccn_table *t, pid_t pid, struct proccn_proc *out,
			   size_t n);

/* proccn_table_walk() flags. */
#define PROCCN_WALK_SUBTREE UINT32_C(0x1)  /* all descendants, not only children */

/*
 * proccn_table_walk - call @fn for each live child of @pid (or, with
 * PROCCN_WALK_SUBTREE, each live descendant, depth first; @depth 1 for a
 * child), or for every live process when @pid is 0 (depth 0). A negative
 * return of @fn stops the walk and is returned. Do not change the table from
 * @fn. Returns the number of calls, -ESRCH when @pid is unknown, or -EINVAL.
 */
int proccn_table_walk(const struct proccn_table *t, pid_t pid, uint32_t flags,
		      int (*fn)(const struct proccn_proc *p, int depth, void *userdata),
		      void *userdata);

/*
 * proccn_table_watch - be told (on_watch) when the process @pid ends, or
 * with PROCCN_WATCH_SUBTREE when it and every process forked from it (at any
 * depth, whoever their parent is later) have ended. The watch binds to the
 * process that has @pid now: a later process with the same pid never counts.
 * A pid that is not running completes at once (PROCCN_WATCH_GONE, reported
 * by the next dispatch). At most 64 watches at a time. Returns 0 with *id
 * set, -ENOSPC (64 watches, or the process is not tracked: the table was
 * full), or -EINVAL.
 */
int proccn_table_watch(struct proccn_table *t, pid_t pid, uint32_t flags, uint64_t *id);

/* proccn_table_unwatch - forget a watch: 0, or -ENOENT when there is none. */
int proccn_table_unwatch(struct proccn_table *t, uint64_t id);

/*
 * proccn_table_wait - wait until @pid (with PROCCN_WATCH_SUBTREE: its whole
 * subtree) has ended, dispatching the table meanwhile (with no callbacks),
 * at most @timeout_ms (-1: no limit). A pid that is not running, and one
 * that is reused meanwhile, never hang it. Fills *result (result->sz set by
 * the caller). Returns 0, -ETIMEDOUT, or an error of
 * proccn_table_watch() or proccn_table_dispatch(); -EINVAL from inside a
 * table callback. A signal ends it (-EINTR) only when it interrupts the
 * blocking read itself: a program that must act on signals uses
 * proccn_table_watch() in its own loop (examples/proccn-pwait.c).
 */
int proccn_table_wait(struct proccn_table *t, pid_t pid, uint32_t flags, int timeout_ms,
		      struct proccn_watch_result *result);

/* Table statistics (proccn_table_get_stats()). */
struct proccn_table_stats {
	size_t sz;
	uint64_t live;            /* processes tracked now */
	uint64_t exited_kept;     /* exited entries kept for lookups */
	uint64_t peak_live;
	uint64_t started;         /* tracked from their FORK */
	uint64_t scanned;         /* tracked from a /proc scan */
	uint64_t exits;           /* on_exit, inferred ones included */
	uint64_t exits_inferred;  /* found gone by a resync */
	uint64_t pid_reuse;       /* a pid seen again as a new process */
	uint64_t untracked;       /* not tracked: max_procs reached */
	uint64_t evicted_early;   /* exited entries dropped before exited_ms */
	uint64_t strings_full;    /* paths unknown: strings or string_max exceeded */
	uint64_t proc_reads;      /* /proc files read */
	uint64_t proc_read_failed;/* reads that failed (vanished, not permitted) */
	uint64_t proc_races;      /* reads discarded: the pid was another process */
	uint64_t stale_events;    /* events older than what /proc said, or of an
				     earlier process with that pid: not applied */
	uint64_t unknown_events;  /* events about processes the table does not know */
	uint64_t resyncs;         /* resyncs ended (the initial scan included) */
	uint64_t resync_ns;       /* time the last one took */
	uint64_t memory;          /* bytes allocated at open */
};

/*
 * proccn_table_get_stats - copy the statistics into *st (st->sz set first,
 * as proccn_get_stats()). Returns 0 or -EINVAL.
 */
int proccn_table_get_stats(const struct proccn_table *t, struct proccn_table_stats *st);

/*
 * proccn_cgroup_unit - the systemd unit in a cgroup v2 path (the last
 * component ending in .service, .scope, .slice, .socket, .mount or .swap),
 * e.g. "foo.scope" in ".../user@1000.service/app.slice/foo.scope". Sets
 * *unit and *len to a span of @path (not NUL-terminated). Returns 0, -ENOENT
 * when there is none, or -EINVAL.
 */
int proccn_cgroup_unit(const char *path, const char **unit, size_t *len);

/*
 * proccn_cgroup_container - the container id (64 hex digits) in a cgroup v2
 * path: docker-ID.scope, crio-ID.scope, libpod-ID.scope,
 * cri-containerd-ID.scope, containerd-ID.scope, or /docker/ID and
 * /kubepods/.../ID; the innermost one wins. Sets *id and *len to a span of
 * @path. Returns 0, -ENOENT when there is none, or -EINVAL.
 */
int proccn_cgroup_container(const char *path, const char **id, size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* PROCCN_TABLE_H */
