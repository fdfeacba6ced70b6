"""`hetao check`, where a mutation run of check.py found that no test said it (bench/mutate.py,
a sample of 20, seed 12): a statement's written form outside its quote, a statement's as-of
date after its source was published, and the name of the control character US (0x1F)."""

from __future__ import annotations

from pathlib import Path

from conftest import invoke

FACTS = """\
[[source]]
id = "a"
title = "A"
publisher = "P"
published = "2020-11"
language = "zh-Hant"

[[figure]]
id = "firms"
subject = "企業"
value = 150
unit = "count"
qualifier = "more_than"
as_written = "150多家"
scope = "a"
source = "a"
quote = "目前已有150多家企業"

[[figure.statements]]
field = "value"
value = 150
qualifier = "more_than"
as_written = "一百五十多家"
as_of = "2021-03"
source = "a"
quote = "150多家企業"

[[event]]
id = "signed"
date = "2017-01"
title = "簽署\\u001f備忘錄"
source = "a"
quote = "2017年1月簽署備忘錄"
"""


def test_check_names_each_problem_of_a_statement_and_a_unit_separator(tmp_path: Path) -> None:
    """Line 19 is the statement's [[figure.statements]]; line 31 the event's title, which
    holds U+001F, ASCII's unit separator, US."""
    facts = tmp_path / "facts.toml"
    facts.write_text(FACTS, encoding="utf-8")
    result = invoke("check", facts)
    assert result.exit_code == 1, result.output
    where = f"{facts}:19: figure[0] id='firms' field 'statements[0]'"
    assert result.stdout.splitlines() == [
        f"{where}: as_written '一百五十多家' does not stand in its quote",
        f"{where}: statements 2021-03 is after a was published (2020-11); a relative date "
        "resolved to the wrong year?",
        f"{facts}:31: event[0] id='signed' field 'title': contains a control character \\x1f "
        "(US); write it as text or remove it",
    ]
