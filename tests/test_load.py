"""Loading: every problem of a fact file, each with its place; file choice; PartialDate."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import tomli as toml
from conftest import ASSETS, asset, invoke, problems_json
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hetao_cli.check import check_book
from hetao_cli.load import bundled_path, chosen_paths, load
from hetao_cli.model import FactBook, Kind, Origin, PartialDate
from hetao_cli.problems import FactFileError, Problem

# ---------------------------------------------------------------------------------------------
# One tiny TOML per validation rule


def case(
    name: str,
    line: int | None,
    kind: str | None,
    index: int | None,
    id: str | None,
    field: str | None,
    expected: str,
    column: int | None = None,
) -> Any:
    return pytest.param(name, line, column, kind, index, id, field, expected, id=name)


RULES = [
    case("syntax.toml", 4, None, None, None, None, "TOML syntax: ", column=14),
    case("unknown-field.toml", 7, "source", 0, "demo-source", "publsher_en",
         "unknown field (did you mean 'publisher_en'?); expected one of id, source, quote"),
    case("missing-title.toml", 2, "source", 0, "demo-source", "title", "missing required field"),
    case("empty-name.toml", 10, "area", 0, "demo-zone", "name", "expected a non-empty string"),
    case("wrong-type.toml", 11, "area", 0, "demo-zone", "area_km2",
         "expected a number, got a string"),
    case("not-a-list.toml", 11, "area", 0, "demo-zone", "aliases",
         "expected a list of strings, got a string"),
    case("wrong-bool.toml", 11, "event", 0, "demo-founded", "approximate",
         "expected true or false, got a string"),
    case("missing-id.toml", 8, "area", 0, None, "id", "missing required field"),
    case("bad-id.toml", 9, "area", 0, "Demo Zone", "id",
         "expected a lowercase slug (a-z, 0-9, '-'), got 'Demo Zone'"),
    case("duplicate-id.toml", 15, "area", 1, "demo-zone", "id",
         "duplicate id; already defined as area at {path}:8"),
    case("dangling-link.toml", 11, "area", 0, "demo-zone", "part_of",
         "links to 'nowhere', which no entry defines"),
    case("dangling-source.toml", 11, "area", 0, "demo-zone", "source",
         "links to 'nowhere', which no entry defines"),
    case("wrong-link-kind.toml", 11, "area", 0, "demo-zone", "part_of",
         "'demo-source' is a source; expected an area"),
    case("cites-not-a-source.toml", 20, "org", 0, "demo-institute", "more_citations",
         "cites 'demo-zone', which is not a source id"),
    case("bad-citation.toml", 12, "area", 0, "demo-zone", "more_citations[0]",
         "expected a non-empty string 'quote'"),
    case("link-to-invalid.toml", 11, "area", 0, "demo-zone", "area_km2",
         "an area must be positive, got 0"),
    case("impossible-date.toml", 10, "event", 0, "demo-founded", "date",
         "'2023-02-30': 2023-02 has no day 30"),
    case("malformed-date.toml", 10, "event", 0, "demo-founded", "date",
         "'2023/02/01' is not YYYY, YYYY-MM or YYYY-MM-DD"),
    case("date-not-string.toml", 10, "event", 0, "demo-founded", "date",
         "expected a date string YYYY, YYYY-MM or YYYY-MM-DD (write the date as a quoted string)"),
    case("unknown-unit.toml", 12, "figure", 0, "demo-funding", "unit",
         "expected one of km2, count, CNY, percent, minutes, years, person-trips, per-km2, HKD; "
         "got 'km²'"),
    case("unknown-qualifier.toml", 13, "figure", 0, "demo-funding", "qualifier",
         "expected one of exact, about, more_than, at_least, at_most, range, "
         "order_of_magnitude; got 'roughly'"),
    case("unknown-org-kind.toml", 11, "org", 0, "demo-institute", "kind",
         "got 'institut'"),
    case("range-without-max.toml", 8, "figure", 0, "demo-funding", "value_max",
         "a range needs value_max"),
    case("range-max-below.toml", 12, "figure", 0, "demo-funding", "value_max",
         "value_max 15 is below value 20"),
    case("max-without-range.toml", 12, "figure", 0, "demo-funding", "value_max",
         "value_max goes only with qualifier 'range'"),
    case("not-finite.toml", 11, "figure", 0, "demo-funding", "value", "expected a finite number"),
    case("too-large.toml", 11, "figure", 0, "demo-funding", "value", "expected a finite number"),
    case("area-not-positive.toml", 11, "area", 0, "demo-zone", "area_km2",
         "an area must be positive, got -1"),
    case("positionings-mismatch.toml", 12, "area", 0, "demo-zone", "positionings_en",
         "expected 2 items, one per positioning"),
    case("unknown-table.toml", 8, None, None, None, None,
         "unknown table [[orgs]] (did you mean [[org]]?)"),
    case("not-array.toml", 2, "area", None, None, None,
         "expected [[area]] entries (an array of tables), got a string"),
    case("as-written-mismatch.toml", 11, "figure", 0, "demo-funding", "value",
         "as_written '7000多萬元' reads as 70000000, not 7000000"),
    case("qualifier-mismatch.toml", 13, "figure", 0, "demo-funding", "qualifier",
         "as_written '7000多萬元' reads as more_than, not exact"),
    case("as-written-not-in-quote.toml", 14, "figure", 0, "demo-funding", "as_written",
         "'7000萬元' does not stand in the figure's quote"),
    case("control-character.toml", 11, "event", 0, "demo-founded", "title",
         r"contains a control character \x1b (ESC); write it as text or remove it"),
]  # fmt: skip

NOT_A_RULE = {"valid.toml", "several.toml", "quote-departs.toml", "quote-character-forms.toml"}


def expected_place(path: Path, line: int | None, column: int | None, kind: str | None,
                   index: int | None, id: str | None, field: str | None) -> str:  # fmt: skip
    where = str(path) + (f":{line}" if line else "") + (f":{column}" if column else "")
    if kind:
        where += f": {kind}" + ("" if index is None else f"[{index}]")
        where += f" id={id!r}" if id else ""
    return where + (f" field {field!r}" if field else "")


@pytest.mark.parametrize(
    ("name", "line", "column", "kind", "index", "id", "field", "expected"), RULES
)
def test_each_rule_names_its_place(
    name: str,
    line: int | None,
    column: int | None,
    kind: str | None,
    index: int | None,
    id: str | None,
    field: str | None,
    expected: str,
) -> None:
    path = asset(name)
    expected = expected.format(path=path)

    result = invoke("check", path)
    assert result.exit_code == 1, result.output
    assert result.stderr == "hetao: 1 problem found\n"
    place = expected_place(path, line, column, kind, index, id, field)
    assert result.stdout.startswith(f"{place}: ")
    assert expected in result.stdout
    assert result.stdout.count("\n") == 1  # exactly one problem: no echoes, no cascades

    [problem] = problems_json(path)
    assert problem["file"] == str(path)
    assert (problem["line"], problem["column"]) == (line, column)
    assert (problem["kind"], problem["index"], problem["id"]) == (kind, index, id)
    assert problem["field"] == field
    assert expected in problem["message"]


def test_every_rule_asset_is_checked() -> None:
    covered = {p.values[0] for p in RULES}
    on_disk = {p.name for p in ASSETS.glob("*.toml")}
    assert on_disk - NOT_A_RULE == covered


@pytest.mark.parametrize("name", [p.values[0] for p in RULES], ids=str)
def test_each_rule_asset_fails_load_or_check(name: str) -> None:
    """A rule asset is invalid to `load` itself, unless its rule is one of check's own."""
    try:
        book = load([asset(name)])
    except FactFileError as exc:
        assert not exc.unreadable
        assert len(exc.problems) == 1
        return
    assert len(check_book(book)) == 1


def test_valid_file_loads_every_kind_linked() -> None:
    book = load([asset("valid.toml")])
    assert len(book) == 8
    assert {k: len(book.of_kind(k)) for k in Kind} == dict.fromkeys(Kind, 1)
    assert book.by_id["demo-institute-founded"].date == PartialDate(2021, 9)  # type: ignore[union-attr]
    assert book.origins["demo-plan"] == Origin(str(asset("valid.toml")), 0)
    result = invoke("check", asset("valid.toml"))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "hetao: ok: 8 entries, no problems (quotes not checked)\n"


def test_several_problems_are_all_listed() -> None:
    path = asset("several.toml")
    result = invoke("check", path)
    assert result.exit_code == 1
    assert result.stderr == "hetao: 6 problems found\n"
    places = [
        # In file order: a missing field at its entry's header line.
        (2, "source", "title", "missing required field"),
        (4, "source", "titel", "unknown field (did you mean 'title'?)"),
        (6, "source", "published", "'2023-02-30': 2023-02 has no day 30"),
        (11, "area", "area_km2", "an area must be positive, got 0"),
        (17, "org", "name", "expected a non-empty string"),
        (26, "event", "people", "links to 'nobody', which no entry defines"),
    ]
    lines = result.stdout.splitlines()
    assert len(lines) == len(places)
    for text, (line, kind, field, message) in zip(lines, places, strict=True):
        assert text.startswith(f"{path}:{line}: {kind}[0] id=")
        assert f" field {field!r}: {message}" in text
    # The source is invalid, yet the entries citing it are not also reported as dangling.
    assert result.stdout.count("which no entry defines") == 1


def test_other_commands_list_problems_and_exit_3() -> None:
    result = invoke("timeline", "--facts", asset("several.toml"))
    assert result.exit_code == 3
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 6
    assert all(
        line.startswith(f"hetao: {asset('several.toml')}:") for line in result.stderr.splitlines()
    )


# ---------------------------------------------------------------------------------------------
# Choosing and merging files


EXTRA = """\
[[org]]
id = "demo-lab"
name = "示範實驗室"
kind = "laboratory"
parent = "demo-institute"
area = "demo-zone"
source = "demo-source"
quote = "示範研究院"
"""

CLASH = """\
# line 1

[[area]]
id = "demo-zone"
name = "另一個示範區"
source = "demo-source"
quote = "示範合作區"
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """valid.toml and a second file that links into it, side by side (and a non-TOML file)."""
    shutil.copy(asset("valid.toml"), tmp_path / "a.toml")
    (tmp_path / "b.toml").write_text(EXTRA, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a fact file", encoding="utf-8")
    return tmp_path


def test_folder_merges_its_toml_files(folder: Path) -> None:
    book = load([folder])
    assert len(book) == 9
    assert book.by_id["demo-lab"].parent == "demo-institute"  # type: ignore[union-attr]
    assert book.origins["demo-lab"].file == str(folder / "b.toml")
    result = invoke("check", folder)
    assert (result.exit_code, result.stderr) == (
        0,
        "hetao: ok: 9 entries, no problems (quotes not checked)\n",
    )


def test_duplicate_across_folder_names_both_places(folder: Path) -> None:
    (folder / "b.toml").write_text(CLASH, encoding="utf-8")
    [problem] = problems_json(folder)
    assert problem == {
        "file": str(folder / "b.toml"),
        "line": 4,
        "column": None,
        "kind": "area",
        "index": 0,
        "id": "demo-zone",
        "field": "id",
        "message": f"duplicate id; already defined as area at {folder / 'a.toml'}:10",
        "severity": "error",
    }
    assert (asset("valid.toml").read_text(encoding="utf-8").splitlines()[10 - 1]) == "[[area]]"


def test_duplicate_across_two_facts_options(tmp_path: Path) -> None:
    clash = tmp_path / "clash.toml"
    clash.write_text(CLASH, encoding="utf-8")
    result = invoke("check", "--facts", asset("valid.toml"), "--facts", clash)
    assert result.exit_code == 1
    assert result.stdout == (
        f"{clash}:4: area[0] id='demo-zone' field 'id': "
        f"duplicate id; already defined as area at {asset('valid.toml')}:10\n"
    )
    # Given the other way round, the other file holds the duplicate.
    result = invoke("check", clash, asset("valid.toml"))
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{asset('valid.toml')}:11: area[0] id='demo-zone' field 'id'")
    assert f"already defined as area at {clash}:3" in result.stdout


INVALID_THEN_VALID = """\
[[source]]
id = "demo-source"
title = "示範報道"
publisher = "示範出版社"
published = "2023-12-18"

[[area]]
id = "demo-zone"
name = "示範合作區"
area_km2 = -1
source = "demo-source"
quote = "示範合作區很小"

[[area]]
id = "demo-zone"
name = "示範合作區"
source = "demo-source"
quote = "示範合作區很小"

[[org]]
id = "demo-zone"
name = "示範機構"
kind = "institut"
source = "demo-source"
quote = "示範機構"
"""


def test_a_duplicate_of_an_invalid_entry_is_still_a_duplicate(tmp_path: Path) -> None:
    path = tmp_path / "dup.toml"
    path.write_text(INVALID_THEN_VALID, encoding="utf-8")
    problems = {(p["kind"], p["index"], p["field"]): p for p in problems_json(path)}
    assert len(problems) == 4, problems
    assert problems["area", 0, "area_km2"]["message"] == "an area must be positive, got -1"
    assert problems["org", 0, "kind"]["line"] == 23
    first = f"duplicate id; also defined as area at {path}:7"
    # the valid second area, and the invalid org, each name the first entry's place
    assert (problems["area", 1, "id"]["line"], problems["area", 1, "id"]["message"]) == (15, first)
    assert (problems["org", 0, "id"]["line"], problems["org", 0, "id"]["message"]) == (21, first)


def test_hetao_facts_is_split_on_pathsep(folder: Path) -> None:
    value = os.pathsep.join([str(folder / "a.toml"), str(folder / "b.toml")])
    book = load(env={"HETAO_FACTS": value})
    assert len(book) == 9
    result = invoke("check", env={"HETAO_FACTS": value})
    assert result.exit_code == 0
    assert "ok: 9 entries" in result.stderr
    result = invoke("sources", "--format", "json", env={"HETAO_FACTS": value})
    assert result.exit_code == 0
    assert [s["id"] for s in json.loads(result.stdout)] == ["demo-source"]


def test_facts_option_beats_env_beats_bundled(folder: Path, tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.toml")
    env = {"HETAO_FACTS": missing}
    assert chosen_paths([folder / "b.toml"], env) == [folder / "b.toml"]
    assert chosen_paths(None, env) == [Path(missing)]
    assert chosen_paths(None, {}) == [bundled_path()]
    assert chosen_paths(None, {"HETAO_FACTS": "  "}) == [bundled_path()]
    # Separators alone name no file: the bundled file, not an empty book.
    assert chosen_paths(None, {"HETAO_FACTS": os.pathsep * 2}) == [bundled_path()]
    assert chosen_paths(None, {"HETAO_FACTS": f"{missing}{os.pathsep}"}) == [Path(missing)]

    result = invoke("check", "--facts", asset("valid.toml"), env=env)
    assert result.exit_code == 0
    result = invoke("check", env=env)
    assert result.exit_code == 3
    assert result.stderr == f"hetao: {missing}: no such file or folder\n"


def test_bundled_file_is_the_default() -> None:
    assert bundled_path().name == "facts.toml"
    assert bundled_path().is_file()
    assert len(load(env={})) > 0  # its content is curated elsewhere; it only has to load


# ---------------------------------------------------------------------------------------------
# Files that cannot be read at all


def unreadable_cases(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    empty = tmp_path / "empty.toml"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.toml"
    blank.write_bytes(b"\n  \n")
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + asset("valid.toml").read_bytes())
    latin = tmp_path / "latin1.toml"
    latin.write_bytes(b'[[source]]\nid = "x"\ntitle = "caf\xe9"\n')
    no_toml = tmp_path / "empty-folder"
    no_toml.mkdir()
    (no_toml / "readme.txt").write_text("x", encoding="utf-8")
    like_a_file = tmp_path / "facts.toml"
    like_a_file.mkdir()
    return {
        "missing": (tmp_path / "nope.toml", "no such file or folder"),
        "empty": (empty, "file is empty"),
        "blank": (blank, "file is empty"),
        "bom": (bom, "1: starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM"),
        "not-utf8": (latin, "3: not UTF-8 text (byte 0xe9 at offset 32)"),
        "folder-without-toml": (no_toml, "folder has no .toml files"),
        "folder-named-like-a-file": (like_a_file, "folder has no .toml files"),
    }


CASE_NAMES = ["missing", "empty", "blank", "bom", "not-utf8", "folder-without-toml",
              "folder-named-like-a-file"]  # fmt: skip


@pytest.mark.parametrize("name", CASE_NAMES)
def test_unreadable_file_is_one_line_and_exit_3(tmp_path: Path, name: str) -> None:
    path, message = unreadable_cases(tmp_path)[name]
    with pytest.raises(FactFileError) as info:
        load([path])
    assert info.value.unreadable
    [problem] = info.value.problems
    sep = ":" if message[0].isdigit() else ": "  # a line number follows the file directly
    assert str(problem) == f"{path}{sep}{message}"
    commands: list[list[str | Path]] = [
        ["check", path],
        ["timeline", "--facts", path],
        ["check", "--format", "json", path],
    ]
    for args in commands:
        result = invoke(*args)
        assert result.exit_code == 3, result.output
        assert result.stdout == ""
        assert result.stderr == f"hetao: {problem}\n"


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root reads a chmod 000 file regardless of its mode",
)
def test_file_without_read_permission(tmp_path: Path) -> None:
    path = tmp_path / "locked.toml"
    shutil.copy(asset("valid.toml"), path)
    path.chmod(0)
    try:
        result = invoke("check", path)
    finally:
        path.chmod(0o644)
    assert result.exit_code == 3
    assert result.stderr == f"hetao: {path}: cannot read: Permission denied\n"


def test_unreadable_with_other_problems_still_exits_3(tmp_path: Path) -> None:
    empty = tmp_path / "empty.toml"
    empty.write_bytes(b"")
    result = invoke("check", asset("several.toml"), empty)
    assert result.exit_code == 3
    assert f"hetao: {empty}: file is empty\n" in result.stderr
    assert result.stderr.count("\n") == 7  # six problems of several.toml and the empty file


def test_parser_limits_are_problems_not_tracebacks(tmp_path: Path) -> None:
    """tomli raises plain ValueError or RecursionError for these, not TOMLDecodeError."""
    long_int = tmp_path / "long-int.toml"
    long_int.write_text("x = 1" + "0" * 5000 + "\n", encoding="utf-8")
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 3000 + "]" * 3000 + "\n", encoding="utf-8")
    for path in (long_int, deep):
        with pytest.raises(FactFileError) as info:
            load([path])
        [problem] = info.value.problems
        assert problem.file == str(path)
        assert problem.message.startswith("TOML syntax: ")
        result = invoke("check", path)
        assert result.exit_code == 1
        assert result.stdout.startswith(f"{path}: TOML syntax: ")


def test_problem_place_and_dict() -> None:
    p = Problem("f.toml", "bad", 3, None, "area", 2, "x", "name")
    assert str(p) == "f.toml:3: area[2] id='x' field 'name': bad"
    assert Problem("f.toml", "bad", kind="area").place() == "f.toml: area"
    assert Problem("f.toml", "bad", 1, 5).place() == "f.toml:1:5"
    assert p.as_dict() == {"file": "f.toml", "line": 3, "column": None, "kind": "area",
                           "index": 2, "id": "x", "field": "name", "message": "bad",
                           "severity": "error"}  # fmt: skip
    warned = Problem("f.toml", "odd", 3, warning=True)
    assert str(warned) == "f.toml:3: warning: odd"
    assert warned.as_dict()["severity"] == "warning"


# ---------------------------------------------------------------------------------------------
# PartialDate


@pytest.mark.parametrize(
    ("text", "parts", "precision"),
    [
        ("2017", (2017, None, None), "year"),
        ("2017-07", (2017, 7, None), "month"),
        ("2017-07-01", (2017, 7, 1), "day"),
        ("2024-02-29", (2024, 2, 29), "day"),
        ("0001", (1, None, None), "year"),
    ],
)
def test_partial_date_parse(
    text: str, parts: tuple[int, int | None, int | None], precision: str
) -> None:
    d = PartialDate.parse(text)
    assert (d.year, d.month, d.day) == parts
    assert d.precision == precision
    assert d.iso() == text
    assert str(d) == text
    assert str(PartialDate.parse(text, approximate=True)) == f"c. {text}"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2023-02-30", "2023-02 has no day 30"),
        ("2023-02-29", "2023-02 has no day 29"),
        ("1900-02-29", "1900-02 has no day 29"),
        ("2023-04-31", "2023-04 has no day 31"),
        ("2023-01-00", "2023-01 has no day 0"),
        ("2023-13", "there is no month 13"),
        ("2023-00", "there is no month 0"),
        ("0000", "there is no year 0"),
        ("23-01-01", "is not YYYY"),
        ("2023-1-01", "is not YYYY"),
        ("2023/01/01", "is not YYYY"),
        ("2023-01-01T00:00", "is not YYYY"),
        (" 2023", "is not YYYY"),
        ("2023\n", "is not YYYY"),
        ("２０２３", "is not YYYY"),  # full-width digits
        ("٢٠٢٣", "is not YYYY"),  # Arabic-Indic digits
        ("", "is not YYYY"),
    ],
)
def test_partial_date_rejects(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=re.escape(reason)):
        PartialDate.parse(text)


def test_partial_date_order() -> None:
    texts = ["2018", "2017-07-01", "2017", "2017-01", "2017-07", "2016-12-31"]
    ordered = sorted(PartialDate.parse(t) for t in texts)
    assert [d.iso() for d in ordered] == [
        "2016-12-31",
        "2017",
        "2017-01",
        "2017-07",
        "2017-07-01",
        "2018",
    ]
    assert (
        PartialDate.parse("2017") < PartialDate.parse("2017-01") < PartialDate.parse("2017-07-01")
    )
    assert PartialDate.parse("2017-07-01") < PartialDate.parse("2018")
    assert not PartialDate.parse("2018") < PartialDate.parse("2017-12-31")


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2017", dt.date(2017, 1, 1), dt.date(2017, 12, 31)),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("2023-02", dt.date(2023, 2, 1), dt.date(2023, 2, 28)),
        ("2000-02", dt.date(2000, 2, 1), dt.date(2000, 2, 29)),
        ("1900-02", dt.date(1900, 2, 1), dt.date(1900, 2, 28)),
        ("2023-04", dt.date(2023, 4, 1), dt.date(2023, 4, 30)),
        ("2023-12", dt.date(2023, 12, 1), dt.date(2023, 12, 31)),
        ("2024-02-29", dt.date(2024, 2, 29), dt.date(2024, 2, 29)),
    ],
)
def test_partial_date_span(text: str, start: dt.date, end: dt.date) -> None:
    d = PartialDate.parse(text)
    assert (d.start, d.end) == (start, end)


@pytest.mark.parametrize(
    ("text", "first", "last", "overlaps"),
    [
        ("2017", dt.date(2017, 6, 1), None, True),  # a coarse date overlapping the bound
        ("2017", dt.date(2018, 1, 1), None, False),
        ("2017", None, dt.date(2017, 1, 1), True),
        ("2017", None, dt.date(2016, 12, 31), False),
        ("2017-07", dt.date(2017, 7, 31), dt.date(2017, 7, 31), True),
        ("2017-07", dt.date(2017, 8, 1), None, False),
        ("2024-02", dt.date(2024, 2, 29), None, True),
        ("2023-02", dt.date(2023, 3, 1), None, False),
        ("2017-07-01", dt.date(2017, 7, 1), dt.date(2017, 7, 1), True),
        ("2017-07-01", dt.date(2017, 7, 2), None, False),
        ("2017-07-01", None, None, True),
    ],
)
def test_partial_date_overlaps(
    text: str, first: dt.date | None, last: dt.date | None, overlaps: bool
) -> None:
    assert PartialDate.parse(text).overlaps(first, last) is overlaps


# ---------------------------------------------------------------------------------------------
# Any mutation of a valid fact file loads or fails with the one error type


def toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_value(key)


def toml_value(value: Any) -> str:
    """A tiny TOML writer for inline values: enough for what the strategies below produce."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        escaped = "".join(
            "\\\\" if c == "\\" else '\\"' if c == '"' else
            f"\\u{ord(c):04x}" if ord(c) < 0x20 or ord(c) == 0x7F else c
            for c in value
        )  # fmt: skip
        return f'"{escaped}"'
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


def to_toml(data: dict[str, Any]) -> str:
    """Arrays of tables as [[kind]] headers, like a curated file; anything else inline, first."""
    tables = {k: v for k, v in data.items()
              if isinstance(v, list) and v and all(isinstance(e, dict) for e in v)}  # fmt: skip
    lines = [f"{toml_key(k)} = {toml_value(v)}" for k, v in data.items() if k not in tables]
    for kind, entries in tables.items():
        for entry in entries:
            lines += ["", f"[[{toml_key(kind)}]]"]
            lines += [f"{toml_key(k)} = {toml_value(v)}" for k, v in entry.items()]
    return "\n".join(lines) + "\n"


VALID = toml.loads(asset("valid.toml").read_text(encoding="utf-8"))
KEYS = sorted({k for entries in VALID.values() for e in entries for k in e})
IDS = sorted({e["id"] for entries in VALID.values() for e in entries})

scalars = st.one_of(
    st.text(max_size=12),
    st.sampled_from(IDS + KEYS + ["", " ", "2023-02-30", "2023", "range", "km2", "7000多萬元"]),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.dates(),
    st.datetimes(),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
garbled_dates = st.from_regex(r"\A[0-9]{1,5}(-[0-9]{1,3}){0,3}\Z") | st.text(
    alphabet="0123456789-/ .T:", max_size=12
)
new_keys = st.sampled_from(KEYS) | st.text(min_size=1, max_size=10)
MUTATIONS = ["drop", "retype", "rename", "break-link", "garble-date", "drop-id", "nest",
             "duplicate", "retype-table", "new-table", "drop-entry"]  # fmt: skip


def mutate(data: dict[str, Any], draw: Any) -> str:
    kinds = [k for k, v in data.items() if isinstance(v, list) and v]
    if not kinds:
        return "none"
    kind = draw(st.sampled_from(kinds))
    entries = data[kind]
    i = draw(st.integers(0, len(entries) - 1))
    entry = entries[i]
    op: str = draw(st.sampled_from(MUTATIONS))
    if not isinstance(entry, dict):
        op = "retype-table"
    keys = sorted(entry) if isinstance(entry, dict) else []
    key = draw(st.sampled_from(keys)) if keys else "id"
    if op == "drop" and keys:
        del entry[key]
    elif op == "retype":
        entry[key] = draw(values)
    elif op == "rename" and keys:
        entry[draw(new_keys)] = entry.pop(key)
    elif op == "break-link":
        link = draw(st.sampled_from(["source", "scope", "area", "part_of", "orgs", "people",
                                     "issuers", "parent", "documents"]))  # fmt: skip
        target = draw(st.sampled_from(IDS) | st.from_regex(r"\A[a-z0-9-]{0,12}\Z"))
        entry[link] = [target] if link in ("orgs", "people", "issuers", "documents") else target
    elif op == "garble-date":
        entry[draw(st.sampled_from(["date", "published"]))] = draw(garbled_dates)
    elif op == "drop-id":
        entry.pop("id", None)
    elif op == "nest":
        entry[key] = [[draw(values)], {"x": {"y": draw(values)}}]
    elif op == "duplicate":
        entries.append(dict(entry))
    elif op == "retype-table":
        data[kind] = draw(values)
    elif op == "new-table":
        data[draw(new_keys)] = draw(st.lists(st.dictionaries(new_keys, values, max_size=3),
                                             min_size=1, max_size=2))  # fmt: skip
    elif op == "drop-entry":
        del entries[i]
    return op


def test_writer_round_trips_the_valid_file(tmp_path: Path) -> None:
    path = tmp_path / "copy.toml"
    path.write_text(to_toml(VALID), encoding="utf-8")
    assert toml.loads(path.read_text(encoding="utf-8")) == VALID
    assert len(load([path])) == 8


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_mutated_file_loads_or_fails_with_fact_file_error(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    mutated = json.loads(json.dumps(VALID))  # a deep copy of plain data
    ops = [mutate(mutated, data.draw) for _ in range(data.draw(st.integers(1, 4)))]
    text = to_toml(mutated)
    assert toml.loads(text) == mutated, "the test's TOML writer is wrong"
    path = tmp_path_factory.mktemp("mutated") / "facts.toml"
    path.write_text(text, encoding="utf-8")
    try:
        book = load([path])
    except FactFileError as exc:
        assert exc.problems, ops
        for problem in exc.problems:
            assert problem.file == str(path)
            assert problem.message
            assert str(problem).startswith(str(path))
        return
    assert isinstance(book, FactBook)
    check_book(book)  # the curator's checks take whatever loads


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    """`--facts a --facts ./a` and a folder with one of its own files are one file, not a
    duplicate of every id."""
    valid = ASSETS / "valid.toml"
    folder = tmp_path / "facts"
    folder.mkdir()
    copy = folder / "valid.toml"
    copy.write_bytes(valid.read_bytes())
    for args in (
        ["--facts", str(valid), "--facts", str(ASSETS / ".." / "assets" / "valid.toml")],
        ["--facts", str(folder), "--facts", str(copy)],
    ):
        result = invoke("timeline", "--json", *args)
        assert result.exit_code == 0, result.output
        assert [e["id"] for e in json.loads(result.stdout)] == [e.id for e in load([valid]).events]
