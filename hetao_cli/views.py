"""What each command shows: its records (the JSON, derived from the schema) and its View
(columns, groups, headings). Plain functions, testable without Typer; nothing here reads argv
or writes to a stream."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from . import query
from .model import (
    SCHEMAS,
    Area,
    Citation,
    Entry,
    Event,
    FactBook,
    Figure,
    Kind,
    PartialDate,
    Unit,
    kind_of,
)
from .output import ENGLISH, Detail, Lang, Record, View
from .problems import Problem
from .schema import Type

if TYPE_CHECKING:
    from .conflicts import Stated

# ---------------------------------------------------------------------------------------------
# Records: plain dicts with stable keys, from the schema; JSON is exactly these


def json_number(x: float) -> int | float:
    """Whole numbers as JSON integers (3 not 3.0); others as they are."""
    return int(x) if float(x).is_integer() and abs(x) < 2**53 else x


def _writer(kind: Kind) -> Callable[[Entry], Record]:
    """The function that makes a kind's JSON record: `id`, `kind`, each field as the schema
    declares it (a date as its ISO string, precision and approximate flag; an empty optional
    value as null, or "" for a text whose schema says so), then `source` and `quote` (the first
    citation) and `citations`."""
    schema = SCHEMAS[kind]
    name = kind.value
    steps = [(s.position, s.key, s.field.holds, s.field.empty) for s in schema.fields]
    cites_at = schema.citations_index
    date, number, choice, single = Type.DATE, Type.NUMBER, Type.CHOICE, (Type.LINK, Type.SLUG)
    many = (Type.TEXTS, Type.SLUGS, Type.LINKS)

    statable = bool(schema.statable)

    def write(entry: Entry) -> Record:
        values: tuple[Any, ...] = entry
        if entry.statements:
            values = _preferred(entry)
        r: Record = {"id": entry.id, "kind": name}
        for i, key, type_, empty in steps:
            v = values[i]
            if type_ is date:
                if v is None:
                    r[key] = r[f"{key}_precision"] = r[f"{key}_approximate"] = None
                else:
                    r[key] = v.iso()
                    r[f"{key}_precision"] = v.precision
                    r[f"{key}_approximate"] = v.approximate
            elif type_ in many:
                r[key] = list(v)
            elif type_ is number:
                r[key] = None if v is None else json_number(v)
            elif type_ is choice:
                r[key] = None if v is None else v.value
            elif type_ is Type.TEXT or type_ in single:
                r[key] = v if v else empty
            else:
                r[key] = v
        cites: tuple[Citation, ...] = values[cites_at]
        first = cites[0] if cites else None
        r["source"] = first.source if first else None
        r["quote"] = first.quote if first else None
        r["citations"] = [_citation(c) for c in cites]
        r["statements"], r["conflicts"] = _statements(entry) if statable else ([], [])
        return r

    return write


def _citation(c: Citation) -> Record:
    found: Record = {"source": c.source, "quote": c.quote}
    if c.field:
        found["field"] = c.field
    if c.as_written:
        found["as_written"] = c.as_written
    return found


def _preferred(entry: Entry) -> Entry:
    """The entry with the values its statements ranked preferred give (listings show them)."""
    from .conflicts import preferred_values  # only for an entry with statements

    changed = preferred_values(entry)
    return entry._replace(**changed) if changed else entry


def _statements(entry: Entry) -> tuple[list[Record], list[str]]:
    """Every statement of each field that has more than one (the entry's own first), each
    with the positions (in this list) of those it conflicts with; and the fields where
    statements conflict."""
    if not entry.statements:
        return [], []  # a field stated once is the entry's field and its citations
    several = {s.field for s in entry.statements}
    from .conflicts import conflicts_in, statements_of

    stated = [s for s in statements_of(entry) if s.field in several]
    against: list[list[int]] = [[] for _ in stated]
    if stated:
        for i, j in conflicts_in(stated):
            against[i].append(j)
            against[j].append(i)
    records = [_statement(s, against[n]) for n, s in enumerate(stated)]
    disputed = sorted({s.field for s, a in zip(stated, against, strict=True) if a})
    return records, disputed


def _statement(s: Stated, against: list[int]) -> Record:
    date = isinstance(s.value, PartialDate)
    return {
        "field": s.field,
        "value": s.value.iso() if isinstance(s.value, PartialDate) else json_number(s.value),
        "approximate": s.value.approximate if isinstance(s.value, PartialDate) else None,
        "qualifier": None if date or s.qualifier is None else s.qualifier.value,
        "value_max": None if s.value_max is None else json_number(s.value_max),
        "as_written": s.as_written or None,
        "as_of": None if s.as_of is None else str(s.as_of),
        "source": s.source or None,
        "quote": s.quote or None,
        "rank": s.rank.value,
        "reason": s.reason or None,
        "note": s.note or None,
        "own": s.own,
        "conflicts_with": against,
        "also": [_citation(c) for c in s.also],
    }


_WRITERS = {kind: _writer(kind) for kind in Kind}


def record_of(entry: Entry) -> Record:
    """The JSON record of an entry: every field, with `id` and `kind` first."""
    return _WRITERS[kind_of(entry)](entry)


def keys_of(kinds: Iterable[Kind]) -> tuple[str, ...]:
    """Every JSON key the records of these kinds have, in order."""
    return tuple(dict.fromkeys(k for kind in kinds for k in SCHEMAS[kind].json_keys))


def label_of(record: Record) -> tuple[str, str]:
    """The name, title or subject of a record, and its English."""
    for key in ("name", "title", "subject", "text"):
        if key in record:
            return record[key], record.get(f"{key}_en", "")
    return record["id"], ""


def entries_view(kind: Kind, entries: Sequence[Entry], columns: Sequence[str], **kw: Any) -> View:
    """A listing of entries of one kind."""
    return View([record_of(e) for e in entries], columns, known=keys_of([kind]), **kw)


# ---------------------------------------------------------------------------------------------
# The commands' views


def _year_of(r: Record, lang: Lang) -> str:
    return str(r.get("date") or "")[:4]


def timeline_view(events: Sequence[Event]) -> View:
    columns = ["date", "title", "orgs", "people", "id"]
    return entries_view(
        Kind.EVENT, events, columns, group=_year_of, table_columns=("date", "title", "id")
    )


def figures_view(figures: Sequence[Entry], one_unit: bool = False) -> View:
    """`one_unit`: --unit named one, so the table need not repeat it on every row."""
    columns = ["id", "subject", "as_written", "value", "unit", "qualifier", "scope", "source"]
    # The table leaves out the source, for an 80-column terminal; `show` and TSV give it.
    table: tuple[str, ...] = ("id", "subject", "as_written", "value", "unit", "qualifier", "scope")
    if one_unit:
        table = tuple(c for c in table if c != "unit")
    give_way = ("scope", "qualifier", "value", "unit")  # as_written keeps the value in words
    return entries_view(Kind.FIGURE, figures, columns, table_columns=table, give_way=give_way)


ORG_COLUMNS = ["id", "name", "org_kind", "fields", "area"]
PERSON_COLUMNS = ["id", "name", "role", "orgs"]


def orgs_view(orgs: Sequence[Entry]) -> View:
    return entries_view(Kind.ORG, orgs, ORG_COLUMNS, give_way=("area", "fields", "org_kind"))


def people_view(people: Sequence[Entry]) -> View:
    return entries_view(Kind.PERSON, people, PERSON_COLUMNS, give_way=("orgs",))


def areas_view(areas: Sequence[Entry]) -> View:
    return entries_view(Kind.AREA, areas, ["id", "name", "area_km2", "part_of"])


def documents_view(documents: Sequence[Entry]) -> View:
    return entries_view(Kind.DOCUMENT, documents, ["id", "date", "title", "doc_kind"])


def stats_view(book: FactBook) -> View:
    records = [
        {"id": f"{c.group}:{c.key}", "group": c.group, "key": c.key, "count": c.total}
        for c in query.stats(book)
    ]
    return View(
        records,
        ["group", "key", "count"],
        group=lambda r, lang: r["group"],
        bars="count",
        grouped_by=("group",),
        known=("id", "group", "key", "count"),
        numbers=("count",),
    )


def sources_view(book: FactBook) -> View:
    counts = query.citation_counts(book)
    records = [{**record_of(s), "facts": counts.get(s.id, 0)} for s in book.sources]
    columns = ["id", "title", "publisher", "published", "language", "excerpt", "url", "licence",
               "facts"]  # fmt: skip
    give_way = ("licence", "url", "publisher", "language", "published", "title")
    known = (*keys_of([Kind.SOURCE]), "facts")
    return View(records, columns, known=known, numbers=("facts",), give_way=give_way)


def claims_view(claims: Sequence[Entry]) -> View:
    columns = ["id", "category", "text", "about"]
    return entries_view(Kind.CLAIM, claims, columns, give_way=("about", "category"))


CONFLICT_KEYS = (
    "id", "entry", "kind", "field", "value", "as_written", "source", "rank", "other_value",
    "other_as_written", "other_source", "other_rank", "ranked", "quote", "other_quote", "stated",
    "other_stated",
)  # fmt: skip


def _stated(s: Record) -> str:
    """A statement's value with its words and source: `0.877 (87.7 hectares) legco-…`."""
    written = f" ({s['as_written']})" if s["as_written"] else ""
    return f"{s['value']}{written} {s['source']}"


def conflicts_view(found: Sequence[query.Conflict]) -> View:
    """Each pair of statements that cannot both be true: the entry, the field, each value as
    its source writes it, and whether a rank settles which stands."""
    records = []
    for c in found:
        a, b = _statement(c.first, []), _statement(c.second, [])
        records.append({
            "id": f"{c.entry.id}:{c.first.field}:{c.first.position}-{c.second.position}",
            "entry": c.entry.id, "kind": kind_of(c.entry).value, "field": c.first.field,
            "value": a["value"], "as_written": a["as_written"], "source": a["source"],
            "rank": a["rank"], "other_value": b["value"], "other_as_written": b["as_written"],
            "other_source": b["source"], "other_rank": b["rank"], "ranked": c.ranked,
            "quote": a["quote"], "other_quote": b["quote"],
            "stated": _stated(a), "other_stated": _stated(b),
        })  # fmt: skip
    columns = ["entry", "field", "value", "as_written", "source", "other_value",
               "other_as_written", "other_source", "ranked"]  # fmt: skip
    table = ("entry", "field", "stated", "other_stated", "ranked")
    return View(records, columns, known=CONFLICT_KEYS, table_columns=table,
                give_way=("ranked", "field"))  # fmt: skip


SEARCH_COLUMNS = ["kind", "id", "label", "match_field", "match_rank"]
_MATCH_KEYS = ("label", "label_en", "match_rank", "match_field")


def search_view(matches: Sequence[Any], columns: Sequence[str], kinds: Iterable[Kind]) -> View:
    """Search results: each entry's record, its label, and how it matched. A table leaves out
    how (match_field, match_rank) to give the text room; TSV, CSV and --fields give it."""
    table = tuple(c for c in columns if c not in ("match_field", "match_rank"))
    give_way = ("area", "fields", "org_kind", "orgs", "kind")
    return _search_view(matches, columns, kinds)._replace(table_columns=table, give_way=give_way)


def _search_view(matches: Sequence[Any], columns: Sequence[str], kinds: Iterable[Kind]) -> View:
    """Search results: each entry's record, its label, and how it matched."""
    from .search import RANKS

    records = []
    for m in matches:
        r = record_of(m.entry)
        label, label_en = label_of(r)
        records.append(
            {
                **r,
                "label": label,
                "label_en": label_en,
                "match_rank": RANKS[m.rank],
                "match_field": m.field,
            }
        )
    english = {**ENGLISH, "label": "label_en"}
    return View(records, columns, known=(*keys_of(kinds), *_MATCH_KEYS), english=english)


# ---------------------------------------------------------------------------------------------
# stats --area


def area_view(book: FactBook, every: bool = False) -> View:
    records: list[Record] = []
    for area, rows in query.densities(book, every):
        base = _area_base(area)
        if not rows:
            records.append(
                {
                    "id": area.id,
                    **base,
                    "figure": None,
                    "subject": None,
                    "subject_en": None,
                    "count": None,
                    "qualifier": None,
                    "per_km2": None,
                    "stated": None,
                    "recomputed": [],
                }
            )
        for d in rows:
            stated = bool(d.recomputed) or d.figure.unit is Unit.PER_KM2
            records.append(
                {
                    "id": f"{area.id}:{d.figure.id}",
                    **base,
                    "figure": d.figure.id,
                    "subject": d.figure.subject,
                    "subject_en": d.figure.subject_en,
                    "count": None if stated else d.figure.value,
                    "qualifier": d.figure.qualifier.value,
                    "per_km2": None if d.per_km2 is None else round(d.per_km2, 2),
                    "stated": stated,
                    "recomputed": [_recomputed(r) for r in d.recomputed],
                }
            )
    for r in records:
        r["check"] = check_text(r)
    columns = ["area", "area_km2", "subject", "count", "qualifier", "per_km2", "check"]
    return View(
        records,
        columns,
        group=area_heading,
        grouped_by=("area",),
        known=_AREA_KEYS,
        numbers=("count", "per_km2"),
        give_way=("qualifier", "area_km2"),
    )


_AREA_KEYS = (
    "id", "area", "area_name", "area_name_en", "area_km2", "area_derived", "figure", "subject",
    "subject_en", "count", "qualifier", "per_km2", "stated", "recomputed", "check",
)  # fmt: skip


def _area_base(area: Area) -> Record:
    return {
        "area": area.id,
        "area_name": area.name,
        "area_name_en": area.name_en,
        "area_km2": area.area_km2,
        "area_derived": area.derived or None,
    }


def _recomputed(r: query.Recomputed) -> Record:
    return {
        "numerator": r.numerator.id,
        "numerator_value": r.numerator.value,
        "numerator_scope": r.numerator.scope,
        "denominator": r.denominator.id,
        "area_km2": r.denominator.area_km2,
        "value": round(r.value, 2),
        "reproduces": r.reproduces,
    }


def area_heading(r: Record, lang: Lang) -> str:
    """An area's name (English under --lang en) and id, and whether its land area is derived
    rather than stated."""
    name = r["area_name"]
    if lang is Lang.EN:
        name = r["area_name_en"] or f"{name} (zh)"
    derived = f"; area derived: {r['area_derived']}" if r["area_derived"] else ""
    return f"{name} ({r['area']}){derived}"


def check_text(r: Record) -> str:
    """How a stated density is reproduced, at a glance: '150 / 3.89 km² (hetao-zone) = 38.56 ✓'."""
    if not r["stated"]:
        return ""
    if not r["recomputed"]:
        return "stated; no count of the same item to recompute it from"
    return "stated; " + "; ".join(recomputed_text(c) for c in r["recomputed"])


def recomputed_text(c: Record) -> str:
    """One recomputation: '150 (shenzhen-park) / 3.89 km² (hetao-zone) = 38.56 ✓'."""
    return (
        f"{c['numerator_value']:g} ({c['numerator_scope']}) / {c['area_km2']:g} km² "
        f"({c['denominator']}) = {c['value']:g} {'✓' if c['reproduces'] else '✗'}"
    )


# ---------------------------------------------------------------------------------------------
# show, and check's problems


def show_view(book: FactBook, entry: Entry) -> View:
    """One entry whole: JSON gets its record with `links`; the other formats a line a field,
    then a line for each relation (`linked events`) and each citation, in full."""
    record = record_of(entry)
    if isinstance(entry, Figure) and entry.unit is Unit.PER_KM2:
        # A stated density: which count over which land area reproduces it (within 5%).
        record["recomputed"] = [_recomputed(r) for r in query.recompute(book, entry)]
    links = {rel: [e.id for e in es] for rel, es in query.links_to(book, entry.id).items()}
    record["links"] = links
    hidden = ("citations", "links", "recomputed", "statements", "conflicts")  # lines of their own
    details = [Detail(k, k) for k in record if k not in hidden]
    details += [
        Detail("statements", f"statement {i + 1}", statement_text(st))
        for i, st in enumerate(record["statements"])
    ]
    details += [
        Detail("recomputed", f"recomputed {i + 1}", recomputed_text(c))
        for i, c in enumerate(record.get("recomputed", []))
    ]
    details += [Detail("links", f"linked {rel}", ", ".join(ids)) for rel, ids in links.items()]
    details += [
        Detail("citations", f"citation {i + 1}", f"{c['source']}: {c['quote']}")
        for i, c in enumerate(record["citations"])
    ]
    # By default the first citation's source and quote are not repeated: they are citation 1.
    shown = [k for k in dict.fromkeys(d.of for d in details) if k not in ("source", "quote")]
    return View([record], shown, title=f"{record['kind']} {entry.id}", details=details)


PROBLEM_KEYS = ("file", "line", "column", "kind", "index", "id", "field", "message")


def statement_text(s: Record) -> str:
    """One statement of a field on one line: `area_km2 = 0.877 (87.7 hectares) as of 2023,
    normal; legco-…: "quote"; conflicts with 1`."""
    value = f"{s['value']}" + (f" ({s['as_written']})" if s["as_written"] else "")
    if s["qualifier"] not in (None, "exact"):
        value += f" [{s['qualifier']}]"
    text = f"{s['field']} = {value}"
    if s["as_of"]:
        text += f" as of {s['as_of']}"
    text += f"; {s['rank']}" + (f" ({s['reason']})" if s["reason"] else "")
    if s["own"]:
        text += "; the entry's own value"
    text += f"; {s['source']}: {s['quote']}"
    if s["conflicts_with"]:
        text += "; CONFLICTS with statement " + ", ".join(str(n + 1) for n in s["conflicts_with"])
    return text


def problems_view(problems: Sequence[Problem]) -> View:
    """check's problems: a line each (`file:line: kind[i] id=… field …: message`), or records."""
    return View(
        [p.as_dict() for p in problems],
        PROBLEM_KEYS,
        known=PROBLEM_KEYS,
        lines=[str(p) for p in problems],
    )


# ---------------------------------------------------------------------------------------------
# What the user typed, as ids


class NotNamed(ValueError):
    """A name or id that names no entry, several, or one of another kind: the message says
    which, with close ones or the command that shows it."""


_SHOW = {
    Kind.ORG: "hetao org show",
    Kind.PERSON: "hetao person show",
    Kind.AREA: "hetao area show",
    Kind.DOCUMENT: "hetao document show",
}


def named_ids(book: FactBook, texts: Iterable[str], kind: Kind | None) -> list[str]:
    """The id of the one entry (of `kind`, if given) each text names by id, name or alias
    (search.look_up); raise NotNamed for one that names none, several, or another kind."""
    from .console import echoed
    from .search import look_up

    ids: list[str] = []
    what = kind.value if kind else "entry"
    for text in texts:
        found = look_up(book, text, [kind] if kind else ())
        if len(found.matches) == 1:
            ids.append(found.matches[0].id)
            continue
        if found.matches:
            listed = ", ".join(f"{e.id} ({_label(e)})" for e in found.matches)
            raise NotNamed(f"{echoed(text)} names several: {listed}; give one id")
        if found.elsewhere:
            e = found.elsewhere[0]
            other = kind_of(e)
            raise NotNamed(f"{e.id} is {_a(other.value)}, not {_a(what)}: "
                           f"{_SHOW.get(other, 'hetao show')} {e.id}")  # fmt: skip
        close = ", ".join(f"{e.id} ({_label(e)})" for e in found.close)
        raise NotNamed(f"no {what} {echoed(text)}" + (f"; did you mean: {close}?" if close else ""))
    return ids


def field_of_work(book: FactBook, text: str) -> str:
    """A field of work as the facts write it, whatever the case it is typed in."""
    from .console import echoed

    known = query.fields_of_work(book)
    for f in known:
        if f.casefold() == text.strip().casefold():
            return f
    import difflib

    close = difflib.get_close_matches(text.casefold(), known, n=3, cutoff=0.6)
    hint = f"; did you mean: {', '.join(close)}?" if close else f"; known: {', '.join(known)}"
    raise NotNamed(f"no field of work {echoed(text)}{hint}")


def _label(entry: Entry) -> str:
    label, _ = label_of(record_of(entry))
    return str(label)


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word
