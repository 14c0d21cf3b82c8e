"""System checks: a malformed question bank stops `manage.py check`, `runserver` and the test run."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage, Error, register

from sessions_app.interview.question_bank import QuestionBankError, load_bank

QUESTION_BANK_ERROR_ID = "sessions_app.E001"


@register("question_bank")
def check_question_bank(
    app_configs: Sequence[AppConfig] | None = None, *, directory: str | Path | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """One Error per problem in the bank (`directory` defaults to the bank shipped with the app)."""
    try:
        load_bank(directory)
    except QuestionBankError as exc:
        return [
            Error(problem.message, hint=f"Fix: {problem.fix}", obj=problem.location, id=QUESTION_BANK_ERROR_ID)
            for problem in exc.problems
        ]
    return []
