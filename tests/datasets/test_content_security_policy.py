"""Every answer carries a Content-Security-Policy that runs no inline script without the
response's nonce, loads no plugin, honours no <base> and may not be framed; the one page with
an inline script (Swagger UI) carries that nonce."""

import re

import pytest
from django.urls import reverse

from tests.catalogue import published
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_strict(response) -> None:
    directives = policy(response)
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["default-src"] == ["'self'"]
    scripts = directives["script-src"]
    assert "'self'" in scripts
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "https:"} & set(scripts)
    assert all(source == "'self'" or source.startswith("'nonce-") for source in scripts)


def test_every_page_and_file_carries_the_policy(client, tmp_path):
    owner = make_user("owner", staff=True)
    version = published(owner, tmp_path / "uploads")
    image = version.images.first()
    anonymous_pages = [
        reverse("home"),
        reverse("login"),
        reverse("datasets:list"),
        reverse("datasets:version", args=[version.dataset.slug, 1]),
        reverse("datasets:image-file", args=[image.pk]),
        reverse("datasets:download", args=[version.dataset.slug, 1]),
        reverse("api:docs"),
        "/api/v1/datasets/",
        "/no-such-page/",
    ]
    for url in anonymous_pages:
        assert_strict(client.get(url))
    client.force_login(owner)
    for url in [reverse("datasets:upload"), reverse("profile"), reverse("admin:index")]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict(response)


def test_swagger_ui_runs_its_inline_script_by_the_responses_nonce(client):
    response = client.get(reverse("api:docs"))

    assert response.status_code == 200
    nonces = [s for s in policy(response)["script-src"] if s.startswith("'nonce-")]
    assert len(nonces) == 1
    nonce = nonces[0].removeprefix("'nonce-").removesuffix("'")
    html = response.content.decode()
    inline = re.findall(r"<script(?![^>]*\ssrc=)([^>]*)>", html)
    assert inline == [f' nonce="{nonce}"']


def test_pages_have_no_inline_script_or_handler(client, tmp_path):
    """What the policy would block must not be needed: the portal's own pages run script
    files only."""
    owner = make_user("owner")
    version = published(owner, tmp_path / "uploads")
    client.force_login(owner)
    for url in [
        reverse("home"),
        reverse("datasets:list"),
        reverse("datasets:version", args=[version.dataset.slug, 1]),
        reverse("datasets:upload"),
        reverse("profile"),
    ]:
        html = client.get(url).content.decode()
        # JSON-LD is data, never run: the policy lets it be.
        assert not re.search(r"<script(?![^>]*\s(src=|type=\"application/ld\+json\"))", html), url
        assert not re.search(r"<[^>]+\son[a-z]+=", html), url
        assert "javascript:" not in html, url
