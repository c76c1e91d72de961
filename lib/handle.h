/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The handle, and the internal calls between the library's files. */
#ifndef PCN_HANDLE_H
#define PCN_HANDLE_H

#include <linux/netlink.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "parse.h"
#include "proccn.h"
#include "sys.h"

/* Datagrams read per recvmmsg(2), and the room for each (one event is 76 bytes). */
#define PCN_BATCH      64
#define PCN_SLOT_SIZE  512
/* Batches one dispatch reads at most once it has something to return. */
#define PCN_DISPATCH_MAX_BATCHES 16
/* Events kept while waiting for the ACK; more are counted as lost. */
#define PCN_PENDING_MAX 1024

#define PCN_DEFAULT_ACK_TIMEOUT_MS 250
#define PCN_DEFAULT_RCVBUF (4 * 1024 * 1024)

struct pcn_cpu_seq {
	uint32_t next;            /* the number expected next */
	uint32_t seen;
};

struct pcn_counters {
	uint64_t datagrams, received, delivered, filtered, malformed, spoofed;
	uint64_t acks, overruns, lost, unhandled;
};

struct proccn {
	int fd;                   /* the netlink socket, blocking (see recv.c) */
	int poll_fd;              /* an epoll instance watching it: proccn_fd() */
	int64_t rcvtimeo_us;      /* the wait set as SO_RCVTIMEO: -1 no limit, -2 none set yet */
	pid_t owner;              /* the process that subscribed (fork safety) */
	struct pcn_sys sys;
	int mode;                 /* PROCCN_MODE_*, 0 while negotiating */
	int subscribed;           /* a LISTEN was ACKed and no IGNORE sent yet */
	uint32_t events;          /* normalised mask */
	uint32_t flags;
	int ack_timeout_ms;
	int latency_us;
	int rcvbuf;
	int socket_filter;        /* a BPF program is attached */
	uint32_t nonce;           /* last request's cn_msg.ack */
	uint32_t req_seq;

	struct pcn_counters cnt;
	uint32_t drops_base;      /* SK_MEMINFO_DROPS when last reported */

	/* exact loss accounting from per-CPU sequence numbers */
	int seq_exact;
	uint64_t exact_from_ns;   /* messages generated before this (CLOCK_MONOTONIC ns)
				     came under a narrower filter: not counted */
	int overrun_exact;        /* the unreported overrun happened while counting exactly */
	uint64_t overrun_gaps;    /* gaps counted since that overrun */
	uint64_t gaps_owed;       /* events of reported exact overruns not yet seen as gaps */
	uint64_t owed_unreported; /* those, to report as OVERRUN: counting stopped being exact */
	uint32_t ncpu;
	struct pcn_cpu_seq *cpu_seq;
	uint64_t seq_lost_unreported;

	/* events read while negotiating, delivered first */
	union proccn_event *pending;
	uint32_t pending_head, pending_len;
	uint64_t pending_lost;
	int pending_lost_reported;

	/* the receive batch, and how far dispatch got in it */
	struct mmsghdr *msgs;
	struct iovec *iovs;
	struct sockaddr_nl *addrs;
	uint8_t *bufs;
	unsigned int batch_len;   /* datagrams in the batch */
	unsigned int batch_pos;   /* current datagram */
	unsigned int batch_off;   /* offset of the next message in it */
	int overrun_unreported;
	int drained;              /* the last read found the queue empty */
	int bursting;             /* datagrams came while the last batch gathered */
};

/* recv.c */
void pcn_recv_init(struct proccn *h);
int pcn_recv_batch(struct proccn *h, int64_t wait_us);
int pcn_next_message(struct proccn *h, struct pcn_decoded *out);

/* dispatch.c */
void pcn_keep_pending(struct proccn *h, const union proccn_event *ev);

/* subscribe.c */
int pcn_send_request(struct proccn *h, uint32_t op, uint32_t events, size_t len);
int pcn_negotiate(struct proccn *h);

/* loss.c */
void pcn_seq_reset(struct proccn *h);
void pcn_note_overrun(struct proccn *h);
uint32_t pcn_kernel_drops(const struct proccn *h);

/* socket_filter.c */
int pcn_socket_filter_apply(struct proccn *h);

/* pcn_now_ns - CLOCK_MONOTONIC in nanoseconds, the clock of event timestamps. */
static inline uint64_t pcn_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* pcn_now_us - CLOCK_MONOTONIC in microseconds, for timeouts. */
static inline int64_t pcn_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * pcn_seq_account - note message @seq from @cpu while counting exactly.
 * Numbers that go backwards or jump by 2^31 or more are taken as a new
 * baseline, never as loss. Inline: it runs for every message.
 */
static inline void pcn_seq_account(struct proccn *h, uint32_t cpu, uint32_t seq)
{
	struct pcn_cpu_seq *s;
	uint32_t gap;

	if (cpu >= h->ncpu)
		return;
	s = &h->cpu_seq[cpu];
	gap = seq - s->next;
	/* in order: gap 0; loss: 1..2^31-1; anything else restarts the baseline */
	if (gap - 1 < UINT32_C(0x7fffffff) && s->seen) {
		h->cnt.lost += gap;
		h->seq_lost_unreported += gap;
		if (h->overrun_unreported)
			h->overrun_gaps += gap;
		else
			h->gaps_owed = h->gaps_owed > gap ? h->gaps_owed - gap : 0;
	}
	s->next = seq + 1;
	s->seen = 1;
}

#endif
