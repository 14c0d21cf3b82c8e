"""Offline ``adapted_example``: no model can rewrite the example, so pick the bank's example whose domain is
closest to the project, deterministically (keyword hits in the project's name and description; ties and no hits
go to the bank's first example)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from llm.schemas import AdaptedExample

# Words that suggest a project's domain. Matched as word prefixes ("hospital" matches "hospitals").
DOMAIN_KEYWORDS: Mapping[str, tuple[str, ...]] = {
    "telecom": ("telecom", "broadband", "subscriber", "mobile", "fibre", "fiber", "isp", "churn", "network operator"),
    "healthcare": (
        "hospital",
        "patient",
        "clinic",
        "clinical",
        "health",
        "nurse",
        "ward",
        "medical",
        "care home",
        "diagnos",
        "readmission",
        "triage",
        "gp",
        "physician",
        "nhs",
        "pharma",
    ),
    "public_sector": (
        "council",
        "municipal",
        "government",
        "ministry",
        "agency",
        "public",
        "citizen",
        "tenant",
        "housing",
        "benefit",
        "tax",
        "city",
        "police",
        "court",
    ),
    "retail": (
        "retail",
        "store",
        "shop",
        "e-commerce",
        "ecommerce",
        "online shop",
        "basket",
        "supermarket",
        "grocery",
        "merchandis",
        "product",
        "sku",
        "shopper",
        "fashion",
    ),
    "manufacturing": (
        "manufactur",
        "factory",
        "plant",
        "machine",
        "production line",
        "assembly",
        "defect",
        "maintenance",
        "weld",
        "cnc",
        "sensor",
        "equipment",
    ),
    "finance": (
        "bank",
        "loan",
        "credit",
        "fraud",
        "payment",
        "card",
        "transaction",
        "lending",
        "mortgage",
        "trading",
        "anti-money",
        "aml",
    ),
    "insurance": ("insur", "claim", "underwrit", "policyholder", "premium", "actuar"),
    "logistics": (
        "logistic",
        "delivery",
        "deliveries",
        "parcel",
        "fleet",
        "warehouse",
        "shipment",
        "freight",
        "route",
        "courier",
        "supply chain",
        "truck",
    ),
    "energy": (
        "energy",
        "electricity",
        "grid",
        "utility",
        "utilities",
        "power",
        "substation",
        "meter",
        "solar",
        "wind",
        "gas",
        "water network",
        "load forecast",
    ),
    "education": (
        "school",
        "student",
        "university",
        "college",
        "course",
        "teacher",
        "tutor",
        "pupil",
        "learning",
        "enrol",
        "dropout",
        "education",
    ),
}


def _hits(project: str, keywords: tuple[str, ...]) -> int:
    return sum(len(re.findall(rf"\b{re.escape(word)}", project)) for word in keywords)


def closest_example(project: str, examples: list[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The example whose domain's keywords occur most often in ``project``; the first one when none match."""
    text = project.lower()
    best, best_hits = examples[0], 0
    for example in examples:
        hits = _hits(text, DOMAIN_KEYWORDS.get(str(example.get("domain", "")), ()))
        if hits > best_hits:
            best, best_hits = example, hits
    return best


def adapted_example_from_context(context: Mapping[str, Any], last_user_message: str) -> AdaptedExample:
    """The handler: ``examples`` ([{domain, text}], the bank's order) and ``project`` (name and description)."""
    examples = list(context.get("examples") or [])
    if not examples or not all(isinstance(example, Mapping) and example.get("text") for example in examples):
        raise ValueError("adapted_example needs the question's examples in the context.")
    chosen = closest_example(str(context.get("project", "")), examples)
    return AdaptedExample(example=str(chosen["text"]), domain=str(chosen.get("domain", "")))
