"""The representations of a version besides the API's JSON, and how a request picks one.

The media types are those DOI content negotiation uses (citation.crosscite.org), so a client
that negotiates on doi.org asks the portal the same way. Each renderer writes what the view
built (a dict or a text); errors never reach them (portal.api answers errors in JSON).
"""

import json

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer


class JsonDocumentRenderer(BaseRenderer):
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()


class TextRenderer(BaseRenderer):
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return data.encode()


class DataCiteRenderer(JsonDocumentRenderer):
    media_type = "application/vnd.datacite.datacite+json"
    format = "datacite"


class CroissantRenderer(JsonDocumentRenderer):
    # Listed before SchemaOrgRenderer: only an Accept header with this profile chooses it.
    media_type = 'application/ld+json; profile="http://mlcommons.org/croissant/1.1"'
    format = "croissant"


class SchemaOrgRenderer(JsonDocumentRenderer):
    media_type = "application/ld+json"
    format = "jsonld"


class BibTeXRenderer(TextRenderer):
    media_type = "application/x-bibtex"
    format = "bib"


class RISRenderer(TextRenderer):
    media_type = "application/x-research-info-systems"
    format = "ris"


class CSLRenderer(JsonDocumentRenderer):
    media_type = "application/vnd.citationstyles.csl+json"
    format = "csl"


class CitationRenderer(TextRenderer):
    media_type = "text/x-bibliography"
    format = "txt"


class ZipRenderer(BaseRenderer):
    """Lets a download be asked for with `Accept: application/zip`; the view answers with the
    file itself, so this never renders anything."""

    media_type = "application/zip"
    format = "zip"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        raise NotImplementedError("downloads are file responses")


EXPORT_RENDERERS = (
    DataCiteRenderer,
    CroissantRenderer,
    SchemaOrgRenderer,
    BibTeXRenderer,
    RISRenderer,
    CSLRenderer,
    CitationRenderer,
)


class FormatFirstNegotiation(DefaultContentNegotiation):
    """A URL that names its format (`/versions/7.bib`, `?format=bib`) gets that format whatever
    the Accept header says, as a link to a file should; otherwise the Accept header chooses."""

    def select_renderer(self, request, renderers, format_suffix=None):
        wanted = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if wanted:
            renderer = self.filter_renderers(renderers, wanted)[0]
            return renderer, renderer.media_type
        return super().select_renderer(request, renderers, format_suffix)
