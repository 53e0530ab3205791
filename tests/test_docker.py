"""docker/compose.yml and the Dockerfiles, checked without Docker: every service, variable and
volume the settings need is there, and the variables set are ones the settings read."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCKER = ROOT / "docker"

PORTAL_SERVICES = {"migrate", "web", "worker-default", "worker-gpu", "beat"}
NEEDED_VARIABLES = {
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "STORAGE_BACKEND",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_PUBLIC_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DEBUG",
}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DOCKER / "compose.yml").read_text())


def settings_variables() -> set[str]:
    """Every environment variable portal/settings.py reads (through portal.env)."""
    source = (ROOT / "portal" / "settings.py").read_text()
    return set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z0-9_]+)"', source))


def command_text(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def test_every_service_is_there_with_a_health_check_or_a_single_run(compose):
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "minio", "bucket"} | PORTAL_SERVICES
    for name in ("postgres", "redis", "minio", "web", "worker-default", "worker-gpu"):
        assert services[name]["healthcheck"]["test"], name
    for one_shot in ("bucket", "migrate"):
        assert services[one_shot]["restart"] == "no"
    assert "mc mb --ignore-existing" in " ".join(services["bucket"]["entrypoint"])
    assert "migrate" in command_text(services["migrate"])
    assert "check --deploy" in command_text(services["migrate"])


def test_portal_services_get_every_setting_production_needs(compose):
    known = settings_variables()
    for name in PORTAL_SERVICES:
        environment = compose["services"][name]["environment"]
        assert set(environment) >= NEEDED_VARIABLES, name
        assert environment["STORAGE_BACKEND"] == "${STORAGE_BACKEND:-s3}"  # MinIO by default
        assert environment["DEBUG"] == "0"
        unknown = set(environment) - known
        assert not unknown, f"{name} sets variables the settings never read: {unknown}"


def test_portal_services_pass_every_google_cloud_storage_setting(compose):
    """STORAGE_BACKEND=gcs in docker/.env is enough: every GS_ variable reaches the services."""
    google = {name for name in settings_variables() if name.startswith("GS_")}
    assert {"GS_BUCKET_NAME", "GS_CREDENTIALS", "GS_IAM_SIGN_BLOB"} <= google
    for name in PORTAL_SERVICES:
        environment = compose["services"][name]["environment"]
        assert google <= set(environment), name
        assert all(environment[variable].startswith(f"${{{variable}:-") for variable in google)


def test_dependencies_name_existing_services(compose):
    services = compose["services"]
    for name, service in services.items():
        assert set(service.get("depends_on", {})) <= set(services), name
    for name in PORTAL_SERVICES - {"migrate"}:
        conditions = services[name]["depends_on"]
        assert conditions["migrate"]["condition"] == "service_completed_successfully"
        assert conditions["bucket"]["condition"] == "service_completed_successfully"


def test_volumes_hold_every_service_state(compose):
    declared = set(compose["volumes"])
    used = {
        volume.split(":")[0]
        for service in compose["services"].values()
        for volume in service.get("volumes", [])
    }
    assert used <= declared and declared <= used
    mounts = {
        name: [volume.split(":")[1] for volume in service.get("volumes", [])]
        for name, service in compose["services"].items()
    }
    assert "/var/lib/postgresql/data" in mounts["postgres"]
    assert "/data" in mounts["redis"] and "/data" in mounts["minio"]
    assert any("beat" in path for path in mounts["beat"])


def test_workers_consume_their_queues_and_the_gpu_worker_asks_for_a_gpu(compose):
    services = compose["services"]
    gpu = services["worker-gpu"]
    assert "-Q gpu --concurrency 1" in command_text(gpu)
    assert "-Q default" in command_text(services["worker-default"])
    assert "beat" in command_text(services["beat"])
    devices = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert devices == [{"driver": "nvidia", "count": 1, "capabilities": ["gpu"]}]
    assert gpu["build"]["dockerfile"] == "docker/Dockerfile.gpu"
    assert "gunicorn" in command_text(services["web"])


def instructions(name: str) -> list[str]:
    text = (DOCKER / name).read_text().replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


@pytest.mark.parametrize(
    ("name", "base"), [("Dockerfile", "python:3.11-slim"), ("Dockerfile.gpu", "nvidia/cuda:")]
)
def test_dockerfiles_install_torch_first_and_collect_static(name, base):
    lines = instructions(name)
    assert lines[0].startswith(f"FROM {base}")
    assert "runtime" in lines[0] or name == "Dockerfile"
    text = "\n".join(lines)
    assert text.index("requirements/torch.txt") < text.index("requirements/base.txt")
    assert "collectstatic --noinput" in text
    assert any(line.startswith("USER ") and "root" not in line for line in lines)
    for requirement in ("torch.txt", "base.txt"):
        assert (ROOT / "requirements" / requirement).exists()
    assert ("gunicorn" if name == "Dockerfile" else "celery") in lines[-1]
