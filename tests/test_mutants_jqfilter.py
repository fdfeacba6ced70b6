"""--jq's messages, where a mutation run of jqfilter.py found that no test said it
(bench/mutate.py, every mutant of it, seed 12): jq's own lines only, joined by "; ", and a
message for an error that has none."""

from __future__ import annotations

from conftest import invoke


def _error(expression: str) -> str:
    result = invoke("show", "siqa", "--jq", expression)
    assert result.exit_code == 2, result.output
    line = " ".join(result.stderr.split())
    assert "Invalid value for '--jq': " in line, line
    return line.split("Invalid value for '--jq': ", 1)[1]


def test_a_compile_error_gives_jq_s_lines_without_the_echo_and_caret() -> None:
    """jq says "jq: error: syntax error, ... column 3:", then echoes `.[0` with a caret under
    it, then "jq: 1 compile error": the message is the two jq: lines, joined by "; "."""
    message = _error(".[0")
    assert message.startswith("jq: error: syntax error")
    assert message.endswith("line 1, column 3; jq: 1 compile error")
    assert "^" not in message and ".[0" not in message


def test_an_error_without_words_is_still_a_message() -> None:
    """`error("")` fails with an empty message: hetao says "jq failed"."""
    assert _error('error("")').strip() == "jq failed"
