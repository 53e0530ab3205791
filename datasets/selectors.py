"""Reads of the catalogue. Every page, API view and command asks here what a user may see."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet

from datasets.constants import Visibility
from datasets.models import Dataset, DatasetVersion, ImageRecord


def visible_datasets(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Dataset]:
    """Datasets whose page `user` may open: public and restricted ones, plus their own and
    those they collaborate on; staff see everything."""
    datasets = Dataset.objects.select_related("owner")
    if user.is_authenticated and user.is_staff:
        return datasets
    visible = Q(visibility__in=[Visibility.PUBLIC, Visibility.RESTRICTED])
    if user.is_authenticated:
        visible |= Q(owner=user) | Q(collaborators=user)
    return datasets.filter(visible).distinct()


def catalogue_counts(*, user: AbstractBaseUser | AnonymousUser) -> dict[str, int]:
    datasets = visible_datasets(user=user)
    images = ImageRecord.objects.filter(version__dataset__in=datasets)
    return {
        "datasets": datasets.count(),
        "synthetic": datasets.filter(kind="synthetic").count(),
        "images": images.count(),
    }


def latest_version(*, dataset: Dataset) -> DatasetVersion | None:
    """The newest published version, or the newest draft when nothing is published yet."""
    versions = dataset.versions.order_by("-number")
    return versions.filter(state="published").first() or versions.first()


def class_counts(*, version: DatasetVersion) -> dict[str, int]:
    rows = (
        version.images.values("label__name", "label__position")
        .annotate(n=Count("id"))
        .order_by("label__position", "label__name")
    )
    return {row["label__name"]: row["n"] for row in rows}


def can_view_files(*, user: AbstractBaseUser | AnonymousUser, dataset: Dataset) -> bool:
    """Whether `user` may fetch the image files of `dataset` (restricted: owner, collaborators
    and staff until access requests exist)."""
    if dataset.visibility == Visibility.PUBLIC:
        return True
    if not user.is_authenticated:
        return False
    if user.is_staff or dataset.owner_id == user.pk:
        return True
    return dataset.collaborators.filter(pk=user.pk).exists()


def visible_image(*, user: AbstractBaseUser | AnonymousUser, pk: int) -> ImageRecord | None:
    """The image `pk` if `user` may see its file, else None (the caller answers 404)."""
    image = ImageRecord.objects.select_related("version__dataset", "label").filter(pk=pk).first()
    if image is None or not can_view_files(user=user, dataset=image.version.dataset):
        return None
    return image
