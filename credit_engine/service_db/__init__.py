"""The service tables beside the ledger — API keys, idempotent requests, the audit log — and their migrations.

They live in the ledger's database (same URL from the settings) but keep their own Alembic history and version
table, ``service_alembic_version``, so the ledger and the service migrate independently (:mod:`.database`).
"""
