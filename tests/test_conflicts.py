"""The conflict rule (README: Statements and conflicts), by hand and as properties, and the
commands that show statements: conflicts, show, figures --as-of, claims, check's warnings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import invoke
from hypothesis import given
from hypothesis import strategies as st

from hetao_cli.conflicts import Stated, conflict, span, statements_of
from hetao_cli.load import load
from hetao_cli.model import PartialDate, Qualifier, Rank

EXACT, ABOUT = Qualifier.EXACT, Qualifier.ABOUT


def number(value: float, written: str = "", qualifier: Qualifier = EXACT, **kw: object) -> Stated:
    fields: dict[str, object] = {
        "field": "v", "position": 1, "value": value, "qualifier": qualifier, "value_max": None,
        "as_written": written, "as_of": None, "source": "s", "quote": "q",
    }  # fmt: skip
    fields.update(kw)
    return Stated(**fields)  # type: ignore[arg-type]


def date(text: str, approximate: bool = False) -> Stated:
    return Stated("date", 1, PartialDate.parse(text, approximate), None, None, "", None, "s", "q")


# ---------------------------------------------------------------------------------------------
# By hand: the README's table


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (number(0.87), number(0.877, "87.7 hectares"), True),
        (number(0.87), number(0.87, "87 hectares"), False),
        (number(3.02, "3.02平方公里"), number(3.0, "about 300 hectares", ABOUT), False),
        (number(3.89, "3.89平方公里"), number(3.02, "3.02平方公里"), True),
        (number(150, "超150個", Qualifier.MORE_THAN), number(160, "160"), False),
        (number(150, "超150個", Qualifier.MORE_THAN), number(120, "120"), True),
        (number(150, "超150個", Qualifier.MORE_THAN), number(100, "100"), False),  # 50..150
        (number(10_000, "最多1萬", Qualifier.AT_MOST), number(30_000, "3萬"), True),
        (
            number(10_000_000, "千萬元級別", Qualifier.ORDER_OF_MAGNITUDE),
            number(7e7, "7000萬"),
            False,
        ),
        (number(10_000_000, "千萬元級別", Qualifier.ORDER_OF_MAGNITUDE), number(2e8, "2億"), True),
        (number(15, "15至20", Qualifier.RANGE, value_max=20.0), number(18, "18"), False),
        (number(15, "15至20", Qualifier.RANGE, value_max=20.0), number(25, "25"), True),
        (date("2017-01"), date("2017-01-03"), False),
        (date("2017"), date("2017-07-01"), False),
        (date("1997"), date("2017"), True),
        (date("2017-01"), date("2017-02"), True),
        (date("2017-01", approximate=True), date("2017-02"), False),
        (date("2016", approximate=True), date("2017"), False),
        (date("2015", approximate=True), date("2017"), True),
    ],
)
def test_the_rule_by_hand(a: Stated, b: Stated, expected: bool) -> None:
    assert conflict(a, b) is expected
    assert conflict(b, a) is expected


def test_statements_that_held_at_different_times_are_a_history() -> None:
    then = number(50, "50", as_of=PartialDate(2021))
    now = number(150, "150", as_of=PartialDate(2023, 12, approximate=True))
    assert not conflict(then, now)
    same_year = number(150, "150", as_of=PartialDate(2021, 6))
    assert conflict(then, same_year)
    undated = number(150, "150")
    assert conflict(then, undated)  # only two dated statements make a history


def test_spans_by_hand() -> None:
    assert span(number(3.02, "3.02")) == pytest.approx((3.015, 3.025))
    assert span(number(300, "300")) == pytest.approx((250, 350))
    assert span(number(3, "about 300 hectares", ABOUT)) == pytest.approx((2.0, 4.0))
    assert span(number(0.877, "87.7 hectares")) == pytest.approx((0.8765, 0.8775))
    assert span(number(100, "about 100", ABOUT)) == pytest.approx((0, 200))
    assert span(number(1000, "about 1000", ABOUT)) == pytest.approx((0, 2000))
    assert span(number(1234, "about 1234", ABOUT)) == pytest.approx((1110.6, 1357.4))
    assert span(number(0.87)) == pytest.approx((0.865, 0.875))  # no words: its decimals


# ---------------------------------------------------------------------------------------------
# Properties

_QUALIFIERS = st.sampled_from(list(Qualifier))


@st.composite
def numbers(draw: st.DrawFn) -> Stated:
    value = draw(st.floats(min_value=0.001, max_value=1e12, allow_nan=False))
    value = float(f"{value:.4g}")
    qualifier = draw(_QUALIFIERS)
    high = (
        value * draw(st.floats(min_value=1, max_value=100))
        if qualifier is Qualifier.RANGE
        else None
    )
    when = draw(st.none() | st.builds(PartialDate, st.integers(1990, 2030)))
    return number(value, "", qualifier, value_max=high, as_of=when)


@st.composite
def dates(draw: st.DrawFn) -> Stated:
    year = draw(st.integers(1, 9999))
    month = draw(st.none() | st.integers(1, 12))
    day = draw(st.none() | st.integers(1, 28)) if month else None
    d = PartialDate(year, month, day, draw(st.booleans()))
    return Stated("date", 1, d, None, None, "", None, "s", "q")


@given(st.one_of(numbers(), dates()))
def test_a_statement_never_conflicts_with_itself(s: Stated) -> None:
    assert not conflict(s, s)


@given(numbers(), numbers())
def test_the_rule_is_symmetric_for_numbers(a: Stated, b: Stated) -> None:
    assert conflict(a, b) == conflict(b, a)


@given(dates(), dates())
def test_the_rule_is_symmetric_for_dates(a: Stated, b: Stated) -> None:
    assert conflict(a, b) == conflict(b, a)


@given(dates(), st.integers(1, 12), st.integers(1, 28))
def test_a_refinement_never_conflicts(coarse: Stated, month: int, day: int) -> None:
    d = coarse.value
    assert isinstance(d, PartialDate)
    finer = PartialDate(d.year, d.month or month, day if d.day is None else d.day)
    assert not conflict(coarse, coarse._replace(value=finer))


@given(st.floats(min_value=0.01, max_value=1e9), st.integers(0, 3))
def test_a_number_and_its_rounding_to_fewer_digits_agree(value: float, digits: int) -> None:
    precise = float(f"{value:.6g}")
    written = f"{precise:.{digits}f}"
    rounded = number(float(written), written)
    assert not conflict(number(precise, f"{precise}"), rounded)


# ---------------------------------------------------------------------------------------------
# The commands, on a small file of statements


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
source = "a"
quote = "園區0.87平方公里"
more_citations = [
  { field = "area_km2", quote = "園區0.87平方公里" },
  { field = "area_km2", source = "b", quote = "the 87 hectares park", as_written = "87 hectares" },
]

[[area.statements]]
field = "area_km2"
value = 0.877
as_written = "87.7 hectares"
source = "b"
quote = "some 87.7 hectares of land"

[[event]]
id = "signed"
date = "2017-01"
title = "簽署備忘錄"
source = "a"
quote = "2017年1月簽署備忘錄"

[[event.statements]]
field = "date"
value = "2017-01-03"
source = "b"
quote = "signed on 3 January 2017"

[[figure]]
id = "firms"
subject = "企業"
value = 150
unit = "count"
qualifier = "more_than"
as_written = "150多家"
scope = "park"
date = "2023-12"
approximate = true
source = "a"
quote = "目前已有150多家企業"

[[figure.statements]]
field = "value"
value = 50
as_written = "50"
as_of = "2020-11"
source = "b"
quote = "50 companies"

[[claim]]
id = "park-first"
text = "首個跨境園區"
text_en = "The first cross-boundary park"
category = "first"
about = "park"
source = "a"
quote = "是首個跨境園區"
"""


@pytest.fixture
def facts(tmp_path: Path) -> Path:
    path = tmp_path / "facts.toml"
    path.write_text(FACTS, encoding="utf-8")
    return path


def test_conflicts_lists_the_pair_that_cannot_both_be_true(facts: Path) -> None:
    result = invoke("conflicts", "--facts", facts, "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    # 0.87 against 87.7 ha; the event's dates refine each other, the counts are a history.
    assert [(r["entry"], r["field"], r["value"], r["other_value"]) for r in rows] == [
        ("park", "area_km2", 0.87, 0.877)
    ]
    assert rows[0]["other_as_written"] == "87.7 hectares"
    assert rows[0]["ranked"] is False


def test_a_rank_settles_a_conflict(facts: Path) -> None:
    ranked = facts.read_text(encoding="utf-8").replace(
        'quote = "some 87.7 hectares of land"',
        'quote = "some 87.7 hectares of land"\nrank = "preferred"\nreason = "the later survey"',
    )
    facts.write_text(ranked, encoding="utf-8")
    assert invoke("conflicts", "--facts", facts, "--unranked").exit_code == 1
    rows = json.loads(invoke("conflicts", "--facts", facts, "--json").stdout)
    assert rows[0]["ranked"] is True and rows[0]["other_rank"] == "preferred"
    # The listing shows the preferred value, and marks it in a table.
    [park] = json.loads(invoke("area", "list", "--facts", facts, "--json").stdout)
    assert park["area_km2"] == 0.877
    table = invoke("area", "list", "--facts", facts, "--format", "table").stdout
    assert "0.877 ≠" in table and "sources disagree" in table
    check = invoke("check", facts)
    assert check.exit_code == 0 and "warning" not in check.stdout


def test_check_warns_on_an_unranked_conflict_without_failing(facts: Path) -> None:
    result = invoke("check", facts)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{facts}:19: area[0] id='park' field 'area_km2': warning: statements conflict: "
        "0.87 from a and 0.877 (87.7 hectares) from b; rank one preferred or deprecated, with "
        "a reason (hetao conflicts lists them)\n"
    )
    assert result.stderr == "hetao: ok: 6 entries, no problems, 1 warning (quotes not checked)\n"


def test_show_lists_every_statement_of_a_disputed_field(facts: Path) -> None:
    record = json.loads(invoke("show", "park", "--facts", facts, "--json").stdout)
    assert record["conflicts"] == ["area_km2"]
    assert [
        (s["value"], s["source"], s["own"], s["conflicts_with"]) for s in record["statements"]
    ] == [
        (0.87, "a", True, [1]),
        (0.877, "b", False, [0]),
    ]
    # The same value from b is another citation of the entry's own statement.
    assert record["statements"][0]["also"] == [
        {"source": "b", "quote": "the 87 hectares park", "field": "area_km2",
         "as_written": "87 hectares"}
    ]  # fmt: skip
    text = invoke("show", "park", "--facts", facts).stdout
    assert (
        "statement 2\tarea_km2 = 0.877 (87.7 hectares); normal; b: some 87.7 hectares of land; "
        "CONFLICTS with statement 1" in text
    )


def test_a_refined_date_is_no_conflict_but_is_shown(facts: Path) -> None:
    record = json.loads(invoke("show", "signed", "--facts", facts, "--json").stdout)
    assert record["conflicts"] == []
    assert [s["value"] for s in record["statements"]] == ["2017-01", "2017-01-03"]


def test_figures_as_of_give_the_value_as_it_stood(facts: Path) -> None:
    def as_of(when: str) -> list[tuple[str, int, str]]:
        result = invoke("figures", "--facts", facts, "--as-of", when, "--json")
        return [(r["id"], r["value"], r["source"]) for r in json.loads(result.stdout)]

    assert as_of("2019") == []  # nothing stated yet
    assert as_of("2021") == [("firms", 50, "b")]
    assert as_of("2023-12") == [("firms", 150, "a")]
    assert invoke("figures", "--facts", facts, "--as-of", "2023-13").exit_code == 2


def test_claims_are_listed_searched_and_shown(facts: Path) -> None:
    listed = invoke("claim", "list", "--facts", facts, "--category", "first", "--format", "tsv")
    assert listed.stdout.splitlines() == [
        "id\tcategory\ttext\tabout",
        "park-first\tfirst\t首個跨境園區\tpark",
    ]
    assert invoke("claim", "list", "--facts", facts, "--category", "goal").exit_code == 1
    found = invoke("claim", "search", "cross-boundary", "--facts", facts, "--format", "tsv")
    assert "park-first" in found.stdout
    shown = json.loads(invoke("claim", "show", "park-first", "--facts", facts, "--json").stdout)
    assert (shown["about"], shown["text_en"]) == ("park", "The first cross-boundary park")
    linked = json.loads(invoke("show", "park", "--facts", facts, "--json").stdout)["links"]
    assert linked["claims"] == ["park-first"]


def test_statements_survive_the_cache(facts: Path, tmp_path: Path) -> None:
    env = {"HETAO_CACHE_DIR": str(tmp_path / "cache")}
    cold = invoke("show", "park", "--facts", facts, "--json", env=env).stdout
    warm = invoke("show", "park", "--facts", facts, "--json", env=env).stdout
    assert cold == warm and json.loads(warm)["conflicts"] == ["area_km2"]
    assert any((tmp_path / "cache").iterdir())


def test_a_statement_checks_its_keys(tmp_path: Path) -> None:
    bad = FACTS.replace('field = "date"\nvalue = "2017-01-03"', 'field = "title"\nvalue = "x"')
    bad = bad.replace(
        'as_written = "87.7 hectares"\n', 'as_written = "87.7 hectares"\nrnak = "x"\n'
    )
    path = tmp_path / "bad.toml"
    path.write_text(bad, encoding="utf-8")
    result = invoke("check", path)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines == [
        f"{path}:27: area[0] id='park' field 'statements[0]': unknown key 'rnak' (did you mean "
        "'rank'?); expected one of field, value, as_written, qualifier, value_max, approximate, "
        "as_of, source, quote, rank, reason, note",
        f"{path}:42: event[0] id='signed' field 'statements[0]': 'field' must name a number or "
        "date field of this kind (date); got 'title'",
    ]


def test_a_statement_s_written_form_is_read_against_its_value(tmp_path: Path) -> None:
    wrong = FACTS.replace("value = 0.877", "value = 0.87")
    path = tmp_path / "wrong.toml"
    path.write_text(wrong, encoding="utf-8")
    result = invoke("check", path)
    assert result.exit_code == 1
    assert (
        f"{path}:27: area[0] id='park' field 'statements[0]': as_written '87.7 hectares' reads "
        "as 0.877, not 0.87" in result.stdout
    )


def test_the_real_file_loads_its_statements() -> None:
    book = load()
    for entry in book.entries():
        for s in statements_of(entry):
            assert s.source, (entry.id, s.field)
            assert s.rank in Rank


def test_the_real_disagreements_and_no_false_ones() -> None:
    """Reviewed by hand against the sources: the Loop's 87.7 hectares (the 2009 planning study)
    against 0.87 km² and 87 hectares; the plan's 2023-08-08 (the notice's date) against the
    2023-08-29 of its promulgation. 3.02 km² against "about 300 hectares" or "300公頃", 3.89
    against 约3.89, and 2017-01 against 2017-01-03 are not disagreements."""
    rows = json.loads(invoke("conflicts", "--json").stdout)
    assert [(r["entry"], r["value"], r["other_value"], r["ranked"]) for r in rows] == [
        ("hk-park", 0.87, 0.877, True),
        ("hk-park", 0.877, 0.87, True),
        ("2023-08-shenzhen-park-plan", "2023-08-08", "2023-08-29", True),
        ("2023-08-shenzhen-park-plan", "2023-08-08", "2023-08-29", True),
    ]
    assert {r["other_source"] for r in rows if r["entry"] == "2023-08-shenzhen-park-plan"} == {
        "info-gov-hk-2023-08-29-ce-welcomes-plan",
        "legco-2023-12-06-lcq12",
    }
    assert invoke("conflicts", "--unranked").exit_code == 1  # every one is settled by a rank
    areas = {r["id"]: r for r in json.loads(invoke("area", "list", "--json").stdout)}
    assert areas["hk-park"]["conflicts"] == ["area_km2"]
    assert areas["shenzhen-park"]["conflicts"] == [] and areas["hetao-zone"]["conflicts"] == []
