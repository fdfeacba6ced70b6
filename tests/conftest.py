"""Shared helpers: the assets folder, an in-process CLI runner, a real `python -m hetao_cli`
process, and a clean environment."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from hetao_cli.cli import app

# No test may touch the user's own cache folder, not even while the tests are collected (a
# module-level load() runs then, before any fixture): every load in this process, and in the
# processes it starts, uses a folder of its own, removed at exit.
_CACHE = tempfile.mkdtemp(prefix="hetao-test-cache-")
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)
os.environ["HETAO_CACHE_DIR"] = _CACHE

# Some machines set PYTHONDONTWRITEBYTECODE=1, so every `python -m hetao_cli` the tests start
# would compile Typer and hetao from source again (~100 ms each, hundreds of times). Let the
# first child write bytecode, as a user's first run does, and the rest reuse it.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

ASSETS = Path(__file__).parent / "assets"
SOURCES = ASSETS / "sources"
HETAO = [sys.executable, "-m", "hetao_cli"]
TIMEOUT = 60  # seconds a child process may take before the test fails


# Controls a terminal obeys, defined here apart from hetao's own pattern: Unicode's Cc (C0, DEL,
# C1) and the Bidi_Control characters.
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def is_control(char: str) -> bool:
    return unicodedata.category(char) == "Cc" or char in BIDI


def raw_controls(text: str, allowed: str = "") -> set[str]:
    """The control characters in text, but for those allowed (a format's tab and newline)."""
    return {c for c in text if is_control(c) and c not in allowed}


def shown(text: str, allowed: str = "") -> str:
    """The text as hetao shows it: each control character, but for those allowed, written as
    its escape, \\x1b below U+0100 and \\u202e above."""
    return "".join(
        (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")
        if is_control(c) and c not in allowed
        else c
        for c in text
    )


def asset(name: str) -> Path:
    """The path of a committed test asset; fails loudly when it is missing."""
    path = ASSETS / name
    assert path.exists(), f"missing test asset {path}"
    return path


def invoke(*args: str | Path, env: Mapping[str, str | None] | None = None) -> Result:
    """Run the app in-process, with HETAO_FACTS unset unless env sets it."""
    return CliRunner().invoke(app, [str(a) for a in args], env={"HETAO_FACTS": None, **(env or {})})


def problems_json(*args: str | Path) -> list[dict[str, Any]]:
    """`hetao check ... --format json`, parsed; the exit code is asserted by the caller."""
    result = invoke("check", *args, "--format", "json")
    data: list[dict[str, Any]] = json.loads(result.stdout)
    return data


def clean_env(**extra: str) -> dict[str, str]:
    """The test's environment (its own cache folder, set below) without what would change
    hetao's output: its settings, colour, terminal size and locale; UTF-8 unless `extra` says."""
    drop = ("HETAO_FACTS", "HETAO_LANG", "NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES")
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("LC_")}
    env.update({"PYTHONIOENCODING": "utf-8", "LANG": "C.UTF-8", "TERM": "xterm-256color"})
    env.update(extra)
    return env


def hetao(
    *args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run `python -m hetao_cli` for real, as a user's shell would."""
    return subprocess.run(
        [*HETAO, *map(str, args)],
        capture_output=True,
        env=env if env is not None else clean_env(),
        cwd=cwd,
        timeout=TIMEOUT,
        check=False,
    )


@pytest.fixture(scope="session")
def _cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, _cache_dir: Path) -> Iterator[None]:
    """No test sees the shell's HETAO_FACTS, or writes to the user's own cache folder."""
    monkeypatch.delenv("HETAO_FACTS", raising=False)
    monkeypatch.delenv("HETAO_NO_CACHE", raising=False)
    monkeypatch.setenv("HETAO_CACHE_DIR", str(_cache_dir))
    yield
