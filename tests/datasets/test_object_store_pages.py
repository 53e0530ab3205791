"""Files in an object store (S3, here moto's in-process fake): after the permission check the
client is redirected to a short-lived signed URL, and the store serves the bytes and ranges."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from datasets.archive_names import archive_file_name
from tests.catalogue import published
from tests.factories import make_user

pytestmark = [pytest.mark.services, pytest.mark.django_db]

BUCKET = "portal-test"


@pytest.fixture
def object_store(settings, monkeypatch):
    moto = pytest.importorskip("moto")
    boto3 = pytest.importorskip("boto3")
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    with moto.mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET)
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "portal.storage.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "region_name": "us-east-1",
                    "querystring_expire": 300,
                    "file_overwrite": False,
                    "default_acl": None,
                },
            },
        }
        yield


def signed_response_headers(url: str) -> dict[str, str]:
    query = parse_qs(urlsplit(url).query)
    return {key: values[0] for key, values in query.items() if key.startswith("response-")}


def test_zip_and_images_redirect_to_signed_urls_only_after_the_check(
    client, object_store, tmp_path
):
    owner = make_user("owner")
    version = published(owner, tmp_path / "uploads", visibility="private")
    image = version.images.first()
    urls = {
        "zip": reverse("datasets:download", args=[version.dataset.slug, 1]),
        "file": reverse("datasets:image-file", args=[image.pk]),
        "thumbnail": reverse("datasets:image-thumbnail", args=[image.pk]),
    }
    client.force_login(make_user("other"))
    for url in urls.values():
        assert client.get(url).status_code == 404

    client.force_login(owner)
    responses = {name: client.get(url) for name, url in urls.items()}

    for response in responses.values():
        assert response.status_code == 302
        assert response["Location"].startswith(f"https://{BUCKET}.s3.amazonaws.com/")
        assert "Signature=" in response["Location"]  # signed, and so short-lived
    assert version.archive.name in responses["zip"]["Location"]
    # The store is told which type and disposition to answer with, whatever it recorded.
    assert signed_response_headers(responses["zip"]["Location"]) == {
        "response-content-type": "application/zip",
        "response-content-disposition": f'attachment; filename="{archive_file_name(version)}"',
    }
    assert signed_response_headers(responses["file"]["Location"]) == {
        "response-content-type": "image/png",
        "response-content-disposition": f'inline; filename="{image.file.name.split("/")[-1]}"',
    }
    assert signed_response_headers(responses["thumbnail"]["Location"])["response-content-type"] == (
        "image/png"
    )
    client.get(urls["zip"], headers={"Range": "bytes=500-"})  # a resumed download
    version.refresh_from_db()
    assert version.download_count == 1
