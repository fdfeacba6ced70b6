"""A curator's check that finishes in one round, English written figures, and a user's own
file layered on the bundled facts (issue 11, items 2 and 7)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import invoke
from hypothesis import given
from hypothesis import strategies as st

from hetao_cli.model import Qualifier
from hetao_cli.written import read_written

SOURCE = """
[[source]]
id = "s"
title = "S"
publisher = "P"
published = "2023-12-18"
language = "zh-Hant"
"""


def write(tmp_path: Path, text: str, name: str = "f.toml") -> Path:
    path = tmp_path / name
    path.write_text(SOURCE + text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("written", "value", "qualifier", "step"),
    [
        ("87-hectare", 0.87, Qualifier.EXACT, 0.01),
        ("87 hectares", 0.87, Qualifier.EXACT, 0.01),
        ("87.7 hectares", 0.877, Qualifier.EXACT, 0.001),
        ("about 300 hectares", 3.0, Qualifier.ABOUT, 1.0),
        ("0.87 square kilometres", 0.87, Qualifier.EXACT, 0.01),
        ("1.2 million square metres", 1.2, Qualifier.EXACT, 0.1),
        ("87公頃", 0.87, Qualifier.EXACT, 0.01),
        ("HK$1 billion", 1e9, Qualifier.EXACT, 1e9),
        ("over 100", 100, Qualifier.MORE_THAN, 100),
        ("at least 20", 20, Qualifier.AT_LEAST, 10),
        ("up to 5,000", 5000, Qualifier.AT_MOST, 1000),
        ("some 20,000", 20000, Qualifier.ABOUT, 10000),
        ("two", 2, Qualifier.EXACT, 1),
        ("2 to 3 billion", 2e9, Qualifier.RANGE, 1e9),
        ("不少於5家", 5, Qualifier.AT_LEAST, 1),
        ("千萬元級別", 1e7, Qualifier.ORDER_OF_MAGNITUDE, 1e7),
        ("7000多萬元", 7e7, Qualifier.MORE_THAN, 1e7),
        ("3.02平方公里", 3.02, Qualifier.EXACT, 0.01),
    ],
)
def test_written_figures_by_hand(
    written: str, value: float, qualifier: Qualifier, step: float
) -> None:
    found = read_written(written)
    assert found.value == pytest.approx(value)
    assert found.qualifier is qualifier
    assert found.step == pytest.approx(step)


def test_an_entry_with_a_structural_problem_still_has_its_links_and_quotes_checked(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        """
[[org]]
id = "lab"
name = ""
kind = "laboratory"
parent = "univrsity"
source = "s"
quote = "not in the text"

[[org]]
id = "university"
name = "大學"
kind = "university"
source = "s"
quote = "大學"
""",
    )
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "s.txt").write_text("S\n大學\n", encoding="utf-8")
    result = invoke("check", path, "--sources", sources)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}:11: org[0] id='lab' field 'name': expected a non-empty string",
        f"{path}:13: org[0] id='lab' field 'parent': links to 'univrsity', which no entry "
        "defines (did you mean 'university'?)",
        f"{path}:15: org[0] id='lab' field 'quote': quote not found verbatim in the source; "
        "it departs after ''",
    ]


def test_a_date_after_its_source_was_published_is_a_problem(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[[event]]
id = "opened"
date = "2024-03"
title = "開園"
date_note = "今年 → 2024"
source = "s"
quote = "今年3月開園"
""",
    )
    result = invoke("check", path)
    assert result.exit_code == 1
    assert result.stdout == (
        f"{path}:11: event[0] id='opened' field 'date': date 2024-03 is after s was published "
        "(2023-12-18); a relative date resolved to the wrong year?\n"
    )


def test_a_quote_in_the_other_script_is_told_so(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[[org]]
id = "lab"
name = "国际量子研究院"
kind = "institute"
source = "s"
quote = "国际量子研究院"
""",
    )
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "s.txt").write_text("S 國際量子研究院\n", encoding="utf-8")
    result = invoke("check", path, "--sources", sources)
    assert result.exit_code == 1
    assert result.stdout == (
        f"{path}:14: org[0] id='lab' field 'quote': quote matches the source only after "
        "Traditional/Simplified folding; copy it in the source's own script\n"
    )


def test_a_citation_s_written_form_is_read_against_the_value(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[[area]]
id = "park"
name = "園區"
area_km2 = 0.87
source = "s"
quote = "0.87平方公里"
more_citations = [
  { field = "area_km2", quote = "87.7 hectares", as_written = "87.7 hectares" },
  { field = "area_km2", quote = "87 ha", as_written = "88 ha" },
]
""",
    )
    result = invoke("check", path)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}:15: area[0] id='park' field 'more_citations[0]': as_written '87.7 hectares' "
        "reads as 0.877, not 0.87",
        f"{path}:15: area[0] id='park' field 'more_citations[1]': as_written '88 ha' does not "
        "stand in its quote",
    ]


def test_a_file_layered_on_the_bundled_facts_links_to_them(tmp_path: Path) -> None:
    mine = tmp_path / "mine.toml"
    mine.write_text(
        """
[[event]]
id = "my-visit"
date = "2024-05"
title = "參觀河套"
area = "hetao-zone"
source = "nanfang-2023-12-18"
quote = "河套"
""",
        encoding="utf-8",
    )
    alone = invoke("timeline", "--facts", mine)
    assert alone.exit_code == 3  # on its own, its links go nowhere
    layered = invoke("timeline", "--facts", f"+{mine}", "--json")
    assert layered.exit_code == 0, layered.output
    ids = [e["id"] for e in json.loads(layered.stdout)]
    assert ids[-1] == "my-visit" and "2017-01-memorandum" in ids
    by_env = invoke("timeline", "--json", env={"HETAO_FACTS": f"+{mine}"})
    assert by_env.stdout == layered.stdout


def test_a_control_character_in_a_statement_is_a_problem_and_shown_escaped(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        """
[[area]]
id = "park"
name = "園區"
area_km2 = 0.87
source = "s"
quote = "0.87平方公里"

[[area.statements]]
field = "area_km2"
value = 0.87
as_written = "87 hectares"
source = "s"
quote = "87 hectares\\u001b]0;pwned\\u0007"
""",
    )
    result = invoke("check", path)
    assert result.exit_code == 1
    assert result.stdout == (
        f"{path}:16: area[0] id='park' field 'statements[0]': contains a control character "
        "\\x1b (ESC); write it as text or remove it\n"
    )
    shown = invoke("show", "park", "--facts", path, "--format", "tsv").stdout
    assert "\x1b" not in shown and "87 hectares\\x1b]0;pwned\\x07" in shown


def test_open_prints_the_urls_of_an_entry_s_sources() -> None:
    result = invoke("open", "2021-two-parks-arrangement")
    assert result.exit_code == 0, result.output
    # Its sources: the 2023 press release (a mirror) and bayarea.gov.hk, as the catalogue
    # gives their addresses.
    assert result.stdout.splitlines() == [
        "http://government-world.com/ce-welcomes-promulgation-of-development-plan-for-shenzhen-"
        "park-of-hetao-shenzhen-hong-kong-science-and-technology-innovation-co-operation-zone/"
        "?print=print",
        "https://www.bayarea.gov.hk/gbais/tc/development/innovation-and-technology/hetao-shenzhen-"
        "hong-kong-science-and-technology-innovation-co-operation-zone",
    ]
    assert invoke("open", "nanfang-2023-12-18").exit_code == 1  # the article's URL is unknown


@given(st.text(alphabet="ab河套", max_size=30), st.text(alphabet="ab河套", max_size=60))
def test_the_longest_prefix_is_the_longest_that_stands_in_the_text(quote: str, text: str) -> None:
    from hetao_cli.check import _longest_prefix

    expected = max(k for k in range(len(quote) + 1) if quote[:k] in text)  # by definition
    assert _longest_prefix(quote, text) == expected
