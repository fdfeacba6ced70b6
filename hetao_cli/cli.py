"""Typer wiring: options → load → query → views → output; an error → a message and an exit code.

Exit codes (console.ExitStatus): 0 success; 1 nothing found (an empty listing or search), or
problems found by `check`; 2 usage error (an unknown option, field, id or name too); 3 fact
file unreadable or invalid; 74 the output could not be written; 130 interrupted.
"""

import contextlib
import copy
import functools
import gc
import inspect
import sys
from collections.abc import Callable, Iterator, Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from . import __version__, query, views
from .console import (
    Color,
    ExitStatus,
    Streams,
    echoed,
    exit_with,
    finish_streams,
    prepare_process_streams,
)
from .load import load
from .model import (
    ClaimCategory,
    DocumentKind,
    Entry,
    FactBook,
    Figure,
    Kind,
    OrgKind,
    PartialDate,
    Unit,
    kind_of,
)
from .output import (
    CiteFormat,
    ExportFormat,
    Format,
    Lang,
    UnknownField,
    View,
    arranged,
    fields_of,
    parse_fields,
    render,
    visible,
)
from .problems import FactFileError, Problem

EPILOG = (
    "Exit codes: 0 success; 1 nothing found (an empty listing or search), or problems found "
    "by check; 2 usage error (an unknown option, field, id or name too); 3 fact file "
    "unreadable or invalid; 74 output could not be written; 130 interrupted."
)

# click's UsageError, the base of its every error about the command line, whether typer ships
# its own copy of click or uses click's.
_USAGE_ERROR = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")


class _Group(TyperGroup):
    """The root command: a usage error echoes the person's own text (an option, a value, a
    word too many). click shows C0 and C1 controls in it escaped, but not bidi controls, nor
    any in a message of hetao's own: here every one is."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        with _visible_usage_errors():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        with _visible_usage_errors():
            return super().invoke(ctx)


@contextlib.contextmanager
def _visible_usage_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        if isinstance(exc, _USAGE_ERROR):
            # `message` is what click shows; for a bare `hetao` it is the help, so lines stay.
            error: Any = exc
            error.message = visible(error.message, lines=True)
        raise


app = typer.Typer(
    cls=_Group,
    help="Explore the facts of the Hetao Shenzhen-Hong Kong Science and Technology "
    "Innovation Cooperation Zone (河套深港科技創新合作區), each with the quote it comes from.",
    epilog=EPILOG,
    no_args_is_help=True,
    add_completion=True,  # --install-completion, --show-completion: bash, zsh, fish
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
area_app = typer.Typer(
    help="List and show areas: the zone, its parks, the regions around.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
document_app = typer.Typer(
    help="List and show documents: plans, agreements, memoranda, speeches.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(org_app, name="org")
app.add_typer(person_app, name="person")
app.add_typer(area_app, name="area")
claim_app = typer.Typer(
    help="Claims: positionings, provisions, firsts, achievements and goals the sources state.",
    no_args_is_help=True,
)
app.add_typer(document_app, name="document")
app.add_typer(claim_app, name="claim")


def _completer(*kinds: Kind) -> Callable[..., list[str]]:
    """Shell completion of the ids of these kinds (any kind: none given) that start with what
    is typed; the facts are those --facts names when it stands before, else the default."""

    def complete(ctx: typer.Context, incomplete: str) -> list[str]:
        try:
            book = load(ctx.params.get("facts") or None)
        except FactFileError:
            return []
        pool = [e for k in (kinds or tuple(Kind)) for e in book.of_kind(k)]
        return [e.id for e in pool if e.id.startswith(incomplete)]

    return complete


def _complete_fields_of_work(ctx: typer.Context, incomplete: str) -> list[str]:
    try:
        book = load(ctx.params.get("facts") or None)
    except FactFileError:
        return []
    return [f for f in query.fields_of_work(book) if f.startswith(incomplete)]


def usage(message: str, param: str | None = None) -> NoReturn:
    raise typer.BadParameter(visible(message), param_hint=param)


# ---------------------------------------------------------------------------------------------
# The options every listing shares, declared once


_FACTS = typer.Option(
    "--facts",
    help="Fact file or folder of *.toml (repeatable). Default: $HETAO_FACTS, "
    "else the bundled facts.toml.",
    show_default=False,
    metavar="PATH",
)
_JQ_HELP = (
    "Filter the JSON output through a jq expression (no jq needed); each result on a line, "
    "as jq prints it. Implies JSON."
)
JqOpt = Annotated[str | None, typer.Option("--jq", metavar="EXPR", help=_JQ_HELP)]
# Paths are taken as text: hetao reads the files itself and says what is wrong (exit 3), as
# for HETAO_FACTS; click's Path type would stat them first, making an unreadable file a usage
# error (2) and a NUL in a path a traceback.
FactsOpt = Annotated[list[str] | None, _FACTS]


def _lang(ctx: typer.Context, value: str | Lang) -> Lang:
    """--lang or HETAO_LANG as a Lang; a bad HETAO_LANG is named as such, since the person
    did not type it on this command line."""
    if isinstance(value, Lang):
        return value
    try:
        return Lang.parse(value)
    except ValueError:
        choices = "zh-hant, zh-hans or en (or a tag such as zh-TW, zh-CN, en-US)"
        source = ctx.get_parameter_source("lang")  # click's ParameterSource, by name: Typer
        if getattr(source, "name", "") == "ENVIRONMENT":  # may bundle click under its own
            usage(f"{echoed(value)} (from the environment) is not a language; use {choices}",
                  "HETAO_LANG")  # fmt: skip
        usage(f"{echoed(value)} is not a language; use {choices}", "'--lang'")


def _shared(name: str, default: Any, kind: Any, option: Any) -> inspect.Parameter:
    """One shared option, as the parameter Typer reads from a command's signature."""
    annotation = Annotated[kind, option]
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default,
                             annotation=annotation)  # fmt: skip


_SHARED = [
    _shared("facts", None, list[str] | None, _FACTS),
    _shared("fmt", None, Format | None, typer.Option(
        "--format", help="Output format. Default: table in a terminal, tsv in a pipe.",
        case_sensitive=False, show_default=False,
    )),
    _shared("json_", False, bool, typer.Option("--json", help="Short for --format json.")),
    _shared("excel", False, bool, typer.Option(
        "--excel", help="CSV for spreadsheets: a UTF-8 byte-order mark, and a ' before a cell "
        "that starts with = + - @ (read as a formula). Implies --format csv.",
    )),
    _shared("jq", None, str | None, typer.Option("--jq", metavar="EXPR", help=_JQ_HELP)),
    _shared("fields", None, str | None, typer.Option(
        "--fields", help="Comma-separated fields to show, in this order; alone (or `help`), "
        "the fields there are.", metavar="A,B",
    )),
    _shared("lang", Lang.ZH_HANT.value, str, typer.Option(
        "--lang", envvar="HETAO_LANG", callback=lambda ctx, param, value: _lang(ctx, value),
        metavar="LANG", help="Language of text columns: zh-hant, zh-hans or en, as tags such "
        "as zh-TW, zh_CN or en-US too (JSON carries all).",
    )),
    _shared("color", Color.AUTO, Color, typer.Option(
        "--color", help="Colour: auto follows the terminal, NO_COLOR and FORCE_COLOR.",
        case_sensitive=False,
    )),
]  # fmt: skip
_ORDER = [
    _shared("sort", None, list[str] | None, typer.Option(
        "--sort", metavar="FIELD", help="Sort by this field (repeatable: then by the next); "
        "numbers as numbers, dates in date order, blanks last.",
    )),
    _shared("reverse", False, bool, typer.Option("--reverse", help="Reverse the listing.")),
    _shared("limit", None, int | None, typer.Option(
        "--limit", metavar="N", min=1, help="Show at most N records (after sorting).",
    )),
]  # fmt: skip


class Listing:
    """A listing command's shared options: which facts to read, and how to print them."""

    def __init__(
        self,
        facts: Sequence[str] | None,
        fmt: Format | None,
        json_: bool,
        excel: bool,
        jq: str | None,
        fields: str | None,
        lang: Lang,
        color: Color,
        sort: Sequence[str] | None = None,
        reverse: bool = False,
        limit: int | None = None,
    ) -> None:
        if json_ and fmt not in (None, Format.JSON):
            usage(f"--json conflicts with --format {fmt.value}")
        if excel and json_:
            usage("--excel conflicts with --json")
        if excel and fmt not in (None, Format.CSV):
            usage(f"--excel conflicts with --format {fmt.value}")
        if jq is not None and (excel or fmt not in (None, Format.JSON)):
            usage(f"--jq filters JSON; it conflicts with {'--excel' if excel else '--format'}"
                  f"{'' if excel or fmt is None else ' ' + fmt.value}")  # fmt: skip
        # Compiled before the facts are read: a bad expression is a usage error at once.
        self.jq = jq_program(jq)
        self.streams = Streams(sys.stdout, sys.stderr)
        self.facts = facts
        self.excel = excel  # CSV for a spreadsheet
        if excel:
            self.fmt = Format.CSV
        else:
            self.fmt = Format.JSON if json_ or jq is not None else fmt or self._default_format()
        self.fields = parse_fields(fields)
        self.lang = lang
        self.color = color
        self.sort = list(sort or ())
        self.reverse = reverse
        self.limit = limit

    def _default_format(self) -> Format:
        return Format.TABLE if self.streams.is_terminal() else Format.TSV

    @property
    def machine(self) -> bool:
        return self.fmt in (Format.JSON, Format.JSONL, Format.CSV, Format.TSV)

    def book(self) -> FactBook:
        return book_from(self.facts, self.streams)

    def emit_found(self, view: View, nothing: str = "nothing matches") -> None:
        """A listing; when it is empty, `nothing` on stderr and exit 1, the empty result still
        printed (a script parses valid JSON or a header; a table shows its header)."""
        self.emit(view)
        if not view.records:
            self.streams.say(nothing)
            exit_with(ExitStatus.NOT_FOUND)

    def emit(self, view: View) -> None:
        if self.fields == ["help"]:  # `--fields` alone, or `--fields help`: what there is
            self.streams.write("".join(f"{name}\n" for name in fields_of(view)))
            return
        try:
            if self.sort or self.reverse or self.limit is not None:
                view = view._replace(
                    records=arranged(view, self.sort, self.reverse, self.limit),
                    group=None if self.sort else view.group,
                )
            rendered = render(view._replace(lang=self.lang), self.fmt, self.fields, self.excel)
        except UnknownField as exc:
            usage(str(exc))
        if self.jq is not None:
            rendered = jq_filtered(self.jq, rendered)
        if isinstance(rendered, str):
            self.streams.write(rendered, json_=self.fmt in (Format.JSON, Format.JSONL))
        else:
            self.streams.print_rich(rendered, self.color)


def listing(command: Callable[..., None]) -> Callable[..., None]:
    """Give a command the options every command that prints facts shares (--facts, --format,
    --json, --excel, --fields, --lang, --color), as one `out: Listing` argument: Typer reads a
    command's options from its signature, so the wrapper shows Typer the command's own
    parameters and the shared ones."""
    return _with_options(command, _SHARED)


def ordered(command: Callable[..., None]) -> Callable[..., None]:
    """A listing of many records: the shared options and --sort, --reverse and --limit."""
    return _with_options(command, [*_SHARED, *_ORDER])


def _with_options(
    command: Callable[..., None], extra: list[inspect.Parameter]
) -> Callable[..., None]:
    own = inspect.signature(command)
    params = [p for p in own.parameters.values() if p.name != "out"] + extra
    shared = [p.name for p in extra]

    @functools.wraps(command)
    def run(**kwargs: Any) -> None:
        options = {name: kwargs.pop(name) for name in shared}
        command(**kwargs, out=Listing(**options))

    run.__signature__ = own.replace(parameters=params)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in params}
    return run


def jq_program(expression: str | None) -> Any:
    """The compiled --jq expression, or None; an invalid one is a usage error with jq's own
    message. The jq binding is imported only here, when --jq is given."""
    if expression is None:
        return None
    from .jqfilter import BadExpression, compiled

    try:
        return compiled(expression)
    except BadExpression as exc:
        usage(str(exc), "'--jq'")


def jq_filtered(program: Any, text: str) -> str:
    """JSON text through a compiled --jq program; a failure on this input (`.[0]` of an
    object) is a usage error with jq's message too."""
    from .jqfilter import BadExpression, filtered

    try:
        return filtered(program, text)
    except BadExpression as exc:
        usage(str(exc), "'--jq'")


def book_from(facts: Sequence[str] | None, streams: Streams) -> FactBook:
    try:
        return load(facts)
    except FactFileError as exc:
        streams.problems(exc.problems)


def bound(text: str | None, name: str) -> PartialDate | None:
    if text is None:
        return None
    try:
        return query.parse_bound(text)
    except ValueError as exc:
        usage(str(exc), name)


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
# Commands


@app.command(epilog=EPILOG)
@ordered
def timeline(
    since: Annotated[
        str | None,
        typer.Option(
            metavar="DATE", help="Keep events from this date on: YYYY, YYYY-MM or YYYY-MM-DD."
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            metavar="DATE",
            help="Keep events up to this date, inclusive at its precision (2020 keeps 2020-10-14).",
        ),
    ] = None,
    org: Annotated[
        list[str] | None,
        typer.Option(
            metavar="ORG",
            autocompletion=_completer(Kind.ORG),
            help="Only events involving this org (id, name or alias; repeatable: any of them).",
        ),
    ] = None,
    person: Annotated[
        list[str] | None,
        typer.Option(
            metavar="PERSON",
            autocompletion=_completer(Kind.PERSON),
            help="Only events involving this person (id or name; repeatable).",
        ),
    ] = None,
    *,
    out: Listing,
) -> None:
    """Events in date order, each date at its own precision.

    `c.` marks an approximate date (c. 2022-12).

    An event whose date is coarser than a bound (2017 against --since 2017-06) is kept when
    its span overlaps the range.

    Example: hetao timeline --since 2020 --json | jq '.[] | .date'
    """
    first, last = bound(since, "--since"), bound(until, "--until")
    book = out.book()
    orgs = named(book, org, Kind.ORG, "--org")
    people = named(book, person, Kind.PERSON, "--person")
    events = query.timeline(book, first, last, orgs, people)
    out.emit_found(views.timeline_view(events))


@app.command(epilog=EPILOG)
@ordered
def figures(
    query_: Annotated[
        list[str] | None,
        typer.Argument(metavar="[QUERY]...", help="Words that must all match the figure's text."),
    ] = None,
    scope: Annotated[
        list[str] | None,
        typer.Option(
            metavar="ID",
            autocompletion=_completer(),
            help="Only figures about this entry (id, name or alias; repeatable: any of them).",
        ),
    ] = None,
    unit: Annotated[
        list[Unit] | None,
        typer.Option(help="Only figures in this unit (repeatable).", case_sensitive=False),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="Each figure as it stood then (YYYY, YYYY-MM or YYYY-MM-DD): the latest value "
            "stated by that date.",
        ),
    ] = None,
    *,
    out: Listing,
) -> None:
    """The numbers, as written and in base units, with their citations.

    Each with its value in base units, unit, qualifier, scope and source. With --as-of, the
    value each figure had then: of the statements that held by that date (their as-of date,
    else their source's), the latest; figures not yet stated are left out.

    Example: hetao figures 項目 --unit count
    """
    book = out.book()
    when = bound(as_of, "--as-of")
    found: Sequence[Entry] = query.figures(book, named(book, scope, None, "--scope"), unit or ())
    if when is not None:
        found = query.figures_as_of(book, [f for f in found if isinstance(f, Figure)], when)
    if query_:
        from .search import search

        found = [m.entry for m in search(found, query_)]
    out.emit_found(views.figures_view(found, one_unit=len(set(unit or ())) == 1))


@app.command(epilog=EPILOG)
@ordered
def stats(
    area: Annotated[bool, typer.Option("--area", help="Land areas and densities per km².")] = False,
    every: Annotated[
        bool,
        typer.Option(
            "--all",
            help="With --area: the density of every count, positionings and papers too, not "
            "only of counts of things in a place.",
        ),
    ] = False,
    *,
    out: Listing,
) -> None:
    """Counts by kind, year and field; --area: land areas, densities.

    With --area: each area's land area, the density per km² of every count in it, and each
    density the sources state, recomputed from a count and a land area.

    Example: hetao stats --area
    """
    book = out.book()
    if every and not area:
        usage("--all goes with --area", "--all")
    out.emit(views.area_view(book, every) if area else views.stats_view(book))


@app.command(epilog=EPILOG)
@ordered
def sources(*, out: Listing) -> None:
    """Each source, with the number of facts that cite it.

    Example: hetao sources --json
    """
    out.emit(views.sources_view(out.book()))


def _find(entries: Sequence[Entry], terms: list[str], out: Listing, columns: Sequence[str]) -> None:
    from .search import search, terms_of

    if not terms_of(terms):
        usage("the query is empty")
    matches = search(entries, terms)
    kinds = {kind_of(e) for e in entries}
    view = views.search_view(matches, columns, [k for k in Kind if k in kinds])
    out.emit_found(view, f"nothing matches {echoed(' '.join(terms))}")


QueryArg = Annotated[
    list[str], typer.Argument(metavar="QUERY...", help="Words that must all match.")
]


@app.command(name="search", epilog=EPILOG)
@ordered
def search_cmd(terms: QueryArg, *, out: Listing) -> None:
    """Search every kind of entry, in either Chinese script or English.

    Looks in names, English names, aliases, roles, titles, subjects and quotes; several
    words must all match. Best matches first: exact name or alias, prefix, substring, text.

    Example: hetao search 国际 量子
    """
    _find(list(out.book().entries()), terms, out, views.SEARCH_COLUMNS)


def _show(text: str, kind: Kind | None, out: Listing) -> None:
    book = out.book()
    (entry_id,) = named(book, [text], kind, "ID")
    out.emit(views.show_view(book, book.by_id[entry_id]))


def named(book: FactBook, texts: Sequence[str] | None, kind: Kind | None, option: str) -> list[str]:
    """The ids of the entries the user named (views.named_ids); one that names none,
    several, or an entry of another kind is a usage error (2) that says so."""
    if not texts:
        return []  # nothing named: search (and OpenCC) need not be imported
    try:
        return views.named_ids(book, texts, kind)
    except views.NotNamed as exc:
        usage(str(exc), option)


def _field_of_work(book: FactBook, text: str) -> str:
    try:
        return views.field_of_work(book, text)
    except views.NotNamed as exc:
        usage(str(exc), "--field")


_ID_HELP = "The entry's id, or a name or alias."
IdArg = Annotated[str, typer.Argument(metavar="ID", help=_ID_HELP, autocompletion=_completer())]
OrgIdArg = Annotated[
    str, typer.Argument(metavar="ID", help=_ID_HELP, autocompletion=_completer(Kind.ORG))
]
PersonIdArg = Annotated[
    str, typer.Argument(metavar="ID", help=_ID_HELP, autocompletion=_completer(Kind.PERSON))
]
AreaIdArg = Annotated[
    str, typer.Argument(metavar="ID", help=_ID_HELP, autocompletion=_completer(Kind.AREA))
]
DocumentIdArg = Annotated[
    str, typer.Argument(metavar="ID", help=_ID_HELP, autocompletion=_completer(Kind.DOCUMENT))
]


@app.command(epilog=EPILOG)
@listing
def show(entry_id: IdArg, *, out: Listing) -> None:
    """Any entry, with what links to it and its citations in full.

    Example: hetao show hetao-zone --json
    """
    _show(entry_id, None, out)


@org_app.command("list", epilog=EPILOG)
@ordered
def org_list(
    kind: Annotated[
        list[OrgKind] | None,
        typer.Option(help="Only this kind of organisation (repeatable).", case_sensitive=False),
    ] = None,
    field: Annotated[
        list[str] | None,
        typer.Option(
            metavar="FIELD",
            autocompletion=_complete_fields_of_work,
            help="Only this field of work (quantum, ...; repeatable).",
        ),
    ] = None,
    area: Annotated[
        list[str] | None,
        typer.Option(
            metavar="AREA",
            autocompletion=_completer(Kind.AREA),
            help="Only orgs in this area (or within it; repeatable).",
        ),
    ] = None,
    *,
    out: Listing,
) -> None:
    """Organisations, optionally by kind, field of work or area.

    Example: hetao org list --field quantum
    """
    book = out.book()
    fields = [_field_of_work(book, f) for f in field or ()]
    found = query.orgs(book, kind or (), fields, named(book, area, Kind.AREA, "--area"))
    out.emit_found(views.orgs_view(found))


@org_app.command("search", epilog=EPILOG)
@ordered
def org_search(terms: QueryArg, *, out: Listing) -> None:
    """Search organisations by name, English name, alias, field or quote.

    Example: hetao org search 量子
    """
    _find(out.book().orgs, terms, out, [*views.ORG_COLUMNS, "match_field"])


@org_app.command("show", epilog=EPILOG)
@listing
def org_show(entry_id: OrgIdArg, *, out: Listing) -> None:
    """One organisation, with its people, events and figures.

    Example: hetao org show siqa
    """
    _show(entry_id, Kind.ORG, out)


@person_app.command("list", epilog=EPILOG)
@ordered
def person_list(
    org: Annotated[
        list[str] | None,
        typer.Option(
            metavar="ORG",
            autocompletion=_completer(Kind.ORG),
            help="Only people of this org or its units (id, name or alias; repeatable).",
        ),
    ] = None,
    *,
    out: Listing,
) -> None:
    """People, with the role the sources give.

    Example: hetao person list --org cityu
    """
    book = out.book()
    people = query.people_of(book, named(book, org, Kind.ORG, "--org")) if org else book.people
    out.emit_found(views.people_view(people))


@person_app.command("search", epilog=EPILOG)
@ordered
def person_search(terms: QueryArg, *, out: Listing) -> None:
    """Search people by name, role or quote.

    Example: hetao person search 院士
    """
    _find(out.book().people, terms, out, [*views.PERSON_COLUMNS, "match_field"])


@person_app.command("show", epilog=EPILOG)
@listing
def person_show(entry_id: PersonIdArg, *, out: Listing) -> None:
    """One person, with the events they took part in.

    Example: hetao person show yu-dapeng
    """
    _show(entry_id, Kind.PERSON, out)


@area_app.command("list", epilog=EPILOG)
@ordered
def area_list(*, out: Listing) -> None:
    """Areas, with their land area and what they lie in.

    Example: hetao area list --sort area_km2
    """
    out.emit_found(views.areas_view(out.book().areas))


@area_app.command("show", epilog=EPILOG)
@listing
def area_show(entry_id: AreaIdArg, *, out: Listing) -> None:
    """One area, with what lies in it.

    Example: hetao area show shenzhen-park
    """
    _show(entry_id, Kind.AREA, out)


@document_app.command("list", epilog=EPILOG)
@ordered
def document_list(
    kind: Annotated[
        list[DocumentKind] | None,
        typer.Option(help="Only this kind of document (repeatable).", case_sensitive=False),
    ] = None,
    *,
    out: Listing,
) -> None:
    """Documents, optionally of one kind.

    Example: hetao document list --kind plan
    """
    found = [d for d in out.book().documents if not kind or d.kind in kind]
    out.emit_found(views.documents_view(found))


@document_app.command("show", epilog=EPILOG)
@listing
def document_show(entry_id: DocumentIdArg, *, out: Listing) -> None:
    """One document, with who issued it and the events it took part in.

    Example: hetao document show gba-outline-plan
    """
    _show(entry_id, Kind.DOCUMENT, out)


ClaimIdArg = Annotated[
    str,
    typer.Argument(metavar="ID", help="A claim's id.", autocompletion=_completer(Kind.CLAIM)),
]


@claim_app.command("list", epilog=EPILOG)
@ordered
def claim_list(
    category: Annotated[
        list[ClaimCategory] | None,
        typer.Option(help="Only claims of this category (repeatable).", case_sensitive=False),
    ] = None,
    about: Annotated[
        list[str] | None,
        typer.Option(
            metavar="ID",
            autocompletion=_completer(),
            help="Only claims about this entry (id, name or alias; repeatable: any of them).",
        ),
    ] = None,
    *,
    out: Listing,
) -> None:
    """Claims, optionally of one category or about one entry.

    Example: hetao claim list --category positioning
    """
    book = out.book()
    found = query.claims(book, category or (), named(book, about, None, "--about"))
    out.emit_found(views.claims_view(found))


@claim_app.command("search", epilog=EPILOG)
@ordered
def claim_search(terms: QueryArg, *, out: Listing) -> None:
    """Search claims, in either Chinese script or English.

    Example: hetao claim search Northern Metropolis
    """
    _find(list(out.book().claims), terms, out, ["id", "category", "label", "about"])


@claim_app.command("show", epilog=EPILOG)
@listing
def claim_show(entry_id: ClaimIdArg, *, out: Listing) -> None:
    """One claim, with its citations.

    Example: hetao claim show hk-park-largest-it-platform
    """
    _show(entry_id, Kind.CLAIM, out)


@app.command(epilog=EPILOG)
@ordered
def conflicts(
    unranked: Annotated[
        bool,
        typer.Option(
            "--unranked", help="Only conflicts that no rank (preferred, deprecated) settles."
        ),
    ] = False,
    *,
    out: Listing,
) -> None:
    """Where sources disagree: pairs of statements of one field that cannot both be true.

    Two statements conflict when their values are incompatible at the precision and hedge
    each states (README: Conflicts). Exit 1 when there are none.

    Example: hetao conflicts
    """
    found = query.conflicts(out.book(), unranked)
    out.emit_found(views.conflicts_view(found), "no conflicts" + (" unranked" if unranked else ""))


IdsArg = Annotated[
    list[str],
    typer.Argument(metavar="ID...", help="Entries: ids, names or aliases.",
                   autocompletion=_completer()),
]  # fmt: skip


@app.command(epilog=EPILOG)
def cite(
    entry_ids: IdsArg,
    fmt: Annotated[
        CiteFormat,
        typer.Option(
            "--format",
            case_sensitive=False,
            help="text (a reference line, APA, then each quote), markdown, bibtex, ris or "
            "csl-json (for Zotero and other reference managers).",
        ),
    ] = CiteFormat.TEXT,
    jq: JqOpt = None,
    facts: FactsOpt = None,
) -> None:
    """An entry's citation: each of its quotes, with its source.

    One reference for each source the entry cites, with the entry's quotes from it; a
    source's id gives the source's own reference. Publisher, title, the date at the
    precision the source gives, URL, language and licence come from the source.

    Example: hetao cite siqa --format bibtex
    """
    streams = Streams(sys.stdout, sys.stderr)
    if jq is not None and fmt is not CiteFormat.CSL_JSON:
        usage(f"--jq filters JSON: give --format csl-json, not {fmt.value}", "--jq")
    program = jq_program(jq)
    book = book_from(facts, streams)
    ids = named(book, entry_ids, None, "ID")
    from .cite import render as cited

    text = cited(book, [book.by_id[i] for i in ids], fmt)
    if program is not None:
        text = jq_filtered(program, text)
    streams.write(text, json_=fmt is CiteFormat.CSL_JSON)


@app.command(name="open", epilog=EPILOG)
def open_(
    entry_id: IdArg,
    browser: Annotated[
        bool, typer.Option("--browser", "-w", help="Open it in the web browser, as gh --web.")
    ] = False,
    facts: FactsOpt = None,
) -> None:
    """The URL of an entry's source; --browser opens it.

    Prints the URL of each source the entry cites (a source: its own), a line each. Exit 1
    when none has a URL.

    Example: hetao open hk-park --browser
    """
    streams = Streams(sys.stdout, sys.stderr)
    book = book_from(facts, streams)
    (found,) = named(book, [entry_id], None, "ID")
    sources = query.sources_of(book, book.by_id[found])
    urls = list(dict.fromkeys(s.url for s in sources if s.url))  # type: ignore[union-attr]
    if not urls:
        if sources == [book.by_id[found]]:
            streams.fail(f"no URL: the source {found} records none")
        listed = ", ".join(s.id for s in sources)
        streams.fail(f"no URL: no source of {found} ({listed}) records one")
    streams.write("".join(f"{url}\n" for url in urls))
    if browser:
        import webbrowser

        for url in urls:
            if not webbrowser.open(url):
                streams.fail(f"no web browser could be started for {url}")


# What -o's suffix says, when --format does not.
_SUFFIXES = {
    ".db": ExportFormat.SQLITE,
    ".sqlite": ExportFormat.SQLITE,
    ".sqlite3": ExportFormat.SQLITE,
    ".json": ExportFormat.JSON,
    ".jsonl": ExportFormat.JSONL,
    ".ndjson": ExportFormat.JSONL,
}


@app.command(epilog=EPILOG)
def export(
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="PATH",
            show_default=False,
            help="A file (sqlite, json, jsonl) or a folder (csv). Default, or -: stdout "
            "(json, jsonl).",
        ),
    ] = None,
    fmt: Annotated[
        ExportFormat | None,
        typer.Option(
            "--format",
            case_sensitive=False,
            show_default=False,
            help="sqlite (and Datasette's metadata beside it), csv (a file a kind, and "
            "citations.csv), json (one object keyed by kind) or jsonl. Default: from -o's "
            "suffix (.db, .sqlite, .json, .jsonl), else json.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the files that are there already.")
    ] = False,
    bom: Annotated[
        bool, typer.Option("--bom", help="csv: a UTF-8 byte-order mark, for spreadsheets.")
    ] = False,
    jq: JqOpt = None,
    facts: FactsOpt = None,
) -> None:
    """Every kind, field and citation at once: SQLite, CSV, JSON or JSONL.

    SQLite: a table a kind (the id its primary key, a foreign key a link), a table a list of
    links, citations, full-text search over names and quotes, views of the common joins, and
    x.metadata.json beside x.db for Datasette (datasette x.db -m x.metadata.json). A file is
    written whole (a temporary file, renamed), replaced only with --force, and never a fact
    file.

    Example: hetao export --format sqlite -o hetao.db
    """
    streams = Streams(sys.stdout, sys.stderr)
    to_stdout = output in (None, "-")
    if fmt is None:
        fmt = ExportFormat.JSON if to_stdout else _SUFFIXES.get(Path(str(output)).suffix.lower())
        if fmt is None:
            usage(f"which format? {echoed(str(output))} has no suffix hetao knows; "
                  "give --format sqlite, csv, json or jsonl", "--format")  # fmt: skip
    if to_stdout and fmt in (ExportFormat.SQLITE, ExportFormat.CSV):
        usage(f"--format {fmt.value} writes files: give -o PATH", "-o")
    if bom and fmt is not ExportFormat.CSV:
        usage(f"--bom is for --format csv, not {fmt.value}", "--bom")
    if jq is not None and not (to_stdout and fmt in (ExportFormat.JSON, ExportFormat.JSONL)):
        usage("--jq filters JSON printed on stdout: --format json or jsonl, without -o", "--jq")
    program = jq_program(jq)
    book = book_from(facts, streams)
    from . import export as exporting

    if to_stdout:
        text = exporting.RENDERERS[fmt](book)
        streams.write(jq_filtered(program, text) if program is not None else text, json_=True)
        return
    _export_to(book, fmt, Path(str(output)), facts, force, bom, streams)


def _export_to(
    book: FactBook,
    fmt: ExportFormat,
    path: Path,
    facts: Sequence[str] | None,
    force: bool,
    bom: bool,
    streams: Streams,
) -> None:
    import os
    import sqlite3

    from . import export as exporting
    from .load import chosen_paths, expand

    folder = fmt is ExportFormat.CSV
    if folder and path.exists() and not _is_folder(path):
        usage(f"{path} is not a folder; --format csv writes a file a kind into one", "-o")
    if not folder and _is_folder(path):
        usage(f"{path} is a folder; --format {fmt.value} writes one file", "-o")
    fact_files, _ = expand(chosen_paths(facts, os.environ))
    try:
        exporting.check_targets(exporting.targets(fmt, path, book), fact_files, force)
    except (exporting.TargetExists, exporting.FactFileTarget) as exc:
        usage(str(exc), "-o")
    try:
        counts = exporting.export(book, fmt, path, bom)
    except (OSError, sqlite3.Error) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        streams.fail(f"cannot write {path}: {reason}", ExitStatus.WRITE_ERROR)
    entries = sum(counts.get(k.value, 0) for k in Kind)
    cited = counts.get(exporting.CITATIONS)
    said = f"wrote {path}: {entries} entries" + (f", {cited} citations" if cited else "")
    if fmt is ExportFormat.SQLITE:
        said += f"; datasette {path} -m {exporting.metadata_path(path)}"
    streams.say(said)


class CheckFormat(str, Enum):
    TABLE = "table"
    JSON = "json"


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):  # a NUL in the path
        return False


@app.command(epilog=EPILOG)
def check(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[PATH]...",
            help="Fact files or folders. Default: as --facts.",
            show_default=False,
        ),
    ] = None,
    sources: Annotated[
        str | None,
        typer.Option(
            "--sources", metavar="DIR", help="Check every quote against DIR/<source id>.txt."
        ),
    ] = None,
    fmt: Annotated[
        CheckFormat | None,
        typer.Option("--format", case_sensitive=False, help="table (one problem a line) or json."),
    ] = None,
    jq: JqOpt = None,
    facts: FactsOpt = None,
) -> None:
    """Validate fact files; with --sources, every quote too.

    Checks structure, links and dates, and each figure against its written form. Exit 0
    clean, 1 problems found (all listed), 3 a file cannot be read at all. Never writes to a
    fact file.

    Example: hetao check --sources ../shared/sources
    """
    from .check import check_book, in_file_order

    if jq is not None and fmt is CheckFormat.TABLE:
        usage("--jq filters JSON; it conflicts with --format table")
    program = jq_program(jq)
    sources_dir = Path(sources) if sources is not None else None
    if sources_dir is not None and not _is_folder(sources_dir):
        usage(f"{sources_dir} is not a folder", "--sources")
    streams = Streams(sys.stdout, sys.stderr)
    problems: list[Problem]
    count = 0
    try:
        book = load(list(paths or []) + list(facts or []) or None)
        count = len(book)
        problems = check_book(book, sources_dir)
    except FactFileError as exc:
        if exc.unreadable:
            streams.problems(exc.problems)
        problems = list(exc.problems)
        if exc.loaded is not None:  # what a valid book gets checked for, the entries that loaded
            problems += check_book(exc.loaded, sources_dir, exc.quotes)
        problems = in_file_order(problems, exc.loaded)
    output = Format.JSON if fmt is CheckFormat.JSON or program is not None else Format.TABLE
    shown = render(views.problems_view(problems), output)
    if program is not None:
        shown = jq_filtered(program, shown)
    streams.write(shown, json_=output is Format.JSON)
    errors = sum(not p.warning for p in problems)
    warned = len(problems) - errors
    warnings = f", {warned} warning{'s' if warned != 1 else ''}" if warned else ""
    if errors:
        streams.fail(f"{errors} problem{'s' if errors != 1 else ''} found{warnings}")
    checked = "quotes checked against " + str(sources_dir) if sources_dir else "quotes not checked"
    streams.say(f"ok: {count} entries, no problems{warnings} ({checked})")


# ---------------------------------------------------------------------------------------------
# The console script


def main() -> None:
    """The console script: run the app; never show a traceback for Ctrl-C or a closed pipe."""
    # A process that runs one command and ends gains nothing from collecting cycles: the
    # book lives to the end and the output's records are acyclic, and the collector's scans
    # grew with them (0.4 s of 1.8 s for 100,000 entries' timeline --json, measured). Only
    # here, never for an app run in-process (tests, or a program that embeds hetao).
    gc.disable()
    prepare_process_streams()
    code: Any = ExitStatus.OK
    failed: OSError | None = None
    args = with_fields_help(sys.argv[1:])
    try:
        app_for(args)(prog_name="hetao", args=args)
    except KeyboardInterrupt:
        code = ExitStatus.INTERRUPTED
    except SystemExit as done:
        code = done.code
    except OSError as exc:  # stdout failed inside click (its help or version to a full disk)
        failed = exc
    finally:
        # The interpreter still collects once as it shuts down, disabled or not: frozen
        # objects are skipped, and nothing made so far is garbage (7-9 ms a run, measured).
        gc.freeze()
    # What is still buffered (help, --version) is written now, not by the interpreter at exit,
    # where a full disk would end the process with 120 and a traceback-like message.
    sys.exit(finish_streams(code, failed))


def with_fields_help(args: list[str]) -> list[str]:
    """`--fields` with no value (last, or before another option) as `--fields help`, as gh
    lists its --json fields: click's options always take a value."""
    found = [
        i
        for i, a in enumerate(args)
        if a == "--fields" and (i + 1 == len(args) or args[i + 1].startswith("-"))
    ]
    for i in reversed(found):
        args = [*args[: i + 1], "help", *args[i + 1 :]]
    return args


def app_for(args: Sequence[str]) -> typer.Typer:
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
