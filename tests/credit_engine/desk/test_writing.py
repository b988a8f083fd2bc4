"""Posting through the desk: who may post where, the borrower pseudonymised, every attempt audited, and one write
one transaction (an audit insert that fails leaves neither the event nor its entry)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from credit_engine.access.principal import AccessDenied, Role
from credit_engine.contract import idnumber
from credit_engine.desk import recording
from credit_engine.ledger import commands as c
from credit_engine.ledger.errors import UnknownFund
from credit_engine.ledger.unit_of_work import UnitOfWork


def test_an_officer_lends_at_its_fund_and_the_write_is_audited_as_posted(desk, audited, officer, fund, disbursement):
    written = desk.writes.post(officer, disbursement(fund))
    assert written.loan is not None and written.loan.principal_fen == 3_000_000
    assert written.position is not None and written.position.covered_principal_fen == 3_000_000
    entries = [e for e in audited(fund) if e.action == "ledger.disbursement"]
    assert [(e.outcome, e.key_id) for e in entries] == [("posted", officer.key_id)]


def test_a_repeated_write_is_audited_as_a_duplicate(desk, audited, officer, fund, disbursement):
    desk.writes.post(officer, disbursement(fund))
    again = desk.writes.post(officer, disbursement(fund))
    assert again.receipt.duplicate
    outcomes = sorted(e.outcome for e in audited(fund) if e.action == "ledger.disbursement")
    assert outcomes == ["duplicate", "posted"]


def test_a_fund_administrator_may_not_lend(desk, admin, fund, disbursement):
    with pytest.raises(AccessDenied):
        desk.writes.post(admin, disbursement(fund))


def test_a_fund_of_another_county_is_refused_like_a_missing_one_and_the_refusal_is_audited(
    desk, audited, fund, key, disbursement
):
    stranger = key(Role.OFFICER, "140122")
    with pytest.raises(AccessDenied):
        desk.writes.post(stranger, disbursement(fund))
    with pytest.raises(AccessDenied):
        desk.writes.post(stranger, disbursement("F-nowhere"))
    assert [e.outcome for e in audited(fund) if e.key_id == stranger.key_id] == ["forbidden"]


def test_a_key_that_sees_every_fund_learns_that_a_fund_is_unknown(desk, key, disbursement):
    with pytest.raises(UnknownFund):
        desk.writes.post(key(Role.OFFICER, bank=None), disbursement("F-nowhere"))


def test_an_officer_cannot_reverse_a_clawback(desk, admin, officer, fund):
    clawback = c.ClawBack(fund_id=fund, idempotency_key="cb-1", value_date=dt.date(2025, 6, 1), amount_fen=1)
    desk.writes.post(admin, clawback)
    with pytest.raises(AccessDenied):
        desk.writes.post(officer, c.Reverse(fund_id=fund, idempotency_key="rv-1", reverses_key="cb-1"))


def test_a_raw_id_number_given_as_borrower_is_stored_pseudonymised(desk, officer, fund, disbursement):
    raw = idnumber.make("140121", dt.date(1980, 1, 1), 1)
    written = desk.writes.post(officer, disbursement(fund, borrower_ref=raw))
    assert written.loan.borrower_ref == idnumber.pseudonymise(raw, "desk-test-secret") != raw


def test_an_audit_insert_that_fails_leaves_neither_the_event_nor_its_entry(
    desk, audited, officer, fund, disbursement, monkeypatch
):
    def failing(connection, entries):
        raise RuntimeError("audit append failed")

    monkeypatch.setattr(recording.AuditRepository, "append_in", staticmethod(failing))
    with pytest.raises(RuntimeError):
        desk.writes.post(officer, disbursement(fund, "L-9"))
    with UnitOfWork(desk.reads.engine, read_only=True) as uow:
        assert uow.commands.get(fund, "L-9") is None and uow.loans.get(fund, "L-9") is None
    assert not [e for e in audited(fund) if e.resource_id == "L-9"]


def test_a_write_records_the_key_not_what_the_command_claims(desk, officer, fund, disbursement):
    written = desk.writes.post(officer, dataclasses.replace(disbursement(fund), recorded_by="someone-else"))
    with UnitOfWork(desk.reads.engine, read_only=True) as uow:
        assert uow.journal.get(written.receipt.transaction_id).recorded_by == officer.key_id
