"""The quality report's part of a synthetic version's page, looked up by the template.

The version page belongs to the catalogue (datasets), which may not import this app: the app
registers templates/generation/_quality_report.html as a panel of that page (generation/apps.py,
datasets/panels.py), and the template asks this tag for the report, so the catalogue's view
needs no knowledge of quality reports.
"""

from django import template

from generation import selectors
from generation.constants import JobState
from generation.presentation.quality import closest_pairs, report_tables

register = template.Library()
# The page shows the closest few of each space; the API lists all the report kept.
PAIRS_PER_SPACE = 8


@register.simple_tag(takes_context=True)
def quality_report_of(context, version) -> dict | None:
    """The newest report of `version` the page's user may see, with its tables when done."""
    user = context["request"].user
    report = selectors.latest_quality_report(version=version, user=user)
    if report is None:
        return None
    if report.state != JobState.SUCCEEDED:
        return {"report": report, "done": False}
    return {
        **report_tables(report),
        "done": True,
        "pair_groups": pairs_by_space(closest_pairs(report, user=user)),
        "compare_with": selectors.comparable_versions(report=report, user=user),
    }


@register.filter
def percent(value: float | None) -> str:
    """0.0123 -> "1.2%"; shares are read as percentages."""
    return "–" if value is None else f"{value:.1%}"


@register.filter
def signed(value: float | None) -> str:
    """A gain with its sign: +0.021 or -0.013."""
    return "–" if value is None else f"{value:+.3f}"


def pairs_by_space(pairs: list[dict]) -> list[tuple[str, list[dict]]]:
    """The closest PAIRS_PER_SPACE pairs of each space, spaces in the report's order."""
    groups: dict[str, list[dict]] = {}
    for pair in pairs:
        groups.setdefault(pair["space"], []).append(pair)
    return [(space, group[:PAIRS_PER_SPACE]) for space, group in groups.items()]
