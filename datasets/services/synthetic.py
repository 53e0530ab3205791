"""Synthetic drafts: the new dataset the pipeline fills with generated images, and the figures
measured on it afterwards."""

from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from datasets.constants import DatasetKind, Visibility
from datasets.models import Dataset, DatasetVersion
from datasets.services.creators import CreatorSpec, check_distinct_creators
from datasets.services.entry import free_slug, save_with_first_draft


def create_synthetic_draft(
    *,
    source: DatasetVersion,
    slug_base: str,
    title: str,
    description: str,
    owner: AbstractBaseUser,
    class_names: Sequence[str],
    creators: Sequence[CreatorSpec] = (),
    visibility: str = Visibility.PRIVATE,
    version_description: str = "",
) -> DatasetVersion:
    """A new synthetic dataset derived from `source`, with its classes and an empty draft
    version 1 that a generation job then fills through `store_images`.

    The same rules as an import: every row is checked (`full_clean`) and the slug is the first
    free, unreserved one made from `slug_base`, because the slug becomes the version's
    identifier and its storage folder. The draft takes the source's license and keywords; the
    source's creators are credited through the lineage (`derived_from`), not as authors.
    Call it inside the caller's transaction when another row must point at the draft.
    """
    check_distinct_creators(creators)
    dataset = Dataset(
        slug=free_slug(slug_base),
        title=title.strip()[: Dataset._meta.get_field("title").max_length],
        description=description,
        keywords=[*source.dataset.keywords, "synthetic", "GAN"],
        modality=source.dataset.modality,
        organ=source.dataset.organ,
        kind=DatasetKind.SYNTHETIC,
        owner=owner,
        visibility=visibility,
    )
    dataset.full_clean()
    with transaction.atomic():
        version, _ = save_with_first_draft(
            dataset=dataset,
            class_names=class_names,
            creators=creators,
            license=source.license,
            derived_from=source,
            description=version_description,
        )
    return version


def record_version_metrics(
    *, version: DatasetVersion, metrics: dict, description: str | None = None
) -> DatasetVersion:
    """Merge `metrics` into a draft's measured figures (and replace its data card when given).

    Measurements arrive after the images, from jobs that run on their own (the synthetic set's
    KID/FID, then its quality report), so each adds its keys to what is there under a row lock
    instead of overwriting the other's. A published version never changes: it is left as it is.
    """
    with transaction.atomic():
        locked = DatasetVersion.objects.select_for_update().get(pk=version.pk)
        if locked.is_published:
            return locked
        locked.metrics = {**locked.metrics, **metrics}
        fields = ["metrics"]
        if description is not None:
            locked.description = description
            fields.append("description")
        locked.save(update_fields=fields)
    version.metrics = locked.metrics
    version.description = locked.description
    return locked
