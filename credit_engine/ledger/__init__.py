"""The risk-compensation fund ledger (风险补偿金台账): double-entry, append-only, idempotent, bitemporal.

A fund belongs to one county and one partner bank; its money and the loans it covers are recorded as journal
entries whose postings sum to zero (:mod:`.journal`, chart of accounts in :mod:`.accounts`). Every event is a
service (:mod:`.services`) that takes a unit of work (:mod:`.unit_of_work`) and a command (:mod:`.commands`),
enforces the fund's invariants at write time and records the value date and the recording time. Reports read
positions "as of a value date, as known at a recording time" (:mod:`.position`, :mod:`.history`); the audit
(:mod:`.validations`) re-derives everything from the postings. Nothing happens at import.
"""
