from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from llm.models import LLMCall
from llm.selectors import usage_totals


@admin.register(LLMCall)
class LLMCallAdmin(admin.ModelAdmin):
    """The call log, read-only: one row per provider attempt, with totals for the current filter."""

    list_display = [
        "created_at",
        "provider",
        "model",
        "purpose",
        "status",
        "error_type",
        "retry_number",
        "stage",
        "input_tokens",
        "output_tokens",
        "cost_usd",
        "latency_ms",
    ]
    list_filter = ["provider", "status", "purpose", "tier", "usage_known", ("created_at", admin.DateFieldListFilter)]
    date_hierarchy = "created_at"
    search_fields = ["request_id", "=completion_id", "=session__id", "user__email"]
    list_select_related = ["session", "user"]
    raw_id_fields = ["session", "user"]
    ordering = ["-created_at", "-id"]
    change_list_template = "admin/llm/llmcall/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: LLMCall | None = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)  # absent when the changelist redirects
        if context is not None and "cl" in context:
            context["usage_totals"] = usage_totals(context["cl"].queryset)
        return response
