"""The run page's artifact figures and small-sample notes, looked up by the template.

The run page's view hands the template the run; these tags read its evaluated metric points
once each, so the figures (stored as MetricPoint fields) and the engine's small-sample flags
(stored with the report in `details`) appear without the view knowing about either.
"""

from django import template

from gan_engine.artifact_targets import (
    BLOCK_PERIODS,
    CORNERS,
    FIGURES,
    LABELS,
    TARGETS,
    missed_targets,
)
from generation.models import TrainingRun
from generation.presentation.run_charts import chart_figure

register = template.Library()
SHARES = (*(f"corner_saturation_{corner}" for corner in CORNERS), "centre_saturation")


@register.inclusion_tag("generation/_run_artifacts.html")
def artifact_figures_of(run: TrainingRun) -> dict:
    """The artifact figures of every evaluation (newest first) with the targets they miss,
    and charts of the block ratios and the saturated shares over iterations."""
    points = list(run.metric_points.exclude(block_ratio_8=None).order_by("iteration"))
    rows = []
    for point in reversed(points):
        figures = point.artifacts
        missed = missed_targets(figures)
        cells = [(_text(name, figures[name]), name in missed) for name in FIGURES]
        rows.append({"iteration": point.iteration, "cells": cells, "meets": not missed})
    ratios = {
        LABELS[f"block_ratio_{p}"]: [(q.iteration, getattr(q, f"block_ratio_{p}")) for q in points]
        for p in BLOCK_PERIODS
    }
    worst = {
        "Saturated pixels, worst corner (%)": [
            (q.iteration, 100 * max(getattr(q, name) for name in SHARES[:-1])) for q in points
        ],
        "Saturated pixels, centre (%)": [(q.iteration, 100 * q.centre_saturation) for q in points],
    }
    return {
        "headers": [
            (LABELS[name], f"≤ {_text(name, TARGETS[name])}" if name in TARGETS else "")
            for name in FIGURES
        ],
        "rows": rows,
        "charts": [
            chart_figure("Block-boundary ratio (1: no grid)", ratios),
            chart_figure("Saturated pixels", worst),
        ]
        if points
        else [],
    }


def _text(name: str, value: float) -> str:
    """Shares as percentages (0.0123 -> "1.23%"), ratios with two decimals."""
    return f"{value:.2%}" if name in SHARES else f"{value:.2f}"


@register.simple_tag
def small_sample_notes(run: TrainingRun) -> dict[int, list[str]]:
    """Iteration -> why each of its overall figures is biased by the sample size."""
    points = run.metric_points.exclude(extractor="").only("iteration", "details")
    return {point.iteration: list(point.small_sample_notes.values()) for point in points}


@register.filter
def at(mapping: dict, key) -> object:
    """mapping[key], or nothing: for dictionaries keyed by numbers, which templates cannot."""
    return mapping.get(key, ())
