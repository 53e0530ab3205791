"""RIS and CSL-JSON beside BibTeX: as API exports, by content negotiation on the API's URL and
on the version's page URL, and in the page's citation box; each read by the tool that uses it
(rispy for RIS, citeproc-py for CSL-JSON)."""

import json

import pytest
import rispy
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON

from datasets.services import CreatorSpec
from tests.catalogue import JANE, published

pytestmark = pytest.mark.django_db

RIS = "application/x-research-info-systems"
CSL = "application/vnd.citationstyles.csl+json"
GROUP = CreatorSpec(name="Tumour Atlas Consortium")


@pytest.fixture
def version(curator, tmp_path):
    return published(
        curator, tmp_path, title="Breast grades", creators=(JANE, GROUP), archive=False
    )


def test_ris_export_parses_with_rispy(client, version):
    response = client.get(f"/api/v1/versions/{version.pk}.ris")
    assert response["Content-Type"].startswith(RIS)
    assert response["Content-Disposition"].endswith('.ris"')
    (entry,) = rispy.loads(response.content.decode())
    assert entry["type_of_reference"] == "DATA"
    assert entry["authors"] == ["Doe, Jane", "Tumour Atlas Consortium"]
    assert entry["title"] == "Breast grades"
    assert entry["doi"] == version.identifier
    assert entry["year"] == str(version.published_at.year)
    assert entry["urls"] == [f"https://doi.org/{version.identifier}"]
    assert "License: CC-BY-4.0" in entry["notes"][0]


def test_csl_json_renders_with_citeproc(client, version):
    response = client.get(f"/api/v1/versions/{version.pk}.csl")
    assert response["Content-Type"].startswith(CSL)
    items = response.json()
    assert items[0]["author"] == [
        {"family": "Doe", "given": "Jane"},
        {"literal": "Tumour Atlas Consortium"},
    ]
    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    bibliography.register(Citation([CitationItem(items[0]["id"])]))
    (entry,) = [str(item) for item in bibliography.bibliography()]
    assert "Doe, J." in entry and "Breast grades" in entry
    assert str(version.published_at.year) in entry


@pytest.mark.parametrize(
    ("accept", "starts"),
    [(RIS, "TY  - DATA"), (CSL, "["), ("application/x-bibtex", "@misc{")],
)
def test_the_api_and_the_page_url_negotiate_citation_formats(client, version, accept, starts):
    page = f"/datasets/{version.dataset.slug}/v1/"
    for url in (f"/api/v1/versions/{version.pk}", page):
        response = client.get(url, HTTP_ACCEPT=accept)
        assert response.status_code == 200
        assert response["Content-Type"].startswith(accept), url
        assert response.content.decode().startswith(starts), url
    html = client.get(page, HTTP_ACCEPT="text/html,*/*;q=0.8")
    assert html["Content-Type"].startswith("text/html")
    assert "Accept" in html["Vary"]


def test_the_page_url_serves_datacite_json_and_counts_no_view(client, version):
    page = f"/datasets/{version.dataset.slug}/v1/"
    response = client.get(page, HTTP_ACCEPT="application/vnd.datacite.datacite+json")
    assert json.loads(response.content)["data"]["attributes"]["doi"] == version.identifier
    version.refresh_from_db()
    assert version.view_count == 0


def test_a_private_version_negotiates_nothing_for_strangers(client, curator, tmp_path):
    hidden = published(curator, tmp_path, title="Hidden", visibility="private", archive=False)
    response = client.get(f"/datasets/{hidden.dataset.slug}/v1/", HTTP_ACCEPT=RIS)
    assert response.status_code == 404


def test_the_citation_box_offers_ris_and_the_citation_files(client, version):
    page = client.get(f"/datasets/{version.dataset.slug}/v1/").content.decode()
    assert 'id="citation-ris"' in page and "TY  - DATA" in page
    for suffix in ("bib", "ris", "csl", "datacite"):
        assert f"/api/v1/versions/{version.pk}.{suffix}" in page
