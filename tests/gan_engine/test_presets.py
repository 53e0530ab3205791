"""Presets and the overrides the portal passes through them."""

import dataclasses

import pytest

from gan_engine.config import TrainConfig
from gan_engine.presets import DEFAULT_PRESET, DESCRIPTIONS, PRESETS, make_config


def test_paper_preset_is_exactly_the_paper():
    paper = PRESETS["paper"]
    assert (paper.resolution, paper.width, paper.z_dim, paper.batch_size) == (64, 64, 128, 96)
    assert (paper.g_lr, paper.d_lr, paper.d_steps) == (1e-4, 4e-4, 1)
    assert paper.pre_augment_to == 700
    assert (paper.ema_decay, paper.diffaugment, paper.lecam_weight) == (0.0, "", 0.0)
    assert (paper.precision, paper.g_padding) == ("fp32", "zeros")


def test_default_is_the_paper_architecture_with_the_ablations_choices():
    paper, default = PRESETS["paper"], PRESETS["default"]
    assert (default.resolution, default.width, default.batch_size) == (64, 64, 96)
    assert default.ema_decay > 0 and default.lecam_weight == 0
    assert default.diffaugment_ops == ("color", "translation", "cutout")
    assert (default.translation_step, default.translation_cutout_from) == (16, 1000)
    assert (default.precision, default.g_padding, default.g_margin) == ("bf16", "reflect", 8)
    assert (default.g_upsampling, default.g_output) == ("nearest", "tanh")
    assert default.attention_resolution == paper.attention_resolution


def test_small_is_the_default_recipe_at_the_cpu_demo_size():
    small, default = PRESETS["small"], PRESETS["default"]
    assert (small.width, small.batch_size, small.g_lr, small.d_lr) == (16, 32, 2e-4, 4e-4)
    assert small.iterations == 1000  # where docs/quality.md measured the recipe
    sized = {"width", "batch_size", "g_lr", "iterations", "eval_every", "checkpoint_every"}
    for name, value in default.to_dict().items():
        assert name in sized or getattr(small, name) == value, name


def test_tiny_switches_every_part_of_the_loop_on():
    tiny = PRESETS["tiny"]
    assert tiny.diffaugment_ops == ("color", "translation", "cutout")
    assert (tiny.translation_step, tiny.translation_cutout_from) == (1, 0)
    assert tiny.lecam_weight > 0 and tiny.ema_decay > 0


def test_overrides_apply_and_ints_are_accepted_for_floats():
    config = make_config("small", {"iterations": 50, "lecam_weight": 1, "d_lr": 0.001})
    assert (config.iterations, config.lecam_weight, config.d_lr) == (50, 1.0, 0.001)
    assert isinstance(config.lecam_weight, float)


@pytest.mark.parametrize(
    ("preset", "overrides", "message"),
    [
        ("huge", {}, "unknown preset 'huge'"),
        ("small", {"widht": 32}, r"unknown setting\(s\) \['widht'\]"),
        ("small", {"width": "32"}, "width must be int, got str '32'"),
        ("small", {"channels_last": 1}, "channels_last must be bool"),
        ("small", {"iterations": True}, "iterations must be int, got bool"),
        ("small", {"iterations": 0}, "iterations must be in 1..10000000"),
        ("small", {"iterations": -5}, "iterations must be"),
        ("small", {"batch_size": 4097}, "batch_size must be in 1..4096"),
        ("small", {"g_lr": float("nan")}, "g_lr must be a learning rate"),
        ("small", {"d_lr": 2}, "d_lr must be a learning rate"),
        ("small", {"resolution": 48}, r"resolution must be one of \(32, 64, 128\)"),
        ("small", {"attention_resolution": 64}, "attention_resolution must be"),
        ("small", {"diffaugment": "color,flip"}, "diffaugment must be a comma-separated subset"),
        ("small", {"precision": "fp16"}, "precision must be one of"),
        ("small", {"g_upsampling": "bicubic"}, r"g_upsampling must be one of \('nearest'"),
        ("small", {"g_shortcut_upsampling": "bicubic"}, r"g_shortcut_upsampling must be one of"),
        ("small", {"d_downsampling": "max"}, r"d_downsampling must be one of \('box', 'blur'\)"),
        ("small", {"g_margin": 4}, r"g_margin must be a multiple of 8 \(resolution / 8\)"),
        ("small", {"g_output": "sigmoid"}, r"g_output must be one of \('tanh', 'linear'\)"),
        ("small", {"ema_decay": 1.0}, r"ema_decay must be in \[0, 1\)"),
        ("small", {"eval_every": -1}, "eval_every must be 0"),
        ("tiny", {"ada_target": 1.0}, r"ada_target must be in \[0, 1\) \(0: off\)"),
        (
            "small",
            {"diffaugment": "color", "ada_target": 0.6},
            "ada_target must be 0 unless diffaugment has translation",
        ),
        ("tiny", {"ada_speed": 0}, "ada_speed must be in 1..1000000000"),
        ("small", {"translation_step": 0}, r"translation_step must be in 1..32 \(half the"),
        ("tiny", {"translation_step": 17}, r"translation_step must be in 1..16 \(half the"),
        ("tiny", {"translation_cutout_from": -1}, r"translation_cutout_from must be in 0\.\."),
    ],
)
def test_bad_overrides_raise_value_errors_naming_the_problem(preset, overrides, message):
    with pytest.raises(ValueError, match=message):
        make_config(preset, overrides)


def test_the_default_takes_any_diffaugment_without_resetting_when_translation_starts():
    """The default holds translation and cutout back to 1,000 iterations; a user who names
    colour alone (or nothing) should not also have to reset that iteration."""
    for ops in ("color", ""):
        config = make_config("small", {"diffaugment": ops})
        assert config.diffaugment == ops and config.translation_cutout_from == 1000


def test_every_preset_is_a_valid_config_that_round_trips_through_a_dict():
    for config in PRESETS.values():
        assert TrainConfig(**config.to_dict()) == config


def test_configs_are_frozen_so_presets_cannot_be_changed_by_accident():
    with pytest.raises(dataclasses.FrozenInstanceError):
        PRESETS["small"].width = 8  # type: ignore[misc]


def test_every_preset_is_described_once_and_the_default_is_one_of_them():
    assert set(DESCRIPTIONS) == set(PRESETS)
    assert DEFAULT_PRESET in PRESETS
    assert make_config() == PRESETS[DEFAULT_PRESET]
