"""The catalogue in a real browser: Debian's Chromium driven by Playwright against a live
server (pytest-django's `live_server`), with real images from scikit-image.

Run by `make test-services` (marked `services`). The home, search and dataset pages are saved
as screenshots into docs/screenshots/, which the README shows.
"""

import hashlib
import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data as skimage_data

from datasets.models import Dataset
from datasets.services import CreatorSpec, build_archive, import_dataset, publish_version
from gan_engine.demo_data import write_ihc_demo_set
from tests.catalogue import JANE
from tests.e2e.browser import SCREENSHOTS, log_in, url
from tests.factories import make_user

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("eager_tasks"),
]


def retina_tiles(folder: Path) -> Path:
    """16 fundus tiles from skimage's retina photograph, in two classes by brightness."""
    retina = skimage_data.retina()
    cell = retina.shape[0] // 4
    for row in range(4):
        for col in range(4):
            tile = retina[row * cell : (row + 1) * cell, col * cell : (col + 1) * cell]
            label = "bright" if tile.mean() > 60 else "dark"
            target = folder / label / f"r{row}c{col}.png"
            target.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(np.ascontiguousarray(tile)).resize((96, 96)).save(target)
    return folder


@pytest.fixture
def catalogue(tmp_path):
    """Two published datasets of real pixels, ZIPs built, as a visitor would find them."""
    curator = make_user("curator")
    ihc_folder = tmp_path / "ihc"
    write_ihc_demo_set(ihc_folder)
    ihc = import_dataset(
        source=ihc_folder,
        title="IHC colon tiles by DAB stain",
        license_spdx="CC-BY-4.0",
        owner=curator,
        creators=[JANE, CreatorSpec(name="Roe, Rick", affiliation="Pathology Lab")],
        modality="ihc",
        organ="colon",
        visibility="public",
        description="64x64 tiles of an immunohistochemistry slide of colon tissue, in three "
        "classes by the share of DAB-stained pixels.",
        keywords=["immunohistochemistry", "DAB", "colon"],
        version_description="Cut from skimage.data.immunohistochemistry() at a stride of 32.\n\n"
        "Intended use: trying the portal. Limits: one slide of one patient.",
    ).version
    retina = import_dataset(
        source=retina_tiles(tmp_path / "retina"),
        title="Retina fundus tiles",
        license_spdx="CC0-1.0",
        owner=curator,
        creators=[JANE],
        modality="fundus",
        organ="eye",
        visibility="public",
        description="Tiles of a fundus photograph, bright and dark regions.",
        keywords=["fundus", "retina"],
    ).version
    for version in (retina, ihc):
        build_archive(version=publish_version(version=version, user=curator))
    Dataset.objects.filter(pk=ihc.dataset_id).update(featured=True)
    return {"ihc": ihc, "retina": retina}


def test_visitor_searches_filters_opens_gallery_and_downloads_the_zip(page, live_server, catalogue):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", name="Featured").is_visible()
    page.screenshot(path=SCREENSHOTS / "home.png", full_page=True)

    page.get_by_label("Search datasets", exact=True).first.fill("tiles")
    page.get_by_role("button", name="Search").first.click()
    page.wait_for_url("**/datasets/?q=tiles*")
    assert page.get_by_role("heading", name="2 datasets matching “tiles”").is_visible()
    page.get_by_label("Immunohistochemistry").check()  # the filter applies at once
    page.wait_for_url("**modality=ihc*")
    assert page.get_by_role("heading", name="1 dataset matching “tiles”").is_visible()
    page.screenshot(path=SCREENSHOTS / "search.png", full_page=True)

    page.get_by_role("link", name="IHC colon tiles by DAB stain").click()
    page.wait_for_url("**/datasets/ihc-colon-tiles-by-dab-stain/")
    gallery = page.locator("ul.gallery img")
    assert gallery.count() == 36  # 12 per class
    assert gallery.first.get_attribute("loading") == "lazy"
    gallery.last.scroll_into_view_if_needed()  # lazy images load as they come into view
    page.wait_for_function(  # a function, not an expression: the page's CSP forbids eval
        "() => [...document.querySelectorAll('ul.gallery img')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=SCREENSHOTS / "dataset.png", full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download ZIP").click()
    download = download_info.value
    assert download.suggested_filename == "ihc-colon-tiles-by-dab-stain-v1.zip"
    data = Path(download.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = "ihc-colon-tiles-by-dab-stain-v1/"
        members = {name: archive.read(name) for name in archive.namelist()}
    manifest = members[root + "MANIFEST.sha256"].decode().splitlines()
    assert len(manifest) == 225 + 6  # images, metadata.csv, 5 text files (not itself)
    for line in manifest:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256(members[root + name]).hexdigest() == digest, name
    license_text = members[root + "LICENSE.txt"].decode()
    assert "Creative Commons Attribution 4.0 International" in license_text
    assert "SPDX-License-Identifier: CC-BY-4.0" in license_text

    # An interrupted download resumes with a Range request: the parts are the same bytes.
    zip_url = url(live_server, "datasets:download", "ihc-colon-tiles-by-dab-stain", 1)
    cut = len(data) // 2
    head = page.request.get(zip_url, headers={"Range": f"bytes=0-{cut - 1}"})
    tail = page.request.get(zip_url, headers={"Range": f"bytes={cut}-"})
    assert (head.status, tail.status) == (206, 206)
    assert head.body() + tail.body() == data


def test_private_dataset_and_its_files_are_404_for_another_user(page, live_server, tmp_path):
    owner = make_user("owner")
    make_user("other")
    folder = tmp_path / "private"
    write_ihc_demo_set(folder, tile=256, stride=256)
    version = import_dataset(
        source=folder,
        title="Private tiles",
        license_spdx="CC-BY-4.0",
        owner=owner,
        creators=[JANE],
        visibility="private",
    ).version
    version = build_archive(version=publish_version(version=version, user=owner))
    image = version.images.first()
    urls = [
        url(live_server, "datasets:detail", "private-tiles"),
        url(live_server, "datasets:version", "private-tiles", 1),
        url(live_server, "datasets:image-file", image.pk),
        url(live_server, "datasets:image-thumbnail", image.pk),
        url(live_server, "datasets:download", "private-tiles", 1),
    ]

    log_in(page, live_server, "other")
    response = page.goto(urls[0])
    assert response.status == 404
    assert page.get_by_role("heading", name="Not found").is_visible()
    for address in urls[1:]:
        assert page.request.get(address).status == 404, address

    page.get_by_role("button", name="Log out").click()
    log_in(page, live_server, "owner")
    for address in urls:
        assert page.request.get(address).status == 200, address
