"""The catalogue entry: a new dataset's first rows (its slug, classes and draft version 1), a
draft's metadata, the dataset's visibility and what search matches."""

from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.text import slugify

from datasets import selectors
from datasets.constants import RESERVED_SLUGS, VersionState, Visibility
from datasets.exceptions import CurationRefused
from datasets.models import (
    Authorship,
    ClassLabel,
    Dataset,
    DatasetVersion,
    License,
    PublishedVersionError,
    VisibilityChange,
)
from datasets.search_text import build_search_text
from datasets.services.creators import CreatorSpec, add_creators, check_distinct_creators


def version_identifier(dataset: Dataset, number: int) -> str:
    """The DOI-like identifier of a version: `<DOI_PREFIX>/<slug>.v<N>`."""
    return f"{settings.DOI_PREFIX}/{dataset.slug}.v{number}"


def free_slug(title: str) -> str:
    """The title's slug, with -2, -3, ... appended while another dataset has it."""
    max_length = Dataset._meta.get_field("slug").max_length - 10
    base = slugify(title)[:max_length].strip("-") or "dataset"
    taken = set(Dataset.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    taken |= RESERVED_SLUGS
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def save_with_first_draft(
    *, dataset: Dataset, class_names: Sequence[str], creators: Sequence[CreatorSpec], **fields
) -> tuple[DatasetVersion, dict[str, ClassLabel]]:
    """The rows every new dataset starts with, imported or synthetic: the dataset (already
    checked by the caller), its classes in order, and draft version 1 with `fields` and its
    creators. Returns the draft and the classes by name, for the images that follow."""
    dataset.save()
    labels = {}
    for position, name in enumerate(class_names):
        labels[name] = label = ClassLabel(dataset=dataset, name=name, position=position)
        label.full_clean()
        label.save()
    refresh_search_text(dataset=dataset)
    version = DatasetVersion(
        dataset=dataset,
        number=1,
        state=VersionState.DRAFT,
        identifier=version_identifier(dataset, 1),
        **fields,
    )
    version.full_clean()
    version.save()
    add_creators(version=version, creators=creators)
    return version, labels


def refresh_search_text(*, dataset: Dataset) -> None:
    """Rebuild what the search matches for `dataset`. Call it after creating a dataset's classes
    or changing its title, description, keywords or organ (import, edit and publish do)."""
    dataset.search_text = build_search_text(
        slug=dataset.slug,
        title=dataset.title,
        description=dataset.description,
        keywords=dataset.keywords,
        organ=dataset.organ,
        class_names=dataset.classes.values_list("name", flat=True),
    )
    Dataset.objects.filter(pk=dataset.pk).update(search_text=dataset.search_text)


def update_draft(
    *,
    version: DatasetVersion,
    user: AbstractBaseUser,
    title: str,
    description: str,
    keywords: Sequence[str],
    modality: str,
    organ: str,
    license: License | None,
    creators: Sequence[CreatorSpec],
    version_description: str,
    changes: str = "",
) -> DatasetVersion:
    """Change a draft's metadata and its dataset's description, all or nothing.

    Title, description, keywords, modality and organ belong to the dataset and so show on every
    version's page; the license, creators and data card belong to this draft. Visibility is not
    a draft's: it changes who sees the published versions at once (see `change_visibility`).
    Raises PermissionDenied for non-editors, PublishedVersionError for a published version and
    ValidationError (by field) for bad values.
    """
    dataset = version.dataset
    if not selectors.is_editor(user=user, dataset=dataset):
        raise PermissionDenied("only the dataset's owner, collaborators and staff edit it")
    if version.is_published:
        raise PublishedVersionError(f"{version.identifier} is published: create a new version")
    check_distinct_creators(creators)
    with transaction.atomic():
        dataset.title = title.strip()
        dataset.description = description
        dataset.keywords = [keyword.strip() for keyword in keywords if keyword.strip()]
        dataset.modality = modality
        dataset.organ = organ.strip()
        dataset.full_clean()
        dataset.save()
        version.license = license
        version.description = version_description
        version.changes = changes
        version.full_clean()
        version.save()
        Authorship.objects.filter(version=version).delete()
        add_creators(version=version, creators=creators)
        refresh_search_text(dataset=dataset)
    return version


def change_visibility(
    *, dataset: Dataset, user: AbstractBaseUser, visibility: str
) -> VisibilityChange:
    """Make `dataset` public, restricted or private, and record who did it, when, from what.

    Visibility decides at once who sees every published version and its files, so it is the
    owner's (and staff's) decision, taken on its own, never a side effect of saving a draft.
    Raises PermissionDenied for anyone else, collaborators included, and CurationRefused for an
    unknown value or the current one.
    """
    if not selectors.manages_dataset(user=user, dataset=dataset):
        raise PermissionDenied("only the dataset's owner and staff change its visibility")
    if visibility not in Visibility.values:
        choices = ", ".join(Visibility.values)
        raise CurationRefused(f"visibility {visibility!r} is unknown; choose one of {choices}")
    with transaction.atomic():
        locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
        if locked.visibility == visibility:
            raise CurationRefused(f"{locked.slug} is {visibility} already")
        change = VisibilityChange.objects.create(
            dataset=locked,
            changed_by=user,
            from_visibility=locked.visibility,
            to_visibility=visibility,
        )
        Dataset.objects.filter(pk=locked.pk).update(
            visibility=visibility, updated_at=change.changed_at
        )
    dataset.visibility = visibility
    return change
