"""DataCite registration by a real Celery worker: DataCite (the stand-in on 127.0.0.1) is down
when the version is published, the task fails, the worker retries it, and the DOIs are
registered once DataCite is back."""

import pytest
from django.db import transaction

from datasets.license_data import install_licenses
from datasets.models import License
from datasets.services import publish_version
from tests.catalogue import imported_draft
from tests.datasets.datacite_server import PASSWORD, REPOSITORY_ID
from tests.factories import make_user
from tests.workers import Worker, purge_broker, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(tmp_path, datacite_configured):
    purge_broker()
    started = Worker(
        "datacite",
        "default",
        tmp_path,
        DATACITE_REPOSITORY_ID=REPOSITORY_ID,
        DATACITE_PASSWORD=PASSWORD,
        DATACITE_API_URL=datacite_configured.url,
        DATACITE_RETRY_BACKOFF="1",
    )
    yield started
    started.stop()


def test_a_worker_retries_until_datacite_is_back(worker, datacite_configured, tmp_path):
    install_licenses(License)  # transactional tests flush the table the migration filled
    owner = make_user("owner")
    draft = imported_draft(owner, tmp_path / "upload")
    wait_for(lambda: "ready." in worker.output(), timeout=90, what="the worker to start")
    datacite_configured.failures_left = 2
    with transaction.atomic():
        version = publish_version(version=draft, user=owner)
    wait_for(
        lambda: (
            {version.identifier, version.dataset.concept_identifier}
            <= set(datacite_configured.dois)
        ),
        timeout=90,
        what="both DOIs to be registered",
    )
    assert "retry: Retry in" in worker.output()
    assert datacite_configured.failures_left == 0
