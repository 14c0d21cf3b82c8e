"""Examples of strong answers: every question carries examples from at least two domains, each a valid answer."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from sessions_app.interview.answer_types import NormalisedAnswer, validate_answer
from sessions_app.interview.question_bank import (
    BANK_DIR,
    EXAMPLE_DOMAINS,
    MIN_EXAMPLE_DOMAINS,
    Question,
    QuestionBankError,
    QuestionType,
    load_bank,
)

CHURN_WORDS = ("churn", "broadband", "subscriber", "retention", "cancel")


@pytest.fixture(scope="module")
def bank():
    return load_bank()


def _answer_part(question: Question, text: str):
    """Lists and per-item numbers are whole; a typed answer is the part before ' — '."""
    if question.type in (QuestionType.TEXT, QuestionType.LIST) or question.per_item_of:
        return text
    answer, _, explanation = text.partition(" — ")
    if question.detail is not None:
        return {"value": answer, "detail": explanation}
    return answer


def test_every_question_has_examples_from_at_least_two_known_domains(bank):
    for question in bank.questions:
        domains = {example.domain for example in question.examples}
        assert len(domains) >= MIN_EXAMPLE_DOMAINS, question.id
        assert domains <= set(EXAMPLE_DOMAINS), question.id
        for example in question.examples:
            assert len(example.text) >= 10 and example.text != question.help, question.id
            assert example.domain_label == EXAMPLE_DOMAINS[example.domain]


def test_not_all_examples_are_about_churn(bank):
    def about_churn(text: str) -> bool:
        return any(word in text.lower() for word in CHURN_WORDS)

    examples = [example for question in bank.questions for example in question.examples]
    non_churn = [example for example in examples if not about_churn(example.text)]
    # Every question has at least one example that is not about churn, and some have no churn example at all.
    for question in bank.questions:
        assert any(not about_churn(example.text) for example in question.examples), question.id
    without_telecom = [q.id for q in bank.questions if "telecom" not in q.example_domains]
    assert len(without_telecom) >= 10, without_telecom
    assert len(non_churn) > len(examples) / 2
    # The other examples are spread over many domains, not one stand-in.
    other_domains = Counter(example.domain for example in examples if example.domain != "telecom")
    assert len(other_domains) >= 8, other_domains


def test_every_example_is_a_valid_answer_to_its_own_question(bank):
    for question in bank.questions:
        for example in question.examples:
            answer = validate_answer(question, _answer_part(question, example.text))
            assert isinstance(answer, NormalisedAnswer), (question.id, example.domain)


def test_the_first_example_is_the_default_example(bank):
    question = bank.question("S1Q1")
    assert question.example == question.examples[0].text
    assert question.example_domains[0] == question.examples[0].domain


# --- A bank that breaks the rule fails loudly -------------------------------------------------------------------


@pytest.fixture
def bank_dir(tmp_path) -> Path:
    for path in BANK_DIR.glob("stage*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def _rewrite_question(directory: Path, file: str, question_id: str, change) -> None:
    """Apply `change` to the text of one question's block (from its `- id:` line to the next one)."""
    path = directory / file
    text = path.read_text(encoding="utf-8")
    start = text.index(f"  - id: {question_id}\n")
    end = text.find("\n  - id: ", start + 1)
    end = len(text) if end == -1 else end
    path.write_text(text[:start] + change(text[start:end]) + text[end:], encoding="utf-8")


def _problems(directory: Path):
    with pytest.raises(QuestionBankError) as caught:
        load_bank(directory)
    return caught.value.problems


def test_a_question_with_examples_from_one_domain_only_fails_to_load(bank_dir):
    _rewrite_question(
        bank_dir, "stage1.yaml", "S1Q1", lambda block: block.replace("domain: healthcare", "domain: telecom")
    )
    problems = [p for p in _problems(bank_dir) if (p.question_id, p.field) == ("S1Q1", "examples")]
    assert problems, "a single-domain question must be reported"
    assert "1 domain(s) (telecom)" in problems[0].message
    assert "add an example from another domain" in problems[0].fix
    assert "stage1.yaml, question S1Q1, field 'examples'" in str(problems[0])


def test_an_unknown_domain_is_reported_with_the_known_ones(bank_dir):
    _rewrite_question(
        bank_dir, "stage2.yaml", "S2Q1", lambda block: block.replace("domain: healthcare", "domain: hospital")
    )
    (problem,) = [p for p in _problems(bank_dir) if p.question_id == "S2Q1"]
    assert problem.field == "examples.1.domain"
    assert "'hospital' is not a known example domain" in problem.message
    assert "healthcare" in problem.fix


def test_the_old_single_example_field_is_reported_with_the_new_form(bank_dir):
    def to_old_form(block: str) -> str:
        head, _, _ = block.partition("    examples:\n")
        return head + "    example: One example only.\n"

    _rewrite_question(bank_dir, "stage3.yaml", "S3Q2", to_old_form)
    problems = {(p.question_id, p.field): p for p in _problems(bank_dir)}
    assert "examples" in problems[("S3Q2", "example")].fix
    assert ("S3Q2", "examples") in problems  # and the list itself is missing
