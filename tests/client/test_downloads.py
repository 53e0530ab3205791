"""Downloads by the client (abid) from a live portal over HTTP: resumed after an interruption,
checked against the portal's sha256 and against every line of the archive's MANIFEST.sha256,
refused (and removed) when either fails."""

import hashlib
import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from abid import Client, VerificationError
from abid.cli import main
from abid.downloads import CHUNK_BYTES
from datasets.models import DatasetVersion

pytestmark = pytest.mark.django_db(transaction=True)


class Interrupted(Exception):
    """Stands for a dropped connection or a Ctrl-C in the middle of a transfer."""


@pytest.fixture
def client(live_server, token):
    return Client(live_server.url, token=token)


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
    with pytest.raises(VerificationError, match="does not match the portal's"):
        client.download(info, tmp_path)
    assert not part.exists()
    assert client.download(info, tmp_path).sha256 == version.archive_sha256


def tamper_with_one_image(version: DatasetVersion) -> str:
    """Rewrite the stored ZIP with one image's bytes changed and the portal's sha256 updated to
    the new ZIP, as a file damaged on the server before its sha256 was taken would be: the
    transfer checks out, only MANIFEST.sha256 can tell. Returns the damaged image's path."""
    with default_storage.open(version.archive.name, "rb") as handle:
        original = zipfile.ZipFile(io.BytesIO(handle.read()))
    damaged_name = next(n for n in original.namelist() if n.endswith(".png"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as damaged:
        for info in original.infolist():
            data = original.read(info)
            damaged.writestr(info, data[:-1] + b"\0" if info.filename == damaged_name else data)
    data = buffer.getvalue()
    name = default_storage.save(f"archives/tampered-{version.pk}.zip", ContentFile(data))
    DatasetVersion.objects.filter(pk=version.pk).update(
        archive=name, archive_size=len(data), archive_sha256=hashlib.sha256(data).hexdigest()
    )
    return damaged_name.split("/", 1)[1]


def test_a_zip_whose_manifest_fails_is_refused_naming_the_file(portal, version, tmp_path, capsys):
    damaged = tamper_with_one_image(version)
    code = main(["download", "noise-tiles", "--output", str(tmp_path / "out")])
    assert code == 3
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error == (
        f"abid: error: noise-tiles-v1.zip: {damaged} does not match its sha256 in MANIFEST.sha256"
    )
    assert list((tmp_path / "out").iterdir()) == []  # nothing half-written left behind


def test_cli_resumes_a_partial_file_into_the_cache(portal, version, tmp_path, capsys):
    with default_storage.open(version.archive.name, "rb") as handle:
        first_bytes = handle.read(CHUNK_BYTES + 10)
    downloads = tmp_path / "cache" / ".downloads"
    downloads.mkdir(parents=True)
    (downloads / "noise-tiles-v1.zip.part").write_bytes(first_bytes)

    assert main(["download", str(version.pk)]) == 0
    folder = tmp_path / "cache" / version.identifier.replace("/", "_")
    assert capsys.readouterr().out.strip() == f"{folder} (verified against MANIFEST.sha256)"
    assert sorted(p.name for p in (folder / "images").iterdir()) == ["G1", "G2"]
    assert len(list((folder / "images" / "G1").iterdir())) == 40
    assert (folder / "MANIFEST.sha256").is_file() and (folder / "metadata.csv").is_file()
    assert list(downloads.iterdir()) == []  # the ZIP is gone once unpacked
