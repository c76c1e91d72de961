/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Spoofing, live (issue 5 item 4). Root can send to the proc connector's
 * multicast group, and to any listener's port directly, from user space. Such
 * a datagram looks exactly like a kernel event except for the sender address
 * (nl_pid is the sender's port id, never 0). The library must drop it, count
 * it in stats.spoofed, and never hand it to a callback.
 *
 * Measured on Linux 6.18 (a raw listener below repeats the measurement):
 * - root's sendto(nl_pid 0, nl_groups 1) succeeds; every group member gets
 *   the datagram with nl_pid = the sender's port id and nl_groups 1, even when
 *   its kernel-side mask would exclude that kind (user broadcasts bypass the
 *   connector's per-socket filter). The same message also goes to the
 *   kernel's connector input, which ignores it (cn_msg.len 40 is not a
 *   request length): no ACK comes back.
 * - root's unicast to a listener's port arrives with nl_groups 0.
 * - a non-root sender gets EPERM for both (checked below too).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <linux/netlink.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dgram.h"
#include "fdinfo.h"
#include "stress_util.h"

#define TEST "stress-spoof"
/* Above PID_MAX_LIMIT (4194304): no real process can ever have these pids. */
#define FAKE_BASE 0x3F000000
#define FAKE_COUNT 16
#define DEADLINE_MS 5000
#define NOBODY 65534

#define WHAT_NONE 0u
#define WHAT_FORK 0x1u
#define WHAT_EXIT 0x80000000u
#define FORGED_ACK 0x12345679u
#define RAW_NONCE 0x5eed0001u

enum { H_ALL, H_FORK_EXIT, H_EXEC_NOBPF, H_COUNT };

struct seen {
	const char *name;
	uint64_t callbacks;
	uint64_t fake;               /* events naming a fake pid: must stay 0 */
	pid_t real;                  /* the real child after the forgeries */
	int real_fork, real_exit, real_exec;
};

static int is_fake(pid_t pid)
{
	return pid >= FAKE_BASE && pid < FAKE_BASE + FAKE_COUNT;
}

static int on_event(const union proccn_event *ev, void *ud)
{
	struct seen *s = ud;
	pid_t a = 0, b = 0, c = 0, d = 0;

	s->callbacks++;
	switch (ev->hdr.kind) {
	case PROCCN_EV_FORK:
		a = ev->fork.parent_pid;
		b = ev->fork.parent_tgid;
		c = ev->fork.child_pid;
		d = ev->fork.child_tgid;
		if (s->real && c == s->real)
			s->real_fork = 1;
		break;
	case PROCCN_EV_EXIT:
		a = ev->exit.pid;
		b = ev->exit.tgid;
		c = ev->exit.parent_pid;
		d = ev->exit.parent_tgid;
		if (s->real && a == s->real)
			s->real_exit = 1;
		break;
	case PROCCN_EV_EXEC:
		a = ev->exec.pid;
		b = ev->exec.tgid;
		if (s->real && a == s->real)
			s->real_exec = 1;
		break;
	default:
		break;
	}
	if (is_fake(a) || is_fake(b) || is_fake(c) || is_fake(d)) {
		s->fake++;
		printf("FAIL: %s delivered a forged event: kind %#x pids %d %d %d %d\n",
		       s->name, ev->hdr.kind, (int)a, (int)b, (int)c, (int)d);
	}
	return 0;
}

static const struct proccn_callbacks callbacks = {
	.sz = sizeof(struct proccn_callbacks),
	.on_event = on_event,
};

/*
 * A well-formed proc connector datagram naming the four pids, from byte 52
 * (the union). Its seq is far ahead of any real one, so that accounting it
 * would show up as a huge false loss.
 */
static void forge(uint8_t *b, uint32_t what, pid_t p0, pid_t p1, pid_t p2, pid_t p3)
{
	uint8_t data[DGRAM_DATA_LEN] = { 0 };

	dgram_put32(data, (uint32_t)p0);
	dgram_put32(data + 4, (uint32_t)p1);
	dgram_put32(data + 8, (uint32_t)p2);
	dgram_put32(data + 12, (uint32_t)p3);
	dgram_build(b, 0x40000000, what == WHAT_NONE ? FORGED_ACK : 0, what, 0, 0, data);
}

/* A connector socket bound to an automatic port (nl_pid 0 asks for one). */
static int sender_socket(uint32_t *port)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		printf("FATAL: sender socket: %s\n", strerror(errno));
		exit(1);
	}
	if (port)
		*port = sa.nl_pid;
	return fd;
}

/* Returns 0 or -errno. */
static int send_to(int fd, const uint8_t *b, uint32_t nl_pid, uint32_t groups)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_pid = nl_pid,
				  .nl_groups = groups };

	if (sendto(fd, b, DGRAM_LEN, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	return 0;
}

/* The netlink port of the socket behind a handle's poll fd. */
static uint32_t port_of(int poll_fd)
{
	struct sockaddr_nl sa;
	socklen_t len = sizeof(sa);
	int fd = fdinfo_epoll_target(poll_fd);

	memset(&sa, 0, sizeof(sa));
	if (fd < 0 || getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		printf("FATAL: the socket behind fd %d (fd %d): %s\n", poll_fd, fd,
		       fd < 0 ? "not found in /proc/self/fdinfo" : strerror(errno));
		exit(1);
	}
	return sa.nl_pid;
}

/* LISTEN or IGNORE with mask ALL, from a raw socket. */
static void raw_request(int fd, uint32_t op)
{
	int r = dgram_send_request(fd, op, PROCCN_EV_ALL, DGRAM_REQ_INPUT, RAW_NONCE);

	if (r < 0)
		printf("  raw listener: request %u: %s\n", op, strerror(-r));
}

/*
 * A raw group member, to measure how a forged datagram arrives: it records
 * the sender address of the datagrams that carry a fake pid. It subscribes
 * with mask ALL so that it also sees every ACK: an ACK answering a forgery
 * would mean the kernel took it for a request.
 */
static int raw_listener(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			NETLINK_CONNECTOR);
	int big = 1 << 20;

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		printf("FATAL: raw listener: %s\n", strerror(errno));
		exit(1);
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	raw_request(fd, DGRAM_MCAST_LISTEN);
	return fd;
}

/*
 * Read the raw socket until @want forged datagrams came and a little longer
 * (for any ACK they might provoke); print their senders.
 */
static int raw_measure(int fd, uint32_t sender, int want)
{
	uint64_t deadline = stress_now_ms() + DEADLINE_MS, settle = 0;
	int found = 0, answers = 0;

	while (stress_now_ms() < deadline && (found < want || stress_now_ms() < settle)) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct sockaddr_nl from;
		socklen_t flen = sizeof(from);
		uint8_t buf[512];
		uint32_t what, p0, ack;
		ssize_t n;

		if (poll(&pfd, 1, 50) <= 0)
			continue;
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
		if (n < 0) {
			if (errno == ENOBUFS)
				printf("  raw listener: ENOBUFS (busy machine)\n");
			continue;
		}
		if (n < DGRAM_LEN)
			continue;
		ack = dgram_get32(buf + DGRAM_OFF_CN_ACK);
		what = dgram_get32(buf + DGRAM_OFF_WHAT);
		p0 = dgram_get32(buf + DGRAM_OFF_PID);
		/* the kernel answers a request with cn_msg.ack = request's ack + 1 */
		if (from.nl_pid == 0 && what == WHAT_NONE &&
		    (ack == FORGED_ACK + 1 || ack == 1)) {
			answers++;
			printf("  raw listener: the kernel answered a forgery: ACK err %u\n", p0);
		}
		if (!is_fake((pid_t)p0))
			continue;
		if (++found == want)
			settle = stress_now_ms() + 200;
		printf("  raw listener: forged datagram (%zd bytes, what %#x) arrived from "
		       "nl_pid %u, nl_groups %u; the sender's port is %u\n",
		       n, what, from.nl_pid, from.nl_groups, sender);
		CHECK(from.nl_pid == sender && from.nl_pid != 0,
		      "forged datagram's sender nl_pid %u, expected the sender port %u",
		      from.nl_pid, sender);
	}
	printf("  raw listener: %d ACK(s) answering a forgery (a 40-byte cn_msg is not "
	       "a request)\n", answers);
	raw_request(fd, DGRAM_MCAST_IGNORE);  /* once: IGNORE balances the LISTEN */
	return found;
}

/*
 * What a non-root process gets when it tries the same: it reports the errno
 * values (0 = sent) of the group send and the unicast send through a pipe.
 */
static void nonroot_attempt(uint32_t target_port, int results[2])
{
	int fds[2];
	pid_t pid;

	results[0] = results[1] = 1;  /* unknown */
	if (pipe2(fds, O_CLOEXEC) < 0) {
		printf("FATAL: pipe2: %s\n", strerror(errno));
		exit(1);
	}
	pid = fork();
	if (pid < 0) {
		printf("FATAL: fork: %s\n", strerror(errno));
		exit(1);
	}
	if (pid == 0) {
		uint8_t b[DGRAM_LEN];
		int r[2] = { 1, 1 }, fd;

		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(fds[0]);
		if (setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 || setuid(NOBODY) < 0)
			_exit(2);
		fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
		if (fd >= 0) {
			forge(b, WHAT_EXIT, FAKE_BASE + 8, FAKE_BASE + 8, FAKE_BASE + 9,
			      FAKE_BASE + 9);
			r[0] = send_to(fd, b, 0, 1);
			r[1] = send_to(fd, b, target_port, 0);
		}
		if (write(fds[1], r, sizeof(r)) != (ssize_t)sizeof(r))
			_exit(3);
		_exit(0);
	}
	close(fds[1]);
	{
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };

		if (poll(&pfd, 1, DEADLINE_MS) > 0 &&
		    read(fds[0], results, 2 * sizeof(int)) != (ssize_t)(2 * sizeof(int)))
			results[0] = results[1] = 1;
	}
	close(fds[0]);
	if (stress_reap(pid, stress_now_ms() + DEADLINE_MS) < 0)
		CHECK(0, "the non-root sender did not finish");
}

int main(void)
{
	static const struct { const char *name; uint32_t events, flags; } cfg[H_COUNT] = {
		{ "mask ALL", 0, 0 },
		{ "mask FORK|EXIT", PROCCN_EV_FORK | PROCCN_EV_EXIT, 0 },
		{ "mask EXEC, no socket filter", PROCCN_EV_EXEC, PROCCN_F_NO_SOCKET_FILTER },
	};
	struct proccn *h[H_COUNT];
	struct seen seen[H_COUNT];
	uint64_t want[H_COUNT], deadline;
	struct proccn_stats st;
	uint8_t b[DGRAM_LEN];
	int nonroot[2], raw, snd, i, r, got;
	uint32_t sender;
	pid_t child;

	stress_init(TEST, "only root may send to the proc connector group "
		    "(the forgery under test)");
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < H_COUNT; i++) {
		struct proccn_opts opts = PROCCN_OPTS_INIT;

		opts.events = cfg[i].events;
		opts.flags = cfg[i].flags;
		h[i] = stress_open(&opts);
		seen[i].name = cfg[i].name;
		/* what negotiation kept, then a clean start */
		(void)proccn_dispatch(h[i], &callbacks, &seen[i], 0);
	}
	raw = raw_listener();
	snd = sender_socket(&sender);
	printf("sender port %u; handle ports %u %u %u\n", sender,
	       port_of(proccn_fd(h[0])), port_of(proccn_fd(h[1])), port_of(proccn_fd(h[2])));

	/* to the group: a FORK, an EXIT and an ACK, each naming fake pids */
	forge(b, WHAT_FORK, FAKE_BASE, FAKE_BASE + 1, FAKE_BASE + 2, FAKE_BASE + 3);
	r = send_to(snd, b, 0, 1);
	CHECK(r == 0, "root could not send to the group: %s", strerror(-r));
	forge(b, WHAT_EXIT, FAKE_BASE + 4, FAKE_BASE + 4, FAKE_BASE + 5, FAKE_BASE + 5);
	r = send_to(snd, b, 0, 1);
	CHECK(r == 0, "root could not send to the group: %s", strerror(-r));
	forge(b, WHAT_NONE, FAKE_BASE + 6, 0, 0, 0);
	r = send_to(snd, b, 0, 1);
	CHECK(r == 0, "root could not send to the group: %s", strerror(-r));
	for (i = 0; i < H_COUNT; i++)
		want[i] = 3;

	/* to each handle's port directly */
	for (i = 0; i < H_COUNT; i++) {
		forge(b, WHAT_EXIT, FAKE_BASE + 7, FAKE_BASE + 7, 1, 1);
		r = send_to(snd, b, port_of(proccn_fd(h[i])), 0);
		CHECK(r == 0, "root could not send to port %u: %s",
		      port_of(proccn_fd(h[i])), strerror(-r));
		want[i]++;
	}
	/*
	 * The socket filter of the FORK|EXIT handle may drop the forged ACK
	 * before it is read; that is not a delivery, so it is not required.
	 */
	want[H_FORK_EXIT]--;

	got = raw_measure(raw, sender, 3);
	CHECK(got == 3, "the raw listener saw %d of the 3 forged group datagrams", got);

	nonroot_attempt(port_of(proccn_fd(h[H_ALL])), nonroot);
	printf("non-root sender: group send %s, unicast send %s\n",
	       nonroot[0] ? strerror(-nonroot[0]) : "succeeded",
	       nonroot[1] ? strerror(-nonroot[1]) : "succeeded");
	CHECK(nonroot[0] == -EPERM, "non-root group send: %d, expected -EPERM", nonroot[0]);
	CHECK(nonroot[1] == -EPERM, "non-root unicast send: %d, expected -EPERM", nonroot[1]);
	if (nonroot[0] == 0) {
		for (i = 0; i < H_COUNT; i++)
			want[i]++;
	}
	if (nonroot[1] == 0)
		want[H_ALL]++;

	/* dispatch until every handle counted its forgeries */
	deadline = stress_now_ms() + DEADLINE_MS;
	for (i = 0; i < H_COUNT; i++) {
		for (;;) {
			stress_stats(h[i], &st);
			if (st.spoofed >= want[i] || stress_now_ms() >= deadline)
				break;
			r = proccn_dispatch(h[i], &callbacks, &seen[i], 50);
			CHECK(r >= 0 || r == -EINTR, "%s: proccn_dispatch: %d", seen[i].name, r);
			if (r < 0 && r != -EINTR)
				break;
		}
		printf("%s: spoofed %" PRIu64 " (expected at least %" PRIu64 ")\n",
		       seen[i].name, st.spoofed, want[i]);
		CHECK(st.spoofed >= want[i], "%s: stats.spoofed %" PRIu64 ", expected >= %"
		      PRIu64, seen[i].name, st.spoofed, want[i]);
	}

	/* the handles still work: a real child's events arrive */
	child = fork();
	if (child < 0) {
		printf("FATAL: fork: %s\n", strerror(errno));
		return 1;
	}
	if (child == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(0);  /* no /bin/true: the EXEC check is skipped below */
	}
	for (i = 0; i < H_COUNT; i++)
		seen[i].real = child;
	if (stress_reap(child, stress_now_ms() + DEADLINE_MS) < 0)
		CHECK(0, "the real child did not exit");
	deadline = stress_now_ms() + DEADLINE_MS;
	for (i = 0; i < H_COUNT; i++) {
		struct seen *s = &seen[i];

		for (;;) {
			int done = i == H_EXEC_NOBPF ? s->real_exec : s->real_fork && s->real_exit;

			if (done || stress_now_ms() >= deadline)
				break;
			r = proccn_dispatch(h[i], &callbacks, s, 50);
			if (r < 0 && r != -EINTR) {
				CHECK(0, "%s: proccn_dispatch: %d", s->name, r);
				break;
			}
		}
		/* and whatever else is queued, so that late forgeries are seen too */
		(void)proccn_dispatch(h[i], &callbacks, s, 0);
	}
	CHECK(seen[H_ALL].real_fork && seen[H_ALL].real_exit,
	      "mask ALL: the real child's FORK %d / EXIT %d", seen[H_ALL].real_fork,
	      seen[H_ALL].real_exit);
	CHECK(seen[H_FORK_EXIT].real_fork && seen[H_FORK_EXIT].real_exit,
	      "mask FORK|EXIT: the real child's FORK %d / EXIT %d",
	      seen[H_FORK_EXIT].real_fork, seen[H_FORK_EXIT].real_exit);
	if (access("/bin/true", X_OK) == 0)
		CHECK(seen[H_EXEC_NOBPF].real_exec, "mask EXEC: the real child's EXEC missing");

	for (i = 0; i < H_COUNT; i++) {
		stress_stats(h[i], &st);
		stress_print_stats(seen[i].name, &st);
		CHECK(seen[i].fake == 0, "%s: %" PRIu64 " forged events were delivered",
		      seen[i].name, seen[i].fake);
		stress_check_stats(&st, seen[i].callbacks);
		/* the forged seq is 2^30 ahead: accounting it would show as loss */
		if (st.lost_exact)
			CHECK(st.lost <= st.kernel_drops, "%s: lost %" PRIu64 " > kernel_drops %"
			      PRIu64 ": a forged seq was accounted?", seen[i].name, st.lost,
			      st.kernel_drops);
		h[i] = proccn_close(h[i]);
	}
	close(snd);
	close(raw);
	return stress_finish(TEST);
}
