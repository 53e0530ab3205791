"""Settings checked at start: `manage.py check` in a subprocess, as a deployment runs it."""

import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "DEBUG": "0",
    "ALLOWED_HOSTS": "portal.example.org",
    "SECURE_SSL_REDIRECT": "1",
    "SESSION_COOKIE_SECURE": "1",
    "CSRF_COOKIE_SECURE": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "STORAGE_BACKEND": "s3",
    "AWS_STORAGE_BUCKET_NAME": "portal",
    "AWS_S3_ENDPOINT_URL": "http://minio:9000",
    "AWS_ACCESS_KEY_ID": "portal",
    "AWS_SECRET_ACCESS_KEY": "a-secret",
    "CELERY_BROKER_URL": "redis://redis:6379/0",
}


def manage_check(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """Only the variables given: nothing of the test session's environment leaks in."""
    environment = {"PATH": "/usr/bin:/bin", "PORTAL_VAR_DIR": str(tmp_path), **env}
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_environment_passes_check_deploy(tmp_path):
    result = manage_check(tmp_path, "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_s3_without_a_bucket_is_refused(tmp_path):
    env = {**PRODUCTION, "AWS_STORAGE_BUCKET_NAME": "", "AWS_SECRET_ACCESS_KEY": ""}
    result = manage_check(tmp_path, **env)
    assert result.returncode != 0
    assert "portal.E001" in result.stderr and "AWS_STORAGE_BUCKET_NAME" in result.stderr
    assert "portal.E002" in result.stderr


def test_embedded_key_on_a_public_host_fails_check_deploy(tmp_path):
    env = {key: value for key, value in PRODUCTION.items() if key != "SECRET_KEY"}
    result = manage_check(tmp_path, "--deploy", **env)
    assert result.returncode != 0
    assert "portal.E003" in result.stderr
    # Without --deploy a laptop-style check stays quiet about it.
    assert "portal.E003" not in manage_check(tmp_path, **env).stderr


def test_local_broker_with_a_server_database_warns(tmp_path):
    result = manage_check(tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:5432/portal")
    assert result.returncode == 0  # warnings do not stop a laptop experimenting with PostgreSQL
    assert "portal.W001" in result.stderr and "portal.W002" in result.stderr
