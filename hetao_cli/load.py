"""Find the fact files, parse them and validate them, from the schema, into a FactBook.

Every problem is collected with its place (file, line, kind, index, id, field) and raised
together as one FactFileError. Nothing here prints, and nothing here writes to a fact file.
"""

from __future__ import annotations

import gc
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import cache, partial
from pathlib import Path
from typing import Any, NamedTuple

from .cache import Cache, CheckedEntry
from .model import (
    RECORDS,
    SCHEMAS,
    Citation,
    Entry,
    FactBook,
    Kind,
    Origin,
    PartialDate,
    Qualifier,
    Rank,
    Statement,
    quotes_of,
)
from .output import visible
from .problems import FactFileError, LineIndex, Problem, UncheckedQuote
from .schema import ID_RE, Field, Type, checked, checker, shown, type_name

ENV_VAR = "HETAO_FACTS"
_CONTENT_RE = re.compile(r"^[ \t]*[^\s#]", re.MULTILINE)  # a line that is not a comment


# ---------------------------------------------------------------------------------------------
# Finding the files


def bundled_path() -> Path:
    """The curated facts.toml: inside an installed wheel, or at the root of a checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "data" / "facts.toml"
    return packaged if packaged.is_file() else here.parent / "facts.toml"


def chosen_paths(paths: Sequence[str | Path] | None, env: Mapping[str, str]) -> list[Path]:
    """--facts paths if any, else HETAO_FACTS (os.pathsep-separated), else the bundled file.

    A path written with a leading `+` (`--facts +mine.toml`) is layered on the bundled facts:
    the bundled file is read first, then it."""
    chosen: list[str] = []
    if paths:
        chosen = [str(p) for p in paths]
    else:
        value = env.get(ENV_VAR, "")
        # a value of separators only names no file: the bundled one is read
        chosen = [p for p in value.split(os.pathsep) if p.strip()]
    if not chosen:
        return [bundled_path()]
    layered = any(p.startswith("+") for p in chosen)
    found = [Path(p[1:] if p.startswith("+") else p) for p in chosen]
    return [bundled_path(), *found] if layered else found


def expand(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Files to read: a file as given, a folder as its *.toml files in name order.

    A file named twice (`--facts a.toml --facts ./a.toml`, or a folder and a file in it) is
    read once, so its ids are not taken for duplicates of themselves."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            folder = stat.S_ISDIR(os.stat(path).st_mode)
            found = sorted(p for p in path.glob("*.toml") if p.is_file()) if folder else []
        except FileNotFoundError:
            problems.append(Problem(str(path), "no such file or folder", unreadable=True))
            continue
        except (OSError, ValueError) as exc:  # a folder on the way that cannot be searched, a
            # name too long, a NUL in the path
            problems.append(Problem(str(path), f"cannot read: {_reason(exc)}", unreadable=True))
            continue
        if not folder:
            files.append(path)
        elif not found:
            problems.append(Problem(str(path), "folder has no .toml files", unreadable=True))
        files.extend(found)
    seen: set[Path] = set()
    unique = []
    for f in files:
        try:
            real = f.resolve()
        except (OSError, RuntimeError):  # a symlink loop: read_text reports the file
            real = f
        if real not in seen:
            seen.add(real)
            unique.append(f)
    return unique, problems


def read_text(path: Path) -> str:
    """The file's text; raise FactFileError naming the file when it cannot be read."""
    name = str(path)
    try:
        data = _read_bounded(path)
    except OSError as exc:
        msg = f"cannot read: {_reason(exc)}"
        raise FactFileError([Problem(name, msg, unreadable=True)]) from None
    except ValueError as exc:  # not a regular file, or too large
        raise FactFileError([Problem(name, str(exc), unreadable=True)]) from None
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


MAX_FILE_BYTES = 256 * 1024 * 1024  # a fact file of 100,000 entries is about 38 MB


def _read_bounded(path: Path) -> bytes:
    """A regular file's bytes, up to MAX_FILE_BYTES; a device, pipe or socket (`/dev/zero`)
    and a larger file raise ValueError before anything is read."""
    # O_NONBLOCK: opening a pipe (a FIFO) would otherwise wait for a writer.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with open(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise ValueError("not a regular file (a device, pipe, socket or folder)")
        if st.st_size > MAX_FILE_BYTES:
            raise ValueError(f"file is larger than {MAX_FILE_BYTES // 2**20} MiB")
        data = f.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:  # it grew while being read
        raise ValueError(f"file is larger than {MAX_FILE_BYTES // 2**20} MiB")
    return data


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ValueError) and "null" in str(exc):
        return "the name holds a NUL character"
    return getattr(exc, "strerror", None) or exc.__class__.__name__


def parse(text: str, name: str) -> dict[str, Any]:
    """TOML text to a dict; a syntax error becomes a Problem with line and column."""
    import tomli  # here, not at start-up: a warm cache needs no parser

    try:
        return tomli.loads(text)
    except RecursionError:  # tomli refuses deeply nested arrays with this, not a decode error
        msg = "TOML syntax: arrays or tables nested too deep"
        raise FactFileError([Problem(name, msg)]) from None
    except ValueError as exc:  # TOMLDecodeError, or an integer too long for int()
        line = getattr(exc, "lineno", None)
        col = getattr(exc, "colno", None)
        msg = getattr(exc, "msg", str(exc))
        raise FactFileError([Problem(name, f"TOML syntax: {msg}", line=line, column=col)]) from None


# ---------------------------------------------------------------------------------------------
# Validation, from the schema


class _Placed(NamedTuple):
    """An entry as converted, with what is needed to name its place later."""

    entry: Entry
    file: str
    lines: LineIndex
    kind: Kind
    position: int  # among the entries of its kind in its file, from 0
    links: tuple[tuple[str, tuple[str, ...]], ...]  # (field, ids) still to check across files
    cites: tuple[str, ...]  # ids cited (more_citations) still to check for being sources


class _Linking(NamedTuple):
    """An entry's links and cited sources, still to check across files."""

    file: str
    lines: LineIndex
    kind: Kind
    position: int
    id: str
    links: tuple[tuple[str, tuple[str, ...]], ...]
    cites: tuple[str, ...]


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        # ids of entries that had problems of their own: links to them are not dangling
        self.invalid: dict[str, Kind] = {}
        # where each such id first stands, so a second entry with it is still a duplicate
        self.invalid_at: dict[str, str] = {}
        self.duplicates = False  # an id defined twice
        self.hints = 0  # "did you mean" hints given for unknown ids
        self.pending: list[_Linking] = []  # the links of entries with problems of their own
        self.quotes: list[UncheckedQuote] = []  # the quotes of entries with problems

    def where(self, file: str, lines: LineIndex, kind: str, index: int) -> str:
        line = lines.entry(kind, index)
        return f"{file}:{line}" if line else file

    def add(
        self,
        file: str,
        lines: LineIndex | None,
        message: str,
        kind: str = "",
        index: int | None = None,
        id: str = "",
        field: str = "",
    ) -> None:
        line = lines.entry(kind, index, field) if lines is not None and kind else None
        self.problems.append(Problem(file, message, line, None, kind, index, id, field))


_CITATION_KEYS = ("quote", "field", "source", "as_written")


def _citations(
    raw: Mapping[str, Any], own_source: str | None, report: Callable[[str, str], None]
) -> tuple[Citation, ...]:
    cites: list[Citation] = []
    quote = raw.get("quote")
    if isinstance(quote, str) and quote and own_source is not None:
        cites.append(Citation(own_source, quote))
    more = raw.get("more_citations", [])
    if not isinstance(more, list):
        report("more_citations", "expected a list of tables { quote, field, source }")
        return tuple(cites)
    for i, item in enumerate(more):
        where = f"more_citations[{i}]"
        if not isinstance(item, dict):
            report(where, f"expected a table {{ quote, field, source }}, got {type_name(item)}")
            continue
        unknown = sorted(set(item) - set(_CITATION_KEYS))
        if unknown:
            report(
                where, f"unknown key {visible(unknown[0])!r}; expected {', '.join(_CITATION_KEYS)}"
            )
        q, f, s = item.get("quote"), item.get("field", ""), item.get("source", own_source)
        written = item.get("as_written", "")
        if not isinstance(q, str) or not q.strip():
            report(where, "expected a non-empty string 'quote'")
        elif not isinstance(f, str):
            report(where, "'field' must be a string")
        elif not isinstance(s, str) or not ID_RE.match(s):
            report(where, "'source' must be a source id")
        elif not isinstance(written, str):
            report(where, "'as_written' must be a string")
        else:
            cites.append(Citation(s, q, f, written))
    return tuple(cites)


_STATEMENT_KEYS = (
    "field", "value", "as_written", "qualifier", "value_max", "approximate", "as_of", "source",
    "quote", "rank", "reason", "note",
)  # fmt: skip


def _statements(
    kind: Kind, raw: Mapping[str, Any], report: Callable[[str, str], None]
) -> tuple[Statement, ...]:
    """The entry's [[kind.statements]]: other values of its number and date fields."""
    items = raw.get("statements")
    if items is None:
        return ()
    if not isinstance(items, list):
        report("statements", "expected [[statements]] tables (an array of tables)")
        return ()
    statable = {s.name: s.field for s in SCHEMAS[kind].statable}
    found: list[Statement] = []
    for i, item in enumerate(items):
        where = f"statements[{i}]"
        if not isinstance(item, dict):
            report(where, f"expected a table, got {type_name(item)}")
            continue
        statement = _statement(item, statable, partial(report, where))
        if statement is not None:
            found.append(statement)
    return tuple(found)


def _statement(
    item: Mapping[str, Any], statable: Mapping[str, Field], report: Callable[[str], None]
) -> Statement | None:
    ok = True

    def bad(message: str) -> None:
        nonlocal ok
        ok = False
        report(message)

    for key in item:
        if key not in _STATEMENT_KEYS:
            close = _closest(key, _STATEMENT_KEYS)
            hint = f" (did you mean {close!r}?)" if close else ""
            bad(f"unknown key {visible(key)!r}{hint}; expected one of {', '.join(_STATEMENT_KEYS)}")
    for key in ("field", "value", "source", "quote"):
        if key not in item:
            bad(f"missing required key {key!r}")
    name = item.get("field")
    spec = statable.get(name) if isinstance(name, str) else None
    holds = spec.holds if spec is not None else None
    if "field" in item and holds is None:
        names = ", ".join(statable) or "none"
        bad(f"'field' must name a number or date field of this kind ({names}); got {shown(name)}")
    texts: dict[str, str] = {}
    for key in ("as_written", "source", "quote", "reason", "note"):
        v = item.get(key, "")
        if not isinstance(v, str):
            bad(f"{key!r} must be a string, got {type_name(v)}")
            v = ""
        texts[key] = v
    if "source" in item and not ID_RE.match(texts["source"]):
        bad(f"'source' must be a source id, got {shown(item['source'])}")
    if "quote" in item and not texts["quote"].strip():
        bad("'quote' must be a non-empty string")
    approximate = item.get("approximate", False)
    if not isinstance(approximate, bool):
        bad(f"'approximate' must be true or false, got {type_name(approximate)}")
        approximate = False
    value: Any = None
    qualifier, value_max, as_of, rank = Qualifier.EXACT, None, None, Rank.NORMAL
    try:
        if "as_of" in item:
            as_of = _date_of(item["as_of"], False)
    except ValueError as exc:
        bad(f"'as_of': {exc}")
    try:
        rank = Rank(item.get("rank", "normal"))
    except (ValueError, TypeError):
        bad(f"'rank' must be preferred, normal or deprecated; got {shown(item.get('rank'))}")
    if rank is not Rank.NORMAL and not texts["reason"].strip():
        bad(f"a {rank.value} statement needs a 'reason'")
    if holds is Type.DATE:
        for key in ("qualifier", "value_max"):
            if key in item:
                bad(f"{key!r} goes only with a number field")
        try:
            value = _date_of(item.get("value"), approximate)
        except ValueError as exc:
            bad(f"'value': {exc}")
    elif holds is Type.NUMBER and spec is not None:
        if "approximate" in item:
            bad("'approximate' goes only with a date field")
        try:
            value = checked(spec, item.get("value"))  # the field's own check
        except ValueError as exc:
            bad(f"'value': {exc}")
        if not texts["as_written"].strip():
            bad("a number statement needs 'as_written', the value as the source words it")
        try:
            qualifier = Qualifier(item.get("qualifier", "exact"))
        except (ValueError, TypeError):
            names = ", ".join(q.value for q in Qualifier)
            bad(f"'qualifier' must be one of {names}; got {shown(item.get('qualifier'))}")
        vmax = item.get("value_max")
        if vmax is not None:
            try:
                value_max = checked(spec, vmax)
            except ValueError as exc:
                bad(f"'value_max': {exc}")
        if qualifier is Qualifier.RANGE and value_max is None:
            bad("a range needs value_max")
        elif qualifier is not Qualifier.RANGE and "value_max" in item:
            bad("value_max goes only with qualifier 'range'")
        elif value_max is not None and isinstance(value, (int, float)) and value_max < value:
            bad(f"value_max {value_max} is below value {value}")
        if name == "area_km2" and isinstance(value, (int, float)) and value <= 0:
            bad(f"an area must be positive, got {value}")
    if not ok or holds is None or not isinstance(name, str):
        return None
    return Statement(
        name, value, texts["source"], texts["quote"], texts["as_written"], qualifier,
        value_max, as_of, rank, texts["reason"], texts["note"],
    )  # fmt: skip


def _date_of(value: Any, approximate: bool) -> PartialDate:
    if not isinstance(value, str):
        raise ValueError(
            f"expected a date string YYYY, YYYY-MM or YYYY-MM-DD, got {type_name(value)}"
        )
    return PartialDate.parse(value, approximate)


def _convert(
    kind: Kind, raw: Any, index: int, file: str, lines: LineIndex, out: _Collector
) -> _Placed | None:
    kname = kind.value
    if not isinstance(raw, dict):
        out.add(file, lines, f"expected a table, got {type_name(raw)}", kname, index)
        return None
    raw_id = raw.get("id")
    ident = raw_id if isinstance(raw_id, str) else ""
    before = len(out.problems)

    def report(field: str, message: str) -> None:
        out.add(file, lines, message, kname, index, ident, field)

    schema = SCHEMAS[kind]
    checks = _checks_of(kind)
    values: dict[str, Any] = {}
    links: list[tuple[str, tuple[str, ...]]] = []
    # One pass over the fields the entry has (not over every field its kind may have).
    for name, raw_value in raw.items():
        rule = checks.get(name)
        if rule is None:
            close = _closest(name, schema.toml)
            hint = f" (did you mean {close!r}?)" if close else ""
            report(name, f"unknown field{hint}; expected one of {', '.join(schema.toml)}")
            continue
        check, is_link = rule
        try:
            value = values[name] = check(raw_value)
        except ValueError as exc:
            report(name, str(exc))
            continue
        if is_link:
            ids = value if isinstance(value, tuple) else (value,)
            links.append((name, tuple(i for i in ids if i)))
    for name in schema.required:
        if name not in raw:
            report(name, "missing required field")
    source = values.get("source") if kind is not Kind.SOURCE else ident
    citations = _citations(raw, source if isinstance(source, str) else None, report)
    statements = _statements(kind, raw, report)
    _rules(kind, values, report)
    if len(out.problems) > before:
        own_source = source if isinstance(source, str) else None
        others = {c.source: None for c in citations if c.source != own_source}
        others.update({st.source: None for st in statements if st.source != own_source})
        out.pending.append(_Linking(file, lines, kind, index, ident, tuple(links), tuple(others)))
        for at, c_source, c_quote in quotes_of(citations, statements):
            line = lines.entry(kname, index, at)
            place = Problem(file, "", line, None, kname, index, ident, at)
            out.quotes.append(UncheckedQuote(place, c_source, c_quote))
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
    cited = [c.source for c in citations] + [s.source for s in statements]
    cites = tuple({c: None for c in cited if c not in own})
    entry = _record(kind, values, citations, statements)
    return _Placed(entry, file, lines, kind, index, tuple(links), cites)


# Each kind's TOML keys: the function that checks a key's value and makes it the record's (a
# date's text its PartialDate), and whether it links to other entries. Made when a kind is
# first loaded, not on every start.
_CHECKS: dict[Kind, dict[str, tuple[Callable[[Any], Any], bool]]] = {}


def _checks_of(kind: Kind) -> dict[str, tuple[Callable[[Any], Any], bool]]:
    found = _CHECKS.get(kind)
    if found is None:
        found = _CHECKS[kind] = {
            name: (_value_check(field), field.is_link) for name, field in SCHEMAS[kind].toml.items()
        }
    return found


def _value_check(field: Field) -> Callable[[Any], Any]:
    check = checker(field)
    if field.holds is Type.DATE:
        return lambda value: PartialDate.parse(check(value))
    return check


@cache
def _english_lists(kind: Kind) -> tuple[tuple[str, str], ...]:
    """Each list of texts of the kind that has a list of English beside it, with that list."""
    return tuple((s.name, s.field.english) for s in SCHEMAS[kind].of_type(Type.TEXTS)
                 if s.field.english)  # fmt: skip


def _rules(kind: Kind, values: dict[str, Any], report: Callable[[str, str], None]) -> None:
    """The rules that join two fields, or that one kind alone has."""
    for name, pair in _english_lists(kind):
        mine, english = values.get(name, ()), values.get(pair, ())
        if mine and english and len(mine) != len(english):
            report(pair, f"expected {len(mine)} items, one per {name.rstrip('s')}")
    if kind is Kind.AREA:
        area = values.get("area_km2")
        if area is not None and area <= 0:
            report("area_km2", f"an area must be positive, got {area}")
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


_NOT_RECORD_FIELDS = ("source", "quote", "more_citations", "approximate", "statements")


def _record(
    kind: Kind,
    values: dict[str, Any],
    citations: tuple[Citation, ...],
    statements: tuple[Statement, ...],
) -> Entry:
    args = {k: v for k, v in values.items() if k not in _NOT_RECORD_FIELDS}
    if values.get("approximate"):
        for spec in SCHEMAS[kind].of_type(Type.DATE):
            date = args.get(spec.name)
            if date is not None:
                args[spec.name] = PartialDate(date.year, date.month, date.day, approximate=True)
    args["citations"] = citations
    if statements:
        args["statements"] = statements
    record: Entry = RECORDS[kind](**args)
    return record


def _closest(name: str, choices: Iterable[str]) -> str | None:
    import difflib  # only when a problem is reported

    found = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


_KINDS = {k.value: k for k in Kind}


def _entries_of(
    data: dict[str, Any], file: str, lines: LineIndex, out: _Collector
) -> list[_Placed]:
    placed: list[_Placed] = []
    for key, items in data.items():
        kind = _KINDS.get(key)
        if kind is None:
            close = _closest(key, _KINDS)
            hint = f" (did you mean [[{close}]]?)" if close else ""
            msg = f"unknown table [[{visible(key)}]]{hint}"  # a message shows a key escaped
            out.problems.append(Problem(file, msg, lines.key(key)))
            continue
        if not isinstance(items, list):
            msg = f"expected [[{key}]] entries (an array of tables), got {type_name(items)}"
            out.problems.append(Problem(file, msg, lines.key(key), kind=key))
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
    # The links of invalid entries are checked too, so a curator sees all in one round.
    to_check = [
        _Linking(p.file, p.lines, p.kind, p.position, p.entry.id, p.links, p.cites)
        for p in placed
        if p.links or p.cites
    ]
    for x in [*to_check, *out.pending]:
        toml = SCHEMAS[x.kind].toml
        for name, ids in x.links:
            allowed = toml[name].links
            for target_id in ids:
                target = by_id.get(target_id)
                kind = target.kind if target is not None else out.invalid.get(target_id)
                if kind is None:
                    msg = f"links to {target_id!r}, which no entry defines"
                    close = _closest_id(target_id, by_id, out)
                    if close:
                        msg += f" (did you mean {close!r}?)"
                elif allowed and kind.value not in allowed:
                    want = " or ".join(_a(k) for k in allowed)
                    msg = f"{target_id!r} is {_a(kind.value)}; expected {want}"
                else:
                    continue
                out.add(x.file, x.lines, msg, x.kind.value, x.position, x.id, name)
        for cited in x.cites:
            target = by_id.get(cited)
            kind = target.kind if target is not None else out.invalid.get(cited)
            if kind is not Kind.SOURCE:
                msg = f"cites {cited!r}, which is not a source id"
                entry_place = (x.kind.value, x.position, x.id, "more_citations")
                out.add(x.file, x.lines, msg, *entry_place)
    return by_id


_MAX_HINTS = 50  # "did you mean" looks among every id: for the first 50 unknown ids only


def _closest_id(wanted: str, by_id: Mapping[str, Any], out: _Collector) -> str | None:
    out.hints += 1
    if out.hints > _MAX_HINTS:
        return None
    return _closest(wanted, by_id)


def _a(word: str) -> str:
    return ("an " if word[:1] in ("a", "e", "i", "o", "u") else "a ") + word


def _leaving(placed: list[_Placed]) -> list[CheckedEntry] | None:
    """The entries of one file with the links and citations that stay inside it checked and
    dropped, as the cache keeps them; None when one of those is wrong (or an id repeats): the
    file then has problems of its own, and is not cached."""
    kinds = {p.entry.id: p.kind for p in placed}
    if len(kinds) != len(placed):
        return None
    found: list[CheckedEntry] = []
    for p in placed:
        links: list[tuple[str, tuple[str, ...]]] = []
        if p.links:
            toml = SCHEMAS[p.kind].toml
            for name, ids in p.links:
                allowed, leave = toml[name].links, []
                for i in ids:
                    kind = kinds.get(i)
                    if kind is None:
                        leave.append(i)
                    elif allowed and kind.value not in allowed:
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
        found.append(CheckedEntry(p.entry, p.kind, p.position, tuple(links), tuple(cites)))
    return found


def _book_of(
    by_id: Mapping[str, _Placed], placed: Sequence[_Placed], files: Sequence[Path]
) -> FactBook:
    """The book of the entries placed; its line indexes name every file read, in the order
    read (a file that held no valid entry too, so that problems list in file order)."""
    groups: dict[Kind, list[Entry]] = {k: [] for k in Kind}
    entries: dict[str, Entry] = {}
    for entry_id, p in by_id.items():
        groups[p.kind].append(p.entry)
        entries[entry_id] = p.entry
    indexes = {p.file: p.lines for p in placed}
    lines = {str(f): indexes.get(str(f)) or LineIndex.of_file(f) for f in files}
    return FactBook.of(groups, entries, _Origins(by_id), lines)


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
    environ = os.environ if env is None else env
    files, problems = expand(chosen_paths(paths, environ))
    if problems:
        raise FactFileError(problems)
    return load_files(files, Cache.from_env(environ))


def _load_file(path: Path, cache: Cache | None, out: _Collector) -> tuple[list[_Placed], bool]:
    """One file's entries, and whether they came from the cache."""
    name = str(path)
    if cache is not None:
        found = cache.checked(path)
        if found is not None:
            lines = LineIndex.of_file(path)  # read only if a problem needs a line
            return [_Placed(c.entry, name, lines, c.kind, c.position, c.links, c.cites)
                    for c in found], True  # fmt: skip
    try:
        text = read_text(path)
        data = parse(text, name)
    except FactFileError as exc:
        out.problems.extend(exc.problems)
        return [], False
    before = len(out.problems)
    placed = _entries_of(data, name, LineIndex(text), out)
    if cache is not None and len(out.problems) == before:
        valid = _leaving(placed)
        if valid is not None:
            cache.store(path, valid)
    return placed, False


def load_files(files: Sequence[Path], cache: Cache | None = None) -> FactBook:
    """Load and validate these files, through the cache when one is given."""
    out = _Collector()
    placed: list[_Placed] = []
    from_cache = False
    # The many small objects make the cyclic GC run super-linearly; pause it until the
    # FactBook is built (building origins with it on cost 1.2 s of 4.6 s at 100,000 entries).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for path in files:
            found, cached = _load_file(path, cache, out)
            placed.extend(found)
            from_cache = from_cache or cached
        by_id = _cross_check(placed, out)
        if out.duplicates and from_cache:
            # Which copy of an id wins decides the kind that links to it name, and a cached
            # file no longer holds the links that stay inside it: check it all afresh.
            return load_files(files, None)
        book = _book_of(by_id, placed, files)
        if out.problems:
            raise FactFileError(out.problems, out.quotes, loaded=book)
        return book
    finally:
        if was_enabled:
            gc.enable()
