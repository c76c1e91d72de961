/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * legacy_check - a workload-driven checker of libproccn, built to run as /init
 * (PID 1) of a tiny initramfs under a pre-6.6 kernel, and also on the host.
 *
 * For every mask in a fixed list it opens a handle, runs the same workload
 * (a fixed sequence of children, each waited for), collects the events that
 * concern the workload's processes and prints one canonical, pid-independent
 * signature line per mask. The host script compares these lines between the
 * old kernel (legacy protocol, userspace + socket filter) and the host kernel
 * (6.6+ kernel filter, and forced legacy): they must be equal.
 *
 * Inside one run every signature is also checked against an oracle: a second
 * handle with mask ALL (the "sentinel") sees every workload event, and the
 * kernel's filter rules applied to that list must give exactly what the
 * masked handle delivered.
 *
 * It also checks what only an old kernel can show: the negotiated mode, that
 * IGNORE is sent exactly once per handle (a second one would decrement the
 * kernel's global listener counter and silence every other listener), and
 * that the classic BPF socket filter keeps unwanted datagrams out of the
 * socket entirely.
 *
 * Output: "SIG", "STAT", "INFO" lines, then "VMTEST PASS name" /
 * "VMTEST FAIL name: detail" lines and "VMTEST DONE pass=N fail=M".
 *
 * Usage: legacy_check                    (as PID 1: the VM guest; expects legacy)
 *        legacy_check --host [--force-legacy] [--expect-mode legacy|kernel-filter]
 *        legacy_check --exec-child       (the exec step of the workload)
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "dgram.h"
#include "oracle.h"
#include "proccn.h"
#include "sys.h"

/* Children of one workload run, in the order they are created. */
enum step {
	STEP_EXIT0,     /* exit(0) */
	STEP_EXIT3,     /* exit(3) */
	STEP_KILL,      /* killed by SIGKILL */
	STEP_EXEC,      /* execs this program, which exits 0 */
	STEP_COMM,      /* prctl(PR_SET_NAME) */
	STEP_SID,       /* setsid() */
	STEP_IDS,       /* setresgid() + setresuid() as root */
	STEP_THREAD,    /* one thread, joined */
	STEP_PTRACE,    /* seized, interrupted and detached by the parent */
	NSTEPS
};

#define MAX_CHILDREN 16
#define MAX_EVENTS 256
#define MAX_THREADS 8
#define WAIT_MS 8000            /* per wait for events; TCG is slow, never hit when healthy */
#define TEST_UID 1234u
#define TEST_GID 1235u
#define COMM_NAME "pcn-comm"
#define NEXITS 5                /* children of the datagram workload */

struct workload {
	pid_t self;
	pid_t child[MAX_CHILDREN];
	int nchild;
};

/* Workload events as delivered, in arrival order. */
struct collector {
	const struct workload *wl;
	union proccn_event ev[MAX_EVENTS];
	unsigned int n;
	unsigned int overflow;   /* workload events beyond MAX_EVENTS */
	uint64_t all_exits;      /* every EXIT delivered, workload or not */
	uint64_t all_events;
	unsigned int losses;
};

/* What the wrapping pcn_sys saw on the handle's socket. */
struct wrap {
	const struct workload *wl;
	unsigned int listen4, listen8, ignore4, ignore8, other_req;
	uint64_t datagrams, fork_dgrams, wl_fork_dgrams;
};

struct config {
	int vm;                  /* running as PID 1 in the VM: quiet machine, strict counts */
	uint32_t flags;          /* extra PROCCN_F_* for every handle (FORCE_LEGACY) */
	int expect_mode;         /* PROCCN_MODE_*, or 0: do not check */
};

static int n_pass, n_fail;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static void pass(const char *name)
{
	n_pass++;
	say("VMTEST PASS %s\n", name);
}

static void fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	n_fail++;
	printf("VMTEST FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *mode_name(int mode)
{
	switch (mode) {
	case PROCCN_MODE_LEGACY:
		return "legacy";
	case PROCCN_MODE_KERNEL_FILTER:
		return "kernel-filter";
	default:
		return "unknown";
	}
}

/* ---------------------------------------------------------------- workload */

static int wl_index(const struct workload *wl, pid_t tgid)
{
	int i;

	if (!wl || tgid <= 0)
		return -1;
	for (i = 0; i < wl->nchild; i++)
		if (wl->child[i] == tgid)
			return i;
	return -1;
}

/* The task an event is about: the child for FORK, else pid/tgid. */
static void subject(const union proccn_event *ev, pid_t *pid, pid_t *tgid)
{
	switch (ev->hdr.kind) {
	case PROCCN_EV_FORK:
		*pid = ev->fork.child_pid;
		*tgid = ev->fork.child_tgid;
		break;
	case PROCCN_EV_EXEC:
	case PROCCN_EV_UID:
	case PROCCN_EV_GID:
	case PROCCN_EV_SID:
	case PROCCN_EV_PTRACE:
	case PROCCN_EV_COMM:
	case PROCCN_EV_COREDUMP:
	case PROCCN_EV_EXIT:
		/* pid and tgid are the first two members of all of these */
		*pid = ev->exec.pid;
		*tgid = ev->exec.tgid;
		break;
	default:
		*pid = *tgid = -1;
		break;
	}
}

static int concerns(const struct workload *wl, const union proccn_event *ev)
{
	pid_t pid, tgid;

	subject(ev, &pid, &tgid);
	return wl_index(wl, tgid) >= 0;
}

static void *thread_main(void *arg)
{
	return arg;
}

/* Child side of each step; never returns. Codes >= 100 mean "setup failed". */
static void __attribute__((noreturn)) child_step(enum step s, int rd)
{
	char c;
	pthread_t t;

	switch (s) {
	case STEP_EXIT0:
		_exit(0);
	case STEP_EXIT3:
		_exit(3);
	case STEP_KILL:
	case STEP_PTRACE:
		/* block until the parent closes the pipe (or kills us) */
		while (read(rd, &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	case STEP_EXEC:
		/* /init has no /bin/true next to it: exec ourselves instead */
		execl("/proc/self/exe", "legacy_check", "--exec-child", (char *)NULL);
		_exit(120);
	case STEP_COMM:
		_exit(prctl(PR_SET_NAME, COMM_NAME, 0, 0, 0) == 0 ? 0 : 121);
	case STEP_SID:
		_exit(setsid() >= 0 ? 0 : 122);
	case STEP_IDS:
		if (setresgid(TEST_GID, TEST_GID, TEST_GID) < 0)
			_exit(123);
		_exit(setresuid(TEST_UID, TEST_UID, TEST_UID) == 0 ? 0 : 123);
	case STEP_THREAD:
		if (pthread_create(&t, NULL, thread_main, NULL) != 0 || pthread_join(t, NULL) != 0)
			_exit(124);
		_exit(0);
	default:
		_exit(125);
	}
}

static int wait_status(pid_t pid, int *st)
{
	while (waitpid(pid, st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/* Parent side of the ptrace step: SEIZE (attach event), stop, DETACH (detach event). */
static int drive_ptrace(pid_t pid, char *err, size_t errlen)
{
	int st;

	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0) {
		snprintf(err, errlen, "PTRACE_SEIZE: %s", strerror(errno));
		return -1;
	}
	if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) < 0) {
		snprintf(err, errlen, "PTRACE_INTERRUPT: %s", strerror(errno));
		return -1;
	}
	/* DETACH needs the tracee in a ptrace-stop */
	if (wait_status(pid, &st) < 0 || !WIFSTOPPED(st)) {
		snprintf(err, errlen, "ptrace stop not reached (status 0x%x)", st);
		return -1;
	}
	if (ptrace(PTRACE_DETACH, pid, NULL, NULL) < 0) {
		snprintf(err, errlen, "PTRACE_DETACH: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * run_workload - every step forks one child and waits for it before the next,
 * so the per-task event order is fixed. Returns 0, or -1 with @err set.
 */
static int run_workload(struct workload *wl, char *err, size_t errlen)
{
	int s;

	memset(wl, 0, sizeof(*wl));
	wl->self = getpid();
	for (s = 0; s < NSTEPS; s++) {
		int p[2] = { -1, -1 }, st = 0, want_sig = 0, want_code = 0, r = 0;
		pid_t pid;

		if ((s == STEP_KILL || s == STEP_PTRACE) && pipe2(p, O_CLOEXEC) < 0) {
			snprintf(err, errlen, "pipe: %s", strerror(errno));
			return -1;
		}
		fflush(stdout);
		pid = fork();
		if (pid < 0) {
			snprintf(err, errlen, "fork: %s", strerror(errno));
			return -1;
		}
		if (pid == 0) {
			if (p[1] >= 0)
				close(p[1]);
			child_step((enum step)s, p[0]);
		}
		wl->child[wl->nchild++] = pid;
		if (p[0] >= 0)
			close(p[0]);
		if (s == STEP_KILL) {
			kill(pid, SIGKILL);
			want_sig = SIGKILL;
		} else if (s == STEP_EXIT3) {
			want_code = 3;
		} else if (s == STEP_PTRACE) {
			r = drive_ptrace(pid, err, errlen);
			if (r < 0)
				kill(pid, SIGKILL);
		}
		if (p[1] >= 0)
			close(p[1]);
		if (wait_status(pid, &st) < 0) {
			snprintf(err, errlen, "waitpid: %s", strerror(errno));
			return -1;
		}
		if (r < 0)
			return -1;
		if (want_sig ? !(WIFSIGNALED(st) && WTERMSIG(st) == want_sig)
			     : !(WIFEXITED(st) && WEXITSTATUS(st) == want_code)) {
			snprintf(err, errlen, "step %d: child status 0x%x", s, st);
			return -1;
		}
	}
	return 0;
}

/* A smaller workload: @n children that exit with @code. */
static int run_exits(struct workload *wl, int n, int code, char *err, size_t errlen)
{
	int i, st;

	memset(wl, 0, sizeof(*wl));
	wl->self = getpid();
	for (i = 0; i < n && i < MAX_CHILDREN; i++) {
		pid_t pid;

		fflush(stdout);
		pid = fork();
		if (pid < 0) {
			snprintf(err, errlen, "fork: %s", strerror(errno));
			return -1;
		}
		if (pid == 0)
			_exit(code);
		wl->child[wl->nchild++] = pid;
		if (wait_status(pid, &st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != code) {
			snprintf(err, errlen, "child status 0x%x", st);
			return -1;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- collecting */

static int on_event(const union proccn_event *ev, void *ud)
{
	struct collector *c = ud;

	c->all_events++;
	if (ev->hdr.kind == PROCCN_EV_EXIT)
		c->all_exits++;
	if (!concerns(c->wl, ev))
		return 0;
	if (c->n == MAX_EVENTS) {
		c->overflow++;
		return 0;
	}
	c->ev[c->n++] = *ev;
	return 0;
}

static int on_loss(const struct proccn_loss *loss, void *ud)
{
	struct collector *c = ud;

	(void)loss;
	c->losses++;
	return 0;
}

static const struct proccn_callbacks collect_cb = {
	.sz = sizeof(struct proccn_callbacks),
	.on_event = on_event,
	.on_loss = on_loss,
};

static void collector_reset(struct collector *c, const struct workload *wl)
{
	memset(c, 0, sizeof(*c));
	c->wl = wl;
}

/* Has every task of the workload (children and their threads) exited? */
static int all_exited(const struct collector *c)
{
	const struct workload *wl = c->wl;
	unsigned int i, j;
	int k;

	for (k = 0; k < wl->nchild; k++) {
		int seen = 0;

		for (i = 0; i < c->n && !seen; i++)
			seen = c->ev[i].hdr.kind == PROCCN_EV_EXIT &&
			       c->ev[i].exit.pid == wl->child[k];
		if (!seen)
			return 0;
	}
	/* a thread's fork is reported by its process before it exits: wait for its exit too */
	for (i = 0; i < c->n; i++) {
		int seen = 0;

		if (c->ev[i].hdr.kind != PROCCN_EV_FORK ||
		    c->ev[i].fork.child_pid == c->ev[i].fork.child_tgid)
			continue;
		for (j = 0; j < c->n && !seen; j++)
			seen = c->ev[j].hdr.kind == PROCCN_EV_EXIT &&
			       c->ev[j].exit.pid == c->ev[i].fork.child_pid;
		if (!seen)
			return 0;
	}
	return 1;
}

static unsigned int want_count;

static int have_count(const struct collector *c)
{
	return c->n >= want_count;
}

/*
 * pump - dispatch until @done says so or the deadline passes. The wait is
 * bounded, never a sleep: a healthy run returns as soon as the events are in.
 * Returns 0, -ETIMEDOUT, or the library's negative errno.
 */
static int pump(struct proccn *h, struct collector *c, int (*done)(const struct collector *),
		int ms)
{
	int64_t deadline = now_ms() + ms;

	/* events kept from negotiation are delivered only by a dispatch */
	int r = proccn_dispatch(h, &collect_cb, c, 0);

	if (r < 0)
		return r;
	while (!done(c)) {
		int64_t left = deadline - now_ms();

		if (left <= 0)
			return -ETIMEDOUT;
		r = proccn_dispatch(h, &collect_cb, c, left > 200 ? 200 : (int)left);
		if (r < 0 && r != -EINTR)
			return r;
	}
	return 0;
}

/* Read what is still queued, without blocking: events that should not be there. */
static int drain(struct proccn *h, struct collector *c)
{
	int r = proccn_dispatch(h, &collect_cb, c, 0);

	return r < 0 ? r : 0;
}

/* ---------------------------------------------------------------- signatures */

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
		pid_t pid, tgid;
		int k, known = 0, count = 0;

		subject(&ev[i], &pid, &tgid);
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
	pid_t pid, tgid;
	int k, j;

	subject(ev, &pid, &tgid);
	k = wl_index(lb->wl, tgid);
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

	switch (ev->hdr.kind) {
	case PROCCN_EV_FORK:
		label(lb, ev->fork.parent_pid, a, sizeof(a));
		label(lb, ev->fork.child_pid, b, sizeof(b));
		append(buf, len, " fork(%s>%s)", a, b);
		break;
	case PROCCN_EV_EXEC:
		label(lb, ev->exec.pid, a, sizeof(a));
		append(buf, len, " exec(%s)", a);
		break;
	case PROCCN_EV_UID:
		label(lb, ev->uid.pid, a, sizeof(a));
		append(buf, len, " uid(%s,r=%" PRIu32 ",e=%" PRIu32 ")", a, ev->uid.ruid,
		       ev->uid.euid);
		break;
	case PROCCN_EV_GID:
		label(lb, ev->gid.pid, a, sizeof(a));
		append(buf, len, " gid(%s,r=%" PRIu32 ",e=%" PRIu32 ")", a, ev->gid.rgid,
		       ev->gid.egid);
		break;
	case PROCCN_EV_SID:
		label(lb, ev->sid.pid, a, sizeof(a));
		append(buf, len, " sid(%s)", a);
		break;
	case PROCCN_EV_PTRACE:
		label(lb, ev->ptrace.pid, a, sizeof(a));
		label(lb, ev->ptrace.tracer_pid, b, sizeof(b));
		append(buf, len, " ptrace(%s,tracer=%s)", a, b);
		break;
	case PROCCN_EV_COMM:
		label(lb, ev->comm.pid, a, sizeof(a));
		append(buf, len, " comm(%s,%s)", a, ev->comm.comm);
		break;
	case PROCCN_EV_COREDUMP:
		label(lb, ev->coredump.pid, a, sizeof(a));
		append(buf, len, " coredump(%s)", a);
		break;
	case PROCCN_EV_EXIT:
		label(lb, ev->exit.pid, a, sizeof(a));
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
static void signature(const struct workload *wl, const union proccn_event *ev, unsigned int n,
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

/* ---------------------------------------------------------------- the wrapping pcn_sys */

static ssize_t wrap_sendmsg(void *ctx, int fd, const struct msghdr *msg, int flags)
{
	struct wrap *w = ctx;
	struct dgram_request rq;

	/* the library sends one iovec */
	if (msg->msg_iovlen >= 1 &&
	    dgram_parse_request(msg->msg_iov[0].iov_base, msg->msg_iov[0].iov_len, &rq)) {
		if (rq.op == DGRAM_MCAST_LISTEN && rq.len == DGRAM_REQ_LEGACY)
			w->listen4++;
		else if (rq.op == DGRAM_MCAST_LISTEN && rq.len == DGRAM_REQ_INPUT)
			w->listen8++;
		else if (rq.op == DGRAM_MCAST_IGNORE && rq.len == DGRAM_REQ_LEGACY)
			w->ignore4++;
		else if (rq.op == DGRAM_MCAST_IGNORE && rq.len == DGRAM_REQ_INPUT)
			w->ignore8++;
		else
			w->other_req++;
	} else {
		w->other_req++;
	}
	return proccn__sys_default.sendmsg(proccn__sys_default.ctx, fd, msg, flags);
}

static int wrap_recvmmsg(void *ctx, int fd, struct mmsghdr *vec, unsigned int n, int flags)
{
	struct wrap *w = ctx;
	int r = proccn__sys_default.recvmmsg(proccn__sys_default.ctx, fd, vec, n, flags);
	int i;

	for (i = 0; i < r; i++) {
		const uint8_t *p = vec[i].msg_hdr.msg_iov[0].iov_base;
		uint32_t tgid;

		w->datagrams++;
		if (vec[i].msg_len < DGRAM_LEN || dgram_get32(p + DGRAM_OFF_WHAT) != PROCCN_EV_FORK)
			continue;
		w->fork_dgrams++;
		tgid = dgram_get32(p + DGRAM_OFF_CHILD_TGID);
		if (wl_index(w->wl, (pid_t)tgid) >= 0)
			w->wl_fork_dgrams++;
	}
	return r;
}

/*
 * open_wrapped - what proccn_open() does (socket, buffer, bind), then
 * proccn__open_fd() with our pcn_sys in front of the real system calls.
 */
static int open_wrapped(struct proccn **h, const struct proccn_opts *o, struct wrap *w)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1, .nl_pid = 0 };
	struct pcn_sys sys = proccn__sys_default;
	int fd, bytes = 4 << 20;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	sys.sendmsg = wrap_sendmsg;
	sys.recvmmsg = wrap_recvmmsg;
	sys.ctx = w;
	return proccn__open_fd(h, o, fd, &sys);
}

/* ---------------------------------------------------------------- tests */

static int check_mode(const struct config *cfg, const char *name, struct proccn *h)
{
	int mode = proccn_mode(h);

	if (cfg->expect_mode && mode != cfg->expect_mode) {
		fail(name, "negotiated mode %s (%d), expected %s", mode_name(mode), mode,
		     mode_name(cfg->expect_mode));
		return -1;
	}
	return 0;
}

struct mask_case {
	const char *name;
	uint32_t events;
	uint32_t flags;
};

static const struct mask_case mask_cases[] = {
	{ "all", PROCCN_EV_ALL, 0 },
	{ "all+processes-only", PROCCN_EV_ALL, PROCCN_F_PROCESSES_ONLY },
	{ "exit", PROCCN_EV_EXIT, 0 },
	{ "nonzero-exit", PROCCN_EV_NONZERO_EXIT, 0 },
	{ "exit|nonzero-exit", PROCCN_EV_EXIT | PROCCN_EV_NONZERO_EXIT, 0 },
	{ "fork|exec", PROCCN_EV_FORK | PROCCN_EV_EXEC, 0 },
	{ "fork|exit", PROCCN_EV_FORK | PROCCN_EV_EXIT, 0 },
	{ "comm", PROCCN_EV_COMM, 0 },
	{ "uid|gid", PROCCN_EV_UID | PROCCN_EV_GID, 0 },
	{ "sid", PROCCN_EV_SID, 0 },
	{ "ptrace", PROCCN_EV_PTRACE, 0 },
	{ "exec|nonzero-exit", PROCCN_EV_EXEC | PROCCN_EV_NONZERO_EXIT, 0 },
};

#define SIG_LEN 4096

static void test_mask(const struct config *cfg, const struct mask_case *mc,
		      struct proccn *sentinel, struct collector *sc, struct collector *mcol)
{
	struct proccn_opts o = PROCCN_OPTS_INIT;
	struct proccn_stats st = { .sz = sizeof(st) };
	union proccn_event expect[MAX_EVENTS];
	static char got[SIG_LEN], want[SIG_LEN];
	struct workload wl;
	struct proccn *h = NULL;
	char name[64], err[160] = "";
	unsigned int i, nexp = 0;
	int r;

	snprintf(name, sizeof(name), "sig:%s", mc->name);
	o.events = mc->events;
	o.flags = mc->flags | cfg->flags;
	r = proccn_open(&h, &o);
	if (r < 0) {
		fail(name, "proccn_open: %s (%d)", proccn_strerror(r), r);
		return;
	}
	/* everything the sentinel read so far belongs to earlier cases */
	memset(&wl, 0, sizeof(wl));
	collector_reset(sc, &wl);
	(void)proccn_dispatch(sentinel, &collect_cb, sc, 0);
	collector_reset(sc, &wl);
	collector_reset(mcol, &wl);
	if (check_mode(cfg, name, h) < 0)
		goto out;
	if (run_workload(&wl, err, sizeof(err)) < 0) {
		fail(name, "workload: %s", err);
		goto out;
	}
	r = pump(sentinel, sc, all_exited, WAIT_MS);
	if (r < 0) {
		signature(&wl, sc->ev, sc->n, got, sizeof(got));
		fail(name, "sentinel (mask all) did not see every workload exit: %s; saw:%s",
		     proccn_strerror(r), got);
		goto out;
	}
	for (i = 0; i < sc->n; i++)
		if (oracle_pass_event(mc->events, o.flags, &sc->ev[i]))
			expect[nexp++] = sc->ev[i];
	want_count = nexp;
	r = pump(h, mcol, have_count, WAIT_MS);
	if (r >= 0)
		r = drain(h, mcol);
	signature(&wl, mcol->ev, mcol->n, got, sizeof(got));
	signature(&wl, expect, nexp, want, sizeof(want));
	proccn_get_stats(h, &st);
	say("SIG %s:%s\n", mc->name, got);
	say("STAT %s mode=%s datagrams=%" PRIu64 " acks=%" PRIu64 " received=%" PRIu64
	    " delivered=%" PRIu64 " filtered=%" PRIu64 " lost=%" PRIu64 " overruns=%" PRIu64 "\n",
	    mc->name, mode_name(proccn_mode(h)), st.datagrams, st.acks, st.received,
	    st.delivered, st.filtered, st.lost, st.overruns);
	if (r < 0 && r != -ETIMEDOUT)
		fail(name, "dispatch: %s (%d)", proccn_strerror(r), r);
	else if (sc->losses || mcol->losses || sc->overflow || mcol->overflow)
		fail(name, "loss reported (sentinel %u, handle %u) or too many events",
		     sc->losses, mcol->losses);
	else if (strcmp(got, want) != 0)
		fail(name, "delivered events differ from the kernel rule applied to mask all;"
		     " expected:%s", want);
	else if (!cfg->vm && st.datagrams < st.acks)
		fail(name, "stats inconsistent");
	else
		pass(name);
out:
	proccn_close(h);
}

/* IGNORE goes out exactly once per handle, in the negotiated format. */
static void test_ignore_once(const struct config *cfg, const char *name, int how)
{
	struct proccn_opts o = PROCCN_OPTS_INIT;
	struct wrap w = { 0 };
	struct proccn *h = NULL;
	int r, mode;
	unsigned int want4, want8;

	o.flags = cfg->flags;
	o.events = how == 2 ? PROCCN_EV_EXIT : 0;
	r = open_wrapped(&h, &o, &w);
	if (r < 0) {
		fail(name, "proccn__open_fd: %s (%d)", proccn_strerror(r), r);
		return;
	}
	mode = proccn_mode(h);
	if (check_mode(cfg, name, h) < 0) {
		proccn_close(h);
		return;
	}
	if (w.ignore4 + w.ignore8 != 0) {
		fail(name, "IGNORE sent while opening (%u)", w.ignore4 + w.ignore8);
		proccn_close(h);
		return;
	}
	if (how == 1) {
		/* explicit unsubscribe, twice, then close: still one IGNORE */
		proccn_unsubscribe(h);
		proccn_unsubscribe(h);
	} else if (how == 2) {
		proccn_set_events(h, PROCCN_EV_FORK);
	}
	h = proccn_close(h);
	h = proccn_close(h);
	want4 = mode == PROCCN_MODE_LEGACY ? 1 : 0;
	want8 = mode == PROCCN_MODE_LEGACY ? 0 : 1;
	say("INFO %s mode=%s listen4=%u listen8=%u ignore4=%u ignore8=%u other=%u\n", name,
	    mode_name(mode), w.listen4, w.listen8, w.ignore4, w.ignore8, w.other_req);
	if (w.ignore4 != want4 || w.ignore8 != want8)
		fail(name, "IGNORE requests: %u legacy + %u proc_input, expected %u + %u",
		     w.ignore4, w.ignore8, want4, want8);
	else if (w.other_req)
		fail(name, "%u unexpected requests", w.other_req);
	else if (mode == PROCCN_MODE_LEGACY && w.listen4 != 1)
		fail(name, "legacy LISTEN sent %u times, expected once", w.listen4);
	else if (mode == PROCCN_MODE_LEGACY && w.listen8 != ((cfg->flags & PROCCN_F_FORCE_LEGACY) ? 0u : 1u))
		fail(name, "proc_input LISTEN sent %u times before falling back", w.listen8);
	else
		pass(name);
}

/* Wait for the EXIT of every child of @wl on @h. */
static int exits_done(const struct collector *c)
{
	int k;
	unsigned int i;

	for (k = 0; k < c->wl->nchild; k++) {
		int seen = 0;

		for (i = 0; i < c->n && !seen; i++)
			seen = c->ev[i].hdr.kind == PROCCN_EV_EXIT &&
			       c->ev[i].exit.pid == c->wl->child[k];
		if (!seen)
			return 0;
	}
	return 1;
}

/*
 * Close A, B keeps receiving. On a pre-6.6 kernel a second IGNORE from A (or
 * one sent by B's side by mistake) drops the global listener counter to 0 and
 * no event is generated for anybody any more.
 */
static void test_close_a_keeps_b(const struct config *cfg)
{
	const char *name = "close-a-keeps-b";
	struct proccn_opts o = PROCCN_OPTS_INIT;
	static struct collector c;
	struct proccn *a = NULL, *b = NULL;
	struct workload wl;
	char err[160] = "";
	int r;

	o.flags = cfg->flags;
	r = proccn_open(&a, &o);
	if (r >= 0)
		r = proccn_open(&b, &o);
	if (r < 0) {
		fail(name, "proccn_open: %s (%d)", proccn_strerror(r), r);
		proccn_close(a);
		return;
	}
	a = proccn_close(a);
	collector_reset(&c, &wl);
	if (run_exits(&wl, 1, 7, err, sizeof(err)) < 0) {
		fail(name, "workload: %s", err);
	} else {
		r = pump(b, &c, exits_done, WAIT_MS);
		if (r < 0)
			fail(name, "B saw no EXIT of a new child after A was closed (%s):"
			     " the listener counter was decremented twice?", proccn_strerror(r));
		else if (c.ev[c.n - 1].exit.exit_code != 0x700)
			fail(name, "exit code 0x%" PRIx32 ", expected 0x700",
			     c.ev[c.n - 1].exit.exit_code);
		else
			pass(name);
	}
	proccn_close(b);
}

/* Every handle so far has been closed: a new one must still get events. */
static void test_still_listening(const struct config *cfg)
{
	const char *name = "listen-after-all-closed";
	struct proccn_opts o = PROCCN_OPTS_INIT;
	static struct collector c;
	struct proccn *h = NULL;
	struct workload wl;
	char err[160] = "";
	int r;

	o.flags = cfg->flags;
	o.events = PROCCN_EV_EXIT;
	r = proccn_open(&h, &o);
	if (r < 0) {
		fail(name, "proccn_open: %s (%d)", proccn_strerror(r), r);
		return;
	}
	collector_reset(&c, &wl);
	if (run_exits(&wl, 1, 0, err, sizeof(err)) < 0)
		fail(name, "workload: %s", err);
	else if ((r = pump(h, &c, exits_done, WAIT_MS)) < 0)
		fail(name, "no EXIT event (%s): the kernel's listener counter is off",
		     proccn_strerror(r));
	else
		pass(name);
	proccn_close(h);
}

/*
 * VM only (it would silence every listener on a real host): shows that the
 * kernel under test really is the dangerous kind, so that the IGNORE tests
 * above could fail. One extra IGNORE must silence a live handle; a LISTEN
 * restores the counter.
 */
static void test_extra_ignore_silences(const struct config *cfg)
{
	const char *name = "extra-ignore-silences-listeners";
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	struct proccn_opts o = PROCCN_OPTS_INIT;
	static struct collector c;
	struct proccn *h = NULL;
	struct workload wl;
	char err[160] = "";
	int fd, r, silenced, restored;

	o.flags = cfg->flags;
	o.events = PROCCN_EV_EXIT;
	r = proccn_open(&h, &o);
	if (r < 0) {
		fail(name, "proccn_open: %s (%d)", proccn_strerror(r), r);
		return;
	}
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    (r = dgram_send_request(fd, DGRAM_MCAST_IGNORE, 0, DGRAM_REQ_LEGACY, 0)) < 0) {
		fail(name, "raw IGNORE: %s", strerror(errno));
		goto out;
	}
	collector_reset(&c, &wl);
	if (run_exits(&wl, 1, 5, err, sizeof(err)) < 0) {
		fail(name, "workload: %s", err);
		goto out;
	}
	/* proving a negative needs a timeout: 1.5 s is ample under TCG */
	silenced = pump(h, &c, exits_done, 1500) == -ETIMEDOUT;
	r = dgram_send_request(fd, DGRAM_MCAST_LISTEN, 0, DGRAM_REQ_LEGACY, 0);
	collector_reset(&c, &wl);
	if (r < 0 || run_exits(&wl, 1, 6, err, sizeof(err)) < 0) {
		fail(name, "raw LISTEN or workload failed");
		goto out;
	}
	restored = pump(h, &c, exits_done, WAIT_MS) == 0;
	say("INFO %s silenced=%d restored=%d\n", name, silenced, restored);
	if (!silenced)
		fail(name, "events still arrived after one extra IGNORE: this kernel does not"
		     " share a listener counter, so the IGNORE tests prove less");
	else if (!restored)
		fail(name, "no events after LISTEN restored the counter");
	else
		pass(name);
out:
	if (fd >= 0)
		close(fd);
	proccn_close(h);
}

/*
 * Issue 4 §2: with mask EXIT the socket filter keeps FORK datagrams out of the
 * socket; without it they are read and dropped in userspace (legacy mode).
 */
static void test_datagrams(const struct config *cfg, int socket_filter)
{
	const char *name = socket_filter ? "datagrams:exit+socket-filter"
					 : "datagrams:exit+no-socket-filter";
	struct proccn_opts o = PROCCN_OPTS_INIT;
	struct proccn_stats st = { .sz = sizeof(st) };
	static struct collector c;
	struct wrap w = { 0 };
	struct workload wl;
	struct proccn *h = NULL;
	char err[160] = "";
	uint64_t accounted;
	int r, mode;

	o.events = PROCCN_EV_EXIT;
	o.flags = cfg->flags | (socket_filter ? 0 : PROCCN_F_NO_SOCKET_FILTER);
	w.wl = &wl;
	memset(&wl, 0, sizeof(wl));
	r = open_wrapped(&h, &o, &w);
	if (r < 0) {
		fail(name, "proccn__open_fd: %s (%d)", proccn_strerror(r), r);
		return;
	}
	mode = proccn_mode(h);
	collector_reset(&c, &wl);
	if (check_mode(cfg, name, h) < 0)
		goto out;
	if (run_exits(&wl, NEXITS, 0, err, sizeof(err)) < 0) {
		fail(name, "workload: %s", err);
		goto out;
	}
	r = pump(h, &c, exits_done, WAIT_MS);
	if (r >= 0)
		r = drain(h, &c);
	proccn_get_stats(h, &st);
	say("STAT %s mode=%s datagrams=%" PRIu64 " acks=%" PRIu64 " received=%" PRIu64
	    " filtered=%" PRIu64 " exits=%" PRIu64 " fork-datagrams=%" PRIu64
	    " workload-fork-datagrams=%" PRIu64 "\n", name, mode_name(mode), st.datagrams,
	    st.acks, st.received, st.filtered, c.all_exits, w.fork_dgrams, w.wl_fork_dgrams);
	accounted = st.acks + st.received + st.malformed + st.spoofed;
	if (r < 0)
		fail(name, "EXIT events of the workload missing: %s", proccn_strerror(r));
	else if (st.datagrams != w.datagrams || st.datagrams != accounted)
		fail(name, "datagrams=%" PRIu64 " but recvmmsg returned %" PRIu64
		     " and acks+received+malformed+spoofed=%" PRIu64, st.datagrams, w.datagrams,
		     accounted);
	else if (socket_filter && w.wl_fork_dgrams)
		fail(name, "%" PRIu64 " FORK datagrams of the workload reached the socket",
		     w.wl_fork_dgrams);
	else if (socket_filter && cfg->vm &&
		 (w.fork_dgrams || st.filtered || st.datagrams != st.acks + c.all_exits))
		fail(name, "expected datagrams == acks + exits and no FORK at all:"
		     " datagrams=%" PRIu64 " acks=%" PRIu64 " exits=%" PRIu64 " forks=%" PRIu64
		     " filtered=%" PRIu64, st.datagrams, st.acks, c.all_exits, w.fork_dgrams,
		     st.filtered);
	else if (!socket_filter && mode == PROCCN_MODE_LEGACY &&
		 (w.wl_fork_dgrams != NEXITS || st.filtered < NEXITS))
		fail(name, "without the socket filter the workload's %d forks should be read"
		     " and filtered in userspace: fork datagrams %" PRIu64 ", filtered %" PRIu64,
		     NEXITS, w.wl_fork_dgrams, st.filtered);
	else if (!socket_filter && mode == PROCCN_MODE_KERNEL_FILTER && w.wl_fork_dgrams)
		fail(name, "the kernel filter let %" PRIu64 " workload FORKs through",
		     w.wl_fork_dgrams);
	else
		pass(name);
out:
	proccn_close(h);
}

static void test_probe(const struct config *cfg)
{
	struct proccn_probe p = { .sz = sizeof(p) };
	int r = proccn_probe(&p);

	if (r < 0) {
		fail("probe", "proccn_probe: %d", r);
		return;
	}
	say("INFO probe connector=%d proc_events=%d initial_netns=%d initial_userns=%d"
	    " initial_pidns=%d cap_net_admin=%d kernel_filter=%d legacy=%d subscribe_error=%d\n",
	    p.connector, p.proc_events, p.initial_netns, p.initial_userns, p.initial_pidns,
	    p.cap_net_admin, p.kernel_filter, p.legacy, p.subscribe_error);
	if (p.subscribe_error)
		fail("probe", "subscribe_error %d (%s)", p.subscribe_error,
		     proccn_strerror(p.subscribe_error));
	else if (cfg->vm && (p.kernel_filter != 0 || p.legacy != 1 || p.proc_events != 1))
		fail("probe", "expected kernel_filter=0 legacy=1 proc_events=1 on this kernel");
	else
		pass("probe");
}

static void run_all(const struct config *cfg)
{
	static struct collector sc, mcol;
	struct proccn_opts o = PROCCN_OPTS_INIT;
	struct proccn *sentinel = NULL;
	struct utsname u;
	size_t i;
	int r;

	uname(&u);
	say("INFO kernel=%s pid=%d vm=%d flags=0x%" PRIx32 " expect-mode=%s\n", u.release,
	    (int)getpid(), cfg->vm, cfg->flags,
	    cfg->expect_mode ? mode_name(cfg->expect_mode) : "any");
	test_probe(cfg);

	o.flags = cfg->flags;
	r = proccn_open(&sentinel, &o);
	if (r < 0) {
		fail("sentinel", "proccn_open: %s (%d)", proccn_strerror(r), r);
	} else {
		if (check_mode(cfg, "sentinel", sentinel) == 0)
			pass("sentinel");
		for (i = 0; i < sizeof(mask_cases) / sizeof(mask_cases[0]); i++)
			test_mask(cfg, &mask_cases[i], sentinel, &sc, &mcol);
		/* closed before the counter tests: they need to be the only listeners */
		sentinel = proccn_close(sentinel);
	}
	test_datagrams(cfg, 1);
	test_datagrams(cfg, 0);
	test_ignore_once(cfg, "ignore-once:close", 0);
	test_ignore_once(cfg, "ignore-once:unsubscribe-twice", 1);
	test_ignore_once(cfg, "ignore-once:set-events", 2);
	test_close_a_keeps_b(cfg);
	if (cfg->vm)
		test_extra_ignore_silences(cfg);
	test_still_listening(cfg);
	say("VMTEST DONE pass=%d fail=%d\n", n_pass, n_fail);
}

/* ---------------------------------------------------------------- PID 1 */

/* The kernel opens /dev/console for init only if the initramfs has it. */
static void ensure_console(void)
{
	int fd;

	if (fcntl(STDOUT_FILENO, F_GETFD) >= 0)
		return;
	mkdir("/dev", 0755);
	(void)mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0)
		return;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
}

/* PID 1 must never return: report through isa-debug-exit, then power off. */
static void __attribute__((noreturn)) guest_finish(int failed)
{
	fflush(stdout);
	/* the serial driver transmits asynchronously: wait before QEMU goes away */
	tcdrain(STDOUT_FILENO);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	/* QEMU exits with (code << 1) | 1: 1 = pass, 3 = fail */
	if (ioperm(0xf4, 4, 1) == 0)
		outb(failed ? 1 : 0, 0xf4);
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

static int parse_args(int argc, char **argv, struct config *cfg)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--host") == 0) {
			cfg->vm = 0;
		} else if (strcmp(argv[i], "--force-legacy") == 0) {
			cfg->flags |= PROCCN_F_FORCE_LEGACY;
		} else if (strcmp(argv[i], "--expect-mode") == 0 && i + 1 < argc) {
			i++;
			if (strcmp(argv[i], "legacy") == 0)
				cfg->expect_mode = PROCCN_MODE_LEGACY;
			else if (strcmp(argv[i], "kernel-filter") == 0)
				cfg->expect_mode = PROCCN_MODE_KERNEL_FILTER;
			else if (strcmp(argv[i], "any") != 0)
				return -1;
		} else {
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct config cfg = { 0 };

	if (argc == 2 && strcmp(argv[1], "--exec-child") == 0)
		_exit(0);
	cfg.vm = getpid() == 1;
	if (parse_args(argc, argv, &cfg) < 0) {
		fprintf(stderr, "usage: %s [--host] [--force-legacy]"
			" [--expect-mode legacy|kernel-filter|any]\n", argv[0]);
		return 2;
	}
	if (cfg.vm) {
		ensure_console();
		mkdir("/proc", 0555);
		/* the library reads /proc/net/connector and /proc/self/ns */
		if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV, NULL) < 0)
			printf("INFO mount /proc: %s\n", strerror(errno));
		/* the old kernel is the point of the VM: it must take the legacy path */
		cfg.expect_mode = PROCCN_MODE_LEGACY;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* the firmware leaves escape sequences on the console: start a clean line */
	if (cfg.vm)
		say("\n");
	run_all(&cfg);
	if (cfg.vm)
		guest_finish(n_fail != 0);
	return n_fail ? 1 : 0;
}
