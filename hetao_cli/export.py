"""`hetao export`: every kind, every field, every citation, in one go, as a SQLite database
(for Datasette), CSV files, one JSON object keyed by kind, or JSON lines.

Everything here follows from the schema: a table (or a CSV file) per Kind, a column per
declared field, a foreign key per link, full-text search over the fields search ranks as
names plus the quote, and a view per list of links. A new kind or field needs no change here.

The writers that make files write each to a temporary file beside it and rename it into place
when it is whole, so a reader never sees half a file; they never write to a fact file. The
text writers (JSON, JSONL) return their text, for the CLI to print or write. sqlite-utils is
imported only when a database is written.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from enum import Enum
from pathlib import Path
from typing import Any, NamedTuple

from . import __version__
from .model import SCHEMAS, Citation, Entry, FactBook, Kind, PartialDate
from .output import ExportFormat, json_visible, visible
from .schema import ID, Search, Type
from .views import json_number, record_of

Row = dict[str, Any]

ENTRIES = "entries"  # every entry's id, kind and label: what a link to any kind points at
CITATIONS = "citations"
STATEMENTS = "statements"
TOKENIZER = "trigram"  # substrings of three characters or more, in any script (see docs)
LISTS = (Type.TEXTS, Type.SLUGS, Type.LINKS)


class TargetExists(ValueError):
    """The output is there already and --force was not given."""


class FactFileTarget(ValueError):
    """The output would overwrite a fact file: never, --force or not."""


class Column(NamedTuple):
    """A column of an exported table: its name, its Python type, what it holds, and the
    table a value names (a foreign key), if any."""

    name: str
    type: type
    doc: str
    links: str = ""
    listed: bool = False  # a list, held as JSON text
    flag: bool = False  # true or false, held as 1 or 0 (CSV: true, false)


class Table(NamedTuple):
    """An exported table: its name, columns, primary key, what it holds, and its rows."""

    name: str
    columns: tuple[Column, ...]
    pk: tuple[str, ...]
    doc: str
    rows: Callable[[], Iterable[Row]]
    search: tuple[str, ...] = ()  # the columns full-text search looks in
    label: str = ""  # the column that names a row, for Datasette's links
    facets: tuple[str, ...] = ()  # the columns Datasette facets by default
    pairs: str = ""  # a list of links as pairs: the field's JSON key (event_orgs: "orgs")


# ---------------------------------------------------------------------------------------------
# The tables, from the schema


def _target(kinds: Sequence[str]) -> str:
    """The table a link names: its one kind's, or `entries` when it may name several."""
    return kinds[0] if len(kinds) == 1 else ENTRIES


def label_key(kind: Kind) -> str:
    """The field that names an entry of this kind: its first required name (name, title,
    subject)."""
    schema = SCHEMAS[kind]
    for s in schema.fields:
        if s.field.search is Search.NAME and s.field.holds is Type.TEXT and s.field.required:
            return s.key
    return "id"


def kind_columns(kind: Kind) -> tuple[Column, ...]:
    """Each field of a kind as columns: a date as its text, precision and approximate flag; a
    list as JSON text; then the first citation's source and quote, as the JSON record has."""
    columns = [Column("id", str, ID.doc)]
    for s in SCHEMAS[kind].fields:
        f, key = s.field, s.key
        target = _target(f.links) if f.holds is Type.LINK else ""
        if f.holds is Type.DATE:
            columns += [
                Column(key, str, f"{f.doc}: YYYY, YYYY-MM or YYYY-MM-DD"),
                Column(f"{key}_precision", str, f"the precision of {key}: year, month or day"),
                Column(f"{key}_approximate", int, f"1 where {key} is given vaguely", flag=True),
            ]
        elif f.holds is Type.NUMBER:
            columns.append(Column(key, float, f.doc))
        elif f.holds is Type.FLAG:
            columns.append(Column(key, int, f"{f.doc} (1 true, 0 false)", flag=True))
        elif f.holds in LISTS:
            columns.append(Column(key, str, f"{f.doc} (a JSON array)", listed=True))
        else:
            columns.append(Column(key, str, f.doc, target))
    columns += [
        Column("source", str, "the source of its first citation", Kind.SOURCE.value),
        Column("quote", str, "its first citation's quote, verbatim"),
    ]
    return tuple(columns)


def _kind_row(columns: Sequence[Column]) -> Callable[[Entry], Row]:
    names = [c.name for c in columns]
    lists = {c.name for c in columns if c.listed}

    def row(entry: Entry) -> Row:
        r = record_of(entry)
        out = {name: r[name] for name in names}
        for name in lists:
            out[name] = json.dumps(out[name], ensure_ascii=False)
        return out

    return row


def _plain(value: Any) -> Any:
    """A citation's or statement's value as a column holds it."""
    if isinstance(value, PartialDate):
        return value.iso()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float):
        return json_number(value)
    if isinstance(value, (tuple, list)):
        return json.dumps([_plain(v) for v in value], ensure_ascii=False)
    return value


def statement_rows(entry: Entry) -> Iterator[Row]:
    """The statements table's rows of an entry: each alternative value of a field, with its
    source, quote and the rest its record holds, in its record's order.

    A hook for the multi-source model (issue 11): an entry whose record has no `statements`
    yields no rows, and the table is made only when some entry yields one."""
    for position, statement in enumerate(getattr(entry, "statements", ()), 1):
        yield {
            "entry": entry.id,
            "position": position,
            **{k: _plain(v) for k, v in statement._asdict().items()},
        }


def tables(book: FactBook) -> list[Table]:
    """Every table of the export, in the order they are made."""
    made = [
        Table(
            ENTRIES,
            (
                Column("id", str, ID.doc),
                Column("kind", str, "its kind: the table it stands in"),
                Column("label", str, "its name, title or subject, as the source writes it"),
                Column("label_en", str, "the same in English, where the facts give it"),
            ),
            ("id",),
            "Every entry of every kind: what a link to an entry of any kind points at.",
            lambda: _entry_rows(book),
            label="label",
            facets=("kind",),
        )
    ]
    for kind in Kind:
        columns = kind_columns(kind)
        row = _kind_row(columns)
        schema = SCHEMAS[kind]
        names = [s.key for s in schema.fields if s.field.search is Search.NAME]
        made.append(
            Table(
                kind.value,
                columns,
                ("id",),
                f"Each {kind.value}: {schema.record.__doc__ or ''}".strip(),
                _rows_of(book, kind, row),
                # Names only: every quote is searched in citations, and indexing each twice
                # cost a second at 100,000 entries (measured), as did the labels in entries.
                search=tuple(names),
                label=label_key(kind),
                facets=tuple(s.key for s in schema.of_type(Type.CHOICE))
                + tuple(f"{s.key}_precision" for s in schema.of_type(Type.DATE)),
            )
        )
    for kind in Kind:
        for s in SCHEMAS[kind].of_type(Type.LINKS):
            made.append(_link_table(book, kind, s.name, s.key, _target(s.field.links)))
    cited = tuple(Citation._fields)
    made.append(
        Table(
            CITATIONS,
            (
                Column("entry", str, "the entry the quote backs", ENTRIES),
                Column("position", int, "its place among the entry's citations, from 1"),
                *(_citation_column(name) for name in cited),
            ),
            ("entry", "position"),
            "Every citation: the quote, verbatim, from the source that backs an entry, or one "
            "field of it.",
            lambda: _citation_rows(book),
            search=("quote",),
            label="quote",
            facets=("source", "field"),
        )
    )
    if any(True for e in book.entries() for _ in statement_rows(e)):
        made.append(
            Table(
                STATEMENTS,
                (),  # the columns are the statements' own: sqlite-utils takes them from the rows
                ("entry", "position"),
                "Alternative values of a field, each with its source, quote and rank.",
                lambda: (r for e in book.entries() for r in statement_rows(e)),
            )
        )
    return made


def _rows_of(
    book: FactBook, kind: Kind, row: Callable[[Entry], Row]
) -> Callable[[], Iterator[Row]]:
    return lambda: map(row, book.of_kind(kind))


def _citation_column(name: str) -> Column:
    docs = {
        "source": ("the source the quote stands in", Kind.SOURCE.value),
        "quote": ("a verbatim excerpt of the source", ""),
        "field": ("the field the quote backs; empty for the entry as a whole", ""),
    }
    doc, links = docs.get(name, (name.replace("_", " "), ""))
    return Column(name, str, doc, links)


def _entry_rows(book: FactBook) -> Iterator[Row]:
    for kind in Kind:
        schema = SCHEMAS[kind]
        label = schema.spec(label_key(kind))
        english = schema.spec(label.field.english) if label else None
        at = label.position if label else 0  # the id
        at_en = english.position if english else -1
        for e in book.of_kind(kind):
            yield {"id": e.id, "kind": kind.value, "label": e[at],
                   "label_en": e[at_en] if at_en >= 0 else ""}  # fmt: skip


def _citation_rows(book: FactBook) -> Iterator[Row]:
    for e in book.entries():
        for position, c in enumerate(e.citations, 1):
            yield {"entry": e.id, "position": position, **{k: _plain(v) for k, v in
                                                          c._asdict().items()}}  # fmt: skip


def _link_table(book: FactBook, kind: Kind, field: str, key: str, target: str) -> Table:
    """A list of links as a table of pairs: `event_orgs` (event, org, position)."""
    own = kind.value
    other = target if target not in (own, ENTRIES) else "target"
    position = SCHEMAS[kind].spec(field)
    assert position is not None
    at = position.position

    def rows() -> Iterator[Row]:
        for e in book.of_kind(kind):
            linked_ids: tuple[str, ...] = e[at]  # type: ignore[assignment]
            for i, linked in enumerate(linked_ids, 1):
                yield {own: e.id, other: linked, "position": i}

    return Table(
        f"{own}_{key}",
        (
            Column(own, str, f"the {own}", own),
            Column(other, str, f"an entry its {key} names", target),
            Column("position", int, f"its place in the {own}'s {key}, from 1"),
        ),
        (own, "position"),  # a list may name an entry twice: the pair is no key
        f"Each {own} with each entry its {key} names: one row a pair.",
        rows,
        pairs=key,
    )


# ---------------------------------------------------------------------------------------------
# SQLite, for Datasette


def write_sqlite(book: FactBook, target: Path) -> dict[str, int]:
    """The database, written to a temporary file and renamed to `target` when whole; the
    rows of each table."""
    counts: dict[str, int] = {}

    def write(path: Path) -> None:
        counts.update(_fill(book, path))

    _atomically(target, write)
    return counts


def _fill(book: FactBook, path: Path) -> dict[str, int]:
    import sqlite_utils

    db = sqlite_utils.Database(path)
    # A new file, renamed into place only when whole: a journal would protect nothing.
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    made = tables(book)
    counts: dict[str, int] = {}
    with db.conn:
        for t in made:
            counting = _Counted(t.rows())
            if t.columns:
                columns = {c.name: c.type for c in t.columns}
                foreign = [(c.name, c.links, "id") for c in t.columns if c.links]
                db[t.name].create(columns, pk=_pk(t.pk), foreign_keys=foreign)  # type: ignore[union-attr]
                # The table is typed already, and each value is a str, number or None: rows go
                # in as they are. insert_all, which checks and converts every value, took 3 s
                # more of 5 at 100,000 entries (measured).
                names = [c.name for c in t.columns]
                listed = ", ".join(f'"{n}"' for n in names)
                marks = ", ".join("?" for _ in names)
                db.conn.executemany(
                    f'INSERT INTO "{t.name}" ({listed}) VALUES ({marks})',
                    ([row[n] for n in names] for row in counting),
                )
            else:  # statements: the columns are the rows' own, and sqlite-utils finds them
                db[t.name].insert_all(counting, pk=_pk(t.pk))  # type: ignore[union-attr]
            counts[t.name] = counting.count
    for t in made:
        if t.search:
            db[t.name].enable_fts(list(t.search), tokenize=TOKENIZER)  # type: ignore[union-attr]
        for c in t.columns:
            if c.links and c.name not in t.pk[:1]:
                db[t.name].create_index([c.name])  # type: ignore[union-attr]
    for name, sql in views(made):
        db.create_view(name, sql)
    db.close()
    return counts


def _pk(pk: tuple[str, ...]) -> str | tuple[str, ...]:
    return pk[0] if len(pk) == 1 else pk


class _Counted:
    """An iterable of rows that counts them as sqlite-utils takes them."""

    def __init__(self, rows: Iterable[Row]) -> None:
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[Row]:
        for row in self.rows:
            self.count += 1
            yield row


def views(made: Sequence[Table]) -> list[tuple[str, str]]:
    """The common joins, as views: each list of links with the names on both sides
    (`event_with_orgs`: an event's date and title beside each org's name), and each citation
    with its entry's label and its source's title, publisher, date and URL."""
    by_name = {t.name: t for t in made}
    found: list[tuple[str, str]] = []
    for t in made:
        if not t.pairs:
            continue
        own, other = t.columns[0], t.columns[1]
        key = t.pairs
        owner, linked = by_name[own.links], by_name[other.links]
        dates = [c.name for c in owner.columns if c.name.endswith("_precision")]
        shown = [f'a."{d[: -len("_precision")]}"' for d in dates]
        select = ", ".join(
            [f'a.id AS "{own.name}"', *shown, f'a."{owner.label}" AS "{own.name}_{owner.label}"',
             'l.position AS position', f'b.id AS "{other.name}"',
             f'b."{linked.label}" AS "{other.name}_{linked.label}"']
        )  # fmt: skip
        found.append(
            (
                f"{own.name}_with_{key}",
                f'SELECT {select} FROM "{own.name}" AS a '
                f'JOIN "{t.name}" AS l ON l."{own.name}" = a.id '
                f'JOIN "{linked.name}" AS b ON b.id = l."{other.name}" '
                f"ORDER BY a.id, l.position",
            )
        )
    source = by_name[Kind.SOURCE.value]
    about = [c.name for c in source.columns if c.name not in ("id", "source", "quote")]
    cited = ", ".join(f'c."{c.name}"' for c in by_name[CITATIONS].columns)
    of_source = ", ".join(f's."{name}" AS "source_{name}"' for name in about)
    found.append(
        (
            "citation_with_source",
            f"SELECT {cited}, e.kind AS entry_kind, e.label AS entry_label, {of_source} "
            f'FROM "{CITATIONS}" AS c JOIN "{ENTRIES}" AS e ON e.id = c.entry '
            f'JOIN "{source.name}" AS s ON s.id = c.source ORDER BY c.entry, c.position',
        )
    )
    return found


# ---------------------------------------------------------------------------------------------
# Datasette's metadata


def metadata(book: FactBook, database: str) -> dict[str, Any]:
    """Datasette's metadata for the database: its title, description, sources and licences,
    and a description of every table and column (`datasette x.db -m x.metadata.json`)."""
    made = tables(book)
    sources = book.sources
    licences = sorted({s.licence for s in sources if s.licence})
    urls = [s.url for s in sources if s.url]
    described: dict[str, Any] = {}
    for t in made:
        entry: dict[str, Any] = {
            "description": t.doc,
            "columns": {c.name: c.doc for c in t.columns},
        }
        if t.label:
            entry["label_column"] = t.label
        if t.facets:
            entry["facets"] = list(t.facets)
        if t.search:
            entry["fts_table"] = f"{t.name}_fts"
        described[t.name] = entry
    for name, _ in views(made):
        described[name] = {"description": "A view: " + name.replace("_", " ") + "."}
    if len(sources) == 1:
        s = sources[0]
        source = f"{s.publisher}: {s.title} ({s.published})"
    else:
        source = f"{len(sources)} sources: see the source table"
    meta: dict[str, Any] = {
        "title": "hetao: facts of the Hetao Shenzhen-Hong Kong Science and Technology "
        "Innovation Cooperation Zone",
        "description": (
            f"{len(book)} entries, each with the verbatim quote it comes from, exported by "
            f"hetao {__version__}. The citations table holds every quote; full-text search "
            f"({TOKENIZER}) finds any run of three characters or more, in Chinese or English."
        ),
        "source": source,
        "license": licences[0] if len(licences) == 1 else
        "each source's own: see the licence column of the source table",
        "about": "hetao",
        "about_url": "https://github.com/hetao-cli/hetao",
        "databases": {database: {"tables": described}},
    }  # fmt: skip
    if len(urls) == 1:
        meta["source_url"] = urls[0]
    return meta


def metadata_path(target: Path) -> Path:
    """Where Datasette's metadata goes beside a database: x.db → x.metadata.json."""
    return target.with_name(f"{target.stem}.metadata.json")


# ---------------------------------------------------------------------------------------------
# CSV, JSON, JSONL


def csv_files(book: FactBook, folder: Path) -> list[Path]:
    """The files `--format csv -o DIR` writes: one a kind, then citations (and statements)."""
    names = [t.name for t in tables(book) if t.name in {k.value for k in Kind}]
    names.append(CITATIONS)
    if any(True for e in book.entries() for _ in statement_rows(e)):
        names.append(STATEMENTS)
    return [folder / f"{name}.csv" for name in names]


def write_csv(book: FactBook, folder: Path, bom: bool = False) -> dict[str, int]:
    """A CSV file a kind, then citations.csv: UTF-8 (with a byte-order mark for a spreadsheet
    when `bom`), lists as JSON text, booleans true and false, each file renamed into place
    when whole."""
    wanted = {p.stem for p in csv_files(book, folder)}
    counts: dict[str, int] = {}
    for t in tables(book):
        if t.name not in wanted:
            continue
        flags = {c.name for c in t.columns if c.flag}
        names = [c.name for c in t.columns]
        rows = list(t.rows())
        if not names:
            names = list(dict.fromkeys(k for r in rows for k in r))
        buf = io.StringIO()
        if bom:
            buf.write("\ufeff")
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(names)
        for r in rows:
            writer.writerow([_csv_cell(r.get(n), n in flags) for n in names])
        counts[t.name] = len(rows)
        _write_text(folder / f"{t.name}.csv", buf.getvalue())
    return counts


def _csv_cell(value: Any, flag: bool) -> str:
    if value is None:
        return ""
    if flag or isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return json.dumps(json_number(value))
    # Controls shown as escapes, as every CSV hetao writes (and 3.10's csv cannot write NUL).
    return visible(str(value), lines=True)


def render_json(book: FactBook) -> str:
    """One object keyed by kind, each an array of its records, one record a line."""
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    parts = []
    for kind in Kind:
        records = ",\n".join("    " + encode(record_of(e)) for e in book.of_kind(kind))
        parts.append(f'  "{kind.value}": [\n{records}\n  ]' if records else f'  "{kind.value}": []')
    return json_visible("{\n" + ",\n".join(parts) + "\n}\n")


def render_jsonl(book: FactBook) -> str:
    """One record a line, every kind, each with its `kind`."""
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    return json_visible("".join(encode(record_of(e)) + "\n" for e in book.entries()))


# The text each format renders; sqlite and csv write files instead (WRITERS).
RENDERERS: dict[ExportFormat, Callable[[FactBook], str]] = {
    ExportFormat.JSON: render_json,
    ExportFormat.JSONL: render_jsonl,
}
# Every format, mapped once: what writes it to a path (a file, or a folder for csv).
WRITERS: dict[ExportFormat, Callable[[FactBook, Path, bool], dict[str, int]]] = {
    ExportFormat.SQLITE: lambda book, path, bom: write_sqlite(book, path),
    ExportFormat.CSV: write_csv,
    ExportFormat.JSON: lambda book, path, bom: _text_file(path, render_json(book), book),
    ExportFormat.JSONL: lambda book, path, bom: _text_file(path, render_jsonl(book), book),
}


def _text_file(path: Path, text: str, book: FactBook) -> dict[str, int]:
    _write_text(path, text)
    return {kind.value: len(book.of_kind(kind)) for kind in Kind}


def _write_text(path: Path, text: str) -> None:
    """UTF-8 text, renamed into place when whole; newlines as written, on every system."""

    def write(p: Path) -> None:
        p.write_bytes(text.encode("utf-8"))

    _atomically(path, write)


# ---------------------------------------------------------------------------------------------
# Where the output goes


def targets(fmt: ExportFormat, output: Path, book: FactBook) -> list[Path]:
    """Every file an export to `output` writes."""
    if fmt is ExportFormat.CSV:
        return csv_files(book, output)
    if fmt is ExportFormat.SQLITE:
        return [output, metadata_path(output)]
    return [output]


def check_targets(paths: Sequence[Path], fact_files: Sequence[Path], force: bool) -> None:
    """Raise FactFileTarget when a path is a fact file (whatever --force says), TargetExists
    when one is there already and not `force`."""
    facts = {_real(f) for f in fact_files}
    for p in paths:
        if _real(p) in facts:
            raise FactFileTarget(f"{p} is a fact file; hetao never writes to one")
    if not force:
        there = [p for p in paths if os.path.lexists(p)]
        if there:
            raise TargetExists(f"{there[0]} exists; --force replaces it")


def _real(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def export(book: FactBook, fmt: ExportFormat, output: Path, bom: bool = False) -> dict[str, int]:
    """Write the export to `output` (a file, or a folder for csv, made if need be); the rows
    of each table or file. Datasette's metadata goes beside a database."""
    if fmt is ExportFormat.CSV:
        output.mkdir(parents=True, exist_ok=True)
    counts = WRITERS[fmt](book, output, bom)
    if fmt is ExportFormat.SQLITE:
        text = json.dumps(metadata(book, output.stem), ensure_ascii=False, indent=2) + "\n"
        _write_text(metadata_path(output), text)
    return counts


def _atomically(target: Path, write: Callable[[Path], None]) -> None:
    """Write to a new temporary file beside `target`, then rename it over `target`: a reader
    sees the old file or the whole new one, never a part. The temporary file goes on failure."""
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        write(temporary)  # sqlite takes an empty file for an empty database
        # mkstemp makes it private (0600); the result gets the modes of any new file.
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
