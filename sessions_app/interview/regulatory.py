"""The EU AI Act risk tier of the system the team scopes (DOMAIN.md "Regulatory classification").

One pure function, :func:`eu_ai_act_tier`, from the six stage-5 ``regulatory`` answers (their exact choice values
are part of the contract: scripts and tests rely on them) to the tier, the reasons for it and the obligations it
brings. The classification is advisory, not legal advice; the charter says so. Wording is UAIP's own, written from
the Regulation's articles (Regulation (EU) 2024/1689).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict

Tier = Literal["prohibited", "high", "limited", "minimal"]

NONE: Final = "none"
YES: Final = "yes"

# Field names (the questions' `feeds` under ``regulatory.eu_ai_act.``) and their allowed values.
PROHIBITED_PRACTICES: Final = (
    "none",
    "subliminal_manipulation",
    "exploiting_vulnerabilities",
    "social_scoring",
    "crime_prediction_profiling",
    "facial_scraping",
    "emotion_recognition_work_education",
    "biometric_categorisation_sensitive",
    "realtime_remote_biometric_id",
)
ANNEX_III_AREAS: Final = (
    "none",
    "biometrics",
    "critical_infrastructure",
    "education",
    "employment",
    "essential_services",
    "law_enforcement",
    "migration_border",
    "justice_democracy",
)
ART6_3_EXEMPTIONS: Final = (
    "none",
    "narrow_procedural_task",
    "improves_human_activity",
    "detects_decision_patterns",
    "preparatory_task",
)
TRANSPARENCY_CASES: Final = (
    "none",
    "interacts_with_people",
    "synthetic_content",
    "emotion_or_biometric_categorisation",
    "deepfake",
)
YES_NO: Final = ("yes", "no")

PRACTICE_LABELS: Final = {
    "subliminal_manipulation": "subliminal or deliberately manipulative techniques that distort behaviour "
    "(Art. 5(1)(a))",
    "exploiting_vulnerabilities": "exploiting vulnerabilities of age, disability or social or economic situation "
    "(Art. 5(1)(b))",
    "social_scoring": "social scoring that leads to unjustified or disproportionate treatment (Art. 5(1)(c))",
    "crime_prediction_profiling": "predicting that a person will commit a crime from profiling alone (Art. 5(1)(d))",
    "facial_scraping": "building facial-recognition databases by untargeted scraping of images (Art. 5(1)(e))",
    "emotion_recognition_work_education": "inferring emotions at work or in education (Art. 5(1)(f))",
    "biometric_categorisation_sensitive": "biometric categorisation to infer sensitive characteristics such as "
    "race, political opinions or sexual orientation (Art. 5(1)(g))",
    "realtime_remote_biometric_id": "real-time remote biometric identification in public spaces for law "
    "enforcement (Art. 5(1)(h))",
}
AREA_LABELS: Final = {
    "biometrics": "biometrics",
    "critical_infrastructure": "critical infrastructure",
    "education": "education and vocational training",
    "employment": "employment and workers management",
    "essential_services": "access to essential private and public services (credit, insurance, public benefits, "
    "emergency triage)",
    "law_enforcement": "law enforcement",
    "migration_border": "migration, asylum and border control",
    "justice_democracy": "administration of justice and democratic processes",
}
EXEMPTION_LABELS: Final = {
    "narrow_procedural_task": "it performs a narrow procedural task",
    "improves_human_activity": "it improves the result of a human activity already completed",
    "detects_decision_patterns": "it detects decision patterns or deviations without replacing human assessment",
    "preparatory_task": "it performs a preparatory task for an assessment",
}
TRANSPARENCY_LABELS: Final = {
    "interacts_with_people": "people interact with it directly",
    "synthetic_content": "it generates synthetic audio, images, video or text",
    "emotion_or_biometric_categorisation": "it recognises emotions or categorises people biometrically",
    "deepfake": "it produces deep fakes",
}

TIER_LABELS: Final[Mapping[str, str]] = {
    "prohibited": "Prohibited practice",
    "high": "High-risk",
    "limited": "Limited risk (transparency duties)",
    "minimal": "Minimal risk",
}

OBLIGATIONS: Final[Mapping[Tier, tuple[str, ...]]] = {
    "prohibited": (
        "The practice is banned in the EU (Art. 5): the system may not be placed on the market, put into service "
        "or used for this purpose. Redesign the intended purpose or stop the project.",
    ),
    "high": (
        "Risk management system across the whole life cycle (Art. 9).",
        "Data governance: training, validation and test data relevant, representative and examined for bias (Art. 10).",
        "Technical documentation before placing on the market (Art. 11, Annex IV).",
        "Record-keeping: automatic logs of the system's operation (Art. 12).",
        "Information to deployers: instructions for use that make the output interpretable (Art. 13).",
        "Human oversight built in and assigned to competent people (Art. 14).",
        "Accuracy, robustness and cybersecurity, declared and tested (Art. 15).",
        "Quality management system and conformity assessment before use; EU declaration of conformity and CE "
        "marking (Art. 17, Art. 43, Art. 47, Art. 48).",
        "Registration in the EU database (Art. 49).",
        "Post-market monitoring and reporting of serious incidents (Art. 72, Art. 73).",
        "Deployers: use as instructed, human oversight by trained staff, monitoring, keeping the logs, informing "
        "workers and the people affected by decisions (Art. 26).",
        "Where the deployer is a public body or provides a public service, or for credit scoring and life or "
        "health insurance pricing: a fundamental-rights impact assessment before first use (Art. 27).",
    ),
    "limited": (
        "Transparency (Art. 50): tell people they are dealing with an AI system; mark generated or manipulated "
        "content as such in a machine-readable way; inform people exposed to emotion recognition or biometric "
        "categorisation; disclose deep fakes.",
    ),
    "minimal": (
        "No obligations specific to the tier; AI literacy of the staff who operate it (Art. 4) and voluntary "
        "codes of conduct (Art. 95).",
    ),
}

ADVISORY_NOTE: Final = (
    "This EU AI Act classification is advisory and based only on the team's answers; it is not legal advice. "
    "Confirm it with your legal or compliance function."
)


class TierResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    tier: Tier | None  # None until the classifying answers are given
    reasons: list[str]
    obligations: list[str]
    missing: list[str]  # the fields still unanswered
    advisory_note: str = ADVISORY_NOTE


def eu_ai_act_tier(answers: Mapping[str, str | None]) -> TierResult:
    """The tier from the ``regulatory.eu_ai_act`` answers (field name → choice value).

    prohibited if a prohibited practice is named; else high if Annex I = yes, or an Annex III area is named and not
    (an Art. 6(3) exemption applies and profiling = no); else limited if a transparency case applies; else minimal.
    The Art. 6(3) exemption is asked only when an Annex III area is named.
    """
    practice = answers.get("prohibited_practice")
    annex_i = answers.get("annex_i_product")
    area = answers.get("annex_iii_area")
    exemption = answers.get("art6_3_exemption")
    profiling = answers.get("profiling")
    transparency = answers.get("transparency")

    if practice and practice != NONE:
        return _result("prohibited", [f"It uses a practice the Act prohibits: {PRACTICE_LABELS[practice]}."])
    needed = ["prohibited_practice", "annex_i_product", "annex_iii_area", "profiling", "transparency"]
    if area and area != NONE:
        needed.append("art6_3_exemption")
    missing = [name for name in needed if not answers.get(name)]
    if annex_i == YES:
        return _result(
            "high",
            [
                "It is, or is a safety component of, a product under the Union harmonisation law of Annex I that "
                "needs a third-party conformity assessment (Art. 6(1))."
            ],
        )
    reasons: list[str] = []
    if area and area != NONE:
        if profiling == YES or exemption == NONE:
            why = (
                "it profiles natural persons, so the Art. 6(3) exemption cannot apply"
                if profiling == YES
                else "no Art. 6(3) exemption applies"
            )
            return _result(
                "high", [f"Its purpose falls in an Annex III area ({AREA_LABELS[area]}) and {why} (Art. 6(2))."]
            )
        if not (exemption and profiling == "no"):
            return TierResult(tier=None, reasons=[], obligations=[], missing=missing)
        reasons.append(
            f"Its purpose falls in an Annex III area ({AREA_LABELS[area]}), but the Art. 6(3) exemption applies: "
            f"{EXEMPTION_LABELS[exemption]}, and it does not profile people. Document that assessment and register "
            "the system before use (Art. 6(4), Art. 49(2))."
        )
    if missing:
        return TierResult(tier=None, reasons=[], obligations=[], missing=missing)
    if transparency and transparency != NONE:
        return _result(
            "limited", [*reasons, f"Transparency duties apply because {TRANSPARENCY_LABELS[transparency]} (Art. 50)."]
        )
    return _result(
        "minimal",
        [
            *reasons,
            "No prohibited practice, no Annex I product, no Annex III area without an exemption and no transparency "
            "case was named.",
        ],
    )


def _result(tier: Tier, reasons: list[str]) -> TierResult:
    return TierResult(tier=tier, reasons=reasons, obligations=list(OBLIGATIONS[tier]), missing=[])
