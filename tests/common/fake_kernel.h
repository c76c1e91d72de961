/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A fake proc connector, shared by the unit tests, the fuzz harness and the
 * synthetic benchmark. The library gets one end of an AF_UNIX datagram
 * socketpair as its "netlink socket" and a struct pcn_sys whose
 * sendmsg/recvmmsg/poll talk to this fake instead of the kernel, so
 * negotiation, dispatch and loss handling run without root and without a
 * real connector.
 *
 * Two ways to deliver (chosen by the init function):
 * - socket mode (fk_init): every datagram the fake "kernel" sends is written
 *   to its end of the pair prefixed with the 12-byte sockaddr_nl it claims
 *   to come from; the recvmmsg wrapper strips the prefix into msg_name.
 *   Reads block, poll and epoll work: the mode for tests of waiting and
 *   timing. (The library's classic BPF
 *   filter only judges 76-byte datagrams and accepts any other length whole,
 *   so the prefixed frames pass through it untouched: userspace filtering is
 *   what these tests see.)
 * - memory mode (fk_init_memory): the same frames wait in a queue in memory
 *   and recvmmsg copies them into the library's buffers; nothing ever blocks
 *   or sleeps (a blocking read of an empty queue fails with wait_errno), and
 *   proccn_fd() never becomes readable. The queue can hold receive errors
 *   too (fk_inject_error), can be fed on demand (refill, for scripted input)
 *   and can generate events without limit (fk_bulk, for the benchmark).
 */
#ifndef FAKE_KERNEL_H
#define FAKE_KERNEL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "dgram.h"
#include "proccn.h"
#include "sys.h"   /* the library's internal seam: struct pcn_sys, proccn__open_fd() */

/* What kind of kernel the fake plays. */
enum fk_kernel {
	FK_MODERN,   /* 6.6+: proc_input, per-socket filter, ACK passes the filter */
	FK_OLD,      /* before 6.6: ignores 8-byte requests, no per-socket filter */
	FK_SILENT,   /* outside the initial namespaces / no PROC_EVENTS: never ACKs */
};

#define FK_NCPU        4
#define FK_MAX_REQ     64
#define FK_MAX_QUEUED  64
#define FK_DGRAM_LEN   DGRAM_LEN

/* One request the library sent, as parsed by the fake. */
struct fk_request {
	uint16_t nl_type, nl_flags;
	uint32_t dest_pid;       /* sockaddr_nl.nl_pid of msg_name */
	uint32_t idx, val, seq, nonce;
	uint16_t len;            /* cn_msg.len: 4 or 8 */
	uint32_t op;             /* mcast_op */
	uint32_t mask;           /* event_type (len 8 only) */
	int well_formed;         /* header fields as the kernel expects */
};

/* An event as the kernel generates it: kind and the 24-byte union. */
struct fk_ev {
	uint32_t what;
	uint8_t data[24];
};

struct fake_kernel {
	enum fk_kernel kind;
	int lib_fd;              /* the library's end (owned by the handle once opened) */
	int fd;                  /* the fake's end */
	struct pcn_sys sys;

	/* per-socket subscription state, as the kernel keeps it */
	int has_input;           /* 6.6+: sk_user_data set by a request */
	uint32_t sock_op, sock_mask;
	int other_listeners;     /* other programs subscribed (old kernel ACK gating) */
	int listening;           /* our socket's LISTEN counted */

	/* behaviour knobs */
	uint32_t ack_err;        /* errno to put in our ACKs (e.g. EPERM) */
	int send_errno;          /* nonzero: sendmsg fails with it */
	int send_fail_after;     /* sendmsg fails (send_errno) once this many succeeded; -1 off */
	int recv_errno;          /* nonzero: the next recv_fail_count recvmmsg calls fail */
	int recv_fail_count;
	int poll_errno;          /* nonzero: the next poll fails with it (once) */
	int fixed_cpu;           /* -1: round robin over FK_NCPU */
	int lose_acks;           /* ACKs to drop (as an overflowing socket would) */
	unsigned int foreign_acks_before; /* foreign ACKs to emit before ours */
	struct fk_ev before_ack[FK_MAX_QUEUED];  /* generated inside the next ACKed send */
	unsigned int n_before_ack;
	struct fk_ev after_ack[FK_MAX_QUEUED];
	unsigned int n_after_ack;

	/* kernel counters */
	uint32_t cpu_seq[FK_NCPU];
	unsigned int next_cpu;
	uint64_t clock_ns;

	/* what happened */
	struct fk_request req[FK_MAX_REQ];
	unsigned int nreq;
	unsigned int acks_sent;  /* our ACKs written to the socket */
	unsigned int delivered;  /* datagrams written (incl. raw ones) */
	unsigned int recv_calls, poll_calls, send_calls;
	uint32_t drops;          /* the socket's drop counter, as SO_MEMINFO would say */
	int last_recv_flags;     /* flags of the last recvmmsg call */

	/* datagrams that did not fit in the socket yet (memory mode: all of them), in order */
	uint8_t *backlog;
	size_t backlog_len, backlog_cap;

	/* memory mode (fk_init_memory) */
	int memory;
	size_t backlog_off;      /* where the next frame starts */
	int wait_errno;          /* a blocking read of an empty queue fails with this
				    (EAGAIN by default: its timeout expired) */
	/*
	 * Scripted input: called when recvmmsg (or poll) finds the queue empty,
	 * to add more (fk_inject*, fk_generate...); @served: datagrams this
	 * recvmmsg call has already returned (0 from poll). Adding nothing ends
	 * the batch there.
	 */
	void (*refill)(struct fake_kernel *fk, void *ctx, unsigned int served);
	void *refill_ctx;
	/* fk_bulk(): events generated on demand, cycling through prebuilt
	 * datagrams, as long as bulk_left (which may be set again) lasts */
	uint8_t *bulk;
	unsigned int bulk_n, bulk_next;
	uint64_t bulk_left;
	unsigned int ncpu;       /* CPUs the fake spreads events over (<= FK_NCPU) */
};

/* fk_init - a fake kernel of @kind with a fresh socketpair. Returns 0 or -errno. */
int fk_init(struct fake_kernel *fk, enum fk_kernel kind);
/* fk_init_memory - the same in memory mode (see above). Returns 0 or -errno. */
int fk_init_memory(struct fake_kernel *fk, enum fk_kernel kind);
/* fk_fini - close the fake's end (and the library's, if never handed over). */
void fk_fini(struct fake_kernel *fk);
/* fk_open - proccn__open_fd() on the fake; the handle owns lib_fd afterwards. */
int fk_open(struct fake_kernel *fk, struct proccn **h, const struct proccn_opts *opts);

/* Event constructors (field values in the kernel's order). */
struct fk_ev fk_fork(pid_t ppid, pid_t ptgid, pid_t cpid, pid_t ctgid);
struct fk_ev fk_exec(pid_t pid, pid_t tgid);
struct fk_ev fk_uid(pid_t pid, pid_t tgid, uint32_t ruid, uint32_t euid);
struct fk_ev fk_gid(pid_t pid, pid_t tgid, uint32_t rgid, uint32_t egid);
struct fk_ev fk_sid(pid_t pid, pid_t tgid);
struct fk_ev fk_ptrace(pid_t pid, pid_t tgid, pid_t tracer_pid, pid_t tracer_tgid);
struct fk_ev fk_comm(pid_t pid, pid_t tgid, const char comm[16]);
struct fk_ev fk_coredump(pid_t pid, pid_t tgid, pid_t ppid, pid_t ptgid);
struct fk_ev fk_exit(pid_t pid, pid_t tgid, uint32_t code, uint32_t sig, pid_t ppid,
		     pid_t ptgid);
struct fk_ev fk_raw(uint32_t what, const uint32_t words[6]);

/*
 * fk_build - write one datagram exactly as the kernel does (76 bytes:
 * nlmsghdr NLMSG_DONE, cn_msg 1/1 with @seq/@ack and len 40, proc_event).
 * Returns FK_DGRAM_LEN.
 */
size_t fk_build(uint8_t out[FK_DGRAM_LEN], uint32_t seq, uint32_t ack, uint32_t cpu,
		uint64_t ts, const struct fk_ev *ev);

/*
 * fk_generate - the kernel generates @ev on some CPU: it takes the CPU's next
 * sequence number, then reaches our socket if the subscription lets it.
 * Returns 1 when written to our socket, 0 when filtered out.
 */
int fk_generate(struct fake_kernel *fk, struct fk_ev ev);
/* fk_generate_lost - generated but dropped before our socket (a "lost" event). */
void fk_generate_lost(struct fake_kernel *fk, struct fk_ev ev);
/* fk_foreign_ack - another program's request was ACKed (multicast to all). */
int fk_foreign_ack(struct fake_kernel *fk, uint32_t nonce, uint32_t err);
/* fk_inject - write arbitrary bytes as one datagram from @nl_pid (@family AF_NETLINK or not). */
int fk_inject(struct fake_kernel *fk, const void *bytes, size_t len, uint16_t family,
	      uint32_t nl_pid);

/* How a datagram arrives: its sender address and flags, as recvmmsg reports them. */
struct fk_from {
	uint16_t family;         /* AF_NETLINK; anything else is not the kernel */
	uint32_t nl_pid;         /* 0: the kernel; else a process spoofing it */
	uint32_t addrlen;        /* address bytes reported: sizeof(struct sockaddr_nl) or fewer */
	int trunc;               /* MSG_TRUNC set even when the datagram fits */
};

/*
 * fk_inject_from - fk_inject() with every detail of the arrival chosen (in
 * socket mode only the full address and no forced MSG_TRUNC). 0 or -1.
 */
int fk_inject_from(struct fake_kernel *fk, const void *bytes, size_t len,
		   const struct fk_from *from);
/*
 * fk_inject_error - memory mode: recvmmsg fails with @err when it reaches
 * this point of the queue (a batch under way ends before it; 0 only ends
 * the batch). Returns 0, or -1 in socket mode.
 */
int fk_inject_error(struct fake_kernel *fk, int err);
/*
 * fk_bulk - memory mode: the kernel generates @count events, cycling
 * through @cycle (@n of them), each time the queue runs dry: per-CPU
 * numbers and the kernel's filter as fk_generate(), a clock that moves 1 ns
 * per event, and no allocation or system call per event. Returns 0 or -1.
 */
int fk_bulk(struct fake_kernel *fk, const struct fk_ev *cycle, unsigned int n, uint64_t count);
/* fk_count_requests - requests with this op (and length, 0 = any). */
unsigned int fk_count_requests(const struct fake_kernel *fk, uint32_t op, uint16_t len);
/* fk_passes - the 6.6+ kernel's filter decision (cn_filter) for @ev on @mask (oracle.h). */
int fk_passes(uint32_t mask, const struct fk_ev *ev);
/* fk_parse_request - what fk_sendmsg() records of a request the library sends. */
void fk_parse_request(const struct msghdr *msg, struct fk_request *rq);

/*
 * A callback recorder: copies every event and loss report, in order, and can
 * stop the dispatch (return stop_err) when it has seen stop_at events.
 */
#define FK_REC_MAX 2048

struct fk_rec {
	union proccn_event ev[FK_REC_MAX];
	unsigned int n;
	unsigned int typed_calls;   /* events that came through a typed callback */
	unsigned int generic_calls; /* events that came through on_event */
	struct proccn_loss loss[16];
	unsigned int loss_at[16];   /* events recorded when each loss came */
	unsigned int nloss;
	int loss_err;               /* on_loss returns this once (0: go on) */
	unsigned int stop_at;       /* 0: never stop */
	int stop_err;
};

/* fk_rec_callbacks - @typed: every typed callback set, plus on_event; else on_event only. */
struct proccn_callbacks fk_rec_callbacks(int typed);
/*
 * The per-test fixture of the suites that use one handle per test. Each test
 * file keeps its fake kernel, handle and recorder in file-scope variables (the
 * tests name them directly) and points one fixture at them, so that a single
 * setup and teardown serve every file. Hand it over as cmocka's prestate:
 *   cmocka_unit_test_prestate_setup_teardown(f, fk_fixture_setup,
 *                                            fk_fixture_teardown, &fixture)
 */
struct fk_fixture {
	struct fake_kernel *fk;
	struct proccn **h;
	struct fk_rec **rec;
	int open_modern;  /* nonzero: setup also opens *h on FK_MODERN, default options */
};

/* fk_fixture_setup - *h = NULL, a zeroed recorder, and the handle if asked. 0 or -1. */
int fk_fixture_setup(void **state);
/* fk_fixture_teardown - close the handle (if any), the fake kernel, free the recorder. */
int fk_fixture_teardown(void **state);

/* fk_now_ms - CLOCK_MONOTONIC in ms, for timing assertions. */
int64_t fk_now_ms(void);
/* fk_now_us - CLOCK_MONOTONIC in us, the clock of event timestamps (/ 1000). */
int64_t fk_now_us(void);

#endif
