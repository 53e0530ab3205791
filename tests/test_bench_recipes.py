"""bench/recipes.py continued in the same work folder: the figures are the continued run's.

The long-run rows of docs/quality.md are made this way (1,000 iterations a call), so a
continued call must say where it resumed and time only the iterations it added.
"""

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from gan_engine import checkpoint
from gan_engine.presets import make_config

ROOT = Path(__file__).resolve().parent.parent


def _recipes(work: Path, iterations: int, recipe: str = "default", *extra: str) -> dict:
    """One call of the bench at a tiny cost; its "recipes" JSON line."""
    command = [
        sys.executable,
        str(ROOT / "bench" / "recipes.py"),
        *("--recipes", recipe, "--seeds", "0", "--preset-size", "cpu"),
        *("--iterations", str(iterations), "--samples", "12", "--fid-per-class", "4"),
        *("--extractor", "random-cnn-0", "--work", str(work), *extra),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=True)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    (record,) = [line for line in lines if line["bench"] == "recipes"]
    return record


def test_every_recipe_the_bench_names_is_a_valid_configuration_at_both_sizes(monkeypatch):
    """A row whose setting the engine rejects would fail only after the rows before it had
    trained, hours into a run: each is checked here instead."""
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    recipes = importlib.import_module("recipes")
    for name, (preset, changes) in recipes.RECIPES.items():
        for size in ("cpu", "full"):
            config = make_config(preset, {**changes, **recipes._size(size)})
            assert {key: getattr(config, key) for key in changes} == changes, name


def test_the_candidates_compute_what_docs_measured_whatever_the_default(monkeypatch):
    """docs/quality.md measured each candidate as changes from the colour-only default of
    2026-12-05; the default since 2026-12-07 is the candidate that met the targets."""
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    recipes = importlib.import_module("recipes")
    colour_only = make_config("default", recipes.CANDIDATES["colour-only"])
    assert (colour_only.diffaugment, colour_only.translation_cutout_from) == ("color", 0)
    every_pixel = make_config("default", recipes.CANDIDATES["translation-cutout"])
    assert (every_pixel.translation_step, every_pixel.translation_cutout_from) == (1, 0)
    chosen = recipes.CANDIDATES["late-aligned-translation-cutout"]
    assert make_config("default", chosen) == make_config("default")


@pytest.mark.slow
def test_a_continued_run_reports_where_it_resumed_and_the_speed_of_what_it_added(tmp_path):
    first = _recipes(tmp_path, 2)
    continued = _recipes(tmp_path, 5)

    assert (first["resumed_from"], first["iterations"]) == (0, 2)
    assert (continued["resumed_from"], continued["iterations"]) == (2, 5)
    speed = 3 / continued["train_seconds"]
    assert abs(continued["iterations_per_second"] - speed) <= 0.01 + 0.05 * speed


@pytest.mark.slow
def test_a_row_of_a_recipe_with_ada_says_where_its_probability_ended(tmp_path):
    adaptive = _recipes(tmp_path, 2, "ada-translation-cutout")
    fixed = _recipes(tmp_path, 2)
    saved = checkpoint.load(tmp_path / "ada-translation-cutout-cpu-0" / "checkpoint.pt")
    assert adaptive["ada_p"] == float(saved["ada"]["p"]) and fixed["ada_p"] is None


@pytest.mark.slow
def test_a_precision_given_on_the_command_line_is_what_the_row_trained_and_says(tmp_path):
    """`--precision fp32` reproduces a CPU without bf16 instructions on one that has them."""
    record = _recipes(tmp_path, 2, "blur-d", "--precision", "fp32")
    saved = checkpoint.load(tmp_path / "blur-d-cpu-0" / "checkpoint.pt")
    assert record["changes"] == {"d_downsampling": "blur", "precision": "fp32"}
    assert (saved["config"]["precision"], saved["config"]["d_downsampling"]) == ("fp32", "blur")
