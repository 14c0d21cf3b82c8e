"""The team around a session (issue 15): members and invitations, the activity log's chain, concurrent edits,
comments and sign-offs, through the API and the services the pages call."""

from __future__ import annotations

import re

import pytest
from django.core import mail, signing
from django.core.management import CommandError, call_command

from sessions_app.activity.selectors import chain_breaks
from sessions_app.charter.rendering import to_markdown
from sessions_app.charter.selectors import charter_content
from sessions_app.comments.services import thread_start
from sessions_app.interview.question_bank.loader import get_bank
from sessions_app.models import (
    ActivityEntry,
    Charter,
    Invitation,
    MemberRole,
    Membership,
    StageRun,
    TeamFunction,
)
from sessions_app.templatetags.roles import a_person
from tests.conftest import bearer_client
from tests.helpers import HTMX, find_all, html_of, text_of
from tests.sessions_app.factories import make_session
from tests.sessions_app.interview_helpers import complete_interview

pytestmark = pytest.mark.django_db

TEXT = "Cut the time a planning officer spends triaging minor householder applications by a third this year."


def members_url(session, user_id=None) -> str:
    base = f"/api/v1/sessions/{session.id}/members"
    return f"{base}/{user_id}" if user_id else base


@pytest.fixture
def team(user, make_user):
    session = make_session(user, project_name="Planning triage")
    people = {"owner": user}
    for role in ("editor", "reviewer", "viewer"):
        people[role] = make_user(email=f"{role}@example.com", name=role.title())
        Membership.objects.create(session=session, user=people[role], role=role)
    return session, people


# --- Members and invitations -------------------------------------------------------------------------------------


def test_an_existing_account_joins_at_once_and_sees_the_session_with_its_role(api, user, make_user):
    session = make_session(user)
    dana = make_user(email="dana@example.com", name="Dana")
    response = api.post(members_url(session), {"email": "DANA@example.com", "role": "editor"}, format="json")
    assert response.status_code == 201
    assert response.json()["role"] == "editor" and response.json()["email"] == "dana@example.com"
    dana_api = bearer_client(dana)
    listed = dana_api.get("/api/v1/sessions").json()["results"]
    assert [(s["session_id"], s["role"]) for s in listed] == [(str(session.id), "editor")]
    assert dana_api.get(f"/api/v1/sessions/{session.id}").json()["role"] == "editor"
    assert api.get(f"/api/v1/sessions/{session.id}").json()["role"] == "owner"
    again = api.post(members_url(session), {"email": "dana@example.com", "role": "viewer"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_member"


def test_an_unknown_address_gets_a_signed_link_that_joins_on_registering(api, user, client, run_tasks):
    session = make_session(user, project_name="Flood warnings")
    response = run_tasks(
        api.post,
        members_url(session),
        {"email": "kim@example.org", "role": "reviewer", "function": "ml_engineer"},
        format="json",
    )
    assert response.status_code == 202
    assert response.json()["email"] == "kim@example.org" and response.json()["role"] == "reviewer"
    assert [i["email"] for i in api.get(f"/api/v1/sessions/{session.id}/invitations").json()["results"]] == [
        "kim@example.org"
    ]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["kim@example.org"]
    link = re.search(r"http://testserver(/sessions/invitations/[^/\s]+/)", mail.outbox[0].body).group(1)
    page = client.get(link)
    assert page.status_code == 200 and "Flood warnings" in page.content.decode()
    joined = client.post(
        link,
        {
            "email": "someone-else@example.org",
            "name": "Kim",
            "password": "a long pass phrase",
            "password_confirm": "a long pass phrase",
        },
    )
    assert joined.status_code == 302, joined.content.decode()[:500]
    membership = Membership.objects.get(session=session, user__email="kim@example.org")  # the invited address
    assert (membership.role, membership.function) == ("reviewer", "ml_engineer")
    assert client.get(link).status_code == 400  # spent
    assert api.get(f"/api/v1/sessions/{session.id}/invitations").json()["results"] == []


def test_an_invitation_is_refused_when_expired_revoked_or_for_another_address(api, user, make_user, monkeypatch):
    session = make_session(user)
    body = api.post(members_url(session), {"email": "lee@example.org", "role": "viewer"}, format="json").json()
    invitation = Invitation.objects.get(pk=body["invitation_id"])
    from sessions_app.team.services import invitation_token

    token = invitation_token(invitation)
    other = bearer_client(make_user(email="not-lee@example.org"))
    wrong = other.post("/api/v1/invitations/accept", {"token": token}, format="json")
    assert wrong.status_code == 400 and "lee@example.org" in wrong.json()["detail"]
    later = signing.time.time() + 8 * 86400
    monkeypatch.setattr(signing.time, "time", lambda: later)
    lee = bearer_client(make_user(email="lee@example.org"))
    expired = lee.post("/api/v1/invitations/accept", {"token": token}, format="json")
    assert expired.status_code == 400 and "expired" in expired.json()["detail"]
    monkeypatch.undo()
    assert api.delete(f"/api/v1/sessions/{session.id}/invitations/{invitation.pk}").status_code == 204
    revoked = lee.post("/api/v1/invitations/accept", {"token": token}, format="json")
    assert revoked.status_code == 400 and "withdrawn" in revoked.json()["detail"]
    assert lee.post("/api/v1/invitations/accept", {"token": "forged"}, format="json").status_code == 400


def test_owner_transfer_leaving_and_removing(team):
    session, people = team
    owner_api, editor_api = bearer_client(people["owner"]), bearer_client(people["editor"])
    assert owner_api.delete(members_url(session, people["owner"].pk)).json()["code"] == "owner_cannot_leave"
    moved = owner_api.patch(members_url(session, people["editor"].pk), {"role": "owner"}, format="json")
    assert moved.status_code == 200 and moved.json()["role"] == "owner"
    session.refresh_from_db()
    assert session.owner_id == people["editor"].pk
    roles = dict(Membership.objects.filter(session=session).values_list("user__email", "role"))
    assert roles["owner@example.com"] == "editor" and roles["editor@example.com"] == "owner"
    # The old owner is an editor now: managing the team is refused, leaving is allowed.
    refused = owner_api.patch(members_url(session, people["viewer"].pk), {"role": "editor"}, format="json")
    assert refused.status_code == 403 and refused.json()["required_roles"] == ["owner"]
    assert owner_api.delete(members_url(session, people["owner"].pk)).status_code == 204
    assert owner_api.get(f"/api/v1/sessions/{session.id}").status_code == 404  # not a member any more
    assert editor_api.delete(members_url(session, people["viewer"].pk)).status_code == 204
    assert set(Membership.objects.filter(session=session).values_list("role", flat=True)) == {"owner", "reviewer"}


def test_an_unknown_member_invitation_or_thread_is_not_found(team, make_user):
    session, people = team
    owner_api = bearer_client(people["owner"])
    stranger = make_user(email="stranger@example.com")
    base = f"/api/v1/sessions/{session.id}"
    unknown = "00000000-0000-4000-8000-000000000000"
    calls = [
        owner_api.patch(members_url(session, stranger.pk), {"role": "editor"}, format="json"),
        owner_api.delete(members_url(session, stranger.pk)),
        owner_api.delete(f"{base}/invitations/{unknown}"),
        owner_api.post(f"{base}/comments/{unknown}/replies", {"body": "Anyone?"}, format="json"),
    ]
    assert [(r.status_code, r.json()["code"]) for r in calls] == [(404, "not_found")] * 4


def test_a_reviewer_is_refused_with_the_role_named(team):
    session, people = team
    reviewer = bearer_client(people["reviewer"])
    response = reviewer.post(
        f"/api/v1/sessions/{session.id}/stages/1/answers", {"question_id": "S1Q1", "answer": TEXT}, format="json"
    )
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "role_required" and body["role"] == "reviewer"
    assert body["required_roles"] == ["owner", "editor"] and "editor" in body["detail"]


# --- Activity log ---------------------------------------------------------------------------------------------------


def test_every_change_is_logged_with_its_actor_and_the_chain_verifies(team, capsys):
    session, people = team
    editor = bearer_client(people["editor"])
    assert editor.post(
        f"/api/v1/sessions/{session.id}/stages/1/answers", {"question_id": "S1Q2", "answer": TEXT}, format="json"
    ).status_code in (201, 202)
    bearer_client(people["owner"]).patch(
        f"/api/v1/sessions/{session.id}", {"project_name": "Planning triage v2"}, format="json"
    )
    entries = bearer_client(people["viewer"]).get(f"/api/v1/sessions/{session.id}/activity").json()
    kinds = [(e["kind"], e["actor_email"]) for e in entries["results"]]
    assert kinds[:2] == [("session_updated", "owner@example.com"), ("answer_saved", "editor@example.com")]
    assert kinds[-1] == ("session_created", "owner@example.com")
    assert [e["seq"] for e in entries["results"]] == sorted((e["seq"] for e in entries["results"]), reverse=True)
    only_editor = (
        bearer_client(people["viewer"])
        .get(f"/api/v1/sessions/{session.id}/activity", {"actor": str(people["editor"].pk)})
        .json()
    )
    assert {e["kind"] for e in only_editor["results"]} == {"answer_saved"}
    call_command("verify_activity_log")
    assert "every link intact" in capsys.readouterr().out


def test_tampering_shows_as_the_first_broken_link(team):
    session, people = team
    for n in range(3):
        bearer_client(people["owner"]).patch(f"/api/v1/sessions/{session.id}", {"description": f"v{n}"}, format="json")
    entries = list(ActivityEntry.objects.filter(session=session).order_by("seq"))
    assert list(chain_breaks()) == []
    ActivityEntry.objects.filter(pk=entries[1].pk).update(summary="Nothing happened")
    broken = list(chain_breaks())
    assert [(b.session_id, b.seq) for b in broken] == [(str(session.pk), entries[1].seq)]
    with pytest.raises(CommandError, match="broken in 1 session"):
        call_command("verify_activity_log")
    ActivityEntry.objects.filter(pk=entries[1].pk).delete()
    assert "missing" in next(iter(chain_breaks())).reason


# --- Two members, one answer ------------------------------------------------------------------------------------------


def test_the_later_save_over_another_members_newer_answer_is_refused_with_theirs(team):
    session, people = team
    owner, editor = bearer_client(people["owner"]), bearer_client(people["editor"])
    url = f"/api/v1/sessions/{session.id}/stages/1/answers"
    first = owner.post(url, {"question_id": "S1Q12", "answer": ["Walk-in queries"], "version": 0}, format="json")
    assert first.status_code == 201, first.json()
    seen = first.json()["answer"]["version"]
    assert first.json()["answer"]["answered_by"]["name"] == "Owner"
    theirs = editor.post(url, {"question_id": "S1Q12", "answer": ["Listed buildings"], "version": seen}, format="json")
    assert theirs.status_code == 201
    mine = owner.post(url, {"question_id": "S1Q12", "answer": ["Late owner edit"], "version": seen}, format="json")
    assert mine.status_code == 409
    body = mine.json()
    assert body["code"] == "answer_changed" and body["current"]["value"] == {"value": ["Listed buildings"]}
    assert body["current"]["answered_by"] == {"user_id": str(people["editor"].pk), "name": "Editor"}
    # The writer's own newer save (another tab) is no conflict; having seen theirs, the owner saves over it.
    again = owner.post(
        url, {"question_id": "S1Q12", "answer": ["Owner edit"], "version": body["current"]["version"]}, format="json"
    )
    assert again.status_code == 201
    # An older version from the owner's other tab: the newest answer is the owner's own, so it goes through.
    own_tab = owner.post(url, {"question_id": "S1Q12", "answer": ["Owner, tab 2"], "version": seen}, format="json")
    assert own_tab.status_code == 201


def test_two_members_can_each_have_a_check_running(team):
    session, people = team
    url = f"/api/v1/sessions/{session.id}/stages/1/answers"
    assert (
        bearer_client(people["owner"]).post(url, {"question_id": "S1Q1", "answer": TEXT}, format="json").status_code
        == 202
    )
    assert (
        bearer_client(people["editor"]).post(url, {"question_id": "S1Q2", "answer": TEXT}, format="json").status_code
        == 202
    )
    assert StageRun.objects.filter(session=session, status="queued").count() == 2


# --- Comments ---------------------------------------------------------------------------------------------------------


def test_comment_threads_resolve_and_reopen(team):
    session, people = team
    reviewer, viewer = bearer_client(people["reviewer"]), bearer_client(people["viewer"])
    base = f"/api/v1/sessions/{session.id}/comments"
    started = reviewer.post(
        base, {"target_kind": "answer", "target": "S2Q1#1", "body": "<b>Which</b> baseline?"}, format="json"
    )
    assert started.status_code == 201
    thread = started.json()
    assert thread["target"] == "S2Q1#1" and thread["comments"][0]["body"] == "<b>Which</b> baseline?"
    assert (
        viewer.post(base, {"target_kind": "answer", "target": "S1Q1", "body": "Hi"}, format="json").status_code == 403
    )
    bad = reviewer.post(base, {"target_kind": "charter_section", "target": "nope", "body": "x"}, format="json")
    assert bad.status_code == 400
    resolved = reviewer.post(f"{base}/{thread['thread_id']}/resolve").json()
    assert resolved["resolved"] is True and resolved["resolved_by"]["name"] == "Reviewer"
    assert viewer.get(base, {"status": "open"}).json()["results"] == []
    reply = bearer_client(people["editor"]).post(
        f"{base}/{thread['thread_id']}/replies", {"body": "Q3 2025"}, format="json"
    )
    assert reply.status_code == 201
    assert [t["resolved"] for t in viewer.get(base).json()["results"]] == [False]  # a reply reopens it
    page = bearer_client(people["owner"])  # the page escapes what was written
    from django.test import Client

    web = Client()
    web.force_login(people["viewer"])
    panel = web.get(f"/sessions/{session.id}/comments/", {"target_kind": "answer", "target": "S2Q1#1"}).content.decode()
    assert "&lt;b&gt;Which&lt;/b&gt; baseline?" in panel and "<b>Which</b>" not in panel
    assert page.get(base, {"target": "S2Q1#1"}).json()["results"][0]["comments"][1]["body"] == "Q3 2025"


def test_without_javascript_the_comments_are_a_page_of_their_own(team, client):
    session, people = team
    client.force_login(people["reviewer"])
    url = f"/sessions/{session.id}/comments/"
    stage_1 = client.get(f"/sessions/{session.id}/stages/1/").content.decode()
    assert f'href="{url}?target_kind=answer&amp;target=S1Q1">Open the comments</a>' in stage_1  # the fallback link

    page = client.get(url, {"target_kind": "answer", "target": "S2Q1#1"})
    assert page.status_code == 200
    root = html_of(page)
    (heading,) = find_all(root, "h1")
    assert text_of(heading).startswith("Comments on the answer to “") and text_of(heading).endswith("” (#2)")
    assert f'href="/sessions/{session.id}/stages/2/#S2Q1-1"' in page.content.decode()  # back to that answer

    own_url = f"{url}?target_kind=answer&target=S2Q1%231"
    posted = client.post(
        f"{url}new/", {"target_kind": "answer", "target": "S2Q1#1", "body": "Which year?", "next": own_url}
    )
    assert posted.status_code == 302 and posted["Location"] == own_url
    assert "Which year?" in client.get(own_url).content.decode()

    section = client.get(url, {"target_kind": "charter_section", "target": "ethical_review"})
    assert f'href="/sessions/{session.id}/charter/#ethical-review"' in section.content.decode()


def test_comments_of_an_unknown_target_are_a_plain_400(team, client):
    session, people = team
    client.force_login(people["viewer"])
    url = f"/sessions/{session.id}/comments/"
    page = client.get(url, {"target_kind": "answer", "target": "S9Q9"})
    assert page.status_code == 400 and "is not a question" in text_of(html_of(page))
    assert f'href="/sessions/{session.id}/"' in page.content.decode()  # a way back
    panel = client.get(url, {"target_kind": "charter_section", "target": "nope"}, **HTMX)
    assert panel.status_code == 400 and "The charter has no section" in panel.content.decode()
    assert "New comment" not in panel.content.decode()


# --- Sign-offs --------------------------------------------------------------------------------------------------------


@pytest.fixture
def signed_team(team, run_tasks):
    session, people = team
    complete_interview(session)
    response = run_tasks(bearer_client(people["editor"]).post, f"/api/v1/sessions/{session.id}/charter")
    assert response.status_code == 202
    return session, people


def test_a_committee_submission_needs_two_reviewers_sign_offs(signed_team, make_user, run_tasks, client):
    session, people = signed_team
    url = f"/api/v1/sessions/{session.id}/charter/signoffs"
    charter = Charter.objects.get(session=session)
    assert charter.decision == "submit_to_committee"
    second = make_user(email="second@example.com", name="Sam Second")
    Membership.objects.create(session=session, user=second, role=MemberRole.REVIEWER)
    owner_try = bearer_client(people["owner"]).post(url, {"comment": "I approve my own work."}, format="json")
    assert owner_try.status_code == 403 and owner_try.json()["required_roles"] == ["reviewer"]
    reviewer = bearer_client(people["reviewer"])
    assert reviewer.post(url, {"comment": "short"}, format="json").status_code == 400
    one = reviewer.post(url, {"comment": "Risks and mitigations checked."}, format="json").json()
    assert (len(one["signoffs"]), one["required"], one["approved"]) == (1, 2, False)
    session_url = f"/api/v1/sessions/{session.id}"
    assert reviewer.get(session_url).json()["approved_at"] is None
    assert reviewer.post(url, {"comment": "Once more with feeling."}, format="json").json()["code"] == "already_signed"
    two = bearer_client(second).post(url, {"comment": "KPIs and data sources checked."}, format="json").json()
    assert two["approved"] is True and two["approved_at"]
    assert reviewer.get(session_url).json()["approved_at"] is not None  # the session is marked approved
    markdown = bearer_client(people["viewer"]).get(f"/api/v1/sessions/{session.id}/charter.md").content.decode()
    assert "Sam Second" in markdown and "Approved: 2 of 2 sign-offs." in markdown
    client.force_login(people["viewer"])
    assert 'class="badge badge-approved"' in client.get("/sessions/").content.decode()
    run_tasks(bearer_client(people["editor"]).post, f"/api/v1/sessions/{session.id}/charter")
    assert reviewer.get(session_url).json()["approved_at"] is None  # a new version needs new sign-offs


def test_halt_cannot_be_approved_and_a_new_version_starts_unsigned(signed_team, run_tasks):
    session, people = signed_team
    url = f"/api/v1/sessions/{session.id}/charter/signoffs"
    reviewer = bearer_client(people["reviewer"])
    assert reviewer.post(url, {"comment": "Risks and mitigations checked."}, format="json").status_code == 201
    run_tasks(bearer_client(people["editor"]).post, f"/api/v1/sessions/{session.id}/charter")
    latest = reviewer.get(url).json()
    assert latest["version"] == 2 and latest["signoffs"] == []
    old = reviewer.post(url, {"comment": "Signing the old one.", "version": 1}, format="json")
    assert old.status_code == 409 and old.json()["code"] == "version_superseded"
    unsigned = to_markdown(charter_content(Charter.objects.get(session=session, version=2)))
    assert "0 of 2 sign-offs so far; not yet approved." in unsigned and "**Approver:**" not in unsigned
    Charter.objects.filter(session=session, version=2).update(decision="halt")
    halted_text = to_markdown(charter_content(Charter.objects.get(session=session, version=2)))
    assert "This decision cannot be approved" in halted_text
    halted = reviewer.post(url, {"comment": "Risks and mitigations checked."}, format="json")
    assert halted.status_code == 409 and halted.json()["code"] == "halt_not_approvable"
    assert reviewer.get(url).json()["approvable"] is False


# --- Functions in the bank --------------------------------------------------------------------------------------------


def test_every_group_names_a_team_function():
    functions = {group.function.value for stage in get_bank().stages for group in stage.groups}
    assert functions <= set(TeamFunction.values) and functions == set(TeamFunction.values)


def test_my_questions_shows_the_groups_of_my_function(team, client):
    session, people = team
    Membership.objects.filter(session=session, user=people["editor"]).update(function="data_science_lead")
    client.force_login(people["editor"])
    everything = client.get(f"/sessions/{session.id}/stages/1/").content.decode()
    assert "Usually answered by the data-science lead: Editor." in everything
    mine = client.get(f"/sessions/{session.id}/stages/1/", {"mine": "1"}).content.decode()
    assert 'id="group-ai_suitability"' in mine and 'id="group-core_objective"' not in mine
    assert "Showing the 2 of 4 groups" in mine


def test_the_page_keeps_my_text_and_shows_theirs_when_another_member_saved_first(team, client):
    session, people = team
    url = f"/sessions/{session.id}/stages/1/answers/"
    client.force_login(people["owner"])
    client.post(url, {"question_id": "S1Q12", "item": "0", "answer": "Walk-in queries", "version": "0"})
    seen = session.answers.get(question_id="S1Q12").pk
    client.force_login(people["editor"])
    client.post(url, {"question_id": "S1Q12", "item": "0", "answer": "Listed buildings", "version": str(seen)})
    client.force_login(people["owner"])
    response = client.post(
        url,
        {"question_id": "S1Q12", "item": "0", "answer": "My late edit", "version": str(seen)},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Editor changed this answer while you were editing it" in html and "“Listed buildings”" in html
    assert ">My late edit</textarea>" in html  # nothing typed is lost
    newest = session.answers.filter(question_id="S1Q12").latest("created_at").pk
    assert f'name="version" value="{newest}"' in html  # saving again now replaces theirs, knowingly
    assert session.answers.filter(question_id="S1Q12").latest("created_at").value == {"value": ["Listed buildings"]}


def test_deleting_the_owners_account_hands_a_shared_session_to_the_team(team, user, make_user):
    from accounts.services import account_delete
    from tests.conftest import TEST_PASSWORD

    session, people = team
    alone = make_session(user, project_name="Only mine")
    account_delete(user=user, password=TEST_PASSWORD)
    session.refresh_from_db()
    assert session.owner_id == people["editor"].pk
    assert Membership.objects.get(session=session, user=people["editor"]).role == "owner"
    assert not type(session).objects.filter(pk=alone.pk).exists()
    assert list(chain_breaks()) == []
    assert ActivityEntry.objects.filter(session=session, kind="owner_transferred").exists()


def test_a_team_function_reads_with_its_article():
    assert [a_person(label) for label in TeamFunction.labels] == [
        "a product manager",
        "a data-science lead",
        "an ML engineer",
        "an ethics / risk officer",
    ]


def test_the_stage_page_counts_open_threads_per_answer_and_per_stage(team, client):
    session, people = team
    thread_start(
        session=session, actor=people["reviewer"], target_kind="answer", target="S1Q1", body="Which office is this?"
    )
    client.force_login(people["editor"])
    page = client.get(f"/sessions/{session.id}/stages/1/").content.decode()
    assert page.count('<span class="comment-count">(1 unresolved)</span>') == 1
    assert "1 open comment thread<" in page


def test_a_reviewer_reads_the_gate_panel_without_the_complete_button(team, client):
    session, people = team
    client.force_login(people["reviewer"])
    page = client.get(f"/sessions/{session.id}/stages/1/").content.decode()
    assert "Stage 1 gate</h2>" in page and 'id="complete-stage"' not in page
    assert "An editor or the owner completes this stage; you can read its answers and comment on them." in page
    client.force_login(people["editor"])
    assert 'id="complete-stage"' in client.get(f"/sessions/{session.id}/stages/1/").content.decode()
