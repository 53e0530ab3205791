"""Machine-readable descriptions of a version: schema.org JSON-LD (the page's head, for search
engines), Croissant (for ML loaders) and DataCite JSON (for registering the DOI).

Each builder takes the version, its creators in order and the URLs it lives at, and returns a
JSON-safe dict; the page and the ZIP call the same builders, so what they state never differs.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from datasets import related_works
from datasets.citations import doi_url
from datasets.models import Creator, DatasetVersion
from datasets.orcid import ORCID_URL_PREFIXES

ORCID_URL = ORCID_URL_PREFIXES[0]


@dataclass(frozen=True)
class VersionUrls:
    page: str
    download: str


def version_urls(version: DatasetVersion, *, base: str | None = None) -> VersionUrls:
    """Absolute URLs of a version's page and ZIP, on `base` (default: PORTAL_BASE_URL, for
    files written by a worker, which has no request to take the host from)."""
    root = (base or settings.PORTAL_BASE_URL).rstrip("/")
    return VersionUrls(
        page=root + version.get_absolute_url(),
        download=root + reverse("datasets:download", args=[version.dataset.slug, version.number]),
    )


def json_ld_script(data: dict) -> SafeString:
    """A `<script type="application/ld+json">` element; `<`, `>` and `&` are escaped so that
    no text in the metadata can close the element."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308


def schema_org_dataset(
    *,
    version: DatasetVersion,
    creators: Sequence[Creator],
    urls: VersionUrls,
    source: DatasetVersion | None,
) -> dict:
    """schema.org/Dataset as Google Dataset Search reads it. `source`: the version a synthetic
    one derives from, where the public may know it (selectors.public_source)."""
    dataset = version.dataset
    data = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        **_common(version, creators, urls),
        "identifier": doi_url(version.identifier),
        "version": str(version.number),
        "isAccessibleForFree": True,
        "measurementTechnique": dataset.get_modality_display(),
        "variableMeasured": "class label",
    }
    if version.archive_size:
        data["distribution"] = [
            {
                "@type": "DataDownload",
                "encodingFormat": "application/zip",
                "contentUrl": urls.download,
                "contentSize": f"{version.archive_size} B",
            }
        ]
    if source is not None:
        data["isBasedOn"] = [doi_url(source.identifier), *data.get("isBasedOn", [])]
    return data


def datacite(
    *,
    version: DatasetVersion,
    creators: Sequence[Creator],
    urls: VersionUrls,
    source: DatasetVersion | None,
) -> dict:
    """The DataCite REST API's JSON for the version's DOI (metadata schema 4); `source` as for
    schema_org_dataset."""
    dataset = version.dataset
    date = version.published_at or version.created_at
    prefix, _, suffix = version.identifier.partition("/")
    attributes = {
        "doi": version.identifier,
        "prefix": prefix,
        "suffix": suffix,
        "url": urls.page,
        "types": {"resourceTypeGeneral": "Dataset", "resourceType": "Image dataset"},
        "creators": [_datacite_creator(creator) for creator in creators],
        "titles": [{"title": dataset.title}],
        "publisher": {"name": settings.PORTAL_PUBLISHER},
        "publicationYear": str(date.year),  # a string in DataCite schema 4.5
        "dates": [{"date": date.date().isoformat(), "dateType": "Issued"}],
        "subjects": [{"subject": keyword} for keyword in _keywords(version)],
        "language": "en",
        "version": str(version.number),
        "sizes": [f"{version.image_count} images", f"{version.total_bytes} bytes"],
        "formats": ["application/zip"],
        "descriptions": [
            {"description": text, "descriptionType": kind}
            for text, kind in (
                (dataset.description, "Abstract"),
                (version.description, "TechnicalInfo"),
            )
            if text
        ],
        "relatedIdentifiers": [
            {
                "relatedIdentifier": dataset.concept_identifier,
                "relatedIdentifierType": "DOI",
                "relationType": "IsVersionOf",
            }
        ],
        "schemaVersion": "http://datacite.org/schema/kernel-4",
    }
    if version.license:
        attributes["rightsList"] = [
            {
                "rights": version.license.name,
                "rightsUri": version.license.url,
                "rightsIdentifier": version.license.spdx_id.lower(),
                "rightsIdentifierScheme": "SPDX",
                "schemeUri": "https://spdx.org/licenses/",
            }
        ]
    if source is not None:
        attributes["relatedIdentifiers"].append(
            {
                "relatedIdentifier": source.identifier,
                "relatedIdentifierType": "DOI",
                "relationType": "IsDerivedFrom",
            }
        )
    attributes["relatedIdentifiers"] += related_works.datacite_related(version)
    funding = related_works.datacite_funding(version)
    if funding:
        attributes["fundingReferences"] = funding
    return {"data": {"type": "dois", "attributes": attributes}}


def _common(version: DatasetVersion, creators: Sequence[Creator], urls: VersionUrls) -> dict:
    """What schema.org and Croissant share: both are schema.org Datasets."""
    dataset = version.dataset
    date = version.published_at or version.created_at
    data = {
        "name": dataset.title,
        "description": dataset.description or version.description or dataset.title,
        "url": urls.page,
        "keywords": _keywords(version),
        "creator": [_schema_org_creator(creator) for creator in creators],
        "publisher": {"@type": "Organization", "name": settings.PORTAL_PUBLISHER},
        "datePublished": date.date().isoformat(),
    }
    if version.license:
        data["license"] = version.license.url
    data.update(_schema_org_related(version))
    return data


# schema.org's property for a related work, by DataCite relation; the rest are `citation`.
SCHEMA_ORG_RELATIONS = {
    "IsDerivedFrom": "isBasedOn",
    "IsDescribedBy": "subjectOf",
    "IsDocumentedBy": "subjectOf",
    "IsPartOf": "isPartOf",
    "HasPart": "hasPart",
}


def _schema_org_related(version: DatasetVersion) -> dict:
    """Curated related works as schema.org links (`isBasedOn` for a source, `subjectOf` for the
    article describing the data, `citation` for the others) and funding as `funder`/`funding`."""
    data: dict[str, list] = {}
    for item in related_works.related_of(version):
        name = SCHEMA_ORG_RELATIONS.get(item.relation_type, "citation")
        data.setdefault(name, []).append(related_works.link(item))
    for item in related_works.funding_of(version):
        funder = {"@type": "Organization", "name": item.funder_name}
        if item.funder_identifier:
            funder["identifier"] = item.funder_identifier
        data.setdefault("funder", []).append(funder)
        if item.award_number or item.award_title:
            grant = {"@type": "MonetaryGrant", "funder": funder}
            if item.award_number:
                grant["identifier"] = item.award_number
            if item.award_title:
                grant["name"] = item.award_title
            data.setdefault("funding", []).append(grant)
    return data


def _keywords(version: DatasetVersion) -> list[str]:
    dataset = version.dataset
    extra = [dataset.get_modality_display(), dataset.organ, dataset.get_kind_display()]
    return list(dict.fromkeys(word for word in [*dataset.keywords, *extra] if word))


def _is_person(creator: Creator) -> bool:
    """Curators enter people as "Family, Given"; anything else is an organisation or a group."""
    return "," in creator.name or bool(creator.orcid)


def _schema_org_creator(creator: Creator) -> dict:
    data = {"@type": "Person" if _is_person(creator) else "Organization", "name": creator.name}
    if creator.orcid:
        data["sameAs"] = ORCID_URL + creator.orcid
    if creator.affiliation:
        data["affiliation"] = {"@type": "Organization", "name": creator.affiliation}
    return data


def _datacite_creator(creator: Creator) -> dict:
    data: dict = {"name": creator.name}
    if _is_person(creator):
        data["nameType"] = "Personal"
        family, _, given = creator.name.partition(",")
        if given.strip():
            data["familyName"], data["givenName"] = family.strip(), given.strip()
    else:
        data["nameType"] = "Organizational"
    if creator.orcid:
        data["nameIdentifiers"] = [
            {
                "nameIdentifier": ORCID_URL + creator.orcid,
                "nameIdentifierScheme": "ORCID",
                "schemeUri": "https://orcid.org",
            }
        ]
    if creator.affiliation:
        data["affiliation"] = [{"name": creator.affiliation}]
    return data
