"""A version's metadata in each export format, keyed by the format's URL suffix. Every builder
is the one the pages and the ZIP use, so the API never states other facts. Each is called with
the version, its creators in order, its URLs, and the source it was made from where anyone may
know it (`selectors.public_source`)."""

from collections.abc import Callable, Sequence

from django.utils.http import content_disposition_header

from datasets.api.croissant import croissant
from datasets.api.renderers import (
    BibTeXRenderer,
    CitationRenderer,
    CroissantRenderer,
    DataCiteRenderer,
    SchemaOrgRenderer,
)
from datasets.citations import citation_bibtex, citation_facts, citation_text
from datasets.metadata import datacite, schema_org_dataset
from datasets.models import Creator, DatasetVersion

Builder = Callable[..., dict | str]

# The end of a saved export's file name, after `<slug>-v<N>.`
FILE_ENDINGS = {
    DataCiteRenderer.format: "datacite.json",
    CroissantRenderer.format: "croissant.json",
    SchemaOrgRenderer.format: "jsonld",
    BibTeXRenderer.format: "bib",
    CitationRenderer.format: "txt",
}


def export_headers(*, version: DatasetVersion, export_format: str) -> dict[str, str]:
    """An export is a file like the ZIP: saved under its own name, never shown as a page."""
    name = f"{version.dataset.slug}-v{version.number}.{FILE_ENDINGS[export_format]}"
    return {
        "Content-Disposition": content_disposition_header(True, name),
        "X-Content-Type-Options": "nosniff",
    }


def bibtex(*, version: DatasetVersion, creators: Sequence[Creator], **_) -> str:
    return citation_bibtex(citation_facts(version=version, creators=creators))


def citation(*, version: DatasetVersion, creators: Sequence[Creator], **_) -> str:
    return citation_text(citation_facts(version=version, creators=creators)) + "\n"


EXPORTS: dict[str, Builder] = {
    DataCiteRenderer.format: datacite,
    CroissantRenderer.format: croissant,
    SchemaOrgRenderer.format: schema_org_dataset,
    BibTeXRenderer.format: bibtex,
    CitationRenderer.format: citation,
}
