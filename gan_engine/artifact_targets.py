"""Names, labels and publishing targets of the artifact figures (gan_engine.artifacts).

Apart from the measuring code, which needs torch, so that web pages can name stored figures
and say whether they meet the targets without loading it. The targets are what a sample set
must meet to be worth publishing: in every 8 x 8 corner at most 1% saturated pixels, and at
every up-sampling period a block-boundary ratio of at most 1.1 (a clean model measured
1.01-1.13, a blocky one 1.30-1.50). Periodicity has no target: it is read against real tiles.
"""

CORNERS = ("top_left", "top_right", "bottom_left", "bottom_right")
BLOCK_PERIODS = (4, 8, 16)
SATURATION_TARGET = 0.01
BLOCK_RATIO_TARGET = 1.1

FIGURES = (
    *(f"corner_saturation_{corner}" for corner in CORNERS),
    "centre_saturation",
    *(f"block_ratio_{period}" for period in BLOCK_PERIODS),
    "periodicity",
)
"""Every name `artifact_figures` returns, in a stable order (for tables and database fields)."""

LABELS = {
    **{
        f"corner_saturation_{corner}": f"Saturated pixels, {corner.replace('_', '-')} corner"
        for corner in CORNERS
    },
    "centre_saturation": "Saturated pixels, centre",
    **{f"block_ratio_{p}": f"Block-boundary ratio at {p} px" for p in BLOCK_PERIODS},
    "periodicity": "Periodicity (spectral peak over its ring)",
}
"""Display names, the same on every page, in the API's descriptions and in the CLI."""

TARGETS = {
    **{f"corner_saturation_{corner}": SATURATION_TARGET for corner in CORNERS},
    **{f"block_ratio_{p}": BLOCK_RATIO_TARGET for p in BLOCK_PERIODS},
}
"""Figure name -> the largest value that meets the target (inclusive)."""


def missed_targets(figures: dict[str, float]) -> dict[str, float]:
    """The figures that miss the publishing targets (every corner's saturated share <= 1%,
    every block ratio <= 1.1), with their values; empty when all are met."""
    return {name: figures[name] for name, limit in TARGETS.items() if not figures[name] <= limit}


def meets_targets(figures: dict[str, float]) -> bool:
    """Whether `figures` (from artifact_figures) meet every corner and block-ratio target."""
    return not missed_targets(figures)


def artifacts_summary(figures: dict[str, float]) -> str:
    """The figures in one line for logs, the CLI and data cards: block ratios, the worst
    corner's and the centre's saturated share, periodicity, and the targets missed."""
    ratios = "/".join(f"{figures[f'block_ratio_{p}']:.2f}" for p in BLOCK_PERIODS)
    corner = max(figures[f"corner_saturation_{corner}"] for corner in CORNERS)
    missed = missed_targets(figures)
    verdict = f"misses {', '.join(missed)}" if missed else "meets the corner and block targets"
    return (
        f"block-boundary ratio at {'/'.join(map(str, BLOCK_PERIODS))} px {ratios} "
        f"(target <= {BLOCK_RATIO_TARGET}), saturated pixels in the worst corner {corner:.1%} "
        f"(target <= {SATURATION_TARGET:.0%}; centre {figures['centre_saturation']:.1%}), "
        f"periodicity {figures['periodicity']:.1f}; {verdict}"
    )
