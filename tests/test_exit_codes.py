"""Exit codes and stderr of a real process, for fact files that cannot be read at all."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import asset


def hetao_script() -> str:
    found = shutil.which("hetao", path=str(Path(sys.executable).parent)) or shutil.which("hetao")
    assert found, "the hetao console script is not installed beside this Python"
    return found


LAUNCHERS = {
    "python -m hetao_cli": lambda: [sys.executable, "-m", "hetao_cli"],
    "hetao": lambda: [hetao_script()],
}


def run(
    launcher: str, *args: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "HETAO_FACTS"}
    return subprocess.run(
        [*LAUNCHERS[launcher](), *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**base, **(env or {})},
        timeout=60,
        check=False,
    )


def unreadable(tmp_path: Path, name: str) -> tuple[Path, str]:
    """A path that cannot be read as a fact file, and the message that names it."""
    if name == "missing":
        return tmp_path / "nope.toml", "no such file or folder"
    if name == "folder-without-toml":
        (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
        return tmp_path, "folder has no .toml files"
    if name == "folder-named-like-a-file":
        (tmp_path / "facts.toml").mkdir()
        return tmp_path / "facts.toml", "folder has no .toml files"
    path = tmp_path / f"{name}.toml"
    content = {
        "empty": (b"", "file is empty"),
        "comments": (b"# facts to come\n\n  # more\n", "file has only comments, no entries"),
        "bom": (
            b"\xef\xbb\xbf" + asset("valid.toml").read_bytes(),
            "starts with a UTF-8 byte-order mark",
        ),
        "not-utf8": (b"# caf\xe9\n", "not UTF-8 text (byte 0xe9 at offset 5)"),
        "utf16": ("# x\n".encode("utf-16"), "not UTF-8 text (byte 0xff at offset 0)"),
    }[name]
    path.write_bytes(content[0])
    return path, content[1]


CASES = ["missing", "folder-without-toml", "folder-named-like-a-file", "empty", "comments",
         "bom", "not-utf8", "utf16"]  # fmt: skip


def assert_one_line_exit_3(
    result: subprocess.CompletedProcess[str], path: Path, message: str
) -> None:
    assert result.returncode == 3, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith(f"hetao: {path}")
    assert message in line


@pytest.mark.parametrize("launcher", LAUNCHERS)
@pytest.mark.parametrize("name", CASES)
def test_unreadable_check_exits_3(tmp_path: Path, launcher: str, name: str) -> None:
    path, message = unreadable(tmp_path, name)
    assert_one_line_exit_3(run(launcher, "check", path), path, message)


@pytest.mark.parametrize("launcher", LAUNCHERS)
@pytest.mark.parametrize("name", ["missing", "empty", "comments", "bom", "not-utf8"])
def test_unreadable_timeline_exits_3(tmp_path: Path, launcher: str, name: str) -> None:
    path, message = unreadable(tmp_path, name)
    assert_one_line_exit_3(run(launcher, "timeline", "--facts", path), path, message)


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_hetao_facts_pointing_at_nothing(tmp_path: Path, launcher: str) -> None:
    path = tmp_path / "gone.toml"
    result = run(launcher, "timeline", env={"HETAO_FACTS": str(path)})
    assert_one_line_exit_3(result, path, "no such file or folder")
    result = run(launcher, "check", env={"HETAO_FACTS": str(path)})
    assert_one_line_exit_3(result, path, "no such file or folder")


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root reads a chmod 000 file regardless of its mode",
)
def test_unreadable_permissions_exit_3(tmp_path: Path) -> None:
    path = tmp_path / "locked.toml"
    shutil.copy(asset("valid.toml"), path)
    path.chmod(0)
    try:
        result = run("hetao", "check", path)
    finally:
        path.chmod(0o644)
    assert_one_line_exit_3(result, path, "cannot read: Permission denied")


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_invalid_facts_exit_3_outside_check(launcher: str) -> None:
    path = asset("several.toml")
    result = run(launcher, "timeline", "--facts", path)
    assert result.returncode == 3
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 6
    assert lines[0].startswith(f"hetao: {path}:4: source[0] id='demo-source' field 'titel'")


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_check_exit_codes(launcher: str) -> None:
    clean = run(launcher, "check", asset("valid.toml"))
    assert (clean.returncode, clean.stdout) == (0, "")
    assert clean.stderr == "hetao: ok: 8 entries, no problems (quotes not checked)\n"
    found = run(launcher, "check", asset("dangling-link.toml"))
    assert found.returncode == 1
    assert found.stdout.startswith(f"{asset('dangling-link.toml')}:11: area[0] id='demo-zone'")
    assert found.stderr == "hetao: 1 problem found\n"
    syntax = run(launcher, "check", asset("syntax.toml"))
    assert syntax.returncode == 1
    assert syntax.stdout.startswith(f"{asset('syntax.toml')}:4:14: TOML syntax: ")


def test_parser_limits_no_traceback(tmp_path: Path) -> None:
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 3000 + "]" * 3000 + "\n", encoding="utf-8")
    result = run("hetao", "timeline", "--facts", deep)
    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    assert result.stderr == f"hetao: {deep}: TOML syntax: arrays or tables nested too deep\n"
