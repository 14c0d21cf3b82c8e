"""The NIST AI RMF 1.0 mapping is data: every subcategory once, every question and charter section it names real."""

from __future__ import annotations

import re

from sessions_app.charter.content import SECTION_TITLES
from sessions_app.charter.framework import framework_coverage, framework_mapping
from sessions_app.interview.question_bank import get_bank

# NIST AI 100-1 lists 72 subcategories: GOVERN 19, MAP 18, MEASURE 22, MANAGE 13.
EXPECTED_PER_FUNCTION = {"GOVERN": 19, "MAP": 18, "MEASURE": 22, "MANAGE": 13}


def test_every_subcategory_is_listed_once_with_its_official_identifier():
    ids = [sub.id for sub in framework_mapping().subcategories]
    assert len(ids) == len(set(ids)) == sum(EXPECTED_PER_FUNCTION.values())
    assert all(re.fullmatch(r"(GOVERN|MAP|MEASURE|MANAGE) \d\.\d{1,2}", i) for i in ids)
    for function, count in EXPECTED_PER_FUNCTION.items():
        assert sum(1 for i in ids if i.split()[0] == function) == count, function


def test_every_question_and_section_the_mapping_names_exists():
    bank = get_bank()
    for sub in framework_mapping().subcategories:
        assert bool(sub.sections) == bool(sub.questions), sub.id
        for question_id in sub.questions:
            assert bank.has_question(question_id), (sub.id, question_id)
        for section in sub.sections:
            assert section in SECTION_TITLES, (sub.id, section)


def test_a_subcategory_counts_as_covered_only_when_one_of_its_questions_is_answered():
    nothing = framework_coverage(answered=set(), section_titles=SECTION_TITLES)
    assert nothing["covered"] == [] and len(nothing["uncovered"]) == 72
    some = framework_coverage(answered={"S5Q29"}, section_titles=SECTION_TITLES)
    covered = {c["id"]: c for c in some["covered"]}
    assert set(covered) == {"GOVERN 1.3", "MAP 1.5", "MANAGE 1.1", "MANAGE 1.4"}
    assert covered["MANAGE 1.1"]["questions"] == ["S5Q29"]
    assert covered["MANAGE 1.1"]["sections"] == [SECTION_TITLES["ethical_review"], SECTION_TITLES["executive_summary"]]
