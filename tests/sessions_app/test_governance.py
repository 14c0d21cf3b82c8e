"""Residual risk and the governance decision: every band edge and every rule of DOMAIN.md, table-driven."""

from __future__ import annotations

import pytest

from sessions_app.interview import rules
from sessions_app.interview.governance import decide, effectiveness_fraction, residual_band, residual_risk

ALL_LOW = dict.fromkeys(rules.PRINCIPLES, "low")


def bands(**overrides: str) -> dict[str, str]:
    return {**ALL_LOW, **overrides}


@pytest.mark.parametrize(
    ("severity", "likelihood", "effectiveness", "score", "band"),
    [
        ("medium", "medium", 0, 4.0, "medium"),  # issue 5: 4 is medium
        ("high", "medium", 0, 6.0, "high"),  # issue 5: 6 is high
        ("critical", "critical", 95, 0.8, "low"),  # issue 5: 16 × 0.05
        ("critical", "critical", 100, 0.8, "low"),  # effectiveness capped at 95%
        ("critical", "medium", 0, 8.0, "critical"),  # 8 is critical
        ("high", "high", 0, 9.0, "critical"),
        ("critical", "critical", 50, 8.0, "critical"),
        ("critical", "high", 50, 6.0, "high"),
        ("critical", "medium", 50, 4.0, "medium"),
        ("high", "low", 0, 3.0, "low"),
        ("low", "low", 0, 1.0, "low"),
        ("critical", "critical", 70, 4.8, "medium"),  # 1 − 0.7 is 0.30000000000000004 in floats
        ("high", "high", 30, 6.3, "high"),
        ("medium", "high", 70, 1.8, "low"),
    ],
)
def test_residual_risk_score_and_band(severity, likelihood, effectiveness, score, band):
    risk = residual_risk(severity, likelihood, effectiveness)
    assert risk.score == pytest.approx(score)
    assert risk.band == band


@pytest.mark.parametrize(
    ("score", "band"),
    [(7.999, "high"), (8, "critical"), (5.99, "medium"), (6, "high"), (3.99, "low"), (4, "medium"), (0, "low")],
)
def test_band_edges(score, band):
    assert residual_band(score) == band


@pytest.mark.parametrize(("percent", "fraction"), [(0, 0.0), (50, 0.5), (95, 0.95), (96, 0.95), (100, 0.95)])
def test_effectiveness_is_a_percentage_capped_at_95(percent, fraction):
    assert effectiveness_fraction(percent) == pytest.approx(fraction)


@pytest.mark.parametrize("bad", [-1, 101, 0.95 * 1000])
def test_effectiveness_outside_0_to_100_is_rejected(bad):
    with pytest.raises(ValueError, match="percentage"):
        residual_risk("high", "high", bad)


def test_unknown_level_is_rejected():
    with pytest.raises(ValueError, match="severity"):
        residual_risk("severe", "high", 10)


@pytest.mark.parametrize(
    ("principle_bands", "feasibility", "decision", "decisive_rule"),
    [
        (bands(fairness="critical"), None, "halt", "1_any_critical"),
        (bands(fairness="high", privacy="high", transparency="high"), None, "halt", "2_three_or_more_high"),
        (bands(safety="high"), None, "halt", "3_safety_high"),
        (bands(fairness="high", privacy="high"), None, "submit_to_committee", "4_two_high"),
        (bands(privacy="high"), None, "revise", "5_one_high"),
        (bands(privacy="high", fairness="medium"), None, "revise", "5_one_high"),
        (bands(transparency="medium"), None, "proceed_with_monitoring", "6_any_medium"),
        (ALL_LOW, None, "proceed", "7_otherwise"),
        # The data-feasibility floor raises proceed* to revise and leaves everything else alone.
        (ALL_LOW, "low", "revise", "data_feasibility_floor"),
        (bands(transparency="medium"), "low", "revise", "data_feasibility_floor"),
        (ALL_LOW, "medium", "proceed", "7_otherwise"),
        (bands(fairness="critical"), "low", "halt", "1_any_critical"),
        (bands(safety="high"), "low", "halt", "3_safety_high"),
        (bands(fairness="high", privacy="high"), "low", "submit_to_committee", "4_two_high"),
        (bands(privacy="high"), "low", "revise", "5_one_high"),
    ],
)
def test_governance_decision(principle_bands, feasibility, decision, decisive_rule):
    result = decide(principle_bands, feasibility)
    assert result.decision == decision
    assert result.advisory is True
    assert result.requires_committee_review is (decision in {"halt", "submit_to_committee"})
    decisive = [rule.rule for rule in result.rules_fired if rule.decisive]
    assert decisive == [decisive_rule]


def test_every_rule_that_fired_is_listed_with_its_inputs():
    result = decide(bands(fairness="high", privacy="high", safety="high", transparency="medium"))
    fired = {rule.rule: rule for rule in result.rules_fired}
    assert list(fired) == ["2_three_or_more_high", "3_safety_high", "6_any_medium"]
    assert fired["2_three_or_more_high"].inputs == {"high_principles": ["fairness", "privacy", "safety"], "count": 3}
    assert fired["3_safety_high"].inputs == {"safety_band": "high"}
    assert fired["6_any_medium"].inputs == {"medium_principles": ["transparency"]}
    assert fired["2_three_or_more_high"].decisive and not fired["6_any_medium"].decisive


def test_floor_records_the_decision_it_replaced():
    result = decide(bands(human_agency="medium"), "low")
    floor = result.rules_fired[-1]
    assert floor.inputs == {"overall_feasibility": "low", "decision_before_floor": "proceed_with_monitoring"}
    assert [rule.rule for rule in result.rules_fired if not rule.decisive] == ["6_any_medium"]


def test_decision_accepts_residual_risk_records():
    residuals = {p: residual_risk("low", "low", 0) for p in rules.PRINCIPLES}
    residuals["safety"] = residual_risk("high", "medium", 0)  # 6 → high
    assert decide(residuals).decision == "halt"


def test_decision_dumps_to_json():
    data = decide(bands(privacy="high")).model_dump(mode="json")
    assert data["decision"] == "revise"
    assert data["advisory"] is True
    assert data["rules_fired"][0]["rule"] == "5_one_high"
