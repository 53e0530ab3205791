"""Template filters of the catalogue pages."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from datasets import doi_registration, related_works
from datasets.markdown import markdown_to_html

register = template.Library()


@register.filter
def datacard(text: str) -> SafeString:
    """A data card, written in Markdown by curators and the generation app, as sanitized HTML."""
    return mark_safe(markdown_to_html(text))  # noqa: S308 (sanitized by nh3)


@register.simple_tag
def dois_registered() -> bool:
    """Whether identifiers are registered with DataCite; when not, pages say they are test-prefix
    ones that resolve nowhere, so nobody prints one expecting it to work."""
    return doi_registration.is_configured()


@register.filter
def related_link(item) -> str:
    """Where a related work opens: DOIs and PubMed ids through their resolvers."""
    return related_works.link(item)
