"""A real S3 API server for the services tier: moto's standalone `moto_server` on 127.0.0.1.

Unlike moto's in-process mock, requests go over HTTP as they would to MinIO or AWS: presigned
URLs can be fetched with a Range header, and signing for a public host is observable. The
server talks to Django as http://127.0.0.1:<port>; browsers are given http://localhost:<port>
(AWS_S3_PUBLIC_ENDPOINT_URL), the same server under a name the portal does not use itself.
"""

import http.client
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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


def wait_for_port(port: int, server: subprocess.Popen, name: str) -> None:
    """Until the server started as `server` accepts connections; fails the test if it exits."""
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"{name} did not start")
            time.sleep(0.2)


@pytest.fixture(scope="session")
def s3_server():
    """The server's port; one server for the session, a fresh bucket for each test."""
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port, server, "moto_server")
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


HOP_BY_HOP = ("transfer-encoding", "connection", "content-length")  # the proxy sets its own


class WriteRefusingProxy:
    """A real HTTP hop in front of moto_server that can refuse writes, as a bucket does whose
    policy turns to deny s3:PutObject and s3:DeleteObject, or whose quota runs out.

    Reads always pass. After `refuse_writes_after(n)`, n more writes (PUT, POST, DELETE) pass
    and every later one is answered 403 AccessDenied in S3's XML, until `allow_writes()`.
    The portal talks to it over HTTP like to any S3 endpoint; nothing in the portal is patched.
    """

    WRITES = ("PUT", "POST", "DELETE")
    DENIED = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
        b"<Message>Access Denied (writes refused by the test proxy)</Message></Error>"
    )

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.writes_left: int | None = None  # None: no limit
        self.refused = 0
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def refuse_writes_after(self, count: int) -> None:
        with self._lock:
            self.writes_left = count

    def allow_writes(self) -> None:
        with self._lock:
            self.writes_left = None

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _admit(self, method: str) -> bool:
        if method not in self.WRITES:
            return True
        with self._lock:
            if self.writes_left is None:
                return True
            if self.writes_left > 0:
                self.writes_left -= 1
                return True
            self.refused += 1
            return False

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # answers boto3's `Expect: 100-continue` at once

            def handle_one_request(self) -> None:
                self.raw_requestline = self.rfile.readline(65537)
                if not self.raw_requestline or not self.parse_request():
                    self.close_connection = True
                    return
                if proxy._admit(self.command):
                    self._forward()
                else:
                    self._read_body()
                    self._answer(403, {"Content-Type": "application/xml"}, proxy.DENIED)
                self.wfile.flush()

            def _read_body(self) -> bytes:
                if "chunked" in self.headers.get("Transfer-Encoding", ""):
                    body = b""
                    while size := int(self.rfile.readline().split(b";")[0], 16):
                        body += self.rfile.read(size)
                        self.rfile.readline()
                    self.rfile.readline()
                    return body
                return self.rfile.read(int(self.headers.get("Content-Length", 0)))

            def _forward(self) -> None:
                body = self._read_body()
                headers = {
                    key: value
                    for key, value in self.headers.items()
                    if key.lower() not in HOP_BY_HOP + ("expect",)
                }
                headers["Content-Length"] = str(len(body))
                upstream = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=60)
                try:
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    response = upstream.getresponse()
                    data = response.read()
                    passed = {
                        key: value
                        for key, value in response.getheaders()
                        if key.lower() not in HOP_BY_HOP
                    }
                    length = response.getheader("Content-Length", str(len(data)))
                    self._answer(response.status, {**passed, "Content-Length": length}, data)
                finally:
                    upstream.close()

            def _answer(self, status: int, headers: dict, body: bytes) -> None:
                self.send_response_only(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)
                self.close_connection = True

            def log_message(self, *args) -> None:
                pass

        return Handler


@pytest.fixture
def write_refusing_proxy(s3_server):
    proxy = WriteRefusingProxy(s3_server)
    yield proxy
    proxy.close()
