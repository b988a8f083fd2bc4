"""One monitoring run (模型监控): the assessments since the model was registered, their matured outcomes, every
figure and its status, and the exit code a scheduler pages on.

:func:`monitor` is pure: it takes the recorded assessments, the outcome rows and loan histories (as
:mod:`credit_engine.outcomes` builds them), the model's reference profile, the feature spec and the monitoring
policy, and answers a :class:`MonitoringResult` — sections of rows, a note for each section left empty and why, and
the worst status. :func:`read_inputs` reads the assessments and outcomes from the database that holds the ledger and
its audit log, as known at the end of the as-of day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from credit_engine.assessment.audit_record import StoredAssessment
from credit_engine.features import FeatureSpec
from credit_engine.monitoring import decisions, fairness, performance, stability
from credit_engine.monitoring.assessments import assessment_frame
from credit_engine.monitoring.policy import ACT, MonitoringPolicy, worst
from credit_engine.monitoring.profile import ReferenceProfile
from credit_engine.outcomes.events import LoanHistory
from credit_engine.outcomes.table import outcome_table

EXIT_ACT = 3
STATUS_KEYS = ("status", "ratio_status", "calibration_status")
NO_ASSESSMENTS = (
    "期间内审计日志没有单笔评估记录（单笔评估来自评分接口；批量评级 rate 只记一条汇总）/ no assessment in the audit "
    "log for the period (assessments come from the scoring API; a `rate` batch run is one summary entry)"
)
NO_MATURED = (
    "没有已成熟且可关联评估的贷款（表现期未满或放款未关联评估）/ no matured loan linked to an assessment "
    "(windows not yet over, or loans not linked to assessments)"
)
NO_UNMATURED = "没有未成熟贷款 / no unmatured loans linked to an assessment"


@dataclass(frozen=True, slots=True)
class MonitoringInputs:
    assessments: list[StoredAssessment]
    outcomes: list[dict[str, Any]]
    histories: dict[tuple[str, str], LoanHistory]
    known_at: dt.datetime


@dataclass(frozen=True, slots=True)
class MonitoringResult:
    as_of: dt.date
    since: dt.date | None
    model: Mapping[str, str]
    policy: MonitoringPolicy
    sections: dict[str, list[dict]]
    notes: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return worst(row.get(key) for rows in self.sections.values() for row in rows for key in STATUS_KEYS)

    @property
    def exit_code(self) -> int:
        """0 when every figure is green or at watch, 3 when any is at act."""
        return EXIT_ACT if self.status == ACT else 0


def read_inputs(
    engine: Engine,
    as_of: dt.date,
    definition,  # noqa: ANN001 - OutcomeDefinition
    known_at: dt.datetime | None = None,
) -> MonitoringInputs:
    """The assessments, outcome rows and loan histories as known at ``known_at`` (default: the end of ``as_of``)."""
    from credit_engine.ledger.queries import outcomes as reads
    from credit_engine.ledger.unit_of_work import UnitOfWork
    from credit_engine.outcomes.build import end_of_day

    moment = known_at or end_of_day(as_of)
    with UnitOfWork(engine, read_only=True) as uow:
        histories = reads.loan_histories(uow, as_of, moment)
        named = reads.named_assessments(uow, moment)
        assessments = reads.recorded_assessments(uow, moment, product=definition.product)
    table = outcome_table(histories, named, assessments, definition, as_of, moment)
    by_loan = {(h.fund_id, h.loan_id): h for h in histories}
    return MonitoringInputs(assessments, table.rows, by_loan, moment)


def _in_period(stored: StoredAssessment, since: dt.date | None, as_of: dt.date) -> bool:
    applied = str(stored.inputs.get("application_date") or stored.recorded_at.date())[:10]
    return (since is None or applied >= since.isoformat()) and applied <= as_of.isoformat()


def _outcome_frame(outcomes: Sequence[dict], assessment_ids: set[str]) -> pd.DataFrame:
    frame = pd.DataFrame([row for row in outcomes if row["assessment_id"] in assessment_ids])
    if frame.empty:
        return pd.DataFrame(columns=["assessment_id", "pd", "grade", "label", "defaulted", "vintage"])
    frame["vintage"] = frame["disbursed_on"].map(lambda day: f"{day:%Y-%m}")
    frame["pd"] = pd.to_numeric(frame["pd"], errors="coerce")
    return frame


def monitor(  # noqa: PLR0913 - the run's inputs
    inputs: MonitoringInputs,
    profile: ReferenceProfile,
    spec: FeatureSpec,
    policy: MonitoringPolicy,
    grades: tuple[str, ...],
    as_of: dt.date,
    since: dt.date | None = None,
    model: Mapping[str, str] | None = None,
) -> MonitoringResult:
    """Every figure of the assessments applied for from ``since`` to ``as_of`` and of their loans' outcomes."""
    chosen = [s for s in inputs.assessments if _in_period(s, since, as_of)]
    frame, features = assessment_frame(chosen, spec, policy.fairness.age_bands)
    outcomes = _outcome_frame(inputs.outcomes, {s.assessment_id for s in chosen})
    matured = outcomes[outcomes["label"].isin(["bad", "good"])]
    censored = outcomes[outcomes["label"] == "censored"]
    if not frame.empty:
        labels = dict(zip(matured["assessment_id"], matured["defaulted"], strict=True))
        frame["defaulted"] = frame["assessment_id"].map(labels)
    sections = {
        "stability": stability.stability_rows(frame, features, profile, policy),
        "by_county": stability.county_rows(frame, features, profile, policy),
        "pd_bins": stability.bin_rows(frame, profile),
        "discrimination": performance.discrimination_rows(matured, policy),
        "by_grade": performance.calibration_by(matured, "grade", policy, grades),
        "by_vintage": performance.calibration_by(matured, "vintage", policy),
        "early_reads": performance.early_rows(censored, inputs.histories, as_of, inputs.known_at, policy),
        "fairness": fairness.fairness_rows(frame, grades, policy),
        "decisions": decisions.decision_rows(frame),
        "reasons": decisions.reason_rows(frame),
    }
    notes = _notes(sections, frame.empty, matured.empty, censored.empty)
    county_note = stability.county_note(frame, profile)
    if county_note:
        notes["by_county"] = county_note
    counts = {"assessments": len(frame), "loans": len(outcomes), "matured": len(matured), "censored": len(censored)}
    return MonitoringResult(as_of, since, dict(model or {}), policy, sections, notes, counts)


def _notes(sections: Mapping[str, list], no_frame: bool, no_matured: bool, no_censored: bool) -> dict[str, str]:
    reasons = {"discrimination": no_matured, "by_grade": no_matured, "by_vintage": no_matured,
               "early_reads": no_censored}  # fmt: skip
    notes = {}
    for key, rows in sections.items():
        if rows:
            continue
        if no_frame:
            notes[key] = NO_ASSESSMENTS
        elif reasons.get(key):
            notes[key] = NO_UNMATURED if key == "early_reads" else NO_MATURED
        else:
            notes[key] = "无 / none"
    return notes
