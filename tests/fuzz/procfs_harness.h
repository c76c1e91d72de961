/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fuzz harness of the /proc parsers (lib/procfs.h), shared by the
 * libFuzzer target (fuzz_procfs.c) and the plain replay test (replay.c built
 * with this harness), like harness.h is for fuzz_dispatch.
 *
 * Input: any bytes. Every parser gets all of them: stat, status, cgroup (and
 * the unit and container id of the path it finds, and of the whole input
 * taken as a path), loginuid/sessionid, and the scan's walk over getdents64
 * records (the input as the records buffer, at an odd address). The first
 * 20 bytes also serve as clock numbers (ticks u64, offset s64, USER_HZ u32,
 * little-endian) for the tick/ns conversions.
 */
#ifndef PCN_FUZZ_PROCFS_HARNESS_H
#define PCN_FUZZ_PROCFS_HARNESS_H

#include <stddef.h>
#include <stdint.h>

/*
 * pcn_fuzz_procfs_one - run every procfs parser on @data, check the promises
 * of procfs.h about what they return (spans inside the input, comm the bytes
 * between the first '(' and the last ')', ranges, round trips) and abort()
 * when one is broken. Returns 0.
 */
int pcn_fuzz_procfs_one(const uint8_t *data, size_t size);

#endif
