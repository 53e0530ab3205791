"""The engine without the portal.

    python -m gan_engine train DATA_DIR --preset small --iterations N --eval-every M --out DIR
                               [--resume] [--set key=value ...]
    python -m gan_engine sample CHECKPOINT --per-class N --out DIR [--seed S]

`train` shows a progress bar (iteration, losses, ETA), writes out/checkpoint.pt as it goes,
one sample grid per evaluation (out/samples-<iteration>.png), the evaluation reports
(out/metrics.jsonl) and finally out/generator.pt. `sample` writes PNGs in class folders with a
metadata.csv and a grid.png. Errors in the arguments exit with status 2 and a message.
"""

import argparse
import json
import sys
from pathlib import Path

import torch
from tqdm import tqdm

from gan_engine.artifact_targets import artifacts_summary
from gan_engine.data import load_image_folder
from gan_engine.presets import DEFAULT_PRESET, PRESETS, make_config
from gan_engine.sample import class_grid, load_sampling_model, save_png, write_samples
from gan_engine.train import (
    Callbacks,
    Evaluation,
    MetricsEvaluator,
    Progress,
    train,
)

GRID_COLUMNS = 8


def parse_override(text: str) -> tuple[str, object]:
    """key=value, the value read as JSON where it parses (numbers, true/false), else text."""
    key, sep, raw = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected key=value, got {text!r}")
    try:
        return key, json.loads(raw)
    except json.JSONDecodeError:
        return key, raw


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m gan_engine", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    common.add_argument(
        "--threads", type=int, help="torch CPU threads (1 is steadier on a busy, shared machine)"
    )

    t = commands.add_parser(
        "train", parents=[common], help="train a conditional GAN on a folder of class folders"
    )
    t.add_argument("data_dir", type=Path)
    t.add_argument("--preset", default=DEFAULT_PRESET, choices=sorted(PRESETS))
    t.add_argument("--iterations", type=int)
    t.add_argument("--eval-every", type=int, help="0: never evaluate")
    t.add_argument("--checkpoint-every", type=int)
    t.add_argument("--out", type=Path, required=True)
    t.add_argument("--resume", action="store_true", help="continue from out/checkpoint.pt")
    t.add_argument(
        "--set",
        type=parse_override,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="any other setting of the preset, e.g. --set width=32 --set precision=fp32",
    )
    t.add_argument("--extractor", default="inception-v3-fid", help="feature network for metrics")
    t.add_argument("--weights-path", help="local Inception-v3 weights file")

    s = commands.add_parser(
        "sample", parents=[common], help="generate images from a checkpoint or generator.pt"
    )
    s.add_argument("checkpoint", type=Path)
    s.add_argument("--per-class", type=int, required=True)
    s.add_argument("--out", type=Path, required=True)
    s.add_argument("--seed", type=int, default=0, help="image j of every class uses seed S + j")
    s.add_argument("--precision", default="fp32", choices=("fp32", "bf16"))
    return parser


def run_train(args: argparse.Namespace) -> None:
    schedule = {
        "iterations": args.iterations,
        "eval_every": args.eval_every,
        "checkpoint_every": args.checkpoint_every,
    }
    overrides = dict(args.set) | {k: v for k, v in schedule.items() if v is not None}
    config = make_config(args.preset, overrides)
    data = load_image_folder(args.data_dir, config.resolution)
    print(f"{len(data)} images in classes {data.class_names}; preset {args.preset}: {config}")

    bar = ProgressBar()

    def on_evaluation(e: Evaluation) -> None:
        grid_path = args.out / f"samples-{e.iteration:07d}.png"
        save_png(class_grid(e.images, e.labels, data.num_classes, GRID_COLUMNS), grid_path)
        report = e.report.to_dict()
        with open(args.out / "metrics.jsonl", "a") as f:
            f.write(json.dumps({"iteration": e.iteration, **report}) + "\n")
        bar.write(f"iteration {e.iteration}: {summarise(report)}; samples in {grid_path}")

    evaluator = MetricsEvaluator(
        extractor=args.extractor, weights_path=args.weights_path, device=args.device
    )
    callbacks = Callbacks(on_progress=bar, on_evaluation=on_evaluation)
    result = train(
        config,
        data,
        args.out,
        callbacks=callbacks,
        evaluator=evaluator,
        resume=args.resume,
        device=args.device,
    )
    bar.close()
    resumed = f" (resumed from iteration {result.resumed_from})" if result.resumed_from else ""
    snapshot = (
        f" (of iteration {result.export_iteration}, the evaluation with the lowest KID)"
        if result.export_iteration != result.iteration
        else ""
    )
    print(f"done at iteration {result.iteration}{resumed}; generator{snapshot} in {result.export}")


class ProgressBar:
    """tqdm bar (iteration, losses, ETA) opened at the first iteration reported, so a resumed
    run's bar starts where the checkpoint was and its ETA counts only this run's speed."""

    def __init__(self) -> None:
        self.bar: tqdm | None = None

    def __call__(self, p: Progress) -> None:
        if self.bar is None:
            self.bar = tqdm(total=p.total, initial=p.iteration - 1, unit="it", dynamic_ncols=True)
        figures = {"d_loss": f"{p.d_loss:.3f}", "g_loss": f"{p.g_loss:.3f}"}
        if p.ada_p is not None:
            figures["ada_p"] = f"{p.ada_p:.3f}"
        self.bar.set_postfix(figures, refresh=False)
        self.bar.update(p.iteration - self.bar.n)

    def write(self, text: str) -> None:
        tqdm.write(text)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def summarise(report: dict) -> str:
    """The overall results of a report in one line, each under its label as the pages show it
    (only the standard Inception-v3's distance is "FID"), small samples marked, then the
    artifact figures, e.g. 'Kernel distance (random-cnn-0 features) 0.012 ± 0.003 (small
    sample: 75 real / 75 generated); block-boundary ratio at 4/8/16 px 1.02/1.31/1.05 ...'."""
    parts = []
    for r in report["results"]:
        if r["class_name"] is not None:
            continue
        if not r["available"]:
            parts.append(f"{r['label']} unavailable ({r['reason']})")
            continue
        spread = f" ± {r['std']:.4g}" if r["std"] is not None else ""
        small = f" (small sample: {r['n_real']} real / {r['n_fake']} generated)"
        parts.append(f"{r['label']} {r['value']:.4g}{spread}{small if r['small_sample'] else ''}")
    if report.get("artifacts"):
        parts.append(artifacts_summary(report["artifacts"]))
    return "; ".join(parts)


def run_sample(args: argparse.Namespace) -> None:
    if args.per_class < 1:
        raise ValueError(f"--per-class must be at least 1, got {args.per_class}")
    model = load_sampling_model(args.checkpoint, device=args.device, precision=args.precision)
    rows = write_samples(model, args.out, per_class=args.per_class, base_seed=args.seed)
    print(f"{len(rows)} images of {model.class_names} in {args.out}")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        {"train": run_train, "sample": run_sample}[args.command](args)
    except (ValueError, FileExistsError, FileNotFoundError) as exc:
        parser.exit(2, f"error: {exc}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
