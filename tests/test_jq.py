"""--jq on every command that prints JSON: the JSON output filtered through a jq expression
with the jq binding, as gh's --jq; an invalid expression is a usage error (2) with jq's
message. And the CSV/TSV cells a script parses: citations as JSON text, booleans as JSON's."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import jq
import pytest
from conftest import hetao, invoke

from hetao_cli.load import load

# Every command that prints JSON through the shared listing options.
JSON_COMMANDS = [
    ["timeline"],
    ["figures"],
    ["stats"],
    ["stats", "--area"],
    ["sources"],
    ["search", "量子"],
    ["show", "siqa"],
    ["org", "list"],
    ["org", "search", "量子"],
    ["org", "show", "siqa"],
    ["person", "list"],
    ["person", "search", "院士"],
    ["person", "show", "yu-dapeng"],
    ["area", "list"],
    ["area", "show", "hetao-zone"],
    ["document", "list"],
    ["document", "show", "gba-outline-plan"],
]


@pytest.mark.parametrize("command", JSON_COMMANDS, ids=" ".join)
def test_every_json_command_takes_jq(command: list[str]) -> None:
    whole = json.loads(invoke(*command, "--json").stdout)
    result = invoke(*command, "--jq", "length")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{len(whole)}\n"


def test_jq_equals_the_json_through_the_binding() -> None:
    shown = invoke("timeline", "--json").stdout
    expected = jq.compile(".[0].id").input_text(shown).first()
    assert invoke("timeline", "--jq", ".[0].id").stdout == json.dumps(expected) + "\n"
    assert expected in {e.id for e in load().events}


@pytest.mark.skipif(shutil.which("jq") is None, reason="no jq program on PATH to compare with")
@pytest.mark.parametrize(
    "expression", [".[0].id", ".[] | .date", ".[0]", "map(.orgs) | add | unique", "[.[].id]"]
)
def test_jq_prints_what_jq_prints(expression: str) -> None:
    shown = hetao("timeline", "--json")
    real = subprocess.run(["jq", expression], input=shown.stdout, capture_output=True, check=True)
    ours = hetao("timeline", "--jq", expression)
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout.decode() == real.stdout.decode()


def test_strings_are_json_strings_and_objects_are_indented() -> None:
    assert invoke("show", "siqa", "--jq", ".name").stdout == '"深圳國際量子研究院"\n'
    assert invoke("show", "siqa", "--jq", ".aliases").stdout == '[\n  "SIQA"\n]\n'
    assert invoke("show", "siqa", "--jq", "empty").stdout == ""
    assert invoke("show", "siqa", "--jq", ".fields[], .area").stdout == (
        '"quantum"\n"shenzhen-park"\n'
    )


def test_jq_comes_after_fields() -> None:
    result = invoke("org", "list", "--fields", "id,name", "--jq", ".[0] | keys")
    assert result.stdout == '[\n  "id",\n  "name"\n]\n'


def test_an_invalid_expression_is_a_usage_error_before_the_facts_are_read() -> None:
    result = invoke("timeline", "--jq", ".[0", "--facts", "/nowhere/facts.toml")
    assert result.exit_code == 2  # not 3: the facts were never read
    assert "Invalid value for '--jq': jq: error: syntax error" in result.stderr
    assert "Traceback" not in result.output


def test_a_failing_expression_is_a_usage_error_with_jq_s_message() -> None:
    result = invoke("show", "siqa", "--jq", ".[0]")
    assert result.exit_code == 2
    assert "Cannot index object with number" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--format", "tsv"], "--jq filters JSON; it conflicts with --format tsv"),
        (["--format", "table"], "--jq filters JSON; it conflicts with --format table"),
        (["--excel"], "--jq filters JSON; it conflicts with --excel"),
    ],
)
def test_jq_conflicts_with_other_formats(extra: list[str], message: str) -> None:
    result = invoke("timeline", "--jq", ".", *extra)
    assert result.exit_code == 2
    assert message in result.stderr


def test_jq_with_json_or_format_json_is_fine() -> None:
    for extra in (["--json"], ["--format", "json"]):
        assert invoke("timeline", "--jq", "length", *extra).stdout == f"{len(load().events)}\n"


def test_an_empty_listing_still_filters_and_exits_1() -> None:
    result = invoke("timeline", "--since", "2099", "--jq", "length")
    assert result.exit_code == 1
    assert result.stdout == "0\n"


def test_check_takes_jq() -> None:
    assert invoke("check", "--jq", "length").stdout == "0\n"
    bad = invoke("check", "--format", "table", "--jq", "length")
    assert bad.exit_code == 2


def test_check_jq_filters_the_problems(tmp_path: Path) -> None:
    facts = tmp_path / "bad.toml"
    facts.write_text('[[source]]\nid = "s"\ntitle = "t"\npublished = "2023"\n', encoding="utf-8")
    result = invoke("check", str(facts), "--jq", ".[].field")
    assert result.exit_code == 1
    assert result.stdout == '"publisher"\n'


def test_jq_for_real_in_a_process() -> None:
    proc = hetao("org", "list", "--field", "quantum", "--jq", "map(.id) | sort | .[0]")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode() == '"quantum-joint-lab"\n'
    bad = hetao("timeline", "--jq", "{")
    assert bad.returncode == 2
    assert b"jq: error" in bad.stderr and b"Traceback" not in bad.stderr


def test_jq_is_imported_only_with_the_option(tmp_path: Path) -> None:
    from test_startup import run_hetao

    proc, modules = run_hetao(tmp_path, "timeline", "--jq", ".[0].id")
    assert proc.returncode == 0, proc.stderr
    assert "jq" in modules and "hetao_cli.jqfilter" in modules


# ---------------------------------------------------------------------------------------------
# Cells a script parses


def _rows(text: str, fmt: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text), delimiter="\t" if fmt == "tsv" else ","))


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_the_citations_cell_is_json_text(fmt: str) -> None:
    shown = invoke("org", "list", "--format", fmt, "--fields", "id,citations").stdout
    rows = {r["id"]: r["citations"] for r in _rows(shown, fmt)}
    # As facts.toml has them: cpc-central's quote and its more_citations for aliases.
    assert json.loads(rows["cpc-central"]) == [
        {
            "source": "nanfang-2023-12-18",
            "quote": "2018年7月,中共中央、國務院印發《粵港澳大灣區發展規劃綱要》",
        },
        {
            "source": "nanfang-2023-12-18",
            "quote": "以習近平同志為核心的黨中央高度重視河套合作區建設。",
            "field": "aliases",
        },
    ]


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_booleans_are_true_and_false(fmt: str) -> None:
    shown = invoke("org", "list", "--format", fmt, "--fields", "id,name_en_official").stdout
    rows = {r["id"]: r["name_en_official"] for r in _rows(shown, fmt)}
    assert rows["cpc-central"] == "true"  # name_en_official = true in facts.toml
    assert rows["shutang"] == "false"  # not set
    assert set(rows.values()) == {"true", "false"}


def test_the_table_still_says_yes_and_no() -> None:
    shown = invoke("org", "list", "--format", "table", "--fields", "id,name_en_official",
                   env={"COLUMNS": "100"}).stdout  # fmt: skip
    assert "yes" in shown and "no" in shown and "true" not in shown
