"""The conflict rule and the statements `show` lists, where a mutation run of conflicts.py found
that no test said it (bench/mutate.py, a sample of 20, seed 12): the span of "of the order
of", of an approximate month or day, the float tolerance, and whose quote backs an entry's own
statement. Expected values are worked out by hand from conflicts.py's docstring and README §
"Statements and conflicts"."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import invoke

from hetao_cli.conflicts import Stated, conflict, span
from hetao_cli.model import PartialDate, Qualifier

ORDER = Qualifier.ORDER_OF_MAGNITUDE


def number(value: float, written: str = "", qualifier: Qualifier = Qualifier.EXACT) -> Stated:
    return Stated("v", 1, value, qualifier, None, written, None, "s", "q")


def date(text: str, approximate: bool = False) -> Stated:
    return Stated("date", 1, PartialDate.parse(text, approximate), None, None, "", None, "s", "q")


def days(first: str, last: str) -> tuple[float, float]:
    return float(dt.date.fromisoformat(first).toordinal()), float(
        dt.date.fromisoformat(last).toordinal()
    )


def test_of_the_order_of_spans_v_to_ten_v() -> None:
    """ "of the order of" v spans v to 10v: 千萬元級別 (10,000,000) up to 100,000,000, so
    1.05億 (104,500,000 to 105,500,000) lies beyond it, and 9500萬 within."""
    assert span(number(10_000_000, "千萬元級別", ORDER)) == (10_000_000, 100_000_000)
    assert conflict(number(10_000_000, "千萬元級別", ORDER), number(105_000_000, "1.05億"))
    assert not conflict(number(10_000_000, "千萬元級別", ORDER), number(95_000_000, "9500萬"))


def test_of_the_order_of_a_negative_value_spans_ten_v_to_v() -> None:
    """A figure may be negative (only a land area must be positive): -10,000,000 "of the
    order of" spans -100,000,000 to -10,000,000, low to high."""
    assert span(number(-10_000_000, "", ORDER)) == (-100_000_000, -10_000_000)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2022-12", "2022-11-01", "2023-01-31"),  # "去年底", resolved to December 2022
        ("2023-01", "2022-12-01", "2023-02-28"),
        ("2020-03", "2020-02-01", "2020-04-30"),  # a leap year's February
        ("2021-02", "2021-01-01", "2021-03-31"),
        # At the calendar's ends a month has no neighbour beyond it.
        ("9999-11", "9999-10-01", "9999-12-31"),
        ("9999-12", "9999-11-01", "9999-12-31"),
        ("0001-01", "0001-01-01", "0001-02-28"),
        ("0001-02", "0001-01-01", "0001-03-31"),
    ],
)
def test_an_approximate_month_spans_a_month_either_side(text: str, first: str, last: str) -> None:
    assert span(date(text, approximate=True)) == days(first, last)


def test_an_approximate_day_spans_a_day_either_side() -> None:
    assert span(date("2017-01-03", approximate=True)) == days("2017-01-02", "2017-01-04")
    assert span(date("2017-01-03")) == days("2017-01-03", "2017-01-03")
    # So "c. 3 January" meets the 5th of January two days later only at its end: not at all.
    assert conflict(date("2017-01-03", approximate=True), date("2017-01-05"))
    assert not conflict(date("2017-01-03", approximate=True), date("2017-01-04"))


def test_spans_a_two_billionth_apart_do_not_meet() -> None:
    """The tolerance is for float error only (one part in a billion, 1e-9 below 1): "0.15"
    spans 0.145 to 0.155, and "0.1550000020" 0.15500000195 to 0.15500000205; those spans are
    1.95e-9 apart, so the two conflict."""
    assert conflict(number(0.15, "0.15"), number(0.155000002, "0.1550000020"))
    # Touching spans meet: "0.16" spans 0.155 to 0.165.
    assert not conflict(number(0.15, "0.15"), number(0.16, "0.16"))


# ---------------------------------------------------------------------------------------------
# An entry's own statement, as `show` lists it

FACTS = """
[[source]]
id = "a"
title = "A"
publisher = "P"
published = "2023-12-18"
language = "zh-Hant"

[[source]]
id = "b"
title = "B"
publisher = "Q"
published = "2020-11"
language = "en"

[[area]]
id = "park"
name = "園區"
area_km2 = 0.87
derived = "87 hectares, as b gives it, in km²"
source = "a"
quote = "園區位於河套"
more_citations = [
  { field = "area_km2", source = "b", quote = "the 87 hectares park", as_written = "87 hectares" },
]

[[area.statements]]
field = "area_km2"
value = 0.9
as_written = "90 hectares"
source = "b"
quote = "some 90 hectares of land"

[[figure]]
id = "firms"
subject = "企業"
value = 150
unit = "count"
qualifier = "more_than"
as_written = "150多家"
scope = "park"
date = "2023-12"
source = "a"
quote = "目前已有不少企業"
more_citations = [
  { field = "value", source = "b", quote = "目前已有150多家企業", as_written = "150多家" },
]

[[figure.statements]]
field = "value"
value = 50
as_written = "50"
as_of = "2020-11"
source = "b"
quote = "50 companies"
"""


@pytest.fixture
def facts(tmp_path: Path) -> Path:
    path = tmp_path / "facts.toml"
    path.write_text(FACTS, encoding="utf-8")
    return path


def _statements(facts: Path, entry: str) -> list[dict[str, object]]:
    result = invoke("show", entry, "--facts", facts, "--json")
    assert result.exit_code == 0, result.output
    statements: list[dict[str, object]] = json.loads(result.stdout)["statements"]
    return statements


def test_a_figure_s_own_value_is_backed_by_the_quote_its_written_form_stands_in(
    facts: Path,
) -> None:
    """The figure's own quote does not hold "150多家"; b's does, so b backs the value, and
    the entry's own citation is another citation of it."""
    own = _statements(facts, "firms")[0]
    assert own["own"] is True
    assert own["source"] == "b"
    assert (own["quote"], own["as_written"]) == ("目前已有150多家企業", "150多家")
    assert own["also"] == []  # the entry's own quote states no value: not a citation of it


def test_an_area_s_own_statement_carries_how_its_value_was_derived(facts: Path) -> None:
    own = _statements(facts, "park")[0]
    assert own["own"] is True
    assert own["value"] == 0.87
    assert own["note"] == "87 hectares, as b gives it, in km²"
