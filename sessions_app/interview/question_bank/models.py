"""Typed, immutable models of the question bank: one `StageDefinition` per stage file.

The YAML files beside this module are the source of truth; `loader.py` validates them into these models.
Structural rules (field types, required fields, patterns) live here; rules that span several fields or
questions (ids in sequence, counts per group, references) live in the loader, which can say exactly where
a problem is.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

QUESTION_ID_PATTERN = r"^S[1-5]Q[1-9][0-9]*$"
KEY_PATTERN = r"^[a-z][a-z0-9_]*$"
# A deliverable field path: `business_objective`, `quality_scores.accuracy`, `personas[].goals`.
# `[]` marks a list of objects: the answer fills that field on each element (or builds the elements).
FIELD_PATH_PATTERN = r"^[a-z][a-z0-9_]*(\[\])?(\.[a-z][a-z0-9_]*(\[\])?)*$"
DELIVERABLE_NAME_PATTERN = r"^[A-Z][A-Za-z0-9]*$"

# The domains an example of a strong answer may come from (key → label shown beside the example). Each question
# carries examples from at least MIN_EXAMPLE_DOMAINS of them, so a hospital team does not read only about
# broadband churn; the loader enforces both.
EXAMPLE_DOMAINS: Mapping[str, str] = MappingProxyType(
    {
        "telecom": "Telecom (broadband)",
        "healthcare": "Healthcare",
        "public_sector": "Public sector",
        "retail": "Retail and e-commerce",
        "manufacturing": "Manufacturing",
        "finance": "Banking and finance",
        "insurance": "Insurance",
        "logistics": "Logistics",
        "energy": "Energy and utilities",
        "education": "Education",
    }
)
MIN_EXAMPLE_DOMAINS = 2

SCALE_BOUNDS = (0, 10)
PERCENTAGE_BOUNDS = (0, 100)

NonEmptyStr = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN)]
QuestionId = Annotated[str, StringConstraints(pattern=QUESTION_ID_PATTERN)]
FieldPath = Annotated[str, StringConstraints(pattern=FIELD_PATH_PATTERN)]


class QuestionType(StrEnum):
    TEXT = "text"  # free text, quality-scored by the reflection step
    NUMBER = "number"
    SCALE = "scale"  # whole number 0–10
    PERCENTAGE = "percentage"
    CHOICE = "choice"
    LIST = "list"


class StageNotFound(LookupError):
    pass


class QuestionNotFound(LookupError):
    pass


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Choice(_Frozen):
    value: Key
    label: NonEmptyStr


class ChoiceDetail(_Frozen):
    """A short text that accompanies some choices, e.g. naming the features that are not available."""

    prompt: NonEmptyStr
    required_for: tuple[Key, ...] = Field(min_length=1)


class Condition(_Frozen):
    """The question applies (and its `required` flag counts) only when an earlier answer matches.

    Exactly one of `in` (choice values) or `greater_than` (a number) is given; the loader checks that.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    question: QuestionId
    in_: tuple[Key, ...] | None = Field(default=None, alias="in")
    greater_than: float | None = None

    def holds(self, answers: Mapping[str, Any]) -> bool:
        """Whether the condition is met by `answers` (question id → normalised answer or its value).

        An unanswered question never meets a condition: the dependent question is not asked yet.
        """
        if self.question not in answers:
            return False
        value = _plain_value(answers[self.question])
        if self.in_ is not None:
            return isinstance(value, str) and value.lower() in self.in_
        if self.greater_than is not None:
            is_number = isinstance(value, int | float) and not isinstance(value, bool)
            return is_number and value > self.greater_than
        return True


def _plain_value(answer: Any) -> Any:
    """Accept a NormalisedAnswer, its JSON form ({"value": …}) or the bare value."""
    if hasattr(answer, "value"):
        return answer.value
    if isinstance(answer, Mapping):
        return answer.get("value")
    return answer


def _freeze_mapping(value: dict[str, tuple[str, ...]]) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType(dict(value))


class Suggestions(_Frozen):
    """Starting points offered for a list question, keyed by the answer to an earlier choice question."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    from_: QuestionId = Field(alias="from")
    by_value: Annotated[dict[Key, tuple[NonEmptyStr, ...]], AfterValidator(_freeze_mapping)]


class Example(_Frozen):
    """An example of a strong answer, from one domain. Typed answers are written "value — why"."""

    domain: Key
    text: NonEmptyStr

    @property
    def domain_label(self) -> str:
        return EXAMPLE_DOMAINS.get(self.domain, self.domain.replace("_", " ").capitalize())


class TeamFunction(StrEnum):
    """Who in a team usually answers a group (DOMAIN.md "The team around a session"); the same values as the
    memberships' ``sessions_app.models.TeamFunction``."""

    PRODUCT_MANAGER = "product_manager"
    DATA_SCIENCE_LEAD = "data_science_lead"
    ML_ENGINEER = "ml_engineer"
    ETHICS_RISK_OFFICER = "ethics_risk_officer"


class Group(_Frozen):
    key: Key
    title: NonEmptyStr
    count: int = Field(ge=1)
    # The team function that usually answers the group ("My questions", who is expected where).
    function: TeamFunction
    # The whole group can be answered more than once (several KPIs, several personas).
    repeatable: bool = False


class DerivedField(_Frozen):
    """A deliverable field computed from answers rather than asked (e.g. the actionability margin)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    field: FieldPath
    from_: tuple[QuestionId, ...] = Field(alias="from", min_length=1)
    rule: NonEmptyStr


class Question(_Frozen):
    id: QuestionId
    group: Key
    type: QuestionType
    required: bool
    feeds: FieldPath
    text: NonEmptyStr
    help: NonEmptyStr
    # Examples of a strong answer, shown with the help text: at least two domains (checked by the loader).
    examples: tuple[Example, ...] = Field(min_length=1)
    # choice
    choices: tuple[Choice, ...] = ()
    detail: ChoiceDetail | None = None
    # number: at most one of unit (fixed), unit_choices (user picks), free_unit (user names it)
    unit: NonEmptyStr | None = None
    unit_choices: tuple[NonEmptyStr, ...] = ()
    free_unit: bool = False
    # one number (number) or one "item: text" line (text) per item of an earlier list answer
    per_item_of: QuestionId | None = None
    # number, scale, percentage (inclusive)
    min: float | None = None
    max: float | None = None
    # list
    suggestions: Suggestions | None = None
    condition: Condition | None = None
    confirms: FieldPath | None = None  # the declared derived field this question asks the user to confirm

    @property
    def stage(self) -> int:
        return int(self.id[1])

    @property
    def example(self) -> str:
        """The first example's text: the default "example of a better answer" of the reflection step."""
        return self.examples[0].text

    @property
    def example_domains(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(example.domain for example in self.examples))

    @property
    def is_quality_scored(self) -> bool:
        """Free text is scored by the reflection step; typed answers are validated, not scored."""
        return self.type is QuestionType.TEXT

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(choice.value for choice in self.choices)

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        """Inclusive (min, max) for numeric answers, with the type's natural bounds as defaults."""
        default_low, default_high = {
            QuestionType.SCALE: SCALE_BOUNDS,
            QuestionType.PERCENTAGE: PERCENTAGE_BOUNDS,
        }.get(self.type, (None, None))
        low = self.min if self.min is not None else default_low
        high = self.max if self.max is not None else default_high
        return low, high

    def applies(self, answers: Mapping[str, Any] | None = None) -> bool:
        """Whether the question is asked, given the answers so far (always, without a condition)."""
        if self.condition is None:
            return True
        return answers is not None and self.condition.holds(answers)

    def suggestions_for(self, value: str | None) -> tuple[str, ...]:
        if self.suggestions is None or value is None:
            return ()
        return tuple(self.suggestions.by_value.get(value.lower(), ()))


class StageMetadata(_Frozen):
    number: int = Field(ge=1, le=5)
    title: NonEmptyStr
    deliverable: Annotated[str, StringConstraints(pattern=DELIVERABLE_NAME_PATTERN)]
    deliverable_title: NonEmptyStr
    purpose: NonEmptyStr
    question_count: int = Field(ge=1)
    deliverable_fields: tuple[Key, ...] = Field(min_length=1)
    groups: tuple[Group, ...] = Field(min_length=1)
    derived: tuple[DerivedField, ...] = ()


class StageDefinition(StageMetadata):
    questions: tuple[Question, ...]

    @cached_property
    def _questions_by_id(self) -> dict[str, Question]:
        return {question.id: question for question in self.questions}

    def group(self, key: str) -> Group:
        for group in self.groups:
            if group.key == key:
                return group
        raise LookupError(f"Stage {self.number} has no group {key!r}.")

    def questions_in_group(self, key: str) -> tuple[Question, ...]:
        return tuple(question for question in self.questions if question.group == key)

    def question(self, question_id: str) -> Question:
        try:
            return self._questions_by_id[question_id]
        except KeyError:
            raise QuestionNotFound(f"Stage {self.number} has no question {question_id!r}.") from None

    def required_questions(self, answers: Mapping[str, Any] | None = None) -> tuple[Question, ...]:
        """Questions flagged required. Without `answers`, conditional ones are included (they may become
        required); with `answers` (question id → normalised answer), only those whose condition holds."""
        return tuple(
            question
            for question in self.questions
            if question.required and (answers is None or question.applies(answers))
        )

    def derived_field(self, field: str) -> DerivedField | None:
        return next((derived for derived in self.derived if derived.field == field), None)


class QuestionBank(_Frozen):
    stages: tuple[StageDefinition, ...]

    @cached_property
    def _stages_by_number(self) -> dict[int, StageDefinition]:
        return {stage.number: stage for stage in self.stages}

    @cached_property
    def _questions_by_id(self) -> dict[str, Question]:
        return {question.id: question for stage in self.stages for question in stage.questions}

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(self._questions_by_id.values())

    def stage(self, number: int) -> StageDefinition:
        try:
            return self._stages_by_number[number]
        except KeyError:
            raise StageNotFound(f"There is no stage {number!r}; stages are numbered 1 to 5.") from None

    def question(self, question_id: str) -> Question:
        try:
            return self._questions_by_id[question_id]
        except KeyError:
            raise QuestionNotFound(
                f"There is no question {question_id!r}; ids look like S1Q1 (stage 1, question 1)."
            ) from None

    def has_question(self, question_id: str) -> bool:
        return question_id in self._questions_by_id

    def questions_for_stage(self, number: int) -> tuple[Question, ...]:
        return self.stage(number).questions

    def required_questions(self, number: int, answers: Mapping[str, Any] | None = None) -> tuple[Question, ...]:
        return self.stage(number).required_questions(answers)
