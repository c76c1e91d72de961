/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * COMM, SID, GID and UID events (root: the credential changes need it).
 * One child, in order: prctl(PR_SET_NAME) with a name longer than 15 chars,
 * a write to /proc/self/comm, setsid(), setresgid(), setresuid(), exit.
 * Distinct ids for real, effective and saved show which the events carry.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "live.h"

#define LONG_NAME "live-comm-0123456789abcdef"  /* 26 chars: the kernel keeps 15 */
#define SHORT_NAME "lc-15-chars-ok"
#define PROC_NAME "viaproc"
#define RGID 12301u
#define EGID 12302u
#define SGID 12303u
#define RUID 12401u
#define EUID 12402u
#define SUID 12403u

static void do_creds(void *arg)
{
	int fd;

	(void)arg;
	if (prctl(PR_SET_NAME, LONG_NAME) != 0)
		_exit(10);
	if (prctl(PR_SET_NAME, SHORT_NAME) != 0)
		_exit(11);
	/* Writing to one's own comm file sends a COMM event too. */
	fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, PROC_NAME, strlen(PROC_NAME)) != (ssize_t)strlen(PROC_NAME))
		_exit(12);
	close(fd);
	if (setsid() < 0)
		_exit(13);
	if (setgroups(0, NULL) != 0)
		_exit(14);
	if (setresgid(RGID, EGID, SGID) != 0)
		_exit(15);
	if (setresuid(RUID, EUID, SUID) != 0)
		_exit(16);
	_exit(0);
}

static long expect_comm(struct live_handle *lh, pid_t child, size_t from, const char *want)
{
	long i = live_find(lh, PROCCN_EV_COMM, child, from);

	EXPECT(i >= 0, "COMM \"%s\" of %d not seen (after #%zu)", want, (int)child, from);
	if (i < 0)
		return -1;
	const struct proccn_comm *c = &lh->rec.ev[i].comm;

	EXPECT(c->pid == child && c->tgid == child, "COMM pid %d/%d", c->pid, c->tgid);
	EXPECT(memchr(c->comm, 0, sizeof(c->comm)) != NULL, "comm not NUL-terminated");
	EXPECT(strncmp(c->comm, want, sizeof(c->comm)) == 0, "COMM \"%.16s\", want \"%s\"",
	       c->comm, want);
	return i;
}

/*
 * The one UID or GID event (@kind) of @child, with real id @r and effective
 * id @e. The two structs have the same layout: pid, tgid, real, effective.
 * Returns its index or -1.
 */
static long expect_ids(struct live_handle *lh, uint32_t kind, pid_t child, uint32_t r,
		       uint32_t e)
{
	const char *name = kind == PROCCN_EV_UID ? "UID" : "GID";
	long i = live_find(lh, kind, child, 0);

	EXPECT(i >= 0, "%s of %d not seen", name, (int)child);
	if (i >= 0) {
		const struct proccn_uid *u = &lh->rec.ev[i].uid;

		EXPECT(u->pid == child && u->tgid == child, "%s pid %d/%d", name, u->pid, u->tgid);
		EXPECT(u->ruid == r && u->euid == e, "%s real %u effective %u, want %u %u", name,
		       u->ruid, u->euid, r, e);
	}
	EXPECT(live_count(lh, kind, child) == 1, "one %s event, seen %zu", name,
	       live_count(lh, kind, child));
	return i;
}

int main(int argc, char **argv)
{
	struct live_handle lh;
	long c1, c2, c3, si, gi, ui, ei;
	pid_t child;
	int status;

	live_init(argc, argv, "live-creds", true);
	live_open(&lh, "all", 0, 0);

	child = live_spawn(do_creds, NULL);
	live_watch(&lh, child);
	status = live_reap(child);
	REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		"child status %#x (exit 10..16: that step's syscall failed)", status);
	EXPECT(live_wait(&lh, PROCCN_EV_EXIT, child, LIVE_DEADLINE_MS) >= 0,
	       "EXIT of %d within %d ms", (int)child, LIVE_DEADLINE_MS);

	/* PR_SET_NAME truncates to 15 characters plus NUL. */
	c1 = expect_comm(&lh, child, 0, "live-comm-01234");
	c2 = expect_comm(&lh, child, c1 < 0 ? 0 : (size_t)c1 + 1, SHORT_NAME);
	c3 = expect_comm(&lh, child, c2 < 0 ? 0 : (size_t)c2 + 1, PROC_NAME);
	EXPECT(live_count(&lh, PROCCN_EV_COMM, child) == 3, "3 COMM events, seen %zu",
	       live_count(&lh, PROCCN_EV_COMM, child));

	si = live_find(&lh, PROCCN_EV_SID, child, 0);
	EXPECT(si >= 0, "SID of %d not seen", (int)child);
	if (si >= 0)
		EXPECT(lh.rec.ev[si].sid.pid == child && lh.rec.ev[si].sid.tgid == child,
		       "SID pid %d/%d", lh.rec.ev[si].sid.pid, lh.rec.ev[si].sid.tgid);

	gi = expect_ids(&lh, PROCCN_EV_GID, child, RGID, EGID);
	ui = expect_ids(&lh, PROCCN_EV_UID, child, RUID, EUID);

	ei = live_find(&lh, PROCCN_EV_EXIT, child, 0);
	EXPECT(ei >= 0 && lh.rec.ev[ei].exit.exit_code == 0, "EXIT with code 0");
	/* The events come in the order the child made the changes. */
	EXPECT(c3 < si && si < gi && gi < ui && ui < ei,
	       "order COMM #%ld < SID #%ld < GID #%ld < UID #%ld < EXIT #%ld", c3, si, gi, ui,
	       ei);
	live_close(&lh);
	return live_finish();
}
