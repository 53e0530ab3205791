"""The quality report's key figures as the catalogue reads them: `version.metrics["quality"]`.

Quality reports are computed by the generation app (issue 8), which imports the catalogue; the
catalogue never imports it. So the generation app writes a summary of a draft's finished report
(its figures and the data card's lines, each named for its feature extractor) into the
version's `metrics` JSON, which the catalogue already copies into new versions and reads for its
exports, and the ZIP's README and the Croissant RAI fields read it here. Reading the reverse
relation `version.quality_reports` instead would tie the catalogue to the generation app's
tables and to the engine's report format. The publication hold and its override are the
catalogue's own fields and are read directly.
"""

from datasets.models import DatasetVersion

QUALITY_KEY = "quality"


def quality_summary_of(version: DatasetVersion) -> dict | None:
    """The summary of the version's quality report, or None where none was recorded."""
    summary = (version.metrics or {}).get(QUALITY_KEY)
    return summary if isinstance(summary, dict) and summary.get("lines") else None
