"""GAN metrics: correct numbers, honest labels, and no crash when the Inception weights are missing.

Everything runs on the CPU with real networks: a fixed random CNN for the numerical checks, and
torch-fidelity's real Inception-v3 on a weights file of random values (the true 95 MB weights
cannot be downloaded here), which exercises the whole standard path except the weight values.
"""

import json
import time

import numpy as np
import pytest
import scipy.linalg
import torch
import torch_fidelity.feature_extractor_inceptionv3 as tf_inception
from torch import nn

from gan_engine import extractors
from gan_engine.artifacts import FIGURES
from gan_engine.extractors import (
    INCEPTION,
    INCEPTION_WEIGHTS_ENV,
    INCEPTION_WEIGHTS_FILENAME,
    RANDOM_CNN,
    load_extractor,
    register_extractor,
    registered_extractors,
)
from gan_engine.metrics import (
    evaluate,
    frechet_distance,
    inception_score_splits,
    kid_subset_size,
)


def images(n: int, seed: int, *, shift: int = 0, size: int = 32) -> torch.Tensor:
    """Uniform noise images in [shift, 200 + shift): a shift moves the whole distribution."""
    g = torch.Generator().manual_seed(seed)
    return (torch.randint(0, 200, (n, 3, size, size), generator=g) + shift).to(torch.uint8)


def scipy_frechet(x: np.ndarray, y: np.ndarray) -> float:
    """The textbook reference (pytorch-fid's formula) on two feature matrices."""
    mu1, mu2 = x.mean(0), y.mean(0)
    s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    covmean = scipy.linalg.sqrtm(s1 @ s2).real
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


@pytest.fixture(scope="module")
def random_inception_weights(tmp_path_factory):
    """A weights file with the exact shapes of the standard one but random values.

    torch-fidelity's loading is stubbed only while building the donor network, so it keeps its
    random initialisation; everything afterwards loads this file the normal way.
    """
    path = tmp_path_factory.mktemp("weights") / INCEPTION_WEIGHTS_FILENAME
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tf_inception, "load_state_dict_from_url", lambda *args, **kwargs: None)
        mp.setattr(tf_inception.FeatureExtractorInceptionV3, "load_state_dict", lambda *args: None)
        torch.manual_seed(0)
        donor = tf_inception.FeatureExtractorInceptionV3("donor", ["2048"])
    torch.save(donor.state_dict(), path)
    return path


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No weights anywhere: empty hub cache, no env var, a download host that cannot resolve."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))
    monkeypatch.delenv(INCEPTION_WEIGHTS_ENV, raising=False)
    monkeypatch.setattr(
        tf_inception, "URL_INCEPTION_V3", f"https://weights.invalid/{INCEPTION_WEIGHTS_FILENAME}"
    )
    return tmp_path / "torch-home"


@pytest.mark.parametrize(
    ("n_real", "n_fake", "dim"),
    [(200, 150, 16), (40, 30, 64)],
    ids=["more-samples-than-dimensions", "fewer-samples-than-dimensions"],
)
def test_frechet_distance_matches_scipy_reference(n_real, n_fake, dim):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(n_real, dim)), rng.normal(0.3, 1.5, size=(n_fake, dim))
    ours = frechet_distance(torch.from_numpy(x), torch.from_numpy(y))
    assert ours == pytest.approx(scipy_frechet(x, y), rel=1e-7)


def test_frechet_distance_paths_agree_where_they_meet():
    """At n = d both formulas apply; they must give the same figure."""
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(33, 32)), rng.normal(0.2, 0.8, size=(40, 32))
    features = torch.from_numpy(x), torch.from_numpy(y)
    small_side = frechet_distance(*features)
    wide = frechet_distance(
        *(torch.cat([f, torch.zeros(len(f), 8, dtype=f.dtype)], 1) for f in features)
    )
    assert small_side == pytest.approx(wide, rel=1e-9)


def test_fid_of_a_set_with_itself_is_zero_and_matches_scipy_on_the_same_features():
    real, fake = images(48, seed=1), images(40, seed=2, shift=20)
    net = load_extractor(RANDOM_CNN)
    expected = scipy_frechet(net.extract(real).features.numpy(), net.extract(fake).features.numpy())

    same = evaluate(real, real, extractor=RANDOM_CNN, metrics=("fid",)).get("fid")
    different = evaluate(real, fake, extractor=RANDOM_CNN, metrics=("fid",)).get("fid")

    assert same.value == pytest.approx(0.0, abs=1e-6)
    assert different.value == pytest.approx(expected, abs=1e-3)
    assert different.value > 0.1


def test_shifted_distribution_scores_worse_than_a_fresh_sample_of_the_same_one():
    real = images(64, seed=1)
    same = evaluate(real, images(64, seed=2), extractor=RANDOM_CNN, metrics=("fid", "kid"))
    shifted = evaluate(
        real, images(64, seed=3, shift=40), extractor=RANDOM_CNN, metrics=("fid", "kid")
    )

    assert shifted.get("fid").value > 5 * same.get("fid").value
    assert shifted.get("kid").value > same.get("kid").value + 10 * shifted.get("kid").std
    assert shifted.get("kid").value > 1e-3


def test_standard_inception_runs_end_to_end_from_a_local_weights_file(
    random_inception_weights, offline
):
    real, fake = images(8, seed=1), images(8, seed=2, shift=50)

    report = evaluate(real, fake, weights_path=str(random_inception_weights), batch_size=4)

    assert report.extractor == INCEPTION
    assert report.fid_comparable
    for result in report.results:
        assert result.available, result.reason
        assert np.isfinite(result.value)
        assert result.extractor == INCEPTION
        assert result.n_fake == 8
    assert report.get("fid").label == "FID (Inception-v3)"
    # 8 images for 2048 dimensions: still called FID, but flagged and not comparable
    assert report.get("fid").small_sample
    assert not report.get("fid").fid_comparable
    assert "8 real and 8 generated images" in report.get("fid").small_sample_reason
    assert report.get("kid").params == {"subset_size": 8, "subsets": 100}
    assert report.get("kid").std is None  # every subset is the whole of both sets
    assert report.get("is").n_real == 0
    assert report.get("is").params == {"splits": 2}
    assert report.get("is").small_sample
    assert "1008 classes" in report.get("is").small_sample_reason


@pytest.mark.parametrize("where", ["env", "hub-cache"])
def test_inception_weights_are_found_without_an_argument(
    random_inception_weights, offline, monkeypatch, where
):
    if where == "env":
        monkeypatch.setenv(INCEPTION_WEIGHTS_ENV, str(random_inception_weights))
    else:
        (offline / "hub" / "checkpoints").mkdir(parents=True)
        (offline / "hub" / "checkpoints" / INCEPTION_WEIGHTS_FILENAME).symlink_to(
            random_inception_weights
        )

    net = load_extractor(INCEPTION)

    out = net.extract(images(2, seed=0, size=16))
    assert out.features.shape == (2, 2048)
    assert out.logits.shape == (2, 1008)


def test_without_weights_every_result_is_unavailable_with_a_plain_reason_and_quickly(offline):
    start = time.monotonic()
    report = evaluate(
        images(6, seed=1),
        images(4, seed=2),
        real_labels=torch.tensor([0, 0, 0, 1, 1, 1]),
        fake_labels=torch.tensor([0, 1, 1, 1]),
        class_names=["normal", "tumour"],
    )
    elapsed = time.monotonic() - start

    assert elapsed < 10
    assert len(report.results) == 9
    for result in report.results:
        assert not result.available
        assert result.value is None
        assert INCEPTION_WEIGHTS_ENV in result.reason
        assert INCEPTION_WEIGHTS_FILENAME in result.reason
    fid = report.get("fid", "tumour")
    assert (fid.n_real, fid.n_fake, fid.label) == (3, 3, "FID (Inception-v3)")
    json.dumps(report.to_dict(), allow_nan=False)


@pytest.mark.parametrize("content", [None, b"not a checkpoint", b"\x80\x02truncated pickle"])
def test_a_missing_or_broken_weights_file_is_reported_with_its_path_or_error(
    offline, tmp_path, content
):
    weights = tmp_path / "weights.pth"
    if content is not None:
        weights.write_bytes(content)

    result = evaluate(images(4, seed=1), images(4, seed=2), weights_path=str(weights)).get("fid")

    assert not result.available
    assert INCEPTION_WEIGHTS_ENV in result.reason
    detail = str(weights) if content is None else "Error:"  # the path, or the loader's error
    assert detail in result.reason


def test_kid_subset_size_is_capped_at_the_smaller_set():
    report = evaluate(images(5, seed=1), images(7, seed=2), extractor=RANDOM_CNN, metrics=("kid",))

    kid = report.get("kid")
    assert kid.available, kid.reason
    assert (kid.n_real, kid.n_fake) == (5, 7)
    assert kid.params["subset_size"] == 5


def test_per_class_results_carry_class_names_counts_and_unavailability_reasons():
    real_labels = torch.tensor([0] * 6 + [1] * 5 + [2] * 3)
    fake_labels = torch.tensor([0] * 4 + [1] * 7 + [3] * 2)
    real, fake = images(len(real_labels), seed=1), images(len(fake_labels), seed=2)

    report = evaluate(
        real,
        fake,
        real_labels=real_labels,
        fake_labels=fake_labels,
        extractor=RANDOM_CNN,
        metrics=("fid", "kid"),
        class_names=["normal", "benign", "malignant"],
    )

    assert [r.class_name for r in report.results[::2]] == [
        None,
        "normal",
        "benign",
        "malignant",
        "3",
    ]
    assert (report.get("fid").n_real, report.get("fid").n_fake) == (14, 13)
    benign = report.get("kid", "benign")
    assert (benign.n_real, benign.n_fake, benign.params["subset_size"]) == (5, 7, 5)
    malignant = report.get("fid", "malignant")
    assert not malignant.available
    assert (malignant.n_real, malignant.n_fake) == (3, 0)
    assert "at least 2" in malignant.reason
    assert report.get("fid", "no such class") is None


def test_other_extractors_are_labelled_by_name_and_never_called_fid(monkeypatch):
    class TinyClassifier(nn.Module):
        """A stand-in for a domain CNN: features plus class logits, so IS is computable."""

        def __init__(self):
            super().__init__()
            torch.manual_seed(0)
            self.features = nn.Sequential(
                nn.Conv2d(3, 8, 3, stride=2), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten()
            )
            self.head = nn.Linear(8, 3)

        def forward(self, x):
            f = self.features(x.float() / 255)
            return f, self.head(f)

    monkeypatch.setattr(extractors, "_REGISTRY", dict(extractors._REGISTRY))
    register_extractor("domain-cnn", lambda weights_path: TinyClassifier())
    assert "domain-cnn" in registered_extractors()

    report = evaluate(images(12, seed=1), images(12, seed=2), extractor="domain-cnn")

    assert not report.fid_comparable
    assert [r.label for r in report.results] == [
        "Fréchet distance (domain-cnn features)",
        "Kernel distance (domain-cnn features)",
        "Classifier score (domain-cnn logits)",
    ]
    assert all(
        r.available and not r.fid_comparable and r.extractor == "domain-cnn" for r in report.results
    )
    assert report.get("is").std is not None
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert data["results"][0]["label"] == "Fréchet distance (domain-cnn features)"
    assert "FID" not in json.dumps(data)


def test_random_cnn_has_no_inception_score_and_says_why():
    result = evaluate(
        images(4, seed=1), images(4, seed=2), extractor=RANDOM_CNN, metrics=("is",)
    ).get("is")

    assert not result.available
    assert "logits" in result.reason
    assert "FID" not in result.label
    assert "Inception" not in result.label


def test_kid_and_is_are_reproducible_and_leave_the_global_rng_alone():
    real, fake = images(20, seed=1), images(20, seed=2, shift=10)
    torch.manual_seed(123)
    expected_next = torch.rand(1)
    torch.manual_seed(123)

    first = evaluate(real, fake, extractor=RANDOM_CNN, metrics=("kid",)).get("kid")
    second = evaluate(real, fake, extractor=RANDOM_CNN, metrics=("kid",)).get("kid")

    assert torch.rand(1) == expected_next
    assert (first.value, first.std) == (second.value, second.std)


def test_an_unknown_extractor_is_reported_not_raised():
    result = evaluate(images(4, seed=1), images(4, seed=2), extractor="no-such-net").get("fid")

    assert not result.available
    assert "no-such-net" in result.reason
    assert not result.fid_comparable


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"real": images(4, seed=1).float()}, TypeError),
        ({"real": images(4, seed=1)[:, :1]}, ValueError),
        ({"metrics": ("fid", "lpips")}, ValueError),
        ({"real_labels": torch.zeros(4, dtype=torch.long)}, ValueError),
        (
            {
                "real_labels": torch.zeros(3, dtype=torch.long),
                "fake_labels": torch.zeros(4, dtype=torch.long),
            },
            ValueError,
        ),
    ],
)
def test_bad_arguments_raise(kwargs, error):
    arguments = {
        "real": images(4, seed=1),
        "fake": images(4, seed=2),
        "extractor": RANDOM_CNN,
        **kwargs,
    }
    with pytest.raises(error):
        evaluate(**arguments)


@pytest.mark.parametrize(
    ("n_real", "n_fake", "expected"),
    [(225, 225, 112), (75, 75, 37), (5000, 3000, 1000), (15, 40, 10), (5, 7, 5)],
)
def test_kid_subsets_hold_about_half_the_smaller_set(n_real, n_fake, expected):
    assert kid_subset_size(n_real, n_fake) == expected


def test_kid_spread_is_positive_and_meaningful_for_75_against_75_images():
    """Subsets of the whole set all agree and gave a std of 1e-16; half-size subsets give a
    spread that a same-distribution figure stays within and a shifted one stands out of."""
    real = images(75, seed=1)
    same = evaluate(real, images(75, seed=2), extractor=RANDOM_CNN, metrics=("kid",)).get("kid")
    shifted = evaluate(
        real, images(75, seed=3, shift=30), extractor=RANDOM_CNN, metrics=("kid",)
    ).get("kid")

    assert same.params["subset_size"] == 37
    assert same.std > 1e-6
    assert abs(same.value) < 3 * same.std
    assert shifted.value > 3 * shifted.std > 0


def test_fid_from_fewer_images_than_feature_dimensions_is_flagged_with_the_counts():
    small = evaluate(images(40, seed=1), images(30, seed=2), extractor=RANDOM_CNN)
    fid = small.get("fid")
    assert fid.available and fid.small_sample and not fid.fid_comparable
    assert fid.small_sample_reason.startswith(
        "Fréchet distance (random-cnn-0 features) from 40 real and 30 generated images, "
        "fewer than its 256 feature dimensions"
    )
    assert not small.get("kid").small_sample

    enough = evaluate(
        images(256, seed=1), images(260, seed=2), extractor=RANDOM_CNN, metrics=("fid",)
    ).get("fid")
    assert not enough.small_sample
    assert enough.small_sample_reason == ""


@pytest.mark.parametrize(
    ("n_images", "classes", "expected"),
    [(225, 1008, 2), (50_000, 1008, 10), (12, 3, 4), (1, 1008, 1), (5000, 1008, 4)],
)
def test_small_sets_get_fewer_larger_is_splits(n_images, classes, expected):
    assert inception_score_splits(n_images, classes) == expected


def test_artifact_figures_are_in_every_report_even_without_a_network():
    fake = images(6, seed=2)
    fake[:, :, :8, :8] = 255  # a saturated top-left corner in every image

    report = evaluate(images(4, seed=1), fake, extractor="no-such-net")

    assert not any(r.available for r in report.results)
    assert list(report.artifacts) == list(FIGURES)
    assert report.artifacts["corner_saturation_top_left"] == 1.0
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert data["artifacts"] == report.artifacts


def test_images_too_small_for_artifact_figures_still_get_the_metrics():
    report = evaluate(images(4, seed=1, size=16), images(4, seed=2, size=16), extractor=RANDOM_CNN)
    assert report.artifacts == {}
    assert report.get("kid").available
