"""Writes of the charter: start a generation or a consistency check, acknowledge a finding, approve a version,
save a generated version. Pages and the API call these; the background work itself is in ``jobs``.

Generation runs in the background (a ``charter`` run): check cross-stage consistency, stop if a critical
finding is unresolved, write the narrative through the LLM gateway, assemble the content from the stored
deliverables, save a new ``Charter`` version and mark the session completed. Nothing factual comes from the model.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import ActingUser, User
from sessions_app.activity.services import activity_record
from sessions_app.charter import selectors
from sessions_app.errors import InterviewConflict
from sessions_app.interview.governance import DECISION_LABELS
from sessions_app.interview.rules import MIN_REASON_CHARS
from sessions_app.interview.services import acknowledgement_save, reason_checked
from sessions_app.models import (
    CROSS_STAGE,
    ActivityKind,
    Charter,
    CharterExport,
    ConcernAcknowledgement,
    RunKind,
    ScopingSession,
    SessionStatus,
    SignOff,
    StageRun,
)
from sessions_app.runs.services import run_start

logger = logging.getLogger(__name__)


def _start_when_complete(session: ScopingSession, kind: str, action: str, actor: ActingUser | None) -> StageRun:
    """Queue a run that needs all five stages: 409 while any is incomplete; 429 while another run is active."""
    missing = selectors.missing_for_charter(session)
    if missing:
        raise InterviewConflict(f"Complete every stage before {action}.", code="stages_incomplete", missing=missing)
    with transaction.atomic():
        return run_start(session=session, kind=kind, step="Waiting for a worker…", owner=actor)


def charter_generate(*, session: ScopingSession, actor: ActingUser | None = None) -> StageRun:
    """Queue a charter generation (it checks consistency first)."""
    return _start_when_complete(session, RunKind.CHARTER, "generating the charter", actor)


def consistency_start(*, session: ScopingSession, actor: ActingUser | None = None) -> StageRun:
    """Queue a consistency check on its own, to see the findings before generating."""
    return _start_when_complete(session, RunKind.CONSISTENCY, "checking consistency", actor)


def finding_acknowledge(
    *, session: ScopingSession, key: str, reason: str, actor: ActingUser | None = None
) -> ConcernAcknowledgement:
    reason = reason_checked(reason, what="finding")
    review = selectors.latest_review(session)
    findings = {f["key"]: f for f in (review.findings if review else [])}
    if key not in findings:
        raise ValidationError({"key": [f"There is no consistency finding {key!r}; run the check first."]})
    return acknowledgement_save(
        session=session,
        stage=CROSS_STAGE,
        key=key,
        message=findings[key]["description"],
        reason=reason,
        actor=actor,
    )


@transaction.atomic
def charter_sign_off(*, charter: Charter, actor: User, comment: str) -> SignOff:
    """A reviewer signs the latest version, with a comment. ``halt`` cannot be approved; a superseded version
    cannot be signed (a new version needs new sign-offs); once the version has the sign-offs its decision needs
    (``selectors.signoffs_required``), it is approved (``approved_at``). The stored PDF and Word files of the
    version are dropped, so the next download renders them with the sign-offs."""
    text = (comment or "").strip()
    if len(text) < MIN_REASON_CHARS:
        raise ValidationError({"comment": [f"Say in a sentence what you checked ({MIN_REASON_CHARS}+ characters)."]})
    locked = Charter.objects.select_for_update().get(pk=charter.pk)
    if locked.decision == "halt":
        raise InterviewConflict(
            "A charter whose decision is Halt cannot be approved: revise the project and generate a new version.",
            code="halt_not_approvable",
        )
    latest = selectors.charter_get(session=locked.session, version=None)
    if latest.pk != locked.pk:
        raise InterviewConflict(
            f"Version {locked.version} is superseded by version {latest.version}: sign the latest version.",
            code="version_superseded",
        )
    if SignOff.objects.filter(charter=locked, reviewer=actor).exists():
        raise InterviewConflict(f"You have signed version {locked.version} already.", code="already_signed")
    signoff = SignOff.objects.create(
        charter=locked, reviewer=actor, reviewer_name=actor.get_full_name()[:150], comment=text[:2000]
    )
    signed = SignOff.objects.filter(charter=locked).count()
    required = selectors.signoffs_required(locked)
    if signed >= required and locked.approved_at is None:
        locked.approved_at = timezone.localdate()
        locked.save(update_fields=["approved_at"])
        charter.approved_at = locked.approved_at
        # DOMAIN.md: with its quorum the session is marked approved (until a new version needs new sign-offs).
        ScopingSession.objects.filter(pk=locked.session_id).update(approved_at=timezone.now())
    CharterExport.objects.filter(charter=locked).delete()
    activity_record(
        session=locked.session,
        actor=actor,
        kind=ActivityKind.SIGNED_OFF,
        summary=f"Signed off charter version {locked.version} ({signed} of {required})"
        + (": approved" if signed >= required else ""),
        detail={"charter_id": str(locked.pk), "version": locked.version, "signed": signed, "required": required},
    )
    return signoff


@transaction.atomic
def charter_save(
    *,
    session: ScopingSession,
    content: dict[str, Any],
    markdown: str,
    provider: str,
    offline: bool,
    actor: ActingUser | None = None,
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
    locked.approved_at = None  # a new version needs new sign-offs
    locked.save(update_fields=["status", "completed_at", "approved_at", "updated_at"])
    activity_record(
        session=locked,
        locked=True,
        actor=actor,
        kind=ActivityKind.CHARTER_GENERATED,
        summary=f"Generated charter version {version} ({DECISION_LABELS.get(charter.decision, charter.decision)})",
        detail={"charter_id": str(charter.id), "version": version, "decision": charter.decision},
    )
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
    return renderers[fmt](selectors.charter_content(charter), appendix=appendix)


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
