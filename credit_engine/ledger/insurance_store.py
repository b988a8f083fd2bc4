"""Persistence of insurance covers (``ledger_insurance_cover``) and the sums the waterfall needs from postings.

The only SQL of insurance: a cover version in and out, every version of some funds (reports), and for a first-loss
cover the layer used in a policy year — the insurer's parts of losses claimed in it, net of reversals (the
``insured_losses`` postings, see :mod:`.accounts`) — and the insured principal on its first day.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, func, insert, select

from credit_engine.insurance.cover import CoverTerms, InsuranceCover
from credit_engine.ledger import accounts
from credit_engine.ledger.tables import InsuranceCoverRow, PostingRow

COVER = InsuranceCoverRow.__table__


def cover_from_row(row: object) -> InsuranceCover:
    terms = CoverTerms(
        insurer=row.insurer,  # type: ignore[attr-defined]
        kind=row.kind,  # type: ignore[attr-defined]
        share_bps=row.share_bps,  # type: ignore[attr-defined]
        layer_fen=row.layer_fen,  # type: ignore[attr-defined]
        layer_bps=row.layer_bps,  # type: ignore[attr-defined]
        premium_rate_bps=row.premium_rate_bps,  # type: ignore[attr-defined]
        subsidy_share_bps=row.subsidy_share_bps,  # type: ignore[attr-defined]
        products=tuple(row.products),  # type: ignore[attr-defined]
        effective_to=row.effective_to,  # type: ignore[attr-defined]
    )
    return InsuranceCover(row.fund_id, row.effective_from, row.recorded_at, terms)  # type: ignore[attr-defined]


class CoverStore:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, cover: InsuranceCover, key: str, recorded_by: str) -> None:
        values = cover.terms.as_dict() | {"products": list(cover.terms.products)}
        values |= {"effective_to": cover.terms.effective_to, "fund_id": cover.fund_id}
        values |= {"effective_from": cover.effective_from, "recorded_at": cover.recorded_at}
        values |= {"recorded_by": recorded_by, "idempotency_key": key}
        self.connection.execute(insert(COVER), values)

    def versions(self, fund_id: str) -> list[InsuranceCover]:
        rows = self.connection.execute(select(COVER).where(COVER.c.fund_id == fund_id).order_by(COVER.c.id))
        return [cover_from_row(row) for row in rows]

    def by_fund(self, fund_ids: list[str] | None = None) -> dict[str, list[InsuranceCover]]:
        """Every cover version of the funds listed (all funds when None), by fund id."""
        query = select(COVER).order_by(COVER.c.id)
        if fund_ids is not None:
            query = query.where(COVER.c.fund_id.in_(fund_ids))
        found: dict[str, list[InsuranceCover]] = {}
        for row in self.connection.execute(query):
            found.setdefault(row.fund_id, []).append(cover_from_row(row))
        return found

    def insured_fen_on(
        self, fund_id: str, on: dt.date, cover: InsuranceCover, known_at: dt.datetime | None = None
    ) -> int:
        """Covered principal of the products ``cover`` takes on ``on`` (every posting up to that day, as known at
        ``known_at``; None: everything recorded)."""
        p = PostingRow
        query = (
            select(p.product, func.coalesce(func.sum(p.amount_fen), 0))
            .where(p.fund_id == fund_id, p.account.in_(accounts.COVERED_ACCOUNTS), p.value_date <= on)
            .group_by(p.product)
        )
        if known_at is not None:
            query = query.where(p.recorded_at <= known_at)
        rows = self.connection.execute(query)
        return sum(int(total) for product, total in rows if product is not None and cover.terms.covers(product))

    def layer_used_fen(self, fund_id: str, since: dt.date, until: dt.date, known_at: dt.datetime | None = None) -> int:
        """The insurer's parts of losses claimed with value dates from ``since`` to ``until`` (net of reversals), as
        known at ``known_at`` (None: everything recorded)."""
        p = PostingRow
        query = select(func.coalesce(func.sum(p.amount_fen), 0)).where(
            p.fund_id == fund_id, p.account == accounts.INSURED_LOSSES, p.value_date >= since, p.value_date <= until
        )
        if known_at is not None:
            query = query.where(p.recorded_at <= known_at)
        return -int(self.connection.execute(query).scalar_one())
