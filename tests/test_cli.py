"""Every explorer command, in every format, in-process, against the bundled facts.toml.

Expectations come from the facts themselves (loaded with `load()`) where they can, plus a few
facts the article states outright: the 2017-01 memorandum, the 2020-10-14 speech, the quantum
academy (siqa), the land areas 3.89 / 3.02 / 0.87 km² and the stated 38 projects per km².
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import asset
from typer.testing import CliRunner, Result

from hetao_cli.cli import app
from hetao_cli.load import load
from hetao_cli.model import Entry, Event, Kind, PartialDate, kind_of
from hetao_cli.search import search, to_simplified

BOOK = load()
FORMATS = ["table", "tsv", "csv", "json", "jsonl"]
ANSI = re.compile(r"\x1b\[[0-9;]*m")

# Nothing from the shell that runs pytest leaks in; a wide table so nothing is folded.
CLEAN_ENV: dict[str, str | None] = {
    "HETAO_FACTS": None,
    "HETAO_LANG": None,
    "NO_COLOR": None,
    "FORCE_COLOR": None,
    "COLUMNS": "400",
}


def run(*args: str | Path, env: Mapping[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env={**CLEAN_ENV, **(env or {})})


def ok(*args: str | Path, env: Mapping[str, str | None] | None = None) -> Result:
    result = run(*args, env=env)
    assert result.exit_code == 0, (result.exit_code, result.stderr, result.exception)
    return result


def rows_of(fmt: str, text: str) -> list[dict[str, Any]]:
    """Parse machine output into records, checking its shape on the way."""
    if fmt == "json":
        data = json.loads(text)
        assert isinstance(data, list)
        return data
    if fmt == "jsonl":
        assert text == "" or text.endswith("\n")
        return [json.loads(line) for line in text.split("\n")[:-1]]
    if fmt == "csv":
        table = list(csv.reader(io.StringIO(text, newline="")))
    else:
        assert fmt == "tsv"
        assert text.endswith("\n")
        table = [line.split("\t") for line in text.split("\n")[:-1]]
    header, *body = table
    assert len(set(header)) == len(header)
    assert all(len(row) == len(header) for row in body), "every row has the header's columns"
    return [dict(zip(header, row, strict=True)) for row in body]


def squeeze(text: str) -> str:
    """Table text without whitespace, so a value wrapped over lines still matches."""
    return "".join(ANSI.sub("", text).split())


def first_cells(line: str, width: int) -> str:
    """The start of a table line that fills `width` terminal cells (a CJK character takes two)."""
    used = 0
    for i, ch in enumerate(line):
        used += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        if used > width:
            return line[:i]
    return line


def as_text(value: Any) -> str:
    """How TSV and CSV show a JSON value."""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def citing(source_id: str) -> int:
    return sum(
        1
        for e in BOOK.entries()
        if e.id != source_id
        and (
            any(c.source == source_id for c in e.citations)
            or any(s.source == source_id for s in e.statements)
        )
    )


def listed_date(e: Event) -> PartialDate:
    """An event's own date, or the date statement ranked preferred over it."""
    preferred = [s.value for s in e.statements if s.field == "date" and s.rank.value == "preferred"]
    found = preferred[0] if preferred else e.date
    assert isinstance(found, PartialDate)
    return found


def in_date_order(entries: Sequence[Entry]) -> list[str]:
    return [
        e.id for e in sorted(BOOK.events, key=lambda e: listed_date(e).sort_key) if e in entries
    ]


def stats_rows() -> list[tuple[str, str, int]]:
    kinds = [("kind", k.value, len(BOOK.of_kind(k))) for k in Kind]
    years = Counter(e.date.year for e in BOOK.events)
    fields = Counter(f for o in BOOK.orgs for f in o.fields)
    return (
        kinds
        + [("year", str(y), n) for y, n in sorted(years.items())]
        + [("field", f, n) for f, n in sorted(fields.items(), key=lambda x: (-x[1], x[0]))]
    )


AREAS_WITH_LAND = [a.id for a in BOOK.areas if a.area_km2 is not None]


# ---------------------------------------------------------------------------------------------
# Every listing command in every format


@dataclass(frozen=True)
class Listing:
    args: tuple[str, ...]
    keys: tuple[str, ...]  # columns in the default TSV/CSV and in JSON
    expected: Callable[[], list[tuple[Any, ...]]]
    distinct: bool = False  # compare the distinct key values, in first-seen order


LISTINGS = {
    "timeline": Listing(("timeline",), ("id",), lambda: [(i,) for i in in_date_order(BOOK.events)]),
    "figures": Listing(("figures",), ("id",), lambda: [(f.id,) for f in BOOK.figures]),
    "stats": Listing(("stats",), ("group", "key", "count"), stats_rows),
    "stats --area": Listing(
        ("stats", "--area"), ("area",), lambda: [(a,) for a in AREAS_WITH_LAND], distinct=True
    ),
    "sources": Listing(
        ("sources",), ("id", "facts"), lambda: [(s.id, citing(s.id)) for s in BOOK.sources]
    ),
    "org list": Listing(("org", "list"), ("id",), lambda: [(o.id,) for o in BOOK.orgs]),
    "person list": Listing(("person", "list"), ("id",), lambda: [(p.id,) for p in BOOK.people]),
    "search": Listing(
        ("search", "量子"),
        ("id",),
        lambda: [(m.entry.id,) for m in search(list(BOOK.entries()), ["量子"])],
    ),
    "org search": Listing(
        ("org", "search", "量子"),
        ("id",),
        lambda: [(m.entry.id,) for m in search(BOOK.orgs, ["量子"])],
    ),
    "person search": Listing(
        ("person", "search", "院士"),
        ("id",),
        lambda: [(m.entry.id,) for m in search(BOOK.people, ["院士"])],
    ),
}


def test_the_listings_are_not_trivial() -> None:
    for name, listing in LISTINGS.items():
        assert len(listing.expected()) >= (1 if name == "sources" else 2), name


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", list(LISTINGS))
def test_every_listing_in_every_format(name: str, fmt: str) -> None:
    listing = LISTINGS[name]
    expected = listing.expected()
    out = ok(*listing.args, "--format", fmt).stdout
    if fmt == "table":
        text = squeeze(out)
        assert "\t" not in out
        assert "─" in out  # a Rich table, not TSV
        for row in expected:
            for value in row:
                assert squeeze(as_text(value)) in text, (value, name)
        return
    records = rows_of(fmt, out)
    got = [tuple(r[k] for k in listing.keys) for r in records]
    if fmt in ("tsv", "csv"):
        expected = [tuple(as_text(v) for v in row) for row in expected]
    if listing.distinct:
        got = list(dict.fromkeys(got))
    assert got == expected
    if fmt in ("json", "jsonl"):
        assert all("id" in r for r in records), "every JSON record has an id"
        assert len({r["id"] for r in records}) == len(records)


@pytest.mark.parametrize("name", list(LISTINGS))
def test_json_flag_is_format_json(name: str) -> None:
    args = LISTINGS[name].args
    assert ok(*args, "--json").stdout == ok(*args, "--format", "json").stdout


def test_json_conflicting_with_another_format_is_a_usage_error() -> None:
    result = run("timeline", "--json", "--format", "csv")
    assert result.exit_code == 2
    assert "--json" in result.stderr


@pytest.mark.parametrize("name", list(LISTINGS))
def test_excel_is_plain_csv_with_a_bom_when_no_cell_reads_as_a_formula(name: str) -> None:
    """The bundled facts have no cell that starts with = + - @: --excel adds only the BOM, and
    plain CSV is as it was."""
    args = LISTINGS[name].args
    plain = ok(*args, "--format", "csv").stdout
    assert not plain.startswith("\ufeff")
    assert ok(*args, "--excel").stdout == "\ufeff" + plain
    assert ok(*args, "--excel", "--format", "csv").stdout == "\ufeff" + plain


def test_excel_puts_a_quote_before_a_cell_a_spreadsheet_would_run(tmp_path: Path) -> None:
    valid = asset("valid.toml").read_text(encoding="utf-8")
    link = '=HYPERLINK("https://example.com","click")'
    formulas = {
        "示範研究院成立": link.replace('"', '\\"'),
        "示範研究院": "@SUM(1+1)*cmd|' /C calc'!A0",
        "張三": "-2+3+cmd|' /C calc'!A0",
        "院長": "+1",
    }
    for old, new in formulas.items():
        valid = valid.replace(f'"{old}"', f'"{new}"')
    path = tmp_path / "formulas.toml"
    path.write_text(valid, encoding="utf-8")

    def cells(*args: str) -> list[list[str]]:
        out = ok(*args, "--facts", path).stdout
        return list(csv.reader(io.StringIO(out.removeprefix("\ufeff"), newline="")))

    excel = cells("timeline", "--excel", "--fields", "title,id")
    assert excel[1] == ["'" + link, "demo-institute-founded"]
    plain = cells("timeline", "--format", "csv", "--fields", "title,id")
    assert plain[1] == [link, "demo-institute-founded"]
    assert cells("org", "list", "--excel", "--fields", "name")[1] == [
        "'@SUM(1+1)*cmd|' /C calc'!A0"
    ]
    assert cells("person", "list", "--excel", "--fields", "name,role")[1] == [
        "'-2+3+cmd|' /C calc'!A0",
        "'+1",
    ]
    shown = cells("show", "demo-institute-founded", "--excel", "--fields", "title")
    assert shown[1] == ["title", "'" + link]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "json"], "--excel conflicts with --format json"),
        (["--format", "tsv"], "--excel conflicts with --format tsv"),
        (["--format", "table"], "--excel conflicts with --format table"),
        (["--json"], "--excel conflicts with --json"),
    ],
)
def test_excel_with_another_format_is_a_usage_error(args: list[str], message: str) -> None:
    result = run("timeline", "--excel", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr


def test_default_format_off_a_terminal_is_tsv() -> None:
    assert ok("timeline").stdout == ok("timeline", "--format", "tsv").stdout
    assert ok("org", "list").stdout.split("\n")[0] == "id\tname\torg_kind\tfields\tarea"


def test_json_is_utf8_with_numbers_as_numbers() -> None:
    out = ok("figures", "--json").stdout
    assert "\\u" not in out
    figures = {f["id"]: f for f in json.loads(out)}
    assert "申請國內外專利" in out
    assert figures["siqa-patents"]["value"] == 120
    assert isinstance(figures["siqa-patents"]["value"], int)
    assert figures["zone-land-area"]["value"] == 3.89
    assert figures["transit-time-to-hong-kong"]["value_max"] == 20
    for f in BOOK.figures:
        assert figures[f.id]["value"] == f.value
        assert figures[f.id]["unit"] == f.unit.value
        assert figures[f.id]["as_written"] == f.as_written


# ---------------------------------------------------------------------------------------------
# Timeline


def timeline_ids(*args: str) -> list[str]:
    return [r["id"] for r in json.loads(ok("timeline", *args, "--json").stdout)]


def test_timeline_dates_at_their_own_precision() -> None:
    records = {r["id"]: r for r in rows_of("tsv", ok("timeline").stdout)}
    assert records["2017-01-memorandum"]["date"] == "2017-01"
    assert records["2017-07-01-framework-agreement"]["date"] == "2017-07-01"
    assert records["2018-shutang-founded"]["date"] == "2018"
    assert records["2020-10-14-xi-speech"]["date"] == "2020-10-14"
    assert records["2022-12-global-challenge-call"]["date"] == "c. 2022-12"
    events = {r["id"]: r for r in json.loads(ok("timeline", "--json").stdout)}
    memo = events["2017-01-memorandum"]
    assert (memo["date"], memo["date_precision"], memo["date_approximate"]) == (
        "2017-01",
        "month",
        False,
    )
    call = events["2022-12-global-challenge-call"]
    assert (call["date"], call["date_precision"], call["date_approximate"]) == (
        "2022-12",
        "month",
        True,
    )
    assert memo["orgs"] == ["hksar-gov", "shenzhen-gov"]
    assert memo["title_en"].startswith("The Hong Kong SAR Government")
    for e in BOOK.events:
        # A date statement ranked preferred stands over the event's own (the plan's 2023-08-08).
        preferred = [
            s.value for s in e.statements if s.field == "date" and s.rank.value == "preferred"
        ]
        shown = preferred[0] if preferred else e.date
        assert isinstance(shown, PartialDate)
        assert events[e.id]["date"] == shown.iso()
        assert events[e.id]["date_precision"] == shown.precision
    assert events["2023-08-shenzhen-park-plan"]["date"] == "2023-08-08"


def test_timeline_is_in_date_order_and_reverse_is_newest_first() -> None:
    forward = json.loads(ok("timeline", "--json").stdout)
    keys = [tuple(int(x) for x in r["date"].split("-")) for r in forward]
    assert keys == sorted(keys)
    assert [r["id"] for r in forward] == in_date_order(BOOK.events)
    backward = timeline_ids("--reverse")
    assert backward == [r["id"] for r in reversed(forward)]
    assert backward[0] == "2023-12-06-lcq12"


def test_timeline_table_groups_by_year() -> None:
    out = ok("timeline", "--format", "table").stdout
    lines = [ANSI.sub("", line) for line in out.splitlines()]
    first = next(line for line in lines if "2017-loop-into-hong-kong" in line)
    memo = next(line for line in lines if "2017-01-memorandum" in line)
    agreement = next(line for line in lines if "2017-07-01-framework-agreement" in line)
    assert first.split()[0] == "2017"
    assert memo.split()[0] == "2017-01"
    assert agreement.split()[0] == "2017-07-01"  # the year heading stands once
    assert "c. 2022-12" in out


@pytest.mark.parametrize("columns", ["20", "40"])
def test_a_terminal_too_narrow_for_the_table_gets_a_block_a_record(columns: str) -> None:
    out = ANSI.sub("", ok("timeline", "--format", "table", env={"COLUMNS": columns}).stdout)
    assert "─" not in out  # not a table squeezed to its dates
    assert max(len(line) for line in out.splitlines()) <= int(columns)
    text = squeeze(out)
    for event in BOOK.events:
        assert squeeze(f"title{event.title}") in text
        assert squeeze(f"id{event.id}") in text
    years = [line for line in out.splitlines() if re.fullmatch(r"\d{4}", line.strip())]
    assert years == sorted(set(years)) and years  # each year's heading stands once


def test_show_in_a_narrow_terminal_is_one_block_of_fields() -> None:
    out = ANSI.sub("", ok("show", "siqa", "--format", "table", env={"COLUMNS": "20"}).stdout)
    lines = out.splitlines()
    assert lines[1].split() == ["id", "siqa"]
    assert lines[2].split() == ["kind", "org"]
    assert not any(line.split()[:1] in (["field"], ["value"]) for line in lines)


def test_an_empty_listing_in_a_narrow_terminal_still_has_its_header() -> None:
    result = run("timeline", "--since", "2030", "--format", "table", env={"COLUMNS": "20"})
    assert result.exit_code == 1
    assert "─" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["timeline"],
        ["figures"],
        ["stats"],
        ["stats", "--area"],
        ["sources"],
        ["org", "list"],
        ["person", "list"],
        ["search", "量子"],
        ["show", "siqa"],
    ],
    ids=" ".join,
)
def test_an_80_column_terminal_keeps_the_table(args: list[str]) -> None:
    out = ANSI.sub("", ok(*args, "--format", "table", env={"COLUMNS": "80"}).stdout)
    assert "─" * 40 in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_the_figures_table_leaves_the_source_to_tsv() -> None:
    table = ANSI.sub("", ok("figures", "--format", "table").stdout)
    header = next(line for line in table.splitlines() if "as_written" in line).split()
    assert header == ["id", "subject", "as_written", "value", "unit", "qualifier", "scope"]
    tsv = ok("figures", "--format", "tsv").stdout
    assert tsv.splitlines()[0].split("\t")[-1] == "source"


@pytest.mark.parametrize(
    ("args", "kept", "dropped"),
    [
        # --until at year precision keeps the whole year
        (
            ["--until", "2020"],
            ["2020-10-14-xi-speech", "2020-guowei-fuxin-founded"],
            ["2021-deeproute-robotaxi"],
        ),
        (
            ["--since", "2020"],
            ["2020-guowei-fuxin-founded", "2020-10-14-xi-speech"],
            ["2018-07-gba-outline"],
        ),
        # a month bound keeps the coarser year event whose span overlaps
        (
            ["--since", "2018-06"],
            ["2018-shutang-founded", "2018-07-gba-outline"],
            ["2017-07-01-framework-agreement"],
        ),
        (["--until", "2017-06"], ["2017-01-memorandum"], ["2017-07-01-framework-agreement"]),
        (["--until", "2017-01-01"], ["2017-01-memorandum"], ["2017-07-01-framework-agreement"]),
        (
            ["--since", "2017-01-31", "--until", "2017-01-31"],
            ["2017-01-memorandum"],
            ["2017-07-01-framework-agreement"],
        ),
        (["--since", "2017-02"], ["2017-07-01-framework-agreement"], ["2017-01-memorandum"]),
        (
            ["--since", "2020-10-14", "--until", "2020-10-14"],
            ["2020-guowei-fuxin-founded", "2020-10-14-xi-speech"],
            ["2021-deeproute-robotaxi", "2018-07-gba-outline"],
        ),
        (
            ["--since", "2023-08-15"],
            ["2023-shutang-ip-securitisation", "2023-09-hksp-shenzhen-opens"],
            # the plan's preferred date is 2023-08-08 (its own, 2023-08, would overlap)
            ["2022-12-global-challenge-call", "2023-08-shenzhen-park-plan"],
        ),
        (
            ["--since", "2022-12-31", "--until", "2022-12-31"],
            ["2022-12-global-challenge-call"],
            ["2023-shutang-ip-securitisation"],
        ),
        (
            ["--since", "2020-10-15", "--until", "2020-12"],
            ["2020-guowei-fuxin-founded"],
            ["2020-10-14-xi-speech"],
        ),
    ],
)
def test_timeline_bounds(args: list[str], kept: list[str], dropped: list[str]) -> None:
    found = timeline_ids(*args)
    assert set(kept) <= set(found)
    assert not set(dropped) & set(found)
    assert found == [i for i in in_date_order(BOOK.events) if i in found]


@pytest.mark.parametrize(
    ("since", "until"),
    [
        ("2017", None),
        ("2018-07", "2021"),
        (None, "2022-11"),
        ("2019-02-28", "2023-08-31"),
        ("2023", "2023"),
    ],
)
def test_timeline_bounds_match_the_spans_of_the_dates(since: str | None, until: str | None) -> None:
    import datetime as dt

    def span(text: str) -> tuple[dt.date, dt.date]:
        parts = [int(p) for p in text.split("-")]
        if len(parts) == 3:
            day = dt.date(*parts)
            return day, day
        if len(parts) == 2:
            first = dt.date(parts[0], parts[1], 1)
            following = dt.date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
            return first, following - dt.timedelta(days=1)
        return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)

    args = [*(["--since", since] if since else []), *(["--until", until] if until else [])]
    expected = []
    for e in sorted(BOOK.events, key=lambda e: e.date.sort_key):
        first, last = span(e.date.iso())
        if (since is None or last >= span(since)[0]) and (until is None or first <= span(until)[1]):
            expected.append(e.id)
    assert timeline_ids(*args) == expected


def test_timeline_by_org_and_person() -> None:
    assert timeline_ids("--org", "shutang") == in_date_order(
        [e for e in BOOK.events if "shutang" in e.orgs]
    )
    assert timeline_ids("--org", "shutang") == [
        "2018-shutang-founded",
        "2023-shutang-ip-securitisation",
    ]
    assert timeline_ids("--person", "xi-jinping") == [
        "2017-07-01-framework-agreement",
        "2020-10-14-xi-speech",
    ]
    assert timeline_ids("--org", "shutang", "--since", "2019") == ["2023-shutang-ip-securitisation"]


def test_an_empty_timeline_exits_1_with_valid_output() -> None:
    for args, out in [
        (["--json"], "[]\n"),
        ([], "date\ttitle\torgs\tpeople\tid\n"),
        (["--format", "jsonl"], ""),
    ]:
        result = run("timeline", "--since", "2030", *args)
        assert (result.exit_code, result.stdout) == (1, out)
        assert result.stderr == "hetao: nothing matches\n"


@pytest.mark.parametrize(
    "bad", ["2020-13", "2020-02-30", "20", "2020/01", "yesterday", "", "2020-1"]
)
@pytest.mark.parametrize("option", ["--since", "--until"])
def test_timeline_bad_date_is_a_usage_error(option: str, bad: str) -> None:
    result = run("timeline", option, bad)
    assert result.exit_code == 2
    assert option in result.stderr
    assert result.stdout == ""


# ---------------------------------------------------------------------------------------------
# Figures, stats, sources


def test_figures_by_scope_unit_and_query() -> None:
    siqa = [r["id"] for r in json.loads(ok("figures", "--scope", "siqa", "--json").stdout)]
    assert siqa == [f.id for f in BOOK.figures if f.scope == "siqa"]
    assert "siqa-patents" in siqa
    counts = json.loads(ok("figures", "--unit", "count", "--json").stdout)
    assert [r["id"] for r in counts] == [f.id for f in BOOK.figures if f.unit.value == "count"]
    found = [r["id"] for r in json.loads(ok("figures", "專利", "--json").stdout)]
    assert found[0] == "siqa-patents"
    both = [r["id"] for r in json.loads(ok("figures", "项目", "--unit", "count", "--json").stdout)]
    assert "shenzhen-park-research-projects" in both
    assert "research-project-density" not in both  # per-km2, not count
    assert run("figures", "--unit", "furlongs").exit_code == 2


def test_stats_table_draws_bars() -> None:
    out = ok("stats", "--format", "table").stdout
    assert "█" in out
    org_line = next(line for line in out.splitlines() if " org " in line)
    assert str(len(BOOK.orgs)) in org_line


def test_stats_area_shows_the_three_areas_and_the_38_check() -> None:
    records = json.loads(ok("stats", "--area", "--json").stdout)
    areas = {r["area"]: r["area_km2"] for r in records}
    assert areas == {
        "hetao-zone": 3.89,
        "shenzhen-park": 3.02,
        "hk-park": 0.87,
        "futian-bonded-zone": 1.35,  # the Shenzhen park's two parts (State Council plan)
        "huanggang-port-area": 1.67,
    }
    # The Hong Kong park's 0.87 km² was derived (3.89 - 3.02) until a source stated it.
    assert not any(r["area_derived"] for r in records)
    stated = [r for r in records if r["stated"]]
    assert [(r["area"], r["figure"], r["per_km2"]) for r in stated] == [
        ("hetao-zone", "research-project-density", 38)
    ]
    recomputed = {(c["denominator"], c["value"], c["reproduces"]) for c in stated[0]["recomputed"]}
    assert recomputed == {("hetao-zone", 38.56, True), ("shenzhen-park", 49.67, False)}
    check = stated[0]["check"]
    assert "150 (shenzhen-park) / 3.89 km² (hetao-zone) = 38.56 ✓" in check
    assert "150 (shenzhen-park) / 3.02 km² (shenzhen-park) = 49.67 ✗" in check
    projects = next(
        r
        for r in records
        if r["area"] == "shenzhen-park" and r["figure"] == "shenzhen-park-research-projects"
    )
    assert (projects["count"], projects["per_km2"]) == (150, 49.67)
    for r in records:
        if r["count"] is not None:
            assert r["per_km2"] == round(r["count"] / r["area_km2"], 2)


@pytest.mark.parametrize("fmt", ["tsv", "csv", "table"])
def test_stats_area_check_in_text_formats(fmt: str) -> None:
    out = ok("stats", "--area", "--format", fmt).stdout
    text = squeeze(out)
    assert squeeze("150 (shenzhen-park) / 3.89 km² (hetao-zone) = 38.56 ✓") in text
    assert squeeze("/ 3.02 km² (shenzhen-park) = 49.67 ✗") in text
    for area in ("hetao-zone", "shenzhen-park", "hk-park"):
        assert area in text
    for km2 in ("3.89", "3.02", "0.87"):
        assert km2 in text


@pytest.mark.parametrize("lang", ["zh-hant", "zh-hans", "en"])
def test_stats_area_table_headings_follow_lang(lang: str) -> None:
    out = ANSI.sub("", ok("stats", "--area", "--format", "table", "--lang", lang).stdout)
    # The heading column is the first: 30 cells at most, plus padding.
    headings = squeeze("".join(first_cells(line, 32) for line in out.split("\n")))
    zone = BOOK.by_id["hetao-zone"]
    names = {"zh-hant": zone.name, "zh-hans": to_simplified(zone.name), "en": zone.name_en}  # type: ignore[union-attr]
    assert len(set(names.values())) == 3  # so each language shows a change
    for shown, name in names.items():
        assert (squeeze(f"{name} (hetao-zone)") in headings) is (shown == lang), headings


def test_sources_count_the_facts_citing_them() -> None:
    records = json.loads(ok("sources", "--json").stdout)
    assert [r["id"] for r in records] == [s.id for s in BOOK.sources]
    nanfang = records[0]
    assert nanfang["id"] == "nanfang-2023-12-18"
    # the article's 111 entries, the NMPA sub-centre split in two (one more), its 64 claims,
    # and two entries of the English sources that cite it too (northern-metropolis, shenzhen-river)
    assert nanfang["facts"] == 178
    assert nanfang["published"] == "2023-12-18"
    assert nanfang["published_precision"] == "day"


# ---------------------------------------------------------------------------------------------
# Organisations and people


def test_org_list_filters() -> None:
    def listed(*args: str) -> list[str]:
        return [r["id"] for r in json.loads(ok("org", "list", *args, "--json").stdout)]

    assert listed("--field", "quantum") == ["siqa", "quantum-joint-lab"]
    assert listed("--kind", "university") == [
        o.id for o in BOOK.orgs if o.kind.value == "university"
    ]
    in_zone = listed("--area", "hetao-zone")
    assert {"siqa", "hksp-shenzhen", "idea"} <= set(in_zone)  # siqa lies in the Shenzhen park
    assert listed("--area", "shenzhen-park") == [
        o.id for o in BOOK.orgs if o.area == "shenzhen-park"
    ]
    assert "idea" not in listed("--area", "shenzhen-park")  # in the zone, not in that park
    assert run("org", "list", "--field", "no-such-field").exit_code == 2


def test_person_list_by_org() -> None:
    people = json.loads(ok("person", "list", "--org", "siqa", "--json").stdout)
    assert [p["id"] for p in people] == ["yu-dapeng"]
    assert people[0]["role"] == "中國科學院院士"
    cuhk = [
        p["id"]
        for p in json.loads(ok("person", "list", "--org", "cuhksz-futian-biomed", "--json").stdout)
    ]
    assert cuhk == ["xu-limin", "xie-yong"]


def test_org_search_liangzi_lists_the_quantum_institutes_first() -> None:
    records = rows_of("tsv", ok("org", "search", "量子").stdout)
    top = [r["id"] for r in records[:2]]
    assert (
        set(top)
        == {o.id for o in BOOK.orgs if "quantum" in o.fields}
        == {
            "siqa",
            "quantum-joint-lab",
        }
    )
    assert records[0]["match_field"] == "aliases"


@pytest.mark.parametrize(
    "query", [["国际量子"], ["國際量子"], ["quantum"], ["SIQA"], ["quantum", "academy"]]
)
def test_org_search_finds_siqa_in_every_script(query: list[str]) -> None:
    records = json.loads(ok("org", "search", *query, "--json").stdout)
    ids = [r["id"] for r in records]
    assert "siqa" in ids
    siqa = records[ids.index("siqa")]
    assert siqa["name"] == "深圳國際量子研究院"
    assert siqa["name_en"] == "Shenzhen International Quantum Academy"
    assert siqa["match_field"]
    assert siqa["match_rank"] in ("exact", "prefix", "name", "text")


def test_search_results_say_which_field_matched() -> None:
    records = json.loads(ok("search", "SIQA", "--json").stdout)
    assert (records[0]["id"], records[0]["match_field"], records[0]["match_rank"]) == (
        "siqa",
        "aliases",
        "exact",
    )
    assert records[0]["kind"] == "org"
    assert records[0]["label"] == "深圳國際量子研究院"
    kinds = {r["kind"] for r in json.loads(ok("search", "河套", "--json").stdout)}
    assert {"area", "event", "figure", "org", "document"} <= kinds
    first = json.loads(ok("search", "产业", "--json").stdout)[0]
    assert first["id"] == "shenzhen-park-industry-clusters"


def test_person_search() -> None:
    records = json.loads(ok("person", "search", "院士", "--json").stdout)
    assert {"yu-dapeng", "lu-jian"} <= {r["id"] for r in records}
    assert all(r["kind"] == "person" for r in records)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "command", [["search"], ["org", "search"], ["person", "search"]], ids=" ".join
)
def test_search_finding_nothing_exits_1(command: list[str], fmt: str) -> None:
    result = run(*command, "火星殖民", "--format", fmt)
    assert result.exit_code == 1
    assert "nothing matches" in result.stderr
    if fmt == "json":
        assert json.loads(result.stdout) == []
    elif fmt in ("tsv", "csv"):
        assert rows_of(fmt, result.stdout) == []
    elif fmt == "table":  # its header, as every empty listing has
        assert result.stdout.split()[:2] == ["kind" if command == ["search"] else "id", "id"
                                             if command == ["search"] else "name"]  # fmt: skip
    else:
        assert result.stdout == ""


@pytest.mark.parametrize("query", [[""], ["  "]])
def test_an_empty_query_is_a_usage_error(query: list[str]) -> None:
    assert run("search", *query).exit_code == 2
    assert run("search").exit_code == 2


# ---------------------------------------------------------------------------------------------
# Show


SHOWN = [
    ("show", "siqa"),
    ("org", "show", "siqa"),
    ("person", "show", "xi-jinping"),
    ("show", "2017-01-memorandum"),
    ("show", "hetao-zone"),
    ("show", "research-project-density"),
    ("show", "hetao-memorandum"),
    ("show", "nanfang-2023-12-18"),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("args", SHOWN, ids=" ".join)
def test_show_in_every_format(args: tuple[str, ...], fmt: str) -> None:
    entry = BOOK.by_id[args[-1]]
    out = ok(*args, "--format", fmt).stdout
    if fmt in ("json", "jsonl"):
        if fmt == "jsonl":
            assert out.count("\n") == 1
        obj = json.loads(out)
        assert isinstance(obj, dict)
        assert obj["id"] == entry.id
        assert obj["kind"] == kind_of(entry).value
        assert isinstance(obj["links"], dict)
        assert obj["citations"] == [
            {
                "source": c.source,
                "quote": c.quote,
                **({"field": c.field} if c.field else {}),
                **({"as_written": c.as_written} if c.as_written else {}),
            }
            for c in entry.citations
        ]
        return
    if fmt == "table":
        text = squeeze(out)
        assert squeeze(entry.id) in text
        for c in entry.citations:
            assert squeeze(c.quote) in text, "citations in full"
        return
    rows = rows_of(fmt, out)
    assert list(rows[0]) == ["field", "value"]
    values = {r["field"]: r["value"] for r in rows}
    assert values["id"] == entry.id
    assert values["kind"] == kind_of(entry).value
    assert [r["value"] for r in rows if r["field"].startswith("citation ")] == [
        f"{c.source}: {c.quote}" for c in entry.citations
    ]


def test_show_links_what_names_the_entry() -> None:
    zone = json.loads(ok("show", "hetao-zone", "--json").stdout)
    assert zone["area_km2"] == 3.89
    assert zone["links"]["areas"] == ["shenzhen-park", "hk-park"]
    assert "2017-01-memorandum" in zone["links"]["events"]
    assert "research-project-density" in zone["links"]["figures"]
    siqa = json.loads(ok("org", "show", "siqa", "--json").stdout)
    assert siqa["links"]["people"] == ["yu-dapeng"]
    assert siqa["links"]["figures"] == [f.id for f in BOOK.figures if f.scope == "siqa"]
    xi = json.loads(ok("person", "show", "xi-jinping", "--json").stdout)
    assert xi["links"]["events"] == ["2017-07-01-framework-agreement", "2020-10-14-xi-speech"]
    source = json.loads(ok("show", "nanfang-2023-12-18", "--json").stdout)
    assert len(source["links"]["cited_by"]) == 178  # as in test_sources_count_the_facts_citing_them
    rows = rows_of("tsv", ok("show", "siqa").stdout)
    assert {"field": "linked people", "value": "yu-dapeng"} in rows


def test_show_speech_event() -> None:
    speech = json.loads(ok("show", "2020-10-14-xi-speech", "--json").stdout)
    assert speech["date"] == "2020-10-14"
    assert speech["date_precision"] == "day"
    assert speech["date_approximate"] is False
    assert speech["people"] == ["xi-jinping"]
    assert speech["documents"] == ["xi-speech-2020"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "siqaa"], "did you mean: siqa (深圳國際量子研究院),"),
        (["show", "hetao-zon"], "did you mean: hetao-zone"),
        (["org", "show", "yu-dapeng"],
         "yu-dapeng is a person, not an org: hetao person show yu-dapeng"),
        (["person", "show", "siqa"], "siqa is an org, not a person: hetao org show siqa"),
        (["person", "show", "xi-jinpin"], "did you mean: xi-jinping"),
        (["show", "nothing-like-anything-here"], "no entry 'nothing-like-anything-here'"),
        (["timeline", "--org", "舒糖科枝"], "no org '舒糖科枝'; did you mean: shutang"),
        (["figures", "--scope", "siqa-typo"], "did you mean: siqa"),
        (["person", "list", "--org", "CityUU"], "did you mean: cityu"),
        (["org", "list", "--field", "quantumm"],
         "no field of work 'quantumm'; did you mean: quantum?"),
        (["org", "list", "--area", "siqa"], "siqa is an org, not an area"),
        (["timeline", "--person", "siqa"], "siqa is an org, not a person"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("fmt", ["json", "tsv"])
def test_an_unknown_id_or_name_is_a_usage_error_suggesting_close_ones(
    args: list[str], message: str, fmt: str
) -> None:
    result = run(*args, "--format", fmt)
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["show", "SIQA"], "siqa"),  # an alias, in any case
        (["show", "深圳国际量子研究院"], "siqa"),  # Simplified for Traditional
        (["show", "Shenzhen International Quantum Academy"], "siqa"),  # the English name
        (["show", "ＳＩＱＡ"], "siqa"),  # full-width
        (["person", "show", "Yu Dapeng"], "yu-dapeng"),
        (["person", "show", "yudapeng"], "yu-dapeng"),
        (["org", "show", "舒糖科技"], "shutang"),
    ],
)
def test_show_takes_an_id_alias_or_name(args: list[str], expected: str) -> None:
    assert json.loads(ok(*args, "--json").stdout)["id"] == expected


def test_filters_take_names_and_combine() -> None:
    def ids(*args: str) -> list[str]:
        return [r["id"] for r in json.loads(ok(*args, "--json").stdout)]

    assert ids("timeline", "--org", "舒糖科技") == ids("timeline", "--org", "shutang")
    both = ids("timeline", "--org", "shutang", "--org", "hksar-gov")
    assert set(both) == set(ids("timeline", "--org", "shutang")) | set(
        ids("timeline", "--org", "hksar-gov")
    )
    assert ids("org", "list", "--field", "QUANTUM", "--field", "networks") == [
        o.id for o in BOOK.orgs if {"quantum", "networks"} & set(o.fields)
    ]
    assert ids("person", "list", "--org", "CityU") == ids("person", "list", "--org", "cityu")
    assert ids("figures", "--unit", "KM2") == ids("figures", "--unit", "km2")
    assert ids("figures", "--scope", "SIQA") == ids("figures", "--scope", "siqa")


# ---------------------------------------------------------------------------------------------
# --fields


@pytest.mark.parametrize("fmt", FORMATS)
def test_fields_choose_and_order_in_every_format(fmt: str) -> None:
    out = ok("timeline", "--fields", "id,date_precision,date", "--format", fmt).stdout
    if fmt == "table":
        header = next(line for line in out.splitlines() if "date_precision" in line)
        assert header.index("id") < header.index("date_precision") < header.rindex(" date ")
        assert "2017-01-memorandum" in out
        assert "香港特別行政區政府" not in out  # the title is not chosen
        return
    records = rows_of(fmt, out)
    assert [list(r) for r in records] == [["id", "date_precision", "date"]] * len(BOOK.events)
    assert records[0]["id"] == in_date_order(BOOK.events)[0]


@pytest.mark.parametrize(
    "args",
    [
        ["timeline"],
        ["timeline", "--since", "2030"],  # an empty list still knows its fields
        ["figures"],
        ["figures", "火星殖民"],
        ["stats"],
        ["stats", "--area"],
        ["sources"],
        ["org", "list"],
        ["org", "list", "--kind", "party", "--area", "shenzhen-park"],  # none
        ["person", "list"],
        ["person", "list", "--org", "state-council"],  # nobody
        ["search", "量子"],
        ["org", "search", "量子"],
        ["person", "search", "院士"],
        ["show", "siqa"],
        ["org", "show", "siqa"],
        ["person", "show", "yu-dapeng"],
    ],
    ids=" ".join,
)
@pytest.mark.parametrize("fmt", ["json", "tsv"])
def test_an_unknown_field_is_a_usage_error_listing_the_valid_ones(
    args: list[str], fmt: str
) -> None:
    result = run(*args, "--fields", "id,bogus", "--format", fmt)
    assert result.exit_code == 2, result.stdout
    message = " ".join(ANSI.sub("", result.stderr).replace("│", " ").split())
    assert "unknown field 'bogus'" in message
    assert "valid fields: id," in message
    assert "Traceback" not in result.stderr


def test_show_fields_choose_and_order() -> None:
    obj = json.loads(ok("show", "siqa", "--fields", "name_en,id,links", "--json").stdout)
    assert list(obj) == ["name_en", "id", "links"]
    assert obj["links"]["people"] == ["yu-dapeng"]
    rows = rows_of("tsv", ok("show", "siqa", "--fields", "name_en,id,citations").stdout)
    assert [r["field"] for r in rows] == ["name_en", "id", "citation 1"]


# ---------------------------------------------------------------------------------------------
# --lang


def test_lang_zh_hans_converts_the_chinese() -> None:
    out = ok("org", "list", "--field", "quantum", "--lang", "zh-hans").stdout
    assert "深圳国际量子研究院" in out
    assert "深圳國際量子研究院" not in out
    table = ok("org", "list", "--field", "quantum", "--lang", "zh-hans", "--format", "table").stdout
    assert "深圳国际量子研究院" in table
    timeline = ok("timeline", "--lang", "zh-hans", "--format", "csv").stdout
    assert "香港特别行政区政府和深圳市人民政府签署合作备忘录" in timeline


def test_lang_en_shows_english_and_marks_chinese_fallback() -> None:
    orgs = {r["id"]: r for r in rows_of("tsv", ok("org", "list", "--lang", "en").stdout)}
    assert orgs["siqa"]["name"] == "Shenzhen International Quantum Academy"
    people = {r["id"]: r for r in rows_of("tsv", ok("person", "list", "--lang", "en").stdout)}
    for p in BOOK.people:
        assert people[p.id]["name"] == (p.name_en or f"{p.name} (zh)")
    assert people["xi-jinping"]["name"] == "Xi Jinping"
    events = rows_of("tsv", ok("timeline", "--lang", "en").stdout)
    memo = next(e for e in events if e["id"] == "2017-01-memorandum")
    assert memo["title"].startswith("The Hong Kong SAR Government")


def test_hetao_lang_sets_the_default() -> None:
    out = ok("org", "list", "--field", "quantum", env={"HETAO_LANG": "en"}).stdout
    assert "Shenzhen International Quantum Academy" in out
    out = ok(
        "org", "list", "--field", "quantum", "--lang", "zh-hant", env={"HETAO_LANG": "en"}
    ).stdout
    assert "深圳國際量子研究院" in out


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_json_always_carries_chinese_and_english(lang: str) -> None:
    plain = ok("org", "list", "--json").stdout
    assert ok("org", "list", "--json", "--lang", lang).stdout == plain
    siqa = next(r for r in json.loads(plain) if r["id"] == "siqa")
    assert (siqa["name"], siqa["name_en"]) == (
        "深圳國際量子研究院",
        "Shenzhen International Quantum Academy",
    )


def test_an_unknown_lang_is_a_usage_error() -> None:
    assert run("timeline", "--lang", "fr").exit_code == 2


# ---------------------------------------------------------------------------------------------
# Curated text is never markup; colour


MARKUP_FACTS = """
[[source]]
id = "s"
title = "[bold]標題[/bold]"
publisher = "[red]出版[/red]"
published = "2023-12-18"

[[org]]
id = "o"
name = "[bold]粗體[/bold]研究院"
kind = "institute"
source = "s"
quote = "[link=https://example.org]引文[/link] [/]"

[[event]]
id = "e"
date = "2021-09"
title = "[blink]事件[/blink]"
orgs = ["o"]
source = "s"
quote = "[i]q[/i]"
"""


@pytest.fixture
def markup_facts(tmp_path: Path) -> Path:
    path = tmp_path / "markup.toml"
    path.write_text(MARKUP_FACTS, encoding="utf-8")
    return path


@pytest.mark.parametrize("color", ["never", "always"])
@pytest.mark.parametrize(
    ("args", "literal"),
    [
        (["org", "list"], "[bold]粗體[/bold]研究院"),
        (["org", "search", "粗體"], "[bold]粗體[/bold]研究院"),
        (["show", "o"], "[link=https://example.org]引文[/link] [/]"),
        (["timeline"], "[blink]事件[/blink]"),
        (["sources"], "[red]出版[/red]"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
def test_curated_text_is_never_rich_markup(
    markup_facts: Path, args: list[str], literal: str, color: str
) -> None:
    out = ok(*args, "--facts", markup_facts, "--format", "table", "--color", color).stdout
    assert literal in ANSI.sub("", out)
    assert ("\x1b[" in out) is (color == "always")


def test_table_has_no_escapes_off_a_terminal() -> None:
    assert "\x1b[" not in ok("stats", "--format", "table").stdout
    assert "\x1b[" not in ok("stats", "--format", "table", env={"NO_COLOR": "1"}).stdout


def test_force_color_and_no_color_in_process() -> None:
    forced = ok("stats", "--format", "table", env={"FORCE_COLOR": "1"}).stdout
    assert "\x1b[" in forced
    both = ok("stats", "--format", "table", env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout
    assert "\x1b[" not in both
    never = ok("stats", "--format", "table", "--color", "never", env={"FORCE_COLOR": "1"}).stdout
    assert "\x1b[" not in never


def test_unreadable_fact_file_exits_3(tmp_path: Path) -> None:
    result = run("timeline", "--facts", tmp_path / "missing.toml")
    assert result.exit_code == 3
    assert "missing.toml" in result.stderr
    broken = tmp_path / "broken.toml"
    broken.write_text("[[org]]\nid = 'x'\n", encoding="utf-8")
    assert run("org", "list", "--facts", broken).exit_code == 3


@pytest.mark.parametrize("entry_id", ["siqa", "2020-10-14-xi-speech", "shenzhen-park"])
def test_show_table_keeps_citations_in_full_at_80_columns(entry_id: str) -> None:
    out = ok("show", entry_id, "--format", "table", env={"COLUMNS": "80"}).stdout
    assert max(len(line) for line in out.splitlines()) <= 80
    text = squeeze(out)
    for c in BOOK.by_id[entry_id].citations:
        assert squeeze(c.quote) in text
    assert squeeze(f"id {entry_id}") in text


def test_a_start_builds_only_the_command_it_runs() -> None:
    """main() hands click only the named command; help and unknown names get every one."""
    from hetao_cli.cli import app_for

    one = app_for(["timeline", "--json"])
    assert [c.callback.__name__ for c in one.registered_commands if c.callback] == ["timeline"]
    assert one.registered_groups == []
    org = app_for(["org", "search", "量子"])
    assert org.registered_commands == [] and [g.name for g in org.registered_groups] == ["org"]
    search = app_for(["search", "x"])
    assert [c.name for c in search.registered_commands] == ["search"]
    for args in ([], ["--help"], ["--version"], ["bogus"]):
        assert app_for(args) is app


@pytest.mark.parametrize("command", [["search"], ["org", "search"], ["person", "search"]])
def test_an_unknown_field_is_a_usage_error_even_when_nothing_matches(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "zzz-nothing-zzz", "--fields", "id,bogus"])
    assert result.exit_code == 2
    assert "unknown field 'bogus'" in result.output
    known = CliRunner().invoke(app, [*command, "zzz-nothing-zzz", "--fields", "id", "--json"])
    assert known.exit_code == 1
    assert json.loads(known.stdout) == []
