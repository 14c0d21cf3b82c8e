"""A second complete, realistic answer set, from another domain: a hospital's chest X-ray triage project.

`HOSPITAL_ANSWERS` maps `(question_id, item) -> raw input` exactly as a user (or an API client) would submit it,
shaped like `churn_answers.CHURN_ANSWERS`: every question of all five stages is answered, and the repeatable
groups have two items (two KPIs, two personas). `hospital_answer_values()` gives the stored JSON form.

The project: Northgate University Hospital's radiology department reads about 450 chest X-rays a day; studies
with an urgent finding (pneumothorax, large pleural effusion, free air under the diaphragm) wait in the same
first-come worklist as routine ones. A computer-vision model should flag likely urgent studies within a minute of
acquisition so that they move to the top of the radiologists' worklist.

The answers were written the way the team answered by hand when issue 11 was filed, so they hold every trap the
issue lists: a latency metric whose threshold is a ceiling ("time … (minutes): 1"), a prediction delay of
"1 minutes", a causal mechanism about sensitivity that also names specificity in passing, a sources answer with
the sentence "RIS reports update continuously; the rest have report text only.", "at least 95 % of studies" in
free text, only 200 labelled images (typed: S3Q21, with S3Q22 saying how many are needed), a long first answer,
the EU AI Act in a regulation that touches health and safety, a persona who looks at the output hourly, and a
clinical data warehouse loaded by a nightly batch at 02:00 although predictions are promised within a minute.
"""

from __future__ import annotations

from typing import Any

from sessions_app.interview.answer_types import validate_answer

RawAnswer = str | int | float | list[str] | dict[str, Any]

STAGE_1: dict[tuple[str, int], RawAnswer] = {
    ("S1Q1", 0): (
        "Chest X-rays with an urgent finding wait in the same first-come reporting worklist as routine studies, "
        "so a pneumothorax can sit unread for hours. Northgate University Hospital takes about 450 chest X-rays a "
        "day; urgent findings are rare, about 3% of studies, and in the 2025 audit their median time from "
        "acquisition to report was 4.2 hours against a departmental standard of 1 hour. Two serious incidents in "
        "2025 followed a delayed report of a tension pneumothorax."
    ),
    ("S1Q2", 0): (
        "Reporting backlogs grew from 90 to 260 unreported chest X-rays at 17:00 after two consultant radiologists "
        "left in March 2025, and the Care Quality Commission inspection in April 2026 will review the two serious "
        "incidents and our action plan."
    ),
    ("S1Q3", 0): (
        "The median time from acquisition to report for studies with an urgent finding falls from 4.2 hours to "
        "under 1 hour within six months of go-live, measured monthly by the radiology quality lead from RIS "
        "timestamps, with no increase in the turnaround time of routine studies beyond 10%."
    ),
    ("S1Q4", 0): (
        "(1) Radiographers flag suspected urgent studies by phone: tried since 2023, it catches about 40% of "
        "urgent findings because radiographers are not trained to read X-rays. (2) A fixed rule that puts all "
        "emergency-department studies first: it moves 55% of the daily volume up front and so barely changes the "
        "order. (3) More reporting sessions: we cannot recruit radiologists before 2027."
    ),
    ("S1Q5", 0): "no",
    ("S1Q6", 0): (
        "Whether an X-ray shows a pneumothorax or a large effusion is a visual judgement over the whole image; no "
        "rule on the request form, the ordering ward or the patient's age predicts it, and the radiographer flag "
        "misses 60% of urgent findings. Only a model that reads the pixels can sort 450 studies a day by urgency."
    ),
    ("S1Q7", 0): (
        "The urgent findings have visible image patterns that convolutional networks learn reliably. In our "
        "double-reading audit, two radiologists agreed on the presence of these findings in at least 95 % of "
        "studies, so the report text gives a consistent outcome to learn from, and published chest X-ray "
        "models reach a similar agreement with radiologists."
    ),
    ("S1Q8", 0): [
        "chest X-ray image (DICOM pixels) — PACS",
        "projection and patient position (PA, AP, supine) — PACS",
        "patient age and sex — clinical data warehouse",
        "requesting department — RIS",
    ],
    ("S1Q9", 0): {
        "value": "no",
        "detail": "Patient age and sex come from the clinical data warehouse, which is loaded by a nightly batch "
        "at 02:00, so a patient admitted today may be missing when the study is scored.",
    },
    ("S1Q10", 0): (
        "For each new adult chest X-ray, a binary flag 'suspected urgent finding' (yes or no) with a probability "
        "from 0 to 1 and a heat map of the region that drove it, returned to PACS within one minute of the study "
        "arriving; flagged studies move to the top of the reporting worklist."
    ),
    ("S1Q11", 0): "computer_vision",
    ("S1Q12", 0): [
        "writing or drafting the radiology report",
        "children under 16",
        "CT, MRI and ultrasound studies",
        "telling the patient or the ward anything without a radiologist",
    ],
    ("S1Q13", 0): (
        "Time: silent pilot from September 2026, live use before the end of March 2027. Budget: £240k including "
        "the PACS integration. People: one clinical data scientist, one PACS engineer half-time and a consultant "
        "radiologist for four hours a week. Regulation: the model is a medical device under UK MDR and the EU "
        "MDR, and patient data may not leave the hospital network."
    ),
    ("S1Q14", 0): [
        "studies with lines and tubes inserted in the last hour (post-procedure checks are read at once anyway)",
        "portable X-rays taken in intensive care",
        "images with a rejected exposure",
    ],
}

STAGE_2: dict[tuple[str, int], RawAnswer] = {
    # KPI 1
    ("S2Q1", 0): (
        "Median report time for urgent chest X-rays: hours from image acquisition to the verified report for "
        "studies whose report confirms an urgent finding."
    ),
    ("S2Q2", 0): "4.2 hours",
    ("S2Q3", 0): "1 hours",
    ("S2Q4", 0): "6 months",
    ("S2Q5", 0): (
        "The radiology quality lead computes it every month from RIS timestamps (acquisition and report "
        "verification) for the studies whose verified report confirms an urgent finding; the baseline is the "
        "2025 audit of 3,900 such studies."
    ),
    ("S2Q15", 0): ["sensitivity for urgent findings"],
    # KPI 2
    ("S2Q1", 1): (
        "Turnaround time of routine chest X-rays: median hours from acquisition to the verified report for studies "
        "without an urgent finding."
    ),
    ("S2Q2", 1): "26 hours",
    ("S2Q3", 1): "28 hours",
    ("S2Q4", 1): "6 months",
    ("S2Q5", 1): (
        "Computed monthly by the radiology quality lead from the same RIS timestamps for studies without an "
        "urgent finding, to check that moving urgent studies forward does not delay routine reports by more "
        "than 10%."
    ),
    ("S2Q15", 1): ["specificity"],
    ("S2Q6", 0): ["sensitivity for urgent findings", "specificity", "time from image to worklist flag (minutes)"],
    ("S2Q7", 0): (
        "sensitivity for urgent findings: 0.95\nspecificity: 0.80\ntime from image to worklist flag (minutes): 1"
    ),
    ("S2Q8", 0): (
        "During a three-month silent pilot the model scores every chest X-ray without changing the worklist; we "
        "compare its flags with the verified reports each week. After go-live, sensitivity and specificity are "
        "recomputed monthly from verified reports, and the flag time is logged by the PACS integration for every "
        "study."
    ),
    ("S2Q9", 0): (
        "Higher sensitivity means more of the studies that really contain an urgent finding are moved to the top "
        "of the worklist, so a radiologist reads them within the hour and the median report time for urgent "
        "chest X-rays falls. Specificity matters for routine turnaround: every false alarm jumps the queue, so "
        "with a specificity of 0.80 about 85 routine studies a day move ahead, which the department can absorb "
        "without routine reports slipping by more than 10%."
    ),
    ("S2Q10", 0): [
        "radiologists open flagged studies first when they see the flag",
        "a flag within one minute reaches the worklist before the next study is picked",
        "about 85 false alarms a day do not overload the morning reporting sessions",
    ],
    ("S2Q11", 0): [
        "radiologists stop trusting the flag after a run of false alarms",
        "the PACS integration delays flags beyond the next worklist refresh",
        "a new X-ray machine changes image contrast and sensitivity drops",
    ],
    ("S2Q12", 0): "60 minutes",
    ("S2Q13", 0): "1 minutes",
    ("S2Q14", 0): "yes",
}

STAGE_3: dict[tuple[str, int], RawAnswer] = {
    ("S3Q1", 0): [
        "PACS | database | Sectra PACS, on-premises data centre",
        "RIS | database | radiology information system, report and timestamp tables",
        "clinical data warehouse | database | SQL Server warehouse, loaded nightly",
        "labelled research set | file | DICOM and CSV files on the research share",
    ],
    ("S3Q2", 0): (
        "PACS: 1.2 million chest X-rays since 2015, about 450 new studies a day, stored as they are acquired\n"
        "RIS: a report and its timestamps for every study, updated continuously as radiologists sign reports\n"
        "clinical data warehouse: demographics for every patient, loaded by a nightly batch at 02:00\n"
        "labelled research set: 200 images with radiologist-verified findings, fixed (no updates)"
    ),
    ("S3Q3", 0): (
        "PACS: a DICOM query/retrieve node for the model server, approved by the PACS manager\n"
        "RIS: a read-only HL7 feed of reports already used by the audit team\n"
        "clinical data warehouse: a read-only SQL account from the information governance team, about three weeks\n"
        "labelled research set: our existing research share"
    ),
    ("S3Q4", 0): [
        "PACS: chest X-ray image (DICOM pixels), projection and patient position (PA, AP, supine)",
        "RIS: requesting department",
        "clinical data warehouse: patient age and sex",
    ],
    ("S3Q5", 0): {"value": 7, "note": "Report text sometimes hedges ('cannot exclude'), which blurs the outcome."},
    ("S3Q6", 0): {"value": 6, "note": "Two X-ray machines were replaced in 2022 and store positions differently."},
    ("S3Q7", 0): {"value": 8, "note": "Every study has an image and a verified report; 2% lack a projection tag."},
    ("S3Q8", 0): {"value": 5, "note": "Demographics arrive only after the 02:00 load; images arrive at once."},
    ("S3Q9", 0): {"value": 8, "note": "DICOM headers are validated by PACS on arrival."},
    ("S3Q10", 0): {"value": 7, "note": "About 1% of RIS reports cannot be linked to a PACS study."},
    ("S3Q21", 0): "200",
    ("S3Q22", 0): "3000",
    # The team planned no new labels: they meant to read outcomes from the report text (weak supervision).
    ("S3Q11", 0): "0",
    ("S3Q12", 0): "weak_supervision",
    ("S3Q16", 0): "partial",
    ("S3Q17", 0): "full",
    ("S3Q18", 0): "full",
    ("S3Q19", 0): "partial",
    ("S3Q20", 0): (
        "Training: 1.2 million images, about 9 TB, fit the research GPU server (two A100 cards); a full training run "
        "takes about 30 hours. Live scoring of 450 studies a day needs one GPU and answers in about 20 seconds a "
        "study. The nightly warehouse load cannot supply demographics in real time; an HL7 ADT feed would, at an "
        "estimated ten engineer-days."
    ),
}

STAGE_4: dict[tuple[str, int], RawAnswer] = {
    # Persona 1: the reporting radiologists
    ("S4Q1", 0): (
        "The 14 consultant radiologists and 6 registrars who report chest X-rays from the PACS worklist during "
        "the day and on call."
    ),
    ("S4Q2", 0): (
        "They report about 450 chest X-rays a day between them, must report urgent findings within one hour under "
        "the departmental standard, and are personally accountable for every verified report."
    ),
    ("S4Q3", 0): [
        "urgent studies are hidden among 260 unreported routine studies late in the day",
        "radiographers' phone calls interrupt reporting and are often false alarms",
        "no way to see which unread studies are likely to be urgent",
    ],
    ("S4Q4", 0): "intermediate",
    ("S4Q5", 0): "hourly",
    ("S4Q6", 0): "decides",
    ("S4Q7", 0): (
        "Eight 45-minute interviews with consultants and registrars in January 2026, two half-day observations of "
        "reporting sessions, and PACS logs of 110,000 reported chest X-rays from 2025."
    ),
    # Persona 2: the reporting manager
    ("S4Q1", 1): (
        "Dr Amira Okafor, the radiology reporting manager, who plans the reporting sessions and watches the "
        "worklist backlog through the day."
    ),
    ("S4Q2", 1): (
        "She is accountable for turnaround times against the departmental standards, reports them monthly to the "
        "clinical director, and decides when to call in an extra reporting session."
    ),
    ("S4Q3", 1): [
        "backlog figures arrive the next morning, too late to add a session",
        "no view of how many urgent studies are waiting right now",
    ],
    ("S4Q4", 1): "intermediate",
    ("S4Q5", 1): "daily",
    ("S4Q6", 1): "advises",
    ("S4Q7", 1): (
        "Two workshops with Dr Okafor and the clinical director in February 2026 and twelve months of her "
        "turnaround spreadsheets."
    ),
    ("S4Q8", 0): (
        "Studies enter the PACS worklist in order of arrival; radiologists pick from the top, and a radiographer "
        "phones the reporting room when they suspect an urgent finding, about 25 calls a day."
    ),
    ("S4Q9", 0): (
        "A red 'suspected urgent' flag and the probability appear in the worklist row within a minute of "
        "acquisition; flagged studies sort to the top. Opening the study shows a heat-map overlay that the "
        "radiologist can switch off."
    ),
    ("S4Q10", 0): (
        "The radiologist reports the study as usual and, for flagged studies, ticks 'flag correct' or 'flag wrong' "
        "in the report form; urgent findings are phoned to the ward under the existing critical-results policy."
    ),
    ("S4Q11", 0): [
        "the flag in the PACS worklist",
        "the heat-map overlay when the study is opened",
        "the flag-correct tick box in the report form",
    ],
    ("S4Q12", 0): [
        "radiologist picks the next study to report",
        "radiologist decides whether the finding is urgent and phones the ward",
        "reporting manager adds an extra reporting session",
    ],
    ("S4Q13", 0): [
        "a missed pneumothorax stays at the bottom of the worklist for hours",
        "a run of false alarms pushes routine studies back",
        "a silent integration failure leaves the worklist unsorted without anyone noticing",
    ],
    ("S4Q14", 0): (
        "A missed urgent finding can harm a patient's health and safety: an untreated tension pneumothorax can be "
        "fatal within hours. A false alarm costs about ten minutes of a radiologist's time. The model is a medical "
        "device, so a wrong output also carries legal exposure for the trust."
    ),
    ("S4Q15", 0): [
        "EU AI Act (high-risk: the safety component of a medical device)",
        "UK Medical Device Regulations 2002 and EU MDR, class IIa software",
        "UK GDPR and the Data Protection Act 2018 (health data)",
    ],
    ("S4Q16", 0): "domain_expert",
    ("S4Q17", 0): "local",
    ("S4Q18", 0): [
        "heat-map overlay of the image region that drove each flag (Grad-CAM)",
        "the probability shown next to the flag",
    ],
    ("S4Q19", 0): "both",
    ("S4Q20", 0): (
        "The 'flag correct / flag wrong' tick box in the report form, plus the verified report itself, which the "
        "RIS feed compares with each flag; both are written to a feedback table with the study ID."
    ),
    ("S4Q21", 0): "weekly",
    ("S4Q22", 0): (
        "Verified reports become new labels after a radiologist audit of a 5% sample each month; the data "
        "scientist retrains twice a year, and any retrained model passes the silent-pilot test set again before "
        "the medical device change process releases it."
    ),
    ("S4Q23", 0): (
        "A one-hour session for all radiologists and registrars on what the flag and heat map mean and when to "
        "ignore them, a one-page guide on the PACS home screen, and a briefing for radiographers that the phone "
        "call stays in place."
    ),
}

STAGE_5: dict[tuple[str, int], RawAnswer] = {
    ("S5Q1", 0): "formal",
    ("S5Q2", 0): (
        "The model could perform worse on portable and supine images, which are more common for frail and older "
        "patients; radiologists could rely on the flag and look less carefully at unflagged studies; a silent "
        "integration failure could leave the worklist unsorted."
    ),
    ("S5Q3", 0): [
        "patients whose urgent finding is missed and not flagged",
        "frail and older patients imaged supine, where the model may be less accurate",
        "radiologists held accountable for reports read in a model-set order",
    ],
    # Fairness
    ("S5Q4", 0): (
        "Sensitivity may be lower for supine and portable images, taken more often of frail and older patients, "
        "and for patients with implanted devices, so their urgent findings would be flagged less often."
    ),
    ("S5Q5", 0): "high",
    ("S5Q6", 0): "medium",
    ("S5Q7", 0): (
        "Report sensitivity separately by age band, sex and projection in the silent pilot and monthly after "
        "go-live, with each within 5 points of the overall figure (owner: clinical data scientist); studies the "
        "model cannot score stay in arrival order and are marked 'not assessed'."
    ),
    ("S5Q8", 0): "60%",
    ("S5Q35", 0): "implemented",
    # Privacy
    ("S5Q9", 0): (
        "Training copies 1.2 million patient images and reports into a research environment that more staff can "
        "reach than PACS, and a model trained on identifiable images could leak details if shared outside the trust."
    ),
    ("S5Q10", 0): "high",
    ("S5Q11", 0): "low",
    ("S5Q12", 0): (
        "A data protection impact assessment approved by the Caldicott guardian before training; images "
        "pseudonymised and kept on the research server inside the hospital network; the model is never shared "
        "outside the trust; access reviewed quarterly by information governance."
    ),
    ("S5Q13", 0): "80%",
    ("S5Q36", 0): "verified",
    # Transparency
    ("S5Q14", 0): (
        "Radiologists may not know why a study was flagged or not, and after an incident nobody could reconstruct "
        "which model version ordered the worklist unless every flag is logged."
    ),
    ("S5Q15", 0): "medium",
    ("S5Q16", 0): "medium",
    ("S5Q17", 0): (
        "Log every flag with the model version, probability and heat map for 8 years, as for other medical "
        "records (owner: PACS engineer); name the clinical director as the accountable owner; publish an "
        "instructions-for-use document with the model's limits before go-live."
    ),
    ("S5Q18", 0): "75%",
    ("S5Q37", 0): "implemented",
    # Safety
    ("S5Q19", 0): (
        "A missed urgent finding leaves a patient waiting in the routine queue, and an integration failure could "
        "stop all flags silently; either can delay treatment of a tension pneumothorax, which can be fatal."
    ),
    ("S5Q20", 0): "critical",
    ("S5Q21", 0): "medium",
    ("S5Q22", 0): (
        "The worklist order never hides a study: unflagged studies keep their arrival order; a heartbeat check "
        "alerts the PACS team when no flag was written for 15 minutes; the radiographer phone call stays in "
        "place; monthly sensitivity review by the clinical safety officer."
    ),
    ("S5Q23", 0): "70%",
    ("S5Q38", 0): "implemented",
    # Human agency
    ("S5Q24", 0): (
        "Radiologists may read unflagged studies less carefully (automation bias), and the worklist order is set "
        "by the model rather than by a person."
    ),
    ("S5Q25", 0): "high",
    ("S5Q26", 0): "medium",
    ("S5Q27", 0): (
        "The flag never replaces a read: every study is reported by a radiologist; training covers automation "
        "bias; a monthly audit re-reads 50 unflagged studies; the reporting manager can switch sorting off at any "
        "time from the PACS admin screen."
    ),
    ("S5Q28", 0): "60%",
    ("S5Q39", 0): "implemented",
    # EU AI Act classification: the safety component of a medical device (Annex I), no Annex III area
    ("S5Q40", 0): "none",
    ("S5Q41", 0): "yes",
    ("S5Q42", 0): "none",
    ("S5Q44", 0): "no",
    ("S5Q45", 0): "none",
    # Acceptance and monitoring
    ("S5Q29", 0): "with_conditions",
    ("S5Q30", 0): (
        "The residual risks are accepted for a supervised deployment because every study is still read by a "
        "radiologist and the radiographer phone call remains, provided the silent pilot shows sensitivity of at "
        "least 0.95 and the medical device registration is complete before live use."
    ),
    ("S5Q31", 0): (
        "The clinical safety officer reviews a monthly dashboard of sensitivity by age band, sex and projection, "
        "false-alarm rate, flag delay and the radiologists' 'flag wrong' ticks; any figure outside its bound is "
        "raised at the radiology governance meeting within two weeks."
    ),
    ("S5Q32", 0): [
        "sensitivity gap between age bands (bound: at most 5 points)",
        "flags later than one minute (bound: at most 1% of studies)",
        "share of flags marked wrong by radiologists (investigate above 30%)",
    ],
    ("S5Q33", 0): "quarterly",
    ("S5Q34", 0): [
        "a missed urgent finding linked to the flag: clinical incident review and sorting switched off until it ends",
        "no flag written for 15 minutes: the PACS team restores the feed and the reporting room is told",
        "sensitivity below 0.90 in any month: return to arrival order and retrain",
    ],
}

HOSPITAL_ANSWERS: dict[tuple[str, int], RawAnswer] = {**STAGE_1, **STAGE_2, **STAGE_3, **STAGE_4, **STAGE_5}
HOSPITAL_ANSWERS_BY_STAGE: dict[int, dict[tuple[str, int], RawAnswer]] = {
    1: STAGE_1,
    2: STAGE_2,
    3: STAGE_3,
    4: STAGE_4,
    5: STAGE_5,
}


def hospital_answer_values(stages: tuple[int, ...] = (1, 2, 3, 4, 5)) -> dict[tuple[str, int], dict[str, Any]]:
    """The stored JSON form of every answer of `stages` (`validate_answer(...).to_json()`)."""
    return {
        key: validate_answer(key[0], raw).to_json()
        for stage in stages
        for key, raw in HOSPITAL_ANSWERS_BY_STAGE[stage].items()
    }
