"""Checkpoint files: atomic writes, safe loading, and the engine's import boundary."""

import random
import subprocess
import sys

import numpy as np
import pytest
import torch

from gan_engine import checkpoint


def test_a_failed_write_leaves_the_previous_checkpoint_and_no_temporary_file(tmp_path):
    path = tmp_path / "run" / "checkpoint.pt"
    path.parent.mkdir()
    checkpoint.save_atomic({"format": checkpoint.CHECKPOINT_FORMAT, "iteration": 1}, path)
    with pytest.raises(Exception, match="pickle"):
        checkpoint.save_atomic({"format": checkpoint.CHECKPOINT_FORMAT, "bad": lambda: 0}, path)
    assert checkpoint.load(path)["iteration"] == 1
    assert [p.name for p in path.parent.iterdir()] == ["checkpoint.pt"]


def test_load_rejects_files_that_are_not_engine_checkpoints(tmp_path):
    torch.save({"weights": torch.zeros(1)}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="not a gan_engine checkpoint"):
        checkpoint.load(tmp_path / "other.pt")


def test_global_random_states_round_trip_through_a_file(tmp_path):
    path = tmp_path / "rng.pt"
    state = checkpoint.global_rng_state()
    checkpoint.save_atomic({"format": checkpoint.CHECKPOINT_FORMAT, "rng": state}, path)
    expected = (torch.rand(3), random.random(), np.random.rand())
    checkpoint.restore_global_rng_state(checkpoint.load(path)["rng"])
    again = (torch.rand(3), random.random(), np.random.rand())
    assert torch.equal(expected[0], again[0]) and expected[1:] == again[1:]


def test_the_engine_never_imports_django():
    modules = "augment checkpoint config data demo_data losses nets presets sample train __main__"
    code = f"import sys\nfor m in {modules.split()!r}: __import__('gan_engine.' + m)\n"
    code += "print('django' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
