"""Metadata exports of a version, by URL suffix and by content negotiation, each checked by the
tool that reads it: DataCite's 4.5 JSON schema, mlcroissant, and an RDF parser for JSON-LD."""

import json
import logging
import subprocess
import sys

import pytest
from datacite import schema45
from rdflib import RDF, Graph, Namespace

from datasets.services import CreatorSpec
from tests.api.builders import synthetic_version

pytestmark = pytest.mark.django_db

SCHEMA = Namespace("https://schema.org/")
JANE = CreatorSpec(name="Doe, Jane", orcid="0000-0002-1825-0097", affiliation="Example University")
ACCEPT = {
    "datacite": "application/vnd.datacite.datacite+json",
    "croissant": 'application/ld+json; profile="http://mlcommons.org/croissant/1.1"',
    "jsonld": "application/ld+json",
    "bib": "application/x-bibtex",
    "txt": "text/x-bibliography",
}


@pytest.fixture
def source(make_published):
    return make_published(
        title="Breast grades",
        description="H&E tiles of three grades.",
        keywords=["grading"],
        modality="histology",
        organ="breast",
        creators=(JANE,),
    )


@pytest.fixture
def synthetic(source, owner):
    return synthetic_version(source, owner)


def export(api, version, name: str):
    response = api("anonymous").get(f"/api/v1/versions/{version.pk}.{name}")
    assert response.status_code == 200, response.content
    return response


def test_datacite_json_validates_against_the_datacite_4_5_schema(api, source, synthetic):
    for version in (source, synthetic):
        record = export(api, version, "datacite").json()["data"]["attributes"]
        assert schema45.validate(record), list(schema45.validator.iter_errors(record))


def test_datacite_json_says_who_what_under_which_license_and_from_what(api, synthetic):
    record = export(api, synthetic, "datacite").json()["data"]["attributes"]
    assert record["doi"] == synthetic.identifier
    assert record["types"]["resourceTypeGeneral"] == "Dataset"
    (creator,) = record["creators"]
    assert creator["nameIdentifiers"][0]["nameIdentifier"].endswith("0000-0002-1825-0097")
    assert creator["nameIdentifiers"][0]["nameIdentifierScheme"] == "ORCID"
    assert record["rightsList"][0]["rightsIdentifier"] == "cc-by-4.0"
    assert record["rightsList"][0]["rightsIdentifierScheme"] == "SPDX"
    relations = {r["relationType"]: r["relatedIdentifier"] for r in record["relatedIdentifiers"]}
    assert relations["IsVersionOf"] == synthetic.dataset.concept_identifier
    assert relations["IsDerivedFrom"] == synthetic.derived_from.identifier
    assert record["version"] == "1"
    assert record["publisher"]["name"]
    assert record["subjects"] and record["sizes"] and record["formats"] == ["application/zip"]


def test_schema_org_json_ld_parses_as_a_dataset(api, synthetic):
    document = export(api, synthetic, "jsonld").json()
    assert document["@context"] == "https://schema.org/"
    # No network in tests: give the parser schema.org's vocabulary instead of fetching it.
    graph = Graph().parse(
        data=json.dumps({**document, "@context": {"@vocab": "https://schema.org/"}}),
        format="json-ld",
    )
    (dataset,) = graph.subjects(RDF.type, SCHEMA.Dataset)
    assert str(graph.value(dataset, SCHEMA.name)) == synthetic.dataset.title
    assert str(graph.value(dataset, SCHEMA.license)) == synthetic.license.url
    based_on = graph.value(dataset, SCHEMA.isBasedOn)
    assert str(based_on) == f"https://doi.org/{synthetic.derived_from.identifier}"
    creators = list(graph.objects(dataset, SCHEMA.creator))
    assert [str(graph.value(c, SCHEMA.name)) for c in creators] == ["Doe, Jane"]


def test_croissant_loads_with_mlcroissant_and_says_the_data_is_synthetic(api, synthetic, caplog):
    import mlcroissant

    document = export(api, synthetic, "croissant").json()
    assert document["conformsTo"] == "http://mlcommons.org/croissant/1.1"
    with caplog.at_level(logging.WARNING):
        metadata = mlcroissant.Dataset(jsonld=document).metadata
    assert [record.getMessage() for record in caplog.records] == []  # e.g. a non-standard @context
    issues = metadata.ctx.issues
    assert not issues.errors and not issues.warnings, issues.report()
    archive = next(d for d in document["distribution"] if d["@type"] == "cr:FileObject")
    assert archive["sha256"] == synthetic.archive_sha256
    assert archive["contentUrl"].endswith(f"/datasets/{synthetic.dataset.slug}/v1/download/")
    assert metadata.data_collection_type == ["Synthetic data generation"]
    assert synthetic.derived_from.identifier in metadata.data_collection
    assert metadata.data_limitations
    fields = {field["name"] for field in document["recordSet"][0]["field"]}
    assert fields == {"image", "label"}


@pytest.mark.parametrize("name", ACCEPT)
def test_the_version_url_negotiates_each_export(api, source, name):
    client = api("anonymous")
    negotiated = client.get(f"/api/v1/versions/{source.pk}/", HTTP_ACCEPT=ACCEPT[name])
    by_suffix = client.get(f"/api/v1/versions/{source.pk}.{name}")
    assert negotiated.status_code == 200
    assert negotiated["Content-Type"].startswith(ACCEPT[name])
    assert negotiated.content == by_suffix.content


def test_the_suffix_wins_over_the_accept_header(api, source):
    response = api("anonymous").get(
        f"/api/v1/versions/{source.pk}.bib", HTTP_ACCEPT=ACCEPT["datacite"]
    )
    assert response["Content-Type"].startswith("application/x-bibtex")
    assert response.content.decode().startswith("@misc{")
    assert source.identifier in response.content.decode()


def test_citation_text_names_authors_year_title_and_doi(api, source):
    text = export(api, source, "txt").content.decode()
    assert text.startswith("Doe, J. (")
    assert f"https://doi.org/{source.identifier}" in text


def test_an_unknown_accept_is_a_json_406(api, source):
    response = api("anonymous").get(f"/api/v1/versions/{source.pk}/", HTTP_ACCEPT="image/png")
    assert response.status_code == 406
    assert response.json()["code"] == "not_acceptable"


def test_errors_of_an_export_url_are_json(api, source, users):
    response = api("anonymous").get("/api/v1/versions/999999.bib")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


LOAD_RECORDS = """
import json, sys
import mlcroissant
dataset = mlcroissant.Dataset(jsonld=sys.argv[1])
records = [
    {"label": r["images/label"].decode(), "size": list(r["images/image"].size)}
    for r in dataset.records("images")
]
print(json.dumps(records))
"""


@pytest.mark.django_db(transaction=True)
def test_croissant_records_load_from_the_portal_url(live_server, settings, tmp_path):
    """mlcroissant fetches the Croissant from its URL, then the ZIP it names, checks its sha256,
    unpacks it and reads every image with its label: the description is complete and true."""
    from datasets.license_data import install_licenses
    from datasets.models import License
    from tests.catalogue import published
    from tests.factories import make_user

    install_licenses(License)  # transactional tests flush the table the migration filled
    version = published(make_user("owner"), tmp_path / "upload", per_class={"G1": 2, "G2": 1})
    url = f"{live_server.url}/api/v1/versions/{version.pk}.croissant"
    loaded = subprocess.run(
        [sys.executable, "-c", LOAD_RECORDS, url],
        env={"CROISSANT_CACHE": str(tmp_path / "croissant-cache"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    records = json.loads(loaded.stdout.strip().splitlines()[-1])
    assert sorted(record["label"] for record in records) == ["G1", "G1", "G2"]
    assert all(record["size"] == [8, 8] for record in records)
