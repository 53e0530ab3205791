"""`python -m gan_engine`: a killed worker resumes; argument errors exit 2 with a message."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gan_engine import checkpoint
from gan_engine.__main__ import main

REPO = Path(__file__).resolve().parents[2]


def engine(*args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "gan_engine", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **kwargs,
    )


def wait_for(path: Path, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, process.stdout.read()
        assert time.monotonic() < deadline, f"no {path} after {timeout} s"
        time.sleep(0.05)


@pytest.mark.slow
def test_worker_killed_mid_run_resumes_from_its_last_checkpoint_and_finishes(
    colour_folder, tmp_path
):
    out = tmp_path / "run"
    args = ["train", str(colour_folder), "--preset", "tiny", "--iterations", "120"]
    args += ["--eval-every", "0", "--checkpoint-every", "5", "--out", str(out)]
    worker = engine(*args)
    wait_for(out / "checkpoint.pt", worker, timeout=120)
    time.sleep(0.5)  # let it train past the checkpoint, so the kill loses work
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    saved = checkpoint.load(out / "checkpoint.pt")["iteration"]
    assert 0 < saved < 120
    assert not (out / "generator.pt").exists()

    resumed = engine(*args, "--resume")
    output, _ = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, output
    assert f"done at iteration 120 (resumed from iteration {saved})" in output
    assert checkpoint.load(out / "checkpoint.pt")["iteration"] == 120

    sampler = engine(
        "sample", str(out / "generator.pt"), "--per-class", "2", "--out", str(tmp_path / "s")
    )
    output, _ = sampler.communicate(timeout=120)
    assert sampler.returncode == 0, output
    assert len(list((tmp_path / "s").glob("*/*.png"))) == 6


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--set", "widht=3"], r"unknown setting\(s\) \['widht'\]"),
        (["--set", "width=wide"], "width must be int, got str 'wide'"),
        (["--iterations", "0"], "iterations must be in 1..10000000"),
        (["--set", "batch_size=5000"], "batch_size must be in 1..4096"),
    ],
)
def test_bad_settings_exit_2_with_a_message(colour_folder, tmp_path, capsys, argv, message):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", str(colour_folder), "--preset", "tiny", "--out", str(tmp_path), *argv])
    assert exit_info.value.code == 2
    assert re.search(message, capsys.readouterr().err)


def test_training_again_into_a_folder_with_a_checkpoint_needs_resume(
    colour_folder, tmp_path, capsys
):
    argv = ["train", str(colour_folder), "--preset", "tiny", "--iterations", "1"]
    argv += ["--eval-every", "0", "--out", str(tmp_path / "run")]
    assert main(argv) == 0
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "resume it or train into a new folder" in capsys.readouterr().err
    assert main([*argv, "--resume"]) == 0


def test_sample_from_a_missing_file_exits_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["sample", str(tmp_path / "nope.pt"), "--per-class", "1", "--out", str(tmp_path)])
    assert exit_info.value.code == 2
    assert "nope.pt" in capsys.readouterr().err


def test_the_evaluation_line_names_each_figure_by_its_label_never_fid_for_a_substitute(
    colour_folder, tmp_path, capsys
):
    argv = ["train", str(colour_folder), "--preset", "tiny", "--iterations", "2"]
    argv += ["--eval-every", "2", "--extractor", "random-cnn-0", "--out", str(tmp_path / "run")]
    assert main(argv) == 0
    line = next(
        text for text in capsys.readouterr().out.splitlines() if text.startswith("iteration 2:")
    )
    assert "Fréchet distance (random-cnn-0 features) " in line
    assert "Kernel distance (random-cnn-0 features) " in line
    assert "(small sample: 18 real / 18 generated)" in line  # 18 images, 256 dimensions
    assert "block-boundary ratio at 4/8/16 px " in line
    assert not re.search(r"\b(fid|kid)\b", line, flags=re.IGNORECASE)


def test_the_progress_bar_shows_adas_probability_where_the_run_adapts_one(
    colour_folder, tmp_path, capsys
):
    argv = ["train", str(colour_folder), "--preset", "tiny", "--iterations", "3"]
    argv += ["--set", "ada_target=0.1", "--set", "ada_speed=80", "--out", str(tmp_path / "run")]
    assert main(argv) == 0
    p = float(checkpoint.load(tmp_path / "run" / "checkpoint.pt")["ada"]["p"])
    assert f"ada_p={p:.3f}" in capsys.readouterr().err
