"""What the repository holds: published versions of public and restricted datasets (restricted
ones give their metadata only, as their pages do); drafts and private datasets never appear.

A record's datestamp is when its metadata last changed: its publication, or a later change of
the dataset (title, description, visibility), whichever is later, so an incremental harvest
with `from` picks up an edited title of an old version.
"""

from datetime import datetime

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Greatest

from datasets.constants import DatasetKind, Modality, VersionState, Visibility
from datasets.models import DatasetVersion

HARVESTABLE_VISIBILITIES = (Visibility.PUBLIC, Visibility.RESTRICTED)
# setSpec -> (setName, the versions in it). "kind" and "modality" are the parents of their
# values: a harvest of set "kind" gets every record.
SETS: dict[str, tuple[str, Q]] = {
    "kind": ("Datasets by kind of images", Q()),
    **{
        f"kind:{value}": (str(label), Q(dataset__kind=value))
        for value, label in DatasetKind.choices
    },
    "modality": ("Datasets by imaging modality", Q()),
    **{
        f"modality:{value}": (str(label), Q(dataset__modality=value))
        for value, label in Modality.choices
    },
}


def harvestable() -> QuerySet[DatasetVersion]:
    """Every record, oldest datestamp first (ties by id: the order resumption tokens follow)."""
    return (
        DatasetVersion.objects.filter(
            state=VersionState.PUBLISHED, dataset__visibility__in=HARVESTABLE_VISIBILITIES
        )
        .select_related("dataset", "license", "derived_from__dataset")
        .annotate(datestamp=Greatest(F("published_at"), F("dataset__updated_at")))
        .order_by("datestamp", "pk")
    )


def oai_identifier(version: DatasetVersion) -> str:
    return f"oai:{settings.OAI_REPOSITORY_IDENTIFIER}:{version.identifier}"


def version_of(identifier: str) -> DatasetVersion | None:
    """The record an oai: identifier names, or None when it names no harvestable version."""
    prefix = f"oai:{settings.OAI_REPOSITORY_IDENTIFIER}:"
    if not identifier.startswith(prefix):
        return None
    return harvestable().filter(identifier=identifier.removeprefix(prefix)).first()


def set_specs(version: DatasetVersion) -> list[str]:
    return [f"kind:{version.dataset.kind}", f"modality:{version.dataset.modality}"]


def selected(
    *, set_spec: str | None, since: datetime | None, before: datetime | None
) -> QuerySet[DatasetVersion]:
    """The records of a list request: in `set_spec`, with since <= datestamp < before."""
    records = harvestable()
    if set_spec is not None:
        records = records.filter(SETS[set_spec][1]) if set_spec in SETS else records.none()
    if since is not None:
        records = records.filter(datestamp__gte=since)
    if before is not None:
        records = records.filter(datestamp__lt=before)
    return records


def after(records: QuerySet[DatasetVersion], *, datestamp: datetime, pk: int) -> QuerySet:
    """The records after (`datestamp`, `pk`) in harvest order: where a resumption token resumes.

    A position, not an offset: a record whose datestamp moves on during a harvest is met again
    at the end instead of pushing another one out of the pages already sent.
    """
    return records.filter(Q(datestamp__gt=datestamp) | Q(datestamp=datestamp, pk__gt=pk))


def earliest_datestamp() -> datetime | None:
    first = harvestable().first()
    return first.datestamp if first else None
