"""Start-up stays lean, and the parsed-file cache never changes an answer.

What each command imports is read from a real process (sys.modules at exit), since an
in-process run shares the test's modules. No test here times anything: timings live in
bench/run.py, as ratios to a floor measured in the same run.
"""

from __future__ import annotations

import json
import marshal
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import ASSETS

from hetao_cli import cache
from hetao_cli.load import bundled_path, load
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


@pytest.mark.parametrize(
    ("args", "absent"),
    [
        (("timeline", "--json"), ("rich", "opencc", "pydantic", "pypinyin")),
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


HEAD = len(cache._MAGIC) + 8  # the magic, then the payload's length


def _framed(payload: bytes) -> bytes:
    return cache._MAGIC + len(payload).to_bytes(8, "little") + payload


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
