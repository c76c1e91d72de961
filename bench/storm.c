/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proccn-storm - live exit-storm benchmark (issue 6 section 3).
 *
 * A generator (this process) forks N children that block on a pipe, starts
 * one consumer process, waits until the consumer says it is subscribed, then
 * closes the pipe: all N children exit at once (even i: exit 0, odd i:
 * exit 1) and the generator reaps them. The consumer counts the exits of the
 * generator's children it is told about, and measures itself over the storm
 * window (from just before its "ready" byte to the moment it has seen all N
 * exits, or has drained its socket after the generator said "all reaped"):
 *
 *   CPU      getrusage(RUSAGE_SELF) user+sys delta over the window
 *   on-CPU   a perf_event_open() task-clock counter on the consumer itself,
 *            over the window: the time it actually ran, measured at its
 *            context switches. getrusage charges a woken task from its
 *            wake-up on, so it also counts what happens before the task runs
 *            (on this VM: the exit from a halted CPU; see proccn-wakeup).
 *   syscalls a perf_event_open() counter on the tracepoint
 *            raw_syscalls:sys_enter, attached by the consumer to itself
 *            (pid 0, this thread) and enabled only during the window; the
 *            two syscalls of the window's own bookkeeping (the "ready"
 *            write(2) and the disabling ioctl(2)) are subtracted. An enabled
 *            tracepoint adds cost to every syscall, so by default the
 *            counted trials are separate runs and CPU comes from uncounted
 *            ones (--syscalls=separate).
 *   span     CLOCK_MONOTONIC from the first to the last child exit seen
 *   heap     mallinfo2() bytes in use, end of window minus start of window
 *
 * Consumers alternate: in round r the order of the consumers is rotated by
 * r, and each runs in its own process with only the generator and its
 * children besides it. The table shows the median of each metric over the
 * rounds.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <linux/perf_event.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "idle.h"
#include "median.h"
#include "pin.h"
#include "taskclock.h"
#include "proccn.h"

#define DEFAULT_CHILDREN 8192
#define DEFAULT_ROUNDS   5
#define MAX_ROUNDS       50
#define NAIVE_RCVBUF     (4 * 1024 * 1024)  /* the library's default (PCN_DEFAULT_RCVBUF) */
#define PIDFD_BATCH      64                 /* epoll_wait maxevents: the library's batch */
#define READY_TIMEOUT_MS 15000
#define RESULT_TIMEOUT_MS 30000
#define REAP_TIMEOUT_MS  60000
#define WINDOW_OVERHEAD_SYSCALLS 2          /* the ready write(2) + the disabling ioctl(2) */

enum consumer {
	C_A, C_B, C_C, C_D, C_E, C_F, C_G, C_NUM
};

static const char *const consumer_name[C_NUM] = {
	"(a) libproccn EXIT, kernel filter",
	"(b) libproccn ALL, defaults",
	"(c) libproccn ALL, latency 1000us",
	"(d) libproccn EXIT, forced legacy",
	"(e) naive poll+recv per event",
	"(f) pidfd + epoll",
	"(g) libproccn EXIT, latency 1000us",
};

/* What a consumer sends back through its result pipe (< PIPE_BUF: one write). */
struct result {
	int ok;
	int timed_out;
	int mode;                 /* PROCCN_MODE_* or 0 */
	int rcvbuf;               /* effective SO_RCVBUF, or 0 */
	uint64_t seen;            /* distinct child exits received */
	uint64_t dup;             /* child exits received twice */
	uint64_t zero, nonzero;   /* exit codes of those (not for pidfd) */
	uint64_t events;          /* every event received in the window */
	uint64_t loss_reports;    /* on_loss calls (library) or ENOBUFS (naive) */
	uint64_t loss_count;      /* sum of the counts in those reports */
	uint64_t lib_lost, lib_overruns, lib_kernel_drops, lib_filtered, lib_datagrams;
	int64_t syscalls;         /* in the window, bookkeeping subtracted; -1: not counted */
	uint64_t user_ns, sys_ns; /* CPU in the window */
	int64_t oncpu_ns;         /* task-clock in the window; -1: not measured */
	uint64_t vcsw, ivcsw;     /* voluntary (sleeps) and involuntary context switches */
	uint64_t setup_ns;        /* CPU from process start to the window */
	int64_t span_ns;          /* first to last child exit seen */
	int64_t heap_delta;       /* mallinfo2 uordblks: end - start of window */
	char err[160];
};

/* A finished trial, as the generator saw it. */
struct trial {
	int done;
	struct result r;
	uint64_t total_cpu_ns;    /* the consumer's whole life, from wait4(2) */
	int64_t reap_ns;          /* release to last child reaped */
};

struct consumer_ctx {
	enum consumer kind;
	const pid_t *pids;
	unsigned int n;
	int ready_fd, ctl_fd, res_fd;
	int count_syscalls;
	int timeout_ms;
};

/* Consumer-side state: a table indexed by pid; 1 = a child to expect, 2 = seen. */
struct cstate {
	uint8_t *tab;
	uint32_t pid_max;
	uint64_t seen, dup, zero, nonzero, events, loss_reports, loss_count;
	int64_t first_ns, last_ns;
};

static const char *g_argv0 = "proccn-storm";
/* --pin: the generator and its children on CPU 0, the consumer on CPU 1 */
static int g_pin;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The time of the last new exit seen: the end of the span. */
static void note_progress(struct cstate *st, uint64_t *prev)
{
	if (st->seen != *prev) {
		st->last_ns = now_ns();
		*prev = st->seen;
	}
}

static uint64_t tv_ns(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000000u + (uint64_t)tv->tv_usec * 1000u;
}

static uint64_t rusage_cpu_ns(const struct rusage *ru)
{
	return tv_ns(&ru->ru_utime) + tv_ns(&ru->ru_stime);
}

static void set_err(struct result *res, const char *what, int err)
{
	snprintf(res->err, sizeof(res->err), "%s: %s", what, strerror(err));
}

/* ---- the syscall counter ------------------------------------------------ */

static long read_tracepoint_id(void)
{
	static const char *const paths[] = {
		"/sys/kernel/tracing/events/raw_syscalls/sys_enter/id",
		"/sys/kernel/debug/tracing/events/raw_syscalls/sys_enter/id",
	};
	unsigned int i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		FILE *f = fopen(paths[i], "re");
		long id = -1;

		if (!f)
			continue;
		if (fscanf(f, "%ld", &id) != 1)
			id = -1;
		fclose(f);
		if (id >= 0)
			return id;
	}
	return -1;
}

/* Returns a disabled counter of this thread's syscalls, or -errno. */
static int syscall_counter_open(void)
{
	struct perf_event_attr attr;
	long id = read_tracepoint_id();
	int fd;

	if (id < 0)
		return -ENOENT;
	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.size = sizeof(attr);
	attr.config = (uint64_t)id;
	attr.disabled = 1;
	fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/*
 * What an enabled counter adds to a cheap syscall (getppid), in ns: the
 * price the counted trials pay per syscall. Returns -1 when unknown.
 */
static double counter_overhead_ns(double *base_ns)
{
	int fd = syscall_counter_open(), k, i;
	double per[2] = { -1, -1 };

	if (fd < 0)
		return -1;
	for (k = 0; k < 2; k++) {
		int64_t t0, t1;

		if (k)
			ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
		t0 = now_ns();
		for (i = 0; i < 200000; i++)
			(void)syscall(SYS_getppid);
		t1 = now_ns();
		if (k)
			ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
		per[k] = (double)(t1 - t0) / 200000.0;
	}
	close(fd);
	*base_ns = per[0];
	return per[1] - per[0];
}

/* ---- the window --------------------------------------------------------- */

struct window {
	int counter_fd;
	int clock_fd;             /* task-clock, or -1 */
	struct rusage ru0;
	size_t heap0;
	int begun;
};

/* Start measuring, then tell the generator we are subscribed. */
static int window_begin(struct window *w, const struct consumer_ctx *c, struct result *res)
{
	char b = 'r';

	w->heap0 = mallinfo2().uordblks;
	getrusage(RUSAGE_SELF, &w->ru0);
	w->begun = 1;
	/* before the syscall counter, so that it does not count these ioctls */
	if (w->clock_fd >= 0) {
		ioctl(w->clock_fd, PERF_EVENT_IOC_RESET, 0);
		ioctl(w->clock_fd, PERF_EVENT_IOC_ENABLE, 0);
	}
	if (w->counter_fd >= 0) {
		ioctl(w->counter_fd, PERF_EVENT_IOC_RESET, 0);
		ioctl(w->counter_fd, PERF_EVENT_IOC_ENABLE, 0);
	}
	if (write(c->ready_fd, &b, 1) != 1) {
		set_err(res, "write ready", errno);
		return -1;
	}
	return 0;
}

static void window_end(struct window *w, struct result *res, const struct cstate *st)
{
	struct rusage ru1;
	uint64_t count = 0;

	if (w->counter_fd >= 0) {
		ioctl(w->counter_fd, PERF_EVENT_IOC_DISABLE, 0);
		if (read(w->counter_fd, &count, sizeof(count)) == (ssize_t)sizeof(count))
			res->syscalls = (int64_t)count - WINDOW_OVERHEAD_SYSCALLS;
	}
	if (w->clock_fd >= 0) {
		ioctl(w->clock_fd, PERF_EVENT_IOC_DISABLE, 0);
		if (read(w->clock_fd, &count, sizeof(count)) == (ssize_t)sizeof(count))
			res->oncpu_ns = (int64_t)count;
	}
	getrusage(RUSAGE_SELF, &ru1);
	res->user_ns = tv_ns(&ru1.ru_utime) - tv_ns(&w->ru0.ru_utime);
	res->sys_ns = tv_ns(&ru1.ru_stime) - tv_ns(&w->ru0.ru_stime);
	res->vcsw = (uint64_t)(ru1.ru_nvcsw - w->ru0.ru_nvcsw);
	res->ivcsw = (uint64_t)(ru1.ru_nivcsw - w->ru0.ru_nivcsw);
	res->heap_delta = (int64_t)mallinfo2().uordblks - (int64_t)w->heap0;
	res->seen = st->seen;
	res->dup = st->dup;
	res->zero = st->zero;
	res->nonzero = st->nonzero;
	res->events = st->events;
	res->loss_reports = st->loss_reports;
	res->loss_count = st->loss_count;
	res->span_ns = st->seen ? st->last_ns - st->first_ns : 0;
}

/* The generator writes a byte (or closes the pipe) once every child is reaped. */
static int ctl_done(int fd)
{
	char b;
	ssize_t r = read(fd, &b, 1);

	return r >= 0 || (errno != EAGAIN && errno != EINTR);
}

static void note_exit(struct cstate *st, pid_t pid, pid_t tgid, int have_code, uint32_t code)
{
	uint32_t p = (uint32_t)pid;

	if (pid != tgid || p >= st->pid_max || !st->tab[p])
		return;
	if (st->tab[p] == 2) {
		st->dup++;
		return;
	}
	st->tab[p] = 2;
	if (st->seen++ == 0)
		st->first_ns = now_ns();
	if (have_code) {
		if (code)
			st->nonzero++;
		else
			st->zero++;
	}
}

/* ---- (a)-(d): libproccn ------------------------------------------------- */

static int lib_on_exit(const struct proccn_exit *ev, void *ud)
{
	struct cstate *st = ud;

	st->events++;
	note_exit(st, ev->pid, ev->tgid, 1, ev->exit_code);
	return 0;
}

static int lib_on_event(const union proccn_event *ev, void *ud)
{
	struct cstate *st = ud;

	(void)ev;
	st->events++;
	return 0;
}

static int lib_on_loss(const struct proccn_loss *loss, void *ud)
{
	struct cstate *st = ud;

	st->loss_reports++;
	st->loss_count += loss->count;
	return 0;
}

static void run_lib(const struct consumer_ctx *c, struct cstate *st, struct window *w,
		    struct result *res)
{
	struct proccn_opts o = PROCCN_OPTS_INIT;
	struct proccn_callbacks cb;
	struct proccn_stats s;
	struct proccn *h = NULL;
	int64_t deadline;
	uint64_t prev = 0;
	int r;

	switch (c->kind) {
	case C_A:
		o.events = PROCCN_EV_EXIT;
		break;
	case C_C:
		o.max_batch_latency_us = 1000;
		break;
	case C_G:
		o.events = PROCCN_EV_EXIT;
		o.max_batch_latency_us = 1000;
		break;
	case C_D:
		o.events = PROCCN_EV_EXIT;
		o.flags = PROCCN_F_FORCE_LEGACY;
		break;
	default:
		break;
	}
	memset(&cb, 0, sizeof(cb));
	cb.sz = sizeof(cb);
	cb.on_exit = lib_on_exit;
	cb.on_event = lib_on_event;
	cb.on_loss = lib_on_loss;

	r = proccn_open(&h, &o);
	if (r < 0) {
		snprintf(res->err, sizeof(res->err), "proccn_open: %s", proccn_strerror(r));
		return;
	}
	res->mode = proccn_mode(h);
	/* events kept from negotiation (not ours: the children are still blocked) */
	(void)proccn_dispatch(h, &cb, st, 0);
	st->events = st->loss_reports = st->loss_count = 0;
	memset(&s, 0, sizeof(s));
	s.sz = sizeof(s);
	proccn_get_stats(h, &s);
	res->lib_lost = s.lost;
	res->lib_overruns = s.overruns;
	res->lib_kernel_drops = s.kernel_drops;
	res->lib_filtered = s.filtered;
	res->lib_datagrams = s.datagrams;

	if (window_begin(w, c, res) < 0)
		goto out;
	deadline = now_ns() + (int64_t)c->timeout_ms * 1000000;
	while (st->seen < c->n) {
		r = proccn_dispatch(h, &cb, st, 100);
		if (r < 0 && r != -EINTR) {
			snprintf(res->err, sizeof(res->err), "proccn_dispatch: %s", proccn_strerror(r));
			break;
		}
		note_progress(st, &prev);
		if (r == 0 && ctl_done(c->ctl_fd)) {
			while (proccn_dispatch(h, &cb, st, 0) > 0)
				;
			note_progress(st, &prev);
			break;
		}
		if (now_ns() > deadline) {
			res->timed_out = 1;
			break;
		}
	}
	window_end(w, res, st);
	if (!res->err[0])
		res->ok = 1;

	proccn_get_stats(h, &s);
	res->lib_lost = s.lost - res->lib_lost;
	res->lib_overruns = s.overruns - res->lib_overruns;
	res->lib_kernel_drops = s.kernel_drops - res->lib_kernel_drops;
	res->lib_filtered = s.filtered - res->lib_filtered;
	res->lib_datagrams = s.datagrams - res->lib_datagrams;
	res->rcvbuf = s.rcvbuf;
out:
	proccn_close(h);
}

/* ---- (e): the naive client ---------------------------------------------- */

#define NAIVE_REQ_LEN (NLMSG_HDRLEN + sizeof(struct cn_msg) + 4)

static int naive_send(int fd, uint32_t op, uint32_t nonce)
{
	uint64_t storage[(NAIVE_REQ_LEN + 7) / 8];
	uint8_t *buf = (uint8_t *)storage;
	struct nlmsghdr nlh;
	struct cn_msg cn;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	memset(storage, 0, sizeof(storage));
	memset(&nlh, 0, sizeof(nlh));
	nlh.nlmsg_len = (uint32_t)NAIVE_REQ_LEN;
	nlh.nlmsg_type = NLMSG_DONE;
	memset(&cn, 0, sizeof(cn));
	cn.id.idx = CN_IDX_PROC;
	cn.id.val = CN_VAL_PROC;
	cn.ack = nonce;
	cn.len = 4;
	memcpy(buf, &nlh, sizeof(nlh));
	memcpy(buf + NLMSG_HDRLEN, &cn, sizeof(cn));
	memcpy(buf + NLMSG_HDRLEN + sizeof(cn), &op, sizeof(op));
	if (sendto(fd, buf, NAIVE_REQ_LEN, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	return 0;
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* byte offsets in a datagram: see docs (nlmsghdr 16 + cn_msg 20 + proc_event) */
#define D_ACK   28
#define D_WHAT  36
#define D_PID   52
#define D_TGID  56
#define D_CODE  60
#define D_LEN   76

static void naive_handle(struct cstate *st, const uint8_t *buf, ssize_t len)
{
	uint32_t what;

	if (len < D_LEN)
		return;
	what = get32(buf + D_WHAT);
	if (what == 0)
		return;
	st->events++;
	if (what == PROCCN_EV_EXIT)
		note_exit(st, (pid_t)get32(buf + D_PID), (pid_t)get32(buf + D_TGID), 1,
			  get32(buf + D_CODE));
}

static void run_naive(const struct consumer_ctx *c, struct cstate *st, struct window *w,
		      struct result *res)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC };
	uint64_t bufst[8192 / 8];
	uint8_t *buf = (uint8_t *)bufst;
	int rb = NAIVE_RCVBUF, fd, listening = 0, acked = 0;
	socklen_t rl = sizeof(rb);
	uint32_t nonce = (uint32_t)now_ns() ^ (uint32_t)getpid() * 2654435761u;
	int64_t deadline;
	uint64_t prev = 0;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
	if (fd < 0) {
		set_err(res, "socket", errno);
		return;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rb, sizeof(rb)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rb, sizeof(rb));
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rb, &rl) == 0)
		res->rcvbuf = rb;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		set_err(res, "bind", errno);
		goto out;
	}
	if (naive_send(fd, 1 /* LISTEN */, nonce) < 0) {
		set_err(res, "send LISTEN", errno);
		goto out;
	}
	listening = 1;
	/* the ACK (a mask-ALL subscriber gets it), within one second */
	deadline = now_ns() + 1000000000;
	while (!acked && now_ns() < deadline) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t len;

		if (poll(&p, 1, 100) <= 0)
			continue;
		len = recv(fd, buf, sizeof(bufst), MSG_DONTWAIT);
		if (len >= D_LEN && get32(buf + D_WHAT) == 0 && get32(buf + D_ACK) == nonce + 1)
			acked = 1;
	}
	if (!acked) {
		snprintf(res->err, sizeof(res->err), "no ACK to the legacy LISTEN");
		goto out;
	}
	/* drop what queued meanwhile */
	while (recv(fd, buf, sizeof(bufst), MSG_DONTWAIT) > 0)
		;
	res->mode = PROCCN_MODE_LEGACY;

	if (window_begin(w, c, res) < 0)
		goto out;
	deadline = now_ns() + (int64_t)c->timeout_ms * 1000000;
	/* as the kernel's sample client: one poll(2) and one recv(2) per event */
	while (st->seen < c->n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int pr = poll(&p, 1, 100);
		ssize_t len;

		if (pr < 0 && errno != EINTR) {
			set_err(res, "poll", errno);
			break;
		}
		if (pr == 0) {
			if (ctl_done(c->ctl_fd)) {
				for (;;) {
					len = recv(fd, buf, sizeof(bufst), MSG_DONTWAIT);
					if (len < 0 && errno == ENOBUFS) {
						st->loss_reports++;
						continue;
					}
					if (len < 0)
						break;
					naive_handle(st, buf, len);
				}
				note_progress(st, &prev);
				break;
			}
		} else if (pr > 0) {
			len = recv(fd, buf, sizeof(bufst), 0);
			if (len < 0) {
				if (errno == ENOBUFS)
					st->loss_reports++;
				else if (errno != EINTR && errno != EAGAIN) {
					set_err(res, "recv", errno);
					break;
				}
			} else {
				naive_handle(st, buf, len);
				note_progress(st, &prev);
			}
		}
		if (now_ns() > deadline) {
			res->timed_out = 1;
			break;
		}
	}
	window_end(w, res, st);
	if (!res->err[0])
		res->ok = 1;
out:
	if (listening)
		(void)naive_send(fd, 2 /* IGNORE, once */, nonce + 2);
	close(fd);
}

/* ---- (f): pidfd + epoll ------------------------------------------------- */

static void run_pidfd(const struct consumer_ctx *c, struct cstate *st, struct window *w,
		      struct result *res)
{
	struct epoll_event evs[PIDFD_BATCH];
	struct rlimit rl;
	int *fds, ep;
	unsigned int i;
	int64_t deadline;
	uint64_t prev = 0;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)c->n + 64) {
		rl.rlim_cur = (rlim_t)c->n + 64;
		if (rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
			set_err(res, "setrlimit NOFILE", errno);
			return;
		}
	}
	fds = calloc(c->n, sizeof(*fds));
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (!fds || ep < 0) {
		set_err(res, "epoll_create1/calloc", errno);
		free(fds);
		if (ep >= 0)
			close(ep);
		return;
	}
	for (i = 0; i < c->n; i++)
		fds[i] = -1;
	/* every pidfd before the children are released */
	for (i = 0; i < c->n; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };

		fds[i] = (int)syscall(SYS_pidfd_open, c->pids[i], 0);
		if (fds[i] < 0) {
			set_err(res, "pidfd_open", errno);
			goto out;
		}
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) < 0) {
			set_err(res, "epoll_ctl", errno);
			goto out;
		}
	}

	if (window_begin(w, c, res) < 0)
		goto out;
	deadline = now_ns() + (int64_t)c->timeout_ms * 1000000;
	while (st->seen < c->n) {
		int k = epoll_wait(ep, evs, PIDFD_BATCH, 100), j;

		if (k < 0 && errno != EINTR) {
			set_err(res, "epoll_wait", errno);
			break;
		}
		for (j = 0; j < k; j++) {
			unsigned int idx = evs[j].data.u32;

			/* a non-parent cannot read the exit code before the reap: pid only */
			st->events++;
			note_exit(st, c->pids[idx], c->pids[idx], 0, 0);
			close(fds[idx]);    /* also removes it from the epoll set */
			fds[idx] = -1;
		}
		note_progress(st, &prev);
		if (k == 0 && ctl_done(c->ctl_fd))
			break;
		if (now_ns() > deadline) {
			res->timed_out = 1;
			break;
		}
	}
	window_end(w, res, st);
	if (!res->err[0])
		res->ok = 1;
out:
	for (i = 0; i < c->n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	close(ep);
}

/* ---- consumer process --------------------------------------------------- */

static void consumer_main(const struct consumer_ctx *c)
{
	struct result res;
	struct cstate st;
	struct window w;
	struct rusage ru0, ru1;
	unsigned int i;
	ssize_t wr;

	getrusage(RUSAGE_SELF, &ru0);
	memset(&res, 0, sizeof(res));
	memset(&st, 0, sizeof(st));
	memset(&w, 0, sizeof(w));
	res.syscalls = -1;
	res.oncpu_ns = -1;
	w.counter_fd = -1;
	w.clock_fd = task_clock_open(0);
	st.pid_max = read_pid_max();
	st.tab = calloc(st.pid_max, 1);
	if (!st.tab) {
		set_err(&res, "calloc", ENOMEM);
		goto send;
	}
	for (i = 0; i < c->n; i++)
		if ((uint32_t)c->pids[i] < st.pid_max)
			st.tab[c->pids[i]] = 1;
	if (c->count_syscalls) {
		w.counter_fd = syscall_counter_open();
		if (w.counter_fd < 0) {
			set_err(&res, "perf_event_open raw_syscalls:sys_enter", -w.counter_fd);
			goto send;
		}
	}
	getrusage(RUSAGE_SELF, &ru1);
	res.setup_ns = rusage_cpu_ns(&ru1) - rusage_cpu_ns(&ru0);

	switch (c->kind) {
	case C_E:
		run_naive(c, &st, &w, &res);
		break;
	case C_F:
		run_pidfd(c, &st, &w, &res);
		break;
	default:
		run_lib(c, &st, &w, &res);
		break;
	}
	/* setup: up to the window (includes subscribing, pidfd_open...) */
	if (w.begun)
		res.setup_ns = rusage_cpu_ns(&w.ru0) - rusage_cpu_ns(&ru0);
send:
	if (res.err[0])
		res.ok = 0;
	wr = write(c->res_fd, &res, sizeof(res));
	(void)wr;
	if (w.counter_fd >= 0)
		close(w.counter_fd);
	if (w.clock_fd >= 0)
		close(w.clock_fd);

	free(st.tab);
	_exit(0);
}

/* ---- generator ---------------------------------------------------------- */

/* Read one byte within @timeout_ms. Returns 1, 0 on timeout/EOF, -1 on error. */
static int read_byte(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char b;
	int r;

	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return r;
	return read(fd, &b, 1) == 1;
}

static int read_all(int fd, void *buf, size_t len, int timeout_ms)
{
	int64_t deadline = now_ns() + (int64_t)timeout_ms * 1000000;
	size_t got = 0;

	while (got < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left = (deadline - now_ns()) / 1000000;
		ssize_t r;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return -1;
		r = read(fd, (char *)buf + got, len - got);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/*
 * Reap every child of this process that is in @pids, and @consumer when it
 * has exited, within @timeout_ms. Unknown children are reaped too.
 */
static int reap_children(unsigned int n, int timeout_ms, pid_t consumer, int *consumer_reaped,
			 struct rusage *consumer_ru)
{
	int64_t deadline = now_ns() + (int64_t)timeout_ms * 1000000;
	unsigned int reaped = 0;

	while (reaped < n) {
		struct rusage ru;
		int st;
		pid_t p = wait4(-1, &st, WNOHANG, &ru);

		if (p > 0) {
			if (p == consumer) {
				*consumer_reaped = 1;
				*consumer_ru = ru;
			} else {
				reaped++;
			}
			continue;
		}
		if (p < 0 && errno != EINTR)
			return -1;
		if (now_ns() > deadline)
			return -1;
		if (p == 0) {
			struct timespec ts = { 0, 200000 };

			nanosleep(&ts, NULL);
		}
	}
	return 0;
}

/* Wait at most @timeout_ms for @pid; SIGKILL it then, and wait 5 s more. */
static int reap_one(pid_t pid, int timeout_ms, struct rusage *ru)
{
	int64_t deadline = now_ns() + (int64_t)timeout_ms * 1000000;
	int st, killed = 0;

	for (;;) {
		pid_t p = wait4(pid, &st, WNOHANG, ru);
		struct timespec ts = { 0, 1000000 };

		if (p == pid)
			return killed ? -1 : 0;
		if (p < 0 && errno != EINTR)
			return -1;
		if (now_ns() > deadline) {
			if (killed)
				return -1;
			kill(pid, SIGKILL);
			killed = 1;
			deadline = now_ns() + 5000000000;
		}
		nanosleep(&ts, NULL);
	}
}

static void close_pair(int p[2])
{
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	p[0] = p[1] = -1;
}

static int run_trial(enum consumer kind, pid_t *pids, unsigned int n, int count_syscalls,
		     int timeout_ms, struct trial *t)
{
	int rel[2] = { -1, -1 }, ready[2] = { -1, -1 }, ctl[2] = { -1, -1 }, res[2] = { -1, -1 };
	struct rusage cru;
	int consumer_reaped = 0, ok = 0;
	unsigned int i, forked = 0;
	pid_t cpid = -1;
	int64_t t_rel;

	memset(t, 0, sizeof(*t));
	memset(&cru, 0, sizeof(cru));
	if (pipe2(rel, O_CLOEXEC) < 0) {
		perror("pipe2");
		return -1;
	}
	for (i = 0; i < n; i++) {
		pid_t p = fork();

		if (p < 0) {
			perror("fork");
			break;
		}
		if (p == 0) {
			char b;

			close(rel[1]);
			/* blocks until the generator closes the write end (or dies) */
			while (read(rel[0], &b, 1) < 0 && errno == EINTR)
				;
			_exit((int)(i & 1));
		}
		pids[i] = p;
		forked++;
	}
	close(rel[0]);
	rel[0] = -1;
	if (forked < n)
		goto release;

	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(ctl, O_CLOEXEC) < 0 ||
	    pipe2(res, O_CLOEXEC) < 0) {
		perror("pipe2");
		goto release;
	}
	cpid = fork();
	if (cpid < 0) {
		perror("fork");
		goto release;
	}
	if (cpid == 0) {
		struct consumer_ctx c = {
			.kind = kind, .pids = pids, .n = n, .ready_fd = ready[1],
			.ctl_fd = ctl[0], .res_fd = res[1], .count_syscalls = count_syscalls,
			.timeout_ms = timeout_ms,
		};

		if (g_pin && pin_to_cpu(1) < 0) {
			perror("sched_setaffinity");
			_exit(1);
		}
		/* the children must see EOF when the generator closes its end */
		close(rel[1]);
		close(ready[0]);
		close(ctl[1]);
		close(res[0]);
		fcntl(ctl[0], F_SETFL, O_NONBLOCK);
		consumer_main(&c);
	}
	close(ready[1]);
	ready[1] = -1;
	close(ctl[0]);
	ctl[0] = -1;
	close(res[1]);
	res[1] = -1;
	if (read_byte(ready[0], READY_TIMEOUT_MS) != 1) {
		fprintf(stderr, "%s: %s: consumer not ready\n", g_argv0, consumer_name[kind]);
		kill(cpid, SIGKILL);
		goto release;
	}
	ok = 1;

release:
	t_rel = now_ns();
	close(rel[1]);    /* the storm */
	rel[1] = -1;
	if (reap_children(forked, REAP_TIMEOUT_MS, cpid, &consumer_reaped, &cru) < 0) {
		fprintf(stderr, "%s: children not reaped in time\n", g_argv0);
		ok = 0;
	}
	t->reap_ns = now_ns() - t_rel;
	if (cpid > 0) {
		char b = 'd';

		/* EPIPE when the consumer has already finished: fine (SIGPIPE ignored) */
		if (ctl[1] >= 0) {
			ssize_t w = write(ctl[1], &b, 1);

			(void)w;
		}
		if (ok && read_all(res[0], &t->r, sizeof(t->r), RESULT_TIMEOUT_MS) < 0) {
			fprintf(stderr, "%s: %s: no result\n", g_argv0, consumer_name[kind]);
			ok = 0;
		}
		if (!consumer_reaped && reap_one(cpid, RESULT_TIMEOUT_MS, &cru) < 0)
			ok = 0;
		t->total_cpu_ns = rusage_cpu_ns(&cru);
	}
	close_pair(ready);
	close_pair(ctl);
	close_pair(res);
	if (ok && !t->r.ok)
		fprintf(stderr, "%s: %s: %s\n", g_argv0, consumer_name[kind],
			t->r.err[0] ? t->r.err : "failed");
	t->done = ok && t->r.ok;
	return t->done ? 0 : -1;
}

/* ---- statistics and report ---------------------------------------------- */

enum metric {
	M_SEEN, M_LOST, M_EVENTS, M_SYSC_EV, M_CPU_EV, M_TOTAL_EV,
	M_SPAN_MS, M_SETUP_MS, M_HEAP, M_REAP_MS, M_LOSSREP, M_VCSW, M_IVCSW, M_ONCPU_EV, M_NUM
};

static double metric(const struct trial *t, enum metric m, unsigned int n)
{
	const struct result *r = &t->r;
	double seen = r->seen ? (double)r->seen : 1;

	switch (m) {
	case M_SEEN:
		return (double)r->seen;
	case M_LOST:
		return (double)(n - r->seen);
	case M_EVENTS:
		return (double)r->events;
	case M_SYSC_EV:
		return r->syscalls < 0 ? -1 : (double)r->syscalls / seen;
	case M_CPU_EV:
		return (double)(r->user_ns + r->sys_ns) / seen;
	case M_TOTAL_EV:
		return (double)t->total_cpu_ns / seen;
	case M_SPAN_MS:
		return (double)r->span_ns / 1e6;
	case M_SETUP_MS:
		return (double)r->setup_ns / 1e6;
	case M_HEAP:
		return (double)r->heap_delta;
	case M_REAP_MS:
		return (double)t->reap_ns / 1e6;
	case M_VCSW:
		return (double)r->vcsw / seen;
	case M_IVCSW:
		return (double)r->ivcsw / seen;
	case M_ONCPU_EV:
		return r->oncpu_ns < 0 ? -1 : (double)r->oncpu_ns / seen;
	case M_LOSSREP:
		return (double)(r->loss_reports + r->lib_lost + r->lib_overruns);
	default:
		return -1;
	}
}

struct summary {
	unsigned int ok;
	double med[M_NUM];
	double max_lost, max_lossrep;
	int mode, rcvbuf;
};

static void summarise(const struct trial *ts, unsigned int rounds, unsigned int n,
		      struct summary *s)
{
	double v[MAX_ROUNDS];
	unsigned int m, i;

	memset(s, 0, sizeof(*s));
	for (m = 0; m < M_NUM; m++) {
		unsigned int k = 0;

		for (i = 0; i < rounds; i++)
			if (ts[i].done)
				v[k++] = metric(&ts[i], (enum metric)m, n);
		s->med[m] = median(v, k);
		s->ok = k;
	}
	for (i = 0; i < rounds; i++) {
		if (!ts[i].done)
			continue;
		if (metric(&ts[i], M_LOST, n) > s->max_lost)
			s->max_lost = metric(&ts[i], M_LOST, n);
		if (metric(&ts[i], M_LOSSREP, n) > s->max_lossrep)
			s->max_lossrep = metric(&ts[i], M_LOSSREP, n);
		s->mode = ts[i].r.mode;
		s->rcvbuf = ts[i].r.rcvbuf;
	}
}

/*
 * Least squares, y = *a + *b * x over the finished rounds, with x and y two
 * metrics. Returns -1 when there are fewer than 3 rounds or x hardly varies.
 */
static int fit_line(const struct trial *ts, unsigned int rounds, unsigned int n, enum metric mx,
		    enum metric my, double *a, double *b)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, lo = 1e300, hi = -1e300, k = 0, d;
	unsigned int r;

	for (r = 0; r < rounds; r++) {
		double x, y;

		if (!ts[r].done || metric(&ts[r], my, n) < 0)
			continue;
		x = metric(&ts[r], mx, n);
		y = metric(&ts[r], my, n);
		sx += x, sy += y, sxx += x * x, sxy += x * y, k++;
		lo = x < lo ? x : lo;
		hi = x > hi ? x : hi;
	}
	d = k * sxx - sx * sx;
	if (k < 3 || hi - lo < 0.05 || d <= 0)
		return -1;
	*b = (k * sxy - sx * sy) / d;
	*a = (sy - *b * sx) / k;
	return 0;
}

/* Each round's CPU per event and sleeps per event: the medians hide how far they move. */
static void print_rounds(const struct trial ts[][MAX_ROUNDS], const enum consumer *order,
			 unsigned int norder, unsigned int rounds, unsigned int n)
{
	unsigned int j, r;

	printf("\nper round (round 1 first): CPU ns/ev, on-CPU ns/ev (slp/ev)\n");
	for (j = 0; j < norder; j++) {
		printf("  %-35s", consumer_name[order[j]]);
		for (r = 0; r < rounds; r++) {
			const struct trial *t = &ts[order[j]][r];

			if (t->done)
				printf(" %6.0f,%5.0f (%.3f)", metric(t, M_CPU_EV, n),
				       metric(t, M_ONCPU_EV, n), metric(t, M_VCSW, n));
			else
				printf(" %20s", "failed");
		}
		printf("\n");
	}	printf("\nfit over the rounds: on-CPU ns/ev = A + B x slp/ev; A: per event when it does "
	       "not sleep, B: per sleep\n");
	for (j = 0; j < norder; j++) {
		double fa, fb;

		printf("  %-35s", consumer_name[order[j]]);
		if (fit_line(ts[order[j]], rounds, n, M_VCSW, M_ONCPU_EV, &fa, &fb) == 0)
			printf(" A %6.0f ns, B %6.0f ns\n", fa, fb);
		else
			printf(" n/a (needs 3 rounds whose slp/ev spread over 0.05 or more)\n");
	}
}

static void print_machine(void)
{
	struct utsname u;
	char line[256], model[128] = "unknown";
	FILE *f = fopen("/proc/cpuinfo", "re");
	double load[3] = { -1, -1, -1 };

	if (f) {
		while (fgets(line, sizeof(line), f)) {
			char *p = strchr(line, ':');

			if (!strncmp(line, "model name", 10) && p) {
				snprintf(model, sizeof(model), "%s", p + 2);
				model[strcspn(model, "\n")] = '\0';
				break;
			}
		}
		fclose(f);
	}
	uname(&u);
	getloadavg(load, 3);
	printf("machine: nproc=%ld, kernel %s, CPU \"%s\", load average %.2f %.2f %.2f\n",
	       sysconf(_SC_NPROCESSORS_ONLN), u.release, model, load[0], load[1], load[2]);
}

static const char *verdict(int pass)
{
	return pass ? "PASS" : "FAIL";
}

/*
 * A CPU target, x/y <= @limit (or >= @limit when @at_least), judged on the
 * median getrusage CPU per event and on the median on-CPU time per event.
 */
static void print_cpu_target(const char *what, const struct summary *x, const struct summary *y,
			     double limit, int at_least)
{
	double r = x->med[M_CPU_EV] / y->med[M_CPU_EV];

	printf("  %s = %.3f (getrusage)  %s", what, r, verdict(at_least ? r >= limit : r <= limit));
	if (x->med[M_ONCPU_EV] > 0 && y->med[M_ONCPU_EV] > 0) {
		r = x->med[M_ONCPU_EV] / y->med[M_ONCPU_EV];
		printf("; %.3f (on-CPU)  %s", r, verdict(at_least ? r >= limit : r <= limit));
	}
	printf("\n");
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s [--children N] [--rounds R] [--consumers abcdefg]\n"
		"          [--syscalls separate|same|off] [--timeout-s S] [--pin 0|1]\n"
		"          [--idle-poll 0|1]\n"
		"Live exit-storm benchmark (needs root). Defaults: N=%d, R=%d, all consumers,\n"
		"syscalls counted in separate trials.\n"
		"--pin 1: generator and children on CPU 0, consumer on CPU 1.\n"
		"--idle-poll 1: idle CPUs poll instead of halting during the run (PM QoS CPU\n"
		"latency 0), so that no consumer pays for waking a halted CPU.\n",
		g_argv0, DEFAULT_CHILDREN, DEFAULT_ROUNDS);
}

int main(int argc, char **argv)
{
	static struct trial clean[C_NUM][MAX_ROUNDS], counted[C_NUM][MAX_ROUNDS];
	struct summary sum[C_NUM], csum[C_NUM];
	unsigned int n = DEFAULT_CHILDREN, rounds = DEFAULT_ROUNDS, r, j, k;
	const char *which = "abcdefg", *sysmode = "separate";
	enum consumer order[C_NUM];
	unsigned int norder = 0;
	int timeout_s = 60, i, failures = 0, have_e, idle_poll = 0, qos = -1;
	pid_t *pids;
	int64_t t0;

	g_argv0 = argv[0];
	/* options come in pairs: name, value */
	for (i = 1; i < argc; i += 2) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		}
		if (!v) {
			usage(stderr);
			return 2;
		}
		if (!strcmp(a, "--children"))
			n = (unsigned int)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--rounds"))
			rounds = (unsigned int)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--consumers"))
			which = v;
		else if (!strcmp(a, "--syscalls"))
			sysmode = v;
		else if (!strcmp(a, "--timeout-s"))
			timeout_s = atoi(v);
		else if (!strcmp(a, "--pin"))
			g_pin = atoi(v);
		else if (!strcmp(a, "--idle-poll"))
			idle_poll = atoi(v);
		else {
			usage(stderr);
			return 2;
		}
	}
	if (n < 2 || n > 65536 || rounds < 1 || rounds > MAX_ROUNDS || timeout_s < 1 ||
	    timeout_s > 3600 || (strcmp(sysmode, "separate") && strcmp(sysmode, "same") &&
				 strcmp(sysmode, "off"))) {
		usage(stderr);
		return 2;
	}
	for (k = 0; k < C_NUM; k++)
		if (strchr(which, (int)('a' + k)))
			order[norder++] = (enum consumer)k;
	if (norder == 0) {
		usage(stderr);
		return 2;
	}
	if (geteuid() != 0) {
		printf("SKIP: the storm needs root (proc connector, SO_RCVBUFFORCE, perf counters)\n");
		return 77;
	}
	if (g_pin && (sysconf(_SC_NPROCESSORS_ONLN) < 2 || pin_to_cpu(0) < 0)) {
		printf("SKIP: --pin needs CPUs 0 and 1\n");
		return 77;
	}
	if (idle_poll) {
		qos = hold_idle_poll();
		if (qos < 0) {
			printf("SKIP: --idle-poll: /dev/cpu_dma_latency: %s\n", strerror(-qos));
			return 77;
		}
	}
	pids = calloc(n, sizeof(*pids));
	if (!pids)
		return 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);

	printf("proccn storm benchmark: N=%u children released at once (even: exit 0, odd: exit 1), "
	       "%u round(s), consumers %s, syscall counting: %s\n", n, rounds, which, sysmode);
	print_machine();
	printf("idle CPUs: %s\n", qos >= 0 ? "poll (--idle-poll 1: PM QoS CPU latency 0 held)"
					  : "the machine's default (may halt)");
	t0 = now_ns();
	for (r = 0; r < rounds; r++) {
		for (j = 0; j < norder; j++) {
			enum consumer kind = order[(j + r) % norder];
			int cs = !strcmp(sysmode, "same");

			if (run_trial(kind, pids, n, cs, timeout_s * 1000, &clean[kind][r]) < 0)
				failures++;
			if (!strcmp(sysmode, "separate") &&
			    run_trial(kind, pids, n, 1, timeout_s * 1000, &counted[kind][r]) < 0)
				failures++;
		}
		fprintf(stderr, "%s: round %u/%u done (%.1f s)\n", g_argv0, r + 1, rounds,
			(double)(now_ns() - t0) / 1e9);
	}
	for (k = 0; k < C_NUM; k++) {
		summarise(clean[k], rounds, n, &sum[k]);
		summarise(counted[k], rounds, n, &csum[k]);
		if (!strcmp(sysmode, "separate"))
			sum[k].med[M_SYSC_EV] = csum[k].ok ? csum[k].med[M_SYSC_EV] : -1;
	}

	printf("\nmethod: CPU = getrusage(RUSAGE_SELF) user+sys of the consumer over its storm window "
	       "(ready .. all N exits seen, or drained after the generator reaped all);\n"
	       "        on-CPU = perf task-clock of the consumer over the same window: the time it "
	       "actually ran (getrusage also charges it time after a wake-up, before it runs);\n"
	       "        syscalls = perf_event_open tracepoint raw_syscalls:sys_enter on the consumer "
	       "itself, window only, minus %d for the window's own write+ioctl%s;\n"
	       "        per event = per child exit received; span = first to last child exit seen "
	       "(CLOCK_MONOTONIC); heap = mallinfo2 in-use delta over the window;\n"
	       "        total = whole consumer process from wait4(2) rusage, incl. setup; "
	       "medians over rounds; ratios are to (e).\n",
	       WINDOW_OVERHEAD_SYSCALLS,
	       !strcmp(sysmode, "separate") ? " (counted in separate trials, no CPU taken from them)"
					     : "");
	{
		double base = -1, over = counter_overhead_ns(&base);

		if (over > -1)
			printf("        the enabled counter adds %.0f ns to a %.0f ns getppid(2) here "
			       "(200000 calls each way)\n", over, base);
	}
	printf("(e) uses SO_RCVBUFFORCE %d bytes, as the library's default; (f) epoll_wait "
	       "maxevents %d, close(2) per exit, no exit code.\n\n", NAIVE_RCVBUF, PIDFD_BATCH);

	have_e = sum[C_E].ok > 0;
	printf("%-35s %5s %6s %5s %7s %6s %8s %6s %6s %9s %6s %8s %8s %6s %7s\n",
	       "consumer", "ok", "recv", "lost", "sysc/ev", "x(e)", "CPU ns/ev", "x(e)",
	       "slp/ev", "oncpu/ev", "x(e)", "total/ev", "span ms", "setupms", "heap B");
	for (j = 0; j < norder; j++) {
		const struct summary *s = &sum[order[j]];
		const double *m = s->med;
		char sc[16] = "n/a", scr[16] = "-", cr[16] = "-", oc[16] = "n/a", ocr[16] = "-";

		if (!s->ok) {
			printf("%-35s %2u/%-2u  (no successful trial)\n", consumer_name[order[j]], 0,
			       rounds);
			continue;
		}
		if (m[M_SYSC_EV] >= 0)
			snprintf(sc, sizeof(sc), "%.3f", m[M_SYSC_EV]);
		if (have_e && m[M_SYSC_EV] >= 0 && sum[C_E].med[M_SYSC_EV] > 0)
			snprintf(scr, sizeof(scr), "%.3f", m[M_SYSC_EV] / sum[C_E].med[M_SYSC_EV]);
		if (have_e && sum[C_E].med[M_CPU_EV] > 0)
			snprintf(cr, sizeof(cr), "%.3f", m[M_CPU_EV] / sum[C_E].med[M_CPU_EV]);
		if (m[M_ONCPU_EV] >= 0)
			snprintf(oc, sizeof(oc), "%.0f", m[M_ONCPU_EV]);
		if (have_e && m[M_ONCPU_EV] >= 0 && sum[C_E].med[M_ONCPU_EV] > 0)
			snprintf(ocr, sizeof(ocr), "%.3f", m[M_ONCPU_EV] / sum[C_E].med[M_ONCPU_EV]);
		printf("%-35s %2u/%-2u %6.0f %5.0f %7s %6s %8.0f %6s %6.3f %9s %6s %8.0f %8.1f %6.1f %7.0f\n",
		       consumer_name[order[j]], s->ok, rounds, m[M_SEEN], m[M_LOST], sc, scr,
		       m[M_CPU_EV], cr, m[M_VCSW], oc, ocr, m[M_TOTAL_EV],
		       m[M_SPAN_MS], m[M_SETUP_MS], m[M_HEAP]);
	}
	printf("\nper consumer, worst round: lost (N - exits seen), loss reports "
	       "(on_loss/ENOBUFS + lib seq gaps + overruns); also: events in window, mode, rcvbuf\n");
	for (j = 0; j < norder; j++) {
		const struct summary *s = &sum[order[j]];

		if (!s->ok)
			continue;
		printf("  %-35s max lost %.0f, max loss reports %.0f, median events %.0f, "
		       "mode %d, rcvbuf %d, generator reap %.1f ms, context switches per event: "
		       "%.3f voluntary (sleeps), %.3f involuntary\n",
		       consumer_name[order[j]], s->max_lost, s->max_lossrep, s->med[M_EVENTS],
		       s->mode, s->rcvbuf, s->med[M_REAP_MS], s->med[M_VCSW], s->med[M_IVCSW]);
	}
	print_rounds(clean, order, norder, rounds, n);
	if (!strcmp(sysmode, "separate")) {
		printf("\ncounted trials (syscall counter attached): median CPU ns/ev, syscalls/ev\n");
		for (j = 0; j < norder; j++) {
			const struct summary *s = &csum[order[j]];

			if (s->ok)
				printf("  %-35s %8.0f %8.3f\n", consumer_name[order[j]],
				       s->med[M_CPU_EV], s->med[M_SYSC_EV]);
		}
	}

	printf("\ntargets (issue 6):\n");
	if (sum[C_B].ok) {
		if (sum[C_B].med[M_SYSC_EV] >= 0)
			printf("  (b) syscalls/event <= 0.5: %.3f  %s\n", sum[C_B].med[M_SYSC_EV],
			       verdict(sum[C_B].med[M_SYSC_EV] <= 0.5));
		else
			printf("  (b) syscalls/event <= 0.5: not measured\n");
		printf("  (b) 0 events lost at defaults, mask ALL, N=%u (every round): max lost %.0f, "
		       "max loss reports %.0f  %s\n", n, sum[C_B].max_lost, sum[C_B].max_lossrep,
		       verdict(sum[C_B].max_lost == 0 && sum[C_B].max_lossrep == 0));
	}
	if (have_e && sum[C_B].ok)
		print_cpu_target("(b) CPU/event <= 0.9x (e): (b)/(e)", &sum[C_B], &sum[C_E], 0.9, 0);
	if (have_e && sum[C_C].ok)
		print_cpu_target("(c) CPU/event <= 0.6x (e): (c)/(e)", &sum[C_C], &sum[C_E], 0.6, 0);
	if (sum[C_A].ok && sum[C_F].ok) {
		print_cpu_target("(a) CPU/exit >= 2.5x below (f), storm window: (f)/(a)", &sum[C_F],
				 &sum[C_A], 2.5, 1);
		printf("      (getrusage, whole process incl. setup: (f)/(a) = %.2f)\n",
		       sum[C_F].med[M_TOTAL_EV] / sum[C_A].med[M_TOTAL_EV]);
	}
	if (sum[C_G].ok && sum[C_F].ok)
		printf("  not a target: (g), i.e. (a) with 1 ms coalescing: (f)/(g) = %.3f (getrusage), "
		       "%.3f (on-CPU)\n", sum[C_F].med[M_CPU_EV] / sum[C_G].med[M_CPU_EV],
		       sum[C_F].med[M_ONCPU_EV] / sum[C_G].med[M_ONCPU_EV]);
	printf("  instructions/event and heap independence: see proccn-synth and bench/callgrind.sh\n");
	{
		double load[3] = { -1, -1, -1 };

		getloadavg(load, 3);
		printf("\nfinished in %.1f s, %d failed trial(s), load average at end %.2f %.2f %.2f\n",
		       (double)(now_ns() - t0) / 1e9, failures, load[0], load[1], load[2]);
	}
	if (qos >= 0)
		close(qos);
	free(pids);
	return failures ? 1 : 0;
}
