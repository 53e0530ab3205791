"""S3-compatible storage whose signed URLs name the endpoint browsers can reach.

Inside Docker or a private network the server talks to the store as http://minio:9000, a name
no browser resolves; a presigned URL carries its host in the signature, so it cannot be
rewritten afterwards. With `public_endpoint_url` (AWS_S3_PUBLIC_ENDPOINT_URL) URLs are signed
for the public host instead; the proxy in front of the store must pass that Host header on.
Signing is local arithmetic: the public host is never contacted by the server.
"""

from storages.backends.s3 import S3Storage as BaseS3Storage


class S3Storage(BaseS3Storage):
    def __init__(self, *, public_endpoint_url: str | None = None, **options) -> None:
        super().__init__(**options)
        self._signer = (
            BaseS3Storage(**{**options, "endpoint_url": public_endpoint_url})
            if public_endpoint_url
            else None
        )

    def url(self, name, parameters=None, expire=None, http_method=None) -> str:
        signer = self._signer or super()
        return signer.url(name, parameters=parameters, expire=expire, http_method=http_method)
