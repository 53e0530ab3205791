"""ORCID iD validation: the 16-character form with its ISO 7064 MOD 11-2 check character."""

import re

from django.core.exceptions import ValidationError

ORCID_PATTERN = re.compile(r"^(\d{4})-(\d{4})-(\d{4})-(\d{3}[\dX])$")
ORCID_URL_PREFIXES = ("https://orcid.org/", "http://orcid.org/", "orcid.org/")


def orcid_check_character(base_digits: str) -> str:
    """The check character of the first 15 digits, as ORCID computes it (ISO 7064 MOD 11-2)."""
    total = 0
    for digit in base_digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def normalize_orcid(value: str) -> str:
    """Strip an orcid.org URL prefix and surrounding space; `0000-0002-1825-0097` stays as is."""
    value = value.strip()
    for prefix in ORCID_URL_PREFIXES:
        if value.lower().startswith(prefix):
            return value[len(prefix) :]
    return value


def validate_orcid(value: str) -> None:
    """Raise ValidationError unless `value` is a well-formed ORCID iD with a correct check digit."""
    match = ORCID_PATTERN.match(value)
    if not match:
        raise ValidationError(
            f"{value!r} is not an ORCID iD: expected four groups of four digits such as "
            "0000-0002-1825-0097",
            code="orcid_format",
        )
    digits = "".join(match.groups())
    expected = orcid_check_character(digits[:15])
    if digits[15] != expected:
        raise ValidationError(
            f"{value!r} is not a valid ORCID iD: its check digit is {digits[15]}, "
            f"expected {expected}",
            code="orcid_checksum",
        )
