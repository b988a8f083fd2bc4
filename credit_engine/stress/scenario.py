"""The stress test's scenario settings (基金压力测试情景): how bad things may get, versioned in a YAML file.

The shipped file sits beside the fund policy (``credit_engine/ledger/stress_scenario.yaml``). :func:`load_scenario`
reads it (or another one) and :func:`scenario_from_mapping` checks every value at once: a bad one is an
``InvalidInput`` whose :class:`~credit_engine.errors.RowError` names the field (``products.fumin.default_pd``) and
states the rule in English and 中文. The run's own choices (horizon, scenarios, leverages, seed) are
:class:`StressOptions`, checked the same way.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from credit_engine.errors import InvalidInput, RowError

SCENARIO_FILE = Path(__file__).resolve().parent.parent / "ledger" / "stress_scenario.yaml"
BASEL_RETAIL = "basel_retail"
TOP_KEYS = {
    "version",
    "target_exhaustion_probability",
    "province_factor_share",
    "fund_interest_rate",
    "recovery_rate",
    "recovery_lag_months",
    "claim_delay_months",
    "leverages",
    "products",
}
PRODUCT_KEYS = {"default_pd", "asset_correlation", "new_loan_term_months", "average_loan_yuan"}
MAX_SCENARIOS = 10_000_000
MAX_HORIZON = 120


@dataclass(frozen=True, slots=True)
class ProductScenario:
    """One product's settings: the PD of a loan without a model PD, its asset correlation (a number, or None for
    Basel's retail formula of each loan's PD), and what a re-lent loan looks like (term, size in fen)."""

    default_pd: float
    asset_correlation: float | None
    new_loan_term_months: int
    average_loan_fen: int


@dataclass(frozen=True, slots=True)
class StressScenario:
    version: str
    target_exhaustion_probability: float
    province_factor_share: float
    fund_interest_rate: float
    recovery_rate: float
    recovery_lag_months: int
    claim_delay_months: int
    leverages: tuple[float, ...]
    products: Mapping[str, ProductScenario] = field(default_factory=dict)

    def product(self, code: str) -> ProductScenario:
        return self.products.get(code) or self.products["default"]


@dataclass(frozen=True, slots=True)
class StressOptions:
    """One run: months simulated, scenarios, leverages tested (multiples), seed, scenarios per chunk, processes."""

    horizon_months: int = 36
    scenarios: int = 100_000
    leverages: tuple[float, ...] = (8.0, 10.0, 12.0)
    seed: int = 20260101
    chunk_scenarios: int = 8_192
    workers: int = 1

    def errors(self) -> list[RowError]:
        found = []
        if not 1 <= self.horizon_months <= MAX_HORIZON:
            found.append(_error("horizon_months", "range", f"1–{MAX_HORIZON} 个月 months", self.horizon_months))
        if not 1 <= self.scenarios <= MAX_SCENARIOS:
            found.append(_error("scenarios", "range", f"1–{MAX_SCENARIOS:,} 个情景 scenarios", self.scenarios))
        if not self.leverages or any(not (0 < x <= 100 and math.isfinite(x)) for x in self.leverages):
            found.append(_error("leverage", "range", "multiples in (0, 100] / 倍数须在 0 与 100 之间", self.leverages))
        if not 0 <= self.seed < 2**63:
            found.append(_error("seed", "range", "0 ≤ seed < 2^63 / 随机种子须为非负整数", self.seed))
        if self.chunk_scenarios < 1 or self.workers < 1:
            found.append(_error("workers", "range", "at least 1 / 至少为 1", (self.chunk_scenarios, self.workers)))
        return found


def _error(name: str, rule: str, message: str, value: object) -> RowError:
    return RowError(None, name, rule, message, None if value is None else str(value))


def _number(values: Mapping[str, Any], key: str, name: str, low: float, high: float, errors: list) -> float:
    value = values.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        errors.append(_error(name, "number", "a number is required / 须为数字", value))
        return math.nan
    if not low <= value <= high:
        errors.append(_error(name, "range", f"between {low:g} and {high:g} / 须在 {low:g} 与 {high:g} 之间", value))
    return float(value)


def _months(values: Mapping[str, Any], key: str, name: str, low: int, errors: list) -> int:
    value = values.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_HORIZON:
        errors.append(
            _error(name, "months", f"whole months {low}–{MAX_HORIZON} / 须为 {low}–{MAX_HORIZON} 的整月数", value)
        )
        return low
    return value


def _unknown(values: Mapping[str, Any], allowed: set[str], prefix: str, errors: list) -> None:
    for key in sorted(set(values) - allowed, key=str):
        errors.append(_error(f"{prefix}{key}", "unknown_field", "not a setting of the scenario / 非情景设置项", key))


def _product(code: str, values: object, errors: list) -> ProductScenario:
    name = f"products.{code}"
    if not isinstance(values, Mapping):
        errors.append(_error(name, "mapping", "a mapping of settings / 须为设置项映射", values))
        return ProductScenario(0.0, None, 1, 1)
    _unknown(values, PRODUCT_KEYS, f"{name}.", errors)
    pd = _number(values, "default_pd", f"{name}.default_pd", 1e-6, 0.999, errors)
    correlation = values.get("asset_correlation")
    rho = None
    if correlation != BASEL_RETAIL:
        rho = _number(values, "asset_correlation", f"{name}.asset_correlation", 0.0, 0.99, errors)
    term = _months(values, "new_loan_term_months", f"{name}.new_loan_term_months", 1, errors)
    size = _number(values, "average_loan_yuan", f"{name}.average_loan_yuan", 1.0, 1e10, errors)
    return ProductScenario(pd, rho, term, round(size * 100) if math.isfinite(size) else 1)


def _leverages(values: object, errors: list) -> tuple[float, ...]:
    ok = (
        isinstance(values, list)
        and values
        and all(isinstance(x, int | float) and not isinstance(x, bool) and 0 < x <= 100 for x in values)
    )
    if not ok:
        errors.append(_error("leverages", "multiples", "a list of multiples in (0, 100] / 须为倍数列表", values))
        return (8.0,)
    return tuple(float(x) for x in values)  # type: ignore[union-attr]


def scenario_from_mapping(values: object) -> StressScenario:
    """The settings of a parsed YAML document, every bad value listed (``InvalidInput``)."""
    if not isinstance(values, Mapping):
        raise InvalidInput([_error("scenario", "mapping", "a mapping of settings / 须为设置项映射", values)])
    errors: list[RowError] = []
    _unknown(values, TOP_KEYS, "", errors)
    version = values.get("version")
    if not isinstance(version, str) or not version.strip():
        errors.append(_error("version", "text", "a version text is required / 须填写版本号", version))
    target = _number(values, "target_exhaustion_probability", "target_exhaustion_probability", 1e-4, 0.5, errors)
    share = _number(values, "province_factor_share", "province_factor_share", 0.0, 1.0, errors)
    interest = _number(values, "fund_interest_rate", "fund_interest_rate", 0.0, 0.2, errors)
    recovery = _number(values, "recovery_rate", "recovery_rate", 0.0, 1.0, errors)
    lag = _months(values, "recovery_lag_months", "recovery_lag_months", 0, errors)
    claim = _months(values, "claim_delay_months", "claim_delay_months", 0, errors)
    leverages = _leverages(values.get("leverages"), errors)
    found = values.get("products")
    products: dict[str, ProductScenario] = {}
    if not isinstance(found, Mapping) or "default" not in found:
        errors.append(_error("products", "default", "products with a `default` entry / 须含 default 产品", found))
    else:
        products = {str(code): _product(str(code), settings, errors) for code, settings in found.items()}
    if errors:
        raise InvalidInput(errors, f"{len(errors)} invalid stress scenario setting(s) / 压力测试情景设置有误")
    return StressScenario(str(version), target, share, interest, recovery, lag, claim, leverages, products)


def load_scenario(path: Path | None = None) -> StressScenario:
    """The scenario settings of ``path`` (default: the shipped file)."""
    import yaml

    path = Path(path) if path is not None else SCENARIO_FILE
    try:
        values = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput([_error("scenario_file", "file", f"cannot be read / 无法读取: {error}", path)]) from None
    except yaml.YAMLError as error:
        raise InvalidInput(
            [_error("scenario_file", "yaml", f"not valid YAML / YAML 格式有误: {error}", path)]
        ) from None
    return scenario_from_mapping(values)
