"""Domain errors shared by the features; the API turns them into 409/429 JSON and the pages into messages."""

from __future__ import annotations

from typing import Any


class InterviewConflict(Exception):
    """The action does not fit the session's state (stage out of order, gate not passed…): HTTP 409."""

    def __init__(self, message: str, *, code: str = "conflict", **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.details = details


class RunInProgress(Exception):
    """The user already has an active run; ``retry_after`` is a fair guess at when it will be done: HTTP 429."""

    def __init__(self, active_run_id: Any | None, retry_after: int) -> None:
        super().__init__("Another check is still running. Wait for it to finish, then try again.")
        self.active_run_id = active_run_id
        self.retry_after = retry_after


class RunRefused(Exception):
    """A background run cannot do its work for a reason the user can fix; the message says how."""
