"""Editing a completed interview costs only the gates it affects (DOMAIN.md "Gates, checkpoints and editing"):
a changed answer re-opens its own stage, later completed stages need review (readable, editable, never locked),
and one re-check runs their gates in order, keeping those that still pass."""

from __future__ import annotations

import pytest

from sessions_app.charter.selectors import missing_for_charter
from sessions_app.interview import selectors, services
from sessions_app.models import Checkpoint, SessionStatus, StageState, StageStatus
from sessions_app.sessions.selectors import session_get
from tests.sessions_app.churn_answers import STAGE_1
from tests.sessions_app.factories import make_session
from tests.sessions_app.interview_helpers import complete_interview

pytestmark = pytest.mark.django_db

NEW_BUDGET = STAGE_1[("S1Q13", 0)].replace("€160k", "€220k")
# A stage-1 feature that no stage-3 data source covers: stage 3's gate gets a concern it did not have.
UNCOVERED_FEATURE = "app store rating of the customer's household — mobile analytics"


def statuses(session) -> dict[int, str]:
    return dict(StageState.objects.filter(session=session).values_list("stage", "status"))


@pytest.fixture
def finished(user):
    session = make_session(user, project_name="Kestrel churn")
    complete_interview(session)
    session.status = SessionStatus.COMPLETED  # as after a generated charter
    session.save()
    return session


def edit_budget(session, run_tasks):
    return run_tasks(services.answer_submit, session=session, stage_number=1, question_id="S1Q13", answer=NEW_BUDGET)


# --- re-open and needs review ---------------------------------------------------------------------------------


def test_changing_an_answer_of_a_completed_stage_reopens_that_stage_only(finished, user, run_tasks):
    submitted = edit_budget(finished, run_tasks)

    assert submitted.effect is not None
    assert submitted.effect.reopens and submitted.effect.needs_review == (2, 3, 4, 5)
    assert statuses(finished) == {1: "open", 2: "stale", 3: "stale", 4: "stale", 5: "stale"}
    finished.refresh_from_db()
    assert finished.current_stage == 1 and finished.status == SessionStatus.IN_PROGRESS
    overview = selectors.stage_overview(finished)
    assert [s.reopened for s in overview] == [True, False, False, False, False]
    listed = session_get(user=user, session_id=finished.id)
    # Stages needing review still count: 4 of 5 gates passed, not "0 %".
    assert (listed.stages_completed, listed.stages_needing_review, listed.progress_percent) == (0, 4, 80)
    assert selectors.stage_progress(finished).percent == listed.progress_percent


def test_stages_needing_review_stay_editable(finished, run_tasks):
    edit_budget(finished, run_tasks)
    for stage in (2, 3, 4, 5):
        selectors.require_reachable(finished, stage)  # no InterviewConflict
    edited = services.answer_submit(
        session=finished, stage_number=4, question_id="S4Q4", answer="expert"
    )  # a choice of stage 4, saved at once
    assert edited.effect is not None and edited.effect.reopens  # its own stage needs its gate again
    assert statuses(finished)[4] == "open" and statuses(finished)[5] == "stale"


def test_first_pass_stays_in_order(user):
    session = make_session(user, project_name="First pass")
    with pytest.raises(Exception) as refused:
        services.answer_submit(session=session, stage_number=2, question_id="S2Q1", answer="Monthly churn rate")
    assert getattr(refused.value, "code", "") == "stage_out_of_order"
    assert "once stage 1 is complete" in str(refused.value)


def test_what_an_edit_will_reopen_is_known_before_saving(finished, run_tasks):
    effect = selectors.stage_detail(finished, 1).edit_effect
    assert effect is not None
    assert effect.message == "Saving a change re-opens stage 1 (its gate must pass again); stages 2–5 will need review."
    assert selectors.stage_detail(finished, 5).edit_effect.message == (
        "Saving a change re-opens stage 5 (its gate must pass again)."
    )
    edit_budget(finished, run_tasks)
    assert selectors.stage_detail(finished, 1).edit_effect.message == ""  # nothing more to re-open
    assert selectors.stage_detail(finished, 3).edit_effect.message.startswith("Saving a change re-opens stage 3")


def test_an_identical_resave_reopens_nothing(finished):
    typed = services.answer_submit(session=finished, stage_number=1, question_id="S1Q5", answer="partly")
    assert typed.effect is None
    assert set(statuses(finished).values()) == {"completed"}


# --- re-check -------------------------------------------------------------------------------------------------


def test_recheck_completes_every_stage_that_still_passes(finished, run_tasks):
    edit_budget(finished, run_tasks)
    before = Checkpoint.objects.filter(session=finished).count()

    result = services.stages_recheck(session=finished)

    assert [(r.stage, r.outcome) for r in result.results] == [(n, "passed") for n in (1, 2, 3, 4, 5)]
    assert result.passed and result.stopped_at is None
    assert set(statuses(finished).values()) == {"completed"}
    assert Checkpoint.objects.filter(session=finished).count() == before + 5
    budget = Checkpoint.objects.filter(session=finished, stage=1).latest("created_at").data["answers"]["S1Q13#0"]
    assert "€220k" in str(budget["value"])
    finished.refresh_from_db()
    assert finished.current_stage == 5 and missing_for_charter(finished) == []
    assert services.stages_recheck(session=finished).results == []  # nothing left to re-check


def test_recheck_stops_at_the_first_stage_that_no_longer_passes(finished, run_tasks):
    features = [*STAGE_1[("S1Q8", 0)], UNCOVERED_FEATURE]
    run_tasks(services.answer_submit, session=finished, stage_number=1, question_id="S1Q8", answer=features)

    result = services.stages_recheck(session=finished)

    outcomes = {r.stage: r.outcome for r in result.results}
    assert outcomes == {1: "passed", 2: "passed", 3: "not_passed", 4: "not_checked", 5: "not_checked"}
    stopped = result.stopped_at
    assert stopped is not None and stopped.stage == 3
    unacknowledged = [c["message"] for c in stopped.gate["concerns"] if not c["acknowledged"]]
    assert any("app store rating" in message for message in unacknowledged)
    # Stage 3 needs work now (its gate result is stored for its page); stages 4 and 5 keep needing review.
    assert statuses(finished) == {1: "completed", 2: "completed", 3: "open", 4: "stale", 5: "stale"}
    assert StageState.objects.get(session=finished, stage=3).gate["passed"] is False
    finished.refresh_from_db()
    assert finished.current_stage == 3
    assert [m["stage"] for m in missing_for_charter(finished)] == [3, 4, 5]

    # Acknowledge the new concern and re-check again: stage 3 passes, and so do 4 and 5.
    concern = next(c for c in stopped.gate["concerns"] if not c["acknowledged"])
    services.concern_acknowledge(
        session=finished, stage_number=3, key=concern["key"], reason="The rating is a pilot-only signal."
    )
    again = services.stages_recheck(session=finished)
    assert [(r.stage, r.outcome) for r in again.results] == [(3, "passed"), (4, "passed"), (5, "passed")]
    assert missing_for_charter(finished) == []


def test_recheck_waits_for_an_answer_still_being_checked(finished):
    services.answer_submit(session=finished, stage_number=1, question_id="S1Q13", answer=NEW_BUDGET)  # queued
    result = services.stages_recheck(session=finished)
    assert [r.outcome for r in result.results] == ["check_in_progress"] + ["not_checked"] * 4
    assert statuses(finished)[1] == "open"


def test_a_reopened_stage_also_completes_through_its_own_gate(finished, run_tasks):
    edit_budget(finished, run_tasks)
    services.stage_complete(session=finished, stage_number=1)
    assert statuses(finished) == {1: "completed", 2: "stale", 3: "stale", 4: "stale", 5: "stale"}
    finished.refresh_from_db()
    assert finished.current_stage == 2


def test_completing_a_reached_stage_opens_the_next_even_while_an_earlier_one_is_reopened(user, run_tasks):
    session = make_session(user, project_name="Partway")
    from tests.sessions_app.interview_helpers import complete_stage, store_answers

    for stage in (1, 2):
        store_answers(session, stage)
        complete_stage(session, stage)
    store_answers(session, 3)
    edit_budget(session, run_tasks)
    assert statuses(session) == {1: "open", 2: "stale", 3: "open", 4: "locked", 5: "locked"}
    complete_stage(session, 3)
    assert statuses(session)[4] == StageStatus.OPEN  # done in order the first time: stage 4 is reached now
    session.refresh_from_db()
    assert session.current_stage == 1
