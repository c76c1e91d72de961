#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Build and run proccn-watch, installing first what the build needs (and only
# that: no test packages). Arguments go to proccn-watch, e.g.:
#   scripts/watch.sh --json -e exec,exit
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --build >&2
build=${BUILD_DIR:-build-watch}
[[ -d $build ]] || meson setup "$build" -Dtests=false -Dlive_tests=false -Dvm_tests=false \
	-Dexamples=false -Dman=false -Dbenchmarks=false >/dev/null
ninja -C "$build" tools/proccn-watch >&2
exec "$build/tools/proccn-watch" "$@"
