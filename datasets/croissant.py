"""Croissant 1.1 (MLCommons) of a version, for ML loaders such as mlcroissant: what the version
is (schema.org's Dataset, restated as Croissant says it), the Responsible-AI fields that say
whether its images are real or synthetic and how they were made, one record per image (pixels
and class), and where the files are, which is the one thing that differs by reader:

- `online`: the API's description of the download: the ZIP as a FileObject at its URL with its
  sha256, the images as FileSets inside it, so that a loader can fetch, check and read the
  dataset from its URL alone;
- `unpacked`: the ZIP's own croissant.json, describing the files beside it by relative path,
  with metadata.csv and its record set.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from datasets.archive_names import archive_file_name, top_folder
from datasets.citations import citation_bibtex, citation_facts
from datasets.constants import DatasetKind
from datasets.metadata import VersionUrls, schema_org_dataset
from datasets.models import Creator, DatasetVersion
from datasets.quality_summary import quality_summary_of

CONFORMS_TO = "http://mlcommons.org/croissant/1.1"
# The context Croissant 1.1 documents (and mlcroissant writes); a loader warns on any other.
CONTEXT = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "containedIn": "cr:containedIn",
    "cr": "http://mlcommons.org/croissant/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "description": {"@container": "@language"},
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileObject": "cr:fileObject",
    "fileProperty": "cr:fileProperty",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "name": {"@container": "@language"},
    "parentField": "cr:parentField",
    "path": "cr:path",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
IMAGE_MEDIA_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "bmp": "image/bmp",
}
# schema.org's Dataset says these differently from Croissant, which restates them below.
_NOT_CARRIED_OVER = {"@context", "@type", "distribution", "version"}
ARCHIVE_ID = "archive"
METADATA_CSV = "metadata.csv"
# The class is the folder above the file: `[<slug>-v<N>/]images/<class>/<file>`.
LABEL_FROM_PATH = r"^(?:.*/)?images/([^/]+)/[^/]+$"


@dataclass(frozen=True)
class Distribution:
    """Where a reader finds the files: the FileObjects before the image FileSets, the folder the
    class folders sit in, the FileObject the FileSets are inside (if any), record sets beyond
    the images, and whether the files may still change (no fixed sha256 yet)."""

    files: list[dict]
    images_folder: str
    image_extensions: list[str]
    contained_in: str | None = None
    record_sets: list[dict] = field(default_factory=list)
    is_live: bool = False


def online(version: DatasetVersion, urls: VersionUrls) -> Distribution:
    """The download as the API describes it. A version without a built ZIP (a draft, or one
    published a moment ago) is live: its ZIP has no fixed sha256 yet."""
    archive = {
        "@type": "cr:FileObject",
        "@id": ARCHIVE_ID,
        "name": archive_file_name(version),
        "description": "The dataset as one ZIP: images/<class>/, metadata.csv, license, card.",
        "contentUrl": urls.download,
        "encodingFormat": "application/zip",
    }
    if version.archive_sha256:
        archive["sha256"] = version.archive_sha256
        archive["contentSize"] = f"{version.archive_size} B"
    return Distribution(
        files=[archive],
        images_folder=f"{top_folder(version)}/images",
        image_extensions=stored_image_extensions(version),
        contained_in=ARCHIVE_ID,
        is_live=not version.archive_sha256,
    )


def unpacked(
    *, metadata_sha256: str, metadata_columns: Sequence[str], image_extensions: Iterable[str]
) -> Distribution:
    """The files of the unpacked ZIP, by path relative to its top folder."""
    metadata_file = {
        "@type": "cr:FileObject",
        "@id": METADATA_CSV,
        "name": METADATA_CSV,
        "description": "One row per image: its path, class and provenance.",
        "contentUrl": METADATA_CSV,
        "encodingFormat": "text/csv",
        "sha256": metadata_sha256,
    }
    metadata_records = {
        "@type": "cr:RecordSet",
        "@id": "metadata",
        "name": "metadata",
        "description": "metadata.csv: each image's path, class and provenance.",
        "field": [
            {
                "@type": "cr:Field",
                "@id": f"metadata/{column}",
                "name": column,
                "description": f"The column {column} of metadata.csv.",
                "dataType": "sc:Text",
                "source": {"fileObject": {"@id": METADATA_CSV}, "extract": {"column": column}},
            }
            for column in metadata_columns
        ],
    }
    return Distribution(
        files=[metadata_file],
        images_folder="images",
        image_extensions=sorted(set(image_extensions)),
        record_sets=[metadata_records],
    )


def croissant(
    *,
    version: DatasetVersion,
    creators: Sequence[Creator],
    urls: VersionUrls,
    source: DatasetVersion | None,
    distribution: Distribution,
) -> dict:
    """Croissant 1.1 of `version` with its files as `distribution` says; `source` is the version
    a synthetic one was made from, where anyone may know it (selectors.public_source)."""
    common = schema_org_dataset(version=version, creators=creators, urls=urls, source=source)
    file_sets = [
        {
            "@type": "cr:FileSet",
            "@id": f"images-{extension}",
            "name": f"images-{extension}",
            "description": f"The {extension.upper()} images, one folder per class.",
            **(
                {"containedIn": {"@id": distribution.contained_in}}
                if distribution.contained_in
                else {}
            ),
            "encodingFormat": IMAGE_MEDIA_TYPES.get(extension, "application/octet-stream"),
            "includes": f"{distribution.images_folder}/*/*.{extension}",
        }
        for extension in distribution.image_extensions
    ]
    image_files = [{"@id": file_set["@id"]} for file_set in file_sets]
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        **{key: value for key, value in common.items() if key not in _NOT_CARRIED_OVER},
        "version": f"{version.number}.0.0",
        "isLiveDataset": distribution.is_live,
        "citeAs": citation_bibtex(citation_facts(version=version, creators=creators)),
        **responsible_ai(version, source=source),
        "distribution": [*distribution.files, *file_sets],
        "recordSet": [
            {
                "@type": "cr:RecordSet",
                "@id": "images",
                "name": "images",
                "description": "One record per image: its pixels and its class.",
                "field": [
                    {
                        "@type": "cr:Field",
                        "@id": "images/image",
                        "name": "image",
                        "description": "The image.",
                        "dataType": "sc:ImageObject",
                        "source": {"fileSet": image_files, "extract": {"fileProperty": "content"}},
                    },
                    {
                        "@type": "cr:Field",
                        "@id": "images/label",
                        "name": "label",
                        "description": "The class: the name of the image's folder.",
                        "dataType": "sc:Text",
                        "source": {
                            "fileSet": image_files,
                            "extract": {"fileProperty": "filepath"},
                            "transform": {"regex": LABEL_FROM_PATH},
                        },
                    },
                ],
            },
            *distribution.record_sets,
        ],
    }


def stored_image_extensions(version: DatasetVersion) -> list[str]:
    """The file extensions of the version's images, as the ZIP names them."""
    names = version.images.values_list("file", flat=True).iterator(chunk_size=5000)
    return sorted({PurePosixPath(name).suffix.lstrip(".").lower() for name in names})


def responsible_ai(version: DatasetVersion, *, source: DatasetVersion | None) -> dict:
    """Croissant RAI fields: whether the images are real or synthetic, how they were made, and
    what their quality report found."""
    card = version.description or version.dataset.description
    if version.dataset.kind != DatasetKind.SYNTHETIC:
        return {
            "rai:dataCollectionType": "Real images uploaded by the dataset's curators",
            **({"rai:dataCollection": card} if card else {}),
        }
    learned_from = source.identifier if source is not None else "real images"
    made = (
        "Synthetic images generated by a class-conditional generative adversarial network "
        f"(GAN) trained on {learned_from}. Each image is reproducible from the model, its "
        "class and its seed, which metadata.csv lists."
    )
    return {
        "rai:dataCollectionType": "Synthetic data generation",
        "rai:dataCollection": f"{made}\n\n{card}" if card else made,
        "rai:dataLimitations": (
            "These images are synthetic: they imitate the real images the model learned from, "
            "with their biases, and may reproduce some of them closely. They are not patient "
            "data and are no substitute for real images in diagnosis or clinical validation."
        ),
        **quality_statements(version),
    }


def quality_statements(version: DatasetVersion) -> dict:
    """The quality report's findings in the RAI fields they answer: how far the images are
    from the real ones and which real variety they miss (biases), whether they copy real
    images (personal information, with the hold and the curator's override), and whether they
    help train a classifier (use cases). Nothing where no report was recorded."""
    quality = quality_summary_of(version)
    if quality is None:
        return {}
    statements = quality["statements"]
    copying = statements["memorization"]
    if version.publication_hold:
        copying += f" Publication hold: {version.publication_hold}"
        if version.hold_override_reason:
            copying += f" Overridden by the curator: {version.hold_override_reason}"
    return {
        "rai:dataBiases": f"{statements['sample']} {statements['fidelity']}",
        "rai:personalSensitiveInformation": copying,
        "rai:dataUseCases": statements["usefulness"],
    }
