"""The text the catalogue search matches, built from a dataset's descriptive fields.

It is stored case-folded in Dataset.search_text so that one plain `LIKE` finds "Ödem" from
"ödem" on SQLite as on PostgreSQL (SQLite folds only ASCII letters, and stores JSON lists such as
the keywords with escaped non-ASCII characters, so searching the columns themselves would find
different datasets on the two databases).
"""

from collections.abc import Iterable


def build_search_text(
    *,
    slug: str,
    title: str,
    description: str,
    keywords: Iterable[str],
    organ: str,
    class_names: Iterable[str],
) -> str:
    parts = [slug, title, description, *keywords, organ, *class_names]
    return "\n".join(part.strip() for part in parts if part and part.strip()).casefold()


def search_terms(query: str) -> list[str]:
    """The words of a query, case-folded; a dataset matches when its text holds every one."""
    return [term for term in query.casefold().split() if term]
