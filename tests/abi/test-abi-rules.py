#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The ABI check's rules, shown on real libraries.

Copies of lib/ and include/ are changed in a temporary directory, built,
dumped with abidw (scripts/abi-dump.sh) and judged against the unchanged copy
by scripts/abi-compare.py, which must accept or reject each as listed in
CASES. Run by .ci/abi-check. Exit 0 pass, 1 fail, 77 skip (no abidw).
"""
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HEADER = "include/proccn.h"
MAP = "lib/libproccn.map"
NEW_FUNCTION_DECL = ("/* proccn_abi_added - a function added by the ABI test. */\n"
                     "int proccn_abi_added(void);\n\n")
NEW_FUNCTION_DEF = "\nint proccn_abi_added(void)\n{\n\treturn 1;\n}\n"


def struct_insert(name, where, line):
    """An edit of the header: LINE after the first member of struct NAME, or
    after its last one."""
    def edit(files):
        text = files[HEADER]
        m = re.search(r"^struct %s \{\n(.*?)^\};" % name, text, re.S | re.M)
        assert m, f"no struct {name} in {HEADER}"
        at = text.index("\n", m.start(1)) + 1 if where == "first" else m.end(1)
        files[HEADER] = text[:at] + line + "\n" + text[at:]
    return edit


def replace(path, old, new):
    def edit(files):
        assert old in files[path], f"no '{old}' in {path}"
        files[path] = files[path].replace(old, new)
    return edit


def add_function(files):
    marker = "#ifdef __cplusplus\n}"
    assert marker in files[HEADER]
    files[HEADER] = files[HEADER].replace(marker, NEW_FUNCTION_DECL + marker, 1)
    files["lib/version.c"] += NEW_FUNCTION_DEF


remove_function = replace(MAP, "\tproccn_event_is_thread;\n", "")

# name: (verdict, soname, edits)
CASES = {
    "unchanged": ("accepted", "libproccn.so.0", []),
    # a field inserted into a public struct moves the fields after it
    "field-inserted": ("rejected", "libproccn.so.0",
                       [struct_insert("proccn_exit", "first", "\tuint32_t inserted;")]),
    # a struct that starts with a size field may grow at the end ...
    "sz-struct-appended": ("accepted", "libproccn.so.0",
                           [struct_insert("proccn_stats", "last", "\tuint64_t appended;")]),
    # ... which must not hide a change of a type it points to
    "sz-appended-field-inserted": ("rejected", "libproccn.so.0", [
        struct_insert("proccn_callbacks", "last", "\tint (*on_new)(void *userdata);"),
        struct_insert("proccn_exit", "first", "\tuint32_t inserted;")]),
    # ... nor grow anywhere else
    "sz-struct-inserted": ("rejected", "libproccn.so.0",
                           [struct_insert("proccn_opts", "first", "\tuint32_t inserted;")]),
    # a struct without a size field may not grow at all
    "struct-appended": ("rejected", "libproccn.so.0",
                        [struct_insert("proccn_exit_status", "last", "\tint appended;")]),
    # an addition to a version node of the baseline
    "added-to-old-node": ("rejected", "libproccn.so.0", [
        add_function,
        replace(MAP, "\tproccn_version;", "\tproccn_version;\n\tproccn_abi_added;")]),
    # an addition in a node of its own
    "added-in-new-node": ("accepted", "libproccn.so.0", [
        add_function,
        lambda f: f.__setitem__(MAP, f[MAP] + "\nLIBPROCCN_0.2 {\nglobal:\n"
                                "\tproccn_abi_added;\n} LIBPROCCN_0.1;\n")]),
    # a function removed ...
    "removed": ("rejected", "libproccn.so.0", [remove_function]),
    # ... with a new soname, but the old version node
    "removed-new-soname": ("rejected", "libproccn.so.1", [remove_function]),
    # ... with a new soname and every node renamed: a deliberate break
    "removed-new-soname-nodes": ("accepted", "libproccn.so.1", [
        remove_function, replace(MAP, "LIBPROCCN_0.1", "LIBPROCCN_1.0")]),
}


def make(tmp, name, soname, edits):
    """Copy, change, build and dump one case; return its dump."""
    d = os.path.join(tmp, name)
    for sub in ("include", "lib"):
        shutil.copytree(os.path.join(ROOT, sub), os.path.join(d, sub))
    files = {}
    for path in (HEADER, MAP, "lib/version.c"):
        with open(os.path.join(d, path), encoding="utf-8") as f:
            files[path] = f.read()
    for edit in edits:
        edit(files)
    for path, text in files.items():
        with open(os.path.join(d, path), "w", encoding="utf-8") as f:
            f.write(text)
    # one translation unit, as meson's unity build of lib/ does: 5 times faster
    unity = os.path.join(d, "unity.c")
    with open(unity, "w", encoding="utf-8") as f:
        for c in sorted(os.listdir(os.path.join(d, "lib"))):
            if c.endswith(".c"):
                f.write('#include "lib/%s"\n' % c)
    so = os.path.join(d, "libproccn.so")
    subprocess.run(["cc", "-shared", "-fPIC", "-g", "-O0", "-D_GNU_SOURCE",
                    "-I" + os.path.join(d, "include"), "-I" + os.path.join(d, "lib"),
                    "-I" + d, unity, "-lmnl", "-Wl,--version-script=" + os.path.join(d, MAP),
                    "-Wl,-soname," + soname, "-o", so], check=True)
    dump = os.path.join(tmp, name + ".abi")
    subprocess.run([os.path.join(ROOT, "scripts", "abi-dump.sh"), "--lib", so,
                    "--headers", os.path.join(d, "include"), "--out", dump],
                   check=True, stdout=subprocess.DEVNULL)
    return dump


def main():
    if not shutil.which("abidw"):
        print("SKIP: abidw not found (Debian: apt-get install abigail-tools)")
        return 77
    compare = os.path.join(ROOT, "scripts", "abi-compare.py")
    failures = 0
    with tempfile.TemporaryDirectory() as tmp, \
            concurrent.futures.ThreadPoolExecutor(os.cpu_count()) as pool:
        jobs = {name: pool.submit(make, tmp, name, soname, edits)
                for name, (_, soname, edits) in {"base": (None, "libproccn.so.0", []),
                                                  **CASES}.items()}
        base = jobs["base"].result()
        for name, (want, _, _) in CASES.items():
            r = subprocess.run([sys.executable, compare, base, jobs[name].result()],
                               capture_output=True, text=True)
            got = {0: "accepted", 1: "rejected"}.get(r.returncode, f"an error ({r.returncode})")
            first = r.stdout.split("\n")[0]
            if got == want:
                print(f"ok    {name:27} {got}: {first[:150]}")
            else:
                print(f"FAIL  {name:27} {got}, want {want}:\n{r.stdout}{r.stderr}")
                failures += 1
    if failures:
        print(f"test-abi-rules: {failures} of {len(CASES)} cases judged wrongly")
        return 1
    print(f"test-abi-rules: all {len(CASES)} cases judged as the rules say")
    return 0


if __name__ == "__main__":
    sys.exit(main())
