/* SPDX-License-Identifier: MIT-0 */
/*
 * proccn-watch's parts: the line buffer and escaping (watch-line.c), the
 * two output formats (watch-text.c, watch-json.c: each format in one
 * place), the filters and the -x details (watch-filter.c), the -S table
 * (watch-stats.c), and options, callbacks and the loop (proccn-watch.c).
 *
 * Nothing on the per-event path allocates: every buffer below is part of
 * struct watch, allocated once in main().
 */
#ifndef PROCCN_WATCH_H
#define PROCCN_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <proccn.h>
#include <proccn_table.h>

#define PROG "proccn-watch"

/* The "schema" member of every JSON object: bumped whenever a key is added,
 * removed or changes meaning (tools/proccn-watch.schema.json). */
#define WATCH_SCHEMA 1

/* Command-line bytes the table keeps per process (longer ones are cut and
 * flagged): the old tool read up to 4 KiB, most command lines are far
 * shorter, and the table reserves this much per entry. */
#define WATCH_CMDLINE_MAX 1024

/*
 * One output line, built in memory and written with one fwrite(). Big
 * enough for the worst case of every field escaped to 6 bytes per byte
 * (a \u00XX), so nothing is ever cut in practice; if something were,
 * `cut` is set and the line still ends well-formed.
 */
#define LINE_CAP 32768
struct line {
	size_t len;
	bool cut;
	char buf[LINE_CAP];
};

void line_reset(struct line *l);
void line_add(struct line *l, const char *s, size_t n);
void line_puts(struct line *l, const char *s);
void line_printf(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Pad with spaces up to column @col of the line (counted from @start). */
void line_pad(struct line *l, size_t start, size_t col);
/* For a terminal: bytes outside printable ASCII as \xHH, '\' as "\\". */
void line_text(struct line *l, const char *s, size_t n);
/* A quoted JSON string, always valid JSON whatever the bytes. */
void line_json(struct line *l, const char *s, size_t n);
/* A quoted JSON string, or null for NULL. */
void line_json_or_null(struct line *l, const char *s);

/* "HH:MM:SS.uuuuuu" local time, or ISO-8601 UTC with microseconds. */
void format_wall(const struct timespec *ts, bool iso, char *buf, size_t len);
/* The same for an event timestamp (CLOCK_MONOTONIC ns). */
void format_event_time(uint64_t timestamp_ns, bool iso, char *buf, size_t len);
/* "SIGKILL", or "signal 77" for numbers glibc has no name for. */
const char *signal_name(int sig, char *buf, size_t len);

/* What the name column shows (--name). */
enum name_mode { NAME_COMM, NAME_EXE, NAME_CMDLINE };

/* -x: who runs it, from where (exec and uid lines). */
struct extra {
	char user[64], euser[64];      /* the names of ruid and (when it differs) euid */
	bool has_user, has_euser;      /* false: no name for that uid (or not asked) */
	char tty[32];                  /* "pts/3"; "" when it has none or it is unknown */
	bool tty_known;
	const char *cgroup;            /* NULL unless the table read it */
	const char *unit, *container;  /* spans of cgroup, or NULL */
	size_t unit_len, container_len;
};

/*
 * One line to show: a kernel event as the table explains it, or an exit
 * the table inferred after a loss. pid is always the process (tgid), tid
 * the thread the kernel named, ppid the parent process.
 */
struct item {
	uint32_t kind;                    /* PROCCN_EV_* (EXIT for an inferred one) */
	const union proccn_event *ev;     /* NULL for an inferred exit */
	uint64_t ts_ns;
	int cpu;                          /* -1: none (inferred) */
	pid_t pid, tid, ppid;             /* ppid 0: unknown */
	bool thread;                      /* about a thread, not the process */
	const struct proccn_proc *proc;   /* NULL: the table does not know it */
	const struct proccn_proc *parent; /* NULL: unknown */
	/* exits */
	bool ended;                       /* every thread has exited */
	bool inferred;                    /* the EXIT was lost: status unknown */
	int threads_left;                 /* a thread's exit: threads still running */
	const struct extra *x;            /* -x details, or NULL */
};

/* Filters (watch-filter.c). */
#define MAX_MATCH 8
struct tree_set;
struct filter {
	pid_t pid;                /* --pid: this process (0: any) */
	uint64_t pid_key;         /* ... as the table knew it at start (0: unknown) */
	pid_t tree;               /* --tree: it and its descendants (0: off) */
	struct tree_set *members; /* pids in the tree now */
	uint64_t tree_full;       /* forks not followed: the set was full */
	char comm[MAX_MATCH][PROCCN_COMM_LEN];
	int ncomm;
	uint32_t uid[MAX_MATCH];
	int nuid;
	uint32_t mask;            /* -e: PROCCN_EV_* kinds shown */
	bool processes_only;      /* -p */
};

int filter_init(struct filter *f);
void filter_free(struct filter *f);
/* Fill the tree set from the table (after proccn_table_open()). */
int filter_start(struct filter *f, struct proccn_table *t);
/* Follow a process fork / a process found by a resync / an end. */
void filter_fork(struct filter *f, pid_t child, pid_t parent);
void filter_end(struct filter *f, pid_t pid);
bool filter_match(const struct filter *f, const struct item *it);
/* "root", "1000": a user name or number; 0 and *uid, or -ENOENT. */
int parse_user(const char *s, uint32_t *uid);
/* The name of a uid into @out (cached); false when it has none. */
bool user_name(uint32_t uid, char *out, size_t len);
/* The tty of @p from /proc/PID/stat, checked to be that incarnation. */
void read_tty(const struct proccn_proc *p, struct extra *x);
/* The -x details of @p. */
void fill_extra(const struct proccn_proc *p, struct extra *x);

/* The two formats: one line each for an item, a loss, a resync. */
void text_item(struct line *l, const struct item *it, enum name_mode name);
void json_item(struct line *l, const struct item *it, enum name_mode name);
void text_loss(struct line *l, const struct proccn_loss *loss, const char *reason,
	       bool counted_as_gaps);
void json_loss(struct line *l, const struct proccn_loss *loss, const char *reason);
void text_resync(struct line *l, const struct proccn_resync *r);
void json_resync(struct line *l, const struct proccn_resync *r);

/* -S (watch-stats.c). */
struct stats;
struct stats *stats_new(void);
void stats_free(struct stats *s);
void stats_count(struct stats *s, const struct item *it);
void stats_print(const struct stats *s, FILE *f);

/* Helpers shared by the formats. */
/* The text of an exit: "exited 3", "killed by SIGSEGV, core dumped". */
void exit_text(struct line *l, uint32_t code);
/* ns between start and end of @p, or -1 when unknown. */
int64_t lifetime_ns(const struct proccn_proc *p);

#endif /* PROCCN_WATCH_H */
