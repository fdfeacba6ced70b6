"""The curator's checks: figures against their written form, quotes against source texts."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import BIDI, SOURCES, asset, hetao, invoke, raw_controls

from hetao_cli.check import (
    check_book,
    control_message,
    figure_problems,
    quote_problem,
)
from hetao_cli.load import load
from hetao_cli.model import Citation, Figure, Qualifier, Unit
from hetao_cli.written import parse_written

EXACT, ABOUT, MORE, AT_MOST, RANGE = (
    Qualifier.EXACT,
    Qualifier.ABOUT,
    Qualifier.MORE_THAN,
    Qualifier.AT_MOST,
    Qualifier.RANGE,
)
ORDER = Qualifier.ORDER_OF_MAGNITUDE


@pytest.mark.parametrize(
    ("written", "value", "qualifier", "high"),
    [
        ("3.89平方公里", 3.89, EXACT, None),
        ("7000多萬元", 70_000_000, MORE, None),
        ("超過150家", 150, MORE, None),
        ("超8萬人次", 80_000, MORE, None),
        ("逾200人", 200, MORE, None),
        ("120項左右", 120, ABOUT, None),
        ("近億元", 100_000_000, ABOUT, None),
        ("有可能近億元", 100_000_000, ABOUT, None),
        ("約30%", 30, ABOUT, None),
        ("最高可獲2000萬元", 20_000_000, AT_MOST, None),
        ("不超過5年", 5, AT_MOST, None),
        ("15至20分鐘", 15, RANGE, 20),
        ("15至20萬", 150_000, RANGE, 200_000),  # the multiplier is written once, for both ends
        ("2至3億元", 200_000_000, RANGE, 300_000_000),
        ("15至20万", 150_000, RANGE, 200_000),
        ("三至五百人", 300, RANGE, 500),
        ("十五至二十萬", 150_000, RANGE, 200_000),
        ("1萬至2萬", 10_000, RANGE, 20_000),
        ("百餘篇", 100, MORE, None),
        ("1100多篇", 1100, MORE, None),
        ("10%", 10, EXACT, None),
        ("上千萬元", 10_000_000, MORE, None),
        ("千萬元級別", 10_000_000, ORDER, None),
        ("1.5億", 150_000_000, EXACT, None),
        ("3億5000萬", 350_000_000, EXACT, None),
        ("1,200家", 1200, EXACT, None),
        ("５０%", 50, EXACT, None),  # full-width digits
        ("三", 3, EXACT, None),
        ("十五", 15, EXACT, None),
        ("二十", 20, EXACT, None),
        ("一千二百", 1200, EXACT, None),
        ("兩萬", 20_000, EXACT, None),
        ("十萬", 100_000, EXACT, None),
    ],
)
def test_parse_written(
    written: str, value: float, qualifier: Qualifier, high: float | None
) -> None:
    assert parse_written(written) == (value, qualifier, high)


@pytest.mark.parametrize("written", ["", "若干", "多家", "..."])
def test_parse_written_without_a_number(written: str) -> None:
    with pytest.raises(ValueError, match="no number"):
        parse_written(written)


def figure(**kw: object) -> Figure:
    """A figure citing '已引進7000多萬元資金', with fields overridden by kw."""
    base: dict[str, object] = {
        "id": "f",
        "subject": "引進資金",
        "value": 70_000_000,
        "unit": Unit.CNY,
        "qualifier": MORE,
        "as_written": "7000多萬元",
        "scope": "x",
        "citations": (Citation("s", "已引進7000多萬元資金"),),
    }
    return Figure(**{**base, **kw})  # type: ignore[arg-type]


def test_figure_problems() -> None:
    assert list(figure_problems(figure())) == []
    assert list(figure_problems(figure(value=7_000_000))) == [
        ("value", "as_written '7000多萬元' reads as 70000000, not 7000000")
    ]
    assert list(figure_problems(figure(qualifier=ABOUT))) == [
        ("qualifier", "as_written '7000多萬元' reads as more_than, not about")
    ]
    ranged = figure(value=15, qualifier=RANGE, value_max=25, as_written="15至20")
    assert list(figure_problems(ranged)) == [
        ("as_written", "'15至20' does not stand in the figure's quote"),
        ("value_max", "as_written '15至20' reads as up to 20"),
    ]
    # A derived value is not read from as_written; it still has to stand in the quote.
    assert list(figure_problems(figure(value=1, derived="7000萬 / 3.89"))) == []


# ---------------------------------------------------------------------------------------------
# Quotes against the source text

TEXT = "河套合作區很小,只有3.89平方公里,其中深圳園區3.02平方公里。"


def test_quote_verbatim_passes() -> None:
    assert quote_problem("只有3.89平方公里", TEXT) is None
    assert quote_problem(TEXT, TEXT) is None


def test_quote_that_departs_says_where() -> None:
    why = quote_problem("河套合作區很大,只有3.89平方公里", TEXT)
    assert why == "quote not found verbatim in the source; it departs after '河套合作區很'"


def test_quote_departing_at_once() -> None:
    assert quote_problem("大灣區", TEXT) == (
        "quote not found verbatim in the source; it departs after ''"
    )


def test_quote_with_other_character_forms() -> None:
    for quote in ("河套合作區很小，只有3.89平方公里", "只有３．８９平方公里"):
        assert quote_problem(quote, TEXT) == (
            "quote differs from the source only in character forms (full-width, compatibility)"
        )


def test_check_with_sources_clean() -> None:
    result = invoke("check", asset("valid.toml"), "--sources", SOURCES)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert (
        result.stderr == f"hetao: ok: 8 entries, no problems (quotes checked against {SOURCES})\n"
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "quote-departs.toml",
            "quote not found verbatim in the source; it departs after '示範合作區很'",
        ),
        (
            "quote-character-forms.toml",
            "quote differs from the source only in character forms (full-width, compatibility)",
        ),
    ],
)
def test_check_with_sources_finds_quote_problems(name: str, message: str) -> None:
    path = asset(name)
    assert invoke("check", path).exit_code == 0  # structurally sound: only the source text tells
    result = invoke("check", path, "--sources", SOURCES)
    assert result.exit_code == 1
    assert result.stdout == f"{path}:17: area[0] id='demo-zone' field 'quote': {message}\n"
    assert result.stderr == "hetao: 1 problem found\n"


def test_check_with_sources_missing_text(tmp_path: Path) -> None:
    result = invoke("check", asset("valid.toml"), "--sources", tmp_path)
    assert result.exit_code == 1
    # One line for the source, not one for each of the eight quotes that cite it.
    expected = f"no readable UTF-8 source text at {tmp_path / 'demo-source.txt'}"
    assert result.stdout.splitlines() == [
        f"{asset('valid.toml')}:4: source[0] id='demo-source' field 'id': {expected}: "
        "8 quotes not checked"
    ]


def test_check_more_citations_against_sources(tmp_path: Path) -> None:
    text = (
        asset("valid.toml")
        .read_text(encoding="utf-8")
        .replace(
            "area_km2 = 3.89\n",
            'area_km2 = 3.89\nmore_citations = [{ field = "name", quote = "示範大區" }]\n',
        )
    )
    path = tmp_path / "facts.toml"
    path.write_text(text, encoding="utf-8")
    result = invoke("check", path, "--sources", SOURCES)
    assert result.exit_code == 1
    assert result.stdout == (
        f"{path}:15: area[0] id='demo-zone' field 'more_citations': "
        "quote not found verbatim in the source; it departs after '示範'\n"
    )


def test_sources_must_be_a_folder(tmp_path: Path) -> None:
    nope = tmp_path / "nope"
    result = invoke("check", asset("valid.toml"), "--sources", nope, env={"COLUMNS": "300"})
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"Invalid value for --sources: {nope} is not a folder" in result.stderr


def test_check_json_lists_problem_objects() -> None:
    path = asset("several.toml")
    result = invoke("check", path, "--format", "json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)
    assert isinstance(problems, list)
    assert len(problems) == 6
    for p in problems:
        assert set(p) == {
            "file", "line", "column", "kind", "index", "id", "field", "message", "severity",
        }  # fmt: skip
        assert p["severity"] == "error"
        assert p["file"] == str(path)
        assert isinstance(p["line"], int)
    assert problems[3] == {
        "file": str(path),
        "line": 11,
        "column": None,
        "kind": "area",
        "index": 0,
        "id": "demo-zone",
        "field": "area_km2",
        "message": "an area must be positive, got 0",
        "severity": "error",
    }
    assert result.stderr == "hetao: 6 problems found\n"


def test_check_json_clean_is_an_empty_list() -> None:
    result = invoke("check", asset("valid.toml"), "--format", "json", "--sources", SOURCES)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_check_json_quote_problem() -> None:
    path = asset("quote-departs.toml")
    result = invoke("check", path, "--format", "json", "--sources", SOURCES)
    assert result.exit_code == 1
    [p] = json.loads(result.stdout)
    assert (p["file"], p["line"], p["kind"], p["index"], p["id"], p["field"]) == (
        str(path),
        17,
        "area",
        0,
        "demo-zone",
        "quote",
    )


def test_check_book_without_sources_checks_figures_only() -> None:
    assert check_book(load([asset("quote-departs.toml")])) == []
    [problem] = check_book(load([asset("as-written-mismatch.toml")]))
    assert (problem.kind, problem.id, problem.field, problem.line) == (
        "figure",
        "demo-funding",
        "value",
        11,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["check", "{path}"],
        ["check", "{path}", "--sources", str(SOURCES)],
        ["check", "{path}", "--format", "json", "--sources", str(SOURCES)],
        ["timeline", "--facts", "{path}", "--json"],
        ["figures", "--facts", "{path}", "--json"],
        ["show", "demo-zone", "--facts", "{path}", "--json"],
    ],
)
@pytest.mark.parametrize("name", ["valid.toml", "several.toml", "quote-departs.toml"])
def test_hetao_never_writes_a_fact_file(tmp_path: Path, name: str, args: list[str]) -> None:
    path = tmp_path / name
    shutil.copy(asset(name), path)
    old = 1_000_000_000
    os.utime(path, (old, old))
    before = path.read_bytes()
    result = invoke(*[a.format(path=path) for a in args])
    assert result.exit_code in (0, 1, 3)
    assert path.read_bytes() == before
    assert path.stat().st_mtime == old
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no backup or lock file beside it


# ---------------------------------------------------------------------------------------------
# Control and bidi characters in a fact file


@pytest.mark.parametrize(
    ("char", "message"),
    [
        ("\x1b", r"contains a control character \x1b (ESC); write it as text or remove it"),
        ("\x07", r"contains a control character \x07 (BEL); write it as text or remove it"),
        ("\x00", r"contains a control character \x00 (NUL); write it as text or remove it"),
        ("\r", r"contains a control character \x0d (CR); write it as text or remove it"),
        ("\x7f", r"contains a control character \x7f (DEL); write it as text or remove it"),
        ("\x85", r"contains a control character \x85 (NEL); write it as text or remove it"),
        ("\x9b", r"contains a control character \x9b (CSI); write it as text or remove it"),
        ("\x9d", r"contains a control character \x9d (OSC); write it as text or remove it"),
        ("\u202e",
         r"contains a bidi control character \u202e (RLO); write it as text or remove it"),
        ("\u2066",
         r"contains a bidi control character \u2066 (LRI); write it as text or remove it"),
        ("\u061c",
         r"contains a bidi control character \u061c (ALM); write it as text or remove it"),
    ],
)  # fmt: skip
def test_control_message_names_the_character_printably(char: str, message: str) -> None:
    assert control_message(char) == message


def test_every_control_character_has_a_printable_message() -> None:
    chars = [chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)] if chr(c) not in "\t\n"]
    for char in [*chars, *BIDI]:
        message = control_message(char)
        assert not raw_controls(message)
        assert message.startswith("contains a ")


def with_text(tmp_path: Path, old: str, new: str) -> Path:
    """valid.toml with one line changed."""
    text = asset("valid.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "facts.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "line", "kind", "entry_id", "field"),
    [
        ('title = "示範研究院成立"', 'title = "示範\\u202e研究院成立"', 38, "event",
         "demo-institute-founded", "title"),
        ('name_en = "Demo Zone"', 'name_en = "Demo\\eZone"', 13, "area", "demo-zone", "name_en"),
        ('role = "院長"', 'role = "院長"\naliases = ["張", "三\\x9b"]', 31, "person",
         "zhang-san", "aliases"),
        ('quote = "院長張三出席成立儀式"', 'quote = "院長張三\u0085出席成立儀式"', 33, "person",
         "zhang-san", "quote"),
        ("area_km2 = 3.89\n",
         'area_km2 = 3.89\nmore_citations = [{ field = "name", quote = "合作區\\u0007" }]\n',
         15, "area", "demo-zone", "more_citations"),
        ('publisher = "示範出版社"', 'publisher = "示範出版社"\nlicence = """a\u2066b"""', 7,
         "source", "demo-source", "licence"),
    ],
)  # fmt: skip
def test_check_reports_a_control_character_where_it_stands(
    tmp_path: Path, old: str, new: str, line: int, kind: str, entry_id: str, field: str
) -> None:
    path = with_text(tmp_path, old, new)
    assert invoke("timeline", "--facts", path).exit_code == 0  # other commands show it escaped
    result = invoke("check", path)
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{path}:{line}: {kind}[0] id={entry_id!r} field {field!r}: ")
    assert "contains a" in result.stdout
    assert result.stdout.count("\n") == 1
    assert not raw_controls(result.stdout, "\n")
    [problem] = json.loads(invoke("check", path, "--format", "json").stdout)
    assert (problem["line"], problem["kind"], problem["id"], problem["field"]) == (
        line,
        kind,
        entry_id,
        field,
    )


def test_tab_and_newline_in_a_multi_line_string_are_text(tmp_path: Path) -> None:
    path = with_text(tmp_path, 'role = "院長"', 'role = """院長\n\t兼\\t教授"""')
    result = invoke("check", path)
    assert (result.exit_code, result.stdout) == (0, "")


def test_check_book_reports_each_text_once_per_field(tmp_path: Path) -> None:
    path = with_text(tmp_path, 'name = "張三"', 'name = "\\u001b張\\u0007三"')
    [problem] = check_book(load([path]))
    assert (problem.field, problem.message) == ("name", control_message("\x1b"))


# ---------------------------------------------------------------------------------------------
# One round: what a valid book is checked for, the entries that loaded are checked for too


def _one_round_file(tmp_path: Path) -> Path:
    """valid.toml with a dangling link in its event (a load problem), and a second event whose
    title holds a bidi control, whose date is after its source's publication and whose quote
    stands nowhere in the source (problems only `check` finds, on a book that loads)."""
    text = asset("valid.toml").read_text(encoding="utf-8")
    text = text.replace('people = ["zhang-san"]', 'people = ["zhang-san", "li-si"]', 1)
    text += (
        '\n[[event]]\nid = "late-event"\ndate = "2024-03"\ntitle = "示範\\u202e活動"\n'
        'source = "demo-source"\nquote = "示範研究院在示範合作區關閉"\n'
    )
    path = tmp_path / "one-round.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_check_lists_every_problem_in_one_round_with_a_load_problem_among_them(
    tmp_path: Path,
) -> None:
    path = _one_round_file(tmp_path)
    result = hetao("check", path, "--sources", SOURCES)
    assert result.returncode == 1
    lines = result.stdout.decode().splitlines()
    text = path.read_text(encoding="utf-8").splitlines()
    expected = [
        ("event[0] id='demo-institute-founded' field 'people'", "links to 'li-si', which no"),
        ("event[1] id='late-event' field 'date'", "date 2024-03 is after demo-source was"),
        ("event[1] id='late-event' field 'title'", "contains a bidi control character \\u202e"),
        ("event[1] id='late-event' field 'quote'", "quote not found verbatim in the source; it "
                                                   "departs after '示範研究院在示範合作區'"),
    ]  # fmt: skip
    assert len(lines) == len(expected), lines
    for line, (where, what) in zip(lines, expected, strict=True):
        assert line.startswith(f"{path}:") and f" {where}: {what}" in line, line
        number = int(line.split(":")[1])
        field = where.split("field '")[1].rstrip("'")
        assert text[number - 1].startswith(f"{field} ="), (line, text[number - 1])
    assert result.stderr.decode() == "hetao: 4 problems found\n"


def test_check_in_one_round_lists_a_broken_file_read_first_before_the_others(
    tmp_path: Path,
) -> None:
    """Problems come in the order the files were read, a file that held no valid entry too."""
    broken = tmp_path / "broken.toml"
    broken.write_text('[[event]\nid = "x"\n', encoding="utf-8")
    path = _one_round_file(tmp_path)
    for order in ((broken, path), (path, broken)):
        result = hetao("check", *order, "--format", "json")
        assert result.returncode == 1
        files = [p["file"] for p in json.loads(result.stdout)]
        assert files == sorted(files, key=[str(f) for f in order].index), files
        assert files.count(str(broken)) == 1 and files.count(str(path)) == 3, files
