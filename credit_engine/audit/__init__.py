"""The audit log: every assessment and every ledger write, attributable to a key (:mod:`.log`), and its export
(:mod:`.export`)."""
