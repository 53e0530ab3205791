"""The generation app's panels on the catalogue's version page: registered by the app, rendered
by the catalogue's page, with the engine's presets named and described once."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from datasets import panels
from gan_engine.presets import DEFAULT_PRESET, DESCRIPTIONS

pytestmark = pytest.mark.django_db


def test_generation_registers_its_panels_on_the_version_page():
    assert panels.panels_in(panels.LINEAGE) == ["generation/_version_lineage.html"]
    assert panels.panels_in(panels.AFTER_LINEAGE) == ["generation/_quality_report.html"]


def test_an_unknown_slot_is_refused():
    with pytest.raises(ValueError, match="unknown panel slot 'sidebar'"):
        panels.register_panel("sidebar", "anything.html")


def test_the_training_form_lists_the_engines_presets_with_the_default_chosen(
    client, owner, source_version
):
    client.force_login(owner)
    url = reverse("datasets:version", args=[source_version.dataset.slug, source_version.number])
    html = client.get(url).content.decode()
    for name, description in DESCRIPTIONS.items():
        assert f"{name}: {escape(description)}</option>" in html
    assert f'<option value="{DEFAULT_PRESET}" selected>' in html
    assert html.count(" selected>") == 1
