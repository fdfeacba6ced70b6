"""The cache, where a mutation run of cache.py found that no test said it (bench/mutate.py, a
sample of 20, seed 12): the Windows folder, which of hetao's files the key names, and what a
prune leaves in the folder."""

from __future__ import annotations

import os
import shutil
import time
import types
from pathlib import Path

import pytest

from hetao_cli import cache
from hetao_cli.load import bundled_path, load


def test_on_windows_the_cache_is_in_localappdata(monkeypatch: pytest.MonkeyPatch) -> None:
    """cache.py's docstring: "%LOCALAPPDATA%\\hetao on Windows", before XDG_CACHE_HOME. The
    module's `os` is replaced by one that says it is Windows (the real one keeps pathlib
    working)."""
    windows = types.SimpleNamespace(name="nt", path=os.path, environ={})
    monkeypatch.setattr(cache, "os", windows)
    env = {"LOCALAPPDATA": "/Users/u/AppData/Local", "XDG_CACHE_HOME": "/xdg"}
    assert cache.cache_dir(env) == Path("/Users/u/AppData/Local/hetao")
    assert cache.cache_dir({"XDG_CACHE_HOME": "/xdg"}) == Path("/xdg/hetao")
    assert cache.cache_dir({**env, "HETAO_CACHE_DIR": "/mine"}) == Path("/mine")


@pytest.mark.parametrize("name", ["load.py", "model.py", "schema.py", "cache.py"])
def test_the_key_names_each_file_that_shapes_a_cached_entry(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change to any of load.py, model.py, schema.py and cache.py (between releases too)
    changes the code stamp in every key, so nothing an older loader cached is read; a change
    to another module (output.py) does not."""
    package = Path(cache.__file__).parent
    copy = tmp_path / "hetao_cli"
    copy.mkdir()
    for each in ("load.py", "model.py", "schema.py", "cache.py", "output.py"):
        shutil.copyfile(package / each, copy / each)

    def stamp() -> int:
        monkeypatch.setattr(cache, "_STAMP", [])
        return cache._code_stamp()

    monkeypatch.setattr(cache, "__file__", str(copy / "cache.py"))
    before = stamp()
    with (copy / "output.py").open("a", encoding="utf-8") as f:
        f.write("\n# another module's change\n")
    assert stamp() == before
    with (copy / name).open("a", encoding="utf-8") as f:
        f.write("\n# a change\n")
    assert stamp() != before


def test_a_prune_removes_only_hetao_s_own_stale_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A prune removes temporary files (".<entry>.<pid>.<hex>.tmp") left over an hour ago,
    and no other file that starts with a dot, however old."""
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv(cache.CACHE_DIR_VAR, str(folder))
    monkeypatch.delenv(cache.NO_CACHE_VAR, raising=False)
    stale_tmp = folder / ".0123456789abcdef.marshal.99.dead.tmp"
    notes = folder / ".notes"
    for path in (stale_tmp, notes):
        path.write_bytes(b"x")
        then = time.time() - 2 * 3600
        os.utime(path, (then, then))
    facts = tmp_path / "facts" / "facts.toml"
    facts.parent.mkdir()
    shutil.copyfile(bundled_path(), facts)
    load([facts])  # writes an entry; never pruned yet, so it prunes
    assert (folder / ".pruned").exists()
    assert not stale_tmp.exists()
    assert notes.exists()
