"""The forms of identifiers a related work may have, checked before DataCite sees them."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

DOI = re.compile(r"^10\.\d{4,9}/\S+$")
DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:")
PMID = re.compile(r"^\d{1,9}$")
ARXIV = re.compile(r"^(arXiv:)?(\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7})(v\d+)?$")


def normalised_identifier(identifier: str, identifier_type: str) -> str:
    """`identifier` as stored (a DOI bare, other identifiers trimmed); ValueError names what is
    wrong with it."""
    text = identifier.strip()
    if identifier_type == "DOI":
        for prefix in DOI_PREFIXES:
            if text.lower().startswith(prefix):
                text = text[len(prefix) :]
        if not DOI.match(text):
            raise ValueError(f"{identifier!r} is not a DOI (10.<registrant>/<suffix>)")
    elif identifier_type in ("URL", "PURL", "w3id"):
        try:
            URLValidator(schemes=["http", "https"])(text)
        except ValidationError:
            raise ValueError(f"{identifier!r} is not an http(s) URL") from None
    elif identifier_type == "PMID" and not PMID.match(text):
        raise ValueError(f"{identifier!r} is not a PubMed id (digits only)")
    elif identifier_type == "arXiv" and not ARXIV.match(text):
        raise ValueError(f"{identifier!r} is not an arXiv id (e.g. 2101.01234)")
    if not text:
        raise ValueError("the identifier is empty")
    return text
