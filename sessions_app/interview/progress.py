"""The writes to a session's stage rows that the interview services share: create them with the session, re-open
an edited stage (later stages become stale), move ``current_stage`` on. Called only from services."""

from __future__ import annotations

from django.utils import timezone

from sessions_app.interview import selectors
from sessions_app.interview.registry import REGISTRY
from sessions_app.models import ScopingSession, SessionStatus, StageState, StageStatus


def reopen_from(session: ScopingSession, stage_number: int) -> None:
    """Editing a completed stage re-opens its gate and marks later completed stages stale; a completed or
    abandoned session is in progress again. Saves ``session``."""
    state = state_for(session, stage_number)
    if state.status in (StageStatus.COMPLETED, StageStatus.STALE):
        state.status = StageStatus.OPEN
        state.save(update_fields=["status", "updated_at"])
        mark_later_stale(session, stage_number)
        session.current_stage = stage_number
    if session.status in (SessionStatus.COMPLETED, SessionStatus.ABANDONED):
        session.status = SessionStatus.IN_PROGRESS
        session.completed_at = None
    session.save(update_fields=["current_stage", "status", "completed_at", "updated_at"])


def stage_states_create(*, session: ScopingSession) -> list[StageState]:
    """The five stage rows of a new session (``session_create`` calls this): stage 1 open, the rest locked."""
    return StageState.objects.bulk_create(
        [
            StageState(session=session, stage=n, status=selectors.initial_stage_status(n, session.current_stage))
            for n in REGISTRY.numbers
        ],
        ignore_conflicts=True,
    )


def state_for(session: ScopingSession, stage_number: int) -> StageState:
    state, _ = StageState.objects.get_or_create(
        session=session,
        stage=stage_number,
        defaults={"status": selectors.initial_stage_status(stage_number, session.current_stage)},
    )
    return state


def mark_later_stale(session: ScopingSession, stage_number: int) -> None:
    StageState.objects.filter(session=session, stage__gt=stage_number, status=StageStatus.COMPLETED).update(
        status=StageStatus.STALE, updated_at=timezone.now()
    )


def advance(session: ScopingSession) -> None:
    """Move ``current_stage`` to the first stage that needs work and open it; saves the session."""
    session.current_stage = selectors.next_open_stage(session)
    session.save()
    StageState.objects.filter(session=session, stage__lte=session.current_stage, status=StageStatus.LOCKED).update(
        status=StageStatus.OPEN, updated_at=timezone.now()
    )
