"""Meta-tests that keep the docs honest: every command has help text and a README example,
every exit code the help lists is in the README, and every example in the help runs."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from hetao_cli.cli import EPILOG, app

README = Path(__file__).resolve().parent.parent / "README.md"
ROOT = typer.main.get_command(app)


def walk(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command and subcommand, with its path of names ("org", "search")."""
    yield path, command
    for name, sub in sorted((getattr(command, "commands", None) or {}).items()):
        yield from walk(sub, (*path, name))


COMMANDS = [(path, cmd) for path, cmd in walk(ROOT) if path]
LEAVES = [(path, cmd) for path, cmd in COMMANDS if not getattr(cmd, "commands", None)]


def name(path: tuple[str, ...]) -> str:
    return " ".join(path)


def readme() -> str:
    return README.read_text(encoding="utf-8")


def test_the_tree_has_every_explorer_command() -> None:
    names = {name(p) for p, _ in LEAVES}
    assert names >= {
        "timeline",
        "figures",
        "stats",
        "sources",
        "search",
        "show",
        "check",
        "org list",
        "org search",
        "org show",
        "person list",
        "person search",
        "person show",
    }


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[name(p) for p, _ in COMMANDS])
def test_every_command_has_help(path: tuple[str, ...], command: Any) -> None:
    assert (command.help or "").strip(), f"hetao {name(path)} has no help text"
    for param in command.params:
        if param.name == "help":
            continue
        assert (getattr(param, "help", None) or "").strip(), (
            f"hetao {name(path)}: {param.name} has no help text"
        )


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[name(p) for p, _ in COMMANDS])
def test_every_command_help_renders(path: tuple[str, ...], command: Any) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0
    assert f"hetao {name(path)}" in result.stdout or name(path) in result.stdout


@pytest.mark.parametrize("path", [p for p, _ in LEAVES], ids=[name(p) for p, _ in LEAVES])
def test_readme_has_an_example_of_every_command(path: tuple[str, ...]) -> None:
    # An example line: one that starts with the command, as typed at a prompt.
    pattern = re.compile(
        rf"^\s*(?:\$\s+)?(?:uv run\s+)?hetao {re.escape(name(path))}(?:\s|$)", re.M
    )
    assert pattern.search(readme()), f"README.md has no example line `hetao {name(path)} …`"


def exit_codes_in(text: str) -> list[str]:
    """The codes an 'Exit codes: 0 success; 1 …; 2 …' sentence lists."""
    listing = text.split("Exit codes:", 1)[1]
    return re.findall(r"(?:^|[:;])\s*(\d+)\s+[a-z]", listing)


def test_epilog_lists_the_exit_codes() -> None:
    assert exit_codes_in(EPILOG) == ["0", "1", "2", "3", "74", "130"]


@pytest.mark.parametrize("code", exit_codes_in(EPILOG))
def test_readme_documents_every_exit_code_in_the_epilog(code: str) -> None:
    match = re.search(r"^#+\s*Exit codes\s*$(.*?)(?=^#+\s|\Z)", readme(), re.M | re.S)
    assert match, "README.md has no Exit codes section"
    assert re.search(rf"(?<![\d.]){code}(?![\d.])", match.group(1)), (
        f"README.md's Exit codes section does not list {code}"
    )


HELP_EXAMPLES = [
    (name(path), line.split("Example:", 1)[1].strip())
    for path, command in LEAVES
    for line in (command.help or "").splitlines()
    if "Example:" in line
]
# check's example names a sources folder outside the checkout; test_check.py runs check.
# export's writes a file where it runs; test_export.py runs it in a folder of its own. open's
# opens a browser; test_curation.py runs `open` on the bundled facts without one.
EXAMPLES = [(n, e) for n, e in HELP_EXAMPLES if n not in ("check", "export", "open")]


def test_every_explorer_command_has_an_example_in_its_help() -> None:
    assert {n for n, _ in HELP_EXAMPLES} >= {name(p) for p, _ in LEAVES}


@pytest.mark.parametrize(("command", "example"), EXAMPLES, ids=[n for n, _ in EXAMPLES])
def test_every_example_in_the_help_runs(command: str, example: str) -> None:
    argv = shlex.split(example.split("|", 1)[0])
    assert argv[0] == "hetao"
    assert " ".join(argv[1:]).startswith(command)
    result = CliRunner().invoke(app, argv[1:], env={"HETAO_FACTS": None, "HETAO_LANG": None})
    assert result.exit_code == 0, (example, result.stderr)
    assert result.stdout.strip(), f"{example} prints nothing"
    if "list" in argv or "--json" in argv:
        assert len(result.stdout.strip().splitlines()) > 1, f"{example} lists nothing"
