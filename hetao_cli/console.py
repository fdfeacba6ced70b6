"""The streams: data to stdout, messages to stderr; the Rich console; exit statuses; closed
pipes and full disks. It holds no logic about facts: the CLI hands it text and renderables."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from enum import Enum, IntEnum
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, cast

from .output import visible

if TYPE_CHECKING:
    from .problems import Problem


class ExitStatus(IntEnum):
    """What hetao's exit code means; scripts may rely on each."""

    OK = 0  # success
    NOT_FOUND = 1  # nothing found (an empty listing or search), or problems found by `check`
    USAGE = 2  # a usage error, an unknown id or name too (click exits 2 for its own)
    FACTS = 3  # a fact file is unreadable or invalid
    WRITE_ERROR = 74  # sysexits EX_IOERR: the output could not be written (a full disk)
    INTERRUPTED = 130  # Ctrl-C


class Color(str, Enum):
    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


def exit_with(status: ExitStatus) -> NoReturn:
    raise SystemExit(int(status))


class Streams:
    """Where output goes: data to `stdout`, messages to `stderr`."""

    def __init__(self, stdout: TextIO, stderr: TextIO) -> None:
        self.stdout = stdout
        self.stderr = stderr

    def is_terminal(self) -> bool:
        isatty = getattr(self.stdout, "isatty", None)
        return bool(isatty and isatty())

    def write(self, text: str, json_: bool = False) -> None:
        """Data on stdout; JSON escaped to what stdout's encoding carries."""
        if json_:
            text = encodable_json(text, self.stdout.encoding)
        try:
            self.stdout.write(text)
            self.stdout.flush()
        except BrokenPipeError:
            self.closed_pipe()
        except OSError as exc:
            self.unwritable(exc)

    def print_rich(self, renderable: Any, color: Color) -> None:
        """A Rich renderable on stdout, in colour as `color`, NO_COLOR and the terminal say."""
        from rich.console import Console

        streams = self

        class _Console(Console):
            def on_broken_pipe(self) -> None:
                # Rich's own handler exits 1; a closed pipe is success here.
                self.quiet = True
                streams.closed_pipe()

        always = color is Color.ALWAYS
        # Rich's no_color drops colours but keeps bold; "never" (or NO_COLOR) means no escapes.
        plain = color is Color.NEVER or (not always and os.environ.get("NO_COLOR", "") != "")
        console = _Console(
            _environ=_sane_size(os.environ),
            file=self.stdout,
            markup=False,
            emoji=False,
            highlight=False,
            force_terminal=True if always else None,
            no_color=False if always else None,
            color_system=None if plain else "auto",
        )
        try:
            console.print(renderable)
            self.stdout.flush()
        except BrokenPipeError:
            self.closed_pipe()
        except OSError as exc:
            self.unwritable(exc)

    def say(self, message: str) -> None:
        """A message for the person, on stderr: one line, whatever text it echoes (a query,
        a path, a key or a problem from a fact file), each control character shown escaped."""
        print(f"hetao: {visible(message)}", file=self.stderr)

    def fail(self, message: str, status: ExitStatus = ExitStatus.NOT_FOUND) -> NoReturn:
        self.say(message)
        exit_with(status)

    def problems(self, problems: Sequence[Problem], limit: int = 20) -> NoReturn:
        """A fact file that cannot be used: its first problems, then exit 3."""
        for p in problems[:limit]:
            self.say(str(p))
        more = len(problems) - limit
        if more > 0:
            self.say(f"... and {more} more problems (hetao check lists them all)")
        exit_with(ExitStatus.FACTS)

    def unwritable(self, exc: OSError) -> NoReturn:
        """stdout refuses the output (`> /dev/full`): say so once, drop what is still buffered."""
        _discard(self.stdout)
        self.fail(f"cannot write the output: {exc.strerror or exc}", ExitStatus.WRITE_ERROR)

    def closed_pipe(self) -> NoReturn:
        """The reader went away (`| head`): end quietly, as a pipe's writer should."""
        _discard(self.stdout)
        exit_with(ExitStatus.OK)


MIN_COLUMNS = 20  # a narrower COLUMNS (0, 1: a broken setting) is taken as unset
MIN_LINES = 2


def _sane_size(env: Mapping[str, str]) -> Mapping[str, str]:
    """The environment Rich reads, less a COLUMNS or LINES too small to draw anything in."""
    bad = [
        name
        for name, least in (("COLUMNS", MIN_COLUMNS), ("LINES", MIN_LINES))
        if name in env and not (env[name].strip().isdigit() and int(env[name]) >= least)
    ]
    return {k: v for k, v in env.items() if k not in bad} if bad else env


def _discard(stream: TextIO) -> None:
    """Point the stream's descriptor at /dev/null, so the interpreter's last flush of what is
    still buffered fails nowhere."""
    try:
        fd = stream.fileno()
    except (OSError, ValueError):
        return  # not a real file (a test's buffer): nothing is flushed at exit
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def finish_streams(code: Any, failed: OSError | None = None) -> Any:
    """Flush stdout and stderr before the process ends, and the exit code that results.
    `failed`: what stdout raised while the command ran, if anything (stderr never raises: see
    _Forgiving). A closed pipe keeps the code; a stdout that cannot be written makes it 74,
    said on stderr if stderr still works. A failed stream is pointed at /dev/null, so that the
    interpreter's own last flush cannot fail again."""
    try:
        if failed is not None:
            raise failed
        sys.stdout.flush()
    except BrokenPipeError:
        _discard(sys.stdout)
        code = ExitStatus.OK if failed is not None else code
    except OSError as exc:
        _discard(sys.stdout)
        Streams(sys.stdout, sys.stderr).say(f"cannot write the output: {exc.strerror or exc}")
        code = ExitStatus.WRITE_ERROR
    sys.stderr.flush()  # forgiving (see _Forgiving): it does not raise
    return code


def echoed(text: str, limit: int = 80) -> str:
    """The person's own text in a message: quoted, and cut when long (a 10,000-character query)."""
    quoted = repr(text)
    return quoted if len(quoted) <= limit else quoted[: limit - 1] + "…"


def encodable_json(text: str, encoding: str | None) -> str:
    """JSON that the stream's encoding can carry (PYTHONIOENCODING=ascii): if it cannot, every
    non-ASCII character becomes a \\u escape, which is valid JSON (such characters stand only
    inside strings); backslashreplace's \\xNN would not be."""
    name = (encoding or "utf-8").lower().replace("-", "").replace("_", "")
    if name in ("utf8", "utf16", "utf32"):  # carries every character: no need to try
        return text
    try:
        text.encode(encoding or "utf-8")
    except UnicodeEncodeError:
        import json
        import re

        return re.sub(r"[^\x00-\x7f]", lambda m: json.dumps(m[0])[1:-1], text)
    except LookupError:
        pass
    return text


def reopen_closed_streams() -> bool:
    """Python sets sys.stdout or sys.stderr to None when its descriptor is closed at start
    (`hetao timeline >&-`). Point it at /dev/null, taking the descriptor back so that no file
    opened later lands on it; return whether stdout was closed."""
    closed = sys.stdout is None
    for fd, name in ((1, "stdout"), (2, "stderr")):
        if getattr(sys, name) is None:
            devnull = os.open(os.devnull, os.O_WRONLY)
            if devnull != fd:
                os.dup2(devnull, fd)
                os.close(devnull)
            setattr(sys, name, open(fd, "w", encoding="utf-8", closefd=False))  # noqa: SIM115
    return closed


class _Forgiving:
    """stderr that, once it cannot be written (`2>/dev/full`), goes quiet rather than fail:
    there is nowhere left to say anything, and the exit code still tells what happened."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._failed = False

    def write(self, text: str) -> int:
        if not self._failed:
            try:
                return self._stream.write(text)
            except OSError:
                self._give_up()
        return len(text)

    def flush(self) -> None:
        if not self._failed:
            try:
                self._stream.flush()
            except OSError:
                self._give_up()

    def _give_up(self) -> None:
        self._failed = True
        _discard(self._stream)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def prepare_process_streams() -> None:
    """For the console script: closed streams reopened, text that the terminal's encoding
    cannot show written as backslash escapes rather than failing, and a stderr that fails
    given up on quietly."""
    closed = reopen_closed_streams()
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    sys.stderr = cast(TextIO, _Forgiving(sys.stderr))
    if closed:
        Streams(sys.stdout, sys.stderr).say("standard output is closed; the output is discarded")
