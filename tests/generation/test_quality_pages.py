"""The quality report on a synthetic version's page, its progress, the hold's override form and
the side-by-side comparison: real rows, the engine's real report JSON, the real views."""

import copy

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from datasets.constants import VersionState
from datasets.license_data import install_licenses
from datasets.models import License
from datasets.services import hold_publication
from generation.constants import JobState
from generation.presentation.charts import bar_chart_svg
from generation.presentation.quality import quality_summary
from tests.catalogue import body, zip_members
from tests.factories import make_user
from tests.generation.quality_rows import engine_report, make_report, source_and_synthetic

pytestmark = pytest.mark.django_db

HOLD = "34% of the images are as close to a training image as real images are to each other."
REASON = "Checked the closest pairs by eye: the near copies are blank background tiles."


def shown_share() -> str:
    """The memorized share of the test report as the page writes it (the largest of its spaces,
    at least the 6 exact copies of 18 images)."""
    share = engine_report()["memorization"]["memorized_share"]
    assert share >= 6 / 18
    return f"{share:.1%}"


@pytest.fixture
def people(db):
    install_licenses(License)
    return {
        "anonymous": None,
        "other": make_user("other"),
        "owner": make_user("owner"),
        "staff": make_user("staff", staff=True),
    }


@pytest.fixture
def versions(people):
    return source_and_synthetic(people["owner"])


def page_of(client, version, who=None) -> tuple[int, str]:
    if who is not None:
        client.force_login(who)
    response = client.get(reverse("datasets:version", args=[version.dataset.slug, version.number]))
    return response.status_code, response.content.decode()


def test_version_page_shows_the_finished_report_labelled_by_extractor(client, people, versions):
    source, synthetic = versions
    make_report(synthetic, source)
    status, page = page_of(client, synthetic, people["owner"])
    assert status == 200
    assert 'id="quality"' in page
    assert "Fréchet distance (domain-cnn-" in page and "Kernel distance (domain-cnn-" in page
    assert "FID (Inception-v3)" not in page  # no Inception weights offline: never called FID
    assert "inception-v3-fid features: not computed (Inception-v3 weights not available" in page
    assert "subsets of" in page  # KID's subset size beside its value
    assert "Precision" in page and "Coverage" in page
    assert "Flagged" in page and shown_share() in page
    assert "real+synthetic" in page and "Gain of real+synthetic over real" in page
    assert "<svg" in page and "Recall per class on held-out real images" in page
    pair = synthetic.quality_reports.get().closest_pairs[0]
    assert reverse("datasets:image-thumbnail", args=[pair["synthetic_image"]]) in page
    assert reverse("datasets:image-thumbnail", args=[pair["real_image"]]) in page


def test_running_report_shows_progress_that_the_page_polls(client, people, versions):
    source, synthetic = versions
    report = make_report(synthetic, source, state=JobState.RUNNING)
    client.force_login(people["owner"])
    progress_url = reverse("generation:quality-progress", args=[report.pk])
    _, page = page_of(client, synthetic)
    assert progress_url in page and "js/progress.js" in page
    running = client.get(progress_url).json()
    assert (running["state"], running["done"], running["total"]) == ("running", 1, 4)
    assert running["active"] and running["result_url"] is None
    report.state = JobState.SUCCEEDED
    report.save()
    done = client.get(progress_url).json()
    assert done["result_url"].endswith(f"/datasets/{synthetic.dataset.slug}/v1/#quality")


@pytest.mark.parametrize(("who", "visible"), [("anonymous", False), ("other", False)])
def test_report_of_a_private_draft_is_hidden_like_the_draft(client, people, versions, who, visible):
    source, synthetic = versions
    report = make_report(synthetic, source)
    status, _ = page_of(client, synthetic, people[who])
    assert status == 404
    assert client.get(reverse("generation:quality-progress", args=[report.pk])).status_code == 404


def test_version_without_report_says_so_and_real_version_shows_nothing(client, people, versions):
    source, synthetic = versions
    _, page = page_of(client, synthetic, people["owner"])
    assert "No quality report yet" in page and f"quality_report {synthetic.pk}" in page
    _, real_page = page_of(client, source)
    assert 'id="quality"' not in real_page


def override(client, who, version, reason=REASON):
    if who is not None:
        client.force_login(who)
    return client.post(
        reverse("generation:quality-override", args=[version.pk]), {"reason": reason}
    )


def test_anonymous_and_other_users_cannot_override_a_hold(client, people, versions):
    _, synthetic = versions
    hold_publication(version=synthetic, reason=HOLD)
    anonymous = override(client, None, synthetic)
    assert anonymous.status_code == 302 and reverse("login") in anonymous.url
    assert override(client, people["other"], synthetic).status_code == 404
    synthetic.refresh_from_db()
    assert synthetic.is_held and not synthetic.hold_override_reason


@pytest.mark.parametrize("who", ["owner", "staff"])
def test_editors_override_a_hold_with_a_reason_shown_on_the_page(client, people, versions, who):
    source, synthetic = versions
    make_report(synthetic, source)
    hold_publication(version=synthetic, reason=HOLD)
    _, held_page = page_of(client, synthetic, people[who])
    assert HOLD in held_page and 'name="reason"' in held_page
    response = override(client, people[who], synthetic)
    assert response.url.endswith("#quality")
    synthetic.refresh_from_db()
    assert not synthetic.is_held and synthetic.hold_overridden_by == people[who]
    _, page = page_of(client, synthetic)
    assert REASON in page and f"Overridden by {people[who].username}" in page
    assert 'name="reason"' not in page


def test_a_short_reason_is_refused_with_a_clear_message_and_the_hold_stays(
    client, people, versions
):
    _, synthetic = versions
    hold_publication(version=synthetic, reason=HOLD)
    response = override(client, people["owner"], synthetic, reason="fine")
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == [
        "The hold stays: write why the hold should be overridden (at least 20 characters)"
    ]
    synthetic.refresh_from_db()
    assert synthetic.is_held


def test_comparison_shows_versions_of_one_source_side_by_side(client, people, versions):
    source, synthetic = versions
    make_report(synthetic, source)
    second = source_and_synthetic(people["owner"], slug="second")[1]
    second.derived_from = source
    second.save()
    make_report(second, source)
    client.force_login(people["owner"])
    url = reverse("generation:quality-compare") + f"?versions={synthetic.pk},{second.pk}"
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "10.5072/tiles-synthetic.v1" in page and "10.5072/second-synthetic.v1" in page
    assert page.count(shown_share()) == 2 and "Accuracy, trained on real+synthetic" in page
    _, version_page = page_of(client, synthetic)
    assert f"?versions={synthetic.pk},{second.pk}" in version_page


def test_comparison_refuses_versions_of_different_sources(client, people, versions):
    source, synthetic = versions
    make_report(synthetic, source)
    other_source, other = source_and_synthetic(people["owner"], slug="other")
    make_report(other, other_source)
    client.force_login(people["owner"])
    response = client.get(
        reverse("generation:quality-compare") + f"?versions={synthetic.pk},{other.pk}"
    )
    assert response.status_code == 400
    assert "were made from different sources (10.5072/other.v1, 10.5072/tiles.v1)" in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("1", "name two or more synthetic versions to compare"),
        ("1,x", "give version ids separated by commas"),
        ("{synthetic},999999", "versions 999999: no such version, or no finished quality report"),
    ],
)
def test_comparison_refuses_bad_lists_with_one_line(client, people, versions, query, message):
    source, synthetic = versions
    make_report(synthetic, source)
    client.force_login(people["owner"])
    query = query.format(synthetic=synthetic.pk)
    response = client.get(reverse("generation:quality-compare") + f"?versions={query}")
    assert response.status_code == 400
    assert message in response.content.decode().lower()


def test_comparison_hides_versions_the_user_may_not_see(client, people, versions):
    source, synthetic = versions
    make_report(synthetic, source)
    second = source_and_synthetic(people["owner"], slug="second")[1]
    make_report(second, source)
    client.force_login(people["other"])
    response = client.get(
        reverse("generation:quality-compare") + f"?versions={synthetic.pk},{second.pk}"
    )
    assert response.status_code == 400
    assert "tiles-synthetic" not in response.content.decode()


def test_bar_chart_escapes_names_and_leaves_out_missing_values():
    svg = bar_chart_svg("Recall <per class>", ["a&b", "c"], {"real": [0.5, None]})
    assert "Recall &lt;per class&gt;" in svg and "a&amp;b" in svg
    assert svg.count("<rect x=") == 2  # one bar and one legend swatch


def test_summary_for_the_data_card_names_extractors_and_never_says_fid(people, versions):
    source, synthetic = versions
    summary = quality_summary(make_report(synthetic, source))
    text = "\n".join(summary["lines"])
    assert summary["flagged"] and f"{summary['memorized_share']:.1%}" == shown_share()
    assert "Kernel distance (domain-cnn-" in text and "FID" not in text
    assert "inception-v3-fid features: not computed" in text
    assert f"{shown_share()} of the synthetic images" in text and "above the limit of 5.0%" in text
    assert summary["extractors"] == [summary["extractors"][0]]
    assert summary["extractors"][0].startswith("domain-cnn-")
    assert set(summary["usefulness"]) == {"real", "synthetic", "real+synthetic"}


def test_published_version_shows_its_override_but_no_form(client, people, versions):
    source, synthetic = versions
    hold_publication(version=synthetic, reason=HOLD)
    override(client, people["owner"], synthetic)
    type(synthetic).objects.filter(pk=synthetic.pk).update(state=VersionState.PUBLISHED)
    _, page = page_of(client, synthetic)
    assert REASON in page and 'name="reason"' not in page


def record_summary(report) -> None:
    """The version's `metrics["quality"]`, as the generation app records a finished report
    for the catalogue (datasets.quality_summary)."""
    version = report.version
    version.metrics = {**version.metrics, "quality": quality_summary(report)}
    version.save(update_fields=["metrics"])


def test_zip_readme_has_the_quality_section_with_the_hold_and_its_override(
    client, people, versions
):
    source, synthetic = versions
    record_summary(make_report(synthetic, source))
    hold_publication(version=synthetic, reason=HOLD)
    override(client, people["owner"], synthetic)
    response = client.get(reverse("datasets:download", args=[synthetic.dataset.slug, 1]))
    members = zip_members(body(response))
    readme = members["tiles-synthetic-v1/README.md"].decode()
    section = readme.split("## Quality report", 1)[1].split("\n## ", 1)[0]
    assert "- Quality report" in section and "held-out" in section
    assert "Kernel distance (domain-cnn-" in section and "FID" not in section
    assert f"- Memorization: {shown_share()} of the synthetic images" in section
    assert "accuracy gain" not in section and "gain of real+synthetic over real" in section
    assert f"Publication hold: {HOLD}" in section
    assert "Overridden by owner on " in section and REASON in section


def test_public_synthetic_page_hides_the_real_images_of_a_private_source(client, versions):
    source, synthetic = versions
    type(synthetic.dataset).objects.filter(pk=synthetic.dataset_id).update(visibility="public")
    type(synthetic).objects.filter(pk=synthetic.pk).update(state=VersionState.PUBLISHED)
    make_report(synthetic, source)
    status, page = page_of(client, synthetic)
    pair = synthetic.quality_reports.get().closest_pairs[0]
    assert status == 200
    assert reverse("datasets:image-thumbnail", args=[pair["synthetic_image"]]) in page
    assert reverse("datasets:image-thumbnail", args=[pair["real_image"]]) not in page
    assert "real image not shown: its files are not shared with you" in page


def test_usefulness_recalls_follow_the_class_order_whatever_the_stored_key_order(
    client, people, versions
):
    source, synthetic = versions
    data = copy.deepcopy(engine_report())
    for result in data["usefulness"]["results"]:  # PostgreSQL's jsonb reorders keys like this
        result["per_class_recall"] = {"c": 0.3, "b": 0.2, "a": 0.1}
    make_report(synthetic, source, report=data)
    _, page = page_of(client, synthetic, people["owner"])
    row = page.split('<th scope="row">real</th>', 1)[1].split("</tr>", 1)[0]
    assert row.index("0.100") < row.index("0.200") < row.index("0.300")
