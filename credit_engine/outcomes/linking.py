"""Which assessment a disbursed loan came from: the link between the ledger and the audit log, as pure functions.

The rule, in order:

1. **By assessment id** (``assessment_id``): the disbursement named the assessment that approved it (the desk
   checked it then, and the ledger write's audit entry keeps its id) and that assessment is on the record.
2. **By borrower and date** (``borrower_date``): otherwise, the assessment of the same borrower — the loan's
   ``borrower_ref`` equals the assessment's ``head_id_pseudonym``, the keyed hash of the head's ID number — in the
   fund's county whose ``application_date`` is on or before the disbursement and at most the definition's
   ``link_tolerance_days`` before it. Several candidates: an approval before a referral or a decline, then the
   latest application date, then the latest recorded.

An assessment backs at most one loan: named links are taken first, then loans are matched in disbursement order and
an assessment already taken is no candidate. A loan with no link is left out of the outcomes and counted.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence

from credit_engine.assessment.audit_record import StoredAssessment
from credit_engine.outcomes.events import LoanHistory

BY_ID = "assessment_id"
BY_BORROWER = "borrower_date"
LoanKey = tuple[str, str]


def application_date(stored: StoredAssessment) -> dt.date | None:
    """The application date on the record (None when missing or not a date)."""
    value = stored.inputs.get("application_date")
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def link_loans(
    loans: Sequence[LoanHistory],
    named: Mapping[LoanKey, str],
    assessments: Sequence[StoredAssessment],
    tolerance_days: int,
) -> dict[LoanKey, tuple[StoredAssessment, str]]:
    """Each linkable loan's ``(fund_id, loan_id)`` → (its assessment, how it was linked)."""
    by_id = {stored.assessment_id: stored for stored in assessments}
    links: dict[LoanKey, tuple[StoredAssessment, str]] = {}
    taken: set[str] = set()
    for loan in loans:
        stored = by_id.get(named.get((loan.fund_id, loan.loan_id), ""))
        if stored is not None and stored.assessment_id not in taken:
            links[(loan.fund_id, loan.loan_id)] = (stored, BY_ID)
            taken.add(stored.assessment_id)
    by_borrower = _by_borrower(assessments)
    for loan in sorted(loans, key=lambda found: (found.disbursed_on, found.fund_id, found.loan_id)):
        if (loan.fund_id, loan.loan_id) in links:
            continue
        stored = _best_candidate(loan, by_borrower.get(loan.borrower_ref, ()), taken, tolerance_days)
        if stored is not None:
            links[(loan.fund_id, loan.loan_id)] = (stored, BY_BORROWER)
            taken.add(stored.assessment_id)
    return links


def _by_borrower(assessments: Sequence[StoredAssessment]) -> dict[str, list[StoredAssessment]]:
    found: dict[str, list[StoredAssessment]] = defaultdict(list)
    for stored in assessments:
        pseudonym = stored.inputs.get("head_id_pseudonym")
        if pseudonym:
            found[str(pseudonym)].append(stored)
    return found


def _best_candidate(
    loan: LoanHistory, candidates: Sequence[StoredAssessment], taken: set[str], tolerance_days: int
) -> StoredAssessment | None:
    earliest = loan.disbursed_on - dt.timedelta(days=tolerance_days)
    fitting = []
    for stored in candidates:
        applied = application_date(stored)
        if stored.assessment_id in taken or stored.county_code != loan.county_code or applied is None:
            continue
        if earliest <= applied <= loan.disbursed_on:
            fitting.append((stored.detail.decision == "approve", applied, stored.recorded_at, stored))
    if not fitting:
        return None
    return max(fitting, key=lambda item: item[:3])[3]
