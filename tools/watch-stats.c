/* SPDX-License-Identifier: MIT-0 */
/*
 * proccn-watch -S: at the end, the lines shown per process name, by event,
 * busiest first (as forkstat -S). Names are comms, so every `sh` is one
 * row. The table is allocated once; when it is full, the names that do not
 * fit are counted on one "(other names)" row.
 */
#include <stdlib.h>
#include <string.h>

#include "watch.h"

#define STATS_SLOTS 1024u	/* a power of two */
#define STATS_MAX (STATS_SLOTS / 4 * 3)

enum col { C_FORK, C_CLONE, C_EXEC, C_EXIT, C_CORE, C_COMM, C_UID, C_GID, C_SID, C_PTRACE, NCOLS };

struct row {
	bool used;
	char name[PROCCN_COMM_LEN];
	uint64_t n[NCOLS], total;
};

struct stats {
	uint32_t rows;
	struct row other;          /* names that did not fit */
	struct row slot[STATS_SLOTS];
};

struct stats *stats_new(void)
{
	struct stats *s = calloc(1, sizeof(*s));

	if (s)
		strcpy(s->other.name, "(other names)");
	return s;
}

void stats_free(struct stats *s)
{
	free(s);
}

static uint32_t name_hash(const char *name)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	size_t i;

	for (i = 0; i < PROCCN_COMM_LEN && name[i]; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	return h;
}

static struct row *row_of(struct stats *s, const char *name)
{
	uint32_t i;

	for (i = name_hash(name) & (STATS_SLOTS - 1); s->slot[i].used; i = (i + 1) & (STATS_SLOTS - 1))
		if (strncmp(s->slot[i].name, name, PROCCN_COMM_LEN) == 0)
			return &s->slot[i];
	if (s->rows >= STATS_MAX)
		return &s->other;
	s->rows++;
	s->slot[i].used = true;
	memcpy(s->slot[i].name, name, PROCCN_COMM_LEN);
	s->slot[i].name[PROCCN_COMM_LEN - 1] = '\0';
	return &s->slot[i];
}

void stats_count(struct stats *s, const struct item *it)
{
	char name[PROCCN_COMM_LEN] = "?";
	struct row *r;
	int c;

	switch (it->kind) {
	case PROCCN_EV_FORK: c = it->thread ? C_CLONE : C_FORK; break;
	case PROCCN_EV_EXEC: c = C_EXEC; break;
	case PROCCN_EV_EXIT: c = C_EXIT; break;
	case PROCCN_EV_COREDUMP: c = C_CORE; break;
	case PROCCN_EV_COMM: c = C_COMM; break;
	case PROCCN_EV_UID: c = C_UID; break;
	case PROCCN_EV_GID: c = C_GID; break;
	case PROCCN_EV_SID: c = C_SID; break;
	case PROCCN_EV_PTRACE: c = C_PTRACE; break;
	default: return;
	}
	/* a fork counts for the process that forked: the child has its name */
	if (it->proc && (it->proc->flags & PROCCN_PROC_F_COMM))
		memcpy(name, it->proc->comm, sizeof(name));
	r = row_of(s, name);
	r->n[c]++;
	r->total++;
}

static int by_total(const void *a, const void *b)
{
	const struct row *x = *(const struct row *const *)a, *y = *(const struct row *const *)b;

	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return strncmp(x->name, y->name, PROCCN_COMM_LEN);
}

void stats_print(const struct stats *s, FILE *f)
{
	static const struct row *order[STATS_SLOTS + 1];
	uint64_t sum[NCOLS] = { 0 }, total = 0;
	struct line l;	/* escaping, as everywhere: names are the processes' */
	size_t n = 0, i;
	int c;

	for (i = 0; i < STATS_SLOTS; i++)
		if (s->slot[i].used)
			order[n++] = &s->slot[i];
	if (s->other.total)
		order[n++] = &s->other;
	qsort(order, n, sizeof(order[0]), by_total);
	fprintf(f, "%8s %6s %6s %6s %6s %6s %6s %6s %6s %6s %8s %s\n", "Fork", "Clone", "Exec",
		"Exit", "Core", "Comm", "Uid", "Gid", "Sid", "Ptrace", "Total", "Process");
	for (i = 0; i < n; i++) {
		line_reset(&l);
		for (c = 0; c < NCOLS; c++) {
			line_printf(&l, c ? " %6llu" : "%8llu", (unsigned long long)order[i]->n[c]);
			sum[c] += order[i]->n[c];
		}
		line_printf(&l, " %8llu ", (unsigned long long)order[i]->total);
		total += order[i]->total;
		if (order[i] == &s->other)
			line_puts(&l, order[i]->name);
		else
			line_text(&l, order[i]->name, strnlen(order[i]->name, PROCCN_COMM_LEN));
		fprintf(f, "%.*s\n", (int)l.len, l.buf);
	}
	for (c = 0; c < NCOLS; c++)
		fprintf(f, c ? " %6llu" : "%8llu", (unsigned long long)sum[c]);
	fprintf(f, " %8llu (total)\n", (unsigned long long)total);
}
