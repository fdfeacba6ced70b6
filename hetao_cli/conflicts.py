"""Every statement of an entry's fields, and when two of them cannot both be true.

An entry's own value of a number or date field is that field's first statement; each of its
[[kind.statements]] is another, from its own source. Two statements of one field conflict
when the values they state are incompatible at the precision and hedge each states:

- a number stands for the span its words allow: "3.02" for 3.015 to 3.025 (one unit of its
  last digit, halved, either side; trailing zeros are not taken as significant, so "300" is
  250 to 350); "about" widens that to 10% of the value either side, or one unit, whichever is
  wider; "more than" and "at least" reach up without end, "at most" down; a range spans its
  two ends; "of the order of" v spans v to 10v;
- a date stands for the days it covers: 2017 for the whole year, 2017-01 for January; an
  approximate date one more year, month or day either side;
- two statements conflict when their spans do not meet: 0.87 and 0.877 km² do (0.865..0.875
  against 0.8765..0.8775), 3.02 km² and "about 300 hectares" do not, 2017-01 and 2017-01-03
  do not (the finer refines the coarser), 1997 and 2017 do;
- except when both say when they held (a figure's `date`, a statement's `as_of`) and those
  dates do not meet: a count of 2021 and one of 2023 are a history, not a disagreement.

The rule is symmetric, a statement never conflicts with itself, and a refinement never
conflicts with what it refines (tests/test_conflicts.py checks these with hypothesis).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from typing import Any, NamedTuple

from .model import (
    SCHEMAS,
    Citation,
    Entry,
    Figure,
    PartialDate,
    Qualifier,
    Rank,
    kind_of,
)


class Stated(NamedTuple):
    """One statement of one field of an entry, the entry's own or another source's."""

    field: str
    position: int  # 0: the entry's own value; n: its n-th [[statements]] item
    value: float | PartialDate
    qualifier: Qualifier | None  # None for a date
    value_max: float | None
    as_written: str
    as_of: PartialDate | None
    source: str
    quote: str
    rank: Rank = Rank.NORMAL
    reason: str = ""
    note: str = ""
    also: tuple[Citation, ...] = ()  # other citations of the same value (more_citations)

    @property
    def own(self) -> bool:
        return self.position == 0


_STATABLE = {kind: tuple(s for s in SCHEMAS[kind].statable) for kind in SCHEMAS}


def statements_of(entry: Entry) -> list[Stated]:
    """Every statement of every number and date field the entry states, field by field, the
    entry's own value first."""
    specs = _STATABLE[kind_of(entry)]
    if not specs:
        return []
    values: tuple[Any, ...] = entry
    extra = entry.statements
    found: list[Stated] = []
    for spec in specs:
        own = values[spec.position]
        if own is not None:
            found.append(_own(entry, spec.name, own))
        for n, s in enumerate(extra, 1):
            if s.field == spec.name:
                qualifier = None if isinstance(s.value, PartialDate) else s.qualifier
                found.append(
                    Stated(
                        s.field,
                        n,
                        s.value,
                        qualifier,
                        s.value_max,
                        s.as_written,
                        s.as_of,
                        s.source,
                        s.quote,
                        s.rank,
                        s.reason,
                        s.note,
                    )
                )
    return found


def _own(entry: Entry, name: str, value: Any) -> Stated:
    """The entry's own value of a field as a statement, with the citation that backs it."""
    for_field = [c for c in entry.citations if c.field == name]
    if isinstance(entry, Figure) and name == "value":
        written = entry.as_written
        backing = next((c for c in entry.citations if written and written in c.quote), None)
        first = backing or (entry.citations[0] if entry.citations else None)
        also = tuple(c for c in for_field if c is not first)
        return Stated(name, 0, value, entry.qualifier, entry.value_max, written, entry.date,
                      *_cited(first), note=entry.derived, also=also)  # fmt: skip
    # Its own source's quote for the field, else the first quote for the field, else its own
    # quote (which need not state the field: "其深圳園區與香港園區一河之隔"); the rest: `also`.
    main = entry.citations[0] if entry.citations else None
    own_source = [c for c in for_field if main is not None and c.source == main.source]
    first = (own_source or for_field)[0] if for_field else main
    number = not isinstance(value, PartialDate)
    derived = getattr(entry, "derived", "") if number else ""
    written = first.as_written if first is not None else ""
    also = tuple(c for c in for_field if c is not first)
    return Stated(name, 0, value, Qualifier.EXACT if number else None, None, written, None,
                  *_cited(first), note=derived, also=also)  # fmt: skip


def _cited(c: Citation | None) -> tuple[str, str]:
    return (c.source, c.quote) if c is not None else ("", "")


# ---------------------------------------------------------------------------------------------
# The rule


def step_of(s: Stated) -> float:
    """One unit of the last digit the statement writes, in base units."""
    if s.as_written:
        from .written import read_written

        try:
            return read_written(s.as_written).step
        except ValueError:
            pass
    return _repr_step(float(s.value))  # type: ignore[arg-type]


def _repr_step(value: float) -> float:
    text = format(value, ".12g")
    if "e" in text:
        mantissa, exponent = text.split("e")
        return _repr_step(float(mantissa)) * 10.0 ** int(exponent)
    if "." in text:
        return 10.0 ** -len(text.split(".", 1)[1])
    digits = text.lstrip("-")
    stripped = digits.rstrip("0")
    return 10.0 ** (len(digits) - len(stripped)) if stripped else 1.0


def span(s: Stated) -> tuple[float, float]:
    """The values the statement allows, low to high: numbers in base units, dates as days."""
    if isinstance(s.value, PartialDate):
        return _date_span(s.value)
    v = float(s.value)
    half = step_of(s) / 2
    q = s.qualifier or Qualifier.EXACT
    if q is Qualifier.ABOUT:
        wide = max(2 * half, abs(v) / 10)
        return v - wide, v + wide
    if q in (Qualifier.MORE_THAN, Qualifier.AT_LEAST):
        return v - half, math.inf
    if q is Qualifier.AT_MOST:
        return -math.inf, v + half
    if q is Qualifier.RANGE:
        return v - half, (s.value_max if s.value_max is not None else v) + half
    if q is Qualifier.ORDER_OF_MAGNITUDE:
        return min(v, 10 * v), max(v, 10 * v)
    return v - half, v + half


def _date_span(d: PartialDate) -> tuple[float, float]:
    first, last = d.start, d.end
    if d.approximate:
        first, last = _widened(d, first, last)
    return float(first.toordinal()), float(last.toordinal())


def _widened(d: PartialDate, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    if d.precision == "year":
        before = PartialDate(max(d.year - 1, 1))
        after = PartialDate(min(d.year + 1, 9999))
    elif d.precision == "month":
        m = d.year * 12 + (d.month or 1) - 1
        before = PartialDate((m - 1) // 12, (m - 1) % 12 + 1) if m > 12 else d
        after = PartialDate((m + 1) // 12, (m + 1) % 12 + 1) if m + 1 < 9999 * 12 + 12 else d
    else:
        one = dt.timedelta(days=1)
        return (first - one if first > dt.date.min else first,
                last + one if last < dt.date.max else last)  # fmt: skip
    return before.start, after.end


def _meet(a: tuple[float, float], b: tuple[float, float]) -> bool:
    # A relative tolerance, so that 0.87 computed as 3.89 - 3.02 still meets 0.875.
    slack = 1e-9 * max(1.0, *(abs(x) for x in (*a, *b) if math.isfinite(x)))
    return a[0] <= b[1] + slack and b[0] <= a[1] + slack


def conflict(a: Stated, b: Stated) -> bool:
    """Whether two statements of one field cannot both be true (the rule above)."""
    a_when, b_when = a.as_of, b.as_of
    if (
        a_when is not None
        and b_when is not None
        and not _meet(_date_span(a_when), _date_span(b_when))
    ):
        return False  # a history: each held at its own time
    return not _meet(span(a), span(b))


def ranked(a: Stated, b: Stated, statements: list[Stated]) -> bool:
    """Whether the curator has said which of two conflicting statements stands: one of them
    is ranked, or another statement of their field is preferred (as on Wikidata, a
    preferred statement stands over every normal one)."""
    if a.rank is not Rank.NORMAL or b.rank is not Rank.NORMAL:
        return True
    return any(s.field == a.field and s.rank is Rank.PREFERRED for s in statements)


def conflicts_in(statements: list[Stated]) -> Iterator[tuple[int, int]]:
    """The positions (in the list) of each pair of statements of one field that conflict."""
    for i, a in enumerate(statements):
        for j in range(i + 1, len(statements)):
            b = statements[j]
            if a.field == b.field and conflict(a, b):
                yield i, j


def preferred_values(entry: Entry) -> dict[str, Any]:
    """The fields a statement ranked preferred gives another value: {field: value, ...},
    with a figure's qualifier, upper bound, written form and date going with its value."""
    changed: dict[str, Any] = {}
    for s in entry.statements:
        if s.rank is not Rank.PREFERRED or s.field in changed:
            continue
        changed[s.field] = s.value
        if isinstance(entry, Figure) and s.field == "value":
            changed.update(qualifier=s.qualifier, value_max=s.value_max, as_written=s.as_written)
            if s.as_of is not None:
                changed["date"] = s.as_of
    return changed
