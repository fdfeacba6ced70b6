"""The schema is the one place a field is declared: the docs are held to it, and what it
declares is coherent (links name kinds, English pairs exist, JSON keys are unique)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import schema_docs
from conftest import invoke

from hetao_cli.load import load
from hetao_cli.model import RECORDS, SCHEMAS, Kind
from hetao_cli.schema import Type

BOOK = load()


@pytest.mark.parametrize(
    ("doc", "name"),
    [(doc, name) for doc, blocks in schema_docs.BLOCKS.items() for name in blocks],
    ids=lambda x: x.name if isinstance(x, Path) else x,
)
def test_docs_show_the_schema(doc: Path, name: str) -> None:
    expected = schema_docs.BLOCKS[doc][name]()
    assert schema_docs.block(doc, name) == expected, (
        f"{doc.name}'s schema:{name} block is not the schema's; "
        "run `uv run python tests/schema_docs.py`"
    )


def test_every_kind_has_a_schema_from_its_record() -> None:
    assert set(SCHEMAS) == set(Kind) == set(RECORDS)
    for kind, schema in SCHEMAS.items():
        assert schema.name == kind.value
        assert schema.record is RECORDS[kind]
        fields = schema.record._fields  # type: ignore[attr-defined]
        assert fields[0] == "id" and "citations" in fields and fields[-1] == "statements"
        declared = [s.name for s in schema.fields]
        assert declared == [f for f in fields if f not in ("id", "citations", "statements")], kind


def test_links_name_kinds_and_english_pairs_exist() -> None:
    kinds = {k.value for k in Kind}
    for schema in SCHEMAS.values():
        for name, field in schema.toml.items():
            assert set(field.links) <= kinds, (schema.name, name)
            if field.links:
                assert field.holds in (Type.LINK, Type.LINKS), (schema.name, name)
            if field.english:
                pair = schema.spec(field.english)
                assert pair is not None and pair.field.holds is field.holds, (schema.name, name)
        assert len(set(schema.json_keys)) == len(schema.json_keys), schema.name


@pytest.mark.parametrize("kind", list(Kind), ids=lambda k: k.value)
def test_json_records_have_exactly_the_schemas_keys(kind: Kind) -> None:
    for entry in BOOK.of_kind(kind):
        shown = json.loads(invoke("show", entry.id, "--json").stdout)
        density = shown.get("unit") == "per-km2"  # show adds how a stated density is recomputed
        extra = ["recomputed"] if density else []
        assert list(shown) == [*SCHEMAS[kind].json_keys, *extra, "links"], entry.id


def test_a_source_carries_its_licence() -> None:
    shown = json.loads(invoke("show", "nanfang-2023-12-18", "--json").stdout)
    assert shown["licence"] == "(c) 南方雜誌社, quoted under fair dealing"
    listed = invoke("sources", "--format", "tsv", "--fields", "id,licence").stdout
    assert listed.splitlines()[1] == "nanfang-2023-12-18\t(c) 南方雜誌社, quoted under fair dealing"
