"""What only a real process shows: the default format on a pipe or a terminal, a reader that
goes away (`| head`), colour in a terminal, and the exit codes of `python -m hetao_cli`."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import HETAO, TIMEOUT, clean_env, hetao

ANSI = re.compile(rb"\x1b\[[0-9;]*m")


def in_terminal(*args: str, cwd: Path, env: dict[str, str] | None = None) -> tuple[int, bytes]:
    """Run hetao with a pseudo-terminal as stdout; its exit code and what it printed there."""
    pty = pytest.importorskip("pty", reason="no pseudo-terminals on this platform")
    import fcntl
    import select
    import struct
    import termios

    try:
        master, slave = pty.openpty()
    except OSError as exc:
        pytest.skip(f"cannot open a pseudo-terminal: {exc}")
    # 200 columns, so no cell is folded across lines.
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    proc = subprocess.Popen(
        [*HETAO, *args],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=subprocess.DEVNULL,
        cwd=cwd,
        env=env or clean_env(),
    )
    os.close(slave)
    out = b""
    try:
        while True:
            ready, _, _ = select.select([master], [], [], TIMEOUT)
            if not ready:
                break
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(master)
    return proc.wait(timeout=TIMEOUT), out


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    """Run from outside the checkout: the bundled facts are found all the same."""
    return tmp_path


@pytest.fixture(scope="module")
def big_facts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fact file whose listings are far bigger than a pipe's buffer, so `head` really cuts."""
    parts = ['[[source]]\nid = "big"\ntitle = "大"\npublisher = "出版"\npublished = "2023-12-18"\n']
    parts += [
        f'[[org]]\nid = "org-{i}"\nname = "機構{i}"\nkind = "other"\nsource = "big"\n'
        f'quote = "引文{i}"\n'
        for i in range(1500)
    ]
    path = tmp_path_factory.mktemp("big") / "big.toml"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# The default format


def test_python_dash_m_runs(cwd: Path) -> None:
    result = hetao("--version", cwd=cwd)
    assert result.returncode == 0
    assert result.stdout.decode().startswith("hetao ")


def test_default_is_tsv_in_a_pipe(cwd: Path) -> None:
    result = hetao("timeline", cwd=cwd)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode("utf-8").split("\n")
    assert lines[0] == "date\ttitle\torgs\tpeople\tid"
    assert lines[-1] == ""
    assert all(line.count("\t") == 4 for line in lines[:-1])
    assert any(line.startswith("2017-01\t") for line in lines)
    assert b"\x1b[" not in result.stdout
    assert "─".encode() not in result.stdout
    # Nothing cut: the longest title is there whole.
    assert "全國首個深港跨境“N+1”知識産權證券化項目落地".encode() in result.stdout


def test_excel_writes_a_utf8_byte_order_mark(cwd: Path) -> None:
    result = hetao("timeline", "--excel", cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"\xef\xbb\xbfdate,title,orgs,people,id\n")
    plain = hetao("timeline", "--format", "csv", cwd=cwd)
    assert result.stdout == b"\xef\xbb\xbf" + plain.stdout


def test_default_is_a_table_in_a_terminal(cwd: Path) -> None:
    code, out = in_terminal("timeline", cwd=cwd)
    assert code == 0
    text = ANSI.sub(b"", out).decode("utf-8")
    assert "─" in text
    assert "\t" not in text
    assert "2017-01-memorandum" in text
    assert "c. 2022-12" in text
    assert b"\x1b[" in out, "a terminal gets colour by default"


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["stats"], {"NO_COLOR": "1"}),
        (["stats", "--color", "never"], {}),
        (["org", "list", "--color", "never"], {"FORCE_COLOR": "1"}),
        (["stats", "--area"], {"NO_COLOR": "1"}),
    ],
)
def test_no_color_means_no_escapes_in_a_terminal(
    cwd: Path, args: list[str], env: dict[str, str]
) -> None:
    code, out = in_terminal(*args, cwd=cwd, env=clean_env(**env))
    assert code == 0
    assert "─".encode() in out, "still a table"
    assert b"\x1b[" not in out


@pytest.mark.parametrize(
    ("args", "env", "escapes"),
    [
        (["stats", "--format", "table", "--color", "always"], {}, True),
        (["stats", "--format", "table"], {"FORCE_COLOR": "1"}, True),
        (["stats", "--format", "table", "--color", "always"], {"NO_COLOR": "1"}, True),
        (["stats", "--format", "table"], {}, False),
        (["stats", "--format", "table"], {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
        (["stats", "--color", "always"], {}, False),  # TSV is never coloured
        (["stats", "--json", "--color", "always"], {}, False),
    ],
)
def test_colour_in_a_pipe(cwd: Path, args: list[str], env: dict[str, str], escapes: bool) -> None:
    result = hetao(*args, cwd=cwd, env=clean_env(**env))
    assert result.returncode == 0
    assert (b"\x1b[" in result.stdout) is escapes


# ---------------------------------------------------------------------------------------------
# A reader that goes away


def shell(pipeline: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    if shutil.which("bash") is None or shutil.which("head") is None:
        pytest.skip("needs bash and head")
    return subprocess.run(
        ["bash", "-c", f"set -o pipefail; {pipeline}"],
        capture_output=True,
        cwd=cwd,
        env=clean_env(),
        timeout=TIMEOUT,
        check=False,
    )


PY = " ".join(shlex.quote(a) for a in HETAO)


@pytest.mark.parametrize(
    ("command", "head", "expected"),
    [
        ("timeline --json", "head -c 100", lambda out: len(out) == 100 and out.startswith(b"[")),
        ("timeline", "head -n 1", lambda out: out == b"date\ttitle\torgs\tpeople\tid\n"),
        ("search 河套 --format jsonl", "head -n 1", lambda out: out.count(b"\n") == 1),
    ],
)
def test_head_ends_quietly(
    cwd: Path, command: str, head: str, expected: Callable[[bytes], bool]
) -> None:
    result = shell(f"{PY} {command} | {head}", cwd)
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    assert expected(result.stdout)


@pytest.mark.parametrize("fmt", ["json", "jsonl", "tsv", "csv", "table"])
@pytest.mark.parametrize("head", ["head -c 100", "head -n 1"])
def test_head_ends_quietly_on_output_bigger_than_the_pipe(
    cwd: Path, big_facts: Path, fmt: str, head: str
) -> None:
    result = shell(
        f"{PY} org list --facts {shlex.quote(str(big_facts))} --format {fmt} | {head}", cwd
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    assert result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["timeline", "--json"],
        ["timeline"],
        ["timeline", "--format", "table"],
        ["stats", "--format", "table"],
        ["stats", "--area", "--format", "table", "--color", "always"],
        ["search", "河套", "--format", "csv"],
        ["show", "siqa", "--json"],
        ["show", "siqa", "--format", "table"],
        ["org", "list", "--format", "jsonl"],
    ],
    ids=" ".join,
)
def test_a_pipe_closed_before_anything_is_written_is_success(cwd: Path, args: list[str]) -> None:
    proc = subprocess.Popen(
        [*HETAO, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=clean_env()
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before hetao has even started
    err = proc.stderr.read()
    assert proc.wait(timeout=TIMEOUT) == 0
    assert err == b""


# ---------------------------------------------------------------------------------------------
# Exit codes, for real


@pytest.mark.parametrize(
    ("args", "code", "stderr"),
    [
        (["timeline"], 0, b""),
        (["timeline", "--since", "2030"], 1, b"nothing matches"),
        (["org", "search", "量子"], 0, b""),
        (["search", "火星殖民"], 1, b"nothing matches"),
        (["org", "search", "火星殖民", "--json"], 1, b"nothing matches"),
        (["show", "siqaa"], 2, b"did you mean: siqa"),
        (["org", "show", "yu-dapeng"], 2, b"yu-dapeng is a person, not an org"),
        (["timeline", "--since", "2020-13"], 2, b"--since"),
        (["timeline", "--fields", "bogus"], 2, b"unknown field"),
        (["timeline", "--no-such-option"], 2, b"--no-such-option"),
        (["stats", "--format", "xml"], 2, b"xml"),
        (["timeline", "--facts", "no-such-file.toml"], 3, b"no-such-file.toml"),
    ],
)
def test_exit_codes(cwd: Path, args: list[str], code: int, stderr: bytes) -> None:
    result = hetao(*args, cwd=cwd)
    assert result.returncode == code, result.stderr
    assert stderr in result.stderr
    if code == 0:
        assert result.stderr == b""
    assert b"Traceback" not in result.stderr
