"""A version as a Hugging Face `datasets.Dataset` (`pip install "abid-client[hf]"`).

    from abid.hf import load
    ds = load("breast-grades", split="train")
    ds.features["label"].names       # the classes, in index order

`image` is an Image feature, `label` a ClassLabel (sorted class names, as abid.local explains),
and every other metadata.csv column becomes a column of its own: for a synthetic version each
image's `model`, `model_id` and `seed`. The files come from the local cache (abid.cache).
"""

from collections.abc import Sequence
from pathlib import Path

import datasets
from abid.local import read_version, resolve


def load(
    slug_or_path: str | Path,
    *,
    split: str | None = None,
    classes: Sequence[str] | None = None,
    url: str | None = None,
    token: str | None = None,
    cache_dir: str | Path | None = None,
) -> datasets.Dataset:
    folder = resolve(slug_or_path, url=url, token=token, cache_dir=cache_dir)
    version = read_version(folder, split=split, classes=classes)
    columns = {
        "image": [str(sample.path) for sample in version.samples],
        "label": [version.classes.index(sample.label) for sample in version.samples],
    }
    features = {
        "image": datasets.Image(),
        "label": datasets.ClassLabel(names=version.classes),
    }
    for column in version.extra_columns:
        values = [sample.extra[column] for sample in version.samples]
        columns[column] = values
        numeric = all(isinstance(value, int) for value in values)
        features[column] = datasets.Value("int64" if numeric else "string")
    return datasets.Dataset.from_dict(columns, features=datasets.Features(features))
