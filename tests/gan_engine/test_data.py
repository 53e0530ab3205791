"""Loading class folders into tensors, and the resumable batch sampler."""

import numpy as np
import pytest
import torch
from PIL import Image

from gan_engine.data import BatchSampler, load_image_folder, load_items, to_uint8


def test_folder_loads_sorted_classes_in_minus_one_to_one_at_the_asked_resolution(colour_folder):
    data = load_image_folder(colour_folder, 16)
    assert data.class_names == ["blue", "green", "red"]
    assert data.images.shape == (18, 3, 16, 16)
    assert data.images.min() >= -1 and data.images.max() <= 1
    assert data.labels.tolist() == [0] * 6 + [1] * 6 + [2] * 6


def test_uint8_view_gives_back_the_decoded_pixels_exactly(colour_folder):
    data = load_image_folder(colour_folder, 32)
    first = np.array(Image.open(colour_folder / "blue" / "000.png"))
    assert torch.equal(data.as_uint8()[0], torch.from_numpy(first).permute(2, 0, 1))


def test_non_square_images_are_centre_cropped_and_non_images_ignored(tmp_path):
    folder = tmp_path / "a"
    folder.mkdir(parents=True)
    wide = np.zeros((8, 24, 3), dtype=np.uint8)
    wide[:, 8:16] = 255  # the white centre square survives the crop
    Image.fromarray(wide).save(folder / "wide.png")
    (folder / "notes.txt").write_text("not an image")
    (folder / ".hidden.png").write_bytes(b"")
    data = load_image_folder(tmp_path, 8)
    assert len(data) == 1
    assert to_uint8(data.images).min() == 255


def test_list_of_paths_with_bad_labels_is_rejected(colour_folder):
    path = next((colour_folder / "red").iterdir())
    with pytest.raises(ValueError, match="out of range"):
        load_items([(path, 3)], ["a", "b", "c"], 32)


def test_empty_folder_is_an_error(tmp_path):
    (tmp_path / "empty-class").mkdir()
    with pytest.raises(ValueError, match="no images"):
        load_image_folder(tmp_path, 32)


def test_sampler_shows_every_image_once_per_epoch_across_batch_boundaries():
    sampler = BatchSampler(size=10, batch_size=4, seed=0)
    drawn = torch.cat([sampler.next_indices() for _ in range(5)])  # two epochs exactly
    assert sorted(drawn[:10].tolist()) == list(range(10))
    assert sorted(drawn[10:].tolist()) == list(range(10))


def test_sampler_state_round_trip_continues_the_same_sequence():
    sampler = BatchSampler(size=7, batch_size=3, seed=1)
    sampler.next_indices()
    state = sampler.state_dict()
    expected = [sampler.next_indices() for _ in range(4)]
    restored = BatchSampler(size=7, batch_size=3, seed=99)
    restored.load_state_dict(state)
    assert all(torch.equal(a, restored.next_indices()) for a in expected)
