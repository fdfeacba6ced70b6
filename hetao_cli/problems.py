"""What is wrong with a fact file, and where: Problem, FactFileError, and a file's line index.

Nothing here knows what a fact is; load.py and check.py both name places through LineIndex,
one per file, built once.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple


class Problem(NamedTuple):
    """One thing wrong with a fact file, and where it is."""

    file: str
    message: str
    line: int | None = None
    column: int | None = None
    kind: str = ""
    position: int | None = None  # of the entry among its kind in its file, from 0 (JSON: index)
    id: str = ""
    field: str = ""
    unreadable: bool = False  # the file could not be read at all
    warning: bool = False  # worth a look, but not wrong: it does not fail a check

    def place(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        if self.kind:
            where += f": {self.kind}" + ("" if self.position is None else f"[{self.position}]")
            if self.id:
                where += f" id={self.id!r}"
        if self.field:
            where += f" field {self.field!r}"
        return where

    def __str__(self) -> str:
        return f"{self.place()}: {'warning: ' if self.warning else ''}{self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "kind": self.kind or None,
            "index": self.position,
            "id": self.id or None,
            "field": self.field or None,
            "message": self.message,
            "severity": "warning" if self.warning else "error",
        }


class UncheckedQuote(NamedTuple):
    """A quote of an entry that has problems of its own: check still checks it against its
    source text, so that a curator sees every problem in one round."""

    place: Problem  # where it stands; its message is empty
    source: str
    quote: str


class FactFileError(Exception):
    """The fact files could not be read or are not valid; carries every problem found, the
    quotes of the invalid entries, which a check with source texts still checks, and the
    entries that did load (a FactBook, or None), which `check` checks as it checks a valid
    book, so that a curator sees every problem in one round."""

    def __init__(
        self, problems: Sequence[Problem], quotes: Sequence[UncheckedQuote] = (), loaded: Any = None
    ) -> None:
        self.problems = tuple(problems)
        self.quotes = tuple(quotes)
        self.loaded = loaded
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def unreadable(self) -> bool:
        return any(p.unreadable for p in self.problems)


# A table header: [[name]] (an entry) or [name], the name bare, quoted or dotted.
_HEADER = r"""^[ \t]*(\[\[?)[ \t]*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))[ \t]*([\].])"""
# Where a header may start: "[" after a newline and blanks (a pattern that starts with a
# newline is found fast; "^" with re.MULTILINE was 5 times slower).
_HEADER_START = r"\n[ \t]*\["
# A key at the start of a line: bare or quoted, then `=` (or `.` for a dotted key).
_KEY = r"""^[ \t]*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))[ \t]*[=.]"""
# Compiled when a line is first placed, not on every start (where no problem is placed).
_compiled = functools.cache(re.compile)


class LineIndex:
    """Finds the line of an entry, or of one of its fields, in one file's text.

    The text is indexed once, in one pass, when a line is first asked for (a file whose
    entries came from the cache is read only then): the headers of entries and tables, the
    top-level keys, and the lines that stand inside a multi-line string, which are never
    taken for a header or a key. An entry's own keys are indexed when first asked for. So
    placing every problem of a file costs time linear in its size."""

    def __init__(self, text: str | None, read: Callable[[], str] | None = None) -> None:
        self._text = text  # None: call `read` when a line is first asked for
        self._read = read
        self._entries: dict[str, list[int]] | None = None  # kind -> its [[kind]] header lines
        self._lines: list[str] = []
        self._tables: list[int] = []  # every header's line, in order: where an entry ends
        self._top: dict[str, int] = {}  # a top-level key or table name -> its first line
        self._in_string: set[int] = set()  # lines that start inside a multi-line string
        self._inner: dict[str, list[int]] = {}  # kind -> its [[kind.x]] header lines

    @classmethod
    def of_file(cls, path: str | Path) -> LineIndex:
        """The index of a file read only when a line is asked for; unreadable: no lines."""

        def read() -> str:
            try:
                return Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                return ""

        return cls(None, read)

    def _index(self) -> dict[str, list[int]]:
        if self._entries is not None:
            return self._entries
        if self._text is None:
            self._text = self._read() if self._read is not None else ""
        text = self._text
        self._lines = lines = text.splitlines()
        entries: dict[str, list[int]] = {}
        breaks = text.count("\n") + (1 if text and not text.endswith("\n") else 0)
        if '"""' not in text and "'''" not in text and len(lines) == breaks:
            # No multi-line string, and no line break but \n: a pattern finds the headers
            # and a count of newlines their lines, where a loop over 1.25 million lines
            # took 0.3 s.
            if lines and lines[0].lstrip(" \t").startswith("["):
                self._header(1, lines[0], entries)
            n, at = 2, 0  # the line after the newline at `at`
            for found in _compiled(_HEADER_START).finditer(text):
                n += text.count("\n", at, found.start())
                at = found.start()
                self._header(n, lines[n - 1], entries)
            first = self._tables[0] if self._tables else len(lines) + 1
            for n in range(1, first):
                self._top_key(n, lines[n - 1])
            self._entries = entries
            return entries
        open_string = ""  # the delimiter of the multi-line string a line starts in, if any
        in_tables = False
        for n, line in enumerate(lines, 1):
            if open_string:
                self._in_string.add(n)
            elif line.lstrip().startswith("["):
                in_tables = self._header(n, line, entries) or in_tables
            elif not in_tables:
                self._top_key(n, line)
            if open_string or '"""' in line or "'''" in line:
                open_string = _string_after(line, open_string)
        self._entries = entries
        return entries

    def _header(self, n: int, line: str, entries: dict[str, list[int]]) -> bool:
        """Index line n when it is a table header; whether it is."""
        found = _compiled(_HEADER).match(line)
        if not found:
            return False
        name = found[2] if found[2] is not None else found[3] or found[4] or ""
        if found[1] == "[[" and found[5] == "]":
            entries.setdefault(name, []).append(n)
        elif found[5] == ".":  # [[event.statements]]: a table inside the last entry
            self._inner.setdefault(name, []).append(n)
        self._top.setdefault(name, n)
        self._tables.append(n)
        return True

    def _top_key(self, n: int, line: str) -> None:
        key = _key_of(line)
        if key:
            self._top.setdefault(key, n)

    def entry(self, kind: str, index: int | None, field: str = "") -> int | None:
        """The line of the index-th [[kind]] entry, or of its `field =` line when it has one."""
        starts = self._index().get(kind, [])
        if index is None or index >= len(starts):
            return None
        start = starts[index]
        if not field:
            return start
        name = field.split("[", 1)[0]  # "more_citations[1]": its key's line
        line = self._key_line(start, name) if name else None
        if line is None and name == "statements" and "[" in field:
            return self._inner_line(kind, starts, index, field) or start
        return line or start

    def _inner_line(self, kind: str, starts: list[int], index: int, field: str) -> int | None:
        """The header line of `statements[n]`, the n-th [[kind.statements]] of the entry."""
        try:
            n = int(field.split("[", 1)[1].rstrip("]"))
        except ValueError:
            return None
        end = starts[index + 1] if index + 1 < len(starts) else None
        inner = self._inner.get(kind, [])
        first = bisect.bisect_right(inner, starts[index])
        mine = [line for line in inner[first:] if end is None or line < end]
        return mine[n] if 0 <= n < len(mine) else None

    def _key_line(self, start: int, name: str) -> int | None:
        """The first line of the entry whose header is on line `start` that sets `name`, to
        the next header. A line that does not hold the name at all is passed over without a
        pattern match: placing a problem at 100,000 entries took 0.66 s with a match a line."""
        end = bisect.bisect_right(self._tables, start)
        stop = self._tables[end] - 1 if end < len(self._tables) else len(self._lines)
        lines = self._lines
        for n in range(start + 1, stop + 1):
            line = lines[n - 1]
            if name in line and n not in self._in_string and _key_of(line) == name:
                return n
        return None

    def key(self, key: str) -> int | None:
        """The line of a top-level key: its [table] or [[table]] header, or `key =` before any."""
        self._index()
        return self._top.get(key)


def _key_of(line: str) -> str:
    found = _compiled(_KEY).match(line)
    if not found:
        return ""
    return found[1] if found[1] is not None else found[2] if found[2] is not None else found[3]


def _string_after(line: str, open_string: str) -> str:
    """Which multi-line string (''' or \"\"\") is still open at the end of the line, given
    the one open at its start ("" for none): strings, escapes and comments are followed."""
    i, size = 0, len(line)
    while i < size:
        if open_string:
            end = line.find(open_string, i)
            if open_string == '"""':
                while end > 0 and _escaped(line, end):
                    end = line.find('"""', end + 1)
            if end < 0:
                return open_string
            i = end + 3
            while i < size and line[i] == open_string[0]:  # up to two more quotes belong
                i += 1
            open_string = ""
            continue
        c = line[i]
        if c == "#":
            break
        if line.startswith('"""', i) or line.startswith("'''", i):
            open_string = line[i : i + 3]
            i += 3
        elif c in "\"'":
            end = i + 1
            while end < size and line[end] != c:
                end += 2 if c == '"' and line[end] == "\\" else 1
            i = end + 1
        else:
            i += 1
    return open_string


def _escaped(line: str, at: int) -> bool:
    """Whether the character at `at` follows an odd number of backslashes."""
    count = 0
    while at - count - 1 >= 0 and line[at - count - 1] == "\\":
        count += 1
    return count % 2 == 1
