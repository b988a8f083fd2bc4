"""Outcomes (贷后表现): what happened to the loans the engine rated, as the input of monitoring and retraining.

The definition (:mod:`.definition`, a versioned policy file), a loan's history as known at a moment (:mod:`.events`),
its label (:mod:`.labels`), the link to its assessment (:mod:`.linking`), the table and its summary (:mod:`.table`),
the Parquet file (:mod:`.outfile`) and the build over a database (:mod:`.build`). The modules of the domain are pure
functions over plain values; only :mod:`.build` reads a database, through :mod:`credit_engine.ledger.queries.outcomes`.
"""
