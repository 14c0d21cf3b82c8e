"""Offline answer-quality scoring: transparent word-level heuristics, no model, no network.

An answer is read for evidence a reviewer could check (quantities with units, frequencies and dates; names of
systems, teams and places; concrete nouns, especially those of the question and its help text) and for signs
that it says nothing checkable (hedges, boilerplate, dismissals, buzzwords, deferrals, instructions to the
assessor). Each of the five criteria gets a 0-10 sub-score from those features; the overall score is their
weighted mean, then capped by named problems. Every cap adds a plain issue and a targeted follow-up question,
so a user can see exactly why an answer scored as it did. DOMAIN.md's calibration examples are tests, and
``bench/offline_quality.py`` measures the whole checker on a labelled set of answers.

The production context carries only the question's text; its help text is found in the question bank by that
text, so the help's vocabulary and what it asks for (figures, a frequency, a date) count too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
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
THIN_ANSWER_WORDS = 8  # below this, an answer without a single figure or name rarely says enough
LONG_ENOUGH_FOR_PASSING_VAGUENESS = 15  # a vague verb inside a long, concrete answer is not the answer's goal
# Evidence points (see Features.evidence) an answer needs before a hedge or a stock phrase in it stops mattering:
# one figure and one name, or a handful of concrete nouns.
EVIDENCE_TO_OUTWEIGH_HEDGES = 6
EVIDENCE_TO_OUTWEIGH_BOILERPLATE = 7
EVIDENCE_FLOOR = 4  # below this (e.g. one figure and one concrete noun) there is nothing a reviewer could check
EVIDENCE_TO_JUSTIFY = 3  # concrete evidence after "because …" that turns a dismissal into a reasoned low-risk answer
QUESTION_VOCABULARY_FOR_RELEVANCE = 8  # fewer stems than this (a bare question, no help) cannot judge relevance

STOPWORDS = word_set(
    """a an the and or but nor of for to from in on at by with without into onto via our we us it its is
    are be been being was were will would should could can may might must shall this that these those as so
    such than then there their they them i you your my me he she his her do does did done not all any some
    more most very just also etc which who whom what when where how why if about up out over per each every
    both own same other only has have had having get gets got new one it's we'll we're we've they're don't
    doesn't isn't aren't won't can't there's that's what's let's i'm i've i'll you're whose while whether
    because since until unless though although yet still even already again here too no yes across through
    before after between behind under within around among against during below above beyond towards upon
    along onto whilst instead rather"""
)
# Words that name nothing a reviewer could check: the vocabulary of an answer that could be pasted anywhere.
GENERIC_WORDS = word_set(
    """efficiency effectiveness productivity performance quality insight insights prediction predictions
    outcome outcomes result results thing things stuff solution solutions process processes operations
    experience value business company organisation organization data system systems work tasks decisions
    decision costs cost money time everything something anything nothing overall general various several lot
    lots way ways project projects information tool tools approach approaches issue issues problem problems
    risk risks option options alternative alternatives factor factors area areas aspect aspects level levels
    part parts side kind sort type types range number numbers amount place places situation situations
    action actions measure measures step steps safeguard safeguards control controls governance documentation
    monitoring review reviews reviewing check checks checking feedback training support needs need business's
    right good great best better high higher low lower large big small huge major minor key main important
    relevant appropriate appropriately suitable necessary proper properly usual standard standards normal
    typical common current existing available possible different certain particular specific clear full
    real really actual actually sure able likely unlikely simple complex complicated difficult easy hard
    modern future past today recent recently now currently always never often sometimes soon later early
    fast slow quick quickly well much many few little enough whole entire total plenty range variety deal
    matter matters reason reasons purpose purposes goal goals aim aims objective objectives focus priority
    priorities challenge challenges opportunity opportunities benefit benefits impact impacts success
    successful happy satisfied satisfaction outcome need wants want like look looks looking see seen saw
    know known think thought believe feel felt say said tell told keep kept take taken put make made go
    going gone come coming give given find found show shown seem seems case cases point points term terms
    practice practices regulation regulations law laws rule rules requirement requirements policy policies
    guideline guidelines procedure procedures principle principles framework frameworks method methods
    metric metrics kpi kpis target targets figure figures report reports reporting dashboard dashboards
    measurement measurements mechanism mechanisms measured measuring track tracking tracked monitor monitored
    monitors manage managed managing management handle handled handling deal dealt follow followed following
    comply complies compliance compliant accordance respect respected ensure ensures ensured ensuring
    incorporate incorporated incorporating consider considered considering gather gathered collect collected
    collecting ongoing continuous continuously regular periodic periodically thorough thoroughly careful
    carefully secure securely safe safely robust sensible sensibly accurate accurately correct correctly
    fair fairly fairness transparent transparency responsible responsibly ethical ethics ethically
    organisation's company's team's role roles job jobs person's staff's everyone's faces face facing lack
    lacking visibility affect affects affecting ability abilities inefficiency inefficiencies processed
    answer answers question questions score scored scoring accept accepted complete completed please ignore
    mark marks assessor reviewer financial reputational reputation damage damages fines regulatory"""
)
VAGUE_VERBS = word_set(
    """improve improves improved improving improvement enhance enhances enhanced enhancing optimize optimise
    optimizes optimises optimized optimised optimizing optimising optimization optimisation increase
    increases increased increasing reduce reduces reduced reducing decrease decreasing boost boosts boosting
    streamline streamlines streamlining leverage leverages leveraging maximize maximise maximizing minimize
    minimise minimizing transform transforms transforming modernize modernise innovate drive drives driving
    grow growing faster cheaper easier"""
)
FILLER_VERBS = word_set(
    """use uses used using utilize utilise utilizing utilising apply applying implement implementing build
    building create creating make makes making help helps helping provide providing deliver delivering
    enable enabling try trying able do doing done get getting put putting place will"""
)
BUZZWORDS = word_set(
    """ai ml artificial intelligence machine learning deep algorithm algorithms analytics automation automate
    automated smart intelligent genai llm llms chatgpt gpt model models technology tech digital ai-driven
    ai-powered ai-ready ai-first data-driven data-first data-led cutting-edge state-of-the-art next-generation
    next-gen seamless seamlessly intuitive synergy synergies holistic end-to-end world-class best-in-class
    game-changer game-changing scalable elastic cloud insight-driven innovative innovation disruptive
    revolutionary revolutionise revolutionize mlops"""
)
# The vocabulary of "ML in general": true of any project, so it does not make an answer specific to this one.
ML_GENERIC_WORDS = word_set(
    """pattern patterns relationship relationships complexity non-linear nonlinear correlation correlations
    correlate learn learns learned learnt capture captures adapt adapts adaptive explainable explain
    explanations predictive predict predicts predicting targeting trend trends hidden accurate
    accuracy"""
)
# The hype part of the buzzwords: words that sell rather than describe ("model" and "ML" describe, in this context).
HYPE_WORDS = BUZZWORDS - word_set(
    "ml model models algorithm algorithms analytics automation automate automated machine learning deep technology "
    "tech digital cloud"
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
    quarter quarters usd eur gbp dollars euros pounds $ € £ k m ms claims orders tickets gb tb mb mw mwh kwh
    rows records"""
)
NUMBER_WORDS = word_set(
    "one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty hundred "
    "thousand million billion half double triple twice dozen hundreds thousands millions billions dozens"
)
# Hedges and vague quantities: each one stands where a figure, a frequency or a name should be.
HEDGE_WORDS = word_set(
    """fairly quite pretty rather somewhat reasonably relatively probably maybe perhaps possibly hopefully
    generally mostly basically essentially largely arguably lots plenty loads numerous various several
    frequently regularly periodically occasionally sometimes often sensibly big huge massive enormous
    significant significantly considerable considerably substantial substantially noticeable noticeably
    tremendous informally informal possibly potentially"""
)
_HEDGE_PHRASES = re.compile(
    r"\b(?:kind of|sort of|a bit|a fair (?:bit|amount)|a lot|a great deal|a good deal|a number of|a few|"
    r"or so|more or less|as (?:needed|required|appropriate|necessary)|where (?:possible|appropriate|needed)|"
    r"if (?:needed|necessary|required)|when (?:needed|necessary|required)|in due course|at some point|"
    r"on a regular basis|from time to time|keep an eye on|some (?:kind|sort|issues|risk|bias|training)|"
    r"should (?:be able to )?(?:manage|cope|be fine|work out)|not too (?:bad|heavy|much)|"
    r"(?:big|large|small|high|low) enough|a (?:wide |whole )?range of|a (?:huge |large )?amount of)\b",
    re.IGNORECASE,
)
# Stock phrases that sound responsible and commit to nothing.
_BOILERPLATE = re.compile(
    r"\bbest[- ]practices?\b|\bindustry[- ]standards?\b|\bstandard (?:industry )?(?:procedures?|practices?|"
    r"reports?|channels?|processes?)\b|\busual (?:channels?|process(?:es)?|alternatives|constraints|way)\b"
    r"|\b(?:all |any )?(?:the )?(?:relevant|applicable) (?:laws?|regulations?|rules|standards|legislation|"
    r"requirements|guidelines|policies)\b|\ball (?:data protection |privacy )?(?:laws|regulations|legislation)\b"
    r"|\bcomply with\b|\bin (?:accordance|line|compliance) with (?:all|the relevant|applicable)\b"
    r"|\bwe (?:will|'ll|shall) (?:ensure|make sure|guarantee)\b|\b(?:ensure|make sure) (?:that )?(?:all|the|it|"
    r"everything|fairness|privacy|transparency|safety|quality)\b|\btake (?:\w+ ){0,2}(?:very )?seriously\b"
    r"|\bappropriate(?:ly)? (?:measures|safeguards|controls|actions?|training|steps|governance|documentation|"
    r"people|team|access)\b|\b(?:put|be put) in place\b|\bhigh[- ]quality\b|\bstate[- ]of[- ]the[- ]art\b"
    r"|\bhuman[- ]in[- ]the[- ]loop\b|\b(?:kept|keep|is|are|be) (?:safe and )?secure\b"
    r"|\b(?:the )?right (?:customers|people|person|time|way|decisions?|actions?|outcomes?|places?)\b"
    r"|\bmanaged appropriately\b|\bas (?:appropriate|required by law)\b|\bmonitor(?:ed|ing)? (?:closely|"
    r"carefully)\b|\bongoing monitoring\b|\bperiodic reviews?\b|\btest(?:ed)? thoroughly\b",
    re.IGNORECASE,
)
_DISMISSIVE_WHOLE = re.compile(
    r"^(?:no|none|nope|n/?a|nil|nothing|not applicable|not relevant|no idea|not sure|tbd|tbc|todo|unknown|"
    r"don'?t know|-+|\?+|none identified|none that we know of|there are none|nobody|no one|not much|"
    r"(?:there (?:are|is) )?(?:no|zero) (?:real |significant |major |ethical |known )?"
    r"(?:risks?|issues?|concerns?|harms?|problems?|bias)(?: identified| at all| here)?)[.!]*$",
    re.IGNORECASE,
)
_DISMISSIVE_PHRASE = re.compile(
    r"\b(?:no|zero|without any|without|nothing)\s+(?:real\s+|significant\s+|major\s+|ethical\s+|known\s+|"
    r"\w+\s+)?(?:risks?|issues?|concerns?|harms?|problems?|bias)\b"
    r"|\bnot (?:really )?(?:applicable|relevant|an? (?:issue|concern|problem|risk)|needed|necessary|required)\b"
    r"|\b(?:is|are)n'?t (?:really )?(?:an? (?:issue|concern|problem|risk)|needed|necessary|relevant)\b"
    r"|\bn/a\b|^n\.a\.?|^not much\b|^(?:none|nothing) (?:at (?:this|the moment)|so far|yet|for now|really)\b"
    r"|\bnothing (?:comes to mind|to (?:report|add|declare|worry about)|serious)\b"
    r"|\b(?:can'?t|cannot|don'?t|do not) (?:see|think of|identify|foresee) (?:any|much)\b"
    r"|\b(?:do not|don'?t|doesn'?t)\s+(?:think|believe|expect|see|foresee)\b.{0,60}\b(?:any|much)\b"
    r"|\b(?:treats?|treating) everyone (?:the same|equally)\b|\bmitigated everything\b|\balways in control\b"
    r"|\b(?:is|are) (?:objective|neutral|unbiased|bias[- ]free|clearly the best)\b|\bclearly the best\b"
    r"|\bknow (?:our|the) users\b|\bno (?:formal |real |proper |user )?(?:research|need)\b"
    r"|\bjust an? (?:forecast|tool|model|score)\b",
    re.IGNORECASE,
)
_JUSTIFICATION = re.compile(r"\b(?:because|since|as|given that|due to)\b|:", re.IGNORECASE)
_LOW_RISK_REASONED = re.compile(
    r"\b(?:risk|it|this) is (?:low|limited|small|minimal)\b.{0,20}\b(?:because|since|as)\b|"
    r"\b(?:risk|it|this) is (?:low|limited|small|minimal)\s*:",
    re.IGNORECASE,
)
# Answers that defer the question instead of answering it.
_NON_ANSWER = re.compile(
    r"^\s*(?:tbd|tbc|todo|to be (?:decided|confirmed|defined|determined|agreed))\b"
    r"|\bto be (?:decided|confirmed|defined|determined|agreed)\b|\b(?:not sure|no idea|unsure)\b"
    r"|\b(?:we|i) (?:don'?t|do not) (?:yet )?know\b"
    r"|\b(?:it|that|this) (?:all )?(?:will )?depends?\b|\bwill depend on\b|\bhard to say\b|\bwe'?ll see\b"
    r"|\b(?:we|they|it|will|'ll|to) (?:work|figure|sort) (?:it |that |this |things |them )?out\b"
    r"|\bonce the (?:project|model|work|pilot) (?:starts|is built|is live|begins|is running)\b"
    r"|\bwe(?:'ll| will) decide\b|\b(?:decide|agree|define|confirm|discuss)\w* (?:\w+ ){0,5}later\b"
    r"|\blater with the business\b|\bwith the business later\b"
    r"|\b(?:will|is|are|still) (?:to )?be (?:discussed|defined|decided|determined|agreed|confirmed|clarified|"
    r"worked out|looked at|addressed later)\b|\bat the next (?:\w+ )?(?:meeting|review|board)\b"
    r"|^\s*(?:same as|see) (?:above|before|previous|earlier|my previous|the previous)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'\u2019/-]*[A-Za-z0-9]|[A-Za-z]|[$€£]?\d+(?:[.,:]\d+)*%?")
_NUMBER = re.compile(r"\d")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;(\n\"]\s*|\s[-–—]\s*)$")
_TIMEFRAME = re.compile(
    r"\b(?:by|within|before|until|in|over|after|inside)\s+(?:the\s+)?(?:next\s+|first\s+|end\s+of\s+)?"
    r"(?:\d+|one|two|three|four|six|twelve|a|q[1-4]|20\d\d|january|february|march|april|may|june|july|"
    r"august|september|october|november|december|year|quarter|month|week|launch|go-live)\b"
    r"|\bq[1-4]\b|\b20\d\d\b|\b(?:per|a|each|every)\s+(?:day|week|month|quarter|year)\b"
    r"|\b(?:daily|weekly|monthly|quarterly|annually|yearly)\b|\bdeadline\b|\bh[12]\b",
    re.IGNORECASE,
)
# A figure in a wider sense: a frequency, a date or a clock time answers "how often" or "by when".
_FREQUENCY_OR_DATE = re.compile(
    r"\b(?:hourly|daily|nightly|weekly|fortnightly|monthly|quarterly|annually|yearly|biannually)\b"
    r"|\breal[- ]time\b|\b(?:every|each|per|once a|twice a|times a)\s+(?:\w+\s+)?(?:second|minute|hour|day|night|"
    r"morning|evening|week|fortnight|month|quarter|term|semester|year|shift|run|batch|cycle)s?\b"
    r"|\b(?:january|february|march|april|june|july|august|september|october|november|december)\b"
    r"|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b|\b(?:19|20)\d\d\b|\bq[1-4]\b"
    r"|\b\d{1,2}[:.]\d\d\b|\b\d{1,2}\s?[ap]\.?m\b|\b(?:same|next) (?:day|evening|morning|week)\b",
    re.IGNORECASE,
)
# "from 14 to 7 days" is a change; "a score from 1 to 10" is a scale, not a target.
_CHANGE = re.compile(
    r"(?<!score )(?<!scale )(?<!range )(?<!rating )(?<!probability )\bfrom\s+\S*\d\S*\s+(?:\w+\s+){0,3}to\s+\S*\d",
    re.IGNORECASE,
)
_TARGET = re.compile(
    r"\b(?:cut|reduce|lower|increase|raise|grow|improve|boost|halve|double)\w*\b.{0,60}\d", re.IGNORECASE
)
_ENUMERATION = re.compile(r",.+\band\b|,.+,|;|\n\s*[-*•\d]", re.IGNORECASE)
_INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|prompts?|rules?|above|previous|"
    r"everything|scoring|criteria)\b"
    r"|\b(?:you are|you're)\s+now\b|\bact as (?:if\b|an? (?:\w+ )?(?:assessor|grader|reviewer|evaluator|judge|"
    r"assistant|ai|model|system)\b)|\bpretend\s+(?:to be|you)\b|\bsystem prompt\b"
    r"|\bnew instructions?\b|\bjailbreak\b|</?\s*(?:answer|system|instructions?)\s*>"
    r"|\b(?:give|assign|rate|score|mark)\s+(?:this|my)\s+(?:answer|response)\b"
    r"|\bmark (?:this|it|me) (?:answer )?as (?:complete|specific|accepted|approved|passed|correct|good|fine|done|ok)\b"
    r"|\b(?:this|my)\s+answer\s+(?:is|deserves|gets)\s+(?:a\s+)?(?:10|ten|perfect|full|complete)"
    r"|\b(?:give|award)\s+(?:it\s+|me\s+|us\s+)?(?:full|top|maximum)\s+(?:marks|score|points)\b"
    r"|\b(?:this|my|the) (?:answer|response) (?:should|must) be (?:accepted|approved|passed)\b"
    r"|\b(?:give|award|deserves?|accepted with)\s+(?:it\s+|this\s+|me\s+|us\s+)?a (?:score|mark) of\b|\b10/10\b"
    r"|\bas (?:the|an|my) (?:assessor|grader|evaluator)\b|\b(?:dear|hi|hey) (?:assessor|reviewer|grader)\b"
    r"|\bskip this question\b",
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
# What a question (or its help) demands a figure for: an answer with no number, frequency or date is capped.
# The question's own wording asks "how much/many/often…": strict. Its help text lists many points, so only the
# explicit requests for figures count there ("how long that takes" in a list of four is not a demand).
_QUESTION_DEMANDS_FIGURE = re.compile(
    r"\bhow (?:often|much|many|large|big|long|frequently|soon)\b|\bby when\b|\bwhat (?:size|budget|deadline)\b",
    re.IGNORECASE,
)
_HELP_DEMANDS_FIGURE = re.compile(
    r"\bby when\b|\bwith figures\b|\bquantify\b(?! [^.]{0,40}\bwhere you can\b)|\breporting frequency\b"
    r"|\bupdate rhythm\b|\bhow often\b",
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
        "Dismissive answer (such as 'no risks', 'not an issue' or 'n/a'): the question needs a considered answer.",
        "Who could be harmed if the system is wrong, and how? If you believe the risk is low, explain why.",
        1,
    ),
    "brush_off": Problem(
        "brush_off",
        "Dismisses the question ('no problem', 'not needed', 'not applicable') without saying why.",
        "What makes you confident of that: which figures, checks or facts support it?",
        2,
    ),
    "non_answer": Problem(
        "non_answer",
        "Defers the question ('to be decided', 'we will work it out', 'it depends') instead of answering it.",
        "What is the current plan, even if provisional: who does what, with which data, and when?",
        2,
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
    "buzzword_heavy": Problem(
        "buzzword_heavy",
        "Technology buzzwords ('AI-powered', 'seamless', 'scalable'…) instead of concrete detail.",
        "Without the technology words: which system, which people and which steps are involved?",
        3,
    ),
    "boilerplate": Problem(
        "boilerplate",
        "Stock phrases ('best practices', 'all relevant regulations', 'we will ensure…') that commit to nothing "
        "checkable.",
        "Which specific measure, owned by whom, and how will you check that it works?",
        4,
    ),
    "generic_persona": Problem(
        "generic_persona",
        "Generic persona ('users', 'customers', 'everyone'): name the actual role.",
        "Which specific role uses this (job title, team, roughly how many people), and what do they decide?",
        4,
    ),
    "hedged": Problem(
        "hedged",
        "Hedged or vague quantities ('fairly', 'quite', 'a lot', 'regularly', 'as needed') where a figure or a "
        "name should be.",
        "Can you replace the vague words with figures, names or concrete steps (how many, how often, which system)?",
        5,
    ),
    "no_figure": Problem(
        "no_figure",
        "The question asks how much, how many, how often or by when, and the answer gives no number, "
        "frequency or date.",
        "What are the actual figures: how many, how much, how often, or by which date?",
        5,
    ),
    "thin": Problem(
        "thin",
        "Too little checkable detail: hardly any figure, name or concrete noun.",
        "Can you add the detail a reviewer could check: which system, team or process, and what figures?",
        5,
    ),
    "off_topic": Problem(
        "off_topic",
        "Does not seem to address this question: none of its key terms (or those of its help text) appear.",
        "Could you answer this question directly, using the points its help text lists?",
        5,
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


@dataclass(frozen=True)
class QuestionInfo:
    """What the checker knows about the question: its text and, for a question of the bank, its help."""

    text: str = ""
    help: str = ""

    @property
    def wording(self) -> str:
        return f"{self.text} {self.help}".strip()


@cache
def _bank_help_by_text() -> dict[str, str]:
    # Imported here: the bank loads (and is validated) at start-up, after this module is imported.
    from sessions_app.interview.question_bank import get_bank

    return {_normalise(q.text): q.help for q in get_bank().questions if q.is_quality_scored}


def _normalise(text: str) -> str:
    return " ".join(text.lower().split())


def question_info(question: str, help_text: str = "") -> QuestionInfo:
    """The question with its help text: given, or looked up in the question bank by the question's text."""
    if not help_text and question:
        help_text = _bank_help_by_text().get(_normalise(question), "")
    return QuestionInfo(text=question, help=help_text)


@dataclass
class Features:
    """What the heuristics look at, computed once per answer."""

    text: str
    words: list[str]
    concrete: list[str]  # distinct content words that name something (not generic, hedged or buzz)
    names: list[str]  # proper names, acronyms and system names, as written
    numbers: int
    frequencies: int  # frequencies, dates and clock times ("nightly", "every Monday", "March 2026", "5:45")
    has_unit: bool
    has_metric: bool
    has_vague_verb: bool
    has_buzzword: bool
    hype: int
    has_persona_word: bool
    has_timeframe: bool
    states_target: bool
    enumerates: bool
    unique_ratio: float
    gibberish: bool
    hedges: list[str]
    boilerplate: list[str]
    question_overlap: int
    question_vocabulary: int
    figures_asked: bool  # the question or its help asks how much / how many / how often / by when

    @property
    def quantities(self) -> int:
        return self.numbers + self.frequencies

    @property
    def evidence(self) -> int:
        """Checkable detail: 2 per figure and per name (up to 3 each), 1 per concrete noun (up to 6)."""
        return 2 * min(self.quantities, 3) + 2 * min(len(self.names), 3) + min(len(self.concrete), 6)


def _stem(word: str) -> str:
    word = word.lower().strip("'\u2019-")
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ers", "ed", "es", "er", "s"):
        if len(word) - len(suffix) >= 4 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    return word[:6]


NOT_NAMES = word_set("tbd tbc tba n/a na ok okay faq etc asap kpi kpis ai ml")


def _is_name(raw: str, lower: str, at_sentence_start: bool) -> bool:
    if lower in BUZZWORDS or lower in STOPWORDS or lower in NOT_NAMES or len(raw) < 2 or not raw[:1].isalpha():
        return False
    letters = [c for c in raw if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return True  # an acronym: GDPR, PACS, SAP, DPIA
    if any(c.isdigit() for c in raw) or any(c.isupper() for c in raw[1:]):
        return True  # a system or product name: ClaimCenter, DCB0129, HL7, XGBoost
    return raw[0].isupper() and not at_sentence_start and lower not in GENERIC_WORDS and lower not in PERSONA_WORDS


IGNORED_FOR_CONCRETENESS = (
    STOPWORDS | GENERIC_WORDS | VAGUE_VERBS | FILLER_VERBS | BUZZWORDS | PERSONA_WORDS | UNITS | NUMBER_WORDS
) | (HEDGE_WORDS | ML_GENERIC_WORDS)


# Words of a question or its help that say how to answer rather than what about.
QUESTION_META = word_set(
    """what which why how who when where describe name names say explain list give include cover consider
    think point tell answer answers question questions reviewers reviewer strong specific specifically
    possible example examples help asked asks ask mean means good well rather simply project projects model
    models data"""
)


def _topic_stems(text: str) -> set[str]:
    """Stems of the words that carry a topic: generic words count here ("feedback", "risk"), stopwords do not."""
    return {
        _stem(w)
        for w in (m.lower() for m in _WORD.findall(text))
        if w not in STOPWORDS
        and w not in QUESTION_META
        and w not in HEDGE_WORDS
        and len(w) >= 4
        and not _NUMBER.search(w)
    }


def extract_features(answer: str, question: str | QuestionInfo = "") -> Features:
    info = question if isinstance(question, QuestionInfo) else question_info(question)
    words: list[str] = []
    names: dict[str, str] = {}
    for match in _WORD.finditer(answer):
        raw = match.group().strip("'\u2019-/")
        if not raw:
            continue
        lower = raw.lower()
        words.append(lower)
        start = bool(_SENTENCE_START.search(answer[: match.start()]))
        if _is_name(raw, lower, start):
            names.setdefault(lower, raw)
    # "F1", "HL7" or "S3" are names, not figures: a figure starts with a digit or a currency sign.
    numbers = sum(1 for w in words if (_NUMBER.search(w) and not w[:1].isalpha()) or w in NUMBER_WORDS)
    concrete_stems: dict[str, str] = {}
    for w in words:
        if w in IGNORED_FOR_CONCRETENESS or _NUMBER.search(w) or len(w) < 3 or w in names:
            continue
        concrete_stems.setdefault(_stem(w), w)
    question_stems = _topic_stems(info.wording)
    answer_stems = _topic_stems(answer)
    letters = [w for w in words if w.isalpha() and len(w) >= 3]
    hedges = [w for w in words if w in HEDGE_WORDS] + [m.group().lower() for m in _HEDGE_PHRASES.finditer(answer)]
    buzz = [w for w in words if w in BUZZWORDS]
    hype = [w for w in words if w in HYPE_WORDS]
    return Features(
        text=answer,
        words=words,
        concrete=list(concrete_stems.values()),
        names=list(names.values()),
        numbers=numbers,
        # A date like "2026" is already counted as a number; only spans without digits add to it.
        frequencies=sum(1 for m in _FREQUENCY_OR_DATE.finditer(answer) if not _NUMBER.search(m.group())),
        has_unit=any(w in UNITS or w.endswith("%") or w[:1] in "$€£" for w in words),
        has_metric=any(w in METRIC_NOUNS for w in words),
        has_vague_verb=any(w in VAGUE_VERBS for w in words),
        has_buzzword=bool(buzz),
        hype=len(hype),
        has_persona_word=any(w in PERSONA_WORDS for w in words),
        has_timeframe=bool(_TIMEFRAME.search(answer)),
        states_target=bool(_CHANGE.search(answer) or _TARGET.search(answer)),
        enumerates=bool(_ENUMERATION.search(answer)),
        unique_ratio=len(set(words)) / len(words) if words else 1.0,
        gibberish=bool(letters)
        and sum(1 for w in letters if not re.search(r"[aeiouy]", w) or len(w) > 25) / len(letters) > 0.3,
        hedges=hedges,
        boilerplate=[m.group().lower() for m in _BOILERPLATE.finditer(answer)],
        question_overlap=len(answer_stems & question_stems),
        question_vocabulary=len(question_stems),
        figures_asked=bool(_QUESTION_DEMANDS_FIGURE.search(info.text) or _HELP_DEMANDS_FIGURE.search(info.help)),
    )


def criterion_scores(f: Features) -> CriterionScores:
    n_words = len(f.words)
    n_concrete = len(f.concrete)
    n_names = len(f.names)
    vagueness = len(f.hedges) + len(f.boilerplate)
    specificity = (
        round(1.5 * min(n_concrete, 6))
        + 2 * min(n_names, 2)
        + 2 * min(f.quantities, 2)
        + (1 if f.enumerates else 0)
        - min(2 * vagueness, 4)
    )

    if f.numbers >= 2 or _CHANGE.search(f.text):
        measurability = 9 + (1 if f.has_unit else 0)
    elif f.quantities >= 1:
        measurability = 6 + (1 if f.has_unit else 0) + (1 if f.has_timeframe else 0) + min(f.quantities - 1, 1)
    elif f.has_metric and n_concrete >= 3:
        measurability = 7
    elif f.has_vague_verb:
        measurability = 1
    else:
        # A description (a risk, a workflow) is checkable through what it names; figures are owed only where the
        # question asks for them.
        described = 6 if not f.figures_asked else 5
        measurability = described if n_concrete + n_names >= 4 else 4 if n_concrete >= 3 else 2
    measurability -= len(f.hedges)

    completeness = round(0.8 * n_words) + (2 if f.quantities else 0) + (2 if f.enumerates else 0)
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

    substance = n_concrete + n_names
    if substance == 0:
        relevance = 3
    elif f.question_vocabulary >= QUESTION_VOCABULARY_FOR_RELEVANCE:
        # Earned: the answer uses the terms of the question and its help text (or names things, a weaker sign).
        relevance = 5 + 2 * min(f.question_overlap, 2) + (1 if substance >= 5 else 0) + (1 if n_names else 0)
    else:
        relevance = 9 if substance >= 5 else 8 if substance >= 3 else 6

    def clamp(value: int) -> int:
        return max(0, min(10, value))

    return CriterionScores(
        specificity=clamp(specificity),
        measurability=clamp(measurability),
        completeness=clamp(completeness),
        coherence=clamp(coherence),
        relevance=clamp(relevance),
    )


def _dismisses(f: Features) -> bool:
    """A brush-off ("no risks", "not needed", "n/a"), unless a reason naming something checkable follows it."""
    text = f.text.strip()
    if _DISMISSIVE_WHOLE.match(text):
        return True
    match = _DISMISSIVE_PHRASE.search(text)
    if match is None:
        return False
    if _LOW_RISK_REASONED.search(text):
        return _evidence_after(text, match.end()) < EVIDENCE_TO_JUSTIFY and f.evidence < EVIDENCE_TO_OUTWEIGH_HEDGES
    # "No risk because …" is fine when what follows the reason names something checkable.
    reason = _JUSTIFICATION.search(text)
    if reason is not None and _evidence_after(text, reason.end()) >= EVIDENCE_TO_JUSTIFY:
        return False
    return f.evidence < EVIDENCE_TO_OUTWEIGH_BOILERPLATE + 2 or len(f.words) <= 12


def _evidence_after(text: str, position: int) -> int:
    return extract_features(text[position:]).evidence


def detect_problems(f: Features, question: str | QuestionInfo = "") -> list[Problem]:
    """The named problems that fired, most serious first."""
    info = question if isinstance(question, QuestionInfo) else question_info(question)
    text = f.text.strip()
    if not text:
        return [PROBLEMS["empty"]]
    n_words = len(f.words)
    n_concrete = len(f.concrete)
    found: list[str] = []
    if _INJECTION.search(text):
        found.append("injection")
    if _dismisses(f):
        ethics = not info.text or bool(_ETHICS_QUESTION.search(info.text))
        found.append("dismissive" if ethics else "brush_off")
    if _NON_ANSWER.search(text) and f.evidence < EVIDENCE_TO_OUTWEIGH_BOILERPLATE:
        found.append("non_answer")
    if f.gibberish or (n_words >= 6 and f.unique_ratio < 0.5):
        found.append("incoherent")
    if n_concrete == 0 and not f.names and f.has_buzzword:
        found.append("buzzwords")
    elif n_concrete == 0 and not f.names and f.numbers == 0 and f.has_vague_verb:
        found.append("vague")
    if n_words < SHORT_ANSWER_WORDS:
        found.append("too_short")
    elif f.evidence < EVIDENCE_FLOOR or (
        n_words < THIN_ANSWER_WORDS and not f.quantities and not f.names and n_concrete < 4
    ):
        found.append("thin")
    if f.hype and f.evidence - 2 * f.hype < EVIDENCE_TO_OUTWEIGH_HEDGES:
        found.append("buzzword_heavy")
    if f.boilerplate and f.evidence < EVIDENCE_TO_OUTWEIGH_BOILERPLATE + 2 * (len(f.boilerplate) - 1):
        found.append("boilerplate")
    persona_question = bool(info.text) and bool(_PERSONA_QUESTION.search(info.text))
    if f.has_persona_word and n_concrete + len(f.names) <= 1 and (persona_question or n_words <= 5):
        found.append("generic_persona")
    if f.hedges and f.evidence < EVIDENCE_TO_OUTWEIGH_HEDGES + 2 * (len(f.hedges) - 1):
        found.append("hedged")
    if f.figures_asked and not f.quantities:
        found.append("no_figure")
    if (
        info.help
        and f.question_vocabulary >= QUESTION_VOCABULARY_FOR_RELEVANCE
        and f.question_overlap == 0
        and n_concrete < 4
        and n_words >= THIN_ANSWER_WORDS
        and (f.names or f.quantities or n_concrete >= 2)  # says something concrete, but not about this
        and not f.has_metric  # an answer about a measure (a score, a rate, a cost) is about the project's figures
    ):
        found.append("off_topic")
    vague_goal = f.has_vague_verb and f.numbers == 0 and n_concrete > 0
    if vague_goal and (n_words < LONG_ENOUGH_FOR_PASSING_VAGUENESS or f.words[0] in VAGUE_VERBS):
        found.append("vague_verb")
    asks_for_target = bool(info.text) and bool(_TARGET_QUESTION.search(info.text))
    if not f.has_timeframe and (f.states_target or (asks_for_target and f.numbers)):
        found.append("no_timeframe")
    problems = [PROBLEMS[code] for code in dict.fromkeys(found)]
    return sorted(problems, key=lambda p: p.cap)


def problem_codes(answer: str, *, question: str = "", help_text: str = "") -> list[str]:
    """The names of the caps that fire for an answer (for the benchmark's report of misses)."""
    info = question_info(question, help_text)
    return [p.code for p in detect_problems(extract_features(answer, info), info)]


def assess_answer(answer: str, *, question: str = "", example: str = "", help_text: str = "") -> QualityAssessment:
    """Score one free-text answer 0-10 with the offline heuristics (help text: given, else from the bank)."""
    info = question_info(question, help_text)
    features = extract_features(answer, info)
    problems = detect_problems(features, info)
    criteria = criterion_scores(features)
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
    """The ``quality_check`` handler: ``answer``, ``question``, ``example`` (and ``help``, if given) from context."""
    answer = str(context.get("answer", last_user_message))
    return assess_answer(
        answer,
        question=str(context.get("question", "")),
        example=str(context.get("example", "")),
        help_text=str(context.get("help", "")),
    )
