"""The run page's line charts: what each draws from the run's history, and the figure the
page shows for it (inline SVG and a caption stating each series' last value).

One description serves the page when it loads, the figure progress.js swaps in while the run
trains, and the standalone SVG, so the three never disagree.
"""

from collections.abc import Sequence

from django.utils.safestring import mark_safe

from generation.presentation.charts import last_values, line_chart_svg

# The Fréchet and the kernel distance get a chart each: a kernel distance of ~0.03 on the
# Fréchet distance's axis (tens to hundreds) is a flat line along zero.
RUN_CHARTS = ("losses", "distance", "kernel", "score")
EVALUATION_FIELDS = {"distance": ("fid",), "kernel": ("kid_mean",), "score": ("is_mean",)}
METRIC_NAMES = {"fid": "fid", "kid_mean": "kid", "is_mean": "is"}
TITLES = {
    "losses": "Hinge losses",
    "distance": "Fréchet distance to the real images",
    "kernel": "Kernel distance to the real images",
    "score": "Score",
}


def run_chart_series(history: dict, chart: str) -> tuple[str, dict[str, list]]:
    """Title and named (iteration, value) series of `chart` (one of RUN_CHARTS) from
    selectors.run_history; KeyError for any other name. Metrics are named after the network
    of the newest evaluation (never "FID" for another network's features)."""
    title = TITLES[chart]
    if chart == "losses":
        return title, {
            "G loss": [(it, g) for it, g, _ in history["losses"]],
            "D loss": [(it, d) for it, _, d in history["losses"] if d is not None],
        }
    points = history["evaluations"]
    series = {}
    for field in EVALUATION_FIELDS[chart]:
        values = [(p.iteration, getattr(p, field)) for p in points if getattr(p, field) is not None]
        if values:
            series[points[-1].label(METRIC_NAMES[field])] = values
    return title, series


def chart_figure(
    title: str, series: dict[str, Sequence[tuple[float, float]]], *, x_label: str = "iteration"
) -> dict:
    """What templates/generation/_chart_figure.html draws: the SVG and the caption's last
    values, formatted (iterations whole, values to four significant digits)."""
    return {
        "title": title,
        "x_label": x_label,
        # line_chart_svg escapes every text it writes
        "svg": mark_safe(line_chart_svg(title, series, x_label=x_label)),
        "last": [(name, f"{x:.0f}", f"{y:.4g}") for name, x, y in last_values(series)],
    }
