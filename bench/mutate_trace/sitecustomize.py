"""Imported by every Python that bench/mutate.py's tracing run starts (this folder is on
PYTHONPATH then, and only then): with MUTATE_TRACE_CHILD=DIR, the lines of hetao_cli that the
process runs go to DIR/<pid>.json at exit, so a test that runs hetao in a child is mapped to
the lines it runs there. A process that leaves by os._exit records nothing; bench/mutate.py
then runs that test for every mutant."""

import os
import sys
from types import FrameType
from typing import Any

_DIR = os.environ.get("MUTATE_TRACE_CHILD")


def _install(folder: str) -> None:
    import atexit

    lines: set[tuple[str, int]] = set()

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            lines.add((frame.f_code.co_filename, frame.f_lineno))
        return local

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        name = frame.f_code.co_filename
        if os.path.basename(os.path.dirname(name)) != "hetao_cli":
            return None
        lines.add((name, frame.f_lineno))
        return local

    def dump() -> None:
        import json

        found: dict[str, list[int]] = {}
        for name, line in sorted(lines):
            found.setdefault(f"hetao_cli/{os.path.basename(name)}", []).append(line)
        path = os.path.join(folder, f"{os.getpid()}.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(found, f)

    sys.settrace(trace)
    atexit.register(dump)


if _DIR:
    _install(_DIR)
