"""Resumption tokens that hold the whole harvest state, signed: the server keeps nothing
between pages, any worker answers any page, and a token cannot be forged or edited.

The state is the list request's arguments and the position of the last record sent (its
datestamp and id), not an offset; see records.after.
"""

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone

from datasets.oai.errors import BadResumptionToken

SALT = "datasets.oai.resumption"


@dataclass(frozen=True)
class ListState:
    verb: str
    prefix: str
    set_spec: str | None
    since: str | None  # ISO 8601, as datetime.isoformat() writes it
    before: str | None
    last_datestamp: str
    last_pk: int
    cursor: int  # records sent in the earlier pages


def issue(state: ListState) -> str:
    return signing.dumps(asdict(state), salt=SALT, compress=True)


def expiry() -> datetime:
    return timezone.now() + timedelta(seconds=settings.OAI_TOKEN_MAX_AGE)


def read(token: str, *, verb: str) -> ListState:
    """The state a token holds; badResumptionToken when it is forged, expired, or from
    another verb."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.OAI_TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise BadResumptionToken("the resumption token has expired; start the list again") from None
    except signing.BadSignature:
        raise BadResumptionToken("the resumption token is not one this repository issued") from None
    try:
        state = ListState(**data)
    except TypeError:
        raise BadResumptionToken("the resumption token is not one this repository issued") from None
    if state.verb != verb:
        raise BadResumptionToken(f"the resumption token continues {state.verb}, not {verb}")
    return state
