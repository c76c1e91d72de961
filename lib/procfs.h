/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading /proc for the process table: who a pid is (stat, status, exe,
 * cmdline, cgroup, audit ids), which pids exist (scan), and when a process
 * started on the event clock. Internal to the library, not public API.
 *
 * Conventions
 * - Every function returns >= 0 on success and a negative errno on failure.
 *   Parsers: -EINVAL for malformed input, -ERANGE for a number or a string
 *   that does not fit its field. Readers add: -ESRCH the process is gone
 *   (also through a directory fd opened while it lived), -EACCES not
 *   permitted, -ENOENT the file or the item does not exist (said per function).
 * - Parsers are pure: they take a buffer and its length (no NUL needed),
 *   never read past it, never allocate, and accept any bytes. Spans they
 *   return point into the input.
 * - Readers make only the system calls they document, allocate nothing and
 *   open everything O_CLOEXEC. All files of a process are read relative to
 *   one directory fd from proccn__procfs_open_pid(), so they all come from
 *   the process that had the pid when the fd was opened: a later process
 *   with the same pid is never read through it.
 * - Paths, comm and cmdline are bytes as the kernel gives them (any byte
 *   but NUL; comm and cmdline are set by the process itself: untrusted).
 * - No global state: every function may be called from any thread; one
 *   scan (and its directory fd) belongs to one thread at a time.
 */
#ifndef PCN_PROCFS_H
#define PCN_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- Sizes --------------------------------------------------------------- */

/*
 * comm with its NUL. A user process's comm is at most 15 bytes (TASK_COMM_LEN);
 * /proc shows kernel threads and workqueue workers with longer names, up to
 * 63 bytes ("kworker/u8:1-ext4-rsv-conversion", measured on 6.18).
 */
#define PROCCN__PROCFS_COMM_SIZE 64

/*
 * Scratch buffer sizes for the readers. STAT always holds fields 1-22 (at most
 * about 480 bytes: 63-byte comm, 18 numbers of up to 21 characters). STATUS
 * always holds Tgid..Gid (within the first 600 bytes); NSpid comes after
 * Groups, which can be long (up to 65536 groups): beyond the buffer it is
 * reported absent. EXE is PATH_MAX: the kernel never makes a longer link.
 * CGROUP fits any real system's cgroup file but one with very long v1 paths.
 */
#define PROCCN__PROCFS_STAT_SIZE   1024
#define PROCCN__PROCFS_STATUS_SIZE 4096
#define PROCCN__PROCFS_EXE_SIZE    4096
#define PROCCN__PROCFS_CGROUP_SIZE 4096

/*
 * Smallest buffer for a scan: one getdents64 record of a 255-byte name.
 * 4096 bytes return about 170 pids per system call.
 */
#define PROCCN__PROCFS_SCAN_MIN 288

/* Flags the readers set. */
#define PROCCN__PROCFS_F_DELETED   0x1u /* exe or cgroup ended in " (deleted)", removed */
#define PROCCN__PROCFS_F_TRUNCATED 0x2u /* cmdline: the buffer was full, more followed */

/* loginuid and sessionid of a process no login session ever set. */
#define PROCCN__PROCFS_ID_UNSET UINT32_MAX

/* ---- Pure parsers ------------------------------------------------------- */

/* The fields of /proc/PID/stat the table needs (proc(5) numbers them 1-22). */
struct proccn__procfs_stat {
	pid_t pid;            /* 1: as the reader's pid namespace sees it */
	char comm[PROCCN__PROCFS_COMM_SIZE]; /* 2: NUL-terminated, no NUL inside */
	size_t comm_len;      /* strlen(comm): 0 is possible (prctl PR_SET_NAME "") */
	char state;           /* 3: R S D Z T t X I ...; any byte but space, newline, NUL */
	pid_t ppid;           /* 4: 0 for init, kthreadd, and parents outside our pid ns */
	pid_t pgrp;           /* 5 */
	pid_t session;        /* 6 */
	int32_t tty_nr;       /* 7: controlling tty device as the kernel encodes it, 0 none */
	int32_t num_threads;  /* 20 */
	uint64_t starttime;   /* 22: CLOCK_BOOTTIME clock ticks (see the clock helpers) */
};

/*
 * proccn__procfs_parse_stat - parse the text of /proc/PID/stat.
 * comm is the bytes between the first '(' and the last ')': the kernel puts
 * nothing after comm that contains ')', while comm itself may contain ')',
 * '(', spaces and newlines. Fields after 22 are not looked at (they may be
 * missing: a buffer cut after field 22 parses). Numbers are decimal without
 * '+' or leading spaces; pid fields must be 0..INT32_MAX (pid >= 1),
 * tty_nr any int32, num_threads >= 0. -EINVAL: malformed or a field missing;
 * -ERANGE: a number out of its range, or comm longer than 63 bytes.
 * @out is written only on success.
 */
int proccn__procfs_parse_stat(const char *buf, size_t len, struct proccn__procfs_stat *out);

/* Index of the four ids of the Uid and Gid lines of /proc/PID/status. */
enum {
	PROCCN__PROCFS_REAL = 0,
	PROCCN__PROCFS_EFFECTIVE = 1,
	PROCCN__PROCFS_SAVED = 2,
	PROCCN__PROCFS_FS = 3,
};

/* The fields of /proc/PID/status the table needs. */
struct proccn__procfs_status {
	pid_t tgid;        /* Tgid: the process; differs from the pid read for a thread */
	pid_t ppid;        /* PPid */
	uint32_t uid[4];   /* Uid: real, effective, saved, fs (PROCCN__PROCFS_REAL...) */
	uint32_t gid[4];   /* Gid: the same four */
	pid_t nspid;       /* last NSpid value: the pid inside the process's own pid
			      namespace; 0 when the line is absent (before 4.1, or
			      beyond a cut buffer) */
};

/*
 * proccn__procfs_parse_status - parse the text of /proc/PID/status. Lines are
 * "Key:" then values separated by tabs or spaces; unknown keys are skipped.
 * Tgid, PPid, Uid and Gid (exactly four values each) are required, NSpid is
 * optional; any of them twice is -EINVAL. A last line without '\n' counts as
 * complete: a reader that cut the file cuts it after a '\n'. -EINVAL:
 * malformed, or a required line missing; -ERANGE: a value out of range.
 * @out is written only on success.
 */
int proccn__procfs_parse_status(const char *buf, size_t len, struct proccn__procfs_status *out);

/*
 * proccn__procfs_parse_cgroup - find the cgroup v2 path in the text of
 * /proc/PID/cgroup: the line "0::PATH" (v1 lines "N:controllers:PATH" are
 * skipped). PATH starts with '/' and is relative to the reader's cgroup
 * namespace root ("/" inside a container with its own namespace; a path
 * outside it starts with "/.."). A " (deleted)" suffix (a zombie whose cgroup
 * was removed) is taken off and PROCCN__PROCFS_F_DELETED set in @flags.
 * On success *path and *path_len give the span in @buf (not NUL-terminated).
 * -ENODATA: no v2 line (a cgroup v1 only system); -EINVAL: a v2 line whose
 * path does not start with '/', or two v2 lines. @flags may be NULL.
 */
int proccn__procfs_parse_cgroup(const char *buf, size_t len, const char **path,
				size_t *path_len, unsigned int *flags);

/*
 * proccn__procfs_cgroup_unit - the systemd unit of a cgroup v2 path: the last
 * path component that ends in .service, .scope, .slice, .socket, .mount or
 * .swap with at least one byte before the suffix. Components after it (a
 * service's own sub-cgroups) are skipped:
 *   /user.slice/user-1000.slice/user@1000.service/app.slice/foo.scope -> foo.scope
 *   /system.slice/docker.service/payload                            -> docker.service
 * On success *unit and *unit_len give the span in @path. -ENOENT: no such
 * component ("/", or a path from a cgroup v1 hierarchy or another manager).
 */
int proccn__procfs_cgroup_unit(const char *path, size_t len, const char **unit,
			       size_t *unit_len);

/*
 * proccn__procfs_cgroup_container - the container id in a cgroup v2 path: the
 * last component that is one of
 *   docker-ID.scope  crio-ID.scope  libpod-ID.scope  cri-containerd-ID.scope
 *   containerd-ID.scope                      (systemd cgroup driver)
 *   ID with "docker" or a "kubepods*" component anywhere before it
 *                                             (cgroupfs driver: /docker/ID,
 *                                              /kubepods/burstable/podUID/ID)
 * where ID is exactly 64 lowercase hex digits. The last one wins: for a
 * container inside a container, the innermost id. conmon and pod-level cgroups
 * ("libpod-conmon-ID.scope", "kubepods-pod....slice") are not containers.
 * On success *id and *id_len (always 64) give the span in @path. -ENOENT: no id.
 */
int proccn__procfs_cgroup_container(const char *path, size_t len, const char **id,
				    size_t *id_len);

/*
 * proccn__procfs_parse_id - parse /proc/PID/loginuid or sessionid: a decimal
 * u32, optionally followed by one '\n' (the kernel writes none).
 * PROCCN__PROCFS_ID_UNSET means never set. -EINVAL: not such a number;
 * -ERANGE: above UINT32_MAX. @out is written only on success.
 */
int proccn__procfs_parse_id(const char *buf, size_t len, uint32_t *out);

/* ---- Opening ------------------------------------------------------------ */

/*
 * proccn__procfs_root_open - open a /proc root: @path, or "/proc" when NULL
 * (an agent may see the host's at /host/proc; tests use a fake tree). Returns
 * an O_RDONLY|O_DIRECTORY|O_CLOEXEC fd, good for proccn__procfs_open_pid()
 * and for one scan at a time (a scan moves the fd's file position; a second
 * concurrent scan needs its own fd from another call, not dup()). Nothing
 * checks that @path is a procfs. The caller closes it. -errno of open(2).
 */
int proccn__procfs_root_open(const char *path);

/*
 * proccn__procfs_open_pid - open the directory of process @pid under @rootfd
 * (O_PATH|O_DIRECTORY|O_CLOEXEC): one system call. Every reader below takes
 * this fd, and reads through it keep answering for the process that had the
 * pid now, or -ESRCH once it is reaped, never for a new process with the
 * same pid. A zombie still opens (stat says 'Z'). A thread id opens too (its
 * directory is not listed): the files then describe that thread. Returns the
 * fd (the caller closes it), -ESRCH: no such process (or hidden from us by
 * the hidepid mount option), -EINVAL: @pid <= 0, or -errno of openat(2).
 */
int proccn__procfs_open_pid(int rootfd, pid_t pid);

/* ---- Reading one process ---------------------------------------------- */

/*
 * proccn__procfs_read_file - open @name relative to @dirfd, read(2) it once
 * into @buf (at most @size bytes), close it: three system calls (a fourth
 * when openat() says ENOENT, to tell -ESRCH from -ENOENT). One read returns
 * all of a /proc file that fits (they are generated whole per read).
 * *len is the bytes read; *len == @size means the file may be longer.
 * -ESRCH: the process is gone; -ENOENT: it lives but has no such file;
 * -EACCES; -EINVAL: @size is 0; other -errno of openat(2)/read(2).
 */
int proccn__procfs_read_file(int dirfd, const char *name, char *buf, size_t size, size_t *len);

/*
 * proccn__procfs_read_stat - read and parse /proc/PID/stat using @buf
 * (@size >= PROCCN__PROCFS_STAT_SIZE, else -EINVAL) as scratch: three system
 * calls. Errors of proccn__procfs_read_file() and of the parser.
 */
int proccn__procfs_read_stat(int dirfd, char *buf, size_t size, struct proccn__procfs_stat *out);

/*
 * proccn__procfs_read_status - read and parse /proc/PID/status using @buf
 * (@size >= PROCCN__PROCFS_STAT_SIZE, else -EINVAL; PROCCN__PROCFS_STATUS_SIZE
 * usually reaches NSpid) as scratch: three system calls. A file longer than
 * @buf is parsed up to its last complete line. Errors of
 * proccn__procfs_read_file() and of the parser.
 */
int proccn__procfs_read_status(int dirfd, char *buf, size_t size,
			       struct proccn__procfs_status *out);

/*
 * proccn__procfs_read_exe - readlink /proc/PID/exe into @buf as a
 * NUL-terminated path of *len bytes, as seen from the reader's root: one
 * system call (two on -ENOENT, to tell it from -ESRCH). A " (deleted)" suffix
 * (the file was removed or replaced since exec) is taken off and
 * PROCCN__PROCFS_F_DELETED set in @flags; a file really named "x (deleted)"
 * looks the same. -ENOENT: no executable (a kernel thread, or a zombie or
 * exiting process whose memory is gone); -EACCES: no ptrace read access
 * (other users' processes without CAP_SYS_PTRACE; checked first, so an
 * ordinary user gets -EACCES for kernel threads too); -ERANGE: longer than
 * @size - 1 (never with PROCCN__PROCFS_EXE_SIZE); -ESRCH. @flags may be NULL.
 */
int proccn__procfs_read_exe(int dirfd, char *buf, size_t size, size_t *len, unsigned int *flags);

/*
 * proccn__procfs_read_cmdline - read /proc/PID/cmdline into @buf: *len raw
 * bytes, normally each argument followed by a NUL, but a process may rewrite
 * its arguments with anything; 0 bytes for kernel threads and zombies.
 * Three system calls, four when the buffer fills (a one-byte read tells
 * whether more followed: then PROCCN__PROCFS_F_TRUNCATED in @flags).
 * CAN BLOCK: the kernel reads the target's memory under its mmap lock, and
 * waits as long as the target holds it (a process stuck in D state, a memcg
 * OOM with the killer disabled): call it only where a stall is acceptable,
 * and only when asked to. Errors of proccn__procfs_read_file(). @flags may be NULL.
 */
int proccn__procfs_read_cmdline(int dirfd, char *buf, size_t size, size_t *len,
				unsigned int *flags);

/*
 * proccn__procfs_read_cgroup - read /proc/PID/cgroup into @buf and leave the
 * cgroup v2 path (see proccn__procfs_parse_cgroup()) at its start,
 * NUL-terminated, *len bytes: three system calls. -ERANGE: the v2 line did
 * not fit in @buf (use PROCCN__PROCFS_CGROUP_SIZE or more); -ENODATA: no v2
 * line; -ENOENT: no cgroup file (a kernel without cgroups). Errors of
 * proccn__procfs_read_file(). @flags may be NULL.
 */
int proccn__procfs_read_cgroup(int dirfd, char *buf, size_t size, size_t *len,
			       unsigned int *flags);

/*
 * proccn__procfs_read_audit_ids - read /proc/PID/loginuid and sessionid:
 * six system calls. PROCCN__PROCFS_ID_UNSET when not set. -ENOENT: a kernel
 * without audit support (no such files). Errors of proccn__procfs_read_file()
 * and of proccn__procfs_parse_id(). Both outputs are written only on success.
 */
int proccn__procfs_read_audit_ids(int dirfd, uint32_t *loginuid, uint32_t *sessionid);

/* ---- Scanning ------------------------------------------------------------ */

/*
 * The pids of a /proc root, read with getdents64(2) into a caller buffer, in
 * steps: the table scans a batch, drains its socket, scans the next batch.
 * Only process directories are listed (threads are not): names that are
 * canonical decimal numbers 1..INT32_MAX; "self", "sys", "007" and the like
 * are skipped.
 *
 * Order and completeness are the kernel's: readdir of /proc walks the live
 * thread-group ids upward from the directory's file position, which after
 * an entry is that pid + 1 (fs/proc/base.c, proc_pid_readdir). So pids come
 * in increasing order, a pid alive for the whole scan comes exactly once,
 * and a pid born during the scan comes if it is above the position.
 * Measured on 6.18: 500 scans with a 288-byte buffer (about 10 pids per
 * call) while another process forked and reaped without pause returned
 * 393612 pids, none out of order, and each of 200 long-lived children
 * exactly once per scan; test_procfs/test_live_scan_order_and_once checks a
 * smaller version (20 children, churn between batches) in every unit run.
 * Other file systems (fake trees in tests) give their own order.
 *
 * Members are the scan's own: set by proccn__procfs_scan_init(), not touched
 * by the caller.
 */
struct proccn__procfs_scan {
	int fd;         /* the directory: from proccn__procfs_root_open(), the caller's */
	char *buf;      /* the caller's buffer for getdents64 records */
	size_t size;
	size_t pos;     /* next record in buf */
	size_t len;     /* bytes of records in buf */
};

/*
 * proccn__procfs_scan_init - prepare a scan of @fd (O_RDONLY|O_DIRECTORY)
 * from its current position (0 after opening) with @buf of @size bytes,
 * which must stay valid for the scan. No system call. -EINVAL: @fd < 0, @buf
 * NULL or @size < PROCCN__PROCFS_SCAN_MIN.
 */
int proccn__procfs_scan_init(struct proccn__procfs_scan *s, int fd, void *buf, size_t size);

/*
 * proccn__procfs_scan_next - the next pid into *@pid: returns 1, or 0 at the
 * end (and again on every later call), or -errno of getdents64(2) (the scan
 * can be retried or restarted). One system call per buffer of records.
 */
int proccn__procfs_scan_next(struct proccn__procfs_scan *s, pid_t *pid);

/*
 * proccn__procfs_scan_restart - start again from the first entry (lseek to
 * 0, forget buffered records): one system call. -errno of lseek(2).
 */
int proccn__procfs_scan_restart(struct proccn__procfs_scan *s);

/* ---- Clocks -------------------------------------------------------------- */

/*
 * stat field 22 (starttime) counts clock ticks (USER_HZ, sysconf(_SC_CLK_TCK),
 * 100 on Linux) of CLOCK_BOOTTIME, floored; event timestamps are
 * CLOCK_MONOTONIC ns. BOOTTIME runs ahead of MONOTONIC by the time spent
 * suspended, so the conversion needs that offset, sampled near the read.
 * A suspend between the start of a process and the sample makes its start
 * look earlier by the time suspended, never later.
 *
 * Time namespaces: /proc shows starttime shifted by the *reader's* boottime
 * offset, which clock_gettime(CLOCK_BOOTTIME) also includes (it cancels out),
 * but clock_gettime(CLOCK_MONOTONIC) includes the monotonic offset while
 * event timestamps do not: in a time namespace with a monotonic offset the
 * results are off by that offset (see /proc/self/timens_offsets). The proc
 * connector serves only the initial user and pid namespaces, where it is 0.
 */
struct proccn__procfs_clock {
	int64_t boot_minus_mono_ns; /* CLOCK_BOOTTIME - CLOCK_MONOTONIC: the time spent
				       suspended, give or take the sampling error
				       (never suspended: a few hundred ns either way) */
	uint32_t ticks_per_sec;     /* USER_HZ */
};

/*
 * proccn__procfs_clock_sample - read USER_HZ and the BOOTTIME - MONOTONIC
 * offset: three MONOTONIC, BOOTTIME, MONOTONIC triples (vDSO, no system
 * call), keeping the one with the smallest gap; the offset is then exact to
 * half that gap (well under a microsecond). -errno of clock_gettime(2);
 * -EINVAL: sysconf(_SC_CLK_TCK) not positive.
 */
int proccn__procfs_clock_sample(struct proccn__procfs_clock *c);

/*
 * proccn__procfs_ticks_to_mono_ns - the CLOCK_MONOTONIC time at which tick
 * @ticks began: the true start lies in [*mono_ns, *mono_ns + 1e9 / USER_HZ).
 * Negative for processes that started before a suspend longer than their
 * monotonic start time. -ERANGE: does not fit in int64 ns; -EINVAL:
 * ticks_per_sec is 0 or above 1e9.
 */
int proccn__procfs_ticks_to_mono_ns(const struct proccn__procfs_clock *c, uint64_t ticks,
				    int64_t *mono_ns);

/*
 * proccn__procfs_mono_ns_to_ticks - the tick starttime would show for a
 * process started at CLOCK_MONOTONIC @mono_ns: floor((mono_ns + offset) *
 * USER_HZ / 1e9), the kernel's rounding. -ERANGE: @mono_ns above INT64_MAX,
 * or before BOOTTIME 0; -EINVAL: as above.
 */
int proccn__procfs_mono_ns_to_ticks(const struct proccn__procfs_clock *c, uint64_t mono_ns,
				    uint64_t *ticks);

/* Results of proccn__procfs_compare_start(). */
enum {
	PROCCN__PROCFS_STARTED_BEFORE = 1, /* certainly before the time */
	PROCCN__PROCFS_STARTED_NEAR = 2,   /* within one tick either way: cannot tell */
	PROCCN__PROCFS_STARTED_AFTER = 3,  /* certainly after the time */
};

/*
 * proccn__procfs_compare_start - did the process whose starttime is
 * @start_ticks start before or after CLOCK_MONOTONIC @mono_ns (an event's
 * timestamp)? With T = proccn__procfs_mono_ns_to_ticks(@mono_ns): AFTER when
 * @start_ticks > T + 1, BEFORE when @start_ticks + 1 < T, else NEAR; one tick
 * of slack covers the offset's sampling error at a tick boundary. AFTER stays
 * right across suspends (the pid was reused after the event: drop what was
 * read); BEFORE can be wrong if a suspend came between the two. Returns one
 * of PROCCN__PROCFS_STARTED_*, or the errors of
 * proccn__procfs_mono_ns_to_ticks().
 */
int proccn__procfs_compare_start(const struct proccn__procfs_clock *c, uint64_t start_ticks,
				 uint64_t mono_ns);

#endif
