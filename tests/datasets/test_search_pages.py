"""The search page and its selectors: full text, facets with counts, sorting, pagination."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from datasets import selectors
from datasets.models import DatasetVersion
from datasets.services import record_hit
from tests.catalogue import imported_draft, published
from tests.factories import make_user

pytestmark = pytest.mark.django_db

ANONYMOUS = AnonymousUser()


@pytest.fixture
def owner(db):
    return make_user("owner")


@pytest.fixture
def catalogue(owner, tmp_path):
    """Three published datasets that differ in every facet."""
    folder = tmp_path / "uploads"
    return {
        "breast": published(
            owner,
            folder,
            title="Breast cancer grades",
            description="Tiles of breast tissue from BreakHis.",
            keywords=["grading", "Ödem"],
            modality="histology",
            organ="breast",
            per_class={"G1": 1, "G2": 1, "G3": 1},
            archive=False,
        ),
        "colon": published(
            owner,
            folder,
            title="Colon IHC tiles",
            modality="ihc",
            organ="colon",
            license_spdx="CC0-1.0",
            per_class={"dab-low": 1, "dab-high": 1},
            archive=False,
        ),
        "retina": published(
            owner,
            folder,
            title="Retina fundus",
            modality="fundus",
            organ="eye",
            per_class={"healthy": 1, "glaucoma": 1},
            archive=False,
        ),
    }


def titles(response) -> list[str]:
    return [dataset.title for dataset, _ in response.context["cards"]]


def search(client, **params):
    response = client.get(reverse("datasets:list"), params)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("breast", ["Breast cancer grades"]),  # title
        ("BREAKHIS", ["Breast cancer grades"]),  # description, any case
        ("grading", ["Breast cancer grades"]),  # keyword
        ("ödem", ["Breast cancer grades"]),  # non-ASCII keyword, other case
        ("glaucoma", ["Retina fundus"]),  # class name
        ("tiles colon", ["Colon IHC tiles"]),  # every word must match
        ("tiles", ["Colon IHC tiles", "Breast cancer grades"]),
        ("nothing-like-this", []),
    ],
)
def test_search_matches_title_description_keywords_and_class_names(
    client, catalogue, query, expected
):
    assert titles(search(client, q=query)) == expected


def test_facets_filter_and_count_with_other_facets_applied(client, catalogue):
    response = search(client, modality="ihc")
    assert titles(response) == ["Colon IHC tiles"]
    facets = {facet.name: values for facet, values in response.context["facets"]}
    # Ticking a modality keeps the other modalities' counts: they would widen the result.
    assert {(item.value, item.count, item.selected) for item in facets["modality"]} == {
        ("histology", 1, False),
        ("ihc", 1, True),
        ("fundus", 1, False),
    }
    # Other facets count only within the result.
    assert [(item.value, item.count) for item in facets["license"]] == [("CC0-1.0", 1)]
    assert [(item.value, item.count) for item in facets["classes"]] == [("2", 1)]


def test_values_of_one_facet_widen_and_different_facets_narrow(client, catalogue):
    assert sorted(titles(search(client, modality=["ihc", "fundus"]))) == [
        "Colon IHC tiles",
        "Retina fundus",
    ]
    assert titles(search(client, modality=["ihc", "fundus"], license="CC-BY-4.0")) == [
        "Retina fundus"
    ]
    assert titles(search(client, classes="3", kind="real", organ="breast")) == [
        "Breast cancer grades"
    ]


def test_metrics_facet_finds_versions_with_model_metrics(client, owner, catalogue, tmp_path):
    draft = imported_draft(owner, tmp_path / "more", title="Synthetic grades")
    DatasetVersion.objects.filter(pk=draft.pk).update(metrics={"results": [{"name": "fid"}]})
    from datasets.services import publish_version

    publish_version(version=draft, user=owner)
    assert titles(search(client, metrics="yes")) == ["Synthetic grades"]
    assert len(titles(search(client, metrics="no"))) == 3
    counts = selectors.facet_counts(user=ANONYMOUS, facets={})
    assert {(item.label, item.count) for item in counts["metrics"]} == {
        ("With model metrics", 1),
        ("Without model metrics", 3),
    }


def test_unknown_facet_values_and_names_are_ignored(client, catalogue):
    assert len(titles(search(client, modality="not-a-modality", colour="red", classes="x"))) == 3


def test_sort_orders(client, catalogue):
    colon = catalogue["colon"]
    record_hit(version=colon, kind="download", visitor="a")
    record_hit(version=colon, kind="download", visitor="b")
    record_hit(version=catalogue["retina"], kind="download", visitor="a")
    record_hit(version=catalogue["breast"], kind="view", visitor="a")
    assert titles(search(client, sort="newest")) == [
        "Retina fundus",
        "Colon IHC tiles",
        "Breast cancer grades",
    ]
    assert titles(search(client, sort="downloads")) == [
        "Colon IHC tiles",
        "Retina fundus",
        "Breast cancer grades",
    ]
    assert titles(search(client, sort="views"))[0] == "Breast cancer grades"
    assert titles(search(client, sort="title")) == [
        "Breast cancer grades",
        "Colon IHC tiles",
        "Retina fundus",
    ]
    assert titles(search(client, sort="bogus")) == titles(search(client, sort="newest"))


@pytest.mark.parametrize(
    ("page", "expected_number"),
    [("1", 1), ("2", 2), ("3", 3), ("999999", 3), ("0", 3), ("-4", 3), ("abc", 1), ("", 1)],
)
def test_pagination_never_breaks(client, catalogue, settings, page, expected_number):
    settings.DATASETS_PER_PAGE = 1
    response = search(client, page=page)
    assert response.context["page"].number == expected_number
    assert len(titles(response)) == 1


def test_deep_pages_partition_the_results(client, owner, tmp_path, settings):
    settings.DATASETS_PER_PAGE = 2
    for index in range(7):
        published(owner, tmp_path / "uploads", title=f"Set {index}", archive=False)
    seen = []
    for page in range(1, 5):
        seen += titles(search(client, page=page, sort="title"))
    assert seen == [f"Set {index}" for index in range(7)]


def test_page_links_keep_the_query_and_facets(client, catalogue, settings):
    settings.DATASETS_PER_PAGE = 1
    body = search(client, q="tiles", modality=["ihc", "histology"]).content.decode()
    assert 'href="?q=tiles&amp;modality=ihc&amp;modality=histology&amp;page=2"' in body


def test_drafts_are_listed_for_their_owner_only(client, owner, catalogue, tmp_path):
    imported_draft(owner, tmp_path / "drafts", title="Work in progress")
    assert "Work in progress" not in titles(search(client))
    client.force_login(owner)
    assert "Work in progress" in titles(search(client, q="progress"))


def test_selectors_serve_the_api_too(catalogue):
    """The REST API calls the same functions with plain arguments."""
    results = selectors.search_datasets(
        user=ANONYMOUS, query="tiles", facets={"organ": ["colon"]}, sort="title"
    )
    assert [dataset.slug for dataset in results] == ["colon-ihc-tiles"]
    counts = selectors.facet_counts(user=ANONYMOUS, query="tiles")
    assert {item.value: item.count for item in counts["organ"]} == {"breast": 1, "colon": 1}
