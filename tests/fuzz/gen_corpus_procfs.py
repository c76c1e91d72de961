#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Write the seed corpus for fuzz_procfs (input: any bytes, see procfs_harness.h).

Files as the kernel writes them (stat, status, cgroup, loginuid) and the odd
ones a process or a foreign /proc can produce, plus getdents64 record
buffers for the scan's walk, so the fuzzer starts from every parser's
accepting paths instead of having to discover the formats.
Run: tests/fuzz/gen_corpus_procfs.py [OUTDIR]   (default: tests/fuzz/corpus_procfs)
The output is checked in; rerun and commit when the formats change.
"""
import os
import struct
import sys


def stat(pid=4242, comm=b'bash', state=b'S', ppid=1, pgrp=4242, session=4242, tty=34816,
         threads=1, start=123456, tail=True):
    head = b'%d (%s) %s %d %d %d %d -1 4194560 1176 0 0 0 3 1 0 0 20 0 %d 0 %d' % (
        pid, comm, state, ppid, pgrp, session, tty, threads, start)
    if not tail:
        return head
    return head + (b' 8617984 1280 18446744073709551615 94219 94220 140727 0 0 0 65536 '
                   b'3670020 0 0 0 17 1 0 0 0 0 0 94221 94222 94223 140728 140729 140730 '
                   b'140731 0\n')


def status(tgid=4242, ppid=1, uids=(1000, 1000, 1000, 1000), gids=(1000, 1000, 1000, 1000),
           nspid=b'4242', name=b'bash'):
    return (b'Name:\t%s\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\n'
            b'PPid:\t%d\nTracerPid:\t0\nUid:\t%d\t%d\t%d\t%d\nGid:\t%d\t%d\t%d\t%d\n'
            b'FDSize:\t256\nGroups:\t4 24 27 30 46 100 1000 \nNStgid:\t%s\nNSpid:\t%s\n'
            b'NSpgid:\t%s\nNSsid:\t%s\nKthread:\t0\nVmPeak:\t   10000 kB\nVmRSS:\t    5000 kB\n'
            b'Threads:\t1\nSigQ:\t0/63389\nSigPnd:\t0000000000000000\n'
            b'CapEff:\t0000000000000000\nSeccomp:\t0\nCpus_allowed:\t3\n'
            b'Cpus_allowed_list:\t0-1\nvoluntary_ctxt_switches:\t150\n'
            b'nonvoluntary_ctxt_switches:\t4\n') % (
        name, tgid, tgid, ppid, *uids, *gids, nspid, nspid, nspid, nspid)


V1 = (b'12:pids:/user.slice/user-1000.slice\n9:name=systemd:/user.slice/user-1000.slice/'
      b'session-2.scope\n4:memory:/user.slice\n3:cpu,cpuacct:/\n1:freezer:/\n')
ID = b'0123456789abcdef' * 4


def dirent(name, dtype=4, ino=1, off=1, reclen=None):
    """One linux_dirent64 record, padded to 8 like the kernel's."""
    size = 19 + len(name) + 1
    size = (size + 7) & ~7
    rec = struct.pack('<QqHB', ino, off, reclen if reclen is not None else size, dtype)
    return (rec + name + b'\0').ljust(size, b'\0')


def dirents(names, pad_to=288):
    out = b''.join(dirent(n, 4 if n[:1].isdigit() or n in (b'.', b'..') else 8) for n in names)
    return out.ljust(pad_to, b'\0') if len(out) < pad_to else out


SEEDS = {
    # stat
    'stat_plain': stat(),
    'stat_comm_parens': stat(comm=b'a) (b'),
    'stat_comm_fake_fields': stat(comm=b') R 1 2 3 4'),
    'stat_comm_newline': stat(comm=b'x\ny\n'),
    'stat_comm_empty': stat(comm=b''),
    'stat_kworker_63': stat(pid=33, comm=b'kworker/u8:1-ext4-rsv-conversion-abcdefghijklmnopqrstuvwxyz0123',
                            state=b'I', ppid=2, pgrp=0, session=0, tty=0, start=14),
    'stat_comm_64': stat(comm=b'x' * 64),
    'stat_zombie': stat(state=b'Z', threads=1, tail=True).replace(b'8617984', b'0'),
    'stat_cut_after_22': stat(tail=False),
    'stat_extremes': stat(pid=2147483647, ppid=0, pgrp=2147483647, session=0,
                          tty=-2147483648, threads=2147483647, start=18446744073709551615),
    'stat_overflow': stat(start=18446744073709551616),
    # status
    'status_plain': status(),
    'status_root': status(uids=(0, 0, 0, 0), gids=(0, 0, 0, 0)),
    'status_setuid': status(uids=(1000, 0, 0, 0), gids=(1000, 4294967295, 5, 6)),
    'status_nspid_nested': status(nspid=b'4242\t17\t1'),
    'status_name_escaped': status(name=b'x\\nUid:\\t0'),
    'status_minimal': b'Tgid:\t1\nPPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0',
    # cgroup
    'cgroup_hybrid': V1 + b'0::/user.slice/user-1000.slice/session-2.scope\n',
    'cgroup_v2_user_app': b'0::/user.slice/user-1000.slice/user@1000.service/app.slice/'
                          b'app-gnome-firefox-1234.scope\n',
    'cgroup_v2_service_sub': b'0::/system.slice/docker.service/payload\n',
    'cgroup_docker_systemd': b'0::/system.slice/docker-' + ID + b'.scope\n',
    'cgroup_docker_cgroupfs': V1 + b'0::/docker/' + ID + b'\n',
    'cgroup_kubepods_systemd': b'0::/kubepods.slice/kubepods-burstable.slice/'
                               b'kubepods-burstable-pod1234_5678.slice/cri-containerd-' + ID + b'.scope\n',
    'cgroup_kubepods_cgroupfs': b'0::/kubepods/besteffort/pod1234-5678/' + ID + b'\n',
    'cgroup_crio': b'0::/kubepods.slice/crio-' + ID + b'.scope\n',
    'cgroup_libpod': b'0::/machine.slice/libpod-' + ID + b'.scope/container\n',
    'cgroup_libpod_conmon': b'0::/machine.slice/libpod-conmon-' + ID + b'.scope\n',
    'cgroup_deleted': b'0::/system.slice/gone.service (deleted)\n',
    'cgroup_outside_ns': b'0::/../../sibling.slice/x.service\n',
    'cgroup_v1_only': V1,
    'cgroup_root': b'0::/\n',
    # loginuid, sessionid
    'id_unset': b'4294967295',
    'id_session': b'3\n',
    'id_overflow': b'4294967296',
    # getdents64 records of a /proc root
    'dirents_proc': dirents([b'.', b'..', b'fs', b'sys', b'cpuinfo', b'self', b'thread-self',
                             b'1', b'2', b'3', b'10', b'4242', b'4194304', b'2147483647',
                             b'2147483648', b'0', b'007']),
    'dirents_bad_reclen': dirents([b'1', b'2']) [:24] + dirent(b'3', reclen=400) + b'\0' * 300,
    'dirents_no_nul': dirent(b'12').replace(b'12\0', b'123') + b'\0' * 300,
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__),
                                                             'corpus_procfs')
    os.makedirs(out, exist_ok=True)
    for name, data in sorted(SEEDS.items()):
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)
    print('%d seeds in %s' % (len(SEEDS), out))


if __name__ == '__main__':
    main()
