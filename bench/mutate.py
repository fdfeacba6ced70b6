"""Mutation testing: how many small, deliberate bugs in hetao_cli the tests catch.

    uv run python bench/mutate.py                                   # the default modules
    uv run python bench/mutate.py --module hetao_cli/query.py       # one module (repeatable)
    uv run python bench/mutate.py --limit 60 --seed 1               # a sample of 60 a module
    uv run python bench/mutate.py --list --module hetao_cli/check.py  # the mutants, not run
    uv run python bench/mutate.py --module hetao_cli/check.py --function _longest_prefix

Each module is parsed with `ast`, and each mutant is one small change to it: a comparison
flipped (< and <=, == and !=, in and not in, is and is not), `and` and `or` swapped, a `not`
dropped, a constant changed (a number + 1, a string emptied or set to "XX", True and False
swapped), + and -, * and / swapped, a `return x` returning None, a statement replaced by `pass`,
a slice bound dropped, an element left out of a dict, list, tuple or set literal. The change
is made to the text of the node only, so the rest of the file keeps its lines.

A mutant never touches the checkout: each job works in a scratch copy of it (the files git
tracks or would track, under /tmp), with that copy first on PYTHONPATH so `python -m hetao_cli`
in a test's child process runs the mutant too, a fresh HETAO_CACHE_DIR for each mutant, and
the copy's hetao_cli/__pycache__ removed before each run, so no bytecode or cache from another
mutant is ever served.

Which tests run: one traced run of the suite (bench/mutate_plugin.py) records the lines of
hetao_cli each test runs, in-process and in the processes it starts (bench/mutate_trace/), how
long it takes, and what runs while the tests are collected. A mutant then runs, fastest first
and stopping at the first failure (`pytest -x -n 0`), the tests that run its lines (or the
line of the statement it is in); the tests that start processes come last. A mutant in code
that runs at import (module constants, class bodies, annotations, defaults, or a function that
module code calls) runs every in-process test, and every test whose children import the
module. A test whose children could not be traced runs for every mutant. A mutant is killed
when a test fails (or the tests cannot be collected), killed by timeout when the run takes
longer than the limit, and survives when every test passes, or when no test runs its code.
Hypothesis is derandomized, so the answer is the same on every run.

Results are cached in bench/out/mutants/ by (the module's text, the mutant's id); a survivor
is run again when the tests change. The mutant id names the module, the function and the
operator, and a hash of the change, so it does not move when other lines do. Survivors are
printed as `file:line: id: description`; ids judged equivalent (no test could tell them apart
from the original) go in bench/mutants-equivalent.txt, one a line with the reason after a `#`,
and are left out of the score: killed / (mutants - equivalent).
"""

from __future__ import annotations

import argparse
import ast
import copy
import hashlib
import json
import os
import queue
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "mutants"
EQUIVALENT = ROOT / "bench" / "mutants-equivalent.txt"
# The modules nobody else was editing when the tool was written; --module picks any other.
DEFAULT_MODULES = (
    "hetao_cli/search.py",
    "hetao_cli/schema.py",
    "hetao_cli/model.py",
    "hetao_cli/views.py",
    "hetao_cli/check.py",
)
KILLED, TIMEOUT, SURVIVED, ERROR = "killed", "timeout", "survived", "error"

# ---------------------------------------------------------------------------------------------
# Mutants


@dataclass(frozen=True)
class Mutant:
    id: str
    module: str  # hetao_cli/check.py
    line: int
    description: str
    at_import: bool  # the changed code runs when the module is imported
    lines: tuple[int, ...]  # the lines the change touches
    start: tuple[int, int]  # (line, byte column) where the replaced text starts
    end: tuple[int, int]
    replacement: str


_CMP_SWAP: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
_BIN_SWAP: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.FloorDiv,
}
_SYMBOL = {
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
    ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not", ast.Add: "+",
    ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
}  # fmt: skip


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


class _Finder(ast.NodeVisitor):
    """Every (node, replacement node or 'pass', operator, description) of a module, with the
    qualified name of the function or class it is in and whether it runs at import."""

    def __init__(self) -> None:
        self.found: list[tuple[ast.AST, ast.AST | str, str, str, str, bool, int]] = []
        # The line of each statement we are in: Python 3.11 reports no line event for the
        # elements of a constant tuple, so a mutant's own lines may never be seen to run.
        self.statements: list[int] = [0]
        self.scope: list[str] = []
        self.in_function = 0
        self.skip_depth = 0  # inside an f-string or a plain annotation

    def add(self, node: ast.AST, new: ast.AST | str, op: str, what: str) -> None:
        if self.skip_depth:
            return
        qual = ".".join(self.scope) or "<module>"
        at_import = self.in_function == 0
        self.found.append((node, new, op, what, qual, at_import, self.statements[-1]))

    # --- where we are -------------------------------------------------------------------------

    def _body(self, body: list[ast.stmt], *, statements: bool) -> None:
        for n, stmt in enumerate(body):
            is_doc = (
                n == 0
                and isinstance(stmt, ast.Expr)
                and isinstance(stmt.value, ast.Constant)
                and isinstance(stmt.value.value, str)
            )
            if is_doc:
                continue
            if statements and self.in_function and _removable(stmt):
                self.add(stmt, "pass", "stmt-pass", f"`{_short(ast.unparse(stmt))}` → pass")
            self.statements.append(stmt.lineno)
            self.visit(stmt)
            self.statements.pop()

    def visit_Module(self, node: ast.Module) -> None:
        self._body(node.body, statements=False)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for d in node.decorator_list:
            self.visit(d)
        self._arguments(node.args)
        self.scope.append(node.name)
        self.in_function += 1
        self._body(node.body, statements=True)
        self.in_function -= 1
        self.scope.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def _arguments(self, args: ast.arguments) -> None:
        for d in [*args.defaults, *(d for d in args.kw_defaults if d is not None)]:
            self.visit(d)
        for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
            self._annotation(a.annotation)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._arguments(node.args)
        self.in_function += 1
        self.visit(node.body)
        self.in_function -= 1

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for d in node.decorator_list:
            self.visit(d)
        for b in node.bases:
            self.visit(b)
        self.scope.append(node.name)
        self._body(node.body, statements=False)
        self.scope.pop()

    def visit_If(self, node: ast.If) -> None:
        if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            return
        self.visit(node.test)
        self._body(node.body, statements=True)
        self._body(node.orelse, statements=True)

    def _compound(self, node: ast.AST) -> None:
        for name, value in ast.iter_fields(node):
            if name in ("body", "orelse", "finalbody") and isinstance(value, list):
                self._body(value, statements=True)
            elif isinstance(value, list):
                for v in value:
                    if isinstance(v, ast.AST):
                        self.visit(v)
            elif isinstance(value, ast.AST):
                self.visit(value)

    visit_For = visit_While = visit_With = visit_Try = _compound

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.type is not None:
            self.visit(node.type)
        self._body(node.body, statements=True)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._annotation(node.annotation)
        if node.value is not None:
            self.visit(node.value)

    def _annotation(self, node: ast.expr | None) -> None:
        """A type is not behaviour; a call inside one is (model.py's Field declarations)."""
        if node is None:
            return
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call):
                self.visit(sub)
                return  # a Call's own children are visited by it

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        self.skip_depth += 1  # positions inside f-strings are not reliable before 3.12
        self.generic_visit(node)
        self.skip_depth -= 1

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        return

    visit_ImportFrom = visit_Import

    # --- the operators --------------------------------------------------------------------

    def visit_Compare(self, node: ast.Compare) -> None:
        for n, op in enumerate(node.ops):
            swap = _CMP_SWAP.get(type(op))
            if swap is not None:
                new = copy.deepcopy(node)
                new.ops[n] = swap()
                what = f"`{_SYMBOL[type(op)]}` → `{_SYMBOL[swap]}` in `{_short(ast.unparse(node))}`"
                self.add(node, new, f"cmp-{_SYMBOL[type(op)]}", what)
        self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        new = copy.deepcopy(node)
        new.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        pair = ("and", "or") if isinstance(node.op, ast.And) else ("or", "and")
        self.add(
            node,
            new,
            f"bool-{pair[0]}",
            f"`{pair[0]}` → `{pair[1]}` in `{_short(ast.unparse(node))}`",
        )
        self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if isinstance(node.op, ast.Not):
            self.add(
                node, node.operand, "not-drop", f"`not` dropped in `{_short(ast.unparse(node))}`"
            )
        elif isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
            return  # -1: the constant's own mutant would give -2, the same as this one
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        swap = _BIN_SWAP.get(type(node.op))
        if swap is not None:
            new = copy.deepcopy(node)
            new.op = swap()
            what = (
                f"`{_SYMBOL[type(node.op)]}` → `{_SYMBOL[swap]}` in `{_short(ast.unparse(node))}`"
            )
            self.add(node, new, f"bin-{_SYMBOL[type(node.op)]}", what)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        swap = _BIN_SWAP.get(type(node.op))
        if swap is not None:
            new = copy.deepcopy(node)
            new.op = swap()
            what = (
                f"`{_SYMBOL[type(node.op)]}=` → `{_SYMBOL[swap]}=` in `{_short(ast.unparse(node))}`"
            )
            self.add(node, new, f"aug-{_SYMBOL[type(node.op)]}", what)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        v = node.value
        if isinstance(v, bool):
            self.add(node, ast.Constant(not v), "const-bool", f"`{v}` → `{not v}`")
        elif isinstance(v, (int, float)):
            self.add(node, ast.Constant(v + 1), "const-num", f"`{v!r}` → `{v + 1!r}`")
        elif isinstance(v, str):
            new = "XX" if v == "" else ""
            self.add(node, ast.Constant(new), "const-str", f"`{_short(repr(v), 40)}` → `{new!r}`")

    def visit_Return(self, node: ast.Return) -> None:
        value = node.value
        if value is not None and not (isinstance(value, ast.Constant) and value.value is None):
            self.add(
                value,
                ast.Constant(None),
                "return-none",
                f"`return {_short(ast.unparse(value))}` → `return None`",
            )
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if isinstance(node.slice, ast.Slice):
            for bound in ("lower", "upper"):
                if getattr(node.slice, bound) is not None:
                    new = copy.deepcopy(node)
                    setattr(new.slice, bound, None)
                    what = f"slice {bound} bound dropped in `{_short(ast.unparse(node))}`"
                    self.add(node, new, f"slice-{bound}", what)
        self.generic_visit(node)

    def _elements(self, node: ast.List | ast.Tuple | ast.Set) -> None:
        if isinstance(node.ctx if hasattr(node, "ctx") else None, ast.Store):
            self.generic_visit(node)
            return
        if len(node.elts) >= 1 and not any(isinstance(e, ast.Starred) for e in node.elts):
            for n, e in enumerate(node.elts):
                if isinstance(node, ast.Set) and len(node.elts) == 1:
                    break  # {} is a dict
                new = copy.deepcopy(node)
                del new.elts[n]
                kind = type(node).__name__.lower()
                what = f"element `{_short(ast.unparse(e), 40)}` left out of a {kind}"
                self.add(node, new, "elt-drop", what)
        self.generic_visit(node)

    visit_List = visit_Tuple = visit_Set = _elements

    def visit_Dict(self, node: ast.Dict) -> None:
        for n, key in enumerate(node.keys):
            if key is None:
                continue
            new = copy.deepcopy(node)
            del new.keys[n]
            del new.values[n]
            what = f"item `{_short(ast.unparse(key), 30)}: …` left out of a dict"
            self.add(node, new, "item-drop", what)
        self.generic_visit(node)


def _removable(stmt: ast.stmt) -> bool:
    """Statements whose removal is a mutant worth running (not a name that then is missing)."""
    skip = (ast.Pass, ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef,
            ast.ClassDef, ast.Global, ast.Nonlocal)  # fmt: skip
    return not isinstance(stmt, skip)


def mutants_of(module: str, source: str) -> list[Mutant]:
    """Every mutant of a module, in source order; each one compiles."""
    tree = ast.parse(source)
    finder = _Finder()
    finder.visit(tree)
    lines = source.encode("utf-8").splitlines(keepends=True)
    found: list[Mutant] = []
    seen: dict[tuple[str, ...], int] = {}
    stem = Path(module).stem
    for node, new, op, what, qual, at_import, statement in finder.found:
        start = (node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = (node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        old = _span(lines, start, end)
        span = end[0] - start[0]
        if new == "pass":
            replacement = "pass" + "\n" * span
        else:
            assert isinstance(new, ast.AST)
            text = ast.unparse(new)
            replacement = text if isinstance(node, ast.stmt) else f"({text}{chr(10) * span})"
        mutated = _replace(lines, start, end, replacement)
        try:
            compile(mutated, module, "exec", dont_inherit=True)
        except SyntaxError:
            continue
        key = (qual, op, old, replacement)
        seen[key] = seen.get(key, 0) + 1
        digest = hashlib.sha1("\0".join([*key, str(seen[key])]).encode()).hexdigest()[:8]
        found.append(
            Mutant(
                id=f"{stem}:{qual}:{op}:{digest}",
                module=module,
                line=start[0],
                description=what,
                at_import=at_import,
                lines=tuple(sorted({statement, *range(start[0], end[0] + 1)} - {0})),
                start=start,
                end=end,
                replacement=replacement,
            )
        )
    return found


def _span(lines: Sequence[bytes], start: tuple[int, int], end: tuple[int, int]) -> str:
    if start[0] == end[0]:
        return lines[start[0] - 1][start[1] : end[1]].decode("utf-8")
    parts = [lines[start[0] - 1][start[1] :], *lines[start[0] : end[0] - 1]]
    parts.append(lines[end[0] - 1][: end[1]])
    return b"".join(parts).decode("utf-8")


def _replace(lines: Sequence[bytes], start: tuple[int, int], end: tuple[int, int], new: str) -> str:
    before = b"".join(lines[: start[0] - 1]) + lines[start[0] - 1][: start[1]]
    after = lines[end[0] - 1][end[1] :] + b"".join(lines[end[0] :])
    return (before + new.encode("utf-8") + after).decode("utf-8")


def apply(mutant: Mutant, source: str) -> str:
    return _replace(source.encode("utf-8").splitlines(keepends=True), mutant.start, mutant.end,
                    mutant.replacement)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# The scratch copies and the tests


def _checkout_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout  # fmt: skip
    return sorted(f for f in out.decode().split("\0") if f and (ROOT / f).is_file())


def make_copy(dest: Path) -> Path:
    """A copy of the checkout's files (tracked or not ignored), not its venv or caches."""
    if dest.exists():
        shutil.rmtree(dest)
    for name in _checkout_files():
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    return dest


def tests_digest() -> str:
    """What the tests are: a change to a test or to the tool reruns the survivors."""
    h = hashlib.sha1()
    for name in _checkout_files():
        if name.startswith("tests/") or name in ("bench/mutate_plugin.py", "pyproject.toml"):
            h.update(name.encode() + b"\0" + (ROOT / name).read_bytes() + b"\0")
    return h.hexdigest()[:16]


def code_digest() -> str:
    h = hashlib.sha1()
    for name in _checkout_files():
        if name.startswith(("hetao_cli/", "tests/", "bench/mutate_")):
            h.update(name.encode() + b"\0" + (ROOT / name).read_bytes() + b"\0")
    return h.hexdigest()[:16]


def _env(copy_dir: Path, scratch: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HETAO_")}
    path = [str(copy_dir), str(copy_dir / "bench")]
    if os.environ.get("PYTHONPATH"):
        path.append(os.environ["PYTHONPATH"])
    cache = scratch / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(parents=True)
    env.update(
        PYTHONPATH=os.pathsep.join(path),
        HETAO_CACHE_DIR=str(cache),
        PYTHONHASHSEED="0",
        **extra,
    )
    return env


def _pytest(copy_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider",
            "-p", "no:randomly", "-p", "mutate_plugin", *args]  # fmt: skip


def _run(argv: list[str], cwd: Path, env: dict[str, str], timeout: float) -> tuple[int | None, str]:
    """The exit code (None on timeout) and the output's tail."""
    proc = subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return None, ""
    return proc.returncode, out.decode("utf-8", "replace")[-3000:]


def coverage(scratch: Path) -> dict[str, Any]:
    """Which tests run which lines, how long each takes, which start processes (cached)."""
    path = OUT / f"coverage-{code_digest()}.json"
    if path.exists():
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
    print("tracing the suite once to map tests to lines (a few minutes)…", flush=True)
    copy_dir = make_copy(scratch / "trace")
    trace = scratch / "trace.json"
    env = _env(copy_dir, scratch, HETAO_MUTATE_TRACE=str(trace))
    env["PYTHONPATH"] = os.pathsep.join(
        [str(copy_dir / "bench" / "mutate_trace"), env["PYTHONPATH"]]
    )
    code, out = _run(_pytest(copy_dir, "tests"), copy_dir, env, timeout=3600)
    if code != 0:
        sys.exit(f"the unmutated suite does not pass in the scratch copy (exit {code}):\n{out}")
    traced: dict[str, Any] = json.loads(trace.read_text(encoding="utf-8"))
    OUT.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(traced), encoding="utf-8")
    return traced


def selection(mutant: Mutant, traced: dict[str, Any]) -> list[str]:
    """The tests to run for a mutant, fastest first; those that start processes last.

    A test runs when it runs the mutant's lines, in-process or in a child; a mutant in code
    run at import runs every in-process test, and every test whose children import the module.
    A test that starts processes whose lines could not be traced runs for every mutant."""
    tests: dict[str, Any] = traced["tests"]
    by_time = sorted(tests, key=lambda t: (tests[t]["seconds"], t))
    wanted = set(mutant.lines)
    # Code that runs while the tests are collected (a function module code calls) runs at import.
    at_import = mutant.at_import or bool(wanted & set(traced["collection"].get(mutant.module, ())))

    def runs(lines: dict[str, list[int]] | None) -> bool:
        if lines is None:
            return False
        if at_import:
            return mutant.module in lines
        return bool(wanted & set(lines.get(mutant.module, ())))

    in_process = [
        t for t in by_time
        if not tests[t]["spawns"] and (at_import or runs(tests[t]["lines"]))
    ]  # fmt: skip
    children = [
        t for t in by_time
        if tests[t]["spawns"]
        and (tests[t].get("child_lines") is None or runs(tests[t]["lines"])
             or runs(tests[t]["child_lines"]))
    ]  # fmt: skip
    return in_process + children


# ---------------------------------------------------------------------------------------------
# Running


@dataclass
class Result:
    status: str
    seconds: float
    tests_run: int
    detail: str = ""


def run_mutant(mutant: Mutant, source: str, copy_dir: Path, scratch: Path,
               tests: dict[str, Any], timeout: float | None) -> Result:  # fmt: skip
    chosen = selection(mutant, tests)
    if timeout is None:  # three times what the chosen tests took while traced, and start-up
        timeout = 60 + 3 * sum(tests["tests"][t]["seconds"] for t in chosen)
    if not chosen:
        return Result(SURVIVED, 0.0, 0, "no test runs this code")
    target = copy_dir / mutant.module
    pycache = target.parent / "__pycache__"
    select = scratch / "select.json"
    select.write_text(json.dumps(chosen), encoding="utf-8")
    shutil.rmtree(pycache, ignore_errors=True)
    target.write_text(apply(mutant, source), encoding="utf-8")
    start = time.perf_counter()
    try:
        env = _env(copy_dir, scratch, HETAO_MUTATE_SELECT=str(select))
        files = sorted({t.split("::")[0] for t in chosen})
        code, out = _run(_pytest(copy_dir, "-x", *files), copy_dir, env, timeout)
    finally:
        target.write_text(source, encoding="utf-8")
        shutil.rmtree(pycache, ignore_errors=True)
    seconds = round(time.perf_counter() - start, 1)
    if code is None:
        return Result(TIMEOUT, seconds, len(chosen))
    if code == 0:
        return Result(SURVIVED, seconds, len(chosen))
    if code in (1, 2, 3, 4):  # a test failed, or the mutant broke collection or conftest
        failed = next((ln for ln in out.splitlines() if ln.startswith(("FAILED", "ERROR"))), "")
        return Result(KILLED, seconds, len(chosen), failed[:200])
    return Result(ERROR, seconds, len(chosen), out[-500:])


def equivalents(path: Path) -> dict[str, str]:
    """Mutant ids judged equivalent, with the reason given after `#`."""
    found: dict[str, str] = {}
    if not path.exists():
        return found
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        mid, _, why = line.partition("#")
        found[mid.strip()] = why.strip()
    return found


def _chosen(mutants: list[Mutant], limit: int | None, seed: int) -> list[Mutant]:
    if limit is None or limit >= len(mutants):
        return mutants
    picked = random.Random(f"{seed}:{mutants[0].module}").sample(mutants, limit)
    return sorted(picked, key=lambda m: (m.line, m.id))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--module", action="append", help="a module to mutate (repeatable)")
    parser.add_argument("--limit", type=int, help="a random sample of N mutants a module")
    parser.add_argument("--seed", type=int, default=0, help="the sample's seed (default 0)")
    parser.add_argument("--jobs", type=int, default=1, choices=(1, 2), help="mutants run at once")
    parser.add_argument("--equivalent", type=Path, default=EQUIVALENT, help="ids judged equivalent")
    parser.add_argument(
        "--timeout", type=float, help="seconds a mutant may take (default: 60 + 3x its tests')"
    )
    parser.add_argument("--fresh", action="store_true", help="ignore cached results")
    parser.add_argument("--list", action="store_true", help="list the mutants; run nothing")
    parser.add_argument(
        "--function",
        action="append",
        help="only mutants in this function or method, as ids name it: quote_problem, "
        "LineIndex._index (repeatable; before --limit)",
    )
    args = parser.parse_args(argv)
    modules = args.module or list(DEFAULT_MODULES)
    equivalent = equivalents(args.equivalent)

    plan: list[tuple[Mutant, str]] = []
    for module in modules:
        source = (ROOT / module).read_text(encoding="utf-8")
        found = mutants_of(module, source)
        if args.function:
            found = [m for m in found if m.id.split(":")[1] in args.function]
        for m in _chosen(found, args.limit, args.seed):
            plan.append((m, source))
    if args.list:
        for m, _ in plan:
            print(f"{m.module}:{m.line}: {m.id}: {m.description}")
        return 0

    OUT.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="hetao-mutate-"))
    try:
        return _run_plan(plan, modules, equivalent, scratch, args)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _run_plan(plan: list[tuple[Mutant, str]], modules: list[str], equivalent: dict[str, str],
              scratch: Path, args: argparse.Namespace) -> int:  # fmt: skip
    tests = coverage(scratch)
    timeout: float | None = args.timeout
    digest = tests_digest()
    results: dict[str, Result] = {}
    todo: list[tuple[Mutant, str, Path]] = []
    for m, source in plan:
        if m.id in equivalent:  # judged already: not worth a run
            continue
        # An id names its operator, and "/" or "//" cannot stand in a file's name.
        name = m.id.replace(":", "-").replace("/", "%2F")
        path = OUT / f"{hashlib.sha1(source.encode()).hexdigest()[:12]}-{name}.json"
        if path.exists() and not args.fresh:
            cached = json.loads(path.read_text(encoding="utf-8"))
            if cached["status"] in (KILLED, TIMEOUT) or cached.get("tests") == digest:
                results[m.id] = Result(cached["status"], cached["seconds"], cached["tests_run"],
                                       cached.get("detail", ""))  # fmt: skip
                continue
        todo.append((m, source, path))
    print(f"{len(plan)} mutants, {len(plan) - len(todo)} cached, {len(todo)} to run; "
          f"{args.jobs} at a time", flush=True)  # fmt: skip

    free: queue.Queue[tuple[Path, Path]] = queue.Queue()
    for j in range(args.jobs):
        free.put((make_copy(scratch / f"copy-{j}"), scratch / f"job-{j}"))

    def one(item: tuple[Mutant, str, Path]) -> tuple[Mutant, Result]:
        m, source, path = item
        copy_dir, job = free.get()
        try:
            job.mkdir(exist_ok=True)
            result = run_mutant(m, source, copy_dir, job, tests, timeout)
        finally:
            free.put((copy_dir, job))
        record = {
            "id": m.id,
            "status": result.status,
            "seconds": result.seconds,
            "tests_run": result.tests_run,
            "detail": result.detail,
            "tests": digest,
        }
        path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        return m, result

    done = 0
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for m, result in pool.map(one, todo):
            done += 1
            results[m.id] = result
            print(f"[{done}/{len(todo)}] {result.status:8} {result.seconds:6.1f}s "
                  f"{m.module}:{m.line}: {m.description}", flush=True)  # fmt: skip

    _report(plan, modules, results, equivalent, args)
    return 0


def _report(plan: list[tuple[Mutant, str]], modules: list[str], results: dict[str, Result],
            equivalent: dict[str, str], args: argparse.Namespace) -> None:  # fmt: skip
    sample = f", a sample of {args.limit} a module (seed {args.seed})" if args.limit else ""
    print(f"\nmutation score{sample}")
    head = "module                   mutants equiv killed timeout survived error  score"
    print(head)
    print("-" * len(head))
    survivors: list[Mutant] = []
    for module in modules:
        ms = [m for m, _ in plan if m.module == module]
        eq = [m for m in ms if m.id in equivalent]
        count = {s: sum(1 for m in ms if m.id not in equivalent and results[m.id].status == s)
                 for s in (KILLED, TIMEOUT, SURVIVED, ERROR)}  # fmt: skip
        judged = len(ms) - len(eq)
        score = (count[KILLED] + count[TIMEOUT]) / judged if judged else 1.0
        print(f"{module:24} {len(ms):7} {len(eq):5} {count[KILLED]:6} {count[TIMEOUT]:7} "
              f"{count[SURVIVED]:8} {count[ERROR]:5} {score:6.1%}")  # fmt: skip
        survivors += [
            m for m in ms if m.id not in equivalent and results[m.id].status in (SURVIVED, ERROR)
        ]
    if survivors:
        print("\nsurvivors (judge each: a missing test, or an equivalent mutant)")
        for m in survivors:
            r = results[m.id]
            note = " [error: see bench/out/mutants]" if r.status == ERROR else ""
            if r.status == SURVIVED and r.detail:
                note = f" [{r.detail}]"
            print(f"{m.module}:{m.line}: {m.id}: {m.description}{note}")
    stale = set(equivalent) - {m.id for m, _ in plan}
    if stale and not args.limit and not args.module:
        print(f"\n{len(stale)} ids in {args.equivalent} match no mutant any more: {sorted(stale)}")


if __name__ == "__main__":
    sys.exit(main())
