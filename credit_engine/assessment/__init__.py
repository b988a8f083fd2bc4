"""Assessing 富民贷 applications one at a time (the scoring API) or in batches of up to 1,000.

:mod:`.service` runs the decision flow; :mod:`.rating` applies the rating policy's rules (the batch rating
service's own) to one record; :mod:`.decision` adds the county fund's headroom to the policy's decision;
:mod:`.audit_record` writes the assessment to the audit log and reads it back (:class:`StoredAssessment`);
:mod:`.headroom` keeps every county fund's headroom in memory.
"""

from credit_engine.assessment.audit_record import AssessmentDetail, StoredAssessment
from credit_engine.assessment.decision import FUND_REASONS, Assessment, BatchRow
from credit_engine.assessment.headroom import FundHeadroom, FundHeadrooms
from credit_engine.assessment.service import MAX_BATCH_ROWS, AssessmentNotFound, Assessor

__all__ = [
    "FUND_REASONS",
    "MAX_BATCH_ROWS",
    "Assessment",
    "AssessmentDetail",
    "AssessmentNotFound",
    "Assessor",
    "BatchRow",
    "FundHeadroom",
    "FundHeadrooms",
    "StoredAssessment",
]
