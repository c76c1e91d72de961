/* SPDX-License-Identifier: MIT-0 */
/*
 * exit-monitor - report processes that exit abnormally (non-zero status or
 * killed by a signal), with their name: the "clean up after crashed workers"
 * use case. A copy-paste starter for libproccn; uses only <proccn.h>.
 *
 * The kernel's exit event carries no name, and /proc/PID is gone by the time
 * we read the event. So we remember names while processes live: from a /proc
 * scan at start, from EXEC (read /proc/PID/comm then), from COMM (the event
 * carries the new name) and from FORK (a child starts with its parent's name).
 *
 * A process chooses its own name, any 15 bytes: printed raw, ESC [2J would
 * clear the watcher's screen and ESC ]0; set its window title. Names are
 * printed escaped (print_name()).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <proccn.h>

/* Direct-mapped pid -> name table: fixed memory, a collision just forgets
 * the older entry (then we print "(unknown)"), which is fine for a monitor. */
#define SLOTS 8192
static struct { pid_t pid; char comm[PROCCN_COMM_LEN]; } names[SLOTS];

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void remember(pid_t pid, const char *comm)
{
	char tmp[PROCCN_COMM_LEN];

	/* Via a copy: comm may point into names[] itself (a parent whose
	 * slot is the child's), and snprintf must not overlap. */
	snprintf(tmp, sizeof(tmp), "%s", comm);
	names[pid % SLOTS].pid = pid;
	memcpy(names[pid % SLOTS].comm, tmp, sizeof(tmp));
}

static const char *lookup(pid_t pid)
{
	return names[pid % SLOTS].pid == pid ? names[pid % SLOTS].comm : NULL;
}

static void forget(pid_t pid)
{
	names[pid % SLOTS].pid = 0;
}

/*
 * Read /proc/PID/comm while the process is still alive. A short-lived process
 * may be gone already: then forget the pid, so that a stale name (from its
 * parent, or from an older process with the same pid) is never printed.
 */
static void remember_from_proc(pid_t pid)
{
	char path[64], comm[PROCCN_COMM_LEN] = "";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		forget(pid);
		return;
	}
	n = read(fd, comm, sizeof(comm) - 1);
	close(fd);
	if (n <= 0) {
		forget(pid);
		return;
	}
	comm[strcspn(comm, "\n")] = '\0';
	remember(pid, comm);
}

static int on_fork(const struct proccn_fork *ev, void *userdata)
{
	const char *parent = lookup(ev->parent_tgid);

	(void)userdata;
	if (parent)
		remember(ev->child_tgid, parent);
	else
		remember_from_proc(ev->child_tgid);
	return 0;
}

static int on_exec(const struct proccn_exec *ev, void *userdata)
{
	(void)userdata;
	remember_from_proc(ev->tgid);
	return 0;
}

static int on_comm(const struct proccn_comm *ev, void *userdata)
{
	(void)userdata;
	if (ev->pid == ev->tgid)	/* threads may have their own names */
		remember(ev->tgid, ev->comm);
	return 0;
}

/*
 * Bytes outside printable ASCII as \xHH and a backslash as \\ (so that a
 * name holding the text "\x41" cannot pass for an escaped byte): no escape
 * sequence, newline or invalid UTF-8 reaches the terminal.
 */
static void print_name(const char *name)
{
	const unsigned char *c;

	for (c = (const unsigned char *)name; *c; c++) {
		if (*c < 0x20 || *c >= 0x7f)
			printf("\\x%02x", *c);
		else if (*c == '\\')
			fputs("\\\\", stdout);
		else
			putchar(*c);
	}
}

static int on_exit_event(const struct proccn_exit *ev, void *userdata)
{
	const char *name = lookup(ev->tgid);
	struct proccn_exit_status st;
	const char *sig;

	(void)userdata;
	proccn_decode_exit(ev->exit_code, &st);
	printf("pid %d (", (int)ev->tgid);
	if (name)
		print_name(name);
	else
		fputs("(unknown)", stdout);
	printf("), parent %d: ", (int)ev->parent_tgid);
	if (st.signaled) {
		sig = sigabbrev_np(st.signal);	/* "SEGV"; NULL for unnamed numbers */
		if (sig)
			printf("killed by SIG%s", sig);
		else
			printf("killed by signal %d", st.signal);
		printf("%s\n", st.core_dumped ? ", core dumped" : "");
	} else {
		printf("exited %d\n", st.code);
	}
	/* Here a real supervisor would restart the worker, remove its lock
	 * files, release its resources... */
	forget(ev->tgid);
	return 0;
}

/* Learn the names of processes that already run. */
static void scan_proc(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end == '\0' && pid > 0)
			remember_from_proc((pid_t)pid);
	}
	closedir(d);
}

int main(void)
{
	struct proccn_opts opts = PROCCN_OPTS_INIT;
	struct proccn_callbacks cb = { .sz = sizeof(cb) };
	struct sigaction sa = { .sa_handler = on_signal };
	struct proccn *h;
	int r;

	/*
	 * NONZERO_EXIT (without EXIT) makes the kernel (Linux 6.6+) or the
	 * library (older kernels) drop clean exits, so a busy machine does not
	 * wake us for every `ls`. PROCESSES_ONLY hides threads' exits.
	 */
	opts.events = PROCCN_EV_NONZERO_EXIT | PROCCN_EV_FORK | PROCCN_EV_EXEC | PROCCN_EV_COMM;
	opts.flags = PROCCN_F_PROCESSES_ONLY;
	cb.on_fork = on_fork;
	cb.on_exec = on_exec;
	cb.on_comm = on_comm;
	cb.on_exit = on_exit_event;

	/* No SA_RESTART: the signal makes the wait in proccn_dispatch() return. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);

	r = proccn_open(&h, &opts);	/* subscribe first, then scan: no gap */
	if (r < 0) {
		fprintf(stderr, "exit-monitor: %s\n", proccn_strerror(r));
		return 1;
	}
	scan_proc();

	/* The 1 s timeout bounds how late a signal that arrives just before the
	 * wait is noticed. Timeout 0 first: see proccn_fd() in proccn.h. */
	r = proccn_dispatch(h, &cb, NULL, 0);
	while (!stop && (r >= 0 || r == -EINTR))
		r = proccn_dispatch(h, &cb, NULL, 1000);
	if (r < 0 && r != -EINTR)
		fprintf(stderr, "exit-monitor: %s\n", proccn_strerror(r));
	proccn_close(h);	/* unsubscribes: always close, even on error */
	return r < 0 && r != -EINTR ? 1 : 0;
}
