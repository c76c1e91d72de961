#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The ABI of the shared library as abidw sees it (Debian: abigail-tools).
#   scripts/abi-dump.sh [--out FILE]
#       build the library alone in build-abi (gcc, with debug info) and dump
#       it into FILE, by default the baseline abi/libproccn.abi
#   scripts/abi-dump.sh --lib LIB --out FILE [--headers DIR]
#       dump a library built elsewhere (tests/abi/test-abi-rules.sh)
# When the baseline may be rewritten: CONTRIBUTING.md, "ABI rules".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

usage() { echo "usage: abi-dump.sh [--out FILE] | --lib LIB --out FILE [--headers DIR]" >&2; exit 2; }
lib='' out='' headers=$root/include
while (( $# )); do
	case $1 in
	--lib) lib=${2:?}; shift 2 ;;
	--out) out=${2:?}; shift 2 ;;
	--headers) headers=${2:?}; shift 2 ;;
	*) usage ;;
	esac
done
command -v abidw >/dev/null ||
	{ echo "abi-dump: abidw not found (Debian: apt-get install abigail-tools)" >&2; exit 1; }

if [[ -z $lib ]]; then
	out=${out:-$root/abi/libproccn.abi}
	build=$root/build-abi
	# the library alone: nothing else is needed to dump it
	opts=(--buildtype=debugoptimized -Dtests=false -Dlive_tests=false -Dvm_tests=false
		-Dexamples=false -Dtools=false -Dman=false -Dbenchmarks=false -Dfuzzing=false)
	if [[ -f $build/build.ninja ]]; then
		meson setup --reconfigure "$build" "${opts[@]}" >/dev/null
	else
		CC=gcc meson setup "$build" "${opts[@]}" >/dev/null
	fi
	ninja -C "$build" >/dev/null
	lib=$build/lib/libproccn.so
elif [[ -z $out ]]; then
	usage
fi

# --headers-dir and --drop-private-types: only the types of the public
# headers, so that internal structs may change freely; no paths and no line
# numbers, so that a dump from another checkout differs only where the ABI
# does (and in the order of the function declarations).
abidw --headers-dir "$headers" --drop-private-types --no-corpus-path \
	--no-comp-dir-path --no-show-locs --out-file "$out" "$lib"
# the licence tag goes inside the root element: abidiff reads the first line
# to tell what kind of file it has
sed -i '1a\  <!-- SPDX-License-Identifier: LGPL-2.1-or-later -->' "$out"
echo "abi-dump: $(grep -c '<elf-symbol ' "$out") symbols of $(realpath "$lib") -> $out"
