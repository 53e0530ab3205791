"""Places on a version's page that other apps fill with their own templates.

The catalogue must work without the apps built on it, so its templates include nothing of
theirs: an app registers a template for a named slot (from its AppConfig.ready), and the
`version_panels` tag of datasets/templatetags/catalogue.py renders whatever is registered, with
the page's context. An unknown slot renders nothing.
"""

# Slots of templates/datasets/detail.html, in page order.
LINEAGE = "version-lineage"  # inside the Lineage section, after the source
AFTER_LINEAGE = "version-after-lineage"  # a section of its own after the Lineage section
SLOTS = (LINEAGE, AFTER_LINEAGE)

_registered: dict[str, list[str]] = {slot: [] for slot in SLOTS}


def register_panel(slot: str, template_name: str) -> None:
    """Render `template_name` in `slot` of every version page; registering twice adds it once."""
    if slot not in _registered:
        raise ValueError(f"unknown panel slot {slot!r}; slots are {', '.join(SLOTS)}")
    if template_name not in _registered[slot]:
        _registered[slot].append(template_name)


def panels_in(slot: str) -> list[str]:
    """The templates registered for `slot`, in registration order."""
    return list(_registered.get(slot, ()))
