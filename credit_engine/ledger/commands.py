"""The commands the ledger accepts (one per event) and the receipt every write returns.

Each command carries its fund, an ``idempotency_key`` unique within the fund (a bank file's event id) and
``recorded_by`` (the actor or API key id). :func:`body_hash` is the hash of the canonical body — every field but
the key and the actor — so that the same key with the same body returns the first :class:`Receipt` and the same
key with another body is an ``IdempotencyConflict``. Amounts are integer fen, shares basis points. A command refuses
to exist with an identifier that breaks its code's rules (:mod:`credit_engine.identifiers`): ``InvalidInput``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from credit_engine import identifiers
from credit_engine.insurance.cover import CoverTerms
from credit_engine.ledger.domain import PolicyTerms

_NOT_BODY = frozenset({"idempotency_key", "recorded_by"})
# Fields added after commands were first hashed: left out of the body while empty, so an old command's hash holds.
_LATER_FIELDS = frozenset({"households_driven"})


# The identifiers a command may carry and the kind of code each one is (credit_engine.identifiers.CODES).
_IDENTIFIERS = {
    "fund_id": "fund_id",
    "idempotency_key": "event_id",
    "loan_id": "loan_id",
    "borrower_ref": "borrower_ref",
    "bank_code": "bank_code",
    "county_code": "county_code",
    "reverses_key": "event_id",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    fund_id: str
    idempotency_key: str
    recorded_by: str = "system"

    event_type = "command"

    def __post_init__(self) -> None:
        """Every identifier a command carries is a valid code (whoever built it: API, file, command line, seed)."""
        for name, kind in _IDENTIFIERS.items():
            value = getattr(self, name, None)
            if value is not None:
                identifiers.require_code(name, kind, value)
        identifiers.require_text("recorded_by", self.recorded_by)


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateFund(Command):
    county_code: str
    bank_code: str
    value_date: dt.date
    amount_fen: int
    terms: PolicyTerms
    event_type = "fund_created"


@dataclass(frozen=True, slots=True, kw_only=True)
class SetPolicy(Command):
    effective_from: dt.date
    terms: PolicyTerms
    event_type = "policy_set"


@dataclass(frozen=True, slots=True, kw_only=True)
class FundMoneyCommand(Command):
    """Money into or out of the fund itself on a value date (the three commands below; never posted as such)."""

    value_date: dt.date
    amount_fen: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Contribute(FundMoneyCommand):
    event_type = "contribution"


@dataclass(frozen=True, slots=True, kw_only=True)
class ClawBack(FundMoneyCommand):
    event_type = "clawback"


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordFundInterest(FundMoneyCommand):
    event_type = "fund_interest"


@dataclass(frozen=True, slots=True, kw_only=True)
class Disburse(Command):
    loan_id: str
    product: str
    borrower_ref: str
    value_date: dt.date
    amount_fen: int
    maturity_date: dt.date
    households_driven: int | None = None  # 带贫户数: required (≥ 1) for 强农贷, refused for 富民贷
    event_type = "disbursement"


@dataclass(frozen=True, slots=True, kw_only=True)
class LoanCommand(Command):
    """An event of one covered loan on a value date (the commands below; never posted as such)."""

    loan_id: str
    value_date: dt.date


@dataclass(frozen=True, slots=True, kw_only=True)
class Repay(LoanCommand):
    amount_fen: int
    event_type = "repayment"


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportDelinquency(LoanCommand):
    days_past_due: int
    event_type = "delinquency"


@dataclass(frozen=True, slots=True, kw_only=True)
class Cure(LoanCommand):
    event_type = "cure"


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimCompensation(LoanCommand):
    event_type = "compensation_claim"


@dataclass(frozen=True, slots=True, kw_only=True)
class PayCompensation(LoanCommand):
    """Pay the fund's pending share of a compensated loan (all of it unless ``amount_fen`` says less)."""

    amount_fen: int | None = None
    event_type = "compensation_payment"


@dataclass(frozen=True, slots=True, kw_only=True)
class Recover(LoanCommand):
    amount_fen: int
    event_type = "recovery"


@dataclass(frozen=True, slots=True, kw_only=True)
class WriteOff(LoanCommand):
    event_type = "write_off"


@dataclass(frozen=True, slots=True, kw_only=True)
class Extend(LoanCommand):
    maturity_date: dt.date
    event_type = "extension"


@dataclass(frozen=True, slots=True, kw_only=True)
class SetInsuranceCover(Command):
    """A new version of the fund's insurance cover (保证保险) from ``effective_from`` on (kind ``none`` ends it)."""

    effective_from: dt.date
    cover: CoverTerms
    event_type = "insurance_cover_set"


@dataclass(frozen=True, slots=True, kw_only=True)
class PayInsurancePremium(FundMoneyCommand):
    """A premium paid to the insurer of the cover in force on the value date (the county pays its subsidy part)."""

    event_type = "insurance_premium"


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordInsurerPayment(LoanCommand):
    """The insurer pays its part of a compensated loan's loss (all that is unpaid unless ``amount_fen`` says less)."""

    amount_fen: int | None = None
    event_type = "insurer_payment"


@dataclass(frozen=True, slots=True, kw_only=True)
class Reverse(Command):
    """Reverse the event recorded under ``reverses_key`` (its idempotency key / event id) in the same fund.

    The reversal is dated like the event it cancels (``value_date``, if given, must be that date), so once it is
    known every as-of view loses the mistake, while views "as known" before the reversal still show it.
    """

    reverses_key: str
    value_date: dt.date | None = None
    event_type = "reversal"


def _plain(value: object) -> object:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def canonical_body(command: Command) -> dict[str, object]:
    """The command's body: its type and every field except the idempotency key and the actor."""
    body: dict[str, object] = {"command": type(command).__name__}
    for f in dataclasses.fields(command):
        if f.name in _LATER_FIELDS and getattr(command, f.name) is None:
            continue
        if f.name not in _NOT_BODY:
            body[f.name] = _plain(getattr(command, f.name))
    return body


def body_hash(command: Command) -> str:
    text = json.dumps(canonical_body(command), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Receipt:
    """What a write returns; a duplicate (same key, same body) returns the first receipt with ``duplicate=True``."""

    fund_id: str
    idempotency_key: str
    event_type: str
    transaction_id: int | None
    recorded_at: dt.datetime
    details: dict[str, object] = field(default_factory=dict)
    duplicate: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "fund_id": self.fund_id,
            "idempotency_key": self.idempotency_key,
            "event_type": self.event_type,
            "transaction_id": self.transaction_id,
            "recorded_at": self.recorded_at.isoformat(),
            "details": {key: _plain(value) for key, value in self.details.items()},
        }
