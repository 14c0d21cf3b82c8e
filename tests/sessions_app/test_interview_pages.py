"""The interview pages: stage page, answers through HTMX and plain posts, run progress, gate, concerns, checkpoints."""

from __future__ import annotations

import pytest
from django.test.html import parse_html

from llm.errors import LLMUnavailable
from sessions_app.interview import services
from sessions_app.interview.question_bank import QuestionType, stage
from sessions_app.models import Answer, AnswerStatus, Checkpoint, RunStatus, StageRun
from sessions_app.runs.executor import StageExecutor
from tests.helpers import HTMX, attrs, by_id, find_all, html_of, text_of, walk
from tests.sessions_app.churn_answers import STAGE_1
from tests.sessions_app.factories import make_session

pytestmark = pytest.mark.django_db

VAGUE = "Improve efficiency"
STRONG = STAGE_1[("S1Q1", 0)]


# --- helpers ----------------------------------------------------------------------------------------------------


def stage_url(session, n: int = 1) -> str:
    return f"/sessions/{session.id}/stages/{n}/"


def answers_url(session, n: int = 1) -> str:
    return f"/sessions/{session.id}/stages/{n}/answers/"


def run_url(session, run, action: str = "") -> str:
    return f"/sessions/{session.id}/runs/{run.pk}/" + (f"{action}/" if action else "")


@pytest.fixture
def session(user):
    return make_session(user, project_name="Churn")


def answer_stage_1(session, run_tasks) -> None:
    """Every stage-1 question answered with the churn project's (good) answers, checks run."""
    for (question_id, item), raw in STAGE_1.items():
        run_tasks(
            services.answer_submit, session=session, stage_number=1, question_id=question_id, answer=raw, item=item
        )


# --- the stage page ---------------------------------------------------------------------------------------------


def test_stage_page_renders_every_stage_1_question_with_its_widget(web, session):
    response = web.get(stage_url(session))
    assert response.status_code == 200
    root = html_of(response)
    questions = stage(1).questions
    assert len(questions) == 14
    for q in questions:
        block = by_id(root, q.id)
        assert text_of(by_id(block, f"{q.id}-label")) == q.text
        assert q.help.split()[0] in text_of(by_id(block, f"{q.id}-help"))
        example = find_all(block, "details", **{"class": "example"})
        assert example and "Example of a strong answer" in text_of(example[0])
        labelled = {attrs(label).get("for") for label in find_all(block, "label")}
        if q.type is QuestionType.CHOICE:
            radios = find_all(block, "input", type="radio", name="value")
            assert [attrs(r)["value"] for r in radios] == list(q.choice_values), q.id
            assert all(attrs(r)["id"] in labelled for r in radios), q.id
            assert by_id(block, f"{q.id}-label").name == "legend"
            if q.detail is not None:
                detail = by_id(block, f"{q.id}-detail")
                assert detail.name == "textarea" and attrs(detail)["name"] == "detail"
                assert f"{q.id}-detail" in labelled
        else:
            field = by_id(block, f"{q.id}-field")
            assert field.name == "textarea" and attrs(field)["name"] == "answer", q.id
            assert f"{q.id}-field" in labelled
            if q.type is QuestionType.LIST:
                assert "One per line." in text_of(block)
        assert text_of(by_id(block, f"{q.id}-save")).startswith("Save answer")
    assert [g.title for g in stage(1).groups] == [
        text_of(h) for h in find_all(root, "h2") if attrs(h).get("id", "").startswith("group-")
    ]


def test_every_field_on_every_stage_page_has_a_label(web, user):
    session = make_session(user, current_stage=5)
    for n in range(1, 6):
        root = html_of(web.get(stage_url(session, n)))
        labels = {attrs(label).get("for") for label in find_all(root, "label")}
        fields = [e for e in walk(root) if e.name in ("input", "select", "textarea")]
        unlabelled = [
            attrs(e).get("name")
            for e in fields
            if attrs(e).get("type") != "hidden" and attrs(e).get("id") not in labels
        ]
        assert fields and not unlabelled, f"stage {n}: {unlabelled}"


def test_progress_bar_links_reachable_stages_and_shows_locked_ones(web, session):
    root = html_of(web.get(stage_url(session)))
    bar = next(e for e in walk(root) if attrs(e).get("role") == "progressbar")
    assert attrs(bar)["aria-valuenow"] == "0" and attrs(bar)["aria-valuemax"] == "5"
    assert attrs(bar)["aria-valuetext"] == "0 of 5 stages complete"
    nav = next(e for e in walk(root) if e.name == "nav" and attrs(e).get("aria-label") == "Interview stages")
    links = find_all(nav, "a")
    assert [attrs(a)["href"] for a in links] == [stage_url(session, 1)]
    assert attrs(links[0]).get("aria-current") == "page"
    assert text_of(nav).count("locked") == 4


def test_locked_stage_page_says_so_and_has_no_forms(web, session):
    response = web.get(stage_url(session, 3))
    assert response.status_code == 200
    root = html_of(response)
    assert "This stage is locked" in text_of(by_id(root, "stage-locked"))
    assert not [e for e in walk(root) if attrs(e).get("id") == "S3Q1"]


def test_unknown_stage_is_404(web, session):
    assert web.get(stage_url(session, 6)).status_code == 404


def test_stage_page_requires_login(client, session):
    response = client.get(stage_url(session))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_session_page_links_to_reachable_stages(web, session):
    html = web.get(f"/sessions/{session.id}/").content.decode()
    assert f'href="{stage_url(session, 1)}"' in html
    assert f'href="{stage_url(session, 2)}"' not in html
    assert "Continue with stage 1" in html and html.count('class="locked-label"') == 4


def test_number_scale_and_repeatable_widgets_on_later_stages(web, user):
    session = make_session(user, current_stage=5)
    root = html_of(web.get(stage_url(session, 2) + "?items-kpis=2"))
    timeframe = by_id(root, "S2Q4")
    assert attrs(by_id(timeframe, "S2Q4-field"))["type"] == "number"
    unit = by_id(timeframe, "S2Q4-unit")
    assert unit.name == "select" and [attrs(o)["value"] for o in find_all(unit, "option")][1:] == [
        "weeks",
        "months",
        "quarters",
    ]
    assert attrs(by_id(root, "S2Q2-unit"))["type"] == "text"  # free unit
    assert by_id(root, "S2Q1-1")  # the second KPI
    assert "Add another" in text_of(by_id(root, "group-kpis"))
    root = html_of(web.get(stage_url(session, 3)))
    scale = by_id(root, "S3Q5-field")
    assert (attrs(scale)["min"], attrs(scale)["max"], attrs(scale)["step"]) == ("0", "10", "1")
    assert attrs(by_id(root, "S3Q5-note"))["name"] == "note"


# --- answers ----------------------------------------------------------------------------------------------------


def test_htmx_vague_answer_shows_progress_then_followups(web, session, run_tasks):
    response = run_tasks(web.post, answers_url(session), {"question_id": "S1Q1", "item": "0", "answer": VAGUE}, **HTMX)
    assert response.status_code == 200
    block = by_id(html_of(response), "S1Q1")
    run = StageRun.objects.get()
    progress = by_id(block, f"run-{run.pk}")
    assert attrs(progress)["hx-trigger"] == "every 1s"
    assert attrs(progress)["hx-get"] == run_url(session, run)
    assert "s elapsed" in text_of(progress)
    assert "Being checked" in text_of(block)
    assert "S1Q1 saved; checking it now." in text_of(by_id(html_of(response), "interview-announcer"))

    polled = web.get(run_url(session, run), **HTMX)
    assert polled["HX-Retarget"] == "#S1Q1" and polled["HX-Reswap"] == "outerHTML"
    html = polled.content.decode()
    assert "every 1s" not in html  # the new block does not poll: polling stops
    answer = Answer.objects.get()
    assert answer.status == AnswerStatus.NEEDS_FOLLOWUP
    root = parse_html(html)
    followups = [
        text_of(li)
        for ol in find_all(root, "ol", **{"class": "followups"})
        for li in ol.children
        if not isinstance(li, str)
    ]
    assert followups == answer.quality["followup_questions"] and 1 <= len(followups) <= 3
    assert "Needs more detail" in html and f"Score {answer.quality_score:g}/10" in html
    assert "Checked offline" in html
    assert answer.quality["example_answer"][:30] in html
    assert VAGUE in text_of(by_id(root, "S1Q1-field"))  # the answer stays in the form to be improved
    assert 'id="interview-announcer"' in html and 'hx-swap-oob="true"' in html


def test_strong_answer_is_accepted_after_the_check(web, session, run_tasks):
    run_tasks(web.post, answers_url(session), {"question_id": "S1Q1", "answer": STRONG}, **HTMX)
    polled = web.get(run_url(session, StageRun.objects.get()), **HTMX)
    html = polled.content.decode()
    assert "Accepted" in html and "Follow-up questions" not in html
    assert Answer.objects.get().status == AnswerStatus.ACCEPTED


def test_plain_post_redirects_back_to_the_question(web, session):
    response = web.post(answers_url(session), {"question_id": "S1Q3", "answer": STRONG})
    assert response.status_code == 302 and response["Location"] == stage_url(session) + "#S1Q3"
    page = web.get(response["Location"]).content.decode()
    assert "Saved your answer to S1Q3. It is being checked." in page
    assert "Being checked" in page and "every 1s" in page  # the page picks up polling where the post left off


def test_typed_answer_is_accepted_at_once(web, session):
    response = web.post(answers_url(session), {"question_id": "S1Q5", "value": "partly"}, **HTMX)
    assert response.status_code == 200
    block = html_of(response)
    assert "Accepted" in text_of(block)
    assert "checked" in attrs(by_id(block, "S1Q5-choice-partly"))
    assert not StageRun.objects.exists()
    assert Answer.objects.get().status == AnswerStatus.ACCEPTED


def test_choice_with_detail_is_saved_with_its_detail(web, session):
    web.post(
        answers_url(session), {"question_id": "S1Q9", "value": "no", "detail": "Outage minutes arrive monthly."}, **HTMX
    )
    assert Answer.objects.get().value == {"value": "no", "detail": "Outage minutes arrive monthly."}


def test_invalid_typed_answer_shows_the_message_next_to_the_field(web, session):
    response = web.post(answers_url(session), {"question_id": "S1Q9", "value": "no", "detail": ""}, **HTMX)
    assert response.status_code == 400
    block = html_of(response)
    errors = by_id(block, "S1Q9-errors")
    assert attrs(errors)["role"] == "alert"
    assert "Name the features that will not" in text_of(errors)
    assert "checked" in attrs(by_id(block, "S1Q9-choice-no"))  # what the user chose is kept
    assert not Answer.objects.exists()

    # Without JavaScript: the whole page, with the message in the same place.
    response = web.post(answers_url(session), {"question_id": "S1Q5"})
    assert response.status_code == 400
    assert "needs an answer" in text_of(by_id(html_of(response), "S1Q5-errors"))


def test_number_with_unit_is_accepted_and_out_of_range_is_explained(web, user):
    session = make_session(user, current_stage=2)
    bad = web.post(answers_url(session, 2), {"question_id": "S2Q4", "value": "0", "unit": "months"}, **HTMX)
    assert bad.status_code == 400
    assert "at least 1" in text_of(by_id(html_of(bad), "S2Q4-errors"))
    assert 'aria-invalid="true"' in bad.content.decode()
    good = web.post(answers_url(session, 2), {"question_id": "S2Q4", "value": "2", "unit": "quarters"}, **HTMX)
    assert good.status_code == 200
    selected = [
        attrs(o)["value"] for o in find_all(by_id(html_of(good), "S2Q4-unit"), "option") if "selected" in attrs(o)
    ]
    assert selected == ["quarters"]
    assert Answer.objects.get().value == {"value": 2.0, "unit": "quarters"}


def test_answer_for_a_second_kpi(web, user):
    session = make_session(user, current_stage=2)
    response = web.post(
        answers_url(session, 2), {"question_id": "S2Q4", "item": "1", "value": "6", "unit": "months"}, **HTMX
    )
    assert by_id(html_of(response), "S2Q4-1")
    assert Answer.objects.get().item == 1
    root = html_of(web.get(stage_url(session, 2)))
    assert by_id(root, "S2Q1-1")  # the item that has an answer is shown without asking


def test_second_check_while_one_runs_says_so_in_place(web, session):
    web.post(answers_url(session), {"question_id": "S1Q1", "answer": STRONG}, **HTMX)  # stays queued: no worker
    response = web.post(answers_url(session), {"question_id": "S1Q2", "answer": "Churn rose after March."}, **HTMX)
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    block = html_of(response)
    assert attrs(block)["id"] == "S1Q2"
    assert "Another answer is still being checked" in text_of(block)
    assert "Churn rose after March." in text_of(by_id(block, "S1Q2-field"))
    assert Answer.objects.count() == 1


def test_rate_limited_answer_says_so_in_place(web, session, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "answer_submit": "1/m"}
    assert web.post(answers_url(session), {"question_id": "S1Q5", "value": "partly"}, **HTMX).status_code == 200
    response = web.post(answers_url(session), {"question_id": "S1Q11", "value": "classification"}, **HTMX)
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    block = html_of(response)
    assert attrs(block)["id"] == "S1Q11" and "Please wait" in text_of(block)
    assert "checked" in attrs(by_id(block, "S1Q11-choice-classification"))
    assert Answer.objects.count() == 1


def test_later_questions_show_what_earlier_answers_imply(web, user):
    session = make_session(user, current_stage=2)
    services.answer_submit(session=session, stage_number=1, question_id="S1Q11", answer="classification")
    services.answer_submit(session=session, stage_number=2, question_id="S2Q6", answer="recall\nprecision")
    services.answer_submit(session=session, stage_number=2, question_id="S2Q12", answer={"value": 21, "unit": "days"})
    services.answer_submit(session=session, stage_number=2, question_id="S2Q13", answer={"value": 8, "unit": "days"})
    response = web.get(stage_url(session, 2))
    root = html_of(response)
    assert "Suggested for classification: precision, recall, F1, AUC-ROC." in text_of(by_id(root, "S2Q6"))
    assert ">recall: \nprecision: </textarea>" in response.content.decode()  # one line per metric to fill in
    assert "Your margin: time to act 21 days − prediction delay 8 days = 13 days." in text_of(by_id(root, "S2Q14"))


def test_answer_to_a_question_of_another_stage_is_400(web, session):
    response = web.post(answers_url(session), {"question_id": "S2Q1", "answer": "x"}, **HTMX)
    assert response.status_code == 400 and not Answer.objects.exists()


# --- background runs ------------------------------------------------------------------------------------------


def run_usage(response) -> str:
    (line,) = find_all(html_of(response), "p", **{"class": "meta run-usage"})
    return text_of(line)


def test_run_status_partial_while_active_and_after(web, session, run_tasks):
    run_tasks(web.post, answers_url(session), {"question_id": "S1Q2", "answer": STRONG}, **HTMX)  # for an estimate
    web.post(answers_url(session), {"question_id": "S1Q1", "answer": VAGUE}, **HTMX)  # queued: no worker here
    run = StageRun.objects.get(status=RunStatus.QUEUED)

    active = web.get(run_url(session, run), **HTMX)
    assert active.status_code == 200 and "HX-Retarget" not in active
    progress = html_of(active)
    assert attrs(progress)["hx-trigger"] == "every 1s"
    assert "Saved. Waiting to check your answer…" in text_of(progress)
    assert "s elapsed" in text_of(progress) and "usually takes about 1 s" in text_of(progress)

    StageExecutor().execute(str(run.pk))  # what the worker does

    ended = web.get(run_url(session, run), **HTMX)
    assert ended["HX-Retarget"] == "#S1Q1"
    assert "every 1s" not in ended.content.decode() and "Follow-up questions" in ended.content.decode()
    usage = run_usage(ended)
    assert usage.startswith("Checked in ") and "token" not in usage  # offline: nothing spent, nothing to show

    StageRun.objects.filter(pk=run.pk).update(
        provider="anthropic", input_tokens=1200, output_tokens=34, cost_usd=0.0213
    )
    usage = run_usage(web.get(run_url(session, run), **HTMX))
    assert usage.endswith(" s · 1,234 tokens · $0.02"), usage


def test_run_status_without_htmx_goes_back_to_the_question(web, session):
    web.post(answers_url(session), {"question_id": "S1Q4", "answer": STRONG})
    response = web.get(run_url(session, StageRun.objects.get()))
    assert response.status_code == 302 and response["Location"] == stage_url(session) + "#S1Q4"


def test_cancel_stops_the_run_and_offers_retry(web, session):
    web.post(answers_url(session), {"question_id": "S1Q1", "answer": STRONG}, **HTMX)
    run = StageRun.objects.get()
    response = web.post(run_url(session, run, "cancel"), **HTMX)
    assert response.status_code == 200
    block = by_id(html_of(response), "S1Q1")
    assert "Check cancelled" in text_of(block) and "every 1s" not in response.content.decode()
    assert by_id(block, "S1Q1-retry")
    assert STRONG[:40] in text_of(by_id(block, "S1Q1-field"))
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED


def test_failed_check_keeps_the_answer_and_retry_succeeds(web, session, run_tasks, monkeypatch):
    def outage(request):
        raise LLMUnavailable({"offline": "switched off for this test"})

    with monkeypatch.context() as patch:
        patch.setattr("sessions_app.interview.quality.complete", outage)  # the gateway, as the checker calls it
        run_tasks(web.post, answers_url(session), {"question_id": "S1Q1", "answer": STRONG}, **HTMX)
    failed = StageRun.objects.get()
    assert failed.status == RunStatus.FAILED

    polled = web.get(run_url(session, failed), **HTMX)
    block = html_of(polled)
    assert "Check failed" in text_of(block) and "Your answer is saved" in text_of(block)
    assert STRONG[:40] in text_of(by_id(block, "S1Q1-field"))
    retry = by_id(block, "S1Q1-retry")
    assert text_of(retry).startswith("Retry")

    response = run_tasks(web.post, run_url(session, failed, "retry"), **HTMX)
    assert response.status_code == 200
    new_run = StageRun.objects.exclude(pk=failed.pk).get()
    assert new_run.retry_of_id == failed.pk
    assert f'hx-get="{run_url(session, new_run)}"' in response.content.decode()
    done = web.get(run_url(session, new_run), **HTMX).content.decode()
    assert "Accepted" in done and "Check failed" not in done
    assert Answer.objects.get().status == AnswerStatus.ACCEPTED


def test_retry_of_a_finished_run_says_why_not(web, session, run_tasks):
    run_tasks(web.post, answers_url(session), {"question_id": "S1Q1", "answer": STRONG}, **HTMX)
    response = web.post(run_url(session, StageRun.objects.get(), "retry"), **HTMX)
    assert response.status_code == 200 and "Only a failed or cancelled run can be retried." in response.content.decode()
    assert StageRun.objects.count() == 1


# --- the gate, concerns and checkpoints -------------------------------------------------------------------------


def test_gate_failure_shows_missing_items_as_links(web, session, run_tasks):
    run_tasks(web.post, answers_url(session), {"question_id": "S1Q1", "answer": STRONG}, **HTMX)
    response = web.post(f"/sessions/{session.id}/stages/1/complete/", **HTMX)
    assert response.status_code == 200
    panel = html_of(response)
    assert attrs(panel)["id"] == "gate-panel" and "The gate did not pass yet" in text_of(panel)
    missing = find_all(panel, "ul", **{"class": "gate-missing"})[0]
    hrefs = [attrs(a)["href"] for a in find_all(missing, "a")]
    assert hrefs == [f"#S1Q{n}" for n in range(2, 15)]
    session.refresh_from_db()
    assert session.current_stage == 1 and not Checkpoint.objects.exists()

    # The page remembers the last result, and without JavaScript the page says 409.
    assert "Last gate check: not passed yet" in web.get(stage_url(session)).content.decode()
    assert web.post(f"/sessions/{session.id}/stages/1/complete/").status_code == 409


def test_complete_while_an_answer_is_checked_says_to_wait(web, session):
    web.post(answers_url(session), {"question_id": "S1Q1", "answer": STRONG}, **HTMX)  # queued: no worker
    response = web.post(f"/sessions/{session.id}/stages/1/complete/", **HTMX)
    assert response.status_code == 200
    assert "still being checked" in text_of(by_id(html_of(response), "gate-panel"))
    session.refresh_from_db()
    assert session.current_stage == 1


def test_complete_stage_after_acknowledging_concerns_goes_to_stage_2(web, session, run_tasks):
    answer_stage_1(session, run_tasks)
    complete_url = f"/sessions/{session.id}/stages/1/complete/"
    response = web.post(complete_url, **HTMX)
    concerns = find_all(html_of(response), "li", **{"class": "concern"})
    assert concerns, "the churn answers name an unavailable feature: a concern"  # S1Q9 is "no"
    for concern in concerns:
        form = find_all(concern, "form")[0]
        short = web.post(attrs(form)["action"], {"reason": "fine"}, **HTMX)
        assert short.status_code == 400 and "10+ characters" in short.content.decode()
        done = web.post(attrs(form)["action"], {"reason": "Outage minutes come from last month; acceptable."}, **HTMX)
        assert done.status_code == 200 and "Acknowledged" in done.content.decode()
        assert attrs(html_of(done))["id"] == attrs(concern)["id"]

    # The result is shown in place (no jump to stage 2): checkpoint saved, the acknowledged concern, and the way on.
    response = web.post(complete_url, **HTMX)
    assert response.status_code == 200 and "HX-Redirect" not in response
    panel = by_id(html_of(response), "gate-panel")
    assert "Stage 1 is complete" in text_of(panel) and "Checkpoint saved" in text_of(panel)
    assert "Outage minutes come from last month; acceptable." in text_of(panel)
    assert attrs(by_id(panel, "gate-continue"))["href"] == stage_url(session, 2)
    assert "Continue to stage 2" in text_of(panel)
    session.refresh_from_db()
    assert session.current_stage == 2 and Checkpoint.objects.filter(stage=1).count() == 1
    assert "Stage 2: Value Quantification" in web.get(stage_url(session, 2)).content.decode()
    done = html_of(web.get(stage_url(session, 1)))
    assert "Continue to stage 2" in text_of(by_id(done, "gate-panel"))
    assert not [e for e in walk(done) if attrs(e).get("id") == "complete-stage"]


def test_restore_a_checkpoint_after_confirming(web, session, run_tasks):
    answer_stage_1(session, run_tasks)
    for concern in services.stage_evaluate(session=session, stage_number=1)[1].concerns:
        services.concern_acknowledge(
            session=session, stage_number=1, key=concern.key, reason="Acceptable for the pilot."
        )
    checkpoint = services.stage_complete(session=session, stage_number=1)
    web.post(answers_url(session), {"question_id": "S1Q11", "value": "regression"}, **HTMX)  # re-opens stage 1

    page = html_of(web.get(stage_url(session)))
    restore_url = f"/sessions/{session.id}/stages/1/checkpoints/{checkpoint.pk}/restore/"
    assert restore_url in [attrs(a)["href"] for a in find_all(by_id(page, "checkpoints"), "a")]
    confirm = web.get(restore_url)
    assert confirm.status_code == 200 and "Yes, restore it" in confirm.content.decode()
    assert Answer.objects.filter(question_id="S1Q11").latest("created_at").value["value"] == "regression"

    response = web.post(restore_url)
    assert response.status_code == 302 and response["Location"] == stage_url(session)
    assert Answer.objects.filter(question_id="S1Q11").latest("created_at").value["value"] == "classification"
    session.refresh_from_db()
    assert session.current_stage == 2


# --- other users' things ----------------------------------------------------------------------------------------


@pytest.fixture
def intruder(client, other_user):
    client.force_login(other_user)
    return client


@pytest.fixture
def queued_run(user, session):
    services.answer_submit(session=session, stage_number=1, question_id="S1Q1", answer=STRONG)
    return StageRun.objects.get()


def test_cannot_view_other_users_stage_page(intruder, session):
    response = intruder.get(stage_url(session))
    assert response.status_code == 404 and b"Page not found" in response.content


def test_cannot_submit_answer_to_other_users_stage(intruder, session):
    response = intruder.post(answers_url(session), {"question_id": "S1Q5", "value": "partly"}, **HTMX)
    assert response.status_code == 404 and not Answer.objects.exists()


def test_cannot_poll_other_users_run(intruder, session, queued_run):
    assert intruder.get(run_url(session, queued_run), **HTMX).status_code == 404


def test_cannot_cancel_other_users_run(intruder, session, queued_run):
    assert intruder.post(run_url(session, queued_run, "cancel"), **HTMX).status_code == 404
    queued_run.refresh_from_db()
    assert queued_run.status == RunStatus.QUEUED


def test_cannot_retry_other_users_run(intruder, session, queued_run):
    queued_run.status = RunStatus.FAILED
    queued_run.save()
    assert intruder.post(run_url(session, queued_run, "retry"), **HTMX).status_code == 404
    assert StageRun.objects.count() == 1


def test_cannot_poll_other_users_run_through_own_session(intruder, other_user, session, queued_run):
    own = make_session(other_user)
    assert intruder.get(run_url(own, queued_run), **HTMX).status_code == 404


def test_cannot_complete_other_users_stage(intruder, session):
    assert intruder.post(f"/sessions/{session.id}/stages/1/complete/", **HTMX).status_code == 404


def test_cannot_acknowledge_other_users_concern(intruder, session):
    url = f"/sessions/{session.id}/stages/1/concerns/s1.any/acknowledge/"
    assert intruder.post(url, {"reason": "Not my project at all."}, **HTMX).status_code == 404


def test_cannot_restore_other_users_checkpoint(intruder, session):
    checkpoint = Checkpoint.objects.create(
        session=session, stage=1, data={"answers": {}, "deliverable": {}, "gate": {}}
    )
    url = f"/sessions/{session.id}/stages/1/checkpoints/{checkpoint.pk}/restore/"
    assert intruder.get(url).status_code == 404
    assert intruder.post(url).status_code == 404
