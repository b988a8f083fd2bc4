"""Insurance figures of the reports: each fund's insured principal — the covered principal of the products its
cover in force on the report's date (as known at its moment) takes — beside what the insurer has paid, which the
fund's position already holds (:attr:`.position.FundPosition.insurer_paid_fen`)."""

from __future__ import annotations

from credit_engine.insurance.cover import cover_in_force
from credit_engine.ledger.insurance_store import CoverStore
from credit_engine.ledger.position import FundPosition
from credit_engine.ledger.unit_of_work import UnitOfWork


def insured_principal(uow: UnitOfWork, positions: list[FundPosition]) -> dict[str, int]:
    """Insured principal in fen by fund id (0 for a fund without a cover in force)."""
    covers = CoverStore(uow.connection).by_fund([p.fund_id for p in positions]) if positions else {}
    insured = {}
    for position in positions:
        cover = cover_in_force(covers.get(position.fund_id, []), position.as_of, position.known_at)
        by_product = position.covered_by_product_fen.items()
        insured[position.fund_id] = sum(fen for code, fen in by_product if cover and cover.terms.covers(code))
    return insured
