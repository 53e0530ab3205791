"""STORAGE_BACKEND=gcs checked at start: a bucket, and a way to sign download URLs."""

from tests.portal.test_settings_checks import PRODUCTION, manage_check

GCS = {
    **{key: value for key, value in PRODUCTION.items() if not key.startswith("AWS_")},
    "STORAGE_BACKEND": "gcs",
    "GS_BUCKET_NAME": "portal",
    "GS_PROJECT_ID": "portal-test",
}


def test_gcs_with_a_key_file_passes_check_deploy(tmp_path):
    key_file = tmp_path / "service-account.json"
    key_file.write_text("{}")
    result = manage_check(
        tmp_path, "--deploy", "--fail-level", "WARNING", **GCS, GS_CREDENTIALS=str(key_file)
    )
    assert result.returncode == 0, result.stderr


def test_gcs_without_a_bucket_or_a_way_to_sign_is_refused(tmp_path):
    result = manage_check(tmp_path, **{**GCS, "GS_BUCKET_NAME": ""})
    assert result.returncode != 0
    assert "portal.E004" in result.stderr and "GS_BUCKET_NAME" in result.stderr
    assert "portal.E006" in result.stderr and "GS_IAM_SIGN_BLOB" in result.stderr
    assert manage_check(tmp_path, **GCS, GS_IAM_SIGN_BLOB="1").returncode == 0


def test_gcs_key_file_that_is_not_there_is_named(tmp_path):
    result = manage_check(tmp_path, **GCS, GS_CREDENTIALS=str(tmp_path / "missing.json"))
    assert result.returncode != 0
    assert "portal.E005" in result.stderr and "missing.json" in result.stderr
