"""`hetao cite` in every format, each parsed back by a parser hetao does not use to write it:
bibtexparser for BibTeX, rispy for RIS, a JSON Schema of CSL-JSON (written here from the CSL
1.0.2 data schema, with the item types and variable names of the CSL schema that citeproc-py
ships) and citeproc-py's reader for CSL-JSON, markdown-it for Markdown. And `hetao open`."""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import rispy
from bibtexparser.entrypoint import parse_string
from bibtexparser.middlewares import LatexDecodingMiddleware
from conftest import clean_env, hetao, invoke
from markdown_it import MarkdownIt

# The bundled source, as facts.toml writes it.
NANFANG = {
    "id": "nanfang-2023-12-18",
    "title": "小河套,大希望——深港“雙向奔赴”追夢世界級科研樞紐",
    "publisher": "南方雜誌社",
    "licence": "(c) 南方雜誌社, quoted under fair dealing",
}
SIQA_QUOTE = (
    "中國科學院院士俞大鵬帶領團隊籌建的深圳國際量子研究院,"
    "是河套合作區深圳園區最先引入的國家重大科研平台之一。"
)
CPC_QUOTES = [
    ("2018年7月,中共中央、國務院印發《粵港澳大灣區發展規劃綱要》", ""),
    ("以習近平同志為核心的黨中央高度重視河套合作區建設。", "aliases"),
]
URL = "https://www.news.gov.hk/eng/2021/02/20210203/20210203_160545_123.html?type=ticker"
ODD_TITLE = r"A {braced} 50% & $cost_of #1 ~x^2 \ back"
# Two sources with URLs and coarser dates, one whose title holds every character LaTeX
# treats as special, and an org that cites both.
FACTS = r"""
[[source]]
id = "news-2021"
title = "Tech park construction in progress"
publisher = "news.gov.hk"
published = "2021-02"
url = "https://www.news.gov.hk/eng/2021/02/20210203/20210203_160545_123.html?type=ticker"
licence = "(c) HKSAR Government"

[[source]]
id = "odd-source"
title = 'A {braced} 50% & $cost_of #1 ~x^2 \ back'
publisher = "P & Q"
published = "2009"

[[org]]
id = "park"
name = "港深創新及科技園"
name_en = "Hong Kong-Shenzhen Innovation and Technology Park"
kind = "park"
source = "news-2021"
quote = "construction of the Hong Kong-Shenzhen Innovation and Technology Park"
more_citations = [{ field = "name", source = "odd-source", quote = "港深創新及科技園" }]
"""


@pytest.fixture()
def facts(tmp_path: Path) -> Path:
    path = tmp_path / "cite.toml"
    path.write_text(FACTS, encoding="utf-8")
    return path


def cite(*args: str | Path) -> str:
    result = invoke("cite", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


# ---------------------------------------------------------------------------------------------
# text and Markdown


def test_text_is_a_reference_line_then_the_quotes() -> None:
    assert cite("siqa") == (
        "南方雜誌社. (2023, December 18). 小河套,大希望——深港“雙向奔赴”追夢世界級科研樞紐.\n"
        f"    “{SIQA_QUOTE}”\n"
        "    Licence: (c) 南方雜誌社, quoted under fair dealing\n"
    )


def test_text_of_a_source_at_month_precision_with_its_url(facts: Path) -> None:
    shown = cite("news-2021", "--facts", facts)
    assert shown.splitlines()[0] == (
        f"news.gov.hk. (2021, February). Tech park construction in progress. {URL}"
    )


def test_an_entry_gets_a_reference_a_source(facts: Path) -> None:
    blocks = cite("park", "--facts", facts).split("\n\n")
    assert len(blocks) == 2
    assert blocks[0].startswith("news.gov.hk. (2021, February). Tech park construction")
    assert "“construction of the Hong Kong-Shenzhen Innovation and Technology Park”" in blocks[0]
    assert blocks[1].startswith("P & Q. (2009).")
    assert "“港深創新及科技園” (name)" in blocks[1]


def test_cite_takes_names_and_aliases_and_several_ids() -> None:
    assert cite("SIQA") == cite("深圳国际量子研究院") == cite("siqa")
    both = cite("siqa", "cpc-central")
    assert both.count("南方雜誌社. (2023, December 18).") == 2


def test_markdown_parses_to_the_reference_and_its_quotes() -> None:
    tokens = MarkdownIt("commonmark").parse(cite("cpc-central", "--format", "markdown"))
    quoted = [
        tokens[i + 2].content
        for i, t in enumerate(tokens)
        if t.type == "blockquote_open"  # blockquote_open, paragraph_open, inline
    ]
    assert quoted == [q if not f else f"{q} ({f})" for q, f in CPC_QUOTES]
    inline = [t for t in tokens if t.type == "inline"]
    emphasised = [c.content for c in inline[0].children or [] if c.type == "text"]
    assert NANFANG["title"] in emphasised  # the title in italics
    assert inline[0].children and inline[0].children[0].content.startswith("南方雜誌社.")


def test_markdown_links_the_url_and_escapes_the_rest(facts: Path) -> None:
    md = MarkdownIt("commonmark")
    tokens = md.parse(cite("news-2021", "odd-source", "--format", "markdown", "--facts", facts))
    links = [c.attrs["href"] for t in tokens for c in t.children or [] if c.type == "link_open"]
    assert links == [URL]
    rendered = md.render(cite("odd-source", "--format", "markdown", "--facts", facts))
    assert "A {braced} 50% &amp; $cost_of #1 ~x^2 \\ back" in rendered


# ---------------------------------------------------------------------------------------------
# BibTeX, through bibtexparser


def bibtex(*args: str | Path) -> Any:
    library = parse_string(
        cite(*args, "--format", "bibtex"), append_middleware=[LatexDecodingMiddleware()]
    )
    assert library.failed_blocks == []
    return library


def test_bibtex_round_trips() -> None:
    (entry,) = bibtex("cpc-central").entries
    assert entry.entry_type == "misc"
    assert entry.key == "cpc-central:nanfang-2023-12-18"
    fields = {f.key: f.value for f in entry.fields}
    assert fields == {
        "title": NANFANG["title"],
        "publisher": "南方雜誌社",
        "howpublished": "南方雜誌社",
        "year": "2023",
        "month": "dec",
        "date": "2023-12-18",
        "language": "zh-Hant",
        "license": NANFANG["licence"],
        "note": "; ".join(f"“{q}”" + (f" ({f})" if f else "") for q, f in CPC_QUOTES),
    }


def test_bibtex_escapes_what_latex_reads(facts: Path) -> None:
    library = bibtex("odd-source", "news-2021", "--facts", facts)
    odd, news = library.entries
    # pylatexenc reads \textasciicircum as U+02C6, the modifier letter, not as ^.
    assert odd["title"].replace("\u02c6", "^") == ODD_TITLE
    assert odd["publisher"] == "P & Q"
    assert "month" not in odd.fields_dict and odd["year"] == "2009" and odd["date"] == "2009"
    assert news["url"] == URL  # verbatim: biblatex reads a url as it is
    assert news["month"] == "feb" and news["date"] == "2021-02"


# ---------------------------------------------------------------------------------------------
# RIS, through rispy


def test_ris_round_trips(facts: Path) -> None:
    records = rispy.loads(cite("park", "--format", "ris", "--facts", facts))
    assert records == [
        {
            "type_of_reference": "ELEC",
            "id": "park:news-2021",
            "title": "Tech park construction in progress",
            "publisher": "news.gov.hk",
            "year": "2021",
            "date": "2021/02//",
            "urls": [URL],
            "language": "en",
            "notes": [
                "“construction of the Hong Kong-Shenzhen Innovation and Technology Park”",
                "Licence: (c) HKSAR Government",
            ],
        },
        {
            "type_of_reference": "GEN",
            "id": "park:odd-source",
            "title": ODD_TITLE,
            "publisher": "P & Q",
            "year": "2009",
            "date": "2009///",
            "language": "en",
            "notes": ["“港深創新及科技園” (name)"],
        },
    ]


def test_ris_of_the_bundled_source() -> None:
    (record,) = rispy.loads(cite("nanfang-2023-12-18", "--format", "ris"))
    assert record["type_of_reference"] == "GEN"
    assert record["title"] == NANFANG["title"] and record["date"] == "2023/12/18/"
    assert record["notes"] == [f"Licence: {NANFANG['licence']}"]


# ---------------------------------------------------------------------------------------------
# CSL-JSON: a schema, and citeproc-py's reader


def _csl_names(file: str) -> list[str]:
    """The quoted names a CSL schema file (RELAX NG, compact) lists: the item types, or the
    variables. citeproc-py ships the CSL schema; hetao does not read it."""
    import citeproc

    folder = Path(citeproc.__file__).parent / "data" / "schema" / "schemas" / "styles"
    return re.findall(r'"([A-Za-z-]+)"', (folder / file).read_text(encoding="utf-8"))


DATE = {
    "type": "object",
    "properties": {
        "date-parts": {
            "type": "array", "minItems": 1, "maxItems": 2,
            "items": {"type": "array", "minItems": 1, "maxItems": 3,
                      "items": {"type": ["integer", "string"]}},
        },
        "circa": {"type": ["boolean", "string", "number"]},
        "literal": {"type": "string"},
        "raw": {"type": "string"},
    },
    "additionalProperties": False,
}  # fmt: skip
CSL_DATA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["id", "type"],
        "properties": {
            "id": {"type": ["string", "number"]},
            "type": {"enum": _csl_names("csl-types.rnc")},
            "issued": DATE,
            "accessed": DATE,
            "URL": {"type": "string", "format": "uri"},
            "language": {"type": "string"},
            "title": {"type": "string"},
            "container-title": {"type": "string"},
            "publisher": {"type": "string"},
            "note": {"type": "string"},
            "license": {"type": "string"},
        },
        "propertyNames": {"enum": ["id", "type", *_csl_names("csl-variables.rnc")]},
    },
}


def test_csl_json_is_valid(facts: Path) -> None:
    for args in (("siqa", "cpc-central", "nanfang-2023-12-18"), ("park", "--facts", str(facts))):
        items = json.loads(cite(*args, "--format", "csl-json"))
        jsonschema.validate(items, CSL_DATA, format_checker=jsonschema.FormatChecker())


def test_csl_json_dates_are_at_the_source_s_precision(facts: Path) -> None:
    items = json.loads(cite("park", "--facts", facts, "--format", "csl-json"))
    assert [i["issued"] for i in items] == [{"date-parts": [[2021, 2]]}, {"date-parts": [[2009]]}]
    (bundled,) = json.loads(cite("nanfang-2023-12-18", "--format", "csl-json"))
    assert bundled == {
        "id": "nanfang-2023-12-18",
        "type": "document",  # no URL: a document, as Zotero has it
        "title": NANFANG["title"],
        "container-title": "南方雜誌社",
        "publisher": "南方雜誌社",
        "issued": {"date-parts": [[2023, 12, 18]]},
        "language": "zh-Hant",
        "license": NANFANG["licence"],
    }
    assert items[0]["URL"] == URL and items[0]["type"] == "webpage"


@pytest.mark.filterwarnings("ignore:The following arguments for Reference are unsupported")
def test_csl_json_reads_in_citeproc() -> None:
    from citeproc.source.json import CiteProcJSON

    items = json.loads(cite("siqa", "--format", "csl-json"))
    source = CiteProcJSON(items)
    (reference,) = source.values()
    assert str(reference.title) == NANFANG["title"]
    assert reference.issued.year == 2023 and reference.issued.month == 12


def test_cite_jq_is_for_csl_json() -> None:
    assert cite("siqa", "--format", "csl-json", "--jq", ".[0].id") == (
        '"siqa:nanfang-2023-12-18"\n'
    )
    wrong = invoke("cite", "siqa", "--jq", ".")
    assert wrong.exit_code == 2
    assert "--jq filters JSON: give --format csl-json, not text" in wrong.stderr


def test_cite_an_unknown_id_is_a_usage_error() -> None:
    result = invoke("cite", "no-such-entry")
    assert result.exit_code == 2
    assert "no entry 'no-such-entry'" in result.stderr


def test_cite_for_real_in_a_process() -> None:
    proc = hetao("cite", "siqa", "--format", "bibtex")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == b""  # citeproc-py's warnings never reach the person
    assert proc.stdout.decode().startswith("@misc{siqa:nanfang-2023-12-18,\n")
    text = hetao("cite", "siqa")
    assert text.returncode == 0 and text.stderr == b""


# ---------------------------------------------------------------------------------------------
# open


def test_open_prints_the_source_s_url(facts: Path) -> None:
    assert invoke("open", "news-2021", "--facts", facts).stdout == f"{URL}\n"
    # park cites news-2021 (a URL) and odd-source (none): the one URL there is.
    assert invoke("open", "park", "--facts", facts).stdout == f"{URL}\n"


def test_open_without_a_url_is_exit_1() -> None:
    result = invoke("open", "siqa")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "hetao: no URL: no source of siqa (nanfang-2023-12-18) records one" in result.stderr
    source = invoke("open", "nanfang-2023-12-18")
    assert source.exit_code == 1
    assert "no URL: the source nanfang-2023-12-18 records none" in source.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell script as the browser")
def test_open_browser_opens_it(facts: Path, tmp_path: Path) -> None:
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> {opened}\n', encoding="utf-8")
    browser.chmod(browser.stat().st_mode | stat.S_IXUSR)
    env = clean_env(BROWSER=str(browser))
    env.pop("DISPLAY", None)
    proc = hetao("open", "news-2021", "--browser", "--facts", facts, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode() == f"{URL}\n"
    assert opened.read_text(encoding="utf-8") == f"{URL}\n"
    assert os.access(browser, os.X_OK)


def test_every_cite_format_has_a_renderer() -> None:
    from hetao_cli.cite import RENDERERS
    from hetao_cli.output import CiteFormat

    assert set(RENDERERS) == set(CiteFormat)


# ---------------------------------------------------------------------------------------------
# Every bundled source, dated or not (bayarea.gov.hk and both Wikipedias give no date)


def _bundled_sources() -> list[tuple[str, bool]]:
    """Each bundled source's id, and whether it has a publication date."""
    records = json.loads(invoke("sources", "--json").stdout)
    return [(r["id"], r["published"] is not None) for r in records]


def test_every_bundled_source_cites_in_every_format_and_an_undated_one_gives_no_date() -> None:
    sources = _bundled_sources()
    assert len(sources) == 14 and not all(dated for _, dated in sources)
    ids = [i for i, _ in sources]
    dated = {i: d for i, d in sources}
    items = json.loads(cite(*ids, "--format", "csl-json"))
    jsonschema.validate(items, CSL_DATA, format_checker=jsonschema.FormatChecker())
    assert {i["id"]: "issued" in i for i in items} == dated
    library = bibtex(*ids)
    assert {e.key: "year" in e.fields_dict for e in library.entries} == dated
    assert {e.key: "date" in e.fields_dict for e in library.entries} == dated
    records = rispy.loads(cite(*ids, "--format", "ris"))
    assert {r["id"]: "year" in r for r in records} == dated
    lines = cite(*ids).splitlines()
    references = [line for line in lines if line and not line.startswith("    ")]
    assert len(references) == 14
    for line, (_, has_date) in zip(references, sources, strict=True):
        assert ("(n.d.)" in line) is not has_date, line
    assert cite(*ids, "--format", "markdown").count("(n.d.)") == 14 - sum(dated.values())


def test_an_entry_that_cites_an_undated_source_cites_in_every_format() -> None:
    """hk-park cites the Chinese Wikipedia, which gives no date: its reference says n.d."""
    key = "hk-park:wikipedia-zh-hsitp"
    items = {i["id"]: i for i in json.loads(cite("hk-park", "--format", "csl-json"))}
    assert "issued" not in items[key] and "issued" in items["hk-park:nanfang-2023-12-18"]
    assert key in {e.key for e in bibtex("hk-park").entries}
    assert key in {r["id"] for r in rispy.loads(cite("hk-park", "--format", "ris"))}
    for fmt in ("text", "markdown"):
        shown = cite("hk-park", "--format", fmt).replace("*", "")  # markdown: the title in italics
        assert "維基百科. (n.d.). 港深創新及科技園." in shown
