"""bf16 is used where the device does bf16 arithmetic, and only there (gan_engine.precision)."""

from contextlib import nullcontext

import pytest
import torch

from gan_engine.precision import bf16_supported
from gan_engine.presets import make_config
from gan_engine.sample import load_sampling_model
from gan_engine.train import autocast_for, train
from tests.gan_engine.colour_sets import colour_set

CPU = torch.device("cpu")


def cpu_has_bf16() -> bool:
    """oneDNN's own answer: AVX512-BF16 or AMX on this CPU."""
    return torch.ops.mkldnn._is_mkldnn_bf16_supported()


def test_training_autocasts_to_bf16_on_a_cpu_only_with_bf16_instructions():
    context = autocast_for(CPU, "bf16")
    assert isinstance(context, torch.autocast) == cpu_has_bf16() == bf16_supported(CPU)
    if cpu_has_bf16():
        assert context.fast_dtype == torch.bfloat16


def test_fp32_never_autocasts():
    assert isinstance(autocast_for(CPU, "fp32"), nullcontext)


@pytest.fixture(scope="module")
def trained_export(tmp_path_factory):
    config = make_config("tiny", {"iterations": 2})
    return train(config, colour_set(per_class=4), tmp_path_factory.mktemp("run")).export


def test_sampling_in_bf16_only_where_the_cpu_has_bf16_instructions(trained_export):
    generator = load_sampling_model(trained_export, precision="bf16").generator
    expected = torch.bfloat16 if cpu_has_bf16() else torch.float32
    assert {p.dtype for p in generator.parameters()} == {expected}
