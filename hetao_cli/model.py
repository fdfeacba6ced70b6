"""The fact model: frozen records for every kind of fact, and the FactBook that holds them.

A newcomer reads this module first. It does no I/O.

The records are typed NamedTuples rather than frozen, slotted dataclasses: immutable and typed
all the same, but creating the ten dataclasses cost about 6 ms of every start and their
generated __init__ was the slowest step of building 100,000 entries (both measured here).
PartialDate and FactBook are plain slotted classes for the same reason: the dataclasses module
and the two classes it made were 1.3 ms of a 60 ms start (issue 11).
"""

import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, NamedTuple
from typing import Annotated as A

from .schema import (
    KindSchema,
    Search,
    choice,
    derive,
    flag,
    link,
    links,
    number,
    slug,
    slugs,
    text,
    texts,
    when,
)

if TYPE_CHECKING:
    from .problems import LineIndex

NAME, TEXT = Search.NAME, Search.TEXT


class Kind(str, Enum):
    """The kinds of entry a fact file holds; the value is the TOML table name."""

    SOURCE = "source"
    AREA = "area"
    EVENT = "event"
    FIGURE = "figure"
    ORG = "org"
    PERSON = "person"
    DOCUMENT = "document"
    CLAIM = "claim"


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
    HKD = "HKD"


class Qualifier(str, Enum):
    """How a figure's value relates to the truth, as its source hedges it."""

    EXACT = "exact"
    ABOUT = "about"
    MORE_THAN = "more_than"
    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    RANGE = "range"  # value .. value_max
    ORDER_OF_MAGNITUDE = "order_of_magnitude"  # of that order: value <= x < 10 * value


class Rank(str, Enum):
    """How a statement stands among the statements of its field (as Wikidata ranks them)."""

    PREFERRED = "preferred"
    NORMAL = "normal"
    DEPRECATED = "deprecated"


class Language(str, Enum):
    """The language and script a source is written in."""

    ZH_HANT = "zh-Hant"  # Chinese, Traditional script
    ZH_HANS = "zh-Hans"  # Chinese, Simplified script
    ZH = "zh"  # Chinese, both scripts mixed
    EN = "en"


class ClaimCategory(str, Enum):
    """What sort of statement a claim is."""

    POSITIONING = "positioning"
    PROVISION = "provision"
    FIRST = "first"
    ACHIEVEMENT = "achievement"
    GOAL = "goal"
    OTHER = "other"


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


class Frozen:
    """A record whose attributes are set once, in __init__ (a frozen dataclass, written out)."""

    __slots__ = ()

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to {name!r}: {type(self).__name__} is frozen")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete {name!r}: {type(self).__name__} is frozen")


def _days_in(year: int, month: int) -> int:
    """The number of days in a month (calendar.monthrange's second half, without its import)."""
    if month == 12:
        return 31
    return (dt.date(year, month + 1, 1) - dt.date(year, month, 1)).days


class PartialDate(Frozen):
    """A date known to the year, the month or the day; it never invents a finer part."""

    __slots__ = ("approximate", "day", "month", "year")
    year: int
    month: int | None
    day: int | None
    approximate: bool

    def __init__(
        self, year: int, month: int | None = None, day: int | None = None, approximate: bool = False
    ) -> None:
        put = object.__setattr__
        put(self, "year", year)
        put(self, "month", month)
        put(self, "day", day)
        put(self, "approximate", approximate)

    def _parts(self) -> tuple[int, int | None, int | None, bool]:
        return (self.year, self.month, self.day, self.approximate)

    def __eq__(self, other: object) -> bool:
        if type(other) is not PartialDate:
            return NotImplemented
        return self._parts() == other._parts()

    def __hash__(self) -> int:
        return hash(self._parts())

    def __repr__(self) -> str:
        year, month, day, approximate = self._parts()
        return f"PartialDate({year=}, {month=}, {day=}, {approximate=})"

    def __reduce__(self) -> tuple[type, tuple[int, int | None, int | None, bool]]:
        # copy and pickle make a date through __init__, as a frozen class cannot be set after
        return (PartialDate, self._parts())

    @classmethod
    def parse(cls, text: str, approximate: bool = False) -> "PartialDate":
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
            last = _days_in(year, month)
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

    def __lt__(self, other: "PartialDate") -> bool:
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
        return dt.date(self.year, month, _days_in(self.year, month))

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
    as_written: str = ""  # how the quote words the field's value, where it is a number


class Statement(NamedTuple):
    """Another value of one field of an entry, as one source states it: the entry's own value
    is its field's first statement, and each of these another (Wikidata's statements, with a
    rank, an as-of qualifier and one reference)."""

    field: str  # the field's name: a number or date field of the entry's kind
    value: "float | PartialDate"  # in the field's base unit; a date for a date field
    source: str
    quote: str
    as_written: str = ""  # how the source words the value (numbers: required)
    qualifier: Qualifier = Qualifier.EXACT  # numbers only
    value_max: float | None = None  # with qualifier range
    as_of: "PartialDate | None" = None  # when the value held
    rank: Rank = Rank.NORMAL
    reason: str = ""  # why it is ranked preferred or deprecated
    note: str = ""  # how a relative date was resolved, and the like


def quotes_of(
    citations: Sequence[Citation], statements: Sequence[Statement]
) -> Iterator[tuple[str, str, str]]:
    """(field, source id, quote) of each quote an entry cites, as its fact file writes them:
    its own quote ("quote"; a quote for one field is in "more_citations"), then each
    statement's ("statements[n]")."""
    for n, c in enumerate(citations):
        yield ("quote" if n == 0 and not c.field else "more_citations"), c.source, c.quote
    for n, st in enumerate(statements):
        yield f"statements[{n}]", st.source, st.quote


# Each record class is its kind's schema: a field is declared once, as Annotated[type, Field],
# and schema.py derives validation, JSON, search, the cache layout and the docs from it.
# `id` and `citations` are every kind's (TOML: id, source, quote, more_citations). A NamedTuple
# wants the fields without a default first; JSON keys follow this order.


class Source(NamedTuple):
    """A text that facts are taken from."""

    id: str
    title: A[str, text("its title, as published", required=True, search=NAME, english="title_en")]
    publisher: A[str, text("who published it", required=True, search=TEXT, english="publisher_en")]
    published: A[PartialDate | None, when("when it was published; left out when undated",
                                          approximate=False)] = None  # fmt: skip
    date_note: A[str, text("what its date means, or why it has none")] = ""
    language: A[Language | None, choice("the language and script it is written in: zh-Hant, "
                                        "zh-Hans, zh (both scripts) or en", Language,
                                        required=False)] = None  # fmt: skip
    title_en: A[str, text("its title in English", search=NAME, empty="")] = ""
    publisher_en: A[str, text("the publisher in English", search=TEXT, empty="")] = ""
    url: A[str, text("where its text was retrieved", empty="")] = ""
    mirror: A[bool, flag("true when url is a copy, not the publisher's own")] = False
    canonical_url: A[str, text("the publisher's own address, where url is a mirror", empty="")] = ""
    licence: A[str, text("the terms it may be quoted or reused under, as found", empty="")] = ""
    excerpt: A[bool, flag("true when the text hetao checks against is only part of it")] = False
    part: A[str, text("which part of it the text is, when an excerpt")] = ""
    retrieved: A[
        PartialDate | None, when("when its text was retrieved", approximate=False, statable=False)
    ] = None
    citations: tuple[Citation, ...] = ()
    statements: tuple[Statement, ...] = ()


class Area(NamedTuple):
    """A piece of land: the zone, one of its parks, or a wider region."""

    id: str
    name: A[str, text("its name, as the source writes it", required=True, search=NAME,
                      english="name_en")]  # fmt: skip
    citations: tuple[Citation, ...]
    name_en: A[str, text("its name in English", search=NAME, empty="")] = ""
    aliases: A[tuple[str, ...], texts("short names and abbreviations", search=NAME)] = ()
    area_km2: A[float | None, number("land area in km² (> 0)")] = None
    part_of: A[str, link("id of the area it lies in", "area")] = ""
    derived: A[str, text("how area_km2 was derived, when no source states it")] = ""
    positionings: A[tuple[str, ...], texts("development positionings, as written", search=TEXT,
                                           english="positionings_en")] = ()  # fmt: skip
    positionings_en: A[tuple[str, ...], texts("the same in English, one per positioning",
                                              search=TEXT)] = ()  # fmt: skip
    statements: tuple[Statement, ...] = ()


class Event(NamedTuple):
    """Something that happened on a (partial) date."""

    id: str
    date: A[PartialDate, when("when it happened, at the precision the source gives",
                              required=True)]  # fmt: skip
    title: A[str, text("what happened", required=True, search=NAME, english="title_en")]
    citations: tuple[Citation, ...]
    title_en: A[str, text("the same in English", search=NAME, empty="")] = ""
    orgs: A[tuple[str, ...], links("ids of the organisations involved", "org")] = ()
    people: A[tuple[str, ...], links("ids of the people involved", "person")] = ()
    documents: A[tuple[str, ...], links("ids of the documents involved", "document")] = ()
    area: A[str, link("id of the area it happened in", "area")] = ""
    date_note: A[str, text("how a relative date (今年, 去年底) was resolved")] = ""
    statements: tuple[Statement, ...] = ()


class Figure(NamedTuple):
    """A number a source states, in base units, with the hedge the source gives it."""

    id: str
    subject: A[str, text("what the number is of", required=True, search=NAME,
                         english="subject_en")]  # fmt: skip
    value: A[float, number("the value in base units (7000多萬元 → 70000000)", required=True)]
    unit: A[Unit, choice("the base unit", Unit)]
    qualifier: A[Qualifier, choice("how the source hedges it", Qualifier)]
    as_written: A[str, text("the figure exactly as the source words it; it stands in the quote",
                            required=True, search=TEXT)]  # fmt: skip
    scope: A[str, link("id of the entry the figure is about", required=True)]
    citations: tuple[Citation, ...]
    subject_en: A[str, text("the subject in English", search=NAME, empty="")] = ""
    value_max: A[float | None, number("the upper bound, with qualifier range", statable=False)] = (
        None
    )
    item: A[str, slug("what is counted: counts and densities of one thing share it",
                      search=TEXT)] = ""  # fmt: skip
    date: A[PartialDate | None, when("the date the figure holds at")] = None
    derived: A[str, text("how the value was derived, when no source states it")] = ""
    located: A[
        bool,
        flag(
            "true for a count of things in its scope (companies, people, "
            "projects): only then does a density per km² mean something"
        ),
    ] = False
    statements: tuple[Statement, ...] = ()


class Organisation(NamedTuple):
    """A named body: government, institute, university, company, park, platform, laboratory."""

    id: str
    name: A[str, text("its name, as the source writes it", required=True, search=NAME,
                      english="name_en")]  # fmt: skip
    kind: A[OrgKind, choice("what sort of body it is", OrgKind, json="org_kind")]
    citations: tuple[Citation, ...]
    name_en: A[str, text("its name in English", search=NAME, empty="")] = ""
    name_en_official: A[bool, flag("true only where name_en is its established English name")] = (
        False
    )
    aliases: A[tuple[str, ...], texts("short names and abbreviations", search=NAME)] = ()
    fields: A[tuple[str, ...], slugs("fields of work: quantum, biomedicine, ai, ...",
                                     search=TEXT)] = ()  # fmt: skip
    area: A[str, link("id of the area it is in", "area")] = ""
    parent: A[str, link("id of the organisation it belongs to", "org")] = ""
    statements: tuple[Statement, ...] = ()


class Person(NamedTuple):
    """A named person, with the role a source gives."""

    id: str
    name: A[str, text("the name, as the source writes it", required=True, search=NAME,
                      english="name_en")]  # fmt: skip
    role: A[str, text("the role the source gives", required=True, search=TEXT,
                      english="role_en")]  # fmt: skip
    citations: tuple[Citation, ...]
    name_en: A[str, text("the name in English", search=NAME, empty="")] = ""
    role_en: A[str, text("the role in English", search=TEXT, empty="")] = ""
    aliases: A[tuple[str, ...], texts("other names", search=NAME)] = ()
    orgs: A[tuple[str, ...], links("ids of their organisations", "org")] = ()
    statements: tuple[Statement, ...] = ()


class Document(NamedTuple):
    """A named plan, agreement, memorandum or speech."""

    id: str
    title: A[str, text("its title, as the source writes it", required=True, search=NAME,
                       english="title_en")]  # fmt: skip
    kind: A[DocumentKind, choice("what sort of text it is", DocumentKind, json="doc_kind")]
    citations: tuple[Citation, ...]
    title_en: A[str, text("its title in English", search=NAME, empty="")] = ""
    aliases: A[tuple[str, ...], texts("short names and abbreviations", search=NAME)] = ()
    issuers: A[tuple[str, ...], links("ids of the organisations that issued or signed it",
                                      "org")] = ()  # fmt: skip
    date: A[PartialDate | None, when("when it was made or signed")] = None
    statements: tuple[Statement, ...] = ()


class Claim(NamedTuple):
    """A sourced statement that is neither a number nor an event: a positioning, a provision,
    a "first", an achievement, a goal."""

    id: str
    text: A[str, text("the claim as the source words it; it stands in the quote", required=True,
                      search=NAME, english="text_en")]  # fmt: skip
    category: A[ClaimCategory, choice("what sort of claim it is", ClaimCategory)]
    about: A[str, link("id of the entry the claim is about", required=True)]
    citations: tuple[Citation, ...]
    text_en: A[str, text("the same in plain English", search=NAME, empty="")] = ""
    date: A[PartialDate | None, when("when it was made, or held")] = None
    statements: tuple[Statement, ...] = ()


Entry = Source | Area | Event | Figure | Organisation | Person | Document | Claim

RECORDS: Mapping[Kind, type] = {
    Kind.SOURCE: Source,
    Kind.AREA: Area,
    Kind.EVENT: Event,
    Kind.FIGURE: Figure,
    Kind.ORG: Organisation,
    Kind.PERSON: Person,
    Kind.DOCUMENT: Document,
    Kind.CLAIM: Claim,
}
KIND_OF: Mapping[type, Kind] = {cls: kind for kind, cls in RECORDS.items()}
SCHEMAS: Mapping[Kind, KindSchema] = {
    kind: derive(kind.value, cls) for kind, cls in RECORDS.items()
}


def kind_of(entry: Entry) -> Kind:
    return KIND_OF[type(entry)]


class Origin(NamedTuple):
    """Where an entry was defined: its file and its position among its kind there."""

    file: str
    position: int  # among the entries of its kind in its file, from 0


class FactBook(Frozen):
    """Every entry of the loaded fact files, by kind and by id."""

    __slots__ = (
        "areas",
        "by_id",
        "claims",
        "documents",
        "events",
        "figures",
        "lines",
        "orgs",
        "origins",
        "people",
        "sources",
    )  # fmt: skip
    sources: tuple[Source, ...]
    areas: tuple[Area, ...]
    events: tuple[Event, ...]
    figures: tuple[Figure, ...]
    orgs: tuple[Organisation, ...]
    people: tuple[Person, ...]
    documents: tuple[Document, ...]
    claims: tuple[Claim, ...]
    by_id: Mapping[str, Entry]
    origins: Mapping[str, Origin]
    # Each file's line index, built once and shared by load and check to name a line.
    lines: Mapping[str, "LineIndex"]

    def __init__(
        self,
        sources: tuple[Source, ...] = (),
        areas: tuple[Area, ...] = (),
        events: tuple[Event, ...] = (),
        figures: tuple[Figure, ...] = (),
        orgs: tuple[Organisation, ...] = (),
        people: tuple[Person, ...] = (),
        documents: tuple[Document, ...] = (),
        claims: tuple[Claim, ...] = (),
        by_id: Mapping[str, Entry] | None = None,
        origins: Mapping[str, Origin] | None = None,
        lines: Mapping[str, "LineIndex"] | None = None,
    ) -> None:
        put = object.__setattr__
        for name, value in zip(_GROUPS.values(), (sources, areas, events, figures, orgs, people,
                                                  documents, claims), strict=True):  # fmt: skip
            put(self, name, value)
        put(self, "by_id", {} if by_id is None else by_id)
        put(self, "origins", {} if origins is None else origins)
        put(self, "lines", {} if lines is None else lines)

    def __eq__(self, other: object) -> bool:
        # Equal entries from the same places: the line indexes are how the files were read.
        if type(other) is not FactBook:
            return NotImplemented
        return all(getattr(self, k) == getattr(other, k) for k in self.__slots__ if k != "lines")

    def __repr__(self) -> str:
        return f"<FactBook of {len(self)} entries>"

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        # copy makes a book through __init__, whose parameters come in this order
        names = (*_GROUPS.values(), "by_id", "origins", "lines")
        return (FactBook, tuple(getattr(self, name) for name in names))

    @classmethod
    def of(
        cls,
        groups: Mapping[Kind, Sequence[Entry]],
        by_id: Mapping[str, Entry],
        origins: Mapping[str, Origin],
        lines: Mapping[str, "LineIndex"],
    ) -> "FactBook":
        """A book of valid entries, grouped by kind."""
        by_kind: dict[str, Any] = {name: tuple(groups.get(k, ())) for k, name in _GROUPS.items()}
        return cls(**by_kind, by_id=by_id, origins=origins, lines=lines)

    def of_kind(self, kind: Kind) -> tuple[Entry, ...]:
        found: tuple[Entry, ...] = getattr(self, _GROUPS[kind])
        return found

    def entries(self) -> Iterator[Entry]:
        for kind in Kind:
            yield from self.of_kind(kind)

    def __len__(self) -> int:
        return len(self.by_id)


# The FactBook's attribute for each kind, in Kind order.
_GROUPS = dict(zip(Kind, ("sources", "areas", "events", "figures", "orgs", "people", "documents",
                            "claims"),
                   strict=True))  # fmt: skip
