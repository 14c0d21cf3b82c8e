"""Deliverable builders: one per stage, `build_stage_n(answers) -> deliverable`.

Typed answers are placed at their question's `feeds` path by one generic helper (`assemble`); the per-stage
code adds what DOMAIN.md and the bank's `derived` entries compute (features, output type, pathways, margins,
feasibility, explainability level, residual risk). Free text is read from the answer's `structured` dict when an
LLM step filled it, otherwise by the deterministic parsing below. A missing answer stays None / empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sessions_app.formatting import first_sentence, quantity_text, sentences, short_name
from sessions_app.interview import rules
from sessions_app.interview.answer_set import AnswerSet
from sessions_app.interview.answer_types import DURATION_SECONDS, NormalisedAnswer, duration_seconds
from sessions_app.interview.deliverables import (
    DataQualityScorecard,
    EthicalRiskReport,
    MetricAlignmentMatrix,
    ProblemStatement,
    UserContext,
)
from sessions_app.interview.governance import residual_risk
from sessions_app.interview.question_bank import Question, QuestionType, questions_for_stage
from sessions_app.interview.regulatory import eu_ai_act_tier

# --- Placing answers at their feeds path ------------------------------------------------------------------------


class _Items(dict[int, dict[str, Any]]):
    """The elements of a `name[]` path, keyed by item index until `_finalise` turns them into a list."""


def typed_value(question: Question, stored: Mapping[str, Any]) -> Any:
    """The stored JSON answer as the deliverable holds it: numbers the user gave a unit for keep it
    ({"value", "unit"}); everything else is the bare value."""
    value = stored.get("value")
    if (
        question.type is QuestionType.NUMBER
        and not question.per_item_of
        and (question.unit_choices or question.free_unit)
    ):
        return {"value": value, "unit": stored.get("unit")}
    if question.type is QuestionType.SCALE and value is not None:
        return int(value)
    return value


def place(target: dict[str, Any], path: str, value: Any, item: int = 0) -> None:
    """Put `value` at `path` (`a.b`, `a[].b`) in `target`; `[]` segments are keyed by `item`."""
    *parents, leaf = path.split(".")
    if leaf.endswith("[]"):
        raise ValueError(f"{path!r} builds whole list elements; the stage builder handles it.")
    node = target
    for segment in parents:
        if segment.endswith("[]"):
            items = node.setdefault(segment[:-2], _Items())
            node = items.setdefault(item, {})
        else:
            node = node.setdefault(segment, {})
    node[leaf] = value


def _finalise(node: Any, keep_item: frozenset[str], name: str = "") -> Any:
    if isinstance(node, _Items):
        elements = []
        for item, element in sorted(node.items()):
            element = _finalise(element, keep_item)
            elements.append({"item": item, **element} if name in keep_item else element)
        return elements
    if isinstance(node, dict):
        return {key: _finalise(value, keep_item, key) for key, value in node.items()}
    return node


def assemble(
    stage_number: int, answers: AnswerSet, *, skip: Iterable[str] = (), keep_item: Iterable[str] = ()
) -> dict[str, Any]:
    """A dict for the stage's deliverable with every answered question (except `skip`) at its feeds path.
    Lists named in `keep_item` record each element's item index (KPIs, personas)."""
    skipped = set(skip)
    data: dict[str, Any] = {}
    for question in questions_for_stage(stage_number):
        if question.id in skipped:
            continue
        for item in answers.items(question.id):
            stored = answers.value(question.id, item)
            if stored is not None and stored.get("value") is not None:
                place(data, question.feeds, typed_value(question, stored), item)
    return _finalise(data, frozenset(keep_item))


# --- Small text helpers -----------------------------------------------------------------------------------------

_STOPWORD_TEXT = """a an the of on in at to for from by with and or over under per each every last next our their its
is are be will would this that these those than as into out up about data"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_WORD_RE = re.compile(r"[a-z0-9][a-z0-9'’]*")
_SENTENCE_RE = re.compile(r"(?<=[.;!?])\s+|\n+")


def _tokens(text: str) -> set[str]:
    """Significant lower-case words, with a plural 's' dropped so 'outages' matches 'outage'."""
    words = (word.strip("'’") for word in _WORD_RE.findall(text.lower()))
    return {
        word[:-1] if len(word) > 3 and word.endswith("s") else word for word in words if word and word not in _STOPWORDS
    }


def mentions(text: str | None, phrase: str | None, minimum: int = 2) -> bool:
    """Whether `text` names `phrase`: at least `minimum` of its significant words (all, if it has fewer)."""
    if not text or not phrase:
        return False
    wanted = _tokens(phrase)
    if not wanted:
        return False
    return len(wanted & _tokens(text)) >= min(minimum, len(wanted))


def _sentences(text: str | None) -> list[str]:
    return [part.strip() for part in _SENTENCE_RE.split(text or "") if part.strip()]


def _label(text: str | None) -> str | None:
    """A KPI's short name: its text up to the first colon, dash or full stop."""
    return short_name(text) or None


def _structured_list(answers: AnswerSet, qid: str, key: str) -> list[str] | None:
    structured = answers.structured(qid)
    values = structured.get(key) if structured else None
    if isinstance(values, list) and all(isinstance(v, str) for v in values):
        return [v.strip() for v in values if v.strip()]
    return None


def _word_hits(text: str, keywords: Iterable[str]) -> list[str]:
    return [kw for kw in keywords if re.search(rf"\b{re.escape(kw)}", text, re.IGNORECASE)]


# --- Stage 1 ----------------------------------------------------------------------------------------------------

_FEATURE_PATTERNS = (
    re.compile(r"^(?P<name>.+?)\s+[—–-]{1,2}\s+(?P<source>.+)$"),  # name — source
    re.compile(r"^(?P<name>.+?)\s*\((?P<source>[^()]+)\)\s*$"),  # name (source)
    re.compile(r"^(?P<name>.+?)\s*\|\s*(?P<source>.+)$"),  # name | source
)


def parse_feature_line(line: str) -> tuple[str, str | None]:
    """'name — source', 'name (source)' or 'name | source' → (name, source); a bare name has no source."""
    text = line.strip()
    for pattern in _FEATURE_PATTERNS:
        match = pattern.match(text)
        if match:
            return match.group("name").strip(), match.group("source").strip()
    return text, None


def infer_output_type(description: str | None) -> str | None:
    """Deterministic reading of the output description; the first type (binary, categorical, continuous)
    with a keyword hit wins."""
    if not description:
        return None
    for output_type, keywords in rules.OUTPUT_TYPE_KEYWORDS:
        if any(re.search(rf"\b{re.escape(kw)}\b", description, re.IGNORECASE) for kw in keywords):
            return output_type
    return None


def _features(answers: AnswerSet) -> list[dict[str, Any]]:
    lines = answers.plain("S1Q8") or []
    features: list[dict[str, Any]] = [
        dict(zip(("name", "source"), parse_feature_line(line), strict=True)) for line in lines
    ]
    availability = answers.plain("S1Q9")
    detail = (answers.value("S1Q9") or {}).get("detail")
    if availability == "yes":
        for feature in features:
            feature["available_in_production"] = True
        return features
    if availability not in ("no", "unsure"):
        return features
    named = _structured_list(answers, "S1Q9", "unavailable_features")
    for feature in features:
        if named is not None:
            flagged = any(n.lower() == str(feature["name"]).lower() or mentions(n, feature["name"]) for n in named)
        else:
            flagged = mentions(detail, feature["name"])
        if flagged:
            # "no" names features that will not be there; "unsure" names ones that may not: unknown, not False.
            feature["available_in_production"] = False if availability == "no" else None
            feature["availability_note"] = _about(detail, feature["name"])
        else:
            feature["available_in_production"] = True
    return features


def _about(text: str | None, name: str) -> str | None:
    """The sentences of `text` that name `name`, as written; all of it when none names it alone (the S1Q9 note
    that explains two features must not give each one the other's reason)."""
    naming = [sentence for sentence in sentences(text) if mentions(sentence, name)]
    return " ".join(naming) if naming else text


def _target_output(answers: AnswerSet) -> dict[str, Any]:
    description = answers.plain("S1Q10")
    structured = answers.structured("S1Q10") or {}
    output: dict[str, Any] = {"description": description, "name": structured.get("name") or None}
    if structured.get("type") in rules.OUTPUT_TYPES:
        output.update(type=structured["type"], type_source="structured")
    elif (inferred := infer_output_type(description)) is not None:
        output.update(type=inferred, type_source="keywords")
    return output


def _assumptions(answers: AnswerSet) -> list[str]:
    found: list[str] = []
    for qid in ("S1Q7", "S1Q13"):
        structured = _structured_list(answers, qid, "assumptions")
        if structured is not None:
            found.extend(structured)
        else:
            found.extend(s for s in _sentences(answers.plain(qid)) if _word_hits(s, ("assum", "we expect")))
    return found


def build_stage_1(answers: AnswerSet) -> ProblemStatement:
    data = assemble(1, answers, skip={"S1Q8", "S1Q9", "S1Q10"})
    data["input_features"] = _features(answers)
    data["target_output"] = _target_output(answers)
    scope = data.setdefault("scope", {})
    in_scope = _structured_list(answers, "S1Q10", "in_scope")
    if in_scope is None:  # what the model outputs is what is in scope: its first sentence, whole
        in_scope = [first] if (first := first_sentence(answers.plain("S1Q10"))) else []
    scope["in_scope"] = in_scope
    scope["assumptions"] = _assumptions(answers)
    return ProblemStatement.model_validate(data)


# --- Stage 2 ----------------------------------------------------------------------------------------------------

_TIMEFRAME_WEEKS = {"weeks": 1.0, "months": 52 / 12, "quarters": 13.0}


def _metrics(answers: AnswerSet) -> list[dict[str, Any]]:
    names = list(answers.plain("S2Q6") or [])
    thresholds: Mapping[str, float] = answers.plain("S2Q7") or {}
    method = answers.plain("S2Q8")
    by_lower = {name.lower(): value for name, value in thresholds.items()}
    metrics = [
        {"name": name, "threshold": by_lower.pop(name.lower(), None), "measurement_method": method} for name in names
    ]
    # A threshold for a metric not in the list is still the user's answer: keep it.
    metrics += [
        {"name": name, "threshold": value, "measurement_method": method}
        for name, value in thresholds.items()
        if name.lower() in by_lower
    ]
    for metric in metrics:
        metric["direction"] = metric_direction(metric["name"])
    return metrics


def metric_direction(name: str) -> str:
    """``at_most`` for a metric that is better when lower (an error, a loss, a latency), else ``at_least``."""
    words = set(re.findall(r"[a-z0-9]+", name.lower()))
    lowered = " ".join(re.findall(r"[a-z0-9]+", name.lower()))
    hit = any((word in words) if " " not in word else (word in lowered) for word in rules.LOWER_IS_BETTER_METRIC_WORDS)
    return "at_most" if hit else "at_least"


def _pathways(answers: AnswerSet, kpis: list[dict[str, Any]], metric_names: list[str]) -> list[dict[str, Any]]:
    """One pathway per KPI the mechanism reaches; the metrics a user chose for a KPI (S2Q15) win over any
    inference from the mechanism's text."""
    pathways = {p["kpi_item"]: p for p in _inferred_pathways(answers, kpis, metric_names)}
    by_lower = {name.lower(): name for name in metric_names}
    for kpi in kpis:
        chosen = [str(name).strip() for name in answers.plain("S2Q15", kpi["item"]) or [] if str(name).strip()]
        if not chosen:
            continue
        base = pathways.get(kpi["item"]) or {
            "mechanism": answers.plain("S2Q9"),
            "assumptions": list(answers.plain("S2Q10") or []),
            "failure_modes": list(answers.plain("S2Q11") or []),
        }
        pathways[kpi["item"]] = {
            **base,
            "kpi": kpi.get("name"),
            "kpi_item": kpi["item"],
            "metrics": [by_lower[name.lower()] for name in chosen if name.lower() in by_lower],
            "unmatched_metrics": [name for name in chosen if name.lower() not in by_lower],
            "link": "chosen",
        }
    return [pathways[item] for item in sorted(pathways)]


def _inferred_pathways(answers: AnswerSet, kpis: list[dict[str, Any]], metric_names: list[str]) -> list[dict[str, Any]]:
    """One pathway per KPI the mechanism (S2Q9) reaches. See `build_stage_2` for how a pathway names its KPI."""
    mechanism = answers.plain("S2Q9")
    if not mechanism:
        return []
    common = {
        "mechanism": mechanism,
        "assumptions": list(answers.plain("S2Q10") or []),
        "failure_modes": list(answers.plain("S2Q11") or []),
    }
    structured = (answers.structured("S2Q9") or {}).get("pathways")
    pathways: list[dict[str, Any]] = []
    if isinstance(structured, list):
        for entry in structured:
            if not isinstance(entry, Mapping):
                continue
            kpi = next(
                (
                    k
                    for k in kpis
                    if entry.get("kpi_item") == k["item"]
                    or mentions(str(entry.get("kpi") or ""), _label(k.get("name")))
                ),
                None,
            )
            if kpi is None:
                continue
            metrics = entry.get("metrics") or ([entry["metric"]] if entry.get("metric") else [])
            pathways.append(
                {
                    **common,
                    "kpi": kpi.get("name"),
                    "kpi_item": kpi["item"],
                    "metrics": [str(m) for m in metrics],
                    "mechanism": entry.get("mechanism") or mechanism,
                    "link": "structured",
                }
            )
        return pathways
    metrics = [name for name in metric_names if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", mechanism, re.I)]
    for kpi in kpis:
        if mentions(mechanism, _label(kpi.get("name"))):
            link = "named_in_mechanism"
        elif len(kpis) == 1:
            link = "only_kpi"  # "how will better performance move each KPI" with one KPI can only mean that one
        else:
            continue
        pathways.append({**common, "kpi": kpi.get("name"), "kpi_item": kpi["item"], "metrics": metrics, "link": link})
    return pathways


def _duration(quantity: Mapping[str, Any] | None) -> float | None:
    if not quantity or quantity.get("value") is None:
        return None
    try:
        return duration_seconds(NormalisedAnswer(quantity["value"], unit=quantity.get("unit")))
    except ValueError:
        return None


def actionability(time_to_act: Mapping[str, Any] | None, latency: Mapping[str, Any] | None) -> dict[str, Any]:
    """The derived margin (window − latency) and `sufficient` = margin > 0, given the two duration answers."""
    window_s, latency_s = _duration(time_to_act), _duration(latency)
    result: dict[str, Any] = {"time_to_act": time_to_act, "prediction_latency": latency}
    if window_s is None or latency_s is None or time_to_act is None or latency is None:
        return result
    margin_s = window_s - latency_s
    unit = min((time_to_act["unit"], latency["unit"]), key=lambda u: DURATION_SECONDS[u])
    result.update(
        margin_seconds=margin_s,
        margin={"value": round(margin_s / DURATION_SECONDS[unit], 6), "unit": unit},
        sufficient=margin_s > rules.ACTIONABILITY_MIN_MARGIN_SECONDS,
    )
    return result


def _validation_plan(answers: AnswerSet, kpis: list[dict[str, Any]]) -> dict[str, Any]:
    described = " ".join(t for t in (answers.plain("S2Q5"), answers.plain("S2Q8")) if t) or None
    for item in answers.items("S2Q5"):
        if item and answers.plain("S2Q5", item):
            described = f"{described} {answers.plain('S2Q5', item)}"
    method = None
    if described:
        if _word_hits(described, rules.AB_TEST_WORDS):
            method = "ab_test"
        elif _word_hits(described, rules.BEFORE_AFTER_WORDS):
            method = "before_after"
    timeframes = [k["timeframe"] for k in kpis if k.get("timeframe") and k["timeframe"].get("unit") in _TIMEFRAME_WEEKS]
    timeline = max(timeframes, key=lambda t: t["value"] * _TIMEFRAME_WEEKS[t["unit"]], default=None)
    criteria = [
        f"{_label(k['name'])}: from {quantity_text(k.get('baseline'))} to {quantity_text(k.get('target'))}"
        f" within {quantity_text(k.get('timeframe'))} of launch"
        for k in kpis
        if k.get("name") and k.get("baseline") and k.get("target") and k.get("timeframe")
    ]
    return {
        "method": method,
        "method_description": answers.plain("S2Q8"),
        "timeline": timeline,
        "success_criteria": criteria,
    }


def build_stage_2(answers: AnswerSet) -> MetricAlignmentMatrix:
    """How a pathway names its KPI: the bank asks one mechanism question (S2Q9) "covering every KPI and naming
    the metric that drives it". An LLM extraction may fill `structured["pathways"]` with
    `{kpi | kpi_item, metric | metrics, mechanism}`; offline, a KPI is the end of a pathway when the mechanism
    names it (most words of its short name, the text before the first colon), or when it is the only KPI.
    The pathway's metrics are the listed metrics (S2Q6) the mechanism names."""
    data = assemble(
        2, answers, skip={"S2Q6", "S2Q7", "S2Q8", "S2Q9", "S2Q10", "S2Q11", "S2Q14"}, keep_item={"business_kpis"}
    )
    kpis: list[dict[str, Any]] = data.get("business_kpis", [])
    metrics = _metrics(answers)
    data["model_metrics"] = metrics
    data["causal_pathways"] = _pathways(answers, kpis, [m["name"] for m in metrics])
    window = data.get("actionability_window", {})
    data["actionability_window"] = {
        **actionability(window.get("time_to_act"), window.get("prediction_latency")),
        "team_assessment": answers.plain("S2Q14"),
    }
    data["validation_plan"] = _validation_plan(answers, kpis)
    return MetricAlignmentMatrix.model_validate(data)


# --- Stage 3 ----------------------------------------------------------------------------------------------------

_GENERIC_SOURCE_WORDS = frozenset({"database", "api", "file", "stream", "rest", "table", "system", "export"})


_FIELD_SEPARATOR_RE = re.compile(r"\s*\|\s*|\s+[—–]\s+")


def item_name(line: str) -> str:
    """The name of a list item: its first field ('billing | database | …' → 'billing')."""
    return _FIELD_SEPARATOR_RE.split(line.strip(), maxsplit=1)[0]


def parse_source_line(line: str) -> dict[str, Any]:
    """'name | kind | location' (a dash also separates) → a data-source dict."""
    parts = [part.strip() for part in _FIELD_SEPARATOR_RE.split(line.strip())]
    name, kind, location = [*parts, None, None][:3]
    if kind:
        lowered = kind.lower()
        kind = next((known for known in rules.DATA_SOURCE_KINDS if lowered.startswith(known)), lowered)
    if len(parts) > 3:
        location = " | ".join(parts[2:])
    return {"name": name, "kind": kind or None, "location": location or None, "covers_features": []}


def _source_words(source: Mapping[str, Any]) -> set[str]:
    return (_tokens(source["name"]) | _tokens(source.get("location") or "")) - _GENERIC_SOURCE_WORDS


def _feature_list(text: str, known: list[str]) -> list[str]:
    """'a, b, c' → features, a stage-1 feature named whole first ('pipe material, diameter and install year'
    stays one feature though it holds a comma), then the rest split at commas outside brackets."""
    found: list[tuple[int, str]] = []
    rest = text
    for name in sorted(known, key=len, reverse=True):
        match = re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", rest, flags=re.IGNORECASE)
        if match:
            found.append((text.lower().find(name.lower()), match.group(0)))
            rest = rest[: match.start()] + "," + rest[match.end() :]
    remaining = [(text.find(item), item) for item in _split_list(rest)]
    return [item for _, item in sorted(found + remaining)]


def _split_list(text: str) -> list[str]:
    """'a, b (x, y), c' → ['a', 'b (x, y)', 'c']: commas inside brackets belong to the item."""
    items: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(char, 0)
        if char == "," and depth <= 0:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


_LINE_NAME_RE = re.compile(r"^\s*([^:\n]{1,60}?)\s*:\s*(.*)$")
_ALL_SOURCES = frozenset({"all", "all sources", "every source", "each source", "all of them", "the rest"})
_NAME_MAX_WORDS = 5


@dataclass(frozen=True)
class PerSourceText:
    """A per-source answer (S3Q2, S3Q3) read by its declared form, one line per source as "source: text".

    ``by_source`` maps a listed source's name to what its lines say; ``general`` holds what names no single
    source (prose, or an "all sources:" line), kept whole rather than cut into sentences; ``unknown`` lists
    line names that match no listed source."""

    by_source: dict[str, str]
    general: str | None
    unknown: tuple[str, ...]


def _named_source(name: str, sources: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The listed source a line's name means: its name, or words all found in one source's name and location
    ("Zendesk" → support tickets, "research set" → labelled research set); never a mere shared word."""
    lowered, words = name.strip().lower(), _tokens(name) - _GENERIC_SOURCE_WORDS
    exact = next((s for s in sources if s["name"].lower() == lowered), None)
    if exact is not None or not words:
        return exact
    return next((s for s in sources if words <= _source_words(s) or _tokens(s["name"]) <= words), None)


def per_source_text(text: str | None, sources: list[dict[str, Any]]) -> PerSourceText:
    by_source: dict[str, list[str]] = {}
    general: list[str] = []
    unknown: list[str] = []
    current: list[str] = general
    for raw in (text or "").splitlines():
        line = re.sub(r"^[-*•]\s+", "", raw.strip())
        if not line:
            continue
        match = _LINE_NAME_RE.match(line)
        name = match.group(1).strip() if match else ""
        source = _named_source(name, sources) if name else None
        if match and name.lower() in _ALL_SOURCES:
            current = general
            line = match.group(2).strip()
        elif match and source is not None:
            current = by_source.setdefault(source["name"], [])
            line = match.group(2).strip()
        elif match and len(name.split()) <= _NAME_MAX_WORDS and not re.search(r"[\d.;,]", name):
            unknown.append(name)
            current = general
        if line:
            current.append(line)
    return PerSourceText(
        by_source={name: " ".join(parts) for name, parts in by_source.items() if parts},
        general="\n".join(general) or None,
        unknown=tuple(dict.fromkeys(unknown)),
    )


def _match_source(name: str, sources: list[dict[str, Any]]) -> dict[str, Any] | None:
    lowered = name.strip().lower()
    return next((s for s in sources if s["name"].lower() == lowered), None) or next(
        (s for s in sources if _tokens(name) & _source_words(s)), None
    )


def propose_feature_coverage(answers: AnswerSet) -> dict[str, list[str]]:
    """The derived proposal shown with S3Q4: each stage-1 feature goes to the source its source system names."""
    sources = [parse_source_line(line) for line in answers.plain("S3Q1") or []]
    proposal: dict[str, list[str]] = {source["name"]: [] for source in sources}
    for line in answers.plain("S1Q8") or []:
        name, system = parse_feature_line(line)
        source = _match_source(system, sources) if system else None
        if source is not None:
            proposal[source["name"]].append(name)
    return proposal


def overall_feasibility(scores: Mapping[str, int | None], fair: Mapping[str, str | None]) -> str | None:
    """DOMAIN.md: high if every dimension ≥ 6 and ≥ 3 FAIR principles full or partial; medium if the average
    ≥ 5; else low. None until all six dimensions are scored."""
    values = [scores.get(dimension) for dimension in rules.QUALITY_DIMENSIONS]
    if any(value is None for value in values):
        return None
    numbers = [int(value) for value in values if value is not None]
    supported = sum(1 for principle in rules.FAIR_PRINCIPLES if fair.get(principle) in rules.FAIR_SUPPORTED)
    if min(numbers) >= rules.FEASIBILITY_HIGH_MIN_SCORE and supported >= rules.FEASIBILITY_HIGH_MIN_FAIR:
        return "high"
    if sum(numbers) / len(numbers) >= rules.FEASIBILITY_MEDIUM_MIN_AVERAGE:
        return "medium"
    return "low"


def build_stage_3(answers: AnswerSet) -> DataQualityScorecard:
    data = assemble(3, answers, skip={"S3Q1", "S3Q2", "S3Q3", "S3Q4"})
    sources = [parse_source_line(line) for line in answers.plain("S3Q1") or []]
    for qid, field in (("S3Q2", "size_and_frequency"), ("S3Q3", "access_method")):
        read = per_source_text(answers.plain(qid), sources)
        for source in sources:
            source[field] = read.by_source.get(source["name"])
        data[f"all_sources_{field}"] = read.general
        data[f"unknown_sources_{field}"] = list(read.unknown)
    confirmed = answers.plain("S3Q4")
    known_features = [name for name, _ in map(parse_feature_line, answers.plain("S1Q8") or [])]
    if confirmed:
        for line in confirmed:
            name, _, features = line.partition(":")
            matched = _match_source(name, sources) if features else None
            if matched is not None:
                matched["covers_features"] = _feature_list(features, known_features)
    else:
        proposal = propose_feature_coverage(answers)
        for source in sources:
            source["covers_features"] = proposal.get(source["name"], [])
    data["data_sources"] = sources
    if answers.plain("S1Q8"):
        covered = [f for source in sources for f in source["covers_features"]]
        data["uncovered_features"] = [
            name
            for name, _ in map(parse_feature_line, answers.plain("S1Q8"))
            if not any(c.lower() == name.lower() or mentions(c, name) for c in covered)
        ]

    scores = data.setdefault("quality_scores", {})
    notes = {
        q.feeds.split(".")[1]: (answers.value(q.id) or {}).get("note")
        for q in questions_for_stage(3)
        if q.group == "quality"
    }
    scores["notes"] = {dimension: note for dimension, note in notes.items() if note}
    labeling = data.setdefault("labeling_strategy", {})
    if labeling.get("label_count") is not None:
        labeling["needed"] = labeling["label_count"] > 0
    available, required = labeling.get("available_count"), labeling.get("required_count")
    if available is not None and required is not None:  # typed numbers only (S3Q21, S3Q22, S3Q11)
        labeling["shortfall"] = max(0.0, float(required) - float(available) - float(labeling.get("label_count") or 0))
        if labeling["shortfall"] > 0:
            labeling["needed"] = True  # more labels are needed than exist, whatever S3Q11 planned
    fair = data.setdefault("fair", {})
    fair["gaps"] = [
        {"principle": p, "rating": fair[p]}
        for p in rules.FAIR_PRINCIPLES
        if fair.get(p) is not None and fair[p] != "full"
    ]
    data["overall_feasibility"] = overall_feasibility(scores, fair)
    return DataQualityScorecard.model_validate(data)


def feasibility_from_answers(answers: AnswerSet) -> str | None:
    """Stage 3's overall feasibility from whatever stage-3 answers the set holds (None if not all scored)."""
    scores = {q.feeds.split(".")[1]: answers.plain(q.id) for q in questions_for_stage(3) if q.group == "quality"}
    fair = {q.feeds.split(".")[1]: answers.plain(q.id) for q in questions_for_stage(3) if q.feeds.startswith("fair.")}
    return overall_feasibility(scores, fair)


# --- Stage 4 ----------------------------------------------------------------------------------------------------

_CLAUSE_RE = re.compile(r"[.;!?\n]+|\bbut\b|\bhowever\b", re.IGNORECASE)
_NEGATION_RE = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in rules.NEGATION_WORDS) + r")\b", re.IGNORECASE)


def _affirmed_areas(text: str) -> dict[str, str]:
    """Areas of `EXPLAINABILITY_HIGH_KEYWORDS` the text touches, each with the keyword, ignoring negated ones."""
    found: dict[str, str] = {}
    for clause in _CLAUSE_RE.split(text):
        negation = _NEGATION_RE.search(clause)
        for area, keywords in rules.EXPLAINABILITY_HIGH_KEYWORDS.items():
            for keyword in keywords:
                hit = re.search(rf"\b{re.escape(keyword)}", clause, re.IGNORECASE)
                if hit and not (negation and negation.start() < hit.start()):
                    found.setdefault(area, keyword)
    return found


def explainability_level(
    stakes: str | None, regulations: Iterable[str], archetype: str | None, ai_act_tier: str | None = None
) -> tuple[str, list[str]]:
    """DOMAIN.md: high when stakes or regulations touch health, safety, legal, credit/lending, hiring/employment
    or regulated data; low for recommendation/ranking/marketing with low stakes; else medium. Returns the level
    and the reasons.

    Also high once stage 5 classes the system high-risk (or prohibited) under the EU AI Act: the Act asks such a
    system to be interpretable by the people who oversee it (Art. 13, 14), whatever words the stakes use."""
    reasons = []
    if ai_act_tier in ("high", "prohibited"):
        reasons.append(f"the EU AI Act classes the system as {'high-risk' if ai_act_tier == 'high' else 'prohibited'}")
    reasons += [f"stakes mention '{kw}' ({area})" for area, kw in _affirmed_areas(stakes or "").items()]
    if reasons:  # the Act's own classification says it; the same Act among the regulations would say it twice
        regulations = [reg for reg in regulations if "ai act" not in reg.lower()]
    reasons += [f"regulation '{reg}' touches {area}" for reg in regulations for area in _affirmed_areas(reg)]
    if reasons:
        return "high", reasons
    if archetype in rules.EXPLAINABILITY_LOW_ARCHETYPES:
        return "low", [f"the ML task is {archetype} and the stakes touch no high-stakes area"]
    low_hits = _word_hits(stakes or "", rules.EXPLAINABILITY_LOW_KEYWORDS)
    if low_hits:
        return "low", [f"stakes describe {low_hits[0]} and touch no high-stakes area"]
    return "medium", ["the stakes touch no high-stakes area, and the task is not recommendation, ranking or marketing"]


def explainability_with_tier(users: UserContext, archetype: str | None, tier: str | None) -> UserContext:
    """The stage-4 explainability level taken again once stage 5 has classed the system under the EU AI Act (its
    gate stored stage 4 before that answer existed); the same rule as ``explainability_level``."""
    explain = users.explainability
    if explain.level is None:
        return users
    level, reasons = explainability_level(explain.stakes, explain.regulations, archetype, tier)
    updated = explain.model_copy(update={"level": level, "level_reasons": reasons})
    return users.model_copy(update={"explainability": updated})


def build_stage_4(answers: AnswerSet) -> UserContext:
    data = assemble(4, answers, keep_item={"personas"})
    explainability = data.setdefault("explainability", {})
    if answers.plain("S4Q14") or answers.plain("S4Q15"):
        tier = eu_ai_act_tier(assemble(5, answers).get("regulatory", {}).get("eu_ai_act", {})).tier
        level, reasons = explainability_level(
            answers.plain("S4Q14"), answers.plain("S4Q15") or [], answers.plain("S1Q11"), tier
        )
        explainability.update(level=level, level_reasons=reasons)
    return UserContext.model_validate(data)


# --- Stage 5 ----------------------------------------------------------------------------------------------------


def build_stage_5(answers: AnswerSet) -> EthicalRiskReport:
    """Per-principle inherent, credited and residual risk, and the EU AI Act tier once its questions are answered.
    The governance decision is its own step (`governance.governance_decide`), taken where stage 5 is evaluated
    and where the charter is built."""
    data = assemble(5, answers)
    principles = data.setdefault("principles", {})
    for name in rules.PRINCIPLES:
        block = principles.setdefault(name, {})
        inputs = (block.get("severity"), block.get("likelihood"), block.get("mitigation_effectiveness"))
        if all(value is not None for value in inputs):
            severity, likelihood, effectiveness = inputs
            block["residual_risk"] = residual_risk(severity, likelihood, effectiveness, block.get("mitigation_status"))
    regulatory = data.setdefault("regulatory", {})
    regulatory["tier"] = eu_ai_act_tier(regulatory.get("eu_ai_act", {}))
    return EthicalRiskReport.model_validate(data)
