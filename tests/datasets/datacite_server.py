"""A stand-in for DataCite's REST API on 127.0.0.1 (the real one is unreachable here): a real
HTTP server that answers as DataCite does (201 on a new DOI, 422 on a taken one, 200 on an
update) and refuses what DataCite would refuse: a wrong login, another media type, or
attributes that break the DataCite 4.5 JSON schema (the `datacite` package's copy)."""

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from datacite import schema45

REPOSITORY_ID = "ABID.TEST"
PASSWORD = "a-test-password"


@dataclass
class DataCite:
    url: str
    requests: list[tuple[str, str, dict]] = field(default_factory=list)  # method, path, body
    dois: dict[str, dict] = field(default_factory=dict)  # DOI -> its latest attributes
    failures_left: int = 0  # answer this many requests with 503 first

    def bodies(self, doi: str) -> list[dict]:
        return [body for _, _, body in self.requests if body["data"]["attributes"]["doi"] == doi]


class Handler(BaseHTTPRequestHandler):
    state: DataCite

    def do_POST(self):  # noqa: N802 (http.server's naming)
        self._answer(create=True)

    def do_PUT(self):  # noqa: N802
        self._answer(create=False)

    def _answer(self, *, create: bool):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        login = base64.b64encode(f"{REPOSITORY_ID}:{PASSWORD}".encode()).decode()
        if self.headers.get("Authorization") != f"Basic {login}":
            return self._reply(401, {"errors": [{"title": "Bad credentials."}]})
        if self.headers.get("Content-Type") != "application/vnd.api+json":
            return self._reply(415, {"errors": [{"title": "Unsupported media type."}]})
        record = json.loads(body)
        attributes = record["data"]["attributes"]
        errors = [error.message for error in schema45.validator.iter_errors(attributes)]
        if record["data"].get("type") != "dois" or errors:
            return self._reply(422, {"errors": [{"title": e} for e in errors or ["type"]]})
        self.state.requests.append((self.command, self.path, record))
        if self.state.failures_left:
            self.state.failures_left -= 1
            return self._reply(503, {"errors": [{"title": "Service unavailable."}]})
        doi = attributes["doi"]
        if create and self.path == "/dois":
            if doi in self.state.dois:
                return self._reply(422, {"errors": [{"title": "This DOI has already been taken"}]})
            self.state.dois[doi] = attributes
            return self._reply(201, record)
        if not create and self.path == f"/dois/{doi}" and doi in self.state.dois:
            self.state.dois[doi] = attributes
            return self._reply(200, record)
        return self._reply(404, {"errors": [{"title": "The resource could not be found."}]})

    def _reply(self, status: int, document: dict):
        data = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/vnd.api+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def datacite_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state = DataCite(url=f"http://127.0.0.1:{server.server_address[1]}")
    Handler.state = state
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def datacite_configured(settings, datacite_server):
    settings.DATACITE_REPOSITORY_ID = REPOSITORY_ID
    settings.DATACITE_PASSWORD = PASSWORD
    settings.DATACITE_API_URL = datacite_server.url
    return datacite_server
