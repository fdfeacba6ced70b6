"""Search: folding (NFKC, case, Traditional/Simplified), matching every term, ranking."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from hetao_cli.load import load
from hetao_cli.model import (
    Area,
    Citation,
    Claim,
    Document,
    Entry,
    Event,
    Figure,
    Organisation,
    OrgKind,
    Person,
    Source,
)
from hetao_cli.search import RANKS, fold, search, terms_of

BOOK = load()
ENTRIES: list[Entry] = list(BOOK.entries())


def ids(query: Sequence[str], entries: Sequence[Entry] = ENTRIES) -> list[str]:
    return [m.entry.id for m in search(entries, query)]


def org(
    id: str, name: str, quote: str = "", aliases: tuple[str, ...] = (), name_en: str = ""
) -> Organisation:
    citations = (Citation("src", quote),) if quote else ()
    return Organisation(id, name, OrgKind.OTHER, citations, name_en=name_en, aliases=aliases)


def name_of(entry: Entry) -> str:
    if isinstance(entry, (Area, Organisation, Person)):
        return entry.name
    if isinstance(entry, (Event, Document, Source)):
        return entry.title
    if isinstance(entry, Claim):
        return entry.text
    assert isinstance(entry, Figure)
    return entry.subject


# ---------------------------------------------------------------------------------------------
# Scripts and languages


@pytest.mark.parametrize(
    "query",
    [
        ["國際量子"],
        ["国际量子"],
        ["quantum", "academy"],
        ["Quantum Academy"],
        ["SIQA"],
        ["ｓｉｑａ"],
    ],
)
def test_traditional_simplified_english_and_alias_find_the_quantum_academy(
    query: list[str],
) -> None:
    orgs = ids(query, BOOK.orgs)
    assert orgs[0] == "siqa"


def test_simplified_and_traditional_queries_find_the_same_entries() -> None:
    assert ids(["国际"]) == ids(["國際"])
    assert "siqa" in ids(["国际"])
    assert ids(["总书记"]) == ids(["總書記"])
    assert "xi-jinping" in ids(["总书记"])


@pytest.mark.parametrize("query", ["产业", "產業", "産業"])
def test_every_form_of_chanye_finds_the_industry_clusters(query: str) -> None:
    # facts.toml writes 科創産業集群 with 産, the Japanese-style form of 產.
    assert ids([query])[0] == "shenzhen-park-industry-clusters"
    assert search(ENTRIES, [query])[0].field == "subject"


def test_alias_and_english_name_and_id_are_searched() -> None:
    assert ids(["城大"]) == ["cityu"]
    assert search(ENTRIES, ["城大"])[0].field == "aliases"
    assert search(BOOK.orgs, ["quantum"])[0].entry.id == "quantum-joint-lab"
    assert search(BOOK.orgs, ["quantum"])[0].field == "id"
    siqa = next(m for m in search(BOOK.orgs, ["quantum"]) if m.entry.id == "siqa")
    assert siqa.field == "name_en"


def test_roles_and_quotes_are_searched_as_other_text() -> None:
    found = {m.entry.id: m for m in search(BOOK.people, ["院士"])}
    assert {"yu-dapeng", "lu-jian"} <= set(found)
    assert found["yu-dapeng"].field == "role"
    assert RANKS[found["yu-dapeng"].rank] == "text"
    quoted = search(BOOK.orgs, ["量子"])
    assert any(m.field == "quote" and m.entry.id == "cas" for m in quoted)


def test_the_quantum_institutes_come_first_for_liangzi() -> None:
    quantum = {o.id for o in BOOK.orgs if "quantum" in o.fields}
    assert quantum == {"siqa", "quantum-joint-lab"}
    found = ids(["量子"], BOOK.orgs)
    assert set(found[: len(quantum)]) == quantum


@pytest.mark.parametrize("query", [["火星殖民"], ["zzzz"], ["量子", "火星"], [""], ["  "]])
def test_a_query_for_something_absent_finds_nothing(query: list[str]) -> None:
    assert search(ENTRIES, query) == []


# ---------------------------------------------------------------------------------------------
# Every term must match


def test_several_terms_must_all_match() -> None:
    entries = [org("a", "深圳量子"), org("b", "深圳網絡"), org("c", "香港量子")]
    assert ids(["深圳", "量子"], entries) == ["a"]
    assert ids(["深圳 量子"], entries) == ["a"]
    assert ids(["深圳"], entries) == ["a", "b"]
    assert terms_of(["深圳 量子", "Quantum"]) == ["深圳", "量子", "quantum"]


def test_terms_may_match_in_different_fields() -> None:
    entries = [org("a", "深圳研究院", quote="研究量子"), org("b", "深圳研究院")]
    found = search(entries, ["深圳", "量子"])
    assert [m.entry.id for m in found] == ["a"]
    assert found[0].field == "name,quote"
    assert RANKS[found[0].rank] == "text"  # the weakest term decides


def test_bundled_multi_term_query() -> None:
    assert ids(["深圳", "量子"], BOOK.orgs)[0] == "siqa"
    assert "quantum-joint-lab" not in ids(["深圳", "量子"], BOOK.orgs)


# ---------------------------------------------------------------------------------------------
# Ranking


def test_rank_exact_then_prefix_then_name_substring_then_other_text() -> None:
    # In reverse of the expected order, so file order cannot be what sorts them.
    entries = [
        org("d-text", "研究院", quote="一個量子研究院"),
        org("c-substring", "深圳量子研究院"),
        org("b-prefix", "量子科學院"),
        org("a-exact", "量子"),
    ]
    found = search(entries, ["量子"])
    assert [m.entry.id for m in found] == ["a-exact", "b-prefix", "c-substring", "d-text"]
    assert [RANKS[m.rank] for m in found] == ["exact", "prefix", "name", "text"]
    assert [m.field for m in found] == ["name", "name", "name", "quote"]


def test_an_exact_alias_ranks_with_an_exact_name() -> None:
    entries = [
        org("prefix", "SIQA Institute"),
        org("alias", "深圳國際量子研究院", aliases=("SIQA",)),
    ]
    found = search(entries, ["siqa"])
    assert [(m.entry.id, RANKS[m.rank], m.field) for m in found] == [
        ("alias", "exact", "aliases"),
        ("prefix", "prefix", "name"),
    ]


def test_a_whole_multi_word_name_is_an_exact_match() -> None:
    entries = [
        org("part", "Quantum Academy of Things"),
        org("whole", "x", name_en="Quantum Academy"),
    ]
    found = search(entries, ["Quantum", "Academy"])
    assert [(m.entry.id, RANKS[m.rank]) for m in found] == [("whole", "exact"), ("part", "prefix")]


def test_equal_ranks_keep_file_order() -> None:
    entries = [org("one", "甲量子"), org("two", "乙量子"), org("three", "丙量子")]
    assert ids(["量子"], entries) == ["one", "two", "three"]


# ---------------------------------------------------------------------------------------------
# Properties


@given(st.sampled_from(ENTRIES))
def test_a_bundled_entrys_own_name_finds_it_first(entry: Entry) -> None:
    found = search(ENTRIES, [name_of(entry)])
    assert found
    assert found[0].rank == 0
    assert entry.id in [m.entry.id for m in found if m.rank == 0]


@given(st.sampled_from(ENTRIES))
def test_an_entrys_own_id_finds_it(entry: Entry) -> None:
    assert entry.id in ids([entry.id])


names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=12
)


@given(names, st.lists(names, max_size=3))
def test_any_name_finds_its_entry(name: str, others: list[str]) -> None:
    assume(terms_of([name]))
    entries = [org(f"o{i}", other) for i, other in enumerate(others)] + [org("me", name)]
    found = {m.entry.id: m for m in search(entries, [name])}
    assert "me" in found
    if terms_of([name]) == [fold(name)]:  # one word, even once folded ("¨" folds to " ̈")
        assert found["me"].rank == 0


def test_fold_makes_one_form_of_every_script_width_and_case() -> None:
    assert fold("國際") == fold("国际") == "国际"
    assert fold("ＳＩＱＡ") == fold("SiQa") == "siqa"
    assert fold("産業") == fold("產業") == fold("产业")
    assert fold("Académie") == "académie"


def test_fold_settles_characters_opencc_converts_twice() -> None:
    # OpenCC's t2s maps 薴 → 苧 and 苧 → 苎; a fold that stops after one pass is not idempotent,
    # and a query of 苧 would never meet a text written 薴.
    assert fold("薴") == fold("苧") == fold("苎")


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1))
def test_fold_is_idempotent_on_chinese(text: str) -> None:
    assert fold(fold(text)) == fold(text)
