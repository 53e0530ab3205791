"""Reads of the generation app."""

from django.db.models import QuerySet

from datasets import selectors as catalogue
from datasets.models import DatasetVersion
from generation.exceptions import GenerationRejected
from generation.models import GanModel


def models_visible_to(*, user) -> QuerySet[GanModel]:
    """Models whose source dataset the user may see."""
    datasets = catalogue.visible_datasets(user=user)
    return GanModel.objects.filter(source_version__dataset__in=datasets).select_related(
        "source_version__dataset", "training_run"
    )


def model_for_generation(*, model_id: int | None) -> GanModel:
    """The model with `model_id`, or the newest one (the paper's `generate.py` default)."""
    models = GanModel.objects.order_by("-created_at", "-pk")
    if model_id is None:
        model = models.first()
        if model is None:
            raise GenerationRejected("there is no trained model yet: train one first")
        return model
    model = models.filter(pk=model_id).first()
    if model is None:
        raise GenerationRejected(f"unknown model id {model_id}")
    return model


def version_for_training(*, slug: str, number: int | None = None) -> DatasetVersion:
    """The given version of dataset `slug`, or its latest (published first, else draft)."""
    versions = DatasetVersion.objects.filter(dataset__slug=slug).select_related("dataset")
    if not versions.exists():
        raise GenerationRejected(f"unknown dataset {slug!r}")
    if number is not None:
        version = versions.filter(number=number).first()
        if version is None:
            raise GenerationRejected(f"dataset {slug!r} has no version {number}")
        return version
    return catalogue.latest_version(dataset=versions.first().dataset)
