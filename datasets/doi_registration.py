"""Registering a published version's DOI, and its dataset's concept DOI, with DataCite.

Only when the deployment has a DataCite repository (DATACITE_REPOSITORY_ID, DATACITE_PASSWORD,
DATACITE_API_URL); otherwise identifiers stay on the test prefix and nothing is sent. The
metadata is the portal's DataCite JSON (datasets.metadata.datacite), the same the API exports
and the ZIP carries, so DataCite states what the page states.

Registration is idempotent: POST /dois creates a DOI; DataCite answers 422 when it exists
already, and PUT /dois/<doi> then updates it. A worker retries until DataCite has both.
"""

import requests
from django.conf import settings
from django.urls import reverse

from datasets import selectors
from datasets.constants import Visibility
from datasets.metadata import datacite, version_urls
from datasets.models import DatasetVersion

JSON_API = "application/vnd.api+json"


class RegistrationFailed(Exception):
    """DataCite did not take a DOI (down, refused the login, refused the metadata): retried."""


def is_configured() -> bool:
    return bool(
        settings.DATACITE_REPOSITORY_ID and settings.DATACITE_PASSWORD and settings.DATACITE_API_URL
    )


def version_record(version: DatasetVersion) -> dict:
    """The version's DOI, resolving to its page: findable ("publish") when its metadata is
    public (public and restricted datasets), only registered ("register": resolvable, kept out
    of DataCite's search) while its dataset is private."""
    record = datacite(
        version=version,
        creators=selectors.creators_of(version=version),
        urls=version_urls(version),
        source=selectors.public_source(version=version),
    )
    private = version.dataset.visibility == Visibility.PRIVATE
    record["data"]["attributes"]["event"] = "register" if private else "publish"
    return record


def concept_record(version: DatasetVersion) -> dict:
    """The concept DOI, described as its newest published `version` and resolving to the
    dataset's page, which always shows the newest version (as Zenodo's concept DOIs do)."""
    record = version_record(version)
    attributes = record["data"]["attributes"]
    concept = version.dataset.concept_identifier
    prefix, _, suffix = concept.partition("/")
    root = settings.PORTAL_BASE_URL.rstrip("/")
    attributes.update(
        doi=concept,
        prefix=prefix,
        suffix=suffix,
        url=root + reverse("datasets:detail", args=[version.dataset.slug]),
        relatedIdentifiers=[
            *(
                related
                for related in attributes["relatedIdentifiers"]
                if related["relatedIdentifier"] != concept
            ),
            {
                "relatedIdentifier": version.identifier,
                "relatedIdentifierType": "DOI",
                "relationType": "HasVersion",
            },
        ],
    )
    attributes.pop("version")
    return record


def register(version: DatasetVersion) -> None:
    """Create or update the version's DOI, then the concept DOI (when `version` is the newest
    published one: the concept follows the newest version)."""
    send(version_record(version))
    newest = selectors.latest_version(dataset=version.dataset)
    if newest is not None and newest.pk == version.pk:
        send(concept_record(version))


def send(record: dict) -> None:
    doi = record["data"]["attributes"]["doi"]
    base = settings.DATACITE_API_URL.rstrip("/")
    options = {
        "json": record,
        "auth": (settings.DATACITE_REPOSITORY_ID, settings.DATACITE_PASSWORD),
        "headers": {"Content-Type": JSON_API, "Accept": JSON_API},
        "timeout": settings.DATACITE_TIMEOUT,
    }
    try:
        response = requests.post(f"{base}/dois", **options)
        if response.status_code == 422:  # DataCite: this DOI has been taken (by us, earlier)
            response = requests.put(f"{base}/dois/{doi}", **options)
    except requests.RequestException as error:
        raise RegistrationFailed(f"DataCite unreachable for {doi}: {error}") from error
    if response.status_code not in (200, 201):
        raise RegistrationFailed(
            f"DataCite answered {response.status_code} for {doi}: {response.text[:300]}"
        )
