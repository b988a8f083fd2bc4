"""Schemas of the operational routes: health, readiness and the served model."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class HealthOut(BaseModel):
    status: str = Field(examples=["ok"])


class ReadyOut(BaseModel):
    ready: bool
    model_loaded: bool
    database: bool
    model_version: str | None
    fund_headroom_fresh: bool = Field(description="The funds' headroom was read from the database recently.")
    enterprise_model_version: str | None = Field(
        default=None,
        description="The 强农贷 enterprise model served (null: none registered yet; its routes answer 503, the rest "
        "of the service is ready without it).",
        examples=["enterprise-pd/1"],
    )


class ModelOut(BaseModel):
    model_version: str | None = Field(examples=["household-pd/3"])
    model_uri: str
    loaded_at: dt.datetime | None
    fast_path: bool = Field(description="Scored from a numpy row (the estimator's frame path otherwise).")
    last_reload_error: str | None


class ReloadOut(BaseModel):
    previous_version: str | None
    model_version: str
    changed: bool = Field(description="False when the champion alias still points to the version served.")
