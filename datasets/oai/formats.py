"""The metadata formats a record is disseminated in, each built from the version's DataCite
JSON (datasets.metadata.datacite), the one description every export of the portal shares.

`oai_datacite` is DataCite's own OAI format: the kernel-4 `<resource>` (written by the
`datacite` package from the JSON) in DataCite's oai-1.1 envelope, as DataCite's and Zenodo's
OAI providers serve it. `oai_dc` maps the same facts to the fifteen Dublin Core elements, with
the access right in OpenAIRE's `info:eu-repo/semantics` vocabulary.
"""

from collections.abc import Callable
from dataclasses import dataclass

from datacite import schema45
from django.conf import settings
from lxml import etree

from datasets.citations import doi_url

XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
OAI_DATACITE = "http://schema.datacite.org/oai/oai-1.1/"
OPEN_ACCESS = "info:eu-repo/semantics/openAccess"
RESTRICTED_ACCESS = "info:eu-repo/semantics/restrictedAccess"


@dataclass(frozen=True)
class MetadataFormat:
    prefix: str
    schema: str
    namespace: str
    build: Callable[[dict, bool], etree._Element]  # (DataCite attributes, files open?) -> XML


def dublin_core(attributes: dict, files_open: bool) -> etree._Element:
    root = etree.Element(
        f"{{{OAI_DC}}}dc",
        nsmap={"oai_dc": OAI_DC, "dc": DC, "xsi": XSI},
        attrib={f"{{{XSI}}}schemaLocation": f"{OAI_DC} {FORMATS['oai_dc'].schema}"},
    )
    relations = [
        related["relatedIdentifier"]
        if related["relatedIdentifierType"] != "DOI"
        else doi_url(related["relatedIdentifier"])
        for related in attributes.get("relatedIdentifiers", [])
    ]
    elements = [
        *(("title", title["title"]) for title in attributes["titles"]),
        *(("creator", creator["name"]) for creator in attributes["creators"]),
        *(("subject", subject["subject"]) for subject in attributes.get("subjects", [])),
        *(("description", text["description"]) for text in attributes.get("descriptions", [])),
        ("publisher", attributes["publisher"]["name"]),
        *(("date", date["date"]) for date in attributes.get("dates", [])),
        ("type", "Dataset"),
        *(("format", media_type) for media_type in attributes.get("formats", [])),
        ("identifier", doi_url(attributes["doi"])),
        ("identifier", attributes["url"]),
        ("language", attributes.get("language", "")),
        *(("relation", relation) for relation in relations),
        *(("rights", rights["rightsUri"]) for rights in attributes.get("rightsList", [])),
        ("rights", OPEN_ACCESS if files_open else RESTRICTED_ACCESS),
    ]
    for name, text in elements:
        if text:
            etree.SubElement(root, f"{{{DC}}}{name}").text = text
    return root


def datacite_resource(attributes: dict, files_open: bool) -> etree._Element:
    root = etree.Element(
        f"{{{OAI_DATACITE}}}oai_datacite",
        nsmap={None: OAI_DATACITE, "xsi": XSI},
        attrib={f"{{{XSI}}}schemaLocation": f"{OAI_DATACITE} {FORMATS['oai_datacite'].schema}"},
    )
    etree.SubElement(root, f"{{{OAI_DATACITE}}}schemaVersion").text = "4.5"
    etree.SubElement(root, f"{{{OAI_DATACITE}}}datacentreSymbol").text = (
        settings.DATACITE_REPOSITORY_ID or settings.PORTAL_PUBLISHER
    )
    payload = etree.SubElement(root, f"{{{OAI_DATACITE}}}payload")
    payload.append(schema45.dump_etree(attributes))
    return root


FORMATS: dict[str, MetadataFormat] = {
    "oai_dc": MetadataFormat(
        prefix="oai_dc",
        schema="http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
        namespace=OAI_DC,
        build=dublin_core,
    ),
    "oai_datacite": MetadataFormat(
        prefix="oai_datacite",
        schema="http://schema.datacite.org/oai/oai-1.1/oai.xsd",
        namespace=OAI_DATACITE,
        build=datacite_resource,
    ),
}
