"""The IHC demo set: tiles of the scikit-image slide in three DAB-stain classes."""

import subprocess
import sys

import numpy as np
from PIL import Image
from skimage import color

from gan_engine.demo_data import CLASS_NAMES, tertile_classes, write_ihc_demo_set


def test_default_tiling_gives_225_tiles_in_three_equal_classes(tmp_path):
    out = tmp_path / "ihc"
    counts = write_ihc_demo_set(out)
    assert counts == {"dab-low": 75, "dab-medium": 75, "dab-high": 75}
    files = sorted(out.glob("*/*.png"))
    assert len(files) == 225
    assert {Image.open(f).size for f in files} == {(64, 64)}
    assert sorted(p.name for p in out.iterdir()) == sorted(CLASS_NAMES)


def test_classes_are_ordered_by_dab_stain(tmp_path):
    write_ihc_demo_set(tmp_path, tile=128, stride=64)
    mean_dab = [
        np.mean(
            [
                color.rgb2hed(np.array(Image.open(f)))[..., 2].mean()
                for f in (tmp_path / n).iterdir()
            ]
        )
        for n in CLASS_NAMES
    ]
    assert mean_dab == sorted(mean_dab)


def test_tertiles_split_by_rank_and_are_stable_on_ties():
    assert tertile_classes(np.array([0.5, 0.1, 0.9, 0.3, 0.7, 0.2])).tolist() == [1, 0, 2, 1, 2, 0]
    assert tertile_classes(np.zeros(6)).tolist() == [0, 0, 1, 1, 2, 2]


def test_demo_data_needs_no_torch_so_the_portal_can_import_it_cheaply():
    code = "import sys, gan_engine.demo_data; print('torch' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
