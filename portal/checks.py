"""System checks of the portal's settings: clear errors for missing or contradictory production
settings, at `manage.py check` (and every management command) rather than deep in a request.

Django's own deploy checks cover cookies, HSTS and SSL; these cover what only this portal knows:
its storage backends, its broker and the embedded default's development key.
"""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Warning, register

# The key in settings.py for a laptop; any other deployment must set its own.
EMBEDDED_SECRET_KEY = "embedded-default-insecure-key-change-me-in-production"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "testserver"}


@register()
def check_storage(app_configs=None, **kwargs) -> list:
    options = settings.STORAGES["default"].get("OPTIONS", {})
    if settings.STORAGE_BACKEND == "gcs":
        return _gcs_errors(options)
    if settings.STORAGE_BACKEND != "s3":
        return []
    errors = []
    if not options.get("bucket_name"):
        errors.append(
            Error(
                "STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME.",
                hint="Set AWS_STORAGE_BUCKET_NAME to the bucket the portal writes to.",
                id="portal.E001",
            )
        )
    if bool(options.get("access_key")) != bool(options.get("secret_key")):
        errors.append(
            Error(
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together.",
                hint="Set both, or neither to use the host's role or ~/.aws credentials.",
                id="portal.E002",
            )
        )
    return errors


def _gcs_errors(options: dict) -> list:
    """Downloads are signed URLs, so the server needs a key to sign with: a key file, or the
    IAM signBlob API under the host's own service account."""
    errors = []
    if not options.get("bucket_name"):
        errors.append(
            Error(
                "STORAGE_BACKEND=gcs needs GS_BUCKET_NAME.",
                hint="Set GS_BUCKET_NAME to the bucket the portal writes to.",
                id="portal.E004",
            )
        )
    key_file = options.get("credentials")
    if isinstance(key_file, str) and not Path(key_file).is_file():
        errors.append(
            Error(
                f"GS_CREDENTIALS={key_file} is not a readable file.",
                hint="Point GS_CREDENTIALS at the service account's JSON key file.",
                id="portal.E005",
            )
        )
    if not key_file and not options.get("iam_sign_blob"):
        errors.append(
            Error(
                "STORAGE_BACKEND=gcs cannot sign download URLs: neither GS_CREDENTIALS nor "
                "GS_IAM_SIGN_BLOB is set.",
                hint="Set GS_CREDENTIALS to a service-account key file, or GS_IAM_SIGN_BLOB=1 on "
                "a host whose service account may sign (roles/iam.serviceAccountTokenCreator).",
                id="portal.E006",
            )
        )
    return errors


@register(deploy=True)
def check_secret_key(app_configs=None, **kwargs) -> list:
    public = set(settings.ALLOWED_HOSTS) - LOCAL_HOSTS
    if settings.DEBUG or settings.SECRET_KEY != EMBEDDED_SECRET_KEY or not public:
        return []
    return [
        Error(
            f"SECRET_KEY is the embedded default, published in the source, while the portal "
            f"serves {', '.join(sorted(public))}.",
            hint="Set SECRET_KEY to a long random value, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`.",
            id="portal.E003",
        )
    ]


@register()
def check_shared_services(app_configs=None, **kwargs) -> list:
    """A server database means workers may run on other hosts; local brokers and folders are
    then invisible to them."""
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return []
    warnings = []
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        warnings.append(
            Warning(
                "CELERY_BROKER_URL is the file-system broker while the database is PostgreSQL: "
                "workers on other hosts cannot share it.",
                hint="Point CELERY_BROKER_URL at Redis or RabbitMQ (redis://host:6379/0).",
                id="portal.W001",
            )
        )
    if settings.STORAGE_BACKEND == "filesystem":
        warnings.append(
            Warning(
                "STORAGE_BACKEND=filesystem while the database is PostgreSQL: workers on other "
                "hosts see the files only if MEDIA_ROOT is a shared volume.",
                hint="Use STORAGE_BACKEND=s3 with a bucket, or mount MEDIA_ROOT on every host.",
                id="portal.W002",
            )
        )
    return warnings
