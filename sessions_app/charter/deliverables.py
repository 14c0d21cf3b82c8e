"""The five stage deliverables as one typed bundle, from stored JSON (checkpoints) or from answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from sessions_app.interview.answer_set import AnswerSet
from sessions_app.interview.deliverables import (
    DataQualityScorecard,
    EthicalRiskReport,
    MetricAlignmentMatrix,
    ProblemStatement,
    UserContext,
)
from sessions_app.interview.governance import report_with_decision
from sessions_app.interview.registry import REGISTRY

StoredDeliverables = Mapping[int, BaseModel | Mapping[str, Any]] | Mapping[str, BaseModel | Mapping[str, Any]]


@dataclass(frozen=True)
class StageDeliverables:
    """Stage 1–5 deliverables, validated. Missing stages are empty models (every field None / empty)."""

    problem: ProblemStatement
    metrics: MetricAlignmentMatrix
    data: DataQualityScorecard
    users: UserContext
    ethics: EthicalRiskReport

    @classmethod
    def of(cls, deliverables: StoredDeliverables | StageDeliverables) -> StageDeliverables:
        """Accept `{1: ProblemStatement | dict, …}` (int or str keys, as stored in JSON) or a bundle."""
        if isinstance(deliverables, StageDeliverables):
            return deliverables
        by_stage = {int(key): value for key, value in deliverables.items()}
        models: list[Any] = []
        for spec in REGISTRY:
            model, value = spec.deliverable, by_stage.get(spec.number)
            if isinstance(value, model):
                models.append(value)
            else:
                models.append(model.model_validate(dict(value or {})))
        return cls(*models)

    def as_json(self) -> dict[int, dict[str, Any]]:
        return {n: model.model_dump(mode="json") for n, model in enumerate(self.models, start=1)}

    @property
    def models(self) -> tuple[BaseModel, ...]:
        return (self.problem, self.metrics, self.data, self.users, self.ethics)


def deliverables_from_answers(answers: AnswerSet) -> dict[int, dict[str, Any]]:
    """Build all five deliverables from one answer set (previews, tests), stage 5 with its governance decision."""
    d = StageDeliverables.of({spec.number: spec.build(answers) for spec in REGISTRY})
    ethics = report_with_decision(d.ethics, overall_feasibility=d.data.overall_feasibility)
    return StageDeliverables(d.problem, d.metrics, d.data, d.users, ethics).as_json()
