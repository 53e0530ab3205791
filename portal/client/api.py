"""The client: one requests session with the token, JSON in and out, the API's errors raised
with their message, and throttling waited out as the server's Retry-After says."""

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import requests

from portal.client.downloads import Downloaded, download_archive
from portal.client.errors import PortalError

DEFAULT_URL = "http://127.0.0.1:8000"
FINAL_STATES = ("succeeded", "failed", "cancelled")
# Waits for 429 (throttled) and 503 (a ZIP being built) before giving up.
MAX_RETRIES = 5


class Client:
    def __init__(self, url: str = DEFAULT_URL, *, token: str | None = None, timeout: float = 60):
        self.root = url.rstrip("/") + "/api/v1/"
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Accept"] = "application/json"
        if token:
            self.session.headers["Authorization"] = f"Token {token}"

    # --- Plain calls -------------------------------------------------------------------------

    def request(self, method: str, path_or_url: str, **kwargs) -> requests.Response:
        """Any call: a path below /api/v1/ or a URL the API gave. Waits when throttled (429)
        or while a ZIP is being built (503), as Retry-After says; raises PortalError on errors."""
        url = path_or_url if "://" in path_or_url else self.root + path_or_url.lstrip("/")
        for _ in range(MAX_RETRIES):
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
            if response.status_code not in (429, 503) or "Retry-After" not in response.headers:
                break
            response.close()
            time.sleep(float(response.headers["Retry-After"]))
        if response.status_code >= 400:
            raise _error(response)
        return response

    def get(self, path_or_url: str, **params) -> dict:
        return self.request("GET", path_or_url, params=params).json()

    def post(self, path_or_url: str, data: Mapping) -> dict:
        return self.request("POST", path_or_url, json=dict(data)).json()

    # --- What researchers do -----------------------------------------------------------------

    def datasets(
        self,
        *,
        query: str = "",
        facets: Mapping[str, Sequence[str]] | None = None,
        sort: str = "newest",
        page_size: int = 50,
    ) -> Iterator[dict]:
        """Every dataset matching the search, page after page (the search page's rules)."""
        page = self.get("datasets/", q=query, sort=sort, page_size=page_size, **dict(facets or {}))
        while True:
            yield from page["results"]
            if not page["next"]:
                return
            page = self.get(page["next"])

    def version(self, reference: str | int) -> dict:
        """A version by its id, or the newest version of a dataset by its slug."""
        if str(reference).isdigit():
            return self.get(f"versions/{reference}/")
        latest = self.get(f"datasets/{reference}/")["latest_version"]
        if latest is None:
            raise PortalError(f"dataset {reference!r} has no version you may see")
        return self.get(latest["url"])

    def download(
        self,
        version: dict,
        folder: str | Path = ".",
        *,
        progress: Callable[[int, int | None], None] | None = None,
    ) -> Downloaded:
        """The version's ZIP in `folder`, resumed from a partial `.part` file if one is there,
        and checked against the sha256 the portal states."""
        return download_archive(self.request, version, Path(folder), progress=progress)

    def generate(
        self,
        model: int,
        count_per_class: int,
        *,
        classes: Sequence[str] | None = None,
        seed: int | None = None,
    ) -> dict:
        """Queue a generation job with model `model`; returns the job (follow it with wait)."""
        wanted: dict = {"count_per_class": count_per_class}
        if classes:
            wanted["classes"] = list(classes)
        if seed is not None:
            wanted["seed"] = seed
        return self.post(f"models/{model}/generate", wanted)

    def wait(
        self,
        job: dict | int,
        *,
        poll_seconds: float = 2.0,
        progress: Callable[[dict], None] | None = None,
    ) -> dict:
        """Poll a generation job (or anything with a `url` and a `state`) until it ends;
        returns it when it succeeded, raises PortalError when it failed or was cancelled."""
        url = job["url"] if isinstance(job, dict) else f"generation-jobs/{job}/"
        while True:
            current = self.get(url)
            if progress is not None:
                progress(current)
            if current["state"] in FINAL_STATES:
                break
            time.sleep(poll_seconds)
        if current["state"] != "succeeded":
            reason = current.get("error") or "no reason given"
            raise PortalError(f"{current['url']} {current['state']}: {reason}")
        return current


def _error(response: requests.Response) -> PortalError:
    try:
        body = response.json()
        message, code = body["detail"], body.get("code", "")
    except (ValueError, KeyError, TypeError):
        message, code = f"{response.status_code} {response.reason} from {response.url}", ""
    return PortalError(message, status=response.status_code, code=code)
