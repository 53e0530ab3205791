"""Template filters and tags of the catalogue pages."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from datasets import doi_registration, related_works
from datasets.markdown import markdown_to_html
from datasets.panels import panels_in

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


@register.simple_tag(takes_context=True)
def version_panels(context, slot: str) -> SafeString:
    """The templates other apps registered for `slot` (datasets.panels), rendered with the
    page's context as an {% include %} would."""
    engine = context.template.engine
    return mark_safe(  # noqa: S308 - templates rendered with autoescape
        "".join(engine.get_template(name).render(context) for name in panels_in(slot))
    )
