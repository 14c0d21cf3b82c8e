"""The permissions matrix: every session- or run-scoped URL × every role × each of its methods, generated from the
URL patterns. What each role may do is written out here, independently of the code's own table: a new scoped URL
missing from ``EXPECTED`` fails the first test, and a URL whose guard asks for the wrong capability fails the
second (a 403 where the role may act, or anything but a 403 naming the role where it may not); a stranger gets 404
on every one."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from sessions_app.models import MemberRole, Membership, RunKind, StageRun
from tests.conftest import bearer_client
from tests.sessions_app.factories import make_session

# Who may: R read (everyone), C comment (owner, editor, reviewer), E edit (owner, editor), S sign off (reviewer),
# M manage the team (owner).
ALLOWED = {
    "R": {"owner", "editor", "reviewer", "viewer"},
    "C": {"owner", "editor", "reviewer"},
    "E": {"owner", "editor"},
    "S": {"reviewer"},
    "M": {"owner"},
}
EXPECTED: dict[str, dict[str, str]] = {
    "sessions:detail": {"GET": "R"},
    "sessions:rename": {"POST": "E"},
    "sessions:delete": {"GET": "M", "POST": "M"},
    "sessions:stage": {"GET": "R"},
    "sessions:answer_submit": {"POST": "E"},
    "sessions:stage_complete": {"POST": "E"},
    "sessions:answers_group_submit": {"POST": "E"},
    "sessions:item_remove": {"POST": "E"},
    "sessions:next_unanswered": {"GET": "R"},
    "sessions:adapted_example": {"POST": "E"},
    "sessions:concern_acknowledge": {"POST": "E"},
    "sessions:checkpoint_restore": {"GET": "R", "POST": "E"},
    "sessions:stages_recheck": {"POST": "E"},
    "sessions:run_status": {"GET": "R"},
    "sessions:run_cancel": {"POST": "E"},
    "sessions:run_retry": {"POST": "E"},
    "charter:page": {"GET": "R"},
    "charter:generate": {"POST": "E"},
    "charter:sign_off": {"POST": "S"},
    "charter:consistency": {"POST": "E"},
    "charter:run_status": {"GET": "R"},
    "charter:run_cancel": {"POST": "E"},
    "charter:run_retry": {"POST": "E"},
    "charter:acknowledge": {"POST": "E"},
    "charter:download": {"GET": "R"},
    "team:members": {"GET": "R"},
    "team:member_add": {"POST": "M"},
    "team:member_update": {"POST": "M"},
    "team:invitation_revoke": {"POST": "M"},
    "team:activity": {"GET": "R"},
    "comments:panel": {"GET": "R"},
    "comments:start": {"POST": "C"},
    "comments:reply": {"POST": "C"},
    "comments:resolve": {"POST": "C"},
    "comments:reopen": {"POST": "C"},
    "api:charter-download": {"GET": "R"},
    "api:charter": {"GET": "R", "POST": "E"},
    "api:charter-versions": {"GET": "R"},
    "api:charter-signoffs": {"GET": "R", "POST": "S"},
    "api:consistency": {"GET": "R", "POST": "E"},
    "api:finding-acknowledge": {"POST": "E"},
    "api:session-usage": {"GET": "R"},
    "api:session-detail": {"GET": "R", "PATCH": "E", "DELETE": "M"},
    "api:stage-list": {"GET": "R"},
    "api:stage-detail": {"GET": "R"},
    "api:answer-submit": {"POST": "E"},
    "api:answer-batch": {"POST": "E"},
    "api:group-item": {"DELETE": "E"},
    "api:stage-complete": {"POST": "E"},
    "api:adapted-example": {"GET": "R", "POST": "E"},
    "api:concern-acknowledge": {"POST": "E"},
    "api:stages-recheck": {"POST": "E"},
    "api:checkpoint-list": {"GET": "R"},
    "api:checkpoint-restore": {"POST": "E"},
    "api:run-detail": {"GET": "R"},
    "api:run-cancel": {"POST": "E"},
    "api:run-retry": {"POST": "E"},
    "api:members": {"GET": "R", "POST": "M"},
    "api:member-detail": {"PATCH": "M"},
    "api:invitations": {"GET": "M"},
    "api:invitation-detail": {"DELETE": "M"},
    "api:activity": {"GET": "R"},
    "api:comment-threads": {"GET": "R", "POST": "C"},
    "api:comment-replies": {"POST": "C"},
    "api:comment-thread-state": {"POST": "C"},
}
# Checked on their own below: a member may remove only themselves unless they manage the team.
SELF_OR_MANAGER = {"team:member_remove": "POST", "api:member-detail": "DELETE"}
SAMPLE_VALUES = {
    "stage_number": "1",
    "key": "some-key",
    "fmt": "md",
    "group_key": "kpis",
    "item": "0",
    "question_id": "S1Q1",
    "action": "resolve",
}
ROLES = ("viewer", "reviewer", "editor", "owner")  # the owner last: it may delete the session


def _walk(
    patterns: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    for entry in patterns:
        regex = prefix + entry.pattern.regex.pattern.lstrip("^").rstrip("$").replace(r"\Z", "")
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace])) if entry.namespace else namespace
            yield from _walk(entry.url_patterns, regex, inner)
        else:
            yield regex, f"{namespace}:{entry.name}", entry


def scoped_urls() -> list[tuple[str, str]]:
    """(name, regex) of every URL with a session or run in it."""
    return [
        (name, regex)
        for regex, name, _ in _walk(get_resolver().url_patterns)
        if "session_id" in regex or "run_id" in regex
    ]


def _url(regex: str, values: dict[str, str]) -> str:
    return "/" + re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], regex).replace("\\.", ".")


def test_every_scoped_url_is_in_the_matrix():
    names = {name for name, _ in scoped_urls()}
    assert len(names) >= 55
    missing = sorted(names - set(EXPECTED) - set(SELF_OR_MANAGER))
    assert missing == [], f"add these URLs to the permissions matrix: {missing}"
    assert sorted(set(EXPECTED) - names) == []  # no stale rows either


@pytest.fixture
def team(make_user):
    """A session with one member of every role, and a run in it."""
    owner = make_user(email="owner@example.com", name="Olive Owner")
    session = make_session(owner, project_name="Permit triage")
    users = {"owner": owner}
    for role in ("editor", "reviewer", "viewer"):
        users[role] = make_user(email=f"{role}@example.com", name=role.title())
        Membership.objects.create(session=session, user=users[role], role=role)
    run = StageRun.objects.create(session=session, owner=owner, kind=RunKind.CHARTER, status="failed")
    return session, run, users


def _call(client_for, user, method: str, url: str):
    client = client_for(user, api=url.startswith("/api/"))
    return getattr(client, method.lower())(url)


@pytest.fixture
def client_for(client):
    made = {}

    def get(user, *, api: bool):
        if api:
            return made.setdefault(user.pk, bearer_client(user))
        client.force_login(user)
        return client

    return get


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_role_gets_what_the_matrix_says(name, team, client_for):
    session, run, users = team
    regex = dict(scoped_urls())[name]
    values = {
        **SAMPLE_VALUES,
        "session_id": str(session.pk),
        "run_id": str(run.pk),
        "checkpoint_id": str(uuid.uuid4()),
        "invitation_id": str(uuid.uuid4()),
        "user_id": str(users["viewer"].pk),
        "thread_id": str(uuid.uuid4()),
    }
    url = _url(regex, values)
    for role in ROLES:
        for method, letter in EXPECTED[name].items():
            response = _call(client_for, users[role], method, url)
            if role in ALLOWED[letter]:
                # The guard let it through; the handler may still find the sample ids unknown (404) or the body
                # empty (400) — the stranger test below shows the guard's own 404.
                assert response.status_code != 403, (role, method, url, response.status_code)
            else:
                assert response.status_code == 403, (role, method, url, response.status_code)
                needed = sorted(ALLOWED[letter])
                text = response.content.decode()
                assert all(MemberRole(r).label.lower() in text for r in needed), (role, method, url, text[:300])


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SELF_OR_MANAGER))
def test_a_member_may_remove_only_themselves_unless_owner(name, team, client_for):
    session, _, users = team
    method = SELF_OR_MANAGER[name]
    regex = dict(scoped_urls())[name]
    for role in ("viewer", "reviewer", "editor"):
        others = _url(regex, {"session_id": str(session.pk), "user_id": str(users["owner"].pk)})
        assert _call(client_for, users[role], method, others).status_code == 403
    # The owner removes the viewer; the reviewer leaves on their own.
    viewer = _url(regex, {"session_id": str(session.pk), "user_id": str(users["viewer"].pk)})
    assert _call(client_for, users["owner"], method, viewer).status_code in (204, 302)
    reviewer = _url(regex, {"session_id": str(session.pk), "user_id": str(users["reviewer"].pk)})
    assert _call(client_for, users["reviewer"], method, reviewer).status_code in (204, 302)
    assert set(Membership.objects.filter(session=session).values_list("role", flat=True)) == {"owner", "editor"}


@pytest.mark.django_db
def test_not_a_member_gets_404_everywhere(team, make_user, client_for):
    session, run, users = team
    stranger = make_user(email="stranger@example.com", name="Stranger")
    values = {
        **SAMPLE_VALUES,
        "session_id": str(session.pk),
        "run_id": str(run.pk),
        "checkpoint_id": str(uuid.uuid4()),
        "invitation_id": str(uuid.uuid4()),
        "user_id": str(users["viewer"].pk),
        "thread_id": str(uuid.uuid4()),
    }
    for name, regex in scoped_urls():
        url = _url(regex, values)
        for method in {*EXPECTED.get(name, {}), SELF_OR_MANAGER.get(name, "GET")}:
            response = _call(client_for, stranger, method, url)
            assert response.status_code == 404, (name, method, url, response.status_code)
