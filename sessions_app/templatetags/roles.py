"""``{% load roles %}`` ``{% if session|can:"edit" %}``: what the acting member's role allows, for the pages."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

from sessions_app.models import MemberRole, ScopingSession
from sessions_app.roles import Capability
from sessions_app.roles import can as role_can

register = template.Library()


@register.filter
def can(session: ScopingSession, capability: str) -> bool:
    return role_can(getattr(session, "role", ""), Capability(capability))


@register.filter
def get_count(counts: dict[str, int] | None, key: str) -> int:
    """``{{ comment_counts|get_count:"S1Q2" }}``: an unresolved-comment count, 0 when there is none."""
    return int((counts or {}).get(key, 0))


@register.filter
def stage_count(counts: dict[str, int] | None, stage: int) -> int:
    """``{{ comment_counts|stage_count:2 }}``: unresolved comment threads on the answers of stage 2."""
    return int((counts or {}).get(f"stage:{stage}", 0))


@register.filter
def role_label(session: ScopingSession) -> str:
    """The acting member's role in words, lower case: "reviewer"."""
    role = getattr(session, "role", "")
    return MemberRole(role).label.lower() if role in MemberRole.values else ""


@register.filter
def ago(moment: datetime | None) -> str:
    """ "just now", "5 minutes ago", "2 hours ago": how long since ``moment``, for people."""
    if moment is None:
        return ""
    if timezone.now() - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment).split(',')[0]} ago"


@register.filter
def a_person(label: str) -> str:
    """A team function as it reads after "answered by": 'a product manager', 'an ethics / risk officer',
    'an ML engineer' (an acronym keeps its capitals and is read letter by letter)."""
    first = label.split(" ", 1)[0]
    if first.isupper():
        article = "an" if first[:1] in "AEFHILMNORSX" else "a"
        return f"{article} {label}"
    lowered = label[:1].lower() + label[1:]
    return f"{'an' if lowered[:1] in 'aeiou' else 'a'} {lowered}"


@register.filter
def answer_count(counts: dict[str, int] | None, block: Any) -> int:
    """``{{ comment_counts|answer_count:b }}``: unresolved threads on one answer (``S1Q2``, ``S2Q1#1``)."""
    key = f"{block.question.id}#{block.item}" if block.item else block.question.id
    return int((counts or {}).get(key, 0))
