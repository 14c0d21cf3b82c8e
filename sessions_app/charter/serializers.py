"""The charter's API bodies (output serializers) and file downloads."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from llm.selectors import UsageTotals
from sessions_app.charter.content import DOCUMENT_KIND
from sessions_app.charter.rendering import charter_filename, to_json, to_markdown
from sessions_app.charter.selectors import changed_since, charter_content
from sessions_app.charter.services import charter_export_fill
from sessions_app.charter.word import DOCX_CONTENT_TYPE
from sessions_app.interview.serializers import AuthorOutput
from sessions_app.models import Charter, ConcernAcknowledgement


class ApprovalOutput(serializers.Serializer):
    approver_name = serializers.SerializerMethodField()
    approved_at = serializers.DateField(allow_null=True)
    comment = serializers.SerializerMethodField()

    def get_approver_name(self, charter: Charter) -> str | None:
        return charter.approver_name or None

    def get_comment(self, charter: Charter) -> str | None:
        return charter.approval_comment or None


class SignOffOutput(serializers.Serializer):
    reviewer = AuthorOutput(allow_null=True, help_text="Null when the reviewer's account is gone.")
    reviewer_name = serializers.CharField(help_text="As it was when they signed.")
    comment = serializers.CharField()
    signed_at = serializers.DateTimeField(source="created_at")


class SignOffStateOutput(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    decision = serializers.CharField()
    required = serializers.IntegerField(  # type: ignore[assignment]  # the body's key, not Field.required
        min_value=0,
        help_text="Sign-offs that approve this version (`CHARTER_SIGNOFF_QUORUM` for a committee "
        "submission, else 1); 0 for `halt`, which cannot be approved.",
    )
    approvable = serializers.BooleanField()
    approved = serializers.BooleanField()
    approved_at = serializers.DateField(allow_null=True)
    signoffs = SignOffOutput(many=True)


class CharterSummaryOutput(serializers.Serializer):
    """A version of the charter without its content (the versions list, the approval's answer)."""

    charter_id = serializers.UUIDField(source="pk")
    version = serializers.IntegerField(min_value=1)
    decision = serializers.CharField(
        help_text="`proceed`, `proceed_with_monitoring`, `revise`, `submit_to_committee` or `halt`."
    )
    generated_at = serializers.DateTimeField()
    provider = serializers.CharField(help_text="Who wrote the narrative: a provider name, or `offline`.")
    offline = serializers.BooleanField()
    approval = ApprovalOutput(source="*")


CHARTER_CONTENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "schema_version": {"type": "integer", "description": "Changes when the structure changes."},
        "document": {"type": "string", "enum": [DOCUMENT_KIND]},
    },
    "required": ["schema_version"],
    "additionalProperties": {},
    "description": "The charter's structured content: `schema_version`, `decision` and one key per section.",
}


@extend_schema_field(CHARTER_CONTENT_SCHEMA)
class CharterContentField(serializers.JSONField):
    pass


class CharterOutput(CharterSummaryOutput):
    changed_since = serializers.SerializerMethodField(
        help_text="Questions (`S2Q3#0`) whose answers changed after this version was generated."
    )
    content = CharterContentField()

    def get_changed_since(self, charter: Charter) -> list[str]:
        return changed_since(charter)


class CharterVersionsOutput(serializers.Serializer):
    results = CharterSummaryOutput(many=True, help_text="Newest first.")


class FindingOutput(serializers.Serializer):
    key = serializers.CharField()
    check = serializers.CharField()
    stages = serializers.ListField(child=serializers.IntegerField(), help_text="The stages it spans.")
    severity = serializers.ChoiceField(choices=["critical", "high", "medium", "low"])
    description = serializers.CharField()
    recommendation = serializers.CharField()
    source = serializers.ChoiceField(choices=["rules", "llm"], required=False)  # type: ignore[assignment]  # the key
    questions = serializers.ListField(
        child=serializers.CharField(),
        default=list,
        help_text="The questions the finding rests on: `S2Q13`, or `S4Q5#1` for the second item of a repeatable "
        "group; empty for a finding of the language model.",
    )
    acknowledged = serializers.BooleanField()
    reason = serializers.CharField(allow_null=True, help_text="Why it was acknowledged.")


class ConsistencyOutput(serializers.Serializer):
    checked_at = serializers.DateTimeField(allow_null=True, help_text="Null before the first check.")
    findings = FindingOutput(many=True)
    semantic_available = serializers.BooleanField(allow_null=True, help_text="Whether a model checked as well.")


class FindingAcknowledgementOutput(serializers.Serializer):
    key = serializers.CharField()
    message = serializers.CharField()
    reason = serializers.CharField()
    acknowledged_at = serializers.DateTimeField(source="created_at")


def finding_acknowledgement_json(ack: ConcernAcknowledgement) -> dict[str, Any]:
    return dict(FindingAcknowledgementOutput(ack).data)


class UsageTotalsOutput(serializers.Serializer):
    calls = serializers.IntegerField(min_value=0)
    failed_calls = serializers.IntegerField(min_value=0)
    input_tokens = serializers.IntegerField(min_value=0)
    output_tokens = serializers.IntegerField(min_value=0)
    cache_creation_input_tokens = serializers.IntegerField(min_value=0)
    cache_read_input_tokens = serializers.IntegerField(min_value=0)
    cost_usd = serializers.CharField(help_text="A decimal number, as a string.")
    total_tokens = serializers.IntegerField(min_value=0)


def usage_totals_json(totals: UsageTotals) -> dict[str, Any]:
    return dict(UsageTotalsOutput(totals).data)


class UsageOutput(serializers.Serializer):
    session_id = serializers.UUIDField()
    totals = UsageTotalsOutput()
    by_stage = serializers.DictField(
        child=UsageTotalsOutput(), help_text="Stage number (`none`: not bound to a stage) → totals."
    )
    by_provider = serializers.DictField(child=UsageTotalsOutput())
    by_purpose = serializers.DictField(child=UsageTotalsOutput())


DOWNLOAD_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
    "pdf": "application/pdf",
    "docx": DOCX_CONTENT_TYPE,
}


def charter_download(charter: Charter, fmt: str, *, appendix: bool = True) -> HttpResponse:
    """The charter as a file, named ``<project-slug>-charter-v<N>.<ext>``: Markdown and JSON made from the content,
    PDF and Word read from the version's stored file (rendered in the generation run; filled once if missing).
    ``appendix=False`` leaves the questions and final answers out (Markdown, PDF, Word)."""
    if fmt == "md":
        # Rendered from the content like the other formats, so versions stored before a rendering fix (the
        # escaping of raw HTML from answers, say) download with it too.
        body: bytes | str = to_markdown(charter_content(charter), appendix=appendix)
    elif fmt == "json":
        body = to_json(charter_content(charter))
    else:
        body = bytes(charter_export_fill(charter=charter, fmt=fmt, appendix=appendix).data)
    response = HttpResponse(body, content_type=DOWNLOAD_TYPES[fmt])
    suffix = "" if appendix or fmt == "json" else "-no-appendix"
    name = charter_filename(charter.session.project_name, charter.version, fmt).replace(f".{fmt}", f"{suffix}.{fmt}")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
