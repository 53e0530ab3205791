"""The catalogue's endpoints: search with facets and sort, a dataset, a version and its files,
the ZIP with ranges, licenses and creators, and the URL scheme (/api/v1/, /api/ alias)."""

import hashlib

import pytest

from tests.catalogue import body, published

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(make_published):
    """Three public datasets that differ in modality, organ, classes and title."""
    return {
        "colon": make_published(
            title="Colon IHC tiles", modality="ihc", organ="colon", keywords=["dab"]
        ),
        "breast": make_published(
            title="Breast grades",
            modality="histology",
            organ="breast",
            per_class={"G1": 1, "G2": 1, "G3": 1},
        ),
        "retina": make_published(title="Another retina set", modality="fundus", organ="eye"),
    }


def slugs(response) -> list[str]:
    return [item["slug"] for item in response.json()["results"]]


def test_search_matches_every_word_of_the_query(api, three):
    response = api("anonymous").get("/api/v1/datasets/", {"q": "colon DAB"})
    assert response.status_code == 200
    assert slugs(response) == [three["colon"].dataset.slug]


def test_search_filters_by_facets_and_counts_the_other_values(api, three):
    response = api("anonymous").get(
        "/api/v1/datasets/", {"modality": ["ihc", "fundus"], "facets": "true"}
    )
    assert sorted(slugs(response)) == sorted(
        [three["colon"].dataset.slug, three["retina"].dataset.slug]
    )
    facets = response.json()["facets"]
    modality = {value["value"]: value for value in facets["modality"]}
    assert modality["histology"]["count"] == 1  # what ticking it would add
    assert modality["ihc"]["selected"] and not modality["histology"]["selected"]
    classes = {value["value"]: value["count"] for value in facets["classes"]}
    assert classes == {"2": 2}  # within the ticked modalities


def test_facet_counts_come_only_when_asked(api, three):
    assert "facets" not in api("anonymous").get("/api/v1/datasets/").json()


def test_search_sorts_by_title_and_pages(api, three):
    first = api("anonymous").get("/api/v1/datasets/", {"sort": "title", "page_size": 2})
    second = api("anonymous").get(first.json()["next"])
    assert first.json()["count"] == 3
    titles = [item["title"] for item in first.json()["results"] + second.json()["results"]]
    assert titles == ["Another retina set", "Breast grades", "Colon IHC tiles"]


def test_search_refuses_an_unknown_sort_with_a_json_error(api, three):
    response = api("anonymous").get("/api/v1/datasets/", {"sort": "random"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["detail"].startswith("sort:")
    assert "sort" in response.json()["errors"]


def test_dataset_lists_its_classes_and_versions(api, three):
    version = three["breast"]
    response = api("anonymous").get(f"/api/v1/datasets/{version.dataset.slug}/")
    data = response.json()
    assert [label["name"] for label in data["classes"]] == ["G1", "G2", "G3"]
    assert [v["identifier"] for v in data["versions"]] == [version.identifier]
    assert data["latest_version"]["id"] == version.pk
    assert data["class_count"] == 3


def test_version_states_what_is_needed_to_cite_check_and_fetch_it(api, make_published):
    version = make_published()
    data = api("anonymous").get(f"/api/v1/versions/{version.pk}/").json()
    assert data["identifier"] == version.identifier
    assert data["doi_url"] == f"https://doi.org/{version.identifier}"
    assert data["license"]["spdx_id"] == "CC-BY-4.0"
    assert [creator["name"] for creator in data["creators"]] == ["Doe, Public 1"]
    assert data["archive"]["sha256"] == version.archive_sha256
    assert data["archive"]["size"] == version.archive_size
    assert data["class_counts"] == {"a": 1, "b": 1}
    for name, url in data["exports"].items():
        assert url.endswith(f"/api/v1/versions/{version.pk}.{name}")
        assert api("anonymous").get(url).status_code == 200, name


def test_files_are_listed_by_cursor_without_overlap(api, make_published):
    version = make_published(per_class={"a": 3, "b": 2})
    client = api("anonymous")
    url, seen = f"/api/v1/versions/{version.pk}/files/?page_size=2", []
    while url:
        page = client.get(url).json()
        seen += page["results"]
        url = page["next"]
    assert len(seen) == 5 == len({image["id"] for image in seen})
    assert {image["label"] for image in seen} == {"a", "b"}
    image = seen[0]
    served = client.get(image["url"])
    assert hashlib.sha256(body(served)).hexdigest() == image["sha256"]


def test_download_serves_the_zip_and_resumes_with_a_range(api, make_published):
    version = make_published()
    client = api("anonymous")
    url = f"/api/v1/versions/{version.pk}/download/"
    whole = client.get(url)
    assert whole.status_code == 200
    data = body(whole)
    assert hashlib.sha256(data).hexdigest() == version.archive_sha256
    assert whole["ETag"] == f'"{version.archive_sha256}"'
    part = client.get(url, HTTP_RANGE="bytes=100-", HTTP_IF_RANGE=whole["ETag"])
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-{len(data) - 1}/{len(data)}"
    assert body(part) == data[100:]
    changed = client.get(url, HTTP_RANGE="bytes=100-", HTTP_IF_RANGE='"another"')
    assert changed.status_code == 200
    outside = client.get(url, HTTP_RANGE=f"bytes={len(data) + 5}-")
    assert outside.status_code == 416


def test_download_of_a_zip_being_built_is_503_with_retry_after(api, owner, tmp_path):
    version = published(owner, tmp_path / "upload", archive=False)
    response = api("anonymous").get(f"/api/v1/versions/{version.pk}/download/")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert response.json()["code"] == "archive_pending"


def test_a_drafts_zip_is_streamed_to_its_owner(api, owner, tmp_path):
    from tests.catalogue import imported_draft, zip_members

    draft = imported_draft(owner, tmp_path / "draft")
    response = api("owner").get(f"/api/v1/versions/{draft.pk}/download/")
    assert response.status_code == 200
    members = zip_members(body(response))
    assert any(name.endswith("/MANIFEST.sha256") for name in members)


def test_licenses_are_found_by_spdx_id(api, db):
    listed = api("anonymous").get("/api/v1/licenses/", {"page_size": 100}).json()["results"]
    assert "CC-BY-4.0" in {item["spdx_id"] for item in listed}
    one = api("anonymous").get("/api/v1/licenses/CC-BY-4.0/")
    assert one.status_code == 200
    assert one.json()["url"].startswith("https://creativecommons.org/")


def test_creators_are_searched_by_name(api, make_published):
    make_published()
    make_published()
    found = api("anonymous").get("/api/v1/creators/", {"q": "public 2"}).json()["results"]
    assert [creator["name"] for creator in found] == ["Doe, Public 2"]


# --- URL scheme --------------------------------------------------------------------------------


def test_api_alias_answers_like_v1_with_links_to_v1(api, make_published):
    version = make_published()
    client = api("anonymous")
    alias = client.get("/api/datasets")  # no version, no trailing slash
    assert alias.status_code == 200
    assert alias.json()["results"] == client.get("/api/v1/datasets/").json()["results"]
    assert alias.json()["results"][0]["url"].endswith(f"/api/v1/datasets/{version.dataset.slug}/")
    root = client.get("/api/").json()
    assert root["datasets"].endswith("/api/v1/datasets/")


@pytest.mark.parametrize(
    "url", ["/api/v2/datasets/", "/api/nothing/", "/api/v1/versions/999999/", "/api/v1/x.bib"]
)
def test_unknown_api_urls_are_json_404s(api, db, url):
    response = api("anonymous").get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_unknown_method_is_a_json_405(api, db):
    response = api("owner").delete("/api/v1/datasets/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.parametrize("suffix", ["/", "/?format=bib", ".bib", "/download/"])
def test_options_on_a_version_is_a_json_405(api, make_published, suffix):
    """Found by Schemathesis: OPTIONS used to describe the view in BibTeX, and crash."""
    version = make_published()
    response = api("anonymous").options(f"/api/v1/versions/{version.pk}{suffix}")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
