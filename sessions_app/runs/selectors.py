"""Reads of background runs. ``run_get`` is the one way a page or endpoint finds a run: it checks the user and,
when given, the session the run must belong to; a run visibly abandoned by its worker is settled on the way."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import Avg, DurationField, ExpressionWrapper, F
from django.http import Http404

from accounts.models import ActingUser
from sessions_app.models import RunStatus, ScopingSession, StageRun
from sessions_app.runs.lifecycle import run_expire_if_stale
from sessions_app.sessions.selectors import uuid_or_404

ESTIMATE_SAMPLE = 20
# The estimate moves slowly (an average of 20 runs): every poll of every active run reads it, the database only
# once per kind in this many seconds.
ESTIMATE_CACHE_SECONDS = 30
NO_ESTIMATE_CACHE_SECONDS = 5  # before the first run of a kind succeeds


def run_get(*, user: ActingUser, run_id: uuid.UUID | str, session: ScopingSession | None = None) -> StageRun:
    """A run of a session the user is a member of (of ``session`` when given), or ``Http404``: unknown,
    malformed, of a session the user is not a member of, or of another session. ``run.session.role`` is the
    user's role in it."""
    key = uuid_or_404(run_id, "run")
    # By primary key: the anonymous user's is None, which no membership has.
    runs = (
        StageRun.objects.select_related("session", "answer")
        .filter(session__memberships__user_id=user.pk, pk=key)  # type: ignore[misc]  # None matches no member
        .annotate(member_role=F("session__memberships__role"))
    )
    if session is not None:
        runs = runs.filter(session=session)
    run = runs.first()
    if run is None:
        raise Http404("No such run.")
    role = session.role if session is not None else run.member_role  # type: ignore[attr-defined]
    # The one write a read may do: a run left active by a dead worker (or waiting for none) is settled here, with
    # no query unless it is past its limit, so every poll ends even when no worker's reaper runs.
    settled = run_expire_if_stale(run=run)
    settled.session.role = role  # the acting user's role, for the guard (a settled run is read afresh)
    return settled


def run_latest(*, session: ScopingSession, kinds: Iterable[str]) -> StageRun | None:
    return StageRun.objects.filter(session=session, kind__in=list(kinds)).order_by("-created_at").first()


def answer_runs(*, session: ScopingSession, answer_ids: Iterable[int]) -> dict[int, StageRun]:
    """The latest run of each of these answers (its check, or the retry of a failed check)."""
    latest: dict[int, StageRun] = {}
    for run in StageRun.objects.filter(session=session, answer_id__in=list(answer_ids)).order_by("created_at"):
        if run.answer_id is not None:
            latest[run.answer_id] = run
    return latest


def run_estimate_seconds(kind: str) -> int | None:
    """Average duration of the latest successful runs of this kind, for the progress display; cached for
    :data:`ESTIMATE_CACHE_SECONDS` (an unreachable cache only means a query per call)."""
    key = f"run-estimate:{kind}"
    cached = cache.get(key)
    if cached is not None:
        return int(cached) or None  # 0: no history yet
    estimate = _estimate_from_history(kind)
    # "No history yet" is kept briefly, so polls of the first runs do not each ask again, and the first finished
    # run shows soon after.
    cache.set(key, estimate or 0, ESTIMATE_CACHE_SECONDS if estimate else NO_ESTIMATE_CACHE_SECONDS)
    return estimate


def run_estimate_after_success(kind: str) -> None:
    """A run of this kind succeeded: a cached "no history yet" is dropped, so the first estimate shows at once."""
    key = f"run-estimate:{kind}"
    if cache.get(key) == 0:
        cache.delete(key)


def _estimate_from_history(kind: str) -> int | None:
    recent = (
        StageRun.objects.filter(kind=kind, status=RunStatus.SUCCEEDED, started_at__isnull=False)
        .order_by("-finished_at")
        .values_list("pk", flat=True)[:ESTIMATE_SAMPLE]
    )
    average = (
        StageRun.objects.filter(pk__in=recent)  # one query: the sample is a subquery
        .annotate(took=ExpressionWrapper(F("finished_at") - F("created_at"), output_field=DurationField()))
        .aggregate(avg=Avg("took"))["avg"]
    )
    return max(1, round(average.total_seconds())) if average else None
