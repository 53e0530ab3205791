"""OAI-PMH at /oai/, read by a real harvester (Sickle) from the live test server: every public
and restricted published version comes through ListRecords across resumption tokens, never a
draft or a private one; the DataCite XML validates against DataCite's kernel-4 schema; each
error code of the protocol answers the request that earns it."""

import datetime

import pytest
import requests
from django.utils import timezone
from lxml import etree
from sickle import Sickle
from sickle.oaiexceptions import NoRecordsMatch

from datasets.license_data import install_licenses
from datasets.models import Dataset, DatasetVersion, License
from tests.api.builders import synthetic_version
from tests.catalogue import imported_draft, published
from tests.datasets.oai_schemas import KERNEL_4, assert_valid_datacite
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)

OAI = "{http://www.openarchives.org/OAI/2.0/}"
DC = "{http://purl.org/dc/elements/1.1/}"
OAI_DATACITE = "{http://schema.datacite.org/oai/oai-1.1/}"


@pytest.fixture
def catalogue(settings, tmp_path):
    """Four public versions (one synthetic), one restricted, one private, one draft; pages of
    two records, so a full list takes three tokens."""
    settings.OAI_PAGE_SIZE = 2
    settings.OAI_REPOSITORY_IDENTIFIER = "abid.test.org"
    install_licenses(License)  # transactional tests flush the table the migration filled
    owner = make_user("owner")
    public = [
        published(owner, tmp_path / f"p{n}", title=f"Public {n}", archive=False) for n in range(3)
    ]
    public.append(synthetic_version(public[0], owner))
    restricted = published(owner, tmp_path / "r", title="Restricted", visibility="restricted")
    private = published(owner, tmp_path / "x", title="Private", visibility="private")
    draft = imported_draft(owner, tmp_path / "d", title="Draft")
    return {"harvested": [*public, restricted], "hidden": [private, draft]}


@pytest.fixture
def sickle(live_server):
    return Sickle(f"{live_server.url}/oai/", max_retries=0)


def oai_id(version: DatasetVersion) -> str:
    return f"oai:abid.test.org:{version.identifier}"


def test_identify_states_the_protocol_granularity_and_deleted_record_policy(sickle, catalogue):
    identify = sickle.Identify()
    assert identify.protocolVersion == "2.0"
    assert identify.granularity == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.deletedRecord == "no"
    assert identify.baseURL.endswith("/oai/")
    first = min(v.published_at for v in catalogue["harvested"])
    assert identify.earliestDatestamp == first.astimezone(datetime.UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


@pytest.mark.parametrize("prefix", ["oai_dc", "oai_datacite"])
def test_list_records_harvests_every_public_and_restricted_version_across_tokens(
    sickle, catalogue, prefix
):
    records = list(sickle.ListRecords(metadataPrefix=prefix))
    identifiers = [record.header.identifier for record in records]
    assert sorted(identifiers) == sorted(oai_id(v) for v in catalogue["harvested"])
    assert not {oai_id(v) for v in catalogue["hidden"]} & set(identifiers)


def test_resumption_tokens_count_the_list_and_the_last_one_is_empty(live_server, catalogue):

    url = f"{live_server.url}/oai/"
    response = requests.get(url, params={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
    cursors, total, seen = [], None, []
    while True:
        page = etree.fromstring(response.content)
        seen += [e.text for e in page.iter(f"{OAI}identifier")]
        token = page.find(f".//{OAI}resumptionToken")
        if token is None:
            break
        cursors.append(int(token.get("cursor")))
        total = int(token.get("completeListSize"))
        if not token.text:
            break
        response = requests.get(
            url, params={"verb": "ListIdentifiers", "resumptionToken": token.text}
        )
    assert cursors == [0, 2, 4] and total == 5 == len(seen) == len(set(seen))


def test_oai_datacite_validates_against_datacite_kernel_4(sickle, catalogue):
    for record in sickle.ListRecords(metadataPrefix="oai_datacite"):
        payload = record.xml.find(f".//{OAI_DATACITE}payload")
        (resource,) = payload
        assert resource.tag == f"{{{KERNEL_4}}}resource"
        assert_valid_datacite(etree.fromstring(etree.tostring(resource)))


def test_synthetic_record_names_its_source_and_restricted_says_so(sickle, catalogue):
    synthetic, restricted = catalogue["harvested"][3], catalogue["harvested"][4]
    record = sickle.GetRecord(identifier=oai_id(synthetic), metadataPrefix="oai_datacite")
    related = {
        e.get("relationType"): e.text for e in record.xml.iter(f"{{{KERNEL_4}}}relatedIdentifier")
    }
    assert related["IsDerivedFrom"] == synthetic.derived_from.identifier
    assert related["IsVersionOf"] == synthetic.dataset.concept_identifier
    dc = sickle.GetRecord(identifier=oai_id(restricted), metadataPrefix="oai_dc")
    assert dc.metadata["title"] == ["Restricted"]
    assert "info:eu-repo/semantics/restrictedAccess" in dc.metadata["rights"]
    assert f"https://doi.org/{restricted.identifier}" in dc.metadata["identifier"]


def test_sets_select_by_kind_and_modality(sickle, catalogue):
    specs = {s.setSpec for s in sickle.ListSets()}
    assert {"kind", "kind:real", "kind:synthetic", "modality:histology"} <= specs
    synthetic = [
        h.identifier for h in sickle.ListIdentifiers(metadataPrefix="oai_dc", set="kind:synthetic")
    ]
    assert synthetic == [oai_id(catalogue["harvested"][3])]
    real = list(sickle.ListIdentifiers(metadataPrefix="oai_dc", set="kind:real"))
    assert len(real) == 4 and all("kind:real" in h.setSpecs for h in real)


def test_from_and_until_select_by_datestamp_in_days_and_seconds(sickle, catalogue):
    newest = catalogue["harvested"][4]
    Dataset.objects.filter(pk=newest.dataset_id).update(
        updated_at=timezone.now() + datetime.timedelta(days=3)
    )
    later = (timezone.now() + datetime.timedelta(days=2)).strftime("%Y-%m-%d")
    assert [
        h.identifier for h in sickle.ListIdentifiers(metadataPrefix="oai_dc", **{"from": later})
    ] == [oai_id(newest)]
    until = sickle.ListIdentifiers(metadataPrefix="oai_dc", until=later + "T00:00:00Z")
    assert len(list(until)) == 4
    with pytest.raises(NoRecordsMatch):
        next(iter(sickle.ListIdentifiers(metadataPrefix="oai_dc", until="2001-01-01")))


def test_each_error_code_answers_the_request_that_earns_it(sickle, catalogue):
    version = catalogue["harvested"][0]
    cases = [
        ("badVerb", {"verb": "Harvest"}),
        ("badArgument", {"verb": "ListRecords"}),
        ("badArgument", {"verb": "GetRecord", "identifier": oai_id(version)}),
        ("badArgument", {"verb": "Identify", "set": "kind"}),
        ("badArgument", {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}),
        (
            "badArgument",
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2026-01-01",
                "until": "2026-01-01T00:00:00Z",
            },
        ),
        (
            "badArgument",
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "x"},
        ),
        ("cannotDisseminateFormat", {"verb": "ListRecords", "metadataPrefix": "marc21"}),
        (
            "cannotDisseminateFormat",
            {"verb": "GetRecord", "identifier": oai_id(version), "metadataPrefix": "mods"},
        ),
        ("badResumptionToken", {"verb": "ListRecords", "resumptionToken": "forged"}),
        ("badResumptionToken", {"verb": "ListSets", "resumptionToken": "forged"}),
        (
            "idDoesNotExist",
            {
                "verb": "GetRecord",
                "identifier": "oai:abid.test.org:10.5072/none",
                "metadataPrefix": "oai_dc",
            },
        ),
        (
            "idDoesNotExist",
            {
                "verb": "GetRecord",
                "identifier": oai_id(catalogue["hidden"][0]),
                "metadataPrefix": "oai_dc",
            },
        ),
        (
            "idDoesNotExist",
            {"verb": "ListMetadataFormats", "identifier": oai_id(catalogue["hidden"][1])},
        ),
        (
            "noRecordsMatch",
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "modality:fundus"},
        ),
    ]
    answered = [sickle.harvest(**arguments).xml.find(f"{OAI}error") for _, arguments in cases]
    assert [error.get("code") for error in answered] == [code for code, _ in cases]
    assert all(error.text for error in answered)


def test_a_repeated_argument_and_a_token_of_another_verb_are_refused(live_server, catalogue):

    url = f"{live_server.url}/oai/"
    repeated = requests.get(url + "?verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc")
    assert b'code="badArgument"' in repeated.content
    first = etree.fromstring(
        requests.get(url, params={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}).content
    )
    token = first.find(f".//{OAI}resumptionToken").text
    crossed = requests.post(url, data={"verb": "ListRecords", "resumptionToken": token})
    assert b'code="badResumptionToken"' in crossed.content
    assert crossed.headers["Content-Type"].startswith("text/xml")
