"""One renderer for every view: field selection, then table / tsv / csv / json / jsonl.

Renderers return (a string, or a Rich renderable for tables); the CLI prints. Machine formats
never pass through Rich, and Rich is imported only when a table is drawn.
"""

from __future__ import annotations

import functools
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, NamedTuple

from .model import SCHEMAS
from .schema import Type

if TYPE_CHECKING:
    from rich.console import RenderableType

Record = dict[str, Any]


class Format(str, Enum):
    """Output formats; every member has a renderer in RENDERERS."""

    TABLE = "table"
    TSV = "tsv"
    CSV = "csv"
    JSON = "json"
    JSONL = "jsonl"


class ExportFormat(str, Enum):
    """What `hetao export` writes; export.WRITERS maps every member to its writer."""

    SQLITE = "sqlite"
    CSV = "csv"
    JSON = "json"
    JSONL = "jsonl"


class CiteFormat(str, Enum):
    """How `hetao cite` writes a citation; cite.RENDERERS maps every member to its renderer."""

    TEXT = "text"
    MARKDOWN = "markdown"
    BIBTEX = "bibtex"
    RIS = "ris"
    CSL_JSON = "csl-json"


class Lang(str, Enum):
    """The language text columns are shown in; JSON always carries every language."""

    ZH_HANT = "zh-hant"
    ZH_HANS = "zh-hans"
    EN = "en"

    @classmethod
    def parse(cls, text: str) -> Lang:
        """A language as people write it: zh-hant, zh-Hant, zh_TW, zh-HK, zh (the facts' own
        Traditional script); zh-hans, zh-CN, zh_SG; en, en-US, en_GB.UTF-8. ValueError else."""
        tag = text.strip().split(".")[0].replace("_", "-").casefold()
        found = _LANG_TAGS.get(tag) or _LANG_TAGS.get(
            tag.split("-")[0] if tag.startswith("en") else ""
        )
        if found is None:
            raise ValueError(text)
        return found


_LANG_TAGS = {
    **dict.fromkeys(["zh-hant", "zh", "zh-tw", "zh-hk", "zh-mo", "zh-hant-tw", "zh-hant-hk"],
                    Lang.ZH_HANT),
    **dict.fromkeys(["zh-hans", "zh-cn", "zh-sg", "zh-my", "zh-hans-cn", "zh-hans-sg"],
                    Lang.ZH_HANS),
    "en": Lang.EN,
}  # fmt: skip


class UnknownField(ValueError):
    """--fields named a field the records do not have."""

    def __init__(self, name: str, valid: Sequence[str]) -> None:
        self.name, self.valid = name, tuple(valid)
        super().__init__(f"unknown field {name!r}; valid fields: {', '.join(valid)}")


# ---------------------------------------------------------------------------------------------
# Field selection


def select(
    records: Sequence[Record], fields: Sequence[str] | None, known: Sequence[str] = ()
) -> list[Record]:
    """Keep and order the chosen fields; raise UnknownField for a name no record has.

    `known`: the fields such records have, so a name is checked even when the list is empty."""
    if not fields:
        return list(records)
    valid: dict[str, None] = {}
    for r in records:
        for k in r:
            valid.setdefault(k)
    for k in known:
        valid.setdefault(k)
    for name in fields:
        if valid and name not in valid:
            raise UnknownField(name, list(valid))
    return [{name: r.get(name) for name in fields} for r in records]


def parse_fields(text: str | None) -> list[str] | None:
    """`--fields a,b,c` as a list; None when not given."""
    if text is None:
        return None
    # A field named twice is shown once, where it first stands.
    return list(dict.fromkeys(f.strip() for f in text.split(",") if f.strip()))


# ---------------------------------------------------------------------------------------------
# Text that is shown, never obeyed

# What a terminal obeys rather than shows: C0 controls, DEL and C1 controls (ESC, BEL, CSI and
# OSC start the sequences that clear a screen, retitle a window or write the clipboard), and
# the bidirectional controls that reorder the text after them. json.dumps escapes C0 itself.
_C0 = r"\x00-\x1f"
_C0_BUT_TAB_NEWLINE = r"\x00-\x08\x0b-\x1f"
_OTHERS = r"\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
CONTROL = f"[{_C0}{_OTHERS}]"
CONTROL_IN_TEXT = f"[{_C0_BUT_TAB_NEWLINE}{_OTHERS}]"  # tab and newline are text
_RAW_IN_JSON = f"[{_OTHERS}]"
# Each pattern is compiled when first used: compiling these three cost 0.8 ms of every start,
# and a run needs one or two of them.
compiled = functools.cache(re.compile)


def escape(char: str) -> str:
    """A control character as the escape that shows it: \\x1b, \\x9b, \\u202e."""
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _escaped(m: re.Match[str]) -> str:
    return escape(m[0])


def visible(text: str, lines: bool = False) -> str:
    """The text with every control and bidi character written as its escape, so that a
    terminal shows it and never obeys it. `lines`: tab and newline stay, for a format that
    carries them (a table's cell, a CSV field); a message is one line, and escapes them too.

    The one place text is made safe: every renderer and every message goes through it."""
    return compiled(CONTROL_IN_TEXT if lines else CONTROL).sub(_escaped, text)


def _json_escaped(m: re.Match[str]) -> str:
    return f"\\u{ord(m[0]):04x}"


def json_visible(text: str) -> str:
    """JSON text with DEL, C1 and bidi controls as \\u escapes, which json.dumps leaves raw
    with ensure_ascii=False (it escapes C0 itself); other non-ASCII stays as it is. They
    stand only inside strings, so one pass over the whole output is valid JSON, and cheap:
    40 ms over the 20 MB of `timeline --json` on 100,000 entries, where a pass over each value
    would cost a call a string."""
    return compiled(_RAW_IN_JSON).sub(_json_escaped, text)


# ---------------------------------------------------------------------------------------------
# Text of one cell, for the table and the delimited formats

# What the schema says of the JSON keys: a text's English pair, dates, numbers.
ENGLISH: dict[str, str] = {k: v for s in SCHEMAS.values() for k, v in s.english.items()}
_DATES = frozenset(k for s in SCHEMAS.values() for k in s.date_keys)
_NUMBERS = frozenset(k for s in SCHEMAS.values() for k in s.numeric_keys)


def _folder(lang: Lang) -> Callable[[str], str]:
    if lang is Lang.ZH_HANS:
        from .search import to_simplified  # OpenCC only when Simplified is asked for

        return to_simplified
    return lambda s: s


def cell(
    record: Mapping[str, Any],
    key: str,
    lang: Lang = Lang.ZH_HANT,
    english: Mapping[str, str] = ENGLISH,
    machine: bool = False,
) -> str:
    """The text shown for one field of a whole record: dates at their precision (c. for an
    approximate one), lists joined, a list of objects (citations) as JSON text, English when
    asked; `machine` (TSV, CSV): booleans as JSON writes them, true and false, not yes and no.
    It depends on the record, the field, the format and the language only, never on which
    other fields are shown."""
    value = record.get(key)
    pair = english.get(key)
    if lang is Lang.EN and pair and pair in record:
        english_value = record.get(pair)
        if english_value:
            value = english_value
        elif value:
            return f"{_text(value, machine)} (zh)"
    if key in _DATES and value is not None and record.get(f"{key}_approximate"):
        value = f"c. {value}"
    return _text(value, machine)


def _text(value: Any, machine: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        if machine:
            return "true" if value else "false"
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else str(value)
    if isinstance(value, list):
        if any(isinstance(v, dict) for v in value):
            # Citations, recomputations: JSON text, as JSON has them, so a quote that holds a
            # comma or a colon cannot be mistaken for two.
            return json.dumps(value, ensure_ascii=False)
        return ", ".join(_item_text(v) for v in value)
    return str(value)


def _item_text(value: Any) -> str:
    if isinstance(value, dict):
        return (
            str(value.get("quote", value))
            if "quote" in value
            else json.dumps(value, ensure_ascii=False)
        )
    return str(value)


# ---------------------------------------------------------------------------------------------
# Renderers


class Detail(NamedTuple):
    """One line of a single record's field/value layout (`show`)."""

    of: str  # the record's field it shows: the name --fields chooses it by
    label: str  # what the line is called: "date", "linked events", "citation 2"
    text: str | None = None  # None: the cell of the record's field `of`, in the view's language


class View(NamedTuple):
    """What a command shows: its records, the columns a table shows, and how."""

    records: Sequence[Record]
    columns: Sequence[str]  # default columns for table, tsv and csv
    title: str = ""
    # A table groups its rows under this heading, given a record and the language shown.
    group: Callable[[Record, Lang], str] | None = None
    lang: Lang = Lang.ZH_HANT
    bars: str = ""  # a numeric field a table also draws as a bar
    grouped_by: tuple[str, ...] = ()  # columns a table leaves out, as its group heading shows them
    table_columns: tuple[str, ...] = ()  # a narrower default for the table; () = columns
    known: tuple[str, ...] = ()  # every field such records have, to check --fields on an empty list
    numbers: tuple[str, ...] = ()  # fields the view adds that hold numbers (counts, densities)
    english: Mapping[str, str] = ENGLISH  # each text field's English pair, for --lang en
    # One record shown whole (`show`): JSON prints it as an object; the other formats print
    # `details`, the lines of its fields, chosen by `columns` or --fields through Detail.of.
    details: Sequence[Detail] | None = None
    # A listing that reads as one line a record (check's problems): what the table prints.
    lines: Sequence[str] | None = None
    # Columns a table may leave out, first to last, before a terminal too narrow for every
    # column gets a block a record (a caption names them; TSV, CSV and --fields keep them).
    give_way: tuple[str, ...] = ()


# What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection"). A CR is shown as
# \x0d before this is asked, so no cell still starts with one; it stays, as the list has it.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _delimited(view: View, columns: Sequence[str], delimiter: str, excel: bool = False) -> str:
    buf = io.StringIO()
    if delimiter == "\t":
        # TSV: one header row, no quoting; tabs and newlines (and a CR) inside a value become
        # spaces, so a row is a line; every other control character is shown as its escape.
        def clean(s: str) -> str:
            return visible(s.replace("\t", " ").replace("\r", " ").replace("\n", " "))

        buf.write("\t".join(map(clean, columns)) + "\n")
        for r in view.records:
            buf.write("\t".join(clean(_cell(view, r, c, True)) for c in columns) + "\n")
        return buf.getvalue()
    import csv  # only when CSV is asked for

    # CSV quotes a field with a tab or a newline and keeps them; every other control character
    # is shown as its escape (a CR too: \x0d), which also spares Python 3.10's csv a NUL, which
    # it cannot write.
    def text(s: str) -> str:
        s = visible(s, lines=True)
        return "'" + s if excel and s.startswith(_FORMULA) else s

    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([text(c) for c in columns])
    for r in view.records:
        writer.writerow([text(_cell(view, r, c, True)) for c in columns])
    return buf.getvalue()


def render_tsv(view: View, columns: Sequence[str]) -> str:
    return _delimited(view, columns, "\t")


def render_csv(view: View, columns: Sequence[str]) -> str:
    return _delimited(view, columns, ",")


def render_excel(view: View, columns: Sequence[str]) -> str:
    """CSV for a spreadsheet (--excel): a UTF-8 byte-order mark, without which Excel reads the
    file in the system's code page, and a ' before every cell a spreadsheet would read as a
    formula (one that starts with = + - @ or a tab), so that it shows as text."""
    return "\ufeff" + _delimited(view, columns, ",", excel=True)


def to_json(data: Any) -> str:
    """UTF-8 JSON as scripts want it: no \\u escapes but for control characters, numbers as
    numbers (and never NaN or Infinity, which JSON does not have)."""
    return json_visible(json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n")


# One encoder for every record: json.dumps(..., ensure_ascii=False) builds a new one a call.
_encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode


# Text that stands verbatim in a source: never converted, whatever --lang asks (a Simplified
# reading of a quote would no longer be the quote).
VERBATIM = frozenset({"quote", "citations", "as_written"})


def _cell(view: View, record: Record, key: str, machine: bool = False) -> str:
    """A cell's text in the view's language: Simplified under zh-hans, but for verbatim text;
    `machine`: for TSV and CSV (see cell)."""
    text = cell(record, key, view.lang, view.english, machine)
    if view.lang is Lang.ZH_HANS and key not in VERBATIM:
        return _folder(view.lang)(text)
    return text


def render_json(view: View, columns: Sequence[str]) -> str:
    """A bare array, one record a line: json's C encoder serves only unindented output, and
    was twice as fast as indent=2 on 100,000 records (measured); a line a record still reads
    well and greps well. A single record (`show`) is one indented object."""
    if view.details is not None:
        return to_json(view.records[0])
    if not view.records:
        return "[]\n"
    lines = ",\n".join("  " + _encode(r) for r in view.records)
    return json_visible("[\n" + lines + "\n]\n")


def render_jsonl(view: View, columns: Sequence[str]) -> str:
    return json_visible("".join(_encode(r) + "\n" for r in view.records))


_NO_GROUP = object()
DISPUTED = "≠"  # marks a table cell whose field has conflicting statements
_BAR = 30  # cells the longest bar of a group takes when the terminal has room
_NARROWEST = 8  # cells a table column needs at least; a narrower terminal gets blocks
# Never broken across lines: dates, enums, and ids — the very strings a person types next.
_IDS = frozenset(
    {"id", "source"} | {s.key for sc in SCHEMAS.values() for s in sc.of_type(Type.LINK, Type.SLUG)}
)
_NO_WRAP = _DATES | _IDS | {"kind", "qualifier", "org_kind", "doc_kind", "unit", "match_rank"}
# Lists of ids or slugs: a line may break between two, never inside one.
_ID_IN_HEADING = r"\([a-z0-9]+(?:-[a-z0-9]+)*\)"  # compiled when a table is drawn (re caches it)
_ID_LISTS = frozenset(s.key for sc in SCHEMAS.values() for s in sc.of_type(Type.LINKS, Type.SLUGS))


def render_table(view: View, columns: Sequence[str]) -> RenderableType:
    """A Rich table; in a terminal too narrow for its columns, one block of lines a record."""
    return _TableOrBlocks(view, columns)


# A run of text that holds no line-break opportunity for Rich's wrapping: Latin words and
# numbers. Chinese may break between any two characters, where Rich sees one long word.
_UNBROKEN = r"[^\s\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]+"  # likewise
_TOKEN = _UNBROKEN + r"|\s+|."  # a Latin run, a space, or one Chinese character


def line_units(text: str) -> list[str]:
    """Text cut where a line may break: between Chinese characters and at spaces, never
    inside a Latin word, a number or an id, never before closing punctuation (，。」》”) nor
    after opening punctuation (「《“). Punctuation is told by its Unicode category (closing
    Pe, final quote Pf, other Po; opening Ps, initial quote Pi), after the line-breaking rules
    of UAX #14, without their 35-65 ms of tables (uniseg) on the table path."""
    import unicodedata  # only when a table is drawn

    units: list[str] = []
    for token in re.findall(_TOKEN, text):
        if units and (
            token.isspace()
            or unicodedata.category(token[0]) in ("Pe", "Pf", "Po")
            or unicodedata.category(units[-1][-1]) in ("Ps", "Pi")
        ):
            units[-1] += token
        else:
            units.append(token)
    return units


def wrapped(text: str, width: int) -> list[str]:
    """Text in lines of at most `width` cells, broken only between line units; a unit wider
    than a line is folded."""
    from rich.cells import cell_len, chop_cells

    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for unit in line_units(paragraph):
            if not line or cell_len((line + unit).rstrip()) <= width:
                line += unit
            else:
                lines.append(line.rstrip())
                line = unit.lstrip()
            while cell_len(line.rstrip()) > width:  # a unit wider than the line: fold it
                head, *_ = chop_cells(line, width)
                lines.append(head)
                line = line[len(head) :]
        lines.append(line.rstrip())
    return lines


@functools.lru_cache(maxsize=1)
def _flexible_class() -> type:
    from rich.cells import cell_len
    from rich.measure import Measurement
    from rich.text import Text

    class Flexible(Text):
        """Text that wraps by line units (see line_units), and whose narrowest is its widest
        unit: Rich measures a Chinese sentence as one long word, squeezes the columns of ids
        and dates to make room for it, then breaks it anywhere, a 「。」 first on a line."""

        def __rich_measure__(self, console: Any, options: Any) -> Any:
            units = line_units(self.plain)
            least = max([1, *(cell_len(u.rstrip()) for u in units)])
            return Measurement(least, max(least, cell_len(self.plain)))

        def __rich_console__(self, console: Any, options: Any) -> Any:
            lines = wrapped(self.plain, max(options.max_width, 1))
            yield from Text("\n".join(lines), no_wrap=True, overflow="fold").__rich_console__(
                console, options
            )

    return Flexible


def flexible(text: str) -> Any:
    """A table cell of text that may wrap (see _flexible_class)."""
    return _flexible_class()(text)


def _grouped(value: Any) -> str:
    """A number in a table, its thousands grouped (100,000,000); TSV, CSV and JSON never."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "" if value is None else str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    return format(value, ",")


class _TableOrBlocks:
    """Chooses the layout when Rich knows the width: a table when every column that wraps can
    be at least _NARROWEST cells wide (or its widest cell, if less) beside the columns that do
    not wrap (dates, numbers), else a block a record, so a 20-column terminal still shows every
    field rather than a table of dates. Each cell's text is made once, for either layout."""

    def __init__(self, view: View, columns: Sequence[str]) -> None:
        self.view = view
        if view.group is not None:
            columns = [c for c in columns if c not in view.grouped_by]
        self.columns = list(columns)
        self.names = [visible(c) for c in self.columns]  # what the headers show

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from rich.cells import cell_len

        view, columns = self.view, self.columns
        fold = _folder(view.lang)
        # A cell keeps its tabs and newlines (a Rich cell shows them); Rich would pass the
        # other controls but BEL, BS, VT, FF and CR to the terminal: each is shown escaped.
        numeric = [self._numeric(c) for c in columns]
        rows = [
            [
                _grouped(r.get(c)) if number else visible(_cell(view, r, c), lines=True)
                for c, number in zip(columns, numeric, strict=True)
            ]
            for r in view.records
        ]
        # A value that sources disagree on is marked (the table only: TSV, CSV and JSON give
        # the record's `conflicts`); `hetao conflicts` and `show` give the statements.
        self.disputed = False
        for row, r in zip(rows, view.records, strict=True):
            for i, c in enumerate(columns):
                if c in (r.get("conflicts") or ()):
                    row[i] += " " + DISPUTED
                    self.disputed = True
        group = view.group
        headings = [visible(fold(group(r, view.lang))) if group else "" for r in view.records]
        no_wrap = [self._no_wrap(c) for c in columns]
        needed = 2  # a cell's padding and rule take 3 a column, the table's edges 1 or 2 more
        # A heading's id, "(hetao-zone)", is never broken either.
        ids = [m for h in headings for m in re.findall(_ID_IN_HEADING, h)]
        self.heading_least = max(map(cell_len, ids), default=0)
        if view.group is not None:
            widest_heading = max(map(cell_len, headings), default=0)
            needed += max(min(_NARROWEST, widest_heading), self.heading_least) + 3
        widths = []
        self.least = []  # each column's narrowest: its header, or its longest id in a list
        self.fixed: list[int] = []  # each column's width when it is fixed, else 0
        self.widest: list[int] = []
        for i, name in enumerate(self.names):
            widest = max([cell_len(name), *(cell_len(row[i]) for row in rows)])
            least = max(min(_NARROWEST, widest), cell_len(name))  # a header is never broken
            if columns[i] in _ID_LISTS:
                # an id and the comma after it stand on one line
                least = max([least, *(cell_len(w) + 1 for row in rows for w in row[i].split(", "))])
            elif not no_wrap[i]:  # a Latin word or an id in text, "(shenzhen-park)", is not broken
                least = max(
                    [least, *(cell_len(u.rstrip()) for row in rows for u in line_units(row[i]))]
                )
            # Columns that never wrap, and lists of ids, get a fixed width: Rich would squeeze
            # them to make room for Chinese text, which it measures as one long word.
            fixed = widest if no_wrap[i] else least if columns[i] in _ID_LISTS else 0
            self.least.append(fixed or least)
            self.fixed.append(fixed)
            self.widest.append(widest)
            widths.append((widest if no_wrap[i] else least) + 3)
        # Low-value columns give way, one by one, before the table turns into blocks.
        kept = list(range(len(columns)))
        for name in view.give_way:
            if needed + sum(widths[i] for i in kept) <= options.max_width:
                break
            kept = [i for i in kept if columns[i] != name]
        if needed + sum(widths[i] for i in kept) <= options.max_width or not rows:
            left_out = [self.names[i] for i in range(len(columns)) if i not in kept]
            spare = options.max_width - needed - sum(widths[i] for i in kept)
            column_widths = self._shared_out([i for i in kept], max(spare, 0))
            # The bars take what the columns leave (a bar's padding and rule take 3), up to
            # _BAR cells: left to Rich, a bar too wide for the terminal cuts the counts.
            left = options.max_width - needed - sum(w + 3 for w in column_widths)
            table = self._table(
                [[row[i] for i in kept] for row in rows],
                headings,
                [no_wrap[i] for i in kept],
                [columns[i] for i in kept],
                [self.names[i] for i in kept],
                [self.least[i] for i in kept],
                column_widths,
                max(0, min(_BAR, left - 3)),
            )
            notes = [f"({', '.join(left_out)}: left out to fit; --fields shows them)"] * bool(
                left_out
            )
            if self.disputed:
                notes.append(f"({DISPUTED}: sources disagree; hetao conflicts lists them)")
            if notes:
                from rich.text import Text

                table.caption = Text(" ".join(notes))
            yield table
        else:
            yield from self._blocks(rows, headings)

    def _shared_out(self, kept: list[int], spare: int) -> list[int]:
        """Every kept column's width: a fixed one its own; one that wraps its narrowest plus a
        share of the spare cells in proportion to how much more it could show. Rich, left to
        itself, squeezes ids to make room for Chinese text it takes for one long word."""
        wants = {i: self.widest[i] - self.least[i] for i in kept if not self.fixed[i]}
        given = dict.fromkeys(wants, 0)
        for i in sorted(wants, key=wants.__getitem__):  # a short column whole first: cheap
            if wants[i] <= _NARROWEST and wants[i] <= spare:
                given[i], spare = wants[i], spare - wants[i]
        rest = {i: w for i, w in wants.items() if not given[i]}
        total = sum(rest.values())
        for i, want in rest.items():
            given[i] = min(want, spare * want // total) if total else 0
        return [self.fixed[i] or self.least[i] + given[i] for i in kept]

    def _numeric(self, column: str) -> bool:
        """Numeric by name only when it holds numbers: show's "value" column is text."""
        view = self.view
        return column == view.bars or (
            (column in _NUMBERS or column in view.numbers)
            and not any(isinstance(r.get(column), str) for r in view.records)
        )

    def _no_wrap(self, column: str) -> bool:
        return self._numeric(column) or column in _NO_WRAP

    def _table(
        self,
        rows: list[list[str]],
        headings: list[str],
        no_wrap: list[bool],
        columns: list[str],
        names: list[str],
        least: list[int],
        column_widths: list[int],
        bar_width: int,
    ) -> Any:
        from rich import box
        from rich.table import Table
        from rich.text import Text

        view = self.view
        title = visible(view.title) or None
        table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
        grouped = view.group is not None
        if grouped:
            table.add_column(
                "", style="bold", overflow="fold", max_width=30, min_width=self.heading_least
            )
        for c, name, fixed, narrowest, width in zip(
            columns, names, no_wrap, least, column_widths, strict=True
        ):
            right = self._numeric(c)
            table.add_column(
                name,
                overflow="fold",
                no_wrap=fixed,
                justify="right" if right else "left",
                min_width=narrowest,  # its header, or the longest id in a list: never broken
                width=width or None,
            )
        bars = view.bars if view.bars in columns and bar_width > 0 else ""
        if bars:
            table.add_column("", no_wrap=True, width=bar_width)
        top: dict[str, float] = {}
        if bars:
            for r, group in zip(view.records, headings, strict=True):
                top[group] = max(top.get(group, 0.0), float(r.get(bars) or 0))
        last_group: object = _NO_GROUP
        for r, texts, group in zip(view.records, rows, headings, strict=True):
            row: list[Text] = []
            if grouped:
                # The group's heading stands once, on its first row.
                if group != last_group and last_group is not _NO_GROUP:
                    table.add_section()
                row.append(Text(group if group != last_group else ""))
                last_group = group
            # Text objects are never parsed as markup, so a "[" in curated text stays as written.
            row += [
                Text(t) if fixed else flexible(t) for t, fixed in zip(texts, no_wrap, strict=True)
            ]
            if bars:
                most = top.get(group, 0.0)
                width = round(bar_width * float(r.get(bars) or 0) / most) if most else 0
                row.append(Text("█" * width, style="cyan"))
            table.add_row(*row)
        return table

    def _blocks(self, rows: list[list[str]], headings: list[str]) -> Any:
        """Each record as `field  value` lines, its group's heading above the first."""
        from rich.table import Table
        from rich.text import Text

        def grid() -> Table:
            g = Table.grid(padding=(0, 1))
            g.add_column(style="dim", overflow="fold")
            g.add_column(overflow="fold")
            return g

        if self.view.title:
            yield Text(visible(self.view.title), style="italic")
        if self.columns == ["field", "value"]:  # `show`: already a field a row, so one block
            fields = grid()
            for name, value in rows:
                fields.add_row(Text(name), Text(value))
            yield fields
            return
        last_group: object = _NO_GROUP
        for texts, group in zip(rows, headings, strict=True):
            if self.view.group is not None and group != last_group:
                yield Text(group, style="bold", overflow="fold")
                last_group = group
            block = grid()
            for name, t in zip(self.names, texts, strict=True):
                block.add_row(Text(name), Text(t))
            yield block
            yield Text("")


RENDERERS: dict[Format, Callable[[View, Sequence[str]], Any]] = {
    Format.TABLE: render_table,
    Format.TSV: render_tsv,
    Format.CSV: render_csv,
    Format.JSON: render_json,
    Format.JSONL: render_jsonl,
}


def render(
    view: View, fmt: Format, fields: Sequence[str] | None = None, excel: bool = False
) -> Any:
    """Check the chosen fields, then render in the chosen format (a str, or a Rich table);
    `excel`: CSV for a spreadsheet, render_excel.

    Machine formats keep only the chosen fields; the others show the chosen columns, each
    cell made from the whole record, so that a cell never depends on which fields are shown."""
    if excel and fmt is not Format.CSV:
        raise ValueError(f"excel is a kind of CSV, not of {fmt.value}")
    renderer = render_excel if excel else RENDERERS[fmt]
    if fields:
        check_fields(view, fields)
    if view.lines is not None and fmt is Format.TABLE:
        return "".join(f"{visible(line)}\n" for line in view.lines)
    if fmt in (Format.JSON, Format.JSONL):
        if fields:
            view = view._replace(records=select(view.records, fields))
        return RENDERERS[fmt](view, view.columns)
    if view.details is not None:
        return renderer(*_detail_view(view, fields, fmt in (Format.TSV, Format.CSV)))
    if fields:
        view, columns = view._replace(group=None), list(fields)
    elif fmt is Format.TABLE and view.table_columns:
        columns = list(view.table_columns)
    else:
        columns = list(view.columns)
    return renderer(view, columns)


def fields_of(view: View) -> list[str]:
    """Every field --fields may name for this view, in order."""
    known = view.known or tuple(dict.fromkeys(k for r in view.records for k in r))
    return list(dict.fromkeys([*known, *(d.of for d in view.details or ())]))


def arranged(
    view: View, sort: Sequence[str], reverse: bool = False, limit: int | None = None
) -> list[Record]:
    """The view's records sorted by each field in turn (numbers as numbers, dates in date
    order, text case-folded, blanks last), reversed, then cut to `limit`. A field such
    records do not have raises UnknownField."""
    records = list(view.records)
    if sort:
        check_fields(view, sort)
        records.sort(key=lambda r: tuple(_order_key(r.get(name)) for name in sort))
    if reverse:
        records.reverse()
    return records if limit is None else records[:limit]


def _order_key(value: Any) -> tuple[int, Any]:
    if value is None or value == "" or value == []:
        return (3, "")
    if isinstance(value, (int, float)):  # bools too: false before true
        return (0, value)
    if isinstance(value, list):
        value = ", ".join(_item_text(v) for v in value)
    # ISO dates sort as text in date order, a coarser date first: 2017 < 2017-01 < 2017-01-03
    return (1, str(value).casefold())


def check_fields(view: View, fields: Sequence[str]) -> None:
    """Raise UnknownField for a chosen field that such records do not have, even when the
    view has no records."""
    known = view.known or tuple(dict.fromkeys(k for r in view.records for k in r))
    select([], fields, [*known, *(d.of for d in view.details or ())])


def _detail_view(
    view: View, fields: Sequence[str] | None, machine: bool = False
) -> tuple[View, list[str]]:
    """A single record as a listing of field/value lines, the chosen ones in their order;
    `machine`: for TSV and CSV (see cell)."""
    details = view.details or ()
    record = view.records[0]
    rows = [
        {
            "field": d.label,
            "value": _cell(view, record, d.of, machine) if d.text is None else d.text,
        }
        for name in (fields or view.columns)
        for d in details
        if d.of == name
    ]
    # The texts are final, in the language asked for (a quote verbatim): not converted again.
    return View(rows, ["field", "value"], title=view.title, english={}), [
        "field",
        "value",
    ]
