"""Bad input to train and generate: a clear one-line error, non-zero exit, nothing enqueued."""

import pytest
from django.core.management import CommandError, call_command

from datasets.services import import_dataset
from generation.models import GanModel, GenerationJob, TrainingRun
from tests.generation.conftest import write_colour_classes


def assert_nothing_started():
    assert not TrainingRun.objects.exists()
    assert not GenerationJob.objects.exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--dataset", "no-such-set"], "unknown dataset 'no-such-set'"),
        (["--dataset", "colours", "--preset", "huge"], "unknown preset 'huge'"),
        (["--dataset", "colours", "--iterations", "0"], "iterations"),
        (["--dataset", "colours", "--set", "batch_size=lots"], "batch_size"),
        (["--dataset", "colours", "--set", "no_such_key=1"], "no_such_key"),
        (["--dataset", "colours", "--dataset-version", "7"], "has no version 7"),
    ],
)
def test_train_rejects_bad_input_and_enqueues_nothing(source_version, arguments, message):
    with pytest.raises(CommandError, match=message) as error:
        call_command("train", *arguments)
    assert "\n" not in str(error.value)
    assert_nothing_started()


def test_train_rejects_a_single_class_set(owner, tmp_path):
    write_colour_classes(tmp_path / "all")
    (tmp_path / "one").mkdir()
    (tmp_path / "all" / "red").rename(tmp_path / "one" / "red")
    import_dataset(source=tmp_path / "one", title="Only red", license_spdx="CC0-1.0", owner=owner)
    with pytest.raises(CommandError, match="needs at least 2"):
        call_command("train", "--dataset", "only-red")
    assert_nothing_started()


def test_train_rejects_classes_with_too_few_images(owner, tmp_path, settings):
    settings.TRAINING_MIN_IMAGES_PER_CLASS = 20
    write_colour_classes(tmp_path / "few", per_class=12)
    import_dataset(source=tmp_path / "few", title="Few", license_spdx="CC0-1.0", owner=owner)
    with pytest.raises(CommandError, match=r"fewer than 20 images: blue \(12\), green \(12\)"):
        call_command("train", "--dataset", "few")
    assert_nothing_started()


def test_generate_without_any_model_says_so(owner):
    with pytest.raises(CommandError, match="no trained model yet"):
        call_command("generate", "10")
    assert_nothing_started()


@pytest.fixture
def model(source_version, owner):
    return GanModel.objects.create(
        name="colours-tiny",
        source_version=source_version,
        owner=owner,
        weights="models/none.pt",
        weights_sha256="0" * 64,
        class_names=["blue", "green", "red"],
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["10", "999"], "unknown model id 999"),
        (["0"], "count per class must be an integer from 1 to"),
        (["-5"], "count per class must be an integer from 1 to"),
        (["100001"], "count per class must be an integer from 1 to 100000"),
        (["10", "--class", "purple"], r"does not know the class\(es\) \['purple'\]"),
        (["10", "--seed", "-1"], "seed must be an integer from 0"),
    ],
)
def test_generate_rejects_bad_input_and_enqueues_nothing(model, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate", *arguments)
    assert not GenerationJob.objects.exists()
