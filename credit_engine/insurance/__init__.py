"""Guarantee insurance (保证保险) as a second loss layer: a fund's cover terms (:mod:`.cover`) and the loss
waterfall (:mod:`.waterfall`) that both the ledger (one loss, integer fen) and the stress test (arrays) apply."""
