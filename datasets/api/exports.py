"""A version's metadata in each export format, keyed by the format's URL suffix. Every builder
is the one the pages and the ZIP use, so the API never states other facts. Each is called with
the version, its creators in order, its URLs, and the source it was made from where anyone may
know it (`selectors.public_source`)."""

from collections.abc import Callable, Sequence

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header

from datasets import selectors
from datasets.api.renderers import (
    EXPORT_RENDERERS,
    BibTeXRenderer,
    CitationRenderer,
    CroissantRenderer,
    CSLRenderer,
    DataCiteRenderer,
    RISRenderer,
    SchemaOrgRenderer,
)
from datasets.citations import (
    citation_bibtex,
    citation_csl,
    citation_facts,
    citation_ris,
    citation_text,
)
from datasets.croissant import croissant, online
from datasets.metadata import VersionUrls, datacite, schema_org_dataset, version_urls
from datasets.models import Creator, DatasetVersion

Builder = Callable[..., dict | list | str]

# The end of a saved export's file name, after `<slug>-v<N>.`
FILE_ENDINGS = {
    DataCiteRenderer.format: "datacite.json",
    CroissantRenderer.format: "croissant.json",
    SchemaOrgRenderer.format: "jsonld",
    BibTeXRenderer.format: "bib",
    RISRenderer.format: "ris",
    CSLRenderer.format: "csl.json",
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


def ris(*, version: DatasetVersion, creators: Sequence[Creator], **_) -> str:
    return citation_ris(citation_facts(version=version, creators=creators))


def csl(*, version: DatasetVersion, creators: Sequence[Creator], **_) -> list[dict]:
    return citation_csl(citation_facts(version=version, creators=creators))


def citation(*, version: DatasetVersion, creators: Sequence[Creator], **_) -> str:
    return citation_text(citation_facts(version=version, creators=creators)) + "\n"


def croissant_online(
    *,
    version: DatasetVersion,
    creators: Sequence[Creator],
    urls: VersionUrls,
    source: DatasetVersion | None,
) -> dict:
    """Croissant of the download: the ZIP at its URL, which a loader fetches and checks."""
    return croissant(
        version=version,
        creators=creators,
        urls=urls,
        source=source,
        distribution=online(version, urls),
    )


EXPORTS: dict[str, Builder] = {
    DataCiteRenderer.format: datacite,
    CroissantRenderer.format: croissant_online,
    SchemaOrgRenderer.format: schema_org_dataset,
    BibTeXRenderer.format: bibtex,
    RISRenderer.format: ris,
    CSLRenderer.format: csl,
    CitationRenderer.format: citation,
}


# What an Accept header may ask a version's page URL for instead of the page (DOI content
# negotiation lands there). Croissant shares schema.org's media type but for a profile, so it
# is asked of the API's URL, whose negotiation tells the two apart.
PAGE_RENDERERS = {
    renderer.media_type: renderer for renderer in EXPORT_RENDERERS if renderer.format != "croissant"
}


def negotiated_export(request: HttpRequest, version: DatasetVersion) -> HttpResponse | None:
    """The export the request's Accept header prefers to the HTML page, or None for the page."""
    renderer = PAGE_RENDERERS.get(request.get_preferred_type(["text/html", *PAGE_RENDERERS]))
    if renderer is None:
        return None
    document = EXPORTS[renderer.format](
        version=version,
        creators=selectors.creators_of(version=version),
        urls=version_urls(version, base=request.build_absolute_uri("/")),
        source=selectors.public_source(version=version),
    )
    return HttpResponse(
        renderer().render(document),
        content_type=f"{renderer.media_type}; charset=utf-8",
        headers=export_headers(version=version, export_format=renderer.format),
    )
