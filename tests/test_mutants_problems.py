"""Where a problem is placed, where a mutation run of problems.py found that no test said it
(bench/mutate.py, a sample of 20, seed 12): a table name in a literal string, a string on the
line that opens a multi-line one, an escaped quote at the start of a line, and a [kind.statements]
table where an array of them belongs. Line numbers are counted by hand in each text."""

from __future__ import annotations

from pathlib import Path

import tomli
from conftest import invoke

from hetao_cli.problems import LineIndex


def _index(text: str) -> LineIndex:
    tomli.loads(text)  # each text is valid TOML, as a fact file is
    return LineIndex(text)


def test_a_table_name_may_be_quoted_either_way() -> None:
    text = "[['event']]\nid = 'a'\n\n[[\"event\"]]\nid = 'b'\n\n[[event]]\nid = 'c'\n"
    index = _index(text)
    assert [index.entry("event", n) for n in range(3)] == [1, 4, 7]
    assert index.entry("event", 0, "id") == 2


# Line 3 holds a string ("date", "s") before the multi-line one it opens, so lines 4 to 6
# stand inside that string: neither the `title =` nor the `[[event]]` there is the file's.
OPENED_AFTER_A_STRING = '''\
[[event]]
id = "a"
more_citations = [{ field = "date", source = "s", quote = """2017年1月
title = "inside the string"
[[event]]
簽署""" }]
title = "the real title"

[[event]]
id = "b"
'''


def test_a_multi_line_string_opened_after_a_string_on_its_line() -> None:
    index = _index(OPENED_AFTER_A_STRING)
    assert index.entry("event", 0, "title") == 7
    assert index.entry("event", 1) == 9
    assert index.entry("event", 1, "id") == 10


# Line 4 starts with an escaped quote, \", and two more: not the end of the string, which
# closes on line 6.
ESCAPED_AT_THE_START = '''\
[[event]]
id = "a"
quote = """a quote of a quote:
\\""" is three quotes
[[event]]
"""
title = "the real title"

[[event]]
id = "b"
'''


def test_an_escaped_quote_at_the_start_of_a_line_does_not_close_a_string() -> None:
    index = _index(ESCAPED_AT_THE_START)
    assert index.entry("event", 0, "title") == 7
    assert index.entry("event", 1) == 9


STATEMENTS_TABLE = """\
[[source]]
id = "a"
title = "A"
publisher = "P"
published = "2023-12-18"
language = "zh-Hant"

[[event]]
id = "signed"
date = "2017-01"
title = "簽署備忘錄"
source = "a"
quote = "2017年1月簽署備忘錄"

[event.statements]
field = "date"
value = "2017-01-03"
source = "a"
quote = "2017年1月簽署備忘錄"
"""


def test_a_single_statements_table_is_a_problem_at_its_entry(tmp_path: Path) -> None:
    """[event.statements] (one table) where [[event.statements]] belongs: the problem names
    the field `statements` of the entry on line 8, which has no `statements =` line."""
    facts = tmp_path / "facts.toml"
    facts.write_text(STATEMENTS_TABLE, encoding="utf-8")
    result = invoke("check", facts)
    assert result.exit_code == 1, result.output
    assert result.stdout == (
        f"{facts}:8: event[0] id='signed' field 'statements': expected [[statements]] tables "
        "(an array of tables)\n"
    )
