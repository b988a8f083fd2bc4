"""The monitoring policy (模型监控策略) as versioned, validated configuration, and the status of one figure.

A policy is a YAML file (the shipped one is ``credit_engine/policy/monitoring-2026.1.yaml``): the PSI / CSI
thresholds (0.10 watch, 0.25 act), the AUC floors, the Wilson interval's confidence, the early reads' DPD and
months on book, the fairness ratio's floors and the calibration gaps. A bad file is refused with a
:class:`MonitoringPolicyError` naming the field in English and 中文. :func:`at_least` and :func:`below` judge a
figure against a pair of thresholds; :func:`worst` is the status of several.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from credit_engine.errors import BilingualError
from credit_engine.policy import yaml_file

SHIPPED_POLICY = "monitoring-2026.1.yaml"
GREEN, WATCH, ACT, NOT_JUDGED = "green", "watch", "act", "not_judged"
STATUSES = (GREEN, WATCH, ACT)
STATUS_LABELS = {GREEN: "正常 green", WATCH: "关注 watch", ACT: "处置 act", NOT_JUDGED: "样本不足 not judged"}


class MonitoringPolicyError(BilingualError):
    """A policy file is missing, not YAML, or breaks a rule; ``problems`` lists ``(field, message)`` pairs."""

    code = "invalid_monitoring_policy"

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.problems = list(problems)
        en = "; ".join(f"{field}: {message}" if field else message for field, message in self.problems)
        zh = "；".join(f"{field} 取值有误" if field else "格式有误" for field, _ in self.problems)
        super().__init__(f"monitoring policy {source} is invalid: {en}", f"模型监控策略 {source} 有误：{zh}")


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Stability(_Part):
    bins: int = Field(ge=2, le=50)
    watch: float = Field(gt=0)
    act: float = Field(gt=0)
    min_rows: int = Field(ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> Stability:
        if self.act <= self.watch:
            raise ValueError("act must be above watch")
        return self


class Performance(_Part):
    auc_watch: float = Field(gt=0.5, le=1)
    auc_act: float = Field(gt=0.0, le=1)
    min_bads: int = Field(ge=1)
    confidence: float = Field(gt=0.5, lt=1)
    early_dpd: int = Field(ge=1, le=180)
    early_mob: tuple[int, ...] = Field(min_length=1)


class Fairness(_Part):
    approval_ratio_watch: float = Field(gt=0, le=1)
    approval_ratio_act: float = Field(gt=0, le=1)
    min_group: int = Field(ge=1)
    age_bands: tuple[int, ...] = Field(min_length=1)


class Calibration(_Part):
    gap_watch: float = Field(gt=0, lt=1)
    gap_act: float = Field(gt=0, lt=1)


class MonitoringPolicy(_Part):
    version: str = Field(min_length=1)
    stability: Stability
    performance: Performance
    fairness: Fairness
    calibration: Calibration

    def fingerprint(self) -> str:
        """sha256 (hex) of the canonical content."""
        return yaml_file.fingerprint(self)


def parse_policy(text: str, source: str = "<text>") -> MonitoringPolicy:
    """A policy from YAML text; ``source`` names it in error messages."""
    return yaml_file.parse_model(text, source, MonitoringPolicy, MonitoringPolicyError)


def load_monitoring_policy(path: Path | None = None) -> MonitoringPolicy:
    """The policy in ``path``; ``None`` reads the shipped one."""
    return yaml_file.load_model(path, SHIPPED_POLICY, MonitoringPolicy, MonitoringPolicyError)


def at_least(value: float | None, watch: float, act: float) -> str:
    """Status of a figure that is bad when high (PSI, a gap): act at or above ``act``, watch at or above ``watch``."""
    if value is None:
        return NOT_JUDGED
    return ACT if value >= act else WATCH if value >= watch else GREEN


def below(value: float | None, watch: float, act: float) -> str:
    """Status of a figure that is bad when low (AUC, an approval ratio): act below ``act``, watch below ``watch``."""
    if value is None:
        return NOT_JUDGED
    return ACT if value < act else WATCH if value < watch else GREEN


def worst(statuses: Any) -> str:
    """The most severe of ``statuses`` (green when none is judged)."""
    found = set(statuses)
    return ACT if ACT in found else WATCH if WATCH in found else GREEN
