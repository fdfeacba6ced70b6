"""Tests that kill the survivors of a third sample (seed 13, 20 a module) of cli and load."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import invoke

from hetao_cli.load import load


def test_an_unknown_scope_names_the_option() -> None:
    result = invoke("figures", "--scope", "zzz")
    assert result.exit_code == 2
    assert "Invalid value for --scope: no entry 'zzz'" in result.stderr


def test_an_ndjson_name_exports_a_record_a_line(tmp_path: Path) -> None:
    out = tmp_path / "facts.ndjson"
    result = invoke("export", "-o", out)
    assert result.exit_code == 0, result.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(load())
    assert all(isinstance(json.loads(line), dict) for line in lines)


def test_csv_into_a_file_is_a_usage_error_about_o(tmp_path: Path) -> None:
    target = tmp_path / "not-a-folder.csv"
    target.write_text("mine", encoding="utf-8")
    result = invoke("export", "--format", "csv", "-o", target)
    assert result.exit_code == 2
    assert "Invalid value for -o:" in result.stderr
    assert "is not a folder; --format csv writes a file a kind into one" in result.stderr
    assert target.read_text(encoding="utf-8") == "mine"
