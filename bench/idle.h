/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Idle polling for the benchmarks that ask for it (--idle-poll).
 *
 * Why: when a CPU has nothing to run it halts, and waking it again is what
 * makes a sleep expensive on some machines (on our Firecracker VM, ~8 us of
 * VM exit and tick restart). The kernel charges that idle exit to the task
 * being woken: the wake-up updates the run-queue clock and the following
 * schedule() skips its own update, so the woken task's run time starts at the
 * wake-up. A PM QoS request for a CPU latency of 0 makes idle CPUs poll
 * instead of halting, which takes that cost away from every process alike.
 * It is a machine setting (it burns idle CPU time), so the benchmarks only
 * hold it when asked, and say so in their output.
 */
#ifndef PCN_BENCH_IDLE_H
#define PCN_BENCH_IDLE_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

/*
 * hold_idle_poll - ask that idle CPUs poll rather than halt, until the
 * returned fd is closed (or the process exits). Returns the fd or -errno;
 * needs root.
 */
static inline int hold_idle_poll(void)
{
	int32_t latency_us = 0;
	int fd = open("/dev/cpu_dma_latency", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (write(fd, &latency_us, sizeof(latency_us)) != (ssize_t)sizeof(latency_us)) {
		int err = errno ? errno : EIO;

		close(fd);
		return -err;
	}
	return fd;
}

#endif
