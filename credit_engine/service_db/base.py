"""The declarative base of the service tables: one naming convention, shared by every ``tables.py`` that uses it."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from credit_engine.dbschema import NAMING_CONVENTION


class ServiceBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
