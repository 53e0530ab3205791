"""Writes of a version's related works and funding references (RelatedIdentifier,
FundingReference), and how they read in the exports.

Curators add them to drafts: like creators and license, they are part of what a published
version states, so they freeze with it (a new version starts from a copy). Every door (the
curation page, the admin) writes through `save` and `remove`, which check the editor.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max

from datasets import selectors
from datasets.citations import doi_url
from datasets.models import (
    DatasetVersion,
    FundingReference,
    PublishedVersionError,
    RelatedIdentifier,
)

Reference = RelatedIdentifier | FundingReference


def save(*, item: Reference, user) -> Reference:
    """Add or change a related identifier or a funding reference of a draft (validated)."""
    with transaction.atomic():
        version = _editable(item.version_id, user)
        if item.pk is None:
            last = type(item).objects.filter(version=version).aggregate(Max("position"))
            item.position = (last["position__max"] or 0) + 1
        item.full_clean()
        item.save()
    return item


def remove(*, item: Reference, user) -> None:
    with transaction.atomic():
        _editable(item.version_id, user)
        item.delete()


def copy_to(*, source: DatasetVersion, target: DatasetVersion) -> None:
    """A new draft starts with its base version's related works and funding."""
    for model in (RelatedIdentifier, FundingReference):
        model.objects.bulk_create(
            model(**{**row, "version_id": target.pk})
            for row in model.objects.filter(version=source).values(
                *(
                    f.attname
                    for f in model._meta.concrete_fields
                    if f.attname not in ("id", "version_id")
                )
            )
        )


def _editable(version_id: int, user) -> DatasetVersion:
    """The version, read locked from the database (not the caller's copy, which may predate
    its publication), if `user` may change its works now."""
    version = (
        DatasetVersion.objects.select_for_update().select_related("dataset").get(pk=version_id)
    )
    if not selectors.is_editor(user=user, dataset=version.dataset):
        raise PermissionDenied("only the dataset's owner, collaborators and staff edit its works")
    if version.is_published:
        raise PublishedVersionError(
            f"{version.identifier} is published and cannot change; add related works to a new "
            "version"
        )
    return version


def related_of(version: DatasetVersion) -> list[RelatedIdentifier]:
    return list(version.related_identifiers.all())


def funding_of(version: DatasetVersion) -> list[FundingReference]:
    return list(version.funding_references.all())


def datacite_related(version: DatasetVersion) -> list[dict]:
    return [
        {
            "relatedIdentifier": item.identifier,
            "relatedIdentifierType": item.identifier_type,
            "relationType": item.relation_type,
        }
        for item in related_of(version)
    ]


def datacite_funding(version: DatasetVersion) -> list[dict]:
    references = []
    for item in funding_of(version):
        reference = {"funderName": item.funder_name}
        if item.funder_identifier:
            reference["funderIdentifier"] = item.funder_identifier
            reference["funderIdentifierType"] = item.funder_identifier_type
        if item.award_number:
            reference["awardNumber"] = item.award_number
        if item.award_title:
            reference["awardTitle"] = item.award_title
        references.append(reference)
    return references


def link(item: RelatedIdentifier) -> str:
    """Where a related work can be opened: DOIs and PubMed ids as resolver URLs."""
    if item.identifier_type == "DOI":
        return doi_url(item.identifier)
    if item.identifier_type == "PMID":
        return f"https://pubmed.ncbi.nlm.nih.gov/{item.identifier}/"
    if item.identifier_type == "arXiv":
        return f"https://arxiv.org/abs/{item.identifier.removeprefix('arXiv:')}"
    return item.identifier
