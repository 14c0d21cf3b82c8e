"""The writes to a session's stage rows that the interview services share: create them with the session, re-open
an edited stage (later completed stages need review), open the next stage when a gate passes, move
``current_stage`` on. Called only from services.

The rules (DOMAIN.md "Gates, checkpoints and editing"): a stage is ``locked`` only until it is first reached —
stages are done in order the first time. After that it is never locked again: a changed answer re-opens its own
stage only (``open`` again, ``completed_at`` kept, so it reads as re-opened), later completed stages become
``stale`` (*needs review*: readable, editable, one re-check away from complete). ``current_stage`` is the first
stage that still needs work (open or needing review), or the last stage when all are complete.
"""

from __future__ import annotations

from django.utils import timezone

from sessions_app.interview import selectors
from sessions_app.interview.registry import REGISTRY
from sessions_app.models import ScopingSession, SessionStatus, StageState, StageStatus


def reopen_from(session: ScopingSession, stage_number: int) -> selectors.EditEffect:
    """A changed answer of ``stage_number``: its stage re-opens if its gate had passed, later completed stages need
    review; a completed or abandoned session is in progress again. Saves ``session``; returns what changed."""
    effect = selectors.edit_effect(selectors.stage_states(session), stage_number)
    if effect.reopens:
        StageState.objects.filter(session=session, stage=stage_number).update(
            status=StageStatus.OPEN, updated_at=timezone.now()
        )
    if effect.needs_review:
        mark_later_stale(session, stage_number)
    if effect.changes_anything:
        session.current_stage = selectors.next_open_stage(session)
    if session.status in (SessionStatus.COMPLETED, SessionStatus.ABANDONED):
        session.status = SessionStatus.IN_PROGRESS
        session.completed_at = None
    session.save(update_fields=["current_stage", "status", "completed_at", "updated_at"])
    return effect


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


def mark_later_stale(session: ScopingSession, stage_number: int) -> list[int]:
    """Later completed stages need review; returns their numbers."""
    later = StageState.objects.filter(session=session, stage__gt=stage_number, status=StageStatus.COMPLETED)
    numbers = sorted(later.values_list("stage", flat=True))
    later.update(status=StageStatus.STALE, updated_at=timezone.now())
    return numbers


def advance(session: ScopingSession, *, passed: int | None = None) -> None:
    """After the gate of stage ``passed`` passed: the next stage opens if it was never reached, and
    ``current_stage`` moves to the first stage that needs work. Saves the session."""
    if passed is not None and passed + 1 in REGISTRY:
        state_for(session, passed + 1)
        StageState.objects.filter(session=session, stage=passed + 1, status=StageStatus.LOCKED).update(
            status=StageStatus.OPEN, updated_at=timezone.now()
        )
    session.current_stage = selectors.next_open_stage(session)
    session.save()
    StageState.objects.filter(session=session, stage__lte=session.current_stage, status=StageStatus.LOCKED).update(
        status=StageStatus.OPEN, updated_at=timezone.now()
    )
