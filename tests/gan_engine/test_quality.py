"""Quality report: known answers on made-up data, every part computed for real on the CPU.

The real set is drawn from a made-up distribution we can sample at will: three textures
(stripes, spots, grain) in random colours, so the classes differ in texture, not colour. Known
answers: exact copies of the real images are memorized at 100%; fresh draws from the same
distribution are not memorized and score high precision/recall; noise images give a recall near
0 and no usefulness gain; the same seed gives the same report.
"""

import json

import numpy as np
import pytest
import torch
from scipy import ndimage

from gan_engine.extractors import (
    RANDOM_CNN,
    ExtractedFeatures,
    is_fid_comparable,
    load_extractor,
)
from gan_engine.metrics import evaluate, evaluate_features
from gan_engine.quality import ClassifierConfig, DomainClassifier, RealSplit, quality_report
from gan_engine.quality.classifier import LabelledImages, to_input, train_classifier
from gan_engine.quality.domain_extractor import register_domain_extractor
from gan_engine.quality.manifold import manifold_result
from gan_engine.quality.memorization import memorization_report, pixel_vectors
from gan_engine.quality.split import split_real
from tests.gan_engine.colour_sets import CLASS_COLOURS, colour_images

CLASS_NAMES = ("stripes", "spots", "grain")
SIZE = 32
FAST = ClassifierConfig(steps=100)


def _ink(label: int, rng: np.random.Generator) -> np.ndarray:
    """Where the dye is (0..1, SIZE x SIZE) for one image of class `label`."""
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(float)
    if label == 0:  # stripes at any angle, frequency and phase
        angle, freq, phase = rng.uniform(0, np.pi), rng.uniform(0.12, 0.25), rng.uniform(0, 7)
        return 0.5 + 0.5 * np.sin(
            2 * np.pi * freq * (xx * np.cos(angle) + yy * np.sin(angle)) + phase
        )
    if label == 1:  # six round spots
        spots = sum(
            np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / 12.5)
            for cy, cx in rng.uniform(0, SIZE, (6, 2))
        )
        return np.clip(spots, 0, 1)
    grain = ndimage.gaussian_filter(rng.normal(size=(SIZE, SIZE)), 1.0)
    return np.clip(0.5 + grain / (3 * grain.std()), 0, 1)


def patterns(per_class: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """uint8 images (3 * per_class x 3 x SIZE x SIZE) and labels: dye on paper, both colours
    random per image from one range for all classes."""
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for label in range(len(CLASS_NAMES)):
        for _ in range(per_class):
            ink = _ink(label, rng)[..., None]
            paper = rng.uniform(150, 230, 3)
            dye = paper * rng.uniform(0.3, 0.6, 3)
            pixels = paper * (1 - ink) + dye * ink + rng.normal(0, 4, (SIZE, SIZE, 3))
            images.append(np.clip(pixels, 0, 255).round().astype(np.uint8))
            labels.append(label)
    return torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).contiguous(), torch.tensor(labels)


def noise(n: int, seed: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (n, 3, SIZE, SIZE), dtype=torch.uint8, generator=generator)


@pytest.fixture(scope="module")
def real():
    return patterns(per_class=80, seed=0)


@pytest.fixture(scope="module")
def no_inception(tmp_path_factory) -> str:
    """A weights path with no file: Inception is reported unavailable at once, no network probe."""
    return str(tmp_path_factory.mktemp("weights") / "missing.pth")


def report_for(real, synthetic, synthetic_labels, no_inception, **options):
    return quality_report(
        *real,
        synthetic,
        synthetic_labels,
        CLASS_NAMES,
        classifier_config=FAST,
        inception_weights_path=no_inception,
        **options,
    )


@pytest.fixture(scope="module")
def copy_report(real, no_inception):
    return report_for(real, real[0].clone(), real[1].clone(), no_inception)


@pytest.fixture(scope="module")
def fresh_report(real, no_inception):
    return report_for(real, *patterns(per_class=60, seed=1), no_inception)


@pytest.fixture(scope="module")
def noise_report(real, no_inception):
    return report_for(real, noise(180, seed=5), torch.arange(180) % 3, no_inception)


@pytest.fixture(scope="module")
def classifier(real) -> DomainClassifier:
    return train_classifier(LabelledImages(*real), CLASS_NAMES, config=FAST, seed=0)


def domain_block(report) -> dict:
    return next(
        f for f in report.to_dict()["fidelity"] if f["extractor"] == report.domain_extractor
    )


def test_split_is_stratified_disjoint_seeded_and_survives_storage():
    labels = torch.tensor([0] * 20 + [1] * 10 + [2] * 3)
    split = split_real(labels, seed=3)
    held = labels[list(split.held_out)]
    assert [(held == c).sum().item() for c in range(3)] == [6, 3, 1]
    assert not set(split.train) & set(split.held_out)
    assert sorted(split.train + split.held_out) == list(range(len(labels)))
    assert split_real(labels, seed=3) == split
    assert split_real(labels, seed=4) != split
    assert RealSplit.from_dict(json.loads(json.dumps(split.to_dict()))) == split
    with pytest.raises(ValueError, match="both train and held-out"):
        RealSplit(split.train, split.held_out + split.train[:1]).check(labels)


def test_saved_classifier_loads_with_the_same_weights_and_predictions(classifier, real, tmp_path):
    classifier.save(tmp_path / "domain.pt")
    loaded = DomainClassifier.load(tmp_path / "domain.pt")
    assert loaded == classifier
    assert loaded.fingerprint() == classifier.fingerprint()
    assert torch.equal(loaded.predict(real[0]), classifier.predict(real[0]))


def same_colour_textures(n: int, blotch: int, seed: int) -> torch.Tensor:
    """Pink images of exactly one mean colour and one per-pixel spread (30 grey levels):
    independent pixels (blotch 1) or blotch x blotch squares, so only spatial structure varies."""
    rng = np.random.default_rng(seed)
    field = rng.normal(size=(n, SIZE // blotch, SIZE // blotch, 3))
    field = field.repeat(blotch, 1).repeat(blotch, 2)
    field -= field.mean(axis=(1, 2), keepdims=True)
    pixels = np.clip(np.array([190, 120, 150]) + 30 * field / field.std(), 0, 255)
    return torch.from_numpy(pixels.round().astype(np.uint8)).permute(0, 3, 1, 2).contiguous()


def kid_between(a: torch.Tensor, b: torch.Tensor, extract) -> float:
    features = [ExtractedFeatures(extract(x).double(), None) for x in (a, b)]
    return evaluate_features(*features, extractor="test", metrics=("kid",)).get("kid").value


def test_domain_features_see_texture_even_when_the_classes_differ_by_colour():
    """Measured on the demo set: a CNN trained on classes that differ in colour (like the DAB
    classes) gave pooled features that mostly measured colour. Its texture statistics must see
    a change of texture at one mean colour more than a 10-grey-level colour shift; its pooled
    features, checked as the control, do not."""
    pixels, labels = colour_images(per_class=40, size=SIZE)
    images = torch.from_numpy(pixels).permute(0, 3, 1, 2).contiguous()
    data = LabelledImages(images, torch.from_numpy(labels))
    classifier = train_classifier(data, list(CLASS_COLOURS), config=FAST, seed=0)
    fine, blotchy = same_colour_textures(64, 1, seed=1), same_colour_textures(64, 4, seed=2)
    shifted = (fine.int() + torch.tensor([10, 0, 0])[:, None, None]).clamp(0, 255).byte()
    assert torch.allclose(fine.double().mean((0, 2, 3)), blotchy.double().mean((0, 2, 3)), atol=1)

    texture = load_extractor(register_domain_extractor(classifier, "texture-test")).network
    net = classifier.network()

    def pooled(x: torch.Tensor) -> torch.Tensor:
        return torch.relu(net.stage_outputs(to_input(x, SIZE))[-1]).mean(dim=(2, 3))

    with torch.inference_mode():
        assert kid_between(fine, blotchy, texture) > kid_between(fine, shifted, texture)
        assert kid_between(fine, blotchy, pooled) < kid_between(fine, shifted, pooled)


def test_evaluate_features_gives_the_numbers_of_evaluate():
    real, fake = noise(24, seed=1), noise(20, seed=2)
    labels = torch.arange(24) % 2, torch.arange(20) % 2
    net = load_extractor(RANDOM_CNN)
    direct = evaluate(
        real, fake, real_labels=labels[0], fake_labels=labels[1], extractor=RANDOM_CNN
    )
    hooked = evaluate_features(
        net.extract(real),
        net.extract(fake),
        extractor=RANDOM_CNN,
        real_labels=labels[0],
        fake_labels=labels[1],
    )
    # the same numbers; only `evaluate`, which has the images, measures the artifact figures
    assert hooked.to_dict() == {**direct.to_dict(), "artifacts": {}}
    assert direct.artifacts


def test_manifold_of_a_set_against_itself_is_complete_and_of_a_far_set_empty():
    points = torch.randn(50, 8, generator=torch.Generator().manual_seed(0))
    g = torch.Generator().manual_seed(0)
    same = manifold_result(points, points, extractor="x", class_name=None, generator=g)
    far = manifold_result(points, points + 100, extractor="x", class_name=None, generator=g)
    assert (same.precision, same.recall, same.coverage) == (1.0, 1.0, 1.0)
    assert (far.precision, far.recall, far.density, far.coverage) == (0.0, 0.0, 0.0, 0.0)


def test_slightly_perturbed_copies_are_memorized_in_pixel_space(real):
    """Memorization is rarely bit-exact: +-2 grey levels of noise must not hide a copy."""
    jitter = torch.randint(-2, 3, real[0].shape, generator=torch.Generator().manual_seed(0))
    near_copies = (real[0].int() + jitter).clamp(0, 255).to(torch.uint8)
    report = memorization_report(
        {"pixels": (pixel_vectors(real[0]), pixel_vectors(near_copies))}, max_share=0.05
    )
    assert report.memorized_share == 1.0 and report.flagged


def test_exact_copies_of_the_real_images_are_memorized_at_100_percent(copy_report, real):
    memorization = copy_report.memorization
    assert memorization.flagged
    assert memorization.memorized_share == 1.0
    for space in memorization.spaces:
        assert space.memorized_share == 1.0
        assert space.threshold > 0
        assert all(pair.distance == 0 for pair in space.closest_pairs)
        assert list(space.nearest_real) == list(range(len(real[1])))  # each copy finds its own


def test_fresh_images_from_the_real_distribution_pass_memorization(fresh_report):
    memorization = fresh_report.memorization
    assert not memorization.flagged
    for space in memorization.spaces:
        assert space.memorized_share < 0.05


def test_fresh_images_have_high_precision_and_recall_per_class(fresh_report):
    manifold = domain_block(fresh_report)["manifold"]
    assert [m["class_name"] for m in manifold] == [None, *CLASS_NAMES]
    for m in manifold:
        assert m["precision"] > 0.7 and m["recall"] > 0.7
    assert (manifold[0]["n_real"], manifold[0]["n_fake"]) == (180, 180)  # cut to the same size


def test_noise_images_have_recall_near_zero_and_no_usefulness_gain(noise_report):
    overall = domain_block(noise_report)["manifold"][0]
    assert overall["recall"] < 0.05 and overall["coverage"] < 0.05
    usefulness = noise_report.usefulness
    assert usefulness.accuracy_gain <= 0 and usefulness.macro_f1_gain <= 0
    assert usefulness.get("synthetic").accuracy < 0.6  # chance is 1/3
    assert not noise_report.memorization.flagged


def test_usefulness_reports_three_trainings_scored_on_the_held_out_images(fresh_report):
    usefulness = fresh_report.to_dict()["usefulness"]
    n_held_out = len(fresh_report.split.held_out)
    rows = {r["training_set"]: r for r in usefulness["results"]}
    assert list(rows) == ["real", "synthetic", "real+synthetic"]
    assert [rows[k]["n_train"] for k in rows] == [240 - n_held_out, 180, 420 - n_held_out]
    assert all(r["n_test"] == n_held_out for r in rows.values())
    assert all(set(r["per_class_recall"]) == set(CLASS_NAMES) for r in rows.values())
    assert (
        usefulness["accuracy_gain"] == rows["real+synthetic"]["accuracy"] - rows["real"]["accuracy"]
    )


def test_domain_extractor_results_are_never_labelled_fid(fresh_report, noise_report):
    for report in (fresh_report, noise_report):
        block = domain_block(report)
        assert report.domain_extractor.startswith("domain-cnn-")
        assert not is_fid_comparable(report.domain_extractor)
        assert not block["fid_comparable"]
        assert {r["name"] for r in block["distances"]} == {"fid", "kid"}
        assert all(not r["fid_comparable"] for r in block["distances"])
        assert "FID" not in json.dumps(block)
        assert "Fréchet distance (domain-cnn-" in json.dumps(block, ensure_ascii=False)


def test_inception_without_weights_is_reported_unavailable_with_the_reason(fresh_report):
    inception = fresh_report.to_dict()["fidelity"][0]
    assert inception["extractor"] == "inception-v3-fid"
    assert not inception["available"] and "no file at" in inception["reason"]
    assert inception["distances"] == [] and inception["manifold"] == []


def test_report_is_json_safe(fresh_report, noise_report, copy_report):
    for report in (fresh_report, noise_report, copy_report):
        text = json.dumps(report.to_dict(), allow_nan=False)
        assert json.loads(text)["format"] == "gan_engine.quality.report/1"


@pytest.mark.slow
def test_report_is_deterministic_for_a_seed_and_reuses_a_stored_split(
    fresh_report, real, no_inception
):
    stored = RealSplit.from_dict(json.loads(json.dumps(fresh_report.split.to_dict())))
    again = report_for(real, *patterns(per_class=60, seed=1), no_inception, split=stored)
    assert again.to_dict() == fresh_report.to_dict()


def test_a_stored_classifier_is_reused_instead_of_retrained_with_the_same_report(
    fresh_report, real, no_inception, tmp_path
):
    path = tmp_path / "domain.pt"
    fresh_report.domain_classifier.save(path)
    phases: list[str] = []
    again = report_for(
        real,
        *patterns(per_class=60, seed=1),
        no_inception,
        split=fresh_report.split,
        domain_classifier=DomainClassifier.load(path),
        on_phase=phases.append,
    )
    assert phases == ["features", "memorization", "usefulness"]  # no domain CNN training
    assert again.to_dict() == fresh_report.to_dict()


def test_a_stored_classifier_of_other_classes_is_refused(classifier, real, no_inception):
    images, labels = real
    with pytest.raises(ValueError, match="stored domain classifier knows the classes"):
        quality_report(
            images,
            labels % 2,
            images,
            labels % 2,
            ("a", "b"),
            inception_weights_path=no_inception,
            domain_classifier=classifier,
        )
