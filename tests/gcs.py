"""A Google Cloud Storage API server for the services tier: `gcp-storage-emulator` on 127.0.0.1.

It speaks GCS's JSON API and serves downloads at /<bucket>/<object>, so google-cloud-storage
(through django-storages and portal.storage) uploads, lists, deletes and fetches signed URLs
over HTTP as it would from storage.googleapis.com. The emulator checks no credentials, but the
portal signs URLs with a service-account key, as in production: the key here is made for the
session, and its token endpoint is a small local server that hands out access tokens (the one
Google endpoint the emulator does not play).
"""

import json
import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.s3 import free_port, wait_for_port

PROJECT = "portal-test"


@dataclass(frozen=True)
class GcsServer:
    url: str
    key_file: Path


@dataclass(frozen=True)
class GcsBucket:
    client: object  # a google.cloud.storage.Client on the emulator, to look behind the storage API
    name: str

    def keys(self, prefix: str = "") -> list[str]:
        return [blob.name for blob in self.client.list_blobs(self.name, prefix=prefix)]


class TokenHandler(BaseHTTPRequestHandler):
    """OAuth 2.0 token endpoint: any signed assertion gets a bearer token for an hour."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.dumps({"access_token": "emulator", "expires_in": 3600, "token_type": "Bearer"})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args) -> None:
        pass


def write_service_account_key(path: Path, token_uri: str) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": PROJECT,
                "private_key_id": "test",
                "private_key": pem,
                "client_email": f"portal@{PROJECT}.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": token_uri,
            }
        )
    )
    return path


@pytest.fixture(scope="session")
def gcs_server(tmp_path_factory):
    port = free_port()
    emulator = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gcp-storage-emulator"),
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--in-memory",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    tokens = ThreadingHTTPServer(("127.0.0.1", 0), TokenHandler)
    threading.Thread(target=tokens.serve_forever, daemon=True).start()
    try:
        wait_for_port(port, emulator, "gcp-storage-emulator")
        key_file = write_service_account_key(
            tmp_path_factory.mktemp("gcs") / "service-account.json",
            f"http://127.0.0.1:{tokens.server_address[1]}/token",
        )
        yield GcsServer(url=f"http://127.0.0.1:{port}", key_file=key_file)
    finally:
        tokens.shutdown()
        emulator.terminate()
        emulator.wait(timeout=10)


@pytest.fixture
def gcs_storage(gcs_server, settings):
    """Default storage switched to a new bucket on the emulator, configured as settings.py
    configures STORAGE_BACKEND=gcs; the `settings` fixture restores STORAGES afterwards."""
    from google.auth.credentials import AnonymousCredentials
    from google.cloud.storage import Client

    client = Client(
        project=PROJECT,
        credentials=AnonymousCredentials(),
        client_options={"api_endpoint": gcs_server.url},
    )
    bucket = f"portal-{uuid.uuid4().hex[:12]}"
    client.create_bucket(bucket)
    settings.STORAGE_BACKEND = "gcs"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "portal.storage.GoogleCloudStorage",
            "OPTIONS": {
                "bucket_name": bucket,
                "project_id": PROJECT,
                "credentials": str(gcs_server.key_file),
                "api_endpoint": gcs_server.url,
                "expiration": timedelta(seconds=300),
                "file_overwrite": False,
                "default_acl": None,
            },
        },
    }
    return GcsBucket(client, bucket)
