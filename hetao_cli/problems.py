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
    """The fact files could not be read or are not valid; carries every problem found, and
    the quotes of the invalid entries, which a check with source texts still checks."""

    def __init__(self, problems: Sequence[Problem], quotes: Sequence[UncheckedQuote] = ()) -> None:
        self.problems = tuple(problems)
        self.quotes = tuple(quotes)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def unreadable(self) -> bool:
        return any(p.unreadable for p in self.problems)


# A table header: [[name]] (an entry) or [name], the name bare, quoted or dotted.
_HEADER = r"""^[ \t]*(\[\[?)[ \t]*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))[ \t]*([\].])"""
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
        self._keys: dict[int, dict[str, int]] = {}  # an entry's header line -> its keys' lines
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
        self._lines = self._text.splitlines()
        entries: dict[str, list[int]] = {}
        open_string = ""  # the delimiter of the multi-line string a line starts in, if any
        in_tables = False
        for n, line in enumerate(self._lines, 1):
            if open_string:
                self._in_string.add(n)
            elif line.lstrip().startswith("["):
                found = _compiled(_HEADER).match(line)
                if found:
                    name = found[2] if found[2] is not None else found[3] or found[4] or ""
                    if found[1] == "[[" and found[5] == "]":
                        entries.setdefault(name, []).append(n)
                    elif found[5] == ".":  # [[event.statements]]: a table inside the last entry
                        self._inner.setdefault(name, []).append(n)
                    self._top.setdefault(name, n)
                    self._tables.append(n)
                    in_tables = True
            elif not in_tables:
                key = _key_of(line)
                if key:
                    self._top.setdefault(key, n)
            if open_string or '"""' in line or "'''" in line:
                open_string = _string_after(line, open_string)
        self._entries = entries
        return entries

    def entry(self, kind: str, index: int | None, field: str = "") -> int | None:
        """The line of the index-th [[kind]] entry, or of its `field =` line when it has one."""
        starts = self._index().get(kind, [])
        if index is None or index >= len(starts):
            return None
        start = starts[index]
        if not field:
            return start
        keys = self._keys.get(start)
        if keys is None:
            keys = self._keys[start] = self._keys_from(start)
        name = field.split("[", 1)[0]
        if name not in keys and name == "statements" and "[" in field:
            return self._inner_line(kind, starts, index, field) or start
        return keys.get(name, start)  # "more_citations[1]": its key's line

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

    def _keys_from(self, start: int) -> dict[str, int]:
        """The keys of the entry whose header is on line `start`, to the next header."""
        end = bisect.bisect_right(self._tables, start)
        stop = self._tables[end] - 1 if end < len(self._tables) else len(self._lines)
        keys: dict[str, int] = {}
        for n in range(start + 1, stop + 1):
            if n not in self._in_string:
                key = _key_of(self._lines[n - 1])
                if key:
                    keys.setdefault(key, n)
        return keys

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
