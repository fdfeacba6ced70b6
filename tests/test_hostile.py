"""Hostile text is shown, never obeyed: control and bidi characters in a fact file, a key or
the person's own arguments reach no stream raw. The table, TSV and CSV show each as its escape
(\\x1b, \\u202e); JSON escapes it (\\u001b) and round-trips it; every message on stderr shows
it escaped."""

from __future__ import annotations

import io
import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import asset, clean_env, hetao, raw_controls, shown
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from hetao_cli.cli import app
from hetao_cli.model import Citation, Event, PartialDate
from hetao_cli.output import Format, render
from hetao_cli.views import timeline_view

# Clear the screen, write the clipboard (OSC 52, ended by BEL), ring the bell, a C1 CSI that
# turns text red, a right-to-left override, and a NUL.
HOSTILE = "\x1b[2J\x1b]52;c;aGV0YW8=\x07\x07\x9b31m\u202e\x00"
SHOWN = shown(HOSTILE)  # \x1b[2J\x1b]52;c;aGV0YW8=\x07\x07\x9b31m\u202e\x00, as text
# What each format may carry raw: its own line and field separators.
ALLOWED = {
    "table": "\n",
    "tsv": "\t\n",
    "csv": "\t\n",
    "excel": "\t\n",
    "json": "\n",
    "jsonl": "\n",
}


def as_format(fmt: str) -> list[str]:
    return ["--excel"] if fmt == "excel" else ["--format", fmt]


SGR = re.compile(r"\x1b\[[0-9;]*m")
WIDE: dict[str, str | None] = {"COLUMNS": "1000", "NO_COLOR": None, "FORCE_COLOR": None}


def toml_string(text: str) -> str:
    """A TOML basic string holding text exactly: anything but printable ASCII as \\UXXXXXXXX."""
    return '"' + "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else f"\\U{ord(c):08x}"
        for c in text
    ) + '"'  # fmt: skip


_numbers = itertools.count()


def hostile_facts(folder: Path, text: str = HOSTILE) -> Path:
    """valid.toml with `text` before every name, title, subject, role and quote, as a new file."""
    valid = asset("valid.toml").read_text(encoding="utf-8")
    pattern = re.compile(r'^(name|title|subject|role|quote) = "(.*)"$', re.MULTILINE)
    path = folder / f"hostile-{next(_numbers)}.toml"
    path.write_text(
        pattern.sub(lambda m: f"{m[1]} = {toml_string(text + m[2])}", valid), encoding="utf-8"
    )
    return path


@pytest.fixture(scope="module")
def facts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_facts(tmp_path_factory.mktemp("hostile"))


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env={"HETAO_FACTS": None, **WIDE})


def strings(data: Any) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for v in data.values():
            yield from strings(v)
    elif isinstance(data, list):
        for v in data:
            yield from strings(v)


def table_text(renderable: Any) -> str:
    """What a Rich renderable prints, colour and all."""
    from rich.console import Console

    console = Console(width=200, file=io.StringIO(), force_terminal=True)
    with console.capture() as captured:
        console.print(renderable)
    return captured.get()


def parsed(fmt: str, out: str) -> list[Any]:
    if fmt == "json":
        data = json.loads(out)
        return data if isinstance(data, list) else [data]
    return [json.loads(line) for line in out.split("\n")[:-1]]  # U+2028 does not end a line


# ---------------------------------------------------------------------------------------------
# Every listing command, every format

COMMANDS = [
    ("timeline",),
    ("figures",),
    ("stats",),
    ("stats", "--area"),
    ("sources",),
    ("search", "示範"),
    ("show", "demo-institute-founded"),
    ("org", "list"),
    ("org", "search", "示範"),
    ("org", "show", "demo-institute"),
    ("person", "list"),
    ("person", "search", "張三"),
    ("person", "show", "zhang-san"),
]


def shows_text(command: tuple[str, ...], fmt: str) -> bool:
    """stats counts kinds, years and fields of work: no curated text; stats --area shows an
    area's name as a table's heading, and in JSON."""
    if command == ("stats",):
        return False
    return command != ("stats", "--area") or fmt in ("table", "json", "jsonl")


@pytest.mark.parametrize("fmt", list(ALLOWED))
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_no_control_character_reaches_the_output_raw(
    facts: Path, command: tuple[str, ...], fmt: str
) -> None:
    result = run(*command, "--facts", facts, *as_format(fmt))
    assert result.exit_code == 0, result.stderr
    assert not raw_controls(result.stdout, ALLOWED[fmt])
    assert result.stderr == ""
    if not shows_text(command, fmt):
        return
    if fmt in ("json", "jsonl"):
        assert "\\u001b[2J" in result.stdout
        assert "\\u202e" in result.stdout
        # JSON carries the text exactly as the fact file holds it.
        assert any(t.startswith(HOSTILE) for t in strings(parsed(fmt, result.stdout)))
    elif fmt == "table":  # which may fold a narrow column, a group's heading
        assert r"\x1b[2J\x1b]52;c;" in result.stdout
    else:
        assert SHOWN in result.stdout


@pytest.mark.parametrize("fmt", ["table", "tsv", "csv", "excel"])
def test_the_escapes_are_the_text_as_shown(facts: Path, fmt: str) -> None:
    out = run("timeline", "--facts", facts, *as_format(fmt), "--fields", "id,title").stdout
    assert f"{SHOWN}示範研究院成立" in out
    assert SHOWN == r"\x1b[2J\x1b]52;c;aGV0YW8=\x07\x07\x9b31m\u202e\x00"


def test_json_escapes_them_and_round_trips(facts: Path) -> None:
    out = run("timeline", "--facts", facts, "--json").stdout
    assert r'"title": "\u001b[2J\u001b]52;c;aGV0YW8=\u0007\u0007\u009b31m\u202e\u0000示範' in out
    [event] = json.loads(out)
    assert event["title"] == HOSTILE + "示範研究院成立"
    assert event["quote"] == HOSTILE + "2021年9月,示範研究院在示範合作區成立"


def test_tsv_makes_tabs_and_newlines_spaces_and_shows_the_rest(tmp_path: Path) -> None:
    facts = hostile_facts(tmp_path, "a\tb\nc\rd\x1be")
    out = run("timeline", "--facts", facts, "--format", "tsv", "--fields", "title").stdout
    assert out.splitlines() == ["title", r"a b c d\x1be示範研究院成立"]


def test_csv_keeps_tabs_and_newlines_quoted_and_shows_the_rest(tmp_path: Path) -> None:
    facts = hostile_facts(tmp_path, "a\tb\nc\rd\x1be")
    out = run("timeline", "--facts", facts, "--format", "csv", "--fields", "title").stdout
    assert out == 'title\n"a\tb\nc\\x0dd\\x1be示範研究院成立"\n'


def test_a_table_in_colour_writes_only_its_own_escapes(facts: Path) -> None:
    """Rich's colours are escapes of its own (SGR, ESC [ ... m); none of the fact file's."""
    out = run("timeline", "--facts", facts, "--format", "table", "--color", "always").stdout
    assert SHOWN in out
    assert set(re.findall(r"\x1b(.)", out)) == {"["}
    assert all(m.endswith("m") for m in re.findall(r"\x1b\[[^a-zA-Z]*[a-zA-Z]", out))
    assert not raw_controls(out.replace("\x1b[", ""), "\n")


# ---------------------------------------------------------------------------------------------
# A real process, in a pipe and with colour forced


@pytest.mark.parametrize(
    "args", [[], ["--format", "table", "--color", "always"], ["--format", "csv"], ["--json"]]
)
def test_a_real_process_writes_no_hostile_bytes(facts: Path, args: list[str]) -> None:
    proc = hetao("timeline", "--facts", facts, *args, env=clean_env(COLUMNS="1000"))
    assert proc.returncode == 0, proc.stderr
    for raw in (b"\x1b[2J", b"\x1b]", b"\x07", "\x9b".encode(), "\u202e".encode(), b"\x00"):
        assert raw not in proc.stdout
    assert proc.stderr == b""
    shown_as = rb"\u001b[2J" if args == ["--json"] else rb"\x1b[2J\x1b]52;c;aGV0YW8=\x07"
    assert shown_as in proc.stdout


# ---------------------------------------------------------------------------------------------
# Messages on stderr


def hostile_keys(folder: Path) -> Path:
    """A fact file whose table name and field name hold escapes."""
    text = asset("valid.toml").read_text(encoding="utf-8")
    text = text.replace('name_en = "Demo Zone"', '"name\\u001b]0;pwned\\u0007" = "Demo Zone"')
    text += '\n[["\\u001b[2J\\u202e"]]\nid = "x"\n'
    path = folder / "keys.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_keys_from_a_fact_file_are_echoed_escaped(tmp_path: Path) -> None:
    path = hostile_keys(tmp_path)
    result = run("timeline", "--facts", path)
    assert result.exit_code == 3
    assert not raw_controls(result.stderr, "\n")
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert r" field 'name\x1b]0;pwned\x07': unknown field; expected one of id," in lines[0]
    assert lines[1].endswith(r": unknown table [[\x1b[2J\u202e]]")


def test_check_shows_the_keys_escaped_on_stdout_and_in_json(tmp_path: Path) -> None:
    path = hostile_keys(tmp_path)
    result = run("check", path)
    assert result.exit_code == 1
    assert not raw_controls(result.stdout, "\n")
    assert r"unknown table [[\x1b[2J\u202e]]" in result.stdout
    assert result.stderr == "hetao: 2 problems found\n"
    out = run("check", path, "--format", "json").stdout
    assert not raw_controls(out, "\n")
    problems = json.loads(out)
    assert problems[0]["field"] == "name\x1b]0;pwned\x07"
    assert problems[1]["message"] == r"unknown table [[\x1b[2J\u202e]]"  # printable as it is


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["show", "\x1b[2J"], 2, r"no entry '\x1b[2J'"),
        (["search", "\x1b]0;x\x07"], 1, r"hetao: nothing matches '\x1b]0;x\x07'"),
        (["timeline", "--since", "20\x1b[2J"], 2, r"'20\x1b[2J' is not YYYY"),
        (["timeline", "--fields", "id,\u202etitle"], 2, r"unknown field '\u202etitle'"),
        (["check", "--sources", "/nowhere\x1b[2J\u202e"], 2, r"/nowhere\x1b[2J\u202e is not a"),
        (["timeline", "--\x1b]0;x\x07"], 2, r"No such option: --\x1b]0;x\x07"),
        (["timeline", "x\u202e\x9b"], 2, r"unexpected extra argument(s) (x\u202e\x9b)"),
        (["time\u202eline"], 2, r"No such command 'time\u202eline'"),
        (["timeline", "--format", "\u202ejson"], 2, r"'\u202ejson' is not one of"),
        (["timeline", "--facts", "/nowhere/\x1b[2J\u202e.toml"], 3,
         r"hetao: /nowhere/\x1b[2J\u202e.toml: no such file or folder"),
    ],
)  # fmt: skip
def test_the_persons_own_text_is_echoed_escaped(args: list[str], code: int, message: str) -> None:
    result = run(*args)
    assert result.exit_code == code
    assert message in result.stderr
    assert not raw_controls(result.stderr, "\n")


# ---------------------------------------------------------------------------------------------
# Any text at all

CONTROLS = [chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]] + list(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
TEXT = st.text(st.sampled_from(CONTROLS) | st.characters(exclude_categories=["Cs"]), max_size=30)


@given(title=TEXT, quote=TEXT)
@example(title=HOSTILE, quote="\t\n\r\x85\u2028")
def test_no_format_renders_a_control_character_raw(title: str, quote: str) -> None:
    event = Event("e", PartialDate(2021), "示範" + title, (Citation("s", quote),))
    view = timeline_view([event])
    for fmt in Format:
        out = render(view, fmt, ["date", "title", "quote", "id"])
        if fmt is Format.TABLE:
            out = SGR.sub("", table_text(out))  # Rich's own colours, and nothing else
        assert isinstance(out, str)
        assert not raw_controls(out, ALLOWED[fmt.value]), fmt
        if fmt is Format.CSV:
            excel = render(view, fmt, ["date", "title", "quote", "id"], excel=True)
            assert not raw_controls(excel, ALLOWED["excel"])
        if fmt in (Format.JSON, Format.JSONL):
            [record] = parsed(fmt.value, out)
            assert (record["title"], record["quote"]) == ("示範" + title, quote)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=TEXT)
def test_no_command_output_holds_a_control_character_raw(tmp_path: Path, title: str) -> None:
    facts = hostile_facts(tmp_path, title)
    for fmt, allowed in ALLOWED.items():
        result = run("timeline", "--facts", facts, *as_format(fmt))
        assert result.exit_code == 0, result.stderr
        assert not raw_controls(result.stdout, allowed), fmt
        assert result.stderr == ""


@pytest.mark.parametrize("fmt", ["text", "markdown", "bibtex", "ris", "csl-json"])
def test_no_control_character_reaches_a_citation_raw(facts: Path, fmt: str) -> None:
    result = run("cite", "demo-institute-founded", "demo-source", "--facts", facts, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert not raw_controls(result.stdout, "\n")
    assert result.stderr == ""


def test_no_control_character_reaches_an_export_raw(facts: Path, tmp_path: Path) -> None:
    for fmt in ("json", "jsonl"):
        result = run("export", "--format", fmt, "--facts", facts)
        assert result.exit_code == 0, result.stderr
        assert not raw_controls(result.stdout, "\n")
        assert "\\u001b[2J" in result.stdout
    assert run("export", "--format", "csv", "-o", tmp_path, "--facts", facts).exit_code == 0
    for path in tmp_path.glob("*.csv"):
        assert not raw_controls(path.read_text(encoding="utf-8"), "\t\n"), path.name
