"""Croissant 1.1 of a version as it lives online, for the API: the ZIP as a FileObject with its
sha256, the images as FileSets inside it, one record per image (pixels and class), and the
Responsible-AI fields that say whether the images are real or synthetic and how they were made.

The ZIP carries its own croissant.json (datasets.metadata.croissant), which describes the
unpacked files by relative path; this one describes the download, so that a loader such as
mlcroissant can fetch, check and read the dataset from its URL alone.
"""

from collections.abc import Sequence
from pathlib import PurePosixPath

from datasets.archives import archive_file_name, top_folder
from datasets.citations import citation_bibtex, citation_facts
from datasets.constants import DatasetKind
from datasets.metadata import (
    CROISSANT_CONTEXT,
    IMAGE_MEDIA_TYPES,
    VersionUrls,
    schema_org_dataset,
)
from datasets.models import Creator, DatasetVersion
from datasets.quality_summary import quality_summary_of

CROISSANT_1_1 = "http://mlcommons.org/croissant/1.1"
# The 1.1 context adds these terms to 1.0's (as mlcroissant writes it).
CONTEXT = {
    **CROISSANT_CONTEXT,
    "arrayShape": "cr:arrayShape",
    "containedIn": "cr:containedIn",
    "description": {"@container": "@language"},
    "equivalentProperty": "cr:equivalentProperty",
    "isArray": "cr:isArray",
    "name": {"@container": "@language"},
    "samplingRate": "cr:samplingRate",
}
# schema.org's Dataset says these differently from Croissant, which restates them below.
_NOT_CARRIED_OVER = {"@context", "@type", "distribution", "version"}
ARCHIVE_ID = "archive"
# The class is the folder above the file: `<slug>-v<N>/images/<class>/<file>`.
LABEL_FROM_PATH = r"^.*/images/([^/]+)/[^/]+$"


def croissant(
    *,
    version: DatasetVersion,
    creators: Sequence[Creator],
    urls: VersionUrls,
    source: DatasetVersion | None,
) -> dict:
    """Croissant 1.1 of `version`; `source` is the version a synthetic one was made from, where
    anyone may know it (selectors.public_source). A version without a built ZIP (a draft, or
    one published a moment ago) is marked live: its ZIP has no fixed sha256 yet."""
    common = schema_org_dataset(version=version, creators=creators, urls=urls, source=source)
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
    file_sets = [
        {
            "@type": "cr:FileSet",
            "@id": f"images-{extension}",
            "name": f"images-{extension}",
            "description": f"The {extension.upper()} images, one folder per class.",
            "containedIn": {"@id": ARCHIVE_ID},
            "encodingFormat": IMAGE_MEDIA_TYPES.get(extension, "application/octet-stream"),
            "includes": f"{top_folder(version)}/images/*/*.{extension}",
        }
        for extension in image_extensions(version)
    ]
    image_files = [{"@id": file_set["@id"]} for file_set in file_sets]
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CROISSANT_1_1,
        **{key: value for key, value in common.items() if key not in _NOT_CARRIED_OVER},
        "version": f"{version.number}.0.0",
        "isLiveDataset": not version.archive_sha256,
        "citeAs": citation_bibtex(citation_facts(version=version, creators=creators)),
        **responsible_ai(version, source=source),
        "distribution": [archive, *file_sets],
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
            }
        ],
    }


def image_extensions(version: DatasetVersion) -> list[str]:
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
