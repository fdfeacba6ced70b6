"""Problems name the right line: headers and keys inside multi-line strings are text, not
structure; quoted headers and keys are headers and keys; placing many problems stays linear."""

from __future__ import annotations

from pathlib import Path

from conftest import problems_json

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
