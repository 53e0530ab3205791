"""Related works and funding: curators add them to a draft on its page (through the service,
which checks the editor and refuses published versions), and once published they are stated
on the version's page, in DataCite JSON and XML, schema.org, Croissant, the citations, the
API's JSON and OAI-PMH."""

import json

import pytest
from datacite import schema45
from django.core.exceptions import PermissionDenied
from lxml import etree, html

from datasets import related_works
from datasets.constants import RELATION_TYPES, FunderIdentifierType, RelatedIdentifierType
from datasets.metadata import datacite, version_urls
from datasets.models import FundingReference, PublishedVersionError, RelatedIdentifier
from datasets.selectors import creators_of, public_source
from datasets.services import new_draft_version, publish_version
from tests.api.builders import synthetic_version
from tests.catalogue import imported_draft, published
from tests.datasets.oai_schemas import KERNEL_4, assert_valid_datacite
from tests.factories import make_user

pytestmark = pytest.mark.django_db

ARTICLE = "10.1038/s41597-020-0000-1"
EC = "https://doi.org/10.13039/501100000780"


@pytest.fixture
def owner():
    return make_user("owner")


@pytest.fixture
def draft(owner, tmp_path):
    return imported_draft(owner, tmp_path, title="Breast grades")


def add_on_page(client, version, kind: str, **fields):
    url = f"/datasets/{version.dataset.slug}/v{version.number}/related/"
    data = {"kind": kind, **{f"{kind}-{name}": value for name, value in fields.items()}}
    return client.post(url, data)


@pytest.fixture
def described(client, owner, draft):
    """The draft with an article describing it and a grant, added on the curation page."""
    client.force_login(owner)
    response = add_on_page(
        client,
        draft,
        "related",
        relation_type="IsDescribedBy",
        identifier_type="DOI",
        identifier=f"https://doi.org/{ARTICLE}",
    )
    assert response.status_code == 302, response.content.decode()
    response = add_on_page(
        client,
        draft,
        "funding",
        funder_name="European Commission",
        funder_identifier=EC,
        funder_identifier_type="Crossref Funder ID",
        award_number="101000001",
        award_title="Synthetic pathology",
    )
    assert response.status_code == 302, response.content.decode()
    return publish_version(version=draft, user=owner)


def test_the_page_stores_a_pasted_doi_bare_and_refuses_a_malformed_one(client, owner, draft):
    client.force_login(owner)
    add_on_page(client, draft, "related", relation_type="IsCitedBy", identifier_type="DOI",
                identifier=f"doi:{ARTICLE}")  # fmt: skip
    assert RelatedIdentifier.objects.get(version=draft).identifier == ARTICLE
    response = add_on_page(client, draft, "related", relation_type="IsCitedBy",
                           identifier_type="PMID", identifier="PMC123")  # fmt: skip
    assert response.status_code == 400
    assert "&#x27;PMC123&#x27; is not a PubMed id" in response.content.decode()
    response = add_on_page(client, draft, "funding", funder_name="NIH",
                           funder_identifier="https://ror.org/01cwqze88")  # fmt: skip
    assert response.status_code == 400
    assert "say which scheme the funder identifier is in" in response.content.decode()
    assert FundingReference.objects.count() == 0


def test_only_editors_write_and_never_to_a_published_version(client, owner, draft):
    stranger = make_user("stranger")
    item = RelatedIdentifier(version=draft, identifier=ARTICLE, relation_type="IsCitedBy")
    with pytest.raises(PermissionDenied):
        related_works.save(item=item, user=stranger)
    client.force_login(stranger)
    assert add_on_page(client, draft, "related", identifier=ARTICLE).status_code == 404
    related_works.save(item=item, user=owner)
    version = publish_version(version=draft, user=owner)
    with pytest.raises(PublishedVersionError):
        related_works.remove(item=item, user=owner)
    with pytest.raises(PublishedVersionError):
        related_works.save(item=FundingReference(version=version, funder_name="NIH"), user=owner)
    client.force_login(owner)
    url = f"/datasets/{version.dataset.slug}/v1/related/related/{item.pk}/remove/"
    assert client.post(url).status_code == 404
    assert RelatedIdentifier.objects.filter(pk=item.pk).exists()


def test_a_removed_work_leaves_the_draft(client, owner, draft):
    client.force_login(owner)
    add_on_page(client, draft, "related", relation_type="IsCitedBy", identifier_type="PMID",
                identifier="31452104")  # fmt: skip
    item = RelatedIdentifier.objects.get(version=draft)
    url = f"/datasets/{draft.dataset.slug}/v1/related/related/{item.pk}/remove/"
    assert client.post(url).status_code == 302
    assert not RelatedIdentifier.objects.exists()


def test_the_version_page_shows_them(client, described):
    page = client.get(f"/datasets/{described.dataset.slug}/v1/").content.decode()
    assert f'href="https://doi.org/{ARTICLE}"' in page
    assert "IsDescribedBy" in page
    assert "European Commission: 101000001, Synthetic pathology" in page


def test_datacite_json_and_xml_state_them_and_validate(client, described):
    record = client.get(f"/api/v1/versions/{described.pk}.datacite").json()["data"]["attributes"]
    assert schema45.validate(record), list(schema45.validator.iter_errors(record))
    relations = {(r["relationType"], r["relatedIdentifier"]) for r in record["relatedIdentifiers"]}
    assert ("IsDescribedBy", ARTICLE) in relations
    assert ("IsVersionOf", described.dataset.concept_identifier) in relations
    assert record["fundingReferences"] == [
        {
            "funderName": "European Commission",
            "funderIdentifier": EC,
            "funderIdentifierType": "Crossref Funder ID",
            "awardNumber": "101000001",
            "awardTitle": "Synthetic pathology",
        }
    ]
    oai = client.get(
        "/oai/",
        {
            "verb": "GetRecord",
            "metadataPrefix": "oai_datacite",
            "identifier": f"oai:abid.example.org:{described.identifier}",
        },
    )
    resource = etree.fromstring(oai.content).find(f".//{{{KERNEL_4}}}resource")
    assert_valid_datacite(etree.fromstring(etree.tostring(resource)))
    assert resource.find(f".//{{{KERNEL_4}}}awardNumber").text == "101000001"
    dc = client.get(
        "/oai/",
        {
            "verb": "GetRecord",
            "metadataPrefix": "oai_dc",
            "identifier": f"oai:abid.example.org:{described.identifier}",
        },
    ).content.decode()
    assert f"<dc:relation>https://doi.org/{ARTICLE}</dc:relation>" in dc


def test_schema_org_croissant_citations_and_api_json_state_them(client, described):
    base = f"/api/v1/versions/{described.pk}"
    for name in ("jsonld", "croissant"):
        document = json.loads(client.get(f"{base}.{name}").content)
        assert document["subjectOf"] == [f"https://doi.org/{ARTICLE}"], name
        assert document["funder"][0]["name"] == "European Commission", name
        assert document["funding"][0]["identifier"] == "101000001", name
    note = "Funded by European Commission (101000001: Synthetic pathology)"
    assert note in client.get(f"{base}.bib").content.decode()
    assert note in client.get(f"{base}.ris").content.decode()
    assert note in client.get(f"{base}.csl").json()[0]["note"]
    data = client.get(f"{base}/").json()
    assert data["related_identifiers"] == [
        {"relation_type": "IsDescribedBy", "identifier_type": "DOI", "identifier": ARTICLE}
    ]
    assert data["funding_references"][0]["award_title"] == "Synthetic pathology"


def test_a_new_version_starts_with_them_and_a_synthetic_one_keeps_its_source(
    owner, described, tmp_path
):
    draft = new_draft_version(dataset=described.dataset, user=owner)
    assert [r.identifier for r in draft.related_identifiers.all()] == [ARTICLE]
    assert [f.funder_name for f in draft.funding_references.all()] == ["European Commission"]
    source = published(owner, tmp_path / "source", archive=False, title="Source")
    synthetic = synthetic_version(source, owner)
    next_draft = new_draft_version(dataset=synthetic.dataset, user=owner)
    related_works.save(
        item=RelatedIdentifier(version=next_draft, identifier=ARTICLE, relation_type="IsCitedBy"),
        user=owner,
    )
    record = datacite(
        version=next_draft,
        creators=creators_of(version=next_draft),
        urls=version_urls(next_draft),
        source=public_source(version=next_draft),
    )["data"]["attributes"]
    relations = {(r["relationType"], r["relatedIdentifier"]) for r in record["relatedIdentifiers"]}
    assert ("IsDerivedFrom", source.identifier) in relations
    assert ("IsCitedBy", ARTICLE) in relations


def test_the_vocabularies_are_datacite_4_5s():
    definitions = schema45.validator.schema["definitions"]
    assert sorted(RELATION_TYPES) == sorted(definitions["relationType"]["enum"])
    assert set(RelatedIdentifierType.values) <= set(definitions["relatedIdentifierType"]["enum"])
    assert set(FunderIdentifierType.values) == set(definitions["funderIdentifierType"]["enum"])


def test_the_admin_inlines_write_through_the_service(client, draft):
    staff = make_user("admin", staff=True)
    client.force_login(staff)
    url = f"/admin/datasets/datasetversion/{draft.pk}/change/"
    form = html.fromstring(client.get(url).content).get_element_by_id("datasetversion_form")
    data = dict(form.form_values())
    data.update(
        {
            "related_identifiers-TOTAL_FORMS": "1",
            "related_identifiers-0-relation_type": "IsSupplementTo",
            "related_identifiers-0-identifier_type": "DOI",
            "related_identifiers-0-identifier": f"https://doi.org/{ARTICLE}",
            "funding_references-TOTAL_FORMS": "1",
            "funding_references-0-funder_name": "Wellcome Trust",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    (item,) = draft.related_identifiers.all()
    assert (item.relation_type, item.identifier, item.position) == ("IsSupplementTo", ARTICLE, 1)
    assert [f.funder_name for f in draft.funding_references.all()] == ["Wellcome Trust"]
