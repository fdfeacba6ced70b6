"""Rendering, where a mutation run of output.py found that no test said it (bench/mutate.py,
a sample of 30, seed 11): the year heading of a narrow timeline in bold."""

from __future__ import annotations

import pytest
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


def _kinds_in_facts() -> dict[str, int]:
    """How many of each kind facts.toml holds, counted from its TOML, not by hetao."""
    from pathlib import Path

    import tomllib

    data = tomllib.loads((Path(__file__).parent.parent / "facts.toml").read_text("utf-8"))
    kinds = ("source", "area", "event", "figure", "org", "person", "document", "claim")
    return {k: len(data.get(k, [])) for k in kinds}


@pytest.mark.parametrize("columns", [48, 56, 64, 72, 100])
def test_stats_bars_never_cut_the_counts(columns: int) -> None:
    """A bug found beside that survivor: the bars (30 cells at most) were never counted in the
    table's width, so at 56 columns Rich squeezed the counts to make room for them, and
    `hetao stats` showed 1 source for 14 and 2 areas for 24. The bars take what is left."""
    result = invoke("stats", "--format", "table", env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(len(line) <= columns for line in lines), result.stdout
    assert "count" in lines[1].split(), result.stdout  # the header whole
    for kind, count in _kinds_in_facts().items():
        row = next(line.split() for line in lines if kind in line.split())
        assert row[row.index(kind) + 1] == str(count), (kind, result.stdout)
