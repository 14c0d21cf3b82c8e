"""The governance decision (DOMAIN.md "Governance decision" and "Regulatory classification"): one test per rule and
per tier case, each failing when its rule is removed, and properties that adding risk never lowers the decision."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sessions_app.interview import rules
from sessions_app.interview.governance import DecisionInputs, decide, residual_risk
from sessions_app.interview.regulatory import eu_ai_act_tier

LEVELS = list(rules.RISK_LEVEL_VALUES)
STATUSES = list(rules.MITIGATION_STATUSES)
MINIMAL = {
    "prohibited_practice": "none",
    "annex_i_product": "no",
    "annex_iii_area": "none",
    "profiling": "no",
    "transparency": "none",
}


def low_risks(**overrides: Any) -> dict[str, Any]:
    risks = {p: residual_risk("low", "low", 50, "implemented") for p in rules.PRINCIPLES}
    return {**risks, **overrides}


def decision_of(**kwargs: Any) -> Any:
    tier = kwargs.pop("tier", MINIMAL)
    risks = kwargs.pop("risks", low_risks())
    inputs = DecisionInputs(
        risks=risks,
        tier=eu_ai_act_tier(tier),
        prior_review=kwargs.pop("prior_review", "formal"),
        residual_acceptable=kwargs.pop("residual_acceptable", "yes"),
        **kwargs,
    )
    return decide(inputs)


def fired(result: Any) -> dict[str, str]:
    return {rule.rule: rule.outcome for rule in result.rules_fired}


# --- Risk per principle -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("severity", "likelihood", "stated", "status", "credited", "score", "band"),
    [
        ("critical", "medium", 70, "planned", 25, 6.0, "high"),  # 8 × 0.75; the triage tool of the issue
        ("critical", "medium", 70, "implemented", 50, 4.0, "high"),  # 4.0 is medium, floored one below critical
        ("critical", "medium", 70, "verified", 70, 2.4, "high"),  # the self-rated 70 % no longer erases the risk
        ("high", "high", 90, "verified", 80, 1.8, "high"),  # 9 critical → never below high
        ("high", "medium", 30, "verified", 30, 4.2, "medium"),  # the stated figure is used when under the cap
        ("medium", "medium", 80, "verified", 80, 0.8, "low"),  # 4 medium → low is allowed (one band)
        ("low", "low", 0, None, 0, 1.0, "low"),  # no status given: credited as planned
    ],
)
def test_residual_risk_is_credited_by_status_and_never_more_than_one_band_below(
    severity, likelihood, stated, status, credited, score, band
):
    risk = residual_risk(severity, likelihood, stated, status)
    assert risk.credited_percent == credited
    assert risk.score == pytest.approx(score)
    assert risk.band == band
    inherent_index = rules.BAND_ORDER.index(risk.inherent_band)
    assert rules.BAND_ORDER.index(risk.band) >= inherent_index - 1


def test_unknown_status_is_credited_as_planned():
    assert residual_risk("high", "high", 90, None).credited_percent == 25


@pytest.mark.parametrize("bad", [-1, 101])
def test_effectiveness_outside_0_to_100_is_refused(bad):
    with pytest.raises(ValueError, match="percentage"):
        residual_risk("high", "high", bad, "planned")


def test_unknown_levels_and_statuses_are_refused():
    with pytest.raises(ValueError, match="severity"):
        residual_risk("severe", "high", 10, "planned")
    with pytest.raises(ValueError, match="status"):
        residual_risk("high", "high", 10, "done")


# --- The EU AI Act tier ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "tier"),
    [
        ({**MINIMAL, "prohibited_practice": "social_scoring"}, "prohibited"),
        ({"prohibited_practice": "emotion_recognition_work_education"}, "prohibited"),  # decided before the rest
        ({**MINIMAL, "annex_i_product": "yes"}, "high"),
        ({**MINIMAL, "annex_iii_area": "employment", "art6_3_exemption": "none"}, "high"),
        # an exemption does not help a system that profiles people
        (
            {**MINIMAL, "annex_iii_area": "education", "art6_3_exemption": "preparatory_task", "profiling": "yes"},
            "high",
        ),
        ({**MINIMAL, "annex_iii_area": "education", "art6_3_exemption": "preparatory_task"}, "minimal"),
        (
            {
                **MINIMAL,
                "annex_iii_area": "education",
                "art6_3_exemption": "narrow_procedural_task",
                "transparency": "interacts_with_people",
            },
            "limited",
        ),
        ({**MINIMAL, "transparency": "deepfake"}, "limited"),
        (MINIMAL, "minimal"),
    ],
)
def test_tier_cases(answers, tier):
    result = eu_ai_act_tier(answers)
    assert result.tier == tier
    assert result.reasons and result.obligations
    assert "not legal advice" in result.advisory_note


def test_tier_waits_for_the_answers_it_needs():
    assert eu_ai_act_tier({}).tier is None
    assert eu_ai_act_tier({**MINIMAL, "transparency": None}).tier is None
    # an Annex III area asks for the exemption question before the tier is known
    pending = eu_ai_act_tier({**MINIMAL, "annex_iii_area": "employment"})
    assert pending.tier is None and pending.missing == ["art6_3_exemption"]


def test_high_tier_lists_the_high_risk_obligations():
    obligations = " ".join(eu_ai_act_tier({**MINIMAL, "annex_i_product": "yes"}).obligations)
    for article in (
        "Art. 9",
        "Art. 10",
        "Art. 11",
        "Art. 12",
        "Art. 13",
        "Art. 14",
        "Art. 15",
        "Art. 43",
        "Art. 49",
        "Art. 72",
        "Art. 26",
        "Art. 27",
    ):
        assert article in obligations, article


# --- One test per rule ------------------------------------------------------------------------------------------


def test_nothing_of_concern_proceeds():
    result = decision_of()
    assert result.decision == "proceed" and fired(result) == {"no_rule_applies": "proceed"}
    assert result.requires_committee_review is False


def test_prohibited_tier_halts():
    result = decision_of(tier={**MINIMAL, "prohibited_practice": "social_scoring"})
    assert fired(result)["prohibited_practice"] == "halt" and result.decision == "halt"


def test_residual_critical_halts():
    result = decision_of(risks=low_risks(fairness=residual_risk("critical", "critical", 0, "planned")))
    assert fired(result)["residual_critical"] == "halt" and result.decision == "halt"


def test_three_residual_high_halt():
    high = residual_risk("high", "medium", 0, "planned")  # 6 → high
    result = decision_of(risks=low_risks(fairness=high, privacy=high, transparency=high))
    assert fired(result)["three_or_more_residual_high"] == "halt" and result.decision == "halt"


def test_safety_residual_high_halts():
    result = decision_of(risks=low_risks(safety=residual_risk("high", "medium", 0, "planned")))
    assert fired(result)["safety_residual_high"] == "halt" and result.decision == "halt"


def test_high_risk_tier_goes_to_committee():
    result = decision_of(tier={**MINIMAL, "annex_iii_area": "employment", "art6_3_exemption": "none"})
    assert fired(result)["high_risk_tier"] == "submit_to_committee"
    assert result.decision == "submit_to_committee" and result.requires_committee_review


def test_inherent_critical_goes_to_committee_whatever_the_stated_mitigation():
    risk = residual_risk("critical", "medium", 100, "verified")  # 8 → credited 80 % → 1.6, floored to high
    result = decision_of(risks=low_risks(fairness=risk))
    assert fired(result)["inherent_critical"] == "submit_to_committee"
    assert rules.DECISION_ORDER.index(result.decision) >= rules.DECISION_ORDER.index("submit_to_committee")


def test_two_residual_high_go_to_committee():
    high = residual_risk("high", "medium", 0, "planned")
    result = decision_of(risks=low_risks(fairness=high, privacy=high))
    assert fired(result)["two_residual_high"] == "submit_to_committee" and result.decision == "submit_to_committee"


@pytest.mark.parametrize("review", ["informal", "none", None])
def test_no_formal_review_with_high_inherent_risk_goes_to_committee(review):
    risk = residual_risk("high", "medium", 80, "verified")  # 6 high inherent → medium after mitigation
    result = decision_of(risks=low_risks(privacy=risk), prior_review=review)
    assert fired(result)["no_formal_review"] == "submit_to_committee" and result.decision == "submit_to_committee"
    assert "no_formal_review" not in fired(decision_of(risks=low_risks(privacy=risk), prior_review="formal"))


def test_one_residual_high_revises():
    result = decision_of(risks=low_risks(fairness=residual_risk("high", "medium", 0, "planned")))
    assert fired(result)["residual_high"] == "revise" and result.decision == "revise"


def test_team_not_accepting_the_residual_risk_revises():
    result = decision_of(residual_acceptable="no")
    assert fired(result)["team_does_not_accept"] == "revise" and result.decision == "revise"


def test_unacknowledged_high_consistency_finding_revises_and_acknowledged_one_is_monitored():
    findings = [{"key": "realtime-vs-batch", "severity": "high", "description": "Real time vs nightly batch."}]
    result = decision_of(findings=findings)
    assert fired(result)["unresolved_consistency_finding"] == "revise" and result.decision == "revise"
    acknowledged = decision_of(findings=findings, acknowledged_findings=frozenset({"realtime-vs-batch"}))
    assert fired(acknowledged)["open_issues"] == "proceed_with_monitoring"
    assert acknowledged.decision == "proceed_with_monitoring"
    assert (
        described(acknowledged, "open_issues")
        == "1 serious contradiction was accepted with a reason: this needs watching."
    )


def test_low_data_feasibility_revises():
    result = decision_of(overall_feasibility="low")
    assert fired(result)["data_feasibility_low"] == "revise" and result.decision == "revise"


def test_residual_medium_is_monitored():
    result = decision_of(risks=low_risks(fairness=residual_risk("medium", "medium", 0, "planned")))
    assert fired(result)["residual_medium"] == "proceed_with_monitoring"
    assert result.decision == "proceed_with_monitoring"


def test_limited_tier_is_monitored():
    result = decision_of(tier={**MINIMAL, "transparency": "interacts_with_people"})
    assert fired(result)["limited_risk_tier"] == "proceed_with_monitoring"
    assert result.decision == "proceed_with_monitoring"


def test_escalated_stage_5_answers_are_monitored():
    result = decision_of(escalated_questions=["S5Q4"])
    assert fired(result)["open_issues"] == "proceed_with_monitoring" and result.decision == "proceed_with_monitoring"
    assert (
        described(result, "open_issues")
        == "1 ethics answer was accepted only after three attempts: this needs watching."
    )
    both = decision_of(
        escalated_questions=["S5Q4", "S5Q9"],
        findings=[{"key": "k", "severity": "high", "description": "x"}],
        acknowledged_findings=frozenset({"k"}),
    )
    assert described(both, "open_issues") == (
        "2 ethics answers were accepted only after three attempts and 1 serious contradiction was accepted with a "
        "reason: both need watching."
    )


def described(result, rule: str) -> str:
    return next(r.description for r in result.rules_fired if r.rule == rule)


def test_every_rule_that_holds_is_recorded_and_the_final_level_ones_are_decisive():
    risks = low_risks(fairness=residual_risk("critical", "medium", 70, "planned"))  # the triage tool
    result = decision_of(
        risks=risks,
        tier={**MINIMAL, "annex_i_product": "yes"},
        prior_review="informal",
        residual_acceptable="with_conditions",
        findings=[{"key": f"f{n}", "severity": "high", "description": "x"} for n in range(3)],
    )
    assert result.decision == "submit_to_committee"
    assert result.floors == {
        "high_risk_tier": "submit_to_committee",
        "inherent_critical": "submit_to_committee",
        "no_formal_review": "submit_to_committee",
        "residual_high": "revise",
        "unresolved_consistency_finding": "revise",
    }
    assert {r.rule for r in result.rules_fired if r.decisive} == {
        "high_risk_tier",
        "inherent_critical",
        "no_formal_review",
    }
    assert result.inherent_bands["fairness"] == "critical" and result.residual_bands["fairness"] == "high"
    assert result.credited_effectiveness["fairness"] == 25
    assert result.eu_ai_act_tier == "high" and result.eu_ai_act_obligations


# --- Properties: more risk never lowers the decision ------------------------------------------------------------

principle_answers = st.fixed_dictionaries(
    {
        p: st.tuples(st.sampled_from(LEVELS), st.sampled_from(LEVELS), st.integers(0, 100), st.sampled_from(STATUSES))
        for p in rules.PRINCIPLES
    }
)
tier_answers = st.fixed_dictionaries(
    {
        "prohibited_practice": st.sampled_from(["none", "social_scoring"]),
        "annex_i_product": st.sampled_from(["yes", "no"]),
        "annex_iii_area": st.sampled_from(["none", "employment", "education"]),
        "art6_3_exemption": st.sampled_from(["none", "preparatory_task"]),
        "profiling": st.sampled_from(["yes", "no"]),
        "transparency": st.sampled_from(["none", "interacts_with_people"]),
    }
)


def _decide(principles: dict[str, tuple], tier: dict[str, str], acceptable: str = "yes") -> int:
    risks = {p: residual_risk(*answers) for p, answers in principles.items()}
    result = decide(
        DecisionInputs(risks=risks, tier=eu_ai_act_tier(tier), prior_review="informal", residual_acceptable=acceptable)
    )
    return rules.DECISION_ORDER.index(result.decision)


def _raise_level(level: str) -> str:
    return LEVELS[min(len(LEVELS) - 1, LEVELS.index(level) + 1)]


@settings(max_examples=300, deadline=None)
@given(principle_answers, tier_answers, st.sampled_from(rules.PRINCIPLES), st.integers(0, 4))
def test_more_risk_never_lowers_the_decision(principles, tier, principle, change):
    before = _decide(principles, tier)
    severity, likelihood, effectiveness, status = principles[principle]
    changed = dict(principles)
    if change == 0:
        changed[principle] = (_raise_level(severity), likelihood, effectiveness, status)
    elif change == 1:
        changed[principle] = (severity, _raise_level(likelihood), effectiveness, status)
    elif change == 2:
        changed[principle] = (severity, likelihood, max(0, effectiveness - 30), status)
    elif change == 3:
        changed[principle] = (severity, likelihood, effectiveness, STATUSES[max(0, STATUSES.index(status) - 1)])
    after = _decide(changed, tier) if change < 4 else _decide(principles, tier, acceptable="no")
    assert after >= before


@settings(max_examples=200, deadline=None)
@given(principle_answers, tier_answers, st.sampled_from(["social_scoring", "crime_prediction_profiling"]))
def test_naming_a_prohibited_practice_halts(principles, tier, practice):
    assert _decide(principles, {**tier, "prohibited_practice": practice}) == rules.DECISION_ORDER.index("halt")


@settings(max_examples=200, deadline=None)
@given(principle_answers, tier_answers, st.sampled_from(["employment", "essential_services", "law_enforcement"]))
def test_naming_an_annex_iii_area_never_lowers_the_decision_and_reaches_the_committee(principles, tier, area):
    before = _decide(principles, tier)
    after = _decide(principles, {**tier, "annex_iii_area": area, "art6_3_exemption": "none"})
    assert after >= before >= 0
    assert after >= rules.DECISION_ORDER.index("submit_to_committee")


@settings(max_examples=200, deadline=None)
@given(principle_answers, tier_answers)
def test_critical_inherent_risk_never_reaches_proceed(principles, tier):
    forced = {**principles, "safety": ("critical", "medium", 100, "verified")}
    assert _decide(forced, tier) >= rules.DECISION_ORDER.index("submit_to_committee")
