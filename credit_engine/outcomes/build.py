"""Building the outcomes of a ledger as of a day: read as known then, link, label, summarise.

:func:`build_outcomes` is the service behind ``credit-engine outcomes build``: it reads the loans' events, the
assessments named by disbursements and the recorded assessments from the database that holds the ledger and its
audit log (:mod:`credit_engine.ledger.queries.outcomes`), as known at the end of the as-of day in China time unless
a recording time is given, and hands them to the pure functions of this package. :func:`summary_lines` says the
summary in 中文 and English, for a console or a log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection

from sqlalchemy import Engine

from credit_engine.ledger.domain import CHINA
from credit_engine.ledger.queries import outcomes as reads
from credit_engine.ledger.unit_of_work import UnitOfWork
from credit_engine.outcomes.definition import BAD_EVENTS_ZH, OutcomeDefinition
from credit_engine.outcomes.table import NO_LINK, REVERSED, OutcomeTable, outcome_table


def end_of_day(day: dt.date) -> dt.datetime:
    """The last moment of ``day`` in China time (what "the ledger as known on that day" reads up to)."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), CHINA) - dt.timedelta(microseconds=1)


def build_outcomes(
    engine: Engine,
    definition: OutcomeDefinition,
    as_of: dt.date,
    known_at: dt.datetime | None = None,
    on_step: Callable[[str], None] = lambda step: None,
    counties: Collection[str] | None = None,
) -> tuple[OutcomeTable, dt.datetime]:
    """The outcome table as of ``as_of`` with the ledger and audit log as known at ``known_at`` (default: the end
    of the as-of day), and that moment; ``counties`` narrows it to the loans of their funds and their assessments."""
    moment = known_at or end_of_day(as_of)
    with UnitOfWork(engine, read_only=True) as uow:
        on_step("reading loans / 读取贷款事件")
        histories = reads.loan_histories(uow, as_of, moment, counties)
        on_step("reading assessments / 读取评估记录")
        named = reads.named_assessments(uow, moment, counties)
        assessments = reads.recorded_assessments(uow, moment, counties, product=definition.product)
    on_step("linking and labelling / 关联与标注")
    return outcome_table(histories, named, assessments, definition, as_of, moment), moment


def summary_lines(definition: OutcomeDefinition, summary: dict) -> list[str]:
    """The summary of a build in 中文 and English, one fact a line."""
    events = ", ".join(f"{event} {BAD_EVENTS_ZH[event]}" for event in definition.bad_events)
    left = summary["left_out"]
    other = ", ".join(f"{product} {count}" for product, count in left["other_product"].items()) or "0"
    without = ", ".join(f"{decision} {n}" for decision, n in summary["assessments_without_outcome"].items()) or "0"
    return [
        f"定义 definition {definition.version} ({definition.fingerprint()[:12]}): 表现期 window "
        f"{definition.window_months} 月/months, 逾期 {definition.dpd_threshold}+ 天/DPD; 坏事件 bad events: {events}",
        f"放款 disbursed loans {summary['loans']} · 已关联 linked {summary['linked']} · 坏 bad {summary['bad']} · "
        f"好 good {summary['good']} · 未成熟 censored {summary['censored']}",
        f"未纳入 left out: 无可关联评估 no linkable assessment {left[NO_LINK]} · 非本产品 other products "
        f"(强农贷等非农户贷款 not household outcomes) {other} · 放款已冲正 disbursement reversed {left[REVERSED]}",
        f"无贷后表现的评估 assessments without outcome (未做拒绝推断 no reject inference): {without}",
    ]
