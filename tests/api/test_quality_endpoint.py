"""`GET /api/v1/versions/<id>/quality/`: the newest quality report of a synthetic version, as
visible as the version, with its hold and its closest pairs' thumbnails; documented; a bounded
number of queries however many pairs it lists."""

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext

from datasets.constants import VersionState
from datasets.models import Dataset, DatasetVersion
from datasets.services import hold_publication, override_publication_hold
from generation.constants import JobState
from generation.presentation.quality import quality_summary
from tests.generation.quality_rows import engine_report, make_report, source_and_synthetic

pytestmark = pytest.mark.django_db

HOLD = "Quality report: too many synthetic images are as close to a real one as real ones are."
REASON = "Reviewed every flagged pair: they are empty background tiles, not tissue."


@pytest.fixture
def versions(owner):
    return source_and_synthetic(owner)


def url(version) -> str:
    return f"/api/v1/versions/{version.pk}/quality/"


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 404), ("other", 404), ("owner", 200), ("staff", 200)]
)
def test_report_of_a_private_draft_is_seen_by_its_editors_only(api, versions, who, status):
    source, synthetic = versions
    make_report(synthetic, source)
    response = api(who).get(url(synthetic))
    assert response.status_code == status
    if status == 404:
        assert response.json()["detail"] == "No such dataset version."


def test_finished_report_carries_figures_hold_override_and_pair_thumbnails(api, users, versions):
    source, synthetic = versions
    report = make_report(synthetic, source)
    hold_publication(version=synthetic, reason=HOLD)
    override_publication_hold(version=synthetic, user=users["owner"], reason=REASON)
    data = api("owner").get(url(synthetic)).json()
    assert (data["id"], data["state"], data["flagged"]) == (report.pk, "succeeded", True)
    assert data["memorized_share"] == engine_report()["memorization"]["memorized_share"]
    assert data["report"]["format"] == "gan_engine.quality.report/1"
    assert data["version"]["identifier"] == synthetic.identifier
    assert data["progress"]["percent"] == 100.0
    assert data["hold"] | {"overridden_at": None} == {
        "held": False,
        "reason": HOLD,
        "override_reason": REASON,
        "overridden_by": "owner",
        "overridden_at": None,
    }
    [pair] = data["closest_pairs"]
    assert pair["synthetic_thumbnail"] == (
        f"http://testserver/datasets/images/{pair['synthetic_image']}/thumbnail/"
    )
    assert pair["real_thumbnail"].endswith(f"/datasets/images/{pair['real_image']}/thumbnail/")
    assert data["page_url"] == f"http://testserver/datasets/{synthetic.dataset.slug}/v1/#quality"


def test_public_synthetic_set_of_a_private_source_hides_the_real_thumbnails(api, versions):
    source, synthetic = versions
    Dataset.objects.filter(pk=synthetic.dataset_id).update(visibility="public")
    DatasetVersion.objects.filter(pk=synthetic.pk).update(state=VersionState.PUBLISHED)
    make_report(synthetic, source)
    data = api("anonymous").get(url(synthetic)).json()
    [pair] = data["closest_pairs"]
    assert pair["synthetic_thumbnail"] and pair["real_thumbnail"] is None


def test_running_report_shows_state_and_progress(api, versions):
    source, synthetic = versions
    make_report(synthetic, source, state=JobState.RUNNING)
    data = api("owner").get(url(synthetic)).json()
    assert data["state"] == "running" and data["report"] == {}
    assert (data["progress"]["done"], data["progress"]["total"]) == (1, 4)
    assert data["hold"]["held"] is False and data["closest_pairs"] == []


def test_version_without_report_is_a_404_that_says_so(api, versions):
    _, synthetic = versions
    response = api("owner").get(url(synthetic))
    assert response.status_code == 404
    assert response.json()["detail"] == f"{synthetic.identifier} has no quality report yet."


def test_newest_report_is_the_one_shown(api, versions):
    source, synthetic = versions
    make_report(synthetic, source)
    newest = make_report(synthetic, source, state=JobState.QUEUED)
    assert api("owner").get(url(synthetic)).json()["id"] == newest.pk


def test_queries_do_not_grow_with_the_closest_pairs(api, versions):
    source, synthetic = versions
    report = make_report(synthetic, source)
    client = api("other")
    Dataset.objects.filter(pk__in=[source.dataset_id, synthetic.dataset_id]).update(
        visibility="public"
    )
    DatasetVersion.objects.filter(pk__in=[source.pk, synthetic.pk]).update(
        state=VersionState.PUBLISHED
    )
    with CaptureQueriesContext(connection) as one:
        assert client.get(url(synthetic)).status_code == 200
    report.closest_pairs = report.closest_pairs * 16
    report.save()
    with CaptureQueriesContext(connection) as many:
        data = client.get(url(synthetic)).json()
    assert len(data["closest_pairs"]) == 16
    assert len(many) == len(one) <= 8


def test_endpoint_is_documented_as_one_report(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    operation = schema["paths"]["/api/v1/versions/{id}/quality/"]["get"]
    assert operation["summary"] == "The quality report of a synthetic version"
    response = operation["responses"]["200"]["content"]["application/json"]
    assert response["schema"] == {"$ref": "#/components/schemas/QualityReport"}
    assert "A finished report that holds publishing" in str(response["examples"])
    fields = schema["components"]["schemas"]["QualityReport"]["properties"]
    assert {"state", "progress", "report", "memorized_share", "flagged", "hold"} <= set(fields)
    assert fields["closest_pairs"]["items"] == {"$ref": "#/components/schemas/ClosestPair"}


def test_croissant_states_memorization_and_usefulness_in_its_rai_fields(api, users, versions):
    import mlcroissant

    source, synthetic = versions
    report = make_report(synthetic, source)
    synthetic.metrics = {"quality": quality_summary(report)}  # as the report task records it
    synthetic.save(update_fields=["metrics"])
    hold_publication(version=synthetic, reason=HOLD)
    override_publication_hold(version=synthetic, user=users["owner"], reason=REASON)
    document = api("owner").get(f"/api/v1/versions/{synthetic.pk}.croissant").json()
    metadata = mlcroissant.Dataset(jsonld=document).metadata
    assert not metadata.ctx.issues.errors, metadata.ctx.issues.report()
    [copying] = metadata.personal_sensitive_information
    share = engine_report()["memorization"]["memorized_share"]
    assert copying.startswith(f"Memorization: {share:.1%} of the synthetic images")
    assert f"Publication hold: {HOLD}" in copying and REASON in copying
    [use] = metadata.data_use_cases
    assert "accuracy" in use and "real+synthetic" in use and "macro-F1" in use
    [biases] = metadata.data_biases
    assert "Kernel distance (domain-cnn-" in biases and "FID" not in biases
