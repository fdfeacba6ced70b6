"""The streams and colours, where a mutation run of console.py found that no test said it
(bench/mutate.py, a sample of 30, seed 11)."""

from __future__ import annotations

from conftest import invoke


def test_color_auto_can_be_typed_and_follows_the_environment() -> None:
    """`--color auto` is the default written out: no escapes off a terminal, escapes with
    FORCE_COLOR, none with NO_COLOR."""
    plain = invoke("stats", "--format", "table", "--color", "auto")
    assert plain.exit_code == 0, plain.stderr
    assert plain.stdout.strip() and "\x1b[" not in plain.stdout
    forced = invoke("stats", "--format", "table", "--color", "auto", env={"FORCE_COLOR": "1"})
    assert forced.exit_code == 0 and "\x1b[" in forced.stdout
    assert "[default: auto]" in invoke("stats", "--help").stdout


def test_a_long_value_is_echoed_cut_to_80_characters() -> None:
    """A person's own text in a message is quoted and cut at 80 characters, the last an
    ellipsis: the quote and 78 of the 100 letters typed."""
    result = invoke("timeline", "--lang", "x" * 100)
    assert result.exit_code == 2
    assert "'" + "x" * 78 + "… is not a language" in " ".join(result.stderr.split())
    assert "x" * 79 not in result.stderr
