"""A pytest plugin for bench/mutate.py, loaded with `-p mutate_plugin` (bench/ on PYTHONPATH).

It always makes Hypothesis deterministic (derandomized, no example database, no deadline), so
a mutant is killed or not the same way on every run. With HETAO_MUTATE_TRACE=FILE it records,
for each test, the lines of hetao_cli it runs in-process and in the processes it starts (with
mutate_trace/ on PYTHONPATH), how long it takes, and whether it starts a process, and writes
them to FILE as JSON at the end of the session. With
HETAO_MUTATE_SELECT=FILE (a JSON list of test ids) it runs only those tests, in that order.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Generator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

_TRACE = os.environ.get("HETAO_MUTATE_TRACE")
_TRACE_DIR = os.path.dirname(_TRACE) if _TRACE else None
_SELECT = os.environ.get("HETAO_MUTATE_SELECT")

Tracer = Callable[[FrameType, str, Any], Any]


def pytest_configure(config: pytest.Config) -> None:
    from hypothesis import HealthCheck, Phase, settings

    settings.register_profile(
        "mutate",
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=False,
        # explain would install a tracer of its own over the one below
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    settings.load_profile("mutate")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not _SELECT:
        return
    wanted: list[str] = json.loads(Path(_SELECT).read_text(encoding="utf-8"))
    order = {nodeid: n for n, nodeid in enumerate(wanted)}
    kept = sorted((i for i in items if i.nodeid in order), key=lambda i: order[i.nodeid])
    dropped = [i for i in items if i.nodeid not in order]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = kept


class _Recorder:
    """Lines of the package run by each test, its duration, and whether it starts a process."""

    def __init__(self, package: str) -> None:
        self.package = package
        self.lines: set[tuple[str, int]] = set()
        self.spawned = False
        self.tests: dict[str, dict[str, Any]] = {}
        self.collection: set[tuple[str, int]] | None = None
        self._files: dict[str, str | None] = {}

    def _module(self, filename: str) -> str | None:
        found = self._files.get(filename, "")
        if found == "":
            path = Path(filename)
            found = f"{path.parent.name}/{path.name}" if path.parent.name == self.package else None
            self._files[filename] = found
        return found

    def global_trace(self, frame: FrameType, event: str, arg: Any) -> Tracer | None:
        module = self._module(frame.f_code.co_filename)
        if module is None:
            return None
        lines = self.lines

        def local(frame: FrameType, event: str, arg: Any) -> Tracer:
            if event == "line":
                lines.add((module, frame.f_lineno))
            return local

        lines.add((module, frame.f_lineno))
        return local


_recorder = _Recorder("hetao_cli") if _TRACE else None

if _recorder is not None:
    _popen_init = subprocess.Popen.__init__

    def _spy(self: Any, *args: Any, **kwargs: Any) -> None:
        assert _recorder is not None
        _recorder.spawned = True
        _popen_init(self, *args, **kwargs)

    subprocess.Popen.__init__ = _spy  # type: ignore[method-assign]
    # What runs before the first test (conftest and the test modules import hetao_cli, and
    # some tests load the facts at module level) is recorded apart: no one test owns it.
    sys.settrace(_recorder.global_trace)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, None, None]:
    if _recorder is None:
        yield
        return
    if _recorder.collection is None:
        sys.settrace(None)
        _recorder.collection = _recorder.lines
    _recorder.lines, _recorder.spawned = set(), False
    children = Path(tempfile.mkdtemp(prefix="children-", dir=_TRACE_DIR))
    os.environ["MUTATE_TRACE_CHILD"] = str(children)
    previous = sys.gettrace()
    start = time.perf_counter()
    sys.settrace(_recorder.global_trace)
    try:
        yield
    finally:
        sys.settrace(previous)
    seconds = time.perf_counter() - start
    os.environ.pop("MUTATE_TRACE_CHILD", None)
    lines: dict[str, list[int]] = {}
    for module, line in sorted(_recorder.lines):
        lines.setdefault(module, []).append(line)
    # The lines run in child processes, when they could be traced (see mutate_trace/).
    child: dict[str, set[int]] = {}
    for path in children.glob("*.json"):
        for module, numbers in json.loads(path.read_text(encoding="utf-8")).items():
            child.setdefault(module, set()).update(numbers)
    shutil.rmtree(children, ignore_errors=True)
    _recorder.tests[item.nodeid] = {
        "seconds": round(seconds, 4),
        "spawns": _recorder.spawned,
        "lines": lines,
        "child_lines": {m: sorted(n) for m, n in child.items()} if child else None,
    }


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _recorder is not None and _TRACE:
        collection: dict[str, list[int]] = {}
        for module, line in sorted(_recorder.collection or ()):
            collection.setdefault(module, []).append(line)
        data = {"tests": _recorder.tests, "collection": collection}
        Path(_TRACE).write_text(json.dumps(data), encoding="utf-8")
