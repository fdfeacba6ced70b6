"""Shell completion through its protocol, as bash and zsh call it: commands, options, enum
values, and the ids of the loaded facts after show, --org, --person, --scope and --area."""

from __future__ import annotations

import os
import subprocess

import pytest
from conftest import HETAO, clean_env

from hetao_cli.load import load

BOOK = load()


def complete_bash(words: str) -> list[str]:
    """What bash completes for the last of `words`, by hetao's own completion protocol."""
    parts = words.split(" ")
    env = clean_env(
        _HETAO_COMPLETE="complete_bash", COMP_WORDS=words, COMP_CWORD=str(len(parts) - 1)
    )
    proc = subprocess.run([*HETAO], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return [line for line in proc.stdout.splitlines() if line]


def test_commands_and_options() -> None:
    assert complete_bash("hetao tim") == ["timeline"]
    assert set(complete_bash("hetao ")) >= {"timeline", "figures", "show", "org", "person"}
    assert "--format" in complete_bash("hetao timeline --for")
    assert complete_bash("hetao org l") == ["list"]


def test_enum_values() -> None:
    assert complete_bash("hetao figures --unit k") == ["km2"]
    assert complete_bash("hetao timeline --format js") == ["json", "jsonl"]
    assert complete_bash("hetao org list --kind univ") == ["university", "university-unit"]


@pytest.mark.parametrize(
    ("words", "kind"),
    [
        ("hetao show s", None),
        ("hetao org show s", "org"),
        ("hetao person show y", "person"),
        ("hetao area show h", "area"),
        ("hetao timeline --org s", "org"),
        ("hetao timeline --person h", "person"),
        ("hetao figures --scope s", None),
        ("hetao org list --area s", "area"),
        ("hetao person list --org c", "org"),
    ],
)
def test_ids_of_the_loaded_facts(words: str, kind: str | None) -> None:
    typed = words.rsplit(" ", 1)[1]
    expected = sorted(e.id for e in BOOK.entries()
                      if e.id.startswith(typed) and (kind is None or type(e).__name__.lower()
                      .startswith(kind[:3])))  # fmt: skip
    assert expected, "the bundled facts have such ids"
    assert sorted(complete_bash(words)) == expected


def test_fields_of_work_and_other_facts() -> None:
    assert complete_bash("hetao org list --field quan") == ["quantum"]
    facts = os.path.join(os.path.dirname(__file__), "assets", "valid.toml")
    ids = complete_bash(f"hetao show --facts {facts} demo")
    assert ids and all(i.startswith("demo") for i in ids)


def test_install_and_show_completion_exist() -> None:
    """The options are offered; the script they install is hetao's own. (--show-completion
    finds the shell from the processes above it, which a test does not control: the script
    is asked for by the protocol instead.)"""
    helped = subprocess.run([*HETAO, "--help"], capture_output=True, text=True, env=clean_env(),
                            timeout=60)  # fmt: skip
    assert "--install-completion" in helped.stdout and "--show-completion" in helped.stdout
    for shell in ("bash", "zsh", "fish"):
        script = subprocess.run([*HETAO], capture_output=True, text=True, timeout=60,
                                env=clean_env(_HETAO_COMPLETE=f"source_{shell}"))  # fmt: skip
        assert script.returncode == 0, script.stderr
        assert "_HETAO_COMPLETE" in script.stdout, shell
