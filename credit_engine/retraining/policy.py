"""The retraining policy (模型重训策略) as versioned, validated configuration.

A policy is a YAML file (the shipped one is ``credit_engine/policy/retraining-2026.3.yaml``): the recency
half-life of the training weights, the recalibration by county (2026.3: an offset per county learnt on the latest
matured vintages before the gate's, kept out of the model's training; older versions have none), the out-of-time
holdout (how many most recent matured vintages, the least
evidence it must hold), and the gate's tolerances, with the fairness dimensions in which a group the champion
demonstrably under-predicted is "risk-explained" (``risk_explained_dimensions``: 2026.2 names the county alone —
a drought county — never the head's gender or age band; 2026.1, which predates the rule, names none). A bad file is
refused with a :class:`RetrainingPolicyError` naming the field in English and 中文.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from credit_engine.errors import BilingualError
from credit_engine.policy import yaml_file

SHIPPED_POLICY = "retraining-2026.3.yaml"
# The fairness dimensions of the gate (credit_engine/monitoring/fairness.py DIMENSIONS).
Dimension = Literal["county_code", "head_gender", "age_band"]


class RetrainingPolicyError(BilingualError):
    """A policy file is missing, not YAML, or breaks a rule; ``problems`` lists ``(field, message)`` pairs."""

    code = "invalid_retraining_policy"

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.problems = list(problems)
        en = "; ".join(f"{field}: {message}" if field else message for field, message in self.problems)
        zh = "；".join(f"{field} 取值有误" if field else "格式有误" for field, _ in self.problems)
        super().__init__(f"retraining policy {source} is invalid: {en}", f"模型重训策略 {source} 有误：{zh}")


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Weights(_Part):
    half_life_years: float = Field(gt=0)


class Recalibration(_Part):
    vintages: int = Field(ge=0, le=24)
    prior_sd: float = Field(gt=0, le=5)
    direction: Literal["raise", "both"]
    reason_min_offset: float = Field(gt=0, le=5)


class Holdout(_Part):
    vintages: int = Field(ge=1, le=24)
    min_rows: int = Field(ge=1)
    min_bads: int = Field(ge=1)


class Gate(_Part):
    auc_max_drop: float = Field(ge=0, lt=0.5)
    calibration_gap_max_rise: float = Field(ge=0, lt=1)
    approval_ratio_max_drop: float = Field(ge=0, lt=1)
    deciles: int = Field(ge=2, le=50)
    risk_explained_dimensions: tuple[Dimension, ...] = ()


class RetrainingPolicy(_Part):
    version: str = Field(min_length=1)
    weights: Weights
    recalibration: Recalibration | None = None
    holdout: Holdout
    gate: Gate

    def fingerprint(self) -> str:
        """sha256 (hex) of the canonical content (without a recalibration section, as before the section existed:
        versions gated under 2026.1 or 2026.2 keep their policy's fingerprint)."""
        return yaml_file.fingerprint(self, exclude={"recalibration"} if self.recalibration is None else None)


def parse_policy(text: str, source: str = "<text>") -> RetrainingPolicy:
    """A policy from YAML text; ``source`` names it in error messages."""
    return yaml_file.parse_model(text, source, RetrainingPolicy, RetrainingPolicyError)


def load_retraining_policy(path: Path | None = None) -> RetrainingPolicy:
    """The policy in ``path``; ``None`` reads the shipped one."""
    return yaml_file.load_model(path, SHIPPED_POLICY, RetrainingPolicy, RetrainingPolicyError)
