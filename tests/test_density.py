"""stats --area leads with the density the article states (38 per km²) and its recomputation,
and leaves out densities of counts of things that are not in a place unless --all."""

from __future__ import annotations

import json

from conftest import invoke

from hetao_cli.load import load

BOOK = load()


def rows(*args: str) -> list[dict[str, object]]:
    result = invoke("stats", "--area", "--json", *args)
    assert result.exit_code == 0, result.output
    records: list[dict[str, object]] = json.loads(result.stdout)
    return records


def test_the_stated_density_comes_first_with_its_recomputation() -> None:
    zone = [r for r in rows() if r["area"] == "hetao-zone"]
    first = zone[0]
    assert (first["figure"], first["stated"], first["per_km2"]) == (
        "research-project-density",
        True,
        38,
    )
    assert "150 (shenzhen-park) / 3.89 km² (hetao-zone) = 38.56 ✓" in str(first["check"])
    assert all(not r["stated"] for r in zone[1:])


def test_counts_that_are_not_in_a_place_only_with_all() -> None:
    default = {r["figure"] for r in rows()}
    every = {r["figure"] for r in rows("--all")}
    assert "shenzhen-park-positionings" not in default  # 3 positionings per km² means nothing
    assert "shenzhen-park-positionings" in every
    assert default < every
    located = {f.id for f in BOOK.figures if f.located}
    assert default - {"research-project-density", None} <= located
    assert invoke("stats", "--all").exit_code == 2


def test_show_of_a_stated_density_says_how_it_is_recomputed() -> None:
    shown = json.loads(invoke("show", "research-project-density", "--json").stdout)
    assert [(c["denominator"], c["value"], c["reproduces"]) for c in shown["recomputed"]] == [
        ("shenzhen-park", 49.67, False),
        ("hetao-zone", 38.56, True),
    ]
    text = invoke("show", "research-project-density", "--format", "tsv").stdout
    assert "recomputed 2\t150 (shenzhen-park) / 3.89 km² (hetao-zone) = 38.56 ✓" in text
    other = json.loads(invoke("show", "zone-land-area", "--json").stdout)
    assert "recomputed" not in other
