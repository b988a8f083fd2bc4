"""Alembic migrations of the ledger, shipped inside the package so an installed engine can migrate itself."""
