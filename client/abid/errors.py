"""The errors the client raises. Each kind has its own exit status in the command line, so a
shell script can tell "the portal said no" from "the bytes are wrong" without parsing text."""


class AbidError(Exception):
    """Anything the client reports to its user as one line."""

    exit_code = 1


class PortalError(AbidError):
    """The portal refused or failed a request; the message is the API's `detail`."""

    exit_code = 1

    def __init__(self, message: str, *, status: int | None = None, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code

    def __str__(self) -> str:
        message = super().__str__()
        return f"HTTP {self.status}: {message}" if self.status else message


class VerificationError(AbidError):
    """A downloaded file is not what the portal or the archive's MANIFEST.sha256 states."""

    exit_code = 3


class JobFailed(AbidError):
    """A generation job ended failed or cancelled."""

    exit_code = 4


class Unreachable(AbidError):
    """No answer from the portal: wrong URL, no network, or the server is down."""

    exit_code = 5
