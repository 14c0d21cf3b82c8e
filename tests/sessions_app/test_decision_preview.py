"""The stage-5 page previews the governance decision while the answers can still change, and every saved answer
brings the preview up to date (an out-of-band swap), with the answers that drive each reason."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.helpers import HTMX, attrs, by_id, find_all, html_of, text_of
from tests.sessions_app.churn_answers import CHURN_ANSWERS_BY_STAGE
from tests.sessions_app.factories import make_session
from tests.sessions_app.interview_helpers import complete_stage, store_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_stage_5(user):
    session = make_session(user, project_name="Ambulance call triage")
    for stage in range(1, 5):
        store_answers(session, stage)
        complete_stage(session, stage)
    session.refresh_from_db()
    assert session.current_stage == 5
    return session


def answer(web, session, question_id, value):
    url = reverse("sessions:answer_submit", args=[session.id, 5])
    return web.post(url, {"question_id": question_id, "value": value}, **HTMX)


def test_preview_waits_for_answers_then_follows_each_saved_answer(web, at_stage_5):
    page = web.get(reverse("sessions:stage", args=[at_stage_5.id, 5]))
    preview = by_id(html_of(page), "decision-preview")
    assert "not classified yet" in text_of(preview) and "The decision appears once" in text_of(preview)

    for question_id in ("S5Q40", "S5Q41", "S5Q44", "S5Q45"):
        answer(web, at_stage_5, question_id, "none" if question_id in ("S5Q40", "S5Q45") else "no")
    response = answer(web, at_stage_5, "S5Q42", "employment")  # an Annex III area: the exemption question opens
    oob = by_id(html_of(response), "decision-preview")
    assert attrs(oob).get("hx-swap-oob") == "true"
    assert "not classified yet" in text_of(oob)
    response = answer(web, at_stage_5, "S5Q43", "none")
    assert "EU AI Act tier: High-risk" in text_of(by_id(html_of(response), "decision-preview"))


def test_preview_names_the_decision_and_the_answers_that_drive_it(web, at_stage_5):
    store_answers(at_stage_5, 5)  # the churn project's stage 5: fairness critical before mitigation
    page = web.get(reverse("sessions:stage", args=[at_stage_5.id, 5]))
    element = by_id(html_of(page), "decision-preview")
    preview = text_of(element)
    assert "Governance decision: Submit to committee" in preview and "committee review required" in preview
    assert "Before mitigation, the Fairness & equity risk is critical" in preview
    links = [(attrs(a).get("href"), text_of(a)) for a in find_all(element, "a")]
    # the fairness severity, likelihood, effectiveness and status, linked to their questions on the page
    assert {("#S5Q5", "S5Q5"), ("#S5Q6", "S5Q6"), ("#S5Q8", "S5Q8"), ("#S5Q35", "S5Q35")} <= set(links)
    assert CHURN_ANSWERS_BY_STAGE[5][("S5Q1", 0)] == "informal"
    assert "There has been no formal ethics review" in preview

    response = answer(web, at_stage_5, "S5Q8", "0")  # no credit at all: fairness 9 stays critical → halt
    assert "Governance decision: Halt" in text_of(by_id(html_of(response), "decision-preview"))
