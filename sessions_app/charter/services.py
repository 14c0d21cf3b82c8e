"""Writes of the charter: start a generation or a consistency check, acknowledge a finding, approve a version,
save a generated version. Pages and the API call these; the background work itself is in ``jobs``.

Generation runs in the background (a ``charter`` run): check cross-stage consistency, stop if a critical
finding is unresolved, write the narrative through the LLM gateway, assemble the content from the stored
deliverables, save a new ``Charter`` version and mark the session completed. Nothing factual comes from the model.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sessions_app.charter import selectors
from sessions_app.errors import InterviewConflict
from sessions_app.interview.services import acknowledgement_save, reason_checked
from sessions_app.models import (
    CROSS_STAGE,
    Charter,
    CharterExport,
    ConcernAcknowledgement,
    RunKind,
    ScopingSession,
    SessionStatus,
    StageRun,
)
from sessions_app.runs.services import run_start

logger = logging.getLogger(__name__)


def _start_when_complete(session: ScopingSession, kind: str, action: str) -> StageRun:
    """Queue a run that needs all five stages: 409 while any is incomplete; 429 while another run is active."""
    missing = selectors.missing_for_charter(session)
    if missing:
        raise InterviewConflict(f"Complete every stage before {action}.", code="stages_incomplete", missing=missing)
    with transaction.atomic():
        return run_start(session=session, kind=kind, step="Waiting for a worker…")


def charter_generate(*, session: ScopingSession) -> StageRun:
    """Queue a charter generation (it checks consistency first)."""
    return _start_when_complete(session, RunKind.CHARTER, "generating the charter")


def consistency_start(*, session: ScopingSession) -> StageRun:
    """Queue a consistency check on its own, to see the findings before generating."""
    return _start_when_complete(session, RunKind.CONSISTENCY, "checking consistency")


def finding_acknowledge(*, session: ScopingSession, key: str, reason: str) -> ConcernAcknowledgement:
    reason = reason_checked(reason, what="finding")
    review = selectors.latest_review(session)
    findings = {f["key"]: f for f in (review.findings if review else [])}
    if key not in findings:
        raise ValidationError({"key": [f"There is no consistency finding {key!r}; run the check first."]})
    return acknowledgement_save(
        session=session, stage=CROSS_STAGE, key=key, message=findings[key]["description"], reason=reason
    )


def charter_approve(
    *, charter: Charter, approver_name: str, approved_at: dt.date | str | None = None, comment: str = ""
) -> Charter:
    name = (approver_name or "").strip()
    if not name:
        raise ValidationError({"approver_name": ["Give the approver's name."]})
    charter.approver_name = name[:150]
    charter.approved_at = approved_at or timezone.localdate()
    charter.approval_comment = (comment or "").strip()[:2000]
    charter.save(update_fields=["approver_name", "approved_at", "approval_comment"])
    return charter


@transaction.atomic
def charter_save(
    *, session: ScopingSession, content: dict[str, Any], markdown: str, provider: str, offline: bool
) -> Charter:
    """Store a new version and mark the session completed (progress 100%)."""
    locked = ScopingSession.objects.select_for_update().get(pk=session.pk)
    version = int(content.get("version") or selectors.next_version(locked))
    decision = content.get("decision")
    charter = Charter.objects.create(
        id=uuid.uuid4(),
        session=locked,
        version=version,
        content=content,
        markdown=markdown,
        decision=str(decision.get("decision", "")) if isinstance(decision, dict) else str(decision or ""),
        provider=provider,
        offline=offline,
        answers_snapshot=selectors.answers_snapshot(locked),
    )
    locked.status, locked.completed_at = SessionStatus.COMPLETED, timezone.now()
    locked.save(update_fields=["status", "completed_at", "updated_at"])
    return charter


# --- Stored exports: PDF and Word, rendered once per version -----------------------------------------------------

# The formats rendered in the generation run and stored, each with and without the appendix. Markdown and JSON
# are quick to make from the content and are rendered on each download.
STORED_FORMATS = ("pdf", "docx")


def charter_export_render(*, charter: Charter, fmt: str, appendix: bool = True) -> bytes:
    """Render one stored format of a version from its content (PDF through WeasyPrint, Word through python-docx)."""
    from sessions_app.charter.rendering import to_pdf
    from sessions_app.charter.word import to_docx

    renderers = {"pdf": to_pdf, "docx": to_docx}
    if fmt not in renderers:
        raise ValueError(f"Stored exports are {', '.join(STORED_FORMATS)}, not {fmt!r}.")
    return renderers[fmt](charter.content, appendix=appendix)


def charter_export_save(*, charter: Charter, fmt: str, appendix: bool, data: bytes) -> CharterExport:
    """Store a rendered file; a version's file is made once, so a second save of the same one keeps the first."""
    export, _ = CharterExport.objects.get_or_create(
        charter=charter,
        format=fmt,
        appendix=appendix,
        defaults={"data": data, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)},
    )
    return export


def charter_exports_store(*, charter: Charter) -> list[CharterExport]:
    """Render and store every stored format of a version (run by the generation, in the worker). A format that
    fails to render is logged and left for the first download to fill."""
    stored = []
    for fmt in STORED_FORMATS:
        for appendix in (True, False):
            try:
                data = charter_export_render(charter=charter, fmt=fmt, appendix=appendix)
            except Exception:
                logger.exception("charter_export_failed", extra={"charter": str(charter.pk), "format": fmt})
                continue
            stored.append(charter_export_save(charter=charter, fmt=fmt, appendix=appendix, data=data))
    return stored


def charter_export_fill(*, charter: Charter, fmt: str, appendix: bool = True) -> CharterExport:
    """The stored file of a version, rendered and stored first if it is missing (versions generated before
    exports were stored, or a render that failed in the worker)."""
    from sessions_app.charter.selectors import charter_export

    export = charter_export(charter=charter, fmt=fmt, appendix=appendix)
    if export is None:
        data = charter_export_render(charter=charter, fmt=fmt, appendix=appendix)
        export = charter_export_save(charter=charter, fmt=fmt, appendix=appendix, data=data)
    return export
