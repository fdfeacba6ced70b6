"""The schema's rules one by one: how each TOML value is checked, what a kind's schema derives
from its record class, and PartialDate. Expected values are written by hand from the rules the
README states; the mutation run (bench/mutate.py) found these untested."""

from __future__ import annotations

import copy
import datetime as dt
import math
import pickle
from pathlib import Path
from typing import Any

import pytest
from conftest import asset, problems_json

from hetao_cli.load import load
from hetao_cli.model import (
    SCHEMAS,
    Area,
    Citation,
    DocumentKind,
    FactBook,
    Kind,
    OrgKind,
    Origin,
    PartialDate,
    Qualifier,
    Unit,
)
from hetao_cli.schema import (
    ID,
    Field,
    Type,
    checked,
    choice,
    flag,
    link,
    links,
    number,
    slug,
    slugs,
    text,
    texts,
    type_name,
    when,
)

# ---------------------------------------------------------------------------------------------
# One TOML value


@pytest.mark.parametrize("value", ["a", "a-b", "a1-2b", "0", "demo-zone-2"])
def test_a_lowercase_slug_is_an_id(value: str) -> None:
    assert checked(ID, value) == value


@pytest.mark.parametrize(
    "value", ["Demo-zone", "DEMO", "a--b", "-a", "a-", "a b", "a_b", "a\n", "", "é", "ａ"]
)
def test_anything_else_is_refused_as_an_id(value: str) -> None:
    with pytest.raises(ValueError) as e:
        checked(ID, value)
    assert str(e.value) == f"expected a lowercase slug (a-z, 0-9, '-'), got {value!r}"


def test_a_long_bad_slug_is_cut_in_the_message() -> None:
    with pytest.raises(ValueError) as e:
        checked(slug("x"), "X" * 500)
    # the value is shown cut to 80 characters, its last "…"
    assert str(e.value) == "expected a lowercase slug (a-z, 0-9, '-'), got '" + "X" * 78 + "…"


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ({}, "a table"),
        ([], "a list"),
        (True, "a boolean"),
        ("x", "a string"),
        (3, "int"),
        (2.5, "float"),
        (dt.date(2021, 1, 1), "date"),
    ],
)
def test_type_name(value: Any, name: str) -> None:
    assert type_name(value) == name


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (number("n"), True, "expected a number, got a boolean"),
        (number("n"), False, "expected a number, got a boolean"),
        (number("n"), "5", "expected a number, got a string"),
        (number("n"), math.inf, "expected a finite number"),
        (number("n"), -math.inf, "expected a finite number"),
        (number("n"), math.nan, "expected a finite number"),
        (number("n"), 10**400, "expected a finite number"),
        (text("t"), 5, "expected a string, got int"),
        (text("t", required=True), "  ", "expected a non-empty string"),
        (text("t", required=True), "", "expected a non-empty string"),
        (texts("t"), "a", "expected a list of strings, got a string"),
        (texts("t"), ["a", 1], "expected a list of strings, got a list"),
        (slugs("s"), ["ok", "Bad"], "expected a lowercase slug (a-z, 0-9, '-'), got 'Bad'"),
        (links("l"), "ok", "expected a list of strings, got a string"),
        (link("l"), "Bad", "expected a lowercase slug (a-z, 0-9, '-'), got 'Bad'"),
        (flag("f"), "true", "expected true or false, got a string"),
        (flag("f"), 1, "expected true or false, got int"),
        (when("w"), 2021, "expected a date string YYYY, YYYY-MM or YYYY-MM-DD"),
        (when("w"), dt.date(2021, 1, 1),
         "expected a date string YYYY, YYYY-MM or YYYY-MM-DD (write the date as a quoted string)"),
        (choice("c", Unit), "acre",
         "expected one of km2, count, CNY, percent, minutes, years, person-trips, per-km2, HKD; "
         "got 'acre'"),
        (choice("c", OrgKind), "club",
         "expected one of government, party, regulator, institute, academy, university, "
         "university-unit, company, park, platform, laboratory, other; got 'club'"),
        (choice("c", DocumentKind), "",
         "expected one of plan, agreement, memorandum, speech, other; got ''"),
        (choice("c", Qualifier), ["exact"],
         "expected one of exact, about, more_than, at_least, at_most, range, "
         "order_of_magnitude; got ['exact']"),
    ],
)  # fmt: skip
def test_a_wrong_value_says_what_was_expected(field: Field, value: Any, message: str) -> None:
    with pytest.raises(ValueError) as e:
        checked(field, value)
    assert str(e.value) == message


@pytest.mark.parametrize(
    ("field", "value", "held"),
    [
        (number("n"), 5, 5),
        (number("n"), 2.5, 2.5),
        (number("n"), -1, -1),
        (number("n"), 0, 0),
        (text("t"), "  ", "  "),  # only a required text must not be blank
        (text("t"), "", ""),
        (text("t", required=True), " x ", " x "),
        (texts("t"), ["a", "b"], ("a", "b")),
        (texts("t"), [], ()),
        (slugs("s"), ["a", "b-c"], ("a", "b-c")),
        (flag("f"), True, True),
        (flag("f"), False, False),
        (when("w"), "2021-09", "2021-09"),
        (choice("c", Unit), "per-km2", Unit.PER_KM2),
        (choice("c", Qualifier), "more_than", Qualifier.MORE_THAN),
    ],
)
def test_a_right_value_is_held_as_it_is(field: Field, value: Any, held: Any) -> None:
    found = checked(field, value)
    assert found == held
    assert type(found) is type(held)


def test_a_choice_error_shows_the_value_cut_to_80_characters() -> None:
    with pytest.raises(ValueError) as e:
        checked(choice("c", Unit), "x" * 1000)
    names = "km2, count, CNY, percent, minutes, years, person-trips, per-km2, HKD"
    assert str(e.value) == f"expected one of {names}; got '" + "x" * 78 + "…"


def test_field_declarations() -> None:
    assert link("l").is_link and links("l").is_link
    assert not text("t").is_link and not slug("s").is_link and not number("n").is_link
    assert link("l", "org", "area").links == ("org", "area")
    assert link("l", required=True).required
    assert not link("l").required
    assert number("n", required=True).required and not number("n").required
    assert text("t").empty is None and text("t", empty="").empty == ""
    assert when("w").approximate and not when("w", approximate=False).approximate
    assert choice("c", Unit).required and choice("c", Unit, json="u").json == "u"
    assert (slug("s").holds, slugs("s").holds, flag("f").holds) == (
        Type.SLUG,
        Type.SLUGS,
        Type.FLAG,
    )


# ---------------------------------------------------------------------------------------------
# A kind's schema


def test_the_figure_schema() -> None:
    schema = SCHEMAS[Kind.FIGURE]
    assert schema.name == "figure"
    assert list(schema.toml) == [
        "id", "source", "quote", "more_citations", "subject", "value", "unit", "qualifier",
        "as_written", "scope", "subject_en", "value_max", "item", "date", "approximate",
        "derived", "located", "statements",
    ]  # fmt: skip
    assert schema.required == (
        "id", "source", "quote", "subject", "value", "unit", "qualifier", "as_written", "scope",
    )  # fmt: skip
    assert schema.json_keys == (
        "id", "kind", "subject", "value", "unit", "qualifier", "as_written", "scope",
        "subject_en", "value_max", "item", "date", "date_precision", "date_approximate",
        "derived", "located", "source", "quote", "citations", "statements", "conflicts",
    )  # fmt: skip
    assert schema.citations_index == 7
    assert schema.numeric_keys == ("value", "value_max")
    assert schema.date_keys == ("date",)
    assert schema.english == {"subject": "subject_en"}
    value = schema.spec("value")
    assert value is not None and (value.name, value.position, value.key) == ("value", 2, "value")
    assert schema.spec("nope") is None
    assert [s.name for s in schema.of_type(Type.NUMBER, Type.DATE)] == [
        "value",
        "value_max",
        "date",
    ]


def test_a_source_cites_itself_so_its_source_and_quote_are_optional() -> None:
    schema = SCHEMAS[Kind.SOURCE]
    assert schema.required == ("id", "title", "publisher")  # an undated source has no date
    assert "approximate" not in schema.toml  # a source's date is never approximate
    assert schema.toml["quote"].doc.endswith(" (on [[source]]: checked against the source itself)")
    assert schema.toml["source"].links == ("source",)
    assert schema.date_keys == ("published", "retrieved")
    assert schema.english == {"title": "title_en", "publisher": "publisher_en"}


def test_other_kinds_keep_their_json_names_and_english_pairs() -> None:
    org = SCHEMAS[Kind.ORG]
    kind = org.spec("kind")
    assert kind is not None and kind.key == "org_kind"
    assert "org_kind" in org.json_keys and "kind" in org.toml
    doc = SCHEMAS[Kind.DOCUMENT]
    assert "doc_kind" in doc.json_keys
    assert SCHEMAS[Kind.PERSON].english == {"name": "name_en", "role": "role_en"}
    assert SCHEMAS[Kind.AREA].english == {"name": "name_en", "positionings": "positionings_en"}
    assert SCHEMAS[Kind.AREA].numeric_keys == ("area_km2",)
    assert SCHEMAS[Kind.EVENT].required == ("id", "source", "quote", "date", "title")
    assert SCHEMAS[Kind.EVENT].citations_index == 3


# ---------------------------------------------------------------------------------------------
# The same rules, through a fact file

ONE_FIGURE = """
[[source]]
id = "s"
title = "報道"
publisher = "出版社"
published = "2024"

[[figure]]
id = "{id}"
subject = "資金"
value = {value}
unit = "CNY"
qualifier = "exact"
as_written = "5元"
scope = "s"
source = "s"
quote = "5元"
{extra}
"""


def _problems(tmp_path: Path, **kw: str) -> list[tuple[Any, ...]]:
    values = {"id": "f", "value": "5", "extra": "", **kw}
    path = tmp_path / "facts.toml"
    path.write_text(ONE_FIGURE.format(**values), encoding="utf-8")
    return [(p["kind"], p["id"], p["field"], p["message"]) for p in problems_json(path)]


def test_a_valid_figure_has_no_problem(tmp_path: Path) -> None:
    assert _problems(tmp_path) == []


def test_an_uppercase_id_is_refused(tmp_path: Path) -> None:
    assert _problems(tmp_path, id="Funding") == [
        ("figure", "Funding", "id", "expected a lowercase slug (a-z, 0-9, '-'), got 'Funding'")
    ]


@pytest.mark.parametrize("value", ["true", "false"])
def test_a_boolean_value_is_not_a_number(tmp_path: Path, value: str) -> None:
    assert _problems(tmp_path, value=value) == [
        ("figure", "f", "value", "expected a number, got a boolean")
    ]


def test_a_typo_in_a_more_citations_key_is_reported(tmp_path: Path) -> None:
    extra = 'more_citations = [{ feild = "value", quote = "5元" }]'
    assert _problems(tmp_path, extra=extra) == [
        (
            "figure",
            "f",
            "more_citations[0]",
            "unknown key 'feild'; expected quote, field, source, as_written",
        )
    ]


def test_an_approximate_date_on_a_source_is_unknown(tmp_path: Path) -> None:
    path = tmp_path / "facts.toml"
    path.write_text(
        '[[source]]\nid = "s"\ntitle = "t"\npublisher = "p"\npublished = "2024"\n'
        "approximate = true\n",
        encoding="utf-8",
    )
    [problem] = problems_json(path)
    assert (problem["kind"], problem["field"]) == ("source", "approximate")
    assert problem["message"].startswith("unknown field")


def test_the_valid_asset_loads_clean() -> None:
    assert problems_json(asset("valid.toml")) == []


# ---------------------------------------------------------------------------------------------
# PartialDate


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("0000", "'0000': there is no year 0"),
        ("2021-00", "'2021-00': there is no month 0"),
        ("2021-13", "'2021-13': there is no month 13"),
        ("2021-02-29", "'2021-02-29': 2021-02 has no day 29"),
        ("2021-04-31", "'2021-04-31': 2021-04 has no day 31"),
        ("2021-04-00", "'2021-04-00': 2021-04 has no day 0"),
        ("2021-1", "'2021-1' is not YYYY, YYYY-MM or YYYY-MM-DD"),
        ("2021\n", "'2021\\n' is not YYYY, YYYY-MM or YYYY-MM-DD"),
        ("２０２１", "'２０２１' is not YYYY, YYYY-MM or YYYY-MM-DD"),
        ("21", "'21' is not YYYY, YYYY-MM or YYYY-MM-DD"),
    ],
)
def test_an_impossible_date_is_refused(written: str, message: str) -> None:
    with pytest.raises(ValueError) as e:
        PartialDate.parse(written)
    assert str(e.value) == message


def test_dates_at_the_edges_are_accepted() -> None:
    assert PartialDate.parse("2020-02-29") == PartialDate(2020, 2, 29)
    assert PartialDate.parse("2021-12-31") == PartialDate(2021, 12, 31)
    assert PartialDate.parse("2021-01-01") == PartialDate(2021, 1, 1)
    assert PartialDate.parse("0001") == PartialDate(1)
    assert PartialDate.parse("2021-01", approximate=True) == PartialDate(2021, 1, None, True)


def test_a_partial_date_spans_its_whole_year_or_month() -> None:
    year, month, day = PartialDate(2021), PartialDate(2020, 2), PartialDate(2021, 7, 15)
    assert (year.precision, month.precision, day.precision) == ("year", "month", "day")
    assert (year.start, year.end) == (dt.date(2021, 1, 1), dt.date(2021, 12, 31))
    assert (month.start, month.end) == (dt.date(2020, 2, 1), dt.date(2020, 2, 29))
    assert (day.start, day.end) == (dt.date(2021, 7, 15), dt.date(2021, 7, 15))
    assert PartialDate(2021, 4).end == dt.date(2021, 4, 30)


def test_overlaps_is_inclusive_at_both_ends() -> None:
    year = PartialDate(2021)
    assert year.overlaps(None, None)
    assert year.overlaps(dt.date(2021, 12, 31), None)
    assert not year.overlaps(dt.date(2022, 1, 1), None)
    assert year.overlaps(None, dt.date(2021, 1, 1))
    assert not year.overlaps(None, dt.date(2020, 12, 31))
    assert year.overlaps(dt.date(2021, 6, 1), dt.date(2021, 6, 1))


def test_a_coarser_date_sorts_before_its_finer_parts() -> None:
    dates = [PartialDate(2018), PartialDate(2017, 7, 1), PartialDate(2017, 1), PartialDate(2017)]
    assert sorted(dates) == [
        PartialDate(2017), PartialDate(2017, 1), PartialDate(2017, 7, 1), PartialDate(2018),
    ]  # fmt: skip
    assert PartialDate(2017) < PartialDate(2017, 1)
    assert not PartialDate(2017, 1) < PartialDate(2017)
    assert not PartialDate(2017) < PartialDate(2017)


def test_iso_and_str() -> None:
    assert PartialDate(5).iso() == "0005"
    assert PartialDate(2021, 9).iso() == "2021-09"
    assert PartialDate(2021, 9, 3).iso() == "2021-09-03"
    assert str(PartialDate(2021, 9, None, approximate=True)) == "c. 2021-09"
    assert str(PartialDate(2021)) == "2021"


# ---------------------------------------------------------------------------------------------
# FactBook


def test_a_book_groups_entries_by_kind_in_kind_order() -> None:
    cite = (Citation("s", "q"),)
    a, b = Area("a", "甲", cite), Area("b", "乙", cite)
    by_id = {"a": a, "b": b}
    origins = {"a": Origin("f.toml", 0), "b": Origin("f.toml", 1)}
    book = FactBook.of({Kind.AREA: [a, b]}, by_id, origins, {})
    assert book.areas == (a, b)
    assert book.of_kind(Kind.AREA) == (a, b)
    assert book.of_kind(Kind.EVENT) == () and book.sources == ()
    assert list(book.entries()) == [a, b]
    assert len(book) == 2
    assert book.origins["b"] == Origin("f.toml", 1)


def test_kinds_units_and_qualifiers_by_their_toml_names() -> None:
    assert [k.value for k in Kind] == [
        "source", "area", "event", "figure", "org", "person", "document", "claim",
    ]  # fmt: skip
    assert checked(choice("c", Unit), "person-trips") is Unit.PERSON_TRIPS
    assert checked(choice("c", Unit), "years") is Unit.YEARS


def test_dates_and_books_are_frozen_and_dates_hashable() -> None:
    date = PartialDate(2021, 9)
    with pytest.raises(AttributeError, match="frozen"):
        setattr(date, "year", 2022)  # noqa: B010
    with pytest.raises(AttributeError, match="frozen"):
        del date.month
    assert hash(date) == hash(PartialDate(2021, 9))
    assert len({date, PartialDate(2021, 9), PartialDate(2021)}) == 2
    with pytest.raises(AttributeError, match="frozen"):
        setattr(FactBook(), "areas", ())  # noqa: B010
    with pytest.raises(AttributeError):
        setattr(FactBook(), "extra", 1)  # noqa: B010


def test_dates_are_equal_by_every_part_and_never_to_another_type() -> None:
    date = PartialDate(2021, 9, 3)
    assert date == PartialDate(2021, 9, 3)
    for other in (
        PartialDate(2022, 9, 3),
        PartialDate(2021, 8, 3),
        PartialDate(2021, 9, 4),
        PartialDate(2021, 9, 3, approximate=True),
        (2021, 9, 3, False),
        "2021-09-03",
    ):
        assert date != other
        assert (date == other) is False
    assert date.__eq__("2021-09-03") is NotImplemented
    assert repr(PartialDate(2021, 9, approximate=True)) == (
        "PartialDate(year=2021, month=9, day=None, approximate=True)"
    )


def test_dates_and_books_copy_and_dates_pickle_though_frozen() -> None:
    for date in (PartialDate(2021, 9, 3), PartialDate(2017, approximate=True)):
        for made in (copy.copy(date), copy.deepcopy(date), pickle.loads(pickle.dumps(date))):
            assert made == date and made._parts() == date._parts()
    book = load([asset("valid.toml")])
    for made_book in (copy.copy(book), copy.deepcopy(book)):
        assert made_book == book
        assert made_book.lines.keys() == book.lines.keys()


def test_days_in_a_month_follow_the_calendar_with_its_leap_years() -> None:
    assert [PartialDate(2023, m).end.day for m in range(1, 13)] == [
        31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
    ]  # fmt: skip
    assert (PartialDate(2024, 2).end, PartialDate(1900, 2).end, PartialDate(2000, 2).end) == (
        dt.date(2024, 2, 29), dt.date(1900, 2, 28), dt.date(2000, 2, 29),
    )  # fmt: skip
    assert PartialDate(9999).end == dt.date(9999, 12, 31)
    assert PartialDate.parse("2024-02-29").day == 29
    with pytest.raises(ValueError, match="has no day 29"):
        PartialDate.parse("2023-02-29")
    with pytest.raises(ValueError, match="has no day 31"):
        PartialDate.parse("2023-04-31")


def test_books_are_equal_by_their_entries_and_places_not_by_how_lines_were_indexed() -> None:
    book = load([asset("valid.toml")])
    same = FactBook(**{k: getattr(book, k) for k in FactBook.__slots__ if k != "lines"}, lines={})
    assert same == book
    assert FactBook(**{k: getattr(book, k) for k in FactBook.__slots__ if k != "events"}) != book
    assert FactBook() != ()
    assert repr(book) == f"<FactBook of {len(book)} entries>"
