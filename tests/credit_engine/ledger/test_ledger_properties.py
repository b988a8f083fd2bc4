"""Whatever the interleaving of events, the ledger stays sound: refusals are clean, the audit passes, no fund is
negative, and no accepted disbursement took covered principal above the cap (property-based, on both backends).

Each example interleaves up to three loan stories (each loan walks one lifecycle path step by step), fund events
(contributions and clawbacks) and reversals of the latest posted event; the state machine may refuse any step.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from credit_engine.ledger.errors import LedgerError
from credit_engine.ledger.unit_of_work import UnitOfWork
from credit_engine.ledger.validations import audit

PATHS = (
    ("disburse", "repay", "delinquent_30", "cure", "extend", "repay"),
    ("disburse", "delinquent_95", "claim", "pay", "recover", "write_off"),
    ("disburse", "delinquent_30", "delinquent_95", "claim", "contribute", "pay", "recover", "recover"),
)
ACTORS = ("loan0", "loan1", "loan2", "loan0", "loan1", "fund", "reverse")
steps = st.lists(
    st.tuples(st.sampled_from(ACTORS), st.integers(0, 2), st.sampled_from([1_000, 20_000, 50_000]), st.integers(0, 70)),
    min_size=5,
    max_size=30,
)


def loan_step(ledger, fund, loan, step, yuan, on):
    day, later = on.isoformat(), (on + dt.timedelta(days=800)).isoformat()
    if step == "disburse":
        return ledger.disburse(fund, loan, day, yuan, maturity=later)
    if step.startswith("delinquent"):
        return ledger.delinquent(fund, loan, day, int(step.split("_")[1]))
    if step in ("repay", "recover"):
        return getattr(ledger, step)(fund, loan, day, yuan // 4)
    if step == "contribute":
        return ledger.contribute(fund, day, yuan)
    if step == "extend":
        return ledger.extend(fund, loan, day, later)
    return getattr(ledger, step)(fund, loan, day)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_any_interleaving_of_events_leaves_a_sound_ledger(ledger, steps):
    fund = ledger.fund(yuan=10_000, opened="2019-01-01")
    on, keys, progress, paths = dt.date(2019, 1, 2), [], {}, {}
    for actor, path, yuan, gap in steps:
        on += dt.timedelta(days=gap)
        try:
            if actor.startswith("loan"):
                script = PATHS[paths.setdefault(actor, path)]
                step = script[min(progress.get(actor, 0), len(script) - 1)]
                progress[actor] = progress.get(actor, 0) + 1
                receipt = loan_step(ledger, fund, actor, step, yuan, on)
            elif actor == "fund":
                step, receipt = "claw_back", ledger.claw_back(fund, on.isoformat(), yuan // 10)
            else:
                step, receipt = "reverse", ledger.reverse(fund, keys.pop()) if keys else None
        except LedgerError:
            continue
        book = ledger.book(fund)
        assert book.fund_balance_fen >= 0
        if step == "disburse":
            assert book.covered_principal_fen <= book.fund_balance_fen * 10
        if receipt is not None and receipt.transaction_id is not None:
            event(f"posted {step}")
            if step != "reverse":
                keys.append(receipt.idempotency_key)
    with UnitOfWork(ledger.uow.engine, read_only=True) as reader:
        assert audit(reader, [fund]) == []
