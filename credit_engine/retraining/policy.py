"""The retraining policy (模型重训策略) as versioned, validated configuration.

A policy is a YAML file (the shipped one is ``credit_engine/policy/retraining-2026.1.yaml``): the recency
half-life of the training weights, the out-of-time holdout (how many most recent matured vintages, the least
evidence it must hold), and the gate's tolerances. A bad file is refused with a :class:`RetrainingPolicyError`
naming the field in English and 中文.
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from credit_engine.errors import BilingualError
from credit_engine.policy.config import UniqueKeyLoader

SHIPPED_POLICY = "retraining-2026.1.yaml"


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


class Holdout(_Part):
    vintages: int = Field(ge=1, le=24)
    min_rows: int = Field(ge=1)
    min_bads: int = Field(ge=1)


class Gate(_Part):
    auc_max_drop: float = Field(ge=0, lt=0.5)
    calibration_gap_max_rise: float = Field(ge=0, lt=1)
    approval_ratio_max_drop: float = Field(ge=0, lt=1)
    deciles: int = Field(ge=2, le=50)


class RetrainingPolicy(_Part):
    version: str = Field(min_length=1)
    weights: Weights
    holdout: Holdout
    gate: Gate

    def fingerprint(self) -> str:
        """sha256 (hex) of the canonical content."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_policy(text: str, source: str = "<text>") -> RetrainingPolicy:
    """A policy from YAML text; ``source`` names it in error messages."""
    try:
        raw = yaml.load(text, Loader=UniqueKeyLoader)
    except yaml.YAMLError as error:
        raise RetrainingPolicyError(source, [("", f"not valid YAML: {error}")]) from error
    try:
        return RetrainingPolicy.model_validate(raw)
    except ValidationError as error:
        problems = [(".".join(map(str, e["loc"])), str(e["msg"]).removeprefix("Value error, ")) for e in error.errors()]
        raise RetrainingPolicyError(source, problems) from error


def load_retraining_policy(path: Path | None = None) -> RetrainingPolicy:
    """The policy in ``path``; ``None`` reads the shipped one."""
    if path is None:
        shipped = resources.files("credit_engine.policy").joinpath(SHIPPED_POLICY)
        return parse_policy(shipped.read_text(encoding="utf-8"), SHIPPED_POLICY)
    try:
        return parse_policy(Path(path).read_text(encoding="utf-8"), str(path))
    except OSError as error:
        raise RetrainingPolicyError(str(path), [("", f"cannot be read: {error.strerror or error}")]) from error
