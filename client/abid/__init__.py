"""The researchers' client of an ABID portal. It talks HTTP only, so it works against any
portal, and imports neither Django nor torch (the loaders abid.torch and abid.hf are extras).

    from abid import Client
    portal = Client.from_config()  # URL, token: arguments, ABID_URL/ABID_TOKEN, `abid login`
    for dataset in portal.datasets(query="breast", facets={"kind": ["synthetic"]}):
        print(dataset["slug"], dataset["title"])
    folder = portal.fetch("breast-grades")  # verified, unpacked, cached
"""

from abid.api import Client
from abid.downloads import Downloaded
from abid.errors import AbidError, JobFailed, PortalError, Unreachable, VerificationError

__all__ = [
    "AbidError",
    "Client",
    "Downloaded",
    "JobFailed",
    "PortalError",
    "Unreachable",
    "VerificationError",
]
