"""--sort, --reverse and --limit on every listing; --fields alone lists the fields; area and
document listings. Expected orders come from the fact file, sorted here by hand-written keys."""

from __future__ import annotations

import json
import subprocess

import pytest
from conftest import HETAO, clean_env, invoke

from hetao_cli.load import load

BOOK = load()


def ids(*args: str) -> list[str]:
    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.output
    return [r["id"] for r in json.loads(result.stdout)]


def test_sort_numbers_as_numbers_and_blanks_last() -> None:
    by_value = ids("figures", "--sort", "value")
    values = [BOOK.by_id[i].value for i in by_value]  # type: ignore[union-attr]
    assert values == sorted(values)
    # as numbers 10 < 150 (as text "150" < "10" would not hold)
    assert by_value.index("hksp-unicorns") < by_value.index("hksp-shenzhen-applicants")
    areas = ids("area", "list", "--sort", "area_km2")
    # 0.87 < 1.35 < 1.67 < 3.02 < 3.89
    assert areas[:5] == [
        "hk-park", "futian-bonded-zone", "huanggang-port-area", "shenzhen-park", "hetao-zone"
    ]  # fmt: skip
    assert all(BOOK.by_id[a].area_km2 is None for a in areas[5:])  # type: ignore[union-attr]


def test_sort_dates_in_date_order_a_coarser_date_first() -> None:
    dated = ids("timeline", "--sort", "date")
    keys = [BOOK.by_id[i].date.sort_key for i in dated]  # type: ignore[union-attr]
    assert keys == sorted(keys)
    assert dated == ids("timeline")  # the timeline is already in date order


def test_sort_by_several_fields_then_reverse_then_limit() -> None:
    both = ids("org", "list", "--sort", "org_kind", "--sort", "id")
    expected = sorted(BOOK.orgs, key=lambda o: (o.kind.value, o.id))
    assert both == [o.id for o in expected]
    assert ids("org", "list", "--sort", "org_kind", "--sort", "id", "--reverse") == both[::-1]
    assert ids("org", "list", "--sort", "org_kind", "--sort", "id", "--limit", "3") == both[:3]
    assert ids("org", "list", "--reverse") == [o.id for o in BOOK.orgs][::-1]


@pytest.mark.parametrize(
    "command",
    [["timeline"], ["figures"], ["sources"], ["org", "list"], ["person", "list"],
     ["area", "list"], ["document", "list"], ["search", "河套"], ["org", "search", "研究院"],
     ["person", "search", "院士"], ["stats"]],
    ids=" ".join,
)  # fmt: skip
def test_every_listing_reverses_and_limits(command: list[str]) -> None:
    every = ids(*command)
    assert ids(*command, "--reverse") == every[::-1]
    assert ids(*command, "--limit", "2") == every[:2]
    assert invoke(*command, "--limit", "0").exit_code == 2
    assert invoke(*command, "--sort", "bogus").exit_code == 2


def test_timeline_reverse_is_newest_first() -> None:
    newest = ids("timeline", "--reverse", "--limit", "1")
    assert newest == [max(BOOK.events, key=lambda e: e.date.sort_key).id]


def test_fields_help_lists_the_fields() -> None:
    listed = invoke("timeline", "--fields", "help").stdout.split()
    assert listed[:3] == ["id", "kind", "date"] and "citations" in listed
    assert invoke("show", "siqa", "--fields", "help").stdout.split()[-1] == "links"
    alone = subprocess.run([*HETAO, "figures", "--fields"], capture_output=True, env=clean_env())
    assert alone.returncode == 0
    assert alone.stdout.decode().split() == invoke("figures", "--fields", "help").stdout.split()
    before = subprocess.run([*HETAO, "org", "list", "--fields", "--json"], capture_output=True,
                            env=clean_env())  # fmt: skip
    assert before.stdout.decode().split()[:3] == ["id", "kind", "name"]


def test_area_and_document_listings() -> None:
    assert ids("area", "list") == [a.id for a in BOOK.areas]
    assert ids("document", "list") == [d.id for d in BOOK.documents]
    plans = ids("document", "list", "--kind", "PLAN")
    assert plans == [d.id for d in BOOK.documents if d.kind.value == "plan"] and plans
    shown = json.loads(invoke("area", "show", "Shenzhen Park", "--json").stdout)
    assert shown["id"] == "shenzhen-park"
    wrong = invoke("area", "show", "siqa")
    assert wrong.exit_code == 2 and "hetao org show siqa" in wrong.stderr


@pytest.mark.parametrize(
    "args",
    [["timeline", "--format", "JSON"], ["timeline", "--color", "NEVER"],
     ["figures", "--unit", "Count"], ["org", "list", "--kind", "Institute"],
     ["document", "list", "--kind", "PLAN"], ["check", "--format", "JSON"]],
    ids=" ".join,
)  # fmt: skip
def test_every_choice_ignores_case(args: list[str]) -> None:
    assert invoke(*args).exit_code == 0


def test_blanks_sort_last_among_text_too() -> None:
    by_area = ids("org", "list", "--sort", "area")
    areas = [BOOK.by_id[i].area for i in by_area]  # type: ignore[union-attr]
    named = [a for a in areas if a]
    assert areas == sorted(named) + [""] * (len(areas) - len(named))
    assert named and len(named) < len(areas)  # there are blanks, and they come last
    assert ids("org", "list", "--sort", "area", "--reverse")[0] == by_area[-1]


def test_show_names_each_relation() -> None:
    import json as json_

    shown = json_.loads(invoke("show", "cityu", "--json").stdout)
    assert shown["links"] == {"orgs": ["cityu-futian"]}  # its unit
    text = invoke("show", "cityu", "--format", "tsv").stdout
    assert "linked orgs\tcityu-futian" in text
