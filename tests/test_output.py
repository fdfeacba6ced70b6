"""The exporter: one renderer per format, field selection, and the text of a cell."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from conftest import raw_controls, shown
from hypothesis import example, given
from hypothesis import strategies as st

from hetao_cli.output import (
    RENDERERS,
    Format,
    Lang,
    UnknownField,
    View,
    cell,
    render,
    render_csv,
    render_json,
    render_jsonl,
    render_tsv,
    select,
)

RECORDS: list[dict[str, Any]] = [
    {
        "id": "siqa",
        "name": "深圳國際量子研究院",
        "name_en": "Shenzhen International Quantum Academy",
    },
    {"id": "he-yaowei", "name": "何耀威", "name_en": ""},
]


def table_text(renderable: Any, width: int = 200) -> str:
    """What a Rich renderable prints, as plain text."""
    from rich.console import Console

    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(renderable)
    return console.export_text()


# ---------------------------------------------------------------------------------------------
# One renderer per format


def test_every_format_has_a_renderer() -> None:
    assert set(RENDERERS) == set(Format)
    assert all(callable(RENDERERS[f]) for f in Format)


@pytest.mark.parametrize("fmt", list(Format))
def test_every_format_renders_the_records(fmt: Format) -> None:
    out = render(View(RECORDS, ["id", "name"]), fmt)
    text = out if isinstance(out, str) else table_text(out)
    assert isinstance(out, str) is (fmt is not Format.TABLE)
    for r in RECORDS:
        assert r["id"] in text
        assert r["name"] in text


@pytest.mark.parametrize("fmt", list(Format))
def test_fields_choose_and_order_columns_in_every_format(fmt: Format) -> None:
    out = render(View(RECORDS, ["id", "name"]), fmt, ["name_en", "id"])
    if fmt is Format.JSON:
        assert [list(r) for r in json.loads(out)] == [["name_en", "id"]] * 2
    elif fmt is Format.JSONL:
        assert [list(json.loads(line)) for line in out.splitlines()] == [["name_en", "id"]] * 2
    elif fmt is Format.CSV:
        assert next(csv.reader(io.StringIO(out))) == ["name_en", "id"]
    elif fmt is Format.TSV:
        assert out.splitlines()[0] == "name_en\tid"
    else:
        header = next(line for line in table_text(out).splitlines() if "id" in line)
        assert header.index("name_en") < header.index(" id")
        assert "深圳國際量子研究院" not in table_text(out)


# ---------------------------------------------------------------------------------------------
# JSON

json_scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text()
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=8,
)
json_records = st.lists(st.dictionaries(st.text(), json_values, max_size=6), max_size=6)


@given(json_records)
def test_json_round_trips(records: list[dict[str, Any]]) -> None:
    assert json.loads(render_json(View(records, []), [])) == records


@given(json_records)
def test_jsonl_round_trips_one_record_a_line(records: list[dict[str, Any]]) -> None:
    out = render_jsonl(View(records, []), [])
    # Lines end at "\n" only: U+2028 or U+0085 inside a value is text, as JSON allows.
    assert out.count("\n") == len(records)
    assert [json.loads(line) for line in out.split("\n")[:-1]] == records


def test_json_is_utf8_without_escapes() -> None:
    out = render_json(View(RECORDS, ["id"]), ["id"])
    assert "\\u" not in out
    assert "深圳國際量子研究院" in out
    assert isinstance(json.loads(out), list)


def test_json_keeps_numbers_as_numbers() -> None:
    records = [{"id": "a", "value": 150, "area_km2": 3.89, "ok": True}]
    assert json.loads(render_json(View(records, ["id"]), ["id"])) == records
    assert '"value": 150' in render_json(View(records, ["id"]), ["id"])


# ---------------------------------------------------------------------------------------------
# TSV and CSV


def test_tsv_escapes_tabs_and_newlines_in_values() -> None:
    records = [{"id": "a", "text": "one\ttwo\nthree\r\nfour"}]
    out = render_tsv(View(records, ["id", "text"]), ["id", "text"])
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[1].split("\t") == ["a", "one two three  four"]


@given(st.lists(st.tuples(st.text(), st.text()), max_size=5))
def test_tsv_has_one_header_and_the_same_columns_every_row(pairs: list[tuple[str, str]]) -> None:
    records = [{"a": a, "b": b} for a, b in pairs]
    out = render_tsv(View(records, ["a", "b"]), ["a", "b"])
    lines = out.split("\n")
    assert lines[-1] == ""
    assert lines[0] == "a\tb"
    assert len(lines) == len(records) + 2
    assert all(line.count("\t") == 1 for line in lines[:-1])


@given(st.lists(st.tuples(st.text(), st.text()), max_size=5))
@example([("", "\x00")])  # a NUL on every run: Python 3.10's csv could not write one
@example([("a\tb\nc", "\r\x1b[2J\u202e")])
def test_csv_round_trips_text(pairs: list[tuple[str, str]]) -> None:
    """Tab and newline round-trip as text; every other control character comes back as its
    escape (\\x00, \\x0d, \\u202e), never raw."""
    records = [{"a": a, "b": b} for a, b in pairs]
    out = render_csv(View(records, ["a", "b"]), ["a", "b"])
    assert not raw_controls(out, "\t\n")
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert rows == [["a", "b"], *([shown(a, "\t\n"), shown(b, "\t\n")] for a, b in pairs)]


FORMULAS = [
    {"a": "=1+1", "b": "+33"},
    {"a": "-2", "b": "@SUM(A1)"},
    {"a": "\tx", "b": "a=b"},
    {"a": "\rx", "b": ""},
]


def test_excel_csv_has_a_bom_and_a_quote_before_each_formula() -> None:
    out = render(View(FORMULAS, ["a", "b"]), Format.CSV, excel=True)
    assert out.startswith("\ufeffa,b\n")
    rows = list(csv.reader(io.StringIO(out.removeprefix("\ufeff"), newline="")))
    assert rows == [
        ["a", "b"],
        ["'=1+1", "'+33"],
        ["'-2", "'@SUM(A1)"],
        ["'\tx", "a=b"],
        [r"\x0dx", ""],  # a CR is shown as its escape, and starts no formula
    ]


def test_plain_csv_never_changes_a_cell() -> None:
    out = render(View(FORMULAS, ["a", "b"]), Format.CSV)
    assert not out.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert rows[1:4] == [[r["a"], r["b"]] for r in FORMULAS[:3]]


@pytest.mark.parametrize("fmt", [f for f in Format if f is not Format.CSV])
def test_excel_is_a_kind_of_csv_only(fmt: Format) -> None:
    with pytest.raises(ValueError, match="excel is a kind of CSV"):
        render(View(FORMULAS, ["a", "b"]), fmt, excel=True)


def test_delimited_formats_convert_to_simplified_when_asked() -> None:
    view = View(RECORDS, ["id", "name"], lang=Lang.ZH_HANS)
    for renderer in (render_tsv, render_csv):
        out = renderer(view, ["id", "name"])
        assert "深圳国际量子研究院" in out
        assert "國際" not in out


# ---------------------------------------------------------------------------------------------
# Field selection


def test_select_keeps_and_orders_the_chosen_fields() -> None:
    assert select(RECORDS, ["name_en", "id"]) == [
        {"name_en": r["name_en"], "id": r["id"]} for r in RECORDS
    ]
    assert select(RECORDS, None) == RECORDS


def test_select_rejects_an_unknown_field_naming_the_valid_ones() -> None:
    with pytest.raises(UnknownField) as info:
        select(RECORDS, ["id", "nmae"])
    assert info.value.name == "nmae"
    assert info.value.valid == ("id", "name", "name_en")
    assert "valid fields: id, name, name_en" in str(info.value)


def test_select_checks_fields_on_an_empty_list_against_the_known_ones() -> None:
    with pytest.raises(UnknownField):
        select([], ["bogus"], known=["id", "name"])
    assert select([], ["name"], known=["id", "name"]) == []


def test_render_checks_fields_on_an_empty_view() -> None:
    with pytest.raises(UnknownField):
        render(View([], ["id"], known=("id", "name")), Format.JSON, ["bogus"])
    assert render(View([], ["id"], known=("id", "name")), Format.TSV, ["name"]) == "name\n"


# ---------------------------------------------------------------------------------------------
# The text of a cell


def test_cell_shows_english_or_marks_the_chinese_fallback() -> None:
    assert cell(RECORDS[0], "name", Lang.EN) == "Shenzhen International Quantum Academy"
    assert cell(RECORDS[1], "name", Lang.EN) == "何耀威 (zh)"
    assert cell(RECORDS[1], "name", Lang.ZH_HANT) == "何耀威"
    assert cell(RECORDS[1], "id", Lang.EN) == "he-yaowei"


def test_cell_shows_a_date_at_its_precision_with_c_for_approximate() -> None:
    exact = {"date": "2017-01", "date_precision": "month", "date_approximate": False}
    rough = {"date": "2022-12", "date_precision": "month", "date_approximate": True}
    assert cell(exact, "date") == "2017-01"
    assert cell(rough, "date") == "c. 2022-12"


def test_cell_text_of_values() -> None:
    record = {"a": 3.89, "b": 150, "c": True, "d": None, "e": ["x", "y"], "f": False}
    assert [cell(record, k) for k in "abcdef"] == ["3.89", "150", "yes", "", "x, y", "no"]


# ---------------------------------------------------------------------------------------------
# The table


def test_table_never_parses_curated_text_as_markup() -> None:
    records = [{"id": "x", "name": "[bold]粗體[/bold] [red]研究院[/]"}]
    text = table_text(render(View(records, ["id", "name"]), Format.TABLE))
    assert "[bold]粗體[/bold] [red]研究院[/]" in text


def test_table_wraps_a_text_value_column_rather_than_cut_it() -> None:
    # show prints {field, value} rows; "value" is also the name of a numeric figure column.
    long = "引" * 120 + "終"
    records = [{"field": "citation 1", "value": long}]
    text = table_text(render(View(records, ["field", "value"]), Format.TABLE), width=80)
    assert "citation 1" in text
    assert "".join(text.split()).count("引") == 120
    assert "終" in text


def test_table_groups_rows_under_a_heading_and_draws_bars() -> None:
    records = [
        {"group": "kind", "key": "org", "count": 4},
        {"group": "kind", "key": "person", "count": 2},
        {"group": "year", "key": "2017", "count": 1},
    ]
    view = View(
        records,
        ["group", "key", "count"],
        group=lambda r, lang: r["group"],
        bars="count",
        grouped_by=("group",),
    )
    text = table_text(render(view, Format.TABLE))
    lines = text.splitlines()
    org = next(line for line in lines if " org " in line)
    person = next(line for line in lines if " person " in line)
    assert org.split()[0] == "kind"
    assert "kind" not in person
    assert org.count("█") == 30
    assert person.count("█") == 15
