"""A small client of the portal's public REST API for researchers' scripts, and its command
line (`python -m portal.client --help`). It talks HTTP only, so it works against any portal.

    from portal.client import Client
    portal = Client("https://portal.example.org", token="...")
    for dataset in portal.datasets(query="breast", facets={"kind": ["synthetic"]}):
        print(dataset["slug"], dataset["title"])
    portal.download(portal.version("breast-grades"), folder="data/")
"""

from portal.client.api import Client
from portal.client.downloads import Downloaded
from portal.client.errors import PortalError

__all__ = ["Client", "Downloaded", "PortalError"]
