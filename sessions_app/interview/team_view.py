"""The stage page's team side: who is expected to answer each group (by the members' team functions), the
"My questions" filter, and the unresolved comments per stage for the stage strip."""

from __future__ import annotations

from typing import Any

from accounts.models import ActingUser
from sessions_app.comments.selectors import unresolved_counts
from sessions_app.interview.presenter import GroupView
from sessions_app.models import ScopingSession, TeamFunction
from sessions_app.team.selectors import members_list


def team_view(session: ScopingSession, user: ActingUser, groups: list[GroupView], *, mine: bool) -> dict[str, Any]:
    members = members_list(session=session)
    by_function: dict[str, list[str]] = {}
    for member in members:
        if member.function:
            by_function.setdefault(member.function, []).append(member.user.get_full_name())
    for group in groups:
        group.expected = by_function.get(group.function, [])
    me = next((m for m in members if m.user_id == user.pk), None)
    my_function = me.function if me else ""
    shown = [g for g in groups if g.function == my_function] if mine and my_function else groups
    return {
        "groups": shown,
        "all_groups_count": len(groups),
        "mine": mine,
        "my_function": my_function,
        "my_function_label": TeamFunction(my_function).label if my_function else "",
        "comment_counts": unresolved_counts(session=session),
        "team_size": len(members),
    }
