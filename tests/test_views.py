"""What each command shows: JSON records with every field, stats, densities, show, search.

Each expected record is written out by hand from the entry it is made of, so a field dropped,
renamed or emptied is caught (the mutation run, bench/mutate.py, found several that were not).
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from conftest import asset, invoke

from hetao_cli.load import load
from hetao_cli.model import (
    Area,
    Citation,
    Document,
    DocumentKind,
    Event,
    Figure,
    Kind,
    Organisation,
    OrgKind,
    PartialDate,
    Person,
    Qualifier,
    Source,
    Unit,
)
from hetao_cli.output import Lang
from hetao_cli.views import (
    area_heading,
    check_text,
    json_number,
    keys_of,
    label_of,
    record_of,
)

CITE = Citation("src", "原文")
MORE = Citation("src2", "另一段", "name")


def test_an_org_record_carries_every_field_in_order() -> None:
    org = Organisation(
        "inst", "研究院", OrgKind.INSTITUTE, (CITE, MORE), name_en="Institute",
        name_en_official=True, aliases=("研院",), fields=("quantum", "ai"), area="zone",
        parent="uni",
    )  # fmt: skip
    record = record_of(org)
    assert record == {
        "id": "inst",
        "kind": "org",
        "name": "研究院",
        "org_kind": "institute",
        "name_en": "Institute",
        "name_en_official": True,
        "aliases": ["研院"],
        "fields": ["quantum", "ai"],
        "area": "zone",
        "parent": "uni",
        "source": "src",
        "quote": "原文",
        "citations": [
            {"source": "src", "quote": "原文"},
            {"source": "src2", "quote": "另一段", "field": "name"},
        ],
        "statements": [],
        "conflicts": [],
    }
    assert list(record) == [
        "id", "kind", "name", "org_kind", "name_en", "name_en_official", "aliases", "fields",
        "area", "parent", "source", "quote", "citations", "statements", "conflicts",
    ]  # fmt: skip


def test_an_empty_org_record_shows_its_empty_values() -> None:
    record = record_of(Organisation("o", "院", OrgKind.OTHER, ()))
    assert record == {
        "id": "o",
        "kind": "org",
        "name": "院",
        "org_kind": "other",
        "name_en": "",
        "name_en_official": False,
        "aliases": [],
        "fields": [],
        "area": None,
        "parent": None,
        "source": None,
        "quote": None,
        "citations": [],
        "statements": [],
        "conflicts": [],
    }


def test_an_event_record_carries_its_date_and_date_note() -> None:
    event = Event(
        "e", PartialDate(2021, 9, None, approximate=True), "成立", (CITE,), title_en="Founded",
        orgs=("a", "b"), people=("p",), documents=("d",), area="zone", date_note="去年底 → 2021",
    )  # fmt: skip
    assert record_of(event) == {
        "id": "e",
        "kind": "event",
        "date": "2021-09",
        "date_precision": "month",
        "date_approximate": True,
        "title": "成立",
        "title_en": "Founded",
        "orgs": ["a", "b"],
        "people": ["p"],
        "documents": ["d"],
        "area": "zone",
        "date_note": "去年底 → 2021",
        "source": "src",
        "quote": "原文",
        "citations": [{"source": "src", "quote": "原文"}],
        "statements": [],
        "conflicts": [],
    }


def test_a_figure_record_carries_every_field() -> None:
    fig = Figure(
        "f", "資金", 15.0, Unit.CNY, Qualifier.RANGE, "15至20元", "zone", (CITE,),
        subject_en="Funding", value_max=20.5, item="funding", date=PartialDate(2023),
        derived="15 + 0",
    )  # fmt: skip
    record = record_of(fig)
    assert record == {
        "id": "f",
        "kind": "figure",
        "subject": "資金",
        "value": 15,
        "unit": "CNY",
        "qualifier": "range",
        "as_written": "15至20元",
        "scope": "zone",
        "subject_en": "Funding",
        "value_max": 20.5,
        "item": "funding",
        "date": "2023",
        "date_precision": "year",
        "date_approximate": False,
        "derived": "15 + 0",
        "located": False,
        "source": "src",
        "quote": "原文",
        "citations": [{"source": "src", "quote": "原文"}],
        "statements": [],
        "conflicts": [],
    }
    assert type(record["value"]) is int  # 15, not 15.0


def test_a_figure_without_optional_values_shows_nulls() -> None:
    fig = Figure("f", "資金", 3.5, Unit.PERCENT, Qualifier.EXACT, "3.5%", "zone", ())
    record = record_of(fig)
    assert (record["value"], record["value_max"], record["item"], record["derived"]) == (
        3.5, None, None, None,
    )  # fmt: skip
    assert (record["date"], record["date_precision"], record["date_approximate"]) == (
        None, None, None,
    )  # fmt: skip
    assert record["subject_en"] == ""


def test_area_source_person_and_document_records() -> None:
    area = Area(
        "park", "園區", (CITE,), name_en="Park", aliases=("園",), area_km2=3.0, part_of="zone",
        derived="6 / 2", positionings=("科技",), positionings_en=("tech",),
    )  # fmt: skip
    assert record_of(area) == {
        "id": "park", "kind": "area", "name": "園區", "name_en": "Park", "aliases": ["園"],
        "area_km2": 3, "part_of": "zone", "derived": "6 / 2", "positionings": ["科技"],
        "positionings_en": ["tech"], "source": "src", "quote": "原文",
        "citations": [{"source": "src", "quote": "原文"}], "statements": [], "conflicts": [],
    }  # fmt: skip
    source = Source(
        "src", "報道", "出版社", PartialDate(2023, 12, 18), title_en="Report",
        publisher_en="Press", url="https://example.org", licence="CC-BY", citations=(CITE,),
    )  # fmt: skip
    assert record_of(source) == {
        "id": "src", "kind": "source", "title": "報道", "publisher": "出版社",
        "published": "2023-12-18", "published_precision": "day", "published_approximate": False,
        "date_note": None, "language": None, "title_en": "Report", "publisher_en": "Press",
        "url": "https://example.org", "mirror": False, "canonical_url": "", "licence": "CC-BY",
        "excerpt": False, "part": None, "retrieved": None, "retrieved_precision": None,
        "retrieved_approximate": None, "source": "src", "quote": "原文",
        "citations": [{"source": "src", "quote": "原文"}], "statements": [], "conflicts": [],
    }  # fmt: skip
    person = Person(
        "p", "張三", "院長", (CITE,), name_en="Zhang San", role_en="President",
        aliases=("老張",), orgs=("inst",),
    )  # fmt: skip
    assert record_of(person) == {
        "id": "p", "kind": "person", "name": "張三", "role": "院長", "name_en": "Zhang San",
        "role_en": "President", "aliases": ["老張"], "orgs": ["inst"], "source": "src",
        "quote": "原文", "citations": [{"source": "src", "quote": "原文"}],
        "statements": [], "conflicts": [],
    }  # fmt: skip
    doc = Document(
        "d", "規劃", DocumentKind.PLAN, (CITE,), title_en="Plan", aliases=("規",),
        issuers=("gov",), date=PartialDate(2024, 1),
    )  # fmt: skip
    assert record_of(doc) == {
        "id": "d", "kind": "document", "title": "規劃", "doc_kind": "plan", "title_en": "Plan",
        "aliases": ["規"], "issuers": ["gov"], "date": "2024-01", "date_precision": "month",
        "date_approximate": False, "source": "src", "quote": "原文",
        "citations": [{"source": "src", "quote": "原文"}], "statements": [], "conflicts": [],
    }  # fmt: skip


def test_json_number() -> None:
    assert json_number(3.0) == 3 and type(json_number(3.0)) is int
    assert json_number(-2.0) == -2 and type(json_number(-2.0)) is int
    assert json_number(3.5) == 3.5
    assert type(json_number(float(2**53))) is float  # beyond exact integers: left a float
    assert type(json_number(float(2**53 - 1))) is int
    assert type(json_number(-float(2**53))) is float


def test_label_of_takes_the_name_title_or_subject_and_its_english() -> None:
    assert label_of({"id": "x", "name": "名", "name_en": "Name"}) == ("名", "Name")
    assert label_of({"id": "x", "title": "題", "title_en": "Title"}) == ("題", "Title")
    assert label_of({"id": "x", "subject": "主", "subject_en": "Subject"}) == ("主", "Subject")
    assert label_of({"id": "x", "name": "名"}) == ("名", "")
    assert label_of({"id": "x"}) == ("x", "")


def test_keys_of_several_kinds_keeps_the_first_order_without_repeats() -> None:
    keys = keys_of([Kind.AREA, Kind.ORG])
    assert keys[:3] == ("id", "kind", "name")
    assert keys.count("name") == 1 and keys.count("citations") == 1
    assert keys.index("positionings_en") < keys.index("org_kind")
    assert keys[-1] == "parent"


def test_check_text_and_area_heading_by_hand() -> None:
    assert check_text({"stated": False, "recomputed": []}) == ""
    assert check_text({"stated": True, "recomputed": []}) == (
        "stated; no count of the same item to recompute it from"
    )
    one = {"numerator_value": 150, "numerator_scope": "hetao-zone", "area_km2": 3.89,
           "denominator": "hetao-zone", "value": 38.56, "reproduces": True}  # fmt: skip
    two = {**one, "area_km2": 1.5, "denominator": "park", "value": 100, "reproduces": False}
    assert check_text({"stated": True, "recomputed": [one, two]}) == (
        "stated; 150 (hetao-zone) / 3.89 km² (hetao-zone) = 38.56 ✓; "
        "150 (hetao-zone) / 1.5 km² (park) = 100 ✗"
    )
    r: dict[str, Any] = {
        "area": "park",
        "area_name": "園區",
        "area_name_en": "",
        "area_derived": None,
    }
    assert area_heading(r, Lang.ZH_HANT) == "園區 (park)"
    assert area_heading(r, Lang.EN) == "園區 (zh) (park)"
    r.update(area_name_en="Park", area_derived="6 / 2")
    assert area_heading(r, Lang.EN) == "Park (park); area derived: 6 / 2"
    assert area_heading(r, Lang.ZH_HANT) == "園區 (park); area derived: 6 / 2"


# ---------------------------------------------------------------------------------------------
# Through the CLI, on small fact files

AREAS = """
[[source]]
id = "s"
title = "報道"
publisher = "出版社"
published = "2024"

[[area]]
id = "zone"
name = "合作區"
name_en = "Zone"
area_km2 = 4
source = "s"
quote = "合作區4平方公里"

[[area]]
id = "park"
name = "園區"
area_km2 = 2
part_of = "zone"
derived = "4 / 2"
source = "s"
quote = "園區"

[[area]]
id = "unmeasured"
name = "未量區"
source = "s"
quote = "未量區"

[[figure]]
id = "firms"
subject = "企業"
subject_en = "Firms"
value = 100
unit = "count"
qualifier = "more_than"
as_written = "100多家"
scope = "park"
item = "firm"
located = true
source = "s"
quote = "園區有100多家企業"

[[figure]]
id = "firm-density"
subject = "企業密度"
value = 50
unit = "per-km2"
qualifier = "exact"
as_written = "50家"
scope = "park"
item = "firm"
source = "s"
quote = "每平方公里50家"
"""


def _json(*args: str | Path) -> Any:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def areas(tmp_path: Path) -> Path:
    path = tmp_path / "areas.toml"
    path.write_text(AREAS, encoding="utf-8")
    return path


def test_stats_area_rolls_a_count_up_to_the_area_around_it(areas: Path) -> None:
    zone = {"area": "zone", "area_name": "合作區", "area_name_en": "Zone", "area_km2": 4,
            "area_derived": None}  # fmt: skip
    park = {"area": "park", "area_name": "園區", "area_name_en": "", "area_km2": 2,
            "area_derived": "4 / 2"}  # fmt: skip
    firms = {"figure": "firms", "subject": "企業", "subject_en": "Firms", "count": 100,
             "qualifier": "more_than", "stated": False, "recomputed": [], "check": ""}  # fmt: skip
    # Each area's stated densities come first, then the counts of things in it.
    assert _json("stats", "--area", "--facts", areas, "--json") == [
        {"id": "zone:firms", **zone, **firms, "per_km2": 25},
        {
            "id": "park:firm-density", **park, "figure": "firm-density", "subject": "企業密度",
            "subject_en": "", "count": None, "qualifier": "exact", "per_km2": 50,
            "stated": True,
            "recomputed": [
                {"numerator": "firms", "numerator_value": 100, "numerator_scope": "park",
                 "denominator": "park", "area_km2": 2, "value": 50, "reproduces": True},
                {"numerator": "firms", "numerator_value": 100, "numerator_scope": "park",
                 "denominator": "zone", "area_km2": 4, "value": 25, "reproduces": False},
            ],
            "check": "stated; 100 (park) / 2 km² (park) = 50 ✓; 100 (park) / 4 km² (zone) = 25 ✗",
        },
        {"id": "park:firms", **park, **firms, "per_km2": 50},
    ]  # fmt: skip


def test_stats_area_lists_an_area_without_figures(tmp_path: Path) -> None:
    path = tmp_path / "one.toml"
    path.write_text(AREAS.split('[[area]]\nid = "park"')[0], encoding="utf-8")
    assert _json("stats", "--area", "--facts", path, "--json") == [
        {
            "id": "zone", "area": "zone", "area_name": "合作區", "area_name_en": "Zone",
            "area_km2": 4, "area_derived": None, "figure": None, "subject": None,
            "subject_en": None, "count": None, "qualifier": None, "per_km2": None,
            "stated": None, "recomputed": [], "check": "",
        }
    ]  # fmt: skip


def test_stats_area_table_groups_by_area_heading(areas: Path) -> None:
    out = invoke("stats", "--area", "--facts", areas, "--format", "table",
                 env={"COLUMNS": "200"}).stdout  # fmt: skip
    assert "合作區 (zone)" in out
    assert "園區 (park); area derived: 4 /" in out  # the heading wraps in its column


STATS = """
[[source]]
id = "s"
title = "報道"
publisher = "出版社"
published = "2024"

[[event]]
id = "e1"
date = "2021-09"
title = "一"
source = "s"
quote = "一"

[[event]]
id = "e2"
date = "2023"
title = "二"
source = "s"
quote = "二"

[[event]]
id = "e3"
date = "2021"
title = "三"
source = "s"
quote = "三"

[[org]]
id = "o1"
name = "甲"
kind = "company"
fields = ["quantum", "ai"]
source = "s"
quote = "甲"

[[org]]
id = "o2"
name = "乙"
kind = "company"
fields = ["quantum"]
source = "s"
quote = "乙"

[[person]]
id = "p1"
name = "丙"
role = "院長"
source = "s"
quote = "丙"
"""


def test_stats_counts_each_kind_each_year_and_each_field(tmp_path: Path) -> None:
    path = tmp_path / "stats.toml"
    path.write_text(STATS, encoding="utf-8")
    rows = _json("stats", "--facts", path, "--json")
    assert [(r["id"], r["group"], r["key"], r["count"]) for r in rows] == [
        ("kind:source", "kind", "source", 1),
        ("kind:area", "kind", "area", 0),
        ("kind:event", "kind", "event", 3),
        ("kind:figure", "kind", "figure", 0),
        ("kind:org", "kind", "org", 2),
        ("kind:person", "kind", "person", 1),
        ("kind:document", "kind", "document", 0),
        ("kind:claim", "kind", "claim", 0),
        ("year:2021", "year", "2021", 2),
        ("year:2023", "year", "2023", 1),
        ("field:quantum", "field", "quantum", 2),
        ("field:ai", "field", "ai", 1),
    ]
    tsv = invoke("stats", "--facts", path, "--format", "tsv").stdout.splitlines()
    assert tsv[0] == "group\tkey\tcount"
    assert tsv[3] == "kind\tevent\t3"


def test_sources_count_the_facts_that_cite_them() -> None:
    [source] = _json("sources", "--facts", asset("valid.toml"), "--json")
    assert source["facts"] == 7  # the seven entries other than the source itself
    tsv = invoke("sources", "--facts", asset("valid.toml"), "--format", "tsv").stdout
    assert tsv.splitlines() == [
        "id\ttitle\tpublisher\tpublished\tlanguage\texcerpt\turl\tlicence\tfacts",
        "demo-source\t示範報道\t示範出版社\t2023-12-18\t\tno\t\t\t7",
    ]


def test_search_records_carry_the_label_and_how_it_matched() -> None:
    found = _json("search", "研究院", "--facts", asset("valid.toml"), "--json")
    org = next(r for r in found if r["id"] == "demo-institute")
    assert (org["label"], org["label_en"], org["match_rank"], org["match_field"]) == (
        "示範研究院", "", "name", "name",
    )  # fmt: skip
    zone = _json("search", "demo zone", "--facts", asset("valid.toml"), "--json")[0]
    assert (zone["id"], zone["label"], zone["label_en"], zone["match_rank"]) == (
        "demo-zone", "示範合作區", "Demo Zone", "exact",
    )  # fmt: skip
    tsv = invoke("search", "demo zone", "--facts", asset("valid.toml"), "--format", "tsv")
    assert tsv.stdout.splitlines() == [
        "kind\tid\tlabel\tmatch_field\tmatch_rank",
        "area\tdemo-zone\t示範合作區\tname_en\texact",
        "claim\tdemo-zone-theme\t以科技創新為主題的合作平台\tid\tprefix",  # its id begins so
    ]
    english = invoke("search", "demo zone", "--facts", asset("valid.toml"), "--format", "tsv",
                     "--lang", "en")  # fmt: skip
    assert english.stdout.splitlines()[1] == "area\tdemo-zone\tDemo Zone\tname_en\texact"


def test_show_lists_each_field_then_links_then_citations() -> None:
    out = invoke("show", "demo-institute", "--facts", asset("valid.toml"), "--format", "tsv")
    assert out.stdout.splitlines() == [
        "field\tvalue",
        "id\tdemo-institute",
        "kind\torg",
        "name\t示範研究院",
        "org_kind\tinstitute",
        "name_en\t",
        "name_en_official\tno",
        "aliases\t",
        "fields\tquantum",
        "area\tdemo-zone",
        "parent\t",
        "linked events\tdemo-institute-founded",
        "linked figures\tdemo-funding",
        "linked people\tzhang-san",
        "linked documents\tdemo-plan",
        "citation 1\tdemo-source: 示範研究院在示範合作區成立",
    ]
    shown = _json("show", "demo-institute", "--facts", asset("valid.toml"), "--json")
    assert shown["links"] == {
        "events": ["demo-institute-founded"],
        "figures": ["demo-funding"],
        "people": ["zhang-san"],
        "documents": ["demo-plan"],
    }
    assert shown["name_en_official"] is False
    assert shown["source"] == "demo-source"


def _cited(quote: str) -> dict[str, Any]:
    return {"source": "demo-source", "quote": quote, "citations": [
        {"source": "demo-source", "quote": quote}], "statements": [], "conflicts": []}  # fmt: skip


def test_the_valid_asset_as_json_records_by_hand() -> None:
    """Every field a fact file leaves out shows its empty value: "" for an English text and
    the like, [] for a list, null for the rest."""
    book = load([asset("valid.toml")])
    assert [record_of(e) for e in book.entries()] == [
        {
            "id": "demo-source", "kind": "source", "title": "示範報道",
            "publisher": "示範出版社", "published": "2023-12-18", "published_precision": "day",
            "published_approximate": False, "date_note": None, "language": None, "title_en": "",
            "publisher_en": "", "url": "", "mirror": False, "canonical_url": "", "licence": "",
            "excerpt": False, "part": None, "retrieved": None, "retrieved_precision": None,
            "retrieved_approximate": None, **_cited("發布時間: 2023-12-18"),
        },
        {
            "id": "demo-zone", "kind": "area", "name": "示範合作區", "name_en": "Demo Zone",
            "aliases": [], "area_km2": 3.89, "part_of": None, "derived": None,
            "positionings": [], "positionings_en": [],
            **_cited("示範合作區很小,只有3.89平方公里"),
        },
        {
            "id": "demo-institute-founded", "kind": "event", "date": "2021-09",
            "date_precision": "month", "date_approximate": False, "title": "示範研究院成立",
            "title_en": "", "orgs": ["demo-institute"], "people": ["zhang-san"],
            "documents": [], "area": "demo-zone", "date_note": None,
            **_cited("2021年9月,示範研究院在示範合作區成立"),
        },
        {
            "id": "demo-funding", "kind": "figure", "subject": "引進資金", "value": 70000000,
            "unit": "CNY", "qualifier": "more_than", "as_written": "7000多萬元",
            "scope": "demo-institute", "subject_en": "", "value_max": None, "item": None,
            "date": None, "date_precision": None, "date_approximate": None, "derived": None,
            "located": False,
            **_cited("研究院已引進7000多萬元資金"),
        },
        {
            "id": "demo-institute", "kind": "org", "name": "示範研究院", "org_kind": "institute",
            "name_en": "", "name_en_official": False, "aliases": [], "fields": ["quantum"],
            "area": "demo-zone", "parent": None, **_cited("示範研究院在示範合作區成立"),
        },
        {
            "id": "zhang-san", "kind": "person", "name": "張三", "role": "院長", "name_en": "",
            "role_en": "", "aliases": [], "orgs": ["demo-institute"],
            **_cited("院長張三出席成立儀式"),
        },
        {
            "id": "demo-plan", "kind": "document", "title": "示範合作區發展規劃",
            "doc_kind": "plan", "title_en": "", "aliases": [], "issuers": ["demo-institute"],
            "date": None, "date_precision": None, "date_approximate": None,
            **_cited("《示範合作區發展規劃》由示範研究院發布"),
        },
        {
            "id": "demo-zone-theme", "kind": "claim", "text": "以科技創新為主題的合作平台",
            "category": "positioning", "about": "demo-zone", "text_en": "", "date": None,
            "date_precision": None, "date_approximate": None,
            **_cited("是一個以科技創新為主題的合作平台"),
        },
    ]  # fmt: skip


def test_figures_columns() -> None:
    valid = asset("valid.toml")
    tsv = invoke("figures", "--facts", valid, "--format", "tsv").stdout.splitlines()
    assert tsv == [
        "id\tsubject\tas_written\tvalue\tunit\tqualifier\tscope\tsource",
        "demo-funding\t引進資金\t7000多萬元\t70000000\tCNY\tmore_than\tdemo-institute\tdemo-source",
    ]
    table = invoke("figures", "--facts", valid, "--format", "table", env={"COLUMNS": "200"})
    header = table.stdout.splitlines()[1].split()
    assert header == ["id", "subject", "as_written", "value", "unit", "qualifier", "scope"]


def test_stats_area_columns_and_fields(areas: Path) -> None:
    tsv = invoke("stats", "--area", "--facts", areas, "--format", "tsv").stdout.splitlines()
    assert tsv[0] == "area\tarea_km2\tsubject\tcount\tqualifier\tper_km2\tcheck"
    assert tsv[1] == "zone\t4\t企業\t100\tmore_than\t25\t"
    picked = invoke("stats", "--area", "--facts", areas, "--format", "tsv", "--fields",
                    "id,check,area_derived")  # fmt: skip
    assert picked.exit_code == 0, picked.output
    assert picked.stdout.splitlines()[:3] == [
        "id\tcheck\tarea_derived", "zone:firms\t\t",
        "park:firm-density\tstated; 100 (park) / 2 km² (park) = 50 ✓; 100 (park) / 4 km² "
        "(zone) = 25 ✗\t4 / 2",
    ]  # fmt: skip


def test_search_match_keys_can_be_picked() -> None:
    result = invoke("search", "demo zone", "--facts", asset("valid.toml"), "--format", "tsv",
                    "--fields", "id,match_field,match_rank,label_en")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "id\tmatch_field\tmatch_rank\tlabel_en",
        "demo-zone\tname_en\texact\tDemo Zone",
        "demo-zone-theme\tid\tprefix\t",
    ]


DENSITIES = """
[[source]]
id = "s"
title = "報道"
publisher = "出版社"
published = "2024"

[[area]]
id = "lab"
name = "實驗區"
area_km2 = 3
source = "s"
quote = "實驗區"

[[figure]]
id = "firms"
subject = "企業"
value = 100
unit = "count"
qualifier = "exact"
as_written = "100家"
scope = "lab"
item = "firm"
located = true
source = "s"
quote = "100家"

[[figure]]
id = "firm-density"
subject = "企業密度"
value = 33
unit = "per-km2"
qualifier = "exact"
as_written = "33家"
scope = "lab"
item = "firm"
source = "s"
quote = "33家"

[[figure]]
id = "talent-density"
subject = "人才密度"
value = 7
unit = "per-km2"
qualifier = "about"
as_written = "約7人"
scope = "lab"
item = "talent"
source = "s"
quote = "約7人"
"""


def test_densities_are_rounded_and_a_stated_one_without_a_count_says_so(tmp_path: Path) -> None:
    path = tmp_path / "densities.toml"
    path.write_text(DENSITIES, encoding="utf-8")
    rows = {r["id"]: r for r in _json("stats", "--area", "--facts", path, "--json")}
    assert list(rows) == ["lab:firm-density", "lab:talent-density", "lab:firms"]
    firms = rows["lab:firms"]
    assert (firms["count"], firms["per_km2"], firms["stated"], firms["check"]) == (
        100, 33.33, False, "",
    )  # fmt: skip
    stated = rows["lab:firm-density"]
    assert (stated["count"], stated["per_km2"], stated["stated"]) == (None, 33, True)
    assert stated["recomputed"] == [
        {"numerator": "firms", "numerator_value": 100, "numerator_scope": "lab",
         "denominator": "lab", "area_km2": 3, "value": 33.33, "reproduces": True},
    ]  # fmt: skip
    assert stated["check"] == "stated; 100 (lab) / 3 km² (lab) = 33.33 ✓"
    talent = rows["lab:talent-density"]
    assert (talent["count"], talent["qualifier"], talent["per_km2"], talent["stated"]) == (
        None, "about", 7, True,
    )  # fmt: skip
    assert talent["recomputed"] == []
    assert talent["check"] == "stated; no count of the same item to recompute it from"


def test_sources_facts_is_a_field_and_a_number() -> None:
    valid = asset("valid.toml")
    picked = invoke("sources", "--facts", valid, "--format", "tsv", "--fields", "id,facts")
    assert picked.stdout.splitlines() == ["id\tfacts", "demo-source\t7"]
    table = invoke("sources", "--facts", valid, "--format", "table", env={"COLUMNS": "120"})
    header, row = (line.rstrip() for line in table.stdout.splitlines()[1:4:2])
    assert header.endswith("facts") and row.endswith("7")
    assert _width(row) == _width(header)  # a number is right-aligned under its heading


def _width(line: str) -> int:
    """The columns a line takes in a terminal: a CJK character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def test_stats_area_accepts_every_key_of_its_records_as_a_field(areas: Path) -> None:
    keys = ("id,area,area_name,area_name_en,area_km2,area_derived,figure,subject,subject_en,"
            "count,qualifier,per_km2,stated,recomputed,check")  # fmt: skip
    result = invoke("stats", "--area", "--facts", areas, "--format", "tsv", "--fields", keys)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == keys.replace(",", "\t")


def test_stats_table_shows_the_group_as_a_heading_not_a_column() -> None:
    out = invoke("stats", "--facts", asset("valid.toml"), "--format", "table").stdout
    assert out.splitlines()[1].split() == ["key", "count"]


def test_stats_accepts_every_key_of_its_records_as_a_field() -> None:
    result = invoke("stats", "--facts", asset("valid.toml"), "--format", "tsv", "--fields",
                    "id,group,key,count")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == [
        "id\tgroup\tkey\tcount",
        "kind:source\tkind\tsource\t1",
    ]


def test_named_ids_without_typer() -> None:
    from hetao_cli.views import NotNamed, field_of_work, named_ids

    book = load()
    assert named_ids(book, ["SIQA", "深圳国际量子研究院"], Kind.ORG) == ["siqa", "siqa"]
    with pytest.raises(NotNamed, match="yu-dapeng is a person, not an org: hetao person show"):
        named_ids(book, ["yu-dapeng"], Kind.ORG)
    with pytest.raises(NotNamed, match=r"no entry 'zzz-nothing'$"):
        named_ids(book, ["zzz-nothing"], None)
    assert field_of_work(book, "Quantum") == "quantum"
    with pytest.raises(NotNamed, match="did you mean: quantum"):
        field_of_work(book, "quantm")
