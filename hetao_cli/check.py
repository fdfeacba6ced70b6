"""The curator's checks beyond structure: quotes against source texts, figures against their
written form. Nothing here changes a fact file."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import chain
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

from .model import SCHEMAS, Entry, FactBook, Figure, Kind, Qualifier, kind_of
from .output import CONTROL_IN_TEXT, escape
from .problems import LineIndex, Problem
from .schema import Type

_SMALL = {"十": 10, "百": 100, "千": 1000}
_BIG = {"萬": 10_000, "万": 10_000, "億": 100_000_000, "亿": 100_000_000}
_DIGITS = {
    "〇": 0, "零": 0, "一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_NUMERAL = "0-9.,〇零一二兩两三四五六七八九十百千萬万億亿"
# A run of numerals, with 多/餘/幾 allowed inside it ("7000多萬", "百餘", "幾百萬").
_RUN = re.compile(rf"[{_NUMERAL}幾几]+(?:[多餘余][{_NUMERAL}]*)?")

_AT_MOST = ("最高", "最多", "不超過", "不超过", "至多")
_ABOUT_BEFORE = ("近", "約", "约", "大約", "大约")
_ABOUT_AFTER = ("左右", "級別", "级别", "上下")
_MORE_BEFORE = ("超過", "超过", "超", "逾", "上")


def parse_written(text: str) -> tuple[float, Qualifier, float | None]:
    """The value, qualifier and upper bound a figure's written form states.

    Arabic and Chinese numerals with 萬/億; 多/餘/超/超過/上/幾 → more_than; 近/約/左右/級別 →
    about; 最高 → at_most; A至B → range. Raise ValueError when no number is written.
    """
    norm = unicodedata.normalize("NFKC", text)
    runs = list(_RUN.finditer(norm))
    runs = [m for m in runs if any(c not in ".," for c in m[0])]
    if not runs:
        raise ValueError(f"no number in {text!r}")
    first = runs[0]
    value = _numeral_value(first[0])
    if len(runs) >= 2 and norm[first.end() : runs[1].start()].strip() in (
        "至",
        "到",
        "-",
        "~",
        "–",
    ):
        high = _numeral_value(runs[1][0])
        # "15至20萬", "2至3億", "三至五百": a multiplier written once is shared by both ends
        shared = re.search("[百千萬万億亿]+$", runs[1][0])
        if shared and not re.search("[百千萬万億亿]$", first[0]):
            value *= _numeral_value("1" + shared[0])
        return value, Qualifier.RANGE, high
    before, run, after = norm[: first.start()], first[0], norm[first.end() :]
    if any(w in before for w in _AT_MOST):
        return value, Qualifier.AT_MOST, None
    if before.endswith(_ABOUT_BEFORE) or after.startswith(_ABOUT_AFTER):
        return value, Qualifier.ABOUT, None
    for w in _ABOUT_AFTER:  # "120項左右": a measure word may stand between
        if w in after[:3]:
            return value, Qualifier.ABOUT, None
    if re.search("[多餘余幾几]", run) or before.endswith(_MORE_BEFORE) or after.startswith("多"):
        return value, Qualifier.MORE_THAN, None
    return value, Qualifier.EXACT, None


_EXACT_DIGITS = 15  # a float holds every 15-digit decimal exactly


def _numeral_value(run: str) -> float:
    """A numeral run such as "3.89", "7000萬", "1.5億", "十", "百餘", "幾百萬" as a number."""
    run = re.sub("[多餘余幾几,]", "", run)
    if not run:
        raise ValueError("no digits")
    digits = len(re.sub(r"[^0-9]", "", run).lstrip("0"))
    if digits > _EXACT_DIGITS:
        raise ValueError(
            f"{run[:40]!r} has {digits} digits; a number holds {_EXACT_DIGITS} exactly, "
            "so hetao cannot check it against its value"
        )
    total = 0.0  # finished 億 groups
    wan = 0.0  # finished 萬 group
    section = 0.0  # below 萬
    current: float | None = None
    for token in re.findall(r"\d+(?:\.\d+)?|.", run):
        if token[0].isdigit():
            current = float(token)
        elif token in _DIGITS:
            current = float(_DIGITS[token])
        elif token in _SMALL:
            section += (1 if current is None else current) * _SMALL[token]
            current = None
        elif token in _BIG:
            group = section + (current or 0)
            if _BIG[token] == 10_000:
                wan += (group or 1) * 10_000
            else:
                total += ((wan + group) or 1) * 100_000_000
                wan = 0
            section, current = 0, None
        else:
            raise ValueError(f"cannot read {token!r} in {run!r}")
    return total + wan + section + (current or 0)


def figure_problems(fig: Figure) -> Iterator[tuple[str, str]]:
    """(field, message) for a figure whose as_written does not back its value and qualifier."""
    if not any(fig.as_written in c.quote for c in fig.citations):
        yield "as_written", f"{fig.as_written!r} does not stand in the figure's quote"
    if fig.derived:
        return
    try:
        value, qualifier, high = parse_written(fig.as_written)
    except ValueError as exc:
        yield "as_written", str(exc)
        return
    if not _same(value, fig.value):
        yield (
            "value",
            f"as_written {fig.as_written!r} reads as {_fmt(value)}, not {_fmt(fig.value)}",
        )
    if qualifier is not fig.qualifier:
        yield (
            "qualifier",
            (
                f"as_written {fig.as_written!r} reads as {qualifier.value}, "
                f"not {fig.qualifier.value}"
            ),
        )
    elif high is not None and (fig.value_max is None or not _same(high, fig.value_max)):
        yield "value_max", f"as_written {fig.as_written!r} reads as up to {_fmt(high)}"


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
    texts += [map(itemgetter(p), entries) for p in _TEXT_AT[kind]]
    texts += [chain.from_iterable(map(itemgetter(p), entries)) for p in _TEXTS_AT[kind]]
    return any(CONTROL_IN_TEXT.search("\n".join(t)) for t in texts)


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
    for name, position in _TEXTS[kind_of(entry)]:
        value = values[position]
        for text in (value,) if isinstance(value, str) else value:
            found = CONTROL_IN_TEXT.search(text)
            if found:
                yield name, control_message(found[0])
                break
    for n, cite in enumerate(entry.citations):
        field = "quote" if n == 0 and not cite.field else "more_citations"
        found = CONTROL_IN_TEXT.search(cite.quote) or CONTROL_IN_TEXT.search(cite.field)
        if found:
            yield field, control_message(found[0])


def _longest_prefix(quote: str, text: str) -> int:
    """How many leading characters of quote stand somewhere in text (binary search)."""
    lo, hi = 0, len(quote)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if quote[:mid] in text:
            lo = mid
        else:
            hi = mid - 1
    return lo


def quote_problem(quote: str, text: str, folded_text: str | None = None) -> str | None:
    """Why quote does not stand verbatim in text, or None when it does. `folded_text`: the
    text in NFKC, when the caller has it already (one source serves many quotes)."""
    if quote in text:
        return None
    if folded_text is None:
        folded_text = unicodedata.normalize("NFKC", text)
    if unicodedata.normalize("NFKC", quote) in folded_text:
        return "quote differs from the source only in character forms (full-width, compatibility)"
    n = _longest_prefix(quote, text)
    return f"quote not found verbatim in the source; it departs after {quote[:n][-20:]!r}"[:300]


class _SourceTexts:
    """Each source's text, read once, and its NFKC form, made once when first needed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._texts: dict[str, str | None] = {}
        self._folded: dict[str, str] = {}

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
        if quote in text:
            return None
        folded = self._folded.get(source_id)
        if folded is None:
            folded = self._folded[source_id] = unicodedata.normalize("NFKC", text)
        return quote_problem(quote, text, folded)


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


def check_book(book: FactBook, sources: Path | None = None) -> list[Problem]:
    """Every problem the curator's checks find; quotes are checked only when sources is given."""
    problems: list[Problem] = []
    texts = _SourceTexts(sources) if sources is not None else None
    looped = _cycle_problems(book)
    controls = {kind for kind in Kind if _hold_controls(kind, book.of_kind(kind))}
    for entry in book.entries():
        found = list(control_problems(entry)) if controls and kind_of(entry) in controls else []
        if entry.id in looped:
            found.append(looped[entry.id])
        if isinstance(entry, Figure):
            found.extend(figure_problems(entry))
        if texts is not None:
            for n, cite in enumerate(entry.citations):
                # The entry's own quote comes first; quotes for one field are more_citations.
                field = "quote" if n == 0 and not cite.field else "more_citations"
                why = texts.problem(cite.source, cite.quote)
                if why:
                    found.append((field, why))
        problems.extend(_placed(book, entry, field, msg) for field, msg in found)
    return problems


def _placed(book: FactBook, entry: Entry, field: str, message: str) -> Problem:
    kind = kind_of(entry).value
    origin = book.origins.get(entry.id)
    if origin is None:
        return Problem("?", message, kind=kind, id=entry.id, field=field)
    lines = book.lines.get(origin.file) or LineIndex.of_file(origin.file)
    line = lines.entry(kind, origin.position, field)
    return Problem(origin.file, message, line, None, kind, origin.position, entry.id, field)
