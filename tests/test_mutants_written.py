"""How a written figure is read, where a mutation run of written.py found that no test said it
(bench/mutate.py, a sample of 20, seed 12): the hedge "around", and a hedge before a currency.
Expected values by hand: 300 hectares is 3 km², one unit of its hundreds 1 km²."""

from __future__ import annotations

import pytest

from hetao_cli.model import Qualifier
from hetao_cli.written import Written, read_written


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("around 300 hectares", Written(3.0, Qualifier.ABOUT, None, 1.0)),
        ("about 300 hectares", Written(3.0, Qualifier.ABOUT, None, 1.0)),
    ],
)
def test_around_is_a_hedge_as_about_is(text: str, expected: Written) -> None:
    found = read_written(text)
    assert found.qualifier is expected.qualifier
    assert found == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "value", "qualifier"),
    [
        ("about HK$1 billion", 1e9, Qualifier.ABOUT),
        ("over US$2 million", 2e6, Qualifier.MORE_THAN),
        ("at least RMB 5 million", 5e6, Qualifier.AT_LEAST),
        ("up to CNY 300 million", 3e8, Qualifier.AT_MOST),
        ("HK$1 billion", 1e9, Qualifier.EXACT),
    ],
)
def test_a_hedge_before_a_currency_is_read(text: str, value: float, qualifier: Qualifier) -> None:
    """The currency between the hedge and the number (HK$, US$, RMB, CNY) is not a word of
    the hedge: "about HK$1 billion" is about a billion."""
    found = read_written(text)
    assert (found.value, found.qualifier, found.high) == (value, qualifier, None)
