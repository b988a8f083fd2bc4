"""Feature specifications: which columns a model reads, of what type, and in which direction risk must move.

A spec is YAML (the household contract ships as the default, ``specs/household.yaml``)::

    target: creditability          # label column
    positive: bad                  # label value meaning default (default: 1)
    id_columns: [application_id]   # never used as features
    derive: household              # optional: a registered derivation adding computed columns
    split: {date_column: application_date, stratify_column: county_code}   # optional holdout design
    features:
      duration_in_month: {type: numeric, monotone: increasing}
      purpose: {type: categorical}

``monotone`` is the direction of the probability of default as the feature grows: ``increasing`` (more of it never
lowers PD) or ``decreasing`` (more of it never raises PD). Booleans are numeric 0/1. Models import this module for
feature definitions only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml

from credit_engine.columns import Columns, number
from credit_engine.enterprise.ratios import derive_enterprise

FeatureType = Literal["numeric", "categorical"]
Monotone = Literal["increasing", "decreasing"]


class SpecError(ValueError):
    """The feature spec file is malformed."""


def _restore(instance: Any, state: list[Any] | tuple[Any, ...]) -> None:
    """Unpickle a frozen slots dataclass from its field values in field order. A value pickled before a field was
    added has fewer values: the missing trailing fields take their defaults, so an older model's spec still
    compares, hashes, prints and fingerprints."""
    every, kind = fields(instance), type(instance).__name__
    if len(state) > len(every):
        raise TypeError(f"a {kind} has {len(every)} fields, the pickled state has {len(state)} values")
    for field, value in zip(every, state, strict=False):
        object.__setattr__(instance, field.name, value)
    for field in every[len(state) :]:
        if field.default is not MISSING:
            value = field.default
        elif field.default_factory is not MISSING:
            value = field.default_factory()
        else:
            raise TypeError(f"the pickled {kind} lacks {field.name!r}, which has no default")
        object.__setattr__(instance, field.name, value)


MAX_SPLITS = 50  # an expert's cut points of one feature (a card of more bins cannot be read)


@dataclass(frozen=True, slots=True)
class BinConstraints:
    """An expert's constraints on one feature's bins in the WOE scorecard (optbinning's per-variable parameters):
    at most ``max_n_bins`` bins, each holding at least ``min_bin_size`` of the rows, and for a numeric feature the
    only cut points the binning may use (``splits``: it keeps or merges them to respect the monotone direction and
    the sizes, and never cuts elsewhere). None: the scorecard's own setting."""

    max_n_bins: int | None = None
    min_bin_size: float | None = None
    splits: tuple[float, ...] | None = None

    def binning_params(self) -> dict[str, Any]:
        """optbinning's ``binning_fit_params`` entry."""
        params: dict[str, Any] = {}
        if self.max_n_bins is not None:
            params["max_n_bins"] = self.max_n_bins
        if self.min_bin_size is not None:
            params["min_bin_size"] = self.min_bin_size
        if self.splits is not None:
            params["user_splits"] = list(self.splits)
        return params

    def to_dict(self) -> dict[str, Any]:
        found = {"max_n_bins": self.max_n_bins, "min_bin_size": self.min_bin_size,
                 "splits": None if self.splits is None else list(self.splits)}  # fmt: skip
        return {key: value for key, value in found.items() if value is not None}

    @classmethod
    def from_dict(cls, feature: str, ftype: str, raw: Any) -> BinConstraints:
        where = f"feature {feature!r}: bins"
        if not isinstance(raw, Mapping) or not raw:
            raise SpecError(f"{where} is a mapping of max_n_bins, min_bin_size, splits")
        unknown = set(raw) - {"max_n_bins", "min_bin_size", "splits"}
        if unknown:
            raise SpecError(f"{where}: unknown keys {', '.join(sorted(map(str, unknown)))}")
        most, size, splits = raw.get("max_n_bins"), raw.get("min_bin_size"), raw.get("splits")
        if most is not None and (isinstance(most, bool) or not isinstance(most, int) or not 2 <= most <= 20):
            raise SpecError(f"{where}.max_n_bins must be a whole number from 2 to 20, got {most!r}")
        if size is not None and (isinstance(size, bool) or not isinstance(size, int | float) or not 0 < size <= 0.5):
            raise SpecError(f"{where}.min_bin_size must be a share above 0 and at most 0.5, got {size!r}")
        if splits is not None:
            if ftype != "numeric":
                raise SpecError(f"{where}.splits: only a numeric feature has cut points")
            numbers = isinstance(splits, list) and all(
                isinstance(v, int | float) and not isinstance(v, bool) and np.isfinite(v) for v in splits
            )
            if not numbers or not splits or any(b <= a for a, b in zip(splits, splits[1:], strict=False)):
                raise SpecError(f"{where}.splits must be a non-empty list of increasing numbers, got {splits!r}")
            if len(splits) > MAX_SPLITS:
                raise SpecError(f"{where}.splits holds {len(splits)} cut points; at most {MAX_SPLITS}")
        return cls(most, None if size is None else float(size), None if splits is None else tuple(map(float, splits)))

    def __setstate__(self, state: list[Any] | tuple[Any, ...]) -> None:
        _restore(self, state)


@dataclass(frozen=True, slots=True)
class FeatureDef:
    name: str
    type: FeatureType
    monotone: Monotone | None = None
    bins: BinConstraints | None = None  # the expert's bin constraints for the scorecard (None: its defaults)

    def __setstate__(self, state: list[Any] | tuple[Any, ...]) -> None:
        _restore(self, state)

    @property
    def monotone_sign(self) -> int:
        """LightGBM's convention: +1 increasing, -1 decreasing, 0 unconstrained."""
        return {"increasing": 1, "decreasing": -1, None: 0}[self.monotone]


Derivation = Callable[[Columns], dict[str, Any]]
"""Computed features from an application's columns (:mod:`credit_engine.columns`): arrays for a frame, numpy
scalars for one application — the same function for training, batch scoring and the scoring API."""


def _derive_household(columns: Columns) -> dict[str, Any]:
    """Ratios a village officer would compute by hand; safe on zero denominators."""
    size = np.maximum(number(columns["household_size"]), 1.0)
    income = number(columns["annual_net_income"])
    loans = number(columns["prior_loans"])
    overdue = number(columns["prior_overdue_times"])
    return {
        "income_per_capita": income / size,
        "debt_to_assets": number(columns["total_liabilities"]) / (number(columns["total_assets"]) + 1000.0),
        "loan_to_income": number(columns["requested_amount"]) / (income + 1000.0),
        "labor_share": number(columns["labor_count"]) / size,
        "overdue_rate": np.where(loans > 0, overdue / np.maximum(loans, 1.0), 0.0),
    }


DERIVATIONS: Mapping[str, Derivation] = {"household": _derive_household, "enterprise": derive_enterprise}


def derived_frame(spec: FeatureSpec, frame: pd.DataFrame) -> pd.DataFrame:
    """The spec's derived columns of ``frame`` (none without a derivation), on the frame's index."""
    derived = DERIVATIONS[spec.derive](frame) if spec.derive else {}
    return pd.DataFrame(derived, index=frame.index)


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    target: str
    features: tuple[FeatureDef, ...]
    positive: Any = 1
    id_columns: tuple[str, ...] = ()
    derive: str | None = None
    name: str = "custom"
    date_column: str | None = None
    stratify_column: str | None = None
    # a small book's calibration (training/selection.py): with a date column, on a sample of fewer than 2,000 rows,
    # the card's Platt map, LightGBM's and the blend's inputs are learnt on this many stratified folds (more fits of
    # every family); None: the selection's own folds, without a card map on dated folds
    calibration_folds: int | None = None

    def __setstate__(self, state: list[Any] | tuple[Any, ...]) -> None:
        """A spec pickled before ``calibration_folds`` (or a feature's ``bins``) existed gets their defaults."""
        _restore(self, state)

    @property
    def feature_names(self) -> list[str]:
        return [f.name for f in self.features]

    @property
    def categorical(self) -> list[str]:
        return [f.name for f in self.features if f.type == "categorical"]

    @property
    def numeric(self) -> list[str]:
        return [f.name for f in self.features if f.type == "numeric"]

    def get(self, name: str) -> FeatureDef:
        for feature in self.features:
            if feature.name == name:
                return feature
        raise KeyError(name)

    def prepare(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The feature columns, in spec order, with derived columns computed; ids and target dropped."""
        if self.derive:
            derived = derived_frame(self, frame)
            frame = pd.concat([frame.drop(columns=derived.columns, errors="ignore"), derived], axis=1)
        missing = [name for name in self.feature_names if name not in frame.columns]
        if missing:
            raise SpecError(f"columns required by the feature spec are missing: {', '.join(missing)}")
        out = frame[self.feature_names].copy()
        for name in self.numeric:
            if out[name].dtype == bool:
                out[name] = out[name].astype("float64")
        return out

    def labels(self, frame: pd.DataFrame) -> np.ndarray:
        """0/1 labels (1 = default) from the target column."""
        if self.target not in frame.columns:
            raise SpecError(f"target column {self.target!r} is missing")
        column = frame[self.target]
        if column.isna().any():
            raise SpecError(f"target column {self.target!r} has missing values")
        return (column.astype(str) == str(self.positive)).to_numpy(dtype=np.int8)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "target": self.target,
            "positive": self.positive,
            "id_columns": list(self.id_columns),
            "derive": self.derive,
            "split": {"date_column": self.date_column, "stratify_column": self.stratify_column},
            "features": {
                f.name: {
                    "type": f.type,
                    **({"monotone": f.monotone} if f.monotone else {}),
                    **({"bins": f.bins.to_dict()} if f.bins else {}),
                }
                for f in self.features
            },
            **({"calibration_folds": self.calibration_folds} if self.calibration_folds else {}),
        }

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True, default=str).encode()).hexdigest()[:16]

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], name: str = "custom") -> FeatureSpec:
        if not isinstance(raw, Mapping):
            raise SpecError("a feature spec is a mapping with keys target, features, ...")
        known = {"name", "target", "positive", "id_columns", "derive", "split", "features", "calibration_folds"}
        unknown = set(raw) - known
        if unknown:
            raise SpecError(f"unknown keys in feature spec: {', '.join(sorted(unknown))}")
        if "target" not in raw or "features" not in raw:
            raise SpecError("a feature spec needs 'target' and 'features'")
        derive = raw.get("derive")
        if derive is not None and derive not in DERIVATIONS:
            raise SpecError(f"unknown derivation {derive!r}; known: {', '.join(DERIVATIONS)}")
        features = []
        for fname, definition in dict(raw["features"]).items():
            definition = definition or {}
            ftype = definition.get("type", "numeric")
            if ftype not in ("numeric", "categorical"):
                raise SpecError(f"feature {fname!r}: type must be numeric or categorical, got {ftype!r}")
            monotone = definition.get("monotone")
            if monotone not in (None, "increasing", "decreasing"):
                raise SpecError(f"feature {fname!r}: monotone must be increasing or decreasing, got {monotone!r}")
            if monotone and ftype == "categorical":
                raise SpecError(f"feature {fname!r}: a categorical feature cannot be monotone")
            unknown_keys = set(definition) - {"type", "monotone", "bins"}
            if unknown_keys:
                raise SpecError(f"feature {fname!r}: unknown keys {', '.join(sorted(map(str, unknown_keys)))}")
            bins = BinConstraints.from_dict(str(fname), ftype, definition["bins"]) if "bins" in definition else None
            features.append(FeatureDef(str(fname), ftype, monotone, bins))
        id_columns = tuple(raw.get("id_columns") or ())
        clash = set(id_columns) & {f.name for f in features} | ({raw["target"]} & {f.name for f in features})
        if clash:
            raise SpecError(f"id or target columns listed as features: {', '.join(sorted(clash))}")
        split = dict(raw.get("split") or {})
        if set(split) - {"date_column", "stratify_column"}:
            raise SpecError("split takes only date_column and stratify_column")
        folds = raw.get("calibration_folds")
        if folds is not None and (isinstance(folds, bool) or not isinstance(folds, int) or not 2 <= folds <= 20):
            raise SpecError(f"calibration_folds must be a whole number from 2 to 20, got {folds!r}")
        return cls(
            calibration_folds=folds,
            date_column=split.get("date_column"),
            stratify_column=split.get("stratify_column"),
            target=str(raw["target"]),
            features=tuple(features),
            positive=raw.get("positive", 1),
            id_columns=id_columns,
            derive=derive,
            name=str(raw.get("name", name)),
        )

    @classmethod
    def from_yaml(cls, path: str | Path) -> FeatureSpec:
        path = Path(path)
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            raise SpecError(f"{path}: not valid YAML: {error}") from error
        return cls.from_dict(raw, name=path.stem)


def bundled_spec(name: str) -> FeatureSpec:
    """A spec shipped in ``credit_engine/specs/``: ``household`` or ``enterprise`` (强农贷)."""
    text = resources.files("credit_engine.specs").joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return FeatureSpec.from_dict(yaml.safe_load(text), name=name)


def household_spec() -> FeatureSpec:
    """The default spec: the household application contract."""
    return bundled_spec("household")


def load_spec(path: str | Path | None) -> FeatureSpec:
    return household_spec() if path is None else FeatureSpec.from_yaml(path)
