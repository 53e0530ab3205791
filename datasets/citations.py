"""How to cite a version: a plain-text reference (APA style), a BibTeX entry, a RIS record
(EndNote, Zotero, Mendeley) and CSL-JSON (the input of citation processors: Zotero, Pandoc).

All are built from the same facts (`CitationFacts`), so the page, the ZIP's CITATION.bib and
the API never disagree on who made what, when, and under which identifier.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings

from datasets.models import Creator, DatasetVersion

_BIBTEX_SPECIAL = re.compile(r"([&%$#_{}])")


@dataclass(frozen=True)
class CitationFacts:
    authors: list[str]  # "Family, Given" for people, as entered; organisations as they are
    title: str
    year: int
    version: int
    identifier: str
    publisher: str
    license: str  # SPDX id, or "" for a draft without one
    is_draft: bool
    funding: tuple[str, ...] = ()  # "Funder (award number: award title)", in order

    @property
    def url(self) -> str:
        return doi_url(self.identifier)


def doi_url(identifier: str) -> str:
    return f"https://doi.org/{identifier}"


def citation_facts(*, version: DatasetVersion, creators: Sequence[Creator]) -> CitationFacts:
    date = version.published_at or version.created_at
    return CitationFacts(
        authors=[creator.name for creator in creators],
        title=version.dataset.title,
        year=date.year,
        version=version.number,
        identifier=version.identifier,
        publisher=settings.PORTAL_PUBLISHER,
        license=version.license.spdx_id if version.license else "",
        is_draft=not version.is_published,
        funding=tuple(_funding_note(item) for item in version.funding_references.all()),
    )


def _funding_note(item) -> str:
    award = ": ".join(part for part in (item.award_number, item.award_title) if part)
    return f"{item.funder_name} ({award})" if award else item.funder_name


def citation_text(facts: CitationFacts) -> str:
    """`Doe, J., & Roe, R. (2026). Title (Version 1) [Data set]. Publisher. https://doi.org/...`"""
    authors = _apa_authors(facts.authors) or facts.publisher
    draft = " [Draft: not yet published]" if facts.is_draft else ""
    return (
        f"{authors} ({facts.year}). {facts.title} (Version {facts.version}){draft} [Data set]. "
        f"{facts.publisher}. {facts.url}"
    )


def citation_bibtex(facts: CitationFacts) -> str:
    key = _key(facts)
    fields = [
        ("author", " and ".join(_bibtex_name(name) for name in facts.authors)),
        ("title", "{" + _bibtex_escape(facts.title) + "}"),
        ("year", str(facts.year)),
        ("publisher", _bibtex_escape(facts.publisher)),
        ("version", str(facts.version)),
        ("doi", facts.identifier),
        ("url", facts.url),
        ("note", _bibtex_escape(_note(facts))),
    ]
    body = ",\n".join(f"  {name:<9} = {{{value}}}" for name, value in fields if value)
    return f"@misc{{{key},\n{body}\n}}\n"


def citation_ris(facts: CitationFacts) -> str:
    """RIS, type DATA: one `TAG  - value` line a field, CRLF as the format's readers expect."""
    lines = [
        ("TY", "DATA"),
        *(("AU", name.strip()) for name in facts.authors),
        ("TI", facts.title),
        ("PY", str(facts.year)),
        ("PB", facts.publisher),
        ("ET", f"Version {facts.version}"),
        ("DO", facts.identifier),
        ("UR", facts.url),
        ("N1", _note(facts)),
        ("ER", ""),
    ]
    return "".join(f"{tag}  - {_one_line(value)}\r\n" for tag, value in lines)


def citation_csl(facts: CitationFacts) -> list[dict]:
    """CSL-JSON: a list of one `dataset` item; people split into family and given names,
    organisations kept whole as `literal`."""
    item = {
        "id": _key(facts),
        "type": "dataset",
        "title": facts.title,
        "author": [_csl_name(name) for name in facts.authors],
        "issued": {"date-parts": [[facts.year]]},
        "publisher": facts.publisher,
        "version": str(facts.version),
        "DOI": facts.identifier,
        "URL": facts.url,
        "note": _note(facts),
    }
    return [item]


def _key(facts: CitationFacts) -> str:
    """A citation key from the identifier's suffix, the same in BibTeX and CSL-JSON."""
    return re.sub(r"[^A-Za-z0-9]+", "_", facts.identifier.split("/", 1)[-1]).strip("_")


def _csl_name(name: str) -> dict:
    family, comma, given = name.partition(",")
    if not comma or not given.strip():
        return {"literal": name.strip()}
    return {"family": family.strip(), "given": given.strip()}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _note(facts: CitationFacts) -> str:
    parts = ["Dataset"]
    if facts.license:
        parts.append(f"License: {facts.license}")
    if facts.funding:
        parts.append("Funded by " + "; ".join(facts.funding))
    if facts.is_draft:
        parts.append("Draft, not yet published")
    return ". ".join(parts)


def _apa_authors(names: Sequence[str]) -> str:
    """APA's author list: initials for given names, "&" before the last of several."""
    short = [_apa_name(name) for name in names]
    if len(short) <= 1:
        return "".join(short)
    return ", ".join(short[:-1]) + ", & " + short[-1]


def _apa_name(name: str) -> str:
    family, comma, given = name.partition(",")
    if not comma or not given.strip():
        return name.strip()  # an organisation, or a name entered without "Family, Given"
    initials = " ".join(f"{part[0]}." for part in given.split() if part)
    return f"{family.strip()}, {initials}"


def _bibtex_name(name: str) -> str:
    """People as "Family, Given"; anything else braced, so BibTeX keeps it whole."""
    escaped = _bibtex_escape(name.strip())
    return escaped if "," in name else "{" + escaped + "}"


def _bibtex_escape(text: str) -> str:
    return _BIBTEX_SPECIAL.sub(r"\\\1", text.replace("\\", " "))
