"""Who may post what where, and read which fund or report: the ledger's authorisation for an API key.

Fund events need ``write_funds`` (fund administrators), loan events ``write_loans`` (bank officers, only at funds of
their own bank), and a reversal the permission of the event it reverses (:mod:`credit_engine.ledger_rights`: an
officer cannot cancel a clawback, nor a fund administrator a loan). The fund must lie in the key's scope: a fund
outside it and a fund that does not exist are refused alike (``AccessDenied``), except for a key that sees every
fund, which learns that the fund is unknown. Funds are looked up in the fund headrooms' copy first (no query), then in
the ledger.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Engine

from credit_engine.access.principal import AccessDenied, Permission, Principal
from credit_engine.assessment.headroom import FundHeadrooms
from credit_engine.errors import InvalidInput, RowError
from credit_engine.ledger import commands as c
from credit_engine.ledger.domain import Fund
from credit_engine.ledger.errors import UnknownFund
from credit_engine.ledger.unit_of_work import UnitOfWork
from credit_engine.ledger_rights import permissions_for, reversal_permission


class Authorisation:
    def __init__(self, engine: Engine, fund_headrooms: FundHeadrooms) -> None:
        self.engine = engine
        self.fund_headrooms = fund_headrooms

    def fund(self, fund_id: str) -> Fund | None:
        """The fund, if the ledger knows it (whoever asks)."""
        fund = self.fund_headrooms.fund(fund_id)
        if fund is None:
            with UnitOfWork(self.engine, read_only=True) as uow:
                fund = uow.funds.get(fund_id)
        return fund

    def permission_to_post(self, principal: Principal, command: c.Command) -> Permission:
        """The permission under which the key posts ``command`` (``AccessDenied`` if its role has none)."""
        allowed = [p for p in permissions_for(command) if principal.role_may(p)]
        if not allowed:
            raise AccessDenied()
        return allowed[0]

    def fund_to_post(self, principal: Principal, permission: Permission, command: c.Command) -> Fund:
        """The fund ``command`` posts to, if it lies in the key's scope (a fund being opened: its county and bank)."""
        if isinstance(command, c.CreateFund):
            principal.require_fund(permission, command.county_code, command.bank_code)
            return Fund(command.fund_id, command.county_code, command.bank_code, command.value_date, None)
        fund = self.fund(command.fund_id)
        if fund is None:
            if principal.scope.everywhere and principal.scope.bank_code is None:
                raise UnknownFund(command.fund_id)
            raise AccessDenied()
        principal.require_fund(permission, fund.county_code, fund.bank_code)
        return fund

    def may_reverse(
        self,
        principal: Principal,
        fund: Fund | None,
        command: c.Reverse,
        in_file: Mapping[tuple[str, str], str] | None = None,
    ) -> None:
        """Refuse a reversal of an event the key may not post (what it reverses: earlier in the same file, else as
        recorded; an event that does not exist is left to the ledger, which refuses it as unknown)."""
        kind = (in_file or {}).get((command.fund_id, command.reverses_key))
        if kind is None:
            with UnitOfWork(self.engine, read_only=True) as uow:
                prior = uow.commands.get(command.fund_id, command.reverses_key)
            kind = None if prior is None else prior.command
        permission = None if kind is None else reversal_permission(kind)
        if permission is not None and fund is not None:
            principal.require_fund(permission, fund.county_code, fund.bank_code)

    def readable_fund(self, principal: Principal, fund_id: str) -> Fund:
        """The fund, if the key may read it."""
        principal.require(Permission.READ_FUNDS)
        fund = self.fund(fund_id)
        if fund is None and principal.scope.everywhere and principal.scope.bank_code is None:
            raise UnknownFund(fund_id)
        if fund is None or not principal.scope.covers_fund(fund.county_code, fund.bank_code):
            raise AccessDenied()
        return fund


def report_scope(principal: Principal, county: str | None, province: str | None) -> tuple[str | None, str | None]:
    """The county or province a report covers: the one asked for if the key may read it, else the key's own."""
    principal.require(Permission.READ_REPORTS)
    scope = principal.scope
    if county is not None:
        principal.require_county(Permission.READ_REPORTS, county)
        return county, None
    if province is not None:
        if not (scope.everywhere or scope.province == province):
            raise AccessDenied()
        return None, province
    if scope.everywhere:
        return None, None
    if scope.province is not None and not scope.counties:
        return None, scope.province
    if len(scope.counties) == 1 and scope.province is None:
        return next(iter(scope.counties)), None
    message = "this key covers several counties: name one / 该密钥覆盖多个县，请指定 county"
    raise InvalidInput([RowError(None, "county", "required", message)])
