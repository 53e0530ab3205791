"""The paper's recipe against the default recipe, at the `small` width, same iterations.

Both runs train on the same data with the same seed and budget, then generate as many images per
class as the real set has and are scored with gan_engine.metrics.evaluate against the
un-augmented real set, overall and per class:

- paper recipe: the `paper` preset (affine pre-augmentation to ~700, no EMA / DiffAugment /
  LeCam, zero padding, G lr 1e-4) at the small preset's width, batch and precision;
- default recipe: the `small` preset (EMA, DiffAugment, LeCam, reflect padding, G lr 2e-4).

The baseline measured in the same run is the real-vs-real floor: the real set's two halves
scored against each other. KID and FID come from each extractor asked for: the standard
Inception-v3 (FID-comparable; reported unavailable, with the reason, where its weights are not
on the machine) and offline stand-ins, labelled by name. Data: a folder of class folders, or
by default the IHC demo set (gan_engine.demo_data, 225 tiles in 3 classes).

    .venv/bin/python bench/quality.py [--data DIR] [--iterations 600] [--out bench/out/quality]

Prints one JSON line per run and the floor; sample grids go to --out.
"""

import argparse
import dataclasses
import tempfile
import time
from pathlib import Path

from engine_common import ROOT, emit, set_threads

DEFAULT_EXTRACTORS = "inception-v3-fid,random-cnn-0"
GRID_COLUMNS = 8


def recipes(iterations: int) -> dict:
    from gan_engine.presets import PRESETS

    small = dataclasses.replace(PRESETS["small"], iterations=iterations, eval_every=0)
    paper = dataclasses.replace(
        PRESETS["paper"],
        width=small.width,
        batch_size=small.batch_size,
        precision=small.precision,
        iterations=iterations,
        checkpoint_every=small.checkpoint_every,
    )
    return {"paper_recipe": paper, "default_recipe": small}


def scores(real, fake, real_labels, fake_labels, class_names, extractors) -> dict:
    """extractor -> metric -> {value, std, available, reason, per_class} (KID and FID)."""
    from gan_engine.metrics import evaluate

    out = {}
    for extractor in extractors:
        report = evaluate(
            real,
            fake,
            real_labels=real_labels,
            fake_labels=fake_labels,
            class_names=class_names,
            extractor=extractor,
            metrics=("kid", "fid"),
        )
        out[extractor] = {
            name: {
                **_figure(report.get(name)),
                "per_class": {c: _figure(report.get(name, c))["value"] for c in class_names},
            }
            for name in ("kid", "fid")
        }
    return out


def _figure(result) -> dict:
    if not result.available:
        return {"value": None, "available": False, "reason": result.reason}
    std = None if result.std is None else round(result.std, 6)
    return {
        "value": round(result.value, 6),
        "std": std,
        "available": True,
        "n_real": result.n_real,
        "n_fake": result.n_fake,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="folder of class folders (default: IHC demo)")
    parser.add_argument("--iterations", type=int, default=600)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "quality")
    parser.add_argument("--extractors", default=DEFAULT_EXTRACTORS)
    parser.add_argument("--threads", type=int, help="torch threads (default: one per core)")
    args = parser.parse_args()

    import torch

    from gan_engine.data import load_image_folder
    from gan_engine.demo_data import write_ihc_demo_set
    from gan_engine.sample import class_grid, generate, load_sampling_model, save_png
    from gan_engine.train import EVAL_SEED_BASE, train

    set_threads(args.threads)
    extractors = args.extractors.split(",")
    configs = recipes(args.iterations)
    resolution = configs["default_recipe"].resolution
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data or Path(tmp) / "ihc"
        if args.data is None:
            write_ihc_demo_set(data_dir)
        data = load_image_folder(data_dir, resolution)
    real = data.as_uint8()

    halves = torch.arange(len(real)) % 2 == 0
    emit(
        "quality_floor",
        what="real set, even-indexed images against odd-indexed",
        images=len(real),
        scores=scores(
            real[halves],
            real[~halves],
            data.labels[halves],
            data.labels[~halves],
            data.class_names,
            extractors,
        ),
    )
    for name, config in configs.items():
        out = args.out / name
        started = time.perf_counter()
        result = train(config, data, out, resume=True)  # a killed bench continues
        seconds = time.perf_counter() - started
        model = load_sampling_model(result.export)
        fake = generate(model.generator, data.labels, EVAL_SEED_BASE + torch.arange(len(real)))
        save_png(class_grid(fake, data.labels, data.num_classes, GRID_COLUMNS), out / "grid.png")
        emit(
            "quality",
            recipe=name,
            config=config.to_dict(),
            iterations=result.iteration,
            resumed_from=result.resumed_from,
            train_seconds=round(seconds, 1),
            seconds_per_iteration=round(
                seconds / max(1, result.iteration - result.resumed_from), 3
            ),
            images=len(real),
            classes=data.class_names,
            grid=str(out / "grid.png"),
            scores=scores(real, fake, data.labels, data.labels, data.class_names, extractors),
        )


if __name__ == "__main__":
    main()
