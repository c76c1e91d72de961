/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The process table's public functions: its life (options, the one
 * allocation, the initial scan), its dispatch (the handle's events through
 * the table, the resync steps between drains) and its statistics.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "abi.h"
#include "handle.h"
#include "table.h"

#define DEFAULT_MAX_PROCS   16384
#define DEFAULT_MAX_EXITED  1024
#define DEFAULT_EXITED_MS   5000
#define DEFAULT_CMDLINE_MAX 256
#define DEFAULT_STRINGS     1024
#define DEFAULT_STRING_MAX  256
#define DEFAULT_SCAN_BATCH  128
#define MAX_ENTRIES         (UINT32_C(1) << 22)   /* pid_max at most */
#define KNOWN_FIELDS (PROCCN_TABLE_EXE | PROCCN_TABLE_CMDLINE | PROCCN_TABLE_CGROUP | \
		      PROCCN_TABLE_LOGIN)
#define NEEDED_EVENTS (PROCCN_EV_FORK | PROCCN_EV_EXEC | PROCCN_EV_EXIT)

static const struct pcn_abi_member table_opts_members[] = {
	PCN_ABI_MEMBER(struct proccn_table_opts, sz),
	PCN_ABI_MEMBER(struct proccn_table_opts, fields),
	PCN_ABI_MEMBER(struct proccn_table_opts, max_procs),
	PCN_ABI_MEMBER(struct proccn_table_opts, max_exited),
	PCN_ABI_MEMBER(struct proccn_table_opts, exited_ms),
	PCN_ABI_MEMBER(struct proccn_table_opts, cmdline_max),
	PCN_ABI_MEMBER(struct proccn_table_opts, strings),
	PCN_ABI_MEMBER(struct proccn_table_opts, string_max),
	PCN_ABI_MEMBER(struct proccn_table_opts, scan_batch),
	PCN_ABI_MEMBER(struct proccn_table_opts, reserved),
	PCN_ABI_MEMBER(struct proccn_table_opts, proc_root),
};
static const struct pcn_abi_layout table_opts_layout =
	PCN_ABI_LAYOUT(struct proccn_table_opts, table_opts_members,
		       offsetof(struct proccn_table_opts, fields) + sizeof(uint32_t));

static const struct pcn_abi_member table_cb_members[] = {
	PCN_ABI_MEMBER(struct proccn_table_callbacks, sz),
	PCN_ABI_MEMBER(struct proccn_table_callbacks, on_start),
	PCN_ABI_MEMBER(struct proccn_table_callbacks, on_exec),
	PCN_ABI_MEMBER(struct proccn_table_callbacks, on_change),
	PCN_ABI_MEMBER(struct proccn_table_callbacks, on_exit),
	PCN_ABI_MEMBER(struct proccn_table_callbacks, on_loss),
	PCN_ABI_MEMBER(struct proccn_table_callbacks, on_resync),
	PCN_ABI_MEMBER(struct proccn_table_callbacks, on_watch),
	/* the size of the pointer member itself, as meant */
	PCN_ABI_MEMBER(struct proccn_table_callbacks, raw), /* NOLINT(bugprone-sizeof-expression) */
};
static const struct pcn_abi_layout table_cb_layout =
	PCN_ABI_LAYOUT(struct proccn_table_callbacks, table_cb_members, sizeof(size_t));



/* Options with defaults applied, limits checked. */
static int read_table_opts(const struct proccn_table_opts *in, struct proccn_table_opts *o)
{
	int r;

	memset(o, 0, sizeof(*o));
	if (in) {
		r = proccn__abi_read(in, o, &table_opts_layout);
		if (r < 0)
			return r;
	}
	o->sz = sizeof(*o);
	if (o->reserved)
		return -E2BIG;
	if (!o->max_procs)
		o->max_procs = DEFAULT_MAX_PROCS;
	if (!o->max_exited)
		o->max_exited = DEFAULT_MAX_EXITED;
	if (!o->exited_ms)
		o->exited_ms = DEFAULT_EXITED_MS;
	if (!o->cmdline_max)
		o->cmdline_max = DEFAULT_CMDLINE_MAX;
	if (!o->strings)
		o->strings = DEFAULT_STRINGS;
	if (!o->string_max)
		o->string_max = DEFAULT_STRING_MAX;
	if (!o->scan_batch)
		o->scan_batch = DEFAULT_SCAN_BATCH;
	if ((o->fields & ~KNOWN_FIELDS) || o->max_procs > MAX_ENTRIES ||
	    o->max_exited > MAX_ENTRIES || o->cmdline_max > (UINT32_C(1) << 20) ||
	    o->strings > (UINT32_C(1) << 20) || o->string_max > 65536 || o->string_max < 2)
		return -EINVAL;
	return 0;
}

/* The handle must bring every fork, exec and exit, threads' too. */
static int check_handle(const struct proccn *h)
{
	if ((proccn_get_events(h) & NEEDED_EVENTS) != NEEDED_EVENTS ||
	    (h->sub.flags & PROCCN_F_PROCESSES_ONLY))
		return -EINVAL;
	return 0;
}

static void table_free(struct proccn_table *t)
{
	if (t->rootfd >= 0)
		close(t->rootfd);
	proccn__pidmap_fini(&t->pids);
	proccn__strpool_fini(&t->strings);
	free(t->entries);
	free(t->exited);
	free(t->cmdlines);
	free(t->rd.cmdline);
	if (t->following)
		proccn__unfollow(t->h);
	if (t->own_handle)
		proccn_close(t->h);
	free(t);
}

/* Every buffer the table will use: nothing is allocated later. */
static int table_alloc(struct proccn_table *t)
{
	const struct proccn_table_opts *o = &t->opts;
	size_t bytes = sizeof(*t), n;
	uint32_t i;
	int r;

	t->nentries = o->max_procs + o->max_exited;
	t->entries = calloc(t->nentries, sizeof(*t->entries));
	t->exited = calloc(o->max_exited, sizeof(*t->exited));
	t->rd.cmdline = malloc(o->cmdline_max);
	if (o->fields & PROCCN_TABLE_CMDLINE)
		t->cmdlines = calloc(t->nentries, o->cmdline_max);
	if (!t->entries || !t->exited || !t->rd.cmdline ||
	    (!t->cmdlines && (o->fields & PROCCN_TABLE_CMDLINE)))
		return -ENOMEM;
	bytes += (size_t)t->nentries * sizeof(*t->entries) +
		 (size_t)o->max_exited * sizeof(*t->exited) + o->cmdline_max;
	if (t->cmdlines)
		bytes += (size_t)t->nentries * o->cmdline_max;
	r = proccn__pidmap_init(&t->pids, o->max_procs, &n);
	if (r < 0)
		return r;
	bytes += n;
	r = proccn__strpool_init(&t->strings, o->strings, o->string_max, &n);
	if (r < 0)
		return r;
	bytes += n;
	for (i = 0; i < t->nentries; i++)
		t->entries[i].next_sibling = i + 1 < t->nentries ? i + 1 : PCN_NONE;
	t->free_head = 0;
	t->st.memory = bytes;
	return 0;
}

int proccn_table_open(struct proccn_table **out, struct proccn *h,
		      const struct proccn_table_opts *opts)
{
	struct proccn_table *t;
	int r;

	if (!out)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->rootfd = -1;
	r = read_table_opts(opts, &t->opts);
	if (r >= 0 && !h) {
		r = proccn_open(&h, NULL);
		t->own_handle = r >= 0;
	}
	if (r >= 0) {
		t->h = h;
		r = check_handle(h);
	}
	if (r >= 0) {
		r = proccn__follow(h, NEEDED_EVENTS);
		t->following = r >= 0;
	}
	if (r >= 0)
		r = table_alloc(t);
	if (r >= 0) {
		t->rootfd = proccn__procfs_root_open(t->opts.proc_root);
		r = t->rootfd < 0 ? t->rootfd : 0;
	}
	if (r < 0) {
		table_free(t);
		return r;
	}
	/* the subscription is live: what starts from now on is queued for us */
	proccn__table_scan_start(t, 1);
	while (t->scan.phase == PCN_SCAN_RUNNING)
		(void)proccn__table_scan_step(t, UINT32_MAX);
	(void)proccn__table_scan_finish(t);
	proccn__hold_work(t->h, 1);   /* its report waits for the first dispatch */
	*out = t;
	return 0;
}

struct proccn_table *proccn_table_close(struct proccn_table *t)
{
	if (!t || t->closing)
		return NULL;
	if (t->dispatching) {
		t->closing = 1;
		return NULL;
	}
	table_free(t);
	return NULL;
}

int proccn_table_fd(const struct proccn_table *t)
{
	return t ? proccn_fd(t->h) : -EINVAL;
}

struct proccn *proccn_table_handle(const struct proccn_table *t)
{
	return t ? t->h : NULL;
}

/* The handle's callbacks: every event and loss report goes through the table. */
static int table_on_event(const union proccn_event *ev, void *ud)
{
	struct proccn_table *t = ud;
	int r, q = 0, handled;

	if (t->closing)
		return -ECANCELED;
	r = proccn__table_event(t, ev);
	if (t->raw && !t->closing) {
		q = proccn__call_typed(t->raw, ev, t->ud, &handled);
		if (!handled && t->raw->on_event)
			q = t->raw->on_event(ev, t->ud);
	}
	return pcn_first_error(r, q);
}

/*
 * A resync under way began before the reason for this one: it ends, and
 * another one follows (restarting it instead could starve it under a storm).
 */
static void request_resync(struct proccn_table *t)
{
	if (t->scan.phase == PCN_SCAN_RUNNING || t->scan.phase == PCN_SCAN_FINISHING)
		t->scan.again = 1;
	else
		t->scan.phase = PCN_SCAN_DUE;
	proccn__hold_work(t->h, 1);
}

static int table_on_loss(const struct proccn_loss *loss, void *ud)
{
	struct proccn_table *t = ud;
	int r = 0;

	if (t->closing)
		return -ECANCELED;
	request_resync(t);
	proccn__table_watch_loss(t);
	if (t->cb->on_loss)
		r = t->cb->on_loss(loss, t->ud);
	else if (t->raw && t->raw->on_loss)
		r = t->raw->on_loss(loss, t->ud);
	return r < 0 ? r : 0;
}

static const struct proccn_callbacks table_handle_cb = {
	.sz = sizeof(struct proccn_callbacks),
	.on_event = table_on_event,
	.on_loss = table_on_loss,
};

/* Reports waiting for a dispatch with callbacks: a resync's, watches'. */
static int held_reports(struct proccn_table *t)
{
	int r = proccn__table_watch_report(t);

	if (r >= 0 && t->scan.report_due) {
		t->scan.report_due = 0;
		if (t->cb->on_resync && !t->closing)
			r = t->cb->on_resync(&t->scan.report, t->ud);
	}
	return r < 0 ? r : 0;
}

/* One step of a resync: scan a batch, or end it once the socket is drained. */
static int advance_scan(struct proccn_table *t)
{
	switch (t->scan.phase) {
	case PCN_SCAN_DUE:
	case PCN_SCAN_RUNNING:
		return proccn__table_scan_step(t, t->opts.scan_batch);
	case PCN_SCAN_FINISHING:
		/* events generated before the end of the scan must be in first */
		return t->h->queue_empty ? proccn__table_scan_finish(t) : 0;
	default:
		return 0;
	}
}

/*
 * One round with callbacks @c: held reports, the handle's events, the
 * resync's next step. A callback may have asked to close the table: the
 * caller looks at t->closing.
 */
static int dispatch_round(struct proccn_table *t, const struct proccn_table_callbacks *c,
			  void *userdata, int timeout_ms, int *n)
{
	int r;

	t->cb = c;
	t->raw = c->raw;
	t->ud = userdata;
	t->dispatching = 1;
	r = held_reports(t);
	if (r >= 0) {
		/* while a resync runs, its steps go between drains: never block */
		*n = proccn__dispatch(t->h, &table_handle_cb, t,
				      t->scan.phase != PCN_SCAN_IDLE ? 0 : timeout_ms);
		r = *n < 0 ? *n : 0;
	}
	if (r >= 0 && !t->closing)
		r = pcn_first_error(advance_scan(t), held_reports(t));
	proccn__table_expire(t, pcn_now_ns());
	t->dispatching = 0;
	t->cb = NULL;
	t->raw = NULL;
	return r;
}

/* The table's fd stays readable while it holds work of its own. */
static void hold_own_work(struct proccn_table *t)
{
	proccn__hold_work(t->h, t->scan.phase != PCN_SCAN_IDLE || t->scan.report_due ||
				    proccn__table_watch_pending(t));
}

int proccn_table_dispatch(struct proccn_table *t, const struct proccn_table_callbacks *cb,
			  void *userdata, int timeout_ms)
{
	struct proccn_table_callbacks c;
	struct proccn_callbacks raw;
	int r, n = 0;

	if (!t || !cb)
		return -EINVAL;
	if (t->dispatching)
		return -EBUSY;
	r = proccn__abi_read(cb, &c, &table_cb_layout);
	if (r >= 0 && c.raw) {
		r = proccn__read_callbacks(c.raw, &raw);
		c.raw = &raw;
	}
	if (r < 0)
		return r;
	r = dispatch_round(t, &c, userdata, timeout_ms, &n);
	if (t->closing) {
		t->closing = 0;
		proccn_table_close(t);
		return r == -ECANCELED ? 0 : r < 0 ? r : n;
	}
	hold_own_work(t);
	return r < 0 ? r : n;
}

int proccn_table_resync(struct proccn_table *t)
{
	if (!t)
		return -EINVAL;
	request_resync(t);
	return 0;
}

int proccn_table_synced(const struct proccn_table *t)
{
	return t ? t->scan.phase == PCN_SCAN_IDLE : -EINVAL;
}

static const struct pcn_abi_member table_proc_members[] = {
	PCN_ABI_MEMBER(struct proccn_proc, sz),
	PCN_ABI_MEMBER(struct proccn_proc, key),
	PCN_ABI_MEMBER(struct proccn_proc, pid),
	PCN_ABI_MEMBER(struct proccn_proc, ppid),
	PCN_ABI_MEMBER(struct proccn_proc, sid),
	PCN_ABI_MEMBER(struct proccn_proc, state),
	PCN_ABI_MEMBER(struct proccn_proc, flags),
	PCN_ABI_MEMBER(struct proccn_proc, execs),
	PCN_ABI_MEMBER(struct proccn_proc, threads),
	PCN_ABI_MEMBER(struct proccn_proc, ruid),
	PCN_ABI_MEMBER(struct proccn_proc, euid),
	PCN_ABI_MEMBER(struct proccn_proc, rgid),
	PCN_ABI_MEMBER(struct proccn_proc, egid),
	PCN_ABI_MEMBER(struct proccn_proc, loginuid),
	PCN_ABI_MEMBER(struct proccn_proc, sessionid),
	PCN_ABI_MEMBER(struct proccn_proc, exit_code),
	PCN_ABI_MEMBER(struct proccn_proc, start_ns),
	PCN_ABI_MEMBER(struct proccn_proc, exec_ns),
	PCN_ABI_MEMBER(struct proccn_proc, exit_ns),
	PCN_ABI_MEMBER(struct proccn_proc, comm),
	PCN_ABI_MEMBER(struct proccn_proc, exe),
	PCN_ABI_MEMBER(struct proccn_proc, cgroup),
	PCN_ABI_MEMBER(struct proccn_proc, cmdline),
	PCN_ABI_MEMBER(struct proccn_proc, cmdline_len),
};
static const struct pcn_abi_layout table_proc_layout =
	PCN_ABI_LAYOUT(struct proccn_proc, table_proc_members, sizeof(size_t));

/* Entry @i's record into the caller's versioned struct. */
static int give(const struct proccn_table *t, uint32_t i, struct proccn_proc *out)
{
	struct proccn_proc p;

	proccn__table_fill(t, i, &p);
	return proccn__abi_write(out, &p, &table_proc_layout);
}

int proccn_table_get(const struct proccn_table *t, pid_t pid, struct proccn_proc *out)
{
	uint32_t i;

	if (!t || !out || out->sz < sizeof(size_t))
		return -EINVAL;
	i = proccn__table_live(t, pid);
	if (i == PCN_NONE)
		i = proccn__table_find_exited(t, pid, 0);
	return i == PCN_NONE ? -ESRCH : give(t, i, out);
}

int proccn_table_get_key(const struct proccn_table *t, uint64_t key, struct proccn_proc *out)
{
	pid_t pid = (pid_t)(key & ((UINT64_C(1) << 22) - 1));
	uint32_t i;

	if (!t || !out || out->sz < sizeof(size_t) || !key)
		return -EINVAL;
	i = proccn__table_live(t, pid);
	if (i == PCN_NONE || t->entries[i].key != key)
		i = proccn__table_find_exited(t, pid, key);
	return i == PCN_NONE ? -ESRCH : give(t, i, out);
}

/* The entry of @pid, live or kept. */
static uint32_t any_entry(const struct proccn_table *t, pid_t pid)
{
	uint32_t i = proccn__table_live(t, pid);

	return i != PCN_NONE ? i : proccn__table_find_exited(t, pid, 0);
}

int proccn_table_ancestors(const struct proccn_table *t, pid_t pid, struct proccn_proc *out,
			   size_t n)
{
	uint32_t i;
	size_t k = 0;

	if (!t || (!out && n))
		return -EINVAL;
	i = any_entry(t, pid);
	if (i == PCN_NONE)
		return -ESRCH;
	while (k < n && t->entries[i].pid != 1) {
		pid_t ppid = t->entries[i].ppid;

		i = ppid > 0 ? any_entry(t, ppid) : PCN_NONE;
		if (i == PCN_NONE)
			break;
		if (!out[k].sz)
			out[k].sz = sizeof(out[k]);
		if (give(t, i, &out[k]) < 0)
			return -EINVAL;
		k++;
	}
	return (int)k;
}

/* The next entry of a depth-first walk under @root, and its depth. */
static uint32_t walk_next(const struct proccn_table *t, uint32_t root, uint32_t i, int *depth,
			  int subtree)
{
	if (subtree && t->entries[i].first_child != PCN_NONE) {
		(*depth)++;
		return t->entries[i].first_child;
	}
	while (i != root && t->entries[i].next_sibling == PCN_NONE) {
		i = t->entries[i].parent;
		(*depth)--;
	}
	return i == root ? PCN_NONE : t->entries[i].next_sibling;
}

int proccn_table_walk(const struct proccn_table *t, pid_t pid, uint32_t flags,
		      int (*fn)(const struct proccn_proc *p, int depth, void *userdata),
		      void *userdata)
{
	struct proccn_proc p;
	uint32_t root, i;
	int depth = 1, calls = 0, r;

	if (!t || !fn || pid < 0 || (flags & ~PROCCN_WALK_SUBTREE))
		return -EINVAL;
	if (pid == 0) {
		for (i = 0; i < t->nentries; i++) {
			if (t->entries[i].state == PCN_FREE ||
			    t->entries[i].state == PROCCN_PROC_EXITED)
				continue;
			proccn__table_fill(t, i, &p);
			r = fn(&p, 0, userdata);
			if (r < 0)
				return r;
			calls++;
		}
		return calls;
	}
	root = proccn__table_live(t, pid);
	if (root == PCN_NONE)
		return -ESRCH;
	for (i = t->entries[root].first_child; i != PCN_NONE;
	     i = walk_next(t, root, i, &depth, flags & PROCCN_WALK_SUBTREE)) {
		proccn__table_fill(t, i, &p);
		r = fn(&p, depth, userdata);
		if (r < 0)
			return r;
		calls++;
	}
	return calls;
}

static const struct pcn_abi_member table_result_members[] = {
	PCN_ABI_MEMBER(struct proccn_watch_result, sz),
	PCN_ABI_MEMBER(struct proccn_watch_result, id),
	PCN_ABI_MEMBER(struct proccn_watch_result, flags),
	PCN_ABI_MEMBER(struct proccn_watch_result, quality),
	PCN_ABI_MEMBER(struct proccn_watch_result, members),
	PCN_ABI_MEMBER(struct proccn_watch_result, root),
};
static const struct pcn_abi_layout table_result_layout =
	PCN_ABI_LAYOUT(struct proccn_watch_result, table_result_members, sizeof(size_t));

/* The watch proccn_table_wait() waited for has ended: its result, and it is gone. */
static int take_result(struct proccn_table *t, struct pcn_watch *w,
		       struct proccn_watch_result *out)
{
	struct proccn_watch_result res;

	proccn__table_watch_take(w, &res);
	t->waiting_for = 0;
	return proccn__abi_write(out, &res, &table_result_layout);
}

int proccn_table_wait(struct proccn_table *t, pid_t pid, uint32_t flags, int timeout_ms,
		      struct proccn_watch_result *result)
{
	const struct proccn_table_callbacks none = { .sz = sizeof(none) };
	uint64_t id, deadline = 0;
	struct pcn_watch *w;
	int r, n;

	if (!t || !result || result->sz < sizeof(size_t) || t->dispatching)
		return -EINVAL;
	r = proccn_table_watch(t, pid, flags, &id);
	if (r < 0)
		return r;
	w = &t->watches[id & (PCN_MAX_WATCHES - 1)];
	if (timeout_ms >= 0)
		deadline = pcn_now_ns() + (uint64_t)timeout_ms * 1000000u;
	t->waiting_for = id;
	for (;;) {
		int64_t left = (int64_t)(deadline - pcn_now_ns());
		int wait_ms = timeout_ms < 0 ? -1 : left <= 0 ? 0 : (int)((left + 999999) / 1000000);

		if (w->done)
			return take_result(t, w, result);
		/* what is queued is looked at once even with no time to wait; no
		   callbacks, so nothing can close the table meanwhile */
		r = dispatch_round(t, &none, NULL, wait_ms, &n);
		hold_own_work(t);
		if (r >= 0 && !w->done && timeout_ms >= 0 && (int64_t)(deadline - pcn_now_ns()) <= 0)
			r = -ETIMEDOUT;
		if (r < 0)
			break;
	}
	t->waiting_for = 0;
	(void)proccn_table_unwatch(t, id);
	return r;
}

static const struct pcn_abi_member table_stats_members[] = {
	PCN_ABI_MEMBER(struct proccn_table_stats, sz),
	PCN_ABI_MEMBER(struct proccn_table_stats, live),
	PCN_ABI_MEMBER(struct proccn_table_stats, exited_kept),
	PCN_ABI_MEMBER(struct proccn_table_stats, peak_live),
	PCN_ABI_MEMBER(struct proccn_table_stats, started),
	PCN_ABI_MEMBER(struct proccn_table_stats, scanned),
	PCN_ABI_MEMBER(struct proccn_table_stats, exits),
	PCN_ABI_MEMBER(struct proccn_table_stats, exits_inferred),
	PCN_ABI_MEMBER(struct proccn_table_stats, pid_reuse),
	PCN_ABI_MEMBER(struct proccn_table_stats, untracked),
	PCN_ABI_MEMBER(struct proccn_table_stats, evicted_early),
	PCN_ABI_MEMBER(struct proccn_table_stats, strings_full),
	PCN_ABI_MEMBER(struct proccn_table_stats, proc_reads),
	PCN_ABI_MEMBER(struct proccn_table_stats, proc_read_failed),
	PCN_ABI_MEMBER(struct proccn_table_stats, proc_races),
	PCN_ABI_MEMBER(struct proccn_table_stats, stale_events),
	PCN_ABI_MEMBER(struct proccn_table_stats, unknown_events),
	PCN_ABI_MEMBER(struct proccn_table_stats, resyncs),
	PCN_ABI_MEMBER(struct proccn_table_stats, resync_ns),
	PCN_ABI_MEMBER(struct proccn_table_stats, memory),
};
static const struct pcn_abi_layout table_stats_layout =
	PCN_ABI_LAYOUT(struct proccn_table_stats, table_stats_members, sizeof(size_t));

int proccn_table_get_stats(const struct proccn_table *t, struct proccn_table_stats *st)
{
	struct proccn_table_stats s;

	if (!t || !st || st->sz < sizeof(size_t))
		return -EINVAL;
	s = t->st;
	s.live = t->live;
	s.exited_kept = t->exited_len;
	return proccn__abi_write(st, &s, &table_stats_layout);
}

int proccn_cgroup_unit(const char *path, const char **unit, size_t *len)
{
	if (!path || !unit || !len)
		return -EINVAL;
	return proccn__procfs_cgroup_unit(path, strlen(path), unit, len);
}

int proccn_cgroup_container(const char *path, const char **id, size_t *len)
{
	if (!path || !id || !len)
		return -EINVAL;
	return proccn__procfs_cgroup_container(path, strlen(path), id, len);
}
