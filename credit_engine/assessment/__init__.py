"""Assessing 富民贷 applications one at a time (the scoring API) or in batches of up to 1,000.

:mod:`.service` runs the decision flow and writes the audit record; :mod:`.rating` applies the rating policy's rules
(the batch rating service's own) to one record; :mod:`.fund_room` keeps every county fund's room in memory.
"""

from credit_engine.assessment.fund_room import FundRoom, FundRooms
from credit_engine.assessment.service import (
    FUND_REASONS,
    MAX_BATCH_ROWS,
    Assessment,
    AssessmentNotFound,
    Assessor,
    BatchRow,
)

__all__ = [
    "FUND_REASONS",
    "MAX_BATCH_ROWS",
    "Assessment",
    "AssessmentNotFound",
    "Assessor",
    "BatchRow",
    "FundRoom",
    "FundRooms",
]
