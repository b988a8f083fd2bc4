"""The places of the synthetic registry: counties, their villages, and the bad-harvest years of each county.

Hierarchy (DOMAIN.md §6): province → county (the real poverty-alleviation counties of :mod:`credit_engine.regions`)
→ township → village → household. A village code is the county code, a 3-digit township (1xx towns 镇, 2xx
townships 乡) and a 3-digit village (2xx 村委会), as in the national statistical division codes. Village traits
(hardened road, broadband, share of workers who migrate) are drawn once per village and shared by its households.
Each (county, year) has a bad-harvest shock (drought, price collapse) with probability ``SHOCK_PROBABILITY``; the shock
destroys a share of the county's farm income that year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from credit_engine.regions import SHANXI_POVERTY_COUNTIES, County

YEARS: tuple[int, ...] = (2021, 2022, 2023, 2024)
SHOCK_PROBABILITY = 0.12
SHOCK_LOSS_RANGE = (0.4, 0.75)
VILLAGES_PER_COUNTY = (20, 60)


@dataclass(frozen=True, slots=True)
class Places:
    """Counties (index c) and villages (index v) as parallel arrays."""

    county_codes: np.ndarray  # (C,) int64 GB/T 2260 codes
    county_income: np.ndarray  # (C,) income level relative to the province (altitude, remoteness)
    shock_loss: np.ndarray  # (C, len(YEARS)) share of farm income lost in a bad-harvest year; 0 in normal years
    village_county: np.ndarray  # (V,) county index of each village
    village_codes: np.ndarray  # (V,) str 12-digit village codes
    village_road: np.ndarray  # (V,) bool hardened road
    village_broadband: np.ndarray  # (V,) bool broadband
    village_migration: np.ndarray  # (V,) share of the labour force working away
    village_weight: np.ndarray  # (V,) share of the registry's households living in the village

    @property
    def n_villages(self) -> int:
        return len(self.village_codes)


def build_places(rng: np.random.Generator, counties: tuple[County, ...] = SHANXI_POVERTY_COUNTIES) -> Places:
    """Draw the villages, traits and shocks of the given counties."""
    n_counties = len(counties)
    low, high = VILLAGES_PER_COUNTY
    per_county = rng.integers(low, high + 1, size=n_counties)
    village_county = np.repeat(np.arange(n_counties), per_county)
    remoteness = rng.beta(2.0, 2.0, size=n_counties)
    shocked = rng.random((n_counties, len(YEARS))) < SHOCK_PROBABILITY
    return Places(
        county_codes=np.array([int(county.code) for county in counties], dtype=np.int64),
        county_income=1.15 - 0.3 * remoteness,
        shock_loss=np.where(shocked, rng.uniform(*SHOCK_LOSS_RANGE, size=shocked.shape), 0.0),
        village_county=village_county,
        village_codes=_village_codes(rng, counties, per_county),
        village_road=rng.random(len(village_county)) < 0.92 - 0.25 * remoteness[village_county],
        village_broadband=rng.random(len(village_county)) < 0.85 - 0.35 * remoteness[village_county],
        village_migration=rng.beta(3.0, 6.0, size=len(village_county)),
        village_weight=rng.lognormal(0.0, 0.5, size=len(village_county)),
    )


def _village_codes(rng: np.random.Generator, counties: tuple[County, ...], per_county: np.ndarray) -> np.ndarray:
    """12-digit codes: county + township (towns 1xx, townships 2xx) + village (2xx), numbered in order."""
    codes: list[str] = []
    for county, n_villages in zip(counties, per_county, strict=True):
        n_townships = int(rng.integers(5, 14))
        n_towns = int(rng.integers(2, n_townships))
        township = np.sort(rng.integers(0, n_townships, size=int(n_villages)))
        numbers = np.arange(len(township)) - np.searchsorted(township, township)
        for t, k in zip(township, numbers, strict=True):
            town_code = 100 + t if t < n_towns else 200 + t - n_towns
            codes.append(f"{county.code}{town_code:03d}{200 + k:03d}")
    return np.array(codes)


def shock_of(places: Places, county: np.ndarray, year_index: np.ndarray) -> np.ndarray:
    """Share of farm income lost by each row's county in its application year (0 when no shock)."""
    return places.shock_loss[county, year_index]
