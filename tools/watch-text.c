/* SPDX-License-Identifier: MIT-0 */
/*
 * proccn-watch: the text format, all of it. One line per item:
 *
 *   TIME EVENT PID NAME PPID PARENT DETAILS
 *
 * PID is always the process, NAME its name (--name), PPID its parent
 * process and PARENT the parent's name ("-" when unknown). Every byte a
 * process chose goes through line_text().
 */
#include <inttypes.h>
#include <string.h>

#include "watch.h"

#define NAME_COL 16	/* a comm is at most 15 bytes */

/* A command line, NUL-separated, as one string with spaces. */
static void text_cmdline(struct line *l, const struct proccn_proc *p)
{
	size_t i = 0, n;

	while (i < p->cmdline_len) {
		n = strnlen(p->cmdline + i, p->cmdline_len - i);
		if (i)
			line_add(l, " ", 1);
		line_text(l, p->cmdline + i, n);
		i += n + 1;
	}
	if (p->flags & PROCCN_PROC_F_TRUNCATED)
		line_puts(l, "...");
}

static void text_comm(struct line *l, const struct proccn_proc *p)
{
	if (p && (p->flags & PROCCN_PROC_F_COMM))
		line_text(l, p->comm, strnlen(p->comm, sizeof(p->comm)));
	else
		line_puts(l, "?");
}

/* The name column: comm, or the executable or command line when asked
 * ("[comm]" when those are unknown, as ps(1) shows kernel threads). */
static void text_name(struct line *l, const struct proccn_proc *p, enum name_mode mode)
{
	if (p && mode == NAME_EXE && (p->flags & PROCCN_PROC_F_EXE) && p->exe) {
		line_text(l, p->exe, strlen(p->exe));
	} else if (p && mode == NAME_CMDLINE && (p->flags & PROCCN_PROC_F_CMDLINE) &&
		   p->cmdline_len) {
		text_cmdline(l, p);
	} else if (p && mode != NAME_COMM && (p->flags & PROCCN_PROC_F_COMM)) {
		line_add(l, "[", 1);
		text_comm(l, p);
		line_add(l, "]", 1);
	} else {
		text_comm(l, p);
	}
}

static void text_lifetime(struct line *l, const struct proccn_proc *p, const char *prefix)
{
	int64_t ns = lifetime_ns(p);

	if (ns >= 0)
		line_printf(l, " %s%" PRId64 ".%03ds", prefix, ns / 1000000000,
			    (int)(ns / 1000000 % 1000));
}

/* -x: "uid=1000(alice)", the effective one when it differs, tty, unit or
 * container, cgroup. */
static void text_extra(struct line *l, const struct item *it)
{
	const struct proccn_proc *p = it->proc;
	const struct extra *x = it->x;

	if (p->flags & PROCCN_PROC_F_CREDS) {
		line_printf(l, "uid=%" PRIu32, p->ruid);
		if (x->has_user) {
			line_add(l, "(", 1);
			line_text(l, x->user, strlen(x->user));
			line_add(l, ")", 1);
		}
		if (p->euid != p->ruid) {
			line_printf(l, " euid=%" PRIu32, p->euid);
			if (x->has_euser) {
				line_add(l, "(", 1);
				line_text(l, x->euser, strlen(x->euser));
				line_add(l, ")", 1);
			}
		}
	}
	if (x->tty_known)
		line_printf(l, " tty=%s", x->tty[0] ? x->tty : "-");
	if (x->unit) {
		line_puts(l, " unit=");
		line_text(l, x->unit, x->unit_len);
	}
	if (x->container) {
		line_puts(l, " container=");
		line_text(l, x->container, x->container_len < 12 ? x->container_len : 12);
	}
	if (x->cgroup) {
		line_puts(l, " cgroup=");
		line_text(l, x->cgroup, strlen(x->cgroup));
	}
}

static void text_exit(struct line *l, const struct item *it)
{
	const struct proccn_exit *ev = it->ev ? &it->ev->exit : NULL;

	if (it->inferred) {
		line_puts(l, "status unknown (its exit event was lost)");
		text_lifetime(l, it->proc, "after at most ");
		return;
	}
	if (!it->ended) {
		if (it->thread)
			line_printf(l, "thread %d ", (int)it->tid);
		else
			line_puts(l, "main thread ");
		exit_text(l, ev->exit_code);
		if (!it->thread)
			line_printf(l, ", %d thread%s run%s on", it->threads_left,
				    it->threads_left == 1 ? "" : "s", it->threads_left == 1 ? "s" : "");
		return;
	}
	exit_text(l, ev->exit_code);
	text_lifetime(l, it->proc, "after ");
	if (it->thread)
		line_printf(l, " (last thread %d)", (int)it->tid);
}

static void text_details(struct line *l, const struct item *it)
{
	const union proccn_event *ev = it->ev;
	const struct proccn_proc *p = it->proc;
	uint32_t i;

	switch (it->kind) {
	case PROCCN_EV_FORK:
		if (it->thread)
			line_printf(l, "thread %d", (int)it->tid);
		break;
	case PROCCN_EV_EXEC:
		if (p && (p->flags & PROCCN_PROC_F_CMDLINE) && p->cmdline_len)
			text_cmdline(l, p);
		else if (p && (p->flags & PROCCN_PROC_F_UNNAMED))
			line_puts(l, "(gone before it could be read)");
		else
			line_puts(l, "(no command line)");
		if (it->x) {
			line_puts(l, "  [");
			text_extra(l, it);
			line_puts(l, "]");
		}
		break;
	case PROCCN_EV_UID:
		if (it->thread)
			line_printf(l, "thread %d ", (int)it->tid);
		if (it->x && !it->thread) {
			text_extra(l, it);
		} else {
			line_printf(l, "ruid=%" PRIu32 " euid=%" PRIu32, ev->uid.ruid, ev->uid.euid);
		}
		break;
	case PROCCN_EV_GID:
		if (it->thread)
			line_printf(l, "thread %d ", (int)it->tid);
		line_printf(l, "rgid=%" PRIu32 " egid=%" PRIu32, ev->gid.rgid, ev->gid.egid);
		break;
	case PROCCN_EV_SID:
		if (it->thread)
			line_printf(l, "thread %d ", (int)it->tid);
		line_printf(l, "new session %d", (int)it->pid);
		break;
	case PROCCN_EV_PTRACE:
		if (it->thread)
			line_printf(l, "thread %d ", (int)it->tid);
		if (ev->ptrace.tracer_pid == 0)
			line_puts(l, "detached");
		else
			line_printf(l, "attached by %d", (int)ev->ptrace.tracer_tgid);
		break;
	case PROCCN_EV_COMM:
		if (it->thread)
			line_printf(l, "thread %d ", (int)it->tid);
		line_puts(l, "new name '");
		line_text(l, ev->comm.comm, strnlen(ev->comm.comm, PROCCN_COMM_LEN));
		line_puts(l, "'");
		break;
	case PROCCN_EV_COREDUMP:
		if (it->thread)
			line_printf(l, "thread %d ", (int)it->tid);
		line_puts(l, "dumping core");
		break;
	case PROCCN_EV_EXIT:
		text_exit(l, it);
		break;
	default:
		/* a kind newer than this library: the raw bytes */
		line_printf(l, "kind 0x%08" PRIx32 " data", it->kind);
		for (i = 0; i < ev->raw.len && i < PROCCN_RAW_LEN; i++)
			line_printf(l, " %02x", ev->raw.data[i]);
		break;
	}
}

/* No trailing blanks when the details are empty. */
static void trim(struct line *l)
{
	while (l->len && l->buf[l->len - 1] == ' ')
		l->len--;
}

void text_item(struct line *l, const struct item *it, enum name_mode name)
{
	const char *kind = proccn_kind_name(it->kind);
	char t[64];
	size_t col;

	format_event_time(it->ts_ns, false, t, sizeof(t));
	line_printf(l, "%s %-8s %7d ", t, it->kind & ~PROCCN_EV_ALL ? "unknown" : kind,
		    (int)it->pid);
	col = l->len;
	if (it->kind & ~PROCCN_EV_ALL)
		line_puts(l, "?");
	else
		text_name(l, it->proc, name);
	line_pad(l, col, NAME_COL);
	if (it->ppid > 0)
		line_printf(l, " %7d ", (int)it->ppid);
	else
		line_printf(l, " %7s ", "-");
	col = l->len;
	if (it->parent)
		text_comm(l, it->parent);
	else
		line_puts(l, "-");
	line_pad(l, col, NAME_COL);
	line_add(l, " ", 1);
	text_details(l, it);
	trim(l);
	line_add(l, "\n", 1);
}

void text_loss(struct line *l, const struct proccn_loss *loss, const char *reason,
	       bool counted_as_gaps)
{
	struct timespec now;
	char t[64];

	/* a loss has no kernel timestamp: the time we learnt of it */
	clock_gettime(CLOCK_REALTIME, &now);
	format_wall(&now, false, t, sizeof(t));
	line_printf(l, "%s %-8s %7s %-16s %7s %-16s ", t, "LOSS", "-", "-", "-", "-");
	if (loss->count)
		line_printf(l, "%s: %s%" PRIu64 " events lost", reason, loss->exact ? "" : "about ",
			    loss->count);
	else if (counted_as_gaps)
		line_printf(l, "%s: events lost, counted by the seq_gap reports", reason);
	else
		line_printf(l, "%s: events lost (count unknown)", reason);
	line_puts(l, "; resync from /proc follows\n");
}

void text_resync(struct line *l, const struct proccn_resync *r)
{
	struct timespec now;
	char t[64];

	clock_gettime(CLOCK_REALTIME, &now);
	format_wall(&now, false, t, sizeof(t));
	line_printf(l, "%s %-8s %7s %-16s %7s %-16s ", t, "RESYNC", "-", "-", "-", "-");
	line_printf(l, "%" PRIu32 " processes read from /proc in %" PRIu64 " ms: %" PRIu32
		    " found (their fork was lost), %" PRIu32 " gone (exit lost), %" PRIu32
		    " pids reused, %" PRIu32 " changed\n",
		    r->scanned, (r->ended_ns - r->started_ns) / 1000000, r->added, r->exited,
		    r->replaced, r->changed);
}
