"""The interview's question bank: five stage files (stage1.yaml … stage5.yaml) validated into typed models.

Use `get_bank()` (loaded once per process) or the shortcuts below; `load_bank(directory)` reads and validates
a bank from any directory (tests, tooling) and raises `QuestionBankError` listing every problem.
"""

from .loader import (
    BANK_DIR,
    BankProblem,
    QuestionBankError,
    get_bank,
    load_bank,
    question,
    questions_for_stage,
    required_questions,
    stage,
)
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
    QuestionNotFound,
    QuestionType,
    StageDefinition,
    StageNotFound,
    Suggestions,
)

__all__ = [
    "BANK_DIR",
    "EXAMPLE_DOMAINS",
    "MIN_EXAMPLE_DOMAINS",
    "BankProblem",
    "Choice",
    "ChoiceDetail",
    "Condition",
    "DerivedField",
    "Example",
    "Group",
    "Question",
    "QuestionBank",
    "QuestionBankError",
    "QuestionNotFound",
    "QuestionType",
    "StageDefinition",
    "StageNotFound",
    "Suggestions",
    "get_bank",
    "load_bank",
    "question",
    "questions_for_stage",
    "required_questions",
    "stage",
]
