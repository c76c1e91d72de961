#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# After `meson install --destdir`, a program outside the tree finds the library
# with pkg-config and links it, and the shared library exports only the API.
set -euo pipefail
build=$(realpath "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

meson install -C "$build" --destdir "$dest" >/dev/null
pc=$(dirname "$(find "$dest" -name libproccn.pc | head -n1)")
prefix=$(meson introspect "$build" --buildoptions |
	python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"][0])')

# pkg-config answers in terms of the final prefix: point it into the destdir.
export PKG_CONFIG_PATH=$pc PKG_CONFIG_SYSROOT_DIR=$dest
flags=$(pkg-config --cflags --libs libproccn)
cat > "$dest/outside.c" <<'C'
#include <proccn.h>
#include <stdio.h>
int main(void)
{
	printf("%s\n", proccn_kind_name(PROCCN_EV_EXIT));
	return proccn_strerror(-1) == NULL;
}
C
# shellcheck disable=SC2086
cc -Wall -Wextra -Werror -o "$dest/outside" "$dest/outside.c" $flags
libdir=$(dirname "$(find "$dest" -name 'libproccn.so.0' | head -n1)")
out=$(LD_LIBRARY_PATH=$libdir "$dest/outside")
[[ $out == exit ]] || { echo "check-install: outside program printed '$out'" >&2; exit 1; }
echo "check-install: pkg-config --libs libproccn -> $(pkg-config --libs libproccn) (prefix $prefix): linked and ran"

# Exactly the symbols of the version script, each in its own version node.
exported=$(nm -D --defined-only "$libdir/libproccn.so.0" | awk '$2 == "T" {print $3}' | sort)
expected=$(awk '/^[A-Z][A-Z0-9_.]* *\{/ { node = $1 }
	/^\tproccn_[a-z0-9_]*;$/ { sub(/;$/, "", $1); print $1 "@@" node }' \
	"$root/lib/libproccn.map" | sort)
if [[ $exported != "$expected" ]]; then
	echo "check-install: exported symbols differ from lib/libproccn.map:" >&2
	diff <(echo "$expected") <(echo "$exported") >&2 || true
	exit 1
fi
api=$(grep -ho '^[a-z0-9_ *]*\bproccn_[a-z0-9_]*(' "$root"/include/proccn*.h |
	sed 's/.*\b\(proccn_[a-z0-9_]*\)($/\1/' | sort -u)
mapped=$(sed -n 's/^\t\(proccn_[a-z0-9_]*\);$/\1/p' "$root/lib/libproccn.map" | sort)
if [[ $api != "$mapped" ]]; then
	echo "check-install: header functions and version script differ:" >&2
	diff <(echo "$api") <(echo "$mapped") >&2 || true
	exit 1
fi
soname=$(objdump -p "$libdir/libproccn.so.0" | awk '/SONAME/ {print $2}')
[[ $soname == libproccn.so.0 ]] || { echo "check-install: soname is $soname" >&2; exit 1; }
echo "check-install: nm -D shows only the $(echo "$exported" | wc -l) public functions; soname $soname"
static=$(find "$dest" -name libproccn.a | head -n1)
[[ -f $static ]] || { echo "check-install: no static library" >&2; exit 1; }
# The static library defines the public functions and internal ones under
# proccn__ only: no name that could clash with a program's own.
clash=$(nm --defined-only "$static" 2>/dev/null | awk '$2 ~ /^[A-Z]$/ {print $3}' |
	grep -v -e '^proccn__' || true)
public=$(echo "$expected" | sed 's/@@.*//')
if [[ $clash != "$public" ]]; then
	echo "check-install: the static library defines global names outside proccn_ (public)" \
		"and proccn__ (internal):" >&2
	diff <(echo "$public") <(echo "$clash") >&2 || true
	exit 1
fi
echo "check-install: static library installed; global names: $(echo "$public" | wc -l) public," \
	"$(nm --defined-only "$static" | awk '$2 ~ /^[A-Z]$/ {print $3}' | grep -c '^proccn__') under proccn__"

# The README's examples build against the installed copy.
for section in 'Usage:proccn_open' 'The process table:proccn_table_open'; do
	title=${section%%:*}
	sed -n "/^## $title\$/,/^\`\`\`\$/p" "$root/README.md" | sed '1,/^```c$/d;/^```$/d' > "$dest/example.c"
	grep -q "${section##*:}" "$dest/example.c" ||
		{ echo "check-install: no example under '## $title' in README" >&2; exit 1; }
	# shellcheck disable=SC2086
	cc -Wall -Wextra -Wformat=2 -Werror -o "$dest/example" "$dest/example.c" $flags
	echo "check-install: the README's example under '$title' compiles against the installed library"
done
