"""--jq: a command's JSON output filtered through a jq expression, as gh's --jq does, with no
jq program installed: the jq binding, imported here and only when the option is given."""

from __future__ import annotations

import json
from typing import Any

from .output import json_visible


class BadExpression(ValueError):
    """A jq expression that does not compile, or fails on the output: jq's own message."""


def compiled(expression: str) -> Any:
    """The jq program of an expression; BadExpression with jq's message when it is invalid."""
    import jq

    try:
        return jq.compile(expression)
    except ValueError as exc:
        raise BadExpression(_message(exc)) from None


def filtered(program: Any, text: str) -> str:
    """Each result of the program on the JSON text, on a line of its own, as jq prints it:
    objects and arrays indented by two spaces, strings as JSON strings (quoted), no result no
    line. BadExpression when jq fails on this input (`.[0]` of an object)."""
    try:
        results = program.input_text(text).all()
        lines = [json.dumps(r, ensure_ascii=False, indent=2, allow_nan=False) for r in results]
    except ValueError as exc:  # jq's error, or a result JSON cannot write (NaN)
        raise BadExpression(_message(exc)) from None
    return json_visible("".join(line + "\n" for line in lines))


def _message(exc: ValueError) -> str:
    """jq's message on one line, as a usage error has it: its `jq: ...` lines, without the
    echo of the expression and the caret under it that a compile error adds."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    own = [line.rstrip(":") for line in lines if line.startswith("jq: ")]
    return "; ".join(own or lines) or "jq failed"
