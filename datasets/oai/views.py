"""The /oai/ endpoint: one URL, six verbs, answered as OAI-PMH 2.0 XML (GET or POST)."""

from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from lxml import etree

from datasets import selectors
from datasets.constants import Visibility
from datasets.metadata import datacite, version_urls
from datasets.models import DatasetVersion
from datasets.oai import records, tokens
from datasets.oai.arguments import Arguments, date_range, parse
from datasets.oai.errors import (
    BadArgument,
    BadResumptionToken,
    BadVerb,
    CannotDisseminateFormat,
    IdDoesNotExist,
    NoRecordsMatch,
    OaiError,
)
from datasets.oai.formats import FORMATS, XSI

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
# Published versions cannot be deleted; a dataset made private leaves the lists without a
# trace, since announcing it would tell who asks that it exists (docs/harvesting.md).
DELETED_RECORD = "no"


@csrf_exempt  # harvesters POST the same form-encoded arguments; nothing here writes
@require_http_methods(["GET", "POST"])
def endpoint(request: HttpRequest) -> HttpResponse:
    query = request.POST if request.method == "POST" else request.GET
    root = etree.Element(
        f"{{{OAI}}}OAI-PMH",
        nsmap={None: OAI, "xsi": XSI},
        attrib={f"{{{XSI}}}schemaLocation": f"{OAI} {OAI_SCHEMA}"},
    )
    _text(root, "responseDate", _utc(timezone.now()))
    echo = _text(root, "request", request.build_absolute_uri(request.path))
    try:
        arguments = parse(query)
        for name, value in [("verb", arguments.verb), *arguments.values.items()]:
            echo.set(name, value)
        root.append(VERBS[arguments.verb](request, arguments))
    except OaiError as error:
        if isinstance(error, (BadVerb, BadArgument)):
            echo.attrib.clear()  # the protocol echoes no arguments of a malformed request
        _text(root, "error", error.message).set("code", error.code)
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return HttpResponse(body, content_type="text/xml; charset=utf-8")


def identify(request: HttpRequest, arguments: Arguments) -> etree._Element:
    element = etree.Element(f"{{{OAI}}}Identify")
    earliest = records.earliest_datestamp() or datetime(2000, 1, 1, tzinfo=UTC)
    for name, value in [
        ("repositoryName", settings.PORTAL_PUBLISHER),
        ("baseURL", request.build_absolute_uri(request.path)),
        ("protocolVersion", "2.0"),
        ("adminEmail", settings.OAI_ADMIN_EMAIL),
        ("earliestDatestamp", _utc(earliest)),
        ("deletedRecord", DELETED_RECORD),
        ("granularity", "YYYY-MM-DDThh:mm:ssZ"),
    ]:
        _text(element, name, value)
    return element


def list_metadata_formats(request: HttpRequest, arguments: Arguments) -> etree._Element:
    identifier = arguments.get("identifier")
    if identifier is not None and records.version_of(identifier) is None:
        raise IdDoesNotExist(f"no published version is {identifier}")
    element = etree.Element(f"{{{OAI}}}ListMetadataFormats")
    for metadata_format in FORMATS.values():
        entry = etree.SubElement(element, f"{{{OAI}}}metadataFormat")
        _text(entry, "metadataPrefix", metadata_format.prefix)
        _text(entry, "schema", metadata_format.schema)
        _text(entry, "metadataNamespace", metadata_format.namespace)
    return element


def list_sets(request: HttpRequest, arguments: Arguments) -> etree._Element:
    if arguments.get("resumptionToken") is not None:
        raise BadResumptionToken("the list of sets comes in one response: no token continues it")
    element = etree.Element(f"{{{OAI}}}ListSets")
    for spec, (name, _) in records.SETS.items():
        entry = etree.SubElement(element, f"{{{OAI}}}set")
        _text(entry, "setSpec", spec)
        _text(entry, "setName", name)
    return element


def get_record(request: HttpRequest, arguments: Arguments) -> etree._Element:
    metadata_format = _format(arguments.get("metadataPrefix"))
    identifier = arguments.get("identifier")
    version = records.version_of(identifier)
    if version is None:
        raise IdDoesNotExist(f"no published version is {identifier}")
    element = etree.Element(f"{{{OAI}}}GetRecord")
    element.append(_record(request, version, metadata_format.prefix))
    return element


def list_identifiers(request: HttpRequest, arguments: Arguments) -> etree._Element:
    return _list(request, arguments, with_metadata=False)


def list_records(request: HttpRequest, arguments: Arguments) -> etree._Element:
    return _list(request, arguments, with_metadata=True)


def _list(request: HttpRequest, arguments: Arguments, *, with_metadata: bool) -> etree._Element:
    """One page of a list and, when more follow, the token of the next (an empty token on the
    last page of a resumed list, as the protocol asks)."""
    token = arguments.get("resumptionToken")
    if token is not None:
        state = tokens.read(token, verb=arguments.verb)
    else:
        prefix = _format(arguments.get("metadataPrefix")).prefix
        since, before = date_range(arguments)
        state = tokens.ListState(
            verb=arguments.verb,
            prefix=prefix,
            set_spec=arguments.get("set"),
            since=since.isoformat() if since else None,
            before=before.isoformat() if before else None,
            last_datestamp="",
            last_pk=0,
            cursor=0,
        )
    selected = records.selected(
        set_spec=state.set_spec,
        since=datetime.fromisoformat(state.since) if state.since else None,
        before=datetime.fromisoformat(state.before) if state.before else None,
    )
    remaining = selected
    if state.last_datestamp:
        remaining = records.after(
            selected, datestamp=datetime.fromisoformat(state.last_datestamp), pk=state.last_pk
        )
    page = list(remaining[: settings.OAI_PAGE_SIZE + 1])
    if not page and token is None:
        raise NoRecordsMatch("no published version matches these arguments")
    more, page = len(page) > settings.OAI_PAGE_SIZE, page[: settings.OAI_PAGE_SIZE]
    element = etree.Element(f"{{{OAI}}}{arguments.verb}")
    for version in page:
        if with_metadata:
            element.append(_record(request, version, state.prefix))
        else:
            element.append(_header(version))
    if token is not None or more:
        _resumption(element, state, page, more=more, total=selected.count())
    return element


def _resumption(
    element: etree._Element,
    state: tokens.ListState,
    page: list[DatasetVersion],
    *,
    more: bool,
    total: int,
) -> None:
    resumption = _text(element, "resumptionToken", "")
    resumption.set("completeListSize", str(total))
    resumption.set("cursor", str(state.cursor))
    if not more:
        return
    last = page[-1]
    resumption.text = tokens.issue(
        tokens.ListState(
            **{
                **state.__dict__,
                "last_datestamp": last.datestamp.isoformat(),
                "last_pk": last.pk,
                "cursor": state.cursor + len(page),
            }
        )
    )
    resumption.set("expirationDate", _utc(tokens.expiry()))


def _record(request: HttpRequest, version: DatasetVersion, prefix: str) -> etree._Element:
    record = etree.Element(f"{{{OAI}}}record")
    record.append(_header(version))
    metadata = etree.SubElement(record, f"{{{OAI}}}metadata")
    attributes = datacite(
        version=version,
        creators=selectors.creators_of(version=version),
        urls=version_urls(version, base=request.build_absolute_uri("/")),
        source=selectors.public_source(version=version),
    )["data"]["attributes"]
    files_open = version.dataset.visibility == Visibility.PUBLIC
    metadata.append(FORMATS[prefix].build(attributes, files_open))
    return record


def _header(version: DatasetVersion) -> etree._Element:
    header = etree.Element(f"{{{OAI}}}header")
    _text(header, "identifier", records.oai_identifier(version))
    _text(header, "datestamp", _utc(version.datestamp))
    for spec in records.set_specs(version):
        _text(header, "setSpec", spec)
    return header


def _format(prefix: str | None):
    if prefix not in FORMATS:
        raise CannotDisseminateFormat(
            f"metadataPrefix {prefix!r} is not served; use one of {', '.join(FORMATS)}"
        )
    return FORMATS[prefix]


def _text(parent: etree._Element, name: str, text: str) -> etree._Element:
    child = etree.SubElement(parent, f"{{{OAI}}}{name}")
    child.text = text
    return child


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


VERBS = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": list_identifiers,
    "ListRecords": list_records,
}
