/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Signatures: the events of a workload as one canonical, pid-independent
 * line (the workload's processes as #1.., their threads as #k.tN, the
 * checker as P), so that the old and the new kernel can be compared.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "vm.h"

struct labels {
	const struct workload *wl;
	pid_t tid[MAX_THREADS];
	int owner[MAX_THREADS];   /* workload index of the thread's process */
	int num[MAX_THREADS];     /* 1-based thread number within its process */
	int n;
};

/* Threads get numbers by first appearance within their process. */
static void labels_init(struct labels *lb, const struct workload *wl,
			const union proccn_event *ev, unsigned int n)
{
	unsigned int i;

	memset(lb, 0, sizeof(*lb));
	lb->wl = wl;
	for (i = 0; i < n; i++) {
		pid_t pid = event_pid(&ev[i]), tgid = event_tgid(&ev[i]);
		int k, known = 0, count = 0;

		k = wl_index(wl, tgid);
		if (k < 0 || pid == tgid)
			continue;
		for (int j = 0; j < lb->n; j++) {
			known |= lb->tid[j] == pid;
			count += lb->owner[j] == k;
		}
		if (known || lb->n == MAX_THREADS)
			continue;
		lb->tid[lb->n] = pid;
		lb->owner[lb->n] = k;
		lb->num[lb->n] = count + 1;
		lb->n++;
	}
}

static void label(const struct labels *lb, pid_t pid, char *out, size_t len)
{
	int k = wl_index(lb->wl, pid), j;

	if (pid == 0) {
		snprintf(out, len, "0");
		return;
	}
	if (pid == lb->wl->self) {
		snprintf(out, len, "P");
		return;
	}
	if (k >= 0) {
		snprintf(out, len, "#%d", k + 1);
		return;
	}
	for (j = 0; j < lb->n; j++)
		if (lb->tid[j] == pid) {
			snprintf(out, len, "#%d.t%d", lb->owner[j] + 1, lb->num[j]);
			return;
		}
	snprintf(out, len, "?");
}

/* Sort key: the subject's process (workload order), then thread number. */
static int order_key(const struct labels *lb, const union proccn_event *ev)
{
	pid_t pid = event_pid(ev), tgid = event_tgid(ev);
	int k = wl_index(lb->wl, tgid), j;

	if (k < 0)
		return 1 << 20;
	if (pid == tgid)
		return k * 64;
	for (j = 0; j < lb->n; j++)
		if (lb->tid[j] == pid)
			return k * 64 + lb->num[j];
	return k * 64 + 63;
}

static void append(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

static void format_event(const struct labels *lb, const union proccn_event *ev,
			 char *buf, size_t len)
{
	char a[24], b[24];

	label(lb, event_pid(ev), a, sizeof(a));   /* the task it is about */
	switch (ev->hdr.kind) {
	case PROCCN_EV_FORK:
		label(lb, ev->fork.parent_pid, b, sizeof(b));
		append(buf, len, " fork(%s>%s)", b, a);
		break;
	case PROCCN_EV_EXEC:
	case PROCCN_EV_SID:
	case PROCCN_EV_COREDUMP:
		append(buf, len, " %s(%s)", proccn_kind_name(ev->hdr.kind), a);
		break;
	case PROCCN_EV_UID:
	case PROCCN_EV_GID:
		/* the same layout: pid, tgid, real id, effective id */
		append(buf, len, " %s(%s,r=%" PRIu32 ",e=%" PRIu32 ")",
		       proccn_kind_name(ev->hdr.kind), a, ev->uid.ruid, ev->uid.euid);
		break;
	case PROCCN_EV_PTRACE:
		label(lb, ev->ptrace.tracer_pid, b, sizeof(b));
		append(buf, len, " ptrace(%s,tracer=%s)", a, b);
		break;
	case PROCCN_EV_COMM:
		append(buf, len, " comm(%s,%s)", a, ev->comm.comm);
		break;
	case PROCCN_EV_EXIT:
		/*
		 * The kernel reports parent 0 once the task is no longer
		 * pid_alive(): always for a thread (reaped at once), and for a
		 * process whose parent reaped it before the EXIT was sent (the
		 * EXIT comes after the parent is woken). That race is not ours
		 * to compare, so a process's 0 reads as its parent.
		 */
		if (ev->exit.parent_pid == 0 && ev->exit.pid == ev->exit.tgid)
			label(lb, lb->wl->self, b, sizeof(b));
		else
			label(lb, ev->exit.parent_pid, b, sizeof(b));
		/* exit_signal is -1 for threads: print it signed */
		append(buf, len, " exit(%s,code=0x%" PRIx32 ",sig=%d,parent=%s)", a,
		       ev->exit.exit_code, (int)(int32_t)ev->exit.exit_signal, b);
		break;
	default:
		append(buf, len, " kind-0x%" PRIx32, ev->hdr.kind);
		break;
	}
}

/*
 * signature - the events in a canonical order: grouped by the task they are
 * about (workload order, a process before its threads), arrival order within
 * a task. Only the order inside one task is fixed by the kernel: a child's
 * EXIT is sent after its parent may already have reaped it and started the
 * next child, and a thread's EXIT races with its process's.
 */
void signature(const struct workload *wl, const union proccn_event *ev, unsigned int n,
		      char *buf, size_t len)
{
	unsigned int idx[MAX_EVENTS], i, j;
	struct labels lb;

	labels_init(&lb, wl, ev, n);
	for (i = 0; i < n; i++)
		idx[i] = i;
	/* insertion sort: stable, so arrival order is kept within a task */
	for (i = 1; i < n; i++) {
		unsigned int v = idx[i];
		int key = order_key(&lb, &ev[v]);

		for (j = i; j > 0 && order_key(&lb, &ev[idx[j - 1]]) > key; j--)
			idx[j] = idx[j - 1];
		idx[j] = v;
	}
	buf[0] = '\0';
	for (i = 0; i < n; i++)
		format_event(&lb, &ev[idx[i]], buf, len);
	if (n == 0)
		append(buf, len, " (none)");
}
