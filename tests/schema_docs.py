"""The schema as the docs show it: README's field and JSON-key tables and the fact file's header,
made from hetao_cli's record classes. tests/test_schema.py fails when a doc and the schema part;

    uv run python tests/schema_docs.py

rewrites the generated blocks in README.md and facts.toml (between their `schema:` markers) and
touches nothing else.
"""

from __future__ import annotations

import re
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

from hetao_cli.model import SCHEMAS
from hetao_cli.schema import Field, KindSchema, Type

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
FACTS = ROOT / "facts.toml"
COMMON = ("id", "source", "quote", "more_citations")


def _optional(schema: KindSchema) -> list[str]:
    names = [n for n, f in schema.toml.items() if not f.required and n != "more_citations"]
    if schema.name == "source":  # a source cites itself: its own quote is checked against it
        names = [n for n in names if n != "source"]
    return names


def fields_table() -> str:
    """README: each kind's required and optional fields, besides id, source and quote."""
    rows = ["| kind | required | optional |", "|---|---|---|"]
    for schema in SCHEMAS.values():
        required = [n for n in schema.required if n not in COMMON]
        optional = [n for n in _optional(schema) if n not in COMMON or n == "quote"]
        rows.append(f"| `{schema.name}` | {', '.join(required)} | {', '.join(optional)} |")
    return "\n".join(rows)


def json_table() -> str:
    """README: each kind's JSON keys, in order."""
    rows = ["| kind | keys |", "|---|---|"]
    rows += [f"| {s.name} | {', '.join(s.json_keys)} |" for s in SCHEMAS.values()]
    return "\n".join(rows)


def _type_text(field: Field) -> str:
    if field.holds is Type.CHOICE and field.choices is not None:
        return " | ".join(str(m.value) for m in field.choices)
    return {
        Type.TEXT: "text",
        Type.TEXTS: "list of texts",
        Type.SLUG: "slug",
        Type.SLUGS: "list of slugs",
        Type.LINK: "id" + (f" of {' or '.join(field.links)}" if field.links else ""),
        Type.LINKS: "list of ids" + (f" of {' or '.join(field.links)}" if field.links else ""),
        Type.NUMBER: "number",
        Type.FLAG: "true or false",
        Type.DATE: 'date "YYYY", "YYYY-MM" or "YYYY-MM-DD"',
        Type.CITATIONS: "list of tables",
        Type.STATEMENTS: "tables",
    }[field.holds]


def toml_header() -> str:
    """facts.toml: every kind's fields, one line each: name, required or not, type, meaning."""
    lines = []
    for schema in SCHEMAS.values():
        lines.append(f"# [[{schema.name}]]")
        for name, field in schema.toml.items():
            need = "required" if field.required else "optional"
            text = f"{name:<17}{need:<9}{_type_text(field)}: {field.doc}"
            wrapped = textwrap.wrap(text, 94, subsequent_indent=" " * 28)
            lines += [f"#   {w}" for w in wrapped]
    return "\n".join(lines)


BLOCKS = {
    README: {"fields": fields_table, "json": json_table},
    FACTS: {"header": toml_header},
}


def _pattern(doc: Path, name: str) -> re.Pattern[str]:
    start, end = ("<!-- schema:{} -->", "<!-- /schema:{} -->")
    if doc.suffix == ".toml":
        start, end = ("# schema:{}", "# /schema:{}")
    return re.compile(
        rf"({re.escape(start.format(name))}\n)(.*?)(^{re.escape(end.format(name))})", re.S | re.M
    )


def block(doc: Path, name: str) -> str | None:
    """The text between a doc's markers for a block, or None when the markers are missing."""
    found = _pattern(doc, name).search(doc.read_text(encoding="utf-8"))
    return found[2].rstrip("\n") if found else None


def _between(made: str) -> Callable[[re.Match[str]], str]:
    return lambda m: m[1] + made + "\n" + m[3]


def write() -> None:
    for doc, blocks in BLOCKS.items():
        text = doc.read_text(encoding="utf-8")
        for name, make in blocks.items():
            made = make()
            text, n = _pattern(doc, name).subn(_between(made), text)
            if n != 1:
                sys.exit(f"{doc.name}: no schema:{name} markers")
        doc.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    write()
