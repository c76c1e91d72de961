/* SPDX-License-Identifier: MIT-0 */
/*
 * proccn-watch: the JSON Lines format, all of it. Every object has
 * "schema" (WATCH_SCHEMA), "time" and "event"; a key means the same on
 * every event: "pid" is the process, "tid" the thread the kernel named,
 * "ppid" the parent process, "comm" the process's name. The schema is
 * tools/proccn-watch.schema.json; a change here is a change there.
 */
#include <inttypes.h>
#include <string.h>

#include "watch.h"

static void key(struct line *l, const char *k)
{
	line_printf(l, ",\"%s\":", k);
}

static void json_int_or_null(struct line *l, const char *k, int64_t v, bool known)
{
	key(l, k);
	if (known)
		line_printf(l, "%" PRId64, v);
	else
		line_puts(l, "null");
}

static void json_bool(struct line *l, const char *k, bool v)
{
	key(l, k);
	line_puts(l, v ? "true" : "false");
}

static void json_span(struct line *l, const char *k, const char *s, size_t n)
{
	key(l, k);
	if (s)
		line_json(l, s, n);
	else
		line_puts(l, "null");
}

/* argv as an array of strings (the last one may be cut: argv_truncated). */
static void json_argv(struct line *l, const struct proccn_proc *p)
{
	size_t i = 0, n;

	key(l, "argv");
	if (!p || !(p->flags & PROCCN_PROC_F_CMDLINE)) {
		line_puts(l, "null");
	} else {
		line_add(l, "[", 1);
		while (i < p->cmdline_len) {
			n = strnlen(p->cmdline + i, p->cmdline_len - i);
			if (i)
				line_add(l, ",", 1);
			line_json(l, p->cmdline + i, n);
			i += n + 1;
		}
		line_add(l, "]", 1);
	}
	json_bool(l, "argv_truncated", p && (p->flags & PROCCN_PROC_F_TRUNCATED));
}

static void json_comm(struct line *l, const char *k, const struct proccn_proc *p)
{
	json_span(l, k, p && (p->flags & PROCCN_PROC_F_COMM) ? p->comm : NULL,
		  p ? strnlen(p->comm, sizeof(p->comm)) : 0);
}

/* -x: credentials with their names, tty, cgroup and what it says. */
static void json_extra(struct line *l, const struct item *it)
{
	const struct proccn_proc *p = it->proc;
	const struct extra *x = it->x;
	bool creds = (p->flags & PROCCN_PROC_F_CREDS) != 0;

	if (it->kind != PROCCN_EV_UID) {	/* a uid event has them already */
		json_int_or_null(l, "ruid", p->ruid, creds);
		json_int_or_null(l, "euid", p->euid, creds);
	}
	json_span(l, "user", x->has_user ? x->user : NULL, strlen(x->user));
	/* the name of euid, also when it is ruid's */
	if (creds && p->euid == p->ruid)
		json_span(l, "euser", x->has_user ? x->user : NULL, strlen(x->user));
	else
		json_span(l, "euser", x->has_euser ? x->euser : NULL, strlen(x->euser));
	json_span(l, "tty", x->tty[0] ? x->tty : NULL, strlen(x->tty));
	json_span(l, "cgroup", x->cgroup, x->cgroup ? strlen(x->cgroup) : 0);
	json_span(l, "unit", x->unit, x->unit_len);
	json_span(l, "container", x->container, x->container_len);
}

static void json_exit(struct line *l, const struct item *it, enum name_mode name)
{
	struct proccn_exit_status st;
	bool known = !it->inferred;
	uint32_t code = known ? it->ev->exit.exit_code : 0;
	int64_t life = it->ended ? lifetime_ns(it->proc) : -1;
	char sig[32] = "";

	proccn_decode_exit(code, &st);
	json_bool(l, "ended", it->ended);
	json_bool(l, "inferred", it->inferred);
	json_int_or_null(l, "exit_code", code, known);
	key(l, "exited");
	line_puts(l, !known ? "null" : st.exited ? "true" : "false");
	json_int_or_null(l, "code", st.code, known && st.exited);
	json_int_or_null(l, "signal", st.signal, known && st.signaled);
	/* the name first: the order in which arguments are evaluated is not
	   defined, and strlen(sig) may come before signal_name() fills it */
	if (known && st.signaled)
		signal_name(st.signal, sig, sizeof(sig));
	json_span(l, "signal_name", sig[0] ? sig : NULL, strlen(sig));
	key(l, "core_dumped");
	line_puts(l, !known ? "null" : st.core_dumped ? "true" : "false");
	/* the signal sent to the parent; a thread sends none (UINT32_MAX) */
	json_int_or_null(l, "exit_signal", known ? it->ev->exit.exit_signal : 0,
			 known && it->ev->exit.exit_signal != UINT32_MAX);
	json_int_or_null(l, "lifetime_ns", life, life >= 0);
	if (name != NAME_CMDLINE)
		json_argv(l, it->proc);
}

void json_item(struct line *l, const struct item *it, enum name_mode name)
{
	const union proccn_event *ev = it->ev;
	const struct proccn_proc *p = it->proc;
	bool unknown_kind = (it->kind & ~PROCCN_EV_ALL) != 0;
	const char *kind = unknown_kind ? "unknown" : proccn_kind_name(it->kind);
	char t[64];
	uint32_t i;

	format_event_time(it->ts_ns, true, t, sizeof(t));
	line_printf(l, "{\"schema\":%d,\"time\":\"%s\",\"ts_ns\":%" PRIu64, WATCH_SCHEMA, t,
		    it->ts_ns);
	json_int_or_null(l, "cpu", it->cpu, it->cpu >= 0);
	line_printf(l, ",\"event\":\"%s\"", kind);
	json_int_or_null(l, "pid", it->pid, !unknown_kind);
	json_int_or_null(l, "tid", it->tid, it->tid > 0);
	json_bool(l, "thread", it->thread);
	json_int_or_null(l, "ppid", it->ppid, it->ppid > 0);
	json_comm(l, "comm", p);
	json_comm(l, "parent_comm", it->parent);
	json_span(l, "exe", p && (p->flags & PROCCN_PROC_F_EXE) ? p->exe : NULL,
		  p && p->exe ? strlen(p->exe) : 0);
	if (name == NAME_CMDLINE)
		json_argv(l, p);

	switch (it->kind) {
	case PROCCN_EV_FORK:
		break;
	case PROCCN_EV_EXEC:
		if (name != NAME_CMDLINE)
			json_argv(l, p);
		break;
	case PROCCN_EV_UID:
		line_printf(l, ",\"ruid\":%" PRIu32 ",\"euid\":%" PRIu32, ev->uid.ruid,
			    ev->uid.euid);
		break;
	case PROCCN_EV_GID:
		line_printf(l, ",\"rgid\":%" PRIu32 ",\"egid\":%" PRIu32, ev->gid.rgid,
			    ev->gid.egid);
		break;
	case PROCCN_EV_SID:
		line_printf(l, ",\"sid\":%d", (int)it->pid);
		break;
	case PROCCN_EV_PTRACE:
		json_int_or_null(l, "tracer_pid", ev->ptrace.tracer_tgid, ev->ptrace.tracer_pid != 0);
		json_int_or_null(l, "tracer_tid", ev->ptrace.tracer_pid, ev->ptrace.tracer_pid != 0);
		json_bool(l, "attached", ev->ptrace.tracer_pid != 0);
		break;
	case PROCCN_EV_COMM:
		key(l, "new_comm");
		line_json(l, ev->comm.comm, strnlen(ev->comm.comm, PROCCN_COMM_LEN));
		break;
	case PROCCN_EV_COREDUMP:
		break;
	case PROCCN_EV_EXIT:
		json_exit(l, it, name);
		break;
	default:
		line_printf(l, ",\"kind\":%" PRIu32 ",\"data\":\"", it->kind);
		for (i = 0; i < ev->raw.len && i < PROCCN_RAW_LEN; i++)
			line_printf(l, "%02x", ev->raw.data[i]);
		line_puts(l, "\"");
		break;
	}
	if (it->x)
		json_extra(l, it);
	line_puts(l, "}\n");
}

void json_loss(struct line *l, const struct proccn_loss *loss, const char *reason)
{
	struct timespec now;
	char t[64];

	clock_gettime(CLOCK_REALTIME, &now);
	format_wall(&now, true, t, sizeof(t));
	line_printf(l, "{\"schema\":%d,\"time\":\"%s\",\"event\":\"loss\",\"reason\":\"%s\","
		    "\"count\":%" PRIu64 ",\"exact\":%s}\n",
		    WATCH_SCHEMA, t, reason, loss->count, loss->exact ? "true" : "false");
}

void json_resync(struct line *l, const struct proccn_resync *r)
{
	struct timespec now;
	char t[64];

	clock_gettime(CLOCK_REALTIME, &now);
	format_wall(&now, true, t, sizeof(t));
	line_printf(l, "{\"schema\":%d,\"time\":\"%s\",\"event\":\"resync\",\"scanned\":%" PRIu32
		    ",\"added\":%" PRIu32 ",\"exited\":%" PRIu32 ",\"replaced\":%" PRIu32
		    ",\"changed\":%" PRIu32 ",\"duration_ns\":%" PRIu64 "}\n",
		    WATCH_SCHEMA, t, r->scanned, r->added, r->exited, r->replaced, r->changed,
		    r->ended_ns - r->started_ns);
}
