"""Fold text (NFKC, case, Traditional/Simplified) and rank matches.

OpenCC is imported the first time text is folded, never at start-up.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from .model import SCHEMAS, Entry, FactBook, Kind, Person, kind_of
from .schema import Search, Type

NAME, TEXT = Search.NAME, Search.TEXT


@lru_cache(maxsize=1)
def _converter() -> Any:
    import opencc  # ~10 ms; only when text is folded

    return opencc.OpenCC("t2s")


def _t2s(text: str) -> str:
    # Twice: t2s is not idempotent for a few characters (薴 → 苧 → 苎); a second pass settles
    # them, so a folded query and a folded text meet. It costs well under a millisecond.
    convert = _converter().convert
    return str(convert(convert(text)))


def to_simplified(text: str) -> str:
    """Chinese text in Simplified script (for --lang zh-hans); other text unchanged."""
    if text.isascii():
        return text
    return str(_converter().convert(text))


def _basic(text: str) -> str:
    # NFKC folds full-width forms; casefold folds case; newlines separate texts in a batch.
    return unicodedata.normalize("NFKC", _unescaped(text)).casefold().replace("\n", " ")


def _unescaped(text: str) -> str:
    """Text OpenCC can encode. Bytes of argv that the locale could not decode arrive as lone
    surrogates (`LC_ALL=C hetao search 量子`, or a stray \\xff): read them again as UTF-8."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate no byte stands for: replace it
        raw = text.encode("utf-8", "replace")
    return raw.decode("utf-8", "replace")


def fold(text: str) -> str:
    """The form text is compared in: NFKC, case-folded, Simplified (産/產/产 → 产)."""
    return fold_many([text])[0]


def fold_many(texts: Sequence[str]) -> list[str]:
    """Fold many texts with one OpenCC call: far cheaper than one call a text."""
    basic = [_basic(t) for t in texts]
    if all(t.isascii() for t in basic):
        return basic
    joined = "\n".join(basic)
    folded = _t2s(joined).split("\n")
    if len(folded) != len(basic):  # a conversion that changed the line count: fold one by one
        folded = [_t2s(t) for t in basic]
    return folded


def _searched(kind: Kind) -> tuple[tuple[int, str, bool], ...]:
    """(position, field, is a list) of what search looks in: names first, then the id, then
    the other texts the schema marks as searched; quotes come last (see texts_of)."""
    fields = SCHEMAS[kind].fields
    many = (Type.TEXTS, Type.SLUGS)
    names = [(s.position, s.name, s.field.holds in many) for s in fields if s.field.search is NAME]
    other = [(s.position, s.name, s.field.holds in many) for s in fields if s.field.search is TEXT]
    return (*names, (0, "id", False), *other)


_SEARCHED = {kind: _searched(kind) for kind in Kind}
# Fields whose match is ranked as a name's: exact, prefix, substring.
NAME_FIELDS = frozenset(
    {"id"}
    | {s.name for schema in SCHEMAS.values() for s in schema.fields if s.field.search is NAME}
)


def texts_of(entry: Entry) -> Iterator[tuple[str, str]]:
    """(field, text) pairs a search looks in; names first, quotes last."""
    values: tuple[Any, ...] = entry
    for index, field, many in _SEARCHED[kind_of(entry)]:
        value = values[index]
        if many:
            for item in value:
                yield field, item
        else:
            yield field, value
    if isinstance(entry, Person) and not entry.name_en and not entry.name.isascii():
        yield "name", pinyin_of(entry.name)  # found by pinyin without tones or spaces too
    for c in entry.citations:
        yield "quote", c.quote


class Match(NamedTuple):
    """An entry a query found, how well, and in which field."""

    entry: Entry
    rank: int  # 0 exact name or alias, 1 prefix of one, 2 substring of one, 3 other text
    field: str


RANKS = ("exact", "prefix", "name", "text")


def terms_of(query: Iterable[str]) -> list[str]:
    """The folded terms of a query; several words must all match. A term of punctuation
    alone (the "-" of "Loop - Stage") is no term: names are compared without it."""
    return [t for q in query for t in fold(q).split() if not all(_punctuation(c) for c in t)]


def _punctuation(char: str) -> bool:
    return unicodedata.category(char).startswith("P")


def search(entries: Sequence[Entry], query: Sequence[str]) -> list[Match]:
    """Entries matching every term of the query, best first (then in file order)."""
    terms = terms_of(query)
    if not terms:
        return []
    whole = " ".join(t for q in query for t in fold(q).split())  # punctuation and all
    whole_compact = _compact(whole)
    compact_terms = [_compact(t) for t in terms]
    pairs = [(i, f, t) for i, e in enumerate(entries) for f, t in texts_of(e) if t]
    folded = fold_many([t for _, _, t in pairs])
    best: dict[int, list[tuple[int, str] | None]] = {}
    whole_rank: dict[int, tuple[int, str]] = {}
    for (i, field, _), text in zip(pairs, folded, strict=False):
        is_name = field in NAME_FIELDS
        # A name is also compared without its spaces and hyphens: yudapeng is "Yu Dapeng".
        compact = _compact(text) if is_name else text
        if is_name and whole_compact and whole_compact in compact:
            # The query as one phrase: "quantum academy" is a prefix of "Quantum Academy of …".
            r = _name_rank(compact, whole_compact)
            if i not in whole_rank or whole_rank[i][0] > r:
                whole_rank[i] = (r, field)
        slots = best.setdefault(i, [None] * len(terms))
        for n, term in enumerate(terms):
            if is_name:
                if not compact_terms[n] or compact_terms[n] not in compact:
                    continue
                rank = _name_rank(compact, compact_terms[n])
            elif term not in text:
                continue
            else:
                rank = 3
            current = slots[n]
            if current is None or rank < current[0]:
                slots[n] = (rank, field)
    matches: list[tuple[int, int, Match]] = []
    for i, slots in best.items():
        if any(s is None for s in slots):
            continue
        found = [s for s in slots if s is not None]
        rank = max(r for r, _ in found)
        fields = list(dict.fromkeys(f for _, f in found))
        if i in whole_rank and whole_rank[i][0] < rank:
            rank, fields = whole_rank[i][0], [whole_rank[i][1]]
        matches.append((rank, i, Match(entries[i], rank, ",".join(fields))))
    matches.sort(key=lambda m: (m[0], m[1]))
    return [m for _, _, m in matches]


def _name_rank(name: str, term: str) -> int:
    """0 the whole name, 1 its start, 2 inside it."""
    return 0 if name == term else 1 if name.startswith(term) else 2


@lru_cache(maxsize=4096)
def pinyin_of(name: str) -> str:
    """A Chinese name in Hanyu Pinyin without tones, a syllable a word ("yu da peng"); pypinyin
    (about 250 ms to import) is imported the first time, only where a name has no name_en."""
    from pypinyin import lazy_pinyin

    return " ".join(lazy_pinyin(name))


# ---------------------------------------------------------------------------------------------
# Look-ups: what a user typed (an id, an alias, a name, in either script or English) to entries


class Found(NamedTuple):
    """What a typed id or name names."""

    matches: tuple[Entry, ...]  # entries of the kinds asked for
    elsewhere: tuple[Entry, ...]  # entries of other kinds
    close: tuple[Entry, ...]  # near misses, for "did you mean"


def _compact(folded: str) -> str:
    """A folded name without spaces, hyphens, dots and middle dots: "Yu Dapeng" is yudapeng;
    a name of nothing but those ("."), as it is."""
    return "".join(c for c in folded if not c.isspace() and c not in "-_.·・‧") or folded


def _names(entry: Entry) -> Iterator[str]:
    yield entry.id
    values: tuple[Any, ...] = entry
    for index, _, many in _SEARCHED[kind_of(entry)]:
        if index == 0:
            continue  # the id, given above
        value = values[index]
        if many:
            yield from value
        elif value:
            yield value


def look_up(book: FactBook, text: str, kinds: Collection[Kind] = ()) -> Found:
    """The entries whose id, name, English name or alias is `text`, compared folded (case,
    full-width, Traditional or Simplified, spaces and hyphens); with near misses when none is.
    An exact id costs nothing more than a dictionary look-up."""
    exact = book.by_id.get(text)
    if exact is not None and (not kinds or kind_of(exact) in kinds):
        return Found((exact,), (), ())
    entries = list(book.entries())
    pairs = [(e, name) for e in entries for name in _names(e) if name]
    folded = fold_many([text, *(name for _, name in pairs)])
    wanted = _compact(folded[0])
    named = list(dict.fromkeys(e for (e, _), f in zip(pairs, folded[1:], strict=True)
                               if _compact(f) == wanted))  # fmt: skip
    matches = tuple(e for e in named if not kinds or kind_of(e) in kinds)
    elsewhere = tuple(e for e in named if kinds and kind_of(e) not in kinds)
    if matches or elsewhere or not wanted:
        return Found(matches, elsewhere, ())
    import difflib  # only for a near miss

    by_name: dict[str, list[Entry]] = {}
    for (e, _), f in zip(pairs, folded[1:], strict=True):
        if not kinds or kind_of(e) in kinds:
            by_name.setdefault(_compact(f), []).append(e)
    near = difflib.get_close_matches(wanted, list(by_name), n=5, cutoff=0.6)
    close = tuple(dict.fromkeys(e for name in near for e in by_name[name]))[:5]
    return Found((), (), close)
