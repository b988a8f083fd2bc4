"""The rating policy of a product as versioned, validated configuration: scale, lines, limits, bands.

A policy is a YAML file (the shipped 富民贷 policy is ``fumin-2026.1.yaml`` beside this module). It names its
``version`` and the date it takes effect; every rating carries that version, and :meth:`RatingPolicy.fingerprint`
tells two files apart that claim the same version but say different things. Everything the decision flow needs —
the master scale (PD → grade), the credit line per grade, the product's amount and term limits, who is eligible, the
PD bands of approve / refer / decline, the repayment-capacity rule and the rounding of lines — lives here, so a
policy change is a new file, never a code branch. A bad file is refused with a :class:`PolicyError` naming the key.

Bounds are read as the flow applies them: a PD falls in the first grade whose ``max_pd`` it is *below* (the last
grade, ``max_pd`` 1.0, takes everything left); an application is approvable below ``approve_max_pd`` and declined at
or above ``decline_min_pd``; amount, age and term limits are inclusive.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from credit_engine.contract.fields import CREDIT_RECORD, PURPOSE, REGISTRY_STATUS
from credit_engine.errors import CreditEngineError

SHIPPED_POLICY = "fumin-2026.1.yaml"


def _contract_codes(choices: Mapping[str, str], what: str) -> AfterValidator:
    """Refuse codes the data contract does not know (a typo would silently knock out or let in everyone)."""

    def check(values: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [value for value in values if value not in choices]
        if unknown:
            raise ValueError(f"{unknown} are not {what} codes of the data contract ({', '.join(choices)})")
        return values

    return AfterValidator(check)


RegistryStatuses = Annotated[tuple[str, ...], _contract_codes(REGISTRY_STATUS, "registry status")]
CreditRecords = Annotated[tuple[str, ...], _contract_codes(CREDIT_RECORD, "credit record")]
Purposes = Annotated[tuple[str, ...], _contract_codes(PURPOSE, "purpose")]


class PolicyError(CreditEngineError):
    """A policy file is missing, not YAML, or breaks a rule; ``problems`` lists ``(key, message)`` pairs."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = list(problems)
        lines = "; ".join(f"{key}: {message}" if key else message for key, message in self.problems)
        super().__init__(f"rating policy {source} is invalid / 评级政策配置有误: {lines}")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class GradeBand(_Frozen):
    """One step of the master scale: PDs below ``max_pd`` (and not in a better grade) get ``grade``."""

    grade: str = Field(min_length=1)
    max_pd: float = Field(gt=0.0, le=1.0)


class ProductLimits(_Frozen):
    min_amount_yuan: int = Field(gt=0)
    max_amount_yuan: int = Field(gt=0)
    min_term_months: int = Field(default=1, ge=1)
    max_term_months: int = Field(ge=1)
    forestry_max_term_months: int = Field(ge=1)
    forestry_purposes: Purposes = ("forestry",)

    @model_validator(mode="after")
    def _ordered(self) -> ProductLimits:
        if self.min_amount_yuan > self.max_amount_yuan:
            raise ValueError("min_amount_yuan is above max_amount_yuan")
        if self.min_term_months > self.max_term_months:
            raise ValueError("min_term_months is above max_term_months")
        if self.forestry_max_term_months < self.max_term_months:
            raise ValueError("forestry_max_term_months is below max_term_months")
        return self


class Eligibility(_Frozen):
    registry_statuses: RegistryStatuses = Field(min_length=1)
    min_age: int = Field(ge=0)
    max_age: int = Field(ge=0)
    productive_purposes: Purposes = Field(min_length=1)
    excluded_credit_records: CreditRecords = ()

    @model_validator(mode="after")
    def _ages(self) -> Eligibility:
        if self.min_age > self.max_age:
            raise ValueError("min_age is above max_age")
        return self


class DecisionBands(_Frozen):
    """Approve below ``approve_max_pd``, decline at or above ``decline_min_pd``, refer in between."""

    approve_max_pd: float = Field(gt=0.0, le=1.0)
    decline_min_pd: float = Field(gt=0.0, le=1.0)

    @model_validator(mode="after")
    def _ordered(self) -> DecisionBands:
        if self.approve_max_pd > self.decline_min_pd:
            raise ValueError("approve_max_pd is above decline_min_pd")
        return self


class RepaymentCapacity(_Frozen):
    """Share of yearly net plus transfer income that may go to principal and interest, at ``annual_rate``."""

    max_repayment_share: float = Field(gt=0.0, le=1.0)
    annual_rate: float = Field(ge=0.0, lt=1.0)


class RatingPolicy(_Frozen):
    """A product's rating policy; build with :func:`load_policy`."""

    version: str = Field(min_length=1)
    product: str = Field(min_length=1)
    effective_from: dt.date
    master_scale: tuple[GradeBand, ...] = Field(min_length=1)
    grade_lines_yuan: dict[str, int]
    grade_labels_zh: dict[str, str]
    product_limits: ProductLimits
    eligibility: Eligibility
    decision: DecisionBands
    repayment_capacity: RepaymentCapacity
    line_rounding_yuan: int = Field(gt=0)

    @field_validator("master_scale")
    @classmethod
    def _scale(cls, scale: tuple[GradeBand, ...]) -> tuple[GradeBand, ...]:
        grades = [band.grade for band in scale]
        if len(set(grades)) != len(grades):
            raise ValueError(f"grades must be distinct, got {grades}")
        bounds = [band.max_pd for band in scale]
        if any(lower >= upper for lower, upper in zip(bounds, bounds[1:], strict=False)):
            raise ValueError(f"max_pd must be strictly increasing down the scale, got {bounds}")
        if bounds[-1] != 1.0:
            raise ValueError(f"the last grade must have max_pd 1.0, got {bounds[-1]}")
        return scale

    @field_validator("grade_lines_yuan")
    @classmethod
    def _lines(cls, lines: dict[str, int], info: ValidationInfo) -> dict[str, int]:
        grades = _grades_known(info)
        if grades is None:
            return lines
        _same_grades(lines, grades)
        ordered = [lines[grade] for grade in grades]
        if any(line < 0 for line in ordered):
            raise ValueError("credit lines must not be negative")
        if any(better < worse for better, worse in zip(ordered, ordered[1:], strict=False)):
            raise ValueError(f"credit lines must not increase down the scale {grades}, got {ordered}")
        return lines

    @field_validator("grade_labels_zh")
    @classmethod
    def _labels(cls, labels: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        grades = _grades_known(info)
        if grades is not None:
            _same_grades(labels, grades)
        return labels

    @model_validator(mode="after")
    def _lines_usable(self) -> RatingPolicy:
        minimum = self.product_limits.min_amount_yuan
        unusable = [grade for grade, line in self.grade_lines_yuan.items() if 0 < line < minimum]
        if unusable:
            raise ValueError(
                f"grade_lines_yuan: lines of grades {unusable} are below the product minimum {minimum} "
                "(a grade's line is 0 or at least min_amount_yuan)"
            )
        return self

    @property
    def grades(self) -> tuple[str, ...]:
        """Grades from best to worst."""
        return tuple(band.grade for band in self.master_scale)

    def canonical(self) -> dict[str, Any]:
        """The policy's content as plain JSON values (what the fingerprint is taken over)."""
        return self.model_dump(mode="json")

    def fingerprint(self) -> str:
        """sha256 (hex) of the canonical content: layout and comments don't count, every value does."""
        text = json.dumps(self.canonical(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _grades_known(info: ValidationInfo) -> list[str] | None:
    """Grades of the master scale; None when the scale was itself invalid (and is reported on its own)."""
    scale = info.data.get("master_scale")
    return None if scale is None else [band.grade for band in scale]


def _same_grades(mapping: dict[str, Any], grades: list[str]) -> None:
    missing = [grade for grade in grades if grade not in mapping]
    unknown = [grade for grade in mapping if grade not in grades]
    if missing:
        raise ValueError(f"grades {missing} of the master scale have no entry")
    if unknown:
        raise ValueError(f"grades {unknown} are not on the master scale {grades}")


_Policy = TypeVar("_Policy", bound=BaseModel)


class UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a key given twice (YAML would silently keep the last one)."""


def _construct_mapping(loader: UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    keys = [loader.construct_object(key_node) for key_node, _ in node.value]
    duplicates = sorted({str(key) for key in keys if keys.count(key) > 1})
    if duplicates:
        raise yaml.constructor.ConstructorError(
            None, None, f"keys given twice: {', '.join(duplicates)}", node.start_mark
        )
    return loader.construct_mapping(node)


UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_policy(text: str, source: str = "<text>", model: type[_Policy] = RatingPolicy) -> _Policy:
    """A policy from YAML text; ``source`` names it in error messages; ``model`` is another product's policy class
    (the 强农贷 one, :class:`credit_engine.enterprise.policy.EnterprisePolicy`), read and refused the same way."""
    try:
        raw = yaml.load(text, Loader=UniqueKeyLoader)
    except yaml.YAMLError as error:
        raise PolicyError(source, [("", f"not valid YAML: {error}")]) from error
    if not isinstance(raw, dict):
        raise PolicyError(source, [("", "a policy is a mapping with keys version, product, master_scale, ...")])
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise PolicyError(source, [_problem(item) for item in error.errors()]) from error


def _problem(item: Any) -> tuple[str, str]:
    key = ".".join(str(part) for part in item["loc"])
    message = str(item["msg"]).removeprefix("Value error, ")
    return key, message


def load_policy(path: Path | None = None) -> RatingPolicy:
    """The policy in ``path``; ``None`` reads the shipped 富民贷 policy."""
    if path is None:
        text = resources.files("credit_engine.policy").joinpath(SHIPPED_POLICY).read_text(encoding="utf-8")
        return parse_policy(text, source=SHIPPED_POLICY)
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PolicyError(str(path), [("", f"cannot be read: {error.strerror or error}")]) from error
    return parse_policy(text, source=str(path))
