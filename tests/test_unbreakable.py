"""What broke in the second adversarial review, each case as a user meets it: a message and a
documented exit code, never a traceback, and never a wrong answer."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import HETAO, clean_env, hetao, invoke

from hetao_cli import load as load_module
from hetao_cli.model import SCHEMAS

SOURCE = '[[source]]\nid = "s"\ntitle = "t"\npublisher = "p"\npublished = "2020"\n'


def write(tmp_path: Path, text: str, name: str = "facts.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def no_traceback(result: object) -> None:
    exc = getattr(result, "exception", None)
    assert exc is None or isinstance(exc, SystemExit), repr(exc)


# ---------------------------------------------------------------------------------------------
# Tracebacks that became messages


@pytest.mark.parametrize("kind", list(SCHEMAS), ids=lambda k: k.value)
def test_a_thousand_part_dotted_key_is_a_problem_for_every_field(
    kind: object, tmp_path: Path
) -> None:
    schema = SCHEMAS[kind]  # type: ignore[index]
    for field in schema.toml:
        deep = f"{field}." + ".".join(["a"] * 990) + " = 1"
        path = write(tmp_path, f"[[{schema.name}]]\n{deep}\n")
        result = invoke("check", path, "--format", "json")
        no_traceback(result)
        assert result.exit_code == 1, (field, result.output)
        problems = json.loads(result.stdout)
        assert any(p["field"] == field for p in problems), (field, problems)
        assert all(len(p["message"]) < 400 for p in problems)


@pytest.mark.parametrize("field", ["id", "unit", "scope"])
def test_a_deep_dotted_key_in_a_real_process(field: str, tmp_path: Path) -> None:
    """In a test's deep stack the TOML parser gives up on 990 levels first; a real process
    has the depth to parse them, and the message once tried to repr them whole."""
    deep = f"{field}." + ".".join(["a"] * 990) + " = 1"
    path = write(tmp_path, f"[[figure]]\n{deep}\n")
    proc = hetao("check", path)
    assert proc.returncode == 1, proc.stderr
    assert b"Traceback" not in proc.stderr
    assert f"field '{field}': expected".encode() in proc.stdout


def org(ident: str, parent: str = "", area: str = "") -> str:
    return (
        f'[[org]]\nid = "{ident}"\nname = "{ident}"\nkind = "other"\n'
        + (f'parent = "{parent}"\n' if parent else "")
        + (f'area = "{area}"\n' if area else "")
        + 'source = "s"\nquote = "q"\n'
    )


ZONE = '[[area]]\nid = "zone"\nname = "z"\narea_km2 = 2.0\nsource = "s"\nquote = "q"\n'
COUNT = (
    '[[figure]]\nid = "f"\nsubject = "x"\nvalue = 3\nunit = "count"\nqualifier = "exact"\n'
    'as_written = "3"\nscope = "o0"\nsource = "s"\nquote = "3"\nlocated = true\n'
)


def test_a_parent_cycle_is_a_check_problem_and_stats_area_still_answers(tmp_path: Path) -> None:
    path = write(tmp_path, SOURCE + ZONE + org("o0", "o1") + org("o1", "o0") + COUNT)
    result = invoke("check", path, "--format", "json")
    assert result.exit_code == 1
    found = {(p["id"], p["field"], p["message"]) for p in json.loads(result.stdout)}
    assert found == {
        ("o0", "parent", "parent leads back to itself: o0 → o1 → o0"),
        ("o1", "parent", "parent leads back to itself: o1 → o0 → o1"),
    }
    shown = invoke("stats", "--area", "--json", "--facts", path)
    no_traceback(shown)
    assert shown.exit_code == 0
    assert [r["id"] for r in json.loads(shown.stdout)] == ["zone"]  # the loop lies in no area


def test_a_part_of_cycle_is_a_check_problem(tmp_path: Path) -> None:
    areas = (
        '[[area]]\nid = "a1"\nname = "a"\narea_km2 = 1.0\npart_of = "a2"\n'
        'source = "s"\nquote = "q"\n'
        '[[area]]\nid = "a2"\nname = "b"\npart_of = "a1"\nsource = "s"\nquote = "q"\n'
    )
    path = write(tmp_path, SOURCE + areas)
    result = invoke("check", path, "--format", "json")
    assert result.exit_code == 1
    assert {p["message"] for p in json.loads(result.stdout)} == {
        "part_of leads back to itself: a1 → a2 → a1",
        "part_of leads back to itself: a2 → a1 → a2",
    }
    assert invoke("org", "list", "--area", "a1", "--facts", path).exit_code == 1  # no orgs


def test_a_long_parent_chain_is_walked_without_recursion(tmp_path: Path) -> None:
    chain = "".join(org(f"o{i}", f"o{i + 1}") for i in range(1200)) + org("o1200", area="zone")
    path = write(tmp_path, SOURCE + ZONE + chain + COUNT)
    assert invoke("check", path).exit_code == 0
    result = invoke("stats", "--area", "--json", "--facts", path)
    no_traceback(result)
    (row,) = json.loads(result.stdout)
    assert (row["figure"], row["count"], row["per_km2"]) == ("f", 3, 1.5)  # o0 lies in zone
    people = invoke("person", "list", "--org", "o1200", "--facts", path)
    no_traceback(people)
    assert people.exit_code == 1  # nobody


def test_a_file_name_too_long_is_exit_3(tmp_path: Path) -> None:
    name = str(tmp_path / ("a" * 300 + ".toml"))
    for result in (
        invoke("timeline", "--facts", name),
        invoke("timeline", env={"HETAO_FACTS": name}),
    ):
        no_traceback(result)
        assert result.exit_code == 3
        assert "File name too long" in result.stderr


def test_a_folder_that_cannot_be_searched_is_exit_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests run as root, who searches any folder: the refusal is simulated where the loader
    meets it."""
    locked = tmp_path / "locked" / "facts.toml"
    real_stat = os.stat

    def refuse(path: object, *args: object, **kw: object) -> os.stat_result:
        if str(path).startswith(str(locked.parent)):
            raise PermissionError(13, "Permission denied", str(path))
        return real_stat(path, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", refuse)
    result = invoke("timeline", "--facts", locked)
    no_traceback(result)
    assert result.exit_code == 3
    assert f"{locked}: cannot read: Permission denied" in result.stderr


@pytest.mark.parametrize("how", ["--facts", "HETAO_FACTS"])
def test_a_file_that_is_not_regular_is_refused_before_reading(tmp_path: Path, how: str) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    for path in ("/dev/zero", str(fifo)):
        args = ["timeline", "--facts", path] if how == "--facts" else ["timeline"]
        env = clean_env(**({"HETAO_FACTS": path} if how == "HETAO_FACTS" else {}))
        proc = hetao(*args, env=env)  # a read without limit would not end within the timeout
        assert proc.returncode == 3
        assert f"{path}: not a regular file".encode() in proc.stderr


def test_a_file_over_the_size_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(load_module, "MAX_FILE_BYTES", 100)
    path = write(tmp_path, SOURCE + "# " + "x" * 200 + "\n")
    result = invoke("timeline", "--facts", path)
    assert result.exit_code == 3
    assert "file is larger than" in result.stderr


def test_an_unreadable_file_gives_one_exit_code_by_either_route(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """click's own check of --facts once made an unreadable file a usage error (2) while
    HETAO_FACTS gave 3; root reads any file, so click's access check is what is simulated."""
    path = write(tmp_path, SOURCE)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if str(p) == str(path)
                        else real_access(p, mode, **kw))  # fmt: skip
    by_option = invoke("timeline", "--facts", path)
    by_env = invoke("timeline", env={"HETAO_FACTS": str(path)})
    assert by_option.exit_code == by_env.exit_code != 2


# ---------------------------------------------------------------------------------------------
# Streams that fail


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["timeline", "--help"]])
def test_help_and_version_to_a_full_disk_are_exit_74(args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [*HETAO_CMD, *args], stdout=full, stderr=subprocess.PIPE, env=clean_env(), timeout=60
        )
    assert proc.returncode == 74
    assert proc.stderr == b"hetao: cannot write the output: No space left on device\n"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["timeline", "--bogus"], 2),
        (["timeline", "--facts", "/nonexistent.toml"], 3),
        (["search", "zzzz-nothing"], 1),
        (["timeline", "--json"], 0),
    ],
)
def test_a_failing_stderr_keeps_the_exit_code(args: list[str], code: int) -> None:
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [*HETAO_CMD, *args], stdout=subprocess.PIPE, stderr=full, env=clean_env(), timeout=60
        )
    assert proc.returncode == code


HETAO_CMD = HETAO


# ---------------------------------------------------------------------------------------------
# Answers that were wrong


def test_stats_area_json_never_holds_infinity(tmp_path: Path) -> None:
    tiny = ZONE.replace("area_km2 = 2.0", "area_km2 = 1e-320")
    count = COUNT.replace('scope = "o0"', 'scope = "zone"') + 'item = "p"\n'
    stated = count.replace('id = "f"', 'id = "d"').replace('unit = "count"', 'unit = "per-km2"')
    path = write(tmp_path, SOURCE + tiny + count + stated)
    result = invoke("stats", "--area", "--json", "--facts", path)
    assert result.exit_code == 0

    def refuse(constant: str) -> None:
        raise AssertionError(f"JSON holds {constant}")

    rows = json.loads(result.stdout, parse_constant=refuse)
    assert {r["figure"]: r["per_km2"] for r in rows} == {"f": None, "d": 3}
    assert next(r for r in rows if r["figure"] == "d")["recomputed"] == []


def test_a_written_figure_with_more_digits_than_a_number_holds_is_a_problem(
    tmp_path: Path,
) -> None:
    big = "9" * 400
    fig = (
        COUNT.replace('as_written = "3"', f'as_written = "{big}"')
        .replace('quote = "3"', f'quote = "{big}"')
        .replace('scope = "o0"', 'scope = "s"')
    )
    path = write(tmp_path, SOURCE + fig)
    result = invoke("check", path, "--format", "json")
    assert result.exit_code == 1
    (problem,) = json.loads(result.stdout)
    assert problem["field"] == "as_written"
    assert "has 400 digits; a number holds 15 exactly" in problem["message"]


@pytest.mark.parametrize("columns", ["0", "1", "19", "abc", ""])
def test_a_columns_too_small_to_draw_in_is_taken_as_unset(columns: str) -> None:
    unset = hetao("timeline", "--format", "table", env=clean_env())
    proc = hetao("timeline", "--format", "table", env=clean_env(COLUMNS=columns))
    assert proc.returncode == unset.returncode == 0
    assert proc.stdout == unset.stdout
    assert b"2017-01-memorandum" in proc.stdout


def test_the_cache_passes_over_a_path_the_system_refuses(tmp_path: Path) -> None:
    """A NUL in a path makes os.stat raise ValueError, not OSError: the cache says "not
    cached" and leaves it to the loader, which names the file."""
    from hetao_cli.cache import Cache

    assert Cache(tmp_path / "cache").checked(Path("facts\x00.toml")) is None
    result = invoke("timeline", "--facts", "facts\x00.toml")
    assert result.exit_code == 3
    assert "facts\\x00.toml: cannot read: the name holds a NUL character" in result.stderr


def test_many_problems_are_cut_to_twenty_with_a_count(tmp_path: Path) -> None:
    events = "".join(
        f'[[event]]\nid = "e{i}"\ndate = "2020"\ntitle = "t"\nsource = "s"\nquote = "q"\n'
        f"bogus = 1\n"
        for i in range(25)
    )
    path = write(tmp_path, SOURCE + events)
    result = invoke("timeline", "--facts", path)
    assert result.exit_code == 3
    lines = result.stderr.splitlines()
    assert len(lines) == 21
    assert lines[-1] == "hetao: ... and 5 more problems (hetao check lists them all)"


def test_an_ascii_stderr_still_says_what_is_wrong() -> None:
    proc = hetao("timeline", "--facts", "/不存在.toml", env=clean_env(PYTHONIOENCODING="ascii"))
    assert proc.returncode == 3
    assert b"Traceback" not in proc.stderr
    # 不存在, escaped rather than an error
    assert proc.stderr == b"hetao: /\\u4e0d\\u5b58\\u5728.toml: no such file or folder\n"


def test_help_has_a_short_option_and_typed_placeholders() -> None:
    short = invoke("timeline", "-h")
    assert short.exit_code == 0 and short.stdout.startswith("Usage:")
    assert "--since DATE" in short.stdout and "--until DATE" in short.stdout
    assert "--facts PATH" in short.stdout and "--org ORG" in short.stdout


def test_completion_with_facts_that_cannot_be_read_offers_nothing() -> None:
    words = "hetao show --facts /nonexistent.toml s"
    env = clean_env(_HETAO_COMPLETE="complete_bash", COMP_WORDS=words, COMP_CWORD="4")
    proc = subprocess.run(HETAO, env=env, capture_output=True, timeout=60)
    assert proc.returncode == 0
    assert proc.stdout.strip() == b"" and b"Traceback" not in proc.stderr
