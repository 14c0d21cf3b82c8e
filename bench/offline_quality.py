"""Benchmark: how well the offline answer checker tells vague answers from specific ones.

Scores every entry of a labelled set (bench/quality_set/answers.yaml by default) with the offline provider, through
the same request production builds (``sessions_app.interview.quality.assessment_request``) and the same handler
the gateway calls (``OfflineProvider.send``), then prints accuracy, the confusion matrix (vague/specific ×
accepted/rejected), the two error rates against their targets, breakdowns per stage, per category and per domain,
and the worst misses with the caps that fired.

    .venv/bin/python bench/offline_quality.py                                   # the tuning set
    .venv/bin/python bench/offline_quality.py --set bench/quality_set/holdout.yaml --show-misses 20

Exit status 1 when a target is missed (more than 5 % of vague answers accepted, or more than 5 % of specific
answers rejected), 0 otherwise. No database or network is needed.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SET = ROOT / "bench" / "quality_set" / "answers.yaml"
MAX_VAGUE_ACCEPTED = 0.05
MAX_SPECIFIC_REJECTED = 0.05
LABELS = ("vague", "specific")


def setup_django() -> None:
    """Production settings with the offline provider only. Nothing here queries the database: an in-memory
    SQLite URL satisfies the settings without needing a server."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uaip.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["LLM_PROVIDERS"] = "offline"
    import django

    django.setup()


@dataclass(frozen=True)
class Entry:
    number: int
    question_id: str
    label: str
    category: str
    domain: str
    text: str


@dataclass(frozen=True)
class Scored:
    entry: Entry
    score: int
    accepted: bool
    caps: list[str]
    issues: list[str]

    @property
    def miss(self) -> bool:
        return self.accepted != (self.entry.label == "specific")


def load_set(path: Path) -> list[Entry]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows = raw["answers"] if isinstance(raw, dict) else raw
    entries = []
    for number, row in enumerate(rows, start=1):
        label = str(row["label"])
        if label not in LABELS:
            raise SystemExit(f"{path}: entry {number} has label {label!r}; use one of {LABELS}.")
        category = str(row.get("category") or ("specific" if label == "specific" else "uncategorised"))
        entries.append(Entry(number, str(row["q"]), label, category, str(row.get("domain", "?")), str(row["text"])))
    return entries


def score_entry(entry: Entry) -> Scored:
    """The production path: the request the reflection step builds, answered by the offline provider."""
    from llm.offline.quality import problem_codes
    from llm.providers.base import ProviderCall
    from llm.providers.offline import OFFLINE_MODEL, OfflineProvider
    from llm.schemas import QualityAssessment
    from sessions_app.interview.quality import assessment_request
    from sessions_app.interview.question_bank import question
    from sessions_app.models import Answer, ScopingSession

    q = question(entry.question_id)
    if not q.is_quality_scored:
        raise SystemExit(f"entry {entry.number}: {entry.question_id} is not a free-text question.")
    answer = Answer(session=ScopingSession(), stage=q.stage, question_id=q.id, value={"value": entry.text})
    request = assessment_request(answer, q, history=[])
    call = ProviderCall(
        purpose=request.purpose,
        tier=request.tier,
        model=OFFLINE_MODEL,
        system=request.system,
        messages=request.messages,
        schema=QualityAssessment.model_json_schema(),
        max_tokens=1024,
        timeout=0.0,
        stage=request.stage,
        context=request.context,
    )
    reply = OfflineProvider().send(call)
    assessment = QualityAssessment.model_validate_json(reply.text)
    caps = problem_codes(entry.text, question=str(request.context.get("question", "")))
    return Scored(entry, assessment.score, assessment.accepted, caps, assessment.issues)


def rate(part: int, whole: int) -> str:
    return f"{part}/{whole} = {100 * part / whole:5.1f} %" if whole else f"{part}/0"


def breakdown(title: str, results: list[Scored], key: Any) -> None:
    groups: dict[str, list[Scored]] = defaultdict(list)
    for r in results:
        groups[key(r)].append(r)
    print(f"\n{title:<26} {'n':>4} {'accuracy':>9}  {'vague accepted':>18}  {'specific rejected':>18}")
    for name in sorted(groups):
        rows = groups[name]
        vague = [r for r in rows if r.entry.label == "vague"]
        specific = [r for r in rows if r.entry.label == "specific"]
        correct = sum(1 for r in rows if not r.miss)
        print(
            f"{name:<26} {len(rows):>4} {100 * correct / len(rows):>8.1f}%  "
            f"{sum(r.accepted for r in vague):>8}/{len(vague):<9}  "
            f"{sum(not r.accepted for r in specific):>8}/{len(specific):<9}"
        )


def show_misses(results: list[Scored], limit: int) -> None:
    from sessions_app.interview.rules import QUALITY_THRESHOLD

    misses = [r for r in results if r.miss]
    # Worst first: the further a score sits on the wrong side of the threshold, the worse the miss.
    misses.sort(key=lambda r: -abs(r.score - (QUALITY_THRESHOLD - 0.5)))
    print(f"\nWorst misses ({min(limit, len(misses))} of {len(misses)}):")
    for r in misses[:limit]:
        verdict = "accepted" if r.accepted else "rejected"
        print(f"\n  #{r.entry.number} {r.entry.question_id} [{r.entry.label}/{r.entry.category}, {r.entry.domain}]")
        print(f"    {verdict} with {r.score}/10; caps fired: {', '.join(r.caps) or 'none'}")
        for line in textwrap.wrap(r.entry.text, 100):
            print(f"    | {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", dest="path", type=Path, default=DEFAULT_SET, help="labelled YAML set")
    parser.add_argument("--show-misses", type=int, default=10, metavar="N", help="how many misses to print")
    args = parser.parse_args()

    setup_django()
    entries = load_set(args.path)
    results = [score_entry(entry) for entry in entries]
    vague = [r for r in results if r.entry.label == "vague"]
    specific = [r for r in results if r.entry.label == "specific"]
    vague_accepted = sum(r.accepted for r in vague)
    specific_rejected = sum(not r.accepted for r in specific)
    correct = sum(1 for r in results if not r.miss)

    print(f"Offline answer checker on {args.path.relative_to(ROOT) if args.path.is_relative_to(ROOT) else args.path}")
    print(
        f"{len(results)} answers: {len(vague)} vague, {len(specific)} specific; accuracy {rate(correct, len(results))}"
    )
    print("\nConfusion matrix        accepted   rejected")
    print(f"  labelled vague        {vague_accepted:>8}   {len(vague) - vague_accepted:>8}")
    print(f"  labelled specific     {len(specific) - specific_rejected:>8}   {specific_rejected:>8}")
    vague_ok = not vague or vague_accepted / len(vague) <= MAX_VAGUE_ACCEPTED
    specific_ok = not specific or specific_rejected / len(specific) <= MAX_SPECIFIC_REJECTED
    print(
        f"\nvague accepted:    {rate(vague_accepted, len(vague))}  "
        f"(target ≤ {MAX_VAGUE_ACCEPTED:.0%}) {'ok' if vague_ok else 'MISSED'}"
    )
    print(
        f"specific rejected: {rate(specific_rejected, len(specific))}  "
        f"(target ≤ {MAX_SPECIFIC_REJECTED:.0%}) {'ok' if specific_ok else 'MISSED'}"
    )
    breakdown("stage", results, lambda r: f"stage {r.entry.question_id[1]}")
    breakdown("category", results, lambda r: r.entry.category)
    breakdown("domain", results, lambda r: r.entry.domain)
    if args.show_misses:
        show_misses(results, args.show_misses)
    return 0 if vague_ok and specific_ok else 1


if __name__ == "__main__":
    sys.exit(main())
