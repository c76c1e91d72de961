/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The table's store: entries from a free list, the pid index of live ones,
 * the parent/child links, and the ring of exited entries kept for lookups.
 */
#include <string.h>

#include "table.h"

/* Fields of an entry that outlive its process: what the ring keeps. */
static void entry_release(struct proccn_table *t, struct pcn_entry *e)
{
	proccn__strpool_put(&t->strings, e->exe);
	proccn__strpool_put(&t->strings, e->cgroup);
	e->exe = e->cgroup = 0;
	e->state = PCN_FREE;
}

static void entry_free(struct proccn_table *t, uint32_t i)
{
	entry_release(t, &t->entries[i]);
	t->entries[i].next_sibling = t->free_head;
	t->free_head = i;
}

/* Make room in the ring: the oldest exited entry goes (early, if still young). */
static void evict_oldest(struct proccn_table *t, uint64_t now_ns)
{
	uint32_t i = t->exited[t->exited_head];

	if (now_ns < t->entries[i].exit_ns + (uint64_t)t->opts.exited_ms * 1000000u)
		t->st.evicted_early++;
	t->exited_head = (t->exited_head + 1) % t->opts.max_exited;
	t->exited_len--;
	entry_free(t, i);
}

/*
 * proccn__table_entry_new - a fresh live entry for @pid, indexed, with no
 * parent and nothing known: its index, or PCN_NONE when max_procs are live
 * (counted as untracked).
 */
uint32_t proccn__table_entry_new(struct proccn_table *t, pid_t pid)
{
	struct pcn_entry *e;
	uint32_t i;

	if (t->live >= t->opts.max_procs || t->free_head == PCN_NONE) {
		t->st.untracked++;
		return PCN_NONE;
	}
	i = t->free_head;
	e = &t->entries[i];
	t->free_head = e->next_sibling;
	memset(e, 0, sizeof(*e));
	e->pid = pid;
	e->state = PROCCN_PROC_RUNNING;
	e->parent = e->first_child = e->next_sibling = e->prev_sibling = PCN_NONE;
	e->loginuid = e->sessionid = UINT32_MAX;
	e->gen = t->scan.gen;
	proccn__pidmap_put(&t->pids, pid, i);
	t->live++;
	if (t->live > t->st.peak_live)
		t->st.peak_live = t->live;
	return i;
}

/* proccn__table_entry_link - make @parent the parent of @child (both live). */
void proccn__table_entry_link(struct proccn_table *t, uint32_t child, uint32_t parent)
{
	struct pcn_entry *c = &t->entries[child], *p = &t->entries[parent];

	proccn__table_entry_unlink(t, child);
	c->parent = parent;
	c->ppid = p->pid;
	c->prev_sibling = PCN_NONE;
	c->next_sibling = p->first_child;
	if (p->first_child != PCN_NONE)
		t->entries[p->first_child].prev_sibling = child;
	p->first_child = child;
}

/* proccn__table_entry_unlink - take @i out of its parent's children (ppid stays). */
void proccn__table_entry_unlink(struct proccn_table *t, uint32_t i)
{
	struct pcn_entry *e = &t->entries[i];

	if (e->parent == PCN_NONE)
		return;
	if (e->prev_sibling != PCN_NONE)
		t->entries[e->prev_sibling].next_sibling = e->next_sibling;
	else
		t->entries[e->parent].first_child = e->next_sibling;
	if (e->next_sibling != PCN_NONE)
		t->entries[e->next_sibling].prev_sibling = e->prev_sibling;
	e->parent = e->next_sibling = e->prev_sibling = PCN_NONE;
}

/*
 * proccn__table_entry_retire - a live entry whose process ended goes from
 * the pid index and the tree to the exited ring (the oldest kept one may
 * make room). Its children lose their parent link; the caller relinks them.
 */
void proccn__table_entry_retire(struct proccn_table *t, uint32_t i, uint64_t now_ns)
{
	struct pcn_entry *e = &t->entries[i];
	uint32_t c, next;

	proccn__table_entry_unlink(t, i);
	for (c = e->first_child; c != PCN_NONE; c = next) {
		next = t->entries[c].next_sibling;
		t->entries[c].parent = t->entries[c].next_sibling = PCN_NONE;
		t->entries[c].prev_sibling = PCN_NONE;
	}
	e->first_child = PCN_NONE;
	if (proccn__pidmap_get(&t->pids, e->pid) == i)
		proccn__pidmap_del(&t->pids, e->pid);
	t->live--;
	if (t->opts.max_exited == 0) {
		entry_free(t, i);
		return;
	}
	if (t->exited_len == t->opts.max_exited)
		evict_oldest(t, now_ns);
	t->exited[(t->exited_head + t->exited_len) % t->opts.max_exited] = i;
	t->exited_len++;
}

/* proccn__table_expire - drop exited entries kept longer than exited_ms. */
void proccn__table_expire(struct proccn_table *t, uint64_t now_ns)
{
	uint64_t keep = (uint64_t)t->opts.exited_ms * 1000000u;

	while (t->exited_len &&
	       t->entries[t->exited[t->exited_head]].exit_ns + keep <= now_ns)
		evict_oldest(t, now_ns);
}

/* proccn__table_live - the live entry of @pid, or PCN_NONE. */
uint32_t proccn__table_live(const struct proccn_table *t, pid_t pid)
{
	return pid > 0 ? proccn__pidmap_get(&t->pids, pid) : PCN_NONE;
}

/*
 * proccn__table_find_exited - the most recent exited entry with @pid (and
 * @key, unless 0), or PCN_NONE.
 */
uint32_t proccn__table_find_exited(const struct proccn_table *t, pid_t pid, uint64_t key)
{
	uint32_t n;

	for (n = t->exited_len; n > 0; n--) {
		uint32_t i = t->exited[(t->exited_head + n - 1) % t->opts.max_exited];
		const struct pcn_entry *e = &t->entries[i];

		if (e->pid == pid && (!key || e->key == key))
			return i;
	}
	return PCN_NONE;
}

/* proccn__table_fill - the public record of entry @i (strings into the table). */
void proccn__table_fill(const struct proccn_table *t, uint32_t i, struct proccn_proc *p)
{
	const struct pcn_entry *e = &t->entries[i];

	memset(p, 0, sizeof(*p));
	p->sz = sizeof(*p);
	p->key = e->key;
	p->pid = e->pid;
	p->ppid = e->ppid;
	p->sid = e->sid;
	p->state = e->state;
	p->flags = e->flags & ~PCN_F_INTERNAL;
	p->execs = e->execs;
	p->threads = e->threads;
	p->ruid = e->ruid;
	p->euid = e->euid;
	p->rgid = e->rgid;
	p->egid = e->egid;
	p->loginuid = e->loginuid;
	p->sessionid = e->sessionid;
	p->exit_code = e->exit_code;
	p->start_ns = e->start_ns;
	p->exec_ns = e->exec_ns;
	p->exit_ns = e->exit_ns;
	memcpy(p->comm, e->comm, sizeof(p->comm));
	p->exe = proccn__strpool_str(&t->strings, e->exe);
	p->cgroup = proccn__strpool_str(&t->strings, e->cgroup);
	if (e->flags & PROCCN_PROC_F_CMDLINE) {
		p->cmdline = t->cmdlines + (size_t)i * t->opts.cmdline_max;
		p->cmdline_len = e->cmdline_len;
	}
}

/* A string field: a reference to @s, or unknown (counted) when it does not fit. */
static uint32_t string_ref(struct proccn_table *t, const char *s, size_t len)
{
	uint32_t id = proccn__strpool_get(&t->strings, s, len);

	if (!id)
		t->st.strings_full++;
	return id;
}

/* proccn__table_set_exe - the entry's executable path, known or not (@s NULL). */
void proccn__table_set_exe(struct proccn_table *t, struct pcn_entry *e, const char *s,
			   size_t len)
{
	proccn__strpool_put(&t->strings, e->exe);
	e->exe = s ? string_ref(t, s, len) : 0;
	e->flags = e->exe ? e->flags | PROCCN_PROC_F_EXE : e->flags & ~PROCCN_PROC_F_EXE;
}

/* proccn__table_set_cgroup - the entry's cgroup path, known or not (@s NULL). */
void proccn__table_set_cgroup(struct proccn_table *t, struct pcn_entry *e, const char *s,
			      size_t len)
{
	proccn__strpool_put(&t->strings, e->cgroup);
	e->cgroup = s ? string_ref(t, s, len) : 0;
	e->flags = e->cgroup ? e->flags | PROCCN_PROC_F_CGROUP
			     : e->flags & ~PROCCN_PROC_F_CGROUP;
}

/*
 * proccn__table_copy_image - what a forked child inherits from its parent:
 * the image (comm, exe, command line), credentials, session, cgroup and
 * login ids, with the flags saying which are known.
 */
void proccn__table_copy_image(struct proccn_table *t, struct pcn_entry *to,
			      const struct pcn_entry *from)
{
	const uint32_t inherited = PROCCN_PROC_F_COMM | PROCCN_PROC_F_CMDLINE |
				   PROCCN_PROC_F_LOGIN | PROCCN_PROC_F_CREDS |
				   PROCCN_PROC_F_TRUNCATED | PROCCN_PROC_F_UNNAMED;
	uint32_t ti = (uint32_t)(to - t->entries), fi = (uint32_t)(from - t->entries);

	memcpy(to->comm, from->comm, sizeof(to->comm));
	to->ruid = from->ruid;
	to->euid = from->euid;
	to->rgid = from->rgid;
	to->egid = from->egid;
	to->loginuid = from->loginuid;
	to->sessionid = from->sessionid;
	to->sid = from->sid;
	to->flags = (to->flags & ~inherited) | (from->flags & inherited);
	proccn__strpool_ref(&t->strings, from->exe);
	proccn__strpool_ref(&t->strings, from->cgroup);
	proccn__strpool_put(&t->strings, to->exe);
	proccn__strpool_put(&t->strings, to->cgroup);
	to->exe = from->exe;
	to->cgroup = from->cgroup;
	to->flags = (to->flags & ~(PROCCN_PROC_F_EXE | PROCCN_PROC_F_CGROUP)) |
		    (from->flags & (PROCCN_PROC_F_EXE | PROCCN_PROC_F_CGROUP));
	if (from->flags & PROCCN_PROC_F_CMDLINE) {
		memcpy(t->cmdlines + (size_t)ti * t->opts.cmdline_max,
		       t->cmdlines + (size_t)fi * t->opts.cmdline_max, from->cmdline_len);
		to->cmdline_len = from->cmdline_len;
	}
}
