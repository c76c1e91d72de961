/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A fake /proc tree in a temporary directory, for tests of code that reads
 * /proc (lib/procfs.h, and the process table). Each process is a directory
 * PID/ with the files the library reads, written the way the kernel formats
 * them: stat (all 52 fields), status, cmdline, exe (a symlink; none for a
 * kernel thread), cgroup (v1 lines and the v2 line), loginuid, sessionid.
 * The root also holds the non-process entries of a real /proc ("self",
 * "sys", "cpuinfo", ...).
 *
 * Test code: allocates, and aborts with a message when the file system
 * fails (a test cannot go on without its fixture).
 */
#ifndef PCN_TEST_FAKEPROC_H
#define PCN_TEST_FAKEPROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct fakeproc;

/* One process, as the files will show it. fakeproc_proc_init() fills defaults. */
struct fakeproc_proc {
	pid_t pid;
	const char *comm;          /* any bytes but NUL, written raw into stat */
	char state;                /* 'S' */
	pid_t ppid, pgrp, session; /* 1, pid, pid */
	int tty_nr;                /* 0 */
	int num_threads;           /* 1 */
	uint64_t starttime;        /* clock ticks: 1000 + pid */
	uint32_t uid[4], gid[4];   /* real, effective, saved, fs: all 1000 */
	pid_t nspid;               /* last NSpid value: pid; 0 = no NSpid line */
	const char *const *argv;   /* NULL-terminated; NULL = empty cmdline */
	const char *exe;           /* symlink target; NULL = no exe (kernel thread) */
	const char *cgroup;        /* v2 path; NULL = no "0::" line (v1 only) */
	uint32_t loginuid;         /* UINT32_MAX: unset */
	uint32_t sessionid;        /* UINT32_MAX: unset */
};

/* Defaults for @pid (see the comments above); strings point to literals. */
void fakeproc_proc_init(struct fakeproc_proc *p, pid_t pid);

/* A new empty tree in $TMPDIR (or /tmp), readable by every user. */
struct fakeproc *fakeproc_new(void);

/* The tree's root directory: what proccn__procfs_root_open() is given. */
const char *fakeproc_root(const struct fakeproc *fp);

/*
 * Add the process, or rewrite all files of an existing one in place (the
 * same directory: fds opened on it stay valid and see the new contents).
 */
void fakeproc_add(struct fakeproc *fp, const struct fakeproc_proc *p);

/* The process is gone: its directory is removed (fds on it go stale). */
void fakeproc_remove(struct fakeproc *fp, pid_t pid);

/*
 * A new process got the same pid (pid reuse): the old directory is removed
 * and a new one made, so fds opened on the old one are stale.
 */
void fakeproc_replace(struct fakeproc *fp, const struct fakeproc_proc *p);

/* Replace file @name of process @pid by @len bytes of @data (garbage). */
void fakeproc_write(struct fakeproc *fp, pid_t pid, const char *name, const void *data,
		    size_t len);

/* Remove file @name of process @pid (or a symlink: "exe"). */
void fakeproc_unlink(struct fakeproc *fp, pid_t pid, const char *name);

/*
 * Make file @name of process @pid unreadable: mode 0. root reads it anyway
 * (CAP_DAC_OVERRIDE): tests check it from a child that gave up root, see
 * fakeproc_run_unprivileged().
 */
void fakeproc_unreadable(struct fakeproc *fp, pid_t pid, const char *name);

/*
 * Run @fn(@arg) in a child process as an ordinary user (uid and gid 65534
 * when started as root; unchanged otherwise) and return what it returned,
 * or INT32_MIN if the child could not give up root or died.
 */
int fakeproc_run_unprivileged(int (*fn)(void *arg), void *arg);

/* Remove the tree and free @fp (NULL is fine). */
void fakeproc_free(struct fakeproc *fp);

#endif
