/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Watches: a process, or its whole subtree, until it has ended. Membership
 * is a bit per watch in each entry, inherited at fork: it follows double
 * forks and subreapers (who the parent is later does not matter), costs
 * nothing per event beyond a mask copy, and pins no ancestor.
 */
#include <errno.h>
#include <string.h>

#include "table.h"

#define SLOT(id) ((uint32_t)((id) & (PCN_MAX_WATCHES - 1)))

static void join(struct proccn_table *t, struct pcn_entry *e, uint32_t slot)
{
	e->watches |= UINT64_C(1) << slot;
	t->watches[slot].live++;
	t->watches[slot].members++;
}

/* proccn__table_watch_fork - a child joins the watches of its parent. */
void proccn__table_watch_fork(struct proccn_table *t, struct pcn_entry *child,
			      const struct pcn_entry *parent)
{
	uint64_t bits = parent->watches & ~child->watches;

	while (bits) {
		uint32_t slot = (uint32_t)__builtin_ctzll(bits);

		bits &= bits - 1;
		if (t->watches[slot].flags & PROCCN_WATCH_SUBTREE)
			join(t, child, slot);
	}
}

/* The record of the root, kept in the watch (its strings would not last). */
static void keep_root(struct proccn_table *t, struct pcn_watch *w, const struct pcn_entry *e)
{
	proccn__table_fill(t, (uint32_t)(e - t->entries), &w->root);
	w->root.exe = w->root.cgroup = w->root.cmdline = NULL;
	w->root.cmdline_len = 0;
}

/* proccn__table_watch_take - the result of the ended watch @w; its slot is free again. */
void proccn__table_watch_take(struct pcn_watch *w, struct proccn_watch_result *res)
{
	memset(res, 0, sizeof(*res));
	res->sz = sizeof(*res);
	res->id = w->id;
	res->flags = w->flags;
	res->quality = w->quality;
	res->members = w->members;
	res->root = w->root;
	memset(w, 0, sizeof(*w));
}

/* A watch ended: on_watch now if this dispatch has one, else later. */
static int report(struct proccn_table *t, struct pcn_watch *w)
{
	struct proccn_watch_result res;
	int r;

	w->done = 1;
	if (!t->cb || !t->cb->on_watch || t->closing)
		return 0;
	proccn__table_watch_take(w, &res);
	r = t->cb->on_watch(&res, t->ud);
	return r < 0 ? r : 0;
}

/*
 * proccn__table_watch_end - entry @e's process ended: its watches lose a
 * member, and those left without one are reported.
 */
int proccn__table_watch_end(struct proccn_table *t, struct pcn_entry *e)
{
	uint64_t bits = e->watches;
	int r = 0;

	while (bits) {
		uint32_t slot = (uint32_t)__builtin_ctzll(bits);
		struct pcn_watch *w = &t->watches[slot];

		bits &= bits - 1;
		if (w->root.key == e->key)
			keep_root(t, w, e);
		if (w->live && --w->live == 0) {
			int q = report(t, w);

			r = r < 0 ? r : q;
		}
	}
	e->watches = 0;
	return r;
}

/* proccn__table_watch_loss - events were lost: no watch answer is sure any more. */
void proccn__table_watch_loss(struct proccn_table *t)
{
	uint32_t i;

	for (i = 0; i < PCN_MAX_WATCHES; i++)
		if (t->watches[i].id && !t->watches[i].done)
			t->watches[i].quality = PROCCN_WATCH_UNCERTAIN;
}

/*
 * proccn__table_watch_report - report the watches that ended while nobody
 * listened; with no on_watch in this dispatch they are dropped (else they
 * would keep the fd readable), but not during proccn_table_wait().
 */
int proccn__table_watch_report(struct proccn_table *t)
{
	uint32_t i;

	for (i = 0; i < PCN_MAX_WATCHES; i++) {
		struct pcn_watch *w = &t->watches[i];
		int r;

		if (!w->id || !w->done || w->id == t->waiting_for)
			continue;
		if (!t->cb || !t->cb->on_watch) {
			/* proccn_table_wait() dispatches without callbacks: keep them for later */
			if (!t->waiting_for)
				memset(w, 0, sizeof(*w));
			continue;
		}
		r = report(t, w);
		if (r < 0)
			return r;
	}
	return 0;
}

/* proccn__table_watch_pending - a watch ended and waits to be reported. */
int proccn__table_watch_pending(const struct proccn_table *t)
{
	uint32_t i;

	for (i = 0; i < PCN_MAX_WATCHES; i++)
		if (t->watches[i].id && t->watches[i].done)
			return 1;
	return 0;
}

/* The subtree under @root, depth first, without a stack: through parent links. */
static void join_subtree(struct proccn_table *t, uint32_t root, uint32_t slot)
{
	uint32_t i = t->entries[root].first_child;

	while (i != PCN_NONE && i != root) {
		struct pcn_entry *e = &t->entries[i];

		join(t, e, slot);
		if (e->first_child != PCN_NONE) {
			i = e->first_child;
			continue;
		}
		while (i != root && t->entries[i].next_sibling == PCN_NONE)
			i = t->entries[i].parent;
		if (i != root)
			i = t->entries[i].next_sibling;
	}
}

int proccn_table_watch(struct proccn_table *t, pid_t pid, uint32_t flags, uint64_t *id)
{
	struct pcn_watch *w = NULL;
	uint32_t slot, i, ex;

	if (!t || !id || pid <= 0 || (flags & ~PROCCN_WATCH_SUBTREE))
		return -EINVAL;
	for (slot = 0; slot < PCN_MAX_WATCHES && !w; slot++)
		if (!t->watches[slot].id)
			w = &t->watches[slot];
	if (!w)
		return -ENOSPC;
	slot = (uint32_t)(w - t->watches);
	i = proccn__table_live(t, pid);
	if (i == PCN_NONE && t->live >= t->opts.max_procs)
		return -ENOSPC;   /* it may run, untracked */
	memset(w, 0, sizeof(*w));
	w->id = ((uint64_t)++t->watch_serial << 6) | slot;
	w->flags = flags;
	w->quality = PROCCN_WATCH_EXACT;
	*id = w->id;
	if (i == PCN_NONE) {
		/* not running: done at once, with what the table remembers */
		ex = proccn__table_find_exited(t, pid, 0);
		if (ex != PCN_NONE) {
			keep_root(t, w, &t->entries[ex]);
		} else {
			w->root.sz = sizeof(w->root);
			w->root.pid = pid;
			w->root.state = PROCCN_PROC_EXITED;
		}
		w->quality = PROCCN_WATCH_GONE;
		w->done = 1;
		return 0;
	}
	keep_root(t, w, &t->entries[i]);
	join(t, &t->entries[i], slot);
	if (flags & PROCCN_WATCH_SUBTREE)
		join_subtree(t, i, slot);
	return 0;
}

int proccn_table_unwatch(struct proccn_table *t, uint64_t id)
{
	uint32_t slot, i;

	if (!t || !id || t->watches[SLOT(id)].id != id)
		return -ENOENT;
	slot = SLOT(id);
	for (i = 0; i < t->nentries; i++)
		t->entries[i].watches &= ~(UINT64_C(1) << slot);
	memset(&t->watches[slot], 0, sizeof(t->watches[slot]));
	return 0;
}
