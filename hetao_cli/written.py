"""How a source writes a number: the value, its hedge and its precision, read from the words.

Chinese numerals with 萬/億 ("7000多萬元", "3.89平方公里", "百餘"), English ones ("87-hectare",
"about 300 hectares", "HK$1 billion", "over 100"), and the land-area units the sources use
(公頃, 平方米, hectares, square metres), converted to km². `check` compares a figure's value
with its written form through this; `conflicts` takes a statement's precision from it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from .model import Qualifier

_SMALL = {"十": 10, "百": 100, "千": 1000}
_BIG = {"萬": 10_000, "万": 10_000, "億": 100_000_000, "亿": 100_000_000}
_DIGITS = {
    "〇": 0, "零": 0, "一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_NUMERAL = "0-9.,〇零一二兩两三四五六七八九十百千萬万億亿"
# A run of numerals, with 多/餘/幾 allowed inside it ("7000多萬", "百餘", "幾百萬").
_RUN = re.compile(rf"[{_NUMERAL}幾几]+(?:[多餘余][{_NUMERAL}]*)?")

_AT_MOST = ("最高", "最多", "不超過", "不超过", "至多")
_AT_LEAST = ("不少於", "不少于", "至少", "不低於", "不低于")
_ABOUT_BEFORE = ("近", "約", "约", "大約", "大约")
_ABOUT_AFTER = ("左右", "上下")
_ORDER_AFTER = ("級別", "级别")
_MORE_BEFORE = ("超過", "超过", "超", "逾", "上")

# English: words for numbers, scales after a number, and the hedges before one.
_WORDS = {
    w: n
    for n, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
               "eighty": 80, "ninety": 90, "hundred": 100, "a hundred": 100})  # fmt: skip
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
_EN_NUMBER = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|"
    + "|".join(sorted(_WORDS, key=len, reverse=True))
    + r")(?:[ -](thousand|million|billion))?(?![\w])",
    re.IGNORECASE,
)
_EN_HEDGES: tuple[tuple[Qualifier, tuple[str, ...]], ...] = (
    (Qualifier.AT_LEAST, ("at least", "not less than", "no less than", "a minimum of")),
    (Qualifier.AT_MOST, ("at most", "up to", "no more than", "not more than", "a maximum of")),
    (Qualifier.MORE_THAN, ("more than", "over", "above", "exceeding", "in excess of")),
    (
        Qualifier.ABOUT,
        (
            "about",
            "around",
            "approximately",
            "some",
            "nearly",
            "almost",
            "roughly",
            "close to",
            "approx.",
        ),
    ),
)
_EN_RANGE = re.compile(r"^\s*(?:-|–|to|and)\s*$", re.IGNORECASE)

# Land-area units, as a factor to km²; tried in this order (longest first).
_AREA_UNITS = (
    ("萬平方米", 0.01), ("万平方米", 0.01), ("平方公里", 1.0), ("平方千米", 1.0),
    ("平方米", 1e-6), ("公頃", 0.01), ("公顷", 0.01), ("square kilometres", 1.0),
    ("square kilometers", 1.0), ("square kilometre", 1.0), ("square kilometer", 1.0),
    ("sq km", 1.0), ("km2", 1.0), ("km²", 1.0), ("square metres", 1e-6),
    ("square meters", 1e-6), ("square metre", 1e-6), ("square meter", 1e-6), ("m2", 1e-6),
    ("m²", 1e-6), ("hectares", 0.01), ("hectare", 0.01), ("ha", 0.01),
)  # fmt: skip
_EXACT_DIGITS = 15  # a float holds every 15-digit decimal exactly


class Written(NamedTuple):
    """What a written figure states, in the base unit (km² for a land area)."""

    value: float
    qualifier: Qualifier
    high: float | None  # the upper bound of a range
    step: float  # the precision: one unit of the last digit written (300 → 100, 3.02 → 0.01)


def parse_written(text: str) -> tuple[float, Qualifier, float | None]:
    """The value, qualifier and upper bound a figure's written form states; raise ValueError
    when no number is written."""
    found = read_written(text)
    return found.value, found.qualifier, found.high


def read_written(text: str) -> Written:
    """The value, hedge, upper bound and precision a written figure states (km² for a land
    area written in 公頃, hectares or square metres); raise ValueError when no number is
    written."""
    norm = unicodedata.normalize("NFKC", text)
    runs = [m for m in _RUN.finditer(norm) if any(c not in ".," for c in m[0])]
    if re.search("[A-Za-z]", norm):
        english = _english(norm)
        if english is not None:
            return english
    if not runs:
        raise ValueError(f"no number in {text!r}")
    first = runs[0]
    value, step = _numeral_value(first[0]), _step(first[0])
    factor = _area_factor(norm[first.end() :])
    if len(runs) >= 2 and norm[first.end() : runs[1].start()].strip() in (
        "至",
        "到",
        "-",
        "~",
        "–",
    ):
        high = _numeral_value(runs[1][0])
        # "15至20萬", "2至3億", "三至五百", "3千至5千萬": a multiplier written once is shared
        # by both ends (萬 and 億 when the first end has neither; any when it ends in a digit)
        # where the range then still rises: "五千至一萬" is 5,000 to 10,000.
        big = re.search("[萬万億亿]+$", runs[1][0])
        shared = re.search("[百千萬万億亿]+$", runs[1][0])
        if big and not re.search("[萬万億亿]", first[0]):
            shared = big
        elif re.search("[十百千萬万億亿]$", first[0]):
            shared = None
        times = _numeral_value("1" + shared[0]) if shared else 1.0
        if value * times <= high:
            value, step = value * times, step * times
        factor = _area_factor(norm[runs[1].end() :])
        return Written(value * factor, Qualifier.RANGE, high * factor, step * factor)
    before, run, after = norm[: first.start()], first[0], norm[first.end() :]
    qualifier = Qualifier.EXACT
    if any(w in before for w in _AT_MOST):
        qualifier = Qualifier.AT_MOST
    elif any(before.endswith(w) for w in _AT_LEAST):
        qualifier = Qualifier.AT_LEAST
    elif any(w in after[:4] for w in _ORDER_AFTER):
        qualifier = Qualifier.ORDER_OF_MAGNITUDE
    elif (before.endswith(_ABOUT_BEFORE) and not before.endswith("最近")) or any(
        w in after[:3] for w in _ABOUT_AFTER
    ):  # 最近3年 is "the last three years", exactly
        # "120項左右": a measure word may stand between
        qualifier = Qualifier.ABOUT
    elif re.search("[多餘余幾几]", run) or before.endswith(_MORE_BEFORE) or after.startswith("多"):
        qualifier = Qualifier.MORE_THAN
    return Written(value * factor, qualifier, None, step * factor)


def _english(text: str) -> Written | None:
    """An English written figure: "87-hectare", "about 300 hectares", "HK$1 billion"."""
    numbers = list(_EN_NUMBER.finditer(text))
    if not numbers:
        return None
    first = numbers[0]
    value, step = _english_value(first)
    if len(numbers) >= 2 and _EN_RANGE.match(text[first.end() : numbers[1].start()]):
        high, _ = _english_value(numbers[1])
        if first[2] is None and numbers[1][2]:  # "2 to 3 billion": the scale is shared
            scale = _SCALES[numbers[1][2].lower()]
            value, step = value * scale, step * scale
        factor = _area_factor(text[numbers[1].end() :])
        return Written(value * factor, Qualifier.RANGE, high * factor, step * factor)
    before = text[: first.start()].lower().rstrip(" $")
    before = re.sub(r"(hk|us|rmb|cny)$", "", before).rstrip()
    if before.endswith("between"):
        return None
    qualifier = Qualifier.EXACT
    for hedge, words in _EN_HEDGES:
        if any(before.endswith(w) for w in words):
            qualifier = hedge
            break
    factor = _area_factor(text[first.end() :])
    return Written(value * factor, qualifier, None, step * factor)


def _english_value(m: re.Match[str]) -> tuple[float, float]:
    word, scale_word = m[1].lower(), m[2]
    if word in _WORDS:
        value, step = float(_WORDS[word]), 1.0
    else:
        digits = word.replace(",", "")
        _too_long(digits)
        value, step = float(digits), _digit_step(digits)
    scale = _SCALES[scale_word.lower()] if scale_word else 1.0
    return value * scale, step * scale


def _area_factor(after: str) -> float:
    """The factor to km² of a land-area unit written right after a number, else 1."""
    rest = after.lstrip(" -").lower()
    for unit, factor in _AREA_UNITS:
        if rest.startswith(unit) and not rest[len(unit) : len(unit) + 1].isalpha():
            return factor
    return 1.0


def _too_long(run: str) -> None:
    digits = len(re.sub(r"[^0-9]", "", run).lstrip("0"))
    if digits > _EXACT_DIGITS:
        raise ValueError(
            f"{run[:40]!r} has {digits} digits; a number holds {_EXACT_DIGITS} exactly, "
            "so hetao cannot check it against its value"
        )


def _digit_step(digits: str) -> float:
    """One unit of the last digit written: "3.02" → 0.01; "300" → 100 (trailing zeros are
    taken as not significant, so that a round number never claims more than it says)."""
    if "." in digits:
        return 10.0 ** -len(digits.split(".", 1)[1])
    stripped = digits.rstrip("0")
    return 10.0 ** (len(digits) - len(stripped)) if stripped else 1.0


def _step(run: str) -> float:
    """The precision of a numeral run, in its own value's units."""
    run = re.sub("[多餘余幾几,]", "", run)
    arabic = re.match(r"\d+(?:\.\d+)?", run)
    places = re.findall("[十百千萬万億亿]", run[arabic.end() :] if arabic else run)
    step = _digit_step(arabic[0]) if arabic else 1.0
    if arabic:
        for p in places:  # "7000萬": a unit of the thousands, times 萬
            step *= _SMALL.get(p) or _BIG[p]
    else:  # "三千": one of the last place named; "千萬": of the places written last
        for p in re.search("[十百千萬万億亿]*$", run)[0]:  # type: ignore[index]
            step *= _SMALL.get(p) or _BIG[p]
    return step


def _numeral_value(run: str) -> float:
    """A numeral run such as "3.89", "7000萬", "1.5億", "十", "百餘", "幾百萬" as a number."""
    run = re.sub("[多餘余幾几,]", "", run)
    if not run:
        raise ValueError("no digits")
    _too_long(run)
    total = 0.0  # finished 億 groups
    wan = 0.0  # finished 萬 group
    section = 0.0  # below 萬
    current: float | None = None
    for token in re.findall(r"\d+(?:\.\d+)?|.", run):
        if token[0].isdigit():
            current = float(token)
        elif token in _DIGITS:
            current = float(_DIGITS[token])
        elif token in _SMALL:
            section += (1 if current is None else current) * _SMALL[token]
            current = None
        elif token in _BIG:
            group = section + (current or 0)
            if _BIG[token] == 10_000:
                wan += (group or 1) * 10_000
            else:
                total += ((wan + group) or 1) * 100_000_000
                wan = 0
            section, current = 0, None
        else:
            raise ValueError(f"cannot read {token!r} in {run!r}")
    return total + wan + section + (current or 0)
