"""Celery tasks of the catalogue, on the `default` queue: thin shells around services."""

from celery import shared_task
from django.conf import settings

from datasets import doi_registration
from datasets.models import DatasetVersion
from datasets.services.archive import build_archive as build_version_archive


@shared_task(
    name="datasets.build_archive",
    autoretry_for=(OSError,),
    retry_backoff=30,
    max_retries=5,
)
def build_archive(version_id: int) -> None:
    """Build a published version's ZIP; retried when storage hiccups, a no-op once built."""
    build_version_archive(version=DatasetVersion.objects.get(pk=version_id))


@shared_task(
    name="datasets.register_dois",
    autoretry_for=(doi_registration.RegistrationFailed,),
    retry_backoff=settings.DATACITE_RETRY_BACKOFF,
    retry_backoff_max=6 * 3600,
    max_retries=None,
)
def register_dois(version_id: int) -> None:
    """Register a published version's DOI (and the concept DOI) with DataCite; retried with
    growing waits, without limit, until DataCite has taken both: a DOI in print must resolve."""
    doi_registration.register(DatasetVersion.objects.get(pk=version_id))
