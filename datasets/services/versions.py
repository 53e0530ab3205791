"""The next version of a dataset: a draft that starts as a copy of the newest published one."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction

from datasets import related_works, selectors
from datasets.constants import VersionState
from datasets.exceptions import CurationRefused
from datasets.models import Authorship, Dataset, DatasetVersion
from datasets.services.entry import version_identifier
from datasets.services.images import share_images


def new_draft_version(*, dataset: Dataset, user: AbstractBaseUser) -> DatasetVersion:
    """Open the next version of `dataset` as a draft that starts as a copy of its newest
    published version: the same images, license, creators, data card, metrics and lineage.

    A published version never changes, so a fix (license, creators, data card) is a new version.
    Images are shared, not copied: the draft's ImageRecords point at the published version's
    stored files, which never change and which nothing deletes while a row names them, so a new
    version of 20,000 images costs rows, not bytes. One draft at a time, so edits do not split.
    Raises PermissionDenied for non-editors and CurationRefused while a draft exists.
    """
    if not selectors.is_editor(user=user, dataset=dataset):
        raise PermissionDenied("only the dataset's owner, collaborators and staff add versions")
    with transaction.atomic():
        Dataset.objects.select_for_update().get(pk=dataset.pk)  # two clicks make one draft
        versions = dataset.versions.order_by("-number")
        draft = versions.filter(state=VersionState.DRAFT).first()
        if draft is not None:
            raise CurationRefused(
                f"version {draft.number} is a draft already: edit and publish it first"
            )
        base = versions.first()
        if base is None:
            raise CurationRefused(f"{dataset.slug} has no version to start a new one from")
        number = base.number + 1
        version = DatasetVersion(
            dataset=dataset,
            number=number,
            state=VersionState.DRAFT,
            identifier=version_identifier(dataset, number),
            license=base.license,
            description=base.description,
            derived_from=base.derived_from,
            class_counts=base.class_counts,
            metrics=base.metrics,
            image_count=base.image_count,
            total_bytes=base.total_bytes,
        )
        version.full_clean()
        version.save()
        Authorship.objects.bulk_create(
            Authorship(version=version, creator_id=creator_id, position=position)
            for creator_id, position in base.authorship_set.values_list("creator_id", "position")
        )
        share_images(source=base, target=version)
        related_works.copy_to(source=base, target=version)
    return version
