"""Reading fact files, where a mutation run of load.py found that no test said it
(bench/mutate.py, a sample of 30, seed 11): the size limit as docs/bad-input.md states it, a
TOML syntax error said once with its place, and a file whose real path cannot be found."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import asset, invoke

MIB = 2**20


def test_a_file_one_byte_over_256_mib_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """docs/bad-input.md: `hetao: big.toml: file is larger than 256 MiB`, exit 3. The file is
    sparse: it takes no room on the disk, and is never read."""
    big = tmp_path / "big.toml"
    with open(big, "wb") as f:
        f.truncate(256 * MIB + 1)
    result = invoke("timeline", "--facts", big)
    assert result.exit_code == 3
    assert result.stderr == f"hetao: {big}: file is larger than 256 MiB\n"


def test_a_toml_syntax_error_names_its_place_once(tmp_path: Path) -> None:
    path = tmp_path / "syntax.toml"
    # line 3, column 4: the key `café` is not quoted, so `é` is where the syntax breaks
    path.write_text('[[source]]\nid = "s"\ncafé = 1\n', encoding="utf-8")
    result = invoke("check", path, "--format", "json")
    assert result.exit_code == 1
    [problem] = json.loads(result.stdout)
    assert (problem["line"], problem["column"]) == (3, 4)
    assert problem["message"].startswith("TOML syntax: ")
    # the place is in its own fields and in front of the text line, not in the message too
    assert "line" not in problem["message"] and "column" not in problem["message"]
    text = invoke("check", path)
    assert text.stdout.startswith(f"{path}:3:4: TOML syntax: ")


def test_a_file_whose_real_path_cannot_be_found_is_still_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Resolving a path can fail where reading it does not (on Windows, an error of the
    file system that Python's non-strict resolve lets through): the file is read as named."""
    facts = tmp_path / "valid.toml"
    facts.write_bytes(asset("valid.toml").read_bytes())
    resolve = Path.resolve

    def failing(self: Path, strict: bool = False) -> Path:
        if self.name == "valid.toml":
            raise OSError(5, os.strerror(5), str(self))
        return resolve(self, strict=strict)

    monkeypatch.setattr(Path, "resolve", failing)
    result = invoke("timeline", "--facts", facts, "--json")
    assert result.exit_code == 0, result.stderr
    assert [e["id"] for e in json.loads(result.stdout)] == ["demo-institute-founded"]
