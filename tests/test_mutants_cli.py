"""What a person meets at the command line, written down where a mutation run of cli.py found
that no test said it (bench/mutate.py, a sample of 30, seed 11): the placeholders in help,
completion of --field from other facts, check's JSON on an ASCII stdout, and an option after a
bare --fields."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import HETAO, asset, clean_env, hetao, invoke


def test_help_names_the_limit_as_a_placeholder() -> None:
    listing = invoke("timeline", "--help")
    assert listing.exit_code == 0
    assert "--limit N " in listing.stdout


@pytest.mark.parametrize(
    "command",
    [["show"], ["org", "show"], ["person", "show"], ["area", "show"], ["document", "show"]],
)
def test_help_of_each_show_names_its_argument_id(command: list[str]) -> None:
    shown = invoke(*command, "--help")
    assert shown.exit_code == 0
    argument = shown.stdout.split("Arguments:")[1].splitlines()[1]
    assert argument.split()[:3] == ["ID", "The", "entry's"]
    assert "ENTRY_ID" not in shown.stdout


def test_field_completion_offers_the_fields_of_the_facts_named(tmp_path: Path) -> None:
    facts = tmp_path / "ocean.toml"
    facts.write_text(
        asset("valid.toml").read_text(encoding="utf-8").replace('["quantum"]', '["oceanography"]'),
        encoding="utf-8",
    )
    words = f"hetao org list --facts {facts} --field ocea"
    env = clean_env(_HETAO_COMPLETE="complete_bash", COMP_WORDS=words, COMP_CWORD="6")
    proc = subprocess.run(HETAO, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["oceanography"]


def test_check_json_on_an_ascii_stdout_parses_and_keeps_an_accent(tmp_path: Path) -> None:
    facts = tmp_path / "accent.toml"
    facts.write_text(
        asset("valid.toml").read_text(encoding="utf-8") + '"café" = 1\n', encoding="utf-8"
    )
    proc = hetao("check", facts, "--format", "json", env=clean_env(PYTHONIOENCODING="ascii"))
    assert proc.returncode == 1
    problems = json.loads(proc.stdout.decode("ascii"))
    assert [(p["id"], p["field"]) for p in problems] == [("demo-zone-theme", "café")]


def test_an_option_after_a_bare_fields_still_applies() -> None:
    """`--fields` with no value lists the fields; the option after it is still read: a
    --lang that was lost would leave its value as a stray argument (a usage error)."""
    proc = hetao("timeline", "--fields", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().split() == invoke("timeline", "--fields", "help").stdout.split()
    bad = hetao("timeline", "--fields", "--lang", "klingon")
    assert bad.returncode == 2
    assert b"'klingon' is not a language" in bad.stderr
