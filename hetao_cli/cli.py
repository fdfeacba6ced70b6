"""Typer wiring: options → load → query → output; an error → a message and an exit code.

Exit codes: 0 success (an empty list too); 1 nothing found, an unknown id, or problems found
by `check`; 2 usage error; 3 fact file unreadable or invalid; 74 the output could not be
written; 130 interrupted.
"""

import copy
import gc
import os
import sys
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from . import __version__, query
from .load import FactFileError, Problem, load
from .model import Entry, FactBook, Kind, OrgKind, PartialDate, Unit
from .output import (
    Format,
    Lang,
    Record,
    UnknownField,
    View,
    parse_fields,
    record_of,
    render,
    select,
)

EXIT_NOT_FOUND = 1
EXIT_USAGE = 2
EXIT_FACTS = 3
EXIT_WRITE = 74  # sysexits EX_IOERR: the output could not be written (a full disk)

EPILOG = (
    "Exit codes: 0 success (an empty list too); 1 nothing found, unknown id, or problems found "
    "by check; 2 usage error; 3 fact file unreadable or invalid; 74 output could not be "
    "written; 130 interrupted."
)

app = typer.Typer(
    help="Explore the facts of the Hetao Shenzhen-Hong Kong Science and Technology "
    "Innovation Cooperation Zone (河套深港科技創新合作區), each with the quote it comes from.",
    epilog=EPILOG,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain click help and errors: Rich-drawn help cost about 70 ms on every --help and
    # usage error, and plain text is what scripts and pagers expect.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
org_app = typer.Typer(
    help="List, search and show organisations.", no_args_is_help=True, rich_markup_mode=None
)
person_app = typer.Typer(
    help="List, search and show people.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(org_app, name="org")
app.add_typer(person_app, name="person")


class Color(str, Enum):
    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


# Options every listing command shares.
FactsOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--facts",
        help="Fact file or folder of *.toml (repeatable). Default: $HETAO_FACTS, "
        "else the bundled facts.toml.",
        show_default=False,
    ),
]
FormatOpt = Annotated[
    Format | None,
    typer.Option(
        "--format",
        help="Output format. Default: table in a terminal, tsv in a pipe.",
        case_sensitive=False,
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Short for --format json.")]
FieldsOpt = Annotated[
    str | None,
    typer.Option("--fields", help="Comma-separated fields to show, in this order.", metavar="A,B"),
]
LangOpt = Annotated[
    Lang,
    typer.Option(
        "--lang",
        envvar="HETAO_LANG",
        help="Language of text columns (JSON carries all).",
        case_sensitive=False,
    ),
]
ColorOpt = Annotated[
    Color,
    typer.Option("--color", help="Colour: auto follows the terminal, NO_COLOR and FORCE_COLOR."),
]


class Out:
    """How a command's results are printed, from the shared options."""

    def __init__(
        self, fmt: Format | None, json_: bool, fields: str | None, lang: Lang, color: Color
    ) -> None:
        if json_ and fmt not in (None, Format.JSON):
            usage(f"--json conflicts with --format {fmt.value}")
        self.fmt = Format.JSON if json_ else fmt or default_format()
        self.fields = parse_fields(fields)
        self.lang = lang
        self.color = color

    def emit(self, view: View) -> None:
        try:
            rendered = render(view._replace(lang=self.lang), self.fmt, self.fields)
        except UnknownField as exc:
            usage(str(exc))
        if isinstance(rendered, str):
            write(rendered, json_=self.fmt in (Format.JSON, Format.JSONL))
        else:
            self.print_rich(rendered)

    def print_rich(self, renderable: Any) -> None:
        from rich.console import Console

        class _Console(Console):
            def on_broken_pipe(self) -> None:
                # Rich's own handler exits 1; a closed pipe is success here.
                self.quiet = True
                closed_pipe()

        always = self.color is Color.ALWAYS
        # Rich's no_color drops colours but keeps bold; "never" (or NO_COLOR) means no escapes.
        plain = self.color is Color.NEVER or (not always and os.environ.get("NO_COLOR", "") != "")
        console = _Console(
            file=sys.stdout,
            markup=False,
            emoji=False,
            highlight=False,
            force_terminal=True if always else None,
            no_color=False if always else None,
            color_system=None if plain else "auto",
        )
        try:
            console.print(renderable)
            sys.stdout.flush()
        except BrokenPipeError:
            closed_pipe()
        except OSError as exc:
            unwritable(exc)


def default_format() -> Format:
    return Format.TABLE if sys.stdout.isatty() else Format.TSV


def write(text: str, json_: bool = False) -> None:
    if json_:
        text = encodable_json(text)
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        closed_pipe()
    except OSError as exc:
        unwritable(exc)


def encodable_json(text: str) -> str:
    """JSON that stdout's encoding can carry (PYTHONIOENCODING=ascii): if it cannot, every
    non-ASCII character becomes a \\u escape, which is valid JSON (such characters stand only
    inside strings); backslashreplace's \\xNN would not be."""
    encoding = (sys.stdout.encoding or "utf-8").lower().replace("-", "").replace("_", "")
    if encoding in ("utf8", "utf16", "utf32"):  # carries every character: no need to try
        return text
    try:
        text.encode(sys.stdout.encoding or "utf-8")
    except UnicodeEncodeError:
        import json
        import re

        return re.sub(r"[^\x00-\x7f]", lambda m: json.dumps(m[0])[1:-1], text)
    except LookupError:
        pass
    return text


def unwritable(exc: OSError) -> NoReturn:
    """stdout refuses the output (`> /dev/full`): say so once, and drop what is still buffered."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    fail(f"cannot write the output: {exc.strerror or exc}", EXIT_WRITE)


def closed_pipe() -> NoReturn:
    """The reader went away (`| head`): end quietly, as a pipe's writer should."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    raise typer.Exit(0)


def say(message: str) -> None:
    """A message for the person, on stderr."""
    print(f"hetao: {message}", file=sys.stderr)


def echoed(text: str, limit: int = 80) -> str:
    """The person's own text in a message: quoted, and cut when long (a 10,000-character query)."""
    quoted = repr(text)
    return quoted if len(quoted) <= limit else quoted[: limit - 1] + "…"


def usage(message: str) -> NoReturn:
    raise typer.BadParameter(message)


def fail(message: str, code: int = EXIT_NOT_FOUND) -> NoReturn:
    say(message)
    raise typer.Exit(code)


def facts_error(exc: FactFileError, limit: int = 20) -> NoReturn:
    for p in exc.problems[:limit]:
        print(f"hetao: {p}", file=sys.stderr)
    more = len(exc.problems) - limit
    if more > 0:
        say(f"... and {more} more problems (hetao check lists them all)")
    raise typer.Exit(EXIT_FACTS)


def book_from(facts: Sequence[Path] | None) -> FactBook:
    try:
        book = load(facts)
    except FactFileError as exc:
        facts_error(exc)
    # The book lives until the process ends: keep the GC from walking it again on every
    # collection the output's allocations trigger (0.3-0.5 s at 100,000 entries, measured).
    gc.freeze()
    # And the records made for the output are acyclic, freed by reference counting; a process
    # that ends after one command gains nothing from collecting them for cycles, which grew
    # with the output (0.4 s of 1.8 s for 100,000 entries' timeline --json, measured).
    gc.disable()
    return book


def bound(text: str | None, name: str) -> PartialDate | None:
    if text is None:
        return None
    try:
        return query.parse_bound(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=name) from None


def _version(value: bool) -> None:
    if value:
        print(f"hetao {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Explore the facts of the Hetao zone, each with the quote it comes from."""


# ---------------------------------------------------------------------------------------------
# Records shown by the listing commands


def _label(r: Record) -> tuple[str, str]:
    for key in ("name", "title", "subject"):
        if key in r:
            return r[key], r.get(f"{key}_en", "")
    return r["id"], ""


def _year_of(r: Record, lang: Lang) -> str:
    return str(r.get("date") or "")[:4]


def entries_view(
    entries: Sequence[Entry], columns: Sequence[str], like: Sequence[Entry] = (), **kw: Any
) -> View:
    """A listing of entries; `like` (entries of their kind) names their fields when it is empty."""
    known = tuple(record_of(like[0])) if like else ()
    return View([record_of(e) for e in entries], columns, known=known, **kw)


# ---------------------------------------------------------------------------------------------
# Commands


@app.command(epilog=EPILOG)
def timeline(
    since: Annotated[
        str | None, typer.Option(help="Keep events from this date on: YYYY, YYYY-MM or YYYY-MM-DD.")
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            help="Keep events up to this date, inclusive at its precision (2020 keeps 2020-10-14)."
        ),
    ] = None,
    org: Annotated[str | None, typer.Option(help="Only events involving this org id.")] = None,
    person: Annotated[
        str | None, typer.Option(help="Only events involving this person id.")
    ] = None,
    reverse: Annotated[bool, typer.Option("--reverse", help="Newest first.")] = False,
    facts: FactsOpt = None,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
    fields: FieldsOpt = None,
    lang: LangOpt = Lang.ZH_HANT,
    color: ColorOpt = Color.AUTO,
) -> None:
    """Events in date order, each date at its own precision.

    `c.` marks an approximate date (c. 2022-12).

    An event whose date is coarser than a bound (2017 against --since 2017-06) is kept when
    its span overlaps the range.

    Example: hetao timeline --since 2020 --json | jq '.[] | .date'
    """
    out = Out(fmt, json_, fields, lang, color)
    first, last = bound(since, "--since"), bound(until, "--until")
    book = book_from(facts)
    events = query.timeline(book, first, last, org, person, reverse)
    columns = ["date", "title", "orgs", "people", "id"]
    view = entries_view(
        events, columns, book.events, group=_year_of, table_columns=("date", "title", "id")
    )
    out.emit(view)


@app.command(epilog=EPILOG)
def figures(
    query_: Annotated[
        list[str] | None,
        typer.Argument(metavar="[QUERY]...", help="Words that must all match the figure's text."),
    ] = None,
    scope: Annotated[str | None, typer.Option(help="Only figures about this entry id.")] = None,
    unit: Annotated[Unit | None, typer.Option(help="Only figures in this unit.")] = None,
    facts: FactsOpt = None,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
    fields: FieldsOpt = None,
    lang: LangOpt = Lang.ZH_HANT,
    color: ColorOpt = Color.AUTO,
) -> None:
    """The numbers, as written and in base units, with their citations.

    Each with its value in base units, unit, qualifier, scope and source.

    Example: hetao figures 項目 --unit count
    """
    out = Out(fmt, json_, fields, lang, color)
    book = book_from(facts)
    found: Sequence[Entry] = query.figures(book, scope, unit)
    if query_:
        from .search import search

        found = [m.entry for m in search(found, query_)]
    columns = ["id", "subject", "as_written", "value", "unit", "qualifier", "scope", "source"]
    # The table leaves out the source, for an 80-column terminal; `show` and TSV give it.
    table = ("id", "subject", "as_written", "value", "unit", "qualifier", "scope")
    out.emit(entries_view(found, columns, book.figures, table_columns=table))


@app.command(epilog=EPILOG)
def stats(
    area: Annotated[bool, typer.Option("--area", help="Land areas and densities per km².")] = False,
    facts: FactsOpt = None,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
    fields: FieldsOpt = None,
    lang: LangOpt = Lang.ZH_HANT,
    color: ColorOpt = Color.AUTO,
) -> None:
    """Counts by kind, year and field; --area: land areas, densities.

    With --area: each area's land area, the density per km² of every count in it, and each
    density the sources state, recomputed from a count and a land area.

    Example: hetao stats --area
    """
    out = Out(fmt, json_, fields, lang, color)
    book = book_from(facts)
    if area:
        out.emit(area_view(book))
        return
    records = [
        {"id": f"{c.group}:{c.key}", "group": c.group, "key": c.key, "count": c.total}
        for c in query.stats(book)
    ]
    out.emit(
        View(
            records,
            ["group", "key", "count"],
            group=lambda r, lang: r["group"],
            bars="count",
            grouped_by=("group",),
        )
    )


def area_view(book: FactBook) -> View:
    records: list[Record] = []
    for area, rows in query.densities(book):
        base = {
            "area": area.id,
            "area_name": area.name,
            "area_name_en": area.name_en,
            "area_km2": area.area_km2,
            "area_derived": area.derived or None,
        }
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
                    "per_km2": round(d.per_km2, 2),
                    "stated": stated,
                    "recomputed": [
                        {
                            "numerator": r.numerator.id,
                            "numerator_value": r.numerator.value,
                            "numerator_scope": r.numerator.scope,
                            "denominator": r.denominator.id,
                            "area_km2": r.denominator.area_km2,
                            "value": round(r.value, 2),
                            "reproduces": r.reproduces,
                        }
                        for r in d.recomputed
                    ],
                }
            )
    for r in records:
        r["check"] = check_text(r)
    columns = ["area", "area_km2", "subject", "count", "qualifier", "per_km2", "check"]
    return View(records, columns, group=area_heading, grouped_by=("area",))


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
    parts = [
        f"{c['numerator_value']:g} ({c['numerator_scope']}) / {c['area_km2']:g} km² "
        f"({c['denominator']}) = {c['value']:g} {'✓' if c['reproduces'] else '✗'}"
        for c in r["recomputed"]
    ]
    return "stated; " + "; ".join(parts)


@app.command(epilog=EPILOG)
def sources(
    facts: FactsOpt = None,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
    fields: FieldsOpt = None,
    lang: LangOpt = Lang.ZH_HANT,
    color: ColorOpt = Color.AUTO,
) -> None:
    """Each source, with the number of facts that cite it.

    Example: hetao sources --json
    """
    out = Out(fmt, json_, fields, lang, color)
    book = book_from(facts)
    counts = query.citing(book)
    records = [{**record_of(s), "facts": counts.get(s.id, 0)} for s in book.sources]
    out.emit(View(records, ["id", "title", "publisher", "published", "facts"]))


def _search_view(matches: Sequence[Any], columns: Sequence[str]) -> View:
    from .search import RANKS

    records = []
    for m in matches:
        r = record_of(m.entry)
        label, label_en = _label(r)
        records.append(
            {
                **r,
                "label": label,
                "label_en": label_en,
                "match_rank": RANKS[m.rank],
                "match_field": m.field,
            }
        )
    return View(records, columns)


def _find(entries: Sequence[Entry], terms: list[str], out: Out, columns: Sequence[str]) -> None:
    from .search import search, terms_of

    if not terms_of(terms):
        usage("the query is empty")
    matches = search(entries, terms)
    if not matches:
        if out.fields:  # a misspelt field is a usage error (2) even when nothing matches
            kinds = {type(e): e for e in entries}.values()
            known = [k for e in kinds for k in record_of(e)]
            known += ["label", "label_en", "match_rank", "match_field"]
            try:
                select([], out.fields, known)
            except UnknownField as exc:
                usage(str(exc))
        say(f"nothing matches {echoed(' '.join(terms))}")
        # An empty result is still printed in machine formats, so a script parses valid JSON.
        if out.fmt in (Format.JSON, Format.JSONL, Format.CSV, Format.TSV):
            out.emit(_search_view([], columns))
        raise typer.Exit(EXIT_NOT_FOUND)
    out.emit(_search_view(matches, columns))


QueryArg = Annotated[
    list[str], typer.Argument(metavar="QUERY...", help="Words that must all match.")
]


@app.command(name="search", epilog=EPILOG)
def search_cmd(
    terms: QueryArg,
    facts: FactsOpt = None,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
    fields: FieldsOpt = None,
    lang: LangOpt = Lang.ZH_HANT,
    color: ColorOpt = Color.AUTO,
) -> None:
    """Search every kind of entry, in either Chinese script or English.

    Looks in names, English names, aliases, roles, titles, subjects and quotes; several
    words must all match. Best matches first: exact name or alias, prefix, substring, text.

    Example: hetao search 国际 量子
    """
    out = Out(fmt, json_, fields, lang, color)
    book = book_from(facts)
    _find(list(book.entries()), terms, out, ["kind", "id", "label", "match_field", "match_rank"])


def _show(entry_id: str, kind: Kind | None, facts: Sequence[Path] | None, out: Out) -> None:
    book = book_from(facts)
    entry = book.by_id.get(entry_id)
    if entry is None or (kind is not None and record_of(entry)["kind"] != kind.value):
        pool = [e.id for e in book.entries() if kind is None or record_of(e)["kind"] == kind.value]
        import difflib

        close = difflib.get_close_matches(entry_id, pool, n=3, cutoff=0.5)
        what = f"no {kind.value if kind else 'entry'} with id {echoed(entry_id)}"
        fail(what + (f"; did you mean: {', '.join(close)}?" if close else ""))
    record = record_of(entry)
    links = {rel: [e.id for e in es] for rel, es in query.links_to(book, entry_id).items()}
    record["links"] = links
    if out.fields:
        missing = [f for f in out.fields if f not in record]
        if missing:
            usage(str(UnknownField(missing[0], list(record))))
    if out.fmt in (Format.JSON, Format.JSONL):
        obj = {k: record[k] for k in out.fields} if out.fields else record
        write(json_text(obj) if out.fmt is Format.JSON else json_line(obj), json_=True)
        return
    hidden = ("citations", "links")  # shown below as rows of their own
    # "of": the record field a row shows, the name --fields chooses it by.
    rows = [{"field": k, "value": v, "of": k} for k, v in record.items() if k not in hidden]
    rows += [{"field": f"linked {rel}", "value": ids, "of": "links"} for rel, ids in links.items()]
    rows += [
        {"field": f"citation {i + 1}", "value": f"{c['source']}: {c['quote']}", "of": "citations"}
        for i, c in enumerate(record["citations"])
    ]
    if out.fields:
        rows = [r for name in out.fields for r in rows if r["of"] == name]
    else:  # the first citation's source and quote are among the citations, in full
        rows = [r for r in rows if r["of"] not in ("source", "quote")]
    from .output import cell

    shown = [{"field": r["field"], "value": cell({"v": r["value"]}, "v")} for r in rows]
    out_fields, out.fields = out.fields, None
    out.emit(View(shown, ["field", "value"], title=f"{record['kind']} {entry_id}"))
    out.fields = out_fields


def json_text(obj: Any) -> str:
    from .output import to_json

    return to_json(obj)


def json_line(obj: Any) -> str:
    import json

    return json.dumps(obj, ensure_ascii=False) + "\n"


IdArg = Annotated[str, typer.Argument(metavar="ID", help="The entry's id.")]


@app.command(epilog=EPILOG)
def show(
    entry_id: IdArg,
    facts: FactsOpt = None,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
    fields: FieldsOpt = None,
    lang: LangOpt = Lang.ZH_HANT,
    color: ColorOpt = Color.AUTO,
) -> None:
    """Any entry, with what links to it and its citations in full.

    Example: hetao show hetao-zone --json
    """
    _show(entry_id, None, facts, Out(fmt, json_, fields, lang, color))


ORG_COLUMNS = ["id", "name", "org_kind", "fields", "area"]
PERSON_COLUMNS = ["id", "name", "role", "orgs"]


@org_app.command("list", epilog=EPILOG)
def org_list(
    kind: Annotated[
        OrgKind | None, typer.Option(help="Only this kind of organisation.", case_sensitive=False)
    ] = None,
    field: Annotated[
        str | None, typer.Option(help="Only this field of work (quantum, ...).")
    ] = None,
    area: Annotated[
        str | None, typer.Option(help="Only orgs in this area id (or within it).")
    ] = None,
    facts: FactsOpt = None,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
    fields: FieldsOpt = None,
    lang: LangOpt = Lang.ZH_HANT,
    color: ColorOpt = Color.AUTO,
) -> None:
    """Organisations, optionally by kind, field of work or area.

    Example: hetao org list --field quantum
    """
    out = Out(fmt, json_, fields, lang, color)
    book = book_from(facts)
    found = query.orgs(book, kind.value if kind else None, field, area)
    out.emit(entries_view(found, ORG_COLUMNS, book.orgs))


@org_app.command("search", epilog=EPILOG)
def org_search(
    terms: QueryArg,
    facts: FactsOpt = None,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
    fields: FieldsOpt = None,
    lang: LangOpt = Lang.ZH_HANT,
    color: ColorOpt = Color.AUTO,
) -> None:
    """Search organisations by name, English name, alias, field or quote.

    Example: hetao org search 量子
    """
    out = Out(fmt, json_, fields, lang, color)
    book = book_from(facts)
    _find(book.orgs, terms, out, [*ORG_COLUMNS, "match_field"])


@org_app.command("show", epilog=EPILOG)
def org_show(
    entry_id: IdArg,
    facts: FactsOpt = None,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
    fields: FieldsOpt = None,
    lang: LangOpt = Lang.ZH_HANT,
    color: ColorOpt = Color.AUTO,
) -> None:
    """One organisation, with its people, events and figures.

    Example: hetao org show siqa
    """
    _show(entry_id, Kind.ORG, facts, Out(fmt, json_, fields, lang, color))


@person_app.command("list", epilog=EPILOG)
def person_list(
    org: Annotated[
        str | None, typer.Option(help="Only people of this org id or its units.")
    ] = None,
    facts: FactsOpt = None,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
    fields: FieldsOpt = None,
    lang: LangOpt = Lang.ZH_HANT,
    color: ColorOpt = Color.AUTO,
) -> None:
    """People, with the role the sources give.

    Example: hetao person list --org cityu
    """
    out = Out(fmt, json_, fields, lang, color)
    book = book_from(facts)
    people = query.people_of(book, org) if org else list(book.people)
    out.emit(entries_view(people, PERSON_COLUMNS, book.people))


@person_app.command("search", epilog=EPILOG)
def person_search(
    terms: QueryArg,
    facts: FactsOpt = None,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
    fields: FieldsOpt = None,
    lang: LangOpt = Lang.ZH_HANT,
    color: ColorOpt = Color.AUTO,
) -> None:
    """Search people by name, role or quote.

    Example: hetao person search 院士
    """
    out = Out(fmt, json_, fields, lang, color)
    book = book_from(facts)
    _find(book.people, terms, out, [*PERSON_COLUMNS, "match_field"])


@person_app.command("show", epilog=EPILOG)
def person_show(
    entry_id: IdArg,
    facts: FactsOpt = None,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
    fields: FieldsOpt = None,
    lang: LangOpt = Lang.ZH_HANT,
    color: ColorOpt = Color.AUTO,
) -> None:
    """One person, with the events they took part in.

    Example: hetao person show yu-dapeng
    """
    _show(entry_id, Kind.PERSON, facts, Out(fmt, json_, fields, lang, color))


class CheckFormat(str, Enum):
    TABLE = "table"
    JSON = "json"


@app.command(epilog=EPILOG)
def check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="[PATH]...",
            help="Fact files or folders. Default: as --facts.",
            show_default=False,
        ),
    ] = None,
    sources_dir: Annotated[
        Path | None,
        typer.Option(
            "--sources", metavar="DIR", help="Check every quote against DIR/<source id>.txt."
        ),
    ] = None,
    fmt: Annotated[
        CheckFormat | None,
        typer.Option("--format", case_sensitive=False, help="table (one problem a line) or json."),
    ] = None,
    facts: FactsOpt = None,
) -> None:
    """Validate fact files; with --sources, every quote too.

    Checks structure, links and dates, and each figure against its written form. Exit 0
    clean, 1 problems found (all listed), 3 a file cannot be read at all. Never writes to a
    fact file.

    Example: hetao check --sources ../shared/sources
    """
    from .check import check_book

    if sources_dir is not None and not sources_dir.is_dir():
        raise typer.BadParameter(f"{sources_dir} is not a folder", param_hint="--sources")
    problems: list[Problem]
    count = 0
    try:
        book = load(list(paths or []) + list(facts or []) or None)
        count = len(book)
        problems = check_book(book, sources_dir)
    except FactFileError as exc:
        if exc.unreadable:
            facts_error(exc)
        problems = list(exc.problems)
    if fmt is CheckFormat.JSON:
        write(json_text([p.as_dict() for p in problems]), json_=True)
    else:
        write("".join(f"{p}\n" for p in problems))
    if problems:
        say(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found")
        raise typer.Exit(1)
    checked = "quotes checked against " + str(sources_dir) if sources_dir else "quotes not checked"
    say(f"ok: {count} entries, no problems ({checked})")


def main() -> None:
    """The console script: run the app; never show a traceback for Ctrl-C or a closed pipe."""
    closed = reopen_closed_streams()
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    if closed:
        say("standard output is closed; the output is discarded")
    try:
        narrowed(sys.argv[1:])(prog_name="hetao")
    except KeyboardInterrupt:
        sys.exit(130)


def narrowed(args: Sequence[str]) -> typer.Typer:
    """The app with only the command the arguments name, when they name one.

    Typer builds a click command for every registered command on each start (about 10 ms
    for all of hetao's); running one command needs only that one. `hetao --help`, `--version`
    and unknown names get the whole app, so help and suggestions list everything."""
    name = next((a for a in args if not a.startswith("-")), None)  # the root takes no values
    commands = [
        c
        for c in app.registered_commands
        if c.callback is not None
        and (c.name or typer.main.get_command_name(c.callback.__name__)) == name
    ]
    groups = [g for g in app.registered_groups if g.name == name]
    if not commands and not groups:
        return app
    one = copy.copy(app)
    one.registered_commands, one.registered_groups = commands, groups
    return one


def reopen_closed_streams() -> bool:
    """Python sets sys.stdout or sys.stderr to None when its descriptor is closed at start
    (`hetao timeline >&-`). Point it at /dev/null, taking the descriptor back so that no file
    opened later lands on it; return whether stdout was closed."""
    closed = sys.stdout is None
    for fd, name in ((1, "stdout"), (2, "stderr")):
        if getattr(sys, name) is None:
            devnull = os.open(os.devnull, os.O_WRONLY)
            if devnull != fd:
                os.dup2(devnull, fd)
                os.close(devnull)
            setattr(sys, name, open(fd, "w", encoding="utf-8", closefd=False))  # noqa: SIM115
    return closed
