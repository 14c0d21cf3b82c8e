"""Reads of a session's charter: versions, what changed since one, what is missing, the latest consistency review.
They never write; the session comes from the access guard."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Max
from django.http import Http404

from sessions_app.interview.registry import REGISTRY
from sessions_app.interview.selectors import acknowledgement_reasons, answer_rows, stage_states
from sessions_app.models import (
    CROSS_STAGE,
    Charter,
    CharterExport,
    ConsistencyReview,
    ScopingSession,
    SignOff,
    StageStatus,
)


def charter_get(*, session: ScopingSession, version: int | str | None = None) -> Charter:
    charters = Charter.objects.filter(session=session)
    if version not in (None, ""):
        try:
            charters = charters.filter(version=int(str(version)))
        except ValueError as exc:
            raise Http404("No such charter version.") from exc
    charter = charters.order_by("-version").first()
    if charter is None:
        raise Http404("No charter has been generated for this session yet.")
    return charter


def charter_versions(*, session: ScopingSession) -> list[Charter]:
    return list(Charter.objects.filter(session=session).order_by("-version"))


def next_version(session: ScopingSession) -> int:
    return (Charter.objects.filter(session=session).aggregate(v=Max("version"))["v"] or 0) + 1


def answers_snapshot(session: ScopingSession) -> dict[str, int]:
    """The id of the current answer to each question: comparing snapshots shows what changed between versions."""
    latest: dict[str, int] = {}
    for row in answer_rows(session):
        latest[f"{row.question_id}#{row.item}"] = row.pk
    return latest


def changed_since(charter: Charter) -> list[str]:
    """Question keys (``S2Q3#0``) whose current answer differs from the one the charter was built from."""
    now = answers_snapshot(charter.session)
    keys = set(now) | set(charter.answers_snapshot)
    return sorted(key for key in keys if now.get(key) != charter.answers_snapshot.get(key))


def missing_for_charter(session: ScopingSession) -> list[dict[str, Any]]:
    """Stages that are not completed (or stale): the charter needs all five."""
    states = stage_states(session)
    return [
        {"stage": n, "status": states[n].status} for n in REGISTRY.numbers if states[n].status != StageStatus.COMPLETED
    ]


def stage_deliverables(session: ScopingSession) -> dict[int, dict[str, Any]]:
    """Each stage's deliverable as stored when its gate last ran."""
    states = stage_states(session)
    return {n: states[n].deliverable or {} for n in REGISTRY.numbers}


def latest_review(session: ScopingSession) -> ConsistencyReview | None:
    return ConsistencyReview.objects.filter(session=session).order_by("-created_at").first()


def acknowledged_findings(session: ScopingSession) -> dict[str, str]:
    return acknowledgement_reasons(session, CROSS_STAGE)


def findings_view(session: ScopingSession) -> tuple[ConsistencyReview | None, list[dict[str, Any]]]:
    """The latest review and its findings, each with whether (and why) it was acknowledged."""
    review = latest_review(session)
    acknowledged = acknowledged_findings(session)
    findings = [
        {**f, "acknowledged": f["key"] in acknowledged, "reason": acknowledged.get(f["key"])}
        for f in (review.findings if review else [])
    ]
    return review, findings


def charter_export(*, charter: Charter, fmt: str, appendix: bool = True) -> CharterExport | None:
    """A version's stored PDF or Word file, or None when it has not been rendered yet."""
    return CharterExport.objects.filter(charter=charter, format=fmt, appendix=appendix).first()


def parse_appendix(value: str | None) -> bool:
    """The ``appendix`` query parameter: '0', 'false', 'no' or 'off' leave the appendix out; anything else keeps it."""
    return (value or "").strip().lower() not in {"0", "false", "no", "off"}


# --- Sign-offs ----------------------------------------------------------------------------------------------------


def signoffs_required(charter: Charter) -> int:
    """How many reviewers' sign-offs approve this version: ``CHARTER_SIGNOFF_QUORUM`` (default 2) for a
    committee submission, one for any other decision; ``halt`` cannot be approved (0: never)."""
    if charter.decision == "halt":
        return 0
    if charter.decision == "submit_to_committee":
        return max(1, int(settings.CHARTER_SIGNOFF_QUORUM))
    return 1


def signoffs_list(charter: Charter) -> list[SignOff]:
    return list(SignOff.objects.filter(charter=charter).order_by("created_at", "id"))


def signoff_state(charter: Charter) -> dict[str, Any]:
    """The version's sign-offs as the page, the API and the exports show them."""
    signoffs = signoffs_list(charter)
    required = signoffs_required(charter)
    return {
        "version": charter.version,
        "decision": charter.decision,
        "required": required,
        "approvable": required > 0,
        "approved": required > 0 and len(signoffs) >= required,
        "approved_at": charter.approved_at,
        "signoffs": signoffs,
    }


def charter_content(charter: Charter) -> dict[str, Any]:
    """The version's content with its sign-offs in the approval section (the content itself never changes: the
    sign-offs come after it was generated, so an unsigned version says how many it needs)."""
    content = charter.content
    if "approval" not in content.get("sections", {}):
        return content
    signoffs = signoffs_list(charter)
    required = signoffs_required(charter)
    approval = {
        **content["sections"]["approval"],
        "signoffs": [
            {"name": s.reviewer_name, "signed_at": s.created_at.isoformat(), "comment": s.comment} for s in signoffs
        ],
        "signoffs_required": required,
        "approved": required > 0 and len(signoffs) >= required,
    }
    # New dicts down to the approval section only: the stored content is shared, never written to.
    return {**content, "sections": {**content["sections"], "approval": approval}}
