"""Find the fact files, parse them and validate them into a FactBook.

Every problem is collected with its place (file, line, kind, index, id, field) and raised
together as one FactFileError. Nothing here prints, and nothing here writes to a fact file.
"""

from __future__ import annotations

import gc
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, NamedTuple

from .model import (
    Area,
    Citation,
    Document,
    DocumentKind,
    Entry,
    Event,
    FactBook,
    Figure,
    Kind,
    Organisation,
    OrgKind,
    Origin,
    PartialDate,
    Person,
    Qualifier,
    Source,
    Unit,
    kind_of,
)

ENV_VAR = "HETAO_FACTS"
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_CONTENT_RE = re.compile(r"^[ \t]*[^\s#]", re.MULTILINE)  # a line that is not a comment


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a fact file, and where it is."""

    file: str
    message: str
    line: int | None = None
    column: int | None = None
    kind: str = ""
    index: int | None = None  # position of the entry among its kind in its file, from 0
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
            where += f": {self.kind}" + ("" if self.index is None else f"[{self.index}]")
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
            "index": self.index,
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


# ---------------------------------------------------------------------------------------------
# Finding the files


def bundled_path() -> Path:
    """The curated facts.toml: inside an installed wheel, or at the root of a checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "data" / "facts.toml"
    return packaged if packaged.is_file() else here.parent / "facts.toml"


def chosen_paths(paths: Sequence[str | Path] | None, env: Mapping[str, str]) -> list[Path]:
    """--facts paths if any, else HETAO_FACTS (os.pathsep-separated), else the bundled file."""
    if paths:
        return [Path(p) for p in paths]
    value = env.get(ENV_VAR, "")
    if value.strip():
        found = [Path(p) for p in value.split(os.pathsep) if p.strip()]
        if found:  # a value of separators only names no file: fall through to the bundled one
            return found
    return [bundled_path()]


def expand(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Files to read: a file as given, a folder as its *.toml files in name order.

    A file named twice (`--facts a.toml --facts ./a.toml`, or a folder and a file in it) is
    read once, so its ids are not taken for duplicates of themselves."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.glob("*.toml") if p.is_file())
            if not found:
                problems.append(Problem(str(path), "folder has no .toml files", unreadable=True))
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            problems.append(Problem(str(path), "no such file or folder", unreadable=True))
    seen: set[Path] = set()
    unique = []
    for f in files:
        real = f.resolve()
        if real not in seen:
            seen.add(real)
            unique.append(f)
    return unique, problems


def read_text(path: Path) -> str:
    """The file's text; raise FactFileError naming the file when it cannot be read."""
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise FactFileError([Problem(name, f"cannot read: {reason}", unreadable=True)]) from None
    if not data.strip():
        raise FactFileError([Problem(name, "file is empty", unreadable=True)])
    if data.startswith(b"\xef\xbb\xbf"):
        msg = "starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM"
        raise FactFileError([Problem(name, msg, line=1, unreadable=True)])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        msg = f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        raise FactFileError([Problem(name, msg, line=line, unreadable=True)]) from None
    if not _CONTENT_RE.search(text):  # stops at the first line that is not a comment
        raise FactFileError([Problem(name, "file has only comments, no entries", unreadable=True)])
    return text


def parse(text: str, name: str) -> dict[str, Any]:
    """TOML text to a dict; a syntax error becomes a Problem with line and column."""
    try:
        import tomli as toml  # here, not at start-up: a warm cache needs no parser
    except ImportError:  # pragma: no cover - tomli is a dependency; stdlib's is the fallback
        import tomllib as toml  # type: ignore[no-redef]
    try:
        return toml.loads(text)
    except RecursionError:  # tomli refuses deeply nested arrays with this, not a decode error
        msg = "TOML syntax: arrays or tables nested too deep"
        raise FactFileError([Problem(name, msg)]) from None
    except ValueError as exc:  # TOMLDecodeError, or an integer too long for int()
        line = getattr(exc, "lineno", None)
        col = getattr(exc, "colno", None)
        msg = getattr(exc, "msg", str(exc))
        raise FactFileError([Problem(name, f"TOML syntax: {msg}", line=line, column=col)]) from None


# ---------------------------------------------------------------------------------------------
# The schema: one table of fields per kind


class Field(NamedTuple):
    """How one TOML field of an entry is checked."""

    check: Callable[[Any], Any]  # returns the converted value or raises ValueError
    required: bool = False
    links: tuple[Kind, ...] = ()  # for id fields: the kinds the id may name; () = any kind


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {_type_name(value)}")
    return value


def _nonempty(value: Any) -> str:
    if not _text(value).strip():
        raise ValueError("expected a non-empty string")
    return str(value)


def _slug(value: Any) -> str:
    if not isinstance(value, str) or not ID_RE.match(value):
        raise ValueError(f"expected a lowercase slug (a-z, 0-9, '-'), got {value!r}"[:200])
    return value


def _texts(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"expected a list of strings, got {_type_name(value)}")
    return tuple(value)


def _slugs(value: Any) -> tuple[str, ...]:
    return tuple(_slug(v) for v in _texts(value))


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {_type_name(value)}")
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number, got {_type_name(value)}")
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        finite = False
    if not finite:
        raise ValueError("expected a finite number")
    return value


def _date(value: Any) -> str:
    if not isinstance(value, str):
        hint = " (write the date as a quoted string)" if hasattr(value, "year") else ""
        raise ValueError(f"expected a date string YYYY, YYYY-MM or YYYY-MM-DD{hint}")
    PartialDate.parse(value)
    return value


def _enum(enum: type[Enum]) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        try:
            return enum(value)
        except (ValueError, TypeError):
            choices = ", ".join(str(m.value) for m in enum)
            raise ValueError(f"expected one of {choices}; got {value!r}"[:300]) from None

    return check


def _type_name(value: Any) -> str:
    return {dict: "a table", list: "a list", bool: "a boolean", str: "a string"}.get(
        type(value), type(value).__name__
    )


TEXT = Field(_text)
NAME = Field(_nonempty, required=True)
TEXTS = Field(_texts)
BOOL = Field(_bool)
DATE = Field(_date)


def _link(*kinds: Kind, required: bool = False) -> Field:
    return Field(_slug, required=required, links=kinds)


def _links(*kinds: Kind) -> Field:
    return Field(_slugs, links=kinds)


COMMON: dict[str, Field] = {
    "id": Field(_slug, required=True),
    "source": _link(Kind.SOURCE, required=True),
    "quote": NAME,
    "more_citations": Field(lambda v: v),  # checked entry by entry in _citations
}

SCHEMA: dict[Kind, dict[str, Field]] = {
    Kind.SOURCE: {
        "title": NAME,
        "publisher": NAME,
        "published": Field(_date, required=True),
        "title_en": TEXT,
        "publisher_en": TEXT,
        "url": TEXT,
    },
    Kind.AREA: {
        "name": NAME,
        "name_en": TEXT,
        "aliases": TEXTS,
        "area_km2": Field(_number),
        "part_of": _link(Kind.AREA),
        "derived": TEXT,
        "positionings": TEXTS,
        "positionings_en": TEXTS,
    },
    Kind.EVENT: {
        "date": Field(_date, required=True),
        "approximate": BOOL,
        "date_note": TEXT,
        "title": NAME,
        "title_en": TEXT,
        "orgs": _links(Kind.ORG),
        "people": _links(Kind.PERSON),
        "documents": _links(Kind.DOCUMENT),
        "area": _link(Kind.AREA),
    },
    Kind.FIGURE: {
        "subject": NAME,
        "subject_en": TEXT,
        "value": Field(_number, required=True),
        "value_max": Field(_number),
        "unit": Field(_enum(Unit), required=True),
        "qualifier": Field(_enum(Qualifier), required=True),
        "as_written": NAME,
        "scope": _link(required=True),
        "item": Field(_slug),
        "date": DATE,
        "approximate": BOOL,
        "derived": TEXT,
    },
    Kind.ORG: {
        "name": NAME,
        "kind": Field(_enum(OrgKind), required=True),
        "name_en": TEXT,
        "name_en_official": BOOL,
        "aliases": TEXTS,
        "fields": Field(_slugs),
        "area": _link(Kind.AREA),
        "parent": _link(Kind.ORG),
    },
    Kind.PERSON: {
        "name": NAME,
        "role": NAME,
        "name_en": TEXT,
        "role_en": TEXT,
        "aliases": TEXTS,
        "orgs": _links(Kind.ORG),
    },
    Kind.DOCUMENT: {
        "title": NAME,
        "kind": Field(_enum(DocumentKind), required=True),
        "title_en": TEXT,
        "aliases": TEXTS,
        "issuers": _links(Kind.ORG),
        "date": DATE,
        "approximate": BOOL,
    },
}

RECORD: dict[Kind, type] = {
    Kind.SOURCE: Source,
    Kind.AREA: Area,
    Kind.EVENT: Event,
    Kind.FIGURE: Figure,
    Kind.ORG: Organisation,
    Kind.PERSON: Person,
    Kind.DOCUMENT: Document,
}


_FIELDS: dict[Kind, dict[str, Field]] = {}


def fields_of(kind: Kind) -> dict[str, Field]:
    """The fields of a kind, built once per kind (8% of validation when built per entry)."""
    spec = _FIELDS.get(kind)
    if spec is None:
        spec = dict(COMMON)
        if kind is Kind.SOURCE:
            spec["source"] = _link(Kind.SOURCE)
            spec["quote"] = TEXT
        spec.update(SCHEMA[kind])
        _FIELDS[kind] = spec
    return spec


_REQUIRED: dict[Kind, tuple[str, ...]] = {}


def required_of(kind: Kind) -> tuple[str, ...]:
    """The required fields of a kind, in schema order."""
    found = _REQUIRED.get(kind)
    if found is None:
        found = _REQUIRED[kind] = tuple(n for n, f in fields_of(kind).items() if f.required)
    return found


# ---------------------------------------------------------------------------------------------
# Places: lines are looked up only when a problem needs one


class _Lines:
    """Maps (kind, index, field) to a line number in one file's text, lazily."""

    _HEADER = re.compile(r"^[ \t]*\[\[[ \t]*([A-Za-z0-9_-]+)[ \t]*\]\]", re.M)

    def __init__(self, text: str | None, path: Path | None = None) -> None:
        self.text = text  # None: read from path when a line is first asked for
        self.path = path
        self._headers: dict[str, list[int]] | None = None
        self._lines: list[str] | None = None

    def _index(self) -> tuple[dict[str, list[int]], list[str]]:
        if self._headers is None or self._lines is None:
            if self.text is None:
                try:
                    self.text = read_text(self.path) if self.path is not None else ""
                except FactFileError:
                    self.text = ""
            self._lines = self.text.splitlines()
            self._headers = {}
            for n, line in enumerate(self._lines, 1):
                m = self._HEADER.match(line)
                if m:
                    self._headers.setdefault(m[1], []).append(n)
        return self._headers, self._lines

    def find(self, kind: str, index: int | None, field: str = "") -> int | None:
        headers, lines = self._index()
        starts = headers.get(kind, [])
        if index is None or index >= len(starts):
            return None
        start = starts[index]
        if field:
            key = field.split("[", 1)[0]  # "more_citations[1]" is found on its key's line
            pattern = re.compile(rf"^[ \t]*\"?{re.escape(key)}\"?[ \t]*=")
            for n in range(start, len(lines)):
                text = lines[n]
                if text.lstrip().startswith("["):
                    break
                if pattern.match(text):
                    return n + 1
        return start

    def find_key(self, key: str) -> int | None:
        """The line of a top-level key: its [table] or [[table]] header, or `key =` before any."""
        _, lines = self._index()
        name = rf"\"?{re.escape(key)}\"?"
        header = re.compile(rf"^[ \t]*\[\[?[ \t]*{name}[ \t]*[\].]")
        assign = re.compile(rf"^[ \t]*{name}[ \t]*[=.]")
        in_root = True
        for n, text in enumerate(lines, 1):
            if header.match(text):
                return n
            if text.lstrip().startswith("["):
                in_root = False
            elif in_root and assign.match(text):
                return n
        return None


# ---------------------------------------------------------------------------------------------
# Validation


class _Placed(NamedTuple):
    """An entry as converted, with what is needed to name its place later."""

    entry: Entry
    file: str
    lines: _Lines
    kind: Kind
    position: int  # among the entries of its kind in its file, from 0
    links: Sequence[tuple[str, tuple[str, ...]]]  # (field, ids) still to check across files
    cites: tuple[str, ...]  # ids cited (more_citations) still to check for being sources


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        # ids of entries that had problems of their own: links to them are not dangling
        self.invalid: dict[str, Kind] = {}
        # where each such id first stands, so a second entry with it is still a duplicate
        self.invalid_at: dict[str, str] = {}
        self.duplicates = False  # an id defined twice

    def where(self, file: str, lines: _Lines, kind: str, index: int) -> str:
        line = lines.find(kind, index)
        return f"{file}:{line}" if line else file

    def add(
        self,
        file: str,
        lines: _Lines | None,
        message: str,
        kind: str = "",
        index: int | None = None,
        id: str = "",
        field: str = "",
    ) -> None:
        line = lines.find(kind, index, field) if lines is not None and kind else None
        self.problems.append(Problem(file, message, line, None, kind, index, id, field))


def _citations(
    raw: Mapping[str, Any], spec_source: str | None, report: Callable[[str, str], None]
) -> tuple[Citation, ...]:
    cites: list[Citation] = []
    quote = raw.get("quote")
    if isinstance(quote, str) and quote and spec_source is not None:
        cites.append(Citation(spec_source, quote))
    more = raw.get("more_citations", [])
    if not isinstance(more, list):
        report("more_citations", "expected a list of tables { quote, field, source }")
        return tuple(cites)
    for i, item in enumerate(more):
        where = f"more_citations[{i}]"
        if not isinstance(item, dict):
            report(where, f"expected a table {{ quote, field, source }}, got {_type_name(item)}")
            continue
        unknown = sorted(set(item) - {"quote", "field", "source"})
        if unknown:
            report(where, f"unknown key {unknown[0]!r}; expected quote, field, source")
        q, f, s = item.get("quote"), item.get("field", ""), item.get("source", spec_source)
        if not isinstance(q, str) or not q.strip():
            report(where, "expected a non-empty string 'quote'")
        elif not isinstance(f, str):
            report(where, "'field' must be a string")
        elif not isinstance(s, str) or not ID_RE.match(s):
            report(where, "'source' must be a source id")
        else:
            cites.append(Citation(s, q, f))
    return tuple(cites)


def _convert(
    kind: Kind, raw: Any, index: int, file: str, lines: _Lines, out: _Collector
) -> _Placed | None:
    kname = kind.value
    if not isinstance(raw, dict):
        out.add(file, lines, f"expected a table, got {_type_name(raw)}", kname, index)
        return None
    raw_id = raw.get("id")
    ident = raw_id if isinstance(raw_id, str) else ""
    before = len(out.problems)

    def report(field: str, message: str) -> None:
        out.add(file, lines, message, kname, index, ident, field)

    spec = fields_of(kind)
    values: dict[str, Any] = {}
    links: list[tuple[str, tuple[str, ...]]] = []
    # One pass over the fields the entry has (not over every field its kind may have).
    for name, raw_value in raw.items():
        field = spec.get(name)
        if field is None:
            close = _closest(name, spec)
            hint = f" (did you mean {close!r}?)" if close else ""
            report(name, f"unknown field{hint}; expected one of {', '.join(spec)}")
            continue
        try:
            value = values[name] = field.check(raw_value)
        except ValueError as exc:
            report(name, str(exc))
            continue
        if field.links or name == "scope":
            ids = value if isinstance(value, tuple) else (value,)
            links.append((name, tuple(i for i in ids if i)))
    for name in required_of(kind):
        if name not in raw:
            report(name, "missing required field")
    source = values.get("source") if kind is not Kind.SOURCE else ident
    citations = _citations(raw, source if isinstance(source, str) else None, report)
    _extra_rules(kind, values, report)
    if len(out.problems) > before:
        if ident:
            first = out.invalid_at.get(ident)
            if first is not None:
                kind_first = out.invalid[ident].value
                report("id", f"duplicate id; also defined as {kind_first} at {first}")
            else:
                out.invalid[ident] = kind
                out.invalid_at[ident] = out.where(file, lines, kname, index)
        return None
    # a citation's source is checked here unless it is the entry's own `source`, a link already
    own = (source,) if isinstance(source, str) else ()
    cites = tuple({c.source: None for c in citations if c.source not in own})
    return _Placed(_record(kind, values, citations), file, lines, kind, index, links, cites)


def _extra_rules(kind: Kind, values: dict[str, Any], report: Callable[[str, str], None]) -> None:
    for name in ("date", "published"):
        if name in values and not isinstance(values[name], str):
            report(name, "expected a date string")
    if kind is Kind.AREA:
        area = values.get("area_km2")
        if area is not None and area <= 0:
            report("area_km2", f"an area must be positive, got {area}")
        pos, pos_en = values.get("positionings", ()), values.get("positionings_en", ())
        if pos and pos_en and len(pos) != len(pos_en):
            report("positionings_en", f"expected {len(pos)} items, one per positioning")
    if kind is Kind.FIGURE:
        qualifier, vmax, value = (
            values.get("qualifier"),
            values.get("value_max"),
            values.get("value"),
        )
        if qualifier is Qualifier.RANGE:
            if vmax is None:
                report("value_max", "a range needs value_max")
            elif value is not None and vmax < value:
                report("value_max", f"value_max {vmax} is below value {value}")
        elif vmax is not None and qualifier is not None:
            report("value_max", "value_max goes only with qualifier 'range'")


def _record(kind: Kind, values: dict[str, Any], citations: tuple[Citation, ...]) -> Entry:
    args = {k: v for k, v in values.items() if k not in ("source", "quote", "more_citations")}
    approximate = bool(args.pop("approximate", False))
    for name in ("date", "published"):
        if name in args:
            args[name] = PartialDate.parse(args[name], approximate)
    args["citations"] = citations
    record: Entry = RECORD[kind](**args)
    return record


def _closest(name: str, choices: Iterable[str]) -> str | None:
    import difflib  # only when a problem is reported

    found = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def _entries_of(data: dict[str, Any], file: str, lines: _Lines, out: _Collector) -> list[_Placed]:
    placed: list[_Placed] = []
    for key, items in data.items():
        try:
            kind = Kind(key)
        except ValueError:
            close = _closest(key, [k.value for k in Kind])
            hint = f" (did you mean [[{close}]]?)" if close else ""
            msg = f"unknown table [[{key}]]{hint}"
            out.problems.append(Problem(file, msg, lines.find_key(key)))
            continue
        if not isinstance(items, list):
            msg = f"expected [[{key}]] entries (an array of tables), got {_type_name(items)}"
            out.problems.append(Problem(file, msg, lines.find_key(key), kind=key))
            continue
        for index, raw in enumerate(items):
            entry = _convert(kind, raw, index, file, lines, out)
            if entry is not None:
                placed.append(entry)
    return placed


def _cross_check(placed: list[_Placed], out: _Collector) -> dict[str, _Placed]:
    by_id: dict[str, _Placed] = {}
    for p in placed:
        first = by_id.get(p.entry.id)
        entry_place = (p.kind.value, p.position, p.entry.id, "id")
        if first is not None:
            where = out.where(first.file, first.lines, first.kind.value, first.position)
            msg = f"duplicate id; already defined as {first.kind.value} at {where}"
            out.add(p.file, p.lines, msg, *entry_place)
            out.duplicates = True
        elif p.entry.id in out.invalid_at:
            # the other entry with this id has problems of its own, reported with them
            other, where = out.invalid[p.entry.id].value, out.invalid_at[p.entry.id]
            msg = f"duplicate id; also defined as {other} at {where}"
            out.add(p.file, p.lines, msg, *entry_place)
        else:
            by_id[p.entry.id] = p
    for p in placed:
        if not (p.links or p.cites):
            continue
        spec = fields_of(p.kind)
        for name, ids in p.links:
            allowed = spec[name].links
            for target_id in ids:
                target = by_id.get(target_id)
                kind = target.kind if target is not None else out.invalid.get(target_id)
                if kind is None:
                    msg = f"links to {target_id!r}, which no entry defines"
                elif allowed and kind not in allowed:
                    want = " or ".join(_a(k.value) for k in allowed)
                    msg = f"{target_id!r} is {_a(kind.value)}; expected {want}"
                else:
                    continue
                out.add(p.file, p.lines, msg, p.kind.value, p.position, p.entry.id, name)
        for cited in p.cites:
            target = by_id.get(cited)
            kind = target.kind if target is not None else out.invalid.get(cited)
            if kind is not Kind.SOURCE:
                msg = f"cites {cited!r}, which is not a source id"
                entry_place = (p.kind.value, p.position, p.entry.id, "more_citations")
                out.add(p.file, p.lines, msg, *entry_place)
    return by_id


def _a(word: str) -> str:
    return ("an " if word[:1] in ("a", "e", "i", "o", "u") else "a ") + word


def book_of(entries: Iterable[Entry], origins: Mapping[str, Origin] | None = None) -> FactBook:
    """A FactBook of already valid entries, in the order given."""
    groups: dict[Kind, list[Entry]] = {k: [] for k in Kind}
    by_id: dict[str, Entry] = {}
    for e in entries:
        groups[kind_of(e)].append(e)
        by_id[e.id] = e
    return _book(groups, by_id, origins or {})


def _book(
    groups: Mapping[Kind, list[Entry]], by_id: dict[str, Entry], origins: Mapping[str, Origin]
) -> FactBook:
    return FactBook(
        sources=tuple(groups[Kind.SOURCE]),  # type: ignore[arg-type]
        areas=tuple(groups[Kind.AREA]),  # type: ignore[arg-type]
        events=tuple(groups[Kind.EVENT]),  # type: ignore[arg-type]
        figures=tuple(groups[Kind.FIGURE]),  # type: ignore[arg-type]
        orgs=tuple(groups[Kind.ORG]),  # type: ignore[arg-type]
        people=tuple(groups[Kind.PERSON]),  # type: ignore[arg-type]
        documents=tuple(groups[Kind.DOCUMENT]),  # type: ignore[arg-type]
        by_id=by_id,
        origins=origins,
    )


class _Origins(Mapping[str, Origin]):
    """Where each entry was defined, made only when asked for (by `show` and `check`)."""

    __slots__ = ("_placed",)

    def __init__(self, placed: Mapping[str, _Placed]) -> None:
        self._placed = placed

    def __getitem__(self, entry_id: str) -> Origin:
        p = self._placed[entry_id]
        return Origin(p.file, p.position)

    def __iter__(self) -> Iterator[str]:
        return iter(self._placed)

    def __len__(self) -> int:
        return len(self._placed)


def load(
    paths: Sequence[str | Path] | None = None, env: Mapping[str, str] | None = None
) -> FactBook:
    """Load and validate the chosen fact files; raise FactFileError with every problem."""
    files, problems = expand(chosen_paths(paths, os.environ if env is None else env))
    if problems:
        raise FactFileError(problems)
    return load_files(files)


# ---------------------------------------------------------------------------------------------
# Checked files in the cache: a file that validates on its own is cached as its entries, so a
# warm start skips validation (about 13 µs an entry) as well as parsing. Links and citations
# that stay within the file are checked before it is cached; only those that leave it are kept
# with each entry, to be checked against the other files on every run. The key is a lone
# surrogate, which no TOML document can hold, so a parsed document is never taken for one.

_CHECKED = "\ud800checked"
_KINDS = {k.value: k for k in Kind}


def _layout(cls: type) -> tuple[tuple[int, ...], tuple[tuple[int, dict[str, Any]], ...], int]:
    """Where a record keeps its dates, its enums (with their members by value), its citations."""
    fields: tuple[str, ...] = cls._fields  # type: ignore[attr-defined]
    hints = {"published": None, "date": None}
    dates = tuple(i for i, f in enumerate(fields) if f in hints)
    enums = {
        Figure: (("unit", Unit), ("qualifier", Qualifier)),
        Organisation: (("kind", OrgKind),),
        Document: (("kind", DocumentKind),),
    }.get(cls, ())
    found = tuple((fields.index(f), {m.value: m for m in e}) for f, e in enums)
    return dates, found, fields.index("citations")


_LAYOUTS = {kind: _layout(cls) for kind, cls in RECORD.items()}


def _freeze(p: _Placed) -> tuple[Any, ...]:
    """An entry as plain values that marshal can store."""
    dates, enums, cites = _LAYOUTS[p.kind]
    values: list[Any] = list(p.entry)
    for i in dates:
        d = values[i]
        values[i] = None if d is None else (d.year, d.month, d.day, d.approximate)
    for i, _ in enums:
        values[i] = values[i].value
    values[cites] = tuple(tuple(c) for c in values[cites])
    return (p.position, tuple(values), tuple(p.links), p.cites)


def _within(placed: list[_Placed]) -> list[_Placed] | None:
    """The entries of one file with their links and citations that stay inside it checked
    and dropped, or None when one of those is wrong (or an id repeats): the file then has
    problems of its own, reported by the full check on every run."""
    kinds = {p.entry.id: p.kind for p in placed}
    if len(kinds) != len(placed):
        return None
    outside: list[_Placed] = []
    for p in placed:
        links: list[tuple[str, tuple[str, ...]]] = []
        if p.links:
            spec = fields_of(p.kind)
            for name, ids in p.links:
                allowed, leave = spec[name].links, []
                for i in ids:
                    kind = kinds.get(i)
                    if kind is None:
                        leave.append(i)
                    elif allowed and kind not in allowed:
                        return None
                if leave:
                    links.append((name, tuple(leave)))
        cites: list[str] = []
        for c in p.cites:
            kind = kinds.get(c)
            if kind is None:
                cites.append(c)
            elif kind is not Kind.SOURCE:
                return None
        outside.append(_Placed(p.entry, p.file, p.lines, p.kind, p.position, links, tuple(cites)))
    return outside


def _thaw(rows: Any, file: str, lines: _Lines) -> list[_Placed]:
    """The entries _freeze stored; raises TypeError, ValueError, KeyError or IndexError on
    anything else, and the caller parses the file afresh."""
    placed: list[_Placed] = []
    add = placed.append
    shared: dict[Any, PartialDate] = {}  # dates repeat; a frozen date can be shared
    for kind_value, group in rows:
        kind = _KINDS[kind_value]
        dates, enums, cites = _LAYOUTS[kind]
        make = RECORD[kind]
        linkable = fields_of(kind)
        for position, frozen, links, cited in group:
            for link_name, _ in links:
                linkable[link_name]  # a damaged entry raises KeyError here, not later
            values = list(frozen)
            for i in dates:
                parts = values[i]
                if parts is not None:
                    date = shared.get(parts)
                    if date is None:
                        date = shared[parts] = PartialDate(*parts)
                    values[i] = date
            for i, members in enums:
                values[i] = members[values[i]]
            values[cites] = tuple([Citation(*c) for c in values[cites]])
            entry: Entry = make(*values)
            add(_Placed(entry, file, lines, kind, position, links, cited))
    return placed


def _parse_checked(text: str, name: str) -> dict[str, Any]:
    """What the cache keeps of a file: its checked entries, by kind, when it validates on its
    own, else its parsed TOML (so the next run reports its problems without parsing it again)."""
    data = parse(text, name)
    out = _Collector()
    placed = _entries_of(data, name, _Lines(text), out)
    checked = None if out.problems else _within(placed)
    if checked is None:
        return data
    by_kind: dict[str, list[tuple[Any, ...]]] = {}
    for p in checked:
        by_kind.setdefault(p.kind.value, []).append(_freeze(p))
    return {_CHECKED: list(by_kind.items())}


def load_files(files: Sequence[Path], cached: bool = True) -> FactBook:
    from .cache import cache_dir, read_parsed  # unchanged files come from the user cache

    use_cache = cached and cache_dir() is not None
    thawed = False
    out = _Collector()
    placed: list[_Placed] = []
    # The many small objects make the cyclic GC run super-linearly; pause it until the
    # FactBook is built (building origins with it on cost 1.2 s of 4.6 s at 100,000 entries).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for path in files:
            name = str(path)
            try:
                if use_cache:
                    text, data = read_parsed(path, read_text, _parse_checked)
                else:
                    text = read_text(path)
                    data = parse(text, name)
            except FactFileError as exc:
                out.problems.extend(exc.problems)
                continue
            lines = _Lines(text, path)
            if _CHECKED in data:
                try:
                    placed.extend(_thaw(data[_CHECKED], name, lines))
                    thawed = True
                    continue
                except (TypeError, ValueError, KeyError, IndexError):
                    # a damaged cache entry: read and parse afresh
                    text = read_text(path)
                    data = parse(text, name)
                    lines = _Lines(text)
            placed.extend(_entries_of(data, name, lines, out))
        by_id = _cross_check(placed, out)
        if out.duplicates and thawed:
            # Which copy of an id wins decides the kind that links to it name, and a cached
            # file no longer holds the links that stay inside it: check it all afresh.
            return load_files(files, cached=False)
        if out.problems:
            raise FactFileError(out.problems)
        groups: dict[Kind, list[Entry]] = {k: [] for k in Kind}
        entries: dict[str, Entry] = {}
        for entry_id, p in by_id.items():
            groups[p.kind].append(p.entry)
            entries[entry_id] = p.entry
        return _book(groups, entries, _Origins(by_id))
    finally:
        if was_enabled:
            gc.enable()


def line_of(file: str, kind: str, index: int, field: str = "") -> int | None:
    """The line of an entry's field in a fact file, read again only to name a place."""
    try:
        return _Lines(Path(file).read_text(encoding="utf-8")).find(kind, index, field)
    except (OSError, UnicodeDecodeError):
        return None
