"""DataCite registration on publishing, against a stand-in for DataCite's REST API that checks
the login and validates every body against the DataCite 4.5 JSON schema."""

import pytest

from datasets import doi_registration, tasks
from datasets.services import new_draft_version, publish_version
from tests.api.builders import synthetic_version
from tests.catalogue import imported_draft, published
from tests.datasets.datacite_server import REPOSITORY_ID

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(curator):
    return curator


@pytest.fixture(autouse=True)
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


def test_publishing_registers_the_version_doi_and_the_concept_doi(
    datacite_configured, owner, tmp_path, django_capture_on_commit_callbacks
):
    draft = imported_draft(owner, tmp_path, title="Breast grades")
    with django_capture_on_commit_callbacks(execute=True):
        version = publish_version(version=draft, user=owner)
    dois = datacite_configured.dois
    assert set(dois) == {version.identifier, version.dataset.concept_identifier}
    registered = dois[version.identifier]
    assert registered["event"] == "publish"
    assert registered["url"].endswith(f"/datasets/{version.dataset.slug}/v1/")
    assert registered["titles"] == [{"title": "Breast grades"}]
    concept = dois[version.dataset.concept_identifier]
    assert concept["url"].endswith(f"/datasets/{version.dataset.slug}/")
    assert {"relatedIdentifier": version.identifier, "relatedIdentifierType": "DOI",
            "relationType": "HasVersion"} in concept["relatedIdentifiers"]  # fmt: skip


def test_a_second_version_updates_the_concept_doi_with_put(
    datacite_configured, owner, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = published(owner, tmp_path / "one", archive=False)
    draft = new_draft_version(dataset=first.dataset, user=owner)
    with django_capture_on_commit_callbacks(execute=True):
        second = publish_version(version=draft, user=owner)
    concept = first.dataset.concept_identifier
    methods = [(method, path) for method, path, body in datacite_configured.requests]
    assert ("PUT", f"/dois/{concept}") in methods
    newest = {"relatedIdentifier": second.identifier, "relatedIdentifierType": "DOI",
              "relationType": "HasVersion"}  # fmt: skip
    assert newest in datacite_configured.dois[concept]["relatedIdentifiers"]
    assert set(datacite_configured.dois) == {first.identifier, second.identifier, concept}


def test_a_synthetic_version_is_registered_as_derived_from_its_source(
    datacite_configured, owner, tmp_path
):
    source = published(owner, tmp_path / "source", archive=False)
    synthetic = synthetic_version(source, owner)
    tasks.register_dois.apply(args=[synthetic.pk]).get()
    related = datacite_configured.dois[synthetic.identifier]["relatedIdentifiers"]
    assert {"relatedIdentifier": source.identifier, "relatedIdentifierType": "DOI",
            "relationType": "IsDerivedFrom"} in related  # fmt: skip


def test_a_failed_attempt_is_retried_until_datacite_takes_the_doi(
    datacite_configured, owner, tmp_path
):
    version = published(owner, tmp_path, archive=False)
    datacite_configured.failures_left = 2
    result = tasks.register_dois.apply(args=[version.pk])
    assert result.successful(), result.traceback
    attempts = [method for method, path, body in datacite_configured.requests]
    assert attempts.count("POST") >= 3  # two refused by the outage, then the DOI, the concept
    assert version.identifier in datacite_configured.dois


def test_a_wrong_password_fails_the_attempt_without_registering(
    datacite_configured, settings, owner, tmp_path
):
    version = published(owner, tmp_path, archive=False)
    settings.DATACITE_PASSWORD = "wrong"
    with pytest.raises(doi_registration.RegistrationFailed, match="401"):
        doi_registration.register(version)
    assert datacite_configured.dois == {}


def test_without_settings_nothing_is_sent_and_the_page_says_test_prefix(
    datacite_server, settings, owner, tmp_path, client, django_capture_on_commit_callbacks
):
    settings.DATACITE_API_URL = datacite_server.url  # the login is missing: not configured
    draft = imported_draft(owner, tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        version = publish_version(version=draft, user=owner)
    assert datacite_server.requests == []
    page = client.get(f"/datasets/{version.dataset.slug}/v1/").content.decode()
    assert "test-prefix identifier" in page


def test_with_settings_the_page_drops_the_test_prefix_note(
    datacite_configured, owner, tmp_path, client
):
    version = published(owner, tmp_path, archive=False)
    page = client.get(f"/datasets/{version.dataset.slug}/v1/").content.decode()
    assert "test-prefix identifier" not in page
    assert REPOSITORY_ID not in page
