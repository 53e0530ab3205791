"""Schemathesis generates requests for every operation of /api/schema/ (valid and invalid ones,
a bounded number per operation) against a live portal with data in it, signed in with a token,
and finds no 500 and no response that breaks the schema."""

import subprocess
import sys

import pytest
from rest_framework.authtoken.models import Token

from datasets.license_data import install_licenses
from datasets.models import License
from generation import services
from tests.api.builders import trained_model
from tests.catalogue import imported_draft, published
from tests.factories import make_user

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

EXAMPLES_PER_OPERATION = 25
CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance"


@pytest.fixture
def token(settings, tmp_path) -> str:
    """A curator's token, with a public and a private dataset, a model, a run and a job."""
    settings.TRAINING_MIN_IMAGES_PER_CLASS = 1
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(("anon", "user", "downloads", "jobs"), None),
    }
    install_licenses(License)  # transactional tests flush the table the migration filled
    owner = make_user("owner")
    version = published(owner, tmp_path / "public", per_class={"G1": 2, "G2": 2})
    published(owner, tmp_path / "private", title="Private set", visibility="private")
    imported_draft(owner, tmp_path / "draft", title="Draft set")
    model = trained_model(version, owner)
    services.start_training(
        source_version=version, preset="tiny", overrides={}, user=owner, enqueue=False
    )
    services.start_generation(
        model=model, count_per_class=1, classes=None, seed=0, user=owner, enqueue=False
    )
    return Token.objects.create(user=owner).key


def test_no_operation_answers_500_or_breaks_its_schema(live_server, token, tmp_path):
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            f"{live_server.url}/api/schema/",
            "--url",
            live_server.url,
            "--header",
            f"Authorization: Token {token}",
            "--checks",
            CHECKS,
            "--max-examples",
            str(EXAMPLES_PER_OPERATION),
            "--phases",
            "examples,coverage,fuzzing",
            "--seed",
            "1",
            "--workers",
            "1",
            "--request-timeout",
            "30",
            "--report-dir",
            str(tmp_path / "report"),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-2000:]
