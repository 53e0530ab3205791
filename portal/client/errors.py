"""The one error the client raises."""


class PortalError(Exception):
    """The portal refused or failed a request; the message is the API's `detail`."""

    def __init__(self, message: str, *, status: int | None = None, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code
