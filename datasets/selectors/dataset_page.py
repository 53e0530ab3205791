"""What one dataset's and version's page shows: class counts, the gallery, the lineage, the
creators, a newer draft."""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, QuerySet

from datasets.constants import VersionState
from datasets.models import ClassLabel, Creator, Dataset, DatasetVersion, ImageRecord
from datasets.selectors.access import (
    User,
    editor_filter,
    is_editor,
    version_for_page,
    visible_datasets,
)


def class_counts(*, version: DatasetVersion) -> dict[str, int]:
    rows = (
        version.images.values("label__name", "label__position")
        .annotate(n=Count("id"))
        .order_by("label__position", "label__name")
    )
    return {row["label__name"]: row["n"] for row in rows}


@dataclass(frozen=True)
class GalleryClass:
    label: ClassLabel
    images: list[ImageRecord]  # the first few
    total: int


def gallery(*, version: DatasetVersion, per_class: int = 12) -> list[GalleryClass]:
    """The first images of each class: one small query per class, never the whole version."""
    totals = class_counts(version=version)
    labels = version.dataset.classes.filter(name__in=totals).order_by("position", "name")
    return [
        GalleryClass(
            label=label,
            images=list(version.images.filter(label=label).order_by("pk")[:per_class]),
            total=totals[label.name],
        )
        for label in labels
    ]


def visible_source(*, user: User, version: DatasetVersion) -> DatasetVersion | None:
    """The version a synthetic `version` derives from, if `user` may see it."""
    source = version.derived_from
    if source is None:
        return None
    return version_for_page(user=user, slug=source.dataset.slug, number=source.number)


def public_source(*, version: DatasetVersion) -> DatasetVersion | None:
    """The source of `version` if anyone may know it: what machine-readable metadata (JSON-LD,
    DataCite, the ZIP's README) state, whoever asks."""
    return visible_source(user=AnonymousUser(), version=version)


def derived_datasets(*, user: User, dataset: Dataset) -> QuerySet[Dataset]:
    """Visible datasets with a version made from one of `dataset`'s versions (its synthetic
    offspring), newest first."""
    derived = DatasetVersion.objects.filter(
        dataset_id=OuterRef("pk"), derived_from__dataset=dataset
    )
    return visible_datasets(user=user).filter(Exists(derived)).order_by("-created_at")


def newer_draft(*, user: User, version: DatasetVersion) -> DatasetVersion | None:
    """A draft newer than the published `version`, for its editors to find on the page."""
    if not is_editor(user=user, dataset=version.dataset):
        return None
    return (
        version.dataset.versions.filter(state=VersionState.DRAFT, number__gt=version.number)
        .order_by("-number")
        .first()
    )


def creators_of(*, version: DatasetVersion) -> list[Creator]:
    """The creators of `version` in citation order."""
    return list(version.creators.order_by("authorship__position", "authorship__pk"))


def own_datasets(*, user: User) -> QuerySet[Dataset]:
    """The datasets `user` owns or collaborates on (for staff too: not every dataset)."""
    if not user.is_authenticated:
        return Dataset.objects.none()
    return Dataset.objects.filter(editor_filter(user)).order_by("-created_at")
