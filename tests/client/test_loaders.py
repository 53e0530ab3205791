"""The loaders over a version fetched from a live portal: abid.torch.ImageDataset in this
process, abid.hf.load in a process of its own (Hugging Face's package is called `datasets`,
like the portal's app, so it runs outside the repository with only client/ on its path), and
the cache that makes a second load read the disk."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from abid.errors import AbidError, Unreachable, VerificationError
from abid.torch import ImageDataset

pytestmark = pytest.mark.django_db(transaction=True)

CLIENT = Path(__file__).resolve().parents[2] / "client"


def test_image_dataset_gives_images_and_stable_class_indices(portal, version, tmp_path):
    dataset = ImageDataset("noise-tiles", transform=lambda image: image.size)
    assert dataset.classes == ["G1", "G2"]
    assert len(dataset) == 80
    assert dataset[0] == ((96, 96), 0)
    assert dataset[79][1] == 1
    assert dataset.targets.count(0) == dataset.targets.count(1) == 40
    assert dataset.metadata[0] == {}

    train = ImageDataset("noise-tiles", split="train")
    test = ImageDataset("noise-tiles", split="test")
    train_paths = {path for path, _ in train.samples}
    test_paths = {path for path, _ in test.samples}
    assert not train_paths & test_paths
    assert train_paths | test_paths == {path for path, _ in dataset.samples}
    assert 0 < len(test) < len(train)
    image, label = train[0]
    assert (image.mode, image.size, label) == ("RGB", (96, 96), train.targets[0])


def test_synthetic_samples_carry_model_and_seed(portal, synthetic):
    dataset = ImageDataset(synthetic.dataset.slug, classes=["G2", "G1"])
    assert dataset.classes == ["G2", "G1"]  # a real version's order, given
    model_id = synthetic.images.first().extra["model_id"]
    assert sorted(m["seed"] for m in dataset.metadata) == [0, 1, 2, 3, 4, 5]
    assert {m["model_id"] for m in dataset.metadata} == {model_id}
    labels = {
        m["seed"]: target for m, target in zip(dataset.metadata, dataset.targets, strict=True)
    }
    assert labels == {0: 1, 1: 1, 2: 1, 3: 0, 4: 0, 5: 0}


def test_second_load_reads_the_cache(portal, version, tmp_path):
    first = ImageDataset("noise-tiles")
    default_storage.delete(version.archive.name)  # the portal could not send the ZIP again
    second = ImageDataset("noise-tiles")
    assert second.root == first.root == tmp_path / "cache" / "10.5072_noise-tiles.v1"
    assert second.samples == first.samples


def test_without_the_portal_the_newest_cached_version_of_a_slug_is_used(
    portal, version, tmp_path, monkeypatch, capsys
):
    first = ImageDataset("noise-tiles")
    monkeypatch.setenv("ABID_URL", "http://127.0.0.1:9")
    assert ImageDataset("noise-tiles").samples == first.samples
    assert capsys.readouterr().err.endswith(
        f"abid: http://127.0.0.1:9 unreachable, using cached {version.identifier}\n"
    )
    with pytest.raises(Unreachable, match="cannot reach the portal at http://127.0.0.1:9"):
        ImageDataset("another-dataset")


def test_a_folder_given_by_path_is_checked_against_its_manifest(portal, version):
    folder = ImageDataset("noise-tiles").root
    assert len(ImageDataset(folder)) == 80
    image = folder / "images" / "G2" / "7.png"
    image.write_bytes(image.read_bytes() + b"\0")
    with pytest.raises(VerificationError, match="images/G2/7.png does not match its sha256"):
        ImageDataset(folder)
    with pytest.raises(AbidError, match="no-such/folder: expected a version's unpacked folder"):
        ImageDataset("no-such/folder")


HF_SCRIPT = """
import json, sys
from abid.hf import load
dataset = load(sys.argv[1], split=sys.argv[2] if len(sys.argv) > 2 else None)
print(json.dumps({
    "rows": dataset.num_rows,
    "label": type(dataset.features["label"]).__name__,
    "names": dataset.features["label"].names,
    "columns": dataset.column_names,
    "first": {k: v for k, v in dataset[0].items() if k != "image"},
    "image": list(dataset[0]["image"].size),
    "seeds": list(dataset["seed"]) if "seed" in dataset.column_names else None,
}))
"""


def hf_load(tmp_path: Path, *args: str) -> dict:
    """abid.hf.load in a fresh interpreter whose path holds client/ but not the repository."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env |= {"PYTHONPATH": str(CLIENT), "HF_HOME": str(tmp_path / "hf"), "HF_DATASETS_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", HF_SCRIPT, *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_hf_load_gives_a_class_label_and_the_generation_columns(
    portal, version, synthetic, tmp_path
):
    real = hf_load(tmp_path, "noise-tiles")
    assert (real["rows"], real["label"], real["names"]) == (80, "ClassLabel", ["G1", "G2"])
    assert real["columns"] == ["image", "label"]
    assert real["first"] == {"label": 0}
    assert real["image"] == [96, 96]

    fake = hf_load(tmp_path, synthetic.dataset.slug)
    assert fake["columns"] == ["image", "label", "model", "model_id", "seed"]
    assert fake["first"]["model_id"] == synthetic.images.first().extra["model_id"]
    assert sorted(fake["seeds"]) == [0, 1, 2, 3, 4, 5]


def test_the_notebook_example_of_the_docs_runs(portal, version, synthetic):
    """docs/api.md's example, with this portal's datasets for its slugs: search, load real and
    synthetic images with shared class indices, train a classifier one epoch."""
    docs = (CLIENT.parent / "docs" / "api.md").read_text()
    start = docs.index("```python\n", docs.index("in a notebook:")) + len("```python\n")
    example = docs[start : docs.index("```", start)]
    example = example.replace("breast-grades", "noise-tiles").replace('"breast"', '"synthetic"')
    namespace: dict = {}
    exec(example, namespace)
    assert namespace["real"].classes == namespace["fake"].classes == ["G1", "G2"]
    assert len(namespace["real"]) + len(namespace["test"]) == 80
    assert len(namespace["fake"]) == 6
