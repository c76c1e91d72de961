/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A fake /proc tree for tests: see fakeproc.h. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fakeproc.h"

struct fakeproc {
	char root[PATH_MAX];
	int rootfd;
};

#define NOBODY 65534

static void die(const char *what, const char *name)
{
	fprintf(stderr, "fakeproc: %s %s: %s\n", what, name ? name : "", strerror(errno));
	abort();
}

void fakeproc_proc_init(struct fakeproc_proc *p, pid_t pid)
{
	int i;

	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->comm = "fake";
	p->state = 'S';
	p->ppid = 1;
	p->pgrp = pid;
	p->session = pid;
	p->num_threads = 1;
	p->starttime = 1000 + (uint64_t)pid;
	for (i = 0; i < 4; i++)
		p->uid[i] = p->gid[i] = 1000;
	p->nspid = pid;
	p->exe = "/usr/bin/fake";
	p->cgroup = "/user.slice/user-1000.slice/session-1.scope";
	p->loginuid = 1000;
	p->sessionid = 1;
}

struct fakeproc *fakeproc_new(void)
{
	static const char *const dirs[] = { "sys", "net", "fs" };
	static const char *const files[] = { "cpuinfo", "uptime", "stat", "1a", "007", "-1" };
	struct fakeproc *fp = calloc(1, sizeof(*fp));
	const char *tmp = getenv("TMPDIR");
	size_t i;

	if (!fp)
		die("calloc", NULL);
	snprintf(fp->root, sizeof(fp->root), "%s/pcn-fakeproc.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(fp->root))
		die("mkdtemp", fp->root);
	/* the unprivileged child of fakeproc_run_unprivileged() walks it too */
	if (chmod(fp->root, 0755) < 0)
		die("chmod", fp->root);
	fp->rootfd = open(fp->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fp->rootfd < 0)
		die("open", fp->root);
	/* what a real /proc has besides processes: a scan must skip it */
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (mkdirat(fp->rootfd, dirs[i], 0755) < 0)
			die("mkdir", dirs[i]);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		int fd = openat(fp->rootfd, files[i], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

		if (fd < 0)
			die("create", files[i]);
		close(fd);
	}
	if (symlinkat("1", fp->rootfd, "self") < 0 || symlinkat("1/task/1", fp->rootfd, "thread-self") < 0)
		die("symlink", "self");
	return fp;
}

const char *fakeproc_root(const struct fakeproc *fp)
{
	return fp->root;
}

static void pid_path(char *buf, size_t size, pid_t pid, const char *name)
{
	if (name)
		snprintf(buf, size, "%d/%s", (int)pid, name);
	else
		snprintf(buf, size, "%d", (int)pid);
}

void fakeproc_write(struct fakeproc *fp, pid_t pid, const char *name, const void *data,
		    size_t len)
{
	char path[64];
	int fd;

	pid_path(path, sizeof(path), pid, name);
	/* a new inode each time, so that a mode 0 file is replaced too */
	if (unlinkat(fp->rootfd, path, 0) < 0 && errno != ENOENT)
		die("unlink", path);
	fd = openat(fp->rootfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0444);
	if (fd < 0)
		die("create", path);
	if (len && write(fd, data, len) != (ssize_t)len)
		die("write", path);
	close(fd);
}

/* Append printf output to a growing buffer. */
struct text {
	char *buf;
	size_t len, cap;
};

static void __attribute__((format(printf, 2, 3))) text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			die("vsnprintf", fmt);
		if ((size_t)n < t->cap - t->len)
			break;
		t->cap = (t->cap + (size_t)n + 1) * 2;
		t->buf = realloc(t->buf, t->cap);
		if (!t->buf)
			die("realloc", NULL);
	}
	t->len += (size_t)n;
}

static void text_write(struct fakeproc *fp, pid_t pid, const char *name, struct text *t)
{
	fakeproc_write(fp, pid, name, t->buf, t->len);
	t->len = 0;
}

/* stat as fs/proc/array.c prints it: 52 fields, comm raw between the parentheses. */
static void write_stat(struct fakeproc *fp, const struct fakeproc_proc *p, struct text *t)
{
	int i;

	text_add(t, "%d (%s) %c %d %d %d %d -1 4194304 100 0 2 0 5 3 0 0 20 0 %d 0 %" PRIu64
		 " 12345678 300 18446744073709551615", (int)p->pid, p->comm, p->state, (int)p->ppid,
		 (int)p->pgrp, (int)p->session, p->tty_nr, p->num_threads, p->starttime);
	for (i = 26; i <= 52; i++)
		text_add(t, " %d", i == 39 ? 1 : 0);
	text_add(t, "\n");
	text_write(fp, p->pid, "stat", t);
}

/* status with the kernel's lines and order, the name escaped as the kernel does. */
static void write_status(struct fakeproc *fp, const struct fakeproc_proc *p, struct text *t)
{
	const char *c;

	text_add(t, "Name:\t");
	for (c = p->comm; *c; c++) {
		if (*c == '\n')
			text_add(t, "\\n");
		else if (*c == '\\')
			text_add(t, "\\\\");
		else
			text_add(t, "%c", *c);
	}
	text_add(t, "\nUmask:\t0022\nState:\t%c (sleeping)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\n"
		 "PPid:\t%d\nTracerPid:\t0\n", p->state, (int)p->pid, (int)p->pid, (int)p->ppid);
	text_add(t, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n", p->uid[0], p->uid[1],
		 p->uid[2], p->uid[3], p->gid[0], p->gid[1], p->gid[2], p->gid[3]);
	text_add(t, "FDSize:\t64\nGroups:\t4 24 27 1000 \nNStgid:\t%d\n", (int)p->pid);
	if (p->nspid == p->pid)
		text_add(t, "NSpid:\t%d\n", (int)p->pid);
	else if (p->nspid)
		text_add(t, "NSpid:\t%d\t%d\n", (int)p->pid, (int)p->nspid);
	text_add(t, "NSpgid:\t%d\nNSsid:\t%d\nKthread:\t%d\nVmPeak:\t   10000 kB\n"
		 "VmRSS:\t    1200 kB\nThreads:\t%d\nSigQ:\t0/63389\n"
		 "Cpus_allowed:\t3\nCpus_allowed_list:\t0-1\nvoluntary_ctxt_switches:\t5\n",
		 (int)p->pgrp, (int)p->session, p->exe ? 0 : 1, p->num_threads);
	text_write(fp, p->pid, "status", t);
}

static void write_files(struct fakeproc *fp, const struct fakeproc_proc *p)
{
	struct text t = { NULL, 0, 0 };
	char path[64];
	size_t i;

	write_stat(fp, p, &t);
	write_status(fp, p, &t);
	for (i = 0; p->argv && p->argv[i]; i++) {
		text_add(&t, "%s", p->argv[i]);
		text_add(&t, "%c", '\0');
	}
	text_write(fp, p->pid, "cmdline", &t);
	text_add(&t, "9:name=systemd:/user.slice\n8:pids:/user.slice/user-1000.slice\n"
		 "4:memory:/\n1:cpu:/\n");
	if (p->cgroup)
		text_add(&t, "0::%s\n", p->cgroup);
	text_write(fp, p->pid, "cgroup", &t);
	text_add(&t, "%u", p->loginuid);
	text_write(fp, p->pid, "loginuid", &t);
	text_add(&t, "%u", p->sessionid);
	text_write(fp, p->pid, "sessionid", &t);
	free(t.buf);
	pid_path(path, sizeof(path), p->pid, "exe");
	if (unlinkat(fp->rootfd, path, 0) < 0 && errno != ENOENT)
		die("unlink", path);
	if (p->exe && symlinkat(p->exe, fp->rootfd, path) < 0)
		die("symlink", path);
}

void fakeproc_add(struct fakeproc *fp, const struct fakeproc_proc *p)
{
	char path[32];

	pid_path(path, sizeof(path), p->pid, NULL);
	if (mkdirat(fp->rootfd, path, 0755) < 0 && errno != EEXIST)
		die("mkdir", path);
	write_files(fp, p);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_tree(const char *path)
{
	/* FTW_DEPTH: contents first; FTW_PHYS: symlinks themselves */
	if (nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT)
		die("remove", path);
}

void fakeproc_remove(struct fakeproc *fp, pid_t pid)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/%d", fp->root, (int)pid);
	remove_tree(path);
}

void fakeproc_replace(struct fakeproc *fp, const struct fakeproc_proc *p)
{
	fakeproc_remove(fp, p->pid);
	fakeproc_add(fp, p);
}

void fakeproc_unlink(struct fakeproc *fp, pid_t pid, const char *name)
{
	char path[64];

	pid_path(path, sizeof(path), pid, name);
	if (unlinkat(fp->rootfd, path, 0) < 0)
		die("unlink", path);
}

void fakeproc_unreadable(struct fakeproc *fp, pid_t pid, const char *name)
{
	char path[64];

	pid_path(path, sizeof(path), pid, name);
	if (fchmodat(fp->rootfd, path, 0, 0) < 0)
		die("chmod", path);
}

int fakeproc_run_unprivileged(int (*fn)(void *arg), void *arg)
{
	int result = INT32_MIN, status, pipefd[2];
	pid_t child;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return INT32_MIN;
	fflush(NULL);
	child = fork();
	if (child < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return INT32_MIN;
	}
	if (child == 0) {
		int r;

		close(pipefd[0]);
		if (geteuid() == 0 && (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
				       setresuid(NOBODY, NOBODY, NOBODY) < 0))
			_exit(1);
		r = fn(arg);
		_exit(write(pipefd[1], &r, sizeof(r)) == (ssize_t)sizeof(r) ? 0 : 1);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &result, sizeof(result)) != (ssize_t)sizeof(result))
		result = INT32_MIN;
	close(pipefd[0]);
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		result = INT32_MIN;
	return result;
}

void fakeproc_free(struct fakeproc *fp)
{
	if (!fp)
		return;
	close(fp->rootfd);
	remove_tree(fp->root);
	free(fp);
}
