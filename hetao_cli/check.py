"""The curator's checks beyond structure: quotes against source texts, figures against their
written form. Nothing here changes a fact file."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import chain
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

from .model import (
    SCHEMAS,
    Entry,
    Event,
    FactBook,
    Figure,
    Kind,
    PartialDate,
    Qualifier,
    kind_of,
    quotes_of,
)
from .output import CONTROL_IN_TEXT, compiled, escape
from .problems import LineIndex, Problem, UncheckedQuote
from .schema import Type
from .written import parse_written


def figure_problems(fig: Figure) -> Iterator[tuple[str, str]]:
    """(field, message) for a figure whose as_written does not back its value and qualifier."""
    if not any(fig.as_written in c.quote for c in fig.citations):
        yield "as_written", f"{fig.as_written!r} does not stand in the figure's quote"
    if fig.derived:
        return
    yield from _written_problems(
        fig.as_written, fig.value, fig.qualifier, fig.value_max, ("value", "qualifier", "value_max")
    )


def _written_problems(
    written: str,
    value: float,
    qualifier: Qualifier | None,
    value_max: float | None,
    fields: tuple[str, str, str],
) -> Iterator[tuple[str, str]]:
    """(field, message) where a written form does not read as the value (and hedge) given."""
    try:
        read, hedge, high = parse_written(written)
    except ValueError as exc:
        yield "as_written", str(exc)
        return
    if not _same(read, value):
        yield fields[0], f"as_written {written!r} reads as {_fmt(read)}, not {_fmt(value)}"
    if qualifier is None:
        return
    if hedge is not qualifier:
        yield fields[1], f"as_written {written!r} reads as {hedge.value}, not {qualifier.value}"
    elif high is not None and (value_max is None or not _same(high, value_max)):
        yield fields[2], f"as_written {written!r} reads as up to {_fmt(high)}"


def citation_problems(entry: Entry) -> Iterator[tuple[str, str]]:
    """(field, message) for a citation whose as_written is not in its quote, or, for a number
    field, does not read as the entry's value."""
    values: tuple[Any, ...] = entry
    schema = SCHEMAS[kind_of(entry)]
    for n, c in enumerate(entry.citations):
        if not c.as_written:
            continue
        where = f"more_citations[{n - 1 if entry.citations[0].field == '' else n}]"
        if c.as_written not in c.quote:
            yield where, f"as_written {c.as_written!r} does not stand in its quote"
            continue
        spec = schema.spec(c.field) if c.field else None
        if (
            spec is not None
            and spec.field.holds is Type.NUMBER
            and values[spec.position] is not None
        ):
            for _, message in _written_problems(
                c.as_written, values[spec.position], None, None, ("", "", "")
            ):
                yield where, message


def statement_problems(entry: Entry) -> Iterator[tuple[str, str]]:
    """(field, message) for a statement whose as_written is not in its quote or does not read
    as its value and qualifier."""
    for n, st in enumerate(entry.statements):
        where = f"statements[{n}]"
        if st.as_written and st.as_written not in st.quote:
            yield where, f"as_written {st.as_written!r} does not stand in its quote"
        elif st.as_written and not isinstance(st.value, PartialDate):
            for _, message in _written_problems(
                st.as_written, st.value, st.qualifier, st.value_max, ("", "", "")
            ):
                yield where, message


def date_problems(book: FactBook, entry: Entry) -> Iterator[tuple[str, str]]:
    """(field, message) for a date after the publication of the source that states it: a
    relative date (今年, "this year") resolved to the wrong year."""
    dates: list[tuple[str, PartialDate, str]] = []  # (field, date, source)
    main = entry.citations[0].source if entry.citations else ""
    if isinstance(entry, (Event, Figure)) and entry.date is not None and main:
        dates.append(("date", entry.date, main))
    for n, st in enumerate(entry.statements):
        if isinstance(st.value, PartialDate) and isinstance(entry, Event):
            dates.append((f"statements[{n}]", st.value, st.source))
        if st.as_of is not None:
            dates.append((f"statements[{n}]", st.as_of, st.source))
    for field, date, source_id in dates:
        source = book.by_id.get(source_id)
        published = getattr(source, "published", None)
        if published is not None and date.start > published.end:
            yield (
                field,
                (
                    f"{field.split('[')[0]} {date} is after {source_id} was published "
                    f"({published}); a relative date resolved to the wrong year?"
                ),
            )


def conflict_warnings(entry: Entry) -> Iterator[tuple[str, str]]:
    """(field, message) for each pair of conflicting statements neither of which is ranked."""
    if not entry.statements:
        return
    from .conflicts import conflicts_in, ranked, statements_of

    stated = statements_of(entry)
    for i, j in conflicts_in(stated):
        a, b = stated[i], stated[j]
        if not ranked(a, b, stated):
            yield (
                a.field,
                (
                    f"statements conflict: {_said(a)} and {_said(b)}; rank one preferred or "
                    "deprecated, with a reason (hetao conflicts lists them)"
                ),
            )


def _said(s: Any) -> str:
    value = s.value if isinstance(s.value, PartialDate) else _fmt(s.value)
    written = f" ({s.as_written})" if s.as_written else ""
    return f"{value}{written} from {s.source or '?'}"


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


# Each control character's standard abbreviation, for a problem's message.
_C0 = [
    "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF", "CR",
    "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC",
    "FS", "GS", "RS", "US",
]  # fmt: skip
_C1 = [
    "PAD", "HOP", "BPH", "NBH", "IND", "NEL", "SSA", "ESA", "HTS", "HTJ", "VTS", "PLD", "PLU",
    "RI", "SS2", "SS3", "DCS", "PU1", "PU2", "STS", "CCH", "MW", "SPA", "EPA", "SOS", "SGCI",
    "SCI", "CSI", "ST", "OSC", "PM", "APC",
]  # fmt: skip
_BIDI = {
    "\u061c": "ALM", "\u200e": "LRM", "\u200f": "RLM", "\u202a": "LRE", "\u202b": "RLE",
    "\u202c": "PDF", "\u202d": "LRO", "\u202e": "RLO", "\u2066": "LRI", "\u2067": "RLI",
    "\u2068": "FSI", "\u2069": "PDI",
}  # fmt: skip
# The fields of each kind that hold free text; ids, links, dates and choices are checked as such.
_TEXTS = {
    kind: tuple((s.name, s.position) for s in SCHEMAS[kind].of_type(Type.TEXT, Type.TEXTS))
    for kind in Kind
}
_TEXT_AT = {k: tuple(s.position for s in SCHEMAS[k].of_type(Type.TEXT)) for k in Kind}
_TEXTS_AT = {k: tuple(s.position for s in SCHEMAS[k].of_type(Type.TEXTS)) for k in Kind}


def _hold_controls(kind: Kind, entries: Sequence[Entry]) -> bool:
    """Whether any text of these entries of one kind holds a control character: one search
    over each field's values joined, all in C, where a search a value took twice as long
    (0.16 s against 0.08 s at 100,000 entries, measured). Only then are the entries looked at
    one by one."""
    if not entries:
        return False
    cites = list(chain.from_iterable(map(attrgetter("citations"), entries)))
    texts: list[Iterable[str]] = [map(attrgetter("quote"), cites), map(attrgetter("field"), cites)]
    texts.append(map(attrgetter("as_written"), cites))
    stated = list(chain.from_iterable(map(attrgetter("statements"), entries)))
    texts += [map(attrgetter(k), stated) for k in ("quote", "as_written", "reason", "note")]
    texts += [map(itemgetter(p), entries) for p in _TEXT_AT[kind]]
    texts += [chain.from_iterable(map(itemgetter(p), entries)) for p in _TEXTS_AT[kind]]
    return any(compiled(CONTROL_IN_TEXT).search("\n".join(t)) for t in texts)


def control_message(char: str) -> str:
    """What a check says of a control or bidi character in a fact file, the character escaped
    so that the message is printable: 'contains a control character \\x1b (ESC); ...'."""
    code = ord(char)
    if char in _BIDI:
        what = f"a bidi control character {escape(char)} ({_BIDI[char]})"
    else:
        name = _C0[code] if code < 0x20 else "DEL" if code == 0x7F else _C1[code - 0x80]
        what = f"a control character {escape(char)} ({name})"
    return f"contains {what}; write it as text or remove it"


def control_problems(entry: Entry) -> Iterator[tuple[str, str]]:
    """(field, message) for each text of the entry that holds a control or bidi character,
    which a terminal would obey; tab and newline are text (a multi-line string holds them)."""
    values: tuple[Any, ...] = entry
    search = compiled(CONTROL_IN_TEXT).search
    for name, position in _TEXTS[kind_of(entry)]:
        value = values[position]
        for text in (value,) if isinstance(value, str) else value:
            found = search(text)
            if found:
                yield name, control_message(found[0])
                break
    for n, cite in enumerate(entry.citations):
        field = "quote" if n == 0 and not cite.field else "more_citations"
        found = search(cite.quote) or search(cite.field) or search(cite.as_written)
        if found:
            yield field, control_message(found[0])
    for n, st in enumerate(entry.statements):
        for text in (st.quote, st.as_written, st.reason, st.note):
            found = search(text)
            if found:
                yield f"statements[{n}]", control_message(found[0])
                break


_HEAD = 8  # characters of a quote looked for first, where it is then followed


def _longest_prefix(quote: str, text: str) -> int:
    """How many leading characters of quote stand somewhere in text.

    From the first place the quote's first few characters stand (or, when they stand
    nowhere, its first character), the run there is extended as far as it matches, by a
    binary search with startswith (a prefix of what stands at a place stands there too); then
    the search goes on, after that place, for one character more than the longest run so far,
    and extends that. No earlier place can hold the longer run, as it would hold the shorter
    one and have been found first, so the text is scanned once in all, in C. (Following every
    place the head stands, char by char in Python, took 17-21 µs a quote on the scale bench's
    sources; a binary search over the length, six scans of the text.)"""
    head, size = quote[:_HEAD], len(quote)
    at = text.find(head) if len(head) == _HEAD else -1
    best = _HEAD
    if at < 0:
        at, best = (text.find(quote[:1]) if quote else -1), 0
    while at >= 0:
        hi = min(size, len(text) - at)
        while best < hi:  # the run at `at` is at least `best` long: how much longer?
            mid = (best + hi + 1) // 2
            if text.startswith(quote[:mid], at):
                best = mid
            else:
                hi = mid - 1
        if best == size:
            break
        at = text.find(quote[: best + 1], at + 1)
    return best


def quote_problem(
    quote: str,
    text: str,
    folded_text: str | None = None,
    simplified_text: Callable[[], str] | None = None,
) -> str | None:
    """Why quote does not stand verbatim in text, or None when it does. `folded_text`: the
    text in NFKC, and `simplified_text`: a function that gives it in Simplified script, when
    the caller keeps them (one source serves many quotes; converting it for each quote made
    `check --sources` quadratic: 165 s at 100,000 entries, measured)."""
    if quote in text:
        return None
    # Each test below scans the text, so none is made twice: a quote and a text that are
    # both in NFKC already (as most are) need no second look for a difference of forms.
    if folded_text is None:
        folded_text = unicodedata.normalize("NFKC", text)
    folded_quote = unicodedata.normalize("NFKC", quote)
    if (folded_quote != quote or folded_text != text) and folded_quote in folded_text:
        return "quote differs from the source only in character forms (full-width, compatibility)"
    if _han(quote):
        from .search import to_simplified  # OpenCC: only for a hint, never for the check

        whole = simplified_text() if simplified_text is not None else to_simplified(folded_text)
        if to_simplified(quote) in whole:
            return (
                "quote matches the source only after Traditional/Simplified folding; "
                "copy it in the source's own script"
            )
    n = _longest_prefix(quote, text)
    return f"quote not found verbatim in the source; it departs after {quote[:n][-20:]!r}"[:300]


def _han(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


class _SourceTexts:
    """Each source's text, read once, and its NFKC form, made once when first needed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._texts: dict[str, str | None] = {}
        self._folded: dict[str, str] = {}
        self._simplified: dict[str, str] = {}  # the NFKC text in Simplified, for a hint

    def text(self, source_id: str) -> str | None:
        if source_id not in self._texts:
            try:
                found: str | None = (self.folder / f"{source_id}.txt").read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                found = None
            self._texts[source_id] = found
        return self._texts[source_id]

    def problem(self, source_id: str, quote: str) -> str | None:
        text = self.text(source_id)
        if text is None:
            return f"no readable UTF-8 source text at {self.folder / f'{source_id}.txt'}"
        folded = self._folded.get(source_id)
        if folded is None:
            folded = self._folded[source_id] = unicodedata.normalize("NFKC", text)
        return quote_problem(quote, text, folded, lambda: self._simplified_of(source_id, folded))

    def _simplified_of(self, source_id: str, folded: str) -> str:
        found = self._simplified.get(source_id)
        if found is None:
            from .search import to_simplified

            found = self._simplified[source_id] = to_simplified(folded)
        return found


def cycles(up: Mapping[str, str]) -> dict[str, list[str]]:
    """Each id that its own chain of `up` links leads back to, with that cycle (from it)."""
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done
    found: dict[str, list[str]] = {}
    for start in up:
        path: list[str] = []
        node = start
        while node in up and node not in state:
            state[node] = 1
            path.append(node)
            node = up[node]
        if state.get(node) == 1:  # the walk met itself: the path from `node` on is a cycle
            loop = path[path.index(node) :]
            for i, member in enumerate(loop):
                found[member] = loop[i:] + loop[:i]
        for n in path:
            state[n] = 2
    return found


def _cycle_problems(book: FactBook) -> dict[str, tuple[str, str]]:
    """(field, message) for each org whose parents, or area whose part_of, lead back to it."""
    found: dict[str, tuple[str, str]] = {}
    for field, up in (
        ("parent", {o.id: o.parent for o in book.orgs if o.parent}),
        ("part_of", {a.id: a.part_of for a in book.areas if a.part_of}),
    ):
        for entry_id, loop in cycles(up).items():
            found[entry_id] = (
                field,
                f"{field} leads back to itself: {' → '.join([*loop, entry_id])}",
            )
    return found


def check_book(
    book: FactBook, sources: Path | None = None, unloaded: Iterable[UncheckedQuote] = ()
) -> list[Problem]:
    """Every problem the curator's checks find, in file order; quotes are checked only when
    sources is given, those of entries that could not be loaded (`unloaded`) too, against the
    same texts. Unranked conflicts come as warnings, which do not fail a check."""
    problems: list[Problem] = []
    texts = _SourceTexts(sources) if sources is not None else None
    looped = _cycle_problems(book)
    controls = {kind for kind in Kind if _hold_controls(kind, book.of_kind(kind))}
    missing: dict[str, int] = {}  # a source without a readable text: how many quotes cite it
    for entry in book.entries():
        found = list(control_problems(entry)) if controls and kind_of(entry) in controls else []
        if entry.id in looped:
            found.append(looped[entry.id])
        if isinstance(entry, Figure):
            found.extend(figure_problems(entry))
        if any(c.as_written for c in entry.citations):
            found.extend(citation_problems(entry))
        if entry.statements:
            found.extend(statement_problems(entry))
        found.extend(date_problems(book, entry))
        if texts is not None:
            for field, source_id, quote in quotes_of(entry.citations, entry.statements):
                if texts.text(source_id) is None:
                    missing[source_id] = missing.get(source_id, 0) + 1
                    continue
                why = texts.problem(source_id, quote)
                if why:
                    found.append((field, why))
        problems.extend(_placed(book, entry, field, msg) for field, msg in found)
        problems.extend(
            _placed(book, entry, field, msg, warning=True)
            for field, msg in conflict_warnings(entry)
        )
    for q in unloaded:
        if texts is None or texts.text(q.source) is None:
            continue  # no --sources; or the source's own line says so, or the entry's link does
        why = texts.problem(q.source, q.quote)
        if why:
            problems.append(q.place._replace(message=why))
    for source_id, count in missing.items():
        assert texts is not None
        where = texts.folder / f"{source_id}.txt"
        message = (
            f"no readable UTF-8 source text at {where}: "
            f"{count} quote{'s' if count != 1 else ''} not checked"
        )
        cited = book.by_id.get(source_id)
        if cited is not None:
            problems.append(_placed(book, cited, "id", message))
        else:
            problems.append(Problem(str(where), message))
    return in_file_order(problems, book)


def in_file_order(problems: Sequence[Problem], book: FactBook | None = None) -> list[Problem]:
    """Problems by file (in the order the files were read), then line; those with no line
    after the rest of their file."""
    files: dict[str, int] = {}
    if book is not None:
        for origin_file in book.lines:
            files.setdefault(origin_file, len(files))
    for p in problems:
        files.setdefault(p.file, len(files))
    return sorted(problems, key=lambda p: (files[p.file], p.line is None, p.line or 0))


def _placed(
    book: FactBook, entry: Entry, field: str, message: str, warning: bool = False
) -> Problem:
    kind = kind_of(entry).value
    origin = book.origins.get(entry.id)
    if origin is None:
        return Problem("?", message, kind=kind, id=entry.id, field=field, warning=warning)
    lines = book.lines.get(origin.file) or LineIndex.of_file(origin.file)
    line = lines.entry(kind, origin.position, field)
    return Problem(
        origin.file, message, line, None, kind, origin.position, entry.id, field, warning=warning
    )
