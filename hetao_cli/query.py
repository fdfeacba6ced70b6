"""Timeline order and filters, stats and densities: plain functions over the FactBook."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from .model import (
    Area,
    Citation,
    Claim,
    ClaimCategory,
    Document,
    Entry,
    Event,
    FactBook,
    Figure,
    Kind,
    Organisation,
    OrgKind,
    PartialDate,
    Person,
    Qualifier,
    Rank,
    Source,
    Unit,
    kind_of,
)

if TYPE_CHECKING:
    from .conflicts import Stated


def timeline(
    book: FactBook,
    since: PartialDate | None = None,
    until: PartialDate | None = None,
    orgs: Collection[str] = (),
    people: Collection[str] = (),
    reverse: bool = False,
) -> list[Event]:
    """Events in date order. Bounds are inclusive at their own precision; an event whose date
    is coarser than a bound is kept when its span overlaps the range. `orgs`, `people`: only
    events involving any of them (none given: every event)."""
    first = since.start if since else None
    last = until.end if until else None
    events = [
        e
        for e in book.events
        if _date(e).overlaps(first, last)
        and (not orgs or any(o in orgs for o in e.orgs))
        and (not people or any(p in people for p in e.people))
    ]
    events.sort(key=lambda e: _date(e).sort_key)
    if reverse:  # the exact reverse, events of one date too (sort's reverse keeps their order)
        events.reverse()
    return events


def _date(event: Event) -> PartialDate:
    """The date an event is listed at: a statement ranked preferred over its own."""
    if not event.statements:
        return event.date
    from .conflicts import preferred_values

    found: PartialDate = preferred_values(event).get("date", event.date)
    return found


def figures(
    book: FactBook, scopes: Collection[str] = (), units: Collection[Unit] = ()
) -> list[Figure]:
    """Figures in file order, optionally only those about any of `scopes`, in any of `units`."""
    return [
        f
        for f in book.figures
        if (not scopes or f.scope in scopes) and (not units or f.unit in units)
    ]


def orgs(
    book: FactBook,
    kinds: Collection[OrgKind] = (),
    fields: Collection[str] = (),
    areas: Collection[str] = (),
) -> list[Organisation]:
    """Organisations, optionally of any of `kinds`, in any of `fields` of work, or in (or
    within) any of `areas`."""
    return [
        o
        for o in book.orgs
        if (not kinds or o.kind in kinds)
        and (not fields or any(f in fields for f in o.fields))
        and (not areas or any(a in areas for a in areas_around(book, o.area)))
    ]


def people_of(book: FactBook, orgs: Collection[str]) -> list[Person]:
    """People of any of the organisations or of any of their units (an org whose parent chain
    has it)."""
    return [p for p in book.people if any(a in orgs for o in p.orgs for a in parents(book, o))]


def fields_of_work(book: FactBook) -> list[str]:
    """Every field of work an organisation has, in first-seen order."""
    return list(dict.fromkeys(f for o in book.orgs for f in o.fields))


def parents(book: FactBook, org_id: str) -> list[str]:
    """The organisation and every organisation it belongs to, innermost first."""
    return _chain(book, org_id, lambda e: e.parent if isinstance(e, Organisation) else "")


def areas_around(book: FactBook, area_id: str) -> list[str]:
    """The area and every area it lies in, innermost first."""
    return _chain(book, area_id, lambda e: e.part_of if isinstance(e, Area) else "")


def _chain(book: FactBook, start: str, up: Callable[[Entry], str]) -> list[str]:
    """start, then each id `up` leads to, until none (or a loop)."""
    chain: list[str] = []
    seen: set[str] = set()
    current = start
    while current and current not in seen:
        chain.append(current)
        seen.add(current)
        entry = book.by_id.get(current)
        current = up(entry) if entry is not None else ""
    return chain


def area_of(book: FactBook, entry_id: str) -> str:
    """The innermost area an entry lies in: itself for an area, an org's area (or the nearest
    of its parents'), an event's area, else ''. Walked in a loop: a chain of any length, or a
    cycle, of parents ends."""
    entry = book.by_id.get(entry_id)
    if isinstance(entry, Area):
        return entry.id
    if isinstance(entry, Event):
        return entry.area
    for org_id in parents(book, entry_id):
        org = book.by_id.get(org_id)
        if isinstance(org, Organisation) and org.area:
            return org.area
    return ""


def links_to(book: FactBook, entry_id: str) -> dict[str, list[Entry]]:
    """Everything that names an entry, by the relation: its people, events, figures, parts."""
    found: dict[str, list[Entry]] = {}

    def add(name: str, e: Entry) -> None:
        found.setdefault(name, []).append(e)

    for e in book.entries():
        if isinstance(e, Event) and (
            entry_id in e.orgs
            or entry_id in e.people
            or entry_id in e.documents
            or e.area == entry_id
        ):
            add("events", e)
        elif isinstance(e, Figure) and e.scope == entry_id:
            add("figures", e)
        elif isinstance(e, Person) and entry_id in e.orgs:
            add("people", e)
        elif isinstance(e, Organisation) and entry_id in (e.parent, e.area):
            add("orgs", e)
        elif isinstance(e, Area) and e.part_of == entry_id:
            add("areas", e)
        elif isinstance(e, Document) and entry_id in e.issuers:
            add("documents", e)
        elif isinstance(e, Claim) and e.about == entry_id:
            add("claims", e)
        if e.id != entry_id and (
            any(c.source == entry_id for c in e.citations)
            or any(s.source == entry_id for s in e.statements)
        ):
            add("cited_by", e)
    for events in (found.get("events", []),):
        events.sort(key=lambda e: e.date.sort_key if isinstance(e, Event) else (0, 0, 0))
    return found


def sources_of(book: FactBook, entry: Entry) -> list[Entry]:
    """The sources an entry cites, each once, in the order it first cites them; a source
    is its own."""
    if kind_of(entry) is Kind.SOURCE:
        return [entry]
    return [book.by_id[s] for s in dict.fromkeys(c.source for c in entry.citations)]


def citation_counts(book: FactBook) -> Counter[str]:
    """How many entries cite each source."""
    counts: Counter[str] = Counter()
    for e in book.entries():
        cited = [c.source for c in e.citations] + [s.source for s in e.statements]
        for source in dict.fromkeys(cited):
            if source != e.id:
                counts[source] += 1
    return counts


def claims(
    book: FactBook, categories: Collection[ClaimCategory] = (), about: Collection[str] = ()
) -> list[Claim]:
    """Claims in file order, optionally only of these categories, about any of these ids."""
    return [
        c
        for c in book.claims
        if (not categories or c.category in categories) and (not about or c.about in about)
    ]


class Conflict(NamedTuple):
    """Two statements of one field of an entry that cannot both be true."""

    entry: Entry
    first: Stated
    second: Stated
    ranked: bool  # one of them is ranked preferred or deprecated


def conflicts(book: FactBook, unranked: bool = False) -> list[Conflict]:
    """Every conflicting pair of statements, entry by entry in kind and file order."""
    from .conflicts import conflicts_in, ranked, statements_of

    found: list[Conflict] = []
    for e in book.entries():
        if not e.statements:
            continue
        stated = statements_of(e)
        for i, j in conflicts_in(stated):
            a, b = stated[i], stated[j]
            settled = ranked(a, b, stated)
            if not (unranked and settled):
                found.append(Conflict(e, a, b, settled))
    return found


def figures_as_of(book: FactBook, figures: Sequence[Figure], when: PartialDate) -> list[Figure]:
    """Each figure as it stood at `when`: of the statements of its value that held by then
    (their as-of date, else their source's publication, begins by the end of `when`), the
    latest, a preferred one first among equals, then the entry's own; a figure none of whose
    statements held by then is left out, and so is one whose statements have no date at all."""
    from .conflicts import statements_of

    found: list[Figure] = []
    last = when.end
    for f in figures:
        best: tuple[Any, ...] | None = None
        for s in statements_of(f):
            if s.field != "value":
                continue
            held = s.as_of or _published(book, s.source)
            if held is None or held.start > last:
                continue
            key = (held.sort_key, s.rank is Rank.PREFERRED, s.own)
            if best is None or key > best[0]:
                best = (key, s)
        if best is None:
            continue
        s = best[1]
        if s.own:
            found.append(f)
        else:
            cite = Citation(s.source, s.quote, "", s.as_written)
            found.append(f._replace(
                value=s.value, qualifier=s.qualifier or Qualifier.EXACT, value_max=s.value_max,
                as_written=s.as_written, date=s.as_of, citations=(cite, *f.citations),
            ))  # fmt: skip
    return found


def _published(book: FactBook, source_id: str) -> PartialDate | None:
    source = book.by_id.get(source_id)
    return source.published if isinstance(source, Source) else None


# ---------------------------------------------------------------------------------------------
# Stats


class Count(NamedTuple):
    """One bar of a stats chart."""

    group: str  # "kind", "year" or "field"
    key: str
    total: int


def stats(book: FactBook) -> list[Count]:
    """Entries of each kind, events per year, organisations per field of work."""
    rows = [Count("kind", k.value, len(book.of_kind(k))) for k in Kind]
    years = Counter(e.date.year for e in book.events)
    rows += [Count("year", str(y), n) for y, n in sorted(years.items())]
    fields = Counter(f for o in book.orgs for f in o.fields)
    rows += [Count("field", f, n) for f, n in sorted(fields.items(), key=lambda x: (-x[1], x[0]))]
    return rows


class Recomputed(NamedTuple):
    """A stated density recomputed from one count and one land area."""

    numerator: Figure
    denominator: Area
    value: float  # numerator.value / denominator.area_km2
    reproduces: bool  # within 5% of the stated density


class Density(NamedTuple):
    """A count figure per km² of an area, or a stated density with its recomputations."""

    area: Area
    figure: Figure
    # the count over the area (None when too large to be a number: a land area of 1e-320
    # km²); for a stated density, the stated value
    per_km2: float | None
    recomputed: tuple[Recomputed, ...] = ()


def _lies_within(book: FactBook, entry_id: str, area_id: str) -> bool:
    return area_id in areas_around(book, area_of(book, entry_id))


def densities(book: FactBook, every: bool = False) -> list[tuple[Area, list[Density]]]:
    """For each area with a land area: first every density the sources state for it,
    recomputed from counts of the same item; then, per km², each count figure scoped to it or
    to what lies in it that counts things in a place (`located`: companies, people, projects,
    not positionings or papers) — every count, with `every`."""
    out: list[tuple[Area, list[Density]]] = []
    for area in book.areas:
        if area.area_km2 is None:
            continue
        stated: list[Density] = []
        counts: list[Density] = []
        for fig in book.figures:
            if not _lies_within(book, fig.scope, area.id):
                continue
            if fig.unit is Unit.COUNT and (fig.located or every):
                counts.append(Density(area, fig, _ratio(fig.value, area.area_km2)))
            elif fig.unit is Unit.PER_KM2 and fig.scope == area.id:
                stated.append(Density(area, fig, fig.value, tuple(recompute(book, fig))))
        out.append((area, stated + counts))
    return out


def recompute(book: FactBook, stated: Figure) -> Iterator[Recomputed]:
    """Each count of the same item over each land area its scope lies in."""
    for fig in book.figures:
        if fig.unit is not Unit.COUNT or not stated.item or fig.item != stated.item:
            continue
        for area_id in areas_around(book, area_of(book, fig.scope)):
            area = book.by_id.get(area_id)
            if isinstance(area, Area) and area.area_km2:
                value = _ratio(fig.value, area.area_km2)
                if value is None:
                    continue
                close = abs(value - stated.value) <= 0.05 * abs(stated.value)
                yield Recomputed(fig, area, value, close)


def _ratio(count: float, area: float) -> float | None:
    """count / area, or None where that is not a finite number (JSON has no Infinity)."""
    try:
        value = count / area
    except (OverflowError, ZeroDivisionError):
        return None
    return value if math.isfinite(value) else None


def parse_bound(text: str) -> PartialDate:
    """A --since/--until value: YYYY, YYYY-MM or YYYY-MM-DD."""
    return PartialDate.parse(text.strip())
