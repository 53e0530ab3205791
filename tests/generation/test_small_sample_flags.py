"""Figures from too few images say so, with the counts, wherever they are shown: the quality
report's page, comparison, API and data-card lines (the ZIP's README), and the model metrics
of the data card. Real rows and the engine's real reports (tests.generation.quality_rows: 18
real and 18 synthetic images, far fewer than any network's feature dimensions)."""

import pytest
import torch
from django.urls import reverse

from datasets.license_data import install_licenses
from datasets.models import License
from gan_engine.extractors import RANDOM_CNN
from gan_engine.metrics import evaluate
from generation.presentation.quality import comparison_rows, quality_summary
from generation.workflows.datacard import metric_lines
from tests.catalogue import body, zip_members
from tests.factories import make_user
from tests.generation.quality_rows import make_report, source_and_synthetic

pytestmark = pytest.mark.django_db

FEW = "from 18 real and 18 generated images, fewer than its"


@pytest.fixture
def owner(db):
    install_licenses(License)
    return make_user("owner")


@pytest.fixture
def report(owner):
    source, synthetic = source_and_synthetic(owner)
    return make_report(synthetic, source)


def test_the_quality_report_page_flags_small_sample_distances(client, owner, report):
    client.force_login(owner)
    version = report.version
    url = reverse("datasets:version", args=[version.dataset.slug, version.number])
    page = client.get(url).content.decode()
    assert "small sample (18 / 18)" in page
    domain = report.report["domain_extractor"]
    assert f"Small sample: Fréchet distance ({domain} features) {FEW}" in page
    assert "Per-class figures from small samples" in page and "a, b, c" in page


def test_the_quality_api_carries_the_flag_and_its_reason(client, owner, report):
    client.force_login(owner)
    data = client.get(f"/api/v1/versions/{report.version.pk}/quality/").json()
    overall = [
        d for f in data["report"]["fidelity"] for d in f["distances"] if d["class_name"] is None
    ]
    fid = [d for d in overall if d["name"] == "fid"]
    assert fid and all(d["small_sample"] and FEW in d["small_sample_reason"] for d in fid)
    assert all(not d["fid_comparable"] for d in fid)


def test_the_data_card_lines_and_the_zip_readme_flag_small_samples(client, owner, report):
    summary = quality_summary(report)
    fidelity = summary["statements"]["fidelity"]
    assert "(18 real / 18 synthetic; small sample: Fréchet distance (domain-cnn-" in fidelity
    version = report.version
    version.metrics = {**version.metrics, "quality": summary}
    version.save(update_fields=["metrics"])
    client.force_login(owner)
    response = client.get(reverse("datasets:download", args=[version.dataset.slug, 1]))
    readme = zip_members(body(response))[f"{version.dataset.slug}-v1/README.md"].decode()
    assert f"features) {FEW}" in readme


def test_the_comparison_marks_small_sample_figures_with_their_counts(report):
    rows = {row["label"]: row["values"] for row in comparison_rows([report])}
    fid_rows = [values for label, values in rows.items() if label.startswith("Fréchet distance")]
    assert fid_rows and all("(small sample: 18 real / 18 synthetic)" in v[0] for v in fid_rows)


def test_the_data_cards_model_metrics_flag_small_samples():
    generator = torch.Generator().manual_seed(0)
    real, fake = (
        torch.randint(0, 256, (20, 3, 32, 32), dtype=torch.uint8, generator=generator)
        for _ in range(2)
    )
    results = evaluate(real, fake, extractor=RANDOM_CNN).to_dict()["results"]
    [fid_line] = [line for line in metric_lines(results) if "Fréchet" in line]
    assert fid_line.startswith("- Fréchet distance (random-cnn-0 features): ")
    assert "(20 real / 20 generated); small sample: Fréchet distance (random-cnn-0 " in fid_line
    assert "fewer than its 256 feature dimensions" in fid_line
