"""The audit log: every assessment and every ledger write, attributable to a key. What an entry holds
(:mod:`.entry`), the port the domain writes through (:mod:`.sink`), the table's repository (:mod:`.repository`)
and the export of a period (:mod:`.export`). The served API's group-commit writer is an adapter in ``api/``."""
