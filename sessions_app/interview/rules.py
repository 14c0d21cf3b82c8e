"""Domain thresholds, bands and word lists, defined once (DOMAIN.md). The quality check, builders, gates,
governance and the cross-stage consistency checks import these; nothing else restates a number. (A leaf module:
it imports nothing from the project, so any layer, the LLM contracts included, may import it.)"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

# --- Answers --------------------------------------------------------------------------------------------------
QUALITY_THRESHOLD: Final = 7  # an answer is accepted at this score (0–10) or above (DOMAIN.md "Answer quality")
MAX_FOLLOWUPS: Final = 3  # below the threshold the user gets 1 to this many follow-up questions
FINAL_STATUSES: Final = frozenset({"accepted", "escalated"})
MAX_ATTEMPTS: Final = 3  # the first answer counts; after the third the best attempt is accepted as escalated
MAX_REPEAT_ITEMS: Final = 10  # at most this many KPIs / personas in a repeatable group
MIN_REASON_CHARS: Final = 10  # an acknowledgement's written reason: at least a short sentence

# --- Stage 1: archetype ↔ output type ---------------------------------------------------------------------------
OUTPUT_TYPES: Final = ("binary", "categorical", "continuous")
# Only the pairings DOMAIN.md states; other archetypes (clustering, NLP…) are not checked against the output type.
ARCHETYPE_OUTPUT_TYPES: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "classification": frozenset({"binary", "categorical"}),
        "regression": frozenset({"continuous"}),
    }
)
# Offline parsing of the described output (S1Q10). Checked in this order: the first type with a hit wins.
OUTPUT_TYPE_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("binary", ("probability", "yes/no", "yes or no", "yes-no", "churn", "fraud", "whether", "true/false", "flag")),
    ("categorical", ("category", "categories", "class", "segment", "label", "type of")),
    ("continuous", ("amount", "price", "count", "days", "score", "forecast", "number of", "value", "revenue")),
)

# --- Stage 2: KPIs ---------------------------------------------------------------------------------------------
KPI_TARGET_MAX_RATIO: Final = 10.0  # target within 10× of the baseline (either direction)
KPI_NAME_MIN_WORDS: Final = 3  # SMART "specific": a KPI named in fewer words is reported as not specific
ACTIONABILITY_MIN_MARGIN_SECONDS: Final = 0.0  # sufficient only when window − latency > this
# The validation method read from the described plan (S2Q5, S2Q8): an A/B test wins over a before/after comparison.
# A comparison with a control that keeps the current process: a group, or matched areas, sites or regions.
AB_TEST_WORDS: Final = (
    "a/b",
    "ab test",
    "hold-out",
    "holdout",
    "control group",
    "randomi",
    "against a control",
    "control area",
    "control region",
    "control site",
    "control arm",
)
BEFORE_AFTER_WORDS: Final = ("before and after", "before/after", "pre/post", "against the baseline")
# A model metric whose name holds one of these is better when lower: its threshold (S2Q7) is a ceiling
# ("at most"), as the question's help says for error metrics; every other metric's threshold is a floor.
LOWER_IS_BETTER_METRIC_WORDS: Final = (
    "error",
    "loss",
    "mae",
    "mse",
    "rmse",
    "mape",
    "smape",
    "brier",
    "perplexity",
    "false positive rate",
    "false negative rate",
    "fpr",
    "fnr",
    "miss rate",
    "false alarm",
    "false alarms",
    "gap",  # a fairness gap between groups (recall gap, parity gap) is better when smaller
    "disparity",
    "difference",
    "latency",
    "delay",
    "seconds",
    "minutes",
    "hours",
    "days",
)

# --- Stage 3: data quality and feasibility ----------------------------------------------------------------------
QUALITY_DIMENSIONS: Final = ("accuracy", "consistency", "completeness", "timeliness", "validity", "integrity")
QUALITY_BLOCKER_BELOW: Final = 4  # a dimension below this blocks the gate
QUALITY_CONCERN_BELOW: Final = 6  # a dimension below this is a concern
FAIR_PRINCIPLES: Final = ("findable", "accessible", "interoperable", "reusable")
FAIR_SUPPORTED: Final = frozenset({"full", "partial"})
FEASIBILITY_HIGH_MIN_SCORE: Final = 6  # every dimension at least this …
FEASIBILITY_HIGH_MIN_FAIR: Final = 3  # … and at least this many FAIR principles full or partial
FEASIBILITY_MEDIUM_MIN_AVERAGE: Final = 5.0  # otherwise medium when the average is at least this, else low
DATA_SOURCE_KINDS: Final = ("database", "api", "file", "stream")

# --- Stage 4: explainability -----------------------------------------------------------------------------------
# High when the stakes (S4Q14) or the regulations (S4Q15) touch one of these areas (not negated). DOMAIN.md's
# areas, plus education and admissions (an Annex III area of the EU AI Act, like hiring) and, under legal, the
# words of legal exposure a team writes (fines, complaints, discrimination, GDPR Art. 22, Annex III).
EXPLAINABILITY_HIGH_KEYWORDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "health": ("health", "medical", "patient", "clinical", "diagnos", "hipaa"),
        "safety": ("safety", "injury", "physical harm", "life-threatening"),
        "legal": (
            "legal",
            "illegal",
            "lawsuit",
            "litigation",
            "liability",
            "criminal",
            "fines",
            "fined",
            "penalt",
            "complaint",
            "discriminat",
            "article 22",
            "automated decision",
            "annex iii",
        ),
        "credit/lending": ("credit", "lending", "loan", "mortgage", "ecoa", "fcra"),
        "hiring/employment": ("hiring", "employment", "recruit", "job applicant", "dismissal"),
        "education/admissions": ("admission", "access to education", "grading", "student assessment"),
        "regulated data": (
            "regulated data",
            "special category",
            "special-category",
            "article 9",
            "biometric",
            "genetic",
            "pci dss",
            "protected health information",
        ),
    }
)
# Low when the system recommends, ranks or markets and the stakes touch none of the areas above.
EXPLAINABILITY_LOW_ARCHETYPES: Final = frozenset({"recommendation"})
EXPLAINABILITY_LOW_KEYWORDS: Final = ("recommendation", "recommend", "ranking", "marketing", "advertising")
# Keywords are matched at word starts (stems such as "diagnos" and "recruit" are intended); a keyword preceded
# by one of these words in the same clause ("No one's health or safety is affected") does not count.
NEGATION_WORDS: Final = ("no one", "nobody", "not", "no", "never", "none", "without", "neither", "nor")

# --- Stage 5: risk per principle and the governance decision (DOMAIN.md "Governance decision") -------------
PRINCIPLES: Final = ("fairness", "privacy", "transparency", "safety", "human_agency")
PRINCIPLE_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "fairness": "Fairness & equity",
        "privacy": "Privacy & data protection",
        "transparency": "Transparency & accountability",
        "safety": "Safety & resilience",
        "human_agency": "Human agency & oversight",
    }
)
SAFETY_PRINCIPLE: Final = "safety"
RISK_LEVEL_VALUES: Mapping[str, int] = MappingProxyType({"low": 1, "medium": 2, "high": 3, "critical": 4})
# Inherent (severity × likelihood) and residual scores share the bands, highest first: a score ≥ the bound gets
# the band; below every bound is "low".
RISK_BANDS: tuple[tuple[float, str], ...] = ((8.0, "critical"), (6.0, "high"), (4.0, "medium"))
RISK_FLOOR_BAND: Final = "low"
BAND_ORDER: Final = ("low", "medium", "high", "critical")
# Scores are rounded before banding so that float noise (e.g. 0.7 → 0.30000000000000004) never crosses a bound.
RISK_SCORE_DECIMALS: Final = 6
# The residual band is never more than this many bands below the inherent band.
MAX_BANDS_BELOW_INHERENT: Final = 1
# Effectiveness is answered as a percentage 0–100 and divided by this before the cap applies.
EFFECTIVENESS_PERCENT_SCALE: Final = 100.0
# A mitigation earns credit only as far as it exists (principles.<p>.mitigation_status): the most it can earn.
MITIGATION_STATUSES: Final = ("planned", "implemented", "verified")
MITIGATION_CREDIT_CAPS: Mapping[str, float] = MappingProxyType({"planned": 0.25, "implemented": 0.50, "verified": 0.80})
# A mitigation whose status is not given (a session from before the question existed) is credited as planned.
MITIGATION_STATUS_WHEN_UNKNOWN: Final = "planned"
# Decision levels, least to most severe; the decision is the most severe floor of the rules that hold.
DECISION_ORDER: Final = ("proceed", "proceed_with_monitoring", "revise", "submit_to_committee", "halt")
COMMITTEE_DECISIONS: Final = frozenset({"halt", "submit_to_committee"})
HALT_MIN_HIGH_PRINCIPLES: Final = 3  # three or more residual high → halt
COMMITTEE_HIGH_PRINCIPLES: Final = 2  # two residual high → submit_to_committee
REVISE_HIGH_PRINCIPLES: Final = 1  # one residual high → revise
FORMAL_REVIEW: Final = "formal"  # S5Q1: the only prior review that counts as a formal ethics review
RESIDUAL_NOT_ACCEPTABLE: Final = "no"  # S5Q29: the team does not accept the residual risk
FEASIBILITY_FLOOR_LEVEL: Final = "low"  # data feasibility low → revise
HIGH_FINDING_SEVERITIES: Final = frozenset({"high", "critical"})  # consistency findings that feed the decision

# --- Cross-stage consistency (run before the charter) ----------------------------------------------------------
# DOMAIN.md names the checks, not their numbers: these are ours.
_HOUR: Final = 3_600
_DAY: Final = 24 * _HOUR
_WEEK: Final = 7 * _DAY
_MONTH: Final = 30 * _DAY
# How long one use of the output lasts for a persona, by their usage frequency (S4Q5), in seconds.
USAGE_PERIOD_SECONDS: Mapping[str, int] = MappingProxyType(
    {"hourly": _HOUR, "daily": _DAY, "weekly": _WEEK, "monthly": _MONTH}
)
# A prediction needed within this many seconds (or a persona using the output hourly) is a real-time need.
REALTIME_NEED_SECONDS: Final = _HOUR
# Update rhythm (seconds) read from a source's size-and-frequency answer (S3Q2); the first hit, in this order, wins.
UPDATE_PERIOD_WORDS: tuple[tuple[str, int], ...] = (
    ("real time", 0),
    ("real-time", 0),
    ("realtime", 0),
    ("stream", 0),
    ("hourly", _HOUR),
    ("nightly", _DAY),
    ("daily", _DAY),
    ("weekly", _WEEK),
    ("monthly", _MONTH),
    ("month end", _MONTH),
    ("quarterly", 91 * _DAY),
)
SUPERVISED_ARCHETYPES: Final = frozenset(
    {"classification", "regression", "time_series_forecasting", "computer_vision", "nlp"}
)
# Words in stage 1/3 answers that say where ground-truth outcomes come from when no new labels are planned.
LABEL_EVIDENCE_WORDS: Final = ("label", "outcome", "historical", "history", "recorded", "ground truth", "annotat")
NON_EXPERT_PROFICIENCY: Final = "novice"
EXPERT_AUDIENCES: Final = frozenset({"technical", "domain_expert"})
# Explanation techniques that need a data-science reader unless they are turned into plain language.
TECHNICAL_EXPLANATION_WORDS: Final = (
    "shap",
    "lime",
    "feature importance",
    "partial dependence",
    "saliency",
    "gradient",
    "attention",
    "shapley",
    "counterfactual",
    "coefficients",
)
PLAIN_LANGUAGE_WORDS: Final = (
    "plain",
    "reason code",
    "natural language",
    "simple",
    "everyday",
    "narrative",
    "non-technical",
)
HIGH_STAKES_SEVERITIES: Final = frozenset({"high", "critical"})
# Rare events: a KPI baseline in percent below this, or these words in the problem or the output description …
RARE_EVENT_BASE_RATE_PERCENT: Final = 1.0
RARE_EVENT_WORDS: Final = ("rare", "fraud", "anomal", "outlier", "defect", "failure", "incident", "intrusion")
# … needs at least this many labelled examples.
RARE_EVENT_MIN_EXAMPLES: Final = 1_000
