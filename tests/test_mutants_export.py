"""Export, where a mutation run of export.py found that no test said it (bench/mutate.py, a
sample of 20, seed 12): an absent value in CSV, and a fact file whose path cannot be resolved."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import asset, invoke


def test_csv_leaves_an_absent_value_empty(tmp_path: Path) -> None:
    """zone-land-area in facts.toml has no value_max, item, date or derived: each is an empty
    cell, a yes/no column (date_approximate) too, not "None" or "false"; located is false."""
    out = tmp_path / "csv"
    result = invoke("export", "--format", "csv", "--output", out)
    assert result.exit_code == 0, result.output
    with (out / "figure.csv").open(encoding="utf-8", newline="") as f:
        row = next(r for r in csv.DictReader(f) if r["id"] == "zone-land-area")
    assert row["value"] == "3.89" and row["unit"] == "km2"
    empty = ("value_max", "item", "date", "date_precision", "date_approximate", "derived")
    assert {k: row[k] for k in empty} == dict.fromkeys(empty, "")
    assert row["located"] == "false"


def test_a_fact_file_is_never_a_target_even_when_paths_cannot_be_resolved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where resolving a path fails with an OSError (as Windows' can), the paths are compared
    as absolute: exporting onto the fact file is still refused, not a traceback."""
    facts = tmp_path / "facts.toml"
    facts.write_bytes(asset("valid.toml").read_bytes())

    def unresolvable(self: Path, strict: bool = False) -> Path:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "resolve", unresolvable)
    result = invoke("export", "--format", "json", "--output", facts, "--facts", facts, "--force")
    assert result.exit_code == 2, result.output
    assert f"{facts} is a fact file; hetao never writes to one" in " ".join(result.stderr.split())
