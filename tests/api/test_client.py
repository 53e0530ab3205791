"""The researchers' client and CLI (portal.client) against a live portal over HTTP: search,
download with resume and sha256 check, generate and wait."""

import hashlib

import numpy as np
import pytest
from PIL import Image
from rest_framework.authtoken.models import Token

from datasets.license_data import install_licenses
from datasets.models import License
from datasets.services import CreatorSpec, build_archive, import_dataset, publish_version
from generation.constants import JobState
from generation.models import GenerationJob
from portal.client import Client, PortalError
from portal.client.__main__ import main
from portal.client.downloads import CHUNK_BYTES
from tests.api.builders import trained_model
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


class Interrupted(Exception):
    """Stands for a dropped connection or a Ctrl-C in the middle of a transfer."""


@pytest.fixture
def owner(db):
    install_licenses(License)  # transactional tests flush the table the migration filled
    return make_user("owner")


@pytest.fixture
def version(owner, tmp_path):
    """A published version whose ZIP is a few chunks long: noise does not compress."""
    rng = np.random.default_rng(0)
    for name in ("G1", "G2"):
        folder = tmp_path / "upload" / name
        folder.mkdir(parents=True)
        for index in range(40):
            pixels = rng.integers(0, 256, (96, 96, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(folder / f"{index}.png")
    draft = import_dataset(
        source=tmp_path / "upload",
        title="Noise tiles",
        license_spdx="CC-BY-4.0",
        owner=owner,
        creators=[CreatorSpec(name="Doe, Jane")],
        visibility="public",
    ).version
    published = build_archive(version=publish_version(version=draft, user=owner))
    assert published.archive_size > 2 * CHUNK_BYTES
    return published


@pytest.fixture
def client(live_server, owner):
    return Client(live_server.url, token=Token.objects.create(user=owner).key)


def test_download_resumes_after_an_interrupted_transfer_and_verifies(client, version, tmp_path):
    info = client.version(version.pk)

    def drop_after_first_chunk(done: int, total: int) -> None:
        if done < total:
            raise Interrupted

    with pytest.raises(Interrupted):
        client.download(info, tmp_path / "out", progress=drop_after_first_chunk)
    part = tmp_path / "out" / "noise-tiles-v1.zip.part"
    assert 0 < part.stat().st_size < version.archive_size

    downloaded = client.download(info, tmp_path / "out")
    assert downloaded.resumed_from == CHUNK_BYTES
    assert downloaded.path == tmp_path / "out" / "noise-tiles-v1.zip"
    data = downloaded.path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == downloaded.sha256 == version.archive_sha256
    assert not part.exists()


def test_a_corrupted_partial_download_is_refused_and_removed(client, version, tmp_path):
    info = client.version(version.dataset.slug)
    part = tmp_path / "noise-tiles-v1.zip.part"
    part.write_bytes(b"not the first bytes of the ZIP")
    with pytest.raises(PortalError, match="does not match the portal's"):
        client.download(info, tmp_path)
    assert not part.exists()
    assert client.download(info, tmp_path).sha256 == version.archive_sha256


def test_cli_lists_and_downloads_by_slug(live_server, version, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PORTAL_URL", live_server.url)
    assert main(["datasets", "--query", "noise", "--facet", "kind=real"]) == 0
    listing = capsys.readouterr().out
    assert "noise-tiles" in listing and version.identifier in listing
    assert main(["download", "noise-tiles", "--output", str(tmp_path)]) == 0
    assert f"sha256 {version.archive_sha256} (verified)" in capsys.readouterr().out
    assert (tmp_path / "noise-tiles-v1.zip").stat().st_size == version.archive_size


def test_cli_generates_and_waits_for_the_job(live_server, client, version, owner, capsys):
    model = trained_model(version, owner)
    token = client.session.headers["Authorization"].split()[1]
    common = ["--url", live_server.url, "--token", token]
    assert main([*common, "generate", str(model.pk), "3", "--class", "G2", "--seed", "4"]) == 0
    assert "queued " in capsys.readouterr().out
    job = GenerationJob.objects.get()
    assert (job.count_per_class, job.class_names, job.base_seed) == (3, ["G2"], 4)
    GenerationJob.objects.filter(pk=job.pk).update(
        state=JobState.SUCCEEDED, progress_done=3, progress_total=3, result_version=version
    )
    assert main([*common, "wait", str(job.pk)]) == 0
    assert f"done: {version.identifier}" in capsys.readouterr().out


def test_cli_prints_the_portals_refusal(live_server, version, capsys):
    code = main(["--url", live_server.url, "--token", "wrong", "download", str(version.pk)])
    assert code == 1
    assert capsys.readouterr().err.strip() == "error: Invalid token."
