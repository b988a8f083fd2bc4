"""Read models of the ledger: the queries that reports, the audit and the fund headrooms run, one module per view.

With :mod:`credit_engine.ledger.repository` (the write side and the aggregates) and :mod:`credit_engine.ledger.position`
(fund positions) these are the only modules that hold SQL; they answer in plain values and domain objects, never rows,
and any difference between SQLite and PostgreSQL stays inside them.
"""
