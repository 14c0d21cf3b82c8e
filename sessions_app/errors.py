"""Domain errors of the interview, translated to 409/429 by the API and to messages by the pages."""

from __future__ import annotations

from typing import Any


class InterviewConflict(Exception):
    """The action does not fit the session's state (stage out of order, gate not passed…): HTTP 409."""

    def __init__(self, message: str, *, code: str = "conflict", **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.details = details
