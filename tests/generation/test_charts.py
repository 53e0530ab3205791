"""The SVG charts' drawing rules, read back from the SVG they write: sized in CSS pixels,
legends that fit or are shortened with the full name kept, round ticks, captions' last values.
How they look in a browser is measured by tests/e2e/test_run_charts_browser.py."""

import xml.etree.ElementTree as ET

from generation.presentation.charts import (
    FONT,
    MARGIN_RIGHT,
    WIDTH,
    bar_chart_svg,
    last_values,
    line_chart_svg,
    text_width,
)

SVG = "{http://www.w3.org/2000/svg}"
LONG = "Fréchet distance (domain-cnn-ihc-stain-grades-v1-resnet18-finetuned-on-held-out features)"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def legend(root: ET.Element) -> list[tuple[str, str, float]]:
    """(shown text, hover title, x where the text starts) of each legend entry."""
    entries = root.iter(f"{SVG}g")
    return [
        (
            entry.find(f"{SVG}text").text,
            entry.find(f"{SVG}title").text,
            float(entry.find(f"{SVG}text").get("x")),
        )
        for entry in entries
        if entry.get("class") == "legend-entry"
    ]


def test_chart_is_drawn_at_its_size_in_css_pixels():
    root = parse(line_chart_svg("Hinge losses", {"G loss": [(0, 1.0), (10, 0.5)]}))
    width, height = root.get("width"), root.get("height")
    assert root.get("viewBox") == f"0 0 {width} {height}"  # one unit is one CSS pixel
    assert int(width) == WIDTH and root.get("font-size") == str(FONT) and FONT >= 12


def test_long_legend_name_is_shortened_inside_the_chart_with_the_full_name_on_hover():
    root = parse(line_chart_svg("Distance", {LONG: [(0, 300.0), (10, 90.0)]}))
    ((shown, title, x),) = legend(root)
    assert title == LONG
    assert shown.endswith("…") and LONG.startswith(shown[:-1])
    assert x + text_width(shown) <= WIDTH - MARGIN_RIGHT


def test_legend_wraps_to_rows_and_the_chart_grows_to_hold_them():
    short = parse(line_chart_svg("Losses", {"G loss": [(0, 1.0)], "D loss": [(0, 2.0)]}))
    assert [shown for shown, _, _ in legend(short)] == ["G loss", "D loss"]
    names = {f"{LONG[:40]} {index}": [(0, float(index))] for index in range(3)}
    wrapped = parse(line_chart_svg("Distance", names))
    rows = {entry.find(f"{SVG}text").get("y") for entry in wrapped.iter(f"{SVG}g")}
    assert len(rows) == 3
    assert [title for _, title, _ in legend(wrapped)] == list(names)
    assert int(wrapped.get("height")) > int(short.get("height"))


def test_ticks_fall_on_round_numbers():
    root = parse(line_chart_svg("Losses", {"G loss": [(50, 0.33), (2000, 1.99)]}))
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "tick"]
    assert ticks == ["0.0", "0.5", "1.0", "1.5", "2.0", "0", "500", "1000", "1500", "2000"]


def test_points_that_are_not_numbers_are_left_out():
    root = parse(line_chart_svg("Losses", {"G loss": [(0, 1.0), (5, float("nan")), (10, 2.0)]}))
    (line,) = root.iter(f"{SVG}polyline")
    assert len(line.get("points").split()) == 2


def test_names_and_titles_are_escaped():
    svg = line_chart_svg("Losses <run>", {"a&b": [(0, 1.0)]})
    root = parse(svg)  # well-formed despite the markup characters
    assert root.find(f"{SVG}title").text == "Losses <run>"
    assert legend(root)[0][1] == "a&b"


def test_empty_chart_says_so():
    root = parse(line_chart_svg("Score", {}))
    assert "no points yet" in [t.text for t in root.iter(f"{SVG}text")]


def test_bar_chart_category_too_wide_for_its_group_is_shortened_with_a_title():
    categories = [f"class {'x' * 60} {index}" for index in range(4)]
    root = parse(bar_chart_svg("Recall", categories, {"real": [0.5, 0.6, 0.7, 0.8]}))
    labels = [t for t in root.iter(f"{SVG}text") if t.find(f"{SVG}title") is not None]
    assert [t.find(f"{SVG}title").text for t in labels] == categories
    assert all(t.find(f"{SVG}title").tail.endswith("…") for t in labels)


def test_last_values_are_each_series_last_point():
    series = {"G loss": [(0, 1.0), (20, 0.4)], "D loss": [(0, 2.0), (10, 1.8)], "none": []}
    assert last_values(series) == [("G loss", 20, 0.4), ("D loss", 10, 1.8)]
