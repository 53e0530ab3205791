"""A request's arguments, checked against what its verb allows: every way a request can be
malformed ends here as badVerb or badArgument, before anything is looked up."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.http import QueryDict

from datasets.oai.errors import BadArgument, BadVerb

DAY = "YYYY-MM-DD"
SECONDS = "YYYY-MM-DDThh:mm:ssZ"
# verb -> (required arguments, optional ones); a resumptionToken stands alone.
VERBS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "Identify": (frozenset(), frozenset()),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"})),
    "ListSets": (frozenset(), frozenset()),
    "ListIdentifiers": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"})),
    "ListRecords": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"})),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset()),
}
RESUMABLE = frozenset({"ListIdentifiers", "ListRecords", "ListSets"})


@dataclass(frozen=True)
class Arguments:
    verb: str
    values: dict[str, str]  # every argument but the verb, each given once

    def get(self, name: str) -> str | None:
        return self.values.get(name)


def parse(query: QueryDict) -> Arguments:
    verbs = query.getlist("verb")
    if len(verbs) != 1 or verbs[0] not in VERBS:
        shown = ", ".join(verbs) or "none"
        raise BadVerb(f"the verb must be one of {', '.join(VERBS)} given once (got {shown})")
    verb = verbs[0]
    repeated = sorted(name for name, values in query.lists() if len(values) > 1)
    if repeated:
        raise BadArgument(f"each argument may be given once: {', '.join(repeated)} repeated")
    values = {name: value for name, value in query.items() if name != "verb"}
    required, optional = VERBS[verb]
    if "resumptionToken" in values and verb in RESUMABLE:
        others = sorted(set(values) - {"resumptionToken"})
        if others:
            raise BadArgument(f"resumptionToken is exclusive; drop {', '.join(others)}")
        return Arguments(verb=verb, values=values)
    unknown = sorted(set(values) - required - optional)
    if unknown:
        raise BadArgument(f"{verb} does not take {', '.join(unknown)}")
    missing = sorted(required - set(values))
    if missing:
        raise BadArgument(f"{verb} needs {', '.join(missing)}")
    return Arguments(verb=verb, values=values)


def date_range(arguments: Arguments) -> tuple[datetime | None, datetime | None]:
    """`from` and `until` as a half-open range [since, before) of UTC datetimes: `until`
    includes its whole day, or its whole second, as a datestamp shown at that granularity."""
    given = {name: arguments.get(name) for name in ("from", "until") if arguments.get(name)}
    parsed = {name: _datestamp(name, text) for name, text in given.items()}
    if len({granularity for _, granularity in parsed.values()}) > 1:
        raise BadArgument("from and until must have the same granularity")
    since = parsed["from"][0] if "from" in parsed else None
    before = None
    if "until" in parsed:
        until, granularity = parsed["until"]
        before = until + (timedelta(days=1) if granularity == DAY else timedelta(seconds=1))
    if since is not None and before is not None and since >= before:
        raise BadArgument("from is later than until")
    return since, before


def _datestamp(name: str, text: str) -> tuple[datetime, str]:
    try:
        if len(text) == len(DAY):
            return datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC), DAY
        if len(text) == len(SECONDS) and text.endswith("Z"):
            moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
            return moment.replace(tzinfo=UTC), SECONDS
    except ValueError:
        pass
    raise BadArgument(f"{name}={text!r} is not a UTC datestamp as {DAY} or {SECONDS}")
