"""`hetao export`: the bundled facts as a SQLite database (for Datasette), CSV files, JSON and
JSONL. The database is made once, by a real `python -m hetao_cli` process, and read back with
the stdlib's sqlite3 and with Datasette's own test client; the expected values come from
facts.toml itself (read here with tomli), from other commands, or are written by hand."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli
from conftest import ASSETS, SOURCES, hetao, invoke

from hetao_cli.load import bundled_path, load
from hetao_cli.model import Kind, OrgKind

FACTS = bundled_path()
SHARED_SOURCES = Path(__file__).resolve().parents[1].parent / "shared" / "sources"
KINDS = [k.value for k in Kind]
BOOK = load()
LINK_TABLES = ["event_orgs", "event_people", "event_documents", "person_orgs", "document_issuers"]


def toml_facts(path: Path = FACTS) -> dict[str, list[dict[str, Any]]]:
    return tomli.loads(path.read_text(encoding="utf-8"))


def quotes_in(facts: dict[str, list[dict[str, Any]]]) -> list[tuple[str, str, str]]:
    """(entry, source, quote) of every citation the TOML writes: an entry's own quote, then
    its more_citations (whose source defaults to the entry's)."""
    found = []
    for entries in facts.values():
        for e in entries:
            own = e.get("source", e["id"])
            if "quote" in e:
                found.append((e["id"], own, e["quote"]))
            found += [
                (e["id"], m.get("source", own), m["quote"]) for m in e.get("more_citations", [])
            ]
    return found


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled facts as a database, by a real process, as a user would make it."""
    folder = tmp_path_factory.mktemp("export")
    proc = hetao("export", "--format", "sqlite", "-o", folder / "x.db")
    assert proc.returncode == 0, proc.stderr
    assert b"wrote" in proc.stderr and b"Traceback" not in proc.stderr
    return folder / "x.db"


@pytest.fixture()
def db(exported: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(f"file:{exported}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


# ---------------------------------------------------------------------------------------------
# SQLite


def test_row_counts_equal_stats(db: sqlite3.Connection) -> None:
    stats = json.loads(invoke("stats", "--json").stdout)
    counts = {r["key"]: r["count"] for r in stats if r["group"] == "kind"}
    assert set(counts) == set(KINDS)
    for kind, count in counts.items():
        assert db.execute(f'SELECT count(*) FROM "{kind}"').fetchone()[0] == count, kind
    assert (
        db.execute("SELECT count(*) FROM entries").fetchone()[0]
        == sum(counts.values())
        == len(BOOK)
    )


def test_the_tables_views_and_search_tables(db: sqlite3.Connection) -> None:
    def names(type_: str) -> set[str]:
        rows = db.execute("SELECT name FROM sqlite_master WHERE type = ?", (type_,))
        return {r[0] for r in rows}

    tables = {t for t in names("table") if "_fts" not in t}
    assert tables == {*KINDS, *LINK_TABLES, "entries", "citations", "statements"}
    assert names("view") == {
        "event_with_orgs", "event_with_people", "event_with_documents", "person_with_orgs",
        "document_with_issuers", "citation_with_source",
    }  # fmt: skip
    searched = {t[: -len("_fts")] for t in names("table") if t.endswith("_fts")}
    assert searched == {*KINDS, "citations"}


def test_every_citation_is_a_row(db: sqlite3.Connection) -> None:
    rows = db.execute("SELECT entry, source, quote FROM citations ORDER BY entry, position")
    expected = sorted(quotes_in(toml_facts()))
    assert sorted(tuple(r) for r in rows) == expected
    assert len(expected) == sum(len(e.citations) for e in BOOK.entries())


@pytest.mark.skipif(
    not SHARED_SOURCES.is_dir(), reason="../shared/sources is not beside the checkout"
)
def test_every_citation_stands_verbatim_in_its_source(db: sqlite3.Connection) -> None:
    rows = db.execute("SELECT entry, source, quote FROM citations").fetchall()
    assert rows
    for entry, source, quote in rows:
        text = (SHARED_SOURCES / f"{source}.txt").read_text(encoding="utf-8")
        assert quote in text, (entry, quote)


def test_the_demo_facts_quotes_stand_in_their_source(tmp_path: Path) -> None:
    out = tmp_path / "demo.db"
    assert invoke("export", "-o", out, "--facts", ASSETS / "valid.toml").exit_code == 0
    with sqlite3.connect(out) as conn:
        rows = conn.execute("SELECT source, quote FROM citations").fetchall()
    assert len(rows) == len(quotes_in(toml_facts(ASSETS / "valid.toml")))
    for source, quote in rows:
        assert quote in (SOURCES / f"{source}.txt").read_text(encoding="utf-8"), quote


def test_a_row_holds_the_entry_s_fields(db: sqlite3.Connection) -> None:
    siqa = dict(db.execute("SELECT * FROM org WHERE id = 'siqa'").fetchone())
    assert siqa == {  # as facts.toml writes it
        "id": "siqa", "name": "深圳國際量子研究院", "org_kind": "institute",
        "name_en": "Shenzhen International Quantum Academy", "name_en_official": 1,
        "aliases": '["SIQA"]', "fields": '["quantum"]', "area": "shenzhen-park", "parent": None,
        "source": "nanfang-2023-12-18",
        "quote": "中國科學院院士俞大鵬帶領團隊籌建的深圳國際量子研究院,是河套合作區深圳園區最先"
                 "引入的國家重大科研平台之一。",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "entry_id"),
    [("source", "nanfang-2023-12-18"), ("area", "hetao-zone"), ("event", "2017-01-memorandum"),
     ("figure", "siqa-patents"), ("org", "siqa"), ("person", "yu-dapeng"),
     ("document", "gba-outline-plan")],
)  # fmt: skip
def test_every_field_is_a_column(db: sqlite3.Connection, kind: str, entry_id: str) -> None:
    record = json.loads(invoke("show", entry_id, "--json").stdout)
    columns = [r[1] for r in db.execute(f'PRAGMA table_info("{kind}")')]
    # Citations and statements are tables of their own.
    left = ("kind", "citations", "links", "recomputed", "statements", "conflicts")
    shown = [k for k in record if k not in left]
    assert columns == shown


def test_every_statement_is_a_row(db: sqlite3.Connection) -> None:
    rows = db.execute("SELECT entry, field, source, quote, rank FROM statements").fetchall()
    expected = [
        (e.id, s.field, s.source, s.quote, s.rank.value)
        for e in BOOK.entries()
        for s in e.statements
    ]
    assert expected  # the sources disagree, or refine each other, somewhere
    assert sorted(tuple(r) for r in rows) == sorted(expected)


def test_links_are_foreign_keys(db: sqlite3.Connection) -> None:
    def keys(table: str) -> set[tuple[str, str]]:
        return {(r[3], r[2]) for r in db.execute(f'PRAGMA foreign_key_list("{table}")')}

    assert keys("event") == {("area", "area"), ("source", "source")}
    assert keys("org") == {("area", "area"), ("parent", "org"), ("source", "source")}
    assert keys("figure") == {("scope", "entries"), ("source", "source")}  # any kind
    assert keys("event_orgs") == {("event", "event"), ("org", "org")}
    assert keys("citations") == {("entry", "entries"), ("source", "source")}
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_full_text_search_finds_chinese_and_english(db: sqlite3.Connection) -> None:
    def found(table: str, text: str) -> set[str]:
        rows = db.execute(
            f'SELECT t.id FROM "{table}" t JOIN "{table}_fts" f ON f.rowid = t.rowid '
            f'WHERE "{table}_fts" MATCH ?',
            (f'"{text}"',),  # a quoted phrase, as Datasette escapes a search
        )
        return {r[0] for r in rows}

    assert "siqa" in found("org", "國際量子")
    assert "siqa" in found("org", "quantum")  # name_en, in any case
    assert "quantum-joint-lab" in found("org", "Quantum Science")
    assert "siqa" in found("org", "SIQA")  # an alias
    # Every quote is searched in citations: siqa's own quote holds 深圳國際量子研究院.
    cited = db.execute(
        "SELECT c.entry FROM citations c JOIN citations_fts f ON f.rowid = c.rowid "
        "WHERE citations_fts MATCH ?",
        ('"國際量子"',),
    )
    assert "siqa" in {r[0] for r in cited}


def test_a_view_joins_events_and_their_orgs(db: sqlite3.Connection) -> None:
    rows = db.execute(
        "SELECT org, org_name, event_title FROM event_with_orgs "
        "WHERE event = '2017-01-memorandum' ORDER BY position"
    ).fetchall()
    title = "香港特別行政區政府和深圳市人民政府簽署合作備忘錄,共同開發河套合作區"
    assert [tuple(r) for r in rows] == [  # orgs = ["hksar-gov", "shenzhen-gov"] in facts.toml
        ("hksar-gov", "香港特別行政區政府", title),
        ("shenzhen-gov", "深圳市人民政府", title),
    ]


def test_the_metadata_describes_every_table_and_column(
    exported: Path, db: sqlite3.Connection
) -> None:
    meta = json.loads(exported.with_name("x.metadata.json").read_text(encoding="utf-8"))
    assert meta["title"].startswith("hetao")
    # Fourteen sources, fourteen licences: the metadata points at the source table's.
    assert meta["license"] == "each source's own: see the licence column of the source table"
    assert meta["source"] == f"{len(BOOK.sources)} sources: see the source table"
    tables = meta["databases"]["x"]["tables"]
    for table in (*KINDS, *LINK_TABLES, "entries", "citations"):
        described = tables[table]
        assert described["description"]
        columns = [r[1] for r in db.execute(f'PRAGMA table_info("{table}")')]
        assert set(described["columns"]) == set(columns), table
        assert all(described["columns"].values()), table
    assert tables["org"]["columns"]["name_en_official"].startswith(
        "true only where name_en is its established English name"  # the schema's doc line
    )
    assert tables["org"]["label_column"] == "name"


# ---------------------------------------------------------------------------------------------
# Datasette, in-process


def test_datasette_serves_it(exported: Path) -> None:
    datasette = pytest.importorskip("datasette.app")
    meta = json.loads(exported.with_name("x.metadata.json").read_text(encoding="utf-8"))

    async def answers() -> dict[str, Any]:
        ds = datasette.Datasette([str(exported)], metadata=meta)
        await ds.invoke_startup()
        got: dict[str, Any] = {}
        for name, path in {
            "database": "/x.json",
            "facet": "/x/org.json?_facet=org_kind&_size=0",
            "search_zh": "/x/org.json?_search=國際量子&_shape=array",
            "search_en": "/x/org.json?_search=quantum&_shape=array",
            "labels": "/x/event.json?id=2017-01-memorandum&_labels=on&_shape=array",
            "view": "/x/event_with_orgs.json?event=2017-01-memorandum&_shape=array",
            "page": "/x/org",
            "metadata": "/-/metadata.json",
        }.items():
            response = await ds.client.get(path)
            assert response.status_code == 200, (path, response.text[:500])
            got[name] = response.text if name == "page" else response.json()
        return got

    got = asyncio.run(answers())
    tables = {t["name"]: t for t in got["database"]["tables"]}
    assert {*KINDS, "citations", "entries"} <= set(tables)
    orgs = len(BOOK.orgs)
    assert tables["org"]["count"] == orgs and tables["org"]["fts_table"] == "org_fts"
    facet = got["facet"]["facet_results"]["org_kind"]["results"]
    institutes = sum(o.kind is OrgKind.INSTITUTE for o in BOOK.orgs)
    assert institutes >= 5  # the article alone names five
    assert {f["value"]: f["count"] for f in facet}["institute"] == institutes
    assert sum(f["count"] for f in facet) == orgs
    assert "siqa" in {r["id"] for r in got["search_zh"]}
    assert {r["id"] for r in got["search_en"]} >= {"siqa", "quantum-joint-lab"}
    (event,) = got["labels"]
    assert event["area"] == {"value": "hetao-zone", "label": "河套深港科技創新合作區"}
    assert [r["org"] for r in got["view"]] == ["hksar-gov", "shenzhen-gov"]
    assert "深圳國際量子研究院" in got["page"]
    assert "what sort of body it is" in got["page"]  # a column's description
    assert got["metadata"]["title"] == meta["title"]


# ---------------------------------------------------------------------------------------------
# Writing files: never a fact file, never over a file without --force, always whole


def _snapshot(*paths: Path) -> dict[Path, tuple[bytes, int]]:
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in paths}


def test_export_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    out = tmp_path / "x.db"
    out.write_bytes(b"mine")
    refused = invoke("export", "-o", out)
    assert refused.exit_code == 2
    assert "x.db exists; --force replaces it" in refused.stderr
    assert out.read_bytes() == b"mine"
    replaced = invoke("export", "-o", out, "--force")
    assert replaced.exit_code == 0, replaced.stderr
    with sqlite3.connect(out) as conn:
        assert conn.execute("SELECT count(*) FROM org").fetchone()[0] == len(BOOK.orgs)


def test_the_metadata_beside_counts_too(tmp_path: Path) -> None:
    (tmp_path / "x.metadata.json").write_text("{}", encoding="utf-8")
    refused = invoke("export", "-o", tmp_path / "x.db")
    assert refused.exit_code == 2
    assert not (tmp_path / "x.db").exists()


def test_export_never_writes_a_fact_file(tmp_path: Path) -> None:
    facts = tmp_path / "facts.toml"
    facts.write_bytes(FACTS.read_bytes())
    before = _snapshot(facts)
    for fmt in ("json", "jsonl", "sqlite"):
        result = invoke("export", "--format", fmt, "-o", facts, "--force", "--facts", facts)
        assert result.exit_code == 2, fmt
        assert "is a fact file; hetao never writes to one" in result.stderr
    assert _snapshot(facts) == before
    invoke("export", "-o", tmp_path / "x.db", "--facts", facts)
    invoke("export", "--format", "csv", "-o", tmp_path, "--facts", facts)
    assert _snapshot(facts) == before


def test_every_file_is_written_whole(tmp_path: Path) -> None:
    for args in (
        ["-o", "x.db"],
        ["-o", "x.json"],
        ["-o", "x.jsonl"],
        ["--format", "csv", "-o", "c"],
    ):
        assert invoke("export", *[str(tmp_path / a) if "." in a or a == "c" else a
                                  for a in args]).exit_code == 0  # fmt: skip
    left = [p.name for p in tmp_path.rglob("*") if p.name.startswith(".") or p.suffix == ".tmp"]
    assert left == []
    mode = (tmp_path / "x.db").stat().st_mode & 0o777
    assert mode == 0o666 & ~_umask()  # as any new file, not a temporary file's 0600


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_a_folder_that_is_not_there_is_exit_74(tmp_path: Path) -> None:
    result = invoke("export", "-o", tmp_path / "nowhere" / "x.db")
    assert result.exit_code == 74
    assert "cannot write" in result.stderr and "No such file or directory" in result.stderr
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "sqlite"], "--format sqlite writes files: give -o PATH"),
        (["--format", "csv", "-o", "-"], "--format csv writes files: give -o PATH"),
        (["-o", "facts.out"], "has no suffix hetao knows"),
        (["--bom"], "--bom is for --format csv, not json"),
        (["-o", "x.json", "--jq", "."], "--jq filters JSON printed on stdout"),
        (["--jq", ".["], "jq: error"),
    ],
)
def test_export_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    result = invoke("export", *[str(tmp_path / a) if a.startswith(("x.", "facts.")) else a
                                for a in args])  # fmt: skip
    assert result.exit_code == 2
    assert message in result.stderr
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------------------------
# CSV, JSON, JSONL


def test_csv_is_a_file_a_kind_and_citations(tmp_path: Path) -> None:
    result = invoke("export", "--format", "csv", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == sorted([f"{k}.csv" for k in KINDS] + ["citations.csv", "statements.csv"])
    text = (tmp_path / "out" / "org.csv").read_text(encoding="utf-8")
    assert not text.startswith("\ufeff")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(text))}
    assert len(rows) == len(BOOK.orgs)
    assert rows["siqa"]["name_en_official"] == "true"
    assert rows["shutang"]["name_en_official"] == "false"
    assert json.loads(rows["cpc-central"]["aliases"]) == [
        "黨中央",
        "中國共產黨中央委員會",
        "CPC Central Committee",
    ]
    figures = {r["id"]: r for r in csv.DictReader(io.StringIO(
        (tmp_path / "out" / "figure.csv").read_text(encoding="utf-8")))}  # fmt: skip
    assert figures["zone-land-area"]["value"] == "3.89"  # value = 3.89 in facts.toml
    assert figures["shenzhen-park-research-projects"]["value"] == "150"  # not 150.0
    cited = list(csv.DictReader(io.StringIO(
        (tmp_path / "out" / "citations.csv").read_text(encoding="utf-8"))))  # fmt: skip
    assert sorted((r["entry"], r["source"], r["quote"]) for r in cited) == sorted(
        quotes_in(toml_facts())
    )


def test_csv_bom_for_spreadsheets(tmp_path: Path) -> None:
    assert invoke("export", "--format", "csv", "-o", tmp_path, "--bom").exit_code == 0
    for path in tmp_path.iterdir():
        assert path.read_bytes().startswith(b"\xef\xbb\xbfid,") or path.name in (
            "citations.csv",
            "statements.csv",
        )
    assert (tmp_path / "citations.csv").read_bytes().startswith(b"\xef\xbb\xbfentry,")


def test_json_is_one_object_keyed_by_kind() -> None:
    result = invoke("export", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == KINDS
    assert data["org"] == json.loads(invoke("org", "list", "--json").stdout)
    assert data["event"] == json.loads(invoke("timeline", "--json").stdout) or sorted(
        e["id"] for e in data["event"]
    ) == sorted(e["id"] for e in json.loads(invoke("timeline", "--json").stdout))
    assert sum(len(v) for v in data.values()) == len(BOOK)


def test_jsonl_is_a_record_a_line(tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    assert invoke("export", "-o", out).exit_code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(BOOK)
    records = [json.loads(line) for line in lines]
    assert {r["kind"] for r in records} == set(KINDS)
    assert invoke("export", "--format", "jsonl").stdout == out.read_text(encoding="utf-8")


def test_export_jq() -> None:
    result = invoke("export", "--jq", '.org | map(.id) | index("siqa") != null')
    assert result.stdout == "true\n"


def test_export_json_does_not_import_sqlite(tmp_path: Path) -> None:
    from test_startup import run_hetao

    proc, modules = run_hetao(tmp_path, "export", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert "hetao_cli.export" in modules
    assert "sqlite_utils" not in modules and "citeproc" not in modules


# ---------------------------------------------------------------------------------------------
# The statements hook


def test_statement_rows_by_hand() -> None:
    from hetao_cli.export import statement_rows
    from hetao_cli.model import Area, Citation, PartialDate, Qualifier, Rank, Statement

    cite = (Citation("s", "0.87平方公里"),)
    assert list(statement_rows(Area("x", "園", cite, area_km2=0.87))) == []
    st = Statement("area_km2", 0.877, "t", "87.7 hectares", "87.7 hectares", Qualifier.EXACT,
                   None, PartialDate(2009), Rank.DEPRECATED, "older", "")  # fmt: skip
    assert list(statement_rows(Area("x", "園", cite, area_km2=0.87, statements=(st,)))) == [
        {"entry": "x", "position": 1, "field": "area_km2", "value": 0.877, "source": "t",
         "quote": "87.7 hectares", "as_written": "87.7 hectares", "qualifier": "exact",
         "value_max": None, "as_of": "2009", "rank": "deprecated", "reason": "older",
         "note": ""}
    ]  # fmt: skip


def test_every_export_format_has_a_writer() -> None:
    from hetao_cli.export import WRITERS
    from hetao_cli.output import ExportFormat

    assert set(WRITERS) == set(ExportFormat)
