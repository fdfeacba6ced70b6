"""Tables that respect what they show: ids, dates and numbers never broken across lines,
numbers grouped by thousands (in a table only), low-value columns giving way with a caption."""

from __future__ import annotations

import itertools
import re

import pytest
from conftest import invoke

from hetao_cli.load import load

BOOK = load()
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def table(*args: str, width: int) -> str:
    result = invoke(*args, "--format", "table", env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    return ANSI.sub("", result.stdout)


LISTINGS = [["timeline"], ["figures"], ["org", "list"], ["person", "list"], ["sources"],
            ["area", "list"], ["document", "list"], ["search", "河套"],
            ["stats", "--area"]]  # fmt: skip


@pytest.mark.parametrize("width", [80, 100, 120])
@pytest.mark.parametrize("command", LISTINGS, ids=" ".join)
def test_ids_and_dates_are_never_broken(command: list[str], width: int) -> None:
    out = table(*command, width=width)
    assert max(len(line) for line in out.splitlines()) <= width
    words = set(re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)+|\d{4}-\d{2}(?:-\d{2})?", out))
    whole = {e.id for e in BOOK.entries()} | {f for o in BOOK.orgs for f in o.fields}
    pieces = [w for w in words if w not in whole and not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", w)]
    # A piece of an id ("zone-land-") is a word that only starts one.
    assert not [p for p in pieces if any(i.startswith(p) for i in whole)]


def test_numbers_are_grouped_in_a_table_only() -> None:
    out = table("figures", "--fields", "id,value", width=120)
    assert re.search(r"shutang-rd-spending\s+70,000,000", out)
    tsv = invoke("figures", "--fields", "id,value", "--format", "tsv").stdout
    assert "shutang-rd-spending\t70000000" in tsv
    assert '"value": 70000000' in invoke("show", "shutang-rd-spending", "--json").stdout


def test_low_value_columns_give_way_with_a_caption() -> None:
    narrow = table("figures", width=80)
    assert "(value, unit, qualifier, scope: left out to fit; --fields shows them)" in narrow
    assert "─" * 40 in narrow  # still a table
    wide = table("figures", width=160)
    assert "left out" not in wide and "qualifier" in wide


def test_search_tables_leave_out_how_it_matched() -> None:
    out = table("search", "量子", width=120)
    assert "match_field" not in out and "match_rank" not in out
    tsv = invoke("search", "量子", "--format", "tsv").stdout.splitlines()[0].split("\t")
    assert tsv == ["kind", "id", "label", "match_field", "match_rank"]


def test_one_unit_is_not_repeated_on_every_row() -> None:
    header = table("figures", "--unit", "count", width=160).splitlines()[1].split()
    assert "unit" not in header and "value" in header


TEXTS = [e.title for e in BOOK.events] + [c.quote for e in BOOK.entries() for c in e.citations]


def _category(char: str) -> str:
    import unicodedata

    return unicodedata.category(char)


@pytest.mark.parametrize("width", [6, 9, 14, 23, 40])
def test_chinese_wraps_by_the_line_breaking_rules(width: int) -> None:
    from rich.cells import cell_len

    from hetao_cli.output import line_units, wrapped

    for text in TEXTS:
        lines = wrapped(text, width)
        assert "".join(lines).replace(" ", "") == text.replace("\n", "").replace(" ", "")
        for line in lines:
            assert cell_len(line) <= width
        if max(cell_len(u.rstrip()) for u in line_units(text)) > width:
            continue  # a word wider than the line is folded where it must be (a table's
            # column is never narrower than its widest word; this width is only a test's)
        # A quote may hold a blank line (a paragraph break in the source): no rule applies.
        for before, after in itertools.pairwise(line for line in lines if line):
            assert _category(after[0]) not in ("Pe", "Pf", "Po"), (text, before, after)
            assert _category(before[-1]) not in ("Ps", "Pi"), (text, before, after)


def test_no_table_line_starts_with_closing_punctuation() -> None:
    out = table("timeline", width=80)
    for line in out.splitlines():
        cells = [c for c in re.split(r"\s{2,}", line.strip()) if c]
        for cell in cells:
            assert _category(cell[0]) not in ("Pe", "Pf") and cell[0] not in "，。、,：；！？", line
