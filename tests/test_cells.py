"""What a cell says depends on the record, the field, the format and --lang only: never on
which other fields are shown (issue: `--fields date,title` once dropped the `c.` of an
approximate date). Quotes are verbatim under every --lang."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from conftest import invoke
from hypothesis import given, settings
from hypothesis import strategies as st

LISTINGS = [
    ["timeline"],
    ["figures"],
    ["sources"],
    ["org", "list"],
    ["person", "list"],
    ["search", "量子"],
    ["org", "search", "研究院"],
    ["person", "search", "院士"],
    ["stats"],
    ["stats", "--area"],
]
LANGS = ["zh-hant", "zh-hans", "en"]


def columns(command: list[str], fmt: str, *args: str) -> dict[str, list[str]]:
    """Each column of a TSV or CSV listing, by its header."""
    result = invoke(*command, "--format", fmt, *args)
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout), delimiter="\t" if fmt == "tsv" else ","))
    # A row of one empty cell is an empty line, which csv reads as no cells at all.
    return {name: [row[i] if row else "" for row in rows[1:]] for i, name in enumerate(rows[0])}


def fields_of(command: list[str]) -> list[str]:
    records = json.loads(invoke(*command, "--json").stdout)
    return list(dict.fromkeys(k for r in records for k in r))


FIELDS = {" ".join(c): fields_of(c) for c in LISTINGS}


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[str], str, str, list[str]]:
    command = draw(st.sampled_from(LISTINGS))
    names = FIELDS[" ".join(command)]
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True))
    return command, draw(st.sampled_from(["tsv", "csv"])), draw(st.sampled_from(LANGS)), chosen


@settings(max_examples=80, deadline=None)
@given(cases())
def test_a_cell_is_the_same_whatever_else_is_shown(
    case: tuple[list[str], str, str, list[str]],
) -> None:
    command, fmt, lang, chosen = case
    every = columns(command, fmt, "--lang", lang, "--fields", ",".join(FIELDS[" ".join(command)]))
    some = columns(command, fmt, "--lang", lang, "--fields", ",".join(chosen))
    default = columns(command, fmt, "--lang", lang)
    for name in chosen:
        assert some[name] == every[name], name
        if name in default:
            assert default[name] == every[name], name


def test_an_approximate_date_keeps_its_mark_alone() -> None:
    dates = columns(["timeline"], "tsv", "--fields", "date")["date"]
    assert any(d.startswith("c. ") for d in dates)
    assert dates == columns(["timeline"], "tsv")["date"]


SMALL = (
    '[[source]]\nid = "s"\ntitle = "t"\npublisher = "p"\npublished = "2020"\n'
    '[[person]]\nid = "p1"\nname = "俞大鵬"\nrole = "院士"\nsource = "s"\nquote = "q"\n'
    '[[person]]\nid = "p2"\nname = "莫偉軒"\nname_en = "Mo Weixuan"\nrole = "總監"\n'
    'source = "s"\nquote = "q"\n'
)


def test_an_english_fall_back_keeps_its_mark_alone(tmp_path: Path) -> None:
    facts = tmp_path / "small.toml"
    facts.write_text(SMALL, encoding="utf-8")
    command = ["person", "list", "--facts", str(facts)]
    names = columns(command, "tsv", "--lang", "en", "--fields", "id,name")["name"]
    assert names == ["俞大鵬 (zh)", "Mo Weixuan"]
    assert names == columns(command, "tsv", "--lang", "en")["name"]


def test_every_person_has_a_romanised_name() -> None:
    people = json.loads(invoke("person", "list", "--json").stdout)
    assert people and all(p["name_en"] and p["name_en"].isascii() for p in people)


def test_a_person_is_found_by_pinyin(tmp_path: Path) -> None:
    facts = tmp_path / "small.toml"
    facts.write_text(SMALL, encoding="utf-8")
    for query in (["yudapeng"], ["Yu", "Dapeng"], ["YU-DAPENG"], ["dapeng"]):
        found = invoke("person", "search", *query, "--facts", str(facts), "--json")
        assert [r["id"] for r in json.loads(found.stdout)] == ["p1"], query
    named = invoke("person", "search", "moweixuan", "--facts", str(facts), "--json")
    assert [r["id"] for r in json.loads(named.stdout)] == ["p2"]
    bundled = invoke("person", "search", "yudapeng", "--json")
    assert [r["id"] for r in json.loads(bundled.stdout)] == ["yu-dapeng"]


VERBATIM = ["quote", "as_written", "citations"]


def test_quotes_stay_verbatim_in_simplified() -> None:
    for command in (["figures"], ["timeline"], ["org", "list"], ["search", "量子"]):
        names = [f for f in VERBATIM if f in FIELDS[" ".join(command)]]
        for fmt in ("tsv", "csv"):
            hant = columns(command, fmt, "--fields", ",".join(names))
            hans = columns(command, fmt, "--fields", ",".join(names), "--lang", "zh-hans")
            assert hans == hant, (command, fmt)
            if "quote" in hant:  # there is Traditional text in them to convert
                assert any("國" in q or "區" in q for q in hant["quote"])
    shown = invoke("show", "siqa", "--format", "tsv", "--lang", "zh-hans").stdout
    assert "name\t深圳国际量子研究院" in shown  # a name is converted
    assert "中國科學院院士俞大鵬帶領團隊籌建的深圳國際量子研究院" in shown  # its quote is not


def test_lang_as_people_write_it() -> None:
    def name(*args: str, env: dict[str, str | None] | None = None) -> str:
        return invoke("show", "siqa", "--fields", "name", "--format", "tsv", *args,
                      env=env).stdout.split("\t")[-1].strip()  # fmt: skip

    for tag in ("zh-TW", "zh-Hant", "zh_TW", "zh-HK", "zh", "ZH-HANT"):
        assert name("--lang", tag) == "深圳國際量子研究院", tag
    for tag in ("zh-CN", "zh-Hans", "zh_CN", "zh-SG"):
        assert name("--lang", tag) == "深圳国际量子研究院", tag
    for tag in ("en", "en-US", "en_GB", "en_US.UTF-8", "EN"):
        assert name("--lang", tag) == "Shenzhen International Quantum Academy", tag
    assert name(env={"HETAO_LANG": "zh_CN"}) == "深圳国际量子研究院"


def test_a_bad_lang_names_where_it_came_from() -> None:
    typed = invoke("timeline", "--lang", "fr")
    assert typed.exit_code == 2
    assert "'--lang': 'fr' is not a language" in typed.stderr
    assert "HETAO_LANG" not in typed.stderr
    inherited = invoke("timeline", env={"HETAO_LANG": "klingon"})
    assert inherited.exit_code == 2
    assert "HETAO_LANG: 'klingon' (from the environment) is not a language" in inherited.stderr
    assert invoke("timeline", "--lang", "en", env={"HETAO_LANG": "klingon"}).exit_code == 0


def test_pinyin_is_imported_only_for_a_name_without_english(tmp_path: Path) -> None:
    from test_startup import run_hetao

    proc, modules = run_hetao(tmp_path, "person", "search", "yudapeng", "--json")
    assert proc.returncode == 0, proc.stderr
    assert "pypinyin" not in modules  # every bundled person has a name_en
    facts = tmp_path / "small.toml"
    facts.write_text(SMALL, encoding="utf-8")
    proc, modules = run_hetao(tmp_path, "person", "search", "yudapeng", "--facts", str(facts))
    assert proc.returncode == 0, proc.stderr
    assert "pypinyin" in modules
