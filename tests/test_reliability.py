"""No input can break hetao.

Fuzzed queries, ids, dates and option values; fuzzed fact files; a hostile environment (a
missing, empty or binary fact file, ASCII and C locales, non-UTF-8 argv, read-only files, a
20-column terminal, Ctrl-C, a closed or full stdout); and a check that no command ever writes
to a fact file or next to one. Each outcome is an exit code and a message, never a traceback.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from conftest import HETAO, TIMEOUT, clean_env, hetao, raw_controls
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from hetao_cli.cli import app
from hetao_cli.model import SCHEMAS, Kind

REPO = Path(__file__).resolve().parent.parent
FACTS = REPO / "facts.toml"
PY = " ".join(shlex.quote(a) for a in HETAO)
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# ---------------------------------------------------------------------------------------------
# Helpers


def cli(*args: str | Path, env: Mapping[str, str | None] | None = None) -> Result:
    """Run hetao in-process, with the bundled facts unless env says otherwise."""
    base: dict[str, str | None] = {"HETAO_FACTS": None, "HETAO_LANG": None}
    return CliRunner().invoke(app, [str(a) for a in args], env={**base, **(env or {})})


def assert_clean(result: Result, codes: Sequence[int]) -> None:
    """An exit code hetao documents, no exception escaped (SystemExit is how Typer exits), and
    no control character of the arguments echoed raw on stderr."""
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), (
        f"{type(exc).__name__}: {exc}\n{result.stderr}"
    )
    assert result.exit_code in codes, (result.exit_code, result.stderr[-2000:])
    assert not raw_controls(result.stderr, "\n"), result.stderr[-2000:]


def shell(script: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    if shutil.which("bash") is None or shutil.which("head") is None:
        pytest.skip("needs bash and head")
    return subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        env=env if env is not None else clean_env(),
        timeout=TIMEOUT,
        check=False,
    )


def no_traceback(proc: subprocess.CompletedProcess[bytes]) -> str:
    """stderr as text, after checking it shows no traceback."""
    err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err
    assert "Exception ignored" not in err, err
    return err


def snapshot(*folders: Path) -> dict[str, tuple[bytes, int]]:
    """Every file in the folders (recursively): its bytes and mtime_ns, by path."""
    found: dict[str, tuple[bytes, int]] = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                found[str(path)] = (path.read_bytes(), path.stat().st_mtime_ns)
    return found


def split_facts(folder: Path) -> Path:
    """facts.toml as a folder of one file per kind (the preamble in the first)."""
    text = FACTS.read_text(encoding="utf-8")
    starts = [m.start() for m in re.finditer(r"(?m)^\[\[(\w+)\]\]", text)]
    preamble, blocks = (
        text[: starts[0]],
        [text[a:b] for a, b in itertools.pairwise([*starts, len(text)])],
    )
    by_kind: dict[str, list[str]] = {}
    for block in blocks:
        kind = block[2 : block.index("]]")]
        by_kind.setdefault(kind, []).append(block)
    folder.mkdir()
    for n, (kind, parts) in enumerate(by_kind.items()):
        head = preamble if n == 0 else ""
        (folder / f"{n:02d}-{kind}.toml").write_text(head + "".join(parts), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for fuzzed fact files; each example gets a new file name (see `fresh`)."""
    return tmp_path_factory.mktemp("fuzz")


_numbers = itertools.count()


def fresh(folder: Path, suffix: str = ".toml") -> Path:
    return folder / f"doc-{next(_numbers)}{suffix}"


# ---------------------------------------------------------------------------------------------
# Fuzzing the arguments: any text gives an exit code, never a traceback

# Lone surrogates U+DC80..U+DCFF are how Python hands over argv bytes the locale cannot decode.
_escaped_bytes = st.sampled_from([chr(c) for c in range(0xDC80, 0xDD00)])
CHARS = st.characters(exclude_categories=["Cs"], exclude_characters="\x00") | _escaped_bytes
NASTY = [
    "[bold]",
    "[/]",
    "[/bold]",
    "[red]河套[/red]",
    "[link=file:///etc/passwd]x[/link]",
    ":smile:",
    "\u200f",  # right-to-left mark
    "\u202e2020",  # right-to-left override
    "\u0301",  # a lone combining mark
    "\u0301\u0301\u20dd",
    "\ufeff",
    "\x1b[31m",
    "\r\n",
    "\t",
    "\x7f",
    "\udcff",
    "%s%n",
    "{0}",
    "\\",
    "'\"",
    "*",
    ".*",
    "(",
    "../../etc/passwd",
    "-",
    "--",
    " ",
    "量子" * 5000,
    "a" * 10_000,
    "\u0301" * 10_000,
    "[/]" * 3_000,
]
TEXT = st.one_of(
    st.text(CHARS, max_size=40),
    st.sampled_from(NASTY),
    st.builds(lambda a, b: a + b, st.sampled_from(NASTY), st.text(CHARS, max_size=10)),
)
FORMAT = st.sampled_from(
    [[], ["--json"], ["--format", "table"], ["--format", "csv"], ["--format", "jsonl"]]
)
QUERY_COMMANDS = [
    ["search"],
    ["org", "search"],
    ["person", "search"],
    ["figures"],
]
ID_COMMANDS = [["show"], ["org", "show"], ["person", "show"]]


@FUZZ
@given(
    command=st.sampled_from(QUERY_COMMANDS + ID_COMMANDS),
    words=st.lists(TEXT, min_size=1, max_size=3),
    fmt=FORMAT,
)
@example(command=["search"], words=["a" * 10_000], fmt=["--json"])
@example(command=["show"], words=["[/]" * 3_000], fmt=[])
@example(command=["org", "search"], words=["\u200f", "\u0301"], fmt=["--format", "table"])
@example(command=["figures"], words=["\udcff"], fmt=[])
def test_any_query_or_id_gives_an_exit_code(
    command: list[str], words: list[str], fmt: list[str]
) -> None:
    # The format goes first: after a "--" among the words, it would be one more word.
    result = cli(*command, *fmt, *(words[:1] if command in ID_COMMANDS else words))
    assert_clean(result, (0, 1, 2))
    if result.exit_code == 0 and fmt == ["--json"]:
        json.loads(result.stdout)


@pytest.mark.parametrize("command", [*QUERY_COMMANDS, *ID_COMMANDS], ids=lambda c: " ".join(c))
@pytest.mark.parametrize(
    "word", ["河" * 10_000, "[bold]" * 2_000 + "[/]", "\u202e\u0301" * 5_000], ids=len
)
def test_ten_thousand_characters(command: list[str], word: str) -> None:
    result = cli(*command, word, "--format", "table")
    assert_clean(result, (0, 1, 2))
    if result.exit_code == 1:  # "nothing matches '…'": the query is echoed, cut short
        assert result.stderr.startswith("hetao: ")
        assert len(result.stderr) < 200


DATES = st.one_of(
    TEXT,
    st.from_regex(r"\A[-+ ]?\d{0,6}(-\d{0,3}(-\d{0,3})?)?\s?\Z"),
    st.sampled_from(["0000", "0001-01-01", "9999-12-31", "2020-02-30", "2023-13", "2024-02-29"]),
)


@FUZZ
@given(since=st.none() | DATES, until=st.none() | DATES, fmt=FORMAT)
@example(since="9999-12-31", until="0001-01-01", fmt=[])
@example(since="\u202e2020", until="[/]", fmt=["--format", "table"])
def test_timeline_bounds_give_an_exit_code(
    since: str | None, until: str | None, fmt: list[str]
) -> None:
    args = ["timeline", *fmt]
    args += ["--since", since] if since is not None else []
    args += ["--until", until] if until is not None else []
    result = cli(*args)
    assert_clean(result, (0, 1, 2))
    if result.exit_code == 2:
        assert "--since" in result.stderr or "--until" in result.stderr or "Usage" in result.stderr


LIST_OPTIONS = [
    ["timeline", "--org"],
    ["timeline", "--person"],
    ["figures", "--scope"],
    ["figures", "--unit"],
    ["org", "list", "--kind"],
    ["org", "list", "--field"],
    ["org", "list", "--area"],
    ["person", "list", "--org"],
    ["stats", "--fields"],
    ["sources", "--fields"],
    ["timeline", "--lang"],
    ["search", "河套", "--fields"],
    ["show", "siqa", "--fields"],
]


@FUZZ
@given(option=st.sampled_from(LIST_OPTIONS), value=TEXT, fmt=FORMAT)
def test_any_option_value_gives_an_exit_code(option: list[str], value: str, fmt: list[str]) -> None:
    assert_clean(cli(*option[:-1], *fmt, option[-1], value), (0, 1, 2))


# ---------------------------------------------------------------------------------------------
# Fuzzing the fact file: any document is read, or refused with a message naming the file

_FIELD_NAMES = sorted({f for schema in SCHEMAS.values() for f in schema.toml})
KEYS = st.sampled_from(_FIELD_NAMES) | st.text(CHARS, min_size=1, max_size=8)
SCALARS = st.one_of(
    st.text(CHARS, max_size=20),
    st.sampled_from(["nanfang-2023-12-18", "hetao-zone", "siqa", "2017", "2017-02-30", "0000"]),
    st.sampled_from(["count", "km2", "exact", "range", "institute", "law", ""]),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.dates(),
    st.datetimes(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=12,
)
ENTRIES = st.dictionaries(KEYS, VALUES, max_size=8)
DOCUMENTS = st.dictionaries(
    st.sampled_from([k.value for k in Kind]) | st.text(CHARS, min_size=1, max_size=8),
    st.lists(ENTRIES, max_size=3) | VALUES,
    max_size=5,
)


def toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_string(key)


def toml_string(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch < " " or ch == "\x7f":
            out.append(f"\\u{ord(ch):04x}")
        elif "\ud800" <= ch <= "\udfff":
            out.append("\ufffd")  # TOML cannot hold a lone surrogate
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return repr(value) if math.isfinite(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    iso: str = value.isoformat()  # a date or a datetime, as TOML writes them
    return iso


def toml_document(doc: dict[str, Any]) -> str:
    """The document as TOML: plain keys first, then arrays of tables as [[key]] sections."""
    lines = [f"{toml_key(k)} = {toml_value(v)}" for k, v in doc.items() if not _tables(v)]
    for key, items in doc.items():
        if _tables(items):
            for item in items:
                lines.append(f"\n[[{toml_key(key)}]]")
                lines += [f"{toml_key(k)} = {toml_value(v)}" for k, v in item.items()]
    return "\n".join(lines) + "\n"


def _tables(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


@st.composite
def mutated_facts(draw: st.DrawFn) -> str:
    """facts.toml with a few slices cut, doubled, or overwritten with random text."""
    text = FACTS.read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 3))):
        a = draw(st.integers(0, len(text)))
        b = draw(st.integers(a, min(len(text), a + 400)))
        how = draw(st.sampled_from(["cut", "double", "replace"]))
        middle = {"cut": "", "double": text[a:b] * 2, "replace": draw(st.text(CHARS, max_size=20))}
        text = text[:a] + middle[how] + text[b:]
    return text


# Values a hostile or careless file may hold: huge and tiny numbers, deep nesting, odd Unicode
# (controls, bidi overrides, combining marks, non-characters, escapes of lone surrogates).
ODD_VALUES = st.sampled_from([
    "1" + "0" * 400, "-1" + "0" * 400, "1e-320", "1e308", "inf", "nan", "0", "-0.0", "true",
    "[" * 300 + "]" * 300, "{a = " * 200 + "1" + "}" * 200, r'"\u202e\u0000\u001b[2J"',
    r'"\ud800"', r'"a\u0301\u0301\u0301"', r'"\uffff\ufffe"', '"' + "字" * 5000 + '"',
    '"""\n[[event]]\n"""', "'''\n[[org]]\n'''", '"2017-02-30"', '"0000"', '"2017-1"',
])  # fmt: skip


@st.composite
def mutated_lines(draw: st.DrawFn) -> str:
    """facts.toml with whole lines dropped, doubled, swapped, given an odd value or a key of
    many dotted parts."""
    lines = FACTS.read_text(encoding="utf-8").splitlines()
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["drop", "double", "swap", "value", "dotted"]))
        if how == "drop":
            del lines[i]
        elif how == "double":
            lines.insert(i, lines[i])
        elif how == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif how == "value" and " = " in lines[i]:
            lines[i] = lines[i].split(" = ", 1)[0] + " = " + draw(ODD_VALUES)
        elif how == "dotted" and " = " in lines[i]:
            key, value = lines[i].split(" = ", 1)
            lines[i] = key + "." + ".".join(["a"] * draw(st.integers(1, 990))) + " = " + value
    return "\n".join(lines) + "\n"


FACT_FILES = st.one_of(
    DOCUMENTS.map(toml_document),
    mutated_facts(),
    mutated_lines(),
    st.text(CHARS, max_size=200),
    st.binary(max_size=200),
)


@FUZZ
@given(content=FACT_FILES, json_out=st.booleans())
@example(content="", json_out=False)
@example(content=b"\xef\xbb\xbf[[source]]\n", json_out=False)
@example(content="x = " + "[" * 5000 + "]" * 5000, json_out=True)
@example(content="x = 1" + "0" * 5000, json_out=True)
@example(content='[[event]]\ndate = 2020-01-01\nid = "x"', json_out=True)
@example(content="[[figure]]\nunit." + ".".join(["a"] * 990) + " = 1\n", json_out=True)
def test_any_fact_file_is_checked_or_refused(
    scratch: Path, content: str | bytes, json_out: bool
) -> None:
    path = fresh(scratch)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", errors="replace")

    checked = cli("check", path, *(["--format", "json"] if json_out else []))
    assert_clean(checked, (0, 1, 3))
    if json_out and checked.exit_code in (0, 1):
        assert isinstance(json.loads(checked.stdout), list)

    shown = cli("timeline", "--facts", path, "--format", "table")
    assert_clean(shown, (0, 1, 3))
    if shown.exit_code == 3:
        assert str(path) in shown.stderr
    for args in (["stats", "--area", "--json"], ["search", "量子", "--json"], ["org", "list"]):
        other = cli(*args, "--facts", path)
        assert_clean(other, (0, 1, 3))
        assert (other.exit_code == 3) == (shown.exit_code == 3), args
        if other.exit_code == 0 and "--json" in args:
            json.loads(other.stdout, parse_constant=_no_constant)
    # The two agree: a file that loads is one check passes or only finds curator's problems.
    if checked.exit_code == 3:
        assert shown.exit_code == 3


def _no_constant(name: str) -> None:
    raise AssertionError(f"JSON holds {name}")


NAMES = TEXT.filter(lambda s: s.strip() != "")


@st.composite
def valid_fact_files(draw: st.DrawFn) -> tuple[str, str]:
    """A fact file that loads, its text fields any text; and the organisation's name."""
    org_name = draw(NAMES)
    cite = {"source": "s", "quote": draw(NAMES)}
    dates = st.sampled_from(["2017", "2017-07", "2020-02-29", "1999-12-31"])
    doc: dict[str, Any] = {
        "source": [
            {"id": "s", "title": draw(NAMES), "publisher": draw(NAMES), "published": "2023-12-18"}
        ],
        "org": [
            {
                "id": "o",
                "name": org_name,
                "kind": "institute",
                "aliases": draw(st.lists(NAMES, max_size=2)),
                "name_en": draw(TEXT),
                **cite,
            }
        ],
        "person": [{"id": "p", "name": draw(NAMES), "role": draw(NAMES), "orgs": ["o"], **cite}],
        "event": [
            {"id": f"e{n}", "date": draw(dates), "title": draw(NAMES), "orgs": ["o"], **cite}
            for n in range(draw(st.integers(1, 3)))
        ],
        "figure": [
            {
                "id": "f",
                "subject": draw(NAMES),
                "value": draw(st.floats(allow_nan=False, allow_infinity=False)),
                "unit": "count",
                "qualifier": "exact",
                "as_written": draw(NAMES),
                "scope": "o",
                **cite,
            }
        ],
    }
    return toml_document(doc), org_name


@settings(FUZZ, max_examples=60)
@given(case=valid_fact_files())
def test_any_curated_text_is_shown_in_every_format(scratch: Path, case: tuple[str, str]) -> None:
    text, org_name = case
    path = fresh(scratch)
    path.write_text(text, encoding="utf-8")
    facts = ["--facts", str(path)]
    for args in (
        ["timeline", "--format", "table", "--color", "always"],
        ["figures", "--format", "tsv", "--lang", "zh-hans"],
        ["person", "list", "--format", "csv", "--lang", "en"],
        ["show", "o", "--format", "table"],
    ):
        assert_clean(cli(*args, *facts), (0,))
    listed = cli("org", "list", "--json", *facts)
    assert_clean(listed, (0,))
    assert [r["id"] for r in json.loads(listed.stdout)] == ["o"]
    # A fact's own name finds it (after `--`, so a name like "-x" is not an option).
    stored = re.sub("[\ud800-\udfff]", "\ufffd", org_name)  # as toml_string wrote it
    found = cli("org", "search", "--json", *facts, "--", stored)
    assert_clean(found, (0, 2))  # 2: a name of only spaces once folded is an empty query
    if found.exit_code == 0:
        assert "o" in [r["id"] for r in json.loads(found.stdout)]


def test_markup_in_curated_text_stays_as_written(big_facts: Path) -> None:
    result = cli("timeline", "--facts", big_facts, "--format", "table", "--fields", "title")
    assert_clean(result, (0,))
    assert "填充事件 7 [bold]不是標記[/]" in result.stdout


# ---------------------------------------------------------------------------------------------
# The environment, for real


@pytest.mark.parametrize(
    ("what", "make"),
    [
        ("nothing", lambda tmp: tmp / "nothing-here.toml"),
        ("empty folder", lambda tmp: (tmp / "empty").mkdir() or tmp / "empty"),
        ("binary file", lambda tmp: _write(tmp / "facts.toml", os.urandom(4096) + b"\xff\xfe")),
        ("empty file", lambda tmp: _write(tmp / "facts.toml", b"")),
        ("a folder of folders", lambda tmp: _folder_of_folders(tmp)),
    ],
)
def test_hetao_facts_names_a_broken_place(tmp_path: Path, what: str, make: Any) -> None:
    place = make(tmp_path)
    for args in (["timeline"], ["check"]):
        result = hetao(*args, env=clean_env(HETAO_FACTS=str(place)))
        err = no_traceback(result)
        assert result.returncode == 3, err
        assert str(place) in err
        assert err.startswith("hetao: ")
        assert result.stdout == b""


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _folder_of_folders(tmp: Path) -> Path:
    (tmp / "outer" / "inner.toml").mkdir(parents=True)  # a folder whose name ends in .toml
    return tmp / "outer"


def test_empty_hetao_facts_means_the_bundled_file() -> None:
    for value in ("", os.pathsep, "  "):
        result = hetao("sources", "--json", env=clean_env(HETAO_FACTS=value))
        no_traceback(result)
        assert result.returncode == 0
        assert json.loads(result.stdout)


JSON_COMMANDS = [
    ["timeline", "--json"],
    ["figures", "--json"],
    ["stats", "--area", "--json"],
    ["search", "深", "--json"],
    ["org", "list", "--format", "jsonl"],
    ["show", "hetao-zone", "--json"],
    ["check", "--format", "json"],
]


def _parses(out: bytes, jsonl: bool) -> None:
    text = out.decode("ascii")  # the whole document is ASCII, so it is valid in any encoding
    if jsonl:
        assert all(json.loads(line) for line in text.splitlines())
    else:
        json.loads(text)


@pytest.mark.parametrize(
    "locale",
    [
        {"PYTHONIOENCODING": "ascii"},
        {"LANG": "C", "LC_ALL": "C", "PYTHONIOENCODING": "ascii"},
    ],
    ids=lambda e: " ".join(f"{k}={v}" for k, v in e.items()),
)
def test_json_parses_when_stdout_is_ascii(locale: dict[str, str]) -> None:
    for args in JSON_COMMANDS:
        result = hetao(*args, env=clean_env(**locale))
        no_traceback(result)
        assert result.returncode == 0, (args, result.stderr)
        _parses(result.stdout, "jsonl" in args)


@pytest.mark.parametrize(
    "locale",
    [
        {"LANG": "C", "LC_ALL": "C"},
        {"LANG": "C", "LC_ALL": "C", "PYTHONUTF8": "0"},  # argv decoded as ASCII
        {"PYTHONIOENCODING": "ascii"},
        {"LANG": "C", "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": "ascii"},
    ],
    ids=lambda e: " ".join(f"{k}={v}" for k, v in e.items()),
)
def test_a_poor_locale_still_works(locale: dict[str, str]) -> None:
    env = clean_env(**locale)
    for args, code in [
        (["timeline"], 0),
        (["timeline", "--format", "table"], 0),
        (["search", "量子"], 0),  # Chinese in argv, whatever the locale made of it
        (["show", "siqa", "--format", "table"], 0),
        (["search", "不存在的東西"], 1),
        (["show", "河套"], 0),  # an alias of hetao-zone, whatever the locale made of it
        (["show", "不存在的東西"], 2),
        (["timeline", "--since", "二〇二〇"], 2),
    ]:
        result = hetao(*args, env=env)
        err = no_traceback(result)
        assert result.returncode == code, (args, err)
        if code == 0:
            assert result.stdout.strip()
        else:
            assert err.strip()
    found = hetao("search", "量子", "--json", env=env)
    assert "siqa" in {r["id"] for r in json.loads(found.stdout.decode("ascii", "replace"))}


def test_undecodable_bytes_in_argv() -> None:
    """`hetao search $'\\xff'`: Python hands the byte over as a lone surrogate."""
    cases: list[tuple[list[str | bytes], tuple[int, ...]]] = [
        (["search", b"\xff"], (1,)),
        (["search", b"\xe9\x87\x8f\xe5\xad\x90", b"\xff"], (1,)),
        (["figures", b"\xff\xfe"], (1,)),
        (["show", b"\xff"], (2,)),
        (["timeline", "--since", b"\xff"], (2,)),
        (["timeline", "--facts", b"/nonexistent/\xff.toml"], (3,)),
    ]
    for args, codes in cases:
        argv = [os.fsencode(a) if isinstance(a, str) else a for a in [*HETAO, *args]]
        result = subprocess.run(argv, capture_output=True, env=clean_env(), timeout=TIMEOUT)
        err = no_traceback(result)
        assert result.returncode in codes, (args, err)
        assert err.startswith(("hetao: ", "Usage: ")) if codes != (0,) else err == ""


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Path]:
    """A copy of facts.toml, read-only, in a read-only folder (restored for clean-up)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    facts = folder / "facts.toml"
    shutil.copyfile(FACTS, facts)
    facts.chmod(0o444)
    folder.chmod(0o555)
    yield facts
    folder.chmod(0o755)
    facts.chmod(0o644)


def test_read_only_fact_file_is_read_and_never_written(read_only: Path) -> None:
    before = snapshot(read_only.parent)
    folder_mtime = read_only.parent.stat().st_mtime_ns
    # Tests run as root, who may write anyway: so the cache is pointed into the fact file's
    # own folder too, where it must never write.
    for cache in (str(read_only.parent.parent / "cache"), str(read_only.parent)):
        env = clean_env(HETAO_CACHE_DIR=cache)
        commands: list[list[str | Path]] = [
            ["timeline", "--facts", read_only],
            ["timeline", "--facts", read_only.parent, "--json"],
            ["search", "量子", "--facts", read_only, "--format", "table"],
            ["check", read_only],
            ["check", read_only.parent, "--format", "json"],
        ]
        for args in commands:
            result = hetao(*args, env=env)
            err = no_traceback(result)
            assert result.returncode == 0, err
    env = clean_env(HETAO_FACTS=str(read_only))
    assert hetao("stats", "--area", env=env).returncode == 0
    assert snapshot(read_only.parent) == before
    assert read_only.parent.stat().st_mtime_ns == folder_mtime
    assert stat.S_IMODE(read_only.stat().st_mode) == 0o444


@pytest.mark.parametrize(
    "args",
    [
        ["timeline"],
        ["figures"],
        ["stats"],
        ["stats", "--area"],
        ["search", "量子"],
        ["show", "hetao-zone"],
        ["org", "list"],
        ["person", "show", "yu-dapeng"],
    ],
    ids=" ".join,
)
def test_twenty_columns(args: list[str]) -> None:
    for extra in ({"COLUMNS": "20"}, {"COLUMNS": "20", "FORCE_COLOR": "1"}):
        result = hetao(*args, "--format", "table", env=clean_env(**extra))
        err = no_traceback(result)
        assert result.returncode == 0, err
        assert err == ""
        assert result.stdout.strip()
        if "FORCE_COLOR" in extra:
            assert b"\x1b[" in result.stdout


def test_odd_terminal_sizes() -> None:
    for columns in ("1", "0", "-5", "abc", ""):
        result = hetao("figures", "--format", "table", env=clean_env(COLUMNS=columns, LINES="0"))
        no_traceback(result)
        assert result.returncode == 0


@pytest.fixture(scope="module")
def slow_facts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fact file large enough that parsing it takes a good part of a second."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from generate import generate  # bench/ is not a package

    one, _ = generate(20_000, out=tmp_path_factory.mktemp("big"), parts=2)
    return one


@pytest.mark.parametrize(
    "how",
    ["timeline --facts", "check", "HETAO_FACTS"],
)
def test_ctrl_c_exits_130(slow_facts: Path, how: str) -> None:
    """Ctrl-C while hetao loads the facts: exit 130, nothing on stdout, no traceback. The
    signal is sent once the process holds more memory than start-up takes, which reading the
    8 MB file into text does (Linux's /proc): hetao is then in its own loading code."""
    if not Path("/proc/self/status").exists():
        pytest.skip("needs /proc to see when the load has begun")
    args, env = {
        "timeline --facts": (["timeline", "--facts", str(slow_facts)], clean_env()),
        "check": (["check", str(slow_facts)], clean_env()),
        "HETAO_FACTS": (["search", "量子"], clean_env(HETAO_FACTS=str(slow_facts))),
    }[how]
    env["HETAO_NO_CACHE"] = "1"
    proc = subprocess.Popen(
        [*HETAO, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        # A shell starts background jobs with SIGINT ignored, and a child inherits that:
        # restore the default, so Python installs its KeyboardInterrupt handler.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + TIMEOUT
    status = Path(f"/proc/{proc.pid}/status")
    while True:
        try:
            rss = next(int(line.split()[1]) for line in status.read_text().splitlines()
                       if line.startswith("VmRSS:"))  # fmt: skip
        except (OSError, StopIteration, ValueError):
            rss = 0
        if rss > 45_000:  # kB: start-up alone takes about 20 MB
            break
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"hetao never began to load: {proc.communicate()[1]!r}")
        time.sleep(0.002)
    out, err = interrupt(proc)
    assert proc.returncode == 130, err
    assert b"Traceback" not in err
    assert out == b""


def interrupt(proc: subprocess.Popen[bytes]) -> tuple[bytes, bytes]:
    """Ctrl-C, pressed again while the process runs on (as a person would, should the first
    land where CPython cannot act on it at once)."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        proc.send_signal(signal.SIGINT)
        try:
            return proc.communicate(timeout=1)
        except subprocess.TimeoutExpired:
            if time.monotonic() > deadline:
                proc.kill()
                raise


@pytest.mark.parametrize(
    "args",
    [
        "timeline",
        "timeline --json",
        "timeline --format table --color always",
        "search 量子",
        "show no-such-id",
        "check",
    ],
)
def test_closed_stdout(args: str) -> None:
    result = shell(f"{PY} {args} >&-")
    err = no_traceback(result)
    expected = 2 if "no-such-id" in args else 0
    assert result.returncode == expected, err
    assert "standard output is closed" in err


@pytest.fixture(scope="module")
def big_facts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """facts.toml and 800 more events: output far bigger than a pipe's 64 KiB buffer."""
    path = tmp_path_factory.mktemp("big") / "facts.toml"
    events = "".join(
        f'\n[[event]]\nid = "filler-{n}"\ndate = "2020-01-{n % 28 + 1:02d}"\n'
        f'title = "填充事件 {n} [bold]不是標記[/]"\nsource = "nanfang-2023-12-18"\n'
        f'quote = "發布時間: 2023-12-18"\n'
        for n in range(800)
    )
    path.write_text(FACTS.read_text(encoding="utf-8") + events, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "args",
    ["timeline", "timeline --json", "timeline --format table --color always", "search 填充"],
)
def test_a_reader_that_takes_one_byte(big_facts: Path, args: str) -> None:
    result = shell(
        f"{PY} {args} --facts {shlex.quote(str(big_facts))} | head -c 1; exit ${{PIPESTATUS[0]}}"
    )
    err = no_traceback(result)
    assert result.returncode == 0, err
    assert err == ""
    assert len(result.stdout) == 1


def test_a_full_disk() -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    for args in ("timeline", "timeline --json", "search 量子 --format table"):
        result = shell(f"{PY} {args} > /dev/full")
        err = no_traceback(result)
        assert result.returncode == 74, err  # EX_IOERR, not 1, which means "nothing found"
        assert err == "hetao: cannot write the output: No space left on device\n"


# ---------------------------------------------------------------------------------------------
# Nothing lost: no command writes a fact file, or anything beside one

EVERY_COMMAND = [
    ["timeline"],
    ["timeline", "--since", "2020", "--until", "2023-06", "--reverse"],
    ["figures"],
    ["figures", "項目", "--unit", "count"],
    ["stats"],
    ["stats", "--area"],
    ["sources"],
    ["search", "量子"],
    ["search", "不存在的東西"],
    ["show", "hetao-zone"],
    ["show", "no-such-id"],
    ["org", "list"],
    ["org", "search", "國際量子"],
    ["org", "show", "siqa"],
    ["person", "list"],
    ["person", "search", "院士"],
    ["person", "show", "yu-dapeng"],
]
FORMATS = ["table", "tsv", "csv", "json", "jsonl"]


@pytest.mark.parametrize("layout", ["file", "folder"])
def test_no_command_writes_a_fact_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str
) -> None:
    facts_dir = tmp_path / "facts"
    if layout == "file":
        facts_dir.mkdir()
        facts: Path = facts_dir / "facts.toml"
        shutil.copyfile(FACTS, facts)
    else:
        facts = split_facts(facts_dir)
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "nanfang-2023-12-18.txt").write_text("發布時間: 2023-12-18\n", encoding="utf-8")
    before = snapshot(facts_dir, sources)
    folder_mtimes = {p: p.stat().st_mtime_ns for p in (facts_dir, sources)}

    # The cache is pointed at the facts' own folder: it must stay out of it.
    monkeypatch.setenv("HETAO_CACHE_DIR", str(facts_dir))
    by_option = ["--facts", str(facts)]
    by_env = {"HETAO_FACTS": str(facts)}
    for n, command in enumerate(EVERY_COMMAND):
        for fmt in FORMATS:
            # Half the runs name the facts by --facts, half by HETAO_FACTS.
            if (n + FORMATS.index(fmt)) % 2:
                result = cli(*command, *by_option, "--format", fmt, "--lang", "zh-hans")
            else:
                result = cli(*command, "--format", fmt, env=by_env)
            assert_clean(result, (0, 1, 2))
    for fmt in ("table", "json"):
        assert_clean(cli("check", facts, "--format", fmt), (0,))
        assert_clean(cli("check", "--sources", sources, "--format", fmt, env=by_env), (1,))
        assert_clean(cli("check", "--facts", facts, "--sources", sources), (1,))

    assert snapshot(facts_dir, sources) == before
    assert {p: p.stat().st_mtime_ns for p in folder_mtimes} == folder_mtimes
