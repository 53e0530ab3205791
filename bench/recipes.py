"""Training recipes side by side on the IHC demo set, and the ablation behind the default.

Each recipe (a preset plus changes) is trained for the same iterations from each seed, then
scored on what it draws: FID with the best Inception network available here (or the named
substitute, never called FID) on FID_PER_CLASS images per class as the paper did, KID and
precision/recall on the same features, and the artifact figures (saturated corners, block
grid, periodicity) of the EMA generator and of the raw one, on `--samples` images. One JSON
line per run (with `ada_p`, ADA's augmentation probability at the end, where the recipe adapts
one); a picture of every run's samples (one strip per run, in the order of the JSON
lines) beside them.

    .venv/bin/python bench/recipes.py                  # CPU: small width, paper vs default
    python3 bench/recipes.py --device cuda --iterations 1000 --recipes ablation --seeds 0 \\
        --compose --compose-size full --compose-seeds 0 1 --long 5000 --finish-within 300 --out DIR

`--recipes ablation` runs the default and the default with one change each (ABLATION), then
paper, seed by seed while time is left (`--finish-within`), at the `small` preset's size
("cpu") or the full one. `--compose` then builds the recipe the rule in `compose` picks
from those rows and trains it at `--compose-size` for the same iterations from each seed,
and for `--long` iterations once (fewer thousands if time is short): the figures that
decide the default. `--pick` instead takes the rows as candidates (e.g. CANDIDATES, from the
first seed), picks the best (`pick`), trains it from the other `--compose-seeds`, and
continues the first seed's run to `--long` iterations (the 1,000- and 5,000-iteration figures
of one run).

A later call with the same `--work` continues each recipe and seed from its checkpoint to the
new `--iterations`; its line says where it resumed (`resumed_from`) and its it/s is over the
iterations it added.
"""

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from pathlib import Path

import torch
from engine_common import emit

from gan_engine import metrics
from gan_engine.artifact_targets import BLOCK_RATIO_TARGET, SATURATION_TARGET
from gan_engine.artifacts import artifact_figures
from gan_engine.config import TrainConfig
from gan_engine.data import ImageSet, load_image_folder
from gan_engine.demo_data import write_ihc_demo_set
from gan_engine.extractors import best_fid_extractor, load_extractor
from gan_engine.presets import make_config
from gan_engine.quality.manifold import manifold_result
from gan_engine.sample import generate, grid, sampling_generator, save_png
from gan_engine.train import Callbacks, train

FID_PER_CLASS = 2000
SAMPLE_SEED_BASE = 2_000_000  # not the evaluation seeds the training loop uses
GRID_COLUMNS = 16
SCORE_SECONDS = 15.0  # sampling and scoring one run on a GPU, with room to spare

# The default's DiffAugment until 2026-12-07 (colour only): the ablation's `colour-only` row and
# the base of every candidate below, which docs/quality.md measured as changes from that
# default, so that each name still computes what its rows there measured.
COLOUR_ONLY = {"diffaugment": "color", "translation_step": 1, "translation_cutout_from": 0}
TRANSLATION_CUTOUT = {"diffaugment": "color,translation,cutout"}
# The default with one change each: what docs/quality.md's ablation found, undone one by one,
# and the settings the ablation left out.
ABLATION = {
    "default": {},
    "colour-only": COLOUR_ONLY,
    "translation-from-start": {"translation_cutout_from": 0},
    "every-pixel-translation": {"translation_step": 1},
    "lecam": {"lecam_weight": 0.3},
    "reflect-fill": {"translation_fill": "reflect"},
    "no-margin": {"g_margin": 0},
    "g-zero-padding": {"g_padding": "zeros"},
    "bilinear": {"g_upsampling": "bilinear"},
    "blur-d": {"d_downsampling": "blur"},
    "bilinear-shortcut": {"g_shortcut_upsampling": "bilinear"},
    "linear-output": {"g_output": "linear"},
    "fp32": {"precision": "fp32"},
    "no-pre-augment": {"pre_augment_to": 0},
}
# The default until 2026-12-05: LeCam 0.3, DiffAugment's three ops, no margin around G.
PREVIOUS_DEFAULT = {
    "lecam_weight": 0.3,
    "diffaugment": "color,translation,cutout",
    "g_margin": 0,
}
# For a GPU run: the default against the one before it at full size (the ablation ran at
# the `small` size on a CPU), and the runner-up of the CPU rows (bilinear up-sampling and a
# linear output: the lowest KID, one corner over its target). For long runs, where the
# default's KID rose after 2,000 iterations as D fitted the 225 tiles and the previous
# default's kept falling to 5,000: the previous default's regularisers back with the margin
# kept, and LeCam (alone or with translation and cutout) with bilinear up-sampling, which
# leaves no block grid for a weaker D to miss.
BILINEAR_LINEAR_OUTPUT = {"g_upsampling": "bilinear", "g_output": "linear"}
_CANDIDATES = {
    "colour-only": {},
    "translation-cutout": TRANSLATION_CUTOUT,
    "translation-reflect": {"diffaugment": "color,translation", "translation_fill": "reflect"},
    "previous-default": PREVIOUS_DEFAULT,
    "bilinear-linear-output": BILINEAR_LINEAR_OUTPUT,
    "lecam-translation-reflect": {
        "lecam_weight": 0.3,
        "diffaugment": "color,translation",
        "translation_fill": "reflect",
    },
    "bilinear-linear-output-lecam": {**BILINEAR_LINEAR_OUTPUT, "lecam_weight": 0.3},
    "bilinear-linear-lecam-translation-cutout": {
        **BILINEAR_LINEAR_OUTPUT,
        **PREVIOUS_DEFAULT,
        "g_margin": 8,  # the default's, not the previous default's 0
    },
    # Translation and cutout (no LeCam) kept the default learning to 5,000 iterations but left
    # a block grid at 1,000; bilinear up-sampling draws none.
    "bilinear-translation-cutout": {"g_upsampling": "bilinear", **TRANSLATION_CUTOUT},
    # Or translation and cutout only as D starts to fit the set (ADA's adaptive probability):
    # rare over the first thousand iterations, where they brought the grid.
    "ada-translation-cutout": {**TRANSLATION_CUTOUT, "ada_target": 0.6},
    # Or cutout alone: translation moves G's up-sampling grid against D's down-sampling grid
    # (by up to 8 px at 64), which may be what hides the grid from D; cutout moves nothing.
    "cutout": {"diffaugment": "color,cutout"},
    # Cutout alone kept the grid away but not the drift: translation back, by whole multiples
    # of G's coarsest up-sampling period, so that it moves the content but not G's grid.
    "aligned-translation-cutout": {**TRANSLATION_CUTOUT, "translation_step": 16},
    # It drew no grid at 1,000 iterations (seed 0) but a saturated corner beside the 16-px zero
    # band: the same with the band mirrored content, or no wider than DiffAugment's (8 px).
    "aligned-reflect-translation-cutout": {
        **TRANSLATION_CUTOUT,
        "translation_step": 16,
        "translation_fill": "reflect",
    },
    "8px-translation-cutout": {**TRANSLATION_CUTOUT, "translation_step": 8},
    # Both drew a saturated corner or a block grid at 1,000 iterations (seed 0), where colour
    # alone met the targets in three runs of four: translation and cutout held back until
    # then, to keep D from fitting the set over the iterations after it, where colour drifts.
    "late-translation-cutout": {
        **TRANSLATION_CUTOUT,
        "translation_cutout_from": 1000,
    },
    # Every-pixel translation drew the grid from 1,000 on as it does from the start; in 16-px
    # steps it drew none from the start (seed 0): the two together.
    "late-aligned-translation-cutout": {
        **TRANSLATION_CUTOUT,
        "translation_step": 16,
        "translation_cutout_from": 1000,
    },
}
CANDIDATES = {name: COLOUR_ONLY | changes for name, changes in _CANDIDATES.items()}
RECIPES = {"default": ("default", {}), "paper": ("paper", {})}
RECIPES |= {name: ("default", changes) for name, changes in (ABLATION | CANDIDATES).items()}
# What `small` changes from `default` for a 2-core CPU (width, batch, G lr).
CPU_SIZE = {"width": 16, "batch_size": 32, "g_lr": 2e-4}


def main() -> None:
    args = parse_args()
    torch.manual_seed(0)
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="recipes-"))
    work.mkdir(parents=True, exist_ok=True)
    out = Path(args.out) if args.out else work
    out.mkdir(parents=True, exist_ok=True)
    write_ihc_demo_set(work / "ihc")
    data = load_image_folder(work / "ihc", 64)
    scorer = Scorer(data, args.device, args.samples, args.fid_per_class, args.extractor)
    names = list(ABLATION) + ["paper"] if args.recipes == "ablation" else args.recipes.split(",")
    started = time.monotonic()
    finish = started + args.finish_within if args.finish_within else float("inf")
    runs: list[dict] = []
    strips: list[torch.Tensor] = []

    def run(name: str, preset: str, changes: dict, seed: int, iterations: int, size: str):
        """Train (or continue, where this recipe and seed ran before) and score."""
        if args.precision:
            changes = {**changes, "precision": args.precision}
        config = make_config(preset, {**changes, **_size(size)})
        config = dataclasses.replace(
            config, iterations=iterations, seed=seed, eval_every=0, checkpoint_every=0
        )
        folder = work / f"{name}-{size}-{seed}"
        started = time.perf_counter()
        latest: dict[str, float | None] = {}  # ADA's p at the last progress report
        result = train(
            config,
            data,
            folder,
            device=args.device,
            evaluator=_no_evaluation,
            resume=True,
            callbacks=Callbacks(on_progress=lambda p: latest.update(ada_p=p.ada_p)),
        )
        seconds = time.perf_counter() - started
        trained = iterations - result.resumed_from
        figures, strip = scorer.score(config, folder / "checkpoint.pt")
        strips.append(strip)
        record = emit(
            "recipes",
            recipe=name,
            preset=preset,
            changes=changes,
            seed=seed,
            iterations=iterations,
            size=size,
            device=args.device,
            resumed_from=result.resumed_from,
            train_seconds=round(seconds, 1),
            iterations_per_second=round(trained / seconds, 2) if trained else None,
            ada_p=latest.get("ada_p"),
            strip=len(strips) - 1,
            **figures,
        )
        record["run_seconds"] = round(time.perf_counter() - started, 1)
        runs.append(record)

    compose_seeds = args.compose_seeds or args.seeds
    reserve = 0.0
    if args.compose:
        # The rows come before the long run, which gets whatever time is left.
        composed_iterations = len(compose_seeds) * args.iterations
        reserve = composed_iterations / args.compose_speed + SCORE_SECONDS * len(compose_seeds)
    for seed in args.seeds:
        for name in names:
            if not _fits(finish - reserve, runs):
                print(f"time: skipped {name} seed {seed}", file=sys.stderr, flush=True)
                continue
            preset, changes = RECIPES[name]
            run(name, preset, changes, seed, args.iterations, args.preset_size)
    if args.pick:
        best = pick(runs)
        emit("recipes-pick", recipe=best["recipe"], changes=best["changes"])
        for seed in compose_seeds[1:]:
            run(best["recipe"], "default", best["changes"], seed, args.iterations, args.preset_size)
        long = _long_iterations(args.long, finish, runs[-1])
        if long > args.iterations:  # continues the first seed's run: its checkpoint is there
            run(best["recipe"], "default", best["changes"], args.seeds[0], long, args.preset_size)
    if args.compose:
        changes, reasons = compose(runs)
        emit("recipes-compose", changes=changes, reasons=reasons)
        for seed in compose_seeds:
            run("composed", "default", changes, seed, args.iterations, args.compose_size)
        long = _long_iterations(args.long, finish, runs[-1])
        if long:
            run("composed", "default", changes, compose_seeds[0], long, args.compose_size)
    picture = out / "recipes-samples.png"
    save_png(torch.cat(strips, dim=1), picture)
    (out / "recipes.jsonl").write_text("".join(json.dumps(r) + "\n" for r in runs))
    emit("recipes-files", samples=str(picture), runs=len(runs))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--recipes", default="paper,default", help="comma list, or 'ablation'")
    parser.add_argument("--preset-size", choices=("cpu", "full"), default="cpu")
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--samples", type=int, default=256, help="images for artifact figures")
    parser.add_argument("--fid-per-class", type=int, default=FID_PER_CLASS)
    parser.add_argument("--extractor", help="feature network (default: the best FID one here)")
    parser.add_argument(
        "--precision",
        choices=("fp32", "bf16"),
        help="every recipe's precision (fp32: as on a CPU without bf16 instructions)",
    )
    parser.add_argument(
        "--pick",
        action="store_true",
        help="after the rows (first seed): the best recipe (`pick`) from the other --compose-seeds"
        " and continued to --long iterations",
    )
    parser.add_argument("--compose", action="store_true")
    parser.add_argument("--compose-size", choices=("cpu", "full"), default="full")
    parser.add_argument("--compose-seeds", type=int, nargs="*", help="default: --seeds")
    parser.add_argument("--long", type=int, default=0, help="composed recipe: one longer run")
    parser.add_argument("--finish-within", type=float, default=0, help="seconds (0: no limit)")
    parser.add_argument(
        "--compose-speed", type=float, default=20.0, help="composed runs' it/s, to keep time"
    )
    parser.add_argument("--out", help="folder for the picture and the JSON lines")
    parser.add_argument(
        "--work",
        help="folder for the runs' checkpoints (default: a new temporary one); a later call"
        " with the same folder continues a recipe and seed to more --iterations",
    )
    return parser.parse_args()


def _size(preset_size: str) -> dict:
    return CPU_SIZE if preset_size == "cpu" else {}


def _no_evaluation(*_args, **_kwargs) -> None:
    """The loop's evaluations are skipped: every run is scored once, the same way, after."""
    return None


def _fits(deadline: float, runs: list[dict]) -> bool:
    """Whether one more row, as long as the slowest so far, ends before the deadline."""
    longest = max((r["run_seconds"] for r in runs), default=0.0)
    return time.monotonic() + longest < deadline


def _long_iterations(wanted: int, finish: float, last: dict) -> int:
    """The long run's iterations: as asked, or the thousands that still fit before `finish`
    at the speed of the last run (which had the long run's size)."""
    if finish == float("inf"):
        return wanted
    seconds = finish - time.monotonic() - SCORE_SECONDS
    fitting = int(seconds * (last["iterations_per_second"] or 0.0)) // 1000 * 1000
    return max(0, min(wanted, fitting))


class Scorer:
    """Scores a trained checkpoint: its EMA generator (or the raw one where there is none)
    against the real set, and the raw generator's artifact figures beside the EMA's."""

    def __init__(
        self, data: ImageSet, device: str, samples: int, per_class: int, extractor: str | None
    ):
        self.data, self.device, self.samples, self.per_class = data, device, samples, per_class
        self.extractor = extractor or best_fid_extractor()
        self.network = load_extractor(self.extractor, device=device)
        self.real = data.as_uint8()
        self.real_features = self.network.extract(self.real)

    def score(self, config: TrainConfig, checkpoint_path: Path) -> tuple[dict, torch.Tensor]:
        payload = torch.load(checkpoint_path, map_location="cpu", weights_only=True)
        num_classes = self.data.num_classes
        labels = torch.arange(num_classes).repeat_interleave(self.per_class)
        seeds = SAMPLE_SEED_BASE + torch.arange(len(labels))
        shown = torch.arange(self.samples) * len(labels) // self.samples  # all classes
        figures = {}
        raw = sampling_generator(config, num_classes, payload["generator"], device=self.device)
        figures["raw_artifacts"] = artifact_figures(generate(raw, labels[shown], seeds[shown]))
        weights = payload["generator_ema"] or payload["generator"]
        sampler = sampling_generator(config, num_classes, weights, device=self.device)
        fake = generate(sampler, labels, seeds)
        figures["artifacts"] = artifact_figures(fake[shown])
        figures["worst_corner"] = max(
            v for k, v in figures["artifacts"].items() if k.startswith("corner_")
        )
        figures["worst_block_ratio"] = max(
            v for k, v in figures["artifacts"].items() if k.startswith("block_ratio_")
        )
        figures["artifact_score"] = artifact_score(figures["artifacts"])
        figures |= self._distances(fake, labels)
        strip = grid(fake[_per_class(labels, GRID_COLUMNS // num_classes)], GRID_COLUMNS)
        return figures, strip

    def _distances(self, fake: torch.Tensor, labels: torch.Tensor) -> dict:
        fake_features = self.network.extract(fake)
        report = metrics.evaluate_features(
            self.real_features,
            fake_features,
            extractor=self.extractor,
            real_labels=self.data.labels,
            fake_labels=labels,
            metrics=("fid", "kid"),
            class_names=self.data.class_names,
        )
        fid, kid = report.get("fid"), report.get("kid")
        manifold = manifold_result(
            self.real_features.features,
            fake_features.features,
            extractor=self.extractor,
            class_name=None,
            generator=torch.Generator().manual_seed(0),
        )
        return {
            "extractor": self.extractor,
            "distance_label": fid.label,
            "fid_comparable": fid.fid_comparable,
            "fid": fid.value,
            "fid_small_sample": bool(getattr(fid, "small_sample", False)),
            "kid": kid.value,
            "kid_std": kid.std,
            "n_real": fid.n_real,
            "n_fake": fid.n_fake,
            "precision": manifold.precision,
            "recall": manifold.recall,
        }


def _per_class(labels: torch.Tensor, per_class: int) -> torch.Tensor:
    return torch.cat([torch.nonzero(labels == c)[:per_class, 0] for c in labels.unique()])


def artifact_score(artifacts: dict[str, float]) -> float:
    """How far the worst artifact figure is from its target: <= 1 meets every target."""
    corners = max(v for k, v in artifacts.items() if k.startswith("corner_"))
    blocks = max(v for k, v in artifacts.items() if k.startswith("block_ratio_"))
    return max(corners / SATURATION_TARGET, blocks / BLOCK_RATIO_TARGET)


def compose(runs: list[dict]) -> tuple[dict, dict]:
    """The default's changes worth keeping: each ablation row whose artifact score, averaged
    over its seeds, is at least 10% below the default's, and whose KID is no worse than the
    default's by more than its spread. The EMA generator is dropped only if the raw one
    scores better the same way. Returns the changes and, per row, why it was kept or not."""
    by_row: dict[str, list[dict]] = {}
    for run in runs:
        if run["preset"] == "default":
            by_row.setdefault(run["recipe"], []).append(run)
    if "default" not in by_row:
        return {}, {"default": "not run"}
    base = _means(by_row["default"])
    changes, reasons = {}, {}
    for name, rows in by_row.items():
        if name == "default":
            continue
        row = _means(rows)
        better = row["artifact_score"] <= 0.9 * base["artifact_score"]
        kid_ok = row["kid"] <= base["kid"] + max(base["kid_std"], row["kid_std"])
        if better and kid_ok:
            changes |= ABLATION[name]
        reasons[name] = {**row, "kept": better and kid_ok, "seeds": len(rows)}
    raw = sum(artifact_score(r["raw_artifacts"]) for r in by_row["default"]) / len(
        by_row["default"]
    )
    if raw <= 0.9 * base["artifact_score"]:
        changes["ema_decay"] = 0.0
    reasons["raw-generator"] = {"artifact_score": raw, "kept": "ema_decay" in changes}
    reasons["default"] = base
    if "translation_fill" in changes and "translation" not in changes.get(
        "diffaugment", "translation"
    ):
        del changes["translation_fill"]  # no translation left to fill
    return changes, reasons


def pick(runs: list[dict]) -> dict:
    """The row to make the default: among those meeting every artifact target, the lowest
    KID; where none does, the one nearest to the targets."""
    meeting = [r for r in runs if r["artifact_score"] <= 1]
    if meeting:
        return min(meeting, key=lambda r: r["kid"])
    return min(runs, key=lambda r: r["artifact_score"])


def _means(rows: list[dict]) -> dict:
    keys = ("artifact_score", "kid", "kid_std", "fid", "worst_corner", "worst_block_ratio")
    return {k: sum(r[k] or 0.0 for r in rows) / len(rows) for k in keys}


if __name__ == "__main__":
    main()
