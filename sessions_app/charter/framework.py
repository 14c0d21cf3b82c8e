"""Framework coverage: which NIST AI RMF 1.0 subcategories the interview evidences (DOMAIN.md "Framework mapping").

The mapping is data, ``nist_ai_rmf.yaml`` beside this module: every subcategory with its official identifier and a
summary in our words, and for those the interview documents, the charter sections and questions that evidence it.
A subcategory counts as covered in a charter when at least one of its questions has an answer.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

MAPPING_FILE = Path(__file__).with_name("nist_ai_rmf.yaml")


class Subcategory(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    summary: str
    sections: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()


class FrameworkMapping(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    framework: str
    subcategories: tuple[Subcategory, ...] = Field(min_length=1)


@cache
def framework_mapping() -> FrameworkMapping:
    return FrameworkMapping.model_validate(yaml.safe_load(MAPPING_FILE.read_text(encoding="utf-8")))


def framework_coverage(*, answered: Container[str], section_titles: Mapping[str, str]) -> dict[str, Any]:
    """The coverage table for a charter: ``answered`` holds the ids of the questions with a current answer."""
    mapping = framework_mapping()
    covered, uncovered = [], []
    for sub in mapping.subcategories:
        evidence = [q for q in sub.questions if q in answered]
        if sub.sections and evidence:
            covered.append(
                {
                    "id": sub.id,
                    "summary": sub.summary,
                    "sections": [section_titles[key] for key in sub.sections],
                    "questions": evidence,
                }
            )
        else:
            uncovered.append({"id": sub.id, "summary": sub.summary})
    return {
        "framework": mapping.framework,
        "covered": covered,
        "uncovered": uncovered,
        "summary": f"The interview documents {len(covered)} of the {len(mapping.subcategories)} subcategories of "
        f"{mapping.framework}; the others are for the organisation's own processes to evidence.",
    }
