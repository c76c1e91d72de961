# SPDX-License-Identifier: LGPL-2.1-or-later
"""Plain text to man(7) roff: escaping, inline fonts, and the two kinds of
text the manual pages are written in (see gen-man.py):

- header doc comments (doc_to_roff): paragraphs separated by blank lines;
  "@name: text" lines are parameters; an indented "TERM  text" line (two or
  more spaces after the term) is a list item, e.g. an errno and its meaning;
  "- text" is a bullet; a line indented deeper than the item it follows
  continues it. `code` is set in bold, name() and name(N) references too.

- page sources, *.txt (markup_to_roff): the same, plus "# HEADING" and
  "## Subheading", a paragraph of lines all indented by 4 or more spaces is
  shown verbatim (code), a line followed directly by lines indented by 4 or
  more spaces is a definition (the term, then its text), **bold** and
  *italic*.
"""
import re
import textwrap

# Characters that roff would mangle or that mandoc -Tlint wants named.
_NAMED = {"\u2014": r"\(em", "\u2013": r"\(en", "\u2264": r"\(<=", "\u2265": r"\(>=",
          "\u00d7": r"\(mu", "\u2192": r"\(->", "\u2026": "...", "\u00b5": r"\(mc"}


def _escape_chars(text, all_dashes):
    out = []
    for i, c in enumerate(text):
        if c == "\\":
            out.append(r"\e")
        elif c == "-" and (all_dashes or i == 0 or not text[i - 1].isalnum()
                           or text[i + 1:i + 2] == ">"):
            # a minus sign or an option dash, not a hyphen inside a word: roff
            # prints '-' as a hyphen, which a copied command would not work with
            out.append(r"\-")
        elif c in _NAMED:
            out.append(_NAMED[c])
        elif ord(c) > 127:
            out.append(r"\[u%04X]" % ord(c))
        else:
            out.append(c)
    return "".join(out)


def escape(text):
    """Text for a roff text line (not a macro argument)."""
    return _escape_chars(text, all_dashes=False)


def escape_code(text):
    """Code: every '-' is a minus sign."""
    return _escape_chars(text, all_dashes=True)


def quote_arg(text):
    """A macro argument, quoted."""
    return '"' + escape_code(text).replace('"', r"\(dq") + '"'


def safe_line(line, keep_indent=False):
    """A text line that roff does not mistake for a request."""
    line = line.rstrip() if keep_indent else line.strip()
    return "\\&" + line if line.startswith((".", "'")) else line


_REF = re.compile(r"\b([A-Za-z_][\w.]*(?:\\-[\w.]+)*)\((\d?)\)")


def inline(text, markup=False):
    """One line of prose: escaped, `code` and references in bold, and with
    markup also **bold** and *italic*."""
    parts = re.split(r"`([^`]*)`", text)
    out = []
    for k, part in enumerate(parts):
        if k % 2:
            out.append(r"\fB" + escape_code(part) + r"\fR")
            continue
        s = escape(part)
        if markup:
            s = re.sub(r"\*\*(.+?)\*\*", r"\\fB\1\\fR", s)
            s = re.sub(r"(?<![\w*])\*([^*\s][^*]*?)\*(?![\w*])", r"\\fI\1\\fR", s)
        s = _REF.sub(r"\\fB\1\\fR(\2)", s)
        out.append(s)
    return "".join(out)


def _indent(line):
    return len(line) - len(line.lstrip(" "))


class Writer:
    """Collects roff lines; knows when a paragraph macro would be redundant
    (right after a heading, which mandoc -Tlint warns about)."""

    def __init__(self):
        self.lines = []
        self.fresh = True       # at the start of a section: no .PP needed

    def heading(self, text, sub=False):
        self.lines.append((".SS " if sub else ".SH ") + quote_arg(text))
        self.fresh = True

    def paragraph(self):
        if not self.fresh:
            self.lines.append(".PP")
        self.fresh = False

    def text(self, line, markup=False):
        # roff fills the text anyway; short source lines keep diffs and
        # mandoc's style check quiet
        for part in textwrap.wrap(inline(line.strip(), markup), 79,
                                  break_long_words=False, break_on_hyphens=False):
            self.lines.append(safe_line(part))
        self.fresh = False

    def raw(self, *lines):
        self.lines.extend(lines)
        self.fresh = False

    def code(self, lines):
        """Lines shown as written, indented, in a fixed-width font."""
        self.paragraph()
        self.lines += [".RS 4", ".nf"]
        for line in lines:
            line = line.expandtabs(8).rstrip()
            self.lines.append(safe_line(escape_code(line), keep_indent=True)
                              if line.strip() else "")
        self.lines += [".fi", ".RE"]
        self.fresh = False

    def item(self, kind, term, markup=False):
        if kind == "bullet":
            self.lines.append(r".IP \(bu 2")
        else:
            self.lines.append(".TP")
            font = ".I " if kind == "param" else ".B "
            self.lines.append(font + quote_arg(term) if kind != "markup"
                              else safe_line(inline(term, markup=True)))
        self.fresh = False


def doc_to_roff(w, text, markup=False):
    """Add a doc comment's text (or a markup paragraph run) to writer w."""
    for block in re.split(r"\n\s*\n", text.strip("\n")):
        item_indent = None      # indentation of the open list item, if any
        in_text = False
        for line in block.split("\n"):
            ind, s = _indent(line), line.strip()
            if item_indent is not None and ind > item_indent:
                w.text(s, markup)               # continues the item
                continue
            param = re.match(r"@(\w+):\s*(.*)", s) if ind == 0 else None
            bullet = re.match(r"- (.*)", s) if ind <= 2 else None
            term = re.match(r"(\S+)\s{2,}(\S.*)", s) if ind >= 1 else None
            if param:
                w.item("param", param.group(1))
                w.text(param.group(2), markup)
                item_indent = ind
            elif bullet:
                w.item("bullet", None)
                w.text(bullet.group(1), markup)
                item_indent = ind
            elif term:
                w.item("term", term.group(1))
                w.text(term.group(2), markup)
                item_indent = ind
            else:
                if item_indent is not None or not in_text:
                    w.paragraph()
                item_indent = None
                w.text(s, markup)
                in_text = True
                continue
            in_text = False


def markup_to_roff(w, body, expand=None):
    """Add a page source's body to writer w. A line "@NAME" alone is replaced
    by what expand(NAME, w) writes."""
    blocks = re.split(r"\n\s*\n", body.strip("\n"))
    for block in blocks:
        lines = block.split("\n")
        first = lines[0]
        if first.startswith("# "):
            w.heading(first[2:].strip().upper())
            lines = lines[1:]
        elif first.startswith("## "):
            w.heading(first[3:].strip(), sub=True)
            lines = lines[1:]
        if not lines:
            continue
        if len(lines) == 1 and re.fullmatch(r"@\w+", lines[0].strip()):
            expand(lines[0].strip()[1:], w)
        elif all(_indent(ln) >= 4 for ln in lines):
            w.code([ln[4:] for ln in lines])
        elif _indent(lines[0]) == 0 and len(lines) > 1 and \
                all(_indent(ln) >= 4 for ln in lines[1:]):
            w.item("markup", lines[0])
            for ln in lines[1:]:
                w.text(ln, markup=True)
        else:
            doc_to_roff(w, "\n".join(lines), markup=True)
