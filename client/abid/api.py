"""The client: one requests session with the token, JSON in and out, the API's errors raised
with their status and message, and throttling waited out as the server's Retry-After says."""

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import requests

from abid import cache, config
from abid.downloads import Downloaded, download_archive
from abid.errors import JobFailed, PortalError, Unreachable

FINAL_STATES = ("succeeded", "failed", "cancelled")
# Waits for 429 (throttled) and 503 (a ZIP being built) before giving up.
MAX_RETRIES = 5
# `abid cite --format` names and the API's export suffixes.
CITATION_FORMATS = {
    "bibtex": "bib",
    "ris": "ris",
    "csl": "csl",
    "datacite": "datacite",
    "croissant": "croissant",
}

Progress = Callable[[int, int | None], None]


class Client:
    def __init__(
        self, url: str = config.DEFAULT_URL, *, token: str | None = None, timeout: float = 60
    ):
        self.url = url.rstrip("/")
        self.root = self.url + "/api/v1/"
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Accept"] = "application/json"
        if token:
            self.session.headers["Authorization"] = f"Token {token}"

    @classmethod
    def from_config(cls, url: str | None = None, token: str | None = None) -> "Client":
        """A client for the portal and token the arguments, environment or config file name
        (abid.config)."""
        found = config.settings(url, token)
        return cls(found.url, token=found.token)

    # --- Plain calls -------------------------------------------------------------------------

    def request(self, method: str, path_or_url: str, **kwargs) -> requests.Response:
        """Any call: a path below /api/v1/ or a URL the API gave. Waits when throttled (429)
        or while a ZIP is being built (503), as Retry-After says; raises PortalError on errors."""
        url = path_or_url if "://" in path_or_url else self.root + path_or_url.lstrip("/")
        for _ in range(MAX_RETRIES):
            try:
                response = self.session.request(method, url, timeout=self.timeout, **kwargs)
            except requests.ConnectionError:
                raise Unreachable(f"cannot reach the portal at {self.url}") from None
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

    def dataset(self, slug: str) -> dict:
        """A dataset with its classes and the versions you may see."""
        return self.get(f"datasets/{slug}/")

    def version(self, reference: str | int) -> dict:
        """A version by its id, or the newest version of a dataset by its slug."""
        if str(reference).isdigit():
            return self.get(f"versions/{reference}/")
        latest = self.dataset(str(reference))["latest_version"]
        if latest is None:
            raise PortalError(f"dataset {reference!r} has no version you may see")
        return self.get(latest["url"])

    def download(
        self, version: dict, folder: str | Path = ".", *, progress: Progress | None = None
    ) -> Downloaded:
        """The version's ZIP in `folder`, resumed from a partial `.part` file if one is there,
        checked against the sha256 the portal states and against its MANIFEST.sha256."""
        return download_archive(self.request, version, Path(folder), progress=progress)

    def fetch(
        self,
        reference: str | int | dict,
        *,
        cache_dir: str | Path | None = None,
        progress: Progress | None = None,
    ) -> Path:
        """The folder of a version's verified, unpacked files in the local cache (abid.cache),
        downloaded only when the cache does not hold it yet."""
        version = reference if isinstance(reference, dict) else self.version(reference)
        root = cache.cache_root(cache_dir)
        found = cache.cached(root, version)
        if found is not None:
            return found
        downloads = root / ".downloads"  # kept between runs: an interrupted ZIP resumes
        downloaded = self.download(version, downloads, progress=progress)
        folder = cache.install(downloaded.path, version, root)
        downloaded.path.unlink()
        return folder

    def cite(self, reference: str | int, style: str = "bibtex") -> str:
        """The version's citation or metadata record in `style` (CITATION_FORMATS)."""
        version = self.version(reference)
        url = version["exports"][CITATION_FORMATS[style]]
        return self.request("GET", url, headers={"Accept": "*/*"}).text

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
        returns it when it succeeded, raises JobFailed when it failed or was cancelled."""
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
            raise JobFailed(f"{current['url']} {current['state']}: {reason}")
        return current


def _error(response: requests.Response) -> PortalError:
    try:
        body = response.json()
        message, code = body["detail"], body.get("code", "")
    except (ValueError, KeyError, TypeError):
        message, code = f"{response.reason} from {response.url}", ""
    return PortalError(message, status=response.status_code, code=code)
