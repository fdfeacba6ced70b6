"""The streams and colours, where a mutation run of console.py found that no test said it
(bench/mutate.py, a sample of 30, seed 11)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from conftest import HETAO, TIMEOUT, asset, clean_env, invoke


def test_color_auto_can_be_typed_and_follows_the_environment() -> None:
    """`--color auto` is the default written out: no escapes off a terminal, escapes with
    FORCE_COLOR, none with NO_COLOR."""
    plain = invoke("stats", "--format", "table", "--color", "auto")
    assert plain.exit_code == 0, plain.stderr
    assert plain.stdout.strip() and "\x1b[" not in plain.stdout
    forced = invoke("stats", "--format", "table", "--color", "auto", env={"FORCE_COLOR": "1"})
    assert forced.exit_code == 0 and "\x1b[" in forced.stdout
    assert "[default: auto]" in invoke("stats", "--help").stdout


def test_a_long_value_is_echoed_cut_to_80_characters() -> None:
    """A person's own text in a message is quoted and cut at 80 characters, the last an
    ellipsis: the quote and 78 of the 100 letters typed."""
    result = invoke("timeline", "--lang", "x" * 100)
    assert result.exit_code == 2
    assert "'" + "x" * 78 + "… is not a language" in " ".join(result.stderr.split())
    assert "x" * 79 not in result.stderr


def test_json_keeps_chinese_readable_when_a_file_name_is_not_utf8(tmp_path: Path) -> None:
    """A name that is not UTF-8 (the byte 0xff) reaches hetao as a lone surrogate. On a UTF-8
    stdout the JSON still carries the Chinese as itself, not as \\u escapes, and the odd byte
    as the escape \\udcff: valid JSON, which reads back as the name Python gave it."""
    name = os.fsdecode(b"\xff.toml")
    (tmp_path / name).write_text(
        asset("valid.toml").read_text(encoding="utf-8") + '"名稱" = 1\n', encoding="utf-8"
    )
    proc = subprocess.run(
        [*HETAO, "check", os.fsencode(tmp_path / name), "--format", "json"],
        capture_output=True,
        env=clean_env(),
        timeout=TIMEOUT,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert '"名稱"'.encode() in proc.stdout
    [problem] = json.loads(proc.stdout)
    assert problem["field"] == "名稱"
    assert problem["file"] == str(tmp_path / name)
