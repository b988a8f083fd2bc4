"""Who may post which ledger event: fund events need ``write_funds`` (fund administrators), loan events
``write_loans`` (bank officers), and a reversal the right to post the event it reverses — an officer cannot cancel a
clawback or a contribution, nor a fund administrator a disbursement. Scope (which funds) is checked by the caller
(:class:`~credit_engine.desk.authorisation.Authorisation`) with the permission these rules name.
"""

from __future__ import annotations

from credit_engine.access.principal import Permission
from credit_engine.ledger import commands as c

FUND_EVENTS = (
    c.CreateFund,
    c.SetPolicy,
    c.Contribute,
    c.ClawBack,
    c.RecordFundInterest,
    c.PayCompensation,
    c.SetInsuranceCover,
    c.PayInsurancePremium,
)
LOAN_EVENTS = (
    c.Disburse,
    c.Repay,
    c.ReportDelinquency,
    c.Cure,
    c.ClaimCompensation,
    c.Recover,
    c.WriteOff,
    c.Extend,
    c.RecordInsurerPayment,
)
_BY_NAME: dict[str, type[c.Command]] = {kind.__name__: kind for kind in (*FUND_EVENTS, *LOAN_EVENTS, c.Reverse)}


def permissions_for(command: c.Command | type[c.Command]) -> tuple[Permission, ...]:
    """The permissions that may post ``command`` (or a command of that kind); a reversal needs one of them first,
    then the right to post what it reverses (:func:`reversal_permission`)."""
    kind = command if isinstance(command, type) else type(command)
    if issubclass(kind, FUND_EVENTS):
        return (Permission.WRITE_FUNDS,)
    if issubclass(kind, LOAN_EVENTS):
        return (Permission.WRITE_LOANS,)
    return (Permission.WRITE_LOANS, Permission.WRITE_FUNDS)


def reversal_permission(reversed_kind: str) -> Permission | None:
    """The permission a reversal of a command of that kind (its class name, as recorded) needs: the one that posts
    it. None for a kind that names no postable event (the ledger refuses such a reversal itself)."""
    kind = _BY_NAME.get(reversed_kind)
    if kind is None or kind is c.Reverse:
        return None
    return permissions_for(kind)[0]
