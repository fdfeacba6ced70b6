"""Search's rules one by one: folding, which field a match is reported in, and how ranks are
decided. The entries are made here and the expected order written by hand; the mutation run
(bench/mutate.py) found these untested."""

from __future__ import annotations

from hetao_cli.model import Citation, Organisation, OrgKind, Person
from hetao_cli.search import (
    NAME_FIELDS,
    RANKS,
    fold,
    fold_many,
    search,
    terms_of,
    texts_of,
    to_simplified,
)


def org(id: str, name: str, *, quote: str = "", aliases: tuple[str, ...] = (),
        name_en: str = "", fields: tuple[str, ...] = ()) -> Organisation:  # fmt: skip
    citations = (Citation("src", quote),) if quote else ()
    return Organisation(
        id, name, OrgKind.OTHER, citations, name_en=name_en, aliases=aliases, fields=fields
    )


def found(entries: list[Organisation], *query: str) -> list[tuple[str, str, str]]:
    return [(m.entry.id, RANKS[m.rank], m.field) for m in search(entries, query)]


# ---------------------------------------------------------------------------------------------
# Folding


def test_to_simplified() -> None:
    assert to_simplified("國際量子研究院") == "国际量子研究院"
    assert to_simplified("abc") == "abc"
    assert to_simplified("Hong Kong 香港大學") == "Hong Kong 香港大学"


def test_fold_many_folds_each_text_alone() -> None:
    assert fold_many(["國際", "a\nb", "ＡＢ", "產業"]) == ["国际", "a b", "ab", "产业"]
    assert fold_many(["ABC", "x y"]) == ["abc", "x y"]
    assert fold_many([]) == []


def test_bytes_the_locale_could_not_decode_are_read_as_utf8() -> None:
    # `LC_ALL=C hetao search 量子`: each byte of 量 (e9 87 8f) arrives as a lone surrogate.
    assert fold("\udce9\udc87\udc8f子") == "量子"
    assert fold("a\udcffb") == "a\ufffdb"  # a byte that is no UTF-8: the replacement character
    assert fold("\ud800") == "?"  # a surrogate no byte stands for


def test_terms_of_drops_empty_words() -> None:
    assert terms_of(["", "  a  B ", "Ｃ"]) == ["a", "b", "c"]
    assert terms_of([]) == []


# ---------------------------------------------------------------------------------------------
# Where search looks


def test_names_come_first_then_the_id_then_other_texts_then_quotes() -> None:
    entry = org("siqa", "量子院", quote="原文", aliases=("量院",), name_en="Q", fields=("quantum",))
    assert list(texts_of(entry)) == [
        ("name", "量子院"),
        ("name_en", "Q"),
        ("aliases", "量院"),
        ("id", "siqa"),
        ("fields", "quantum"),
        ("quote", "原文"),
    ]


def test_a_person_s_role_is_text_not_a_name() -> None:
    person = Person("p", "張三", "量子院長", (Citation("s", "q"),), role_en="President")
    assert list(texts_of(person)) == [
        ("name", "張三"),
        ("name_en", ""),
        ("id", "p"),
        ("role", "量子院長"),
        ("role_en", "President"),
        ("name", "zhang san"),  # no name_en: the Pinyin of the name, for search
        ("quote", "q"),
    ]


def test_name_fields() -> None:
    assert {"id", "name", "name_en", "aliases", "title", "title_en", "subject"} <= NAME_FIELDS
    assert not {"role", "quote", "fields", "publisher", "as_written"} & NAME_FIELDS


# ---------------------------------------------------------------------------------------------
# Ranks and fields


def test_an_equal_rank_is_reported_in_the_first_field() -> None:
    entries = [org("a", "量子", aliases=("量子",))]
    assert found(entries, "量子") == [("a", "exact", "name")]


def test_the_better_rank_wins_over_the_earlier_field() -> None:
    entries = [org("a", "深圳量子研究院", aliases=("量子",))]
    assert found(entries, "量子") == [("a", "exact", "aliases")]


def test_two_terms_in_one_field_name_it_once() -> None:
    entries = [org("a", "深圳量子研究院")]
    assert found(entries, "深圳", "研究院") == [("a", "name", "name")]  # the weaker term decides


def test_the_id_is_ranked_as_a_name() -> None:
    entries = [org("demo-zone", "示範區"), org("b", "乙", quote="demo-zone")]
    assert found(entries, "demo-zone") == [("demo-zone", "exact", "id"), ("b", "text", "quote")]


def test_a_whole_phrase_in_a_quote_is_only_text() -> None:
    entries = [org("a", "甲", quote="quantum academy")]
    assert found(entries, "quantum", "academy") == [("a", "text", "quote")]


def test_a_whole_phrase_beats_its_words() -> None:
    # Each word alone is a substring of the name (rank 2); the phrase is its prefix (rank 1).
    entries = [org("a", "x", name_en="Quantum Academy of Things")]
    assert found(entries, "quantum", "academy") == [("a", "prefix", "name_en")]
    # The phrase inside a longer name is a substring, as good as its words: they decide.
    entries = [org("b", "x", name_en="The Quantum Academy")]
    assert found(entries, "quantum", "academy") == [("b", "name", "name_en")]


def test_the_best_whole_phrase_field_is_kept() -> None:
    entries = [org("a", "x", name_en="Big Quantum Lab", aliases=("quantum lab",))]
    assert found(entries, "quantum", "lab") == [("a", "exact", "aliases")]
    entries = [org("b", "x", name_en="quantum lab", aliases=("quantum lab two",))]
    assert found(entries, "quantum", "lab") == [("b", "exact", "name_en")]


def test_an_empty_text_never_matches() -> None:
    entries = [org("a", "量子", name_en="")]
    assert found(entries, "量子") == [("a", "exact", "name")]


def test_ranks_sort_before_file_order() -> None:
    entries = [
        org("t", "甲", quote="量子"),
        org("n", "大量子"),
        org("p", "量子院"),
        org("e", "量子"),
    ]
    assert found(entries, "量子") == [
        ("e", "exact", "name"),
        ("p", "prefix", "name"),
        ("n", "name", "name"),
        ("t", "text", "quote"),
    ]


def test_a_whole_phrase_tie_keeps_the_first_field() -> None:
    entries = [org("a", "x", name_en="quantum lab", aliases=("quantum lab",))]
    assert found(entries, "quantum", "lab") == [("a", "exact", "name_en")]


def test_a_whole_phrase_no_better_than_its_words_leaves_their_fields() -> None:
    # quantum: a substring of the name; lab: of the English name; the phrase: a substring of
    # the English name too. Rank 2 either way, and both fields are named.
    entries = [org("a", "x quantum", name_en="big quantum lab")]
    assert found(entries, "quantum", "lab") == [("a", "name", "name,name_en")]


def test_every_term_an_exact_name_is_an_exact_match() -> None:
    # No text holds the whole phrase, so each term's own rank decides: both are exact.
    entries = [org("a", "量子", aliases=("深圳",)), org("b", "量子", aliases=("深圳灣",))]
    assert found(entries, "量子", "深圳") == [
        ("a", "exact", "name,aliases"),
        ("b", "prefix", "name,aliases"),
    ]
