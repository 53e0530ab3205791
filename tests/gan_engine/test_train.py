"""The training loop: exact resume, callbacks, cancellation, evaluation, learning."""

import dataclasses
import json

import pytest
import torch

from gan_engine import checkpoint
from gan_engine.data import ImageSet
from gan_engine.metrics import EvaluationReport, MetricResult
from gan_engine.presets import make_config
from gan_engine.sample import generate, load_sampling_model
from gan_engine.train import Callbacks, train


def mean_colour_gap(real, fake, *, real_labels, fake_labels, class_names):
    """A small real evaluator: per-class distance between mean colours of real and fake."""
    return {
        name: float(
            (
                real[real_labels == c].float().mean((0, 2, 3))
                - fake[fake_labels == c].float().mean((0, 2, 3))
            ).norm()
        )
        for c, name in enumerate(class_names)
    }


def assert_identical(a, b, path="checkpoint"):
    """Nested dicts/lists of tensors and plain values, compared exactly."""
    if isinstance(a, torch.Tensor):
        assert torch.equal(a, b), f"{path} differs"
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), f"{path} keys differ"
        for key in a:
            assert_identical(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), f"{path} lengths differ"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_identical(x, y, f"{path}[{i}]")
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def stop_after(iterations: int) -> Callbacks:
    done = []
    return Callbacks(on_progress=done.append, should_stop=lambda: len(done) >= iterations)


# Everything that touches the random streams: pre-augmentation, DiffAugment, LeCam, EMA,
# evaluation (which must not disturb them) and checkpoints every 4 iterations; and the
# default recipe's margin around G's canvas.
RESUME_CONFIG = make_config(
    "tiny",
    {
        "iterations": 12,
        "checkpoint_every": 4,
        "eval_every": 5,
        "pre_augment_to": 60,
        "g_margin": 8,
    },
)


def train_in_fresh_process_state(*args, **kwargs):
    """As if each run were its own worker process: the global RNGs (saved in checkpoints too)
    start from the same state."""
    torch.manual_seed(0)
    return train(*args, evaluator=mean_colour_gap, **kwargs)


# And ADA's adaptive probability, moving fast enough to change within the run.
ADA_CONFIG = dataclasses.replace(RESUME_CONFIG, ada_target=0.1, ada_speed=40)


@pytest.mark.parametrize("config", [RESUME_CONFIG, ADA_CONFIG], ids=["fixed", "ada"])
@pytest.mark.parametrize("interruption", ["cancelled", "shorter_first_run"])
def test_resumed_run_ends_bit_identical_to_an_uninterrupted_one(
    colour_set, tmp_path, interruption, config
):
    run = train_in_fresh_process_state
    straight = run(config, colour_set, tmp_path / "straight")
    if interruption == "cancelled":
        first = run(config, colour_set, tmp_path / "split", callbacks=stop_after(6))
        assert first.stopped and first.export is None
    else:
        first = run(dataclasses.replace(config, iterations=6), colour_set, tmp_path / "split")
    assert first.iteration == 6
    resumed = run(config, colour_set, tmp_path / "split", resume=True)
    assert (resumed.resumed_from, resumed.iteration) == (6, 12)
    assert_identical(checkpoint.load(straight.checkpoint), checkpoint.load(resumed.checkpoint))
    assert_identical(checkpoint.load(straight.export), checkpoint.load(resumed.export))


def test_callbacks_report_progress_checkpoints_and_evaluations(colour_set, tmp_path):
    progress, checkpoints, evaluations = [], [], []
    callbacks = Callbacks(
        on_progress=progress.append,
        on_checkpoint=lambda path, it: checkpoints.append((path.name, it)),
        on_evaluation=evaluations.append,
    )
    config = make_config("tiny", {"iterations": 7, "checkpoint_every": 3, "eval_every": 3})
    out = tmp_path / "run"
    result = train(config, colour_set, out, callbacks=callbacks, evaluator=mean_colour_gap)
    assert [p.iteration for p in progress] == list(range(1, 8))
    assert all(p.total == 7 and p.images_per_second > 0 for p in progress)
    assert all(torch.isfinite(torch.tensor([p.d_loss, p.g_loss])).all() for p in progress)
    assert all(p.ada_p is None for p in progress)  # the run adapts no probability
    assert checkpoints == [("checkpoint.pt", 3), ("checkpoint.pt", 6), ("checkpoint.pt", 7)]
    assert [e.iteration for e in evaluations] == [3, 6, 7]  # every 3 and at the end
    assert set(evaluations[-1].report) == set(colour_set.class_names)
    assert result.export.exists()
    assert sorted(p.name for p in out.iterdir()) == ["checkpoint.pt", "generator.pt"]  # no temp


def test_evaluation_compares_against_the_unaugmented_real_set(colour_set, tmp_path):
    seen = {}

    def recording_evaluator(real, fake, *, real_labels, fake_labels, class_names):
        seen.update(real=real, fake=fake, real_labels=real_labels, fake_labels=fake_labels)
        return mean_colour_gap(
            real, fake, real_labels=real_labels, fake_labels=fake_labels, class_names=class_names
        )

    config = make_config("tiny", {"iterations": 2, "eval_every": 2, "pre_augment_to": 200})
    train(config, colour_set, tmp_path, evaluator=recording_evaluator)
    assert torch.equal(seen["real"], colour_set.as_uint8())
    assert seen["fake"].shape == seen["real"].shape and seen["fake"].dtype == torch.uint8
    assert torch.equal(seen["fake_labels"], colour_set.labels)


def test_default_evaluator_without_inception_weights_reports_why_and_training_goes_on(
    colour_set, tmp_path
):
    evaluations = []
    config = make_config("tiny", {"iterations": 2, "eval_every": 2})
    result = train(
        config, colour_set, tmp_path, callbacks=Callbacks(on_evaluation=evaluations.append)
    )
    report = evaluations[0].report
    assert {r.name for r in report.results} >= {"fid", "kid", "is"}
    assert all(r.available or r.reason for r in report.results)
    json.dumps(report.to_dict())
    assert result.iteration == 2 and result.export.exists()


def scripted_kids(*kids, extractor="scripted-net"):
    """An evaluator whose reports, shaped as gan_engine.metrics makes them, give these overall
    KIDs, one per evaluation in turn: which evaluation is best is the test's choice."""
    remaining = list(kids)

    def evaluator(real, fake, **_):
        kid = MetricResult("kid", remaining.pop(0), 0.01, extractor, False, len(real), len(fake))
        return EvaluationReport(extractor, False, [kid])

    return evaluator


SNAPSHOT_CONFIG = make_config(
    "tiny", {"iterations": 6, "eval_every": 2, "export_snapshot": "lowest-kid"}
)


def exported_generator(config, colour_set, folder, **kwargs):
    result = train(config, colour_set, folder, **kwargs)
    return result, checkpoint.load(result.export)


def test_the_export_holds_the_generator_of_the_evaluation_with_the_lowest_kid(colour_set, tmp_path):
    best, export = exported_generator(
        SNAPSHOT_CONFIG, colour_set, tmp_path / "best", evaluator=scripted_kids(0.3, 0.1, 0.2)
    )
    at_4 = dataclasses.replace(SNAPSHOT_CONFIG, iterations=4, export_snapshot="final")
    _, export_at_4 = exported_generator(at_4, colour_set, tmp_path / "at-4")
    final = dataclasses.replace(SNAPSHOT_CONFIG, export_snapshot="final")
    last, export_at_6 = exported_generator(
        final, colour_set, tmp_path / "last", evaluator=scripted_kids(0.3, 0.1, 0.2)
    )
    assert (best.iteration, best.export_iteration, export["iteration"]) == (6, 4, 4)
    assert_identical(export["generator"], export_at_4["generator"])
    assert last.export_iteration == export_at_6["iteration"] == 6
    weights_4, weights_6 = export["generator"], export_at_6["generator"]
    assert any(not torch.equal(weights_4[name], weights_6[name]) for name in weights_4)


def test_a_resumed_run_keeps_the_lowest_kid_of_the_evaluations_before_its_checkpoint(
    colour_set, tmp_path
):
    first = dataclasses.replace(SNAPSHOT_CONFIG, iterations=4)
    train(first, colour_set, tmp_path / "split", evaluator=scripted_kids(0.3, 0.1))
    resumed, export = exported_generator(
        SNAPSHOT_CONFIG, colour_set, tmp_path / "split", evaluator=scripted_kids(0.2), resume=True
    )
    _, straight = exported_generator(
        SNAPSHOT_CONFIG, colour_set, tmp_path / "straight", evaluator=scripted_kids(0.3, 0.1, 0.2)
    )
    assert (resumed.resumed_from, resumed.export_iteration) == (4, 4)
    assert_identical(export, straight)


def test_a_kid_of_another_feature_network_replaces_the_kept_one(colour_set, tmp_path):
    first = dataclasses.replace(SNAPSHOT_CONFIG, iterations=4)
    train(first, colour_set, tmp_path, evaluator=scripted_kids(0.3, 0.1, extractor="net-a"))
    resumed = train(
        SNAPSHOT_CONFIG,
        colour_set,
        tmp_path,
        evaluator=scripted_kids(0.2, extractor="net-b"),
        resume=True,
    )
    assert resumed.export_iteration == 6  # 0.2 of net-b is not compared with 0.1 of net-a


def test_without_a_kid_the_export_is_the_last_generator(colour_set, tmp_path):
    result = train(SNAPSHOT_CONFIG, colour_set, tmp_path, evaluator=mean_colour_gap)
    assert result.export_iteration == checkpoint.load(result.export)["iteration"] == 6


def test_existing_checkpoint_is_not_overwritten_without_resume(colour_set, tmp_path):
    config = make_config("tiny", {"iterations": 1})
    train(config, colour_set, tmp_path)
    with pytest.raises(FileExistsError, match="resume it or train into a new folder"):
        train(config, colour_set, tmp_path)


def test_resume_refuses_a_checkpoint_made_with_other_settings_or_classes(colour_set, tmp_path):
    config = make_config("tiny", {"iterations": 1})
    train(config, colour_set, tmp_path)
    with pytest.raises(ValueError, match=r"other settings for \['g_lr', 'width'\]"):
        train(dataclasses.replace(config, width=4, g_lr=0.01), colour_set, tmp_path, resume=True)
    renamed = ImageSet(colour_set.images, colour_set.labels, ["x", "y", "z"])
    with pytest.raises(ValueError, match="classes"):
        train(config, renamed, tmp_path, resume=True)


def test_resume_without_a_checkpoint_starts_fresh(colour_set, tmp_path):
    result = train(make_config("tiny", {"iterations": 2}), colour_set, tmp_path, resume=True)
    assert (result.resumed_from, result.iteration) == (0, 2)


def test_bf16_training_runs_and_stays_finite(colour_set, tmp_path):
    progress = []
    config = make_config("tiny", {"iterations": 3, "precision": "bf16", "channels_last": True})
    train(config, colour_set, tmp_path, callbacks=Callbacks(on_progress=progress.append))
    assert all(torch.isfinite(torch.tensor([p.d_loss, p.g_loss])).all() for p in progress)


@pytest.mark.slow
def test_generated_images_take_the_mean_colour_of_their_class(colour_set, tmp_path):
    result = train(make_config("tiny", {"iterations": 150}), colour_set, tmp_path)
    model = load_sampling_model(result.export)
    labels = torch.arange(3).repeat_interleave(20)
    fake = generate(model.generator, labels, torch.arange(60))
    real = colour_set.as_uint8()
    real_means = torch.stack(
        [real[colour_set.labels == c].float().mean((0, 2, 3)) for c in range(3)]
    )
    fake_means = torch.stack([fake[labels == c].float().mean((0, 2, 3)) for c in range(3)])
    distances = torch.cdist(fake_means, real_means)  # fake class (row) to real class (column)
    assert distances.argmin(dim=1).tolist() == [0, 1, 2], distances
