"""The one exception a stage raises for a bad input."""


class Reject(Exception):
    """An input that cannot be processed; becomes a rejects.jsonl row, never a crashed run."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
