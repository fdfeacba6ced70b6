"""The fact model: frozen records for every kind of fact, and the FactBook that holds them.

A newcomer reads this module first. It does no I/O.

The records are typed NamedTuples rather than frozen, slotted dataclasses: immutable and typed
all the same, but creating the ten dataclasses cost about 6 ms of every start and their
generated __init__ was the slowest step of building 100,000 entries (both measured here).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import NamedTuple


class Kind(str, Enum):
    """The kinds of entry a fact file holds; the value is the TOML table name."""

    SOURCE = "source"
    AREA = "area"
    EVENT = "event"
    FIGURE = "figure"
    ORG = "org"
    PERSON = "person"
    DOCUMENT = "document"


class Unit(str, Enum):
    """The fixed vocabulary of figure units; values are in these base units."""

    KM2 = "km2"
    COUNT = "count"
    CNY = "CNY"
    PERCENT = "percent"
    MINUTES = "minutes"
    YEARS = "years"
    PERSON_TRIPS = "person-trips"
    PER_KM2 = "per-km2"


class Qualifier(str, Enum):
    """How a figure's value relates to the truth, as its source hedges it."""

    EXACT = "exact"
    ABOUT = "about"
    MORE_THAN = "more_than"
    AT_MOST = "at_most"
    RANGE = "range"  # value .. value_max


class OrgKind(str, Enum):
    """What sort of body an organisation is."""

    GOVERNMENT = "government"
    PARTY = "party"
    REGULATOR = "regulator"
    INSTITUTE = "institute"
    ACADEMY = "academy"
    UNIVERSITY = "university"
    UNIVERSITY_UNIT = "university-unit"
    COMPANY = "company"
    PARK = "park"
    PLATFORM = "platform"
    LABORATORY = "laboratory"
    OTHER = "other"


class DocumentKind(str, Enum):
    """What sort of text a document is."""

    PLAN = "plan"
    AGREEMENT = "agreement"
    MEMORANDUM = "memorandum"
    SPEECH = "speech"
    OTHER = "other"


# ASCII digits only, and \Z: "$" would accept a trailing newline, "\d" any script's digits.
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?\Z", re.ASCII)


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date known to the year, the month or the day; it never invents a finer part."""

    year: int
    month: int | None = None
    day: int | None = None
    approximate: bool = False

    @classmethod
    def parse(cls, text: str, approximate: bool = False) -> PartialDate:
        """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; raise ValueError for anything else."""
        m = _DATE_RE.match(text)
        if not m:
            raise ValueError(f"{text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        year = int(m[1])
        month = int(m[2]) if m[2] else None
        day = int(m[3]) if m[3] else None
        if year < 1:
            raise ValueError(f"{text!r}: there is no year 0")
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"{text!r}: there is no month {month}")
        if month is not None and day is not None:
            last = calendar.monthrange(year, month)[1]
            if not 1 <= day <= last:
                raise ValueError(f"{text!r}: {year}-{month:02d} has no day {day}")
        return cls(year, month, day, approximate)

    @property
    def precision(self) -> str:
        """``year``, ``month`` or ``day``."""
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    @property
    def sort_key(self) -> tuple[int, int, int]:
        # 2017 < 2017-01 < 2017-07-01 < 2018: a coarser date sorts before its finer parts.
        return (self.year, self.month or 0, self.day or 0)

    def __lt__(self, other: PartialDate) -> bool:
        return self.sort_key < other.sort_key

    @property
    def start(self) -> dt.date:
        """The first day of the span this date covers."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def end(self) -> dt.date:
        """The last day of the span this date covers."""
        if self.day is not None:
            return self.start
        month = self.month or 12
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def overlaps(self, first: dt.date | None, last: dt.date | None) -> bool:
        """Whether this date's span meets the inclusive range first..last (None: open)."""
        return (first is None or self.end >= first) and (last is None or self.start <= last)

    def iso(self) -> str:
        """The partial ISO string, at this date's own precision."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    def __str__(self) -> str:
        return ("c. " if self.approximate else "") + self.iso()


class Citation(NamedTuple):
    """Where a fact comes from: a source id and a quote that stands in it verbatim."""

    source: str
    quote: str
    field: str = ""  # the field this quote supports; "" for the entry as a whole


class Source(NamedTuple):
    """A text that facts are taken from."""

    id: str
    title: str
    publisher: str
    published: PartialDate
    title_en: str = ""
    publisher_en: str = ""
    url: str = ""
    citations: tuple[Citation, ...] = ()


class Area(NamedTuple):
    """A piece of land: the zone, one of its parks, or a wider region."""

    id: str
    name: str
    citations: tuple[Citation, ...]
    name_en: str = ""
    aliases: tuple[str, ...] = ()
    area_km2: float | None = None  # land area; None where the sources give none
    part_of: str = ""  # id of the area this one lies in
    derived: str = ""  # how area_km2 was derived, when no source states it
    positionings: tuple[str, ...] = ()  # development positionings, as written
    positionings_en: tuple[str, ...] = ()


class Event(NamedTuple):
    """Something that happened on a (partial) date."""

    id: str
    date: PartialDate
    title: str
    citations: tuple[Citation, ...]
    title_en: str = ""
    orgs: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    area: str = ""
    date_note: str = ""  # how a relative date (今年, 去年底) was resolved


class Figure(NamedTuple):
    """A number a source states, in base units, with the hedge the source gives it."""

    id: str
    subject: str
    value: float
    unit: Unit
    qualifier: Qualifier
    as_written: str  # the figure exactly as the source words it
    scope: str  # id of the entry the figure is about
    citations: tuple[Citation, ...]
    subject_en: str = ""
    value_max: float | None = None  # upper bound of a range
    item: str = ""  # slug of what is counted, shared by counts and densities of the same thing
    date: PartialDate | None = None  # the date the figure holds at, where known
    derived: str = ""  # how the value was derived, when no source states it


class Organisation(NamedTuple):
    """A named body: government, institute, university, company, park, platform, laboratory."""

    id: str
    name: str
    kind: OrgKind
    citations: tuple[Citation, ...]
    name_en: str = ""
    name_en_official: bool = False  # True only where name_en is the body's established English name
    aliases: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()  # fields of work, as slugs: quantum, biomedicine, ai, ...
    area: str = ""  # id of the area it is in, where a source says so
    parent: str = ""  # id of the organisation it belongs to


class Person(NamedTuple):
    """A named person, with the role a source gives."""

    id: str
    name: str
    role: str
    citations: tuple[Citation, ...]
    name_en: str = ""
    role_en: str = ""
    aliases: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()


class Document(NamedTuple):
    """A named plan, agreement, memorandum or speech."""

    id: str
    title: str
    kind: DocumentKind
    citations: tuple[Citation, ...]
    title_en: str = ""
    aliases: tuple[str, ...] = ()
    issuers: tuple[str, ...] = ()  # ids of the organisations that issued or signed it
    date: PartialDate | None = None


Entry = Source | Area | Event | Figure | Organisation | Person | Document

KIND_OF: Mapping[type, Kind] = {
    Source: Kind.SOURCE,
    Area: Kind.AREA,
    Event: Kind.EVENT,
    Figure: Kind.FIGURE,
    Organisation: Kind.ORG,
    Person: Kind.PERSON,
    Document: Kind.DOCUMENT,
}


def kind_of(entry: Entry) -> Kind:
    return KIND_OF[type(entry)]


class Origin(NamedTuple):
    """Where an entry was defined: its file and its position among its kind there."""

    file: str
    position: int  # among the entries of its kind in its file, from 0


@dataclass(frozen=True, slots=True)
class FactBook:
    """Every entry of the loaded fact files, by kind and by id."""

    sources: tuple[Source, ...] = ()
    areas: tuple[Area, ...] = ()
    events: tuple[Event, ...] = ()
    figures: tuple[Figure, ...] = ()
    orgs: tuple[Organisation, ...] = ()
    people: tuple[Person, ...] = ()
    documents: tuple[Document, ...] = ()
    by_id: Mapping[str, Entry] = field(default_factory=dict)
    origins: Mapping[str, Origin] = field(default_factory=dict)

    def of_kind(self, kind: Kind) -> tuple[Entry, ...]:
        groups: dict[Kind, tuple[Entry, ...]] = {
            Kind.SOURCE: self.sources,
            Kind.AREA: self.areas,
            Kind.EVENT: self.events,
            Kind.FIGURE: self.figures,
            Kind.ORG: self.orgs,
            Kind.PERSON: self.people,
            Kind.DOCUMENT: self.documents,
        }
        return groups[kind]

    def entries(self) -> Iterator[Entry]:
        for kind in Kind:
            yield from self.of_kind(kind)

    def __len__(self) -> int:
        return len(self.by_id)
