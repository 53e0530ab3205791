"""End-to-end generation speed against the bare sampler, measured in the same run.

Builds a throwaway portal (SQLite + media in a temporary folder), imports the IHC demo set, and
registers a `small`-preset generator (untrained weights: speed does not depend on training).
Then, interleaved: (a) bare `gan_engine.sample.generate` for N images per class, and (b)
`manage.py generate N MODEL --sync` — sampling, PNG encoding, storage writes, ImageRecord and
GeneratedImage rows, then the synthetic-vs-source metrics. The metric step is timed on its own
too (the job records the seconds of each phase), so the storage path can be compared with
the bare sampler with and without it.

    .venv/bin/python bench/generate.py [--per-class 2000] [--repeats 1]

Prints one JSON line. Target (issue 4): end-to-end at least 0.8x the bare sampler.
"""

import argparse
import io
import json
import os
import platform
import sys
import tempfile
import time
from contextlib import redirect_stderr
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_portal(work: Path) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        PORTAL_VAR_DIR=str(work),
        DATABASE_URL=f"sqlite:///{work / 'db.sqlite3'}",
        MEDIA_ROOT=str(work / "media"),
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_model(work: Path):
    """The demo set imported, and a `small` generator registered as a GanModel."""
    from django.contrib.auth import get_user_model

    from datasets.services import import_dataset
    from gan_engine import checkpoint
    from gan_engine.demo_data import write_ihc_demo_set
    from gan_engine.nets import build_generator
    from gan_engine.presets import make_config
    from gan_engine.sample import SamplingModel, export_payload, sampling_generator
    from generation.models import GanModel
    from generation.worker import staging

    owner = get_user_model().objects.create_superuser("bench", "", "bench-password")
    write_ihc_demo_set(work / "demo")
    version = import_dataset(
        source=work / "demo", title="Bench", license_spdx="CC0-1.0", owner=owner
    ).version
    config = make_config("small")
    class_names = ["dab-high", "dab-low", "dab-medium"]
    weights = build_generator(config, len(class_names)).state_dict()
    generator = sampling_generator(config, len(class_names), weights)
    path = work / "generator.pt"
    checkpoint.save_atomic(export_payload(SamplingModel(generator, class_names, config, 0)), path)
    return GanModel.objects.create(
        name="bench-small",
        source_version=version,
        owner=owner,
        weights=staging.upload(path, "models/bench/generator.pt"),
        weights_sha256="-",
        config=config.to_dict(),
        class_names=class_names,
    ), path


def bare_sampler(path: Path, per_class: int, precision: str) -> float:
    """Images per second of gan_engine.sample alone: latents, network, uint8 conversion."""
    from gan_engine.sample import generate, load_sampling_model

    model = load_sampling_model(path, precision=precision)
    labels = [label for label in range(3) for _ in range(per_class)]
    seeds = list(range(len(labels)))
    started = time.perf_counter()
    generate(model.generator, labels, seeds)
    return len(labels) / (time.perf_counter() - started)


def end_to_end(model, per_class: int, seed: int) -> tuple[float, float, float]:
    """(images/s of the command, seconds of it, seconds of its metric step) - the last as the
    job itself timed it."""
    from django.core.management import call_command

    from generation.models import GenerationJob

    started = time.perf_counter()
    with redirect_stderr(io.StringIO()):
        call_command(
            "generate", per_class, model.pk, "--sync", "--seed", seed, stdout=io.StringIO()
        )
    seconds = time.perf_counter() - started
    job = GenerationJob.objects.order_by("-pk").first()
    assert job.result_version.image_count == 3 * per_class, job.error
    return 3 * per_class / seconds, seconds, job.timings["measure_seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-generate-") as tmp:
        work = Path(tmp)
        setup_portal(work)
        model, path = make_model(work)
        precision = model.config["precision"]
        bare, full = [], []
        for repeat in range(args.repeats):
            bare.append(bare_sampler(path, args.per_class, precision))
            full.append(end_to_end(model, args.per_class, seed=repeat * 10 * args.per_class))
    bare_rate = sorted(bare)[len(bare) // 2]
    rate, seconds, metric_seconds = sorted(full)[len(full) // 2]
    images = 3 * args.per_class
    storage_rate = images / (seconds - metric_seconds)
    print(
        json.dumps(
            {
                "bench": "generate",
                "machine": f"{platform.machine()} {os.cpu_count()} cpus",
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "preset": "small",
                "precision": precision,
                "images": images,
                "bare_sampler_images_per_s": round(bare_rate, 1),
                "end_to_end_images_per_s": round(rate, 1),
                "end_to_end_seconds": round(seconds, 2),
                "metric_step_seconds": round(metric_seconds, 2),
                "without_metric_step_images_per_s": round(storage_rate, 1),
                "ratio_end_to_end": round(rate / bare_rate, 3),
                "ratio_without_metric_step": round(storage_rate / bare_rate, 3),
                "target_ratio": 0.8,
            }
        )
    )


if __name__ == "__main__":
    main()
