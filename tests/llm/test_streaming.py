"""Streaming through the real clients: the text (or a structured reply's JSON) as it is written, and a cancel that
stops the provider call; on the charter page, the executive summary as the model writes it."""

from __future__ import annotations

import json
from unittest.mock import patch

import pytest

from llm.errors import LLMCancelled, LLMUnavailable
from llm.gateway import complete
from llm.models import CallStatus, LLMCall
from llm.types import LLMRequest, Purpose, Tier
from sessions_app.models import RunKind, RunStatus, StageRun
from sessions_app.runs import executor
from sessions_app.runs.services import run_cancel
from tests.fakes import anthropic as fa
from tests.fakes import ollama as fo
from tests.llm.factories import assessment, quality_request
from tests.sessions_app.factories import make_session
from tests.sessions_app.interview_helpers import complete_interview

pytestmark = pytest.mark.django_db


def narrative() -> LLMRequest[None]:
    return LLMRequest(
        purpose=Purpose.CHARTER, system="Write.", messages=[{"role": "user", "content": "Facts."}], tier=Tier.BALANCED
    )


def test_the_narrative_is_shown_as_it_is_written(anthropic_on):
    anthropic_on.queue(fa.streamed("The project ", "cuts claim ", "handling to 7 days.", output_tokens=12))
    seen: list[str] = []

    result = complete(narrative(), on_text=lambda text: seen.append(text) is None)

    assert seen == ["The project ", "The project cuts claim ", "The project cuts claim handling to 7 days."]
    assert result.text == seen[-1]
    assert anthropic_on.message_requests[0].json["stream"] is True
    row = LLMCall.objects.get()
    assert (row.status, row.input_tokens, row.output_tokens) == (CallStatus.OK, 10, 12)
    assert row.cost_usd > 0 and row.request_id.startswith("req_fake_")


def test_cancel_stops_the_call_and_asks_no_other_provider(anthropic_on, ollama_on):
    anthropic_on.queue(fa.streamed("The project ", "cuts claim ", "handling."))
    seen: list[str] = []

    def on_text(text: str) -> bool:
        seen.append(text)
        return False  # the user pressed Cancel

    with pytest.raises(LLMCancelled) as caught:
        complete(narrative(), on_text=on_text)

    assert isinstance(caught.value, LLMUnavailable)  # callers that catch LLMUnavailable keep working
    assert seen == ["The project "]
    assert ollama_on.chat_requests == []
    row = LLMCall.objects.get()
    assert (row.status, row.error_type, row.cost_usd, row.usage_known) == (
        CallStatus.PERMANENT_ERROR,
        "cancelled",
        None,
        False,
    )


def test_ollama_streams_too(ollama_on):
    ollama_on.queue(fo.streamed_chat("A ", "local ", "summary."))
    seen: list[str] = []

    result = complete(narrative(), on_text=lambda text: seen.append(text) is None)

    assert seen == ["A ", "A local ", "A local summary."]
    assert (result.provider, result.text, result.usage.output_tokens) == ("ollama", "A local summary.", 8)
    assert ollama_on.chat_requests[0].json["stream"] is True


def test_ollama_cancel_stops_reading(ollama_on):
    ollama_on.queue(fo.streamed_chat("A ", "local ", "summary."))

    with pytest.raises(LLMCancelled):
        complete(narrative(), on_text=lambda text: False)


def test_the_offline_provider_hands_over_its_whole_text(llm_settings):
    seen: list[str] = []
    request = LLMRequest(
        purpose=Purpose.CHARTER,
        system="Write.",
        messages=[{"role": "user", "content": "Facts."}],
        context={"project_name": "Claims triage"},
    )

    result = complete(request, on_text=lambda text: seen.append(text) is None)

    assert result.offline and seen == [result.text]


def test_structured_requests_stream_their_json(anthropic_on):
    text = json.dumps(assessment())
    anthropic_on.queue(fa.streamed(text[:20], text[20:]))
    seen: list[str] = []

    result = complete(quality_request(), on_text=lambda so_far: seen.append(so_far) is None)

    assert anthropic_on.message_requests[0].json["stream"] is True
    assert "output_config" in anthropic_on.message_requests[0].json
    assert seen == [text[:20], text]
    assert result.provider == "anthropic" and result.parsed is not None


# --- The charter page: the executive summary as it is written, and Cancel ------------------------------------------

SUMMARY = "Harbour Freight will predict container dwell time 48 hours ahead so that yard planners re-stack early."
NARRATIVE = {
    "executive_summary": SUMMARY,
    "critical_success_factors": ["Gate-in data is complete every day."],
    "major_risks": ["Terminal operating system changes break the feed."],
    "decision_rationale": "The residual risks are medium and owned.",
}


def narrative_pieces() -> list[str]:
    text = json.dumps(NARRATIVE)
    return [text[i : i + 25] for i in range(0, len(text), 25)]


@pytest.fixture
def charter_model(anthropic_on):
    """The consistency check answers at once with no findings; the narrative streams in pieces."""

    def respond(request):
        if request.json.get("stream"):
            return fa.streamed(*narrative_pieces(), output_tokens=60)
        return fa.json_message({"findings": []})

    anthropic_on.respond_with(respond)
    return anthropic_on


@pytest.fixture
def finished_session(user):
    session = make_session(user, project_name="Harbour Freight dwell time")
    complete_interview(session)
    return session


def test_the_summary_is_saved_on_the_run_as_it_streams(charter_model, finished_session, api, run_tasks, settings):
    settings.RUN_PARTIAL_TEXT_SECONDS = 0  # every piece
    written: list[str] = []
    original = executor.run_partial_text

    def spy(*, run, text):
        written.append(text)
        return original(run=run, text=text)

    with patch.object(executor, "run_partial_text", spy):
        response = run_tasks(api.post, f"/api/v1/sessions/{finished_session.id}/charter")
    run = StageRun.objects.get(pk=response.json()["run_id"])
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert len(written) >= 3 and written[-1] == SUMMARY
    assert all(SUMMARY.startswith(text) for text in written)  # each a longer beginning of the summary
    assert run.partial_text == SUMMARY
    assert api.get(f"/api/v1/runs/{run.pk}").json()["partial_text"] == SUMMARY
    charter = finished_session.charters.get()
    assert SUMMARY in json.dumps(charter.content)  # the streamed summary is the charter's
    assert charter.provider == "anthropic"


def test_the_running_page_shows_the_summary_written_so_far(web, finished_session):
    run = StageRun.objects.create(
        session=finished_session,
        owner=finished_session.owner,
        kind=RunKind.CHARTER,
        status=RunStatus.RUNNING,
        step="Writing the executive summary…",
        partial_text="Harbour Freight will predict container dwell",
    )
    page = web.get(f"/sessions/{finished_session.id}/charter/runs/{run.pk}/", HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    assert b"Harbour Freight will predict container dwell" in page.content
    assert b"run-partial" in page.content


def test_cancel_while_the_summary_streams_stops_the_call(charter_model, finished_session, api, run_tasks, settings):
    settings.RUN_PARTIAL_TEXT_SECONDS = 0
    original = executor.run_partial_text

    def press_cancel_after_the_first_words(*, run, text):
        saved = original(run=run, text=text)
        run_cancel(run=StageRun.objects.get(pk=run.pk))  # the user's click, between two pieces
        return saved

    with patch.object(executor, "run_partial_text", press_cancel_after_the_first_words):
        response = run_tasks(api.post, f"/api/v1/sessions/{finished_session.id}/charter")
    run = StageRun.objects.get(pk=response.json()["run_id"])
    assert run.status == RunStatus.CANCELLED
    assert not finished_session.charters.exists()
    narrative_calls = LLMCall.objects.filter(purpose=Purpose.CHARTER)
    assert [(c.provider, c.error_type) for c in narrative_calls] == [("anthropic", "cancelled")]  # nobody else asked
