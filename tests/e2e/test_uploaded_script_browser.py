"""A PNG that is also an HTML page with a script, uploaded as `c2/evil.html` through the upload
form of a real browser (Chromium driven by Playwright): the script must never run on the
portal's origin, neither from the image's URL nor from the pages that show it. Pages, Swagger
UI and the run page's script files keep working under the Content-Security-Policy.

Run by `make test-services` (marked `services`); tests/e2e/browser.py says how Chromium runs.
"""

import re

import pytest
from django.db import transaction
from django.urls import reverse

from datasets.models import ImageRecord
from datasets.services import NewImage, import_dataset, store_images
from tests.datasets.uploads import class_folder_files, png_with_script, write_zip
from tests.e2e.browser import log_in, url
from tests.factories import make_user

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("eager_tasks"),
]

SCRIPT_RAN = "() => window.scriptRan === true || document.title === 'script ran'"


def csp_violations(page) -> list[str]:
    """Console messages Chromium writes when the policy blocks something, collected from now."""
    seen: list[str] = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return seen


def test_an_uploaded_polyglot_never_runs_its_script(page, live_server, tmp_path):
    make_user("curator")
    archive = write_zip(
        tmp_path / "polyglot.zip",
        class_folder_files({"c1": 2}) | {"c2/evil.html": png_with_script()},
    )
    page.set_content(png_with_script().decode("latin-1"))
    assert page.evaluate(SCRIPT_RAN)  # the file is a page whose script runs, if taken for one
    blocked = csp_violations(page)

    log_in(page, live_server, "curator")
    page.get_by_role("link", name="Upload", exact=True).click()
    page.get_by_label("ZIP of class folders").set_input_files(archive)
    page.get_by_label("Title").fill("Polyglot probe")
    page.get_by_label("License").select_option("CC-BY-4.0")
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url("**/datasets/polyglot-probe/v1/")
    expect(page.get_by_text("Imported 3 images in 2 classes")).to_be_visible()
    assert not page.evaluate(SCRIPT_RAN)

    image = ImageRecord.objects.get(original_name="c2/evil.html")
    assert image.file.name.endswith("/c2/evil.png")
    answer = page.goto(url(live_server, "datasets:image-file", image.pk))
    assert answer.headers["content-type"] == "image/png"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert not page.evaluate(SCRIPT_RAN)
    assert page.evaluate("document.contentType") == "image/png"

    page.goto(url(live_server, "datasets:version", "polyglot-probe", 1))
    expect(page.get_by_role("heading", name="Polyglot probe")).to_be_visible()
    assert not page.evaluate(SCRIPT_RAN)
    assert blocked == []  # the portal's own pages need nothing the policy blocks


def test_an_old_row_stored_as_html_is_downloaded_not_rendered(page, live_server, tmp_path):
    """A file stored under its uploader's `.html` name before names came from the detected
    format: until check_integrity --fix renames it, the browser only saves it."""
    owner = make_user("curator")
    archive = write_zip(tmp_path / "tiles.zip", class_folder_files({"c1": 2}))
    version = import_dataset(
        source=archive, title="Old rows", license_spdx="CC-BY-4.0", owner=owner
    ).version
    with transaction.atomic():
        store_images(
            version=version,
            images=[
                NewImage(
                    label=version.dataset.classes.get(),
                    file_name="evil.html",
                    width=8,
                    height=8,
                    read=png_with_script,
                    original_name="evil.html",
                )
            ],
        )
    image = version.images.get(original_name="evil.html")

    log_in(page, live_server, "curator")
    with page.expect_download() as download:
        page.evaluate(
            "href => { const a = document.createElement('a'); a.href = href; a.click(); }",
            reverse("datasets:image-file", args=[image.pk]),
        )
    assert download.value.suggested_filename == "evil.html"
    assert not page.evaluate(SCRIPT_RAN)


def test_swagger_ui_and_the_pages_run_under_the_policy(page, live_server):
    blocked = csp_violations(page)

    page.goto(url(live_server, "api:docs"))
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Artificial Biomedical")
    expect(page.locator(".opblock").first).to_be_visible()

    page.goto(url(live_server, "home"))
    expect(page.get_by_role("link", name=re.compile("ABID"))).to_be_visible()
    assert blocked == []
