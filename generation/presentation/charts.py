"""Charts as self-contained SVG, drawn on the server: line charts of a run's history, and
grouped bar charts of per-class figures (the quality report's).

No chart library and no CDN: pages put these inline (the run page refreshes them while the
run progresses). Each SVG declares its width and height in CSS pixels equal to its viewBox and
the stylesheet never scales it, so a font size of 12 user units is 12 CSS pixels on screen at
any window width; a narrower window scrolls the figure instead of shrinking its text. Legends
sit below the plot, one row after another, and a name too long for its row is shortened with
an ellipsis while its <title> keeps the full name for hovering. Points with no value (an
iteration without evaluation, a class without held-out images) are skipped.
"""

import math
from collections.abc import Sequence
from html import escape

WIDTH = 560
PLOT_HEIGHT = 170
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP = 64, 28, 30
FONT, TITLE_FONT = 12, 14
# Below the plot: tick labels, the axis label, then the legend's rows.
TICKS_BELOW, AXIS_LABEL_BELOW, LEGEND_BELOW, LEGEND_ROW = 16, 32, 50, 18
SWATCH, SWATCH_GAP, ENTRY_GAP = 10, 5, 18
# A generous mean glyph width of system-ui text, in ems: legends laid out with it never run
# past the chart's edge, at the price of some room left unused.
GLYPH_EM = 0.62
COLOURS = ("#0b6e4f", "#5b3fa8", "#c2571a", "#1f6fb2")
MUTED = "#5a6776"
PLOT_BOTTOM = MARGIN_TOP + PLOT_HEIGHT
PLOT_WIDTH = WIDTH - MARGIN_LEFT - MARGIN_RIGHT


def line_chart_svg(
    title: str, series: dict[str, Sequence[tuple[float, float]]], *, x_label: str = "iteration"
) -> str:
    """An SVG document with one polyline (and markers) per named series of (x, y) points;
    points that are not finite numbers (a diverged loss) are left out."""
    series = {
        name: [(x, y) for x, y in values if math.isfinite(x) and math.isfinite(y)]
        for name, values in series.items()
    }
    points = [point for values in series.values() for point in values]
    if not points:
        return _empty(title)
    x_axis = _nice_range([x for x, _ in points])
    y_axis = _nice_range([y for _, y in points])
    legend, rows = _legend(list(series))
    parts = _frame(title, rows) + _axes(x_axis, y_axis, x_label)
    for index, values in enumerate(series.values()):
        colour = COLOURS[index % len(COLOURS)]
        coordinates = [_project(x, y, x_axis, y_axis) for x, y in values]
        if len(coordinates) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in coordinates)
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="1.8" points="{path}"/>'
            )
        parts += [
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{colour}"/>'
            for px, py in coordinates[-50:]
        ]
    return "".join([*parts, *legend, "</svg>"])


def bar_chart_svg(
    title: str,
    categories: Sequence[str],
    series: dict[str, Sequence[float | None]],
    *,
    y_max: float = 1.0,
) -> str:
    """An SVG document with a group of bars per category, one bar per named series, on a
    0..y_max scale (shares and recalls); a missing value leaves its bar out."""
    if not categories or not series:
        return _empty(title)
    legend, rows = _legend(list(series))
    parts = _frame(title, rows) + _axis_lines()
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        parts.append(
            _y_tick(PLOT_BOTTOM - fraction * PLOT_HEIGHT, _tick_text(fraction * y_max, y_max / 4))
        )
    group_w = PLOT_WIDTH / len(categories)
    bar_w = group_w * 0.8 / len(series)
    for c_index, category in enumerate(categories):
        left = MARGIN_LEFT + c_index * group_w + group_w * 0.1
        parts.append(
            _label(category, left + group_w * 0.4, PLOT_BOTTOM + TICKS_BELOW, group_w, "middle")
        )
        for s_index, (name, values) in enumerate(series.items()):
            value = values[c_index]
            if value is None:
                continue
            height = min(max(value / y_max, 0), 1) * PLOT_HEIGHT
            parts.append(
                f'<rect x="{left + s_index * bar_w:.1f}" y="{PLOT_BOTTOM - height:.1f}" '
                f'width="{bar_w * 0.9:.1f}" height="{height:.1f}" '
                f'fill="{COLOURS[s_index % len(COLOURS)]}"><title>{escape(category)}, '
                f"{escape(name)}: {value:.3f}</title></rect>"
            )
    return "".join([*parts, *legend, "</svg>"])


def last_values(
    series: dict[str, Sequence[tuple[float, float]]],
) -> list[tuple[str, float, float]]:
    """(name, x, y) of each series' last point, for a caption that states what the chart's
    right edge shows without reading it off the axis; empty series are left out."""
    return [(name, values[-1][0], values[-1][1]) for name, values in series.items() if values]


def height(legend_rows: int) -> int:
    """The chart's height in CSS pixels: the plot, its axis labels and the legend's rows."""
    return PLOT_BOTTOM + LEGEND_BELOW + LEGEND_ROW * max(legend_rows - 1, 0) + 8


def text_width(text: str, font: int = FONT) -> float:
    """An upper estimate of `text`'s rendered width in pixels (no font metrics on a server)."""
    return len(text) * font * GLYPH_EM


def shorten(text: str, room: float, font: int = FONT) -> str:
    """`text`, or as much of it as fits `room` pixels followed by an ellipsis."""
    if text_width(text, font) <= room:
        return text
    keep = max(int(room / (font * GLYPH_EM)) - 1, 1)
    return text[:keep].rstrip() + "…"


def _frame(title: str, legend_rows: int) -> list[str]:
    chart_height = height(legend_rows)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{chart_height}" '
        f'viewBox="0 0 {WIDTH} {chart_height}" class="chart-svg" role="img" '
        f'aria-label="{escape(title)}" font-family="system-ui, sans-serif" font-size="{FONT}">',
        f"<title>{escape(title)}</title>",
        '<rect width="100%" height="100%" fill="#fff"/>',
        f'<text x="{MARGIN_LEFT}" y="{TITLE_FONT + 4}" font-size="{TITLE_FONT}" '
        f'font-weight="600">{escape(title)}</text>',
    ]


def _empty(title: str) -> str:
    parts = _frame(title, 0)
    parts.append(
        f'<text x="{WIDTH / 2}" y="{MARGIN_TOP + PLOT_HEIGHT / 2}" text-anchor="middle" '
        f'fill="{MUTED}">no points yet</text></svg>'
    )
    return "".join(parts)


def _label(text: str, x: float, y: float, room: float, anchor: str = "start") -> str:
    """A text of at most `room` pixels; when shortened, its <title> holds the whole text."""
    shown = shorten(text, room)
    hover = f"<title>{escape(text)}</title>" if shown != text else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{MUTED}">'
        f"{hover}{escape(shown)}</text>"
    )


def _legend(names: list[str]) -> tuple[list[str], int]:
    """Legend entries flowed left to right below the plot, wrapping to a new row when the next
    would cross the right margin; each entry's <title> is its full name. Returns the SVG
    parts and the number of rows."""
    parts, row, x = [], 0, MARGIN_LEFT
    room = WIDTH - MARGIN_RIGHT - MARGIN_LEFT - SWATCH - SWATCH_GAP
    for index, name in enumerate(names):
        shown = shorten(name, room)
        entry_width = SWATCH + SWATCH_GAP + text_width(shown)
        if x > MARGIN_LEFT and x + entry_width > WIDTH - MARGIN_RIGHT:
            row, x = row + 1, MARGIN_LEFT
        y = PLOT_BOTTOM + LEGEND_BELOW + row * LEGEND_ROW
        parts.append(
            f'<g class="legend-entry"><title>{escape(name)}</title>'
            f'<rect x="{x}" y="{y - SWATCH + 1}" width="{SWATCH}" height="{SWATCH}" '
            f'fill="{COLOURS[index % len(COLOURS)]}"/>'
            f'<text x="{x + SWATCH + SWATCH_GAP}" y="{y}">{escape(shown)}</text></g>'
        )
        x += round(entry_width + ENTRY_GAP)
    return parts, row + 1 if names else 0


def _nice_range(values: list[float], ticks: int = 5) -> tuple[float, float, float]:
    """(low, high, step) of an axis holding `values`, its ends and ticks on round numbers
    (1, 2 or 5 times a power of ten) so tick labels read as 0, 500, 1000 rather than 162, 1125."""
    low, high = min(values), max(values)
    if low == high:
        low, high = low - 1, high + 1
    rough = (high - low) / (ticks - 1)
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _tick_values(axis: tuple[float, float, float]) -> list[float]:
    low, high, step = axis
    return [low + i * step for i in range(round((high - low) / step) + 1)]


def _tick_text(value: float, step: float) -> str:
    """`value` with as few decimals as its axis' step needs (0.25 steps: two), no float noise;
    very large or fine values in three significant digits."""
    if abs(value) < 1e6:
        for decimals in range(5):
            if abs(round(step, decimals) - step) <= step * 1e-9:
                return f"{value:.{decimals}f}"
    return f"{value:.3g}"


def _project(x, y, x_axis, y_axis) -> tuple[float, float]:
    px = MARGIN_LEFT + (x - x_axis[0]) / (x_axis[1] - x_axis[0]) * PLOT_WIDTH
    py = MARGIN_TOP + (1 - (y - y_axis[0]) / (y_axis[1] - y_axis[0])) * PLOT_HEIGHT
    return px, py


def _axis_lines() -> list[str]:
    return [
        f'<line x1="{MARGIN_LEFT}" y1="{MARGIN_TOP}" x2="{MARGIN_LEFT}" y2="{PLOT_BOTTOM}" '
        'stroke="#8a96a3"/>',
        f'<line x1="{MARGIN_LEFT}" y1="{PLOT_BOTTOM}" x2="{WIDTH - MARGIN_RIGHT}" '
        f'y2="{PLOT_BOTTOM}" stroke="#8a96a3"/>',
    ]


def _y_tick(py: float, text: str) -> str:
    return (
        f'<text class="tick" x="{MARGIN_LEFT - 6}" y="{py + FONT / 3:.1f}" text-anchor="end" '
        f'fill="{MUTED}">{text}</text>'
    )


def _axes(x_axis, y_axis, x_label: str) -> list[str]:
    parts = _axis_lines()
    parts.append(
        _label(
            x_label,
            MARGIN_LEFT + PLOT_WIDTH / 2,
            PLOT_BOTTOM + AXIS_LABEL_BELOW,
            PLOT_WIDTH,
            "middle",
        )
    )
    for y_value in _tick_values(y_axis):
        _, py = _project(x_axis[0], y_value, x_axis, y_axis)
        parts.append(_y_tick(py, _tick_text(y_value, y_axis[2])))
    for x_value in _tick_values(x_axis):
        px, _ = _project(x_value, y_axis[0], x_axis, y_axis)
        parts.append(
            f'<text class="tick" x="{px:.1f}" y="{PLOT_BOTTOM + TICKS_BELOW}" '
            f'text-anchor="middle" fill="{MUTED}">{_tick_text(x_value, x_axis[2])}</text>'
        )
    return parts
