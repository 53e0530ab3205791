"""Charts as self-contained SVG, drawn on the server: line charts of a run's history, and
grouped bar charts of per-class figures (the quality report's).

No chart library and no CDN: the run page shows these as images and refreshes them while the
run progresses; the quality report puts its chart inline. Points with no value (an iteration
without evaluation, a class without held-out images) are skipped.
"""

from collections.abc import Sequence
from html import escape

WIDTH, HEIGHT = 640, 240
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 56, 16, 28, 36
COLOURS = ("#0b6e4f", "#5b3fa8", "#c2571a", "#1f6fb2")


def line_chart_svg(
    title: str, series: dict[str, Sequence[tuple[float, float]]], *, x_label: str = "iteration"
) -> str:
    """An SVG document with one polyline (and markers) per named series of (x, y) points."""
    points = [point for values in series.values() for point in values]
    parts = _frame(title)
    if not points:
        return _empty(parts)
    x_range = _padded_range([x for x, _ in points])
    y_range = _padded_range([y for _, y in points])
    parts += _axes(x_range, y_range, x_label)
    for index, values in enumerate(series.values()):
        colour = COLOURS[index % len(COLOURS)]
        coordinates = [_project(x, y, x_range, y_range) for x, y in values]
        if len(coordinates) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in coordinates)
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="1.8" points="{path}"/>'
            )
        parts += [
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{colour}"/>'
            for px, py in coordinates[-50:]
        ]
    parts += _legend(series)
    parts.append("</svg>")
    return "".join(parts)


def bar_chart_svg(
    title: str,
    categories: Sequence[str],
    series: dict[str, Sequence[float | None]],
    *,
    y_max: float = 1.0,
) -> str:
    """An SVG document with a group of bars per category, one bar per named series, on a
    0..y_max scale (shares and recalls); a missing value leaves its bar out."""
    parts = _frame(title)
    if not categories or not series:
        return _empty(parts)
    bottom, plot_w = HEIGHT - MARGIN_BOTTOM, WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = bottom - MARGIN_TOP
    parts += [
        f'<line x1="{MARGIN_LEFT}" y1="{MARGIN_TOP}" x2="{MARGIN_LEFT}" y2="{bottom}" '
        'stroke="#8a96a3"/>',
        f'<line x1="{MARGIN_LEFT}" y1="{bottom}" x2="{WIDTH - MARGIN_RIGHT}" y2="{bottom}" '
        'stroke="#8a96a3"/>',
    ]
    for fraction in (0, 0.5, 1):
        py = bottom - fraction * plot_h
        parts.append(
            f'<text x="{MARGIN_LEFT - 6}" y="{py + 4:.1f}" text-anchor="end" fill="#5a6776">'
            f"{fraction * y_max:.3g}</text>"
        )
    group_w = plot_w / len(categories)
    bar_w = group_w * 0.8 / len(series)
    for c_index, category in enumerate(categories):
        left = MARGIN_LEFT + c_index * group_w + group_w * 0.1
        parts.append(
            f'<text x="{left + group_w * 0.4:.1f}" y="{bottom + 14}" text-anchor="middle" '
            f'fill="#5a6776">{escape(category)}</text>'
        )
        for s_index, (name, values) in enumerate(series.items()):
            value = values[c_index]
            if value is None:
                continue
            height = min(max(value / y_max, 0), 1) * plot_h
            parts.append(
                f'<rect x="{left + s_index * bar_w:.1f}" y="{bottom - height:.1f}" '
                f'width="{bar_w * 0.9:.1f}" height="{height:.1f}" '
                f'fill="{COLOURS[s_index % len(COLOURS)]}"><title>{escape(category)}, '
                f"{escape(name)}: {value:.3f}</title></rect>"
            )
    parts += _legend(series)
    parts.append("</svg>")
    return "".join(parts)


def _frame(title: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" font-family="system-ui, sans-serif" '
        'font-size="11">',
        f"<title>{escape(title)}</title>",
        '<rect width="100%" height="100%" fill="#fff"/>',
        f'<text x="{MARGIN_LEFT}" y="16" font-size="13" font-weight="600">{escape(title)}</text>',
    ]


def _empty(parts: list[str]) -> str:
    parts.append(
        f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" fill="#5a6776">'
        "no points yet</text></svg>"
    )
    return "".join(parts)


def _legend(series) -> list[str]:
    parts = []
    for index, name in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        legend_x = WIDTH - MARGIN_RIGHT - 150
        legend_y = MARGIN_TOP + 4 + 14 * index
        parts.append(
            f'<rect x="{legend_x}" y="{legend_y - 8}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{legend_x + 14}" y="{legend_y + 1}">{escape(name)}</text>'
        )
    return parts


def _padded_range(values: list[float]) -> tuple[float, float]:
    low, high = min(values), max(values)
    if low == high:
        return low - 1, high + 1
    pad = (high - low) * 0.05
    return low - pad, high + pad


def _project(x, y, x_range, y_range) -> tuple[float, float]:
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    px = MARGIN_LEFT + (x - x_range[0]) / (x_range[1] - x_range[0]) * plot_w
    py = MARGIN_TOP + (1 - (y - y_range[0]) / (y_range[1] - y_range[0])) * plot_h
    return px, py


def _axes(x_range, y_range, x_label: str) -> list[str]:
    bottom = HEIGHT - MARGIN_BOTTOM
    parts = [
        f'<line x1="{MARGIN_LEFT}" y1="{MARGIN_TOP}" x2="{MARGIN_LEFT}" y2="{bottom}" '
        'stroke="#8a96a3"/>',
        f'<line x1="{MARGIN_LEFT}" y1="{bottom}" x2="{WIDTH - MARGIN_RIGHT}" y2="{bottom}" '
        'stroke="#8a96a3"/>',
        f'<text x="{(WIDTH + MARGIN_LEFT) / 2}" y="{HEIGHT - 6}" text-anchor="middle" '
        f'fill="#5a6776">{escape(x_label)}</text>',
    ]
    for fraction in (0, 0.5, 1):
        y_value = y_range[0] + fraction * (y_range[1] - y_range[0])
        _, py = _project(x_range[0], y_value, x_range, y_range)
        parts.append(
            f'<text x="{MARGIN_LEFT - 6}" y="{py + 4:.1f}" text-anchor="end" fill="#5a6776">'
            f"{y_value:.3g}</text>"
        )
        x_value = x_range[0] + fraction * (x_range[1] - x_range[0])
        px, _ = _project(x_value, y_range[0], x_range, y_range)
        parts.append(
            f'<text x="{px:.1f}" y="{bottom + 14}" text-anchor="middle" fill="#5a6776">'
            f"{max(x_value, 0):.0f}</text>"
        )
    return parts
