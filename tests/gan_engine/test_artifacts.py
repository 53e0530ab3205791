"""Known answers of the artifact figures on constructed images and on real IHC tiles."""

import numpy as np
import pytest
import torch
from skimage import data

from gan_engine.artifacts import (
    BLOCK_PERIODS,
    CORNERS,
    FIGURES,
    artifact_figures,
    block_ratio,
    meets_targets,
    missed_targets,
    periodicity,
)
from gan_engine.demo_data import tile_origins


@pytest.fixture(scope="module")
def real_tiles() -> torch.Tensor:
    """The demo set's 225 real 64 x 64 tiles of the IHC slide, as uint8 N x 3 x H x W."""
    rgb = data.immunohistochemistry()
    tiles = np.stack([rgb[y : y + 64, x : x + 64] for y, x in tile_origins(512, 512, 64, 32)])
    return torch.from_numpy(tiles).permute(0, 3, 1, 2).contiguous()


def corner_window(corner: str, size: int = 6) -> tuple[slice, slice]:
    rows = slice(0, size) if corner.startswith("top") else slice(-size, None)
    cols = slice(0, size) if corner.endswith("left") else slice(-size, None)
    return rows, cols


def test_real_tiles_have_no_artifacts(real_tiles):
    figures = artifact_figures(real_tiles)
    assert list(figures) == list(FIGURES)
    for corner in CORNERS:
        assert figures[f"corner_saturation_{corner}"] < 0.001
    assert figures["centre_saturation"] < 0.001
    for period in BLOCK_PERIODS:
        assert figures[f"block_ratio_{period}"] == pytest.approx(1.0, abs=0.03)
    assert figures["periodicity"] < 8
    assert meets_targets(figures)


@pytest.mark.parametrize("corner", CORNERS)
def test_a_planted_corner_blotch_is_found_in_that_corner_only(real_tiles, corner):
    blotched = real_tiles.clone()
    rows, cols = corner_window(corner)
    # a colourful blotch in every third image: red and blue clipped, green kept
    blotched[::3, 0, rows, cols] = 255
    blotched[::3, 2, rows, cols] = 0
    figures = artifact_figures(blotched)
    clean = artifact_figures(real_tiles)
    # 36 of 64 corner pixels in 75 of 225 images
    assert figures[f"corner_saturation_{corner}"] == pytest.approx(36 / 64 / 3, abs=0.002)
    for other in set(CORNERS) - {corner}:
        name = f"corner_saturation_{other}"
        assert figures[name] == clean[name]
    assert figures["centre_saturation"] == clean["centre_saturation"]
    assert missed_targets(figures) == {
        f"corner_saturation_{corner}": figures[f"corner_saturation_{corner}"]
    }


def test_one_clipped_channel_counts_as_saturated():
    image = torch.full((1, 3, 32, 32), 128, dtype=torch.uint8)
    image[0, 1, :8, :8] = 0  # green at 0 only: a magenta blotch
    figures = artifact_figures(image)
    assert figures["corner_saturation_top_left"] == 1.0
    assert figures["corner_saturation_top_right"] == 0.0


def test_a_planted_8px_grid_raises_the_block_ratio(real_tiles):
    generator = torch.Generator().manual_seed(0)
    steps = torch.randint(-12, 13, (len(real_tiles), 3, 8, 8), generator=generator)
    offsets = steps.repeat_interleave(8, dim=2).repeat_interleave(8, dim=3)
    gridded = (real_tiles.int() + offsets).clamp(0, 255).to(torch.uint8)
    figures = artifact_figures(gridded)
    assert figures["block_ratio_8"] > 1.3
    assert "block_ratio_8" in missed_targets(figures)
    assert not meets_targets(figures)


def test_the_block_ratio_looks_at_the_grid_phase_of_the_up_sampling():
    """Steps at columns 4 + 8k are inside 8-px blocks: the 4-px ratio sees them, the 8-px one
    counts them as inside-block change (ratio below 1)."""
    rows = torch.arange(64)
    shifted = ((rows + 4) // 8 % 2 * 40 + 100).to(torch.uint8)
    images = shifted.view(1, 1, 1, 64).expand(2, 3, 64, 64).contiguous()
    assert block_ratio(images, 4) > 2
    assert block_ratio(images, 8) < 1


def test_flat_images_have_no_grid_and_no_period():
    flat = torch.full((4, 3, 32, 32), 90, dtype=torch.uint8)
    assert block_ratio(flat, 8) == 1.0
    assert periodicity(flat) == 1.0


def test_periodic_texture_stands_out_against_a_real_tile(real_tiles):
    tiled = real_tiles[:, :, :16, :16].repeat(1, 1, 4, 4)  # a 16-px patch repeated 4 x 4
    striped = real_tiles[:, :, :32, :].repeat(1, 1, 2, 1)  # the top half repeated
    real = periodicity(real_tiles)
    assert periodicity(tiled) > 5 * real
    assert periodicity(striped) > 4 * real


def test_targets_are_inclusive_limits():
    figures = dict.fromkeys(FIGURES, 0.0)
    figures |= {f"block_ratio_{p}": 1.1 for p in BLOCK_PERIODS}
    figures["corner_saturation_bottom_left"] = 0.01
    assert meets_targets(figures)
    figures["block_ratio_16"] = 1.1001
    assert missed_targets(figures) == {"block_ratio_16": 1.1001}


@pytest.mark.parametrize(
    ("images", "error"),
    [
        (torch.zeros(2, 3, 32, 32), TypeError),
        (torch.zeros(2, 1, 32, 32, dtype=torch.uint8), ValueError),
        (torch.zeros(2, 3, 16, 16, dtype=torch.uint8), ValueError),
    ],
)
def test_bad_images_are_refused(images, error):
    with pytest.raises(error):
        artifact_figures(images)
