"""The 强农贷 policy (``credit_engine/policy/qiangnong-2026.1.yaml``) as validated configuration: the master scale,
the risk-based limit per grade, the product limits, the repayment-capacity rule on operating cash flow, the quota per
household driven, the collateral rule and the rounding of loan sizes. Read and refused as the 富民贷 policy is
(:func:`credit_engine.policy.config.parse_policy`: a :class:`~credit_engine.policy.config.PolicyError` names the key);
its master scale works with the same rules (:func:`credit_engine.rating.grade_index`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from credit_engine.contract.fields import CREDIT_RECORD
from credit_engine.enterprise.fields import COLLATERAL_TYPE, GUARANTOR, INDUSTRY
from credit_engine.policy.config import DecisionBands, GradeBand, PolicyError, RatingPolicy, parse_policy

SHIPPED_POLICY = "qiangnong-2026.1.yaml"


def _known(choices: dict[str, str], what: str) -> AfterValidator:
    def check(values: Any) -> Any:
        unknown = [value for value in values if value not in choices]
        if unknown:
            raise ValueError(f"{unknown} are not {what} codes of the enterprise contract ({', '.join(choices)})")
        return values

    return AfterValidator(check)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ProductLimits(_Frozen):
    min_amount_yuan: int = Field(gt=0)
    max_amount_yuan: int = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> ProductLimits:
        if self.min_amount_yuan > self.max_amount_yuan:
            raise ValueError("min_amount_yuan is above max_amount_yuan")
        return self


class Eligibility(_Frozen):
    """The knock-outs (:mod:`credit_engine.enterprise.knockouts`): an applicant outside them is declined whatever
    its PD."""

    excluded_credit_records: Annotated[tuple[str, ...], _known(CREDIT_RECORD, "credit record")] = ()
    max_prior_overdue_times: int = Field(ge=0)
    min_households_driven: int = Field(ge=0)
    min_years_operating: int = Field(ge=0)
    positive_equity_required: bool
    min_term_months: int = Field(ge=1)
    max_term_months: int = Field(ge=1)
    long_term_industries: Annotated[tuple[str, ...], _known(INDUSTRY, "industry")] = ()
    long_term_max_months: int = Field(ge=1)

    @model_validator(mode="after")
    def _terms(self) -> Eligibility:
        if not self.min_term_months <= self.max_term_months <= self.long_term_max_months:
            raise ValueError("need min_term_months ≤ max_term_months ≤ long_term_max_months")
        return self


class RepaymentCapacity(_Frozen):
    """Yearly debt service — the new loan's principal over its term and interest, plus the existing bank debt's
    ``existing_debt_service_per_yuan`` — within ``max_debt_service_share`` of operating cash flow."""

    max_debt_service_share: float = Field(gt=0.0, le=1.0)
    annual_rate: float = Field(ge=0.0, lt=1.0)
    existing_debt_service_per_yuan: float = Field(ge=0.0, le=1.0)


class HouseholdQuota(_Frozen):
    per_household_yuan: int = Field(gt=0)


class CollateralRule(_Frozen):
    unsecured_max_yuan: int = Field(ge=0)
    waived_by_guarantors: Annotated[tuple[str, ...], _known(GUARANTOR, "guarantor")] = ()
    advance_rates: Annotated[dict[str, float], _known(COLLATERAL_TYPE, "collateral type")]

    @model_validator(mode="after")
    def _rates(self) -> CollateralRule:
        if "none" in self.advance_rates:
            raise ValueError("advance_rates: 'none' is no collateral and has no advance rate")
        if any(not 0.0 < rate <= 1.0 for rate in self.advance_rates.values()):
            raise ValueError("advance_rates must be above 0 and at most 1")
        return self


class EnterprisePolicy(_Frozen):
    """The 强农贷 policy; build with :func:`load_enterprise_policy`."""

    version: str = Field(min_length=1)
    product: str = Field(min_length=1)
    effective_from: dt.date
    master_scale: tuple[GradeBand, ...] = Field(min_length=1)
    grade_limits_yuan: dict[str, int]
    grade_labels_zh: dict[str, str]
    product_limits: ProductLimits
    eligibility: Eligibility
    decision: DecisionBands
    repayment_capacity: RepaymentCapacity
    household_quota: HouseholdQuota
    collateral: CollateralRule
    amount_rounding_yuan: int = Field(gt=0)

    @field_validator("master_scale")
    @classmethod
    def _scale(cls, scale: tuple[GradeBand, ...]) -> tuple[GradeBand, ...]:
        """The 富民贷 policy's rules of a master scale: distinct grades, increasing bounds, the last at 1.0."""
        return RatingPolicy._scale(scale)

    @model_validator(mode="after")
    def _limits(self) -> EnterprisePolicy:
        grades = list(self.grades)
        for name, mapping in (("grade_limits_yuan", self.grade_limits_yuan), ("grade_labels_zh", self.grade_labels_zh)):
            if sorted(mapping) != sorted(grades):
                raise ValueError(f"{name} must name exactly the grades of the master scale {grades}")
        limits = [self.grade_limits_yuan[grade] for grade in grades]
        if any(limit < 0 for limit in limits) or any(a < b for a, b in zip(limits, limits[1:], strict=False)):
            raise ValueError(f"grade_limits_yuan must be ≥ 0 and not increase down the scale, got {limits}")
        return self

    @property
    def grades(self) -> tuple[str, ...]:
        """Grades from best to worst."""
        return tuple(band.grade for band in self.master_scale)

    @property
    def grade_lines_yuan(self) -> dict[str, int]:
        """The risk-based limits under the name the master-scale arrays read (:mod:`credit_engine.policy.scale`)."""
        return self.grade_limits_yuan

    def fingerprint(self) -> str:
        """sha256 (hex) of the canonical content: layout and comments don't count, every value does."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_enterprise_policy(path: Path | None = None) -> EnterprisePolicy:
    """The 强农贷 policy in ``path``; ``None`` reads the shipped ``qiangnong-2026.1``."""
    if path is None:
        text = resources.files("credit_engine.policy").joinpath(SHIPPED_POLICY).read_text(encoding="utf-8")
        return parse_policy(text, SHIPPED_POLICY, EnterprisePolicy)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise PolicyError(str(path), [("", f"cannot be read: {error.strerror or error}")]) from error
    return parse_policy(text, str(path), EnterprisePolicy)
