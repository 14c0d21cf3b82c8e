"""Offline answer-quality scoring: transparent word-level heuristics, no model, no network.

Each of the five criteria gets a 0-10 sub-score from simple features (concrete words, numbers, length,
repetition, overlap with the question). The overall score is their weighted mean, then capped by named
problems (too short, vague goal, AI buzzwords only, generic persona, dismissive ethics answer, no
timeframe, instructions to the assessor). Every cap adds an issue and a targeted follow-up question, so a
user can see exactly why an answer scored as it did. DOMAIN.md's calibration examples are tests.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from llm.schemas import CriterionScores, QualityAssessment
from sessions_app.interview.rules import MAX_FOLLOWUPS, QUALITY_THRESHOLD


def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


WEIGHTS = {
    "specificity": 0.25,
    "measurability": 0.25,
    "completeness": 0.2,
    "coherence": 0.1,
    "relevance": 0.2,
}
SHORT_ANSWER_WORDS = 4
LONG_ENOUGH_FOR_PASSING_VAGUENESS = 15  # a vague verb inside a long, concrete answer is not the answer's goal

STOPWORDS = word_set(
    """a an the and or but nor of for to from in on at by with without into onto via our we us it its is
    are be been being was were will would should could can may might must shall this that these those as so
    such than then there their they them i you your my me he she his her do does did done not all any some
    more most very just also etc which who whom what when where how why if about up out over per each every
    both own same other only has have had having get gets got new one"""
)
VAGUE_VERBS = word_set(
    """improve improves improved improving improvement enhance enhances enhanced enhancing optimize optimise
    optimizes optimises optimized optimised optimizing optimising optimization optimisation increase
    increases increased increasing reduce reduces reduced reducing decrease decreasing boost boosts boosting
    streamline streamlines streamlining leverage leverages leveraging maximize maximise maximizing minimize
    minimise minimizing transform transforms transforming modernize modernise innovate drive drives driving
    grow growing better faster cheaper easier"""
)
GENERIC_NOUNS = word_set(
    """efficiency effectiveness productivity performance quality insight insights prediction predictions
    outcome outcomes result results thing things stuff solution solutions process processes operations
    experience value business company organisation organization data system systems work tasks decisions
    costs cost money time everything something overall general various several lot lots way ways"""
)
FILLER_VERBS = word_set(
    """use uses used using utilize utilise utilizing utilising apply applying implement implementing build
    building create creating make makes making help helps helping support supports want wants need needs
    provide providing deliver delivering enable enabling ensure try trying going able"""
)
BUZZWORDS = word_set(
    """ai ml artificial intelligence machine learning deep algorithm algorithms analytics automation automate
    automated smart intelligent genai llm llms chatgpt gpt model models technology tech digital"""
)
PERSONA_WORDS = word_set(
    """user users customer customers client clients people person everyone everybody anyone staff employee
    employees stakeholder stakeholders team teams management managers public internal external end"""
)
METRIC_NOUNS = word_set(
    """rate rates time times value lifetime cost revenue churn accuracy precision recall count counts volume
    score scores percentage share conversion retention duration latency error errors defects sales margin
    spend price prices days hours minutes weeks months throughput backlog turnaround losses loss"""
)
UNITS = word_set(
    """% percent percentage days day hours hour minutes minute seconds weeks week months month years year
    quarter quarters usd eur gbp dollars euros pounds $ € £ k m ms claims orders tickets"""
)
NUMBER_WORDS = word_set(
    "one two three four five six seven eight nine ten eleven twelve twenty thirty fifty hundred thousand "
    "million billion half double triple"
)

_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*|[$€£]?\d+(?:[.,]\d+)*%?")
_NUMBER = re.compile(r"\d")
_TIMEFRAME = re.compile(
    r"\b(?:by|within|before|until|in|over|after|inside)\s+(?:the\s+)?(?:next\s+|first\s+|end\s+of\s+)?"
    r"(?:\d+|one|two|three|four|six|twelve|a|q[1-4]|20\d\d|january|february|march|april|may|june|july|"
    r"august|september|october|november|december|year|quarter|month|week|launch|go-live)\b"
    r"|\bq[1-4]\b|\b20\d\d\b|\b(?:per|a|each|every)\s+(?:day|week|month|quarter|year)\b"
    r"|\b(?:daily|weekly|monthly|quarterly|annually|yearly)\b|\bdeadline\b|\bh[12]\b",
    re.IGNORECASE,
)
_CHANGE = re.compile(r"\bfrom\s+\S*\d\S*\s+(?:\w+\s+){0,3}to\s+\S*\d", re.IGNORECASE)
_TARGET = re.compile(
    r"\b(?:cut|reduce|lower|increase|raise|grow|improve|boost|halve|double)\w*\b.{0,60}\d", re.IGNORECASE
)
_ENUMERATION = re.compile(r",.+\band\b|,.+,|;|\n\s*[-*•\d]", re.IGNORECASE)
_INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|prompts?|rules?|above|previous|"
    r"everything)\b"
    r"|\b(?:you are|you're)\s+now\b|\bact as\b|\bpretend\s+(?:to be|you)\b|\bsystem prompt\b"
    r"|\bnew instructions?\b|\bjailbreak\b|</?\s*(?:answer|system|instructions?)\s*>"
    r"|\b(?:give|assign|rate|score|mark)\s+(?:this|my|the)\s+(?:answer|response)\b"
    r"|\b(?:this|my)\s+answer\s+(?:is|deserves|gets)\s+(?:a\s+)?(?:10|ten|perfect|full)",
    re.IGNORECASE,
)
_DISMISSIVE_WHOLE = re.compile(
    r"^(?:no|none|nope|n/?a|nil|nothing|not applicable|not relevant|no idea|not sure|tbd|todo|unknown|"
    r"don'?t know|-+|\?+|none identified|none that we know of|there are none|nobody|no one|"
    r"(?:there (?:are|is) )?(?:no|zero) (?:real |significant |major |ethical |known )?"
    r"(?:risks?|issues?|concerns?|harms?|problems?|bias)(?: identified| at all| here)?)[.!]*$",
    re.IGNORECASE,
)
_DISMISSIVE_PHRASE = re.compile(
    r"\b(?:no|zero|without any|nothing)\s+(?:real\s+|significant\s+|major\s+|ethical\s+|known\s+)?"
    r"(?:risks?|issues?|concerns?|harms?|problems?|bias)\b|\bnot (?:applicable|relevant)\b|\bn/a\b",
    re.IGNORECASE,
)
_JUSTIFICATION = re.compile(
    r"\b(?:because|since|as|given|due to|only|anonymi[sz]ed|aggregated?|no personal|reviewed|assessed|"
    r"mitigat\w*|checked|audit\w*)\b",
    re.IGNORECASE,
)
_PERSONA_QUESTION = re.compile(r"\b(?:users?|personas?|who)\b", re.IGNORECASE)
_TARGET_QUESTION = re.compile(
    r"\b(?:success|measur\w*|targets?|kpis?|goals?|when|timeline|timeframe|deadline|baseline)\b",
    re.IGNORECASE,
)
_ETHICS_QUESTION = re.compile(
    r"\b(?:risks?|harm\w*|ethic\w*|fairness|bias|privacy|safety|oversight|accountab\w*|transparen\w*)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Problem:
    """A named heuristic that fired: it caps the score and explains itself."""

    code: str
    issue: str
    followup: str
    cap: int


PROBLEMS = {
    "empty": Problem("empty", "The answer is empty.", "Please answer the question.", 0),
    "injection": Problem(
        "injection",
        "The answer contains instructions to the assessor; they were ignored and the answer was not scored on them.",
        "Please answer the question itself, in your own words, without instructions for the reviewer.",
        2,
    ),
    "dismissive": Problem(
        "dismissive",
        "Dismissive answer (such as 'no risks' or 'n/a'): every principle needs a considered answer.",
        "Who could be harmed if the system is wrong, and how? If you believe the risk is low, explain why.",
        1,
    ),
    "buzzwords": Problem(
        "buzzwords",
        "Says that AI will be used but not what it will do, for whom, or from which data.",
        "What exactly should the model predict or decide, for whom, and from which data?",
        1,
    ),
    "vague": Problem(
        "vague",
        "Vague goal: a general verb (improve, optimise, increase…) with no concrete subject or number.",
        "What number would show this worked? Give today's value and the target (e.g. from 14 to 7 days).",
        3,
    ),
    "incoherent": Problem(
        "incoherent",
        "Hard to read as a statement: random characters or the same words repeated.",
        "Could you rewrite this as one or two plain sentences?",
        2,
    ),
    "too_short": Problem(
        "too_short",
        "Too short to assess: one or two words cannot explain the situation.",
        "Can you describe this in one or two full sentences: what happens today and what should change?",
        3,
    ),
    "generic_persona": Problem(
        "generic_persona",
        "Generic persona ('users', 'customers', 'everyone'): name the actual role.",
        "Which specific role uses this (job title, team, roughly how many people), and what do they decide?",
        4,
    ),
    "vague_verb": Problem(
        "vague_verb",
        "Uses a vague verb (improve, optimise, increase…) without any number.",
        "By how much, from what baseline? Give today's value and the target.",
        6,
    ),
    "no_timeframe": Problem(
        "no_timeframe",
        "No timeframe: by when should this be achieved?",
        "By when should the target be reached (e.g. within 6 months of launch)?",
        9,
    ),
}

EXAMPLES = {
    "dismissive": (
        "Fairness risk is medium: applicants from postcodes with little credit history could be scored "
        "lower. We will compare approval rates across regions monthly and send borderline cases to a human "
        "reviewer."
    ),
    "generic_persona": (
        "Claims adjusters in the regional offices (about 40 people, intermediate technical skill) who triage "
        "200 new claims a day and decide which ones need a site visit."
    ),
    "buzzwords": (
        "Predict which open claims will take longer than 30 days, from claim type, adjuster workload and "
        "document completeness, so team leads can reassign them early."
    ),
    "default": (
        "Cut average claim processing time from 14 to 7 days within 6 months of launch, measured weekly from "
        "the claims system."
    ),
}
FALLBACK_FOLLOWUP = "Which process, which numbers and which timeframe would make this answer concrete?"


@dataclass
class Features:
    """What the heuristics look at, computed once per answer."""

    text: str
    words: list[str]
    specific: list[str]
    numbers: int
    has_unit: bool
    has_metric: bool
    has_vague_verb: bool
    has_generic_noun: bool
    has_buzzword: bool
    has_persona_word: bool
    has_timeframe: bool
    states_target: bool
    enumerates: bool
    unique_ratio: float
    gibberish: bool
    question_overlap: int
    problems: list[Problem] = field(default_factory=list)


def _stem(word: str) -> str:
    return word[:5]


def extract_features(answer: str, question: str = "") -> Features:
    words = [w.lower().strip("'\u2019-") for w in _WORD.findall(answer)]
    words = [w for w in words if w]
    numbers = sum(1 for w in words if _NUMBER.search(w) or w in NUMBER_WORDS)
    content = [w for w in words if w not in STOPWORDS and not _NUMBER.search(w)]
    ignored = VAGUE_VERBS | FILLER_VERBS | GENERIC_NOUNS | BUZZWORDS | PERSONA_WORDS | UNITS | NUMBER_WORDS
    specific = [w for w in content if w not in ignored and len(w) >= 3]
    question_stems = {
        _stem(w.lower())
        for w in _WORD.findall(question)
        if w.lower() not in STOPWORDS and w.lower() not in GENERIC_NOUNS and len(w) >= 4
    }
    letters = [w for w in words if w.isalpha() and len(w) >= 3]
    return Features(
        text=answer,
        words=words,
        specific=specific,
        numbers=numbers,
        has_unit=any(w in UNITS or w.endswith("%") or w[:1] in "$€£" for w in words),
        has_metric=any(w in METRIC_NOUNS for w in words),
        has_vague_verb=any(w in VAGUE_VERBS for w in words),
        has_generic_noun=any(w in GENERIC_NOUNS for w in words),
        has_buzzword=any(w in BUZZWORDS for w in words),
        has_persona_word=any(w in PERSONA_WORDS for w in words),
        has_timeframe=bool(_TIMEFRAME.search(answer)),
        states_target=bool(_CHANGE.search(answer) or _TARGET.search(answer)),
        enumerates=bool(_ENUMERATION.search(answer)),
        unique_ratio=len(set(words)) / len(words) if words else 1.0,
        gibberish=bool(letters)
        and sum(1 for w in letters if not re.search(r"[aeiouy]", w) or len(w) > 25) / len(letters) > 0.3,
        question_overlap=len({_stem(w) for w in specific} & question_stems),
    )


def criterion_scores(f: Features, question: str) -> CriterionScores:
    n_words = len(f.words)
    n_specific = len(f.specific)
    specificity = 2 * n_specific + 2 * min(f.numbers, 2) + (1 if f.enumerates else 0)

    if f.numbers >= 2 or _CHANGE.search(f.text):
        measurability = 9 + (1 if f.has_unit else 0)
    elif f.numbers == 1:
        measurability = 6 + (1 if f.has_unit else 0) + (1 if f.has_timeframe else 0)
    elif f.has_metric and n_specific >= 3:
        measurability = 7
    elif f.has_vague_verb:
        measurability = 1
    else:
        measurability = 4 if n_specific >= 3 else 2

    completeness = round(0.8 * n_words) + (2 if f.numbers else 0) + (2 if f.enumerates else 0)
    if n_words < SHORT_ANSWER_WORDS:
        completeness = min(completeness, 3)

    coherence = 9
    if n_words < 3:
        coherence = 5
    elif n_words == 3:
        coherence = 7
    if n_words >= 6 and f.unique_ratio < 0.5:
        coherence -= 4
    if f.gibberish:
        coherence -= 5
    if len(f.text) > 10 and f.text.isupper():
        coherence -= 2

    if n_specific == 0:
        relevance = 3
    elif question:
        relevance = 7 + (2 if f.question_overlap else 0) + (1 if n_specific >= 5 else 0)
    else:
        relevance = 9 if n_specific >= 5 else 8 if n_specific >= 3 else 6

    def clamp(value: int) -> int:
        return max(0, min(10, value))

    return CriterionScores(
        specificity=clamp(specificity),
        measurability=clamp(measurability),
        completeness=clamp(completeness),
        coherence=clamp(coherence),
        relevance=clamp(relevance),
    )


def detect_problems(f: Features, question: str) -> list[Problem]:
    """The named problems that fired, most serious first."""
    text = f.text.strip()
    if not text:
        return [PROBLEMS["empty"]]
    n_words = len(f.words)
    n_specific = len(f.specific)
    found: list[str] = []
    if _INJECTION.search(text):
        found.append("injection")
    dismissive_whole = bool(_DISMISSIVE_WHOLE.match(text))
    dismissive_short = n_words <= 12 and bool(_DISMISSIVE_PHRASE.search(text)) and not _JUSTIFICATION.search(text)
    if dismissive_whole or (dismissive_short and (not question or _ETHICS_QUESTION.search(question))):
        found.append("dismissive")
    if f.gibberish or (n_words >= 6 and f.unique_ratio < 0.5):
        found.append("incoherent")
    if n_specific == 0 and f.has_buzzword:
        found.append("buzzwords")
    elif n_specific == 0 and f.numbers == 0 and (f.has_vague_verb or f.has_generic_noun):
        found.append("vague")
    if n_words < SHORT_ANSWER_WORDS:
        found.append("too_short")
    persona_question = bool(question) and bool(_PERSONA_QUESTION.search(question))
    if f.has_persona_word and n_specific <= 1 and (persona_question or n_words <= 5):
        found.append("generic_persona")
    vague_goal = f.has_vague_verb and f.numbers == 0 and n_specific > 0
    if vague_goal and (n_words < LONG_ENOUGH_FOR_PASSING_VAGUENESS or f.words[0] in VAGUE_VERBS):
        found.append("vague_verb")
    asks_for_target = bool(question) and bool(_TARGET_QUESTION.search(question))
    if not f.has_timeframe and (f.states_target or (asks_for_target and f.numbers)):
        found.append("no_timeframe")
    return [PROBLEMS[code] for code in found]


def assess_answer(answer: str, *, question: str = "", example: str = "") -> QualityAssessment:
    """Score one free-text answer 0-10 with the offline heuristics."""
    features = extract_features(answer, question)
    problems = detect_problems(features, question)
    criteria = criterion_scores(features, question)
    if problems and problems[0].code == "empty":
        zero = CriterionScores(specificity=0, measurability=0, completeness=0, coherence=0, relevance=0)
        criteria = zero
    weighted = sum(getattr(criteria, name) * weight for name, weight in WEIGHTS.items())
    score = int(weighted + 0.5)
    for problem in problems:
        score = min(score, problem.cap)
    codes = {p.code for p in problems}
    if "vague" in codes and codes <= {"vague", "too_short"}:
        score = max(score, 2)  # a direction without a measure (DOMAIN.md: "Improve efficiency" ≈ 2-3)
    if features.text.strip():
        score = max(score, 1)  # something was said; only an empty answer scores 0

    followups = [p.followup for p in problems][:MAX_FOLLOWUPS] if score < QUALITY_THRESHOLD else []
    if score < QUALITY_THRESHOLD and not followups:
        followups = [FALLBACK_FOLLOWUP]
    return QualityAssessment(
        score=score,
        criteria=criteria,
        issues=[p.issue for p in problems],
        followup_questions=followups,
        example_answer=example or _example_for(problems),
        injection_detected="injection" in codes,
    )


def _example_for(problems: list[Problem]) -> str:
    for problem in problems:
        if problem.code in EXAMPLES:
            return EXAMPLES[problem.code]
    return EXAMPLES["default"]


def assess_from_context(context: Mapping[str, Any], last_user_message: str) -> QualityAssessment:
    """The ``quality_check`` handler: ``answer``, ``question`` and ``example`` from the request context."""
    answer = str(context.get("answer", last_user_message))
    return assess_answer(answer, question=str(context.get("question", "")), example=str(context.get("example", "")))
