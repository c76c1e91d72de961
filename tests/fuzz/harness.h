/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fuzz harness, shared by the libFuzzer target (fuzz_dispatch.c) and the
 * plain replay test (replay.c), so that every input the fuzzer ever kept is
 * also run by the ordinary test suite, under gcc, valgrind and ASan builds.
 *
 * Input format (all integers little-endian; a short input reads as zeros):
 *   header, 8 bytes:
 *     [0] bit0 PROCESSES_ONLY, bit1 FORCE_LEGACY, bit2 NO_SOCKET_FILTER,
 *         bit3 the first ACK carries EPERM (proccn_open fails),
 *         bit4 sendmsg fails (EPERM) once the handle is open,
 *         bits5-7 records served during negotiation before the ACK (0..7)
 *     [1..4] opts.events (bits outside ALL are cleared unless [0] bit3 and
 *            bit4 are both set, which then tests the -EINVAL path)
 *     [5] callbacks return -ECANCELED on every Nth call (0 = never)
 *     [6] most datagrams one recvmmsg call returns (0 = as many as asked)
 *     [7] proccn_get_stats() sz selector
 *   then records until the input ends:
 *     ctl, 1 byte:
 *       bits0-1 sender: 0 kernel, 1 nl_pid != 0, 2 wrong family, 3 short address
 *       bit2    MSG_TRUNC set even when the datagram fits
 *       bits3-5 before this datagram: 0/1 nothing, 2 ENOBUFS, 3 EINTR,
 *               4 EAGAIN (ends the dispatch round), 5 EAGAIN and then
 *               proccn_set_events(next 4 bytes), 6 EIO, 7 short batch
 *     [5 only] mask, 4 bytes
 *     len, 2 bytes; then len bytes of datagram (fewer if the input ends)
 */
#ifndef PCN_FUZZ_HARNESS_H
#define PCN_FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#define PCN_FUZZ_HDR_LEN 8

/* Byte 0 of the header. */
#define PCN_FUZZ_PROCESSES_ONLY 0x01
#define PCN_FUZZ_FORCE_LEGACY   0x02
#define PCN_FUZZ_NO_SOCK_FILTER 0x04
#define PCN_FUZZ_ACK_EPERM      0x08
#define PCN_FUZZ_SEND_FAILS     0x10
#define PCN_FUZZ_NEG_SHIFT      5

/* Record control byte. */
#define PCN_FUZZ_FROM_KERNEL    0
#define PCN_FUZZ_FROM_USER      1
#define PCN_FUZZ_FROM_FAMILY    2
#define PCN_FUZZ_FROM_SHORT     3
#define PCN_FUZZ_TRUNC          0x04
#define PCN_FUZZ_OP_SHIFT       3
enum {
	PCN_FUZZ_OP_NONE = 0,
	PCN_FUZZ_OP_ENOBUFS = 2,
	PCN_FUZZ_OP_EINTR = 3,
	PCN_FUZZ_OP_EAGAIN = 4,
	PCN_FUZZ_OP_SET_EVENTS = 5,
	PCN_FUZZ_OP_EIO = 6,
	PCN_FUZZ_OP_SHORT_BATCH = 7,
};

/*
 * pcn_fuzz_one - open a handle on a fake kernel fed from @data, dispatch
 * everything, poke set_events/get_stats between rounds, close. Checks the
 * library's promises and abort()s when one is broken. Returns 0.
 */
int pcn_fuzz_one(const uint8_t *data, size_t size);

#endif
