/* SPDX-License-Identifier: MIT-0 */
/*
 * proccn-watch: which lines to show (-e, -p, --pid, --tree, --comm, --user),
 * and the -x details (user names, tty, cgroup).
 *
 * --tree follows membership through forks as they happen: a process forked
 * by a member is a member, whoever its parent is later (a daemon that
 * double-forks stays in). The table's subtree watch decides membership the
 * same way but cannot be asked "is this pid a member", so the tool keeps its
 * own set, allocated once.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "watch.h"

/* ---- the --tree set: pids, open addressing, allocated once --------------- */

#define TREE_SLOTS 65536u              /* a power of two */
#define TREE_MAX (TREE_SLOTS / 4 * 3)  /* kept sparse for short probes */

struct tree_set {
	uint32_t count;
	pid_t slot[TREE_SLOTS];        /* 0: empty */
};

static uint32_t tree_hash(pid_t pid)
{
	return ((uint32_t)pid * 2654435761u) & (TREE_SLOTS - 1);
}

static bool tree_has(const struct tree_set *s, pid_t pid)
{
	uint32_t i;

	for (i = tree_hash(pid); s->slot[i]; i = (i + 1) & (TREE_SLOTS - 1))
		if (s->slot[i] == pid)
			return true;
	return false;
}

static bool tree_add(struct tree_set *s, pid_t pid)
{
	uint32_t i;

	for (i = tree_hash(pid); s->slot[i]; i = (i + 1) & (TREE_SLOTS - 1))
		if (s->slot[i] == pid)
			return true;
	if (s->count >= TREE_MAX)
		return false;
	s->slot[i] = pid;
	s->count++;
	return true;
}

/* Linear probing without tombstones: later entries of the run move back. */
static void tree_del(struct tree_set *s, pid_t pid)
{
	uint32_t i, j, home;

	for (i = tree_hash(pid); s->slot[i] != pid; i = (i + 1) & (TREE_SLOTS - 1))
		if (!s->slot[i])
			return;
	s->slot[i] = 0;
	s->count--;
	for (j = (i + 1) & (TREE_SLOTS - 1); s->slot[j]; j = (j + 1) & (TREE_SLOTS - 1)) {
		home = tree_hash(s->slot[j]);
		/* move it back unless its home lies in (i, j] */
		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			s->slot[i] = s->slot[j];
			s->slot[j] = 0;
			i = j;
		}
	}
}

int filter_init(struct filter *f)
{
	memset(f, 0, sizeof(*f));
	f->mask = PROCCN_EV_ALL;
	return 0;
}

void filter_free(struct filter *f)
{
	free(f->members);
	f->members = NULL;
}

static int add_member(const struct proccn_proc *p, int depth, void *userdata)
{
	struct filter *f = userdata;

	(void)depth;
	if (!tree_add(f->members, p->pid))
		f->tree_full++;
	return 0;
}

int filter_start(struct filter *f, struct proccn_table *t)
{
	struct proccn_proc p = { .sz = sizeof(p) };
	int r;

	if (f->pid) {
		if (proccn_table_get(t, f->pid, &p) < 0 || p.state == PROCCN_PROC_EXITED)
			return -ESRCH;
		f->pid_key = p.key;
	}
	if (f->tree) {
		if (proccn_table_get(t, f->tree, &p) < 0 || p.state == PROCCN_PROC_EXITED)
			return -ESRCH;
		f->members = calloc(1, sizeof(*f->members));
		if (!f->members)
			return -ENOMEM;
		tree_add(f->members, f->tree);
		/* those already reparented away (double forks before we started)
		   cannot be known: only the live subtree as it hangs now */
		r = proccn_table_walk(t, f->tree, PROCCN_WALK_SUBTREE, add_member, f);
		if (r < 0 && r != -ESRCH)
			return r;
	}
	return 0;
}

void filter_fork(struct filter *f, pid_t child, pid_t parent)
{
	if (f->members && tree_has(f->members, parent) && !tree_add(f->members, child))
		f->tree_full++;
}

void filter_end(struct filter *f, pid_t pid)
{
	if (f->members)
		tree_del(f->members, pid);
}

static bool kind_shown(const struct filter *f, const struct item *it)
{
	if (it->kind == PROCCN_EV_EXIT) {
		if (f->mask & PROCCN_EV_EXIT)
			return true;
		/* the kernel's NONZERO_EXIT: a status other than 0; an inferred
		   exit's status is unknown, so it may be one */
		return (f->mask & PROCCN_EV_NONZERO_EXIT) &&
		       (it->inferred || (it->ev && it->ev->exit.exit_code != 0));
	}
	if (it->kind & ~PROCCN_EV_ALL)
		return f->mask == PROCCN_EV_ALL;	/* a kind newer than the library */
	return (f->mask & it->kind) != 0;
}

static bool is_pid(const struct filter *f, const struct proccn_proc *p, pid_t pid)
{
	if (p && f->pid_key)
		return p->key == f->pid_key;
	return pid == f->pid;
}

bool filter_match(const struct filter *f, const struct item *it)
{
	const struct proccn_proc *p = it->proc;
	bool ok;
	int i;

	if (!kind_shown(f, it))
		return false;
	if (f->processes_only && it->thread &&
	    (it->kind == PROCCN_EV_FORK || it->kind == PROCCN_EV_EXIT))
		return false;
	if (f->processes_only && it->kind == PROCCN_EV_EXIT && !it->ended)
		return false;	/* a main thread that exited while others run */
	/* --pid: the process, and the forks it makes */
	if (f->pid && !is_pid(f, p, it->pid) &&
	    !(it->kind == PROCCN_EV_FORK && !it->thread && is_pid(f, it->parent, it->ppid)))
		return false;
	if (f->members && !tree_has(f->members, it->pid))
		return false;
	if (f->ncomm) {
		for (ok = false, i = 0; p && i < f->ncomm && !ok; i++)
			ok = strncmp(p->comm, f->comm[i], PROCCN_COMM_LEN - 1) == 0;
		if (!ok)
			return false;
	}
	if (f->nuid) {
		for (ok = false, i = 0; p && (p->flags & PROCCN_PROC_F_CREDS) && i < f->nuid && !ok; i++)
			ok = p->ruid == f->uid[i] || p->euid == f->uid[i];
		if (!ok)
			return false;
	}
	return true;
}

/* ---- users -------------------------------------------------------------- */

int parse_user(const char *s, uint32_t *uid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	const char *c;

	if (*s && strspn(s, "0123456789") == strlen(s) && strlen(s) <= 10) {
		unsigned long long v = strtoull(s, NULL, 10);

		if (v < UINT32_MAX) {
			*uid = (uint32_t)v;
			return 0;
		}
	}
	for (c = s; *c; c++)
		if (*c == ':' || *c == '\n')
			return -ENOENT;
	if (getpwnam_r(s, &pw, buf, sizeof(buf), &res) != 0 || !res)
		return -ENOENT;
	*uid = (uint32_t)pw.pw_uid;
	return 0;
}

/*
 * A small direct-mapped cache: a lookup goes through NSS (files, systemd,
 * perhaps LDAP), far too slow for every event, and a machine's events come
 * from a handful of users.
 */
#define USER_SLOTS 64
static struct {
	bool valid, found;
	uint32_t uid;
	char name[64];
} users[USER_SLOTS];

bool user_name(uint32_t uid, char *out, size_t len)
{
	__typeof__(users[0]) *u = &users[uid % USER_SLOTS];
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (!u->valid || u->uid != uid) {
		u->valid = true;
		u->uid = uid;
		u->found = getpwuid_r((uid_t)uid, &pw, buf, sizeof(buf), &res) == 0 && res &&
			   strlen(pw.pw_name) < sizeof(u->name);
		if (u->found)
			strcpy(u->name, pw.pw_name);
	}
	if (u->found)
		snprintf(out, len, "%s", u->name);
	return u->found;
}

/* ---- tty ---------------------------------------------------------------- */

/* "pts/3", "tty1", "ttyS0", or "MAJ:MIN" for a device we have no name for. */
static void tty_name(unsigned long long nr, char *buf, size_t len)
{
	unsigned major = (unsigned)((nr >> 8) & 0xfff);
	unsigned minor = (unsigned)((nr & 0xff) | ((nr >> 12) & 0xfff00));

	if (major >= 136 && major <= 143)
		snprintf(buf, len, "pts/%u", (major - 136) * 256 + minor);
	else if (major == 4 && minor < 64)
		snprintf(buf, len, "tty%u", minor);
	else if (major == 4)
		snprintf(buf, len, "ttyS%u", minor - 64);
	else
		snprintf(buf, len, "%u:%u", major, minor);
}

/*
 * The table reads /proc/PID/stat at exec but keeps no tty, so read it
 * again, and keep it only when the start time says it is the same process
 * (the key holds the start time in clock ticks): a pid reused meanwhile
 * must not lend its tty.
 */
void read_tty(const struct proccn_proc *p, struct extra *x)
{
	char path[48], buf[1024], *s, *end;
	unsigned long long v[20];
	ssize_t n;
	int fd, i;

	x->tty[0] = '\0';
	x->tty_known = false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)p->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	/* the name may hold ") ": the fields start after the last ')' */
	s = strrchr(buf, ')');
	if (!s || s[1] != ' ' || !s[2])
		return;
	s += 3;	/* past field 3, the state: one character */
	/* fields 4 (ppid) to 22 (starttime); priority and nice may be
	   negative, which strtoull() wraps: they are not used */
	for (i = 0; i < 19; i++) {
		errno = 0;
		v[i] = strtoull(s, &end, 10);
		if (end == s || errno)
			return;
		s = end;
	}
	if (v[18] != p->key >> 22)
		return;	/* another process has this pid now */
	x->tty_known = true;
	if (v[3] != 0)
		tty_name(v[3], x->tty, sizeof(x->tty));
}

void fill_extra(const struct proccn_proc *p, struct extra *x)
{
	memset(x, 0, sizeof(*x));
	if (p->flags & PROCCN_PROC_F_CREDS) {
		x->has_user = user_name(p->ruid, x->user, sizeof(x->user));
		if (p->euid != p->ruid)
			x->has_euser = user_name(p->euid, x->euser, sizeof(x->euser));
	}
	read_tty(p, x);
	x->cgroup = p->cgroup;
	if (x->cgroup) {
		if (proccn_cgroup_unit(x->cgroup, &x->unit, &x->unit_len) < 0)
			x->unit = NULL;
		if (proccn_cgroup_container(x->cgroup, &x->container, &x->container_len) < 0)
			x->container = NULL;
	}
}
