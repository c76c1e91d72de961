# SPDX-License-Identifier: LGPL-2.1-or-later
"""Read a public header: its function declarations with their doc comments,
its struct and union definitions, its groups of macros.

This is the one source of truth for the API manual pages (gen-man.py). The
conventions it relies on, which include/proccn.h follows:
- every public function has a block comment whose text starts with
  "NAME - summary" (anywhere before its declaration, usually right above);
- a struct or union definition, or a run of #define lines, is documented by
  the comments directly above it (no blank line in between);
- blank lines separate items.
"""
import os
import re
from dataclasses import dataclass, field

ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.")


@dataclass
class Function:
    name: str
    header: str             # what to #include, e.g. "proccn.h"
    decl_lines: list        # the declaration as written, one string per line
    doc: str                # the doc comment's text after "NAME - "
    summary: str            # its first sentence, without the final period

    @property
    def prototype(self):
        """The declaration on one line, whitespace collapsed, without ';'."""
        text = " ".join(line.strip() for line in self.decl_lines)
        text = re.sub(r"\s+", " ", text).strip()
        text = re.sub(r"\(\s+", "(", text)
        return re.sub(r"\s*;$", "", text)


@dataclass
class TypeDef:
    name: str               # "struct proccn_opts", "union proccn_event"
    doc: str                # the comments above it, or ""
    code: list              # its definition as written


@dataclass
class MacroGroup:
    names: list             # the macros it defines
    code: list              # the group as written, comments included


@dataclass
class Header:
    path: str
    include: str
    intro: str = ""
    functions: dict = field(default_factory=dict)   # name -> Function, in order
    types: dict = field(default_factory=dict)       # "struct x" -> TypeDef
    macros: list = field(default_factory=list)      # MacroGroup
    items: list = field(default_factory=list)       # TypeDefs and MacroGroups in order


class HeaderError(Exception):
    pass


def comment_text(lines):
    """The text of a block comment given as its source lines: the comment
    markers and the ' * ' prefixes go, further indentation stays."""
    out = []
    for i, line in enumerate(lines):
        s = line.strip()[2:].strip() if i == 0 else line.strip()
        if i > 0 and s.startswith("*") and not s.startswith("*/"):
            s = line.lstrip()[1:]
            s = s[1:] if s.startswith(" ") else s
        if s.endswith("*/"):
            s = s[:-2]
        out.append(s.rstrip())
    while out and not out[0].strip():
        out.pop(0)
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out)


def first_sentence(text):
    """The first sentence of text (lines joined), without its period. A
    period inside parentheses, or in e.g./i.e., does not end it."""
    flat = re.sub(r"\s+", " ", text.strip())
    depth = 0
    for i, c in enumerate(flat):
        if c == "(":
            depth += 1
        elif c == ")":
            depth = max(0, depth - 1)
        elif c == "." and depth == 0 and (i + 1 == len(flat) or flat[i + 1] == " "):
            if any(flat[:i + 1].endswith(a) for a in ABBREVIATIONS):
                continue
            return flat[:i]
    return flat.rstrip(".")


def _read_until(lines, i, pred):
    """Index of the first line from i on for which pred holds."""
    while i < len(lines) and not pred(lines[i]):
        i += 1
    if i == len(lines):
        raise HeaderError("unterminated item")
    return i


def parse(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    hdr = Header(path=path, include=os.path.basename(path))
    docs = {}           # function name -> doc text
    pending = []        # comments directly above the current line
    pending_start = None
    i = 0
    while i < len(lines):
        line = lines[i]
        s = line.strip()
        if not s:
            pending, pending_start = [], None
            i += 1
            continue
        if s.startswith("/*"):
            end = _read_until(lines, i, lambda ln: "*/" in ln)
            text = comment_text(lines[i:end + 1])
            m = re.match(r"(\w+) - ", text)
            if text.startswith("SPDX-License-Identifier"):
                pass
            elif not hdr.intro and not hdr.functions and not hdr.types:
                hdr.intro = text        # the file's own comment
            elif m:
                docs[m.group(1)] = text[m.end():]
            if pending_start is None:
                pending_start = i
            pending.append(text)
            i = end + 1
            continue
        if s.startswith("#define"):
            # the run of comments and #defines up to the next blank line
            end = i
            while end + 1 < len(lines) and lines[end + 1].strip():
                end += 1
            start = pending_start if pending_start is not None else i
            code = lines[start:end + 1]
            # an include guard (#define NAME, no value) is not API
            names = [m.group(1) for m in
                     (re.match(r"\s*#define\s+(\w+)(?:\(|[ \t]+\S)", c) for c in code) if m]
            if names:
                hdr.macros.append(MacroGroup(names=names, code=code))
                hdr.items.append(hdr.macros[-1])
            pending, pending_start = [], None
            i = end + 1
            continue
        if s.startswith("#") or s.startswith("extern \"C\"") or s == "}":
            pending, pending_start = [], None
            i += 1
            continue
        m = re.match(r"(struct|union)\s+(\w+)\s*\{", s)
        if m:
            end = _read_until(lines, i, lambda ln: ln.startswith("}"))
            name = f"{m.group(1)} {m.group(2)}"
            hdr.types[name] = TypeDef(name=name, doc="\n\n".join(pending),
                                      code=lines[i:end + 1])
            hdr.items.append(hdr.types[name])
            pending, pending_start = [], None
            i = end + 1
            continue
        if re.match(r"(struct|union|enum)\s+\w+\s*;", s):
            i += 1      # a forward declaration: the comments above still count
            continue
        m = re.search(r"\b([A-Za-z_]\w*)\s*\(", s)
        if m and not s.startswith("typedef"):
            end = _read_until(lines, i, lambda ln: ";" in ln)
            name = m.group(1)
            if name not in docs:
                raise HeaderError(f"{path}:{i + 1}: {name}() has no doc comment "
                                  f"starting with '{name} - summary'")
            doc = docs[name]
            hdr.functions[name] = Function(name=name, header=hdr.include,
                                           decl_lines=lines[i:end + 1], doc=doc,
                                           summary=first_sentence(doc))
            pending, pending_start = [], None
            i = end + 1
            continue
        raise HeaderError(f"{path}:{i + 1}: cannot tell what this is: {s}")
    return hdr
