"""Alembic migrations of the service tables, shipped inside the package so an installed engine can migrate itself."""
