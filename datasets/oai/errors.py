"""The protocol's error codes: each condition a request can fail on, answered as `<error>`."""


class OaiError(Exception):
    """A request the protocol answers with `<error code=...>`; `message` says what was wrong."""

    code = ""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BadVerb(OaiError):
    code = "badVerb"


class BadArgument(OaiError):
    code = "badArgument"


class BadResumptionToken(OaiError):
    code = "badResumptionToken"


class CannotDisseminateFormat(OaiError):
    code = "cannotDisseminateFormat"


class IdDoesNotExist(OaiError):
    code = "idDoesNotExist"


class NoRecordsMatch(OaiError):
    code = "noRecordsMatch"
