"""Data cards written in Markdown, rendered to HTML that is safe to put in a page.

markdown-it-py renders CommonMark (headings, lists, code, emphasis, links, tables) with raw HTML
off, so a `<script>` typed into a card comes out as text, and it refuses `javascript:` links.
nh3 (the Rust ammonia sanitizer) then keeps only the tags and attributes Markdown itself makes
and only http, https and mailto links: what either step lets through, the other still stops.
"""

import nh3
from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_MARKDOWN.enable("table")

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote",
    "pre", "code", "em", "strong", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
# Table cells carry their column's alignment as style="text-align: ...", the only style kept.
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}}


def markdown_to_html(text: str) -> str:
    """Sanitized HTML of a Markdown text. Images are left out: a data card's own page shows
    the dataset's images, and an image URL would make readers' browsers call another host."""
    html = _MARKDOWN.render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        filter_style_properties={"text-align"},  # a table column's alignment, nothing else
        link_rel="nofollow noopener noreferrer",
    )
