"""Object stores (S3-compatible, Google Cloud Storage) whose signed URLs name the endpoint
browsers can reach, and whose refused writes raise one exception that tasks retry on.

Inside Docker or a private network the server talks to the store as http://minio:9000, a name
no browser resolves; a presigned URL carries its host in the signature, so it cannot be
rewritten afterwards. With `public_endpoint_url` (AWS_S3_PUBLIC_ENDPOINT_URL) URLs are signed
for the public host instead; the proxy in front of the store must pass that Host header on.
Signing is local arithmetic: the public host is never contacted by the server.

Each store's `download_url` signs a URL whose answer carries the portal's Content-Type and
Content-Disposition, not what was recorded when the object was written: an object stored before
its name was corrected, or typed by a guess from its name, is still served as what the portal
detected it to be (docs/security.md).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from boto3.exceptions import Boto3Error
from botocore.exceptions import BotoCoreError, ClientError
from google.api_core.exceptions import GoogleAPIError
from google.auth.exceptions import GoogleAuthError
from google.cloud.storage import Client
from google.oauth2 import service_account
from requests import RequestException
from storages.backends.gcloud import GoogleCloudStorage as BaseGoogleCloudStorage
from storages.backends.s3 import S3Storage as BaseS3Storage


class StorageUnavailable(OSError):
    """The store refused or could not take a write: access denied, quota, a 5xx, unreachable.

    An OSError, as a full local disk is, so tasks that retry when storage hiccups (the ZIP
    build, generation.worker.faults) retry on it; the message names the file and the store's answer.
    """


S3_ERRORS = (Boto3Error, BotoCoreError, ClientError)
GCS_ERRORS = (GoogleAPIError, GoogleAuthError, RequestException)


@contextmanager
def refused_as_unavailable(errors: tuple[type[Exception], ...], what: str) -> Iterator[None]:
    """Raise a store client's errors while writing or deleting as StorageUnavailable."""
    try:
        yield
    except errors as error:
        raise StorageUnavailable(f"the bucket refused to {what}: {error}") from error


class S3Storage(BaseS3Storage):
    def __init__(self, *, public_endpoint_url: str | None = None, **options) -> None:
        # Signature v4 everywhere: v2 is refused by AWS regions opened since 2014 and by MinIO,
        # and botocore still presigns v2 for a custom endpoint unless told otherwise.
        options.setdefault("signature_version", "s3v4")
        super().__init__(**options)
        self._signer = (
            BaseS3Storage(**{**options, "endpoint_url": public_endpoint_url})
            if public_endpoint_url
            else None
        )

    def url(self, name, parameters=None, expire=None, http_method=None) -> str:
        signer = self._signer or super()
        return signer.url(name, parameters=parameters, expire=expire, http_method=http_method)

    def download_url(self, name: str, *, content_type: str, content_disposition: str) -> str:
        return self.url(
            name,
            parameters={
                "ResponseContentType": content_type,
                "ResponseContentDisposition": content_disposition,
            },
        )

    def _save(self, name, content):
        with refused_as_unavailable(S3_ERRORS, f"store {name}"):
            return super()._save(name, content)

    def delete(self, name) -> None:
        with refused_as_unavailable(S3_ERRORS, f"delete {name}"):
            super().delete(name)


class GoogleCloudStorage(BaseGoogleCloudStorage):
    """Google Cloud Storage through django-storages, with downloads as V4 signed URLs.

    `credentials` may be the path of a service-account key file (GS_CREDENTIALS): it both
    authenticates and signs. Without one the host's own identity is used (a GCE or GKE service
    account) and URLs are signed by the IAM signBlob API (GS_IAM_SIGN_BLOB). `api_endpoint`
    (GS_API_ENDPOINT) replaces https://storage.googleapis.com for a gateway or an emulator, for
    the server's calls and for the signed URLs; `custom_endpoint` (GS_CUSTOM_ENDPOINT) is a host
    bound to the bucket (a load balancer or CDN) that signed URLs then name instead.
    """

    def __init__(self, *, api_endpoint: str | None = None, **options) -> None:
        if isinstance(options.get("credentials"), str):
            options["credentials"] = service_account.Credentials.from_service_account_file(
                options["credentials"]
            )
        super().__init__(**options)
        self.api_endpoint = api_endpoint

    @property
    def client(self) -> Client:
        if self._client is None and self.api_endpoint:
            self._client = Client(
                project=self.project_id,
                credentials=self.credentials,
                client_options={"api_endpoint": self.api_endpoint},
            )
        return super().client

    def url(self, name, parameters=None) -> str:
        if self.api_endpoint:
            parameters = {"api_access_endpoint": self.api_endpoint, **(parameters or {})}
        return super().url(name, parameters=parameters)

    def download_url(self, name: str, *, content_type: str, content_disposition: str) -> str:
        return self.url(
            name,
            parameters={"response_type": content_type, "response_disposition": content_disposition},
        )

    def _save(self, name, content):
        with refused_as_unavailable(GCS_ERRORS, f"store {name}"):
            return super()._save(name, content)

    def delete(self, name) -> None:
        with refused_as_unavailable(GCS_ERRORS, f"delete {name}"):
            super().delete(name)
