/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libproccn - follow every process on a Linux machine through the kernel's
 * proc connector (NETLINK_CONNECTOR, CN_IDX_PROC).
 *
 * This header is self-contained: it does not include <linux/cn_proc.h>, so it
 * compiles against old kernel UAPI headers (e.g. Debian 12's 6.1, which has no
 * struct proc_input and no PROC_EVENT_NONZERO_EXIT), as C99 and as C++.
 *
 * Conventions
 * - Functions returning int return a value >= 0 on success and a negative
 *   errno value on failure (libbpf/systemd style). proccn_strerror() turns
 *   any such value into a sentence that says what to do.
 * - Thread safety: one handle is used by one thread at a time; separate
 *   handles are independent and may be used from different threads. Functions
 *   that take no handle are thread-safe.
 * - The library keeps no global mutable state and allocates nothing per
 *   event: all memory is allocated by proccn_open() and freed by
 *   proccn_close().
 * - Calls from inside a callback, on the handle being dispatched:
 *   proccn_close() is deferred (the handle is freed when the callback
 *   returns, and that dispatch delivers nothing more); a nested
 *   proccn_dispatch() fails with -EBUSY; proccn_set_events() and
 *   proccn_unsubscribe() apply at once; accessors and statistics work.
 * - A handle a process table follows (<proccn_table.h>) is the table's:
 *   proccn_dispatch() and proccn_unsubscribe() on it are -EBUSY, and
 *   proccn_close() waits for proccn_table_close().
 *
 * Changes since 0.1 (the ABI changed; nothing had been released):
 * - max_batch_latency_us is adaptive batching, on by default (0 = a 1 ms
 *   cap; PROCCN_LATENCY_NONE never delays); a lone event is never held.
 * - proccn_fd() is readable whenever the handle holds work: no more
 *   "dispatch once after open". A timeout is kept to the millisecond.
 * - OVERRUN reports carry the kernel's drop count as soon as the queue has
 *   drained; SEQ_GAP reports only losses the drop counter did not see.
 * - proccn_close() from a callback is deferred; nested dispatch is -EBUSY.
 * - Versioned structs are checked member by member: an sz that ends inside
 *   a member is -EINVAL, unknown non-zero bytes -E2BIG, for callbacks too.
 */
#ifndef PROCCN_H
#define PROCCN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/*
 * The release of libproccn this header belongs to (the library reports its
 * own with proccn_version()). Code can test them in #if to use an API only
 * where it exists.
 */
#define PROCCN_VERSION_MAJOR 0
#define PROCCN_VERSION_MINOR 1
#define PROCCN_VERSION_PATCH 0

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Event kinds. The values are the kernel's bit values, so a mask of kinds is
 * the kernel's event_type mask. PROCCN_EV_NONZERO_EXIT is a mask bit only: it
 * selects exits whose raw exit code is not zero when PROCCN_EV_EXIT is not in
 * the mask (the kernel's semantics); events carry PROCCN_EV_EXIT.
 */
#define PROCCN_EV_FORK         UINT32_C(0x00000001)
#define PROCCN_EV_EXEC         UINT32_C(0x00000002)
#define PROCCN_EV_UID          UINT32_C(0x00000004)
#define PROCCN_EV_GID          UINT32_C(0x00000040)
#define PROCCN_EV_SID          UINT32_C(0x00000080)
#define PROCCN_EV_PTRACE       UINT32_C(0x00000100)
#define PROCCN_EV_COMM         UINT32_C(0x00000200)
#define PROCCN_EV_NONZERO_EXIT UINT32_C(0x20000000)
#define PROCCN_EV_COREDUMP     UINT32_C(0x40000000)
#define PROCCN_EV_EXIT         UINT32_C(0x80000000)
/* Every kind; also what a mask of 0 means. */
#define PROCCN_EV_ALL          UINT32_C(0xE00003C7)

/* Fields common to every event; the first member of every typed event. */
struct proccn_header {
	uint32_t kind;          /* PROCCN_EV_*, or an unknown raw value */
	uint32_t cpu;           /* CPU that generated the event */
	uint64_t timestamp_ns;  /* CLOCK_MONOTONIC ns: see proccn_timestamp_to_realtime() */
};

/* Process ids are initial-namespace ids. A process-level event has pid == tgid. */
struct proccn_fork {
	struct proccn_header hdr;
	pid_t parent_pid, parent_tgid;
	pid_t child_pid, child_tgid;    /* child_pid != child_tgid: a new thread */
};

struct proccn_exec {
	struct proccn_header hdr;
	pid_t pid, tgid;
};

struct proccn_uid {
	struct proccn_header hdr;
	pid_t pid, tgid;
	uint32_t ruid, euid;
};

struct proccn_gid {
	struct proccn_header hdr;
	pid_t pid, tgid;
	uint32_t rgid, egid;
};

struct proccn_sid {
	struct proccn_header hdr;
	pid_t pid, tgid;
};

struct proccn_ptrace {
	struct proccn_header hdr;
	pid_t pid, tgid;
	pid_t tracer_pid, tracer_tgid;  /* 0: the tracer detached */
};

#define PROCCN_COMM_LEN 16

struct proccn_comm {
	struct proccn_header hdr;
	pid_t pid, tgid;
	char comm[PROCCN_COMM_LEN];     /* always NUL-terminated */
};

struct proccn_coredump {
	struct proccn_header hdr;
	pid_t pid, tgid;
	pid_t parent_pid, parent_tgid;  /* 0 before Linux 4.18 */
};

struct proccn_exit {
	struct proccn_header hdr;
	pid_t pid, tgid;
	uint32_t exit_code;    /* wait(2) status: decode with proccn_decode_exit() */
	uint32_t exit_signal;  /* SIGCHLD for ordinary children, UINT32_MAX for threads */
	pid_t parent_pid, parent_tgid;  /* 0 for threads, before Linux 4.18, and when
					   the parent reaped the process before the
					   kernel sent this event (it sends it after
					   the process became a zombie) */
};

/* An event of a kind this library does not know: the raw union bytes. */
#define PROCCN_RAW_LEN 24

struct proccn_raw {
	struct proccn_header hdr;
	uint32_t len;                   /* valid bytes in data */
	uint8_t data[PROCCN_RAW_LEN];
};

/* Any event: read hdr.kind, then the member of that kind. */
union proccn_event {
	struct proccn_header hdr;
	struct proccn_fork fork;
	struct proccn_exec exec;
	struct proccn_uid uid;
	struct proccn_gid gid;
	struct proccn_sid sid;
	struct proccn_ptrace ptrace;
	struct proccn_comm comm;
	struct proccn_coredump coredump;
	struct proccn_exit exit;
	struct proccn_raw raw;
};

/* Options flags. */
/*
 * Hide the FORK and EXIT events of threads other than a process's main
 * thread (pid != tgid), and nothing else. An EXIT it lets through is the
 * main thread's, which is not always the end of the process: a main thread
 * that called pthread_exit() sends its EXIT (code 0) while other threads
 * run on, and a worker's later fatal signal is then a thread's EXIT, hidden
 * (with PROCCN_EV_NONZERO_EXIT such a crash gives no event at all); an
 * exec from another thread shows as the main thread's EXIT (code 0), then
 * the EXEC, while the process lives on. For the end of a process, use the
 * process table.
 */
#define PROCCN_F_PROCESSES_ONLY UINT32_C(0x1)
/* Skip the 6.6+ filter negotiation: 4-byte LISTEN, userspace filter. */
#define PROCCN_F_FORCE_LEGACY   UINT32_C(0x2)
/* Do not attach a classic BPF socket filter (userspace filtering only). */
#define PROCCN_F_NO_SOCKET_FILTER UINT32_C(0x4)

/*
 * Options for proccn_open(). Zero-initialise, set sz = sizeof(struct
 * proccn_opts), then set what you need: zero fields take defaults
 * (PROCCN_OPTS_INIT, or PROCCN_OPTS() with designated initialisers, do the
 * first steps). Fields added in later versions go at the end (or take the
 * place of `reserved`), and sz tells the library which ones the caller
 * knows (libbpf style): an older caller's smaller sz must not end inside a
 * member (-EINVAL). A library that does not know a field the caller set
 * (non-zero) fails with -E2BIG instead of ignoring it.
 */
struct proccn_opts {
	size_t sz;
	uint32_t events;         /* PROCCN_EV_* mask; 0 = PROCCN_EV_ALL */
	uint32_t flags;          /* PROCCN_F_* */
	int rcvbuf;              /* receive buffer bytes; 0 = library default (4 MiB, capped
				    by privileges), -1 = leave the kernel default */
	int ack_timeout_ms;      /* how long to wait for each ACK; 0 = 250 ms */
	int max_batch_latency_us;/* adaptive batching in a blocking proccn_dispatch():
				    while a burst is under way, let events gather
				    up to this long before a read; a lone event is
				    never held back. 0 = the library's cap (1000 us),
				    N = cap N (1..1000000), PROCCN_LATENCY_NONE =
				    never gather */
	uint32_t reserved;       /* must be 0 (no padding: the struct has no unnamed bytes) */
};

/* opts.max_batch_latency_us: never let events gather, wake for each. */
#define PROCCN_LATENCY_NONE (-1)

#define PROCCN_OPTS_INIT { sizeof(struct proccn_opts), 0, 0, 0, 0, 0, 0 }

/*
 * PROCCN_OPTS(TYPE, NAME, ...) - declare `struct TYPE NAME` with sz set and
 * the given designated initialisers, the rest zero, e.g.
 *   PROCCN_OPTS(proccn_opts, o, .events = PROCCN_EV_EXIT);
 * For any versioned struct of this header (C99; C++20).
 */
#define PROCCN_OPTS(TYPE, NAME, ...) \
	struct TYPE NAME = { .sz = sizeof(struct TYPE), __VA_ARGS__ }

/* Opaque handle. */
struct proccn;

/*
 * proccn_open - open a proc connector socket and subscribe.
 * @out:  receives the handle on success (untouched on failure).
 * @opts: options, or NULL for the defaults (mask ALL).
 *
 * Negotiates the protocol: on Linux 6.6 and later the kernel filters events by
 * mask; on older kernels the library falls back to the legacy subscription and
 * filters in userspace, so callers see the same events either way. The handle
 * holds three fds, all close-on-exec: the socket, an eventfd, and the epoll
 * instance watching both that proccn_fd() returns. Events that arrive during
 * negotiation are kept and delivered by the first proccn_dispatch() (the fd
 * is readable then).
 *
 * Returns 0, or a negative errno:
 *  -EINVAL        bad options (unknown flags, an sz too small or ending inside
 *                 a member, mask bits outside ALL, negative timeout,
 *                 out-of-range latency)
 *  -E2BIG         opts->reserved is not 0, or opts->sz is larger than this
 *                 library knows and the unknown tail is not zero
 *  -ENOMEM        out of memory
 *  -EPROTONOSUPPORT  the kernel has no CONFIG_CONNECTOR
 *  -EOPNOTSUPP    the kernel has no CONFIG_PROC_EVENTS (no cn_proc in /proc/net/connector)
 *  -ECONNREFUSED  the process is not in the initial network namespace
 *  -EXDEV         no ACK: the process is outside the initial user or PID namespace
 *  -ETIMEDOUT     no ACK for another reason
 *  -EPERM         CAP_NET_ADMIN is needed (kernels before 6.6)
 *  other          from socket(2), bind(2), send(2), epoll_create1(2), eventfd(2)
 */
int proccn_open(struct proccn **out, const struct proccn_opts *opts);

/*
 * proccn_close - unsubscribe (IGNORE, sent at most once per handle), close the
 * handle's fds and free it. Accepts NULL. Always returns NULL, so that
 * `h = proccn_close(h);` makes a second close harmless.
 *
 * After fork(), the child shares the parent's socket: in a process other than
 * the one that opened the handle, close (and proccn_unsubscribe()) frees the
 * child's copy and sends no IGNORE, which would end the parent's subscription.
 *
 * From inside one of the handle's callbacks, the IGNORE is sent at once and
 * the handle is freed when the callback returns: that proccn_dispatch()
 * delivers nothing more and returns as usual (the count so far, or the
 * callback's negative value). Do not use the handle after the close.
 *
 * A handle a process table follows (proccn_table_open()) is closed when
 * that table is: until then it stays subscribed and the table keeps working.
 */
struct proccn *proccn_close(struct proccn *h);

/*
 * proccn_unsubscribe - send IGNORE now, keep the handle. Idempotent: the kernel
 * sees at most one IGNORE per handle (a second one on a pre-6.6 kernel would
 * silence every listener on the host). Returns 0 or a negative errno from
 * send(2); after a failure nothing was sent and a later call tries again
 * (proccn_close() tries up to three times on -EAGAIN, -ENOBUFS, -ENOMEM, -EINTR).
 * From a callback too: the events already queued are still delivered.
 * -EBUSY while a process table follows the handle (proccn_table_open()).
 */
int proccn_unsubscribe(struct proccn *h);

/*
 * proccn_fd - a file descriptor for poll/epoll/any event loop: readable
 * whenever proccn_dispatch(h, ..., 0) would deliver an event or a loss
 * report (and, rarely, when it then finds nothing: readiness may be
 * spurious, never missing). That covers datagrams queued on the socket,
 * events kept from negotiation or from a dispatch that a callback stopped,
 * loss reports due, and an overrun whose count waits for the queue to
 * drain. It is an epoll instance watching the socket (which itself blocks,
 * so that a blocking dispatch costs one syscall per wake-up) and an eventfd
 * the library raises while it holds work; it is non-blocking and
 * close-on-exec. Do not read from it yourself: call proccn_dispatch().
 * Returns the fd (>= 0), or -EINVAL for NULL.
 */
int proccn_fd(const struct proccn *h);

/* Loss reports. */
#define PROCCN_LOSS_OVERRUN   1  /* the socket's receive buffer overflowed (ENOBUFS) */
#define PROCCN_LOSS_SEQ_GAP   2  /* per-CPU sequence numbers skipped: exact count */
#define PROCCN_LOSS_NEGOTIATION 3 /* too many events arrived while negotiating */

/*
 * A loss report. Reports never count an event twice, and together they
 * cover every event the kernel dropped on the handle's socket, whatever the
 * order of overflows, mask changes and reads: the sum of count over all
 * reports is the known loss (stats.lost).
 * - OVERRUN: the receive buffer overflowed. The kernel drops every event
 *   until the queue is drained; once it is, the report carries the kernel's
 *   drop counter for the socket since the last report (SO_MEMINFO), less
 *   any events a SEQ_GAP report already counted. A mask change settles the
 *   drops so far, which may make a second report for one overflow. The
 *   count is of datagrams: it may include ACKs and, without a socket
 *   filter, events the mask would have dropped (so exact is 0).
 * - SEQ_GAP: while the socket receives every message (stats.lost_exact),
 *   the kernel's per-CPU sequence numbers skipped: exactly that many
 *   messages never came. Gaps left by drops an OVERRUN report counted are
 *   not reported again; SEQ_GAP reports what the drop counter did not see.
 *   A gap is noticed when the CPU that lost events sends its next one.
 * - NEGOTIATION: more events than fit arrived while proccn_open() waited
 *   for the kernel's ACK (exact).
 */
struct proccn_loss {
	int reason;          /* PROCCN_LOSS_* */
	uint64_t count;      /* events lost (0: an overrun whose drops were all reported) */
	int exact;           /* 1 when count is exact (SEQ_GAP, NEGOTIATION) */
};

/*
 * Callbacks for proccn_dispatch(). Set sz = sizeof(struct proccn_callbacks)
 * and the members you need; NULL members are skipped. An older caller's
 * smaller sz must not end inside a member (else -EINVAL); a newer caller's
 * larger one is fine when the members this library does not know are NULL,
 * and -E2BIG when one is set (as for options). An event goes to its
 * typed callback if set, else to on_event (which also receives kinds this
 * library does not know, as hdr.kind with the raw member filled). A callback
 * returns 0 to go on, or a negative errno to stop dispatching: proccn_dispatch()
 * then returns that value, and the events not yet delivered are kept for the
 * next call. Event pointers are valid only during the call.
 */
struct proccn_callbacks {
	size_t sz;
	int (*on_fork)(const struct proccn_fork *ev, void *userdata);
	int (*on_exec)(const struct proccn_exec *ev, void *userdata);
	int (*on_uid)(const struct proccn_uid *ev, void *userdata);
	int (*on_gid)(const struct proccn_gid *ev, void *userdata);
	int (*on_sid)(const struct proccn_sid *ev, void *userdata);
	int (*on_ptrace)(const struct proccn_ptrace *ev, void *userdata);
	int (*on_comm)(const struct proccn_comm *ev, void *userdata);
	int (*on_coredump)(const struct proccn_coredump *ev, void *userdata);
	int (*on_exit)(const struct proccn_exit *ev, void *userdata);
	int (*on_event)(const union proccn_event *ev, void *userdata);
	int (*on_loss)(const struct proccn_loss *loss, void *userdata);
};

/*
 * proccn_dispatch - read what is queued and deliver it to the callbacks.
 * @timeout_ms: 0 = do not block; -1 = block until at least one event or loss
 *              report was delivered; > 0 = block at most this long.
 *
 * Delivers first what the handle holds (loss reports due, events kept from
 * negotiation or a stopped call), then drains the socket in batches
 * (recvmmsg) until it is empty; under a flood that never leaves it empty, it
 * returns after 16 batches (1024 datagrams) once it has something to
 * return, so that an event loop gets its turn (the fd stays readable).
 * Malformed and spoofed datagrams are dropped and counted
 * (proccn_get_stats()). A receive buffer overflow is not an error: it is
 * reported through on_loss and the handle keeps working. Interrupted by a
 * caught signal (SA_RESTART or not), it returns what it delivered so far (or
 * -EINTR when that is nothing and it was blocking). A timeout is kept to the
 * millisecond: the call never blocks longer.
 *
 * Adaptive batching (opts.max_batch_latency_us, blocking calls only): while
 * a burst is under way (two events generated closer together than half the
 * cap, the last of them less than half the cap ago), a call that would
 * sleep lets events gather for the cap first and then reads without
 * sleeping: one wake-up per batch instead of one per event. Events already
 * read are never held back, so a lone event is delivered at once. Gathering
 * never outlasts the timeout.
 *
 * Cost: up to 64 datagrams per recvmmsg(2). With timeout 0 it reads until a
 * batch comes back short. With timeout -1 a wake-up costs one recvmmsg(2),
 * which sleeps until the first datagram and takes what is queued with it;
 * with a timeout > 0, a poll(2) and a recvmmsg(2) (a socket's own timeout
 * is counted in scheduler ticks, several ms); while a burst gathers, a
 * nanosleep(2) and a recvmmsg(2) per batch.
 *
 * Returns the number of events delivered (0 on timeout), a callback's
 * negative value, -EINVAL (NULL handle or callbacks, or a callbacks sz too
 * small or ending inside a member), -E2BIG (callbacks this library does not
 * know are set), -EBUSY (called from one of this handle's callbacks, or a
 * process table follows the handle: proccn_table_dispatch() dispatches it),
 * or a negative errno from recvmmsg(2) or poll(2).
 */
int proccn_dispatch(struct proccn *h, const struct proccn_callbacks *callbacks,
		    void *userdata, int timeout_ms);

/*
 * proccn_set_events - change the subscribed mask at run time; the kernel
 * applies it to the events it generates from now on. Events already queued
 * came through the old mask and are delivered only if they pass the new one
 * too (the others count as filtered). When the new mask is ALL (without
 * PROCCN_F_PROCESSES_ONLY, whose socket filter hides thread events), loss
 * counting becomes exact (stats.lost_exact) for the events generated from
 * now on; the gaps the old mask left in what is queued are not counted as
 * loss. Drops the kernel counted so far are settled under the old mask (an
 * OVERRUN report may follow at once). Same mask rules as opts.events. May
 * be called from a callback: the events of the batch not yet delivered
 * then pass the new mask or are filtered. Returns 0, -EINVAL for bits
 * outside ALL or, while a process table follows the handle, for a mask
 * without FORK, EXEC and EXIT (the table needs them), -ECHILD in a process other than the one that opened the
 * handle (a fork() child: the subscription is the parent's), or a negative
 * errno from send(2) or setsockopt(2) (the socket filter); on failure the
 * old mask stays.
 */
int proccn_set_events(struct proccn *h, uint32_t events);

/* proccn_get_events - the current mask (PROCCN_EV_ALL when 0 was asked). */
uint32_t proccn_get_events(const struct proccn *h);

/* Negotiated protocol. */
#define PROCCN_MODE_KERNEL_FILTER 1  /* Linux 6.6+: struct proc_input, kernel filters */
#define PROCCN_MODE_LEGACY        2  /* older kernels (or forced): userspace filter */

/* proccn_mode - the negotiated PROCCN_MODE_*, or -EINVAL for NULL. */
int proccn_mode(const struct proccn *h);

struct proccn_stats {
	size_t sz;
	uint64_t datagrams;     /* datagrams read from the socket */
	uint64_t received;      /* well-formed events parsed (ACKs not included) */
	uint64_t delivered;     /* events handed to a callback */
	uint64_t filtered;      /* dropped by the userspace filter (the mask) */
	uint64_t malformed;     /* bad lengths, wrong connector id, truncated datagrams,
				   unexpected netlink message types */
	uint64_t spoofed;       /* sender was not the kernel (nl_pid != 0) */
	uint64_t acks;          /* ACKs seen (ours and other programs') */
	uint64_t overruns;      /* receive buffer overflows (ENOBUFS) */
	uint64_t lost;          /* events known lost: the sum of the counts of all
				   loss reports, delivered or due */
	int lost_exact;         /* 1: the subscription delivers every event (mask ALL
				   and no socket filter, so not with
				   PROCCN_F_PROCESSES_ONLY), so gaps are losses and
				   are counted in `lost`; 0: gaps are normal and not
				   counted */
	int rcvbuf;             /* effective receive buffer size (bytes) */
	uint64_t kernel_drops;  /* the kernel's drop counter for this socket
				   (SO_MEMINFO SK_MEMINFO_DROPS), read by this call */
	uint64_t unhandled;     /* passed the mask, but no callback was set for them
				   (neither the typed one nor on_event) */
};

/*
 * proccn_get_stats - copy the statistics into *st. Set st->sz to
 * sizeof(struct proccn_stats) first; only whole members within st->sz are
 * written. On return st->sz is how many bytes this library filled: a caller
 * built with a newer header sees which of its fields an older library left
 * alone.
 * Returns 0 or -EINVAL.
 */
int proccn_get_stats(const struct proccn *h, struct proccn_stats *st);

/* What works here; every field is 1 (yes), 0 (no) or -1 (could not tell). */
struct proccn_probe {
	size_t sz;
	int connector;          /* socket(NETLINK_CONNECTOR) works */
	int proc_events;        /* cn_proc listed in /proc/net/connector */
	int initial_netns;      /* in the initial network namespace */
	int initial_userns;     /* in the initial user namespace */
	int initial_pidns;      /* in the initial PID namespace */
	int cap_net_admin;      /* the effective capability set has CAP_NET_ADMIN */
	int kernel_filter;      /* the kernel ACKed a proc_input request (6.6+) */
	int legacy;             /* 1: the subscription fell back to the legacy
				   request (pre-6.6 kernel); 0: not needed */
	int subscribe_error;    /* 0, or the negative errno a default proccn_open()
				   returned */
};

/*
 * proccn_probe - find out what works on this machine and why not. Opens and
 * closes a subscription (mask ALL) to see what the kernel answers. Set
 * p->sz = sizeof(struct proccn_probe) first; on return it is how many bytes
 * this library filled (as for proccn_get_stats()). Returns 0 (read the
 * fields), or -EINVAL.
 */
int proccn_probe(struct proccn_probe *p);

/*
 * proccn_strerror - a sentence for a negative errno returned by this library,
 * saying what went wrong and what to do. Never NULL; the string is static.
 */
const char *proccn_strerror(int err);

/*
 * proccn_kind_name - "fork", "exec", "uid", "gid", "sid", "ptrace", "comm",
 * "coredump", "exit", "nonzero-exit", "all"; NULL for anything else.
 */
const char *proccn_kind_name(uint32_t kind);

/*
 * proccn_kind_from_name - the PROCCN_EV_* value of a name from
 * proccn_kind_name() (case-insensitive; '_' may stand for '-'). Returns 0 and
 * sets *kind, or -EINVAL (also for NULL arguments).
 */
int proccn_kind_from_name(const char *name, uint32_t *kind);

/*
 * proccn_mask_from_string - parse a comma-separated list of kind names, e.g.
 * "fork,exec,nonzero-exit", into a mask. Empty items are not allowed. Returns 0
 * and sets *mask, or -EINVAL naming nothing (check each name with
 * proccn_kind_from_name() to report which one is bad).
 */
int proccn_mask_from_string(const char *list, uint32_t *mask);

/*
 * Decoded wait(2) status of an exit event. This struct has no sz and will not
 * grow: more fields would come with a new function.
 */
struct proccn_exit_status {
	int exited;       /* 1: normal exit, see code */
	int code;         /* exit code 0..255 when exited */
	int signaled;     /* 1: killed by a signal, see signal */
	int signal;       /* signal number when signaled */
	int core_dumped;  /* 1: the kernel reported a core dump */
};

/* proccn_decode_exit - decode exit_code (a wait(2) status) into *st. */
void proccn_decode_exit(uint32_t exit_code, struct proccn_exit_status *st);

/*
 * proccn_event_is_thread - 1 when the event is about a thread that is not its
 * process's main thread (pid != tgid; for FORK, the child), else 0.
 */
int proccn_event_is_thread(const union proccn_event *ev);

/*
 * proccn_timestamp_to_realtime - convert an event timestamp (CLOCK_MONOTONIC
 * ns) into wall-clock time (CLOCK_REALTIME), using the current offset between
 * the clocks (a wall-clock step since the event shifts the result). Returns 0,
 * -EINVAL for NULL, -ERANGE when the result would not fit in 64-bit
 * nanoseconds (no real event timestamp does that), or a negative errno from
 * clock_gettime(2).
 */
struct timespec; /* strict C99 <time.h> lacks it; POSIX callers have it */
int proccn_timestamp_to_realtime(uint64_t timestamp_ns, struct timespec *out);

/*
 * proccn_version - the release of the running library, "MAJOR.MINOR.PATCH".
 *
 * For example "0.1.0". It may be newer than the PROCCN_VERSION_* macros of
 * the header a program was built with. Never NULL; the string is static.
 */
const char *proccn_version(void);

#ifdef __cplusplus
}
#endif

#endif /* PROCCN_H */
