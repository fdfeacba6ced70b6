"""How fast hetao answers, as whole processes, as ratios to a floor measured in the same run.

    uv run python bench/run.py                 # start-up table: the bundled facts
    uv run python bench/run.py --scale         # scale table: 1,000 / 10,000 / 100,000 entries
    uv run python bench/run.py --quick         # fewer runs; with --scale, 1,000 and 10,000 only
    uv run python bench/run.py --scale --sizes 1000,50000 --runs 3
    uv run python bench/run.py --scale --only check-sources --sizes 1000,10000,100000
    uv run python bench/run.py --scale --only export-sqlite --runs 3

Every command is run as users run it: the venv's `hetao` console script, with compiled bytecode
(this script compiles the venv and hetao_cli once, and unsets PYTHONDONTWRITEBYTECODE for its
children), with stdout to a pipe, and with a private cache folder that the warm-up run fills, as
a user's first run does. The floor is `python -c "import tomllib, json"` on the same
interpreter, interleaved with the commands, so a busy machine slows both alike. Each figure is
the median of the runs after one warm-up run. Targets are reported, not enforced: the exit code
is non-zero only for a usage error.

The scale table times the same commands on synthetic bases (bench/generate.py, written to the
git-ignored bench/out/), as one file and as 50 files, with the parsed-file cache cold (emptied
before the run) and warm. Cost per 1,000 entries is the median over rounds of (time - time
of the same round's run on a base of 200 entries made by the same generator in the same layout,
warm) / ((N - 200) / 1,000), so start-up and the per-file cost of 50 files do not count; "x
prev" compares it with the size before. Peak memory is the child's maximum resident set size,
from /usr/bin/time in the (untimed) warm-up run. Beside each size, "tomli parse only" times a
bare `python -c` that reads the same files with tomli and does nothing else: what a cold run
(the first after a file changes) cannot beat. POSIX only.

`check --sources` rows time `hetao check PATH --sources DIR` against the source texts that
bench/generate.py writes beside each base (bench/out/facts-N-sources/, one text a source, each
holding the ~1,000 quotes that cite it, about 37,000 characters): the source's copy of every
entry's own quote has one character changed, so every entry that carries a quote (all but the
N // 1000 [[source]] entries) has exactly one problem: 99,900 problems at 100,000 entries, each
to be reported with its file and line. Exit 1 (problems found) is success here; the warm-up run
must also print exactly the problems expected, one a line, each naming a .toml file, a line and
the field 'quote' as "not found verbatim". Any other exit code or output is an ERROR line, like
a failing command elsewhere. It runs cold and warm: what it adds to `check` (reading the source
texts, testing each quote, finding each problem's line) is the same work in both states, but a
cold run has each fact file's text in hand when it finds a line and a warm one (from the cache)
has not read it, so a change that is fast in one state need not be in the other. It runs
`--runs` rounds at every size, not more at small sizes like the rest: each entry adds a
problem, so its signal is large, and while each problem re-reads its fact file to find its line
(hetao 0.1.0 as of this change), one run at 2,000 entries in one file takes 17 s. Targets: under
10 s at 100,000 entries (reported for both layouts and both states), and cost per 1,000 entries
within FLAT from 10,000 to 100,000 entries. `--only` times some rows alone, for example only
these.

`export sqlite` rows time `hetao export --format sqlite -o OUT --force --facts PATH`, which
rewrites the same database (in the run's temporary folder) each run: loading the facts, the
tables, the full-text indexes and the views. Targets at 100,000 entries: under 10 s, and a
peak resident memory under 1 GB (from /usr/bin/time, in the warm-up run).
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate, quote_problems, sources_dir  # noqa: E402 - not a package

FLOOR = "floor (import tomllib, json)"
# Measures a child's peak memory without counting this process's (see run_once).
TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else ""
# Start-up targets, as multiples of the floor.
TARGETS = {
    "timeline --json": 2.5,
    "timeline --format table (pipe)": 4.5,
    "org search 量子 --json": 3.0,
    "--help": 4.0,
}
SIZES = (1_000, 10_000, 100_000)
BASE = 200  # entries in the base that start-up is measured on, in the scale table
FLAT = 1.3  # cost per 1,000 entries may grow at most this much from one size to the next
BIG_LIMIT = 2.0  # seconds for `timeline --json` on 100,000 entries, from the cache
SOURCES_LIMIT = 10.0  # seconds for `check --sources` on 100,000 entries, one problem each
EXPORT_LIMIT = 10.0  # seconds for `export --format sqlite` of 100,000 entries
EXPORT_MEMORY_MB = 1024  # its peak resident memory, at most
# The scale table's commands by the names --only takes: (row label, hetao's arguments), where
# {facts} stands for the base (a file or a folder) and {sources} for its source texts.
SCALE_STEPS = {
    "timeline": ("timeline --json", ["timeline", "--json", "--facts", "{facts}"]),
    "search": ("search 量子 --json", ["search", "量子", "--json", "--facts", "{facts}"]),
    "check": ("check", ["check", "{facts}"]),
    "check-sources": ("check --sources", ["check", "{facts}", "--sources", "{sources}"]),
    # Rewrites the same database each run (--force): the load, the tables, the full-text index.
    "export-sqlite": (
        "export sqlite",
        ["export", "--format", "sqlite", "-o", "{out}", "--force", "--facts", "{facts}"],
    ),
}
PARSE_ONLY_STEP = "parse-only"  # the "tomli parse only" rows, for --only
EXPORTED = SCALE_STEPS["export-sqlite"][0]
# One problem line of `check --sources` on a generated base: a file, a line, the entry's quote.
QUOTE_PROBLEM = re.compile(r"^.+\.toml:\d+: .+ field 'quote': quote not found verbatim")
# What a cold run cannot beat: reading the same files with tomli, and nothing else.
PARSE_ONLY = (
    "import pathlib, sys, tomli\n"
    "p = pathlib.Path(sys.argv[1])\n"
    "for f in sorted(p.glob('*.toml')) if p.is_dir() else [p]:\n"
    "    tomli.loads(f.read_text(encoding='utf-8'))\n"
)


@dataclass
class Command:
    label: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    times: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    failure: str = ""
    # When set, the command is to find this many quote problems (see QUOTE_PROBLEM): exit 1.
    problems: int | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def spread(self) -> tuple[float, float]:
        """The 25th and 75th percentile, to show how noisy the machine was."""
        if len(self.times) < 4:
            return min(self.times), max(self.times)
        q = statistics.quantiles(self.times, n=4)
        return q[0], q[2]

    def fault(self, code: int, stderr: str, stdout: bytes | None = None) -> str:
        """What is wrong with a run, or "": a command must exit 0, unless it is to find
        problems; then it must exit 1 and, when its stdout was kept, list exactly those."""
        said = stderr.strip()[:300]
        if self.problems is None:
            return f"exit {code}: {said}" if code != 0 else ""
        if code != 1:
            return f"exit {code}, not 1 (problems found): {said}"
        if stdout is None:
            return ""
        lines = stdout.decode("utf-8", "replace").splitlines()
        odd = [line for line in lines if not QUOTE_PROBLEM.match(line)]
        if len(lines) == self.problems and not odd:
            return ""
        example = f"; e.g. {odd[0][:200]!r}" if odd else ""
        return (
            f"expected {self.problems} quote problems, each with a file and line; got "
            f"{len(lines)} lines, {len(odd)} of them not such a problem{example}: {said}"
        )


# ---------------------------------------------------------------------------------------------
# Running children


def hetao_argv() -> tuple[list[str], str]:
    """The console script next to this interpreter, as users run it; else `python -m`."""
    folder = Path(sys.executable).parent
    for name in ("hetao", "hetao.exe"):
        script = folder / name
        if script.is_file():
            return [str(script)], f"console script {script}"
    return [sys.executable, "-m", "hetao_cli"], f"{sys.executable} -m hetao_cli (no console script)"


def child_env(cache: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of every child: bytecode on, bundled facts, a private cache folder."""
    env = dict(os.environ)
    for name in (
        "PYTHONDONTWRITEBYTECODE",
        "HETAO_FACTS",
        "HETAO_LANG",
        "HETAO_NO_CACHE",
        "NO_COLOR",
        "FORCE_COLOR",
        "COLUMNS",
        "PYTHONPROFILEIMPORTTIME",
    ):
        env.pop(name, None)
    env["HETAO_CACHE_DIR"] = str(cache)
    env.update(extra or {})
    return env


def run_once(
    argv: Sequence[str], env: dict[str, str], memory: bool = False, keep: list[bytes] | None = None
) -> tuple[float, int, int, str]:
    """(seconds, peak RSS in KiB, exit code, stderr) of one child, its stdout read from a pipe
    (and added to `keep` when given: do that only in untimed runs).

    A child's ru_maxrss counts the memory of the process it was forked from (this one), so
    peak memory is measured only in untimed runs, through /usr/bin/time, which forks small.
    """
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as rss:
        if memory and TIME:
            argv = [TIME, "-f", "%M", "-o", rss.name, *argv]
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err, env=env)
        assert proc.stdout is not None
        while chunk := proc.stdout.read(1 << 16):
            if keep is not None:
                keep.append(chunk)
        proc.stdout.close()
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
        peak = usage.ru_maxrss
        if memory and TIME:
            text = rss.read().strip().splitlines()
            peak = int(text[-1]) if text and text[-1].isdigit() else 0
    return elapsed, peak, code, stderr


def measure(commands: list[Command], runs: int, env_base: dict[str, str]) -> None:
    """One warm-up run each, then `runs` rounds; each round runs every command once, in an
    order rotated by one each round, so no command always follows the same one."""
    for rnd in range(-1, runs):
        shift = max(rnd, 0) % len(commands)
        for cmd in commands[shift:] + commands[:shift]:
            elapsed, rss, code, stderr = run_once(cmd.argv, {**env_base, **cmd.env}, rnd < 0)
            if not cmd.failure:
                cmd.failure = cmd.fault(code, stderr)
            if rnd >= 0:
                cmd.times.append(elapsed)
            else:
                cmd.rss_kb.append(rss)


def ensure_bytecode(env: dict[str, str]) -> None:
    """Compile the venv's packages and hetao_cli once, as `UV_COMPILE_BYTECODE=1 uv sync` would."""
    import hetao_cli

    folders = {sysconfig.get_paths()["purelib"], str(Path(hetao_cli.__file__).parent)}
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "-j", "0", *sorted(folders)],
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def progress(message: str) -> None:
    """What is being measured, on stderr: a full --scale run takes minutes."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


def pad(text: str, width: int) -> str:
    """Left-justify to a terminal width: a CJK character takes two columns."""
    wide = sum(unicodedata.east_asian_width(c) in "WF" for c in text)
    return text + " " * max(0, width - len(text) - wide)


# ---------------------------------------------------------------------------------------------
# The machine


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine(hetao: list[str], env: dict[str, str], how: str) -> list[str]:
    cores = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    version = subprocess.run([*hetao, "--version"], env=env, capture_output=True, text=True)
    return [
        f"machine: {cpu_model()}, {cores} cores ({usable} usable), {platform.system()} "
        f"{platform.release()}",
        f"python:  {platform.python_implementation()} {platform.python_version()} "
        f"({sys.executable})",
        f"hetao:   {version.stdout.strip() or '?'}, run as the {how}",
    ]


# ---------------------------------------------------------------------------------------------
# The start-up table


def startup(runs: int, cache: Path) -> list[str]:
    hetao, how = hetao_argv()
    env = child_env(cache)
    ensure_bytecode(env)
    table_env = {"FORCE_COLOR": "1", "COLUMNS": "120"}
    commands = [
        Command(FLOOR, [sys.executable, "-c", "import tomllib, json"]),
        Command("timeline --json", [*hetao, "timeline", "--json"]),
        Command(
            "timeline --format table (pipe)", [*hetao, "timeline", "--format", "table"], table_env
        ),
        Command("org search 量子 --json", [*hetao, "org", "search", "量子", "--json"]),
        Command("stats --area --json", [*hetao, "stats", "--area", "--json"]),
        Command("--help", [*hetao, "--help"]),
        Command("check", [*hetao, "check"]),
    ]
    progress(f"start-up: {runs} rounds of {len(commands)} commands")
    measure(commands, runs, env)
    floor = commands[0].median
    lines = machine(hetao, env, how)
    lines.append(
        f"floor:   {floor * 1000:.1f} ms median of {runs} runs after a warm-up: "
        f"{sys.executable} -c 'import tomllib, json',"
    )
    how_rss = "" if TIME else " (with this process's own: no /usr/bin/time here)"
    lines.append(
        "         interleaved with the commands; the table runs with FORCE_COLOR=1 "
        f"COLUMNS=120; peak = max RSS{how_rss}"
    )
    lines.append("")
    head = (
        f"{'command':<32} {'median':>8} {'p25-p75':>13} {'x floor':>8} {'target':>7}  "
        f"{'':4} {'peak':>7}"
    )
    lines += [head, "-" * len(head)]
    failed = []
    for cmd in commands:
        low, high = cmd.spread()
        ratio = cmd.median / floor
        target = TARGETS.get(cmd.label)
        verdict = ""
        if cmd.failure:
            verdict = "ERROR"
        elif target is not None:
            verdict = "PASS" if ratio <= target else "FAIL"
            if verdict == "FAIL":
                failed.append(cmd.label)
        lines.append(
            f"{pad(cmd.label, 32)} {cmd.median * 1000:6.1f}ms "
            f"{low * 1000:5.1f}-{high * 1000:5.1f}ms "
            f"{ratio:7.2f}x {f'<={target}x' if target else '':>7}  {verdict:4} "
            f"{max(cmd.rss_kb) / 1024:5.1f}MB"
        )
    for cmd in commands:
        if cmd.failure:
            lines.append(f"ERROR {cmd.label}: {cmd.failure}")
    if failed:
        lines += ["", *import_costs(hetao, env)]
    return lines


def import_costs(hetao: list[str], env: dict[str, str]) -> list[str]:
    """Where `timeline --json` spends its imports: each package hetao_cli imports, with all it
    pulls in (cumulative), and hetao_cli's own modules (self time)."""
    argv = [sys.executable, "-X", "importtime", "-m", "hetao_cli", "timeline", "--json"]
    proc = subprocess.run(argv, env=env, capture_output=True, text=True)
    rows = []  # (depth, name, self us, cumulative us), in the order Python prints them
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if len(parts) != 3 or not parts[0].startswith("import time:") or "self" in parts[0]:
            continue
        name = parts[2].rstrip()
        depth = (len(name) - len(name.lstrip())) // 2
        rows.append((depth, name.strip(), int(parts[0].split(":")[1]), int(parts[1])))
    buckets: dict[str, int] = {}
    stack: list[tuple[str, bool]] = []  # the ancestors of the row: (name, inside a package)
    for depth, name, own, cumulative in reversed(rows):  # now parents come before children
        del stack[depth:]
        parent, covered = stack[-1] if stack else ("", False)
        if covered:
            key = ""  # counted in its package's cumulative time
        elif name.split(".")[0] == "hetao_cli":
            key, us = "hetao_cli (own)", own
        elif parent.split(".")[0] == "hetao_cli":
            key, us, covered = name.split(".")[0], cumulative, True
        else:
            key, us = "python start-up", own
        if key:
            buckets[key] = buckets.get(key, 0) + us
        stack.append((name, covered))
    top = sorted(buckets.items(), key=lambda kv: -kv[1])[:8]
    shown = ", ".join(f"{name} {us / 1000:.1f}" for name, us in top)
    return [
        "a target failed; imports of timeline --json (python -X importtime -m hetao_cli "
        "timeline --json), in ms:",
        f"  {shown}",
    ]


# ---------------------------------------------------------------------------------------------
# The scale table


def runs_for(n: int, runs: int) -> int:
    """More runs where a run is cheap: at 1,000 entries the signal is a few ms over start-up."""
    return min(60, max(runs, round(runs * 20_000 / n)))


def scale(sizes: Sequence[int], runs: int, cache: Path, only: Collection[str] = ()) -> list[str]:
    """The scale table; `only` names the rows to time (see SCALE_STEPS), all when empty."""
    hetao, how = hetao_argv()
    env = child_env(cache)
    ensure_bytecode(env)
    picked = [s for s in (*SCALE_STEPS, PARSE_ONLY_STEP) if not only or s in only]
    lines = machine(hetao, env, how)
    grouped = [s for s in picked if s != "check-sources"]
    rounds = " / ".join(str(runs_for(n, runs)) for n in sizes)
    if grouped:
        lines.append(
            f"runs:    median of {rounds} runs after a warm-up; cold = cache emptied before "
            "the run (parse + write), warm = cache kept"
        )
    if "check-sources" in picked:
        lines.append(
            f"{'' if grouped else 'runs:':<9}check --sources: median of {runs} runs at every "
            "size after a warm-up, which must list one quote problem an entry"
        )
    lines.append(
        f"per 1k:  median over rounds of (run - the same round's run of the same command on "
        f"{BASE} generated entries in the same layout, warm) / ((entries - {BASE}) / 1,000)"
    )
    lines.append("")
    head = (
        f"{'entries':>7} {'layout':<9} {'command':<18} {'cache':<5} {'median':>8} "
        f"{'start-up':>9} {'per 1k':>8} {'x prev':>7} {'peak':>7}"
    )
    lines += [head, "-" * len(head)]
    per_k: dict[tuple[str, str, str], list[tuple[int, float]]] = {}
    errors: list[str] = []
    big: dict[tuple[str, str, str], float] = {}  # (label, layout, state): seconds at 100,000
    parse_only: dict[str, float] = {}
    memory: dict[tuple[str, str], float] = {}  # export's peak MB at 100,000, by layout, state
    base_env = {"HETAO_CACHE_DIR": str(cache.with_name("cache-base"))}
    bases = dict(zip(("one file", "50 files"), generate(BASE), strict=True))

    def commands_for(step: str, n: int, layout: str, path: Path) -> list[Command]:
        label, args = SCALE_STEPS[step]
        made = []
        for state, size, facts in (
            ("base", BASE, bases[layout]),
            ("cold", n, path),
            ("warm", n, path),
        ):
            out = cache.with_name(f"export-{state}.db")
            words = {"facts": str(facts), "sources": str(sources_dir(size)), "out": str(out)}
            cmd = Command(f"{label}|{state}", [*hetao, *(a.format(**words) for a in args)])
            if step == "check-sources":
                cmd.problems = quote_problems(size)
            if state == "base":
                cmd.env = base_env
            made.append(cmd)
        return made

    for n in sizes:
        one, split = generate(n)
        for layout, path in (("one file", one), ("50 files", split)):
            commands: list[Command] = []
            for step in picked:
                if step == PARSE_ONLY_STEP:
                    argv = [sys.executable, "-c", PARSE_ONLY, str(path)]
                    commands.append(Command("tomli parse only|floor", argv))
                elif step != "check-sources":
                    commands.extend(commands_for(step, n, layout, path))
            if commands:
                progress(f"{n:,} entries, {layout}: {runs_for(n, runs)} rounds of {len(commands)}")
                measure_scale(commands, runs_for(n, runs), env, cache)
            if "check-sources" in picked:
                # Its own rounds: not more of them at small sizes (see the module docstring).
                sourced = commands_for("check-sources", n, layout, path)
                progress(f"{n:,} entries, {layout}: {runs} rounds of check --sources")
                measure_scale(sourced, runs, env, cache)
                commands += sourced
            base = {c.label.split("|")[0]: c for c in commands if c.label.endswith("|base")}
            for cmd in commands:
                label, state = cmd.label.split("|")
                if cmd.failure:
                    errors.append(f"ERROR {n} {layout} {label} {state}: {cmd.failure}")
                if state == "base":
                    continue
                if state == "floor":
                    lines.append(
                        f"{n:>7} {layout:<9} {pad(label, 24)} {cmd.median:7.3f}s "
                        "(python -c: tomli.loads of each file, nothing else)"
                    )
                    if n == 100_000:
                        parse_only[layout] = cmd.median
                    continue
                # Paired: each run less the base's run of the same round, so a machine that
                # slows for a while slows both sides of a difference alike.
                paired = [t - b for t, b in zip(cmd.times, base[label].times, strict=True)]
                cost = statistics.median(paired) / ((n - BASE) / 1000)
                series = per_k.setdefault((layout, label, state), [])
                prev = f"{cost / series[-1][1]:6.2f}x" if series and series[-1][1] > 0 else ""
                series.append((n, cost))
                lines.append(
                    f"{n:>7} {layout:<9} {pad(label, 18)} {state:<5} {cmd.median:7.3f}s "
                    f"{base[label].median * 1000:7.0f}ms {cost * 1000:6.1f}ms {prev:>7} "
                    f"{max(cmd.rss_kb) / 1024:5.0f}MB"
                )
                if n == 100_000 and label in ("timeline --json", "check --sources", EXPORTED):
                    big[(label, layout, state)] = cmd.median
                if n == 100_000 and label == EXPORTED:
                    memory[(layout, state)] = max(cmd.rss_kb) / 1024
    lines.append("")
    sourced_label = SCALE_STEPS["check-sources"][0]
    for (layout, label, state), series in per_k.items():
        if len(series) < 2:
            continue
        steps_ = [b / a for (_, a), (_, b) in itertools.pairwise(series) if a > 0]
        worst = max(steps_) if steps_ else float("inf")
        verdict = "PASS" if worst <= FLAT else "FAIL"
        lines.append(
            f"flat per 1,000 entries: {pad(label, 18)} {layout:<9} {state:<5} worst step "
            f"{worst:5.2f}x (target <= {FLAT}x)  {verdict}"
        )
    for (layout, label, state), series in per_k.items():
        costs = dict(series)
        if label != sourced_label or 10_000 not in costs or 100_000 not in costs:
            continue
        ratio = costs[100_000] / costs[10_000] if costs[10_000] > 0 else float("inf")
        verdict = "PASS" if ratio <= FLAT else "FAIL"
        lines.append(
            f"10,000 -> 100,000 entries: {label} {layout:<9} {state:<5} per 1k "
            f"{costs[10_000] * 1000:.1f} -> {costs[100_000] * 1000:.1f} ms, {ratio:.2f}x "
            f"(target <= {FLAT}x)  {verdict}"
        )
    for (label, layout, state), seconds in big.items():
        head = f"100,000 entries: {pad(label, 18)} {layout:<9} {state:<5} {seconds:5.2f} s "
        if label == EXPORTED:
            peak = memory.get((layout, state), 0.0)
            fits = seconds < EXPORT_LIMIT and peak < EXPORT_MEMORY_MB
            lines.append(
                f"{head}(target < {EXPORT_LIMIT:g} s), peak {peak:.0f} MB (target < "
                f"{EXPORT_MEMORY_MB} MB)  {'PASS' if fits else 'FAIL'}"
            )
        elif label == sourced_label:
            verdict = "PASS" if seconds < SOURCES_LIMIT else "FAIL"
            problems = quote_problems(100_000)
            lines.append(
                f"{head}(target < {SOURCES_LIMIT:g} s, {problems:,} quote problems)  {verdict}"
            )
        elif state == "warm":
            verdict = "PASS" if seconds < BIG_LIMIT else "FAIL"
            lines.append(f"{head}(target < {BIG_LIMIT:g} s)  {verdict}")
        elif layout in parse_only:
            lines.append(
                f"{head}(first run after a change: parse, check, write the cache; "
                f"tomli's parse alone takes {parse_only[layout]:.2f} s)"
            )
    return lines + errors


def measure_scale(commands: list[Command], runs: int, env: dict[str, str], cache: Path) -> None:
    """Like measure(), but a cold command first empties the cache; cold runs before warm. The
    warm-up run of a command that is to find problems keeps its stdout, to check them."""
    for rnd in range(-1, runs):
        for cmd in commands:
            if cmd.label.endswith("|cold"):
                shutil.rmtree(cache, ignore_errors=True)
            keep: list[bytes] | None = [] if rnd < 0 and cmd.problems is not None else None
            elapsed, rss, code, stderr = run_once(cmd.argv, {**env, **cmd.env}, rnd < 0, keep)
            if not cmd.failure:
                cmd.failure = cmd.fault(code, stderr, None if keep is None else b"".join(keep))
            if rnd >= 0:
                cmd.times.append(elapsed)
            else:
                cmd.rss_kb.append(rss)


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Time hetao as whole processes, as ratios to a floor measured alongside.",
        epilog="Targets are reported, not enforced: the exit code is non-zero only on a usage "
        "error.",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=None,
        help="runs per command after the warm-up (default 20; 5 with --scale)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="10 runs (3 with --scale, sizes 1,000 and 10,000 only)"
    )
    parser.add_argument(
        "--scale", action="store_true", help="the scale table instead of the start-up table"
    )
    parser.add_argument(
        "--sizes",
        default=None,
        help=f"with --scale: entries per base, comma-separated (default "
        f"{','.join(map(str, SIZES))})",
    )
    names = ",".join((*SCALE_STEPS, PARSE_ONLY_STEP))
    parser.add_argument(
        "--only",
        default=None,
        metavar="NAMES",
        help=f"with --scale: time only these rows, comma-separated, of {names} (default all)",
    )
    args = parser.parse_args(argv)
    if not hasattr(os, "wait4"):
        parser.error("this benchmark needs a POSIX system (os.wait4)")
    try:
        import hetao_cli  # noqa: F401 - the children import it from this interpreter's venv
    except ImportError:
        parser.error("hetao_cli is not importable: run it as `uv run python bench/run.py`")
    sizes: tuple[int, ...] = SIZES[:2] if args.quick else SIZES
    if args.sizes:
        try:
            sizes = tuple(int(s) for s in args.sizes.split(","))
        except ValueError:
            parser.error(f"--sizes: expected numbers separated by commas, got {args.sizes!r}")
        if any(n <= BASE for n in sizes):
            parser.error(f"--sizes: each size must be more than {BASE}, the base's")
    only: tuple[str, ...] = ()
    if args.only is not None:
        if not args.scale:
            parser.error("--only needs --scale")
        only = tuple(s.strip() for s in args.only.split(",") if s.strip())
        unknown = [s for s in only if s not in (*SCALE_STEPS, PARSE_ONLY_STEP)]
        if unknown or not only:
            parser.error(f"--only: expected names among {names}, got {args.only!r}")
    least, quick, full = (3, 3, 5) if args.scale else (10, 10, 20)
    if args.runs is not None and args.runs < least:
        parser.error(f"--runs must be at least {least}")
    runs = args.runs or (quick if args.quick else full)
    with tempfile.TemporaryDirectory(prefix="hetao-bench-") as tmp:
        cache = Path(tmp) / "cache"
        lines = scale(sizes, runs, cache, only) if args.scale else startup(runs, cache)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
