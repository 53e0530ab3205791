"""The run page's charts in a real browser at 1280 CSS pixels: their text is drawn at a legible
size (measured as rendered, not read from the markup), legend names fit inside their chart or
are shortened with the whole name on hover, and each chart states its series' last values.

Run by `make test-services` (marked `services`); the charts are saved as
docs/screenshots/run-charts.png.
"""

import math

import pytest

from generation.constants import JobState
from generation.models import MetricPoint, TrainingRun
from tests.catalogue import imported_draft
from tests.e2e.browser import SCREENSHOTS, log_in, url
from tests.factories import make_user

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# A domain network's name as long as real ones get: its distances' legend names outgrow a row.
EXTRACTOR = "domain-cnn-ihc-stain-grades-v1-resnet18-finetuned-on-held-out-tiles"
ITERATIONS, EVAL_EVERY = 2000, 250


def run_with_history(owner, tmp_path, *, done: int = ITERATIONS) -> TrainingRun:
    """A run with the history a training leaves up to iteration `done` (finished if that is
    all): losses every 50 iterations, and distances and a score at each evaluation."""
    version = imported_draft(owner, tmp_path / "source", title="IHC stain grades")
    run = TrainingRun.objects.create(
        source_version=version,
        owner=owner,
        preset="small",
        config={"iterations": ITERATIONS, "eval_every": EVAL_EVERY},
        state=JobState.SUCCEEDED if done == ITERATIONS else JobState.RUNNING,
        progress_done=done,
        progress_total=ITERATIONS,
    )
    points = []
    for iteration in range(50, done + 1, 50):
        decay = math.exp(-iteration / 600)
        point = MetricPoint(
            run=run,
            iteration=iteration,
            g_loss=0.4 + 1.2 * decay + 0.08 * math.sin(iteration / 70),
            d_loss=1.9 - 0.5 * decay + 0.06 * math.cos(iteration / 90),
        )
        if iteration % EVAL_EVERY == 0:
            point.fid = 40 + 260 * decay
            point.kid_mean, point.kid_std = 0.02 + 0.3 * decay, 0.004
            point.is_mean, point.is_std = 1.3 + 0.9 * (1 - decay), 0.05
            point.extractor, point.n_real, point.n_fake = EXTRACTOR, 48, 300
        points.append(point)
    MetricPoint.objects.bulk_create(points)
    return run


def test_run_charts_are_legible_at_1280_pixels(page, live_server, tmp_path):
    owner = make_user("curator")
    run = run_with_history(owner, tmp_path)
    log_in(page, live_server, "curator")
    page.goto(url(live_server, "generation:run", run.pk))
    assert page.viewport_size["width"] == 1280
    charts = page.locator("#charts-title + .charts figure.chart")
    expect(charts).to_have_count(4)

    # Drawn at their own size: one SVG unit is one CSS pixel, so 12-unit text is 12 px.
    scales = page.eval_on_selector_all(
        "figure.chart svg", "svgs => svgs.map(svg => svg.getScreenCTM().a)"
    )
    assert scales and all(scale == pytest.approx(1) for scale in scales)
    heights = page.eval_on_selector_all(
        "figure.chart svg text.tick", "ticks => ticks.map(t => t.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 11

    # Legend names lie wholly inside their chart, and each has its full name to hover over.
    entries = page.eval_on_selector_all(
        "#charts-title + .charts svg .legend-entry",
        """entries => entries.map(entry => {
            const svg = entry.ownerSVGElement.getBoundingClientRect();
            const text = entry.querySelector("text").getBoundingClientRect();
            return {
                shown: entry.querySelector("text").textContent,
                full: entry.querySelector("title").textContent,
                inside: text.left >= svg.left && text.right <= svg.right
                    && text.top >= svg.top && text.bottom <= svg.bottom,
            };
        })""",
    )
    assert {entry["full"] for entry in entries} == {
        "G loss",
        "D loss",
        f"Fréchet distance ({EXTRACTOR} features)",
        f"Kernel distance ({EXTRACTOR} features)",
        f"Classifier score ({EXTRACTOR} logits)",
    }
    assert all(entry["inside"] for entry in entries), entries
    shortened = [entry for entry in entries if entry["shown"] != entry["full"]]
    assert shortened and all(entry["shown"].endswith("…") for entry in shortened)

    # Each chart's caption gives the last value of each of its series, full names included.
    captions = charts.locator("figcaption")
    expect(captions.nth(0)).to_contain_text("G loss")
    expect(captions.nth(0)).to_contain_text(f"(iteration {ITERATIONS})")
    expect(captions.nth(1)).to_contain_text(f"Fréchet distance ({EXTRACTOR} features)")
    expect(captions.nth(1)).not_to_contain_text("Kernel distance")
    last = MetricPoint.objects.get(run=run, iteration=ITERATIONS)
    expect(captions.nth(2)).to_contain_text(f"{last.kid_mean:.4g}")
    expect(captions.nth(3)).to_contain_text(f"{last.is_mean:.4g}")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("section", has=page.locator("#charts-title")).screenshot(
        path=SCREENSHOTS / "run-charts.png"
    )


def test_charts_follow_a_running_run_without_breaking_the_pages_csp(page, live_server, tmp_path):
    """progress.js swaps in the server's figures when new points arrive; nothing it inserts
    is refused by the Content-Security-Policy (Chromium reports refusals on the console)."""
    refusals = []
    page.on(
        "console",
        lambda message: (
            refusals.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    owner = make_user("curator")
    run = run_with_history(owner, tmp_path, done=1000)
    log_in(page, live_server, "curator")
    page.goto(url(live_server, "generation:run", run.pk))
    losses = page.locator("#charts-title + .charts figure.chart").first
    expect(losses.locator("figcaption")).to_contain_text("(iteration 1000)")

    MetricPoint.objects.create(run=run, iteration=1050, g_loss=0.123, d_loss=1.5)
    TrainingRun.objects.filter(pk=run.pk).update(progress_done=1050)
    expect(losses.locator("figcaption")).to_contain_text("G loss 0.123 (iteration 1050)")
    expect(losses.locator("svg .legend-entry")).to_have_count(2)
    assert refusals == []
