"""The interview's API bodies (output serializers), from the selectors' objects.

Date-times are kept as ``datetime`` in ``.data`` (``format=None``): the JSON renderer writes them in ISO 8601, and the
stage page, which shows the same dicts, formats them with ``|date``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sessions_app.interview.answer_types import (
    MAX_ANSWER_CHARS,
    MAX_LIST_ITEM_CHARS,
    MAX_LIST_ITEMS,
    MAX_NOTE_CHARS,
    MAX_UNIT_CHARS,
)
from sessions_app.interview.question_bank import Group, Question, QuestionType
from sessions_app.interview.rules import MAX_REPEAT_ITEMS, MIN_REASON_CHARS
from sessions_app.interview.selectors import StageDetail, StageSummary
from sessions_app.models import STAGE_COUNT, Answer, AnswerStatus, Checkpoint, ConcernAcknowledgement, StageStatus
from uaip.api import GateField, Text, documented, trimmed


def stage_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=STAGE_COUNT, **kwargs)


ANY_OBJECT: dict[str, Any] = {"type": "object", "additionalProperties": {}}

# A written reason (acknowledging a concern or a finding): at least MIN_REASON_CHARS characters once trimmed.
# The schema states it; the services check it and say what to write (see `documented`).
ReasonField = documented(
    Text,
    trimmed(MIN_REASON_CHARS, 2000),
)


@extend_schema_field({**ANY_OBJECT, "nullable": True})
class ObjectField(serializers.JSONField):
    """Stored JSON whose shape belongs to another document (a deliverable, a quality verdict)."""


class EmptyAsNullMixin:
    """``{}`` (nothing stored yet) is shown as ``null``."""

    def to_representation(self, value: Any) -> Any:
        return value or None


class EmptyAsNullGateField(EmptyAsNullMixin, GateField):
    pass


class EmptyAsNullObjectField(EmptyAsNullMixin, ObjectField):
    pass


# --- answers ----------------------------------------------------------------------------------------------------


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            "value": {"description": "Text, a number, a choice value, a list of strings, or item → number."},
            "unit": {"type": "string"},
            "note": {"type": "string"},
            "detail": {"type": "string"},
        },
        "required": ["value"],
        "description": "The answer as validated and stored; `unit`, `note` and `detail` where the question takes them.",
    }
)
class StoredAnswerField(serializers.JSONField):
    pass


class AuthorOutput(serializers.Serializer):
    user_id = serializers.UUIDField(source="pk")
    name = serializers.CharField(source="get_full_name")


class AnswerOutput(serializers.Serializer):
    answer_id = serializers.IntegerField(source="pk")
    version = serializers.IntegerField(
        source="pk",
        help_text="Send it back as `version` when saving over this answer: a newer answer by another member "
        "since then refuses the save (409 `answer_changed`).",
    )
    answered_by = AuthorOutput(allow_null=True, help_text="Who saved this answer; null if that account is gone.")
    item = serializers.IntegerField(min_value=0)
    value = StoredAnswerField()
    status = serializers.ChoiceField(choices=AnswerStatus.choices)
    attempt = serializers.IntegerField(min_value=1)
    quality_score = serializers.FloatField(allow_null=True)
    feedback = EmptyAsNullObjectField(
        source="quality",
        help_text="The quality check's verdict on a text answer (score, criteria, issues, followup_questions, "
        "example_answer, injection_detected, provider, offline…); null before the check.",
    )
    submitted_at = serializers.DateTimeField(source="created_at", format=None)


def answer_json(row: Answer) -> dict[str, Any]:
    """One answer row as the API and the stage page show it."""
    return dict(AnswerOutput(row).data)


# --- stages -----------------------------------------------------------------------------------------------------


class StageSummaryOutput(serializers.Serializer):
    stage = stage_field()
    title = serializers.CharField()
    deliverable = serializers.CharField()
    status = serializers.ChoiceField(choices=StageStatus.choices)
    required_questions = serializers.IntegerField(min_value=0)
    required_answered = serializers.IntegerField(min_value=0)
    completed_at = serializers.DateTimeField(allow_null=True, format=None)
    reopened = serializers.BooleanField(
        help_text="`open` again after its gate passed (an answer of it changed): `POST …/recheck` or its gate."
    )


def stage_summary_json(summary: StageSummary) -> dict[str, Any]:
    """One stage of the stage strip (a mutable dict: the stage page adds its own flags)."""
    return dict(StageSummaryOutput(summary).data)


class StageListOutput(serializers.Serializer):
    session_id = serializers.UUIDField()
    current_stage = stage_field(help_text="The first stage that needs work (open or needing review), else 5.")
    progress_percent = serializers.IntegerField(
        min_value=0, max_value=100, help_text="As on the session: completed and needs-review stages count."
    )
    stages = StageSummaryOutput(many=True)


class EditEffectOutput(serializers.Serializer):
    reopens = serializers.BooleanField(help_text="Saving a changed answer re-opens this stage (its gate passed).")
    needs_review = serializers.ListField(
        child=stage_field(), help_text="Later completed stages that a changed answer here makes need review."
    )
    message = serializers.CharField(help_text="The same in words, as the page shows it; empty when nothing changes.")


class ChoiceOutput(serializers.Serializer):
    value = serializers.CharField(help_text="What to send as the answer (the label is accepted too).")
    label = serializers.CharField()  # type: ignore[assignment]  # the body's key, not Field.label


class ChoiceDetailOutput(serializers.Serializer):
    prompt = serializers.CharField(help_text="What the accompanying text should say.")
    required_for = serializers.ListField(
        child=serializers.CharField(), help_text="The choice values that need the text, sent as `detail`."
    )


class ConditionOutput(serializers.Serializer):
    question = serializers.CharField(help_text="The earlier question whose answer decides.")
    in_ = serializers.ListField(
        child=serializers.CharField(),
        source="in_",
        allow_null=True,
        help_text="Applies when that answer is one of these choices.",
    )
    greater_than = serializers.FloatField(allow_null=True, help_text="Applies when that number is above this.")

    def get_fields(self) -> dict[str, serializers.Field]:
        # The key is `in`, a Python keyword: rename it here so the body and the schema both say `in`.
        return {("in" if name == "in_" else name): field for name, field in super().get_fields().items()}


class AnswerLimitsOutput(serializers.Serializer):
    max_chars = serializers.IntegerField(help_text="Characters in a text answer, a list as text, or a detail.")
    max_items = serializers.IntegerField(allow_null=True, help_text="Items of a list, or values of a per-item number.")
    max_item_chars = serializers.IntegerField(allow_null=True, help_text="Characters of one item (or item name).")
    max_unit_chars = serializers.IntegerField(allow_null=True, help_text="Characters of a unit you name yourself.")
    max_note_chars = serializers.IntegerField(allow_null=True, help_text="Characters of a score's note.")


def answer_limits(q: Question) -> dict[str, int | None]:
    """The size limits ``answer_types`` enforces on an answer to ``q`` (null where they do not apply)."""
    itemised = q.type is QuestionType.LIST or (q.type is QuestionType.NUMBER and q.per_item_of is not None)
    return {
        "max_chars": MAX_ANSWER_CHARS,
        "max_items": MAX_LIST_ITEMS if itemised else None,
        "max_item_chars": MAX_LIST_ITEM_CHARS if itemised else None,
        "max_unit_chars": MAX_UNIT_CHARS if q.free_unit else None,
        "max_note_chars": MAX_NOTE_CHARS if q.type is QuestionType.SCALE else None,
    }


class ExampleOutput(serializers.Serializer):
    domain = serializers.CharField(help_text="e.g. `healthcare`, `public_sector`, `telecom`.")
    domain_label = serializers.CharField()
    text = serializers.CharField()


class QuestionOutput(serializers.Serializer):
    """A question with everything needed to send a valid answer, and its current answers (one per item)."""

    question_id = serializers.CharField(source="question.id")
    text = serializers.CharField(source="question.text")
    help = serializers.CharField(source="question.help")
    example = serializers.CharField(source="question.example")
    examples = ExampleOutput(
        many=True, source="question.examples", help_text="Examples of a strong answer, from at least two domains."
    )
    type = serializers.ChoiceField(choices=[t.value for t in QuestionType], source="question.type")
    required = serializers.BooleanField(source="question.required")  # type: ignore[assignment]  # the body's key
    feeds = serializers.CharField(source="question.feeds", help_text="The deliverable field the answer fills.")
    choices = ChoiceOutput(many=True, source="question.choices")
    unit = serializers.CharField(
        source="question.unit", allow_null=True, help_text="The fixed unit of a number (send the number alone)."
    )
    unit_choices = serializers.ListField(
        child=serializers.CharField(), source="question.unit_choices", help_text="Units to pick one from."
    )
    min = serializers.SerializerMethodField(help_text="Inclusive lower bound of a number, score or percentage.")
    max = serializers.SerializerMethodField(help_text="Inclusive upper bound of a number, score or percentage.")
    answers = AnswerOutput(many=True)
    free_unit = serializers.BooleanField(
        source="question.free_unit", help_text="The number needs a unit you name, e.g. `%`, `days`, `EUR`."
    )
    unit_required = serializers.SerializerMethodField(
        help_text="A number without a unit is refused: pick one of `unit_choices`, or name one (`free_unit`)."
    )
    whole_number = serializers.SerializerMethodField(help_text="Only whole numbers (scores).")
    per_item_of = serializers.CharField(
        source="question.per_item_of",
        allow_null=True,
        help_text=(
            "One entry per item of this earlier list answer: for a number, `{item: number}` or `item: number` per "
            "line; for text, one `item: text` line per item (an item is the line's first `|` field)."
        ),
    )
    detail = ChoiceDetailOutput(
        source="question.detail", allow_null=True, help_text="Choices that need a short text beside them."
    )
    condition = ConditionOutput(
        source="question.condition",
        allow_null=True,
        help_text="When the question applies (and counts as required); null: always.",
    )
    limits = serializers.SerializerMethodField()

    def get_min(self, entry: Any) -> float | None:
        low: float | None = entry.question.bounds[0]
        return low

    def get_max(self, entry: Any) -> float | None:
        high: float | None = entry.question.bounds[1]
        return high

    def get_unit_required(self, entry: Any) -> bool:
        q: Question = entry.question
        return q.type is QuestionType.NUMBER and not q.per_item_of and bool(q.unit_choices or q.free_unit)

    def get_whole_number(self, entry: Any) -> bool:
        return bool(entry.question.type is QuestionType.SCALE)

    @extend_schema_field(AnswerLimitsOutput)
    def get_limits(self, entry: Any) -> dict[str, int | None]:
        return answer_limits(entry.question)


class GroupOutput(serializers.Serializer):
    key = serializers.CharField(source="group.key")
    title = serializers.CharField(source="group.title")
    repeatable = serializers.BooleanField(
        source="group.repeatable", help_text="The group is answered once per item (several KPIs, personas)."
    )
    questions = QuestionOutput(many=True)
    max_items = serializers.SerializerMethodField(
        help_text="How many items the group takes: send `item` from 0 to `max_items` − 1."
    )

    def get_max_items(self, entry: Any) -> int:
        group: Group = entry.group
        return MAX_REPEAT_ITEMS if group.repeatable else 1


class StageDetailOutput(serializers.Serializer):
    stage = stage_field(source="number")
    title = serializers.CharField()
    purpose = serializers.CharField()
    deliverable_name = serializers.CharField()
    status = serializers.ChoiceField(choices=StageStatus.choices, source="state.status")
    gate = EmptyAsNullGateField(source="state.gate", allow_null=True, help_text="The gate's last result.")
    deliverable = ObjectField(
        source="state.deliverable", allow_null=True, help_text="The stage's deliverable as last built."
    )
    groups = GroupOutput(many=True)
    edit_effect = EditEffectOutput(help_text="What saving a changed answer of this stage would re-open.")


def stage_detail_json(detail: StageDetail) -> dict[str, Any]:
    return dict(StageDetailOutput(detail).data)


# --- gates, concerns and checkpoints ----------------------------------------------------------------------------


class CheckpointOutput(serializers.Serializer):
    checkpoint_id = serializers.UUIDField(source="pk")
    stage = stage_field()
    created_at = serializers.DateTimeField(format=None)
    deliverable = ObjectField(source="data.deliverable", allow_null=True)
    gate = GateField(source="data.gate", allow_null=True)


def checkpoint_json(checkpoint: Checkpoint) -> dict[str, Any]:
    return dict(CheckpointOutput(checkpoint).data)


class CheckpointListOutput(serializers.Serializer):
    results = CheckpointOutput(many=True, help_text="Newest first.")


class StageCompletedOutput(serializers.Serializer):
    checkpoint = CheckpointOutput()
    current_stage = stage_field()


class CheckpointRestoredOutput(serializers.Serializer):
    restored = CheckpointOutput()
    current_stage = stage_field()
    stages = StageSummaryOutput(many=True)


class AcknowledgementOutput(serializers.Serializer):
    stage = stage_field()
    key = serializers.CharField()
    message = serializers.CharField()
    reason = serializers.CharField()
    acknowledged_at = serializers.DateTimeField(source="created_at", format=None)


def acknowledgement_json(ack: ConcernAcknowledgement) -> dict[str, Any]:
    return dict(AcknowledgementOutput(ack).data)


class AnswerSavedOutput(serializers.Serializer):
    """201: a typed answer, validated and accepted at once."""

    answer = AnswerOutput()
    reopened_stage = serializers.SerializerMethodField(
        help_text="The stage this save re-opened (its gate had passed; it must pass again), else null."
    )
    stages_needing_review = serializers.SerializerMethodField(
        help_text="Later stages this save made need review (`POST /sessions/{id}/recheck` re-runs their gates)."
    )

    @staticmethod
    def _effect(submitted: Any) -> Any:
        return submitted.get("effect") if isinstance(submitted, dict) else getattr(submitted, "effect", None)

    def get_reopened_stage(self, submitted: Any) -> int | None:
        effect = self._effect(submitted)
        return effect.stage if effect is not None and effect.reopens else None

    def get_stages_needing_review(self, submitted: Any) -> list[int]:
        effect = self._effect(submitted)
        return list(effect.needs_review) if effect is not None else []


class AnswerCheckingOutput(AnswerSavedOutput):
    """202: a text answer, saved; its quality check runs in the background."""

    run_id = serializers.UUIDField(help_text="Poll `GET /runs/{run_id}` for the verdict.")


class StageRecheckOutput(serializers.Serializer):
    stage = stage_field()
    outcome = serializers.ChoiceField(
        choices=["passed", "not_passed", "check_in_progress", "not_checked"],
        help_text="`passed`: complete again, new checkpoint; `not_passed`: stopped here, `gate` says what is "
        "missing; `check_in_progress`: an answer is still being checked; `not_checked`: after the stop.",
    )
    checkpoint = CheckpointOutput(allow_null=True)
    gate = GateField(allow_null=True, help_text="The gate's result when it did not pass.")


class RecheckOutput(serializers.Serializer):
    passed = serializers.BooleanField(help_text="Every re-checked stage passed (true when none needed it).")
    results = StageRecheckOutput(many=True, help_text="The stages that needed review or were re-opened, in order.")
    current_stage = stage_field()
    stages = StageSummaryOutput(many=True)
