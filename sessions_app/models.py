from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

STAGE_COUNT = 5
PROJECT_NAME_MAX = 200
DESCRIPTION_MAX = 5000


class SessionStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    ABANDONED = "abandoned", "Abandoned"


class ScopingSession(models.Model):
    """One team's scoping of one AI/ML project: the interview's answers lead to a charter."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scoping_sessions")
    project_name = models.CharField(max_length=PROJECT_NAME_MAX)
    description = models.TextField(max_length=DESCRIPTION_MAX, blank=True)
    status = models.CharField(max_length=20, choices=SessionStatus.choices, default=SessionStatus.IN_PROGRESS)
    current_stage = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-created_at"]
        indexes = [
            models.Index(fields=["owner", "-updated_at"], name="session_owner_updated_idx"),
            models.Index(fields=["owner", "-created_at"], name="session_owner_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(current_stage__gte=1, current_stage__lte=STAGE_COUNT),
                name="session_current_stage_range",
            )
        ]

    def __str__(self) -> str:
        return self.project_name

    @property
    def stages_completed(self) -> int:
        if self.status == SessionStatus.COMPLETED:
            return STAGE_COUNT
        return self.current_stage - 1

    @property
    def progress_percent(self) -> int:
        return round(100 * self.stages_completed / STAGE_COUNT)
