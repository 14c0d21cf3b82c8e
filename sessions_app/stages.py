"""The five interview stages by number. The question bank and stage machinery build on these titles."""

from __future__ import annotations

from typing import NamedTuple


class StageInfo(NamedTuple):
    number: int
    title: str
    deliverable: str


STAGES: tuple[StageInfo, ...] = (
    StageInfo(1, "Business Translation", "Problem Statement"),
    StageInfo(2, "Value Quantification", "Metric Alignment Matrix"),
    StageInfo(3, "Data Feasibility", "Data Quality Scorecard"),
    StageInfo(4, "User Centricity", "User Context"),
    StageInfo(5, "Ethical Governance", "Ethical Risk Report"),
)
