"""A real S3 API server for the services tier: moto's standalone `moto_server` on 127.0.0.1.

Unlike moto's in-process mock, requests go over HTTP as they would to MinIO or AWS: presigned
URLs can be fetched with a Range header, and signing for a public host is observable. The
server talks to Django as http://127.0.0.1:<port>; browsers are given http://localhost:<port>
(AWS_S3_PUBLIC_ENDPOINT_URL), the same server under a name the portal does not use itself.
"""

import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

CREDENTIALS = {"access_key": "testing", "secret_key": "testing", "region_name": "us-east-1"}


@dataclass(frozen=True)
class Bucket:
    client: object  # a boto3 S3 client on the internal endpoint, to look behind the storage API
    name: str

    def keys(self, prefix: str = "") -> list[str]:
        listing = self.client.list_objects_v2(Bucket=self.name, Prefix=prefix)
        return [item["Key"] for item in listing.get("Contents", [])]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """The server's port; one server for the session, a fresh bucket for each test."""
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("moto_server did not start")
            time.sleep(0.2)
    yield port
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def s3_storage(s3_server, settings):
    """Default storage switched to a new bucket; the `settings` fixture restores STORAGES, and
    Django's setting_changed handler drops the cached backends both ways."""
    import boto3

    bucket = f"portal-{uuid.uuid4().hex[:12]}"
    endpoint = f"http://127.0.0.1:{s3_server}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=CREDENTIALS["access_key"],
        aws_secret_access_key=CREDENTIALS["secret_key"],
        region_name=CREDENTIALS["region_name"],
    )
    client.create_bucket(Bucket=bucket)
    settings.STORAGE_BACKEND = "s3"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "portal.storage.S3Storage",
            "OPTIONS": {
                **CREDENTIALS,
                "bucket_name": bucket,
                "endpoint_url": endpoint,
                "public_endpoint_url": f"http://localhost:{s3_server}",
                "querystring_expire": 300,
                "file_overwrite": False,
                "default_acl": None,
            },
        },
    }
    return Bucket(client, bucket)
