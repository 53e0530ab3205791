import pytest
from django.core.exceptions import ValidationError

from datasets.orcid import normalize_orcid, orcid_check_character, validate_orcid

# Real, published ORCID iDs (ORCID's documentation examples), including one ending in X.
VALID = ["0000-0002-1825-0097", "0000-0001-5109-3700", "0000-0002-1694-233X"]


@pytest.mark.parametrize("orcid", VALID)
def test_valid_orcid_passes(orcid):
    validate_orcid(orcid)


def test_check_character_matches_iso_7064_mod_11_2():
    assert orcid_check_character("000000021825009") == "7"
    assert orcid_check_character("000000021694233") == "X"


@pytest.mark.parametrize(
    ("orcid", "message"),
    [
        ("0000-0002-1825-0098", "check digit is 8, expected 7"),
        ("0000-0002-1694-2330", "check digit is 0, expected X"),
        ("0000000218250097", "four groups of four digits"),
        ("0000-0002-1825-009", "four groups of four digits"),
        ("https://orcid.org/0000-0002-1825-0097", "four groups of four digits"),
    ],
)
def test_malformed_orcid_is_rejected_with_the_reason(orcid, message):
    with pytest.raises(ValidationError, match=message):
        validate_orcid(orcid)


def test_orcid_url_is_normalized_to_the_bare_id():
    assert normalize_orcid(" https://orcid.org/0000-0002-1825-0097 ") == "0000-0002-1825-0097"
