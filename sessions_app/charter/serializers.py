"""The charter's API bodies and file downloads."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.http import HttpResponse

from llm.selectors import UsageTotals
from sessions_app.charter.rendering import charter_filename, to_json, to_pdf
from sessions_app.charter.selectors import changed_since
from sessions_app.models import Charter, ConcernAcknowledgement


def charter_json(charter: Charter, *, with_content: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "charter_id": charter.pk,
        "version": charter.version,
        "decision": charter.decision,
        "generated_at": charter.generated_at,
        "provider": charter.provider,
        "offline": charter.offline,
        "approval": {
            "approver_name": charter.approver_name or None,
            "approved_at": charter.approved_at,
            "comment": charter.approval_comment or None,
        },
    }
    if with_content:
        body["changed_since"] = changed_since(charter)
        body["content"] = charter.content
    return body


def finding_acknowledgement_json(ack: ConcernAcknowledgement) -> dict[str, Any]:
    return {"key": ack.key, "message": ack.message, "reason": ack.reason, "acknowledged_at": ack.created_at}


def usage_totals_json(totals: UsageTotals) -> dict[str, Any]:
    return {
        **{k: (str(v) if k == "cost_usd" else v) for k, v in dataclasses.asdict(totals).items()},
        "total_tokens": totals.total_tokens,
    }


def charter_download(charter: Charter, fmt: str) -> HttpResponse:
    """The charter as a file: Markdown, JSON or PDF, named ``<project-slug>-charter-v<N>.<ext>``."""
    if fmt == "md":
        response = HttpResponse(charter.markdown, content_type="text/markdown; charset=utf-8")
    elif fmt == "json":
        response = HttpResponse(to_json(charter.content), content_type="application/json")
    else:
        response = HttpResponse(to_pdf(charter.content), content_type="application/pdf")
    name = charter_filename(charter.session.project_name, charter.version, fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
