"""How long a stage takes: an estimate from its questions (minutes per answer type) and, once enough sessions have
completed the stage, the median time earlier sessions spent answering it.

A stage's *duration* in one session is the time from the first to the last answer row of that stage (every
submission counts, re-answers too), for sessions whose stage is completed. Durations over
:data:`MAX_PLAUSIBLE_MINUTES` are left out: those sessions were paused, not answered. The medians cover every
session (an aggregate, no one's answers), are read with one query and cached for :data:`CACHE_SECONDS`.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, F, Max, Min

from sessions_app.interview.question_bank import QuestionType
from sessions_app.interview.question_bank import stage as stage_definition
from sessions_app.models import Answer, StageStatus

# What a considered answer takes, in minutes, by answer type: free text is written and often revised after
# feedback; a list is typed from what the team knows; a number or a choice is looked up or picked.
MINUTES_PER_TYPE: dict[QuestionType, float] = {
    QuestionType.TEXT: 3.0,
    QuestionType.LIST: 2.0,
    QuestionType.NUMBER: 1.0,
    QuestionType.PERCENTAGE: 1.0,
    QuestionType.SCALE: 0.5,
    QuestionType.CHOICE: 0.5,
}
MIN_HISTORY = 3  # completed sessions of a stage before their median is shown
MAX_PLAUSIBLE_MINUTES = 240.0
CACHE_KEY = "interview:stage-duration-medians:v1"
CACHE_SECONDS = 600


@dataclass(frozen=True)
class StageEstimate:
    stage: int
    questions: int
    minutes: int  # from the question count
    median_minutes: int | None  # earlier sessions' median, None before MIN_HISTORY sessions
    sessions: int  # how many sessions the median is taken over

    @property
    def text(self) -> str:
        base = f"About {self.minutes} min for {self.questions} questions"
        if self.median_minutes is None:
            return f"{base}."
        return f"{base}; earlier sessions took {self.median_minutes} min (median of {self.sessions})."


def question_minutes(stage_number: int) -> tuple[int, int]:
    """(question count, estimated minutes) of a stage: a repeatable group is counted once."""
    questions = stage_definition(stage_number).questions
    return len(questions), math.ceil(sum(MINUTES_PER_TYPE.get(q.type, 1.0) for q in questions))


def stage_duration_medians() -> dict[int, tuple[float, int]]:
    """Stage number → (median minutes, sessions) over sessions that completed the stage (cached)."""
    cached = cache.get(CACHE_KEY)
    if cached is not None:
        return {int(stage): (float(median), int(n)) for stage, (median, n) in cached.items()}
    rows = (
        Answer.objects.filter(
            session__stage_states__stage=F("stage"), session__stage_states__status=StageStatus.COMPLETED
        )
        .values("session_id", "stage")
        .annotate(first=Min("created_at"), last=Max("created_at"), rows=Count("id"))
        .filter(rows__gte=2)
        .values_list("stage", "first", "last")
    )
    durations: dict[int, list[float]] = {}
    for stage, first, last in rows:
        minutes = (last - first).total_seconds() / 60
        if 0 < minutes <= MAX_PLAUSIBLE_MINUTES:
            durations.setdefault(stage, []).append(minutes)
    medians = {
        stage: (statistics.median(values), len(values))
        for stage, values in durations.items()
        if len(values) >= MIN_HISTORY
    }
    cache.set(CACHE_KEY, {str(stage): list(value) for stage, value in medians.items()}, CACHE_SECONDS)
    return medians


def stage_estimates(stage_numbers: tuple[int, ...]) -> dict[int, StageEstimate]:
    medians = stage_duration_medians()
    estimates = {}
    for number in stage_numbers:
        count, minutes = question_minutes(number)
        median = medians.get(number)
        estimates[number] = StageEstimate(
            stage=number,
            questions=count,
            minutes=minutes,
            median_minutes=max(1, round(median[0])) if median else None,
            sessions=median[1] if median else 0,
        )
    return estimates
