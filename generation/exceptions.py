"""Errors of the generation app that every door (CLI, API, pages) shows to the user as is."""


class GenerationRejected(ValueError):
    """Bad input to start a run or a job: the message names the problem in one line."""
