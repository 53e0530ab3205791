"""Fixtures of the generation tests: a small real 3-class source set and real workers."""

import numpy as np
import pytest
from PIL import Image

from datasets.license_data import install_licenses
from datasets.models import License
from datasets.services import import_dataset
from tests.factories import make_user
from tests.workers import Worker, purge_broker

CLASS_COLOURS = {"blue": (40, 60, 200), "green": (40, 190, 60), "red": (210, 40, 40)}


def write_colour_classes(root, *, per_class: int = 12, size: int = 32, seed: int = 0) -> None:
    """Three classes that differ in mean colour, with noise so no two images are the same;
    another `seed` draws new images from the same distribution."""
    rng = np.random.default_rng(seed)
    for name, colour in CLASS_COLOURS.items():
        folder = root / name
        folder.mkdir(parents=True)
        for index in range(per_class):
            pixels = np.clip(np.array(colour) + rng.normal(0, 25, (size, size, 3)), 0, 255)
            Image.fromarray(pixels.astype(np.uint8)).save(folder / f"{index}.png")


@pytest.fixture
def owner(db):
    install_licenses(License)  # transactional tests flush the table the migration filled
    return make_user("curator", staff=True)


@pytest.fixture
def source_version(owner, tmp_path):
    write_colour_classes(tmp_path / "upload")
    return import_dataset(
        source=tmp_path / "upload", title="Colours", license_spdx="CC-BY-4.0", owner=owner
    ).version


@pytest.fixture
def workers(tmp_path):
    """Start real worker processes with `workers(name, queues)`; all are stopped at the end."""
    purge_broker()
    started: list[Worker] = []

    def start(name: str = "w1", queues: str = "gpu,default", **env: str) -> Worker:
        worker = Worker(name, queues, tmp_path, **env)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
