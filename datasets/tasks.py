"""Celery tasks of the catalogue, on the `default` queue: thin shells around services."""

from celery import shared_task

from datasets import services
from datasets.models import DatasetVersion


@shared_task(
    name="datasets.build_archive",
    autoretry_for=(OSError,),
    retry_backoff=30,
    max_retries=5,
)
def build_archive(version_id: int) -> None:
    """Build a published version's ZIP; retried when storage hiccups, a no-op once built."""
    services.build_archive(version=DatasetVersion.objects.get(pk=version_id))
