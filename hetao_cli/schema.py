"""What each kind of fact is: its fields, how each is checked, and what follows from them.

A record class in model.py declares each field once, as ``Annotated[type, Field(...)]``; this
module says what such a declaration means, and derives from the record classes everything
the rest of hetao needs: the TOML keys loading accepts and which are required, the links to
check, the JSON keys of a record and how each value is written, the texts search looks in,
the English pair of a text, which fields are numbers and dates, and where the cache keeps
dates and enums. Nothing else restates a field: adding one is a line in model.py.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from enum import Enum
from functools import partial
from typing import Any, NamedTuple

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")


class Search(Enum):
    """How search treats a field: as a name (ranked exact, prefix, substring) or as text."""

    NO = "no"
    NAME = "name"
    TEXT = "text"


class Type(Enum):
    """The value types a field may hold, as TOML writes them."""

    TEXT = "text"  # a string; a required one must not be blank
    TEXTS = "texts"  # a list of strings
    SLUG = "slug"  # a lowercase slug
    SLUGS = "slugs"  # a list of lowercase slugs
    LINK = "link"  # the id of another entry
    LINKS = "links"  # a list of ids
    NUMBER = "number"  # an integer or a finite float
    FLAG = "flag"  # true or false
    DATE = "date"  # "YYYY", "YYYY-MM" or "YYYY-MM-DD", as a string
    CHOICE = "choice"  # one value of an Enum
    CITATIONS = "citations"  # more_citations: a list of { quote, field, source, as_written }
    STATEMENTS = "statements"  # statements: a list of tables, each another value of a field


class Field(NamedTuple):
    """One field of a kind: how TOML writes it, how it is checked, shown and searched."""

    holds: Type
    doc: str  # one line for the README and the fact file's header
    required: bool = False
    links: tuple[str, ...] = ()  # LINK/LINKS: the kinds (TOML table names) it may name; () any
    search: Search = Search.NO
    english: str = ""  # the field that holds this one's English
    json: str = ""  # its JSON key, where that is not its name
    empty: Any = None  # what JSON shows for an empty optional value: null, or "" for texts
    approximate: bool = False  # DATE: the TOML key `approximate = true` may go with it
    choices: type[Enum] | None = None  # CHOICE: the Enum
    statable: bool = False  # NUMBER/DATE: other statements may give it another value

    @property
    def is_link(self) -> bool:
        return self.holds in (Type.LINK, Type.LINKS)


def text(doc: str, *, required: bool = False, search: Search = Search.NO, english: str = "",
         empty: Any = None) -> Field:  # fmt: skip
    return Field(Type.TEXT, doc, required, search=search, english=english, empty=empty)


def texts(doc: str, *, search: Search = Search.NO, english: str = "") -> Field:
    return Field(Type.TEXTS, doc, search=search, english=english)


def slug(doc: str, *, search: Search = Search.NO) -> Field:
    return Field(Type.SLUG, doc, search=search)


def slugs(doc: str, *, search: Search = Search.NO) -> Field:
    return Field(Type.SLUGS, doc, search=search)


def link(doc: str, *kinds: str, required: bool = False) -> Field:
    return Field(Type.LINK, doc, required, links=kinds)


def links(doc: str, *kinds: str) -> Field:
    return Field(Type.LINKS, doc, links=kinds)


def number(doc: str, *, required: bool = False, statable: bool = True) -> Field:
    return Field(Type.NUMBER, doc, required, statable=statable)


def flag(doc: str) -> Field:
    return Field(Type.FLAG, doc)


def when(
    doc: str, *, required: bool = False, approximate: bool = True, statable: bool = True
) -> Field:
    return Field(Type.DATE, doc, required, approximate=approximate, statable=statable)


def choice(doc: str, choices: type[Enum], *, json: str = "", required: bool = True) -> Field:
    return Field(Type.CHOICE, doc, required, json=json, choices=choices)


# The TOML keys every entry has, before its kind's own; a [[source]] cites itself, so there
# `source` and `quote` are optional.
ID = Field(Type.SLUG, "lowercase slug (a-z, 0-9, '-'), unique across all kinds and files", True)
SOURCE = link("id of the [[source]] the quote stands in", "source", required=True)
QUOTE = text("a verbatim excerpt of that source that states the fact", required=True)
MORE_CITATIONS = Field(
    Type.CITATIONS,
    "list of { quote, field, source, as_written } backing one field; source defaults to the "
    "entry's own; as_written: how the quote words the value",
)
STATEMENTS = Field(
    Type.STATEMENTS,
    "[[<kind>.statements]] tables: another value of a number or date field, from a source "
    "(README: Statements)",
)
APPROXIMATE = flag("true where the source gives the date vaguely")


# ---------------------------------------------------------------------------------------------
# Checking one TOML value


def type_name(value: Any) -> str:
    """What a TOML value is, in the words of a message."""
    return {dict: "a table", list: "a list", bool: "a boolean", str: "a string"}.get(
        type(value), type(value).__name__
    )


def shown(value: Any, limit: int = 80) -> str:
    """A TOML value in a message: its repr, cut when long; a table or list only two levels
    deep (a 1,000-part dotted key nests a thousand tables, too deep for repr)."""
    if isinstance(value, (dict, list)):
        import reprlib  # only when such a value is reported

        brief = reprlib.Repr()
        brief.maxlevel, brief.maxstring, brief.maxother = 2, limit, limit
        text = brief.repr(value)
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {type_name(value)}")
    return value


def _texts(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"expected a list of strings, got {type_name(value)}")
    return tuple(value)


def _slug(value: Any) -> str:
    if not isinstance(value, str) or not ID_RE.match(value):
        raise ValueError(f"expected a lowercase slug (a-z, 0-9, '-'), got {shown(value)}")
    return value


def _slugs(value: Any) -> tuple[str, ...]:
    return tuple(_slug(v) for v in _texts(value))


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {type_name(value)}")
    return value


def _finite_number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number, got {type_name(value)}")
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        finite = False
    if not finite:
        raise ValueError("expected a finite number")
    return value


def _date(value: Any) -> str:
    """A date's text; the loader reads it as a PartialDate (model.py), which checks the rest."""
    if not isinstance(value, str):
        hint = " (write the date as a quoted string)" if hasattr(value, "year") else ""
        raise ValueError(f"expected a date string YYYY, YYYY-MM or YYYY-MM-DD{hint}")
    return value


def _any(value: Any) -> Any:
    return value  # more_citations: the loader checks it item by item


_CHECKS: dict[Type, Callable[[Any], Any]] = {
    Type.TEXT: _text,
    Type.TEXTS: _texts,
    Type.SLUG: _slug,
    Type.SLUGS: _slugs,
    Type.LINK: _slug,
    Type.LINKS: _slugs,
    Type.NUMBER: _finite_number,
    Type.FLAG: _flag,
    Type.DATE: _date,
    Type.CITATIONS: _any,
    Type.STATEMENTS: _any,
}


def checker(field: Field) -> Callable[[Any], Any]:
    """checked(field, ·) as one function, made once a field: the loader calls it for every
    value of every entry, and dispatching on the field's type each time cost it 0.3 s at
    100,000 entries."""
    if field.holds is Type.CHOICE or (field.holds is Type.TEXT and field.required):
        return partial(checked, field)
    return _CHECKS[field.holds]


def checked(field: Field, value: Any) -> Any:
    """The TOML value as the record holds it; raise ValueError saying what was expected."""
    if field.holds is Type.CHOICE:
        assert field.choices is not None
        if isinstance(value, str):  # the Enum's own message would repr any other value whole
            try:
                return field.choices(value)
            except ValueError:
                pass
        names = ", ".join(str(m.value) for m in field.choices)
        raise ValueError(f"expected one of {names}; got {shown(value)}")
    found = _CHECKS[field.holds](value)
    if field.holds is Type.TEXT and field.required and not found.strip():
        raise ValueError("expected a non-empty string")
    return found


# ---------------------------------------------------------------------------------------------
# A kind's schema, derived from its record class


class Spec(NamedTuple):
    """A field of a record, with its name and its position in the record."""

    name: str
    field: Field
    position: int  # in the record

    @property
    def key(self) -> str:
        """Its JSON key."""
        return self.field.json or self.name


class KindSchema(NamedTuple):
    """Everything hetao knows about one kind of entry, derived from its record class."""

    name: str  # the TOML table name: "event"
    record: type  # the NamedTuple class
    fields: tuple[Spec, ...]  # the declared fields, in record order
    toml: Mapping[str, Field]  # every TOML key an entry may have, in the order docs list them
    required: tuple[str, ...]  # the TOML keys an entry must have
    json_keys: tuple[str, ...]  # the keys of its JSON record, in order
    citations_index: int  # where the record keeps its citations

    def spec(self, name: str) -> Spec | None:
        for s in self.fields:
            if s.name == name:
                return s
        return None

    @property
    def statable(self) -> tuple[Spec, ...]:
        """The fields other statements may give another value of: numbers and dates."""
        return tuple(s for s in self.fields if s.field.statable)

    def of_type(self, *types: Type) -> tuple[Spec, ...]:
        return tuple(s for s in self.fields if s.field.holds in types)

    @property
    def numeric_keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.of_type(Type.NUMBER))

    @property
    def date_keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.of_type(Type.DATE))

    @property
    def english(self) -> dict[str, str]:
        """Each text's JSON key with its English pair's."""
        return {s.key: s.field.english for s in self.fields if s.field.english}


def derive(name: str, record: type) -> KindSchema:
    """A kind's schema from its record class's ``Annotated[..., Field]`` declarations."""
    declared: list[Spec] = []
    citations_index = -1
    for position, attr in enumerate(record._fields):  # type: ignore[attr-defined]
        if attr == "citations":
            citations_index = position
        meta = getattr(record.__annotations__.get(attr), "__metadata__", ())
        field = next((m for m in meta if isinstance(m, Field)), None)
        if field is not None:
            declared.append(Spec(attr, field, position))
    cites_itself = name == "source"
    toml: dict[str, Field] = {
        "id": ID,
        "source": link(SOURCE.doc, "source") if cites_itself else SOURCE,
        "quote": text(QUOTE.doc + " (on [[source]]: checked against the source itself)")
        if cites_itself
        else QUOTE,
        "more_citations": MORE_CITATIONS,
    }
    keys: list[str] = ["id", "kind"]
    for s in declared:
        toml[s.name] = s.field
        if s.field.approximate:
            toml["approximate"] = APPROXIMATE
        if s.field.holds is Type.DATE:
            keys += [s.key, f"{s.key}_precision", f"{s.key}_approximate"]
        else:
            keys.append(s.key)
    if any(s.field.statable for s in declared):
        toml["statements"] = STATEMENTS
    keys += ["source", "quote", "citations", "statements", "conflicts"]
    required = tuple(k for k, f in toml.items() if f.required)
    return KindSchema(name, record, tuple(declared), toml, required, tuple(keys), citations_index)
