"""Read models of the ledger: the queries that reports, the audit and the fund headrooms run, one module per view.

Fund positions (:mod:`.positions`, folded into figures by :mod:`credit_engine.ledger.position`), monthly series
(:mod:`.monthly`), the audit's replay (:mod:`.audit`) and a loan's recorded events (:mod:`.events`). With the
repositories (:mod:`credit_engine.ledger.repository`, :mod:`credit_engine.ledger.command_repository`,
:mod:`credit_engine.ledger.product_store`: the write side and the aggregates) these are the only modules that hold
SQL; they answer in plain values and domain objects, never rows, and any difference between SQLite and PostgreSQL
stays inside them.
"""
