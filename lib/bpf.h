/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Classic BPF socket filter generated from the mask and options. */
#ifndef PCN_BPF_H
#define PCN_BPF_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

/* Enough for every mask and flag combination. */
#define PCN_BPF_MAX_INSNS 64

/*
 * proccn__bpf_build - write a program that drops, in the kernel, datagrams that
 * proccn__filter_pass() would drop, and accepts everything else: ACKs always, and
 * any datagram it cannot judge (other lengths, types or ids), which the
 * userspace parser then counts. Returns the number of instructions (> 0),
 * 0 when no filter is needed (mask ALL without PROCESSES_ONLY), or -EINVAL
 * when @cap is too small.
 */
int proccn__bpf_build(uint32_t mask, uint32_t flags, struct sock_filter *prog, size_t cap);

#endif
