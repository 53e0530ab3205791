"""Sampling: reproducible from (weights, class, seed), whatever the batch; files and grids."""

import csv

import numpy as np
import pytest
import torch
from PIL import Image

from gan_engine import checkpoint
from gan_engine.nets import build_generator
from gan_engine.presets import make_config
from gan_engine.sample import (
    SAMPLING_BATCH,
    class_grid,
    generate,
    load_sampling_model,
    sampling_generator,
    write_samples,
)
from gan_engine.train import train
from tests.gan_engine.colour_sets import colour_set


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A checkpoint and an export of a short tiny run (shared: training is the slow part)."""
    config = make_config("tiny", {"iterations": 4})
    return train(config, colour_set(per_class=8), tmp_path_factory.mktemp("run"))


# The small preset's widths at 64x64: the CPU kernels there pick their algorithm by batch size.
@pytest.mark.parametrize("preset", ["tiny", "small"])
def test_an_image_depends_only_on_weights_class_and_seed_not_on_its_batch(preset):
    config = make_config(preset, {"precision": "fp32"})
    generator = sampling_generator(config, 3, build_generator(config, 3).state_dict())
    count = SAMPLING_BATCH + 6  # two forward batches, the second one padded
    labels, seeds = torch.arange(count) % 3, torch.arange(100, 100 + count)
    together = generate(generator, labels, seeds)
    alone = torch.cat([generate(generator, labels[i : i + 1], seeds[i : i + 1]) for i in (0, 65)])
    reordered = generate(generator, labels.flip(0)[:9], seeds.flip(0)[:9])
    assert together.shape == (count, 3, config.resolution, config.resolution)
    assert together.dtype == torch.uint8
    assert torch.equal(alone, together[[0, 65]])
    assert torch.equal(reordered, together.flip(0)[:9])


def test_seed_and_class_both_change_the_image(trained):
    generator = load_sampling_model(trained.export).generator
    images = generate(generator, [0, 0, 1], [5, 6, 5])
    assert not torch.equal(images[0], images[1])
    assert not torch.equal(images[0], images[2])


def test_sampling_generator_leaves_the_training_weights_alone():
    config = make_config("tiny")
    trained_generator = build_generator(config, 3)
    before = {k: v.clone() for k, v in trained_generator.state_dict().items()}
    sampling_generator(config, 3, trained_generator.state_dict())
    after = trained_generator.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_checkpoint_and_export_give_the_same_images(trained):
    from_checkpoint = load_sampling_model(trained.checkpoint)
    from_export = load_sampling_model(trained.export)
    assert from_export.class_names == ["blue", "green", "red"]
    assert from_export.iteration == 4
    labels, seeds = [0, 1, 2, 2], [0, 1, 2, 3]
    assert torch.equal(
        generate(from_checkpoint.generator, labels, seeds),
        generate(from_export.generator, labels, seeds),
    )


def test_a_run_without_ema_samples_from_its_trained_generator(colour_set, tmp_path):
    config = make_config("tiny", {"iterations": 2, "ema_decay": 0.0})
    result = train(config, colour_set, tmp_path / "run")
    assert checkpoint.load(result.checkpoint)["generator_ema"] is None
    labels, seeds = [0, 1, 2], [0, 1, 2]
    assert torch.equal(
        generate(load_sampling_model(result.checkpoint).generator, labels, seeds),
        generate(load_sampling_model(result.export).generator, labels, seeds),
    )


def test_bf16_sampling_is_reproducible_and_close_to_fp32(trained):
    bf16 = load_sampling_model(trained.export, precision="bf16").generator
    fp32 = load_sampling_model(trained.export).generator
    a, b = generate(bf16, [0, 1], [7, 8]), generate(bf16, [0, 1], [7, 8])
    assert torch.equal(a, b)
    assert (a.float() - generate(fp32, [0, 1], [7, 8]).float()).abs().mean() < 8


def test_generate_refuses_a_generator_in_training_mode_and_unknown_classes(trained):
    with pytest.raises(ValueError, match="training mode"):
        generate(build_generator(make_config("tiny"), 3), [0], [0])
    with pytest.raises(ValueError, match=r"labels must be in 0..2"):
        generate(load_sampling_model(trained.export).generator, [3], [0])


def test_write_samples_makes_class_folders_metadata_and_a_grid_and_extends_stably(
    trained, tmp_path
):
    model = load_sampling_model(trained.export)
    rows = write_samples(model, tmp_path / "a", per_class=2, base_seed=10)
    assert rows[:2] == [("blue/blue-seed10.png", "blue", 10), ("blue/blue-seed11.png", "blue", 11)]
    assert len(rows) == 6
    with open(tmp_path / "a" / "metadata.csv") as f:
        assert list(csv.reader(f))[1] == ["blue/blue-seed10.png", "blue", "10"]
    assert Image.open(tmp_path / "a" / "grid.png").size == (2 * 34 + 2, 3 * 34 + 2)
    write_samples(model, tmp_path / "b", per_class=3, base_seed=10)
    for name, _, _ in rows:
        first = np.array(Image.open(tmp_path / "a" / name))
        assert np.array_equal(first, np.array(Image.open(tmp_path / "b" / name)))


def test_class_grid_puts_each_class_on_its_own_row_padded_with_white():
    images = torch.zeros(3, 3, 4, 4, dtype=torch.uint8)
    grid = class_grid(images, torch.tensor([0, 0, 1]), num_classes=2, per_class=2)
    assert grid.shape == (3, 2 * 6 + 2, 2 * 6 + 2)
    assert (grid[:, 8:12, 8:12] == 255).all()  # class 1 has one image: the second cell is blank
    assert (grid[:, 2:6, 8:12] == 0).all()
