"""Errors the catalogue's services raise for input they refuse (the doors turn them into 400s,
CommandErrors or form errors)."""


class ImportRejected(ValueError):
    """An uploaded image set, or what came with it, cannot be imported; nothing was stored.

    The message is always one line naming the file (or the argument) and the problem: the
    command prints it as is, and an entry name inside a hostile archive may hold line breaks.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message.replace("\r", "\\r").replace("\n", "\\n"))


class PublishRefused(ValueError):
    """A draft cannot be published yet; `problems` lists everything missing, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class AccessRequestRefused(ValueError):
    """An access request that makes no sense (not a restricted dataset, access already held)."""


class CurationRefused(ValueError):
    """A curator's request that cannot be done as asked (a second draft, an unknown
    collaborator); the message is one line saying why and what to do instead."""
