#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Instructions per event of the library's own work in proccn_dispatch()
# (receive-batch setup, parse, filter, loss accounting, dispatch), counted by
# callgrind on proccn-synth --callgrind (the tests' fake kernel in memory
# mode).
#
# Collection is on only inside proccn_dispatch, and toggled off again inside
# the fake kernel's recvmmsg (fk_recvmmsg: it generates and copies the
# datagrams) and the benchmark's callbacks (bench_cb_*). What remains is the
# library plus what it calls itself (libmnl, memset/memcpy in libc).
#
# usage: bench/callgrind.sh path/to/proccn-synth [events]
set -euo pipefail
synth=${1:?usage: callgrind.sh path/to/proccn-synth [events]}
events=${2:-200000}
command -v valgrind >/dev/null 2>&1 || { echo "SKIP: valgrind not found"; exit 77; }
out=$(mktemp -d "${TMPDIR:-/tmp}/proccn-callgrind.XXXXXX")
trap 'rm -rf "$out"' EXIT

set -- valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out" \
	--toggle-collect=proccn_dispatch \
	--toggle-collect=fk_recvmmsg \
	--toggle-collect='bench_cb_*' \
	"$synth" --callgrind --events "$events"
echo "command: $*"
"$@" >"$out/stdout" 2>"$out/stderr" || { cat "$out/stdout" "$out/stderr"; exit 1; }
cat "$out/stdout"
collected=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out/stderr" | tail -n 1)
[ -n "$collected" ] || { echo "no 'Collected' line from valgrind"; cat "$out/stderr"; exit 1; }
per=$(awk -v c="$collected" -v e="$events" 'BEGIN { printf "%.1f", c / e }')
echo "collected instructions (Ir): $collected for $events events"
echo "instructions per event (library work): $per"
echo "target <= 150 instructions per event: $(awk -v p="$per" 'BEGIN { print (p <= 150) ? "PASS" : "FAIL" }')"
echo
command -v callgrind_annotate >/dev/null 2>&1 || exit 0
echo "per function (self cost, collected part only):"
# head closes the pipe early: the annotator's broken pipe is not a failure
callgrind_annotate --auto=no --threshold=99.9 "$out/callgrind.out" 2>/dev/null |
	sed -n '/^Ir/,$p' | grep -v -e '^$' -e '^---' -e 'PROGRAM TOTALS' -e '^Ir' | head -n 30 || true
