"""Errors a user can cause; the CLI prints them as one sentence, never a traceback."""


class UserError(Exception):
    """A problem the user can fix (bad config, bad input, missing file).

    Attributes:
        exit_code: the process exit code the CLI returns for it.
    """

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code
