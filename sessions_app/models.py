from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from sessions_app.interview.rules import MAX_ATTEMPTS

STAGE_COUNT = 5
PROJECT_NAME_MAX = 200
DESCRIPTION_MAX = 5000


def progress_percent(completed: int, needs_review: int = 0) -> int:
    """The one progress figure (dashboard, session page, stage strip, API): the share of the stages whose gate
    passed. A stage that needs review (an earlier stage changed; its own answers did not) still counts; the stage
    whose answer changed counts again once its gate passes."""
    return round(100 * (completed + needs_review) / STAGE_COUNT)


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
    # When the latest charter version got the sign-offs its decision needs; cleared by a new version.
    approved_at = models.DateTimeField(null=True, blank=True)

    # The acting user's role, set by the access guard (``sessions_app.access``) on the session it resolves.
    role: str = ""

    class Meta:
        ordering = ["-updated_at", "-created_at"]
        indexes = [
            models.Index(fields=["owner", "-updated_at"], name="session_owner_updated_idx"),
            # The list's order (newest first, id as the tie-break): read straight off the index, no sort.
            models.Index(fields=["owner", "-created_at", "-id"], name="session_owner_created_id_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(current_stage__gte=1, current_stage__lte=STAGE_COUNT),
                name="session_current_stage_range",
            )
        ]

    def __str__(self) -> str:
        return self.project_name

    def save(self, *args: object, **kwargs: object) -> None:
        """A new session's owner is its first member (the owner membership), whoever creates the row."""
        adding = self._state.adding
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        if adding:
            Membership.objects.create(session=self, user_id=self.owner_id, role=MemberRole.OWNER)

    @property
    def stages_completed(self) -> int:
        """Stages whose gate passed and still holds. Selectors annotate the count to spare a query."""
        if self.status == SessionStatus.COMPLETED:
            return STAGE_COUNT
        done = getattr(self, "completed_stage_count", None)
        if done is None:
            done = self.stage_states.filter(status="completed").count()
        return int(done)

    @property
    def stages_needing_review(self) -> int:
        """Stages whose gate passed before an earlier stage changed (``stale``). Selectors annotate it too."""
        if self.status == SessionStatus.COMPLETED:
            return 0
        stale = getattr(self, "review_stage_count", None)
        if stale is None:
            stale = self.stage_states.filter(status="stale").count()
        return int(stale)

    @property
    def progress_percent(self) -> int:
        return progress_percent(self.stages_completed, self.stages_needing_review)


class AnswerStatus(models.TextChoices):
    PENDING = "pending", "Being checked"
    NEEDS_FOLLOWUP = "needs_followup", "Needs more detail"
    ACCEPTED = "accepted", "Accepted"
    ESCALATED = "escalated", f"Accepted after {MAX_ATTEMPTS} attempts (open issue)"
    CHECK_FAILED = "check_failed", "Saved; quality check failed"


# A removal row's marker (in ``Answer.quality``) and value: see ``Answer.is_removal``.
REMOVED_MARK = "removed"
REMOVED_VALUE = {"removed": True}


class Answer(models.Model):
    """One submission of an answer. Append-only: a revision is a new row; the latest row is the current answer.

    ``value`` holds the normalised answer (text, number with unit, choice, list…); nothing a user typed is ever
    overwritten — only the quality fields are filled in once the check has run.
    """

    session = models.ForeignKey(ScopingSession, on_delete=models.CASCADE, related_name="answers")
    stage = models.PositiveSmallIntegerField()
    question_id = models.CharField(max_length=16)
    # Repeatable groups (several KPIs, several personas) number their items from 0.
    item = models.PositiveSmallIntegerField(default=0)
    value = models.JSONField()
    attempt = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=20, choices=AnswerStatus.choices, default=AnswerStatus.PENDING)
    quality_score = models.FloatField(null=True, blank=True)
    quality = models.JSONField(default=dict, blank=True)
    structured = models.JSONField(null=True, blank=True)
    carried_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["session", "stage", "question_id", "item", "-created_at"], name="answer_current_idx")
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(stage__gte=1, stage__lte=STAGE_COUNT), name="answer_stage_range")
        ]

    def __str__(self) -> str:
        return f"{self.question_id} #{self.attempt}"

    @property
    def is_final(self) -> bool:
        return self.status in (AnswerStatus.ACCEPTED, AnswerStatus.ESCALATED)

    @property
    def is_removal(self) -> bool:
        """A removal row: the item of a repeatable group was removed here (``answer_item_remove``); the selectors
        read the answer as absent from this row on, the earlier rows stay as history."""
        return bool(self.quality and self.quality.get(REMOVED_MARK))


class StageStatus(models.TextChoices):
    LOCKED = "locked", "Not started"
    OPEN = "open", "In progress"
    COMPLETED = "completed", "Completed"
    STALE = "stale", "Needs review"


class StageState(models.Model):
    """Where one stage of one session stands: its gate, its deliverable, whether it is stale."""

    session = models.ForeignKey(ScopingSession, on_delete=models.CASCADE, related_name="stage_states")
    stage = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=StageStatus.choices, default=StageStatus.LOCKED)
    deliverable = models.JSONField(null=True, blank=True)
    gate = models.JSONField(default=dict, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["stage"]
        constraints = [models.UniqueConstraint(fields=["session", "stage"], name="stage_state_unique")]

    def __str__(self) -> str:
        return f"{self.session_id} stage {self.stage}: {self.status}"


class ConcernAcknowledgement(models.Model):
    """A gate concern the team accepts, with the written reason (shown in the charter's open issues)."""

    session = models.ForeignKey(ScopingSession, on_delete=models.CASCADE, related_name="acknowledgements")
    stage = models.PositiveSmallIntegerField()
    key = models.CharField(max_length=120)
    message = models.TextField()
    reason = models.TextField(max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["session", "stage", "key"], name="concern_ack_unique")]

    def __str__(self) -> str:
        return f"stage {self.stage}: {self.key}"


class Checkpoint(models.Model):
    """A snapshot of a stage when its gate passed: the deliverable and the answers, restorable later."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(ScopingSession, on_delete=models.CASCADE, related_name="checkpoints")
    stage = models.PositiveSmallIntegerField()
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"stage {self.stage} checkpoint {self.created_at:%Y-%m-%d %H:%M}"


class RunKind(models.TextChoices):
    ANSWER_CHECK = "answer_check", "Answer quality check"
    CHARTER = "charter", "Charter generation"
    CONSISTENCY = "consistency", "Consistency check"


CROSS_STAGE = 0  # the "stage" of acknowledgements that concern consistency findings across stages


class ConsistencyReview(models.Model):
    """The cross-stage consistency findings (rules + LLM) computed before a charter is generated."""

    session = models.ForeignKey(ScopingSession, on_delete=models.CASCADE, related_name="consistency_reviews")
    findings = models.JSONField(default=list)
    semantic_available = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"consistency review {self.created_at:%Y-%m-%d %H:%M}"


class Charter(models.Model):
    """One generated version of a session's AI Project Charter. Versions are never changed, only approved."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(ScopingSession, on_delete=models.CASCADE, related_name="charters")
    version = models.PositiveIntegerField()
    content = models.JSONField()
    markdown = models.TextField()
    decision = models.CharField(max_length=32)
    provider = models.CharField(max_length=40, blank=True)
    offline = models.BooleanField(default=False)
    answers_snapshot = models.JSONField(default=dict)
    generated_at = models.DateTimeField(auto_now_add=True)
    approver_name = models.CharField(max_length=150, blank=True)
    approved_at = models.DateField(null=True, blank=True)
    approval_comment = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["session", "version"], name="charter_version_unique")]

    def __str__(self) -> str:
        return f"{self.session_id} charter v{self.version}"


class CharterExport(models.Model):
    """A charter version's rendered file (PDF or Word), made once in the generation run; downloads read it."""

    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="exports")
    format = models.CharField(max_length=8)
    appendix = models.BooleanField(default=True)
    data = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["charter", "format", "appendix"], name="charter_export_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.charter_id} {self.format}{'' if self.appendix else ' (no appendix)'}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


class StageRun(models.Model):
    """One execution of LLM work in the background, tracked for progress, cost and failure."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(ScopingSession, on_delete=models.CASCADE, related_name="runs")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stage_runs")
    kind = models.CharField(max_length=20, choices=RunKind.choices)
    stage = models.PositiveSmallIntegerField(null=True, blank=True)
    answer = models.ForeignKey(Answer, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs")
    status = models.CharField(max_length=12, choices=RunStatus.choices, default=RunStatus.QUEUED)
    step = models.CharField(max_length=120, blank=True)
    # What a model has written so far (the charter's executive summary while it streams); shown while running.
    partial_text = models.TextField(blank=True)
    provider = models.CharField(max_length=40, blank=True)
    model = models.CharField(max_length=80, blank=True)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=12, decimal_places=6, default=0)
    error = models.TextField(blank=True)
    result = models.JSONField(null=True, blank=True)
    retry_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One active run per user, enforced by the database (not a check-then-insert race).
            models.UniqueConstraint(
                fields=["owner"], condition=models.Q(status__in=["queued", "running"]), name="one_active_run_per_user"
            )
        ]
        indexes = [models.Index(fields=["kind", "status", "-finished_at"], name="run_kind_status_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_RUN_STATUSES


class AdaptedExample(models.Model):
    """An example of a strong answer rewritten for one session's project: generated once per session and question
    (``sessions_app.interview.examples``); the call's tokens and cost are in ``llm.LLMCall`` like every call."""

    session = models.ForeignKey(ScopingSession, on_delete=models.CASCADE, related_name="adapted_examples")
    question_id = models.CharField(max_length=10)
    text = models.TextField()
    domain = models.CharField(max_length=40, blank=True, help_text="The bank example's domain it starts from.")
    provider = models.CharField(max_length=40)
    model = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "question_id"], name="adapted_example_once_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.question_id} for {self.session_id} ({self.provider})"

    @property
    def offline(self) -> bool:
        return self.provider == "offline"


# --- The team around a session (DOMAIN.md "The team around a session") ---------------------------------------


class MemberRole(models.TextChoices):
    OWNER = "owner", "Owner"
    EDITOR = "editor", "Editor"
    REVIEWER = "reviewer", "Reviewer"
    VIEWER = "viewer", "Viewer"


class TeamFunction(models.TextChoices):
    PRODUCT_MANAGER = "product_manager", "Product manager"
    DATA_SCIENCE_LEAD = "data_science_lead", "Data-science lead"
    ML_ENGINEER = "ml_engineer", "ML engineer"
    ETHICS_RISK_OFFICER = "ethics_risk_officer", "Ethics / risk officer"


class Membership(models.Model):
    """A user's place in a session's team: the role decides what they may do (``sessions_app.access``), the
    optional function which questions are usually theirs. Exactly one owner; ``ScopingSession.owner`` follows it."""

    session = models.ForeignKey(ScopingSession, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=12, choices=MemberRole.choices)
    function = models.CharField(max_length=24, choices=TeamFunction.choices, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="membership_unique"),
            models.UniqueConstraint(fields=["session"], condition=models.Q(role="owner"), name="one_owner"),
        ]
        indexes = [models.Index(fields=["user", "session"], name="membership_user_session_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} of {self.session_id}"


class Invitation(models.Model):
    """An invitation to an address with no account yet: a signed link (``team.services.INVITATION_DAYS``)
    that joins the session with ``role`` once its holder registers or logs in with that address."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(ScopingSession, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=12, choices=MemberRole.choices)
    function = models.CharField(max_length=24, choices=TeamFunction.choices, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} as {self.role}"


class CommentTarget(models.TextChoices):
    ANSWER = "answer", "Answer"
    CHARTER_SECTION = "charter_section", "Charter section"


class CommentThread(models.Model):
    """The discussion of one answer (``target`` = ``question_id`` or ``question_id#item``) or one charter section
    (``target`` = the section's anchor). Resolving closes it; a reply reopens it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(ScopingSession, on_delete=models.CASCADE, related_name="comment_threads")
    target_kind = models.CharField(max_length=16, choices=CommentTarget.choices)
    target = models.CharField(max_length=80)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["session", "target_kind", "target"], name="thread_target_idx")]

    def __str__(self) -> str:
        return f"{self.target_kind} {self.target}"


COMMENT_MAX = 4000


class Comment(models.Model):
    """One message of a thread: plain text, shown escaped."""

    thread = models.ForeignKey(CommentThread, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=COMMENT_MAX)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:40]


class SignOff(models.Model):
    """A reviewer's sign-off of one charter version, with their comment. A new version starts unsigned."""

    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="signoffs")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewer_name = models.CharField(max_length=150)
    comment = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["charter", "reviewer"], name="signoff_once_per_reviewer")]

    def __str__(self) -> str:
        return f"{self.reviewer_name} signed v{self.charter_id}"


class ActivityKind(models.TextChoices):
    SESSION_CREATED = "session_created", "Session created"
    SESSION_UPDATED = "session_updated", "Session renamed"
    ANSWER_SAVED = "answer_saved", "Answer saved"
    ITEM_REMOVED = "item_removed", "Item removed"
    GATE_PASSED = "gate_passed", "Stage completed"
    ACKNOWLEDGED = "acknowledged", "Concern acknowledged"
    RESTORED = "restored", "Checkpoint restored"
    MEMBER_ADDED = "member_added", "Member added"
    MEMBER_CHANGED = "member_changed", "Member changed"
    MEMBER_REMOVED = "member_removed", "Member removed"
    OWNER_TRANSFERRED = "owner_transferred", "Ownership transferred"
    INVITATION_SENT = "invitation_sent", "Invitation sent"
    INVITATION_REVOKED = "invitation_revoked", "Invitation revoked"
    CHARTER_GENERATED = "charter_generated", "Charter generated"
    SIGNED_OFF = "signed_off", "Charter signed off"
    COMMENTED = "commented", "Comment"
    THREAD_RESOLVED = "thread_resolved", "Thread resolved"
    THREAD_REOPENED = "thread_reopened", "Thread reopened"


class ActivityEntry(models.Model):
    """One change to a session, append-only. ``hash`` covers the entry and the previous entry's hash, so
    editing or deleting an entry breaks every later link (``manage.py verify_activity_log``)."""

    session = models.ForeignKey(ScopingSession, on_delete=models.CASCADE, related_name="activity")
    seq = models.PositiveIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who it was when it happened, covered by the hash: kept when the account is deleted later (``actor`` then
    # becomes null, which the hash does not cover).
    actor_ref = models.CharField(max_length=36, blank=True)
    actor_email = models.CharField(max_length=254, blank=True)
    kind = models.CharField(max_length=24, choices=ActivityKind.choices)
    summary = models.CharField(max_length=300)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq"]
        constraints = [models.UniqueConstraint(fields=["session", "seq"], name="activity_seq_unique")]

    def __str__(self) -> str:
        return f"{self.session_id} #{self.seq} {self.kind}"
