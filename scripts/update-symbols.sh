#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Rewrite debian/libproccn0.symbols, the Debian symbols file, from the library
# as built now, with dpkg-gensymbols (Debian: dpkg-dev). Symbols already in
# the file keep the version that added them; new ones get the release in
# meson.build. The package build fails while the file and the library differ
# (debian/rules: dh_makeshlibs -- -c4): run this when a symbol is added, and
# review the diff (CONTRIBUTING.md, "ABI rules").
set -euo pipefail
cd "$(dirname "$0")/.."

build=build-symbols
opts=(-Dtests=false -Dlive_tests=false -Dvm_tests=false -Dexamples=false -Dtools=false
	-Dman=false -Dbenchmarks=false -Dfuzzing=false)
if [[ -f $build/build.ninja ]]; then
	meson setup --reconfigure "$build" "${opts[@]}" >/dev/null
else
	meson setup "$build" "${opts[@]}" >/dev/null
fi
ninja -C "$build" >/dev/null
version=$(meson introspect --projectinfo "$build" |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')

# dpkg-gensymbols reads a package's build tree: lay one out
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
libdir=$tmp/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)
mkdir -p "$libdir"
cp -a "$build"/lib/libproccn.so* "$libdir/"

file=debian/libproccn0.symbols
args=(-plibproccn0 -P"$tmp" -v"$version" -O"$tmp/symbols" -c0)
[[ -f $file ]] && args+=(-I"$file")
dpkg-gensymbols "${args[@]}"
# what dpkg-gensymbols does not write: the licence, and the -dev package that
# a package built against a newer version must depend on
{
	echo "# SPDX-License-Identifier: LGPL-2.1-or-later"
	echo "# Written by scripts/update-symbols.sh (dpkg-gensymbols); see CONTRIBUTING.md."
	head -n1 "$tmp/symbols"
	echo "* Build-Depends-Package: libproccn-dev"
	tail -n +2 "$tmp/symbols" | grep -v "^\* Build-Depends-Package:"
} > "$file"
echo "update-symbols: $file: $(grep -c '^ proccn_' "$file") symbols, new ones at $version"
