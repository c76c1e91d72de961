/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The fake kernel's events: what a kernel generates, and its datagram (fake_kernel.h). */
#include "fake_kernel.h"

#include <string.h>

/* Event constructors: the union is a sequence of u32 in the kernel's order. */
static struct fk_ev ev_words(uint32_t what, const uint32_t *w, unsigned int n)
{
	struct fk_ev ev;
	unsigned int i;

	memset(&ev, 0, sizeof(ev));
	ev.what = what;
	for (i = 0; i < n && i < 6; i++)
		dgram_put32(ev.data + 4 * i, w[i]);
	return ev;
}

struct fk_ev fk_fork(pid_t ppid, pid_t ptgid, pid_t cpid, pid_t ctgid)
{
	uint32_t w[] = { (uint32_t)ppid, (uint32_t)ptgid, (uint32_t)cpid, (uint32_t)ctgid };

	return ev_words(PROCCN_EV_FORK, w, 4);
}

struct fk_ev fk_exec(pid_t pid, pid_t tgid)
{
	uint32_t w[] = { (uint32_t)pid, (uint32_t)tgid };

	return ev_words(PROCCN_EV_EXEC, w, 2);
}

struct fk_ev fk_uid(pid_t pid, pid_t tgid, uint32_t ruid, uint32_t euid)
{
	uint32_t w[] = { (uint32_t)pid, (uint32_t)tgid, ruid, euid };

	return ev_words(PROCCN_EV_UID, w, 4);
}

struct fk_ev fk_gid(pid_t pid, pid_t tgid, uint32_t rgid, uint32_t egid)
{
	uint32_t w[] = { (uint32_t)pid, (uint32_t)tgid, rgid, egid };

	return ev_words(PROCCN_EV_GID, w, 4);
}

struct fk_ev fk_sid(pid_t pid, pid_t tgid)
{
	uint32_t w[] = { (uint32_t)pid, (uint32_t)tgid };

	return ev_words(PROCCN_EV_SID, w, 2);
}

struct fk_ev fk_ptrace(pid_t pid, pid_t tgid, pid_t tracer_pid, pid_t tracer_tgid)
{
	uint32_t w[] = { (uint32_t)pid, (uint32_t)tgid, (uint32_t)tracer_pid,
			 (uint32_t)tracer_tgid };

	return ev_words(PROCCN_EV_PTRACE, w, 4);
}

struct fk_ev fk_comm(pid_t pid, pid_t tgid, const char comm[16])
{
	uint32_t w[] = { (uint32_t)pid, (uint32_t)tgid };
	struct fk_ev ev = ev_words(PROCCN_EV_COMM, w, 2);

	/* all 16 bytes as given: a test may omit the NUL on purpose */
	memcpy(ev.data + 8, comm, 16);
	return ev;
}

struct fk_ev fk_coredump(pid_t pid, pid_t tgid, pid_t ppid, pid_t ptgid)
{
	uint32_t w[] = { (uint32_t)pid, (uint32_t)tgid, (uint32_t)ppid, (uint32_t)ptgid };

	return ev_words(PROCCN_EV_COREDUMP, w, 4);
}

struct fk_ev fk_exit(pid_t pid, pid_t tgid, uint32_t code, uint32_t sig, pid_t ppid,
		     pid_t ptgid)
{
	uint32_t w[] = { (uint32_t)pid, (uint32_t)tgid, code, sig, (uint32_t)ppid,
			 (uint32_t)ptgid };

	return ev_words(PROCCN_EV_EXIT, w, 6);
}

struct fk_ev fk_raw(uint32_t what, const uint32_t words[6])
{
	return ev_words(what, words, 6);
}

size_t fk_build(uint8_t out[FK_DGRAM_LEN], uint32_t seq, uint32_t ack, uint32_t cpu,
		uint64_t ts, const struct fk_ev *ev)
{
	return dgram_build(out, seq, ack, ev->what, cpu, ts, ev->data);
}
