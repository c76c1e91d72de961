#!/bin/bash
# SPDX-License-Identifier: MIT-0
# proccn-watch --version names the library's release (from proccn_version()),
# --help lists --version, and both exit 0 without touching the kernel.
set -euo pipefail
watch=${1:?usage: test-proccn-watch-version.sh path/to/proccn-watch VERSION}
want=${2:?usage: test-proccn-watch-version.sh path/to/proccn-watch VERSION}
fail() { echo "FAIL: $*"; exit 1; }

out=$("$watch" --version) || fail "--version exited $?"
[[ $out == "proccn-watch (libproccn) $want" ]] ||
	fail "--version printed '$out', want 'proccn-watch (libproccn) $want'"
help=$("$watch" --help) || fail "--help exited $?"
grep -q -- '--version' <<<"$help" || fail "--help does not list --version"
echo "proccn-watch --version: $out"
