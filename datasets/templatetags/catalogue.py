"""Template filters of the catalogue pages."""

from django import template
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def datacard(text: str) -> SafeString:
    """Plain text as curators and the generation app write data cards: blank lines between
    paragraphs, lines wrapped by hand inside them, "- " starting a list item. Django's
    `linebreaks` would keep every hand-made line break; browsers should wrap instead."""
    blocks = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        items, paragraph = [], []
        for line in lines:
            if line.startswith(("- ", "* ")):
                items.append(line[2:])
            elif items:
                items[-1] += " " + line  # a list item wrapped onto the next line
            else:
                paragraph.append(line)
        if paragraph:
            blocks.append(f"<p>{escape(' '.join(paragraph))}</p>")
        if items:
            blocks.append(
                "<ul>" + format_html_join("", "<li>{}</li>", ((item,) for item in items)) + "</ul>"
            )
    return mark_safe("\n".join(blocks))  # noqa: S308 (every piece is escaped above)
