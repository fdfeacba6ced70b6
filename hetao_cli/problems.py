"""What is wrong with a fact file, and where: Problem, FactFileError, and a file's line index.

Nothing here knows what a fact is; load.py and check.py both name places through LineIndex,
one per file, built once.
"""

from __future__ import annotations

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
        return f"{self.place()}: {self.message}"

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
        }


class FactFileError(Exception):
    """The fact files could not be read or are not valid; carries every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def unreadable(self) -> bool:
        return any(p.unreadable for p in self.problems)


_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*([A-Za-z0-9_-]+)[ \t]*\]\]", re.M)


class LineIndex:
    """Finds the line of an entry, or of one of its fields, in one file's text.

    The text is indexed once, when a line is first asked for (a file whose entries came from
    the cache is read only then); each look-up after that scans only the entry's own lines."""

    def __init__(self, text: str | None, read: Callable[[], str] | None = None) -> None:
        self._text = text  # None: call `read` when a line is first asked for
        self._read = read
        self._headers: dict[str, list[int]] | None = None
        self._lines: list[str] = []

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
        if self._headers is None:
            if self._text is None:
                self._text = self._read() if self._read is not None else ""
            self._lines = self._text.splitlines()
            self._headers = {}
            for n, line in enumerate(self._lines, 1):
                m = _HEADER.match(line)
                if m:
                    self._headers.setdefault(m[1], []).append(n)
        return self._headers

    def entry(self, kind: str, index: int | None, field: str = "") -> int | None:
        """The line of the index-th [[kind]] entry, or of its `field =` line when it has one."""
        starts = self._index().get(kind, [])
        if index is None or index >= len(starts):
            return None
        start = starts[index]
        if field:
            key = field.split("[", 1)[0]  # "more_citations[1]" is found on its key's line
            pattern = re.compile(rf"^[ \t]*\"?{re.escape(key)}\"?[ \t]*=")
            for n in range(start, len(self._lines)):
                text = self._lines[n]
                if text.lstrip().startswith("["):
                    break
                if pattern.match(text):
                    return n + 1
        return start

    def key(self, key: str) -> int | None:
        """The line of a top-level key: its [table] or [[table]] header, or `key =` before any."""
        self._index()
        name = rf"\"?{re.escape(key)}\"?"
        header = re.compile(rf"^[ \t]*\[\[?[ \t]*{name}[ \t]*[\].]")
        assign = re.compile(rf"^[ \t]*{name}[ \t]*[=.]")
        in_root = True
        for n, text in enumerate(self._lines, 1):
            if header.match(text):
                return n
            if text.lstrip().startswith("["):
                in_root = False
            elif in_root and assign.match(text):
                return n
        return None
