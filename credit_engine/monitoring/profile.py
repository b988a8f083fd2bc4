"""The reference profile of a model (参照分布): per-feature bins and shares and the PD's bins and shares on its
training rows, logged with every model version, and the shares of new rows in the same bins.

A numeric feature is cut at the quantiles of the reference rows (``bins`` of them, repeated edges merged), each bin
closed on the right — (low, high] — so a value that a large share of the rows hold (no e-commerce sales, no debt:
0) keeps a bin of its own below the first edge, and new rows that move off it are seen; profiles logged before
(without ``closed``) keep their [low, high) bins; a
categorical one keeps its most frequent categories, the rest share an "other" bin. Every feature has a last bin for
missing values. The PD is cut the same way as a numeric feature. The profile is plain JSON (:meth:`as_dict`,
:meth:`from_dict`) so training can log it as an artifact and monitoring or the service can read it back without
MLflow. :func:`psi` is the population stability index of two share vectors.

A profile also keeps, per county with at least :data:`COUNTY_MIN_ROWS` reference rows, that county's shares over
the SAME bins (the PD and every feature but the county column itself): a shock in a third of the counties hardly
moves the province's shares, while it moves the shocked counties' own. ``by_county`` is ``None`` for a profile
logged before (its JSON has no ``by_county`` key): it still loads, and monitoring says it has no county table.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

PROFILE_ARTIFACT = "monitoring/reference_profile.json"
MAX_CATEGORIES = 100  # every county of a province keeps its own bin
SHARE_FLOOR = 1e-4  # an empty bin counts as this share in the PSI (ln 0 is not a number)
OTHER = "__other__"
COUNTY_MIN_ROWS = 200  # a county's own reference shares need this many rows (10 bins of ~20 rows each at least)


@dataclass(frozen=True, slots=True)
class Bins:
    """How one variable is binned and its reference shares: ``edges`` (numeric) or ``categories``; the shares have
    one value per bin and a last one for missing values."""

    kind: str  # numeric | categorical
    shares: tuple[float, ...]
    edges: tuple[float, ...] = ()
    categories: tuple[str, ...] = ()
    closed: str = "left"  # numeric bins: "right" (low, high]; "left" [low, high) (profiles logged before 2026-12)

    def labels(self) -> list[str]:
        """A readable name per bin (for tables and charts)."""
        if self.kind == "categorical":
            return [*self.categories, "其他 other", "缺失 missing"]
        bounds = ["-∞", *(f"{edge:.4g}" for edge in self.edges), "+∞"]
        opening, closing = ("(", "]") if self.closed == "right" else ("[", ")")
        shown = [f"{opening}{low}, {high}{closing}" for low, high in zip(bounds, bounds[1:], strict=False)]
        shown[-1] = shown[-1][:-1] + ")"  # +∞ is never a value
        return [*shown, "缺失 missing"]

    @property
    def search_side(self) -> str:
        """The side of ``numpy.searchsorted`` over the edges that finds a number's bin."""
        return "left" if self.closed == "right" else "right"

    def counts(self, values: Any) -> np.ndarray:
        """How many of ``values`` fall in each bin (the last: missing)."""
        series = pd.Series(values)
        missing = series.isna().to_numpy()
        if self.kind == "categorical":
            index = {category: i for i, category in enumerate(self.categories)}
            positions = [index.get(str(v), len(self.categories)) for v in series[~missing]]
        else:
            numbers = pd.to_numeric(series[~missing], errors="coerce").to_numpy(dtype=float)
            positions = np.searchsorted(np.asarray(self.edges, dtype=float), numbers, side=self.search_side)
        counts = np.bincount(np.asarray(positions, dtype=int), minlength=len(self.shares) - 1).astype(float)
        return np.append(counts, float(missing.sum()))

    def shares_of(self, values: Any) -> np.ndarray:
        counts = self.counts(values)
        total = counts.sum()
        return counts / total if total else counts

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"kind": self.kind, "shares": list(self.shares)}
        if self.kind == "categorical":
            return found | {"categories": list(self.categories)}
        return found | {"edges": list(self.edges), "closed": self.closed}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Bins:
        return cls(
            raw["kind"],
            tuple(float(s) for s in raw["shares"]),
            tuple(float(e) for e in raw.get("edges", ())),
            tuple(str(c) for c in raw.get("categories", ())),
            str(raw.get("closed", "left")),
        )


def numeric_bins(values: Any, bins: int) -> Bins:
    """Quantile bins of ``values`` (repeated edges merged) and their shares."""
    numbers = pd.to_numeric(pd.Series(values), errors="coerce").dropna().to_numpy(dtype=float)
    quantiles = np.quantile(numbers, np.linspace(0, 1, bins + 1)[1:-1]) if len(numbers) else np.array([])
    edges = tuple(float(e) for e in np.unique(quantiles))
    empty = Bins("numeric", (0.0,) * (len(edges) + 2), edges, closed="right")
    return Bins("numeric", tuple(empty.shares_of(values).tolist()), edges, closed="right")


def categorical_bins(values: Any) -> Bins:
    """The most frequent categories of ``values`` (the rest: other) and their shares."""
    series = pd.Series(values).dropna().astype(str)
    categories = tuple(str(c) for c in series.value_counts().index[:MAX_CATEGORIES])
    empty = Bins("categorical", (0.0,) * (len(categories) + 2), categories=categories)
    return Bins("categorical", tuple(empty.shares_of(values).tolist()), categories=categories)


@dataclass(frozen=True, slots=True)
class CountyShares:
    """One county's reference rows and its shares over the profile's bins: the PD's and each feature's."""

    rows: int
    pd: tuple[float, ...]
    features: Mapping[str, tuple[float, ...]]

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "pd": list(self.pd), "features": {k: list(v) for k, v in self.features.items()}}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> CountyShares:
        features = {name: tuple(float(s) for s in shares) for name, shares in raw["features"].items()}
        return cls(int(raw["rows"]), tuple(float(s) for s in raw["pd"]), features)


@dataclass(frozen=True, slots=True)
class ReferenceProfile:
    """The PD's bins and every feature's bins on the reference rows, and what they were taken from; ``by_county``
    the shares of each county with enough rows (``None``: a profile logged before counties were kept)."""

    pd_bins: Bins
    features: Mapping[str, Bins]
    rows: int
    about: Mapping[str, str] = field(default_factory=dict)
    by_county: Mapping[str, CountyShares] | None = None

    def as_dict(self) -> dict[str, Any]:
        found = {
            "rows": self.rows,
            "about": dict(self.about),
            "pd": self.pd_bins.as_dict(),
            "features": {name: bins.as_dict() for name, bins in self.features.items()},
        }
        if self.by_county is not None:
            found["by_county"] = {code: county.as_dict() for code, county in self.by_county.items()}
        return found

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ReferenceProfile:
        features = {name: Bins.from_dict(bins) for name, bins in raw["features"].items()}
        by_county = raw.get("by_county")
        counties = None if by_county is None else {str(k): CountyShares.from_dict(v) for k, v in by_county.items()}
        return cls(Bins.from_dict(raw["pd"]), features, int(raw["rows"]), dict(raw.get("about", {})), counties)


def read_profile(path: str | Path) -> ReferenceProfile:
    """The profile in a JSON file (as :meth:`ReferenceProfile.as_dict` wrote it)."""
    return ReferenceProfile.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def build_profile(  # noqa: PLR0913 - the reference rows and how to cut them
    frame: pd.DataFrame,
    pd_values: Sequence[float] | np.ndarray,
    categorical: Sequence[str],
    bins: int = 10,
    about: Mapping[str, str] | None = None,
    counties: pd.Series | None = None,
    county_min_rows: int = COUNTY_MIN_ROWS,
) -> ReferenceProfile:
    """The profile of ``frame``'s columns (``categorical`` ones by category, the rest by quantile) and the PDs;
    with ``counties`` (each row's county, in ``frame``'s order) also the shares of every county with at least
    ``county_min_rows`` rows (without: no county table, as in a profile logged before)."""
    features = {
        name: categorical_bins(frame[name]) if name in categorical else numeric_bins(frame[name], bins)
        for name in frame.columns
    }
    pds = np.asarray(pd_values, dtype=float)
    pd_bins = numeric_bins(pds, bins)
    by_county = None
    if counties is not None:
        by_county = county_shares(frame, pds, pd_bins, features, counties, county_min_rows)
    return ReferenceProfile(pd_bins, features, len(frame), about or {}, by_county)


def county_shares(  # noqa: PLR0913 - the rows, their bins and the grouping
    frame: pd.DataFrame,
    pds: np.ndarray,
    pd_bins: Bins,
    features: Mapping[str, Bins],
    counties: pd.Series,
    min_rows: int = COUNTY_MIN_ROWS,
) -> dict[str, CountyShares]:
    """Each county's shares over the whole profile's bins (the county column itself, constant within a county, is
    left out), for the counties with at least ``min_rows`` rows."""
    codes = pd.Series(np.asarray(counties, dtype=object))
    known = codes.notna().to_numpy()
    codes = codes.astype(str).to_numpy()
    found = {}
    for code in sorted(set(codes[known])):
        mask = known & (codes == code)
        if mask.sum() < min_rows:
            continue
        part = frame.loc[mask]
        shares = {
            name: tuple(bins.shares_of(part[name]).tolist())
            for name, bins in features.items()
            if name != getattr(counties, "name", None)
        }
        found[code] = CountyShares(int(mask.sum()), tuple(pd_bins.shares_of(pds[mask]).tolist()), shares)
    return found


def psi(expected: Sequence[float] | np.ndarray, actual: Sequence[float] | np.ndarray) -> float:
    """Σ (actual − expected) × ln(actual ÷ expected) over the bins; an empty bin counts as a share of 0.0001."""
    total = 0.0
    for e, a in zip(expected, actual, strict=True):
        e, a = max(float(e), SHARE_FLOOR), max(float(a), SHARE_FLOOR)
        total += (a - e) * math.log(a / e)
    return total
