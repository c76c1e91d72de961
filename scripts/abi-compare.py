#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Judge an ABI change by the project's rules (CONTRIBUTING.md, "ABI rules").

  abi-compare.py BASELINE.abi CURRENT.abi

Both files are abidw dumps (scripts/abi-dump.sh). The change is accepted when
- nothing changed, or
- symbols were added, each in a version node that the baseline does not
  have, and structs that start with a size field (sz) grew at the end, or
- anything else changed (a symbol removed, a type changed), and the soname
  changed and no version node of the baseline is left.
Exit 0 accepted, 1 rejected (the reason and abidiff's report are printed),
2 abidiff could not compare.

The growth of sz structs is taken out of the current dump before abidiff
sees it, rather than suppressed in abidiff: a suppression of a struct's
changes also hides the changes of the types its members point to.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET


def symbols(root):
    """{symbol: version node} of a dump."""
    return {s.get("name"): s.get("version", "")
            for kind in ("elf-function-symbols", "elf-variable-symbols")
            for block in root.iter(kind) for s in block.iter("elf-symbol")}


def members(decl):
    """[(name, bit offset, element)] of a struct's data members."""
    out = []
    for dm in decl.findall("data-member"):
        var = dm.find("var-decl")
        out.append((var.get("name") if var is not None else None,
                    int(dm.get("layout-offset-in-bits", "-1")), dm))
    return out


def structs_with_sz(root):
    return {d.get("name"): d for d in root.iter("class-decl")
            if d.get("is-struct") == "yes" and d.get("is-declaration-only") != "yes"
            and members(d) and members(d)[0][0] == "sz"}


def cut_sz_growth(base_root, cur_root):
    """Remove from cur the members appended to structs that start with sz,
    and give them back their old size; return what was removed."""
    base = structs_with_sz(base_root)
    notes = {}
    for name, decl in structs_with_sz(cur_root).items():
        old = base.get(name)
        if old is None:
            continue
        was, now = members(old), members(decl)
        size = int(old.get("size-in-bits"))
        kept = [(n, off) for n, off, _ in now[:len(was)]]
        extra = now[len(was):]
        if extra and kept == [(n, off) for n, off, _ in was] and \
                all(off >= size for _, off, _ in extra):
            for _, _, el in extra:
                decl.remove(el)
            decl.set("size-in-bits", str(size))
            notes[name] = [n for n, _, _ in extra]
    # the same struct may appear in several translation units: cut them all
    for decl in cur_root.iter("class-decl"):
        if decl.get("name") in notes and decl.get("is-declaration-only") != "yes":
            for dm in list(decl.findall("data-member")):
                var = dm.find("var-decl")
                if var is not None and var.get("name") in notes[decl.get("name")]:
                    decl.remove(dm)
            decl.set("size-in-bits", base[decl.get("name")].get("size-in-bits"))
    return notes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("baseline")
    ap.add_argument("current")
    a = ap.parse_args()

    base_root = ET.parse(a.baseline).getroot()
    cur_tree = ET.parse(a.current)
    cur_root = cur_tree.getroot()
    base, cur = symbols(base_root), symbols(cur_root)
    base_soname, cur_soname = base_root.get("soname", ""), cur_root.get("soname", "")
    base_nodes = set(base.values())
    grown = cut_sz_growth(base_root, cur_root)
    with tempfile.TemporaryDirectory() as tmp:
        trimmed = os.path.join(tmp, "current.abi")
        cur_tree.write(trimmed, encoding="unicode")
        # --no-added-syms: additions are judged below, by their version node
        r = subprocess.run(["abidiff", "--no-show-locs", "--no-added-syms",
                            a.baseline, trimmed], capture_output=True, text=True)
    # abidiff's exit status is a bit field: 1 error, 2 usage, 4 change, 8 incompatible
    if r.returncode & 3:
        print(f"abi-compare: abidiff failed (status {r.returncode}):\n{r.stdout}{r.stderr}")
        return 2
    changed = bool(r.returncode & 12)
    added = sorted(set(cur) - set(base))
    problems = []
    if changed:
        kept = base_nodes & set(cur.values())
        if cur_soname == base_soname or kept:
            problems.append(
                "the ABI changed incompatibly (abidiff's report below): that needs a new "
                f"soname (still {cur_soname}) and new version nodes (still "
                f"{', '.join(sorted(kept)) or 'none'}), and a baseline written for them")
    for sym in added:
        if cur[sym] in base_nodes:
            problems.append(f"{sym} was added to {cur[sym]}, a version node of the "
                            "baseline (a released node is frozen): add a new node")
    if problems:
        for p in problems:
            print("abi-compare: REJECTED:", p)
        if changed:
            print(r.stdout, end="")
        return 1
    what = []
    if added:
        what.append(f"{len(added)} symbol(s) added in new version nodes: " +
                    ", ".join(f"{s}@{cur[s]}" for s in added))
    for name, fields in sorted(grown.items()):
        what.append(f"struct {name} grew at the end ({', '.join(fields)})")
    if changed:
        what.append(f"an incompatible change with a new soname {cur_soname} "
                    f"(was {base_soname}) and new version nodes")
    print("abi-compare: accepted:", "; ".join(what) or "no change",
          f"({len(cur)} symbols, soname {cur_soname})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
