"""The engine's presets for the training form, named and described once in gan_engine.presets."""

from django import template

from gan_engine.presets import DEFAULT_PRESET, DESCRIPTIONS

register = template.Library()


@register.simple_tag
def preset_choices() -> list[dict]:
    """Each preset's name and one-line description, the default marked, in the engine's order."""
    return [
        {"name": name, "description": description, "default": name == DEFAULT_PRESET}
        for name, description in DESCRIPTIONS.items()
    ]
