"""The fund's insurance events as services: setting its cover (保证保险) and booking a premium paid.

:func:`set_insurance_cover` records a new cover version (no postings; the cover is ledger data, versioned by its
effective date and known from its recording time, like a policy); its products must be products of the ledger.
:func:`pay_insurance_premium` books a premium paid to the insurer of the cover in force on the value date: the
county's subsidy part and the bank's part (:func:`.accounts.insurance_premium`), and tells what a year's premium on
the insured principal would be. The insurer's payment on a claim is a loan event
(:func:`.loan_services.record_insurer_payment`). All of them go through :func:`.writes.execute`.
"""

from __future__ import annotations

from credit_engine.errors import InvalidInput, RowError
from credit_engine.insurance.cover import CoverTerms, InsuranceCover, cover_in_force, premium_subsidy_fen
from credit_engine.ledger import accounts
from credit_engine.ledger import commands as c
from credit_engine.ledger.commands import Receipt
from credit_engine.ledger.insurance_store import CoverStore
from credit_engine.ledger.journal import JournalEntry
from credit_engine.ledger.money import share_of
from credit_engine.ledger.product_store import catalog
from credit_engine.ledger.unit_of_work import UnitOfWork
from credit_engine.ledger.writes import Context, Outcome, check_value_date, execute, invalid, require_positive


def _cover_errors(ctx: Context, command: c.SetInsuranceCover) -> list[RowError]:
    terms = command.cover
    errors = terms.errors()
    known = {product.code for product in catalog(ctx.uow.connection).products}
    unknown = [code for code in terms.products if code not in known]
    if unknown:
        message = f"unknown products / 未知产品; one of / 可选: {', '.join(sorted(known))}"
        errors.append(RowError(None, "products", "product", message, ", ".join(unknown)))
    if command.effective_from < ctx.book.opened_on:
        errors.append(RowError(None, "effective_from", "after_opening", "not before the fund opened / 不得早于设立日"))
    if terms.effective_to is not None and terms.effective_to < command.effective_from:
        message = "not before effective_from / 不得早于生效日"
        errors.append(RowError(None, "effective_to", "after_effective_from", message, str(terms.effective_to)))
    return errors


def _set_cover(ctx: Context, command: c.SetInsuranceCover) -> Outcome:
    errors = _cover_errors(ctx, command)
    if errors:
        raise InvalidInput(errors)
    cover = InsuranceCover(command.fund_id, command.effective_from, ctx.recorded_at, command.cover)
    CoverStore(ctx.uow.connection).add(cover, command.idempotency_key, command.recorded_by)
    return Outcome(None, {"effective_from": command.effective_from.isoformat()} | command.cover.as_dict())


def set_insurance_cover(uow: UnitOfWork, command: c.SetInsuranceCover) -> Receipt:
    """A new version of the fund's insurance cover from ``effective_from`` on (kind ``none`` ends the cover)."""
    if not isinstance(command.cover, CoverTerms):
        raise invalid("cover", "required", "cover terms are required / 须给出保险条款")
    return execute(uow, command, _set_cover)  # type: ignore[arg-type]


def _premium(ctx: Context, command: c.PayInsurancePremium) -> Outcome:
    check_value_date(ctx, command.value_date)
    cover = cover_in_force(CoverStore(ctx.uow.connection).versions(command.fund_id), command.value_date)
    if cover is None:
        message = f"no insurance cover in force on {command.value_date} / 该日无有效保证保险"
        raise invalid("value_date", "insurance_cover", message, command.value_date)
    terms = cover.terms
    subsidy = premium_subsidy_fen(command.amount_fen, terms.subsidy_share_bps)
    postings = accounts.insurance_premium(command.amount_fen, subsidy)
    facts = {"amount_fen": command.amount_fen, "share_bps": terms.subsidy_share_bps}
    entry = JournalEntry(command.fund_id, command.event_type, command.value_date, postings, None, facts)
    insured = sum(fen for product, fen in ctx.book.covered_fen.items() if terms.covers(product))
    details = {"insurer": terms.insurer, "amount_fen": command.amount_fen, "subsidy_fen": subsidy}
    details |= {"bank_fen": command.amount_fen - subsidy, "insured_principal_fen": insured}
    details["annual_premium_fen"] = share_of(insured, terms.premium_rate_bps)
    return Outcome(entry, details)


def pay_insurance_premium(uow: UnitOfWork, command: c.PayInsurancePremium) -> Receipt:
    """保费: a premium paid to the insurer of the cover in force (the county's subsidy part and the bank's part)."""
    require_positive("amount_fen", command.amount_fen)
    return execute(uow, command, _premium)  # type: ignore[arg-type]
