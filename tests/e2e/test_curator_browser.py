"""A curator's whole path through the portal in a real browser: upload a ZIP of real IHC tiles,
publish it, train a tiny GAN on it, watch the run reach 100 %, generate a synthetic set, publish
that with a license and creators, and find it in the search as an anonymous visitor.

Training, generation and the ZIP builds run in a real `celery worker` process (tests.workers),
as in production; the test waits on what the pages show, never on a fixed sleep. Run by
`make test-services` (marked `services`); the run page is saved as docs/screenshots/run.png.
"""

import re
import zipfile

import pytest

from gan_engine.demo_data import write_ihc_demo_set
from tests.e2e.browser import SCREENSHOTS, log_in, url
from tests.factories import make_user

# Playwright comes with the services tier's requirements; `make test` collects without it.
expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

TRAINING_TIMEOUT_MS = 120_000  # a tiny recipe takes seconds; a cold worker on a busy CPU more


def ihc_zip(tmp_path):
    """49 real 128x128 tiles of skimage's IHC slide in three classes (each at least the 10
    images training asks for), zipped as a curator would upload them."""
    folder = tmp_path / "tiles"
    write_ihc_demo_set(folder, tile=128, stride=64)
    upload = tmp_path / "ihc-grades.zip"
    with zipfile.ZipFile(upload, "w") as archive:
        for path in sorted(folder.rglob("*.png")):
            archive.write(path, path.relative_to(folder).as_posix())
    return upload


def wait_for_images(page, selector: str) -> None:
    """Scroll the last image into view (lazy ones load then) and wait until all have pixels."""
    page.locator(selector).last.scroll_into_view_if_needed()
    page.wait_for_function(  # a function, not an expression: the page's CSP forbids eval
        f"() => [...document.querySelectorAll({selector!r})]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    page.evaluate("window.scrollTo(0, 0)")


def test_curator_trains_generates_and_publishes_a_synthetic_set(
    page, live_server, worker, tmp_path
):
    curator = make_user("curator")
    curator.first_name, curator.last_name = "Jane", "Doe"
    curator.save()
    upload = ihc_zip(tmp_path)

    log_in(page, live_server, "curator")
    page.get_by_role("link", name="Upload", exact=True).click()
    page.get_by_label("ZIP of class folders").set_input_files(upload)
    page.get_by_label("Title").fill("IHC stain grades")
    page.get_by_label("License").select_option("CC-BY-4.0")
    page.get_by_label("Creators").fill("Doe, Jane | 0000-0002-1825-0097 | Example University")
    page.get_by_label("Modality").select_option("ihc")
    page.get_by_label("Visibility").select_option("public")
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url("**/datasets/ihc-stain-grades/v1/")
    expect(page.get_by_text("Imported 49 images in 3 classes")).to_be_visible()
    page.get_by_role("link", name="Publish…").click()
    page.get_by_role("button", name="Publish version 1").click()
    expect(page.get_by_text("Published 10.5072/ihc-stain-grades.v1")).to_be_visible()

    # Training: the run page polls its progress JSON and fills the bar without a reload.
    page.get_by_text("Train a GAN on this version").click()
    page.get_by_label("Recipe", exact=True).select_option("tiny")
    page.get_by_label(re.compile(r"^Iterations")).fill("20")
    page.get_by_label(re.compile(r"^Evaluate every")).fill("10")
    page.get_by_role("button", name="Start training").click()
    page.wait_for_url(re.compile(r"/runs/\d+/$"))
    progress = page.get_by_role("progressbar", name="Progress")
    expect(progress).to_have_attribute("aria-valuenow", "100", timeout=TRAINING_TIMEOUT_MS)
    model_link = page.get_by_role("link", name="Open the trained model")
    expect(model_link).to_be_visible(timeout=TRAINING_TIMEOUT_MS)
    expect(page.locator('[data-field="state_display"]')).to_have_text("Succeeded")
    page.reload()  # the evaluations' sample grids are drawn into the page when it loads
    assert page.locator("figure.sample-grid").count() == 2  # iterations 10 and 20
    wait_for_images(page, "figure.sample-grid img")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "run.png", full_page=True)

    # Generation from the model page; the job page follows it to the new synthetic draft.
    model_link.click()
    page.get_by_label("Images per class").fill("4")
    page.get_by_label("Seed").fill("7")
    page.get_by_role("button", name="Generate images").click()
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    draft_link = page.get_by_role("link", name="Open the synthetic dataset")
    expect(draft_link).to_be_visible(timeout=TRAINING_TIMEOUT_MS)
    expect(page.get_by_text("12 / 12 images")).to_be_visible()
    draft_link.click()
    expect(page.get_by_text("This is a draft")).to_be_visible()
    expect(page.get_by_role("list", name="Creators")).to_have_text("Doe, Jane")
    assert page.locator("ul.gallery img").count() == 12

    # Publishing: license and creators on the edit form (the job's owner is prefilled).
    page.get_by_role("link", name="Edit draft").click()
    creators = page.get_by_label("Creators")
    expect(creators).to_have_value("Doe, Jane")
    creators.fill(
        "Doe, Jane | 0000-0002-1825-0097 | Example University\nRoe, Rick | | Pathology Lab"
    )
    expect(page.get_by_label("License")).to_have_value("CC-BY-4.0")  # the source's
    page.get_by_label("License").select_option("CC0-1.0")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    page.get_by_role("link", name="Publish…").click()
    expect(page.get_by_text("Doe, Jane; Roe, Rick")).to_be_visible()
    page.get_by_role("button", name="Publish version 1").click()
    expect(
        page.get_by_text(re.compile(r"^Published 10\.5072/ihc-stain-grades-synthetic"))
    ).to_be_visible()

    # Making it public is the owner's explicit act on its own page, which says what it shows.
    page.get_by_role("link", name="Visibility", exact=True).click()
    expect(page.get_by_text("Anyone, signed in or not, sees the pages of")).to_be_visible()
    page.get_by_label("Public", exact=True).check()
    page.get_by_role("button", name="Change visibility").click()
    expect(page.get_by_text("Visibility changed from private to public")).to_be_visible()

    visitor = page.context.browser.new_page()
    visitor.goto(url(live_server, "datasets:list") + "?q=synthetic&kind=synthetic")
    result = visitor.get_by_role("link", name=re.compile(r"^Synthetic IHC stain grades"))
    expect(result).to_be_visible()
    result.click()
    expect(visitor.get_by_text("Generated by a model trained on")).to_be_visible()
    expect(visitor.locator(".license-badge").first).to_have_text("CC0-1.0")
    visitor.close()
