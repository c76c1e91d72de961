#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks of the generated manual pages (meson suite "man").

  test-man.py pages --mandir D --so LIB --map MAP
      every function the shared library exports, and every one in the
      version script, has a page (or a link page to one that names it)
  test-man.py synopsis --mandir D --header H... --cc CC
      each page's SYNOPSIS declares its functions exactly as the header
      does: the same text, and the compiler accepts them after the header
  test-man.py lint --mandir D
      mandoc -Tlint and groff -ww have nothing to say about any page
  test-man.py tool-options --page PAGE --tool PROGRAM
      the options of PROGRAM --help and those under OPTIONS are the same,
      and the page has an EXIT STATUS section

Exit 0 pass, 1 fail, 77 skip (a tool is missing). The pages are read as
roff, independently of how gen-man.py wrote them.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile


def fail(msgs):
    for m in msgs:
        print("FAIL:", m)
    sys.exit(1 if msgs else 0)


def skip(why):
    print("SKIP:", why)
    sys.exit(77)


def unroff(text):
    """What a reader sees of a roff text: escapes resolved, fonts dropped."""
    text = re.sub(r"\\f[BIRP]", "", text)
    text = text.replace(r"\-", "-").replace(r"\(dq", '"').replace(r"\e", "\\")
    return text.replace(r"\&", "")


def macro_args(line):
    """The arguments of a macro line, roff quoting resolved."""
    return [unroff(a[1:-1] if a.startswith('"') else a)
            for a in re.findall(r'"(?:[^"]|"")*"|\S+', line.split(None, 1)[1])] \
        if " " in line else []


def sections(path):
    """{SECTION NAME: [lines]} of a page."""
    out, cur = {}, None
    with open(path, encoding="utf-8") as f:
        for line in f.read().split("\n"):
            if line.startswith(".SH"):
                cur = " ".join(macro_args(line))
                out[cur] = []
            elif cur:
                out[cur].append(line)
    return out


def link_target(path):
    """The page a ".so" link page points to, or None for a real page."""
    with open(path, encoding="utf-8") as f:
        lines = [ln for ln in f.read().split("\n") if ln and not ln.startswith('.\\"')]
    m = re.fullmatch(r"\.so man(\d)/(\S+)", lines[0]) if len(lines) == 1 else None
    return m.group(2) if m else None


def page_names(path):
    """The function names a page's NAME section lists."""
    text = unroff(" ".join(sections(path).get("NAME", [])))
    return [n.strip() for n in text.split(" - ")[0].split(",")]


def check_pages(a):
    nm = subprocess.run(["nm", "-D", "--defined-only", a.so], check=True,
                        capture_output=True, text=True).stdout
    exported = {ln.split()[2].split("@")[0] for ln in nm.splitlines()
                if len(ln.split()) == 3 and ln.split()[1] in "TW"}
    with open(a.map, encoding="utf-8") as f:
        mapped = set(re.findall(r"^\s+(\w+);", f.read(), re.M))
    if not exported:
        fail([f"{a.so} exports no functions"])
    errors = []
    for name in sorted(exported | mapped):
        page = os.path.join(a.mandir, name + ".3")
        if not os.path.exists(page):
            errors.append(f"{name}: no page {name}.3")
            continue
        target = link_target(page)
        real = os.path.join(a.mandir, target) if target else page
        if not os.path.exists(real) or link_target(real):
            errors.append(f"{name}.3 links to {target}, which is not a page")
        elif name not in page_names(real):
            errors.append(f"{name}: {os.path.basename(real)} does not name it in NAME")
    overview = os.path.join(a.mandir, "libproccn.3")
    listed = set()
    if os.path.exists(overview):
        with open(overview, encoding="utf-8") as f:
            listed = set(re.findall(r"^\.BR (\w+) \(3\)", f.read(), re.M))
    for name in sorted(exported - listed):
        errors.append(f"{name}: not listed in libproccn(3)")
    fail(errors)
    print(f"{len(exported)} exported functions, {len(mapped)} in the map: each has a page")


def header_declarations(paths):
    """{name: declaration} from the headers, comments and macros removed."""
    decls = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
        text = re.sub(r"^\s*#.*$", "", text, flags=re.M)
        text = re.sub(r"\{[^{}]*\}", ";", text)          # struct bodies
        text = text.replace('extern "C" {', ";").replace("}", ";")
        for stmt in text.split(";"):
            stmt = " ".join(stmt.split())
            m = re.match(r"[^()]*?\b(\w+)\s*\(.*\)$", stmt)
            if m and not stmt.startswith("typedef"):
                decls[m.group(1)] = stmt
    return decls


def normal(decl):
    decl = " ".join(decl.split())
    return re.sub(r"\(\s+", "(", re.sub(r"\s+\)", ")", decl))


def check_synopsis(a):
    decls = header_declarations(a.header)
    errors, checked, program = [], 0, []
    for page in sorted(glob.glob(os.path.join(a.mandir, "*.3"))):
        if link_target(page) or os.path.basename(page) == "libproccn.3":
            continue
        base = os.path.basename(page)
        syn = sections(page).get("SYNOPSIS")
        if syn is None:
            errors.append(f"{base}: no SYNOPSIS")
            continue
        text = ""
        for line in syn:
            if re.match(r"\.(B|I)\s", line):            # arguments joined by spaces
                text += " ".join(macro_args(line)) + "\n"
            elif re.match(r"\.(BI|IB|BR|RB|IR|RI)\s", line):  # alternating fonts: no space
                text += "".join(macro_args(line)) + "\n"
            elif line and not line.startswith("."):
                text += unroff(line) + "\n"
        includes = re.findall(r"#include <([^>]+)>", text)
        text = re.sub(r"#include <[^>]+>", "", text)
        protos = [normal(p) for p in text.split(";") if p.strip()]
        names = page_names(page)
        program += [f"#include <{i}>" for i in includes]
        for name in names:
            mine = [p for p in protos if re.search(r"\b%s\s*\(" % name, p)]
            if name not in decls:
                errors.append(f"{base}: {name} is not declared in the headers")
            elif len(mine) != 1:
                errors.append(f"{base}: {len(mine)} prototypes of {name} in SYNOPSIS")
            elif mine[0] != normal(decls[name]):
                errors.append(f"{base}: SYNOPSIS says '{mine[0]}', the header "
                              f"'{normal(decls[name])}'")
            else:
                program.append(mine[0] + ";")
                checked += 1
    # the compiler's view: a redeclaration that differs in any type is an error
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "synopsis.c")
        with open(src, "w", encoding="utf-8") as f:
            f.write("\n".join(dict.fromkeys(program)) + "\n")
        incdirs = sorted({"-I" + os.path.dirname(os.path.abspath(h)) for h in a.header})
        r = subprocess.run([a.cc, "-std=c99", "-Wall", "-Wextra", "-Werror",
                            "-fsyntax-only", *incdirs, src], capture_output=True, text=True)
        if r.returncode:
            errors.append("the SYNOPSIS prototypes do not compile after the header:\n"
                          + r.stderr)
    if not checked and not errors:
        errors.append("no prototypes found in any page")
    fail(errors)
    print(f"{checked} prototypes: as in the header, and the compiler agrees")


def check_lint(a):
    for tool, pkg in (("mandoc", "mandoc"), ("groff", "groff-base")):
        if not shutil.which(tool):
            skip(f"{tool} is not installed (Debian: apt-get install {pkg})")
    pages = sorted(glob.glob(os.path.join(a.mandir, "*.[1-8]")))
    if not pages:
        fail([f"no pages in {a.mandir}"])
    errors = []
    with tempfile.TemporaryDirectory() as tmp:
        # the installed layout, so that ".so man3/x.3" resolves
        for p in pages:
            sect = os.path.join(tmp, "man" + p[-1])
            os.makedirs(sect, exist_ok=True)
            shutil.copy(p, sect)
        for p in pages:
            rel = os.path.join("man" + p[-1], os.path.basename(p))
            if link_target(p):
                target = os.path.join(tmp, "man3", link_target(p))
                if not os.path.exists(target):
                    errors.append(f"{rel}: links to a missing page")
            else:
                # .so links make mandoc warn "fragile" by design: groff checks them
                r = subprocess.run(["mandoc", "-Tlint", "-W", "warning", rel], cwd=tmp,
                                   capture_output=True, text=True)
                if r.returncode or r.stdout or r.stderr:
                    errors.append(f"mandoc -Tlint {rel}:\n{r.stdout}{r.stderr}")
            r = subprocess.run(["groff", "-ww", "-z", "-man", rel], cwd=tmp,
                               capture_output=True, text=True)
            if r.returncode or r.stderr:
                errors.append(f"groff -ww {rel}:\n{r.stderr}")
    fail(errors)
    print(f"{len(pages)} pages: no warnings from mandoc -Tlint or groff -ww")


def check_tool_options(a):
    help_text = subprocess.run([a.tool, "--help"], check=True, capture_output=True,
                               text=True).stdout
    opt = r"(?<![\w-])(--?[A-Za-z][\w-]*)"
    wanted = set()
    for line in help_text.split("\n"):
        if re.match(r"\s+-", line):        # an option line: options, then text
            wanted.update(re.findall(opt, re.split(r"\s{2,}", line.strip())[0]))
    secs = sections(a.page)
    errors = [f"no {s} section" for s in ("SYNOPSIS", "OPTIONS", "EXIT STATUS")
              if s not in secs]
    lines = secs.get("OPTIONS", [])
    terms = [unroff(lines[i + 1]) for i, ln in enumerate(lines[:-1]) if ln == ".TP"]
    documented = {o for t in terms for o in re.findall(opt, t)}
    if not wanted:
        errors.append(f"found no options in {a.tool} --help")
    errors += [f"{o}: in --help, not under OPTIONS" for o in sorted(wanted - documented)]
    errors += [f"{o}: under OPTIONS, not in --help" for o in sorted(documented - wanted)]
    fail(errors)
    print(f"{len(wanted)} options: each in --help and under OPTIONS; EXIT STATUS present")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("check", choices=["pages", "synopsis", "lint", "tool-options"])
    ap.add_argument("--mandir")
    ap.add_argument("--so")
    ap.add_argument("--map")
    ap.add_argument("--header", action="append", default=[])
    ap.add_argument("--cc")
    ap.add_argument("--page")
    ap.add_argument("--tool")
    a = ap.parse_args()
    {"pages": check_pages, "synopsis": check_synopsis, "lint": check_lint,
     "tool-options": check_tool_options}[a.check](a)


if __name__ == "__main__":
    main()
