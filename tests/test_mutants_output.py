"""Rendering, where a mutation run of output.py found that no test said it (bench/mutate.py,
a sample of 30, seed 11): the year heading of a narrow timeline in bold."""

from __future__ import annotations

from conftest import invoke


def test_a_narrow_timeline_heads_each_year_in_bold() -> None:
    """Too narrow for columns, each event is a block of `field value` lines under its year,
    and the year (1997: the Loop is formed, facts.toml's first event) is bold."""
    result = invoke(
        "timeline", "--format", "table", "--color", "always", "--limit", "1",
        env={"COLUMNS": "30"},
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "\x1b[1m1997\x1b[0m"
