/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The storm's consumers: each runs in its own process, alone with the
 * generator and its children, subscribes (or opens its pidfds) before the
 * window, then follows the children's exits until it has seen them all, or
 * has read what is left once the generator said every child was reaped.
 * Everything a consumer needs per event is allocated before the window.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dgram.h"
#include "median.h"
#include "proccn_table.h"
#include "storm.h"
#include "storm_window.h"

#define NAIVE_RCVBUF (4 * 1024 * 1024)  /* the library's default receive buffer */
#define PIDFD_BATCH  64                 /* epoll_wait maxevents: the library's batch */
#define STEP_MS      100                /* longest single wait, to notice the end */

/* Which pids are the generator's children, which exits came, and how late. */
struct tally {
	uint8_t *tab;             /* by pid: 1 a child to expect, 2 its exit seen */
	uint32_t pid_max;
	uint64_t seen, events, loss_reports, named;
	const char *want_comm;    /* the name every exit should carry (NULL: any known one) */
	int64_t *delay;           /* one sample per child, allocated up front */
	uint64_t ndelay;
	uint64_t first_ts, last_ts; /* kernel timestamps of the first and last exit received */
};

static void set_err(struct result *res, const char *what, int err)
{
	snprintf(res->err, sizeof(res->err), "%s: %s", what, strerror(err));
}

/* A child's exit (pid == tgid), with the kernel's timestamp when there is one (else 0). */
static void note_exit(struct tally *t, pid_t pid, pid_t tgid, uint64_t ts_ns)
{
	uint32_t p = (uint32_t)pid;
	int64_t now;

	if (pid != tgid || p >= t->pid_max || t->tab[p] != 1)
		return;
	now = storm_now_ns();
	t->tab[p] = 2;
	t->seen++;
	if (!ts_ns)
		return;
	t->delay[t->ndelay++] = now - (int64_t)ts_ns;
	if (!t->first_ts || ts_ns < t->first_ts)
		t->first_ts = ts_ns;
	if (ts_ns > t->last_ts)
		t->last_ts = ts_ns;
}

/*
 * One step of a consumer: wait at most @timeout_ms (0: not at all), handle
 * what came. Returns how much it handled, or -errno.
 */
typedef int (*step_fn)(void *reader, struct tally *t, int timeout_ms);

/* The generator writes a byte (or closes the pipe) once every child is reaped. */
static int generator_done(int ctl_fd)
{
	char b;
	ssize_t r = read(ctl_fd, &b, 1);

	return r >= 0 || (errno != EAGAIN && errno != EINTR);
}

/* The window: from "ready" until every exit is seen, or the rest is read. */
static void follow(const struct trial_cfg *cfg, const struct consumer_pipes *p,
		   struct window *w, struct tally *t, struct result *res, step_fn step,
		   void *reader)
{
	int64_t deadline;

	if (window_begin(w, p->ready, res) < 0)
		return;
	deadline = storm_now_ns() + (int64_t)cfg->timeout_ms * 1000000;
	while (t->seen < cfg->n) {
		int r = step(reader, t, STEP_MS);

		if (r < 0) {
			set_err(res, "reading events", -r);
			break;
		}
		if (r == 0 && generator_done(p->ctl)) {
			while (step(reader, t, 0) > 0)
				;
			break;
		}
		if (storm_now_ns() > deadline) {
			res->timed_out = 1;
			snprintf(res->err, sizeof(res->err), "timed out after %d ms, %llu of %u exits",
				 cfg->timeout_ms, (unsigned long long)t->seen, cfg->n);
			break;
		}
	}
	window_end(w, res);
}

/* ---- (b), (n), (a), (d): libproccn ------------------------------------- */

static int lib_on_exit(const struct proccn_exit *ev, void *ud)
{
	struct tally *t = ud;

	t->events++;
	note_exit(t, ev->pid, ev->tgid, ev->hdr.timestamp_ns);
	return 0;
}

static int lib_on_event(const union proccn_event *ev, void *ud)
{
	(void)ev;
	((struct tally *)ud)->events++;
	return 0;
}

static int lib_on_loss(const struct proccn_loss *loss, void *ud)
{
	(void)loss;
	((struct tally *)ud)->loss_reports++;
	return 0;
}

static const struct proccn_callbacks lib_callbacks = {
	.sz = sizeof(struct proccn_callbacks),
	.on_exit = lib_on_exit,
	.on_event = lib_on_event,
	.on_loss = lib_on_loss,
};

static int lib_step(void *reader, struct tally *t, int timeout_ms)
{
	int r = proccn_dispatch(reader, &lib_callbacks, t, timeout_ms);

	return r == -EINTR ? 0 : r;
}

static void lib_opts(enum consumer kind, struct proccn_opts *o)
{
	if (kind == C_A || kind == C_D)
		o->events = PROCCN_EV_EXIT;
	if (kind == C_D)
		o->flags = PROCCN_F_FORCE_LEGACY;
	if (kind == C_N)
		o->max_batch_latency_us = PROCCN_LATENCY_NONE;
}

static void run_lib(const struct trial_cfg *cfg, const struct consumer_pipes *p,
		    struct window *w, struct tally *t, struct result *res)
{
	struct proccn_opts o = PROCCN_OPTS_INIT;
	struct proccn *h = NULL;
	int r;

	lib_opts(cfg->kind, &o);
	r = proccn_open(&h, &o);
	if (r < 0) {
		snprintf(res->err, sizeof(res->err), "proccn_open: %s", proccn_strerror(r));
		return;
	}
	/* events kept from negotiation (not ours: the children are still blocked) */
	(void)proccn_dispatch(h, &lib_callbacks, t, 0);
	t->events = t->loss_reports = 0;
	follow(cfg, p, w, t, res, lib_step, h);
	proccn_close(h);
}

/* ---- (e): one poll and one recv per event, as the kernel's sample client -- */

struct naive {
	int fd;
	uint64_t buf[8192 / 8];   /* 8-aligned; read with dgram_get*() anyway */
};

/* Handle one datagram (or a loss report); 1, or 0 when nothing was there. */
static int naive_recv(struct naive *nv, struct tally *t, int flags)
{
	const uint8_t *b = (const uint8_t *)nv->buf;
	ssize_t len = recv(nv->fd, nv->buf, sizeof(nv->buf), flags);

	if (len < 0 && errno == ENOBUFS) {
		t->loss_reports++;
		return 1;
	}
	if (len < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (len < DGRAM_LEN || dgram_get32(b + DGRAM_OFF_WHAT) == 0)
		return 1;   /* an ACK (or a stranger): not an event */
	t->events++;
	if (dgram_get32(b + DGRAM_OFF_WHAT) == PROCCN_EV_EXIT)
		note_exit(t, (pid_t)dgram_get32(b + DGRAM_OFF_PID),
			  (pid_t)dgram_get32(b + DGRAM_OFF_TGID), dgram_get64(b + DGRAM_OFF_TS));
	return 1;
}

static int naive_step(void *reader, struct tally *t, int timeout_ms)
{
	struct naive *nv = reader;
	struct pollfd pfd = { .fd = nv->fd, .events = POLLIN };
	int r = poll(&pfd, 1, timeout_ms);

	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	return r == 0 ? 0 : naive_recv(nv, t, timeout_ms ? 0 : MSG_DONTWAIT);
}

/* Wait up to @ms for the ACK of the request with @nonce. */
static int naive_acked(struct naive *nv, uint32_t nonce, int ms)
{
	int64_t deadline = storm_now_ns() + (int64_t)ms * 1000000;
	const uint8_t *b = (const uint8_t *)nv->buf;

	while (storm_now_ns() < deadline) {
		struct pollfd pfd = { .fd = nv->fd, .events = POLLIN };
		ssize_t len;

		if (poll(&pfd, 1, 10) <= 0)
			continue;
		len = recv(nv->fd, nv->buf, sizeof(nv->buf), MSG_DONTWAIT);
		if (len >= DGRAM_LEN && dgram_get32(b + DGRAM_OFF_WHAT) == 0 &&
		    dgram_get32(b + DGRAM_OFF_CN_ACK) == nonce + 1)
			return 1;
	}
	return 0;
}

/* Subscribe with mask ALL: proc_input (6.6+), else the legacy request. Returns its length. */
static int naive_subscribe(struct naive *nv, uint32_t nonce, struct result *res)
{
	static const uint16_t lens[] = { DGRAM_REQ_INPUT, DGRAM_REQ_LEGACY };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		int r = dgram_send_request(nv->fd, DGRAM_MCAST_LISTEN, PROCCN_EV_ALL, lens[i], nonce);

		if (r < 0) {
			set_err(res, "send LISTEN", -r);
			return -1;
		}
		/* a pre-6.6 kernel ignores the 8-byte request: no ACK */
		if (naive_acked(nv, nonce, i ? 1000 : 250))
			return lens[i];
		if (i == 0) {
			/* taken back before the fallback, in case it only was slow */
			(void)dgram_send_request(nv->fd, DGRAM_MCAST_IGNORE, 0, lens[i], nonce);
		}
	}
	snprintf(res->err, sizeof(res->err), "no ACK to LISTEN");
	return -1;
}

static void run_naive(const struct trial_cfg *cfg, const struct consumer_pipes *p,
		      struct window *w, struct tally *t, struct result *res)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = DGRAM_CN_IDX_PROC };
	static struct naive nv;
	uint32_t nonce = (uint32_t)storm_now_ns() ^ (uint32_t)getpid() * 2654435761u;
	int rb = NAIVE_RCVBUF, len;

	nv.fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
	if (nv.fd < 0) {
		set_err(res, "socket", errno);
		return;
	}
	/* the library's buffer size, so that the comparison is about syscalls, not loss */
	if (setsockopt(nv.fd, SOL_SOCKET, SO_RCVBUFFORCE, &rb, sizeof(rb)) < 0)
		(void)setsockopt(nv.fd, SOL_SOCKET, SO_RCVBUF, &rb, sizeof(rb));
	if (bind(nv.fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		set_err(res, "bind", errno);
	} else if ((len = naive_subscribe(&nv, nonce, res)) > 0) {
		while (naive_recv(&nv, t, MSG_DONTWAIT) > 0)
			;   /* what queued meanwhile is not ours */
		t->events = t->loss_reports = 0;
		follow(cfg, p, w, t, res, naive_step, &nv);
		/* once: on an old kernel a second IGNORE would silence every listener */
		(void)dgram_send_request(nv.fd, DGRAM_MCAST_IGNORE, 0, (uint16_t)len, nonce + 2);
	}
	close(nv.fd);
}

/* ---- (f): a pidfd per child, in one epoll set ----------------------------- */

struct pidfds {
	int ep;
	int *fds;
	const pid_t *pids;
	struct epoll_event evs[PIDFD_BATCH];
};

static int pidfd_step(void *reader, struct tally *t, int timeout_ms)
{
	struct pidfds *pf = reader;
	int k = epoll_wait(pf->ep, pf->evs, PIDFD_BATCH, timeout_ms), j;

	if (k < 0)
		return errno == EINTR ? 0 : -errno;
	for (j = 0; j < k; j++) {
		unsigned int i = pf->evs[j].data.u32;

		/* a process that is not the parent gets no exit code (nor a timestamp) */
		t->events++;
		note_exit(t, pf->pids[i], pf->pids[i], 0);
		close(pf->fds[i]);   /* also leaves the epoll set */
		pf->fds[i] = -1;
	}
	return k;
}

/* Every pidfd in the epoll set before the window; 0 or -1 (res->err). */
static int pidfds_open(struct pidfds *pf, const struct trial_cfg *cfg, struct result *res)
{
	struct rlimit rl;
	unsigned int i;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)cfg->n + 64) {
		rl.rlim_cur = (rlim_t)cfg->n + 64;
		if (rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
			set_err(res, "setrlimit NOFILE", errno);
			return -1;
		}
	}
	for (i = 0; i < cfg->n; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };

		pf->fds[i] = (int)syscall(SYS_pidfd_open, cfg->pids[i], 0);
		if (pf->fds[i] < 0 || epoll_ctl(pf->ep, EPOLL_CTL_ADD, pf->fds[i], &ev) < 0) {
			set_err(res, pf->fds[i] < 0 ? "pidfd_open" : "epoll_ctl", errno);
			return -1;
		}
	}
	return 0;
}

static void run_pidfd(const struct trial_cfg *cfg, const struct consumer_pipes *p,
		      struct window *w, struct tally *t, struct result *res)
{
	struct pidfds pf = { .pids = cfg->pids };
	unsigned int i;

	pf.ep = epoll_create1(EPOLL_CLOEXEC);
	pf.fds = malloc(cfg->n * sizeof(*pf.fds));
	if (pf.ep < 0 || !pf.fds) {
		set_err(res, "epoll_create1/malloc", errno);
	} else {
		for (i = 0; i < cfg->n; i++)
			pf.fds[i] = -1;
		if (pidfds_open(&pf, cfg, res) == 0)
			follow(cfg, p, w, t, res, pidfd_step, &pf);
		for (i = 0; i < cfg->n; i++)
			if (pf.fds[i] >= 0)
				close(pf.fds[i]);
	}
	free(pf.fds);
	if (pf.ep >= 0)
		close(pf.ep);
}

/* ---- (t): the process table, which names every process ------------------- */

static int table_on_exit(const struct proccn_proc *p, void *ud)
{
	struct tally *t = ud;
	uint64_t seen = t->seen;

	t->events++;
	note_exit(t, p->pid, p->pid, p->exit_ns);
	if (t->seen > seen && !(p->flags & PROCCN_PROC_F_UNNAMED) && p->comm[0] &&
	    (!t->want_comm || !strcmp(p->comm, t->want_comm)))
		t->named++;
	return 0;
}

static const struct proccn_table_callbacks table_callbacks = {
	.sz = sizeof(struct proccn_table_callbacks),
	.on_exit = table_on_exit,
	.on_loss = lib_on_loss,
};

static int table_step(void *reader, struct tally *t, int timeout_ms)
{
	int r = proccn_table_dispatch(reader, &table_callbacks, t, timeout_ms);

	return r == -EINTR ? 0 : r;
}

static void run_table(const struct trial_cfg *cfg, const struct consumer_pipes *p,
		      struct window *w, struct tally *t, struct result *res)
{
	struct proccn_table *tab = NULL;
	const char *base = strrchr(storm_true_path, '/');
	int r;

	/* its own handle, with the library's defaults */
	r = proccn_table_open(&tab, NULL, NULL);
	if (r < 0) {
		snprintf(res->err, sizeof(res->err), "proccn_table_open: %s", proccn_strerror(r));
		return;
	}
	t->want_comm = cfg->wl == W_EXEC ? (base ? base + 1 : storm_true_path) : NULL;
	while (proccn_table_dispatch(tab, &table_callbacks, t, 0) > 0)
		;   /* the scan's report, and what queued meanwhile */
	t->events = t->loss_reports = 0;
	follow(cfg, p, w, t, res, table_step, tab);
	proccn_table_close(tab);
}

/* ---- (k): forkstat -q, a process of its own ------------------------------- */

/* Write @v into the sysctl file @path; the old value into *old (if any). 0 or -1. */
static int sysctl_swap(const char *path, long v, long *old)
{
	FILE *f = fopen(path, "r+e");
	int r = -1;

	if (!f)
		return -1;
	if ((!old || fscanf(f, "%ld", old) == 1) && fseek(f, 0, SEEK_SET) == 0 &&
	    fprintf(f, "%ld\n", v) > 0)
		r = 0;
	return fclose(f) == 0 ? r : -1;
}

/*
 * Exits forkstat counted (its -S table at the end: per name, the columns
 * Fork Exec Exit ...; the third summed), or -1 when it printed none.
 */
static long forkstat_exits(FILE *out)
{
	char line[4096];
	long sum = -1, fork_n, exec_n, exit_n;

	rewind(out);
	while (fgets(line, sizeof(line), out))
		if (sscanf(line, " %ld %ld %ld", &fork_n, &exec_n, &exit_n) == 3)
			sum = (sum < 0 ? 0 : sum) + exit_n;
	return sum;
}

/*
 * forkstat runs alone as the consumer, with the receive buffer the library
 * has (net.core.rmem_default at 4 MiB for its start: it sets none itself);
 * what it costs is its own task clock over the window (its start-up scan of
 * /proc is not counted), its syscalls and sleeps (storm_window.h), until it
 * idles after the generator is done. How many
 * exits it saw comes from its statistics; it has no kernel timestamps here.
 */
static void run_forkstat(const struct trial_cfg *cfg, const struct consumer_pipes *p,
			 struct window *w, struct tally *t, struct result *res)
{
	static const char rmem[] = "/proc/sys/net/core/rmem_default";
	struct timespec settle = { 0, 500000000 }, step = { 0, 100000000 };
	FILE *out = tmpfile();
	long old_rmem = -1, exits;
	pid_t fs;

	if (!out || sysctl_swap(rmem, 4 << 20, &old_rmem) < 0) {
		set_err(res, "tmpfile or net.core.rmem_default", errno);
		if (out)
			fclose(out);
		return;
	}
	fs = fork();
	if (fs == 0) {
		dup2(fileno(out), STDOUT_FILENO);
		dup2(fileno(out), STDERR_FILENO);
		execlp("forkstat", "forkstat", "-q", "-S", (char *)NULL);
		_exit(127);
	}
	nanosleep(&settle, NULL);   /* it has subscribed and scanned /proc */
	(void)sysctl_swap(rmem, old_rmem, NULL);
	if (fs < 0 || waitpid(fs, NULL, WNOHANG) == fs) {
		snprintf(res->err, sizeof(res->err), "forkstat did not start");
		fclose(out);
		return;
	}
	if (window_measure_pid(w, fs, cfg->count_syscalls, res) == 0 &&
	    window_begin(w, p->ready, res) == 0) {
		struct pollfd pfd = { .fd = p->ctl, .events = POLLIN };

		int64_t before, now = window_oncpu_now(w);
		int steps = 0;

		while (poll(&pfd, 1, STEP_MS) == 0 || !generator_done(p->ctl))
			;
		/* what it has yet to read: until it idles (under 1 ms of CPU in
		   100 ms), at most 30 s */
		do {
			before = now;
			nanosleep(&step, NULL);
			now = window_oncpu_now(w);
		} while (now >= 0 && now - before >= 1000000 && ++steps < 300);
		window_end(w, res);
	}
	kill(fs, SIGINT);
	waitpid(fs, NULL, 0);
	/* its count includes other processes' exits: at most N of them are ours */
	exits = forkstat_exits(out);
	if (exits < 0)
		snprintf(res->err, sizeof(res->err), "forkstat printed no statistics");
	else
		t->seen = (uint64_t)exits < cfg->n ? (uint64_t)exits : cfg->n;
	fclose(out);
}

/* ---- the consumer process ----------------------------------------------- */

void consumer_main(const struct trial_cfg *cfg, const struct consumer_pipes *p)
{
	struct result res;
	struct tally t;
	struct window w;
	unsigned int i;
	ssize_t wr;

	memset(&res, 0, sizeof(res));
	memset(&t, 0, sizeof(t));
	t.pid_max = read_pid_max();
	t.tab = calloc(t.pid_max, 1);
	t.delay = malloc(cfg->n * sizeof(*t.delay));
	if (!t.tab || !t.delay) {
		set_err(&res, "calloc", ENOMEM);
	} else if (window_open(&w, cfg->count_syscalls, &res) == 0) {
		for (i = 0; i < cfg->n; i++)
			if ((uint32_t)cfg->pids[i] < t.pid_max)
				t.tab[cfg->pids[i]] = 1;
		if (cfg->kind == C_E)
			run_naive(cfg, p, &w, &t, &res);
		else if (cfg->kind == C_F)
			run_pidfd(cfg, p, &w, &t, &res);
		else if (cfg->kind == C_T)
			run_table(cfg, p, &w, &t, &res);
		else if (cfg->kind == C_K)
			run_forkstat(cfg, p, &w, &t, &res);
		else
			run_lib(cfg, p, &w, &t, &res);
		window_close(&w);
	}
	res.seen = t.seen;
	res.named = t.named;
	res.events = t.events;
	res.loss_reports = t.loss_reports;
	res.have_delay = t.ndelay > 0;
	res.stamp_span_ns = (int64_t)(t.last_ts - t.first_ts);
	delay_summary(t.delay, t.ndelay, res.delay_ns);
	res.ok = !res.err[0];
	wr = write(p->res, &res, sizeof(res));
	(void)wr;
	_exit(0);
}
