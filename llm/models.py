from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from llm.types import Purpose, Tier


class CallStatus(models.TextChoices):
    OK = "ok", "OK"
    TRANSIENT_ERROR = "transient_error", "Transient error (retried)"
    PERMANENT_ERROR = "permanent_error", "Permanent error"
    INVALID_OUTPUT = "invalid_output", "Reply did not match the schema"
    TRUNCATED = "truncated", "Reply cut at max_tokens (retried once with a larger cap)"


class LLMCall(models.Model):
    """One attempt at one provider: every retry, re-ask and fallback is its own row, failures included.

    Cost comes only from a usage block the provider returned: failed attempts that got none cost 0, except a
    timed-out one, which may have been processed and billed: its usage and cost are unknown (``cost_usd`` is
    NULL, ``usage_known`` false) rather than a made-up $0.
    """

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    completion_id = models.UUIDField(db_index=True, help_text="Groups the attempts of one gateway call.")
    attempt = models.PositiveSmallIntegerField(help_text="1-based position of this attempt in its call.")
    retry_number = models.PositiveSmallIntegerField(default=0, help_text="0 = first try at this provider.")
    provider = models.CharField(max_length=20)
    model = models.CharField(max_length=100)
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    tier = models.CharField(max_length=10, choices=Tier.choices, default=Tier.FAST)
    session = models.ForeignKey(
        "sessions_app.ScopingSession",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="llm_calls",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="llm_calls"
    )
    stage = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=CallStatus.choices)
    error_type = models.CharField(max_length=40, blank=True)
    error_message = models.CharField(max_length=255, blank=True)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    cache_creation_input_tokens = models.PositiveIntegerField(default=0)
    cache_read_input_tokens = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=14, decimal_places=8, default=0, null=True, blank=True)
    usage_known = models.BooleanField(default=True, help_text="False when a timed-out attempt's usage is unknown.")
    latency_ms = models.PositiveIntegerField(default=0)
    request_id = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = "LLM call"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["session", "created_at"], name="llmcall_session_created_idx"),
            models.Index(fields=["user", "created_at"], name="llmcall_user_created_idx"),
            models.Index(fields=["provider", "status"], name="llmcall_provider_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stage__isnull=True) | models.Q(stage__gte=1, stage__lte=5),
                name="llmcall_stage_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider}/{self.model} {self.purpose} {self.status}"

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens + self.cache_creation_input_tokens + self.cache_read_input_tokens

    @property
    def offline(self) -> bool:
        return self.provider == "offline"
