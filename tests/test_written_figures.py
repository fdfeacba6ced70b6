"""Figures against their written form, and quotes against their text: the cases the mutation
run (bench/mutate.py) found untested. Every expected value is written by hand from Chinese
usage (萬 = 10⁴, 億/亿 = 10⁸), never computed by the code under test."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import asset, invoke

from hetao_cli.check import _same, check_book, figure_problems, quote_problem
from hetao_cli.load import load
from hetao_cli.model import Citation, FactBook, Figure, Qualifier, Unit
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
    ("digit", "value"),
    [("〇", 0), ("零", 0), ("一", 1), ("二", 2), ("兩", 2), ("两", 2), ("三", 3), ("四", 4),
     ("五", 5), ("六", 6), ("七", 7), ("八", 8), ("九", 9)],
)  # fmt: skip
def test_every_chinese_digit(digit: str, value: int) -> None:
    assert parse_written(digit) == (value, EXACT, None)
    if value:  # 〇十 is not a numeral
        assert parse_written(f"{digit}十") == (value * 10, EXACT, None)


@pytest.mark.parametrize(
    ("written", "value", "qualifier", "high"),
    [
        # Simplified 亿 and 万, alone and together
        ("1.5亿元", 150_000_000, EXACT, None),
        ("3亿5000万", 350_000_000, EXACT, None),
        ("2亿", 200_000_000, EXACT, None),
        ("近亿元", 100_000_000, ABOUT, None),
        ("1.2万亿元", 1_200_000_000_000, EXACT, None),
        ("一萬億", 1_000_000_000_000, EXACT, None),
        # a bare 萬 or 億 is one of them: 萬人 is ten thousand people
        ("萬人", 10_000, EXACT, None),
        ("近萬人", 10_000, ABOUT, None),
        ("億元", 100_000_000, EXACT, None),
        ("百萬", 1_000_000, EXACT, None),
        ("千萬", 10_000_000, EXACT, None),
        # Chinese numerals
        ("一萬二千", 12_000, EXACT, None),
        ("一千零五", 1005, EXACT, None),
        ("兩千萬", 20_000_000, EXACT, None),
        ("两千", 2000, EXACT, None),
        ("〇", 0, EXACT, None),
        ("九十九", 99, EXACT, None),
        ("十二", 12, EXACT, None),
        ("一百", 100, EXACT, None),
        ("四十八", 48, EXACT, None),
        ("1萬2千", 12_000, EXACT, None),
        ("2.5萬", 25_000, EXACT, None),
        ("1,234,567", 1_234_567, EXACT, None),
        # ranges with every separator the docs allow
        ("15-20萬", 150_000, RANGE, 200_000),
        ("15 - 20", 15, RANGE, 20),
        ("15~20", 15, RANGE, 20),
        ("15～20", 15, RANGE, 20),  # full-width tilde, folded by NFKC
        ("15–20", 15, RANGE, 20),  # en dash
        ("15到20", 15, RANGE, 20),
        ("1.5-2億", 150_000_000, RANGE, 200_000_000),
        ("五千至一萬", 5000, RANGE, 10_000),  # each end has its own multiplier
        ("500至1000万", 5_000_000, RANGE, 10_000_000),
        ("15和20", 15, EXACT, None),  # 和 is not a range
        # qualifiers, in both scripts
        ("约30%", 30, ABOUT, None),
        ("大约30%", 30, ABOUT, None),
        ("30%上下", 30, ABOUT, None),
        ("100家左右", 100, ABOUT, None),
        ("3個左右", 3, ABOUT, None),
        ("億元级别", 100_000_000, ORDER, None),
        ("不超过5年", 5, AT_MOST, None),
        ("最多5年", 5, AT_MOST, None),
        ("至多5年", 5, AT_MOST, None),
        ("每人最高50萬元", 500_000, AT_MOST, None),
        ("超过150家", 150, MORE, None),
        ("上百家", 100, MORE, None),
        ("100余家", 100, MORE, None),
        ("100餘家", 100, MORE, None),
        ("幾十家", 10, MORE, None),
        ("几十家", 10, MORE, None),
        ("十餘萬", 100_000, MORE, None),
        ("100家", 100, EXACT, None),
        ("第3期", 3, EXACT, None),  # 第 is not 超/逾/上
    ],
)
def test_parse_written_by_hand(
    written: str, value: float, qualifier: Qualifier, high: float | None
) -> None:
    assert parse_written(written) == (value, qualifier, high)


def test_a_range_shares_the_multiplier_the_first_end_lacks() -> None:
    assert parse_written("3千至5千萬") == (30_000_000, RANGE, 50_000_000)


def test_zuijin_is_not_about() -> None:
    assert parse_written("最近3年") == (3, EXACT, None)


@pytest.mark.parametrize("written", ["多", "餘", ",", ".", "。", "abc"])
def test_no_numeral_is_no_number(written: str) -> None:
    with pytest.raises(ValueError, match="no number"):
        parse_written(written)


def test_a_hedge_without_digits_is_no_number() -> None:
    with pytest.raises(ValueError, match="no digits"):
        parse_written("幾")


def figure(**kw: object) -> Figure:
    """A figure citing '規模達3.89平方公里', with fields overridden by kw."""
    base: dict[str, object] = {
        "id": "f",
        "subject": "面積",
        "value": 3.89,
        "unit": Unit.KM2,
        "qualifier": EXACT,
        "as_written": "3.89平方公里",
        "scope": "x",
        "citations": (Citation("s", "規模達3.89平方公里"),),
    }
    return Figure(**{**base, **kw})  # type: ignore[arg-type]


def test_a_figure_that_agrees_has_no_problem() -> None:
    assert list(figure_problems(figure())) == []


def test_a_decimal_value_that_disagrees_is_shown_as_a_decimal() -> None:
    assert list(figure_problems(figure(value=3.8))) == [
        ("value", "as_written '3.89平方公里' reads as 3.89, not 3.8")
    ]


def test_a_value_within_rounding_of_the_written_one_agrees() -> None:
    assert list(figure_problems(figure(value=3.89 + 1e-12))) == []
    assert list(figure_problems(figure(value=3.89 + 1e-6))) != []
    big = figure(value=70_000_000, as_written="7000萬", citations=(Citation("s", "7000萬"),))
    assert list(figure_problems(big._replace(value=70_000_000.01))) == []
    assert list(figure_problems(big._replace(value=70_000_001))) == [
        ("value", "as_written '7000萬' reads as 70000000, not 70000001")
    ]


def test_same_is_relative_for_large_values_and_absolute_near_zero() -> None:
    assert _same(0.0, 0.0)
    assert _same(0.0, 1e-10)
    assert not _same(0.0, 1e-8)
    assert _same(1e12, 1e12 + 100)
    assert not _same(1e12, 1e12 + 10_000)
    assert _same(-5.0, -5.0)
    assert not _same(-5.0, 5.0)


def test_a_range_needs_its_upper_bound() -> None:
    quote = (Citation("s", "15至20分鐘"),)
    ranged = figure(value=15, unit=Unit.MINUTES, qualifier=RANGE, as_written="15至20分鐘")
    assert list(figure_problems(ranged._replace(citations=quote, value_max=20))) == []
    assert list(figure_problems(ranged._replace(citations=quote))) == [
        ("value_max", "as_written '15至20分鐘' reads as up to 20")
    ]
    assert list(figure_problems(ranged._replace(citations=quote, value_max=20.5))) == [
        ("value_max", "as_written '15至20分鐘' reads as up to 20")
    ]


def test_a_wrong_qualifier_is_reported_before_the_upper_bound() -> None:
    quote = (Citation("s", "15至20分鐘"),)
    exact = figure(value=15, qualifier=EXACT, as_written="15至20分鐘", citations=quote)
    assert list(figure_problems(exact)) == [
        ("qualifier", "as_written '15至20分鐘' reads as range, not exact")
    ]


def test_a_written_form_with_no_number_is_a_problem() -> None:
    quote = (Citation("s", "若干項"),)
    assert list(figure_problems(figure(as_written="若干", citations=quote))) == [
        ("as_written", "no number in '若干'")
    ]


def test_a_derived_figure_is_not_read_but_must_stand_in_its_quote() -> None:
    derived = figure(value=1, derived="3.89 / 2", as_written="1.945")
    assert list(figure_problems(derived)) == [
        ("as_written", "'1.945' does not stand in the figure's quote")
    ]


def test_any_citation_may_hold_the_written_form() -> None:
    cites = (Citation("s", "另一句"), Citation("s", "規模達3.89平方公里", "value"))
    assert list(figure_problems(figure(citations=cites))) == []


# ---------------------------------------------------------------------------------------------
# Quotes


def test_a_quote_that_departs_late_names_its_last_twenty_characters() -> None:
    text = "一二三四五六七八九十甲乙丙丁戊己庚辛壬癸子丑寅卯"
    quote = text[:22] + "X"
    assert quote_problem(quote, text) == (
        "quote not found verbatim in the source; it departs after "
        "'三四五六七八九十甲乙丙丁戊己庚辛壬癸子丑'"
    )


def test_the_longest_prefix_is_found_at_every_length() -> None:
    text = "abcdefghij"
    for n in range(len(text) + 1):
        quote = text[:n] + "#"
        expected = f"quote not found verbatim in the source; it departs after {text[:n]!r}"
        assert quote_problem(quote, text) == expected, n


def test_a_folded_text_given_by_the_caller_is_used() -> None:
    # The caller's folded text stands for the text's NFKC form; nothing folds it again.
    assert quote_problem("ａｂ", "xx", folded_text="ab") == (
        "quote differs from the source only in character forms (full-width, compatibility)"
    )


# ---------------------------------------------------------------------------------------------
# check_book


def test_a_problem_in_a_book_with_no_origins_has_no_place() -> None:
    bad = figure(value=4)
    [problem] = check_book(FactBook(figures=(bad,), by_id={"f": bad}))
    assert (problem.file, problem.line, problem.kind, problem.id, problem.field) == (
        "?",
        None,
        "figure",
        "f",
        "value",
    )
    assert problem.message == "as_written '3.89平方公里' reads as 3.89, not 4"


def test_check_book_places_a_problem_on_its_line_without_the_books_line_index() -> None:
    book = load([asset("as-written-mismatch.toml")])
    [problem] = check_book(FactBook(figures=book.figures, by_id=book.by_id, origins=book.origins))
    assert (problem.kind, problem.id, problem.field, problem.line) == (
        "figure",
        "demo-funding",
        "value",
        11,
    )


def test_a_source_text_that_is_not_utf8_or_not_a_file_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "demo-source.txt").write_bytes("示範合作區".encode("big5"))
    result = invoke("check", asset("valid.toml"), "--sources", tmp_path)
    assert result.exit_code == 1
    expected = f"no readable UTF-8 source text at {tmp_path / 'demo-source.txt'}: 8 quotes"
    assert result.stdout.count("\n") == 1 and result.stdout.endswith(f"{expected} not checked\n")
    (tmp_path / "demo-source.txt").unlink()
    (tmp_path / "demo-source.txt").mkdir()  # a folder where the text should be
    result = invoke("check", asset("valid.toml"), "--sources", tmp_path)
    assert result.exit_code == 1
    assert result.stdout.count("\n") == 1 and result.stdout.endswith(f"{expected} not checked\n")


def test_a_run_that_is_no_numeral_is_refused() -> None:
    with pytest.raises(ValueError, match=r"cannot read '\.' in '1\.2\.3'"):
        parse_written("1.2.3")


def test_same_has_an_absolute_tolerance_of_one_billionth_near_zero() -> None:
    assert _same(0.0, 0.9e-9)
    assert not _same(0.0, 1.5e-9)


def test_the_longest_prefix_is_found_however_far_the_quote_runs_on() -> None:
    text = "abcdefghij"
    for n in range(len(text) + 1):
        for extra in range(1, 8):
            quote = text[:n] + "#" * extra
            expected = f"quote not found verbatim in the source; it departs after {text[:n]!r}"
            assert quote_problem(quote, text) == expected, (n, extra)
