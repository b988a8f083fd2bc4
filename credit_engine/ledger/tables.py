"""The ledger's database tables (SQLAlchemy 2 declarative; rows, not domain objects).

Journal tables — ``ledger_fund``, ``ledger_policy``, ``ledger_transaction``, ``ledger_posting``, ``ledger_command`` —
and the cover versions ``ledger_insurance_cover`` (migration 0004) are append-only: triggers created by the migrations
refuse UPDATE and DELETE on both SQLite and PostgreSQL. A posting repeats its transaction's fund, loan, value date and
recording time so that positions "as of D, as known at T" are one aggregate over one table. ``ledger_fund_book`` and
``ledger_loan`` are caches, updated in the same transaction as the postings and reconciled by the audit; so is
``ledger_fund_covered``, the book's covered principal per product. ``ledger_product`` is configuration: one row per
loan product (富民贷, 强农贷, …), written by migrations only. Recording times are stored as naive UTC.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from credit_engine.dbschema import NAMING_CONVENTION

ID = BigInteger().with_variant(Integer(), "sqlite")
JOURNAL_TABLES = ("ledger_fund", "ledger_policy", "ledger_transaction", "ledger_posting", "ledger_command")
COVER_TABLE = "ledger_insurance_cover"  # append-only as well (its triggers: migration 0004)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC in Python, naive UTC in the database (the same on SQLite and PostgreSQL)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"recording times must be timezone-aware, got {value!r}")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class FundRow(Base):
    __tablename__ = "ledger_fund"
    fund_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    county_code: Mapped[str] = mapped_column(String(12), index=True)
    bank_code: Mapped[str] = mapped_column(String(64))
    opened_on: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str] = mapped_column(String(128))


class PolicyRow(Base):
    __tablename__ = "ledger_policy"
    __table_args__ = (Index(None, "fund_id", "effective_from"),)
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    fund_id: Mapped[str] = mapped_column(ForeignKey("ledger_fund.fund_id"))
    effective_from: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str] = mapped_column(String(128))
    idempotency_key: Mapped[str] = mapped_column(String(128))
    floor_multiple_bps: Mapped[int] = mapped_column(Integer)
    cap_multiple_bps: Mapped[int | None] = mapped_column(Integer)
    fund_share_bps: Mapped[int] = mapped_column(Integer)
    trigger_days: Mapped[int] = mapped_column(Integer)
    payment_deadline_days: Mapped[int] = mapped_column(Integer)
    npl_suspension_bps: Mapped[int] = mapped_column(Integer)
    household_min_share_bps: Mapped[int] = mapped_column(Integer)
    subsidy_rate_bps: Mapped[int] = mapped_column(Integer)
    lending_suspended: Mapped[bool] = mapped_column(Boolean)


class TransactionRow(Base):
    """One recorded event (journal entry header) with the event's own facts."""

    __tablename__ = "ledger_transaction"
    __table_args__ = (Index(None, "fund_id", "loan_id", "id"), Index(None, "fund_id", "idempotency_key"))
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    fund_id: Mapped[str] = mapped_column(ForeignKey("ledger_fund.fund_id"))
    event_type: Mapped[str] = mapped_column(String(32))
    value_date: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str] = mapped_column(String(128))
    idempotency_key: Mapped[str] = mapped_column(String(128))
    loan_id: Mapped[str | None] = mapped_column(String(64))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transaction.id"), unique=True)
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    days_past_due: Mapped[int | None] = mapped_column(Integer)
    maturity_date: Mapped[dt.date | None] = mapped_column(Date)
    product: Mapped[str | None] = mapped_column(String(16))
    borrower_ref: Mapped[str | None] = mapped_column(String(64))
    share_bps: Mapped[int | None] = mapped_column(Integer)
    insurer_fen: Mapped[int | None] = mapped_column(BigInteger)
    households_driven: Mapped[int | None] = mapped_column(Integer)  # a 强农贷 disbursement's linkage (0005)


class PostingRow(Base):
    __tablename__ = "ledger_posting"
    __table_args__ = (Index(None, "fund_id", "account", "overdue_since"),)
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transaction.id"), index=True)
    fund_id: Mapped[str] = mapped_column(String(64))
    loan_id: Mapped[str | None] = mapped_column(String(64))
    account: Mapped[str] = mapped_column(String(32))
    product: Mapped[str | None] = mapped_column(String(16))
    overdue_since: Mapped[dt.date | None] = mapped_column(Date)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    value_date: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class CommandRow(Base):
    """One accepted command per (fund, idempotency key): the hash of its body and the receipt it returned."""

    __tablename__ = "ledger_command"
    fund_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    command: Mapped[str] = mapped_column(String(32))
    body_hash: Mapped[str] = mapped_column(String(64))
    transaction_id: Mapped[int | None] = mapped_column(BigInteger)
    result: Mapped[dict] = mapped_column(JSON)
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str] = mapped_column(String(128))


class FundBookRow(Base):
    """Cache: the fund's balance and overdue principal over every known posting (covered principal per product in
    ``ledger_fund_covered``); counts policy versions."""

    __tablename__ = "ledger_fund_book"
    fund_id: Mapped[str] = mapped_column(ForeignKey("ledger_fund.fund_id"), primary_key=True)
    opened_on: Mapped[dt.date] = mapped_column(Date)
    fund_balance_fen: Mapped[int] = mapped_column(BigInteger)
    overdue_fen: Mapped[int] = mapped_column(BigInteger)
    policy_version: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)


class ProductRow(Base):
    """Configuration: one loan product — names, aliases accepted on input, per-loan limit and minimum, household
    lending or not (see :mod:`.products`)."""

    __tablename__ = "ledger_product"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(32))
    name_en: Mapped[str] = mapped_column(String(64))
    aliases: Mapped[list] = mapped_column(JSON)
    limit_fen: Mapped[int] = mapped_column(BigInteger)
    min_fen: Mapped[int] = mapped_column(BigInteger)
    household: Mapped[bool] = mapped_column(Boolean)
    position: Mapped[int] = mapped_column(Integer)


class FundCoveredRow(Base):
    """Cache: the fund's covered principal of one product (part of the fund book; no row means 0)."""

    __tablename__ = "ledger_fund_covered"
    fund_id: Mapped[str] = mapped_column(ForeignKey("ledger_fund.fund_id"), primary_key=True)
    product: Mapped[str] = mapped_column(ForeignKey("ledger_product.code"), primary_key=True)
    covered_fen: Mapped[int] = mapped_column(BigInteger)


class LoanRow(Base):
    """Cache: a loan's state as its recorded events leave it (the audit replays them)."""

    __tablename__ = "ledger_loan"
    fund_id: Mapped[str] = mapped_column(ForeignKey("ledger_fund.fund_id"), primary_key=True)
    loan_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    product: Mapped[str] = mapped_column(String(16))
    borrower_ref: Mapped[str] = mapped_column(String(64), index=True)
    disbursed_on: Mapped[dt.date] = mapped_column(Date)
    maturity_date: Mapped[dt.date] = mapped_column(Date)
    principal_fen: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16))
    current_fen: Mapped[int] = mapped_column(BigInteger)
    overdue_fen: Mapped[int] = mapped_column(BigInteger)
    overdue_since: Mapped[dt.date | None] = mapped_column(Date)
    compensated_fen: Mapped[int] = mapped_column(BigInteger)
    recovered_fen: Mapped[int] = mapped_column(BigInteger)
    written_off_fen: Mapped[int] = mapped_column(BigInteger)
    claimed_fen: Mapped[int] = mapped_column(BigInteger)
    paid_fen: Mapped[int] = mapped_column(BigInteger)
    share_bps: Mapped[int | None] = mapped_column(Integer)
    last_value_date: Mapped[dt.date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)
    insurer_fen: Mapped[int] = mapped_column(BigInteger)
    insurer_paid_fen: Mapped[int] = mapped_column(BigInteger)
    households_driven: Mapped[int | None] = mapped_column(Integer)  # 带贫户数 of a 强农贷 loan (0005)


class InsuranceCoverRow(Base):
    """One version of a fund's insurance cover (保证保险, :mod:`credit_engine.insurance.cover`); append-only."""

    __tablename__ = "ledger_insurance_cover"
    __table_args__ = (Index(None, "fund_id", "effective_from"),)
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    fund_id: Mapped[str] = mapped_column(ForeignKey("ledger_fund.fund_id"))
    effective_from: Mapped[dt.date] = mapped_column(Date)
    effective_to: Mapped[dt.date | None] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str] = mapped_column(String(128))
    idempotency_key: Mapped[str] = mapped_column(String(128))
    insurer: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    share_bps: Mapped[int] = mapped_column(Integer)
    layer_fen: Mapped[int] = mapped_column(BigInteger)
    layer_bps: Mapped[int] = mapped_column(Integer)
    premium_rate_bps: Mapped[int] = mapped_column(Integer)
    subsidy_share_bps: Mapped[int] = mapped_column(Integer)
    products: Mapped[list] = mapped_column(JSON)
