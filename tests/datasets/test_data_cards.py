"""Data cards are Markdown: headings, lists, code and links render, and whatever a card holds
that could run a script comes out inert, on its own and on the version's page."""

import re

import pytest
from django.urls import reverse

from datasets.markdown import markdown_to_html
from tests.catalogue import imported_draft
from tests.factories import make_user

CARD = """# How the tiles were made

Tiles were cut
by hand from 3 slides.

## Metrics
- Fréchet distance (random-cnn-0 features): 12.3
- KID: 0.01 (n=100
  real images)

1. scan
2. tile

Run `python -m gan_engine train --recipe tiny`, or:

```
make run
```

See [the protocol](https://example.org/protocol) and **read** the *limits*.

| class | images |
|:------|-------:|
| G1    | 10     |
"""

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    '<svg onload="alert(1)"></svg>',
    '<iframe src="https://example.org"></iframe>',
    "<style>body { display: none }</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
]

# Inside a tag (escaped text has no "<"): an event handler, a script or data link, a style.
INERT_TAG_BREAKERS = r"""<[^>]*(\son\w+=|href=["']?\s*(javascript|data):|style=)"""


def test_headings_lists_code_links_and_tables_render():
    html = markdown_to_html(CARD)

    assert "<h1>How the tiles were made</h1>" in html
    assert "<h2>Metrics</h2>" in html
    assert "<li>Fréchet distance (random-cnn-0 features): 12.3</li>" in html
    assert re.search(r"<li>KID: 0.01 \(n=100\s+real images\)</li>", html)  # a wrapped item
    assert "<ol>\n<li>scan</li>" in html
    assert "<code>python -m gan_engine train --recipe tiny</code>" in html
    assert "<pre><code>make run\n</code></pre>" in html
    assert '<a href="https://example.org/protocol" rel="nofollow noopener noreferrer">' in html
    assert "<strong>read</strong>" in html and "<em>limits</em>" in html
    assert '<td style="text-align:right">10</td>' in html
    assert "`" not in html  # no backtick shown as text


@pytest.mark.parametrize("text", HOSTILE)
def test_a_hostile_data_card_renders_inert(text):
    html = markdown_to_html(text)

    assert not re.search(r"<(script|img|svg|iframe|style|div)\b", html, re.IGNORECASE)
    assert not re.search(INERT_TAG_BREAKERS, html, re.IGNORECASE)


@pytest.mark.django_db
def test_the_version_page_shows_the_card_as_markdown_and_hostile_parts_as_text(client, tmp_path):
    owner = make_user("owner")
    card = "## Metrics\n- KID: 0.01\n\n" + "\n\n".join(HOSTILE)
    version = imported_draft(owner, tmp_path / "uploads", version_description=card)
    client.force_login(owner)

    page = client.get(reverse("datasets:version", args=[version.dataset.slug, 1]))

    assert page.status_code == 200
    html = page.content.decode()
    card_html = html[html.index('<div class="prose datacard">') :]
    card_html = card_html[: card_html.index("</section>")]
    assert "<h2>Metrics</h2>" in card_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in card_html
    assert "<script" not in card_html
    assert not re.search(INERT_TAG_BREAKERS, card_html, re.IGNORECASE)


def test_the_demo_data_card_renders_its_list_and_code():
    from portal.demo import DEMO_DATA_CARD

    html = markdown_to_html(DEMO_DATA_CARD.format(counts={"dab-low": 75}))

    assert html.count("<li>") == 5
    assert "<code>write_ihc_demo_set</code>" in html
    assert "`" not in html
