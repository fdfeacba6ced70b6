"""Problems name the right line: headers and keys inside multi-line strings are text, not
structure; quoted headers and keys are headers and keys; placing many problems stays linear."""

from __future__ import annotations

from pathlib import Path

import hypothesis.strategies as st
from conftest import problems_json
from hypothesis import given

from hetao_cli.problems import LineIndex

SOURCE = '[[source]]\nid = "s"\ntitle = "t"\npublisher = "p"\npublished = "2020"\n'


def test_a_header_inside_a_multi_line_string_is_text(tmp_path: Path) -> None:
    text = SOURCE + (
        '[[event]]\nid = "one"\ndate = "2020"\nsource = "s"\nquote = "q"\n'
        'title = """\n[[event]]\nid = "fake"\nbogus = 1\n"""\n'
        "date_note = '''\n[[event]]\n'''\n"
        '[[event]]\nid = "two"\ndate = "2020"\ntitle = "t"\nsource = "s"\nquote = "q"\n'
        "bogus = 1\n"
    )
    path = tmp_path / "strings.toml"
    path.write_text(text, encoding="utf-8")
    (problem,) = problems_json(path)
    assert (problem["id"], problem["field"], problem["index"]) == ("two", "bogus", 1)
    assert text.splitlines()[problem["line"] - 1] == "bogus = 1"
    assert problem["line"] == len(text.splitlines())


def test_quoted_headers_and_keys_are_found(tmp_path: Path) -> None:
    text = (
        SOURCE
        + '[[ "event" ]]\nid = "one"\n"date" = "2020-13"\ntitle = "t"\nsource = "s"\nquote = "q"\n'
    )
    path = tmp_path / "quoted.toml"
    path.write_text(text, encoding="utf-8")
    (problem,) = problems_json(path)
    assert problem["field"] == "date"
    assert text.splitlines()[problem["line"] - 1] == '"date" = "2020-13"'


def test_escaped_quotes_do_not_close_a_string() -> None:
    text = (
        '[[event]]\nid = "a"\ntitle = "x \\" [[event]] \\\\"\nnote = """ \\""" still\n'
        '[[event]]\n"""\n[[event]]\nid = "b"\n'
    )
    lines = LineIndex(text)
    assert lines.entry("event", 0) == 1
    assert lines.entry("event", 1) == 7
    assert lines.entry("event", 2) is None
    assert lines.entry("event", 1, "id") == 8
    assert lines.entry("event", 0, "note") == 4


def test_top_level_keys_and_tables() -> None:
    lines = LineIndex('a = 1\n"b" = 2\n[c]\nd = 3\n[[e]]\n')
    assert [lines.key(k) for k in ("a", "b", "c", "d", "e", "zz")] == [1, 2, 3, None, 5, None]


def test_many_problems_are_each_placed(tmp_path: Path) -> None:
    """4,000 unknown top-level keys and 3,000 unknown fields: each problem on its own line
    (placing them once scanned the whole file a problem)."""
    lines = [f"k{i} = {i}" for i in range(4000)] + [SOURCE]
    for i in range(3000):
        lines.append(f'[[event]]\nid = "e{i}"\ndate = "2020"\ntitle = "t"\nsource = "s"\n'
                     f'quote = "q"\nbogus{i % 7} = 1')  # fmt: skip
    path = tmp_path / "many.toml"
    text = "\n".join(lines) + "\n"
    path.write_text(text, encoding="utf-8")
    found = problems_json(path)
    assert len(found) == 7000
    source = text.splitlines()
    for p in found:
        line = source[p["line"] - 1]
        if p["kind"] is None:  # "unknown table [[k12]]": on the line `k12 = 12`
            key = p["message"].split("[[")[1].split("]]")[0]
            assert line == f"{key} = {key[1:]}", (p, line)
        else:
            assert line == f"bogus{p['index'] % 7} = 1", (p, line)


# Lines of a fact file, some of them headers, keys, blanks, array items and odd line breaks.
_LINE = st.sampled_from(
    [
        "[[event]]", "  [[event]]", "\t[[ 'event' ]]", '[["org"]]', "[[event.statements]]",
        "[meta]", "[1]", "  [1, 2],", "[[bad", 'id = "x"', '"date" = "2020"', "quote = 'q'",
        "title.en = 't'", "  source = 's'", "more_citations = [", '  { quote = "q" },', "]",
        "", "# [[event]]", "quote", "x = 'quote = 1'", 'title = """', '"""',
    ]
)  # fmt: skip
_BREAK = st.sampled_from(["\n", "\n", "\n", "\r\n", "\r", "\u2028", "\x0c"])


@given(st.lists(st.tuples(_LINE, _BREAK), max_size=40), st.booleans())
def test_a_file_without_multi_line_strings_is_indexed_as_line_by_line(
    parts: list[tuple[str, str]], first_blank: bool
) -> None:
    """Headers found by a pattern over the whole text (no multi-line string, no line break
    but \\n) name the lines that reading it line by line names. A trailing comment holding
    ''' sends the same text down the line-by-line path, and adds a line after the others."""
    text = (" " if first_blank else "") + "".join(line + end for line, end in parts)
    fast, slow = LineIndex(text), LineIndex(text + "\n# '''\n")
    kinds = ("event", "org", "meta", "1", "event.statements", "nope")
    fields = ("", "id", "date", "quote", "title", "source", "more_citations[1]", "statements[0]")
    for kind in kinds:
        for index in range(6):
            for field in fields:
                assert fast.entry(kind, index, field) == slow.entry(kind, index, field)
        assert fast.key(kind) == slow.key(kind)
    for key in ("id", "date", "quote", "title", "source", "x", "more_citations"):
        assert fast.key(key) == slow.key(key)


def test_a_line_that_starts_with_a_bracket_but_is_no_header_keeps_the_keys_after_it() -> None:
    """An array of arrays spread over lines is not a table: the top-level keys after it are
    still found, on both ways of reading (with and without a multi-line string)."""
    text = "a = [\n  [1, 2],\n]\nb = 2\n['']\nc = 3\n"
    for lines in (LineIndex(text), LineIndex(text + "d = '''\n'''\n")):
        assert [lines.key(k) for k in ("a", "b", "c", "")] == [1, 4, None, 5]
