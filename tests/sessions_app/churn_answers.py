"""A complete, realistic answer set for a churn-prediction project, reusable by any test.

`CHURN_ANSWERS` maps `(question_id, item) -> raw input` exactly as a user (or an API client) would submit it;
every question of all five stages is answered, and the repeatable groups have two items (two KPIs, two personas).
`churn_answer_values()` runs each raw input through `validate_answer(...).to_json()`, which is the stored form.

The project: Kestrel Fibre, a regional broadband provider with 240,000 residential subscribers, wants to predict
which subscribers will cancel within 60 days so that its retention team can call them first. The text answers
are specific (figures, timeframes, owners, named people and methods) so that they pass the quality check.
"""

from __future__ import annotations

from typing import Any

from sessions_app.interview.answer_types import validate_answer

RawAnswer = str | int | float | list[str] | dict[str, Any]

STAGE_1: dict[tuple[str, int], RawAnswer] = {
    ("S1Q1", 0): (
        "About 2.3% of our 240,000 residential broadband subscribers cancel every month, roughly 66,000 a year. "
        "Each cancellation costs about €480 of margin over the following twelve months, and the 30-person "
        "retention team only learns that a customer is leaving when the cancellation call arrives."
    ),
    ("S1Q2", 0): (
        "Monthly churn rose from 1.7% to 2.3% after a fibre competitor entered four of our six regions in "
        "February 2025, and the board has asked for churn below 1.9% before the budget review in November 2025."
    ),
    ("S1Q3", 0): (
        "Monthly churn falls from 2.3% to 1.9% within two quarters of launch, measured by finance from "
        "cancellations in the billing system, while retention offer spending stays within the current "
        "€1.4M a year."
    ),
    ("S1Q4", 0): (
        "(1) A blanket €10 discount at contract renewal, tried in 2024: it cost €520k and cut churn by 0.1 "
        "points because 60% of leavers cancel mid-contract. (2) A weekly report of customers with three or more "
        "support tickets in 30 days: it catches only 14% of leavers. (3) A vendor churn dashboard: it shows past "
        "churn by region but gives no list of which customers to call next week."
    ),
    ("S1Q5", 0): "partly",
    ("S1Q6", 0): (
        "Cancellations follow combinations of about 45 signals (falling usage, repeated outages, a billing "
        "dispute, a competitor launching in the postcode) whose weights differ by customer segment and drift "
        "month to month. Nobody can maintain hand-written rules over 45 signals for 240,000 customers, and the "
        "ticket-count rule already misses 86% of leavers."
    ),
    ("S1Q7", 0): (
        "We hold 36 months of history with about 190,000 cancellations recorded in billing, plus usage, outage "
        "and ticket logs for the same customers. Our analysts see usage drop by 30% and tickets double four to "
        "eight weeks before most cancellations. We assume that customer behaviour after the competitor launch "
        "resembles the last 12 months of data."
    ),
    ("S1Q8", 0): [
        "monthly data usage over the last 6 months — network usage warehouse",
        "support tickets in the last 90 days — Zendesk",
        "outage minutes on the customer's line — network monitoring",
        "contract end date — billing system",
        "monthly bill amount and recent price changes — billing system",
    ],
    ("S1Q9", 0): {
        "value": "no",
        "detail": "Outage minutes are only reconciled at month end, so a mid-month score would see last month's "
        "figure; every other feature is refreshed nightly.",
    },
    ("S1Q10", 0): (
        "For each active residential subscriber, the probability (0 to 1) that they cancel within the next 60 "
        "days, refreshed every Monday, with the three factors that contribute most. Subscribers above a cut-off "
        "agreed with the retention team lead go on that week's call list."
    ),
    ("S1Q11", 0): "classification",
    ("S1Q12", 0): [
        "business customers, who have separate contracts and account managers",
        "choosing which retention offer to make",
        "contacting customers automatically without an agent reviewing the list",
        "mobile and TV-only products",
    ],
    ("S1Q13", 0): (
        "Time: pilot live within 4 months, by the end of October 2025. Budget: €160k including cloud costs. "
        "People: one data scientist, half an ML engineer, and the retention team lead for two hours a week. "
        "Regulation: GDPR, so customer data stays in the EU and retention profiling must be covered by our "
        "privacy notice."
    ),
    ("S1Q14", 0): [
        "customers in their first 60 days (too little usage history)",
        "accounts already in the cancellation process",
        "customers moving home, handled as a transfer rather than churn",
    ],
}

STAGE_2: dict[tuple[str, int], RawAnswer] = {
    # KPI 1
    ("S2Q1", 0): (
        "Monthly churn rate of residential broadband subscribers: cancellations in the month divided by active "
        "subscribers on the first day of the month."
    ),
    ("S2Q2", 0): "2.3 %",
    ("S2Q3", 0): "1.9 %",
    ("S2Q4", 0): "2 quarters",
    ("S2Q5", 0): (
        "Finance computes it monthly from cancellation records in the billing system. For the first two "
        "quarters we compare customers on the model's call list with a random 10% hold-out group that gets "
        "today's process only, so the difference in churn is measured as an A/B comparison."
    ),
    # KPI 2
    ("S2Q1", 1): (
        "Retention save rate of called customers: share of customers on the weekly call list who are still "
        "active 90 days after the call."
    ),
    ("S2Q2", 1): "31 %",
    ("S2Q3", 1): "40 %",
    ("S2Q4", 1): "3 months",
    ("S2Q5", 1): (
        "The retention team lead reports it every month from call outcomes logged in the CRM, joined to billing "
        "status 90 days after each call; the baseline is the save rate of March to May 2025."
    ),
    ("S2Q15", 0): ["recall"],
    ("S2Q15", 1): ["precision"],
    ("S2Q6", 0): ["recall", "precision", "AUC-ROC"],
    ("S2Q7", 0): "recall: 0.70\nprecision: 0.40\nAUC-ROC: 0.80",
    ("S2Q8", 0): (
        "Every weekly score is stored. Sixty days later we join it to cancellations in billing and recompute "
        "recall and precision on a monthly dashboard owned by the data scientist. For the first two quarters a "
        "random 10% of high-risk customers get the current process only, as an A/B test against today's process."
    ),
    ("S2Q9", 0): (
        "Higher recall puts more future leavers on the weekly call list; agents call them with an offer matched "
        "to their main risk factor, and about 30% of customers reached before they ask to cancel accept, so each "
        "extra leaver caught prevents about 0.3 cancellations and lowers the monthly churn rate. Higher precision "
        "keeps the list short enough for agents to call every listed customer, which raises the retention save "
        "rate of called customers because calls go to people who were really about to leave."
    ),
    ("S2Q10", 0): [
        "the retention team can make 1,400 extra calls a week",
        "offers work as well for model-selected customers as today (about 30% accept)",
        "customers reached two to eight weeks early can still be persuaded to stay",
    ],
    ("S2Q11", 0): [
        "agents skip calls when the weekly list is longer than their capacity",
        "a competitor price cut makes our offers ineffective",
        "customers contacted too often leave out of annoyance",
    ],
    ("S2Q12", 0): "21 days",
    ("S2Q13", 0): "8 days",
    ("S2Q14", 0): "yes",
}

STAGE_3: dict[tuple[str, int], RawAnswer] = {
    ("S3Q1", 0): [
        "billing | database | PostgreSQL billing database, EU-West data centre",
        "support tickets | API | Zendesk REST API",
        "network usage | file | daily Parquet exports in the S3 data lake",
        "outage alerts | stream | Kafka topic network.outages",
    ],
    ("S3Q2", 0): (
        "billing: 240k active accounts and 8.1M invoice rows, updated nightly\n"
        "support tickets: 510k tickets since 2022 in Zendesk, available in real time\n"
        "network usage: about 45 GB a month in daily files that land by 06:00\n"
        "outage alerts: about 2,300 events a day, streamed"
    ),
    ("S3Q3", 0): (
        "billing: a read replica through a service account approved by the finance data owner within two weeks\n"
        "support tickets: the read-only Zendesk API token we already hold\n"
        "network usage: our existing data-lake role\n"
        "outage alerts: a new Kafka consumer group requested from the platform team, about one week"
    ),
    ("S3Q4", 0): [
        "billing: contract end date, monthly bill amount and recent price changes",
        "support tickets: support tickets in the last 90 days",
        "network usage: monthly data usage over the last 6 months",
        "outage alerts: outage minutes on the customer's line",
    ],
    ("S3Q5", 0): {"value": 8, "note": "Billing reconciles with finance to the cent; usage is metered."},
    ("S3Q6", 0): {"value": 6, "note": "Zendesk identifies customers by email and renamed categories in 2023."},
    ("S3Q7", 0): {"value": 7, "note": "Outage minutes are missing for two regions before mid-2023."},
    ("S3Q8", 0): {"value": 7, "note": "Usage and tickets are a day old at scoring; outages lag a month."},
    ("S3Q9", 0): {"value": 8, "note": "About 0.5% of usage rows carry negative values from a known export bug."},
    ("S3Q10", 0): {"value": 7, "note": "About 3% of tickets cannot be matched to an account."},
    # Billing does not tell a home move from a real cancellation before 2024, so agents relabel a sample.
    ("S3Q21", 0): "190000",
    ("S3Q22", 0): "150000",
    ("S3Q11", 0): "3000",
    ("S3Q12", 0): "in_house",
    ("S3Q13", 0): "9000 EUR",
    ("S3Q14", 0): "4",
    ("S3Q15", 0): (
        "Two retention agents label an overlapping 10% sample of the 3,000 cancellations as 'moved home' or "
        "'churned' from the call notes; we track Cohen's kappa weekly and require at least 0.8; the retention "
        "team lead settles disagreements, and the guidelines are revised after the first 300 labels."
    ),
    ("S3Q16", 0): "partial",
    ("S3Q17", 0): "partial",
    ("S3Q18", 0): "partial",
    ("S3Q19", 0): "full",
    ("S3Q20", 0): (
        "Yes for training: 36 months of features, about 1.7 TB, fit our Spark cluster and a full retrain takes "
        "about two hours. Weekly batch scoring of 240k customers takes under ten minutes. The outage stream needs "
        "a new daily aggregation job, estimated at three engineer-days in September 2025."
    ),
}

STAGE_4: dict[tuple[str, int], RawAnswer] = {
    # Persona 1: the agents
    ("S4Q1", 0): (
        "The 30 retention agents in the Bristol contact centre, who phone customers at risk of leaving and "
        "decide which retention offer to make."
    ),
    ("S4Q2", 0): (
        "Agents are measured on customers saved per week (target 20) and on offer cost per save; they choose an "
        "offer within a discount limit of €15 a month for six months."
    ),
    ("S4Q3", 0): [
        "most outbound calls reach customers who have already signed with a competitor",
        "about 40 minutes a day spent searching three systems for a customer's history",
        "no way to tell which complaint actually drives a customer away",
    ],
    ("S4Q4", 0): "intermediate",
    ("S4Q5", 0): "daily",
    ("S4Q6", 0): "decides",
    ("S4Q7", 0): (
        "Nine one-hour interviews with retention agents and two shadowing sessions in May 2025, plus CRM logs "
        "of 15,000 retention calls from the last six months."
    ),
    # Persona 2: the team lead
    ("S4Q1", 1): (
        "Priya Shah, the retention team lead, who plans the weekly call capacity of 30 agents and sets the "
        "cut-off for the call list."
    ),
    ("S4Q2", 1): (
        "She is accountable for the team's monthly save target of 2,400 customers and a retention budget of "
        "€1.4M a year, and reports both to the head of customer operations every month."
    ),
    ("S4Q3", 1): [
        "call capacity is planned from last month's volumes, so weeks with outages overload the team",
        "no weekly view of which offers work for which kind of customer",
    ],
    ("S4Q4", 1): "intermediate",
    ("S4Q5", 1): "weekly",
    ("S4Q6", 1): "decides",
    ("S4Q7", 1): (
        "Two 90-minute workshops with Priya Shah and the head of customer operations in June 2025, and twelve "
        "months of her weekly capacity spreadsheets."
    ),
    ("S4Q8", 0): (
        "Agents take inbound cancellation calls, look the customer up in billing, the CRM and Zendesk, which takes "
        "about 4 minutes a call, and make an offer from a fixed table. Outbound calls only go to customers whose "
        "contract ends within 30 days."
    ),
    ("S4Q9", 0): (
        "Each Monday a ranked call list appears in the CRM; each row shows the churn probability, the top three "
        "risk factors in plain language and the contract details. Agents open a row, read the factors and call "
        "within the week."
    ),
    ("S4Q10", 0): (
        "The agent logs the outcome (saved, declined, unreachable) and the offer made in the CRM within the call; "
        "saved customers get a confirmation email within a day; the team lead reviews saves and offer cost every "
        "Friday."
    ),
    ("S4Q11", 0): [
        "opening the weekly call list in the CRM",
        "reading the risk factors before dialling",
        "logging the call outcome",
    ],
    ("S4Q12", 0): [
        "agent decides whether to call a listed customer",
        "agent chooses the retention offer",
        "team lead sets the weekly cut-off for the list",
    ],
    ("S4Q13", 0): [
        "a loyal customer is called with an unneeded discount (about €90 of lost margin)",
        "a customer about to leave is missing from the list (about €480 of lost margin)",
        "a wrong risk factor leads the agent to an irrelevant offer",
    ],
    ("S4Q14", 0): (
        "A missed leaver costs about €480 of margin over a year and an unneeded offer about €90. No one's "
        "health, safety, credit or employment is affected by a call or an offer, but profiling customers falls "
        "under GDPR, so customers can ask why they were contacted and we must answer within 30 days."
    ),
    ("S4Q15", 0): [
        "GDPR Article 21 (right to object to profiling for direct marketing)",
        "GDPR Articles 13 and 14 (informing customers about profiling)",
        "Ofcom general conditions on fair treatment of customers",
    ],
    ("S4Q16", 0): "non_technical",
    ("S4Q17", 0): "both",
    ("S4Q18", 0): [
        "SHAP values turned into the top three plain-language reason codes per customer (agents)",
        "global feature importance reviewed monthly (team lead and privacy officer)",
    ],
    ("S4Q19", 0): "both",
    ("S4Q20", 0): (
        "A 'this reason is wrong' button next to each risk factor in the CRM, plus the call outcome field agents "
        "already fill in; both are written to a feedback table with the prediction ID, costing agents about "
        "5 seconds per call."
    ),
    ("S4Q21", 0): "weekly",
    ("S4Q22", 0): (
        "Logged outcomes become new labels after 60 days. Every quarter the data scientist retrains the model on "
        "the latest 36 months; a reason flagged by more than 5% of agents in a month triggers a feature review "
        "before the next retrain, signed off by the retention team lead."
    ),
    ("S4Q23", 0): (
        "A 90-minute session for all 30 agents on reading the score and the reasons, including when to ignore "
        "the list (for example during a known network outage); a one-page guide in the CRM; and a 30-minute "
        "refresher after each quarterly retrain that changes the reasons."
    ),
}

STAGE_5: dict[tuple[str, int], RawAnswer] = {
    ("S5Q1", 0): "informal",
    ("S5Q2", 0): (
        "Older and rural customers could receive fewer offers because they use less data; customers may not "
        "expect their complaint history to drive sales calls; agents could follow the list without judgement; "
        "a silent pipeline failure could send agents after the wrong customers for weeks."
    ),
    ("S5Q3", 0): [
        "older and rural customers who are never offered a discount because of their usage pattern",
        "customers who receive repeated unwanted retention calls",
        "retention agents judged on save targets they cannot meet if the list is poor",
    ],
    # Fairness
    ("S5Q4", 0): (
        "Usage-based signals rank older and rural customers as less likely to leave because they use less data, "
        "so they would receive fewer retention offers; postcode also acts as a partial proxy for income, which "
        "could steer discounts away from lower-income areas."
    ),
    ("S5Q5", 0): "high",
    ("S5Q6", 0): "high",
    ("S5Q7", 0): (
        "Exclude age and postcode from the features; measure recall per age band and per region every month and "
        "require each to stay within 5 points of the overall figure (owner: data science lead); the retention "
        "team lead checks monthly that offers of equal value reach every segment."
    ),
    ("S5Q8", 0): "55%",
    ("S5Q35", 0): "implemented",
    # Privacy
    ("S5Q9", 0): (
        "The model profiles 240,000 customers from their usage and support history. Customers may not expect "
        "their complaints to be used for retention calls, and the feature table copies personal data into a new "
        "store that more staff can reach."
    ),
    ("S5Q10", 0): "high",
    ("S5Q11", 0): "medium",
    ("S5Q12", 0): (
        "A data protection impact assessment completed before the pilot (owner: privacy officer); the privacy "
        "notice updated to cover retention profiling, with an opt-out that removes the customer from the list "
        "within 7 days; the feature store holds pseudonymised IDs only, keeps 36 months and is audited quarterly."
    ),
    ("S5Q13", 0): "80%",
    ("S5Q36", 0): "verified",
    # Transparency
    ("S5Q14", 0): (
        "Agents may not understand why a customer is on the list, and customers cannot tell why they were offered "
        "a discount. Without a log of scores and model versions nobody could reconstruct, even a month later, "
        "why a particular customer was or was not called."
    ),
    ("S5Q15", 0): "medium",
    ("S5Q16", 0): "medium",
    ("S5Q17", 0): (
        "Store every score with the model version, inputs and reason codes for 24 months (owner: ML engineer); "
        "name the head of customer operations as the accountable owner; give agents a two-sentence script "
        "explaining why we are calling; publish a plain-language model card before launch."
    ),
    ("S5Q18", 0): "75%",
    ("S5Q37", 0): "implemented",
    # Safety
    ("S5Q19", 0): (
        "If a pipeline fails silently, the model scores stale usage data and sends agents after the wrong "
        "customers for weeks; drift after a price change could make the list worthless without anyone noticing "
        "for a month. There is no physical safety impact, as the output only drives phone calls."
    ),
    ("S5Q20", 0): "medium",
    ("S5Q21", 0): "medium",
    ("S5Q22", 0): (
        "Freshness and volume checks block weekly scoring when inputs are more than 2 days old (owner: ML "
        "engineer); weekly drift monitoring on the ten most important features with alerts to the data "
        "scientist; automatic fallback to the contract-end rule whenever the model is unavailable."
    ),
    ("S5Q23", 0): "80%",
    ("S5Q38", 0): "verified",
    # Human agency
    ("S5Q24", 0): (
        "Agents may treat the list as an instruction and stop using their judgement, customers may feel "
        "pressured by repeated calls within a few weeks, and customers have no simple way today to object to "
        "being profiled."
    ),
    ("S5Q25", 0): "medium",
    ("S5Q26", 0): "medium",
    ("S5Q27", 0): (
        "Agents may skip any listed customer with a reason code, and skip rates are reviewed weekly by the team "
        "lead; a customer is called at most once a quarter; the opt-out is offered on every call; the team lead "
        "can pause the list at any time from the CRM."
    ),
    ("S5Q28", 0): "70%",
    ("S5Q39", 0): "implemented",
    # EU AI Act classification: a marketing use, no Annex III area, profiles customers, nobody talks to it
    ("S5Q40", 0): "none",
    ("S5Q41", 0): "no",
    ("S5Q42", 0): "none",
    ("S5Q44", 0): "yes",
    ("S5Q45", 0): "none",
    # Acceptance and monitoring
    ("S5Q29", 0): "with_conditions",
    ("S5Q30", 0): (
        "Three principles end at low residual risk, privacy at medium and fairness at high once the mitigations "
        "are in place; the worst remaining harm, a customer missing an offer, is financial and reversible. The head of "
        "customer operations and the privacy officer accept it for a six-month pilot on condition that the "
        "fairness dashboard is live before the first call list and reviewed monthly."
    ),
    ("S5Q31", 0): (
        "A monthly ethics dashboard owned by the data science lead covers recall gaps between age bands and "
        "regions, opt-outs, skip rates and complaints; the privacy officer and the head of customer operations "
        "review it monthly, and any figure outside its bound triggers a review within five working days."
    ),
    ("S5Q32", 0): [
        "recall gap between age bands (bound: at most 5 points)",
        "share of listed customers who opt out (bound: at most 3%)",
        "agent skip rate (investigate above 40% or below 2%)",
        "complaints that mention retention calls, per month",
    ],
    ("S5Q33", 0): "quarterly",
    ("S5Q34", 0): [
        "recall gap between any two age bands above 10 points for two months: pause the list and escalate to "
        "the ethics board",
        "a confirmed call to a customer who opted out: stop scoring until the filter is fixed",
        "data freshness check failing for more than 3 days: fall back to the contract-end rule",
    ],
}

CHURN_ANSWERS: dict[tuple[str, int], RawAnswer] = {**STAGE_1, **STAGE_2, **STAGE_3, **STAGE_4, **STAGE_5}
CHURN_ANSWERS_BY_STAGE: dict[int, dict[tuple[str, int], RawAnswer]] = {
    1: STAGE_1,
    2: STAGE_2,
    3: STAGE_3,
    4: STAGE_4,
    5: STAGE_5,
}


def churn_answer_values(stages: tuple[int, ...] = (1, 2, 3, 4, 5)) -> dict[tuple[str, int], dict[str, Any]]:
    """The stored JSON form of every answer of `stages` (`validate_answer(...).to_json()`)."""
    return {
        key: validate_answer(key[0], raw).to_json()
        for stage in stages
        for key, raw in CHURN_ANSWERS_BY_STAGE[stage].items()
    }
