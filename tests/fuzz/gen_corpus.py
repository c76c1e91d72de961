#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Write the seed corpus for fuzz_dispatch (input format: harness.h).

One file per interesting shape, so the fuzzer starts from every branch of the
parser, the filter and dispatch instead of having to discover the wire format.
Run: tests/fuzz/gen_corpus.py [OUTDIR]   (default: tests/fuzz/corpus)
The output is checked in; rerun and commit when the format changes.
"""
import os
import struct
import sys

ALL = 0xE00003C7
FORK, EXEC, UID, GID, SID, PTRACE, COMM = 0x1, 0x2, 0x4, 0x40, 0x80, 0x100, 0x200
NONZERO_EXIT, COREDUMP, EXIT = 0x20000000, 0x40000000, 0x80000000
NLMSG_NOOP, NLMSG_ERROR, NLMSG_DONE, NLMSG_OVERRUN = 1, 2, 3, 4

# header byte 0
PROCESSES_ONLY, FORCE_LEGACY, NO_SOCK_FILTER, ACK_EPERM, SEND_FAILS = 1, 2, 4, 8, 16
# record: sender and operations
FROM_KERNEL, FROM_USER, FROM_FAMILY, FROM_SHORT = 0, 1, 2, 3
TRUNC = 4
OP_NONE, OP_ENOBUFS, OP_EINTR, OP_EAGAIN, OP_SET_EVENTS, OP_EIO, OP_SHORT = 0, 2, 3, 4, 5, 6, 7


def header(flags=0, neg=0, events=0, stop_every=0, batch_max=0, stats_sel=0x80):
    return bytes([flags | (neg << 5)]) + struct.pack('<I', events) + bytes(
        [stop_every, batch_max, stats_sel])


def record(dgram, sender=FROM_KERNEL, trunc=False, op=OP_NONE, mask=None):
    ctl = sender | (TRUNC if trunc else 0) | (op << 3)
    out = bytes([ctl])
    if op == OP_SET_EVENTS:
        out += struct.pack('<I', mask)
    return out + struct.pack('<H', len(dgram)) + dgram


def nlmsg(payload, nl_type=NLMSG_DONE, length=None):
    if length is None:
        length = 16 + len(payload)
    return struct.pack('<IHHII', length, nl_type, 0, 0, 0) + payload


def cnmsg(body, idx=1, val=1, seq=0, ack=0, length=None):
    if length is None:
        length = len(body)
    return struct.pack('<IIIIHH', idx, val, seq, ack, length, 0) + body


def proc_event(what, words=(), cpu=0, ts=123456789, data=None):
    if data is None:
        data = b''.join(struct.pack('<I', w & 0xffffffff) for w in words)
    return struct.pack('<IIQ', what, cpu, ts) + data.ljust(24, b'\0')


def event(what, words=(), cpu=0, seq=0, data=None):
    """A 76-byte datagram exactly as the kernel sends it."""
    return nlmsg(cnmsg(proc_event(what, words, cpu, data=data), seq=seq))


def ack(nonce=0x1234, err=0, seq=0):
    return nlmsg(cnmsg(proc_event(0, [err]), seq=seq, ack=nonce))


SAMPLES = {
    'fork': event(FORK, [100, 100, 200, 200]),
    'fork_thread': event(FORK, [100, 100, 201, 200]),
    'exec': event(EXEC, [200, 200]),
    'uid': event(UID, [200, 200, 1000, 0]),
    'gid': event(GID, [200, 200, 1000, 0]),
    'sid': event(SID, [200, 200]),
    'ptrace': event(PTRACE, [200, 200, 300, 300]),
    'ptrace_detach': event(PTRACE, [200, 200, 0, 0]),
    'comm': event(COMM, [200, 200], data=struct.pack('<II', 200, 200) + b'worker-thread-01'),
    'coredump': event(COREDUMP, [200, 200, 100, 100]),
    'exit': event(EXIT, [200, 200, 0, 17, 100, 100]),
    'exit_code3': event(EXIT, [200, 200, 0x300, 17, 100, 100]),
    'exit_killed': event(EXIT, [200, 200, 9, 17, 100, 100]),
    'exit_thread': event(EXIT, [201, 200, 0, 0xffffffff, 100, 100]),
    'unknown_kind': event(0x400, [1, 2, 3, 4, 5, 6]),
    'nonzero_exit_as_kind': event(NONZERO_EXIT, [1, 2]),
    'two_bits_kind': event(FORK | EXEC, [1, 2, 3, 4]),
    'foreign_ack': ack(0xdeadbeef),
    'foreign_ack_err': ack(0xdeadbeef, err=22),
}


def all_kinds(cpu=0, first_seq=1):
    names = ['fork', 'fork_thread', 'exec', 'uid', 'gid', 'sid', 'ptrace', 'comm',
             'coredump', 'exit', 'exit_code3', 'exit_killed', 'exit_thread', 'unknown_kind']
    out = b''
    for i, n in enumerate(names):
        d = bytearray(SAMPLES[n])
        struct.pack_into('<I', d, 24, first_seq + i)   # cn_msg.seq
        struct.pack_into('<I', d, 40, cpu)             # proc_event.cpu
        out += record(bytes(d))
    return out


def seeds():
    h = header()
    s = {}
    s['empty'] = b''
    s['header_only'] = h
    for name, dg in SAMPLES.items():
        s['kind_' + name] = h + record(dg)
    s['all_kinds'] = h + all_kinds()
    s['all_kinds_legacy'] = header(FORCE_LEGACY) + all_kinds()
    s['all_kinds_processes_only'] = header(PROCESSES_ONLY) + all_kinds()
    s['all_kinds_no_socket_filter_exit_fork'] = header(NO_SOCK_FILTER, events=EXIT | FORK) + all_kinds()
    s['all_kinds_mask_nonzero_exit'] = header(events=NONZERO_EXIT | EXEC) + all_kinds()
    s['all_kinds_legacy_mask_comm'] = header(FORCE_LEGACY | PROCESSES_ONLY, events=COMM | EXIT) + all_kinds()
    s['all_kinds_stop_every_call'] = header(stop_every=1) + all_kinds()
    s['all_kinds_stop_every_3rd'] = header(stop_every=3) + all_kinds()
    s['all_kinds_batch_of_1'] = header(batch_max=1) + all_kinds()
    s['all_kinds_batch_of_2_cpu3'] = header(batch_max=2) + all_kinds(cpu=3)
    s['all_kinds_cpu_out_of_range'] = header() + all_kinds(cpu=0xffffffff)
    s['negotiation_events_before_ack'] = header(neg=3) + all_kinds()
    s['negotiation_events_legacy'] = header(FORCE_LEGACY, neg=7) + all_kinds()
    s['negotiation_enobufs'] = header(neg=2) + record(SAMPLES['fork'], op=OP_ENOBUFS) + all_kinds()
    s['negotiation_eintr_eagain'] = header(neg=2) + record(SAMPLES['exec'], op=OP_EINTR) + \
        record(SAMPLES['exec'], op=OP_EAGAIN) + record(SAMPLES['exit'])
    s['negotiation_eio'] = header(neg=1) + record(SAMPLES['fork'], op=OP_EIO)
    s['ack_eperm'] = header(ACK_EPERM) + all_kinds()
    s['ack_eperm_legacy'] = header(ACK_EPERM | FORCE_LEGACY) + all_kinds()
    s['bad_mask_option'] = header(ACK_EPERM | SEND_FAILS, events=0x00010000) + all_kinds()
    s['send_fails_set_events'] = header(SEND_FAILS) + record(SAMPLES['fork'], op=OP_SET_EVENTS, mask=EXIT) + all_kinds()

    seq = lambda what, n, cpu=0, words=(): [
        bytes(nlmsg(cnmsg(proc_event(what, words, cpu), seq=i))) for i in n]
    gap = seq(EXEC, [1, 2, 7, 8], words=[5, 5]) + seq(EXEC, [100, 50, 0x90000000], cpu=1, words=[6, 6])
    s['seq_gap'] = h + b''.join(record(d) for d in gap)
    s['seq_gap_stop_on_loss'] = header(stop_every=2) + b''.join(record(d) for d in gap)
    s['seq_gap_narrow_mask'] = header(events=EXEC) + b''.join(record(d) for d in gap)

    # errors and rounds in the middle of dispatch
    fk, ex = SAMPLES['fork'], SAMPLES['exit']
    s['enobufs'] = h + record(fk) + record(ex, op=OP_ENOBUFS) + record(fk)
    s['enobufs_twice'] = h + record(fk, op=OP_ENOBUFS) + record(ex, op=OP_ENOBUFS)
    s['enobufs_stop'] = header(stop_every=1) + record(fk, op=OP_ENOBUFS) + record(ex)
    s['eintr'] = h + record(fk) + record(ex, op=OP_EINTR) + record(fk)
    s['eio'] = h + record(fk) + record(ex, op=OP_EIO) + record(fk)
    s['eagain_rounds'] = h + record(fk) + record(ex, op=OP_EAGAIN) + record(fk, op=OP_EAGAIN)
    s['short_batches'] = h + record(fk) + record(ex, op=OP_SHORT) + record(fk, op=OP_SHORT)
    s['set_events_exit_then_all'] = h + record(fk, op=OP_SET_EVENTS, mask=EXIT) + record(ex) + \
        record(fk, op=OP_SET_EVENTS, mask=0) + record(fk)
    s['set_events_legacy'] = header(FORCE_LEGACY) + record(fk, op=OP_SET_EVENTS, mask=NONZERO_EXIT) + \
        record(SAMPLES['exit_killed']) + record(ex)
    s['set_events_bad_bits'] = h + record(fk, op=OP_SET_EVENTS, mask=0x8) + record(ex)
    s['set_events_all_acked'] = header(events=EXIT) + record(fk, op=OP_SET_EVENTS, mask=ALL) + record(ex)
    s['set_events_processes_only'] = header(PROCESSES_ONLY) + \
        record(fk, op=OP_SET_EVENTS, mask=FORK | EXIT) + record(SAMPLES['exit_thread']) + record(SAMPLES['fork_thread'])

    # stats sz variants
    for sel in (0, 4, 8, 16, 63, 0x80, 0x81, 0xff):
        s['stats_sz_%02x' % sel] = header(stats_sel=sel) + record(fk)

    # senders and truncation
    s['spoof_user'] = h + record(fk, sender=FROM_USER) + record(ex)
    s['spoof_family'] = h + record(fk, sender=FROM_FAMILY) + record(ex)
    s['spoof_short_address'] = h + record(fk, sender=FROM_SHORT) + record(ex)
    s['trunc_flag'] = h + record(fk, trunc=True) + record(ex)
    s['oversize_600'] = h + record(fk + bytes(600 - len(fk)))
    s['oversize_nlmsg_600'] = h + record(nlmsg(cnmsg(proc_event(FORK, [1, 1, 2, 2]) + bytes(544))))

    # malformed shapes
    ev_fork = proc_event(FORK, [1, 1, 2, 2])
    s['short_10'] = h + record(fk[:10])
    s['short_16'] = h + record(fk[:16])
    s['short_36'] = h + record(fk[:36])
    s['short_60'] = h + record(fk[:60])
    s['zero_length'] = h + record(b'') + record(fk)
    s['nlmsg_len_too_big'] = h + record(nlmsg(cnmsg(ev_fork), length=200))
    s['nlmsg_len_too_small'] = h + record(nlmsg(cnmsg(ev_fork), length=8))
    s['nlmsg_len_unaligned'] = h + record(nlmsg(cnmsg(ev_fork), length=75) + b'\0')
    s['cn_len_short_for_exit'] = h + record(nlmsg(cnmsg(proc_event(EXIT, [5, 5, 0, 17, 1, 1]), length=32)))
    s['cn_len_short_for_comm'] = h + record(nlmsg(cnmsg(proc_event(COMM, [5, 5]), length=39)))
    s['cn_len_below_header'] = h + record(nlmsg(cnmsg(ev_fork, length=15)))
    s['cn_len_past_message'] = h + record(nlmsg(cnmsg(ev_fork, length=41)))
    s['cn_len_longer_48'] = h + record(nlmsg(cnmsg(ev_fork + bytes(8))))
    s['cn_len_unknown_kind_short'] = h + record(nlmsg(cnmsg(proc_event(0x800, [7])[:20])))
    s['ack_too_short'] = h + record(nlmsg(cnmsg(proc_event(0, [0])[:19])))
    s['bad_idx'] = h + record(nlmsg(cnmsg(ev_fork, idx=2)))
    s['bad_val'] = h + record(nlmsg(cnmsg(ev_fork, val=7)))
    s['type_noop'] = h + record(nlmsg(cnmsg(ev_fork), nl_type=NLMSG_NOOP))
    s['type_error'] = h + record(nlmsg(struct.pack('<i', -1) + bytes(16), nl_type=NLMSG_ERROR))
    s['type_overrun'] = h + record(nlmsg(cnmsg(ev_fork), nl_type=NLMSG_OVERRUN))
    s['type_unknown'] = h + record(nlmsg(cnmsg(ev_fork), nl_type=0x10))
    s['two_messages'] = h + record(fk + ex)
    s['two_messages_second_short'] = h + record(fk + ex[:40])
    s['three_messages_middle_bad'] = h + record(fk + nlmsg(cnmsg(ev_fork, idx=9)) + ex)
    s['message_then_garbage'] = h + record(fk + b'\xff' * 12)
    s['ack_and_event'] = h + record(SAMPLES['foreign_ack'] + fk)
    s['garbage'] = h + record(bytes(range(256)) * 2)
    return s


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(
        os.path.abspath(__file__)), 'corpus')
    os.makedirs(out, exist_ok=True)
    for name, data in sorted(seeds().items()):
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)
    print('wrote %d seeds to %s' % (len(seeds()), out))


if __name__ == '__main__':
    main()
