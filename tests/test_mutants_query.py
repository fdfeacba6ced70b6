"""Queries, where a mutation run of query.py found that no test said it (bench/mutate.py, a
sample of 20, seed 12): a figure about an event lies in the event's area."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import invoke

FACTS = """
[[source]]
id = "a"
title = "A"
publisher = "P"
published = "2023-12-18"
language = "zh-Hant"

[[area]]
id = "park"
name = "園區"
area_km2 = 0.5
source = "a"
quote = "園區0.5平方公里"

[[event]]
id = "fair"
date = "2023-06"
title = "博覽會"
area = "park"
source = "a"
quote = "博覽會在園區舉行"

[[figure]]
id = "exhibitors"
subject = "參展企業"
value = 200
unit = "count"
qualifier = "exact"
as_written = "200家"
scope = "fair"
located = true
source = "a"
quote = "200家企業參展"
"""


def test_a_count_about_an_event_is_a_density_of_the_event_s_area(tmp_path: Path) -> None:
    """query.area_of: an event lies in its own area, so a count scoped to the fair held in the
    park (0.5 km²) is 200 / 0.5 = 400 per km² of the park."""
    facts = tmp_path / "facts.toml"
    facts.write_text(FACTS, encoding="utf-8")
    result = invoke("stats", "--area", "--facts", facts, "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["area"], r["figure"], r["count"], r["per_km2"]) for r in rows] == [
        ("park", "exhibitors", 200, 400.0)
    ]


UNDATED = """
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
area_km2 = 0.5
source = "a"
quote = "園區0.5平方公里"

[[figure]]
id = "firms"
subject = "企業"
value = 150
unit = "count"
qualifier = "more_than"
as_written = "150多家"
scope = "park"
source = "a"
quote = "目前已有150多家企業"

[[figure.statements]]
field = "value"
value = 50
as_written = "50"
source = "b"
quote = "50 companies"
"""


def test_an_undated_statement_holds_from_its_source_s_publication(tmp_path: Path) -> None:
    """figures --as-of: a statement with no date of its own (neither the figure's `date` nor
    an `as_of`) holds from the day its source was published: b's 50 from 2020-11, a's 150
    from 2023-12-18; before 2020-11 neither held, and the figure is left out."""
    facts = tmp_path / "facts.toml"
    facts.write_text(UNDATED, encoding="utf-8")

    def as_of(when: str) -> list[tuple[str, int, str]]:
        result = invoke("figures", "--as-of", when, "--facts", facts, "--json")
        return [(r["id"], r["value"], r["as_written"]) for r in json.loads(result.stdout)]

    assert as_of("2020-10") == []
    assert as_of("2020-11") == [("firms", 50, "50")]
    assert as_of("2023-11") == [("firms", 50, "50")]
    assert as_of("2023-12") == [("firms", 150, "150多家")]
