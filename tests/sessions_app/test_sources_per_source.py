"""Data sources from the structured sources list (issue 11): S3Q2 and S3Q3 are answered one line per source
("source: text"), each row of the charter's sources table holds only its own line, and prose that names no
single source is kept whole as "all sources" instead of being cut into sentences and guessed apart."""

from __future__ import annotations

from typing import Any

import pytest

from sessions_app.charter.consistency import rule_findings
from sessions_app.charter.content import build_charter_content
from sessions_app.charter.deliverables import deliverables_from_answers
from sessions_app.charter.rendering import to_markdown
from sessions_app.interview import builders
from sessions_app.interview.answer_set import AnswerSet
from sessions_app.interview.answer_types import validate_answer
from sessions_app.interview.question_bank import get_bank
from sessions_app.interview.registry import REGISTRY
from sessions_app.models import Answer
from tests.sessions_app.factories import make_session
from tests.sessions_app.hospital_answers import hospital_answer_values
from tests.sessions_app.interview_helpers import complete_stage, store_answers

SOURCES = [
    builders.parse_source_line(line)
    for line in (
        "PACS | database | Sectra PACS, on-premises data centre",
        "RIS | database | radiology information system",
        "clinical data warehouse | database | SQL Server warehouse",
    )
]
# The hospital team's first answer, as the issue quotes it: sentence-splitting put "the rest have report text
# only" into the RIS row.
PROSE = (
    "PACS holds 1.2 million chest X-rays since 2015 and receives about 450 new studies a day as they are "
    "acquired. RIS reports update continuously; the rest have report text only. The clinical data warehouse "
    "is loaded by a nightly batch at 02:00."
)


def hospital_values(overrides: dict[tuple[str, int], Any] | None = None) -> dict:
    values = hospital_answer_values()
    for key, raw in (overrides or {}).items():
        values[key] = validate_answer(key[0], raw).to_json()
    return values


def scorecard(overrides: dict[tuple[str, int], Any] | None = None) -> dict[str, Any]:
    return deliverables_from_answers(AnswerSet.from_values(hospital_values(overrides)))[3]


def concerns(overrides: dict[tuple[str, int], Any] | None = None) -> dict[str, str]:
    answers = AnswerSet.from_values(hospital_values(overrides))
    deliverable = REGISTRY[3].build(answers)
    found = REGISTRY[3].gate(answers, deliverable, set()).concerns
    return {c.key: c.message for c in found if c.key.startswith(("s3.size_and_frequency", "s3.access_method"))}


def charter_markdown(overrides: dict[tuple[str, int], Any] | None = None) -> str:
    values = hospital_values(overrides)
    deliverables = deliverables_from_answers(AnswerSet.from_values(values))
    content = build_charter_content(
        project_name="Chest X-ray triage",
        deliverables=deliverables,
        answers=values,
        findings=rule_findings(deliverables),
        version=1,
        generated_at="2025-07-01T10:00:00+00:00",
    )
    return to_markdown(content)


# --- Reading the lines -----------------------------------------------------------------------------------------


def test_each_line_goes_to_the_source_it_names():
    read = builders.per_source_text(
        "pacs: 1.2M studies, 450 a day\n- RIS: updated as reports are signed\n"
        "clinical data warehouse: nightly at 02:00",
        SOURCES,
    )
    assert read.by_source == {
        "PACS": "1.2M studies, 450 a day",
        "RIS": "updated as reports are signed",
        "clinical data warehouse": "nightly at 02:00",
    }
    assert (read.general, read.unknown) == (None, ())


def test_a_line_without_a_name_continues_the_line_before_it():
    read = builders.per_source_text("PACS: 1.2M studies\nabout 450 new ones a day\nRIS: continuous", SOURCES)
    assert read.by_source == {"PACS": "1.2M studies about 450 new ones a day", "RIS": "continuous"}


def test_prose_naming_no_source_line_by_line_is_kept_whole_for_all_sources():
    read = builders.per_source_text(PROSE, SOURCES)
    assert read.by_source == {} and read.general == PROSE and read.unknown == ()


def test_an_all_sources_line_speaks_for_the_others():
    read = builders.per_source_text("PACS: streamed\nall sources: kept for ten years", SOURCES)
    assert read.by_source == {"PACS": "streamed"} and read.general == "kept for ten years"


def test_a_line_naming_no_listed_source_is_reported_not_guessed():
    read = builders.per_source_text("PACS: streamed\nRadiology archive: nightly\nNote at 02:00: late", SOURCES)
    assert read.by_source == {"PACS": "streamed"}
    assert read.unknown == ("Radiology archive",)  # "Note at 02:00" holds a number: a sentence, not a name
    assert read.general == "Radiology archive: nightly\nNote at 02:00: late"


# --- The scorecard and the charter -----------------------------------------------------------------------------


def test_every_row_of_the_hospital_scorecard_holds_only_its_own_line():
    rows = {s["name"]: s for s in scorecard()["data_sources"]}
    assert rows["RIS"]["size_and_frequency"].startswith("a report and its timestamps for every study")
    assert "nightly batch at 02:00" in rows["clinical data warehouse"]["size_and_frequency"]
    assert "02:00" not in rows["RIS"]["size_and_frequency"] and "RIS" not in rows["PACS"]["access_method"]
    assert rows["labelled research set"]["access_method"] == "our existing research share"


def test_prose_fills_no_row_and_appears_once_as_all_sources_in_the_charter():
    data = scorecard({("S3Q2", 0): PROSE})
    assert {s["name"]: s["size_and_frequency"] for s in data["data_sources"]} == dict.fromkeys(
        ("PACS", "RIS", "clinical data warehouse", "labelled research set")
    )
    assert data["all_sources_size_and_frequency"] == PROSE
    section = charter_markdown({("S3Q2", 0): PROSE}).split("### Data sources", 1)[1].split("### Labelling", 1)[0]
    assert "Size and update frequency, all sources" in section
    assert section.count("the rest have report text only") == 1
    assert section.count("As for all sources (below the table)") == 4  # every row, in its size column


def test_the_batch_check_reads_an_all_sources_answer_and_quotes_it():
    deliverables = deliverables_from_answers(AnswerSet.from_values(hospital_values({("S3Q2", 0): PROSE})))
    found = [f for f in rule_findings(deliverables) if f.check == "realtime_vs_batch"]
    assert len(found) == 1
    assert "the data sources are updated in batches" in found[0].description
    # Quoted from the sentence that says "nightly": the first 120 characters would leave it out.
    assert (
        "(stage 3 says: “…The clinical data warehouse is loaded by a nightly batch at 02:00.”)" in found[0].description
    )


def test_the_hospital_batch_finding_names_the_warehouse_alone():
    found = [f for f in rule_findings(deliverables_from_answers(AnswerSet.from_values(hospital_values())))]
    batch = [f for f in found if f.check == "realtime_vs_batch"]
    assert [f.key.rsplit(".", 1)[-1] for f in batch] == ["clinical-data-warehouse"]


# --- The gate ---------------------------------------------------------------------------------------------------


def test_the_hospital_lines_raise_no_per_source_concern():
    assert concerns() == {}


def test_a_source_left_out_is_a_concern_naming_it():
    found = concerns({("S3Q3", 0): "PACS: a DICOM node\nRIS: an HL7 feed\nclinical data warehouse: a SQL account"})
    assert list(found) == ["s3.access_method.labelled-research-set"]
    assert "labelled research set" in found["s3.access_method.labelled-research-set"]
    assert "S3Q3" in found["s3.access_method.labelled-research-set"]


def test_a_line_for_an_unlisted_source_is_a_concern():
    answer = hospital_answer_values()[("S3Q2", 0)]["value"] + "\nRadiology archive: nightly"
    found = concerns({("S3Q2", 0): answer})
    assert list(found) == ["s3.size_and_frequency.unknown.radiology-archive"]


def test_prose_is_not_asked_to_be_split():
    assert concerns({("S3Q2", 0): PROSE}) == {}


# --- The question bank and the form -----------------------------------------------------------------------------


@pytest.mark.parametrize("question_id", ["S3Q2", "S3Q3"])
def test_the_questions_ask_one_line_per_listed_source(question_id):
    question = get_bank().question(question_id)
    assert question.per_item_of == "S3Q1" and question.is_quality_scored
    assert "one line per source" in question.text.lower()
    example_sources = [line.split(":", 1)[0] for line in question.examples[0].text.splitlines()]
    assert "billing" in example_sources and "support tickets" in example_sources


def test_item_name_is_the_first_field():
    assert builders.item_name("billing | database | PostgreSQL") == "billing"
    assert builders.item_name("recall") == "recall"


# --- The stage page ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_prefills_one_line_per_source_and_names_a_source_left_out(user, client):
    session = make_session(user)
    for stage in (1, 2):
        store_answers(session, stage)
        complete_stage(session, stage)
    store_answers(session, 3)
    Answer.objects.filter(session=session, question_id="S3Q2").delete()
    client.force_login(user)
    page = client.get(f"/sessions/{session.id}/stages/3/").content.decode()
    assert "billing: \nsupport tickets: \nnetwork usage: \noutage alerts: </textarea>" in page

    Answer.objects.filter(session=session, question_id="S3Q3").update(
        value={"value": "billing: a read replica\nsupport tickets: our Zendesk token"}
    )
    page = client.get(f"/sessions/{session.id}/stages/3/").content.decode()
    assert "No line yet for: network usage, outage alerts (listed in S3Q1)." in page


def test_a_confirmed_feature_holding_a_comma_stays_one_feature():
    overrides = {
        ("S1Q8", 0): ["pipe material, diameter and install year — GIS", "burst history — SAP PM"],
        ("S3Q1", 0): ["GIS | database | asset register", "SAP PM | database | work orders"],
        ("S3Q2", 0): "GIS: 61,000 segments, nightly\nSAP PM: 9,000 work orders, hourly",
        ("S3Q3", 0): "GIS: read role\nSAP PM: an extract",
        ("S3Q4", 0): ["GIS: pipe material, diameter and install year, road class", "SAP PM: burst history"],
    }
    rows = {s["name"]: s["covers_features"] for s in scorecard(overrides)["data_sources"]}
    assert rows == {"GIS": ["pipe material, diameter and install year", "road class"], "SAP PM": ["burst history"]}
