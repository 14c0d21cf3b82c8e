"""Load and validate the five stage files into a `QuestionBank`.

Every problem found is collected (not just the first) and reported with the file, the question and the
field at fault, what is wrong, and how to fix it. `load_bank()` raises `QuestionBankError` with all of
them; the system check in `sessions_app/checks.py` turns each into a check Error.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ImproperlyConfigured
from pydantic import BaseModel, ValidationError

from .models import (
    EXAMPLE_DOMAINS,
    MIN_EXAMPLE_DOMAINS,
    Choice,
    ChoiceDetail,
    Condition,
    DerivedField,
    Example,
    Group,
    Question,
    QuestionBank,
    QuestionType,
    StageDefinition,
    StageMetadata,
    Suggestions,
)

BANK_DIR = Path(__file__).resolve().parent
STAGE_NUMBERS = (1, 2, 3, 4, 5)
SCHEMA_HINT = "see the schema described at the top of stage1.yaml"


def stage_file_name(number: int) -> str:
    return f"stage{number}.yaml"


@dataclass(frozen=True)
class BankProblem:
    file: str
    question_id: str | None
    field: str | None
    message: str
    fix: str

    @property
    def location(self) -> str:
        parts = [self.file]
        if self.question_id:
            parts.append(f"question {self.question_id}")
        if self.field:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.location}: {self.message} Fix: {self.fix}"


class QuestionBankError(ImproperlyConfigured):
    def __init__(self, problems: Iterable[BankProblem]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"- {problem}" for problem in self.problems)
        super().__init__(f"The question bank has {len(self.problems)} problem(s):\n{lines}")


def load_bank(directory: str | Path | None = None) -> QuestionBank:
    """Read and validate stage1.yaml … stage5.yaml from `directory` (default: this package)."""
    directory = Path(directory) if directory is not None else BANK_DIR
    problems: list[BankProblem] = []
    stages: dict[int, StageDefinition] = {}
    for number in STAGE_NUMBERS:
        stage, stage_problems = _load_stage_file(directory / stage_file_name(number), number)
        problems.extend(stage_problems)
        if stage is not None:
            stages[number] = stage
    problems.extend(_unexpected_files(directory))
    problems.extend(_CrossStageChecker(stages).problems())
    if problems:
        raise QuestionBankError(problems)
    return QuestionBank(stages=tuple(stages[number] for number in STAGE_NUMBERS))


@functools.cache
def get_bank() -> QuestionBank:
    """The bank shipped with the app, loaded once per process."""
    return load_bank()


def stage(number: int) -> StageDefinition:
    return get_bank().stage(number)


def question(question_id: str) -> Question:
    return get_bank().question(question_id)


def questions_for_stage(number: int) -> tuple[Question, ...]:
    return get_bank().questions_for_stage(number)


def required_questions(number: int, answers: Mapping[str, Any] | None = None) -> tuple[Question, ...]:
    return get_bank().required_questions(number, answers)


# --- Reading one file ---------------------------------------------------------------------------------------


def _load_stage_file(path: Path, number: int) -> tuple[StageDefinition | None, list[BankProblem]]:
    file = path.name
    if not path.is_file():
        return None, [
            BankProblem(
                file,
                None,
                None,
                f"The file is missing from {path.parent}.",
                f"create it with the stage-{number} questions ({SCHEMA_HINT}).",
            )
        ]
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [
            BankProblem(
                file,
                None,
                None,
                f"The file is not valid YAML: {reason}{where}.",
                "correct the YAML there (check the indentation, and quote text that contains ': ' or ' #').",
            )
        ]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [
            BankProblem(file, None, None, f"The file cannot be read: {exc}.", "make it a readable UTF-8 text file.")
        ]

    if not isinstance(raw, dict) or not {"stage", "questions"} <= raw.keys():
        return None, [
            BankProblem(
                file,
                None,
                None,
                "The file must be a mapping with the keys 'stage' and 'questions'.",
                f"add the missing top-level key(s) ({SCHEMA_HINT}).",
            )
        ]
    problems = [
        BankProblem(
            file,
            None,
            str(key),
            "is not a known top-level key.",
            "remove it; a stage file has only 'stage' and 'questions'.",
        )
        for key in raw.keys() - {"stage", "questions"}
    ]
    metadata = _validate(StageMetadata, raw["stage"], file=file, question_id=None, prefix="stage", problems=problems)
    raw_questions = raw["questions"]
    if not isinstance(raw_questions, list) or not raw_questions:
        problems.append(
            BankProblem(
                file,
                None,
                "questions",
                "must be a non-empty list of questions.",
                f"list the stage's questions under 'questions:' ({SCHEMA_HINT}).",
            )
        )
        return None, problems
    questions: list[Question] = []
    for position, raw_question in enumerate(raw_questions, start=1):
        label = _question_label(raw_question, position)
        parsed = _validate(Question, raw_question, file=file, question_id=label, prefix="", problems=problems)
        if parsed is not None:
            questions.append(parsed)
    if metadata is None or len(questions) != len(raw_questions) or problems:
        return None, problems

    problems.extend(_StageChecker(file, number, metadata, questions).problems())
    stage_definition = StageDefinition.model_validate({**dict(metadata), "questions": questions})
    return stage_definition, problems


def _question_label(raw_question: Any, position: int) -> str:
    if isinstance(raw_question, dict) and isinstance(raw_question.get("id"), str):
        return raw_question["id"]
    return f"#{position} (no valid id)"


# Which model a nested location refers to, so an unknown field can be answered with the known ones.
_NESTED_MODELS: dict[str, type[BaseModel]] = {
    "choices": Choice,
    "detail": ChoiceDetail,
    "condition": Condition,
    "suggestions": Suggestions,
    "groups": Group,
    "derived": DerivedField,
    "examples": Example,
}


def _validate(
    model: type[BaseModel], raw: Any, *, file: str, question_id: str | None, prefix: str, problems: list[BankProblem]
) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors():
            problems.append(_explain(error, model, file=file, question_id=question_id, prefix=prefix))
        return None


def _explain(
    error: Mapping[str, Any], model: type[BaseModel], *, file: str, question_id: str | None, prefix: str
) -> BankProblem:
    loc = [str(part) for part in error["loc"]]
    field = ".".join(([prefix] if prefix else []) + loc) or prefix or None
    # The innermost named part ("required_for" for required_for.0), which is what the fix talks about.
    name = next((part for part in reversed(loc) if not part.isdigit()), prefix)
    kind = error["type"]
    value = error.get("input")
    if kind == "missing":
        message, fix = "is missing.", f"add '{name}' ({SCHEMA_HINT})."
    elif kind == "extra_forbidden" and loc == ["example"]:
        message = "is the old single-example field."
        fix = (
            "write 'examples:', a list of {domain, text} entries from at least "
            f"{MIN_EXAMPLE_DOMAINS} different domains ({SCHEMA_HINT})."
        )
    elif kind == "extra_forbidden":
        owner = next((_NESTED_MODELS[part] for part in reversed(loc[:-1]) if part in _NESTED_MODELS), model)
        known = ", ".join(info.alias or field_name for field_name, info in owner.model_fields.items())
        message, fix = "is not a known field.", f"remove it or correct its spelling; known fields: {known}."
    elif kind == "string_too_short" or (kind == "too_short" and isinstance(value, list | tuple)):
        message, fix = "is empty.", f"write a value for '{name}'."
    elif kind == "string_type" and isinstance(value, bool):
        message = f"is the boolean {value!r}, not text."
        fix = 'YAML reads unquoted yes/no/on/off/true/false as booleans: put the value in quotes, e.g. "yes".'
    elif kind == "string_pattern_mismatch":
        message, fix = f"{value!r} is not well formed.", _pattern_fix(name)
    elif kind == "enum":
        allowed = ", ".join(member.value for member in QuestionType)
        message, fix = f"{value!r} is not a known question type.", f"use one of: {allowed}."
    else:
        message, fix = f"{error['msg']} (got {value!r}).", f"correct '{name}' ({SCHEMA_HINT})."
    return BankProblem(file, question_id, field, message, fix)


def _pattern_fix(name: str) -> str:
    if name in {"id", "question", "per_item_of", "from"}:
        return "question ids look like S1Q4: 'S', the stage number, 'Q', the question's number in the stage."
    if name in {"feeds", "confirms", "field"}:
        return (
            "write a deliverable field path in lower-case snake_case, e.g. 'business_objective', "
            "'quality_scores.accuracy' or 'personas[].goals'."
        )
    if name == "deliverable":
        return "write the deliverable's schema name in CamelCase, e.g. 'ProblemStatement'."
    return "use a lower-case snake_case key such as 'core_objective' (letters, digits, underscores)."


# --- Rules within one stage file ----------------------------------------------------------------------------

_NUMERIC_TYPES = {QuestionType.NUMBER, QuestionType.SCALE, QuestionType.PERCENTAGE}


class _StageChecker:
    """Rules that need the whole stage file: ids, groups, counts, per-type fields, feeds, derived fields."""

    def __init__(self, file: str, number: int, metadata: StageMetadata, questions: Sequence[Question]) -> None:
        self.file = file
        self.number = number
        self.metadata = metadata
        self.questions = questions
        self._problems: list[BankProblem] = []

    def report(self, question_id: str | None, field: str | None, message: str, fix: str) -> None:
        self._problems.append(BankProblem(self.file, question_id, field, message, fix))

    def problems(self) -> list[BankProblem]:
        self.check_stage_number()
        self.check_ids()
        self.check_groups()
        self.check_counts()
        for question in self.questions:
            self.check_question_fields(question)
            self.check_examples(question)
        self.check_references_within_stage()
        self.check_feeds_and_derived()
        return self._problems

    def check_stage_number(self) -> None:
        if self.metadata.number != self.number:
            self.report(
                None,
                "stage.number",
                f"is {self.metadata.number}, but this is {self.file}.",
                f"set it to {self.number}, or move the content to {stage_file_name(self.metadata.number)}.",
            )

    def check_ids(self) -> None:
        counts = Counter(question.id for question in self.questions)
        for question_id, count in counts.items():
            if count > 1:
                self.report(
                    question_id,
                    "id",
                    f"is used by {count} questions.",
                    f"give each question its own id; ids use S{self.number}Q1 … "
                    f"S{self.number}Q{len(self.questions)}, each once.",
                )
        for question in self.questions:
            if question.stage != self.number:
                self.report(
                    question.id,
                    "id",
                    f"belongs to stage {question.stage}, but this is {self.file}.",
                    f"renumber it S{self.number}Q…, or move it to {stage_file_name(question.stage)}.",
                )
        # Ids are the keys of stored answers, so they never change: a question added later takes the next free
        # number and stands in its group, wherever that is in the file. The numbers 1 … N are all used, so a
        # number above N (with no duplicate behind it) is the one to fix.
        total = len(self.questions)
        numbers = {int(q.id.split("Q")[1]) for q in self.questions if q.stage == self.number}
        missing = [f"S{self.number}Q{n}" for n in range(1, total + 1) if n not in numbers]
        for question in self.questions:
            number = int(question.id.split("Q")[1])
            if question.stage == self.number and counts[question.id] == 1 and number > total:
                self.report(
                    question.id,
                    "id",
                    f"is numbered above the stage's {total} questions: the ids do not use every number 1 … {total} "
                    f"(missing: {', '.join(missing)}).",
                    f"number the ids S{self.number}Q1 … S{self.number}Q{total} without gaps; a new question takes "
                    "the next free number.",
                )

    def check_groups(self) -> None:
        declared = [group.key for group in self.metadata.groups]
        for key, count in Counter(declared).items():
            if count > 1:
                self.report(
                    None,
                    f"stage.groups.{key}",
                    "is declared more than once.",
                    "declare each group once under stage.groups.",
                )
        known = set(declared)
        for question in self.questions:
            if question.group not in known:
                self.report(
                    question.id,
                    "group",
                    f"{question.group!r} is not declared under stage.groups.",
                    f"use one of: {', '.join(declared)}, or declare the group under stage.groups.",
                )
        runs = [
            question.group
            for index, question in enumerate(self.questions)
            if index == 0 or self.questions[index - 1].group != question.group
        ]
        for key, count in Counter(runs).items():
            if count > 1:
                ids = [q.id for q in self.questions if q.group == key]
                self.report(
                    None,
                    f"stage.groups.{key}",
                    f"has its questions split up ({', '.join(ids)}).",
                    "keep each group's questions together, in the order of stage.groups.",
                )
        present_in_declared_order = [key for key in declared if key in runs]
        if len(set(runs)) == len(runs) and runs != present_in_declared_order and set(runs) <= known:
            self.report(
                None,
                "stage.groups",
                f"declares the order {', '.join(present_in_declared_order)}, but "
                f"the questions come in the order {', '.join(runs)}.",
                "reorder the questions or the groups so that they match.",
            )

    def check_counts(self) -> None:
        actual = Counter(question.group for question in self.questions)
        for group in self.metadata.groups:
            found = actual.get(group.key, 0)
            if found != group.count:
                ids = ", ".join(q.id for q in self.questions if q.group == group.key) or "none"
                self.report(
                    None,
                    f"stage.groups.{group.key}.count",
                    f"declares {group.count} question(s) but the file has {found} ({ids}).",
                    "add or remove questions, or correct the count (DOMAIN.md gives the counts).",
                )
        declared_total = sum(group.count for group in self.metadata.groups)
        if declared_total != self.metadata.question_count:
            self.report(
                None,
                "stage.question_count",
                f"is {self.metadata.question_count}, but the group counts add up to {declared_total}.",
                "make question_count the sum of the group counts.",
            )
        # With every group count checked against the file, question_count == their sum covers the total.

    def check_examples(self, question: Question) -> None:
        """Examples from at least MIN_EXAMPLE_DOMAINS known domains, none repeated."""
        known = ", ".join(EXAMPLE_DOMAINS)
        for index, example in enumerate(question.examples):
            if example.domain not in EXAMPLE_DOMAINS:
                self.report(
                    question.id,
                    f"examples.{index}.domain",
                    f"{example.domain!r} is not a known example domain.",
                    f"use one of: {known} (or add the domain to EXAMPLE_DOMAINS in question_bank/models.py).",
                )
        domains = question.example_domains
        if len(domains) < MIN_EXAMPLE_DOMAINS:
            self.report(
                question.id,
                "examples",
                f"has examples from {len(domains)} domain(s) ({', '.join(domains)}); at least "
                f"{MIN_EXAMPLE_DOMAINS} are needed so that every team finds one close to its own project.",
                f"add an example from another domain, e.g. one of: {known}.",
            )
        for text, count in Counter(example.text for example in question.examples).items():
            if count > 1:
                self.report(question.id, "examples", f"repeats the example {text[:40]!r}…", "give each example once.")

    def check_question_fields(self, question: Question) -> None:
        qid, qtype = question.id, question.type
        report = functools.partial(self.report, qid)
        if qtype is QuestionType.CHOICE:
            values = question.choice_values
            if len(values) < 2:
                report(
                    "choices",
                    "A choice question needs at least two choices.",
                    "add a 'choices' list of {value, label} entries.",
                )
            for value, count in Counter(values).items():
                if count > 1:
                    report("choices", f"The value {value!r} appears {count} times.", "make each value unique.")
            if question.detail is not None:
                unknown = [v for v in question.detail.required_for if v not in values]
                if unknown:
                    report(
                        "detail.required_for",
                        f"{_are(unknown)} not among the choices.",
                        f"use values from: {', '.join(values)}.",
                    )
        else:
            for name in ("choices", "detail"):
                if getattr(question, name):
                    report(
                        name,
                        f"only choice questions take '{name}'; this one is '{qtype}'.",
                        f"remove '{name}' or change the type to choice.",
                    )

        unit_fields = [name for name in ("unit", "unit_choices", "free_unit") if getattr(question, name)]
        if qtype is QuestionType.NUMBER:
            if len(unit_fields) > 1:
                report(
                    unit_fields[1],
                    f"gives {' and '.join(unit_fields)} together.",
                    "keep one: 'unit' (fixed), 'unit_choices' (user picks) or 'free_unit' (user names it).",
                )
            if question.per_item_of and unit_fields:
                report(
                    "per_item_of",
                    "a per-item number cannot also take a unit.",
                    f"remove '{unit_fields[0]}' or 'per_item_of'.",
                )
            for unit, count in Counter(u.lower() for u in question.unit_choices).items():
                if count > 1:
                    report("unit_choices", f"{unit!r} appears {count} times.", "list each unit once.")
        else:
            for name in unit_fields:
                report(
                    name,
                    f"only number questions take '{name}'; this one is '{qtype}'.",
                    f"remove '{name}' or change the type to number.",
                )
            if question.per_item_of and qtype is not QuestionType.TEXT:
                report(
                    "per_item_of",
                    f"only number and text questions take 'per_item_of'; this one is '{qtype}'.",
                    "remove 'per_item_of' or change the type to number or text.",
                )

        if qtype in _NUMERIC_TYPES:
            self._check_bounds(question)
        else:
            for name in ("min", "max"):
                if getattr(question, name) is not None:
                    report(name, f"only number, scale and percentage questions take '{name}'.", f"remove '{name}'.")

        if question.suggestions is not None and qtype is not QuestionType.LIST:
            report(
                "suggestions",
                f"only list questions take suggestions; this one is '{qtype}'.",
                "remove 'suggestions' or change the type to list.",
            )
        condition = question.condition
        if condition is not None and (condition.in_ is None) == (condition.greater_than is None):
            report(
                "condition",
                "must give exactly one of 'in' (choice values) or 'greater_than' (a number).",
                "keep one of them.",
            )

    def _check_bounds(self, question: Question) -> None:
        natural = {QuestionType.SCALE: (0, 10), QuestionType.PERCENTAGE: (0, 100)}.get(question.type)
        for name in ("min", "max"):
            value = getattr(question, name)
            if value is None:
                continue
            if natural and not natural[0] <= value <= natural[1]:
                self.report(
                    question.id,
                    name,
                    f"is {value:g}, outside the {question.type}'s range {natural[0]}–{natural[1]}.",
                    f"use a value from {natural[0]} to {natural[1]}.",
                )
            if question.type is QuestionType.SCALE and value != int(value):
                self.report(question.id, name, f"is {value:g}; a scale has whole-number bounds.", "use a whole number.")
        low, high = question.bounds
        if low is not None and high is not None and low > high:
            self.report(question.id, "min", f"({low:g}) is greater than max ({high:g}).", "swap or correct them.")

    def check_references_within_stage(self) -> None:
        position = {question.id: index for index, question in enumerate(self.questions)}
        for index, question in enumerate(self.questions):
            if question.per_item_of is None:
                continue
            target_index = position.get(question.per_item_of)
            if target_index is None or target_index >= index:
                self.report(
                    question.id,
                    "per_item_of",
                    f"refers to {question.per_item_of}, which is not an earlier question in this stage.",
                    "point it at an earlier list question here.",
                )
            elif self.questions[target_index].type is not QuestionType.LIST:
                self.report(
                    question.id,
                    "per_item_of",
                    f"refers to {question.per_item_of}, which is a {self.questions[target_index].type} question.",
                    "point it at a list question.",
                )

    def check_feeds_and_derived(self) -> None:
        fields = self.metadata.deliverable_fields
        deliverable = self.metadata.deliverable
        fed: set[str] = set()
        for question in self.questions:
            root = _root(question.feeds)
            fed.add(root)
            if root not in fields:
                self.report(
                    question.id,
                    "feeds",
                    f"{question.feeds!r} is not a field of {deliverable}.",
                    f"start the path with one of: {', '.join(fields)}, or add '{root}' to stage.deliverable_fields.",
                )
        derived_fields = [derived.field for derived in self.metadata.derived]
        for field, count in Counter(derived_fields).items():
            if count > 1:
                self.report(None, "stage.derived", f"declares {field!r} {count} times.", "declare it once.")
        for field in derived_fields:
            fed.add(_root(field))
            if _root(field) not in fields:
                self.report(
                    None,
                    "stage.derived",
                    f"{field!r} is not a field of {deliverable}.",
                    f"start the path with one of: {', '.join(fields)}.",
                )
        for field in fields:
            if field not in fed:
                self.report(
                    None,
                    "stage.deliverable_fields",
                    f"{field!r} is fed by no question and no derived field.",
                    "point a question's 'feeds' at it, declare it under stage.derived, or remove it.",
                )
        for question in self.questions:
            if question.confirms is not None and question.confirms not in derived_fields:
                self.report(
                    question.id,
                    "confirms",
                    f"{question.confirms!r} is not declared under stage.derived.",
                    "declare the derived field, or correct the path.",
                )


def _are(values: Sequence[str]) -> str:
    return f"{', '.join(values)} {'is' if len(values) == 1 else 'are'}"


def _root(path: str) -> str:
    return path.split(".", 1)[0].removesuffix("[]")


# --- Rules across files -------------------------------------------------------------------------------------


class _CrossStageChecker:
    """References that may point into an earlier stage: conditions, suggestions, derived fields."""

    def __init__(self, stages: Mapping[int, StageDefinition]) -> None:
        self.stages = stages
        self.order: dict[str, tuple[int, int]] = {}
        self.questions: dict[str, Question] = {}
        self.duplicates: list[BankProblem] = []
        for number, stage_definition in sorted(stages.items()):
            for index, question in enumerate(stage_definition.questions):
                if question.id in self.questions:
                    first_stage = self.order[question.id][0]
                    if first_stage != number:  # duplicates within one file are reported by _StageChecker
                        self.duplicates.append(
                            BankProblem(
                                stage_file_name(number),
                                question.id,
                                "id",
                                f"is also used in {stage_file_name(first_stage)}.",
                                "ids are unique across the bank; renumber this one.",
                            )
                        )
                    continue
                self.order[question.id] = (number, index)
                self.questions[question.id] = question

    def problems(self) -> list[BankProblem]:
        problems = list(self.duplicates)
        for number, stage_definition in sorted(self.stages.items()):
            file = stage_file_name(number)
            for index, question in enumerate(stage_definition.questions):
                here = (number, index)
                if question.condition is not None:
                    problems.extend(self._check_condition(file, question, here))
                if question.suggestions is not None:
                    problems.extend(self._check_suggestions(file, question, here))
            for derived in stage_definition.derived:
                for source in derived.from_:
                    if self._unknown(source) or self.order.get(source, (0, 0))[0] > number:
                        problems.append(
                            BankProblem(
                                file,
                                None,
                                f"stage.derived.{derived.field}.from",
                                f"refers to {source}, which is not a question of this or an earlier stage.",
                                "list only questions the derived value is computed from.",
                            )
                        )
        return problems

    def _unknown(self, question_id: str) -> bool:
        """True when the id names no question; ids in a stage that failed to load are given the benefit of
        the doubt (that stage's own problems are already reported)."""
        stage_number = int(question_id[1])
        return stage_number in self.stages and question_id not in self.questions

    def _earlier(
        self, file: str, question: Question, field: str, target_id: str, here: tuple[int, int]
    ) -> tuple[Question | None, list[BankProblem]]:
        if self._unknown(target_id) or (target_id in self.order and self.order[target_id] >= here):
            return None, [
                BankProblem(
                    file,
                    question.id,
                    field,
                    f"refers to {target_id}, which is not an earlier question.",
                    "refer to a question asked before this one.",
                )
            ]
        return self.questions.get(target_id), []

    def _check_condition(self, file: str, question: Question, here: tuple[int, int]) -> list[BankProblem]:
        condition = question.condition
        assert condition is not None
        target, problems = self._earlier(file, question, "condition.question", condition.question, here)
        if target is None:
            return problems
        if condition.in_ is not None:
            if target.type is not QuestionType.CHOICE:
                return [
                    BankProblem(
                        file,
                        question.id,
                        "condition.in",
                        f"needs a choice question, but {target.id} is '{target.type}'.",
                        "use 'greater_than' for numbers.",
                    )
                ]
            unknown = [value for value in condition.in_ if value not in target.choice_values]
            if unknown:
                return [
                    BankProblem(
                        file,
                        question.id,
                        "condition.in",
                        f"{_are(unknown)} not among {target.id}'s choices.",
                        f"use values from: {', '.join(target.choice_values)}.",
                    )
                ]
        elif condition.greater_than is not None and target.type not in _NUMERIC_TYPES:
            return [
                BankProblem(
                    file,
                    question.id,
                    "condition.greater_than",
                    f"needs a numeric question, but {target.id} is '{target.type}'.",
                    "use 'in' with choice values instead.",
                )
            ]
        return []

    def _check_suggestions(self, file: str, question: Question, here: tuple[int, int]) -> list[BankProblem]:
        suggestions = question.suggestions
        assert suggestions is not None
        target, problems = self._earlier(file, question, "suggestions.from", suggestions.from_, here)
        if target is None:
            return problems
        if target.type is not QuestionType.CHOICE:
            return [
                BankProblem(
                    file,
                    question.id,
                    "suggestions.from",
                    f"needs a choice question, but {target.id} is '{target.type}'.",
                    "key suggestions by a choice question.",
                )
            ]
        unknown = [value for value in suggestions.by_value if value not in target.choice_values]
        if unknown:
            return [
                BankProblem(
                    file,
                    question.id,
                    "suggestions.by_value",
                    f"{_are(unknown)} not among {target.id}'s choices.",
                    f"use values from: {', '.join(target.choice_values)}.",
                )
            ]
        return []


def _unexpected_files(directory: Path) -> list[BankProblem]:
    if not directory.is_dir():
        return []
    expected = {stage_file_name(number) for number in STAGE_NUMBERS}
    return [
        BankProblem(
            path.name,
            None,
            None,
            "is not one of the five stage files, so it would be ignored.",
            f"rename it to one of {', '.join(sorted(expected))}, or remove it.",
        )
        for path in sorted(directory.iterdir())
        if path.suffix in {".yaml", ".yml"} and path.name not in expected
    ]
