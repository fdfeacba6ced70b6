"""Views, where a mutation run of views.py found that no test said it (bench/mutate.py, a
sample of 20, seed 12): the person list's orgs giving way, --fields other_quote on no
conflicts, a statement's as-of date in `show`, and the command that shows a document."""

from __future__ import annotations

from pathlib import Path

from conftest import asset, invoke
from test_conflicts import FACTS


def test_a_narrow_person_list_leaves_out_orgs_first() -> None:
    """At 60 columns the people's id, name and role fit, and orgs gives way (people_view's
    give_way), named in the caption, rather than the list turning into blocks."""
    result = invoke("person", "list", "--format", "table", env={"COLUMNS": "60"})
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1].split() == ["id", "name", "role"]
    assert "─" in lines[2]
    assert lines[-1].strip() == "(orgs: left out to fit; --fields shows them)"


def test_conflicts_knows_other_quote_when_there_are_none() -> None:
    """With no conflicts there are no records to read fields from; other_quote is still a
    field (`hetao conflicts --json` gives it), so this is "nothing found" (1), not usage (2)."""
    result = invoke("conflicts", "--facts", asset("valid.toml"), "--fields", "entry,other_quote")
    assert result.exit_code == 1, result.output
    assert result.stdout == "entry\tother_quote\n"


def test_show_gives_a_statement_s_as_of_date(tmp_path: Path) -> None:
    """test_conflicts.FACTS: the figure `firms` is 150多家 (a), and 50 as of 2020-11 (b)."""
    facts = tmp_path / "facts.toml"
    facts.write_text(FACTS, encoding="utf-8")
    result = invoke("show", "firms", "--facts", facts)
    assert result.exit_code == 0, result.output
    assert "statement 2\tvalue = 50 (50) as of 2020-11; normal; b: 50 companies" in result.stdout


def test_a_document_asked_for_as_an_org_names_the_command_that_shows_it() -> None:
    """hetao-memorandum is a [[document]] of facts.toml."""
    result = invoke("org", "show", "hetao-memorandum")
    assert result.exit_code == 2
    assert (
        "hetao-memorandum is a document, not an org: hetao document show hetao-memorandum"
        in " ".join(result.stderr.split())
    )
