"""Charter pages: generation with progress, reading, versions, downloads, approval, findings, ownership."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings

from sessions_app.models import Charter, Membership, RunStatus, StageRun
from tests.helpers import HTMX
from tests.sessions_app.factories import make_session
from tests.sessions_app.interview_helpers import complete_interview

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(user):
    session = make_session(user, project_name="Kestrel churn")
    complete_interview(session)
    return session


def page(session) -> str:
    return f"/sessions/{session.id}/charter/"


def test_charter_page_lists_missing_stages(web, user):
    session = make_session(user)
    html = web.get(page(session)).content.decode()
    assert "needs all five stages" in html and "Generate the charter" not in html


def test_generate_shows_progress_then_the_charter(web, finished):
    response = web.post(f"{page(finished)}generate/", **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'hx-trigger="every 1s"' in html and "Waiting for a worker" in html
    run = StageRun.objects.get(session=finished)
    status = web.get(f"{page(finished)}runs/{run.pk}/", **HTMX)
    assert 'hx-trigger="every 1s"' in status.content.decode()

    from sessions_app.runs.executor import StageExecutor

    StageExecutor().execute(str(run.pk))
    done = web.get(f"{page(finished)}runs/{run.pk}/", **HTMX)
    assert done["HX-Redirect"] == page(finished)
    html = web.get(page(finished)).content.decode()
    assert "Version 1 of 1" in html and "AI Project Charter: Kestrel churn" in html
    assert "Executive summary" in html and "written offline" in html
    assert "0 tokens" not in html and "$0.00" not in html  # offline: nothing spent, nothing to show
    StageRun.objects.filter(pk=run.pk).update(
        provider="anthropic", model="claude-x", input_tokens=9000, output_tokens=876
    )
    assert "9,876 tokens · $0.00 · anthropic claude-x" in web.get(page(finished)).content.decode()


def test_downloads_and_printable_page(web, finished, run_tasks):
    run_tasks(web.post, f"{page(finished)}generate/")
    md = web.get(f"{page(finished)}download.md")
    assert md.status_code == 200 and "kestrel-churn-charter-v1.md" in md["Content-Disposition"]
    assert web.get(f"{page(finished)}download.pdf").content.startswith(b"%PDF")
    printable = web.get(f"{page(finished)}download.html").content.decode()
    assert "@media print" in printable or "@page" in printable


def test_failed_generation_offers_retry(web, finished, run_tasks):
    run = StageRun.objects.create(
        session=finished,
        owner=finished.owner,
        kind="charter",
        status=RunStatus.FAILED,
        error="No language model could answer.",
    )
    html = web.get(page(finished)).content.decode()
    assert "No language model could answer." in html and "Retry" in html
    run_tasks(web.post, f"{page(finished)}runs/{run.pk}/retry/")
    assert Charter.objects.filter(session=finished).count() == 1


def test_a_reviewer_signs_off_from_the_page(web, client, finished, run_tasks, make_user):
    run_tasks(web.post, f"{page(finished)}generate/")
    reviewer = make_user(email="dana@example.com", name="Dana Ruiz")
    Membership.objects.create(session=finished, user=reviewer, role="reviewer")
    assert "Signing off needs the reviewer role." in web.get(page(finished)).content.decode()  # the owner
    client.force_login(reviewer)
    response = client.post(f"{page(finished)}signoffs/", {"comment": "Checked the risks and the KPIs.", "version": 1})
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "Dana Ruiz</strong> signed" in html and "1 of 2 reviewer sign-offs" in html


def test_cannot_view_other_users_charter_page(client, other_user, finished):
    client.force_login(other_user)
    assert client.get(page(finished)).status_code == 404
    assert client.post(f"{page(finished)}generate/").status_code == 404
    assert client.get(f"{page(finished)}download.md").status_code == 404
    assert not StageRun.objects.exists()


def test_cannot_poll_other_users_charter_run(client, other_user, web, finished):
    web.post(f"{page(finished)}generate/")
    run = StageRun.objects.get(session=finished)
    client.force_login(other_user)
    assert client.get(f"{page(finished)}runs/{run.pk}/").status_code == 404
    assert client.post(f"{page(finished)}runs/{run.pk}/cancel/").status_code == 404


def test_consistency_check_from_the_page(web, finished, run_tasks):
    run_tasks(web.post, f"{page(finished)}consistency/")
    run = StageRun.objects.get(session=finished)
    assert run.kind == "consistency" and run.status == RunStatus.SUCCEEDED
    assert "Consistency checked: 0 findings" in web.get(page(finished)).content.decode()


@override_settings(RATE_LIMITS={**settings.RATE_LIMITS, "charter_generate": "1/h"})
def test_generating_checking_and_retrying_share_a_limit_cancelling_is_never_limited(web, finished):
    assert web.post(f"{page(finished)}generate/").status_code == 302
    run = StageRun.objects.get(session=finished)
    for action in ("consistency/", f"runs/{run.pk}/retry/"):
        over = web.post(f"{page(finished)}{action}")
        assert over.status_code == 429 and int(over["Retry-After"]) >= 1, action
    assert web.post(f"{page(finished)}runs/{run.pk}/cancel/").status_code == 302
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    assert StageRun.objects.filter(session=finished).count() == 1
