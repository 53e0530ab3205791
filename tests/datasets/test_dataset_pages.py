"""A version's page: what it states (creators, license, identifier, citation, classes, gallery,
versions, lineage, counters, JSON-LD) and the citation builders behind it."""

import json
import re
from datetime import UTC, datetime

import pytest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from datasets.citations import CitationFacts, citation_bibtex, citation_text
from datasets.models import Dataset, DatasetVersion
from datasets.services import (
    CreatorSpec,
    publish_version,
    store_images,
    version_identifier,
)
from tests.catalogue import JANE, ORCID, body, imported_draft, published
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(db):
    return make_user("owner")


@pytest.fixture
def version(owner, tmp_path):
    return published(
        owner,
        tmp_path / "uploads",
        creators=[JANE, CreatorSpec(name="Imaging Core Facility")],
        keywords=["grading"],
        per_class={"G1": 3, "G2": 2},
    )


def page(client, version: DatasetVersion, *, number: bool = False):
    args = [version.dataset.slug] + ([version.number] if number else [])
    response = client.get(reverse("datasets:version" if number else "datasets:detail", args=args))
    assert response.status_code == 200
    return response


def test_page_states_creators_license_identifier_and_citation(client, version):
    html = page(client, version).content.decode()
    assert "Breast cancer grades" in html
    assert f'href="https://orcid.org/{ORCID}"' in html
    assert "Imaging Core Facility" in html
    assert 'href="https://creativecommons.org/licenses/by/4.0/legalcode"' in html
    assert ">CC-BY-4.0<" in html
    assert version.identifier in html
    year = version.published_at.year
    assert (
        f"Doe, J., &amp; Imaging Core Facility ({year}). Breast cancer grades (Version 1) "
        "[Data set]." in html
    )
    assert "@misc{breast_cancer_grades_v1" in html
    assert f"Download ZIP ({filesizeformat(version.archive_size)})" in html


def test_page_shows_class_counts_and_a_lazy_gallery_per_class(client, version):
    response = page(client, version)
    html = response.content.decode()
    assert re.search(r"<th scope=\"row\">G1</th><td class=\"num\">3</td>", html)
    groups = response.context["gallery"]
    assert [(group.label.name, len(group.images), group.total) for group in groups] == [
        ("G1", 3, 3),
        ("G2", 2, 2),
    ]
    image = groups[0].images[0]
    thumbnail = reverse("datasets:image-thumbnail", args=[image.pk])
    assert f'loading="lazy" decoding="async" width="128" height="128" src="{thumbnail}"' in html
    assert 'alt="Class G1: ' in html


def test_thumbnail_is_made_once_and_cached(client, version, media_root):
    image = version.images.first()
    url = reverse("datasets:image-thumbnail", args=[image.pk])
    first = client.get(url)
    made = sorted(media_root.glob("thumbnails/*/*.png"))
    second = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert body(first)[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(made) == 1 and sorted(media_root.glob("thumbnails/*/*.png")) == made
    assert second.status_code == 304


def test_page_head_carries_schema_org_dataset_json_ld(client, version):
    html = page(client, version).content.decode()
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(match.group(1))
    assert data["@type"] == "Dataset"
    assert data["name"] == "Breast cancer grades"
    assert data["identifier"] == f"https://doi.org/{version.identifier}"
    assert data["license"] == version.license.url
    assert data["creator"][0] == {
        "@type": "Person",
        "name": "Doe, Jane",
        "sameAs": f"https://orcid.org/{ORCID}",
        "affiliation": {"@type": "Organization", "name": "Example University"},
    }
    assert data["creator"][1]["@type"] == "Organization"
    assert data["distribution"][0]["contentUrl"].endswith(
        "/datasets/breast-cancer-grades/v1/download/"
    )


def test_json_ld_cannot_be_closed_by_a_title(client, owner, tmp_path):
    version = published(owner, tmp_path / "uploads", title="Tiles </script><script>alert(1)")
    html = page(client, version).content.decode()
    scripts = re.findall(r"<script type=\"application/ld\+json\">(.*?)</script>", html, re.S)
    assert json.loads(scripts[0])["name"] == "Tiles </script><script>alert(1)"
    assert "<script>alert(1)" not in html


def test_views_are_counted_once_per_visitor_and_day(client, version):
    page(client, version)
    page(client, version)
    page(client, version, number=True)
    version.refresh_from_db()
    assert version.view_count == 1
    client.force_login(make_user("reader"))
    page(client, version)
    version.refresh_from_db()
    assert version.view_count == 2


def new_draft_version(version: DatasetVersion) -> DatasetVersion:
    """Version 2 of the same dataset, with a copy of v1's first image."""
    from django.db import transaction

    from datasets.services import NewImage

    dataset = version.dataset
    with transaction.atomic():
        draft = DatasetVersion.objects.create(
            dataset=dataset,
            number=2,
            identifier=version_identifier(dataset, 2),
            license=version.license,
        )
        draft.creators.add(*version.creators.all())
        image = version.images.first()
        store_images(
            version=draft,
            images=[
                NewImage(
                    label=image.label,
                    file_name="copy.png",
                    width=image.width,
                    height=image.height,
                    read=lambda: image.file.open("rb").read(),
                )
            ],
        )
    return draft


def test_older_version_says_it_is_not_the_latest(client, owner, version):
    v2 = new_draft_version(version)
    # While v2 is a draft, v1 is the latest for readers, and its editors are told of v2.
    assert "not the latest" not in page(client, version, number=True).content.decode()
    client.force_login(owner)
    assert "Version 2 is in preparation" in page(client, version).content.decode()
    publish_version(version=v2, user=owner)
    client.logout()
    old = page(client, version, number=True).content.decode()
    assert "This is not the latest version" in old
    assert reverse("datasets:version", args=[version.dataset.slug, 2]) in old
    latest = page(client, version)
    assert latest.context["version"].number == 2
    assert "not the latest" not in latest.content.decode()
    assert [v.number for v in latest.context["versions"]] == [2, 1]


def test_synthetic_page_links_its_source_and_the_source_lists_it(client, owner, version, tmp_path):
    synthetic = imported_draft(owner, tmp_path / "synthetic", title="Synthetic grades")
    Dataset.objects.filter(pk=synthetic.dataset_id).update(kind="synthetic")
    DatasetVersion.objects.filter(pk=synthetic.pk).update(derived_from=version)
    publish_version(version=synthetic, user=owner)

    html = page(client, synthetic).content.decode()
    assert "Generated by a model trained on" in html
    assert reverse("datasets:version", args=[version.dataset.slug, 1]) in html
    source_html = page(client, version).content.decode()
    assert "Synthetic datasets made from this one" in source_html
    assert reverse("datasets:detail", args=["synthetic-grades"]) in source_html


def test_synthetic_page_does_not_link_a_private_source(client, owner, tmp_path):
    source = published(owner, tmp_path / "a", title="Hidden source", visibility="private")
    synthetic = imported_draft(owner, tmp_path / "b", title="Synthetic grades")
    Dataset.objects.filter(pk=synthetic.dataset_id).update(kind="synthetic")
    DatasetVersion.objects.filter(pk=synthetic.pk).update(derived_from=source)
    publish_version(version=synthetic, user=owner)
    html = page(client, synthetic).content.decode()
    assert "a dataset that is not public" in html
    assert "hidden-source" not in html


def test_restricted_page_offers_an_access_request_instead_of_the_gallery(client, owner, tmp_path):
    version = published(owner, tmp_path / "uploads", visibility="restricted")
    html = page(client, version).content.decode()
    assert "shared on approved request" in html
    assert "thumbnail" not in html
    client.force_login(make_user("reader"))
    html = page(client, version).content.decode()
    assert "Request access" in html


def facts(**changes) -> CitationFacts:
    values = {
        "authors": ["Doe, Jane Ann", "Roe, Rick", "Imaging Core"],
        "title": "Grades & stains: 100% {real}",
        "year": 2026,
        "version": 3,
        "identifier": "10.5072/grades.v3",
        "publisher": "ABID",
        "license": "CC-BY-4.0",
        "is_draft": False,
    }
    return CitationFacts(**{**values, **changes})


def test_citation_text_follows_apa():
    assert citation_text(facts()) == (
        "Doe, J. A., Roe, R., & Imaging Core (2026). Grades & stains: 100% {real} (Version 3) "
        "[Data set]. ABID. https://doi.org/10.5072/grades.v3"
    )
    assert citation_text(facts(authors=[])).startswith("ABID (2026).")
    assert "[Draft: not yet published]" in citation_text(facts(is_draft=True))


def test_bibtex_escapes_and_keeps_organisations_whole():
    entry = citation_bibtex(facts())
    assert entry.startswith("@misc{grades_v3,\n")
    assert "author    = {Doe, Jane Ann and Roe, Rick and {Imaging Core}}" in entry
    assert r"title     = {{Grades \& stains: 100\% \{real\}}}" in entry
    assert "doi       = {10.5072/grades.v3}" in entry
    assert entry.count("{") == entry.count("}")


def test_citation_year_is_the_publication_year(owner, tmp_path):
    version = published(owner, tmp_path / "uploads", archive=False)
    DatasetVersion.objects.filter(pk=version.pk).update(
        published_at=datetime(2024, 5, 1, tzinfo=UTC)
    )
    version.refresh_from_db()
    from datasets.citations import citation_facts

    assert citation_facts(version=version, creators=[]).year == 2024
