"""Shared helpers: the assets folder, an in-process CLI runner, and a clean environment."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from hetao_cli.cli import app

# Some machines set PYTHONDONTWRITEBYTECODE=1, so every `python -m hetao_cli` the tests start
# would compile Typer and hetao from source again (~100 ms each, hundreds of times). Let the
# first child write bytecode, as a user's first run does, and the rest reuse it.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

ASSETS = Path(__file__).parent / "assets"
SOURCES = ASSETS / "sources"


def asset(name: str) -> Path:
    """The path of a committed test asset; fails loudly when it is missing."""
    path = ASSETS / name
    assert path.exists(), f"missing test asset {path}"
    return path


def invoke(*args: str | Path, env: dict[str, str | None] | None = None) -> Result:
    """Run the app in-process, with HETAO_FACTS unset unless env sets it."""
    return CliRunner().invoke(app, [str(a) for a in args], env={"HETAO_FACTS": None, **(env or {})})


def problems_json(*args: str | Path) -> list[dict[str, Any]]:
    """`hetao check ... --format json`, parsed; the exit code is asserted by the caller."""
    result = invoke("check", *args, "--format", "json")
    data: list[dict[str, Any]] = json.loads(result.stdout)
    return data


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
