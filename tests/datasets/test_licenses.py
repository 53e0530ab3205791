import pytest

from datasets.license_data import LICENSES
from datasets.models import License

REQUIRED = {
    "CC-BY-4.0",
    "CC-BY-SA-4.0",
    "CC-BY-NC-4.0",
    "CC0-1.0",
    "ODbL-1.0",
    "PDDL-1.0",
    "CDLA-Permissive-2.0",
}


@pytest.mark.django_db
def test_data_migration_loads_every_required_license():
    assert set(License.objects.values_list("spdx_id", flat=True)) >= REQUIRED
    assert License.objects.count() == len(LICENSES)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("spdx_id", "attribution", "non_commercial", "share_alike"),
    [
        ("CC-BY-4.0", True, False, False),
        ("CC-BY-SA-4.0", True, False, True),
        ("CC-BY-NC-4.0", True, True, False),
        ("CC0-1.0", False, False, False),
        ("PDDL-1.0", False, False, False),
        ("ODbL-1.0", True, False, True),
    ],
)
def test_license_flags_match_the_license_terms(spdx_id, attribution, non_commercial, share_alike):
    license_ = License.objects.get(spdx_id=spdx_id)
    assert license_.requires_attribution is attribution
    assert license_.non_commercial is non_commercial
    assert license_.share_alike is share_alike


@pytest.mark.django_db
def test_every_license_has_an_https_url_and_a_summary():
    for license_ in License.objects.all():
        assert license_.url.startswith("https://"), license_.spdx_id
        assert len(license_.summary) > 40, license_.spdx_id
