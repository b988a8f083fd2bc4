"""Borrower references as the ledger stores them: a raw ID number given as a borrower is replaced by its keyed hash
(:func:`credit_engine.contract.idnumber.pseudonymise`) before anything is posted, audited or shown; any other
reference is kept as given (the ledger refuses what still looks like an ID number)."""

from __future__ import annotations

import dataclasses

from credit_engine.contract import idnumber
from credit_engine.ledger import commands as c


class Pseudonyms:
    def __init__(self, secret: str) -> None:
        self.secret = secret

    def borrower_ref(self, borrower_ref: str) -> str:
        text = idnumber.normalise(borrower_ref)
        return idnumber.pseudonymise(text, self.secret) if idnumber.violation(text) is None else borrower_ref

    def of_command(self, command: c.Command) -> c.Command:
        """``command`` with its borrower pseudonymised (a disbursement), else unchanged."""
        if isinstance(command, c.Disburse):
            return dataclasses.replace(command, borrower_ref=self.borrower_ref(command.borrower_ref))
        return command
